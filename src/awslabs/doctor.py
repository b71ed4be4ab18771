"""``awslabs doctor``: what target would be used, with which credentials, account and region, and
exactly what to fix when it cannot be used."""
from __future__ import annotations

import platform
from importlib import metadata

from .errors import AwslabsError
from .ledger import Ledger
from .settings import Settings, check_home


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def diagnose(settings: Settings) -> tuple[list[dict], bool]:
    """Return findings (what, value, status ok|warn|error|info, fix) and whether the target works."""
    from .targets import make_target, real_credentials_source
    from .targets.server import check_reachable

    findings: list[dict] = []

    def add(what, value, status="info", fix=""):
        findings.append({"what": what, "value": value, "status": status, "fix": fix})

    add("target", settings.target, "ok")
    add("region", settings.region, "ok")
    creds = real_credentials_source()
    if settings.target == "aws":
        add("credentials", creds or "boto3 default chain", "ok" if creds else "warn",
            "" if creds else "configure a sandbox profile (aws configure / AWS_PROFILE) if the next line fails")
    else:
        add("credentials", "fake (set by awslabs; your own are never read)", "ok")
        if creds:
            add("real credentials present", creds, "info", "ignored on this target; use --target aws to use them")
    allowed = ", ".join(settings.allowed_accounts) or "(empty)"
    add("AWSLABS_ALLOWED_ACCOUNTS", allowed, "ok" if settings.allowed_accounts or settings.target != "aws" else "error",
        "" if settings.allowed_accounts or settings.target != "aws" else "add your sandbox account id to AWSLABS_ALLOWED_ACCOUNTS")
    try:
        check_reachable(settings.endpoint_url, timeout=1.0)
        add("server endpoint", f"{settings.endpoint_url} reachable", "ok")
    except AwslabsError:
        add("server endpoint", f"{settings.endpoint_url} not reachable",
            "error" if settings.target == "server" else "info", "start one with `awslabs serve`")
    ok = True
    try:
        target = make_target(settings)
        add("account", target.account, "ok")
    except AwslabsError as err:
        ok = False
        add("account", "unknown", "error", str(err))
    try:
        check_home(settings.home)
    except AwslabsError as err:  # every other command refuses to start: say why, and how to fix it
        add("AWSLABS_HOME", str(settings.home), "error", str(err))
    else:
        add("AWSLABS_HOME", str(settings.home), "ok")
        ledger = Ledger.for_home(settings.home)
        pending = ledger.pending()
        add("ledger", f"{ledger.path} · {len(pending)} resource(s) pending",
            "warn" if pending else "ok", "run `awslabs cleanup --all`" if pending else "")
        for problem in ledger.problems:
            add("ledger line", problem, "warn", "the line is skipped; fix or delete it")
    add("versions", f"python {platform.python_version()} · awslabs {_version('awslabs')} · "
        f"boto3 {_version('boto3')} · moto {_version('moto')}", "info")
    return findings, ok
