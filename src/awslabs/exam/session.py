"""An exam attempt, independent of any user interface: which questions, in which order, the
learner's answers and flags, the clock, and the score.

Scoring. AWS reports a scaled score from 100 to 1000 with a pass mark (720 for MLA-C01, 750 for
MLS-C01) and a compensatory model (you pass on the total, not per domain); how AWS scales raw
results is not public and differs between exam forms, and unscored items are mixed in. awslabs
maps linearly: ``scaled = 100 + 900 × correct / total``, so the pass mark 720 means 68.9 % right
and 750 means 72.2 %. Treat the result as a readiness signal, not a prediction.
"""
from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

from ..errors import UsageError
from ..exams import ExamGuide
from .bank import Bank, Question


def allocate(guide: ExamGuide, available: dict[str, int], count: int) -> dict[str, int]:
    """Questions per domain for ``count`` in all, by the guide's weights (largest remainder), never
    more than a domain has; what a small domain cannot give goes to the others by weight."""
    weights = {d.id: d.weight for d in guide.domains if available.get(d.id)}
    plan = {d: 0 for d in weights}
    remaining = count
    while remaining > 0:
        active = [d for d in plan if plan[d] < available[d]]
        if not active:
            break
        total = sum(weights[d] for d in active)
        shares = {d: remaining * weights[d] / total for d in active}
        grant = {d: int(shares[d]) for d in active}
        leftover = remaining - sum(grant.values())
        for d in sorted(active, key=lambda d: shares[d] - int(shares[d]), reverse=True)[:leftover]:
            grant[d] += 1
        for d in active:
            given = min(grant[d], available[d] - plan[d])
            plan[d] += given
            remaining -= given
    return plan


def select(bank: Bank, count: int | None = None, domain: str | None = None, seed: int | None = None,
           only: list[str] | None = None) -> list[Question]:
    """Pick the questions of one attempt: domain-weighted like the real exam by default."""
    guide = bank.guide
    pool = [q for q in bank.questions if (only is None or q.id in only)]
    if domain is not None:
        guide.domain(domain)  # raises UsageError naming the valid domains
        pool = [q for q in pool if q.domain == domain]
    count = guide.questions if count is None else count
    if count < 1:
        raise UsageError("--count must be at least 1.")
    if count > len(pool):
        where = f" in domain {domain}" if domain else ""
        raise UsageError(f"the {guide.code} bank has {len(pool)} question(s){where}; ask for at most that many "
                         "with --count.")
    rng = random.Random(seed)
    by_domain: dict[str, list[Question]] = {}
    for q in pool:
        by_domain.setdefault(q.domain, []).append(q)
    plan = allocate(guide, {d: len(qs) for d, qs in by_domain.items()}, count)
    chosen: list[Question] = []
    for d, n in plan.items():
        qs = sorted(by_domain[d], key=lambda q: q.id)
        chosen += rng.sample(qs, n)
    rng.shuffle(chosen)
    return chosen


@dataclass
class Attempt:
    guide: ExamGuide
    questions: list[Question]
    minutes: int
    seed: int | None = None
    started: float = field(default_factory=time.time)
    answers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    flagged: set[str] = field(default_factory=set)
    current: int = 0
    submitted_at: float | None = None
    clock: object = time.time  # replaced in tests

    # -- navigation and answers ---------------------------------------------------------------
    @property
    def question(self) -> Question:
        return self.questions[self.current]

    def go(self, index: int) -> None:
        self.current = max(0, min(len(self.questions) - 1, index))

    def answer(self, response: list[str] | tuple[str, ...]) -> None:
        question = self.question
        response = tuple(r.strip().upper() if question.type != "matching" else r.strip().upper().replace(" ", "")
                         for r in response if r.strip())
        self.answers[question.id] = response

    def toggle_flag(self) -> None:
        self.flagged ^= {self.question.id}

    def unanswered(self) -> list[int]:
        return [i for i, q in enumerate(self.questions) if not self.answers.get(q.id)]

    # -- time ----------------------------------------------------------------------------------
    def seconds_left(self) -> float:
        end = self.submitted_at or self.clock()
        return max(0.0, self.minutes * 60 - (end - self.started))

    def time_left_text(self) -> str:
        left = int(self.seconds_left())
        return f"{left // 60:d}:{left % 60:02d}"

    def submit(self) -> "Result":
        if self.submitted_at is None:
            self.submitted_at = self.clock()
        return score(self)


@dataclass
class Result:
    exam: str
    total: int
    correct: int
    scaled: int
    passing_score: int
    passed: bool
    domains: list[dict]
    questions: list[dict]
    seconds: float
    seed: int | None

    def to_dict(self) -> dict:
        return {
            "exam": self.exam, "total": self.total, "correct": self.correct, "scaled_score": self.scaled,
            "passing_score": self.passing_score, "passed": self.passed, "seconds": round(self.seconds, 1),
            "seed": self.seed, "domains": self.domains, "questions": self.questions,
            "scoring_note": "scaled = 100 + 900 x correct / total; AWS's own scaling is not public",
        }


def scaled_score(correct: int, total: int) -> int:
    return round(100 + 900 * correct / total) if total else 100


def score(attempt: Attempt) -> Result:
    guide = attempt.guide
    per_domain = {d.id: {"id": d.id, "title": d.title, "weight": d.weight, "correct": 0, "total": 0}
                  for d in guide.domains}
    rows = []
    for q in attempt.questions:
        response = attempt.answers.get(q.id, ())
        ok = q.is_correct(response)
        per_domain[q.domain]["total"] += 1
        per_domain[q.domain]["correct"] += ok
        rows.append({
            "id": q.id, "task": q.task, "domain": q.domain, "type": q.type, "stem": q.stem,
            "response": list(response), "answer": list(q.answer), "correct": ok,
            "flagged": q.id in attempt.flagged,
            "options": [{"key": o.key, "text": o.text, "why": o.why} for o in q.options],
            "labs": list(q.labs), "source": q.source, "read": q.read,
        })
    correct = sum(r["correct"] for r in rows)
    scaled = scaled_score(correct, len(rows))
    domains = []
    for d in per_domain.values():
        if d["total"]:
            d["percent"] = round(100 * d["correct"] / d["total"])
            domains.append(d)
    return Result(guide.code, len(rows), correct, scaled, guide.passing_score, scaled >= guide.passing_score,
                  domains, rows, (attempt.submitted_at or attempt.clock()) - attempt.started, attempt.seed)
