"""Where a lab's boto3 calls go: ``moto`` (in-process, default), ``server`` (any AWS-compatible
endpoint, e.g. ``awslabs serve``) or ``aws`` (a real, allow-listed sandbox account).

One switch between fake and real (moto's ``aws_verified`` habit): lab code is identical on every
target; it asks the context for clients and the target decides where they point.
"""
from __future__ import annotations

import os
from pathlib import Path

from ..settings import Settings

FAKE_CREDENTIALS = {
    "aws_access_key_id": "testing",
    "aws_secret_access_key": "testing",
    "aws_session_token": "testing",
}


def make_target(settings: Settings):
    """Build (and connect) the target named in ``settings``; raises TargetUnavailable."""
    if settings.target == "moto":
        from .moto import MotoTarget

        return MotoTarget(settings)
    if settings.target == "server":
        from .server import ServerTarget

        return ServerTarget(settings)
    from .aws import AwsTarget

    return AwsTarget(settings)


def real_credentials_source() -> str | None:
    """Where real AWS credentials would come from, if any (without importing boto3)."""
    if os.environ.get("AWS_ACCESS_KEY_ID") and os.environ.get("AWS_ACCESS_KEY_ID") != "testing":
        return "environment (AWS_ACCESS_KEY_ID)"
    if os.environ.get("AWS_PROFILE"):
        return f"profile {os.environ['AWS_PROFILE']} (AWS_PROFILE)"
    credentials = Path(os.environ.get("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials")).expanduser()
    if credentials.is_file():
        return f"shared credentials file {credentials}"
    return None
