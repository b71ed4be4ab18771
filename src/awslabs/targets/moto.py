"""In-process moto: the default target. Fake credentials are set here, never read from the user.

One ``mock_aws`` per process, started on first use, with Step Functions execution switched on
(moto's ``execute_state_machine``) so state machines really run. Job scripts that must run as
separate processes reach the same in-memory state through a threaded moto server started lazily
in this process (it shares moto's backends).
"""
from __future__ import annotations

import logging
import os
import threading

import boto3

from ..ports import free_port
from . import FAKE_CREDENTIALS
from .base import Target

_mock = None
_server = None
_server_url: str | None = None
_lock = threading.Lock()
MOTO_CONFIG = {"stepfunctions": {"execute_state_machine": True}}
# moto's state manager is process-wide; these transitions are set once, when an emulator starts
# (here and in `awslabs serve`), and never unset, so labs running side by side see the same
# behaviour whatever ran before. A Glue job run advances one state every two reads (STARTING ->
# RUNNING -> SUCCEEDED, as a poller sees on AWS) instead of jumping to SUCCEEDED at once.
MOTO_TRANSITIONS = {"glue::job_run": {"progression": "manual", "times": 2}}


def set_transitions() -> None:
    from moto.moto_api import state_manager

    for model_name, transition in MOTO_TRANSITIONS.items():
        state_manager.set_transition(model_name=model_name, transition=transition)


def _start_mock() -> None:
    global _mock
    with _lock:
        if _mock is None:
            # moto's mock also patches env credentials while active; set ours explicitly anyway.
            os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
            from moto import mock_aws

            _mock = mock_aws(config=MOTO_CONFIG)
            _mock.start()
            set_transitions()


class MotoTarget(Target):
    name = "moto"
    persistent_ledger = False

    def __init__(self, settings):
        super().__init__(settings)
        _start_mock()
        self._boto = boto3.session.Session(region_name=self.region, **FAKE_CREDENTIALS)
        self.account = self.client("sts").get_caller_identity()["Account"]

    def _session(self):
        return self._boto

    def subprocess_env(self) -> dict[str, str]:
        global _server, _server_url
        with _lock:
            if _server is None:
                from moto.moto_server.threaded_moto_server import ThreadedMotoServer

                logging.getLogger("werkzeug").setLevel(logging.ERROR)
                port = free_port()
                _server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
                _server.start()
                _server_url = f"http://127.0.0.1:{port}"
        return {
            "AWS_ENDPOINT_URL": _server_url,
            "AWS_ACCESS_KEY_ID": FAKE_CREDENTIALS["aws_access_key_id"],
            "AWS_SECRET_ACCESS_KEY": FAKE_CREDENTIALS["aws_secret_access_key"],
            "AWS_SESSION_TOKEN": FAKE_CREDENTIALS["aws_session_token"],
            "AWS_DEFAULT_REGION": self.region,
            "AWS_EC2_METADATA_DISABLED": "true",
        }
