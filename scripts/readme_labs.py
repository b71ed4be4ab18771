#!/usr/bin/env python3
"""Regenerate the labs table in README.md from the catalogue (between the labs-table markers).

Run after adding or renaming a lab: ``python scripts/readme_labs.py``. ``--check`` exits 1 when
the README is out of date (tests/test_catalogue.py runs the same comparison).
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- labs-table:start -->", "<!-- labs-table:end -->"


def table(labs) -> str:
    rows = ["| lab | domain | services | min | what you practise |", "|---|---|---|---|---|"]
    for lab in labs:
        rows.append(f"| `{lab.id}` | {lab.domain} | {', '.join(lab.services)} | {lab.minutes} | {lab.summary} |")
    return "\n".join(rows)


def render(readme: str, labs) -> str:
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), flags=re.S)
    return pattern.sub(f"{START}\n{table(labs)}\n{END}", readme)


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
