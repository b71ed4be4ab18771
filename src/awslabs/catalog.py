"""The lab catalogue: discover and validate labs from ``lab.toml`` without importing step code.

``awslabs list`` / ``show`` only read TOML and Markdown, so they never import boto3 or moto.
Step code (``steps.py``) is imported only when a lab runs (``Lab.load_steps``).
"""
from __future__ import annotations

import json
import os
import re
import sys
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import ModuleType

from .errors import LabDefinitionError, UnknownLab
from .extras import LAB_EXTRAS, MissingExtra, extra_for_module, require_extra

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

DOMAINS = (
    "Data Engineering",
    "Exploratory Data Analysis",
    "Modeling",
    "ML Implementation and Operations",
)
LAB_FILES = ("lab.toml", "steps.py", "README.md")
_ID = re.compile(r"^[a-z][a-z0-9-]{1,38}[a-z0-9]$")
_STEP_ID = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    hint: str
    aws_only: str | None = None  # reason; the step is skipped on moto and the server
    # Practice mode (awslabs start/check): "setup" = awslabs does it at `start` (what the task
    # presupposes); "task" = the learner does it; "auto" = awslabs does it at `check` (simulators,
    # local runners: the effects the service would produce); "teardown" = the learner does it after
    # passing (never checked: earlier objectives need the resource). None: derived from the labels.
    practice: str | None = None
    names: tuple[str, ...] = ()  # the names the practice task requires (default: from the reference run)
    why: str | None = None  # practice: one sentence on why the step matters (shown by start/hint)
    # practice: what cannot be undone, or what costs money or time on real AWS (flagged by start/hint)
    irreversible: str | None = None
    cost: str | None = None


@dataclass(frozen=True)
class Lab:
    id: str
    title: str
    domain: str
    services: tuple[str, ...]
    minutes: int
    cost: str  # estimated real-AWS cost, in words a learner understands
    summary: str
    steps: tuple[Step, ...]
    path: Path = field(compare=False)
    extra: str = "core"  # the install extra the lab needs (awslabs.extras); core needs none
    # exam code -> the task statement ids the lab practises ("mla-c01" -> ("1.1", "4.2")); see
    # awslabs.exams. A tuple of pairs so that Lab stays hashable.
    exam: tuple[tuple[str, tuple[str, ...]], ...] = field(default=(), compare=False)

    def exam_tasks(self, code: str) -> tuple[str, ...]:
        return next((tasks for exam, tasks in self.exam if exam == code.lower()), ())

    @property
    def guide_path(self) -> Path:
        return self.path / "README.md"

    def guide(self) -> str:
        return self.guide_path.read_text(encoding="utf-8")

    def step(self, step_id: str) -> Step:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise LabDefinitionError(f"lab '{self.id}' has no step '{step_id}'")

    def load_steps(self) -> ModuleType:
        """Import the lab's steps.py and check it defines apply_/check_ for every step.

        Raises MissingExtra (one line with the install command) when the lab's extra is not
        installed, or when steps.py imports a module of an extra the lab did not declare."""
        module_name = f"awslabs_lab_{self.id.replace('-', '_')}"
        if module_name in sys.modules:
            return sys.modules[module_name]
        require_extra(self.id, self.extra)
        import importlib.util

        spec = importlib.util.spec_from_file_location(module_name, self.path / "steps.py")
        if spec is None or spec.loader is None:
            raise LabDefinitionError(f"lab '{self.id}': cannot load steps.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        try:
            spec.loader.exec_module(module)
        except ModuleNotFoundError as err:
            del sys.modules[module_name]
            extra = extra_for_module(err.name or "")
            if extra is None:
                raise
            raise MissingExtra(self.id, extra, [err.name or "?"]) from None
        except Exception:
            del sys.modules[module_name]
            raise
        missing = [
            f"{kind}_{s.id}"
            for s in self.steps
            for kind in ("apply", "check")
            if not callable(getattr(module, f"{kind}_{s.id}", None))
        ]
        if missing:
            del sys.modules[module_name]
            raise LabDefinitionError(f"lab '{self.id}': steps.py lacks {', '.join(missing)}")
        return module


def _optional_text(raw: dict, key: str, where: str) -> str | None:
    value = raw.get(key)
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise LabDefinitionError(f"{where}: {key} must be a non-empty string")
    return value


def _require(data: dict, key: str, kind: type, where: str):
    value = data.get(key)
    if not isinstance(value, kind) or (isinstance(value, str) and not value.strip()):
        raise LabDefinitionError(f"{where}: '{key}' must be a non-empty {kind.__name__}")
    return value


def read_lab_toml(path: Path) -> dict:
    try:
        return tomllib.loads((path / "lab.toml").read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise LabDefinitionError(f"{path / 'lab.toml'}: {err}") from None


def parse_lab(path: Path, data: dict | None = None) -> Lab:
    """Validate a lab folder; ``data`` is its lab.toml already read (the catalogue cache)."""
    where = str(path / "lab.toml")
    for name in LAB_FILES:
        if not (path / name).is_file():
            raise LabDefinitionError(f"{path}: missing {name} (every lab has {', '.join(LAB_FILES)})")
    if data is None:
        data = read_lab_toml(path)
    lab_id = _require(data, "id", str, where)
    if lab_id != path.name or not _ID.match(lab_id):
        raise LabDefinitionError(f"{where}: id '{lab_id}' must match the folder name, kebab-case")
    domain = _require(data, "domain", str, where)
    if domain not in DOMAINS:
        raise LabDefinitionError(f"{where}: domain must be one of {DOMAINS}")
    steps = []
    for raw in _require(data, "steps", list, where):
        sid = _require(raw, "id", str, where)
        if not _STEP_ID.match(sid):
            raise LabDefinitionError(f"{where}: step id '{sid}' must be snake_case")
        steps.append(
            Step(
                id=sid,
                title=_require(raw, "title", str, f"{where} step {sid}"),
                hint=_require(raw, "hint", str, f"{where} step {sid}"),
                aws_only=raw.get("aws_only"),
                practice=raw.get("practice"),
                names=tuple(raw.get("names", ())),
                why=_optional_text(raw, "why", f"{where} step {sid}"),
                irreversible=_optional_text(raw, "irreversible", f"{where} step {sid}"),
                cost=_optional_text(raw, "cost", f"{where} step {sid}"),
            )
        )
        if steps[-1].practice not in (None, "setup", "task", "auto", "teardown"):
            raise LabDefinitionError(f"{where} step {sid}: practice must be setup, task, auto or teardown")
    ids = [s.id for s in steps]
    if len(set(ids)) != len(ids):
        raise LabDefinitionError(f"{where}: step ids must be unique")
    minutes = _require(data, "minutes", int, where)
    extra = data.get("extra", "core")
    if extra not in LAB_EXTRAS:
        raise LabDefinitionError(f"{where}: extra must be one of {', '.join(LAB_EXTRAS)}")
    exam = data.get("exam", {})
    if not isinstance(exam, dict) or not all(
        isinstance(tasks, list) and all(isinstance(t, str) for t in tasks) for tasks in exam.values()
    ):
        raise LabDefinitionError(f'{where}: exam must map exam codes to task ids, e.g. {{ mla-c01 = ["1.1"] }}')
    return Lab(
        id=lab_id,
        title=_require(data, "title", str, where),
        domain=domain,
        services=tuple(_require(data, "services", list, where)),
        minutes=minutes,
        cost=_require(data, "cost", str, where),
        summary=_require(data, "summary", str, where),
        steps=tuple(steps),
        path=path,
        extra=extra,
        exam=tuple((code.lower(), tuple(tasks)) for code, tasks in exam.items()),
    )


def default_labs_dir() -> Path:
    """Installed wheels carry the labs at ``awslabs/labs``; a source checkout has ``labs/``."""
    override = os.environ.get("AWSLABS_LABS_DIR")
    if override:
        return Path(override)
    packaged = Path(__file__).parent / "labs"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "labs"


class Catalog:
    """The labs under ``root``. A lab folder that breaks the contract is skipped and reported in
    ``problems`` (one broken lab must not hide the others); the tests require no problems."""

    def __init__(self, root: Path | None = None):
        self.root = Path(root) if root else default_labs_dir()
        self.problems: list[str] = []

    @cached_property
    def labs(self) -> dict[str, Lab]:
        if not self.root.is_dir():
            raise LabDefinitionError(f"no lab catalogue at {self.root}")
        cache = _TomlCache(self.root)
        found = {}
        for path in sorted(self.root.iterdir()):
            if path.is_dir() and not path.name.startswith(("_", ".")):
                try:
                    lab = parse_lab(path, cache.read(path))
                except LabDefinitionError as err:
                    self.problems.append(str(err))
                    continue
                found[lab.id] = lab
        cache.save()
        return found

    def __iter__(self):
        return iter(self.labs.values())

    def __len__(self) -> int:
        return len(self.labs)

    def get(self, lab_id: str) -> Lab:
        try:
            return self.labs[lab_id]
        except KeyError:
            import difflib

            close = difflib.get_close_matches(lab_id, list(self.labs), n=3, cutoff=0.5)
            close += [i for i in self.labs if lab_id and lab_id in i and i not in close][:3]
            raise UnknownLab(lab_id, close[:3]) from None


class _TomlCache:
    """The labs' lab.toml files as already parsed, in ``<labs>/__pycache__/catalog.json``.

    `awslabs list` runs often and parsing 27+ TOML files was a third of its cold start; a JSON
    file keyed by each lab.toml's mtime and size is read in about a millisecond. Only the TOML
    reading is cached: every start still validates each lab (``parse_lab``). A stale, corrupt or
    unwritable cache is ignored, like Python's own ``__pycache__``.
    """

    def __init__(self, root: Path):
        self.file = root / "__pycache__" / "catalog.json"
        try:
            self.entries = json.loads(self.file.read_text(encoding="utf-8"))
            if not isinstance(self.entries, dict):
                self.entries = {}
        except (OSError, ValueError):
            self.entries = {}
        self.dirty = False

    def read(self, path: Path) -> dict | None:
        try:
            stat = (path / "lab.toml").stat()
        except OSError:
            return None  # parse_lab reports the missing file
        stamp = [stat.st_mtime_ns, stat.st_size]
        entry = self.entries.get(path.name)
        if isinstance(entry, dict) and entry.get("stamp") == stamp and isinstance(entry.get("data"), dict):
            return entry["data"]
        data = read_lab_toml(path)
        self.entries[path.name] = {"stamp": stamp, "data": data}
        self.dirty = True
        return data

    def save(self) -> None:
        if not self.dirty:
            return
        try:
            text = json.dumps(self.entries)
            self.file.parent.mkdir(exist_ok=True)
            tmp = self.file.with_name(f"catalog.{os.getpid()}.tmp")
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, self.file)
        except (OSError, TypeError, ValueError):
            pass  # read-only install or a TOML value JSON cannot hold: parse every time
