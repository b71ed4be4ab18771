"""Local TCP ports for a server started on this machine (``awslabs serve``, moto's threaded
server): one free port, and waiting until something listens on it.

Shared by the moto target, the test fixtures (``tests/conftest.py``) and
``scripts/practice_cli_replay.py``; standard library only, so a script can import it cheaply.
"""
from __future__ import annotations

import socket
import time

HOST = "127.0.0.1"


def free_port(host: str = HOST) -> int:
    """A port nothing listens on now (the OS picks it; another process may take it before use)."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30.0, host: str = HOST, what: str = "server") -> None:
    """Return once a TCP connection to ``host:port`` succeeds; ``RuntimeError`` after ``timeout`` s."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not listen on {host}:{port} within {timeout:g} s")
