"""Any AWS-compatible endpoint: by default the moto server ``awslabs serve`` starts."""
from __future__ import annotations

import socket
from urllib.parse import urlparse

import boto3

from ..errors import NotAnAwsEndpoint, TargetUnavailable
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
        self.account = answers_like_aws(self.client("sts"), self.endpoint_url)


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


def answers_like_aws(sts, url: str) -> str:
    """The account id STS GetCallerIdentity returns at ``url``; raise NotAnAwsEndpoint when it does
    not answer like AWS. A port that accepts connections is not enough: any web server does, and
    every create call would then fail (an HTML page is no AWS answer) after the ledger recorded
    it, while cleanup could never clear the record."""
    from botocore.exceptions import BotoCoreError, ClientError, ConnectionError, HTTPClientError

    try:
        account = sts.get_caller_identity().get("Account", "")
    except (ConnectionError, HTTPClientError) as err:  # down or dropping connections: not "not AWS"
        raise TargetUnavailable(f"cannot talk to {url} ({err}): is the server still running?") from None
    except (BotoCoreError, ClientError, ValueError, KeyError) as err:
        text = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise NotAnAwsEndpoint(
            f"{url} answers, but not like AWS (STS GetCallerIdentity failed: {text[:120]}): point "
            "--endpoint-url at a moto server (`awslabs serve`) or another AWS-compatible endpoint."
        ) from None
    if not (isinstance(account, str) and account.isdigit() and len(account) == 12):
        raise NotAnAwsEndpoint(
            f"{url} answers, but not like AWS (STS returned account {account!r}, not a 12-digit id): "
            "point --endpoint-url at a moto server (`awslabs serve`)."
        )
    return account
