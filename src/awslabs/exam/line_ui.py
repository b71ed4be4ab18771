"""Line mode: the exam as plain lines in, plain lines out.

Used when stdin or stdout is not a terminal, with a screen reader, or with ``--line``. Every
screen is text that reads top to bottom; nothing is redrawn in place. Commands at the prompt::

    B            answer (one key)               A,C        answer (several keys)
    C,A,B,D      ordering                       A=2,B=1    matching
    n / p        next / previous question       g 12       go to question 12
    f            flag / unflag for review       r          review screen
    s            submit (after the review)      ?          this help

End of input submits what was answered (so answers can be piped in); the time limit submits too.
"""
from __future__ import annotations

from typing import IO

from .session import Attempt

HELP = ("answer: B | A,C | C,A,B,D (ordering) | A=2,B=1 (matching);  n next · p previous · g N go to · "
        "f flag · r review · s submit · ? help")


def render_question(attempt: Attempt) -> str:
    q = attempt.question
    flag = "  [flagged]" if q.id in attempt.flagged else ""
    answered = attempt.answers.get(q.id)
    lines = [
        f"Question {attempt.current + 1} of {len(attempt.questions)} · domain {q.domain} · task {q.task} · "
        f"{attempt.time_left_text()} left{flag}",
        "",
        q.stem,
        "",
        q.instruction,
    ]
    lines += [f"  {o.key}) {o.text}" for o in q.options]
    if q.targets:
        lines += ["", "Targets:"] + [f"  {t.key}) {t.text}" for t in q.targets]
    if answered:
        lines.append(f"Your answer: {','.join(answered)}")
    return "\n".join(lines)


def render_review(attempt: Attempt) -> str:
    lines = ["Review before submitting:"]
    for i, q in enumerate(attempt.questions):
        answer = ",".join(attempt.answers.get(q.id, ())) or "—"
        flag = " flagged" if q.id in attempt.flagged else ""
        lines.append(f"  {i + 1:3d}. {answer:12s}{flag}")
    unanswered = attempt.unanswered()
    lines.append(f"{len(attempt.questions) - len(unanswered)} answered, {len(unanswered)} unanswered, "
                 f"{len(attempt.flagged)} flagged · {attempt.time_left_text()} left")
    return "\n".join(lines)


def _valid(attempt: Attempt, tokens: list[str]) -> str | None:
    """Why the answer does not fit the question (None when it does)."""
    q = attempt.question
    keys = {o.key for o in q.options}
    if q.type == "matching":
        pairs = [t.split("=", 1) for t in tokens]
        if any(len(p) != 2 for p in pairs):
            return "match each option to a target, e.g. A=2,B=1"
        if {p[0] for p in pairs} - keys or {p[1] for p in pairs} - {t.key for t in q.targets}:
            return f"use the option keys {', '.join(sorted(keys))} and the target keys"
        return None
    if set(tokens) - keys:
        return f"answer with the option keys {', '.join(o.key for o in q.options)}"
    if q.type == "single" and len(tokens) != 1:
        return "choose one option"
    if q.type == "multiple" and len(set(tokens)) != q.choose:
        return f"choose {q.choose} options"
    if q.type == "ordering" and sorted(tokens) != sorted(keys):
        return "list every option once, in order"
    return None


def run_line_exam(attempt: Attempt, stdin: IO[str], out: IO[str]) -> None:
    """Drive the attempt until it is submitted (or time runs out, or input ends)."""
    print(f"{attempt.guide.name} ({attempt.guide.code.upper()}): {len(attempt.questions)} questions, "
          f"{attempt.minutes} minutes. {HELP}", file=out)
    show = True
    while True:
        if attempt.seconds_left() <= 0:
            print("Time is up: submitting.", file=out)
            return
        if show:
            print("\n" + render_question(attempt), file=out)
        show = True
        print("> ", end="", file=out, flush=True)
        line = stdin.readline()
        if not line:
            print("\nEnd of input: submitting.", file=out)
            return
        command = line.strip()
        lower = command.lower()
        if not command:
            show = False
            continue
        if lower == "?":
            print(HELP, file=out)
            show = False
        elif lower == "n":
            attempt.go(attempt.current + 1)
        elif lower == "p":
            attempt.go(attempt.current - 1)
        elif lower.startswith("g ") and lower[2:].strip().isdigit():
            attempt.go(int(lower[2:]) - 1)
        elif lower == "f":
            attempt.toggle_flag()
        elif lower == "r":
            print(render_review(attempt), file=out)
            show = False
        elif lower == "s":
            print(render_review(attempt), file=out)
            print("Submit now? [y/N] ", end="", file=out, flush=True)
            confirm = stdin.readline()
            if not confirm or confirm.strip().lower() in ("y", "yes"):
                return
        else:
            tokens = [t.strip().upper() for t in command.replace(" ", ",").split(",") if t.strip()]
            problem = _valid(attempt, tokens)
            if problem:
                print(f"Not recorded: {problem} ({HELP})", file=out)
                show = False
                continue
            attempt.answer(tokens)
            if attempt.current < len(attempt.questions) - 1:
                attempt.go(attempt.current + 1)
            else:
                print(render_review(attempt), file=out)
                print("That was the last question: s to submit, g N to go back.", file=out)
                show = False


def render_result(result, catalog_titles: dict[str, str] | None = None, details: bool = True) -> str:
    lines = [
        f"{'PASS' if result.passed else 'FAIL'}: scaled score {result.scaled} (pass mark {result.passing_score}) · "
        f"{result.correct}/{result.total} correct · {int(result.seconds // 60)} min",
        "  (awslabs maps 100 + 900 × correct/total; AWS's own scaling is not public — a readiness signal)",
        "By domain:",
    ]
    for d in result.domains:
        lines.append(f"  Domain {d['id']} {d['title']} ({d['weight']} %): {d['correct']}/{d['total']} ({d['percent']} %)")
    if details:
        for i, q in enumerate(result.questions, 1):
            mark = "right" if q["correct"] else "WRONG"
            lines += ["", f"{i}. [{mark}] task {q['task']} · {q['stem']}",
                      f"   your answer: {','.join(q['response']) or '—'} · correct: {','.join(q['answer'])}"]
            for o in q["options"]:
                lines.append(f"   {o['key']}) {o['text']}\n      {o['why']}")
            labs = ", ".join(f"awslabs show {lab.split(':')[0]}" + (f" (step {lab.split(':')[1]})" if ":" in lab else "")
                             for lab in q["labs"])
            lines.append(f"   practise it: {labs}\n   source: {q['source']} (read {q['read']})")
    return "\n".join(lines)
