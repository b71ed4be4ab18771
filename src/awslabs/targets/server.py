"""Any AWS-compatible endpoint: by default the moto server ``awslabs serve`` starts."""
from __future__ import annotations

import socket
from urllib.parse import urlparse

import boto3

from ..errors import TargetUnavailable
from . import FAKE_CREDENTIALS
from .base import Target


def check_reachable(url: str, timeout: float = 2.0) -> None:
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise TargetUnavailable(f"'{url}' is not an endpoint URL: give one like http://127.0.0.1:5000.")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        with socket.create_connection((parsed.hostname, port), timeout=timeout):
            pass
    except OSError:
        raise TargetUnavailable(
            f"cannot reach {url}: start a server with `awslabs serve` or pass --endpoint-url "
            "(or set AWSLABS_ENDPOINT_URL)."
        ) from None


class ServerTarget(Target):
    name = "server"

    def __init__(self, settings):
        super().__init__(settings)
        self.endpoint_url = settings.endpoint_url.rstrip("/")
        check_reachable(self.endpoint_url)
        self._boto = boto3.session.Session(region_name=self.region, **FAKE_CREDENTIALS)
        try:
            self.account = self.client("sts").get_caller_identity()["Account"]
        except Exception:  # an endpoint without STS: keep the placeholder account id
            self.account = "000000000000"

    def _session(self):
        return self._boto

    def subprocess_env(self) -> dict[str, str]:
        return {
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_ACCESS_KEY_ID": FAKE_CREDENTIALS["aws_access_key_id"],
            "AWS_SECRET_ACCESS_KEY": FAKE_CREDENTIALS["aws_secret_access_key"],
            "AWS_SESSION_TOKEN": FAKE_CREDENTIALS["aws_session_token"],
            "AWS_DEFAULT_REGION": self.region,
        }
