"""Shared fixtures: a private AWSLABS_HOME per test, and one moto server (``awslabs serve`` in a
child process) per test session for the ``server`` target."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from awslabs.ports import free_port, wait_for_port  # noqa: F401 - tests import them from here too

FIXTURE_LABS = Path(__file__).parent / "fixtures" / "labs"


@pytest.fixture(autouse=True)
def fresh_emulator():
    """Every test starts with an empty in-process moto. The moto target keeps one ``mock_aws``
    for the whole process, and a test's own nested ``mock_aws()`` does not reset state while
    another is active, so fixed names in one test would collide with another's (resetting is
    nearly free: moto's backends are lazy)."""
    if "moto" in sys.modules:
        from moto.moto_api._internal.models import moto_api_backend

        moto_api_backend.reset()
    yield


@pytest.fixture(autouse=True)
def awslabs_home(tmp_path, monkeypatch):
    home = tmp_path / "awslabs-home"
    monkeypatch.setenv("AWSLABS_HOME", str(home))
    for key in ("AWSLABS_TARGET", "AWSLABS_ENDPOINT_URL", "AWSLABS_ALLOWED_ACCOUNTS", "AWSLABS_AWS_ENDPOINT_URL",
                "AWSLABS_STATE_FILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env from the developer's working directory
    # Spark local mode costs a JVM start (seconds) per emr-spark run; the tests that exercise it
    # switch it back on (tests/test_local_jobs.py, tests/test_labs.py).
    monkeypatch.setenv("AWSLABS_LOCAL_SPARK", "0")
    return home


@pytest.fixture(scope="session")
def moto_server():
    """``awslabs serve`` on a free port, as a learner would start it; yields its URL."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "awslabs", "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "NO_COLOR": "1"},
    )
    try:
        wait_for_port(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
