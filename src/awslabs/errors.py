"""Exit codes and the exceptions the library raises.

The library raises these; only the CLI turns them into one line on stderr and an exit code
(the httpie ``ExitStatus`` habit). Nothing here imports boto3.
"""
from __future__ import annotations

import enum


class ExitStatus(enum.IntEnum):
    OK = 0  # every check that ran passed
    CHECK_FAILED = 1  # a check failed or a step errored
    USAGE = 2  # bad command line: unknown lab, bad option value, corrupt input
    CLEANUP_INCOMPLETE = 3  # resources may be left behind: see `awslabs cleanup`
    TARGET_UNAVAILABLE = 4  # target unreachable, credentials missing, account refused
    INTERRUPTED = 130  # Ctrl-C (after cleaning up)


class AwslabsError(Exception):
    """Base class: ``str(err)`` is the one line shown to the user, ``exit_status`` the code."""

    exit_status = ExitStatus.USAGE


class UsageError(AwslabsError):
    exit_status = ExitStatus.USAGE


class UnknownLab(UsageError):
    def __init__(self, lab_id: str, suggestions: list[str]):
        self.lab_id = lab_id
        self.suggestions = suggestions
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"unknown lab '{lab_id}'.{hint} `awslabs list` shows every lab.")


class LabDefinitionError(UsageError):
    """A lab's lab.toml / steps.py breaks the lab contract."""


class TargetUnavailable(AwslabsError):
    """Endpoint unreachable, credentials missing, account not allow-listed, prompt refused."""

    exit_status = ExitStatus.TARGET_UNAVAILABLE


class HomeUnusable(UsageError):
    """``AWSLABS_HOME`` or the ledger in it cannot be read or written (a file, a directory where
    the ledger should be, no permission). Diagnosed before any work, so a run never stops midway."""


class NotAnAwsEndpoint(TargetUnavailable):
    """The endpoint answers, but not like AWS (STS GetCallerIdentity fails): nothing could ever
    have been created there, so ledger entries naming it are cleared as gone."""
