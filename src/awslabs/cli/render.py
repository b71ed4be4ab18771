"""Terminal rendering with rich. Colour is off when the stream is not a TTY or NO_COLOR is set
(rich honours both). Nothing here imports boto3."""
from __future__ import annotations

import contextlib
import os
import sys

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..errors import TargetUnavailable

MARKS = {"passed": "[green]✔[/]", "failed": "[red]✘[/]", "skipped": "[yellow]↷[/]", "not-run": "[dim]·[/]"}
LABEL_STYLE = {"emulated": "cyan", "aws": "blue", "simulated": "magenta", "local": "green", "aws-only": "yellow"}


def stdout() -> Console:
    return Console(highlight=False, soft_wrap=True)


def stderr() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


@contextlib.contextmanager
def status(console: Console, message: str):
    if console.is_terminal:
        with console.status(message):
            yield
    else:
        yield


def show_lab(console: Console, lab, practice=None) -> None:
    from rich.markdown import Markdown

    console.print(f"[bold]{escape(lab.title)}[/]  ([dim]{lab.id}[/])")
    console.print(
        f"{lab.domain} · {', '.join(lab.services)} · ~{lab.minutes} min · real AWS: {escape(lab.cost)}"
    )
    console.print(f"steps: {', '.join(s.id for s in lab.steps)}")
    console.print(f"run it: awslabs run {lab.id}")
    if practice is not None:
        practice_outline(console, practice)
    console.print()
    console.print(Markdown(lab.guide()))
    # The AWS facts the lab relies on, each with its page and the day it was read: one registry
    # (awslabs.facts, data only: no boto3/moto import) that the simulators use too.
    from ..facts import sources_markdown

    sources = sources_markdown(lab.id)
    if sources:
        console.print(Markdown(sources))


def note_real_credentials(console: Console, settings) -> None:
    if settings.target == "moto":
        from ..targets import real_credentials_source

        source = real_credentials_source()
        if source:
            console.print(
                f"note: AWS credentials found ({escape(source)}) but the target is moto: "
                "nothing will touch AWS (use --target aws to practise on a sandbox account)."
            )


def run_header(console: Console, lab, target) -> None:
    where = target.endpoint_url or ""
    console.print(
        f"\n[bold]{escape(lab.title)}[/] [dim]({lab.id})[/]\n"
        f"[dim]target {target.name}{' ' + where if where else ''} · {target.region} · "
        f"account {target.account}[/]"
    )


def _label(verified_by: str) -> str:
    return f"[{LABEL_STYLE.get(verified_by, 'white')}]{verified_by}[/]"


def step_line(console: Console, step, prove: bool = False) -> None:
    seconds = f"[dim]{step.seconds:.2f}s[/]" if step.seconds else ""
    console.print(f" {MARKS.get(step.status, '?')} [bold]{step.id}[/] — {escape(step.title)} {seconds}")
    if step.status == "skipped":
        if step.error and not step.checks:
            console.print(f"     [yellow]skipped:[/] {escape(step.error)}")
    elif step.error:
        console.print(f"     [red]error:[/] {escape(step.error)}")
    if prove and step.failed_before is not None:
        verdict = "[green]yes[/]" if step.failed_before else "[red]NO — a check passed before its step[/]"
        console.print(f"     [dim]checks failed before this step:[/] {verdict}")
    for check in step.checks:
        mark = "[yellow]↷[/]" if check.skipped else ("[green]✔[/]" if check.ok else "[red]✘[/]")
        message = f" [dim]— {escape(check.message)}[/]" if check.message else ""
        console.print(f"     {mark} {escape(check.name)}{message} [{_label(check.verified_by)}]")


def run_summary(console: Console, report) -> None:
    checks = [c for s in report.steps for c in s.checks]
    ran = [c for c in checks if not c.skipped]
    passed = sum(c.ok for c in ran)
    by_label: dict[str, int] = {}
    for check in checks:
        by_label[check.verified_by] = by_label.get(check.verified_by, 0) + 1
    labels = ", ".join(f"{n} {k}" for k, n in sorted(by_label.items()))
    verdict = "[green]PASSED[/]" if report.passed else ("[yellow]INTERRUPTED[/]" if report.interrupted else "[red]FAILED[/]")
    cleanup = report.cleanup
    if cleanup.kept and report.target == "moto":
        tail = "resources kept in the in-process emulator until this process exits (use --target server to inspect them)"
    elif cleanup.kept:
        tail = f"resources kept (run {report.run_id}): `awslabs cleanup --run {report.run_id}` removes them"
    else:
        tail = f"cleanup: {len(cleanup.deleted)} deleted, {len(cleanup.leftover)} left"
    console.print(
        f" {verdict} {passed}/{len(ran)} checks passed ({labels}) in {report.seconds:.1f}s · {tail}"
    )
    for item in cleanup.leftover:
        console.print(f"   [red]left:[/] {item['kind']} {escape(item['id'])} — {escape(item['error'])}")
    for item in cleanup.notes:
        console.print(f"   [yellow]note:[/] {item['kind']} {escape(item['id'])} — {escape(item['note'])}")


def overall_summary(console: Console, reports, skipped=()) -> None:
    passed = sum(r.passed for r in reports)
    total = len(reports) + len(skipped)
    tail = f", {len(skipped)} skipped (extra not installed)" if skipped else ""
    console.print(f"\n[bold]{passed}/{total} labs passed{tail}[/]")
    for report in reports:
        if not report.passed:
            console.print(f"  [red]✘[/] {report.lab}")
    for item in skipped:
        console.print(f"  [yellow]↷[/] {item['lab']} — needs the '{item['extra']}' extra")


def cleanup_result(console: Console, result) -> None:
    for item in result.deleted:
        console.print(f" [green]✔[/] deleted {item['kind']} {escape(item['id'])}")
    for item in result.leftover:
        console.print(f" [red]✘[/] left {item['kind']} {escape(item['id'])} — {escape(item['error'])}")
    console.print(f"{len(result.deleted)} deleted, {len(result.leftover)} left")


def confirm_plan(console: Console, target, labs, yes: bool, action: str, entries=None, found=None) -> None:
    """Show what will happen on a real account and ask; refuse to prompt without a terminal."""
    console.print(f"[bold]Plan on a real AWS account[/] ({action})")
    console.print(f"  account {target.account} · region {target.region} · caller {getattr(target, 'caller_arn', '')}")
    if labs:
        for lab in labs:
            console.print(f"  {lab.id}: {', '.join(lab.services)} · ~{lab.minutes} min · est. cost {escape(lab.cost)}")
        console.print(
            "  every resource is named awslabs-<lab>-<run>-…, tagged awslabs:lab/run/expires-at, "
            "recorded in the ledger before creation, and deleted at the end."
        )
    for entry in entries or []:
        console.print(f"  delete {entry.kind} {escape(entry.id)} (run {entry.run})")
    for kind, rid in found or []:
        console.print(f"  delete {kind} {escape(rid)} (found by tag/name)")
    if yes:
        return
    if not sys.stdin.isatty() or os.environ.get("CI"):
        raise TargetUnavailable(
            f"refusing to {action} resources in account {target.account} without confirmation: stdin is "
            "not a terminal; re-run with --yes if you mean it."
        )
    if not click.confirm(f"Proceed in account {target.account}?", default=False, err=True):
        raise TargetUnavailable("cancelled: nothing was changed.")


def doctor_table(findings) -> Table:
    table = Table(title="awslabs doctor", title_justify="left")
    table.add_column("")
    table.add_column("what", style="bold")
    table.add_column("value")
    table.add_column("fix")
    marks = {"ok": "[green]✔[/]", "warn": "[yellow]![/]", "error": "[red]✘[/]", "info": "·"}
    for f in findings:
        table.add_row(marks.get(f["status"], "?"), f["what"], escape(str(f["value"])), escape(f.get("fix") or ""))
    return table


# -- practice mode ----------------------------------------------------------------------------------
ROLE_TEXT = {"setup": "done by awslabs start", "auto": "done by awslabs check (as the service would)",
             "teardown": "yours once you pass; awslabs reset does it too", "aws-only": "needs real AWS"}


def practice_task(console: Console, lab, result, target) -> None:
    console.print(f"[bold]{escape(lab.title)}[/] — practice on {target.name} (account {target.account})")
    if result.setup:
        console.print(f"awslabs set up: {escape(', '.join(result.setup))}")
    console.print("\n[bold]Your objectives[/]")
    objective_list(console, result.objectives)
    emulator_gaps(console, result.gaps)
    if result.workdir:
        console.print(f"\nstarter files: {escape(str(result.workdir))}")
    endpoint = target.endpoint_url
    if endpoint:
        console.print(f"work against the server:  export AWS_ENDPOINT_URL={endpoint}   (aws --endpoint-url {endpoint} …)")
    console.print(f"then:  awslabs check {lab.id}    stuck?  awslabs hint {lab.id}")


def objective_list(console: Console, goals) -> None:
    """The objectives as `start` presents them, and `show` too (one function: they cannot drift)."""
    number = 0
    for goal in goals:
        if goal.role == "task":
            number += 1
            console.print(f" {number}. [bold]{escape(goal.title)}[/] ({goal.step})")
            console.print(f"    {escape(goal.hint)}")
            if goal.names:
                console.print(f"    names to use: [cyan]{escape(', '.join(goal.names))}[/]")
            for line in goal.details:
                console.print(f"    · {escape(line)}")
            if goal.files:
                console.print(f"    data files (in your work folder): [cyan]{escape(', '.join(goal.files))}[/]")
            objective_notes(console, goal)
        else:
            console.print(f" ·  {escape(goal.title)} [dim]— {ROLE_TEXT.get(goal.role, goal.role)}[/]")


def practice_outline(console: Console, result) -> None:
    """`awslabs show`: the practice objectives, the same list `awslabs start` prints."""
    console.print(f"\n[bold]Practice[/] ([dim]awslabs start {result.lab}[/]): your objectives")
    objective_list(console, result.objectives)
    if not result.recorded:
        console.print(f"[dim](roles and names not declared in lab.toml are taken from the reference run, recorded "
                      f"at the first `awslabs start/hint/solution {result.lab}`: run one to see them here)[/]")


def objective_notes(console: Console, goal, indent: str = "    ") -> None:
    """Why the objective matters, the AWS page the lab cites for it, and what on real AWS cannot be
    undone or costs money or time — each only when the lab says so."""
    if getattr(goal, "irreversible", None):
        console.print(f"{indent}[bold red]⚠ cannot be undone:[/] {escape(goal.irreversible)}")
    if getattr(goal, "cost", None):
        console.print(f"{indent}[bold yellow]$ cost:[/] {escape(goal.cost)}")
    if getattr(goal, "why", None):
        console.print(f"{indent}why it matters: {escape(goal.why)}")
    if getattr(goal, "docs", None):
        console.print(f"{indent}docs: {escape(goal.docs)}")


def emulator_gaps(console: Console, gaps) -> None:
    """One short block: what the emulator does not do in this lab and what stands in for it."""
    if gaps:
        console.print("\n[bold]On the emulator[/] [dim](not on real AWS)[/]")
        for line in gaps:
            console.print(f" [dim]·[/] {escape(line)}")


def practice_report(console: Console, report) -> None:
    done, total = report.score
    console.print(f"\n[bold]{escape(report.title)}[/] [dim]({report.lab}, {report.target})[/]")
    marks = {"passed": "[green]✔[/]", "failed": "[red]✘[/]", "waiting": "[dim]…[/]", "skipped": "[yellow]↷[/]"}
    for goal in report.objectives:
        role = f" [dim]({ROLE_TEXT[goal.role]})[/]" if goal.role in ROLE_TEXT else ""
        console.print(f" {marks.get(goal.status, '·')} [bold]{escape(goal.title)}[/]{role}")
        if goal.note:
            console.print(f"     [dim]{escape(goal.note)}[/]")
        for check in goal.checks:
            if check.skipped:
                continue
            mark = "[green]✔[/]" if check.ok else "[red]✘[/]"
            message = f" [dim]— {escape(check.message)}[/]" if check.message else ""
            console.print(f"     {mark} {escape(check.name)}{message} [{_label(check.verified_by)}]")
        if goal.status == "failed" and goal.role == "task":
            console.print(f"     [yellow]look at:[/] {escape(goal.hint)}  ([dim]awslabs hint {report.lab} {goal.step}[/])")
        if goal.status == "failed":
            failing_notes(console, goal)
    verdict = "[green]PASSED[/]" if report.passed else "[yellow]not yet[/]"
    console.print(f" score {done}/{total} · {verdict}")


def failing_notes(console: Console, goal, indent: str = "     ") -> None:
    """Under a failing objective in `check`: why it matters and the AWS page the lab cites for it,
    one line each, only when the lab has them (the same `why` and `docs` start and hint show)."""
    if getattr(goal, "why", None):
        console.print(f"{indent}[dim]why it matters:[/] {escape(goal.why)}")
    if getattr(goal, "docs", None):
        console.print(f"{indent}[dim]docs:[/] {escape(goal.docs)}")


def watching(console: Console, lab_id: str, interval: float) -> None:
    console.print(f"[dim]watching {lab_id}: checking again every {interval:g}s, printing only what changes "
                  "(Ctrl-C stops)[/]")


def practice_changes(console: Console, report, diff) -> None:
    """`check --watch` after the first check: only the objectives whose verdict changed."""
    if not (diff["newly_passing"] or diff["newly_failing"] or diff["changed"]):
        return
    import time

    done, total = report.score
    console.print(f"\n[dim]{time.strftime('%H:%M:%S')}[/] score {done}/{total}")
    goals = {g.step: g for g in report.objectives}
    for step in diff["newly_passing"]:
        console.print(f" [green]✔ now passes:[/] [bold]{escape(goals[step].title)}[/] ({step})")
    for step in diff["newly_failing"]:
        goal = goals[step]
        console.print(f" [red]✘ now fails:[/] [bold]{escape(goal.title)}[/] ({step})")
        for check in goal.checks:
            if not check.ok and not check.skipped:
                message = f" [dim]— {escape(check.message)}[/]" if check.message else ""
                console.print(f"     ✘ {escape(check.name)}{message}")
        failing_notes(console, goal)
    for item in diff["changed"]:
        note = goals[item["step"]].note
        console.print(f" [dim]· {escape(goals[item['step']].title)}: {item['after']}"
                      f"{' — ' + escape(note) if note else ''}[/]")
    if report.passed:
        console.print(" [green]PASSED[/] — every objective passes.")


def practice_step_reset(console: Console, result) -> None:
    """`awslabs reset LAB STEP`: what was deleted, and which objectives to redo."""
    for item in result.deleted:
        console.print(f" [green]✔[/] deleted {item['kind']} {escape(item['id'])}")
    for item in result.leftover:
        console.print(f" [red]✘[/] left {item['kind']} {escape(item['id'])} — {escape(item['error'])}")
    console.print(f"reset {result.lab} from {result.step}: {len(result.deleted)} resource(s) deleted, "
                  f"{len(result.leftover)} left; redo: {', '.join(result.cleared)}")
    console.print(f"[dim]what `start` set up stays; changes you made in earlier steps' resources stay too. "
                  f"then: awslabs check {result.lab}[/]")


def practice_summary(console: Console, reports) -> None:
    passed = sum(r.passed for r in reports)
    console.print(f"\n[bold]{passed}/{len(reports)} labs passed[/]")


def practice_hint(console: Console, hint) -> None:
    from ..practice import HINT_LEVELS

    console.print(f"[bold]{escape(hint.title)}[/] ({hint.step}) — hint {hint.level}/{len(HINT_LEVELS)}: {HINT_LEVELS[hint.level - 1]}")
    for line in hint.text:
        console.print(f"  {escape(line)}")
    objective_notes(console, hint, indent="  ")
    emulator_gaps(console, getattr(hint, "gaps", []))
    if hint.level < len(HINT_LEVELS):
        console.print(f"[dim]more: awslabs hint {hint.lab} {hint.step}[/]")


def practice_solution(console: Console, solution) -> None:
    from rich.syntax import Syntax

    for step in solution.steps:
        role = f" [dim]({ROLE_TEXT[step['role']]})[/]" if step["role"] in ROLE_TEXT else ""
        console.print(f"\n[bold]{escape(step['title'])}[/] ({step['step']}){role}")
        console.print(Syntax(step["python"].rstrip(), "python", theme="ansi_dark", background_color="default"))
        if step["cli"]:
            console.print("[dim]# the same with the AWS CLI (add --endpoint-url for the server):[/]")
            for line in step["cli"]:
                console.print(escape(line))


def practice_progress(console: Console, data: dict) -> None:
    if not data:
        console.print("no practice yet: `awslabs start LAB` begins one.")
        return
    table = Table(title="awslabs progress", title_justify="left")
    for column in ("target", "lab", "score", "passed", "hints used"):
        table.add_column(column)
    for key, labs in sorted(data.items()):
        for lab_id, entry in sorted(labs.items()):
            score = entry.get("score")
            table.add_row(key, lab_id, f"{score[0]}/{score[1]}" if score else "started",
                          "✔" if entry.get("passed") else "", str(sum((entry.get("hints") or {}).values())))
    console.print(table)
