#!/usr/bin/env python3
"""Cold start of `awslabs list` and `awslabs --help`, next to `python -c "import click"` (the floor
for any click CLI) and `python -c "import boto3"` (what the fast paths must not pay).

Prints median wall times over N runs and the ratios to the click baseline. Never asserts timings.
Run: python benchmarks/cold_start.py [N]
"""
from __future__ import annotations

import statistics
import subprocess
import sys
import time


def timed_all(cases: dict[str, list[str]], runs: int) -> dict[str, float]:
    """Median wall time per case; the cases take turns in each round so that load on the machine
    (other processes, CPU frequency) falls on all of them alike and the ratios stay meaningful."""
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(runs):
        for name, argv in cases.items():
            start = time.perf_counter()
            subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            samples[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in samples.items()}


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    py = sys.executable
    cases = {
        "python -c 'import click' (baseline)": [py, "-c", "import click"],
        "python -c 'import boto3'": [py, "-c", "import boto3"],
        "awslabs --help": [py, "-m", "awslabs", "--help"],
        "awslabs list": [py, "-m", "awslabs", "list"],
        "awslabs list --json": [py, "-m", "awslabs", "list", "--json"],
    }
    results = timed_all(cases, runs)
    base = results["python -c 'import click' (baseline)"]
    print(f"median of {runs} runs")
    for name, seconds in results.items():
        print(f"{name:40s} {seconds * 1000:7.1f} ms   x{seconds / base:4.2f} of baseline")


if __name__ == "__main__":
    main()
