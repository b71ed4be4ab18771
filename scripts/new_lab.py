#!/usr/bin/env python3
"""Scaffold a new lab: ``python scripts/new_lab.py my-lab-id``  → labs/my-lab-id/{lab.toml,steps.py,README.md}.

The scaffold runs and is checked by tests/test_labs.py like any other lab; replace its example
step with the real ones (see docs/writing-a-lab.md).
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

LABS = Path(__file__).resolve().parents[1] / "labs"

LAB_TOML = '''id = "{id}"
title = "TODO: what the learner practises"
domain = "Data Engineering"
services = ["s3"]
minutes = 10
cost = "< $0.01 on real AWS"
summary = "TODO: one sentence for `awslabs list`."

[[steps]]
id = "create_bucket"
title = "Create a bucket"
hint = "s3.create_bucket(Bucket=...), tagged with the run's tags"
'''

STEPS_PY = '''"""{id}: TODO say what this lab teaches."""
from awslabs.lab import expect


def _bucket(ctx):
    return ctx.name("data")


def apply_create_bucket(ctx):
    ctx.create_bucket(_bucket(ctx))  # tracked before the call, tagged, in the run's region


def check_create_bucket(ctx):
    names = [b["Name"] for b in ctx.client("s3").list_buckets()["Buckets"]]
    yield expect("the bucket exists", _bucket(ctx) in names, _bucket(ctx))
'''

README = '''# TODO: title

Why this matters for the exam and for real work.

## Create a bucket (create_bucket)

What the step does and what its checks show.

## Exam notes

## On real AWS

Cost, what differs from moto, what is aws-only.
'''


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not re.fullmatch(r"[a-z][a-z0-9-]{1,38}[a-z0-9]", argv[0]):
        print("usage: scripts/new_lab.py LAB_ID   (kebab-case, e.g. kinesis-data-streams)", file=sys.stderr)
        return 2
    lab_id = argv[0]
    folder = LABS / lab_id
    if folder.exists():
        print(f"labs/{lab_id} already exists", file=sys.stderr)
        return 2
    folder.mkdir(parents=True)
    (folder / "lab.toml").write_text(LAB_TOML.format(id=lab_id))
    (folder / "steps.py").write_text(STEPS_PY.format(id=lab_id))
    (folder / "README.md").write_text(README)
    print(f"created labs/{lab_id}/{{lab.toml,steps.py,README.md}}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
