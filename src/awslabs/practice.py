"""Practice mode: the learner builds, awslabs checks.

``start`` sets up what a task presupposes and says what to build (objectives, the names to use,
starter files); the learner works with the AWS CLI, boto3 or the console against ``awslabs serve``
or a sandbox account; ``check`` runs the lab's checks against whatever is there and scores it;
``hint`` gives progressive hints (nudge → the API calls → the exact commands); ``solution`` shows
the reference; ``progress`` and ``reset`` keep track, per target and account.

Each step of a lab has a practice role (``awslabs.reference.role_of``): ``setup`` (done by
``start``), ``task`` (the learner's), ``auto`` (done by ``check``: the simulators and local runners
standing in for what the service would do), ``teardown`` (the learner's, after passing; never
checked) or ``aws-only``. Practice always uses the run id
``practice``, so the required names are fixed: ``awslabs-<lab>-practice-<suffix>``.

Progress lives in ``AWSLABS_HOME/progress.json``; a lab's practice state (facts the setup and
auto steps hand to later steps) in ``AWSLABS_HOME/practice/<target>/<lab>.pickle``.
"""
from __future__ import annotations

import inspect
import json
import pickle
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .catalog import Lab
from .context import LabContext
from .errors import UsageError
from .lab import Check, SkipStep
from .ledger import Ledger
from .reference import PRACTICE_RUN, cli_command, load_reference, python_call, role_of, writes
from .settings import Settings

HINT_LEVELS = ("nudge", "the API calls", "the exact commands")


def target_key(target) -> str:
    endpoint = target.endpoint_url or ""
    return f"{target.name}:{target.account}" + (f"@{endpoint}" if endpoint else "")


def require_practice_target(target) -> None:
    if target.name == "moto":
        raise UsageError(
            "practice needs a target that keeps your work between commands: start `awslabs serve` "
            "and pass --target server (or practise on a sandbox with --target aws)."
        )


# -- progress -------------------------------------------------------------------------------------
class Progress:
    """A plain JSON file: {target key: {lab id: {...}}}. A corrupt file is kept aside, not lost."""

    def __init__(self, home: Path):
        self.path = Path(home) / "progress.json"
        self.problem: str | None = None
        self.data: dict[str, dict[str, dict]] = {}
        if self.path.exists():
            try:
                self.data = json.loads(self.path.read_text())
                if not isinstance(self.data, dict):
                    raise ValueError("not a JSON object")
            except (OSError, ValueError) as err:
                aside = self.path.with_suffix(".json.corrupt")
                shutil.copyfile(self.path, aside)
                self.problem = f"{self.path} was unreadable ({err}); kept a copy at {aside} and started afresh"
                self.data = {}

    def lab(self, key: str, lab_id: str) -> dict:
        return self.data.setdefault(key, {}).setdefault(lab_id, {"hints": {}})

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.data, indent=1, sort_keys=True))
        tmp.replace(self.path)


# -- the practice context ---------------------------------------------------------------------------
def _state_path(settings: Settings, target, lab: Lab) -> Path:
    safe = target_key(target).replace(":", "_").replace("/", "_").replace("@", "_")
    return Path(settings.home) / "practice" / safe / f"{lab.id}.pickle"


def _context(lab: Lab, target, settings: Settings) -> LabContext:
    ledger = Ledger.for_home(settings.home) if target.persistent_ledger else _memory_ledger(target)
    ctx = LabContext(lab, target, ledger, PRACTICE_RUN, settings.ttl_hours, settings.home)
    path = _state_path(settings, target, lab)
    if path.exists():
        try:
            ctx.state.update(pickle.loads(path.read_bytes()))
        except Exception:  # noqa: BLE001 - lost facts are recomputed by the next start/check
            path.unlink(missing_ok=True)
    return ctx


_MEMORY_LEDGERS: dict[int, Ledger] = {}


def _memory_ledger(target) -> Ledger:
    """In-process moto keeps its ledger in memory, one per target object (tests, self-test)."""
    return _MEMORY_LEDGERS.setdefault(id(target), Ledger(None))


def _save_state(ctx: LabContext, settings: Settings) -> None:
    path = _state_path(settings, ctx.target, ctx.lab)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        path.write_bytes(pickle.dumps(ctx.state))
    except Exception:  # noqa: BLE001 - unpicklable facts: the next check recomputes them
        path.unlink(missing_ok=True)


# -- start ----------------------------------------------------------------------------------------
@dataclass
class Objective:
    step: str
    title: str
    role: str
    hint: str
    names: list[str] = field(default_factory=list)
    status: str = "todo"  # passed | failed | waiting | skipped | todo
    checks: list[Check] = field(default_factory=list)
    note: str = ""
    details: list[str] = field(default_factory=list)  # values the checks need, beyond the hint
    files: list[str] = field(default_factory=list)  # data files `start` writes to the work folder
    why: str | None = None  # lab.toml `why`: one sentence on why the step matters
    docs: str | None = None  # the first AWS documentation link of the step's README section
    irreversible: str | None = None  # lab.toml `irreversible`: what cannot be undone on real AWS
    cost: str | None = None  # lab.toml `cost` of the step: what it costs in money or time on real AWS

    def to_dict(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "title": self.title,
            "role": self.role,
            "status": self.status,
            "hint": self.hint,
            "names": self.names,
            "why": self.why,
            "docs": self.docs,
            "irreversible": self.irreversible,
            "cost": self.cost,
            "note": self.note,
            "details": self.details,
            "files": self.files,
            "checks": [c.to_dict() for c in self.checks],
        }


@dataclass
class StartResult:
    lab: str
    title: str
    target: str
    objectives: list[Objective]
    setup: list[str]  # what start created
    workdir: Path | None
    gaps: list[str] = field(default_factory=list)  # what the emulator does not do (emulator_gaps)

    def to_dict(self) -> dict[str, Any]:
        return {
            "lab": self.lab,
            "title": self.title,
            "target": self.target,
            "setup": self.setup,
            "workdir": str(self.workdir) if self.workdir else None,
            "objectives": [o.to_dict() for o in self.objectives if o.role == "task"],
            "emulator_gaps": self.gaps,
        }


def objectives(lab: Lab, settings: Settings, record: bool = True) -> list[Objective]:
    """Every step as a practice objective (role, hint, names to use, details, why, docs, flags).
    ``record=False`` never records the reference run (`awslabs show`): without a current cached
    one, roles and names come from ``lab.toml`` alone (``outline`` says so)."""
    if record:
        ref = load_reference(lab, settings)["steps"]
    else:
        from .reference import cached_reference

        ref = (cached_reference(lab, settings) or {}).get("steps", {})
    links = docs_links(lab)
    result = []
    for step in lab.steps:
        recorded = ref.get(step.id, {})
        # ids AWS assigns (vpc-…, vol-…) mean nothing to a learner: only awslabs-named resources
        names = list(step.names) or [c["id"] for c in recorded.get("created", []) if "awslabs-" in c["id"]]
        extra = task_details(lab).get(step.id, {})
        result.append(Objective(step.id, step.title, role_of(step, recorded), _filled(step.hint), names,
                                details=[_filled(d) for d in extra.get("details", [])],
                                files=list(extra.get("files", [])), why=step.why, docs=links.get(step.id),
                                irreversible=step.irreversible, cost=step.cost))
    return result


@dataclass
class Outline:
    """What `awslabs show` presents of practice: the objectives `start` presents (the same
    function), and whether the names and roles are final (a reference run is recorded)."""

    lab: str
    objectives: list[Objective]
    recorded: bool


def outline(lab: Lab, settings: Settings) -> Outline:
    from .reference import cached_reference

    recorded = cached_reference(lab, settings) is not None
    return Outline(lab.id, objectives(lab, settings, record=False), recorded)


_DOCS_LINK = re.compile(r"https://docs\.aws\.amazon\.com/[^\s)\]>\"'`]*")


def readme_section(lab: Lab, step) -> str | None:
    """The text of the README section of ``step`` (the first ``##``–``####`` heading that names its
    id or title, as tests/test_labs.py requires — never the lab's ``#`` title, which may name a step
    in passing — up to the next heading of the same or a higher level); None when there is none."""
    lines = lab.guide().splitlines()
    fence = False
    for index, line in enumerate(lines):
        if line.startswith("```"):
            fence = not fence
        heading = None if fence else re.match(r"^(#{2,4})\s+(.+)$", line)  # not the lab's title
        if not heading:
            continue
        text = heading.group(2)
        if re.search(rf"(?<!\w){re.escape(step.id)}(?!\w)", text) or step.title.lower() in text.lower():
            body, inner = [], False
            for following in lines[index + 1:]:
                if following.startswith("```"):
                    inner = not inner
                if not inner and re.match(rf"^#{{1,{len(heading.group(1))}}}\s", following):
                    break
                body.append(following)
            return "\n".join(body)
    return None


def docs_links(lab: Lab) -> dict[str, str]:
    """Per step, the first docs.aws.amazon.com link its README section already cites (none is
    made up: a step whose section cites none has no link)."""
    found = {}
    for step in lab.steps:
        section = readme_section(lab, step) or ""
        match = _DOCS_LINK.search(section)
        if match:
            found[step.id] = match.group(0).rstrip(".,;:")
    return found


def _filled(text: str) -> str:
    """Practice always runs as run id ``practice``: say so instead of a ``<run id>`` placeholder
    (not in ``job-state/runs/<run id>``, where it is a Glue job run's id)."""
    return re.sub(r"(?<!runs/)<run( id)?>", PRACTICE_RUN, text)


def task_details(lab: Lab) -> dict[str, dict]:
    """``labs/<lab>/practice/task.toml``: per step, the values the checks require that the hint
    does not carry (``details``: lines shown by `start`) and the data files it needs (``files``:
    copied from ``practice/files/`` into the work folder by `start`)."""
    path = lab.path / "practice" / "task.toml"
    if not path.exists():
        return {}
    from .catalog import tomllib  # tomllib, or tomli before Python 3.11

    return tomllib.loads(path.read_text()).get("steps", {})


def start(lab: Lab, target, settings: Settings, workdir: Path | None = None) -> StartResult:
    """Create what the task presupposes, write the starter files, and return the objectives."""
    from .runner import describe_exception

    goals = objectives(lab, settings)
    module = lab.load_steps()
    ctx = _context(lab, target, settings)
    created_before = {e.key for e in ctx.ledger.pending(run=PRACTICE_RUN, lab=lab.id)}
    for goal in goals:
        if goal.role == "setup":
            try:
                getattr(module, f"apply_{goal.step}")(ctx)
            except Exception as err:  # noqa: BLE001
                raise UsageError(
                    f"setting up {lab.id} failed at '{goal.step}' ({describe_exception(err)}); "
                    f"if a previous attempt is in the way, run `awslabs reset {lab.id}` first."
                ) from None
    _save_state(ctx, settings)
    setup = [e.id for e in ctx.ledger.pending(run=PRACTICE_RUN, lab=lab.id) if e.key not in created_before]
    written = None
    if workdir is not None:
        written = write_starter_files(lab, goals, Path(workdir))
    progress = Progress(settings.home)
    entry = progress.lab(target_key(target), lab.id)
    entry.update(started=time.time(), passed=False, score=None)
    progress.save()
    return StartResult(lab.id, lab.title, target.name, goals, setup, written, emulator_gaps(lab, goals, target))


def emulator_gaps(lab: Lab, goals: list[Objective], target=None) -> list[str]:
    """What the emulator does not do in this lab and what stands in for it, from what the lab
    already declares — said before the learner meets it (`start`, `hint`); nothing on real AWS:

    - the paragraph of the lab's ``steps.py`` docstring that names moto's limits (every lab states
      them there: what moto keeps, drops or never runs, and which local runner or simulator does it);
    - the ``auto`` objectives: awslabs does them at `check`, standing in for the service;
    - the ``aws-only`` steps, with the reason they cannot run off AWS."""
    if getattr(target, "name", None) == "aws":
        return []
    import ast

    lines = []
    try:
        doc = ast.get_docstring(ast.parse((lab.path / "steps.py").read_text())) or ""
    except (OSError, SyntaxError):
        doc = ""
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", doc)]
    said = next((p for p in paragraphs[1:] + paragraphs[:1] if re.search(r"\bmoto\b", p)), "")
    if said:
        lines.append(said.replace("``", "`"))
    auto = [g for g in goals if g.role == "auto"]
    if auto:
        lines.append("awslabs does at `check`, standing in for the service: " + ", ".join(g.step for g in auto))
    for goal in goals:
        if goal.role == "aws-only":
            lines.append(f"needs real AWS: {goal.step} ({lab.step(goal.step).aws_only or goal.title})")
    return lines


def write_starter_files(lab: Lab, goals: list[Objective], workdir: Path) -> Path:
    """The lab's own ``exercise/`` files if it has them, and a generated ``practice.py`` with one
    TODO function per objective (boto3 honours AWS_ENDPOINT_URL, so it runs against the server)."""
    folder = workdir / lab.id
    folder.mkdir(parents=True, exist_ok=True)
    exercise = lab.path / "exercise"
    if exercise.is_dir():
        shutil.copytree(exercise, folder, dirs_exist_ok=True)
    for goal in goals:  # the data files a task names (its records, its CSV), beside the learner's work
        for name in goal.files:
            source = lab.path / "practice" / "files" / name
            if source.exists() and not (folder / name).exists():
                (folder / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, folder / name)
    script = folder / "practice.py"
    if not script.exists():  # never overwrite the learner's work
        lines = [
            f'"""{lab.title} — your practice script.',
            "",
            "Run it against the practice server:  AWS_ENDPOINT_URL=http://127.0.0.1:5000 python practice.py",
            f"Check your work:  awslabs check {lab.id} --target server",
            '"""',
            "import boto3",
            "",
            "",
        ]
        tasks = [g for g in goals if g.role == "task"]
        for number, goal in enumerate(tasks, 1):
            lines += [f"def step_{number}_{goal.step}():", f'    """{goal.title}.', "", f"    Hint: {goal.hint}"]
            if goal.names:
                lines.append(f"    Names to use: {', '.join(goal.names)}")
            lines += [f"    {line}" for line in goal.details]
            if goal.files:
                lines.append(f"    Data files (in this folder): {', '.join(goal.files)}")
            lines += ['    """', "    # TODO", "", ""]
        lines += ['if __name__ == "__main__":'] + [
            f"    step_{n}_{g.step}()" for n, g in enumerate(tasks, 1)
        ]
        script.write_text("\n".join(lines) + "\n")
    return folder


# -- check ----------------------------------------------------------------------------------------
@dataclass
class CheckReport:
    lab: str
    title: str
    target: str
    account: str
    region: str
    objectives: list[Objective]
    seconds: float = 0.0

    @property
    def scored(self) -> list[Objective]:
        return [o for o in self.objectives if o.role in ("task", "auto") and o.status != "skipped"]

    @property
    def score(self) -> tuple[int, int]:
        return sum(o.status == "passed" for o in self.scored), len(self.scored)

    @property
    def passed(self) -> bool:
        done, total = self.score
        return total > 0 and done == total

    def to_dict(self) -> dict[str, Any]:
        done, total = self.score
        return {
            "lab": self.lab,
            "title": self.title,
            "target": self.target,
            "account": self.account,
            "region": self.region,
            "score": {"passed": done, "total": total},
            "passed": self.passed,
            "seconds": round(self.seconds, 3),
            "objectives": [o.to_dict() for o in self.objectives],
        }


def check(lab: Lab, target, settings: Settings, record: bool = True) -> CheckReport:
    """Run the lab's checks against what is on the target (the learner's work); apply only the
    ``auto`` steps, once every task before them has passed."""
    from .runner import describe_exception, run_checks

    started = time.perf_counter()
    goals = objectives(lab, settings)
    module = lab.load_steps()
    ctx = _context(lab, target, settings)
    on_aws = target.name == "aws"
    blocked = None  # the first task not done yet: auto steps after it wait for it
    for goal in goals:
        step = lab.step(goal.step)
        if goal.role == "aws-only" and on_aws:  # on AWS it is an ordinary step of its declared role
            goal.role = step.practice or "task"
        if goal.role == "teardown":  # the earlier objectives are checked on what it would delete
            goal.status, goal.note = "skipped", f"do this once you pass (`awslabs reset {lab.id}` does it too)"
            continue
        if goal.role == "aws-only" and not on_aws:
            goal.status, goal.note = "skipped", step.aws_only or "needs the real service"
            continue
        if goal.role == "auto":
            if blocked:
                goal.status, goal.note = "waiting", f"runs once '{blocked}' passes"
                continue
            try:
                getattr(module, f"apply_{goal.step}")(ctx)
            except SkipStep as skip:
                goal.status, goal.note = "skipped", str(skip)
                continue
            except Exception as err:  # noqa: BLE001
                goal.checks = [Check(goal.title, False, f"awslabs could not do this step: {describe_exception(err)}")]
                goal.status = "failed"
                continue
        goal.checks = run_checks(module, step, ctx, on_aws)
        ran = [c for c in goal.checks if not c.skipped]
        goal.status = "passed" if ran and all(c.ok for c in ran) else ("skipped" if not ran else "failed")
        if goal.role == "setup" and goal.status == "failed":
            goal.note = f"awslabs sets this up: run `awslabs start {lab.id}` (again)"
        if goal.status == "failed" and goal.role in ("task", "setup") and blocked is None:
            blocked = goal.step
    _save_state(ctx, settings)
    report = CheckReport(lab.id, lab.title, target.name, target.account, target.region, goals,
                         time.perf_counter() - started)
    if record:
        progress = Progress(settings.home)
        entry = progress.lab(target_key(target), lab.id)
        done, total = report.score
        entry.update(checked=time.time(), score=[done, total], failing=[o.step for o in report.scored if o.status != "passed"])
        if report.passed and not entry.get("passed"):
            entry["passed"], entry["passed_at"] = True, time.time()
        progress.save()
    return report


def changes(previous: CheckReport | None, current: CheckReport) -> dict[str, Any]:
    """What changed between two checks of a lab (`awslabs check --watch`): the scored objectives
    that pass now and did not (``newly_passing``), that fail now and did not (``newly_failing``,
    a regression or a first verdict), and any other change of status (``changed``: step, before,
    after). Against no previous check, every objective counts as changed."""
    before = {o.step: o.status for o in previous.objectives} if previous else {}
    passing, failing, other = [], [], []
    for goal in current.objectives:
        if goal.role not in ("task", "auto") or before.get(goal.step) == goal.status:
            continue
        if goal.status == "passed":
            passing.append(goal.step)
        elif goal.status == "failed":
            failing.append(goal.step)
        else:
            other.append({"step": goal.step, "before": before.get(goal.step), "after": goal.status})
    return {"newly_passing": passing, "newly_failing": failing, "changed": other}


# -- hints and the solution -----------------------------------------------------------------------
@dataclass
class Hint:
    lab: str
    step: str
    title: str
    level: int  # 1..3
    text: list[str]
    gaps: list[str] = field(default_factory=list)  # what the emulator does not do (emulator_gaps)
    why: str | None = None
    docs: str | None = None
    irreversible: str | None = None
    cost: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"lab": self.lab, "step": self.step, "title": self.title, "level": self.level,
                "kind": HINT_LEVELS[self.level - 1], "text": self.text, "emulator_gaps": self.gaps,
                "why": self.why, "docs": self.docs, "irreversible": self.irreversible, "cost": self.cost}


def hint(lab: Lab, settings: Settings, target, step_id: str | None = None) -> Hint:
    """The next hint for ``step_id`` (default: the first task not passed at the last check)."""
    every = objectives(lab, settings)
    goals = [g for g in every if g.role == "task"]
    if not goals:
        raise UsageError(f"lab '{lab.id}' has nothing for the learner to build.")
    progress = Progress(settings.home)
    entry = progress.lab(target_key(target), lab.id)
    if step_id is None:
        failing = entry.get("failing") or []
        step_id = next((g.step for g in goals if g.step in failing), goals[0].step)
    goal = next((g for g in goals if g.step == step_id), None)
    if goal is None:
        choices = ", ".join(g.step for g in goals)
        raise UsageError(f"'{step_id}' is not a task of {lab.id}; its tasks are: {choices}.")
    level = min(entry["hints"].get(step_id, 0) + 1, len(HINT_LEVELS))
    entry["hints"][step_id] = level
    progress.save()
    recorded = load_reference(lab, settings)["steps"].get(step_id, {})
    calls = writes(recorded) or recorded.get("calls", [])
    if level == 1:
        text = [goal.hint] + ([f"Names to use: {', '.join(goal.names)}"] if goal.names else [])
    elif level == 2:
        text = [python_call(c["service"], c["operation"], _short(c["params"])) for c in calls]
    else:
        text = [cli_command(c["service"], c["operation"], c["params"]) + " --endpoint-url $AWS_ENDPOINT_URL"
                for c in calls]
    return Hint(lab.id, step_id, goal.title, level, text or ["(this step makes no AWS call)"],
                emulator_gaps(lab, every, target), goal.why, goal.docs, goal.irreversible, goal.cost)


def _short(params: dict) -> dict:
    """Parameter values shortened for a readable hint (level 3 has them whole)."""
    out = {}
    for key, value in params.items():
        text = json.dumps(value)
        out[key] = value if len(text) <= 80 else "…"
    return out


@dataclass
class Solution:
    lab: str
    steps: list[dict]

    def to_dict(self) -> dict[str, Any]:
        return {"lab": self.lab, "steps": self.steps}


def solution(lab: Lab, settings: Settings, target, reveal: bool = False) -> Solution:
    progress = Progress(settings.home)
    if not reveal and not progress.lab(target_key(target), lab.id).get("passed"):
        raise UsageError(
            f"the solution of {lab.id} is shown once you pass it (`awslabs check {lab.id}`); "
            "pass --reveal to see it now."
        )
    module = lab.load_steps()
    ref = load_reference(lab, settings)["steps"]
    steps = []
    for goal in objectives(lab, settings):
        recorded = ref.get(goal.step, {})
        steps.append({
            "step": goal.step,
            "title": goal.title,
            "role": goal.role,
            "python": inspect.getsource(getattr(module, f"apply_{goal.step}")),
            "cli": [cli_command(c["service"], c["operation"], c["params"]) for c in writes(recorded)],
        })
    return Solution(lab.id, steps)


SCRIPT_HEADER = """#!/usr/bin/env bash
# {title}: the whole practice solution as one script ({lab}).
# Run it from your work folder (awslabs-practice/{lab}, written by `awslabs start {lab}`):
#   export AWS_ENDPOINT_URL=http://127.0.0.1:5000     # against `awslabs serve`; unset it for AWS
#   bash solution.sh && awslabs check {lab}
set -euo pipefail
export AWS_DEFAULT_REGION="${{AWS_DEFAULT_REGION:-{region}}}"
export AWS_PAGER=""
# Every AWS CLI call below goes to $AWS_ENDPOINT_URL when it is set (the AWS CLI v1 does not read
# that variable for every service, so it is passed as --endpoint-url explicitly).
aws() {{ if [ -n "${{AWS_ENDPOINT_URL:-}}" ]; then command aws --endpoint-url "$AWS_ENDPOINT_URL" "$@"; else command aws "$@"; fi; }}
# The Python parts (python3 - <<'EOF' … EOF) use boto3, which reads AWS_ENDPOINT_URL itself.
"""


def script_path(lab: Lab) -> Path:
    """A lab's hand-written practice solution: ``labs/<lab>/practice/solution.sh``."""
    return lab.path / "practice" / "solution.sh"


def solution_script(lab: Lab, settings: Settings, target=None, reveal: bool = False) -> str:
    """The whole solution as ONE runnable bash script written for a learner: the lab's own
    ``practice/solution.sh`` (ids captured into shell variables, files from the work folder, SDK
    steps as ``python - <<'EOF'`` blocks), after a header that points every AWS CLI call at
    ``$AWS_ENDPOINT_URL``. A lab without one gets the commands of its recorded reference run,
    marked as such: those may carry ids of the recorded run and are not promised to run."""
    if target is not None:
        solution(lab, settings, target, reveal)  # the same gate as the other forms
    header = SCRIPT_HEADER.format(title=lab.title, lab=lab.id, region=settings.region)
    path = script_path(lab)
    if path.exists():
        body = path.read_text()
        if body.startswith("#!"):
            body = body.split("\n", 1)[1]
        return header + body
    lines = ["", "# NOTE: no hand-written script for this lab yet; these are the commands of the recorded",
             "# reference run (ids and files of that run may need replacing by yours).", ""]
    ref = load_reference(lab, settings)["steps"]
    for number, goal in enumerate([g for g in objectives(lab, settings) if g.role == "task"], 1):
        lines.append(f"# -- {number}. {goal.title} ({goal.step})")
        for call in writes(ref.get(goal.step, {})):
            lines.append(cli_command(call["service"], call["operation"], call["params"]))
        lines.append("")
    return header + "\n".join(lines)


# -- reset ----------------------------------------------------------------------------------------
def practice_prefix(lab: Lab) -> str:
    """Every name a practice task asks for starts with this (``LabContext.name`` with run
    ``practice``); reset never deletes a name without it."""
    return f"awslabs-{lab.id}-{PRACTICE_RUN}-"


def resettable_steps(lab: Lab, settings: Settings) -> list[str]:
    """The steps `awslabs reset LAB STEP` accepts: the learner's tasks, in lab order."""
    return [g.step for g in objectives(lab, settings) if g.role == "task"]


def step_names(lab: Lab, settings: Settings, steps: list[str]) -> set[str]:
    """The practice names ``steps`` own: the ``names`` of their objectives and the awslabs names of
    what the reference run created in them — only names of this lab's practice run."""
    from .cleanup import _name_in

    prefix = practice_prefix(lab)
    ref = load_reference(lab, settings)["steps"]
    found: set[str] = set()
    for goal in objectives(lab, settings):
        if goal.step not in steps:
            continue
        found.update(n for n in goal.names if n.startswith(prefix))
        for created in ref.get(goal.step, {}).get("created", []):
            name = _name_in(created["id"])
            if name and name.startswith(prefix):
                found.add(name)
    return found


@dataclass
class ResetResult:
    lab: str
    step: str | None  # None: the whole lab
    cleared: list[str]  # the steps whose progress was cleared (all of them for a whole-lab reset)
    cleanup: Any  # awslabs.cleanup.CleanupResult

    @property
    def deleted(self) -> list[dict]:
        return self.cleanup.deleted

    @property
    def leftover(self) -> list[dict]:
        return self.cleanup.leftover

    @property
    def notes(self) -> list[dict]:
        return self.cleanup.notes

    def to_dict(self) -> dict[str, Any]:
        return {"lab": self.lab, "step": self.step, "cleared": self.cleared, **self.cleanup.to_dict()}


def reset(lab: Lab, target, settings: Settings, delete_resources: bool = True, step: str | None = None):
    """Forget progress and practice state; delete what start/check created and everything the
    task's names point to (idempotent: what does not exist counts as gone).

    With ``step`` (one of the lab's tasks): undo that objective and every later one, so the learner
    can redo them — delete the resources those steps own (their practice names: the names a task
    requires and what the reference run created in them, found on the target, in the practice
    ledger and by name; never a setup step's, never a name outside ``awslabs-<lab>-practice-``),
    the S3 objects their reference calls put into a practice bucket that stays, and clear those
    steps' progress (hints, score, passed). What setup made and the practice state stay."""
    from .cleanup import CleanupResult, _name_in, delete_entries, sweep
    from .ledger import Entry

    tasks = resettable_steps(lab, settings) if step is not None else []
    if step is not None and step not in tasks:
        choices = ", ".join(tasks) or "(none: it has no tasks)"
        raise UsageError(f"'{step}' is not a task of {lab.id}; reset one of: {choices}.")
    later: list[str] = []
    if step is not None:
        goals = objectives(lab, settings)
        index = [g.step for g in goals].index(step)
        later = [g.step for g in goals[index:] if g.role != "setup"]
    result = CleanupResult()
    if delete_resources:
        ctx = _context(lab, target, settings)
        entries = ctx.ledger.pending(run=PRACTICE_RUN, lab=lab.id)
        known = {(e.kind, e.id) for e in entries}
        recorded = load_reference(lab, settings)["steps"]
        for name, goal_step in recorded.items():
            for created in goal_step.get("created", []):
                if (created["kind"], created["id"]) not in known and not created["id"].startswith("pending:"):
                    entries.append(Entry(PRACTICE_RUN, "?", target.name, target.region, created["kind"],
                                         created["id"], extra=created.get("extra", {})))
                    known.add((created["kind"], created["id"]))
        for kind, rid in sweep(target, run=PRACTICE_RUN, lab=lab.id):
            if (kind, rid) not in known:
                entries.append(Entry(PRACTICE_RUN, "?", target.name, target.region, kind, rid))
                known.add((kind, rid))
        if step is not None:
            doomed = step_names(lab, settings, later)
            entries = [e for e in entries if _name_in(e.id) in doomed]
        result = delete_entries(target, entries, ctx.ledger)
        if step is not None:
            gone = {_name_in(e.id) for e in entries}
            result.merge(_delete_step_objects(lab, target, [recorded.get(s, {}) for s in later], gone))
    if step is None:
        _state_path(settings, target, lab).unlink(missing_ok=True)
        progress = Progress(settings.home)
        progress.data.get(target_key(target), {}).pop(lab.id, None)
        progress.save()
        return ResetResult(lab.id, None, [], result)
    progress = Progress(settings.home)
    labs = progress.data.get(target_key(target), {})
    if lab.id in labs:
        entry = labs[lab.id]
        for cleared in later:
            (entry.get("hints") or {}).pop(cleared, None)
        entry.update(passed=False, score=None)
        entry.pop("passed_at", None)
        entry["failing"] = [s for s in tasks if s in later or s in (entry.get("failing") or [])]
        progress.save()
    return ResetResult(lab.id, step, [s for s in later if s in tasks], result)


def _delete_step_objects(lab: Lab, target, recorded_steps: list[dict], gone: set[str]):
    """The objects the reference run of these steps put into a practice bucket that stays (an
    earlier step's): delete them by bucket and key, so the step starts over."""
    from .cleanup import CleanupResult

    result = CleanupResult()
    prefix = practice_prefix(lab)
    seen = set()
    for recorded in recorded_steps:
        for call in recorded.get("calls", []):
            if call["service"] != "s3" or call["operation"] not in ("PutObject", "CopyObject"):
                continue
            bucket, key = call["params"].get("Bucket"), call["params"].get("Key")
            if not (isinstance(bucket, str) and bucket.startswith(prefix) and isinstance(key, str)):
                continue
            if bucket in gone or (bucket, key) in seen:
                continue
            seen.add((bucket, key))
            try:
                target.client("s3").delete_object(Bucket=bucket, Key=key)
                result.deleted.append({"kind": "s3:object", "id": f"{bucket}/{key}"})
            except Exception as err:  # noqa: BLE001 - a missing bucket means nothing to undo
                if "NoSuchBucket" not in str(err) and "NoSuchKey" not in str(err):
                    result.leftover.append({"kind": "s3:object", "id": f"{bucket}/{key}", "error": str(err)})
    return result


# -- declared variants: other valid ways and near misses ---------------------------------------------
@dataclass
class Variant:
    """One way a learner may do an objective: ``accept`` (another valid way: it must pass) or
    ``reject`` (a near miss: it must fail, and a failing check's name or message must contain
    ``fix``, the word that tells the learner what to change). ``build(ctx)`` does the learner's
    work for that objective on the target; the objectives before it are done the reference way.
    ``known_gap`` marks a near miss the checks do not catch yet (reported, not hidden)."""

    step: str
    verdict: str  # accept | reject
    why: str
    build: Any
    fix: str = ""
    known_gap: str = ""


def accept(step: str, why: str, build) -> Variant:
    return Variant(step, "accept", why, build)


def reject(step: str, why: str, build, fix: str, known_gap: str = "") -> Variant:
    return Variant(step, "reject", why, build, fix, known_gap)


def tweak(ctx: LabContext, service: str, operation: str, change, apply) -> None:
    """Do ``apply(ctx)`` (the reference way) with each ``operation`` call's parameters changed by
    ``change(params)`` first: the compact way to declare "the same, but …" variants."""
    client = ctx.client(service)

    def handler(params, **_):
        change(params)

    # botocore emits provide-client-params.<service id, hyphenized>.<Operation>; the endpoint prefix
    # differs for several services (emr: elasticmapreduce, kinesisanalyticsv2: kinesisanalytics) and
    # only some of those have an alias, so a handler under the prefix could silently never run.
    event = f"provide-client-params.{client.meta.service_model.service_id.hyphenize()}.{operation}"
    client.meta.events.register(event, handler)
    try:
        apply(ctx)
    finally:
        client.meta.events.unregister(event, handler)


def variants(lab: Lab) -> list[Variant]:
    """The lab's declared variants (``labs/<lab>/practice/variants.py``, a list ``VARIANTS``)."""
    path = lab.path / "practice" / "variants.py"
    if not path.exists():
        return []
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"awslabs_variants_{lab.id.replace('-', '_')}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return list(module.VARIANTS)


def try_variant(lab: Lab, variant: Variant, target, settings: Settings) -> list[Check]:
    """start → the objectives before ``variant.step`` as `check` would find them (the reference way
    for the tasks, awslabs' own work for the ``auto`` steps, in lab order) → the variant → the checks
    of that one objective. The auto steps after the variant's step are not run: they would act on
    the variant's result and judge it a second time."""
    from .runner import run_checks

    reset(lab, target, settings)
    start(lab, target, settings)
    module = lab.load_steps()
    learner = LabContext(lab, target, Ledger(None), PRACTICE_RUN, settings.ttl_hours, settings.home)
    ctx = _context(lab, target, settings)
    for goal in objectives(lab, settings):
        if goal.step == variant.step:
            break
        if goal.role == "task":
            getattr(module, f"apply_{goal.step}")(learner)
        elif goal.role == "auto":  # `check` does these once the tasks before them pass
            try:
                getattr(module, f"apply_{goal.step}")(ctx)
            except SkipStep:
                pass  # cannot run here (Spark switched off, …): `check` would skip it too
    variant.build(learner)
    return run_checks(module, lab.step(variant.step), ctx, on_aws=False)


# -- self-test of the content -----------------------------------------------------------------------
@dataclass
class SelfTest:
    lab: str
    before: CheckReport
    after: CheckReport
    again: CheckReport
    errors: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        found = list(self.errors)
        for goal in self.before.scored:
            if goal.status == "passed":
                found.append(f"'{goal.step}' passes right after start, before the learner did anything")
        for report in (self.after, self.again):
            for goal in report.scored:
                if goal.status != "passed":
                    why = "; ".join(f"{c.name}: {c.message}" for c in goal.checks if not c.ok and not c.skipped)
                    found.append(f"'{goal.step}' fails after the reference solution: {why or goal.note}")
        return found


def selftest(lab: Lab, target, settings: Settings) -> SelfTest:
    """start → check (nothing may pass) → the reference solution done as a learner would (in a
    separate context whose in-memory facts are thrown away) → check (everything must pass, twice).
    On in-process moto the emulator starts empty, like a fresh `awslabs serve`: recording the
    reference leaves data no API can delete (CloudWatch metrics, KDA applications)."""
    load_reference(lab, settings)
    if target.name == "moto":
        from moto.moto_api._internal.models import moto_api_backend

        moto_api_backend.reset()
    reset(lab, target, settings)
    try:
        start(lab, target, settings)
        before = check(lab, target, settings, record=False)
        from .runner import describe_exception

        module = lab.load_steps()
        learner = LabContext(lab, target, Ledger(None), PRACTICE_RUN, settings.ttl_hours, settings.home)
        errors = []
        for goal in objectives(lab, settings):
            if goal.role == "task":
                try:
                    getattr(module, f"apply_{goal.step}")(learner)
                except SkipStep:
                    pass  # cannot run on this target; its check reports it
                except Exception as err:  # noqa: BLE001 - a solution that cannot be done by hand
                    errors.append(f"'{goal.step}': the reference solution fails when done by hand "
                                  f"(without awslabs' in-memory facts): {describe_exception(err)}")
        after = check(lab, target, settings, record=False)
        again = check(lab, target, settings, record=False)
    finally:
        reset(lab, target, settings)
    return SelfTest(lab.id, before, after, again, errors)
