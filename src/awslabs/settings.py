"""Settings: command-line flags > environment > ``.env`` in the working directory > defaults.

Every key is documented in ``.env.example``. Reading settings never imports boto3.
"""
from __future__ import annotations

import difflib
import json
import math
import os
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from .errors import HomeUnusable, UsageError

TARGETS = ("moto", "server", "aws")
DEFAULT_ENDPOINT = "http://127.0.0.1:5000"  # what `awslabs serve` listens on by default
DEFAULT_REGION = "us-east-1"
MAX_TTL_HOURS = 24 * 365  # a year: longer is a typo, and past ~8e7 hours the expiry date overflows


@lru_cache(maxsize=1)
def _partitions() -> list[dict]:
    """botocore's partition data (regions and each partition's region pattern), read as a file so
    that reading settings never imports botocore (``awslabs list`` stays fast)."""
    import importlib.util

    spec = importlib.util.find_spec("botocore")
    if spec is None or not spec.submodule_search_locations:
        return []
    path = Path(list(spec.submodule_search_locations)[0]) / "data" / "partitions.json"
    try:
        return json.loads(path.read_text()).get("partitions", [])
    except (OSError, ValueError):
        return []


def check_region(region: str, target: str = "moto") -> str:
    """Return ``region`` if botocore knows it; raise UsageError naming the closest ones otherwise.

    Checked before any work: an unknown region fails deep inside moto (a raw ``KeyError``) or as
    an HTML 500 from a server, *after* the ledger has recorded the first resource. On the ``aws``
    target a name that fits a partition's pattern is accepted too (a region newer than botocore)."""
    partitions = _partitions()
    known = sorted({r for p in partitions for r in p.get("regions", {}) if re.fullmatch(r"[a-z]+(-[a-z]+)+-\d+", r)})
    if not known or region in known:
        return region
    if target == "aws" and any(re.match(p.get("regionRegex", "^$"), region) for p in partitions):
        return region
    spelled = re.sub(r"[\s_]+", "-", region.strip().lower())
    close = [spelled] if spelled in known else difflib.get_close_matches(spelled, known, n=3, cutoff=0.6)
    hint = f" Did you mean: {', '.join(close)}?" if close else " Use an AWS region id such as us-east-1."
    raise UsageError(f"unknown region '{region}' (--region / AWSLABS_REGION).{hint}")


def check_ttl(text: str) -> float:
    try:
        hours = float(text)
    except ValueError:
        hours = math.nan
    if not math.isfinite(hours) or not 0 < hours <= MAX_TTL_HOURS:
        raise UsageError(
            f"AWSLABS_TTL_HOURS must be a number of hours above 0 and at most {MAX_TTL_HOURS}, not '{text}' "
            "(it sets the awslabs:expires-at tag; the default is 4)."
        )
    return hours


def check_home(home: Path) -> None:
    """Raise :class:`HomeUnusable` unless ``home`` is (or can become) a folder awslabs can read and
    write, with a usable ledger in it. Creates nothing: every command calls this up front, so a
    run never fails midway, and ``cleanup``/``progress`` never report "nothing" from a home they
    could not read."""
    home = Path(home)
    fix = "set AWSLABS_HOME to a folder you can write to (default ~/.awslabs)."
    if home.exists() and not home.is_dir():
        raise HomeUnusable(f"AWSLABS_HOME {home} is not a folder: {fix}")
    existing = home
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if existing.exists() and not existing.is_dir():
        raise HomeUnusable(f"AWSLABS_HOME {home} cannot be created ({existing} is a file): {fix}")
    if not os.access(existing, os.R_OK | os.W_OK | os.X_OK):
        raise HomeUnusable(f"AWSLABS_HOME {home} is not readable and writable by you ({existing}): {fix}")
    from .ledger import Ledger

    Ledger.for_home(home).check()


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
        check_region(region, target)
        ttl_hours = check_ttl(_lookup("AWSLABS_TTL_HOURS", dotenv) or "4")
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
