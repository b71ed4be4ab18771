"""Run labs N-wide against ONE `awslabs serve`, several rounds, and print what passed.

    python benchmarks/concurrent_labs.py                      # the whole catalogue, 4-wide, 3 rounds
    python benchmarks/concurrent_labs.py --width 4 --rounds 3 --labs glue-etl step-functions-pipeline

Each lab is `awslabs run LAB --target server --json` in its own process, all sharing one server
and one AWSLABS_HOME (so one ledger file, appended to by every process at once). A lab must pass
every time: none may depend on timing or on what runs beside it. Labs whose extra is not installed
are left out and listed. Prints wall time per round and per lab; exits 1 when a lab failed (never
on timing).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
sys.path.insert(0, str(SRC))


def start_server(env) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, "-m", "awslabs", "serve", "--port", "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env=env)
    line = proc.stdout.readline()
    if not line.startswith("export AWS_ENDPOINT_URL="):
        proc.kill()
        raise SystemExit(f"awslabs serve did not start: {line!r}")
    return proc, line.strip().split("=", 1)[1]


def run_lab(lab: str, env) -> dict:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "awslabs", "run", lab, "--target", "server", "--json"],
                            capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, timeout=1800)
    seconds = time.perf_counter() - started
    try:
        report = json.loads(result.stdout)
    except ValueError:
        report = {}
    failed = [f"{s['id']}: {s.get('error') or '; '.join(c['name'] + ': ' + str(c['message']) for c in s['checks'] if not c['ok'] and not c['skipped'])}"
              for s in report.get("steps", []) if s.get("status") == "failed"]
    return {"lab": lab, "exit": result.returncode, "seconds": seconds, "failed": failed,
            "leftover": len(report.get("cleanup", {}).get("leftover", [])),
            "stderr": result.stderr.strip().splitlines()[-1:] if result.returncode else []}


def installed_labs() -> tuple[list[str], list[str]]:
    from awslabs.catalog import Catalog
    from awslabs.extras import MissingExtra, require_extra

    labs, skipped = [], []
    for lab in Catalog():
        try:
            require_extra(lab.id, lab.extra)
            labs.append(lab.id)
        except MissingExtra:
            skipped.append(lab.id)
    return labs, skipped


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--width", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--labs", nargs="*")
    args = parser.parse_args(argv)
    labs, skipped = (args.labs, []) if args.labs else installed_labs()
    if skipped:
        print(f"left out (extra not installed): {', '.join(skipped)}")
    all_ok = True
    for round_no in range(1, args.rounds + 1):
        with tempfile.TemporaryDirectory() as home:
            env = {**os.environ, "AWSLABS_HOME": home, "NO_COLOR": "1", "AWSLABS_LOCAL_SPARK": "0",
                   "AWSLABS_TARGET": "server"}
            server, url = start_server(env)
            env["AWSLABS_ENDPOINT_URL"] = url
            try:
                started = time.perf_counter()
                with ThreadPoolExecutor(args.width) as pool:
                    results = list(pool.map(lambda lab: run_lab(lab, env), labs))
                wall = time.perf_counter() - started
                from awslabs.ledger import Ledger

                ledger = Ledger(Path(home) / "ledger.jsonl")
                pending, problems = ledger.pending(), ledger.problems
            finally:
                server.terminate()
                server.wait(timeout=30)
        bad = [r for r in results if r["exit"] != 0]
        all_ok &= not bad and not pending and not problems
        print(f"round {round_no}: {len(results) - len(bad)}/{len(results)} labs passed, {args.width}-wide, "
              f"{wall:.1f}s wall; ledger: {len(pending)} pending, {len(problems)} corrupt line(s)")
        for r in sorted(results, key=lambda r: -r["seconds"]):
            mark = "ok  " if r["exit"] == 0 else f"FAIL exit {r['exit']}"
            print(f"  {mark} {r['lab']:<28} {r['seconds']:6.1f}s {'; '.join(r['failed'] + r['stderr'])[:300]}")
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
