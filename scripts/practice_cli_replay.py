#!/usr/bin/env python3
"""Does the CLI solution run? For each lab: a fresh `awslabs serve`, `awslabs start LAB`,
`awslabs solution LAB --reveal --format sh` run with bash and the real AWS CLI (the `awscli` v1
package, in its own virtualenv because its botocore pin may differ from ours), then
`awslabs check LAB`. A lab passes when the check exits 0.

Run: python scripts/practice_cli_replay.py [LAB ...]       (prints N/M and exits 1 if any fail)
tests/test_practice_cli_replay.py runs the same per lab.

The AWS CLI environment is built once with uv at $AWSLABS_AWSCLI_ENV (default: a folder in the
system temp dir); set that variable to reuse one you have.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "src") not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(ROOT / "src"))
from awslabs.ports import free_port, wait_for_port  # noqa: E402

AWSLABS = [sys.executable, "-m", "awslabs"]


@dataclass
class Replay:
    lab: str
    passed: bool
    stage: str  # where it stopped: start | solution | script | check | done
    detail: str
    seconds: float


def awscli_env() -> Path:
    """A virtualenv with the awscli package (v1), built with uv on first use."""
    env = Path(os.environ.get("AWSLABS_AWSCLI_ENV") or Path(tempfile.gettempdir()) / "awslabs-awscli-env")
    aws = env / "bin" / "aws"
    if aws.exists():
        return env
    uv = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    subprocess.run([uv, "venv", "-q", str(env)], check=True)
    subprocess.run([uv, "pip", "install", "-q", "--python", str(env / "bin" / "python"), "awscli"], check=True)
    return env


def _tail(text: str, lines: int = 12) -> str:
    return "\n".join((text or "").strip().splitlines()[-lines:])


def replay(lab_id: str, workroot: Path, script_timeout: float = 900) -> Replay:
    started = time.perf_counter()
    env_dir = awscli_env()
    workroot.mkdir(parents=True, exist_ok=True)
    bindir = workroot / "bin"  # `aws` from the awscli env, `python3` = the interpreter with boto3
    bindir.mkdir(exist_ok=True)
    link = bindir / "aws"
    if not link.exists():
        link.symlink_to(env_dir / "bin" / "aws")
    for name in ("python3", "python"):
        # a wrapper, not a symlink: a symlink elsewhere loses the virtual environment (Python finds
        # pyvenv.cfg beside the path it was started as), and with it boto3 and the SageMaker SDK
        wrapper = bindir / name
        if not wrapper.exists():
            wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
            wrapper.chmod(0o755)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWSLABS_", "AWS_"))}
    env.update(AWSLABS_HOME=str(workroot / "home"), AWS_ENDPOINT_URL=url, AWSLABS_ENDPOINT_URL=url,
               AWSLABS_TARGET="server", AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
               AWS_DEFAULT_REGION="us-east-1", AWSLABS_LOCAL_SPARK=os.environ.get("AWSLABS_LOCAL_SPARK", "0"),
               PATH=f"{bindir}{os.pathsep}{env.get('PATH', '')}", NO_COLOR="1")
    log = open(workroot / "serve.log", "w")
    server = subprocess.Popen(AWSLABS + ["serve", "--port", str(port)], env=env, stdout=log, stderr=log,
                              start_new_session=True)

    def done(passed, stage, detail):
        return Replay(lab_id, passed, stage, detail, time.perf_counter() - started)

    try:
        wait_for_port(port, timeout=60, what="awslabs serve")
        work = workroot / "work"
        run = subprocess.run(AWSLABS + ["start", lab_id, "--dir", str(work)], env=env, capture_output=True, text=True)
        if run.returncode:
            return done(False, "start", _tail(run.stdout + run.stderr))
        folder = work / lab_id
        run = subprocess.run(AWSLABS + ["solution", lab_id, "--reveal", "--format", "sh"], env=env,
                             capture_output=True, text=True)
        if run.returncode:
            return done(False, "solution", _tail(run.stderr))
        (folder / "solution.sh").write_text(run.stdout)
        try:
            run = subprocess.run(["bash", "solution.sh"], cwd=folder, env=env, capture_output=True, text=True,
                                 timeout=script_timeout)
        except subprocess.TimeoutExpired:
            return done(False, "script", f"timed out after {script_timeout:.0f}s")
        (workroot / "script.log").write_text(run.stdout + "\n--- stderr ---\n" + run.stderr)
        if run.returncode:
            return done(False, "script", _tail(run.stderr or run.stdout))
        run = subprocess.run(AWSLABS + ["check", lab_id, "--json"], env=env, capture_output=True, text=True)
        if run.returncode:
            try:
                report = json.loads(run.stdout)
                failing = [f"{o['step']}: " + "; ".join(f"{c['name']} — {c.get('message', '')}" for c in o["checks"]
                                                        if not c.get("ok") and not c.get("skipped"))
                           for o in report["objectives"] if o["status"] == "failed"]
                return done(False, "check", f"score {report['score']['passed']}/{report['score']['total']}: "
                            + " | ".join(failing)[:1500])
            except (ValueError, KeyError):
                return done(False, "check", _tail(run.stdout + run.stderr))
        return done(True, "done", "")
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # only the server this replay started
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()


def main(argv: list[str]) -> int:
    from awslabs.catalog import Catalog

    labs = argv or [lab.id for lab in Catalog()]
    root = Path(tempfile.mkdtemp(prefix="awslabs-cli-replay-"))
    began = time.perf_counter()
    results = []
    for lab_id in labs:
        result = replay(lab_id, root / lab_id)
        results.append(result)
        mark = "ok  " if result.passed else "FAIL"
        print(f"{mark} {lab_id:28s} {result.seconds:6.1f}s  {result.stage}", flush=True)
        if not result.passed:
            for line in result.detail.splitlines()[:8]:
                print(f"       {line[:300]}")
    passed = sum(r.passed for r in results)
    print(f"{passed}/{len(results)} labs: the CLI solution runs and the check passes "
          f"({time.perf_counter() - began:.0f}s; logs in {root})")
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
