#!/usr/bin/env python3
"""Drift check: would awslabs still pass with the newest versions its bounds allow?

The lock (uv.lock) pins what the tests passed with; people who `pip install awslabs` without it get
the newest versions the bounds in pyproject.toml allow. This script builds that environment in a
throwaway folder (ignoring the lock), runs every lab on moto and against an `awslabs serve` from the
same environment, and prints which labs break, with the versions of the packages that matter next
to the locked ones. `--lift-caps` also lets boto3/botocore go past their cap, to see whether the
reason for the cap (moto not routing a newer botocore) is gone.

    python scripts/check_latest_deps.py [--lift-caps] [--labs a,b] [--keep]

Exit 0 when every lab passes on both targets, 1 when any breaks, 2 when the environment cannot be
built. Needs uv (the test extra installs it) and the package registry.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WATCHED = ("boto3", "botocore", "moto", "sagemaker", "duckdb", "pyarrow", "pandas", "numpy", "scikit-learn",
           "matplotlib", "optuna", "click", "rich")


def uv() -> str:
    found = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if not found:
        sys.exit("check_latest_deps: uv is needed (pip install uv)")
    return found


def locked_versions() -> dict[str, str]:
    import tomllib

    from packaging.markers import Marker  # pytest's dependency, so in the test environment

    lock = tomllib.loads((REPO / "uv.lock").read_text())
    versions: dict[str, str] = {}
    for package in lock.get("package", []):
        # a package locked at several versions (one per Python range) says for which in its markers
        markers = package.get("resolution-markers") or []
        if not markers or any(Marker(m).evaluate() for m in markers):
            versions[package["name"]] = package.get("version", "?")
    return versions


def installed_versions(python: Path) -> dict[str, str]:
    code = ("import json, importlib.metadata as m\n"
            f"names = {list(WATCHED)!r}\n"
            "out = {}\n"
            "for n in names:\n"
            "    try: out[n] = m.version(n)\n"
            "    except m.PackageNotFoundError: out[n] = '-'\n"
            "print(json.dumps(out))")
    return json.loads(subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=True).stdout)


def build_env(where: Path, lift_caps: bool) -> Path:
    venv = where / "venv"
    subprocess.run([uv(), "venv", "--quiet", "--python", sys.executable, str(venv)], check=True)
    python = venv / "bin" / "python"
    cmd = [uv(), "pip", "install", "--quiet", "--python", str(python), "--upgrade", "--refresh",
           f"{REPO}[all]"]
    if lift_caps:
        overrides = where / "overrides.txt"
        # the newest boto3/botocore, whatever our cap says (moto's own bounds still apply)
        overrides.write_text("boto3>=1.35\nbotocore>=1.35\n")
        cmd += ["--override", str(overrides)]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        print(done.stderr[-3000:], file=sys.stderr)
        sys.exit(2)
    return python


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_labs(python: Path, labs: list[str], target: str, home: Path, endpoint: str | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWSLABS_")}
    env.update(AWSLABS_HOME=str(home), NO_COLOR="1", AWSLABS_LOCAL_SPARK="0")
    args = [str(python), "-m", "awslabs", "run", *(labs or ["--all"]), "--json", "--target", target]
    if endpoint:
        args += ["--endpoint-url", endpoint]
    done = subprocess.run(args, capture_output=True, text=True, env=env, cwd=home.parent)
    try:
        data = json.loads(done.stdout)
    except json.JSONDecodeError:
        return {"_error": (done.stderr.strip().splitlines() or ["no output"])[-1]}
    reports = data if isinstance(data, list) else [data]
    result = {}
    for r in reports:
        if r.get("status") == "skipped":
            result[r["lab"]] = f"skipped: {r.get('reason')}"
            continue
        failed = [f"{s['id']}: {s['error'] or next((c['name'] + ': ' + c['message'] for c in s['checks'] if not c['ok'] and not c['skipped']), '')}"
                  for s in r["steps"] if s["status"] == "failed"]
        leftover = r.get("cleanup", {}).get("leftover") or []
        if leftover:
            failed.append(f"cleanup left {len(leftover)}")
        # one line per lab: an emulator's HTML error page would otherwise fill the screen
        result[r["lab"]] = "; ".join(" ".join(f.split())[:200] for f in failed) if failed else "ok"
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lift-caps", action="store_true", help="let boto3/botocore go past their cap")
    parser.add_argument("--labs", default="", help="comma-separated lab ids (default: all)")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway environment")
    args = parser.parse_args()
    labs = [x for x in args.labs.split(",") if x]
    where = Path(tempfile.mkdtemp(prefix="awslabs-drift-"))
    started = time.perf_counter()
    try:
        python = build_env(where, args.lift_caps)
        latest, locked = installed_versions(python), locked_versions()
        print(f"environment: newest versions the bounds allow{' (boto3/botocore caps lifted)' if args.lift_caps else ''}")
        print(f"{'package':14s} {'locked':>10s} {'latest':>10s}")
        for name in WATCHED:
            mark = "" if locked.get(name) == latest[name] else "  <- differs"
            print(f"{name:14s} {locked.get(name, '-'):>10s} {latest[name]:>10s}{mark}")
        (where / "home").mkdir()
        on_moto = run_labs(python, labs, "moto", where / "home")
        port = free_port()
        server = subprocess.Popen([str(python), "-m", "awslabs", "serve", "--port", str(port)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            deadline = time.time() + 60
            while time.time() < deadline:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                    break
                except OSError:
                    time.sleep(0.2)
            on_server = run_labs(python, labs, "server", where / "home", f"http://127.0.0.1:{port}")
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        names = sorted(set(on_moto) | set(on_server))
        broken = [n for n in names if on_moto.get(n) != "ok" or on_server.get(n) != "ok"]
        print(f"\n{len(names) - len(broken)}/{len(names)} labs pass on moto and on the server "
              f"({time.perf_counter() - started:.0f} s)")
        for name in broken:
            print(f"  BROKEN {name}\n    moto:   {on_moto.get(name)}\n    server: {on_server.get(name)}")
        return 1 if broken else 0
    finally:
        if args.keep:
            print(f"kept {where}")
        else:
            shutil.rmtree(where, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
