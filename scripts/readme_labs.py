#!/usr/bin/env python3
"""Regenerate the labs table and the exam coverage summary in README.md from the catalogue and
the exam guides (between the labs-table and exam-coverage markers).

Run after adding or renaming a lab: ``python scripts/readme_labs.py``. ``--check`` exits 1 when
the README is out of date (tests/test_catalogue.py runs the same comparison).
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- labs-table:start -->", "<!-- labs-table:end -->"
COVERAGE_START, COVERAGE_END = "<!-- exam-coverage:start -->", "<!-- exam-coverage:end -->"


def table(labs) -> str:
    rows = ["| lab | domain | services | min | what you practise |", "|---|---|---|---|---|"]
    for lab in labs:
        rows.append(f"| `{lab.id}` | {lab.domain} | {', '.join(lab.services)} | {lab.minutes} | {lab.summary} |")
    return "\n".join(rows)


def coverage_summary(labs) -> str:
    from awslabs.exams import coverage, exam_codes, load_guide

    out = []
    for code in exam_codes(ROOT / "exams"):
        report = coverage(load_guide(code, ROOT / "exams"), labs)
        out.append(f"**{report['name']}** ({code.upper()}, {report['status']}): "
                   f"{report['covered']}/{len(report['tasks'])} task statements practised.\n")
        out.append("| task | statement | labs |")
        out.append("|---|---|---|")
        for task in report["tasks"]:
            names = ", ".join(f"`{lab}`" for lab in task["labs"]) or "**not covered yet**"
            out.append(f"| {task['id']} | {task['title']} | {names} |")
        out.append("")
    return "\n".join(out).rstrip()


def render(readme: str, labs) -> str:
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), flags=re.S)
    readme = pattern.sub(lambda _: f"{START}\n{table(labs)}\n{END}", readme)
    pattern = re.compile(re.escape(COVERAGE_START) + r".*?" + re.escape(COVERAGE_END), flags=re.S)
    return pattern.sub(lambda _: f"{COVERAGE_START}\n{coverage_summary(labs)}\n{COVERAGE_END}", readme)


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT / "src"))
    from awslabs.catalog import Catalog

    labs = list(Catalog(ROOT / "labs"))
    path = ROOT / "README.md"
    current = path.read_text(encoding="utf-8")
    updated = render(current, labs)
    if "--check" in argv:
        if updated != current:
            print("README.md labs table is out of date: run python scripts/readme_labs.py", file=sys.stderr)
            return 1
        return 0
    path.write_text(updated, encoding="utf-8")
    print(f"README.md: {len(labs)} labs")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
