"""The ledger: every resource is recorded *before* its create call, and marked when deleted.

A JSON-lines file under ``AWSLABS_HOME`` (default ``~/.awslabs/ledger.jsonl``) for the ``server``
and ``aws`` targets, so a killed process leaves a record that ``awslabs cleanup`` can act on. The
in-process ``moto`` target keeps its ledger in memory: its resources die with the process.

A corrupt line is reported (``Ledger.problems``) and skipped, never fatal.
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


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

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.run, self.kind, self.id)


class Ledger:
    def __init__(self, path: Path | None):
        self.path = path
        self._memory: list[dict] = []
        self.problems: list[str] = []

    @classmethod
    def for_home(cls, home: Path) -> "Ledger":
        return cls(Path(home) / "ledger.jsonl")

    def _append(self, record: dict) -> None:
        if self.path is None:
            self._memory.append(record)
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(record, sort_keys=True) + "\n"
        # One write of one short line in append mode: atomic on POSIX, and flushed to disk so a
        # process killed right after the create call still leaves the record.
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())

    def record_create(self, entry: Entry) -> None:
        self._append({"op": "create", **asdict(entry)})

    def record_deleted(self, entry: Entry) -> None:
        self._append({"op": "deleted", "run": entry.run, "kind": entry.kind, "id": entry.id, "ts": time.time()})

    def _records(self) -> list[dict]:
        if self.path is None:
            return list(self._memory)
        if not self.path.exists():
            return []
        records, self.problems = [], []
        with open(self.path, encoding="utf-8", errors="replace") as fh:
            for number, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                    if record.get("op") not in ("create", "deleted") or not all(
                        isinstance(record.get(k), str) for k in ("run", "kind", "id")
                    ):
                        raise ValueError("missing op/run/kind/id")
                except ValueError as err:
                    self.problems.append(f"{self.path}:{number}: skipped a corrupt line ({err})")
                    continue
                records.append(record)
        return records

    def pending(self, run: str | None = None, lab: str | None = None) -> list[Entry]:
        """Entries created and not yet deleted, oldest first."""
        created: dict[tuple, Entry] = {}
        for record in self._records():
            key = (record["run"], record["kind"], record["id"])
            if record["op"] == "create":
                fields = {k: record.get(k) for k in Entry.__dataclass_fields__ if k in record}
                try:
                    created[key] = Entry(**fields)
                except TypeError as err:
                    self.problems.append(f"skipped a corrupt create record ({err})")
            else:
                created.pop(key, None)
        entries = list(created.values())
        if run:
            entries = [e for e in entries if e.run == run]
        if lab:
            entries = [e for e in entries if e.lab == lab]
        return entries
