"""``awslabs serve``: a moto server for hands-on practice and for the ``server`` target.

Step Functions executions are switched on (moto's ``execute_state_machine``) and the werkzeug
request log is silenced. Learners point the AWS CLI (``--endpoint-url``) or boto3
(``AWS_ENDPOINT_URL``) at it.

Keeping state across restarts (``--state FILE``): the server replays a request log and appends
to it while it serves; the log, what it records and how it is replayed are in
``awslabs.request_log`` (its docstring has the format, the measured pitfalls of moto's own
recorder and the limitations).
"""
from __future__ import annotations

import logging
import os
import socket
import threading

from .errors import TargetUnavailable, UsageError
from .request_log import STATE_FORMAT, RestoreReport, StateFileError, StateLog  # noqa: F401 - re-exported


def _make_server_class():
    from moto.moto_server.threaded_moto_server import ThreadedMotoServer
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import make_server

    class StatefulMotoServer(ThreadedMotoServer):
        """ThreadedMotoServer whose requests go through a :class:`StateLog` recorder."""

        def __init__(self, ip_address: str, port: int, state: StateLog):
            super().__init__(ip_address=ip_address, port=port, verbose=False)
            self.state = state
            self.app = DomainDispatcherApplication(create_backend_app)

        def _server_entry(self) -> None:
            self._server = make_server(
                self._ip_address, self._port, self.state.middleware(self.app), True, request_handler=MotoRequestHandler
            )
            self._server_ready_event.set()
            # Bound and listening: clients' connections wait in the backlog until the replay
            # is done, so nobody sees a half-restored emulator (and replayed Step Functions
            # executions, which call back into the server, are answered right after).
            self._go.wait()
            self._server.serve_forever()

        def start(self) -> None:
            self._go = threading.Event()
            super().start()

        def open_for_requests(self) -> None:
            self._go.set()

        def stop(self) -> None:
            self.open_for_requests()  # shutdown() waits for serve_forever to be running
            try:
                super().stop()
                if self._server is not None:
                    self._server.server_close()  # free the port for a restart in this process
            finally:
                self.state.close()

    return StatefulMotoServer


def start_server(host: str = "127.0.0.1", port: int = 5000, state_file: str | os.PathLike | None = None, reset: bool = False):
    """Start a threaded moto server and return it (call ``.stop()`` to end it).

    With ``state_file`` the server replays that request log first and appends to it while it
    serves (see the module docstring); ``server.state.report`` says what was restored.
    ``reset`` empties the state file first (a copy is kept as ``FILE.bak``). Raises
    :class:`StateFileError` (exit 2) for a corrupt, unreadable or busy state file and
    :class:`TargetUnavailable` (exit 4) when the port is taken.
    """
    from moto.core import config as moto_config
    from moto.moto_server.threaded_moto_server import ThreadedMotoServer

    from .targets.moto import MOTO_CONFIG, set_transitions

    for service, values in MOTO_CONFIG.items():
        moto_config.default_user_config.setdefault(service, {}).update(values)
    # The learner's emulator holds AWS managed policies (moto's copy of them), so that attaching
    # AmazonSageMakerFullAccess & co. works as on AWS and `awslabs check` evaluates what they
    # allow. Not in the in-process target the labs run on: the labs attach none, and loading them
    # costs each fresh account about a second.
    moto_config.default_user_config.setdefault("iam", {})["load_aws_managed_policies"] = True
    set_transitions()
    if not 0 <= int(port) <= 65535:
        raise UsageError(f"--port must be between 0 and 65535, not {port}.")
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    # ThreadedMotoServer reports a bind failure only inside its thread: try the port first.
    with socket.socket() as probe:
        # SO_REUSEADDR as the server itself uses: a port in TIME_WAIT after a restart is free,
        # a port another server listens on is still refused.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            raise TargetUnavailable(f"cannot listen on {host}:{port}: the port is in use; try --port.") from None
        # Port 0: the system picks a free port now, so MOTO_PORT (below) and what `serve` prints
        # name the real one.
        port = probe.getsockname()[1]
    # Step Functions executions call Glue/SQS/... at http://localhost:$MOTO_PORT (moto's
    # settings, default 5000): point them at this server, whatever its port.
    os.environ["MOTO_PORT"] = str(port)
    if state_file is None:
        if reset:
            from moto.moto_api._internal.models import moto_api_backend

            moto_api_backend.reset()
        server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
        server.start()
        return server
    state = StateLog(state_file, reset=reset)  # validates before anything starts
    from moto.moto_api._internal.models import moto_api_backend

    # moto's backends are process-global (shared with any in-process mock_aws): start empty.
    moto_api_backend.reset()
    server = _make_server_class()(host, port, state)
    try:
        server.start()
        state.replay(server.app)
        server.open_for_requests()
    except BaseException:
        server.stop()
        raise
    return server

