"""Settings: command-line flags > environment > ``.env`` in the working directory > defaults.

Every key is documented in ``.env.example``. Reading settings never imports boto3.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from .errors import UsageError

TARGETS = ("moto", "server", "aws")
DEFAULT_ENDPOINT = "http://127.0.0.1:5000"  # what `awslabs serve` listens on by default
DEFAULT_REGION = "us-east-1"


def _dotenv() -> dict[str, str]:
    env_file = Path.cwd() / ".env"
    if not env_file.is_file():
        return {}
    from dotenv import dotenv_values  # small, pure Python; only loaded when a .env exists

    return {k: v for k, v in dotenv_values(env_file).items() if v is not None}


def _lookup(key: str, dotenv: dict[str, str]) -> str | None:
    value = os.environ.get(key)
    if value is None:
        value = dotenv.get(key)
    return value or None


def setting(key: str) -> str | None:
    """One setting that only a runner needs, by the same precedence (environment > .env)."""
    return _lookup(key, _dotenv())


@dataclass(frozen=True)
class Settings:
    target: str = "moto"
    endpoint_url: str = DEFAULT_ENDPOINT
    region: str = DEFAULT_REGION
    allowed_accounts: tuple[str, ...] = ()
    home: Path = field(default_factory=lambda: Path.home() / ".awslabs")
    ttl_hours: float = 4.0
    # Test hook: point the *aws* target at an AWS stand-in (a moto server) so the real-account
    # rails can be tested without a real account. Never set this for real use.
    aws_endpoint_url: str | None = None
    # `awslabs serve` keeps its state in this file across restarts (None: in memory only)
    state_file: str | None = None

    @classmethod
    def load(cls, **flags) -> "Settings":
        """Build settings; ``flags`` are command-line values (None means "not given")."""
        dotenv = _dotenv()
        target = flags.get("target") or _lookup("AWSLABS_TARGET", dotenv) or "moto"
        if target not in TARGETS:
            raise UsageError(f"unknown target '{target}': choose one of {', '.join(TARGETS)}.")
        region = (
            flags.get("region")
            or _lookup("AWSLABS_REGION", dotenv)
            or (_lookup("AWS_DEFAULT_REGION", dotenv) if target == "aws" else None)
            or (_lookup("AWS_REGION", dotenv) if target == "aws" else None)
            or DEFAULT_REGION
        )
        allowed = _lookup("AWSLABS_ALLOWED_ACCOUNTS", dotenv) or ""
        ttl = _lookup("AWSLABS_TTL_HOURS", dotenv) or "4"
        try:
            ttl_hours = float(ttl)
        except ValueError:
            raise UsageError(f"AWSLABS_TTL_HOURS must be a number of hours, not '{ttl}'.") from None
        home = _lookup("AWSLABS_HOME", dotenv)
        return cls(
            target=target,
            endpoint_url=flags.get("endpoint_url")
            or _lookup("AWSLABS_ENDPOINT_URL", dotenv)
            or DEFAULT_ENDPOINT,
            region=region,
            allowed_accounts=tuple(a.strip() for a in allowed.replace(";", ",").split(",") if a.strip()),
            home=Path(home).expanduser() if home else Path.home() / ".awslabs",
            ttl_hours=ttl_hours,
            aws_endpoint_url=_lookup("AWSLABS_AWS_ENDPOINT_URL", dotenv),
            state_file=_lookup("AWSLABS_STATE_FILE", dotenv),
        )

    def with_target(self, target: str) -> "Settings":
        return replace(self, target=target)
