"""`awslabs exam`: parse, call awslabs.exam, render. Registered on the main group in __init__."""
from __future__ import annotations

import json
import sys

import click

from ..errors import ExitStatus, UsageError


@click.command()
@click.option("--exam", "exam_code", default="mla-c01", show_default=True, metavar="CODE",
              help="mla-c01 (current) or mls-c01 (retired 2026-03-31).")
@click.option("--domain", metavar="D", help="Only this domain's questions (its number, e.g. 1).")
@click.option("--count", type=int, help="How many questions (default: the real exam's 65).")
@click.option("--minutes", type=int, help="Time limit (default: the exam's time per question × count).")
@click.option("--seed", type=int, help="Same seed, same questions in the same order.")
@click.option("--review", is_flag=True, help="Bring back the questions you missed that are due (Leitner boxes), "
              "and suggest labs for your weakest task statements.")
@click.option("--export", "export_dir", metavar="DIR", help="Write a paper version and a separate key to DIR.")
@click.option("--line", "line_mode", is_flag=True, help="Plain line mode (also used when not on a terminal).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON document (prompts go to stderr).")
def exam(exam_code, domain, count, minutes, seed, review, export_dir, line_mode, as_json):
    """A timed practice exam, domain-weighted like the real one, scored 100–1000 with the pass mark.

    After submitting: every question with your answer, the right one, why each option is right or
    wrong, the lab that demonstrates it and the documentation source. Ctrl-C saves the attempt.
    """
    from . import handle_errors

    handle_errors(_exam)(exam_code=exam_code, domain=domain, count=count, minutes=minutes, seed=seed, review=review,
                         export_dir=export_dir, line_mode=line_mode, as_json=as_json)


def _exam(exam_code, domain, count, minutes, seed, review, export_dir, line_mode, as_json):
    from pathlib import Path

    from ..exam import Attempt, load_bank, minutes_for, select
    from ..exam.history import History, attempt_record
    from ..exam.line_ui import render_result, run_line_exam

    bank = load_bank(exam_code)
    for problem in bank.problems:
        click.echo(f"awslabs: note: skipped: {problem}", err=True)
    if not bank.questions:
        raise UsageError(f"the {bank.guide.code} question bank is empty.")
    if minutes is not None and minutes < 1:
        raise UsageError("--minutes must be at least 1.")
    if export_dir:
        from ..exam.export import export

        questions = select(bank, count=count, domain=domain, seed=seed)
        paper, key = export(questions, bank.guide, Path(export_dir), seed)
        click.echo(json.dumps({"paper": str(paper), "key": str(key), "questions": len(questions)})
                   if as_json else f"wrote {paper}\nwrote {key} (the key: keep it apart)")
        return
    from . import _settings

    home = _settings().home  # an unusable AWSLABS_HOME is diagnosed before the exam starts
    history = History.load(home)
    for problem in history.problems:
        click.echo(f"awslabs: note: {problem}", err=True)
    if review:
        due = history.due(bank.guide.code)
        due = [q for q in due if any(b.id == q for b in bank.questions)]
        if not due:
            message = "nothing to review now: no missed question is due (boxes: 1 day, 2, 4, 8, 16)."
            click.echo(json.dumps({"exam": bank.guide.code, "due": 0, "message": message,
                                   "weakest": _weakest(history, bank)}) if as_json else message)
            if not as_json:
                _print_weakest(history, bank)
            return
        questions = select(bank, count=min(count or len(due), len(due)), domain=domain, seed=seed, only=due)
    else:
        questions = select(bank, count=count, domain=domain, seed=seed)
    attempt = Attempt(bank.guide, questions, minutes or minutes_for(bank.guide, len(questions)), seed)
    interactive = sys.stdin.isatty() and sys.stdout.isatty() and not line_mode and not as_json
    outcome = "submitted"
    try:
        if interactive:
            from ..exam.tui import ExamApp

            outcome = ExamApp(attempt).run() or "interrupted"
        else:
            run_line_exam(attempt, sys.stdin, sys.stderr if as_json else sys.stdout)
    except KeyboardInterrupt:
        outcome = "interrupted"
    if outcome == "interrupted":
        record = attempt_record(attempt.submit(), interrupted=True)
        record["answers"] = {k: list(v) for k, v in attempt.answers.items()}
        history.append(record)
        click.echo(f"awslabs: interrupted: attempt saved ({len(attempt.answers)} answered) in {history.path}; "
                   "it is not scored.", err=True)
        sys.exit(ExitStatus.INTERRUPTED)
    result = attempt.submit()
    history.append(attempt_record(result))
    if as_json:
        data = result.to_dict()
        data["outcome"] = outcome
        data["weakest"] = _weakest(history, bank)
        click.echo(json.dumps(data, indent=2))
        return
    click.echo(render_result(result))
    _print_weakest(history, bank)


def _weakest(history, bank, limit: int = 3) -> list[dict]:
    """The task statements with the lowest share right over every attempt, and their labs."""
    from ..catalog import Catalog
    from ..exams import labs_for

    results = history.task_results(bank.guide.code)
    labs = labs_for(bank.guide, Catalog())
    titles = {t.id: t.title for t in bank.guide.tasks}
    ranked = sorted((r["percent"], task) for task, r in results.items() if task in titles and r["percent"] < 100)
    return [{"task": task, "title": titles[task], "percent": percent, "labs": labs.get(task, [])}
            for percent, task in ranked[:limit]]


def _print_weakest(history, bank) -> None:
    weakest = _weakest(history, bank)
    if weakest:
        click.echo("\nWeakest task statements so far, and labs that practise them:")
        for row in weakest:
            labs = ", ".join(f"awslabs run {lab}" for lab in row["labs"]) or "(no lab yet: see awslabs coverage)"
            click.echo(f"  {row['task']} {row['title']}: {row['percent']} % right · {labs}")
