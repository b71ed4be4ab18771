"""SageMaker script-mode training through the SageMaker Python SDK (3.x), made real by the local
training runner on moto and a moto server, and by SageMaker itself on AWS."""
from __future__ import annotations

import functools
import io
from pathlib import Path

from awslabs.lab import equal, expect

CODE = Path(__file__).parent / "code"
SHARDS = 16
ROWS_PER_SHARD = 1000
FEATURES = 8
HYPERPARAMETERS = {"epochs": 30, "learning-rate": 0.5, "l2": 0.001}
METRICS = [("train:loss", r"train:loss=([0-9.]+)"), ("validation:accuracy", r"validation:accuracy=([0-9.]+)")]
SKLEARN_VERSION = "1.2-1"
INSTANCE = "ml.m5.large"


# --------------------------------------------------------------------------- data
@functools.lru_cache(maxsize=1)
def _dataset() -> tuple[tuple[bytes, ...], bytes]:
    """16 training shards and a validation file: headerless CSV, label first (deterministic)."""
    import numpy as np

    rng = np.random.default_rng(7)
    weights = rng.normal(size=FEATURES)

    def rows(n):
        X = rng.normal(size=(n, FEATURES))
        y = (X @ weights + rng.normal(scale=1.0, size=n) > 0).astype(int)
        buf = io.StringIO()
        np.savetxt(buf, np.column_stack([y, X]), delimiter=",", fmt=["%d"] + ["%.5f"] * FEATURES)
        return buf.getvalue().encode()

    shards = tuple(rows(ROWS_PER_SHARD) for _ in range(SHARDS))
    return shards, rows(2000)


def _bucket(ctx):
    return ctx.name("data")


def _uri(ctx, key=""):
    return f"s3://{_bucket(ctx)}/{key}"


def _role_arn(ctx):
    return ctx.client("iam").get_role(RoleName=ctx.name("sm-role", max_len=64))["Role"]["Arn"]


# --------------------------------------------------------------------------- the SDK
def _session(ctx):
    if "sdk_session" not in ctx.state:
        from awslabs.sagemaker_sdk import sdk_session

        ctx.state["sdk_session"] = sdk_session(ctx, _bucket(ctx))
    return ctx.state["sdk_session"]


def _trainer(ctx, stem, hyperparameters=None):
    """The ModelTrainer every job of this lab uses; only the train channel's mode differs."""
    from awslabs.sagemaker_sdk import base_job_name, require_sdk

    require_sdk()
    from sagemaker.core import image_uris
    from sagemaker.train import ModelTrainer
    from sagemaker.core.training.configs import (CheckpointConfig, Compute, MetricDefinition, OutputDataConfig,
                                         SourceCode, StoppingCondition)

    from awslabs.local.sagemaker_labkit import sdk_tags

    session = _session(ctx)
    image = image_uris.retrieve("sklearn", region=ctx.region, version=SKLEARN_VERSION)  # offline lookup
    trainer = ModelTrainer(
        sagemaker_session=session,
        role=_role_arn(ctx),
        training_image=image,
        base_job_name=base_job_name(ctx, stem),
        source_code=SourceCode(source_dir=str(CODE), entry_script="train.py"),
        compute=Compute(instance_type=INSTANCE, instance_count=1, volume_size_in_gb=5,
                        enable_managed_spot_training=True),
        # Managed spot: MaxWaitTimeInSeconds (waiting for capacity + running) >= MaxRuntimeInSeconds.
        stopping_condition=StoppingCondition(max_runtime_in_seconds=900, max_wait_time_in_seconds=1800),
        hyperparameters=dict(hyperparameters or HYPERPARAMETERS),
        output_data_config=OutputDataConfig(s3_output_path=_uri(ctx, "output")),
        checkpoint_config=CheckpointConfig(s3_uri=_uri(ctx, f"checkpoints/{stem}"), local_path="/opt/ml/checkpoints"),
        tags=sdk_tags(ctx),
    )
    return trainer.with_metric_definitions([MetricDefinition(name=n, regex=r) for n, r in METRICS])


def _channels(ctx, train_mode="File"):
    from awslabs.sagemaker_sdk import require_sdk

    require_sdk()
    from sagemaker.core.training.configs import Channel, DataSource, S3DataSource

    def channel(name, prefix, mode):
        source = S3DataSource(s3_data_type="S3Prefix", s3_uri=_uri(ctx, prefix),
                              s3_data_distribution_type="FullyReplicated")
        return Channel(channel_name=name, data_source=DataSource(s3_data_source=source), input_mode=mode,
                       content_type="text/csv")

    return [channel("train", "train/", train_mode), channel("validation", "validation/", "File")]


def _clear_checkpoints(ctx, job_name):
    """Empty the job's CheckpointConfig.S3Uri before the local runner replays it from the start:
    in practice mode awslabs replays the learner's job at every check, and a checkpoint left by
    the previous replay would (rightly) make the script resume instead of train."""
    from awslabs.local.sagemaker_runner import split_s3_uri

    uri = ctx.client("sagemaker").describe_training_job(TrainingJobName=job_name).get("CheckpointConfig", {}).get("S3Uri")
    if not uri:
        return
    bucket, prefix = split_s3_uri(uri)
    s3 = ctx.client("s3")
    keys = [{"Key": o["Key"]} for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
            for o in page.get("Contents", [])]
    for start in range(0, len(keys), 1000):
        s3.delete_objects(Bucket=bucket, Delete={"Objects": keys[start:start + 1000]})


def _complete(ctx, job_name, fresh=True, **kwargs):
    """Run the job (moto/server: the local runner; AWS: wait for SageMaker). Remembered in state.

    moto keeps no job's MetricDefinitions: for a job this process did not submit (the learner's,
    in practice mode) the runner parses the logs with the lab's definitions."""
    from awslabs.local.sagemaker_labkit import complete_training_job

    if fresh and not ctx.on_aws:
        _clear_checkpoints(ctx, job_name)
    result = complete_training_job(ctx, _session(ctx), job_name,
                                   default_metrics=[{"Name": n, "Regex": r} for n, r in METRICS], **kwargs)
    ctx.state.setdefault("runs", {})[job_name] = result
    return result


def _job(ctx, stem):
    """The newest job of ``stem`` submitted since the data bucket was created: training jobs
    cannot be deleted, so (with practice mode's fixed names) an earlier attempt's must not count."""
    from awslabs.local.sagemaker_labkit import bucket_created, find_training_job

    created = bucket_created(ctx, _bucket(ctx))
    return None if created is None else find_training_job(ctx, stem, since=created)


def _describe(ctx, stem):
    name = _job(ctx, stem)
    if name is None:
        raise LookupError(f"no training job named {ctx.name(stem, max_len=48)}-*")
    return ctx.client("sagemaker").describe_training_job(TrainingJobName=name)


def _run(ctx, stem):
    """The local runner's result for a job of this run (off AWS)."""
    name = _job(ctx, stem)
    run = ctx.state.get("runs", {}).get(name)
    if run is None:
        raise LookupError(f"job {stem} has not run yet")
    return run


def _artifact_key(ctx, job_name):
    return f"output/{job_name}/output/model.tar.gz"


# --------------------------------------------------------------------------- steps
def apply_upload_data(ctx):
    s3 = ctx.client("s3")
    ctx.create_bucket(_bucket(ctx))
    shards, validation = _dataset()
    for i, body in enumerate(shards):
        s3.put_object(Bucket=_bucket(ctx), Key=f"train/part-{i:03d}.csv", Body=body)
    s3.put_object(Bucket=_bucket(ctx), Key="validation/validation.csv", Body=validation)


def check_upload_data(ctx):
    s3 = ctx.client("s3")
    objects = s3.list_objects_v2(Bucket=_bucket(ctx), Prefix="train/").get("Contents", [])
    yield equal("16 training shards under train/", len(objects), SHARDS)
    body = s3.get_object(Bucket=_bucket(ctx), Key="train/part-000.csv")["Body"].read().decode()
    first = body.splitlines()[0].split(",")
    yield expect("headerless CSV with the label first (0/1) and 8 features",
                 first[0] in ("0", "1") and len(first) == FEATURES + 1, f"first record: {body.splitlines()[0][:60]}")


def apply_execution_role(ctx):
    from awslabs.local.sagemaker_labkit import execution_role

    execution_role(ctx, _bucket(ctx))


def check_execution_role(ctx):
    from awslabs import judge

    iam, name = ctx.client("iam"), ctx.name("sm-role", max_len=64)
    role = iam.get_role(RoleName=name)["Role"]
    trusted = judge.service_may_assume(role["AssumeRolePolicyDocument"], "sagemaker.amazonaws.com")
    yield expect("the execution role trusts sagemaker.amazonaws.com", trusted, f"{role['Arn']}: {trusted.why}")
    # what the job does with it: read the channels and write model.tar.gz and checkpoints, write its logs
    needs = [("s3:GetObject", f"arn:aws:s3:::{_bucket(ctx)}/train/part-0.csv"),
             ("s3:PutObject", f"arn:aws:s3:::{_bucket(ctx)}/output/job/output/model.tar.gz"),
             ("logs:PutLogEvents", f"arn:aws:logs:{ctx.region}:{ctx.account}:log-group:/aws/sagemaker/TrainingJobs"
                                   ":log-stream:job/algo-1")]
    refused = [d.why for d in (judge.role_may(iam, name, action, resource) for action, resource in needs) if not d]
    yield expect("its policies let it read and write the lab bucket and write its logs", not refused,
                 "; ".join(refused) or "allowed")


def apply_submit_training_job(ctx):
    from awslabs.local.sagemaker_labkit import start_training

    ctx.state["file_job"] = start_training(ctx, _trainer(ctx, "file"), "file", _channels(ctx, "File"))


def check_submit_training_job(ctx):
    job = _describe(ctx, "file")
    hps = job.get("HyperParameters", {})
    yield equal("hyperparameters reach the job as strings", {k: hps.get(k) for k in HYPERPARAMETERS},
                {k: str(v) for k, v in HYPERPARAMETERS.items()})
    yield expect("managed spot training with a checkpoint location",
                 job.get("EnableManagedSpotTraining") is True and job.get("CheckpointConfig", {}).get("S3Uri"),
                 str(job.get("CheckpointConfig")))
    stop = job.get("StoppingCondition", {})
    yield expect("MaxWaitTimeInSeconds >= MaxRuntimeInSeconds (required for spot)",
                 stop.get("MaxWaitTimeInSeconds", 0) >= stop.get("MaxRuntimeInSeconds", 1), str(stop))
    channels = [c["ChannelName"] for c in job.get("InputDataConfig", [])]
    yield expect("the job reads the channels train and validation", {"train", "validation"} <= set(channels),
                 str(channels))
    shipped, how = _shipped_code(ctx, job, channels)
    yield expect("the script ships with the job: a 'code' channel (SDK ModelTrainer) or a sourcedir.tar.gz "
                 "named by sagemaker_program and sagemaker_submit_directory", shipped, how)
    yield expect("the image is the regional scikit-learn container",
                 "sagemaker-scikit-learn" in job["AlgorithmSpecification"]["TrainingImage"],
                 job["AlgorithmSpecification"]["TrainingImage"])


def _shipped_code(ctx, job, channels) -> tuple[bool, str]:
    """How the job carries its script, whichever valid way submitted it: SDK 3.x's ModelTrainer
    adds a ``code`` channel; script mode without the SDK 3.x (SDK 2.x estimators, boto3, the AWS
    CLI) names the entry script in ``sagemaker_program`` and an existing ``sourcedir.tar.gz`` in
    S3 in ``sagemaker_submit_directory``, which the framework container downloads and unpacks."""
    if "code" in channels:
        return True, f"a 'code' channel among {channels}"
    hps = job.get("HyperParameters", {})
    program, archive = hps.get("sagemaker_program", ""), hps.get("sagemaker_submit_directory", "")
    program, archive = program.strip('"'), archive.strip('"')  # the SDK 2.x JSON-encodes them
    if not (program and archive):
        return False, f"no 'code' channel ({channels}) and no sagemaker_program + sagemaker_submit_directory"
    from awslabs.local.sagemaker_runner import split_s3_uri

    try:
        bucket, key = split_s3_uri(archive)
        ctx.client("s3").head_object(Bucket=bucket, Key=key)
    except Exception as err:  # noqa: BLE001 - not an S3 URI, or no such object
        return False, f"sagemaker_submit_directory {archive!r} is not an object in S3 ({type(err).__name__})"
    return True, f"{program} in {archive}"


def apply_run_training_container(ctx):
    result = _complete(ctx, ctx.state.get("file_job") or _job(ctx, "file"))
    if not ctx.on_aws and not result.ok:
        from awslabs.lab import StepFailed

        raise StepFailed(result.summary())


def check_run_training_container(ctx):
    name = _job(ctx, "file")
    s3 = ctx.client("s3")
    head = s3.head_object(Bucket=_bucket(ctx), Key=_artifact_key(ctx, name))
    yield expect("model.tar.gz is at <S3OutputPath>/<job>/output/", head["ContentLength"] > 0,
                 f"s3://{_bucket(ctx)}/{_artifact_key(ctx, name)} ({head['ContentLength']} bytes)")
    from awslabs.local.sagemaker_runner import read_model_artifact

    files = read_model_artifact(s3, _uri(ctx, _artifact_key(ctx, name)))
    yield expect("the artifact holds the weights and the serving code", {"model.npz", "code/inference.py"} <= set(files),
                 str(sorted(files)))
    logs = ctx.client("logs")
    streams = logs.describe_log_streams(logGroupName="/aws/sagemaker/TrainingJobs", logStreamNamePrefix=f"{name}/")
    stream = streams["logStreams"][0]["logStreamName"]
    events = logs.get_log_events(logGroupName="/aws/sagemaker/TrainingJobs", logStreamName=stream)["events"]
    yield expect("the script's output is in CloudWatch Logs (/aws/sagemaker/TrainingJobs)",
                 any("training complete" in e["message"] for e in events), f"{stream}: {len(events)} lines")
    if ctx.on_aws:
        final = {m["MetricName"]: m["Value"] for m in _describe(ctx, "file").get("FinalMetricDataList", [])}
        yield expect("validation:accuracy from the MetricDefinitions >= 0.85",
                     final.get("validation:accuracy", 0) >= 0.85, str(final))
        return
    run = _run(ctx, "file")
    final = run.final_metrics()
    yield expect("validation:accuracy parsed with the job's MetricDefinitions regex >= 0.85",
                 final.get("validation:accuracy", 0) >= 0.85,
                 f"{final} over {len(run.metrics.get('train:loss', []))} epochs", verified_by="local")
    config = (run.base_dir / "input" / "config")
    import json

    hps = json.loads((config / "hyperparameters.json").read_text())
    data_config = json.loads((config / "inputdataconfig.json").read_text())
    resource = json.loads((config / "resourceconfig.json").read_text())
    yield expect("the /opt/ml contract files: hyperparameters.json, inputdataconfig.json, resourceconfig.json",
                 hps.get("epochs") == str(HYPERPARAMETERS["epochs"]) and data_config["train"]["TrainingInputMode"] == "File"
                 and resource["current_host"] == "algo-1",
                 f"channels {sorted(data_config)}, host {resource['current_host']}", verified_by="local")
    yield equal("SM_CHANNEL_TRAIN points at input/data/train", run.env.get("SM_CHANNEL_TRAIN"),
                str(run.base_dir / "input" / "data" / "train"), verified_by="local")
    stats = ctx.client("cloudwatch").get_metric_statistics(
        Namespace="/aws/sagemaker/TrainingJobs", MetricName="validation:accuracy",
        Dimensions=[{"Name": "Host", "Value": f"{name}/algo-1"}], StartTime=run.started_at - 60,
        EndTime=run.ended_at + 60, Period=60, Statistics=["Maximum"])
    yield expect("the metric is in CloudWatch (namespace /aws/sagemaker/TrainingJobs)",
                 stats.get("Datapoints"), str([d["Maximum"] for d in stats.get("Datapoints", [])]))


def apply_compare_input_modes(ctx):
    from awslabs.local.sagemaker_labkit import start_training

    # Both jobs are submitted before either is waited for: on AWS they run side by side. On AWS a
    # job already submitted since the bucket was made is reused (practice runs this at every check).
    names = [(ctx.on_aws and _job(ctx, mode.lower()))
             or start_training(ctx, _trainer(ctx, mode.lower()), mode.lower(), _channels(ctx, mode))
             for mode in ("FastFile", "Pipe")]
    for name in names:
        _complete(ctx, name)


def _mode_line(run) -> str:
    stats = run.channels["train"]
    return (f"{stats.mode}: {stats.bytes_before_start:,} B copied before start, "
            f"first record after {stats.first_record_seconds or 0:.3f}s, job {run.seconds:.2f}s")


def check_compare_input_modes(ctx):
    if ctx.on_aws:
        for stem in ("fastfile", "pipe"):
            job = _describe(ctx, stem)
            yield equal(f"the {stem} job completed", job["TrainingJobStatus"], "Completed")
        return
    file_run, fast_run, pipe_run = (_run(ctx, s) for s in ("file", "fastfile", "pipe"))
    total = file_run.channels["train"].bytes_total
    summary = " | ".join(_mode_line(r) for r in (file_run, fast_run, pipe_run))
    yield equal("File copied the whole channel to disk before the script started",
                file_run.channels["train"].bytes_before_start, total, verified_by="local")
    fast = fast_run.channels["train"]
    yield expect("FastFile copied nothing before the start and fetched each object on first read",
                 fast.bytes_before_start == 0 and fast.bytes_fetched_lazily == total,
                 f"{fast.objects_fetched_lazily} objects, {fast.bytes_fetched_lazily:,} B fetched lazily",
                 verified_by="local")
    pipe = pipe_run.channels["train"]
    yield expect("Pipe streamed the channel through the FIFO train_0, nothing copied to disk",
                 pipe.bytes_before_start == 0 and pipe.bytes_streamed == total and pipe.epochs_streamed >= 1,
                 f"{pipe.bytes_streamed:,} B streamed in {pipe.epochs_streamed} epoch(s)", verified_by="local")
    accuracies = {r.channels["train"].mode: r.final_metrics().get("validation:accuracy") for r in
                  (file_run, fast_run, pipe_run)}
    yield expect("the three modes train the same model (same data, same order)", len(set(accuracies.values())) == 1
                 and None not in accuracies.values(), f"{accuracies}; {summary}", verified_by="local")


def apply_resume_from_checkpoint(ctx):
    if ctx.on_aws:
        raise ctx.skip("a Spot interruption cannot be requested on AWS; the job in step 2 already uses "
                       "managed spot with checkpoints")
    from awslabs.local.sagemaker_labkit import start_training

    name = start_training(ctx, _trainer(ctx, "spot"), "spot", _channels(ctx, "File"))
    first = _complete(ctx, name, interrupt_on=r"checkpoint saved epoch=5\b")
    ctx.state["interrupted"] = first
    second = _complete(ctx, name, fresh=False, base_dir=Path(ctx.workdir) / "opt-ml" / f"{name}-restart")
    ctx.state["resumed"] = second


def check_resume_from_checkpoint(ctx):
    name = _job(ctx, "spot")
    if name is None:
        raise LookupError("no spot job yet")
    s3 = ctx.client("s3")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=_bucket(ctx), Prefix="checkpoints/spot").get("Contents", [])]
    yield expect("the checkpoint was synced to CheckpointConfig.S3Uri", any(k.endswith("checkpoint.npz") for k in keys),
                 str(keys))
    first, second = ctx.state["interrupted"], ctx.state["resumed"]
    yield equal("the first attempt was interrupted", (first.status, first.secondary_status),
                ("Stopped", "Interrupted"), verified_by="local")
    resumed = next((line for line in second.lines if line.startswith("resumed from checkpoint")), "")
    start = int(resumed.rsplit(" ", 1)[-1]) if resumed else -1
    epochs_run = len(second.metrics.get("train:loss", []))
    # The reclaim lands a few milliseconds after the matched line: the checkpoint may be a little later.
    yield expect("the restarted job restored the checkpoint and ran only the remaining epochs",
                 second.checkpoints_restored >= 1 and start >= 5 and epochs_run == HYPERPARAMETERS["epochs"] - start,
                 f"{resumed!r}; {epochs_run} of {HYPERPARAMETERS['epochs']} epochs run", verified_by="local")
    import io

    import numpy as np

    from awslabs.local.sagemaker_runner import read_model_artifact

    s3 = ctx.client("s3")
    resumed_model = np.load(io.BytesIO(read_model_artifact(s3, second.model_artifact)["model.npz"]))
    baseline = np.load(io.BytesIO(read_model_artifact(s3, _uri(ctx, _artifact_key(ctx, _job(ctx, "file"))))["model.npz"]))
    yield expect("the resumed model equals the uninterrupted one (same weights)",
                 np.allclose(resumed_model["w"], baseline["w"]) and np.isclose(resumed_model["b"], baseline["b"]),
                 f"max weight difference {float(np.max(np.abs(resumed_model['w'] - baseline['w']))):.1e}",
                 verified_by="local")
