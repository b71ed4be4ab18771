"""Exam history under ``AWSLABS_HOME``: one JSON line per attempt (``exam-history.jsonl``).

Spaced repetition (Leitner boxes) is derived from that history, never stored apart: replaying the
attempts in order, a question answered right moves up one box (at most 5), a miss sends it back
to box 1; a question in box *n* is due again ``2 ** (n - 1)`` days after it was last seen. A
corrupt line is reported and skipped, never fatal; appends are one ``write`` of a whole line.
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

MAX_BOX = 5
DAY = 86400.0


@dataclass
class Card:
    box: int = 1
    last_seen: float = 0.0
    seen: int = 0
    missed: int = 0

    def due(self, now: float) -> bool:
        return now >= self.last_seen + (2 ** (self.box - 1)) * DAY


@dataclass
class History:
    path: Path
    attempts: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, home: Path) -> "History":
        history = cls(Path(home) / "exam-history.jsonl")
        try:
            lines = history.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return history
        except (OSError, UnicodeDecodeError) as err:
            history.problems.append(f"{history.path}: cannot read ({err}); exam history ignored")
            return history
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                if not isinstance(record, dict) or not isinstance(record.get("questions"), list):
                    raise ValueError("not an attempt record")
                float(record.get("ts", 0))
            except (ValueError, TypeError) as err:
                history.problems.append(f"{history.path}:{number}: skipped a corrupt line ({err})")
                continue
            history.attempts.append(record)
        return history

    def append(self, record: dict) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = (json.dumps(record, separators=(",", ":")) + "\n").encode("utf-8")
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            # a previous crash may have left a line without its newline: never glue onto it
            if os.fstat(fd).st_size and not self.path.read_bytes().endswith(b"\n"):
                line = b"\n" + line
            os.write(fd, line)
        finally:
            os.close(fd)
        self.attempts.append(record)

    def scored(self, exam: str | None = None) -> list[dict]:
        return [a for a in self.attempts if not a.get("interrupted") and (exam is None or a.get("exam") == exam)]

    def cards(self, exam: str) -> dict[str, Card]:
        cards: dict[str, Card] = {}
        for attempt in sorted(self.scored(exam), key=lambda a: float(a.get("ts", 0))):
            for row in attempt["questions"]:
                if not isinstance(row, dict) or "id" not in row:
                    continue
                card = cards.setdefault(row["id"], Card())
                card.seen += 1
                card.last_seen = float(attempt.get("ts", 0))
                if row.get("correct"):
                    card.box = min(MAX_BOX, card.box + 1)
                else:
                    card.box = 1
                    card.missed += 1
        return cards

    def due(self, exam: str, now: float | None = None) -> list[str]:
        """Question ids to review now, missed ones (box 1) first."""
        now = time.time() if now is None else now
        cards = self.cards(exam)
        due = [(card.box, -card.missed, qid) for qid, card in cards.items() if card.missed and card.due(now)]
        return [qid for _, _, qid in sorted(due)]

    def task_results(self, exam: str) -> dict[str, dict]:
        """task id -> {"correct": n, "total": n, "percent": p} over every scored attempt."""
        out: dict[str, dict] = {}
        for attempt in self.scored(exam):
            for row in attempt["questions"]:
                if isinstance(row, dict) and "task" in row:
                    entry = out.setdefault(str(row["task"]), {"correct": 0, "total": 0})
                    entry["total"] += 1
                    entry["correct"] += bool(row.get("correct"))
        for entry in out.values():
            entry["percent"] = round(100 * entry["correct"] / entry["total"])
        return out


def attempt_record(result, interrupted: bool = False, answered: dict | None = None) -> dict:
    """What the history keeps of an attempt: enough for boxes, trends and weakest tasks."""
    if result is None:
        return {"ts": time.time(), "interrupted": True, "answers": answered or {}, "questions": []}
    return {
        "ts": time.time(),
        "exam": result.exam,
        "interrupted": interrupted,
        "scaled_score": result.scaled,
        "passed": result.passed,
        "correct": result.correct,
        "total": result.total,
        "domains": [{k: d[k] for k in ("id", "correct", "total")} for d in result.domains],
        "questions": [{"id": q["id"], "task": q["task"], "correct": q["correct"]} for q in result.questions],
    }
