"""The question bank: ``exams/<code>/questions/*.toml``, one file per topic, ``[[questions]]``.

A question::

    [[questions]]
    id = "mla-s3-one-rule-ia-then-glacier"      # unique across the bank, stable (history keys on it)
    task = "1.1"                                # the exam guide's task statement (its domain follows)
    type = "single"                             # single | multiple | ordering | matching
    choose = 2                                  # multiple: how many to pick ("choose two")
    stem = "..."
    options = [
      { key = "A", text = "...", why = "why this option is right or wrong" },
      ...
    ]
    targets = [{ key = "1", text = "..." }]     # matching only: what each option is matched to
    answer = ["B"]                              # single/multiple: keys; ordering: keys in order;
                                                # matching: ["A=2", "B=1", ...]
    labs = ["s3-storage-classes:invalid_rules"] # lab or lab:step that demonstrates it
    source = "https://docs.aws.amazon.com/..."  # where the fact is documented
    read = "2026-12-06"                         # when that page was read
    evidence = "lifecycle_single_rule_refused"  # optional: a function in awslabs.exam.evidence that
    params = { ... }                            # computes the key from these inputs; an option's
                                                # `value` is what it computes; the tests fail when
                                                # the computed key and `answer` disagree

A file that cannot be read, or a question that breaks these rules, is reported with its file (and
line, where TOML gives one) and skipped: `awslabs exam` goes on without it; the lint test fails.
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ..exams import ExamGuide, default_exams_dir, load_guide

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

TYPES = ("single", "multiple", "ordering", "matching")


@dataclass(frozen=True)
class Option:
    key: str
    text: str
    why: str
    value: str | None = None  # machine-readable value an evidence function can compute


@dataclass(frozen=True)
class Question:
    id: str
    exam: str
    task: str
    domain: str
    type: str
    stem: str
    options: tuple[Option, ...]
    answer: tuple[str, ...]
    labs: tuple[str, ...]
    source: str
    read: str
    file: str
    choose: int = 1
    targets: tuple[Option, ...] = ()
    evidence: str | None = None
    tags: tuple[str, ...] = field(default=())
    # inputs the evidence function computes the key from (a stream's shard count, a series...)
    params: dict = field(default_factory=dict, compare=False, hash=False)

    def option(self, key: str) -> Option:
        return next(o for o in self.options if o.key == key)

    def is_correct(self, response: tuple[str, ...] | list[str] | None) -> bool:
        """All or nothing, as on the exam: no partial credit for multiple response, ordering or
        matching. Order matters only for ordering questions."""
        if not response:
            return False
        if self.type == "ordering":
            return tuple(response) == self.answer
        return sorted(response) == sorted(self.answer)

    @property
    def instruction(self) -> str:
        if self.type == "single":
            return "Choose one."
        if self.type == "multiple":
            return f"Choose {('two', 'three', 'four')[self.choose - 2] if 2 <= self.choose <= 4 else self.choose}."
        if self.type == "ordering":
            return "Put the options in the right order (e.g. C,A,B,D)."
        return "Match each option to one target (e.g. A=2,B=1,C=3)."


class BankProblem(str):
    """One line naming the file (and line) of a question that was skipped."""


def _options(raw, where: str, need_why: bool = True) -> tuple[Option, ...]:
    if not isinstance(raw, list) or not raw:
        raise ValueError(f"{where}: options must be a non-empty list")
    out = []
    for item in raw:
        if not isinstance(item, dict) or not item.get("key") or not item.get("text"):
            raise ValueError(f"{where}: each option needs key and text")
        if need_why and not item.get("why"):
            raise ValueError(f"{where}: option {item['key']} needs why (the per-option explanation)")
        out.append(Option(str(item["key"]), item["text"], item.get("why", ""),
                          None if item.get("value") is None else str(item["value"])))
    keys = [o.key for o in out]
    if len(set(keys)) != len(keys):
        raise ValueError(f"{where}: option keys must be unique")
    return tuple(out)


def parse_question(raw: dict, guide: ExamGuide, file: str) -> Question:
    qid = raw.get("id")
    where = f"{file}: question {qid or '?'}"
    if not isinstance(qid, str) or not re.match(r"^[a-z0-9][a-z0-9-]{2,80}$", qid):
        raise ValueError(f"{where}: id must be kebab-case")
    task = str(raw.get("task", ""))
    if task not in {t.id for t in guide.tasks}:
        raise ValueError(f"{where}: task '{task}' is not a task statement of {guide.code}")
    qtype = raw.get("type", "single")
    if qtype not in TYPES:
        raise ValueError(f"{where}: type must be one of {', '.join(TYPES)}")
    for key in ("stem", "source", "read"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise ValueError(f"{where}: {key} is required")
    if not raw["source"].startswith("https://"):
        raise ValueError(f"{where}: source must be an https URL")
    options = _options(raw.get("options"), where)
    targets = _options(raw.get("targets"), where, need_why=False) if qtype == "matching" else ()
    answer = tuple(str(a) for a in raw.get("answer", ()))
    keys = {o.key for o in options}
    choose = int(raw.get("choose", 1 if qtype == "single" else len(answer)))
    if qtype == "single" and (len(answer) != 1 or answer[0] not in keys):
        raise ValueError(f"{where}: a single-answer question needs one answer among its options")
    if qtype == "multiple" and (len(answer) != choose or not set(answer) <= keys or choose < 2
                                or len(options) <= choose):
        raise ValueError(f"{where}: a multiple-response question needs `choose` (>= 2) answers among more options")
    if qtype == "ordering" and sorted(answer) != sorted(keys):
        raise ValueError(f"{where}: an ordering answer lists every option key once")
    if qtype == "matching":
        pairs = [a.split("=", 1) for a in answer]
        if sorted(p[0] for p in pairs) != sorted(keys) or not all(
                len(p) == 2 and p[1] in {t.key for t in targets} for p in pairs):
            raise ValueError(f"{where}: a matching answer pairs every option with a target (A=1)")
    labs = tuple(raw.get("labs", ()))
    if not labs:
        raise ValueError(f"{where}: labs must name the lab (or lab:step) that demonstrates it")
    task_obj = next(t for t in guide.tasks if t.id == task)
    return Question(
        id=qid, exam=guide.code, task=task, domain=task_obj.domain, type=qtype, stem=raw["stem"].strip(),
        options=options, answer=answer, labs=labs, source=raw["source"], read=raw["read"], file=file,
        choose=choose, targets=targets, evidence=raw.get("evidence"), tags=tuple(raw.get("tags", ())),
        params=dict(raw.get("params", {})),
    )


@dataclass
class Bank:
    guide: ExamGuide
    questions: list[Question]
    problems: list[BankProblem]

    def by_id(self, qid: str) -> Question:
        return next(q for q in self.questions if q.id == qid)


def load_bank(code: str, root: Path | None = None) -> Bank:
    root = root or default_exams_dir()
    guide = load_guide(code, root)
    folder = root / guide.code / "questions"
    questions: list[Question] = []
    problems: list[BankProblem] = []
    seen: set[str] = set()
    for path in sorted(folder.glob("*.toml")) if folder.is_dir() else []:
        rel = f"exams/{guide.code}/questions/{path.name}"
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
            problems.append(BankProblem(f"{rel}: {err}"))  # TOML's message names the line
            continue
        raw_questions = data.get("questions")
        if not isinstance(raw_questions, list):
            problems.append(BankProblem(f"{rel}: no [[questions]] table"))
            continue
        for raw in raw_questions:
            try:
                question = parse_question(raw if isinstance(raw, dict) else {}, guide, rel)
            except (ValueError, TypeError) as err:
                problems.append(BankProblem(str(err)))
                continue
            if question.id in seen:
                problems.append(BankProblem(f"{rel}: question {question.id}: id used twice"))
                continue
            seen.add(question.id)
            questions.append(question)
    return Bank(guide, questions, problems)
