"""Run a lab's steps and checks on a target and collect a RunReport. Never prints.

For each step: apply it, then run its checks. With ``prove=True`` the checks also run *before*
the step, and the report records whether they failed then (a check that passes before its step
has run proves nothing). Whatever happens — a failed step, an injected failure, Ctrl-C — the run's
resources are deleted in ``finally`` unless ``keep=True``.
"""
from __future__ import annotations

import secrets
import shutil
import signal
import threading
import time
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable

from .catalog import Catalog, Lab
from .cleanup import CleanupResult, delete_entries
from .context import LabContext
from .errors import UsageError
from .lab import Check, SkipStep, StepFailed
from .ledger import Ledger
from .settings import Settings


class InjectedFailure(Exception):
    """Raised by the runner after step ``fail_at`` (tests: a crash mid-lab still cleans up)."""


class Interrupted(Exception):
    """Ctrl-C during a run; ``report`` holds what ran and what cleanup did."""

    def __init__(self, report: "RunReport"):
        super().__init__("interrupted")
        self.report = report


@dataclass
class StepReport:
    id: str
    title: str
    status: str = "not-run"  # passed | failed | skipped | not-run
    seconds: float = 0.0
    error: str | None = None
    checks: list[Check] = field(default_factory=list)
    failed_before: bool | None = None  # prove mode: did every check fail before the step ran?
    checks_before: list[Check] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data = {
            "id": self.id,
            "title": self.title,
            "status": self.status,
            "seconds": round(self.seconds, 3),
            "error": self.error,
            "checks": [c.to_dict() for c in self.checks],
        }
        if self.failed_before is not None:
            data["failed_before"] = self.failed_before
        return data


@dataclass
class RunReport:
    lab: str
    title: str
    target: str
    account: str
    region: str
    run_id: str
    endpoint: str | None = None
    steps: list[StepReport] = field(default_factory=list)
    cleanup: CleanupResult = field(default_factory=CleanupResult)
    seconds: float = 0.0
    interrupted: bool = False

    @property
    def passed(self) -> bool:
        return not self.interrupted and all(s.status in ("passed", "skipped") for s in self.steps)

    def to_dict(self) -> dict[str, Any]:
        return {
            "lab": self.lab,
            "title": self.title,
            "target": self.target,
            "endpoint": self.endpoint,
            "account": self.account,
            "region": self.region,
            "run_id": self.run_id,
            "seconds": round(self.seconds, 3),
            "passed": self.passed,
            "interrupted": self.interrupted,
            "steps": [s.to_dict() for s in self.steps],
            "cleanup": self.cleanup.to_dict(),
        }


def describe_exception(err: BaseException) -> str:
    """One line a learner can act on; moto's raw Python errors say they came from the emulator."""
    response = getattr(err, "response", None)
    if isinstance(response, dict) and "Error" in response:
        error = response["Error"]
        return f"{error.get('Code')}: {error.get('Message')}"
    if isinstance(err, (StepFailed, SkipStep, InjectedFailure)):
        return str(err)
    frames = traceback.extract_tb(err.__traceback__)
    where = next((f"{f.filename.split('site-packages/')[-1]}:{f.lineno}" for f in reversed(frames)), "?")
    origin = "the emulator (moto)" if "moto/" in where else where
    text = str(err).splitlines()[0] if str(err) else ""
    return f"{type(err).__name__} raised in {origin}: {text}".rstrip(": ")


def run_checks(module, step, ctx, on_aws: bool) -> list[Check]:
    """Run ``check_<step>`` and return its checks; a check that raises or yields nothing has failed
    (a ``Check`` saying why). The checks a generator yielded before it raised are kept, so the
    learner still sees what passed and what else failed. ``emulated`` becomes ``aws`` on the aws
    target. Practice mode and reference recording use this too, so a check is judged the same
    way everywhere."""
    checks: list = []
    try:
        produced = getattr(module, f"check_{step.id}")(ctx)
        if isinstance(produced, Check):
            checks.append(produced)
        else:
            for check in produced or []:
                checks.append(check)
    except Exception as err:  # noqa: BLE001 - a check that cannot run has failed
        checks.append(Check(f"check_{step.id}", False, f"could not check: {describe_exception(err)}"))
    if not checks:
        return [Check(f"check_{step.id}", False, "the check produced no result (a lab defect)")]
    for check in checks:
        if not isinstance(check, Check):
            return [Check(f"check_{step.id}", False, f"check returned {type(check).__name__}, not Check")]
        if on_aws and check.verified_by == "emulated":
            check.verified_by = "aws"
    return checks


class _Overlay:
    """The lab's steps module with some functions replaced (the mutation pass's mutants)."""

    def __init__(self, module, overrides: dict[str, Callable]):
        self._module, self._overrides = module, overrides

    def __getattr__(self, name):
        return self._overrides[name] if name in self._overrides else getattr(self._module, name)


def _cleanup_shielded(ctx: LabContext) -> CleanupResult:
    """Delete the run's resources; a second Ctrl-C during cleanup is ignored, not obeyed."""
    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if in_main else None
    try:
        return delete_entries(ctx.target, ctx.ledger.pending(run=ctx.run_id), ctx.ledger)
    finally:
        if in_main:
            signal.signal(signal.SIGINT, previous)


def run_lab(
    lab: Lab | str,
    target=None,
    *,
    settings: Settings | None = None,
    catalog: Catalog | None = None,
    keep: bool = False,
    prove: bool = False,
    fail_at: str | None = None,
    ledger: Ledger | None = None,
    on_step: Callable[[StepReport], None] | None = None,
    stop_after: str | None = None,
    overrides: dict[str, Callable] | None = None,
) -> RunReport:
    """Run one lab and return its report. ``target`` defaults to the one ``settings`` names.

    ``stop_after``: end the run (and clean up) once that step's checks ran; ``overrides``: replace
    the module's ``apply_<step>`` / ``check_<step>`` functions by name. The mutation pass
    (``awslabs.mutations``) uses both: a mutant runs only as far as the step it broke."""
    settings = settings or Settings.load()
    if isinstance(lab, str):
        lab = (catalog or Catalog()).get(lab)
    for step_id in (fail_at, stop_after):
        if step_id is not None and step_id not in [s.id for s in lab.steps]:
            raise UsageError(f"lab '{lab.id}' has no step '{step_id}'")
    if target is None:
        from .targets import make_target

        target = make_target(settings)
    if ledger is None:
        ledger = Ledger.for_home(settings.home) if target.persistent_ledger else Ledger(None)
    module = lab.load_steps()
    if overrides:
        module = _Overlay(module, overrides)
    run_id = secrets.token_hex(3)
    ctx = LabContext(lab, target, ledger, run_id, settings.ttl_hours, settings.home)
    on_aws = target.name == "aws"
    report = RunReport(lab.id, lab.title, target.name, target.account, target.region, run_id, target.endpoint_url)
    report.steps = [StepReport(s.id, s.title) for s in lab.steps]
    started = time.perf_counter()
    try:
        for step, step_report in zip(lab.steps, report.steps):
            step_started = time.perf_counter()
            if step.aws_only and not on_aws:
                step_report.status = "skipped"
                step_report.error = step.aws_only
                step_report.checks = [Check(step.title, False, step.aws_only, "aws-only", skipped=True)]
                if on_step:
                    on_step(step_report)
                continue
            if prove:
                step_report.checks_before = run_checks(module, step, ctx, on_aws)
                ran = [c for c in step_report.checks_before if not c.skipped]
                step_report.failed_before = not any(c.ok for c in ran)
            try:
                getattr(module, f"apply_{step.id}")(ctx)
                if fail_at == step.id:
                    raise InjectedFailure(f"failure injected after step '{step.id}'")
            except SkipStep as skip:
                step_report.status, step_report.error = "skipped", str(skip)
                step_report.checks = [c for c in run_checks(module, step, ctx, on_aws) if c.skipped]
            except Exception as err:  # noqa: BLE001 - a step error fails the step, never a traceback
                step_report.status, step_report.error = "failed", describe_exception(err)
                step_report.seconds = time.perf_counter() - step_started
                if on_step:
                    on_step(step_report)
                break
            else:
                step_report.checks = run_checks(module, step, ctx, on_aws)
                failed = [c for c in step_report.checks if not c.ok and not c.skipped]
                step_report.status = "failed" if failed else "passed"
            step_report.seconds = time.perf_counter() - step_started
            if on_step:
                on_step(step_report)
            if step.id == stop_after:
                break
    except KeyboardInterrupt:
        report.interrupted = True
    finally:
        if keep:
            report.cleanup = CleanupResult(kept=True)
        else:
            report.cleanup = _cleanup_shielded(ctx)
            if ctx._workdir is not None:
                shutil.rmtree(ctx._workdir, ignore_errors=True)
        report.seconds = time.perf_counter() - started
    if report.interrupted:
        raise Interrupted(report)
    return report
