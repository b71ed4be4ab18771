"""``awslabs serve``: a moto server for hands-on practice and for the ``server`` target.

Step Functions executions are switched on (moto's ``execute_state_machine``) and the werkzeug
request log is silenced. Learners point the AWS CLI (``--endpoint-url``) or boto3
(``AWS_ENDPOINT_URL``) at it.
"""
from __future__ import annotations

import logging
import os
import socket
import threading

from .errors import TargetUnavailable


def start_server(host: str = "127.0.0.1", port: int = 5000):
    """Start a threaded moto server and return it (call ``.stop()`` to end it)."""
    from moto.core import config as moto_config
    from moto.moto_server.threaded_moto_server import ThreadedMotoServer

    from .targets.moto import MOTO_CONFIG

    for service, values in MOTO_CONFIG.items():
        moto_config.default_user_config.setdefault(service, {}).update(values)
    # Step Functions executions call Glue/SQS/... at http://localhost:$MOTO_PORT (moto's
    # settings, default 5000): point them at this server, whatever its port.
    os.environ["MOTO_PORT"] = str(port)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    # ThreadedMotoServer reports a bind failure only inside its thread: try the port first.
    with socket.socket() as probe:
        try:
            probe.bind((host, port))
        except OSError:
            raise TargetUnavailable(f"cannot listen on {host}:{port}: the port is in use; try --port.") from None
    server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
    server.start()
    return server


def serve_forever(host: str, port: int) -> None:
    server = start_server(host, port)
    try:
        threading.Event().wait()
    finally:
        server.stop()
