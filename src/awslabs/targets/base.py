"""What every target provides: cached boto3 clients, the account and region, and a description."""
from __future__ import annotations

import threading
from typing import Any

import boto3
from botocore.config import Config

# Fail fast on an unreachable endpoint; a lab's own waits are explicit. Every target names its
# endpoint itself, so AWS_ENDPOINT_URL (which practice tells learners to export) is ignored: in-process
# moto or real AWS must never be redirected to a learner's server.
CLIENT_CONFIG = Config(
    connect_timeout=5,
    read_timeout=60,
    retries={"max_attempts": 3, "mode": "standard"},
    ignore_configured_endpoint_urls=True,
)


class Target:
    name = "base"
    persistent_ledger = True  # moto in-process keeps its ledger in memory
    endpoint_url: str | None = None

    def __init__(self, settings):
        self.settings = settings
        self.region = settings.region
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()
        self.account = "000000000000"

    def _session(self) -> boto3.session.Session:
        raise NotImplementedError

    def boto3_session(self) -> boto3.session.Session:
        """The boto3 session behind this target's clients (for libraries such as the SageMaker
        SDK that need a session, not a client)."""
        return self._session()

    def client(self, service: str, region: str | None = None, endpoint_url: str | None = None):
        """One client per (service, region, endpoint) for the life of the target: clients are not
        cheap. ``endpoint_url`` is for per-resource data endpoints (Kinesis Video media APIs); a
        target with its own endpoint (a server, the AWS stand-in) keeps that one."""
        endpoint = self.endpoint_url or endpoint_url
        key = (service, region or self.region, endpoint)
        with self._lock:
            if key not in self._clients:
                self._clients[key] = self._session().client(
                    service, region_name=key[1], endpoint_url=endpoint, config=CLIENT_CONFIG
                )
            return self._clients[key]

    def subprocess_env(self) -> dict[str, str]:
        """Environment for a child process (a job script) so that its boto3 reaches this target."""
        raise NotImplementedError

    def describe(self) -> dict[str, Any]:
        return {"target": self.name, "endpoint": self.endpoint_url, "region": self.region, "account": self.account}

    def close(self) -> None:
        pass
