"""SageMaker script-mode training without Docker: the training container contract, honoured locally.

moto records a training job as ``Completed`` the moment it is created and writes no model artifact.
This runner does what the SageMaker training platform does with the job's own description
(``DescribeTrainingJob``), with the entry point running as a real process (``sys.executable``)
instead of inside a container:

1. **The /opt/ml tree** in a temp folder (``base_dir``):
   ``input/config/hyperparameters.json`` (the job's ``HyperParameters``, strings as in the API),
   ``input/config/inputdataconfig.json`` (per channel ``ContentType``, ``TrainingInputMode``,
   ``S3DistributionType``, ``RecordWrapperType``; a FastFile channel is written as ``"File"`` as
   the documentation says), ``input/config/resourceconfig.json`` (``current_host`` ``algo-1``,
   ``hosts``, ``network_interface_name``, instance groups), ``input/data/<channel>``, ``model/``,
   ``output/``, ``output/data/``, ``checkpoints/``
   (https://docs.aws.amazon.com/sagemaker/latest/dg/your-algorithms-training-algo-running-container.html).
2. **The SM_* environment** of the SageMaker training toolkit, which the framework containers
   (scikit-learn, PyTorch, ...) set for script mode: ``SM_MODEL_DIR``, ``SM_CHANNELS``,
   ``SM_CHANNEL_<NAME>``, ``SM_HPS``, ``SM_HP_<NAME>``, ``SM_CURRENT_HOST``, ``SM_HOSTS``,
   ``SM_NUM_CPUS``, ``SM_NUM_GPUS``, ``SM_LOG_LEVEL``, ``SM_NETWORK_INTERFACE_NAME``,
   ``SM_USER_ARGS``, ``SM_INPUT_DIR``, ``SM_INPUT_CONFIG_DIR``, ``SM_OUTPUT_DIR``,
   ``SM_OUTPUT_DATA_DIR``, ``SM_OUTPUT_INTERMEDIATE_DIR``, ``SM_RESOURCE_CONFIG``,
   ``SM_INPUT_DATA_CONFIG``, ``SM_TRAINING_ENV``, ``SM_MODULE_NAME``, ``SM_CURRENT_INSTANCE_TYPE``
   (https://github.com/aws/sagemaker-training-toolkit/blob/master/ENVIRONMENT_VARIABLES.md), plus
   ``TRAINING_JOB_NAME``, ``TRAINING_JOB_ARN`` and the job's ``Environment`` (the platform's own,
   first page above), and ``SAGEMAKER_BASE_DIR`` — the toolkit's variable for "/opt/ml lives
   elsewhere", since a process outside a container cannot write ``/opt/ml``. Hyperparameters are
   JSON-decoded where possible and passed as ``--name value`` arguments, sorted by name, as the
   toolkit's ``mapping.to_cmd_args`` does; ``sagemaker_*`` framework parameters are not passed.
3. **Input modes, really different**
   (https://docs.aws.amazon.com/sagemaker/latest/dg/model-access-training-data.html,
   https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_AlgorithmSpecification.html):
   - ``File``: every object under the channel's ``S3Uri`` prefix is downloaded into
     ``input/data/<channel>/`` *before* the process starts (``bytes_before_start``).
   - ``FastFile``: only the listing happens before the start; each object appears as a sparse
     placeholder of its real size and is fetched on its first ``open`` by the bootstrap
     (``sagemaker_fastfile.py``, which documents the approach). Objects never read are never fetched.
   - ``Pipe``: a named FIFO ``input/data/<channel>_<epoch>`` per epoch; a thread streams the
     objects from S3 into it (``get_object`` chunks, gunzipped when ``CompressionType`` is
     ``Gzip``) while the script reads. Pipe 0 exists when the script starts; pipe *n+1* is
     created as soon as the script opens pipe *n*, and is fed when the script opens it. Data
     never touches the disk.
   ``S3DistributionType`` makes no difference on one host (``ShardedByS3Key`` with one instance
   is the whole prefix); ``RecordIO`` wrapping is not applied.
4. **Logs and metrics**: stdout and stderr go, line by line, to CloudWatch Logs group
   ``/aws/sagemaker/TrainingJobs``, stream ``<job>/algo-1-<epoch seconds>``; every line is matched
   against the job's ``MetricDefinitions`` regexes (first group = value) and each value is put to
   CloudWatch namespace ``/aws/sagemaker/TrainingJobs`` with dimension ``Host=<job>/algo-1``
   (https://docs.aws.amazon.com/sagemaker/latest/dg/training-metrics.html).
5. **Outputs** (https://docs.aws.amazon.com/sagemaker/latest/dg/your-algorithms-training-algo-output.html):
   exit code 0 = ``Completed``, anything else = ``Failed``
   (https://docs.aws.amazon.com/sagemaker/latest/dg/your-algorithms-training-signal-success-failure.html);
   ``model/`` is tarred into ``<S3OutputPath>/<job>/output/model.tar.gz`` on success,
   ``output/data/`` into ``output.tar.gz`` always; on failure the script's ``output/failure``
   (or, if it wrote none, the last lines of its output, as the toolkit does) is the
   ``failure_reason`` (first 1024 characters). ``StoppingCondition.MaxRuntimeInSeconds`` stops
   the process (``Stopped``, ``MaxRuntimeExceeded``).
6. **Checkpoints** (managed spot training): ``CheckpointConfig.S3Uri`` is restored into
   ``checkpoints/`` before the start and uploaded after the end, whatever the outcome
   (https://docs.aws.amazon.com/sagemaker/latest/dg/model-checkpoints.html). SageMaker syncs
   continuously; the runner syncs at the end, which is what a resumed job observes.

The code to run is the lab's local entry point, or what the SDK shipped with the job: SDK 2.x
framework jobs name it in ``sagemaker_program`` / ``sagemaker_submit_directory`` (a
``sourcedir.tar.gz`` in S3); SDK 3.x ``ModelTrainer`` jobs carry it in a ``code`` channel, with the
entry script named in ``sm_drivers/sourcecode.json``.

Not honoured: the container image itself (the venv's packages are what the script sees),
instance counts above one, GPUs, VPC/network isolation, encryption, and the platform updating the
job's status (moto's job stays ``Completed``; the runner's result carries the real outcome).
The runner uses only the target's clients (``ctx.client``) and passes ``ctx.subprocess_env()``
to the process, so the script's own boto3 calls reach the same emulator.
"""
from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from awslabs.facts import value

LOG_GROUP = "/aws/sagemaker/TrainingJobs"
METRIC_NAMESPACE = "/aws/sagemaker/TrainingJobs"
HOST = "algo-1"
FAILURE_REASON_LIMIT = value("sagemaker.failure_reason_max_chars")  # DescribeTrainingJob truncates there
BOOTSTRAP = Path(__file__).with_name("sagemaker_fastfile.py")
PIPE_CHUNK = 64 * 1024


# ------------------------------------------------------------------------------------------ results
@dataclass
class ChannelStats:
    """What the platform did for one channel before and while the script ran."""

    name: str
    mode: str
    s3_uri: str
    objects: int = 0
    bytes_total: int = 0
    bytes_before_start: int = 0  # copied to the volume before the process started (File only)
    bytes_fetched_lazily: int = 0  # FastFile: fetched on first open, during the run
    objects_fetched_lazily: int = 0
    bytes_streamed: int = 0  # Pipe: written into the FIFOs
    epochs_streamed: int = 0  # Pipe: FIFOs the script opened and read
    first_open_at: float | None = None  # wall clock: the script's first open of this channel
    first_record_seconds: float | None = None  # from job start to that open


@dataclass
class TrainingRun:
    """The outcome of one local run of a training job."""

    job_name: str
    base_dir: Path
    status: str = "InProgress"  # Completed | Failed | Stopped
    secondary_status: str = ""
    returncode: int | None = None
    failure_reason: str | None = None
    started_at: float = 0.0
    process_started_at: float = 0.0
    ended_at: float = 0.0
    argv: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)  # the SM_* and TRAINING_* part
    lines: list[str] = field(default_factory=list)
    metrics: dict[str, list[float]] = field(default_factory=dict)
    model_artifact: str | None = None
    output_artifact: str | None = None
    checkpoint_uri: str | None = None
    checkpoints_restored: int = 0
    checkpoints_uploaded: int = 0
    log_group: str = LOG_GROUP
    log_stream: str = ""
    channels: dict[str, ChannelStats] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == "Completed"

    @property
    def setup_seconds(self) -> float:
        """Job start to process start: what File mode pays for its downloads."""
        return self.process_started_at - self.started_at

    @property
    def seconds(self) -> float:
        return self.ended_at - self.started_at

    def final_metrics(self) -> dict[str, float]:
        """The last value of each metric, like DescribeTrainingJob's ``FinalMetricDataList``."""
        return {name: values[-1] for name, values in self.metrics.items() if values}

    def summary(self) -> str:
        if self.ok:
            return f"{self.job_name}: Completed in {self.seconds:.2f}s"
        return f"{self.job_name}: {self.status} ({self.failure_reason or self.secondary_status})"


# ------------------------------------------------------------------------------------------ helpers
def split_s3_uri(uri: str) -> tuple[str, str]:
    if not uri.startswith("s3://"):
        raise ValueError(f"not an S3 URI: {uri!r}")
    bucket, _, key = uri[5:].partition("/")
    return bucket, key


def _list_objects(s3, uri: str) -> list[dict]:
    """Objects under an S3Prefix (or the one object of an S3 URI that names a key)."""
    bucket, prefix = split_s3_uri(uri)
    found = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            if obj["Key"].endswith("/") and obj.get("Size", 0) == 0:
                continue  # a console "folder" marker, not data
            found.append({"Bucket": bucket, "Key": obj["Key"], "Size": obj.get("Size", 0)})
    return found


def _relative(prefix: str, key: str) -> str:
    """Where an object lands under the channel folder: its key minus the S3Prefix (an S3Uri that
    names one object gives that object's file name)."""
    rel = key[len(prefix):].lstrip("/") if key.startswith(prefix) else ""
    return rel or key.rsplit("/", 1)[-1]


def decode_hyperparameters(raw: dict[str, str]) -> dict[str, Any]:
    """JSON-decode each value where possible, as the toolkit's ``read_hyperparameters`` does."""
    out: dict[str, Any] = {}
    for key, value in (raw or {}).items():
        try:
            out[key] = json.loads(value)
        except (TypeError, ValueError):
            out[key] = value
    return out


def to_cmd_args(hps: dict[str, Any]) -> list[str]:
    """``--name value`` pairs sorted by name (toolkit ``mapping.to_cmd_args``)."""
    args: list[str] = []
    for key in sorted(hps):
        value = hps[key]
        if isinstance(value, dict):
            value = ",".join(f"{k}={v}" for k, v in sorted(value.items()))
        args += [f"--{key}" if len(key) > 1 else f"-{key}", "" if value is None else str(value)]
    return args


def _env_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def parse_metrics(line: str, definitions: list[dict]) -> list[tuple[str, float]]:
    """Values a line yields for the job's ``MetricDefinitions`` (``Name``, ``Regex``)."""
    found = []
    for definition in definitions or []:
        match = re.search(definition["Regex"], line)
        if match:
            try:
                found.append((definition["Name"], float(match.group(1))))
            except (IndexError, ValueError):
                continue  # a regex without a numeric first group yields nothing, as on SageMaker
    return found


def _tar_dir(directory: Path) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for path in sorted(directory.rglob("*")):
            tar.add(path, arcname=str(path.relative_to(directory)), recursive=False)
    return buffer.getvalue()


# ------------------------------------------------------------------------------------------ the runner
class _LogSink:
    """Batches the process's lines into CloudWatch Logs (one PutLogEvents call per flush)."""

    def __init__(self, logs, group: str, stream: str):
        self.logs, self.group, self.stream = logs, group, stream
        self.pending: list[dict] = []

    def add(self, line: str) -> None:
        self.pending.append({"timestamp": int(time.time() * 1000), "message": line or " "})
        if len(self.pending) >= 500:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.logs.put_log_events(logGroupName=self.group, logStreamName=self.stream, logEvents=self.pending)
            self.pending = []


class _PipeFeeder(threading.Thread):
    """Feeds ``<channel>_<epoch>`` FIFOs from S3 while the script reads them."""

    def __init__(self, s3, path_prefix: Path, objects: list[dict], gzip_compressed: bool, stats: ChannelStats,
                 max_epochs: int = 50):
        super().__init__(daemon=True)
        self.s3, self.prefix, self.objects = s3, path_prefix, objects
        self.gzip_compressed, self.stats, self.max_epochs = gzip_compressed, stats, max_epochs
        self.stop = threading.Event()
        self.error: str | None = None

    def _open_writer(self, path: Path) -> int | None:
        # O_NONBLOCK: opening a FIFO for writing fails (ENXIO) until a reader has it open, so we
        # can poll and give up when the process has ended instead of blocking forever.
        while not self.stop.is_set():
            try:
                fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
                os.set_blocking(fd, True)
                return fd
            except OSError:
                time.sleep(0.005)
        return None

    def run(self) -> None:
        try:
            for epoch in range(self.max_epochs):
                path = Path(f"{self.prefix}_{epoch}")
                if not path.exists():
                    os.mkfifo(path)
                fd = self._open_writer(path)
                if fd is None:
                    return
                # The next epoch's pipe exists before this one reaches EOF, so a script that opens
                # <channel>_<n+1> right after finishing <channel>_<n> finds it.
                os.mkfifo(f"{self.prefix}_{epoch + 1}")
                try:
                    for obj in self.objects:
                        body = self.s3.get_object(Bucket=obj["Bucket"], Key=obj["Key"])["Body"]
                        inflate = zlib.decompressobj(16 + zlib.MAX_WBITS) if self.gzip_compressed else None
                        for chunk in body.iter_chunks(PIPE_CHUNK):
                            data = inflate.decompress(chunk) if inflate else chunk
                            if data:
                                os.write(fd, data)
                                self.stats.bytes_streamed += len(data)
                        if inflate:
                            tail = inflate.flush()
                            if tail:
                                os.write(fd, tail)
                                self.stats.bytes_streamed += len(tail)
                except BrokenPipeError:
                    pass  # the reader closed the epoch early: allowed by the contract
                finally:
                    os.close(fd)
                self.stats.epochs_streamed = epoch + 1
        except Exception as err:  # noqa: BLE001 - reported in the run, never a thread traceback
            self.error = f"{type(err).__name__}: {err}"


class SageMakerTrainingRunner:
    """Runs one training job locally. ``clients`` has ``.client(service)`` (a LabContext does);
    ``env`` is the child's target environment (``ctx.subprocess_env()``); ``track`` (optional) is
    called as ``track(kind, id)`` before the runner creates the log group, so cleanup finds it."""

    def __init__(self, clients, env: dict[str, str], *, track: Callable[..., Any] | None = None,
                 region: str = "us-east-1", account: str = "000000000000"):
        self.clients = clients
        self.child_env = dict(env)
        self.track = track
        self.region = region
        self.account = account

    # -- layout --------------------------------------------------------------------------------
    def _layout(self, base: Path) -> dict[str, Path]:
        paths = {
            "input": base / "input",
            "config": base / "input" / "config",
            "data": base / "input" / "data",
            "model": base / "model",
            "output": base / "output",
            "output_data": base / "output" / "data",
            "intermediate": base / "output" / "intermediate",
            "checkpoints": base / "checkpoints",
            "code": base / "code",
        }
        for path in paths.values():
            path.mkdir(parents=True, exist_ok=True)
        return paths

    def run(self, job_name: str, entry_point: str | Path | None = None, *, source_dir: str | Path | None = None,
            job: dict | None = None, base_dir: str | Path | None = None, timeout: float = 300.0,
            extra_env: dict[str, str] | None = None, interrupt_on: str | None = None) -> TrainingRun:
        """Run ``job_name``. ``job`` is its description (default: ``DescribeTrainingJob``);
        ``interrupt_on`` is a regex: the first output line matching it makes the runner stop the
        process the way a Spot reclaim does (SIGTERM), leaving status ``Stopped`` / ``Interrupted``
        with checkpoints uploaded, so that a second ``run`` of the same job can resume."""
        sm, s3 = self.clients.client("sagemaker"), self.clients.client("s3")
        job = job or sm.describe_training_job(TrainingJobName=job_name)
        base = Path(base_dir) if base_dir else Path(tempfile.mkdtemp(prefix=f"sm-{job_name[:40]}-"))
        paths = self._layout(base)
        run = TrainingRun(job_name=job_name, base_dir=base, started_at=time.time())
        algo = job.get("AlgorithmSpecification", {})
        default_mode = algo.get("TrainingInputMode", "File")
        raw_hps = dict(job.get("HyperParameters") or {})
        resource = job.get("ResourceConfig", {})
        instance_type = resource.get("InstanceType", "ml.m5.large")

        # -- config files ---------------------------------------------------------------------
        (paths["config"] / "hyperparameters.json").write_text(json.dumps(raw_hps))
        channels = job.get("InputDataConfig") or []
        input_data_config = {}
        for channel in channels:
            mode = channel.get("InputMode") or default_mode
            input_data_config[channel["ChannelName"]] = {
                **({"ContentType": channel["ContentType"]} if channel.get("ContentType") else {}),
                # FastFile channels are presented to the algorithm as File (see the module docstring)
                "TrainingInputMode": "File" if mode == "FastFile" else mode,
                "S3DistributionType": channel.get("DataSource", {}).get("S3DataSource", {}).get(
                    "S3DataDistributionType", "FullyReplicated"),
                "RecordWrapperType": channel.get("RecordWrapperType", "None"),
            }
        (paths["config"] / "inputdataconfig.json").write_text(json.dumps(input_data_config))
        resource_config = {
            "current_host": HOST,
            "current_instance_type": instance_type,
            "current_group_name": "homogeneousCluster",
            "hosts": [HOST],
            "instance_groups": [{"instance_group_name": "homogeneousCluster", "instance_type": instance_type,
                                 "hosts": [HOST]}],
            "network_interface_name": "eth0",
        }
        (paths["config"] / "resourceconfig.json").write_text(json.dumps(resource_config))

        # -- logs -----------------------------------------------------------------------------
        logs = self.clients.client("logs")
        run.log_stream = f"{job_name}/{HOST}-{int(run.started_at)}"
        existing = logs.describe_log_groups(logGroupNamePrefix=LOG_GROUP).get("logGroups", [])
        if not any(g["logGroupName"] == LOG_GROUP for g in existing):
            # Not tracked for deletion: this is SageMaker's own log group, shared by every training
            # job (on AWS the service creates it and keeps it). Deleting it at one run's cleanup
            # broke the SageMaker labs running beside it ("The specified log group does not
            # exist"), and on an account it would take other jobs' logs with it.
            try:
                logs.create_log_group(logGroupName=LOG_GROUP)
            except logs.exceptions.ResourceAlreadyExistsException:
                pass  # another run created it a moment ago
        try:
            logs.create_log_stream(logGroupName=LOG_GROUP, logStreamName=run.log_stream)
        except logs.exceptions.ResourceAlreadyExistsException:
            pass  # a restart of the same job within the same second appends to the same stream
        sink = _LogSink(logs, LOG_GROUP, run.log_stream)

        # -- channels -------------------------------------------------------------------------
        lazy: dict[str, dict] = {}
        probe_channels: dict[str, str] = {}
        feeders: list[_PipeFeeder] = []
        for channel in channels:
            name = channel["ChannelName"]
            mode = channel.get("InputMode") or default_mode
            source = channel.get("DataSource", {}).get("S3DataSource")
            if not source:
                raise ValueError(f"channel {name}: only S3 data sources run locally")
            uri = source["S3Uri"]
            stats = ChannelStats(name, mode, uri)
            run.channels[name] = stats
            objects = _list_objects(s3, uri)
            stats.objects, stats.bytes_total = len(objects), sum(o["Size"] for o in objects)
            channel_dir = paths["data"] / name
            probe_channels[name] = os.path.realpath(channel_dir)
            _, prefix = split_s3_uri(uri)
            if mode == "Pipe":
                feeder = _PipeFeeder(s3, channel_dir, objects, channel.get("CompressionType") == "Gzip", stats)
                feeders.append(feeder)
                continue
            channel_dir.mkdir(parents=True, exist_ok=True)
            for obj in objects:
                target = channel_dir / _relative(prefix, obj["Key"])
                target.parent.mkdir(parents=True, exist_ok=True)
                if mode == "FastFile":
                    with open(target, "wb") as fh:
                        fh.truncate(obj["Size"])  # sparse: the folder view and sizes, no bytes yet
                    lazy[str(target)] = {"bucket": obj["Bucket"], "key": obj["Key"]}
                else:
                    s3.download_file(obj["Bucket"], obj["Key"], str(target))
                    stats.bytes_before_start += obj["Size"]
            if mode == "FastFile":
                for path in [channel_dir, *channel_dir.rglob("*")]:
                    if path.is_dir():
                        path.chmod(0o755)

        checkpoint = job.get("CheckpointConfig") or {}
        if checkpoint.get("S3Uri"):
            run.checkpoint_uri = checkpoint["S3Uri"]
            ck_bucket, ck_prefix = split_s3_uri(checkpoint["S3Uri"])
            for obj in _list_objects(s3, checkpoint["S3Uri"]):
                target = paths["checkpoints"] / obj["Key"][len(ck_prefix):].lstrip("/")
                target.parent.mkdir(parents=True, exist_ok=True)
                s3.download_file(obj["Bucket"], obj["Key"], str(target))
                run.checkpoints_restored += 1

        # -- the code -------------------------------------------------------------------------
        script, hps = self._resolve_code(job, raw_hps, entry_point, source_dir, paths, s3)

        # -- environment ----------------------------------------------------------------------
        channel_dirs = {c["ChannelName"]: str(paths["data"] / c["ChannelName"]) for c in channels}
        user_args = to_cmd_args(hps)
        training_env = {
            "channel_input_dirs": channel_dirs,
            "current_host": HOST,
            "current_instance_type": instance_type,
            "hosts": [HOST],
            "hyperparameters": hps,
            "input_config_dir": str(paths["config"]),
            "input_data_config": input_data_config,
            "input_dir": str(paths["input"]),
            "job_name": job_name,
            "log_level": 20,
            "model_dir": str(paths["model"]),
            "module_name": Path(script).stem,
            "network_interface_name": "eth0",
            "num_cpus": os.cpu_count() or 1,
            "num_gpus": 0,
            "output_data_dir": str(paths["output_data"]),
            "output_dir": str(paths["output"]),
            "output_intermediate_dir": str(paths["intermediate"]),
            "resource_config": resource_config,
            "user_entry_point": Path(script).name,
        }
        sm_env = {
            "SM_MODEL_DIR": str(paths["model"]),
            "SM_CHANNELS": _env_value(sorted(channel_dirs)),
            "SM_HPS": _env_value(hps),
            "SM_CURRENT_HOST": HOST,
            "SM_CURRENT_INSTANCE_TYPE": instance_type,
            "SM_HOSTS": _env_value([HOST]),
            "SM_NUM_CPUS": str(os.cpu_count() or 1),
            "SM_NUM_GPUS": "0",
            "SM_LOG_LEVEL": "20",
            "SM_NETWORK_INTERFACE_NAME": "eth0",
            "SM_USER_ARGS": _env_value(user_args),
            "SM_INPUT_DIR": str(paths["input"]),
            "SM_INPUT_CONFIG_DIR": str(paths["config"]),
            "SM_OUTPUT_DIR": str(paths["output"]),
            "SM_OUTPUT_DATA_DIR": str(paths["output_data"]),
            "SM_OUTPUT_INTERMEDIATE_DIR": str(paths["intermediate"]),
            "SM_RESOURCE_CONFIG": _env_value(resource_config),
            "SM_INPUT_DATA_CONFIG": _env_value(input_data_config),
            "SM_TRAINING_ENV": _env_value(training_env),
            "SM_MODULE_NAME": Path(script).stem,
            "SM_USER_ENTRY_POINT": Path(script).name,
            "TRAINING_JOB_NAME": job_name,
            "TRAINING_JOB_ARN": job.get("TrainingJobArn", ""),
            "SAGEMAKER_BASE_DIR": str(base),
        }
        for name, path in channel_dirs.items():
            sm_env[f"SM_CHANNEL_{name.upper()}"] = path
        for key, value in hps.items():
            sm_env[f"SM_HP_{key.upper()}"] = _env_value(value)
        run.env = sm_env
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "BOTO_", "SM_"))}
        env.update(self.child_env)
        env.update(job.get("Environment") or {})
        env.update(sm_env)
        env.update(extra_env or {})
        env["PYTHONUNBUFFERED"] = "1"

        stats_file = base / "runner-stats.jsonl"
        bootstrap_config = base / "runner-bootstrap.json"
        bootstrap_config.write_text(json.dumps({"lazy": lazy, "channels": probe_channels, "stats": str(stats_file)}))
        run.argv = [sys.executable, str(BOOTSTRAP), str(bootstrap_config), str(script), *user_args]

        # -- run ------------------------------------------------------------------------------
        max_runtime = (job.get("StoppingCondition") or {}).get("MaxRuntimeInSeconds") or timeout
        limit = min(float(max_runtime), timeout)
        for feeder in feeders:
            os.mkfifo(f"{feeder.prefix}_0")  # epoch 0's pipe is there when the script starts
            feeder.start()
        run.process_started_at = time.time()
        proc = subprocess.Popen(run.argv, cwd=str(Path(script).parent), env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, bufsize=1)
        stopped = threading.Event()

        def stop_job() -> None:
            stopped.set()
            proc.kill()

        timer = threading.Timer(limit, stop_job)
        timer.start()
        definitions = algo.get("MetricDefinitions") or []
        interrupted = False
        try:
            assert proc.stdout is not None
            for raw in proc.stdout:
                line = raw.rstrip("\n")
                run.lines.append(line)
                sink.add(line)
                for name, value in parse_metrics(line, definitions):
                    run.metrics.setdefault(name, []).append(value)
                if interrupt_on and not interrupted and re.search(interrupt_on, line):
                    interrupted = True
                    proc.terminate()
            proc.wait()
        finally:
            timer.cancel()
            timed_out = stopped.is_set()
            for feeder in feeders:
                feeder.stop.set()
        for feeder in feeders:
            feeder.join(timeout=5)
        run.returncode = proc.returncode
        run.ended_at = time.time()
        sink.flush()

        # -- what the bootstrap saw -----------------------------------------------------------
        if stats_file.exists():
            for text in stats_file.read_text().splitlines():
                event = json.loads(text)
                if event["event"] == "fetch":
                    for stats in run.channels.values():
                        if event["path"].startswith(probe_channels[stats.name] + os.sep):
                            stats.bytes_fetched_lazily += event["bytes"]
                            stats.objects_fetched_lazily += 1
                elif event["event"] == "first-open" and event["channel"] in run.channels:
                    stats = run.channels[event["channel"]]
                    stats.first_open_at = event["at"]
                    stats.first_record_seconds = event["at"] - run.started_at

        # -- outcome --------------------------------------------------------------------------
        failure_file = paths["output"] / "failure"
        if interrupted:
            run.status, run.secondary_status = "Stopped", "Interrupted"
            run.failure_reason = "Interrupted: the instance was reclaimed (simulated Spot interruption)"
        elif run.returncode == 0:
            run.status, run.secondary_status = "Completed", "Completed"
        elif timed_out:
            run.status, run.secondary_status = "Stopped", "MaxRuntimeExceeded"
            run.failure_reason = f"MaxRuntimeExceeded: the job ran longer than {limit:.0f}s"
        else:
            run.status, run.secondary_status = "Failed", "Failed"
            if not failure_file.exists() or not failure_file.read_text().strip():
                # The toolkit writes the error to output/failure when the script does not.
                tail = "\n".join(run.lines[-20:]).strip() or f"exit code {run.returncode}"
                failure_file.write_text(f"AlgorithmError: ExecuteUserScriptError: exit code {run.returncode}\n{tail}")
            run.failure_reason = failure_file.read_text()[:FAILURE_REASON_LIMIT]
        for feeder in feeders:
            if feeder.error and run.ok:
                run.status, run.failure_reason = "Failed", f"ClientError: pipe feeder: {feeder.error}"

        output_path = (job.get("OutputDataConfig") or {}).get("S3OutputPath")
        if output_path:
            bucket, key_prefix = split_s3_uri(output_path.rstrip("/"))
            key_base = f"{key_prefix}/{job_name}/output" if key_prefix else f"{job_name}/output"
            if run.ok:
                s3.put_object(Bucket=bucket, Key=f"{key_base}/model.tar.gz", Body=_tar_dir(paths["model"]))
                run.model_artifact = f"s3://{bucket}/{key_base}/model.tar.gz"
            s3.put_object(Bucket=bucket, Key=f"{key_base}/output.tar.gz", Body=_tar_dir(paths["output_data"]))
            run.output_artifact = f"s3://{bucket}/{key_base}/output.tar.gz"
        if run.checkpoint_uri:
            ck_bucket, ck_prefix = split_s3_uri(run.checkpoint_uri)
            for path in sorted(paths["checkpoints"].rglob("*")):
                if path.is_file():
                    key = f"{ck_prefix.rstrip('/')}/{path.relative_to(paths['checkpoints'])}".lstrip("/")
                    s3.upload_file(str(path), ck_bucket, key)
                    run.checkpoints_uploaded += 1
        self._put_metrics(job_name, run)
        return run

    def _put_metrics(self, job_name: str, run: TrainingRun) -> None:
        data = [
            {"MetricName": name, "Value": value, "Dimensions": [{"Name": "Host", "Value": f"{job_name}/{HOST}"}]}
            for name, values in run.metrics.items() for value in values
        ]
        if data:
            cloudwatch = self.clients.client("cloudwatch")
            for start in range(0, len(data), 500):
                cloudwatch.put_metric_data(Namespace=METRIC_NAMESPACE, MetricData=data[start:start + 500])

    def _resolve_code(self, job, raw_hps, entry_point, source_dir, paths, s3) -> tuple[str, dict]:
        """The script to run and the user hyperparameters (``sagemaker_*`` ones removed)."""
        hps = {k: v for k, v in decode_hyperparameters(raw_hps).items() if not k.startswith("sagemaker_")}
        code_dir = paths["code"]
        if entry_point is not None:
            entry = Path(entry_point)
            if source_dir is not None:
                shutil.copytree(source_dir, code_dir, dirs_exist_ok=True)
                return str(code_dir / entry), hps
            shutil.copy(entry, code_dir / entry.name)
            return str(code_dir / entry.name), hps
        decoded = decode_hyperparameters(raw_hps)
        if decoded.get("sagemaker_program") and decoded.get("sagemaker_submit_directory"):  # SDK 2.x
            bucket, key = split_s3_uri(str(decoded["sagemaker_submit_directory"]))
            archive = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
            with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
                tar.extractall(code_dir, filter="data")
            return str(code_dir / decoded["sagemaker_program"]), hps
        drivers = paths["data"] / "sm_drivers"  # SDK 3.x ModelTrainer: code and drivers are channels
        for candidate in (drivers / "sourcecode.json", *drivers.rglob("sourcecode.json")):
            if candidate.exists():
                source = json.loads(candidate.read_text())
                code_channel = paths["data"] / "code"
                return str(code_channel / source["entry_script"]), hps
        raise ValueError(f"job {job.get('TrainingJobName')}: no entry point given and none shipped with the job")


def run_training_job(ctx, job_name: str, entry_point: str | Path | None = None, **kwargs) -> TrainingRun:
    """Run ``job_name`` (already created through the SageMaker API) locally for the lab context."""
    runner = SageMakerTrainingRunner(ctx, ctx.subprocess_env(), track=ctx.track, region=ctx.region,
                                     account=ctx.account)
    kwargs.setdefault("base_dir", Path(ctx.workdir) / "opt-ml" / job_name)
    return runner.run(job_name, entry_point, **kwargs)


def read_model_artifact(s3, uri: str) -> dict[str, bytes]:
    """The files inside a ``model.tar.gz`` in S3, by name."""
    bucket, key = split_s3_uri(uri)
    data = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    files = {}
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        for member in tar.getmembers():
            if member.isfile():
                handle = tar.extractfile(member)
                files[member.name] = handle.read() if handle else b""
    return files


__all__ = ["SageMakerTrainingRunner", "TrainingRun", "ChannelStats", "run_training_job", "parse_metrics",
           "decode_hyperparameters", "to_cmd_args", "read_model_artifact", "LOG_GROUP", "METRIC_NAMESPACE"]
