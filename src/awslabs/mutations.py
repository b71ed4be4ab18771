"""The mutation pass: break one step at a time and prove that a check of that step notices.

The lab contract says every check fails before its step and passes after it. Failing *before* is
cheap to fake: a check that reads ``ctx.state["x"]`` fails before its step only because the key is
missing, and proves nothing about what the step did on the target. A mutant proves more: the run
goes as far as the step, the step's apply is replaced, and at least one check *of that step* must
go red for a reason other than a missing ``ctx.state`` key.

Two kinds of mutant per step (aws-only steps are never run off AWS, so they have none):

- ``no-op``: the apply does nothing at all (the step was forgotten);
- declared: ``MUTATIONS`` in the lab's ``steps.py`` maps a step id to ``(description, apply)``
  pairs, each a plausible mistake (a parameter changed, an output not written), e.g.::

      MUTATIONS = {"create_bucket": [("versioning left off", _apply_create_bucket_unversioned)]}

  The replacement apply must itself succeed: a mutant whose apply raises is reported ``crashed``
  (it tests the apply, not the checks).

A mutant runs only up to and including its step's checks, then the runner stops and cleans up,
so a mutant costs what a failure injected after that step costs; the test suite asserts that
each mutant's cleanup left nothing (that is the failure-injection test, merged in).

Verdicts: ``killed`` (a check of the step went red on its own observation), ``state-only`` (the
only red checks read a ``ctx.state`` key the broken step never wrote: the check is hollow),
``survived`` (everything stayed green), ``crashed`` (the mutated apply raised), ``not-applicable``
(no check of the step runs on this target), ``broken`` (an earlier, unmutated step failed).
Never prints; ``awslabs selftest --mutations`` renders the results.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from .catalog import Lab
from .lab import Check
from .settings import Settings

NO_OP = "no-op"
COUNTED = ("killed", "state-only", "survived", "crashed")  # verdicts that count towards the kill rate


def _no_op(ctx) -> None:
    """The mutated apply of a no-op mutant: the step was forgotten."""


@dataclass
class Mutant:
    lab: str
    step: str
    mutation: str
    verdict: str = "survived"
    killed_by: list[str] = field(default_factory=list)
    note: str = ""
    leftover: list[str] = field(default_factory=list)  # cleanup could not delete these
    swept: list[str] = field(default_factory=list)  # the tag sweep still found these
    seconds: float = 0.0

    @property
    def killed(self) -> bool:
        return self.verdict == "killed"

    def to_dict(self) -> dict[str, Any]:
        return {
            "lab": self.lab,
            "step": self.step,
            "mutation": self.mutation,
            "verdict": self.verdict,
            "killed_by": self.killed_by,
            "note": self.note,
            "leftover": self.leftover,
            "swept": self.swept,
            "seconds": round(self.seconds, 3),
        }


def declared_mutations(lab: Lab, module=None) -> dict[str, list[tuple[str, Callable]]]:
    """The lab's ``MUTATIONS``, validated: known step ids, (description, callable) pairs."""
    module = module or lab.load_steps()
    declared = getattr(module, "MUTATIONS", {}) or {}
    step_ids = {s.id for s in lab.steps}
    for step_id, mutants in declared.items():
        if step_id not in step_ids:
            raise ValueError(f"{lab.id}: MUTATIONS names unknown step '{step_id}'")
        for item in mutants:
            if not (isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str) and callable(item[1])):
                raise ValueError(f"{lab.id}: MUTATIONS['{step_id}'] entries must be (description, apply) pairs")
    return declared


def mutants_of(lab: Lab, step_id: str | None = None) -> list[tuple[str, str, Callable]]:
    """``(step, description, apply)`` for every mutant of ``lab`` (of one step if ``step_id``):
    the no-op first, then the declared ones. aws-only steps have none (they never run here)."""
    declared = declared_mutations(lab)
    found = []
    for step in lab.steps:
        if step.aws_only or (step_id is not None and step.id != step_id):
            continue
        found.append((step.id, NO_OP, _no_op))
        found += [(step.id, description, fn) for description, fn in declared.get(step.id, [])]
    return found


class _WatchedState(dict):
    """``ctx.state`` while a mutated step's checks run: remembers keys read that were not there."""

    def __init__(self, data: dict, missed: list):
        super().__init__(data)
        self.missed = missed

    def __missing__(self, key):
        self.missed.append(key)
        raise KeyError(key)

    def get(self, key, default=None):
        if key not in self:
            self.missed.append(key)
        return super().get(key, default)

    def __contains__(self, key):
        found = super().__contains__(key)
        if not found:
            self.missed.append(key)
        return found


def _watched_check(original: Callable, step_id: str, tainted: dict[int, list]) -> Callable:
    """Wrap ``check_<step>``: each check it produces is marked tainted when a ``ctx.state`` key
    was missing while it was being produced (then its going red proves nothing)."""
    from .runner import describe_exception

    def check(ctx):
        real = ctx.state
        missed: list = []
        ctx.state = _WatchedState(real, missed)
        checks: list[Check] = []
        try:
            produced = original(ctx)
            if isinstance(produced, Check):
                produced = [produced]
            iterator = iter(produced or [])
            while True:
                before = len(missed)
                try:
                    item = next(iterator)
                except StopIteration:
                    break
                except Exception as err:  # noqa: BLE001 - a check that cannot run has failed
                    item = Check(f"check_{step_id}", False, f"could not check: {describe_exception(err)}")
                    if len(missed) > before:
                        tainted[id(item)] = missed[before:]
                    checks.append(item)
                    break
                if len(missed) > before and isinstance(item, Check):
                    tainted[id(item)] = missed[before:]
                checks.append(item)
        except Exception as err:  # noqa: BLE001 - raised before the first check
            item = Check(f"check_{step_id}", False, f"could not check: {describe_exception(err)}")
            if missed:
                tainted[id(item)] = list(missed)
            checks.append(item)
        finally:
            ctx.state = real
        return checks

    return check


def run_mutant(lab: Lab, step_id: str, mutation: str, apply: Callable, target, settings: Settings,
               sweep: bool = True) -> Mutant:
    """Run ``lab`` up to ``step_id`` with that step's apply replaced by ``apply``; judge the step's
    checks, and report what cleanup (and, with ``sweep``, the tag sweep) left behind."""
    from .runner import run_lab

    started = time.perf_counter()
    module = lab.load_steps()
    tainted: dict[int, list] = {}
    overrides = {
        f"apply_{step_id}": apply,
        f"check_{step_id}": _watched_check(getattr(module, f"check_{step_id}"), step_id, tainted),
    }
    report = run_lab(lab, target, settings=settings, stop_after=step_id, overrides=overrides)
    result = Mutant(lab.id, step_id, mutation)
    result.leftover = [str(e) for e in report.cleanup.leftover]
    if sweep:
        from .cleanup import sweep as sweep_run

        result.swept = [str(e) for e in sweep_run(target, run=report.run_id)]
    step = next(s for s in report.steps if s.id == step_id)
    earlier = [s for s in report.steps[: report.steps.index(step)] if s.status == "failed"]
    if earlier:
        result.verdict = "broken"
        first = earlier[0]
        reason = first.error or "; ".join(f"{c.name}: {c.message}" for c in first.checks if not c.ok)
        result.note = f"earlier step '{first.id}' failed: {reason}"
    elif step.status == "failed" and step.error:
        result.verdict, result.note = "crashed", f"the mutated apply raised: {step.error}"
    else:
        red = [c for c in step.checks if not c.ok and not c.skipped]
        honest = [c for c in red if id(c) not in tainted]
        if honest:
            result.verdict, result.killed_by = "killed", [c.name for c in honest]
        elif red:
            keys = sorted({str(k) for c in red for k in tainted.get(id(c), [])})
            result.verdict, result.killed_by = "state-only", [c.name for c in red]
            result.note = f"red only because ctx.state lacked {', '.join(keys)}"
        elif not [c for c in step.checks if not c.skipped]:
            result.verdict, result.note = "not-applicable", "no check of this step runs on this target"
        else:
            result.verdict, result.note = "survived", "every check of the step stayed green"
    result.seconds = time.perf_counter() - started
    return result


def _reset_emulator(target) -> None:
    """A fresh in-process moto per mutant, as the test suite has per test (names never collide,
    but accounts of many runs make list calls slower)."""
    if target.name == "moto":
        from moto.moto_api._internal.models import moto_api_backend

        moto_api_backend.reset()


def mutation_pass(labs: Iterable[Lab], settings: Settings, target=None,
                  on_result: Callable[[Mutant], None] | None = None, sweep: bool = True) -> list[Mutant]:
    """Every mutant of every lab in ``labs``, in order; ``on_result`` sees each as it finishes."""
    if target is None:
        from .targets import make_target

        target = make_target(settings)
    results = []
    for lab in labs:
        for step_id, mutation, apply in mutants_of(lab):
            _reset_emulator(target)
            result = run_mutant(lab, step_id, mutation, apply, target, settings, sweep=sweep)
            results.append(result)
            if on_result:
                on_result(result)
    return results


def kill_rates(results: Iterable[Mutant]) -> dict[str, dict[str, int]]:
    """Per lab: mutants counted, killed, and of those counted the no-op ones (total and killed)."""
    rates: dict[str, dict[str, int]] = {}
    for r in results:
        row = rates.setdefault(r.lab, {"mutants": 0, "killed": 0, "no_op": 0, "no_op_killed": 0})
        if r.verdict not in COUNTED:
            continue
        row["mutants"] += 1
        row["killed"] += r.killed
        if r.mutation == NO_OP:
            row["no_op"] += 1
            row["no_op_killed"] += r.killed
    return rates
