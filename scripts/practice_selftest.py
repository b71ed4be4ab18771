#!/usr/bin/env python3
"""Self-test of the practice content: for every lab (or the ids given), on in-process moto,
`start` → `check` (no objective may pass) → the reference solution done as a learner would →
`check` twice (every objective must pass). Prints one line per lab and the problems found.

Run: python scripts/practice_selftest.py [LAB ...]      (exit 1 when a lab has problems)
tests/test_practice.py runs the same over the whole catalogue.
"""
from __future__ import annotations

import sys
import tempfile
import time


def main(argv: list[str]) -> int:
    import os

    os.environ.setdefault("AWSLABS_HOME", tempfile.mkdtemp(prefix="awslabs-selftest-"))
    from awslabs.catalog import Catalog
    from awslabs.practice import selftest
    from awslabs.settings import Settings
    from awslabs.targets import make_target

    settings = Settings.load(target="moto")
    target = make_target(settings)
    catalog = Catalog()
    labs = [catalog.get(i) for i in argv] or list(catalog)
    failed = 0
    for lab in labs:
        started = time.perf_counter()
        result = selftest(lab, target, settings)
        done, total = result.after.score
        roles = ", ".join(f"{o.step}={o.role}" for o in result.after.objectives)
        mark = "ok " if not result.problems else "BAD"
        print(f"{mark} {lab.id:28s} {time.perf_counter() - started:5.1f}s after solution {done}/{total}  [{roles}]")
        for problem in result.problems:
            print(f"      - {problem[:400]}")
        failed += bool(result.problems)
    print(f"{len(labs) - failed}/{len(labs)} labs pass the practice self-test")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
