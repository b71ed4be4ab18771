"""No lab depends on timing or on what runs beside it: the labs that share services (Glue, Step
Functions, SQS, Kinesis) run 4-wide against ONE `awslabs serve`, each in its own process, all
appending to one ledger. The whole catalogue, several rounds: `benchmarks/concurrent_labs.py`."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from awslabs.ledger import Ledger

SHARING_SERVICES = ["glue-etl", "step-functions-pipeline", "glue-data-catalog", "sqs-queues",
                    "kinesis-data-streams", "kinesis-firehose", "kinesis-data-analytics", "kinesis-video-streams"]


@pytest.fixture()
def one_server():
    proc = subprocess.Popen([sys.executable, "-m", "awslabs", "serve", "--port", "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env={**os.environ, "NO_COLOR": "1"})
    try:
        line = proc.stdout.readline()
        assert line.startswith("export AWS_ENDPOINT_URL="), line
        yield line.strip().split("=", 1)[1]
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.mark.server
def test_labs_sharing_services_pass_4_wide_against_one_server(one_server, awslabs_home):
    env = {**os.environ, "AWSLABS_TARGET": "server", "AWSLABS_ENDPOINT_URL": one_server, "NO_COLOR": "1"}
    env.pop("AWSLABS_LABS_DIR", None)

    def run(lab):
        result = subprocess.run([sys.executable, "-m", "awslabs", "run", lab, "--json"], capture_output=True,
                                text=True, env=env, stdin=subprocess.DEVNULL, timeout=900)
        try:
            steps = json.loads(result.stdout).get("steps", [])
        except ValueError:
            steps = []
        failed = [(s["id"], s["error"], [c for c in s["checks"] if not c["ok"] and not c["skipped"]])
                  for s in steps if s["status"] == "failed"]
        return lab, result.returncode, failed, result.stderr[-500:]

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(run, SHARING_SERVICES))
    assert [r for r in results if r[1] != 0] == []
    ledger = Ledger.for_home(awslabs_home)  # written by four processes at once
    assert ledger.pending() == [] and ledger.problems == []


# The two overlaps found under load, made deterministic (in-process moto) -----------------------------
def _run(lab_id):
    from awslabs.catalog import Catalog
    from awslabs.runner import run_lab
    from awslabs.settings import Settings
    from awslabs.targets import make_target

    settings = Settings.load(target="moto")
    report = run_lab(Catalog().get(lab_id), make_target(settings), settings=settings)
    failed = {s.id: s.error or [c.message for c in s.checks if not c.ok and not c.skipped]
              for s in report.steps if s.status == "failed"}
    return report, failed


def test_glue_etl_sees_running_when_another_run_ends_beside_it(monkeypatch):
    """Another glue-etl run ending while this one runs used to unset the process-wide transition,
    and this run jumped STARTING -> SUCCEEDED."""
    from awslabs.local import jobs

    original = jobs.run_glue_job

    def another_run_ends_meanwhile(ctx, *args, **kwargs):
        with jobs.state_progression(ctx, "glue::job_run", times=2):
            pass
        return original(ctx, *args, **kwargs)

    monkeypatch.setattr(jobs, "run_glue_job", another_run_ends_meanwhile)
    report, failed = _run("glue-etl")
    assert report.passed, failed


def test_step_functions_pipeline_passes_while_glue_runs_advance_only_when_read():
    """With glue-etl's transition set (runs advance only when read), the pipeline's second
    execution found its job's first run still STARTING: ConcurrentRunsExceededException."""
    from types import SimpleNamespace

    from awslabs.local import jobs
    from awslabs.settings import Settings
    from awslabs.targets import make_target

    target = make_target(Settings.load(target="moto"))
    with jobs.state_progression(SimpleNamespace(on_aws=False, subprocess_env=target.subprocess_env),
                                "glue::job_run", times=2):
        report, failed = _run("step-functions-pipeline")
    assert report.passed, failed
