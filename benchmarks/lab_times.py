#!/usr/bin/env python3
"""Wall time and peak memory of every lab on moto in one process (clients are reused across labs,
as `awslabs run --all` does). Prints a table; never asserts timings.

Run: python benchmarks/lab_times.py [LAB ...]
"""
from __future__ import annotations

import resource
import sys
import time


def main() -> None:
    started = time.perf_counter()
    from awslabs.catalog import Catalog
    from awslabs.runner import run_lab
    from awslabs.settings import Settings
    from awslabs.targets import make_target

    settings = Settings.load(target="moto")
    target = make_target(settings)
    setup = time.perf_counter() - started
    print(f"import + moto target setup: {setup:.2f} s")
    catalog = Catalog()
    labs = [catalog.get(i) for i in sys.argv[1:]] or list(catalog)
    total = 0.0
    print(f"{'lab':32s} {'seconds':>8s} {'checks':>7s} {'passed':>7s} {'peak RSS MiB':>13s}")
    for lab in labs:
        t0 = time.perf_counter()
        report = run_lab(lab, target, settings=settings)
        seconds = time.perf_counter() - t0
        total += seconds
        checks = sum(1 for s in report.steps for c in s.checks if not c.skipped)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{lab.id:32s} {seconds:8.2f} {checks:7d} {str(report.passed):>7s} {rss:13.0f}")
    print(f"{'all labs':32s} {total:8.2f}   (x{total / max(setup, 1e-9):.1f} of the setup time)")


if __name__ == "__main__":
    main()
