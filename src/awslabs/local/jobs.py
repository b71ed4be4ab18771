"""Run a job script as a real process, the way the service would, against the active target.

The same script file is what the ``aws`` target uploads to S3 and hands to the service; locally
it runs under ``sys.executable`` with:

- the **Glue Python shell argument contract**: the script receives the job's
  ``DefaultArguments`` merged with the run's ``Arguments`` (run values win) as ``--key value``
  pairs in ``sys.argv``, plus the arguments Glue adds itself: ``--JOB_NAME``, ``--JOB_ID``,
  ``--JOB_RUN_ID``, ``--scriptLocation`` and, when the job sets them, ``--TempDir`` and
  ``--job-bookmark-option``. Scripts read them as ``getResolvedOptions`` does: names without the
  leading ``--``, underscores not hyphens
  (https://docs.aws.amazon.com/glue/latest/dg/aws-glue-api-crawler-pyspark-extensions-get-resolved-options.html,
  https://docs.aws.amazon.com/glue/latest/dg/aws-glue-programming-etl-glue-arguments.html).
- the **emulator's endpoint**: ``ctx.subprocess_env()`` gives ``AWS_ENDPOINT_URL`` and fake
  credentials on moto (a threaded moto server sharing the in-process state) and on a moto server;
  on ``aws`` it gives the caller's real credentials. Real ``AWS_*`` variables of the parent are
  never passed to a local job.

What is *not* honoured locally: worker types and capacity (``MaxCapacity``), ``--extra-py-files``
and ``--additional-python-modules`` (the venv's packages are what the script sees), connections,
security configurations and CloudWatch logging (stdout/stderr are captured and returned instead).
"""
from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

# Arguments Glue itself passes to every run; a job cannot override them.
RESERVED = ("--JOB_NAME", "--JOB_ID", "--JOB_RUN_ID", "--scriptLocation")
FINAL_STATES = ("SUCCEEDED", "FAILED", "STOPPED", "TIMEOUT", "ERROR")


@dataclass
class JobResult:
    """What a local job process did: exit code, captured output, time, and whether it timed out."""

    argv: list[str]
    returncode: int | None
    stdout: str
    stderr: str
    seconds: float
    timed_out: bool = False
    run_id: str = ""
    arguments: dict[str, str] = field(default_factory=dict)
    states: list[str] = field(default_factory=list)  # job-run states seen in the service's API

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out

    def summary(self) -> str:
        """One line for a failed step: the exit status and the last line of stderr."""
        if self.timed_out:
            return f"job timed out after {self.seconds:.0f}s"
        if self.returncode is None and self.states:  # run by the service (AWS): its final state
            return f"job run ended {self.states[-1]}"
        last = next((line for line in reversed(self.stderr.strip().splitlines()) if line.strip()), "")
        return f"job exited with code {self.returncode}" + (f": {last}" if last else "")


def child_env(ctx, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The parent's environment without AWS credentials/endpoints, plus the target's own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "BOTO_"))}
    env.update(ctx.subprocess_env())
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra or {})
    return env


def run_script(
    ctx,
    script: Path | str,
    args: list[str] | None = None,
    *,
    timeout: float = 120.0,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
) -> JobResult:
    """Run ``python script args...`` with the target's environment; capture everything."""
    argv = [sys.executable, str(script), *(args or [])]
    cwd = Path(cwd) if cwd else Path(ctx.workdir) / f"job-{uuid.uuid4().hex[:8]}"
    cwd.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    try:
        proc = subprocess.run(
            argv,
            cwd=cwd,
            env=child_env(ctx, env),
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as err:
        return JobResult(
            argv,
            None,
            _text(err.stdout),
            _text(err.stderr),
            time.perf_counter() - started,
            timed_out=True,
        )
    return JobResult(argv, proc.returncode, proc.stdout, proc.stderr, time.perf_counter() - started)


def _text(value) -> str:
    if value is None:
        return ""
    return value.decode(errors="replace") if isinstance(value, bytes) else value


def glue_arguments(job: dict, run_arguments: dict | None, run_id: str) -> dict[str, str]:
    """The ``--key: value`` map Glue hands a Python-shell run: defaults, then run arguments,
    then the reserved ones Glue sets itself."""
    merged: dict[str, str] = {}
    merged.update(job.get("DefaultArguments") or {})
    merged.update(run_arguments or {})
    merged.update(job.get("NonOverridableArguments") or {})
    for key in RESERVED:
        merged.pop(key, None)
    merged["--JOB_NAME"] = job["Name"]
    merged["--JOB_ID"] = f"j_{job['Name']}"
    merged["--JOB_RUN_ID"] = run_id
    merged["--scriptLocation"] = job.get("Command", {}).get("ScriptLocation", "")
    return {k if k.startswith("--") else f"--{k}": str(v) for k, v in merged.items()}


def argv_from(arguments: dict[str, str]) -> list[str]:
    out: list[str] = []
    for key, value in arguments.items():
        out += [key, value]
    return out


def run_glue_job(
    ctx,
    job_name: str,
    script: Path | str,
    *,
    run_id: str,
    arguments: dict | None = None,
    timeout: float = 120.0,
) -> JobResult:
    """Execute the Python-shell job ``job_name`` (defined in the Glue API) locally.

    ``script`` is the local copy of the file the job's ``ScriptLocation`` points to; ``run_id`` is
    the id ``start_job_run`` returned, so the run in the emulator and the process line up;
    ``arguments`` are the run's ``Arguments``."""
    job = ctx.client("glue").get_job(JobName=job_name)["Job"]
    command = job.get("Command", {}).get("Name")
    if command != "pythonshell":
        raise ValueError(f"job {job_name} is a '{command}' job: only Python shell jobs run locally")
    resolved = glue_arguments(job, arguments, run_id)
    result = run_script(ctx, script, argv_from(resolved), timeout=min(timeout, 60.0 * job.get("Timeout", 2880)))
    result.run_id, result.arguments = run_id, resolved
    return result


def execute_glue_job_run(ctx, job_name: str, run_id: str, script: Path | str, *, timeout: float = 120.0) -> JobResult:
    """Make the run ``run_id`` (from ``start_job_run``) happen, and follow its state.

    Off AWS the emulator never executes the script: it is run here, with the Arguments the run
    was started with, while the run's state is followed through the Glue API. On AWS the
    service runs the uploaded copy of the same script and only the state is followed."""
    glue = ctx.client("glue")
    run = glue.get_job_run(JobName=job_name, RunId=run_id)["JobRun"]
    states = [run["JobRunState"]]
    if ctx.on_aws:
        result = JobResult([], None, "", "", 0.0, run_id=run_id, arguments=run.get("Arguments") or {})
    else:
        result = run_glue_job(ctx, job_name, script, run_id=run_id, arguments=run.get("Arguments"), timeout=timeout)
    result.states = wait_for_job_run(ctx, job_name, run_id, seen=states)
    if ctx.on_aws and result.states[-1] == "SUCCEEDED":
        result.returncode = 0
    return result


def wait_for_job_run(
    ctx, job_name: str, run_id: str, *, timeout: float = 900.0, poll: float = 10.0, seen: list[str] | None = None
) -> list[str]:
    """Poll ``get_job_run`` until a final state; returns every state seen, in order.

    Bounded: gives up after ``timeout`` seconds (a real Python-shell run takes about a minute;
    moto answers at once, so there is no sleep off AWS)."""
    glue = ctx.client("glue")
    seen = list(seen or [])
    deadline = time.monotonic() + (timeout if ctx.on_aws else 5.0)
    while True:
        state = glue.get_job_run(JobName=job_name, RunId=run_id)["JobRun"]["JobRunState"]
        if not seen or seen[-1] != state:
            seen.append(state)
        if state in FINAL_STATES or time.monotonic() > deadline:
            return seen
        if ctx.on_aws:
            time.sleep(poll)


# -- the emulator's own API (moto's /moto-api): only off AWS --------------------------------------
def emulator_endpoint(ctx) -> str | None:
    """The URL of the moto server reachable for this target (None on real AWS)."""
    if ctx.on_aws:
        return None
    return ctx.subprocess_env().get("AWS_ENDPOINT_URL")


def moto_api(ctx, path: str, body: dict) -> bool:
    """POST ``body`` to ``<emulator>/moto-api/<path>``; False on real AWS (nothing to do)."""
    endpoint = emulator_endpoint(ctx)
    if not endpoint:
        return False
    request = urllib.request.Request(
        f"{endpoint.rstrip('/')}/moto-api/{path.lstrip('/')}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback only
        response.read()
    return True


@contextlib.contextmanager
def state_progression(ctx, model_name: str, times: int = 1):
    """Make moto's ``model_name`` (e.g. ``glue::job_run``) advance one state every ``times``
    describe calls instead of jumping to the final state.

    moto's state manager (``/moto-api/state-manager/set-transition``) is process-wide, shared by
    every lab running against the same emulator. So the transition is set and **left set**, never
    unset on exit: unsetting it while another run relies on it (two glue-etl runs overlapping) made
    that run jump from STARTING to SUCCEEDED and miss RUNNING. Setting the same value again is
    harmless, and ``awslabs serve`` and the in-process target set ``glue::job_run`` this way from
    the start (``awslabs.targets.moto.MOTO_TRANSITIONS``), so every lab sees one behaviour
    whatever ran before it."""
    changed = moto_api(
        ctx,
        "state-manager/set-transition",
        {"model_name": model_name, "transition": {"progression": "manual", "times": times}},
    )
    yield changed


# -- Spark steps (EMR) in Spark local mode --------------------------------------------------------
def spark_unavailable() -> str | None:
    """Why a PySpark script cannot run here (None when it can): PySpark and Java are needed, and
    AWSLABS_LOCAL_SPARK=0 switches Spark local mode off (a JVM start costs seconds per run)."""
    import importlib.util
    import shutil

    from ..extras import install_command
    from ..settings import setting

    if (setting("AWSLABS_LOCAL_SPARK") or "1").strip().lower() in ("0", "false", "no", "off"):
        return "Spark local mode is switched off (AWSLABS_LOCAL_SPARK=0); the Spark step is not run locally"
    if importlib.util.find_spec("pyspark") is None:
        return f"PySpark is not installed ({install_command('spark')}); the Spark step is not run locally"
    if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        return "Java is not on PATH (Spark needs a JDK 17+); the Spark step is not run locally"
    return None


def run_spark_script(
    ctx,
    script: Path | str,
    *,
    inputs: dict[str, str],
    outputs: dict[str, str],
    args: list[str] | None = None,
    timeout: float = 300.0,
) -> JobResult:
    """Run a PySpark script the way an EMR ``spark-submit`` step would, in Spark local mode.

    On EMR the script reads and writes ``s3://`` through EMRFS. Locally Spark has no S3
    connector (hadoop-aws cannot be downloaded), so the runner stages data instead:
    ``inputs`` maps an argument (``--input``) to an S3 prefix that is downloaded first and
    passed as a local path; ``outputs`` maps an argument to an S3 prefix that receives the
    files Spark wrote (``part-*.parquet``, ``_SUCCESS``) afterwards. The script is unchanged."""
    from .s3io import download_prefix, split_uri

    reason = spark_unavailable()
    if reason:
        raise RuntimeError(reason)
    s3 = ctx.client("s3")
    stage = Path(ctx.workdir) / f"spark-{uuid.uuid4().hex[:8]}"
    argv: list[str] = []
    for name, uri in inputs.items():
        local = stage / "in" / name.strip("-")
        local.mkdir(parents=True, exist_ok=True)
        download_prefix(s3, uri, local)
        argv += [name, str(local)]
    local_out = {}
    for name, uri in outputs.items():
        local_out[name] = stage / "out" / name.strip("-")
        argv += [name, str(local_out[name])]
    env = {
        "PYSPARK_PYTHON": sys.executable,
        # One local core, no web UI, one shuffle partition: lab-sized data starts in seconds.
        "PYSPARK_SUBMIT_ARGS": "--master local[1] --conf spark.ui.enabled=false "
        "--conf spark.sql.shuffle.partitions=1 pyspark-shell",
    }
    result = run_script(ctx, script, argv + list(args or []), timeout=timeout, cwd=stage, env=env)
    if result.ok:
        for name, uri in outputs.items():
            bucket, prefix = split_uri(uri.rstrip("/") + "/")
            for path in sorted(p for p in local_out[name].rglob("*") if p.is_file() and not p.name.endswith(".crc")):
                s3.upload_file(str(path), bucket, prefix + path.relative_to(local_out[name]).as_posix())
    return result
