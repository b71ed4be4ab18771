"""The ledger: every resource is recorded *before* its create call, and marked when deleted.

A JSON-lines file under ``AWSLABS_HOME`` (default ``~/.awslabs/ledger.jsonl``) for the ``server``
and ``aws`` targets, so a killed process leaves a record that ``awslabs cleanup`` can act on. The
in-process ``moto`` target keeps its ledger in memory: its resources die with the process.

The file survives anything written into it:

- **Writes are atomic per record.** Each record is one ``os.write`` of one whole line on an
  ``O_APPEND`` descriptor (the kernel places it at the end as a unit, so two processes appending
  at once never interleave), under an advisory lock where the platform has one. When the file
  does not end in a newline (a crash mid-write left a torn line), the write starts with one, so
  the torn line can never swallow the next record.
- **Reads never crash.** A line that is not JSON, not an object, or an object of the wrong shape
  (a missing or non-string field, a non-numeric ``ts``, an unknown target) is reported in
  ``Ledger.problems`` and skipped, everywhere the ledger is read (runs, cleanup, sweep, doctor).
  An unterminated last line is read only when it is a whole, valid record (a truncated JSON
  object never parses); otherwise it is reported as torn and skipped.
- **An unusable file is a usage error** (:class:`~awslabs.errors.HomeUnusable`, exit 2): the
  ledger path being a directory, or a home without permission, is said in one line.
"""
from __future__ import annotations

import json
import math
import os
import socket
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .errors import HomeUnusable

try:  # POSIX: serialise the "does the file end in a newline?" check with the write
    import fcntl
except ImportError:  # pragma: no cover - Windows: O_APPEND alone keeps records whole
    fcntl = None

TARGETS = ("moto", "server", "aws")
_STR_FIELDS = ("run", "lab", "target", "region", "kind", "id")
_OPTIONAL_STR_FIELDS = ("endpoint", "account", "host")


@dataclass
class Entry:
    run: str
    lab: str
    target: str
    region: str
    kind: str  # e.g. "s3:bucket"; see awslabs.resources
    id: str  # what the deleter needs (bucket name, queue URL, ARN, ...)
    endpoint: str | None = None
    account: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    ts: float = field(default_factory=time.time)
    # The process that recorded the create, so `awslabs cleanup` can leave a run still in flight
    # alone (its own `finally` deletes what it made). None: not known (older records, swept ones).
    pid: int | None = field(default_factory=os.getpid)
    host: str | None = field(default_factory=socket.gethostname)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.run, self.kind, self.id)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _shape_problem(record: Any) -> str | None:
    """Why ``record`` is not a ledger record we can act on (None when it is one)."""
    if not isinstance(record, dict):
        return f"a JSON {type(record).__name__}, not an object"
    op = record.get("op")
    if op not in ("create", "deleted"):
        return "missing op (create/deleted)"
    wanted = _STR_FIELDS if op == "create" else ("run", "kind", "id")
    for key in wanted:
        if not isinstance(record.get(key), str) or not record[key]:
            return f"missing or non-string '{key}'"
    if not _is_number(record.get("ts")):
        return f"non-numeric ts {record.get('ts')!r}"
    if op == "deleted":
        return None
    if record["target"] not in TARGETS:
        return f"unknown target '{record['target']}' (not contacted)"
    for key in _OPTIONAL_STR_FIELDS:
        if record.get(key) is not None and not isinstance(record[key], str):
            return f"non-string '{key}'"
    if not isinstance(record.get("extra", {}), dict):
        return "'extra' is not an object"
    pid = record.get("pid")
    if pid is not None and (not isinstance(pid, int) or isinstance(pid, bool)):
        return "non-integer 'pid'"
    return None


class Ledger:
    def __init__(self, path: Path | None):
        self.path = path
        self._memory: list[dict] = []
        self.problems: list[str] = []

    @classmethod
    def for_home(cls, home: Path) -> "Ledger":
        return cls(Path(home) / "ledger.jsonl")

    def _unusable(self, err: OSError, doing: str) -> HomeUnusable:
        reason = err.strerror or type(err).__name__
        return HomeUnusable(
            f"cannot {doing} the ledger {self.path} ({reason}): point AWSLABS_HOME at a folder you can "
            "write to, or move the thing in the way."
        )

    def check(self) -> None:
        """Raise :class:`HomeUnusable` unless the ledger can be read and appended to (creating
        nothing): called before any work so a run never fails midway on its own bookkeeping."""
        if self.path is None:
            return
        if self.path.is_dir():
            raise self._unusable(IsADirectoryError(21, "it is a directory"), "use")
        if self.path.exists():
            if not os.access(self.path, os.R_OK | os.W_OK):
                raise self._unusable(PermissionError(13, "permission denied"), "use")

    def _append(self, record: dict) -> None:
        if self.path is None:
            self._memory.append(record)
            return
        line = (json.dumps(record, sort_keys=True) + "\n").encode("utf-8")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        except OSError as err:
            raise self._unusable(err, "write") from None
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                line = b"\n" + line  # a torn last line: never glue this record onto it
            # One write of one whole line (O_APPEND puts it at the end as a unit), flushed to disk
            # so a process killed right after the create call still leaves the record.
            os.write(fd, line)
            os.fsync(fd)
        except OSError as err:
            raise self._unusable(err, "write") from None
        finally:
            os.close(fd)  # closing drops the lock

    def record_create(self, entry: Entry) -> None:
        self._append({"op": "create", **asdict(entry)})

    def record_deleted(self, entry: Entry) -> None:
        self._append({"op": "deleted", "run": entry.run, "kind": entry.kind, "id": entry.id, "ts": time.time()})

    def _records(self) -> list[dict]:
        if self.path is None:
            return list(self._memory)
        self.problems = []
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return []
        except OSError as err:
            raise self._unusable(err, "read") from None
        lines = data.split(b"\n")
        tail = lines.pop()  # b"" when the file ends in a newline, else an unterminated line
        records = []
        for number, raw in enumerate(lines + ([tail] if tail.strip() else []), 1):
            unterminated = number == len(lines) + 1
            text = raw.decode("utf-8", errors="replace").strip()
            if not text:
                continue
            try:
                record = json.loads(text)
            except ValueError as err:
                why = f"unterminated last line, torn by a crash mid-write ({err})" if unterminated else str(err)
                self.problems.append(f"{self.path}:{number}: skipped a corrupt line ({why})")
                continue
            problem = _shape_problem(record)
            if problem:
                self.problems.append(f"{self.path}:{number}: skipped a corrupt line ({problem})")
                continue
            records.append(record)
        return records

    def pending(self, run: str | None = None, lab: str | None = None) -> list[Entry]:
        """Entries created and not yet deleted, oldest first."""
        created: dict[tuple, Entry] = {}
        for record in self._records():
            key = (record["run"], record["kind"], record["id"])
            if record["op"] == "create":
                fields = {k: record[k] for k in Entry.__dataclass_fields__ if k in record}
                fields.setdefault("pid", None)  # not recorded: unknown, never "this process"
                fields.setdefault("host", None)
                fields["extra"] = fields.get("extra") or {}
                created[key] = Entry(**fields)
            else:
                created.pop(key, None)
        entries = list(created.values())
        if run:
            entries = [e for e in entries if e.run == run]
        if lab:
            entries = [e for e in entries if e.lab == lab]
        return entries
