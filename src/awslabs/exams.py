"""The certification exams as data: each exam guide's domains, weights and task statements
(``exams/<code>/guide.toml``, with the guide's URL and the date it was read), and which labs
practise which task statement (each lab's ``exam`` table in ``lab.toml``).

``awslabs list --exam CODE`` and ``awslabs coverage`` read only TOML: no boto3, no moto.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from .errors import LabDefinitionError, UsageError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


@dataclass(frozen=True)
class Task:
    id: str  # the guide's numbering, "1.1"
    title: str
    domain: str  # the domain's id, "1"


@dataclass(frozen=True)
class Domain:
    id: str
    title: str
    weight: int  # percent of the scored content
    tasks: tuple[Task, ...]


@dataclass(frozen=True)
class ExamGuide:
    code: str
    name: str
    questions: int
    minutes: int
    passing_score: int
    question_types: tuple[str, ...]
    status: str
    source: str
    read: str
    domains: tuple[Domain, ...]

    @property
    def tasks(self) -> tuple[Task, ...]:
        return tuple(t for d in self.domains for t in d.tasks)

    def domain(self, domain_id: str) -> Domain:
        for domain in self.domains:
            if domain.id == domain_id:
                return domain
        raise UsageError(f"exam {self.code} has no domain '{domain_id}': choose one of "
                         f"{', '.join(d.id for d in self.domains)}.")


def default_exams_dir() -> Path:
    """Installed wheels carry the guides at ``awslabs/exams``; a source checkout has ``exams/``."""
    override = os.environ.get("AWSLABS_EXAMS_DIR")
    if override:
        return Path(override)
    packaged = Path(__file__).parent / "exams"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "exams"


def exam_codes(root: Path | None = None) -> list[str]:
    root = root or default_exams_dir()
    return sorted(p.name for p in root.iterdir() if (p / "guide.toml").is_file()) if root.is_dir() else []


def load_guide(code: str, root: Path | None = None) -> ExamGuide:
    root = root or default_exams_dir()
    path = root / code.lower() / "guide.toml"
    if not path.is_file():
        raise UsageError(f"unknown exam '{code}': choose one of {', '.join(exam_codes(root)) or '(none found)'}.")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        domains = tuple(
            Domain(
                id=str(d["id"]),
                title=d["title"],
                weight=int(d["weight"]),
                tasks=tuple(Task(str(t["id"]), t["title"], str(d["id"])) for t in d["tasks"]),
            )
            for d in data["domains"]
        )
        return ExamGuide(
            code=data["code"],
            name=data["name"],
            questions=int(data["questions"]),
            minutes=int(data["minutes"]),
            passing_score=int(data["passing_score"]),
            question_types=tuple(data.get("question_types", ())),
            status=data.get("status", ""),
            source=data["source"],
            read=data["read"],
            domains=domains,
        )
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as err:
        raise LabDefinitionError(f"{path}: {type(err).__name__}: {err}") from None


def labs_for(guide: ExamGuide, labs) -> dict[str, list[str]]:
    """task id -> the ids of the labs that declare it (in catalogue order)."""
    found: dict[str, list[str]] = {t.id: [] for t in guide.tasks}
    for lab in labs:
        for task_id in lab.exam_tasks(guide.code):
            found.setdefault(task_id, []).append(lab.id)
    return found


def coverage(guide: ExamGuide, labs) -> dict:
    """Every task statement with the labs that practise it, and those nothing covers yet."""
    by_task = labs_for(guide, labs)
    known = {t.id for t in guide.tasks}
    tasks = [
        {"id": t.id, "title": t.title, "domain": t.domain,
         "domain_title": guide.domain(t.domain).title, "labs": by_task.get(t.id, [])}
        for t in guide.tasks
    ]
    return {
        "exam": guide.code,
        "name": guide.name,
        "status": guide.status,
        "source": guide.source,
        "read": guide.read,
        "tasks": tasks,
        "covered": sum(1 for t in tasks if t["labs"]),
        "uncovered": [t["id"] for t in tasks if not t["labs"]],
        # a lab naming a task statement the guide does not have (a typo, or a retired id)
        "unknown": sorted({f"{lab}:{task}" for task, ids in by_task.items() if task not in known for lab in ids}),
    }
