"""Practice exams: a question bank as data, attempts scored like the real exam, a terminal UI and
a line mode, history with spaced repetition, and a paper export for instructors.

    from awslabs.exam import load_bank, select, Attempt
    bank = load_bank("mla-c01")
    attempt = Attempt(bank.guide, select(bank, count=10, seed=1), minutes=20)

Nothing here imports boto3 or moto. Evidence functions (``awslabs.exam.evidence``) compute the
keys of the questions whose answer a simulator or local runner can prove; the tests hold every
such key to its evidence.
"""
from __future__ import annotations

import math

from .bank import Bank, Question, load_bank
from .session import Attempt, Result, scaled_score, select

__all__ = ["Attempt", "Bank", "Question", "Result", "load_bank", "scaled_score", "select", "minutes_for"]


def minutes_for(guide, count: int) -> int:
    """The exam's time per question, for a shorter or longer attempt (130 min / 65 → 2 per question)."""
    return max(1, math.ceil(guide.minutes * count / guide.questions))
