"""What step code uses: ``Check`` results and the ``SkipStep`` signal.

A lab's ``steps.py`` defines ``apply_<step>(ctx)`` and ``check_<step>(ctx)`` for every step in its
``lab.toml``. ``check_<step>`` returns or yields ``Check`` objects; each states one observable fact
and says where it was verified (``verified_by``):

- ``emulated``  read back from the emulator's control plane (moto / a moto server);
- ``simulated`` computed by an awslabs simulator that follows AWS's documented rules;
- ``local``     produced by an awslabs local runner (a real process, DuckDB, scikit-learn, ...);
- ``aws-only``  needs the real service; skipped with a reason on moto and the server;
- ``aws``       read back from real AWS (the runner relabels ``emulated`` on the ``aws`` target).

This module never imports boto3, so catalogue code can import it freely.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

VERIFIED_BY = ("emulated", "simulated", "local", "aws-only", "aws")


@dataclass
class Check:
    name: str
    ok: bool
    message: str = ""
    verified_by: str = "emulated"
    skipped: bool = False  # True: could not run on this target; never fails a run

    def __post_init__(self) -> None:
        if self.verified_by not in VERIFIED_BY:
            raise ValueError(f"verified_by must be one of {VERIFIED_BY}, not {self.verified_by!r}")
        self.ok = bool(self.ok)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def expect(name: str, ok: Any, message: str = "", verified_by: str = "emulated") -> Check:
    """A check that passes when ``ok`` is truthy; ``message`` says what was seen."""
    return Check(name, bool(ok), message, verified_by)


def equal(name: str, actual: Any, expected: Any, verified_by: str = "emulated") -> Check:
    """A check that passes when ``actual == expected``; the message shows both on failure."""
    ok = actual == expected
    message = f"{actual!r}" if ok else f"expected {expected!r}, got {actual!r}"
    return Check(name, ok, message, verified_by)


def aws_only(name: str, reason: str) -> Check:
    """A check that needs the real service: reported as skipped with ``reason``."""
    return Check(name, False, reason, "aws-only", skipped=True)


class SkipStep(Exception):
    """Raised by an apply function when the step cannot run on this target (with the reason)."""


class StepFailed(Exception):
    """Raised by step code for an expected, explained failure (shown without a traceback)."""
