"""The reference solution of a lab, recorded: which AWS calls each step makes, as boto3 calls and
as AWS CLI commands, which resources it creates, and where its checks are verified.

Practice mode builds on it: the progressive hints (nudge → the API calls → the exact commands),
`awslabs solution`, the names a task requires, which steps the learner does (`task`) and which
awslabs does for them (`auto`: simulators and local runners), and what `awslabs reset` may delete.

The recording runs the lab's own apply functions on in-process moto with the practice run id, so
the names it shows are exactly the names the task asks for. It is cached under
``AWSLABS_HOME/practice/reference/`` and redone when the lab's files change.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import shlex
import shutil
from pathlib import Path
from typing import Any

from .catalog import Lab
from .settings import Settings

PRACTICE_RUN = "practice"
READ_PREFIXES = ("Get", "List", "Describe", "Head", "Lookup", "Search", "Select", "Receive", "Query", "Scan")


def fingerprint(lab: Lab) -> str:
    digest = hashlib.sha256()
    for name in ("lab.toml", "steps.py"):
        digest.update((lab.path / name).read_bytes())
    return digest.hexdigest()[:16]


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (bytes, bytearray)):
        return {"__bytes__": len(value), "base64": base64.b64encode(bytes(value[:4096])).decode()}
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if hasattr(value, "read"):
        return {"__stream__": True}
    return str(value)


def cli_command(service: str, operation: str, params: dict) -> str:
    """The AWS CLI v2 equivalent of one boto3 call (``--cli-input-json`` carries the parameters
    exactly; a binary body becomes ``--body FILE``)."""
    from botocore import xform_name

    cli_service = {"s3": "s3api"}.get(service, service)
    command = ["aws", cli_service, xform_name(operation, "-")]
    body = None
    plain = {}
    for key, value in params.items():
        if isinstance(value, dict) and ("__bytes__" in value or "__stream__" in value):
            body = key
        else:
            plain[key] = value
    if body:
        command += [f"--{xform_name(body, '-')}", f"<file with the {body.lower()}>"]
    if plain:
        command += ["--cli-input-json", json.dumps(plain, separators=(",", ":"))]
    return " ".join(shlex.quote(part) if not part.startswith("<") else part for part in command)


def python_call(service: str, operation: str, params: dict) -> str:
    from botocore import xform_name

    args = ", ".join(f"{k}={v!r}" if not isinstance(v, dict) or "__bytes__" not in v else f"{k}=b'…'"
                     for k, v in params.items())
    return f"{service}.{xform_name(operation)}({args})"


def _cache_path(settings: Settings, lab: Lab) -> Path:
    return Path(settings.home) / "practice" / "reference" / f"{lab.id}.json"


def load_reference(lab: Lab, settings: Settings, refresh: bool = False) -> dict:
    """The recorded reference solution of ``lab`` (recorded now if missing or stale)."""
    path = _cache_path(settings, lab)
    if path.exists() and not refresh:
        try:
            data = json.loads(path.read_text())
            if data.get("fingerprint") == fingerprint(lab):
                return data
        except (OSError, ValueError):
            pass  # a corrupt cache is simply recorded again
    data = record_reference(lab, settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1))
    return data


def cached_reference(lab: Lab, settings: Settings) -> dict | None:
    """The recorded reference if it is cached and current, else None (never records: cheap, no
    boto3 or moto, for `awslabs show`)."""
    path = _cache_path(settings, lab)
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("fingerprint") == fingerprint(lab) else None


def record_reference(lab: Lab, settings: Settings) -> dict:
    """Run the lab's steps on in-process moto under the practice run id and record every call."""
    import time

    from .cleanup import delete_entries
    from .context import LabContext
    from .lab import SkipStep
    from .ledger import Ledger
    from .runner import describe_exception, run_checks
    from .targets.moto import MotoTarget

    target = MotoTarget(settings.with_target("moto"))  # its own client cache, so the hook sees all
    calls: list[dict] = []

    def on_call(params, model, **_):
        calls.append({"service": model.service_model.service_name, "operation": model.name,
                      "params": _jsonable(params)})

    # Registered on the session before the lab's clients exist: a client copies its session's
    # handlers when it is made.
    target.boto3_session().events.register("provide-client-params.*.*", on_call)
    ledger = Ledger(None)
    module = lab.load_steps()
    # The reference run uses the practice run id (so its names are the learner's), but not the
    # learner's home: files it writes (observations, reports) would otherwise sit in
    # output/<lab>/practice/, where a later `awslabs check` reads the learner's own files.
    reference_home = Path(settings.home) / "practice" / "reference-run"
    shutil.rmtree(reference_home, ignore_errors=True)
    ctx = LabContext(lab, target, ledger, PRACTICE_RUN, settings.ttl_hours, reference_home)
    steps: dict[str, dict] = {}
    try:
        for step in lab.steps:
            before_calls, before_created = len(calls), {e.key for e in ledger.pending()}
            record: dict[str, Any] = {"status": "passed", "labels": []}
            if step.aws_only:
                record.update(status="aws-only", reason=step.aws_only)
            else:
                started = time.perf_counter()
                try:
                    getattr(module, f"apply_{step.id}")(ctx)
                except SkipStep as skip:
                    record.update(status="skipped", reason=str(skip))
                except Exception as err:  # noqa: BLE001 - recorded; later steps may still teach
                    record.update(status="failed", reason=describe_exception(err))
                checks = run_checks(module, step, ctx, on_aws=False)
                record["labels"] = sorted({c.verified_by for c in checks if not c.skipped})
                record["seconds"] = round(time.perf_counter() - started, 3)
            record["calls"] = _dedupe(calls[before_calls:])
            record["created"] = [
                {"kind": e.kind, "id": e.id, "extra": _jsonable(e.extra)}
                for e in ledger.pending() if e.key not in before_created
            ]
            steps[step.id] = record
    finally:
        delete_entries(target, ledger.pending(run=PRACTICE_RUN), ledger)
    return {"lab": lab.id, "fingerprint": fingerprint(lab), "steps": steps}


def _dedupe(calls: list[dict]) -> list[dict]:
    """Drop repeats of the same read (waiters poll Describe* many times)."""
    out: list[dict] = []
    for call in calls:
        if out and call == out[-1] and call["operation"].startswith(READ_PREFIXES):
            continue
        out.append(call)
    return out


def role_of(step, recorded: dict) -> str:
    """setup / task / auto / aws-only: lab.toml decides; otherwise a step whose checks read the
    emulator is the learner's task, and one verified only by simulators or local runners is done
    by awslabs at `check` (it stands in for what the service would do)."""
    if step.aws_only or recorded.get("status") == "aws-only":
        return "aws-only"
    if step.practice:
        return step.practice
    if recorded.get("status") == "skipped":  # a local runner this machine lacks: awslabs tries it
        return "auto"
    labels = set(recorded.get("labels", []))
    return "task" if "emulated" in labels or not labels else "auto"


def _without_awslabs_tags(value: Any) -> Any:
    """awslabs' own bookkeeping tags are not part of the task: leave them out of hints."""
    if isinstance(value, dict):
        return {k: _without_awslabs_tags(v) for k, v in value.items() if not str(k).startswith("awslabs:")}
    if isinstance(value, list):
        return [_without_awslabs_tags(v) for v in value
                if not (isinstance(v, dict) and str(v.get("Key", v.get("key", ""))).startswith("awslabs:"))]
    return value


def _empty(value: Any) -> bool:
    return value in ({}, [], None) or (isinstance(value, dict) and all(_empty(v) for v in value.values()))


def writes(recorded: dict) -> list[dict]:
    """The calls that change something, without awslabs' own tagging (a tagging call that only
    carried awslabs tags disappears)."""
    found = []
    for call in recorded.get("calls", []):
        if call["operation"].startswith(READ_PREFIXES):
            continue
        params = _without_awslabs_tags(call["params"])
        params = {k: v for k, v in params.items() if not (k.lower() in ("tags", "tagging", "tagspecifications") and _empty(v))}
        if "Tag" in call["operation"] and set(params) <= {"Bucket", "ResourceArn", "ResourceARN", "Resources",
                                                           "StreamName", "QueueUrl", "ResourceId", "ResourceName"}:
            continue  # the call only applied awslabs' tags
        found.append({**call, "params": params})
    return found
