#!/usr/bin/env python3
"""Install figures, as a new user meets them: the README's Quick start lines in a fresh copy of
the repository and a fresh virtual environment, with uv's package cache warm (what a second
install on the same machine sees) and, with --cold, with an empty cache (every package
downloaded).

Prints, never asserts:
- core install size (the `.venv` of README line 1) and full test install size;
- README line 1: seconds from an empty venv to the first line of lab output;
- README line 2's install part (`uv sync --locked --all-extras`): seconds.

Run: python benchmarks/install.py [--cold]
Targets (issue 12): core <= 400 MB; line 1 <= 60 s warm; full test install <= 90 s warm.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def quick_start_lines() -> list[str]:
    text = (REPO / "README.md").read_text()
    block = re.search(r"## Quick start\s+```bash\n(.*?)```", text, flags=re.S)
    return [line for line in block.group(1).splitlines() if line.strip()]


def fresh_copy(where: Path) -> Path:
    """The committed tree, as a clean clone would have it (no .venv, no caches)."""
    dest = where / "awslabs"
    dest.mkdir()
    archive = subprocess.run(["git", "-C", str(REPO), "archive", "HEAD"], capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return dest


def size_mb(path: Path) -> float:
    out = subprocess.run(["du", "-sm", str(path)], capture_output=True, text=True, check=True).stdout
    return float(out.split()[0])


def shell_env(where: Path, cold: bool) -> dict[str, str]:
    """A fresh venv with pip (what .ci/run makes), active, as the README lines expect."""
    venv = where / "ci-venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT")}
    env["PATH"] = f"{venv / 'bin'}:{env['PATH']}"
    env["VIRTUAL_ENV"] = str(venv)
    env["NO_COLOR"] = "1"
    env["AWSLABS_HOME"] = str(where / "home")
    if cold:
        env["UV_CACHE_DIR"] = str(where / "uv-cache")
        env["PIP_NO_CACHE_DIR"] = "1"
    return env


def first_output_seconds(command: str, cwd: Path, env: dict[str, str], marker: str) -> tuple[float, int]:
    """Seconds until the lab's first line (its title, ending in "(lab-id)"), not pip's chatter."""
    start = time.perf_counter()
    proc = subprocess.Popen(["bash", "-c", command], cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    first = None
    for line in proc.stdout:
        if first is None and line.strip().endswith(marker):
            first = time.perf_counter() - start
    proc.wait()
    return (first if first is not None else float("nan")), proc.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cold", action="store_true", help="empty package caches (downloads everything)")
    args = parser.parse_args()
    line1, line2 = quick_start_lines()[:2]
    install2 = line2.split("&& uv run")[0].strip()
    print(f"{'cold' if args.cold else 'warm'} cache · {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="awslabs-install-") as tmp:
        where = Path(tmp)
        repo = fresh_copy(where)
        env = shell_env(where, args.cold)
        seconds, code = first_output_seconds(line1, repo, env, "(s3-storage-classes)")
        print(f"README line 1 to first lab output: {seconds:6.1f} s  (exit {code})  `{line1}`")
        print(f"core install (.venv):              {size_mb(repo / '.venv'):6.0f} MB")
        shutil.rmtree(repo / ".venv")  # the full install from an empty environment, not on top of line 1
        start = time.perf_counter()
        done = subprocess.run(["bash", "-c", install2], cwd=repo, env=env, capture_output=True)
        print(f"full test install:                 {time.perf_counter() - start:6.1f} s  (exit {done.returncode})  `{install2}`")
        print(f"full test install (.venv):         {size_mb(repo / '.venv'):6.0f} MB")
        shutil.rmtree(repo / ".venv", ignore_errors=True)


if __name__ == "__main__":
    main()
