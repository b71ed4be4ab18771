"""SageMaker real-time endpoints with two production variants. moto keeps the control plane
(models, endpoint configs, endpoints, weights, scaling policies, transform jobs); the predictions
come from the trained artifacts served through the inference contract by
``awslabs.local.sagemaker_hosting`` (moto's runtime answers every request with b'body')."""
from __future__ import annotations

import functools
import io
import weakref
from contextlib import ExitStack
from pathlib import Path

from awslabs import labkit
from awslabs.lab import equal, expect

# The same training and serving scripts as the sagemaker-training lab (one copy, read there).
CODE = Path(__file__).parents[1] / "sagemaker-training" / "code"
FEATURES = 8
VARIANTS = {"baseline": {"epochs": 1, "weight": 0.9}, "challenger": {"epochs": 30, "weight": 0.1}}
SHIFTED = {"baseline": 0.2, "challenger": 0.8}
REQUESTS = 200
INSTANCE = "ml.t2.medium"  # the smallest real-time instance type
SKLEARN_VERSION = "1.2-1"


@functools.lru_cache(maxsize=1)
def _dataset() -> tuple[tuple[bytes, ...], bytes, bytes]:
    """Training shards, validation CSV (label first) and a features-only scoring file."""
    import numpy as np

    rng = np.random.default_rng(11)
    weights = rng.normal(size=FEATURES)
    # Correlated features: one gradient step points the wrong way, so more epochs really help.
    mixing = np.eye(FEATURES) + 0.9 * rng.normal(size=(FEATURES, FEATURES))

    def rows(n, label=True):
        X = rng.normal(size=(n, FEATURES)) @ mixing
        y = (X @ weights + 2 * rng.normal(size=n) > 0).astype(int)
        buf = io.StringIO()
        if label:
            np.savetxt(buf, np.column_stack([y, X]), delimiter=",", fmt=["%d"] + ["%.5f"] * FEATURES)
        else:
            np.savetxt(buf, X, delimiter=",", fmt="%.5f")
        return buf.getvalue().encode()

    return tuple(rows(1000) for _ in range(4)), rows(1000), rows(500, label=False)


def _bucket(ctx):
    return ctx.name("data")


def _uri(ctx, key=""):
    return f"s3://{_bucket(ctx)}/{key}"


def _endpoint(ctx):
    return ctx.name("endpoint")


def _config(ctx):
    return ctx.name("config")


def _model(ctx, variant):
    return ctx.name(variant)


def _scaling_resource(ctx):
    return f"endpoint/{_endpoint(ctx)}/variant/challenger"


_SESSIONS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _session(ctx):
    """One SDK session per context, kept out of ctx.state: practice mode saves the state between
    `start` and `check` (pickled), and an SDK session cannot be pickled."""
    if ctx not in _SESSIONS:
        from awslabs.sagemaker_sdk import sdk_session

        _SESSIONS[ctx] = sdk_session(ctx, _bucket(ctx))
    return _SESSIONS[ctx]


def _image(ctx):
    from awslabs.sagemaker_sdk import require_sdk

    require_sdk()
    from sagemaker.core import image_uris

    return image_uris.retrieve("sklearn", region=ctx.region, version=SKLEARN_VERSION)


def _artifact(ctx, variant):
    from awslabs.local.sagemaker_labkit import bucket_created, find_training_job

    created = bucket_created(ctx, _bucket(ctx))
    job = find_training_job(ctx, variant, since=created) if created else None
    if job is None:
        raise LookupError(f"no {variant} training job yet")
    return _uri(ctx, f"output/{job}/output/model.tar.gz")


def _reference_model(ctx, variant):
    """The weights straight from model.tar.gz: what every prediction must agree with."""
    import numpy as np

    from awslabs.local.sagemaker_runner import read_model_artifact

    files = read_model_artifact(ctx.client("s3"), _artifact(ctx, variant))
    saved = np.load(io.BytesIO(files["model.npz"]))
    return {k: saved[k] for k in ("w", "b", "mean", "std")}


def _predict(model, X):
    import numpy as np

    return 1 / (1 + np.exp(-(((X - model["mean"]) / model["std"]) @ model["w"] + model["b"])))


def _scoring_rows():
    return [line for line in _dataset()[2].decode().splitlines() if line]


# --------------------------------------------------------------------------- steps
def apply_train_variants(ctx):
    from awslabs.sagemaker_sdk import base_job_name, require_sdk

    require_sdk()
    from sagemaker.train import ModelTrainer
    from sagemaker.core.training.configs import Compute, InputData, OutputDataConfig, SourceCode, StoppingCondition

    from awslabs.local.sagemaker_labkit import complete_training_job, execution_role, sdk_tags, start_training

    s3 = ctx.client("s3")
    ctx.create_bucket(_bucket(ctx))
    shards, validation, scoring = _dataset()
    for i, body in enumerate(shards):
        s3.put_object(Bucket=_bucket(ctx), Key=f"train/part-{i}.csv", Body=body)
    s3.put_object(Bucket=_bucket(ctx), Key="validation/validation.csv", Body=validation)
    s3.put_object(Bucket=_bucket(ctx), Key="batch-in/scoring.csv", Body=scoring)
    role = execution_role(ctx, _bucket(ctx))
    # transform jobs that exist already (an earlier attempt's, in practice mode) never count as
    # the one step 8 asks for: they cannot be deleted
    ctx.state["transform_jobs_before"] = _transform_jobs(ctx)
    session = _session(ctx)
    for variant, spec in VARIANTS.items():
        trainer = ModelTrainer(
            sagemaker_session=session, role=role, training_image=_image(ctx),
            base_job_name=base_job_name(ctx, variant),
            source_code=SourceCode(source_dir=str(CODE), entry_script="train.py"),
            compute=Compute(instance_type="ml.m5.large", instance_count=1, volume_size_in_gb=5,
                            enable_managed_spot_training=True),
            stopping_condition=StoppingCondition(max_runtime_in_seconds=900, max_wait_time_in_seconds=1800),
            hyperparameters={"epochs": spec["epochs"], "learning-rate": 0.5},
            output_data_config=OutputDataConfig(s3_output_path=_uri(ctx, "output")),
            tags=sdk_tags(ctx),
        )
        inputs = [InputData(channel_name="train", data_source=_uri(ctx, "train/")),
                  InputData(channel_name="validation", data_source=_uri(ctx, "validation/"))]
        job = start_training(ctx, trainer, variant, inputs)
        result = complete_training_job(ctx, session, job)
        if not ctx.on_aws and not result.ok:
            from awslabs.lab import StepFailed

            raise StepFailed(result.summary())


def check_train_variants(ctx):
    import numpy as np

    accuracy = {}
    rows = np.loadtxt(io.StringIO(_dataset()[1].decode()), delimiter=",")
    for variant in VARIANTS:
        model = _reference_model(ctx, variant)
        accuracy[variant] = float(np.mean((_predict(model, rows[:, 1:]) > 0.5) == (rows[:, 0] > 0.5)))
    yield expect("both artifacts are in S3 and the challenger beats the baseline on validation data",
                 accuracy["challenger"] > accuracy["baseline"], str(accuracy), verified_by="local")


def apply_create_endpoint_config(ctx):
    sm = ctx.client("sagemaker")
    role = ctx.client("iam").get_role(RoleName=ctx.name("sm-role", max_len=64))["Role"]["Arn"]
    for variant in VARIANTS:
        ctx.track("sagemaker:model", _model(ctx, variant))
        sm.create_model(
            ModelName=_model(ctx, variant), ExecutionRoleArn=role, Tags=ctx.tag_list(),
            PrimaryContainer={"Image": _image(ctx), "ModelDataUrl": _artifact(ctx, variant),
                              # the scikit-learn container imports the serving functions from here
                              "Environment": {"SAGEMAKER_PROGRAM": "inference.py",
                                              "SAGEMAKER_SUBMIT_DIRECTORY": "/opt/ml/model/code"}})
    ctx.track("sagemaker:endpoint-config", _config(ctx))
    sm.create_endpoint_config(
        EndpointConfigName=_config(ctx), Tags=ctx.tag_list(),
        ProductionVariants=[{"VariantName": v, "ModelName": _model(ctx, v), "InitialInstanceCount": 1,
                             "InstanceType": INSTANCE, "InitialVariantWeight": spec["weight"]}
                            for v, spec in VARIANTS.items()],
        DataCaptureConfig={"EnableCapture": True, "InitialSamplingPercentage": 100,
                           "DestinationS3Uri": _uri(ctx, "capture"),
                           "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
                           "CaptureContentTypeHeader": {"CsvContentTypes": ["text/csv"]}})


def check_create_endpoint_config(ctx):
    sm = ctx.client("sagemaker")
    config = sm.describe_endpoint_config(EndpointConfigName=_config(ctx))
    weights = {v["VariantName"]: v.get("InitialVariantWeight", 1.0) for v in config["ProductionVariants"]}
    yield equal("two production variants weighted 0.9 / 0.1 (weights are relative)", _shares(weights),
                {v: s["weight"] for v, s in VARIANTS.items()})
    capture = config.get("DataCaptureConfig", {})
    modes = sorted({o.get("CaptureMode") for o in capture.get("CaptureOptions", [])})
    # EnableCapture defaults to true when left out (DataCaptureConfig, SageMaker API reference)
    yield expect("data capture enabled: 100% of requests, input and output, to S3",
                 capture.get("EnableCapture", True) is True and capture.get("InitialSamplingPercentage") == 100
                 and modes == ["Input", "Output"],
                 f"EnableCapture={capture.get('EnableCapture', True)}, "
                 f"{capture.get('InitialSamplingPercentage')}%, modes {modes}, to {capture.get('DestinationS3Uri', '')}")
    model = sm.describe_model(ModelName=_model(ctx, "challenger"))["PrimaryContainer"]
    yield expect("the challenger model points at its training job's model.tar.gz",
                 model["ModelDataUrl"].endswith("/output/model.tar.gz") and "challenger" in model["ModelDataUrl"],
                 model["ModelDataUrl"])


def apply_create_endpoint(ctx):
    sm = ctx.client("sagemaker")
    ctx.track("sagemaker:endpoint", _endpoint(ctx))
    sm.create_endpoint(EndpointName=_endpoint(ctx), EndpointConfigName=_config(ctx), Tags=ctx.tag_list())
    if ctx.on_aws:
        sm.get_waiter("endpoint_in_service").wait(EndpointName=_endpoint(ctx),
                                                  WaiterConfig={"Delay": 30, "MaxAttempts": 40})


def check_create_endpoint(ctx):
    endpoint = ctx.client("sagemaker").describe_endpoint(EndpointName=_endpoint(ctx))
    yield equal("the endpoint is InService", endpoint["EndpointStatus"], "InService")
    yield equal("it serves the endpoint configuration of step 2", endpoint["EndpointConfigName"], _config(ctx))
    yield equal("both variants are deployed", sorted(v["VariantName"] for v in endpoint["ProductionVariants"]),
                sorted(VARIANTS))


def _invoke_many(ctx, seed: int, n=REQUESTS):
    """Send n scoring rows to the endpoint; return per-request (variant, prediction, row index)."""
    rows = _scoring_rows()[:n]
    if ctx.on_aws:
        runtime = ctx.client("sagemaker-runtime")
        out = []
        for i, row in enumerate(rows):
            resp = runtime.invoke_endpoint(EndpointName=_endpoint(ctx), ContentType="text/csv", Accept="text/csv",
                                           Body=row.encode())
            out.append((resp["InvokedProductionVariant"], float(resp["Body"].read().decode().strip()), i))
        pinned = runtime.invoke_endpoint(EndpointName=_endpoint(ctx), ContentType="text/csv", Accept="text/csv",
                                         Body=rows[0].encode(), TargetVariant="challenger")
        return out, (pinned["InvokedProductionVariant"], float(pinned["Body"].read().decode().strip())), []
    from awslabs.local.sagemaker_hosting import DataCapture, LocalEndpoint, serve_artifact

    sm, s3 = ctx.client("sagemaker"), ctx.client("s3")
    endpoint = sm.describe_endpoint(EndpointName=_endpoint(ctx))
    config = sm.describe_endpoint_config(EndpointConfigName=endpoint["EndpointConfigName"])
    weights = {v["VariantName"]: v["CurrentWeight"] for v in endpoint["ProductionVariants"]}
    models = {v["VariantName"]: sm.describe_model(ModelName=v["ModelName"])["PrimaryContainer"]["ModelDataUrl"]
              for v in config["ProductionVariants"]}
    with ExitStack() as stack:
        servers = {v: stack.enter_context(serve_artifact(s3, url, Path(ctx.workdir) / "hosting" / f"{v}-{seed}"))
                   for v, url in models.items()}
        capture = DataCapture(s3, config["DataCaptureConfig"], _endpoint(ctx), seed=seed)
        local = LocalEndpoint({v: (servers[v], weights[v]) for v in servers}, seed=seed, capture=capture)
        out = []
        for i, row in enumerate(rows):
            inv = local.invoke(row, "text/csv", "text/csv")
            if inv.status != 200:
                raise RuntimeError(f"variant {inv.variant} answered {inv.status}: {inv.body[:200]!r}")
            out.append((inv.variant, float(inv.body.decode().strip()), i))
        pinned = local.invoke(rows[0], "text/csv", "text/csv", target_variant="challenger")
        written = capture.flush()
    return out, (pinned.variant, float(pinned.body.decode().strip())), written


def _current_weights(ctx):
    endpoint = ctx.client("sagemaker").describe_endpoint(EndpointName=_endpoint(ctx))
    return {v["VariantName"]: v["CurrentWeight"] for v in endpoint["ProductionVariants"]}


def apply_invoke_endpoint(ctx):
    weights = _current_weights(ctx)
    results, pinned, captured = _invoke_many(ctx, seed=1)
    seen = {"results": results, "pinned": pinned, "captured": captured, "weights": weights}
    if not ctx.on_aws:
        body = ctx.client("sagemaker-runtime").invoke_endpoint(EndpointName=_endpoint(ctx), ContentType="text/csv",
                                                               Body=_scoring_rows()[0].encode())["Body"].read()
        seen["emulator_body"] = body.decode(errors="replace")
    labkit.record(ctx, "invocations", seen)  # what the endpoint answered: the checks judge this file


def _worst_difference(ctx, results) -> float:
    """The largest gap between a prediction the endpoint answered and the served variant's model,
    computed here with numpy from the weights in its model.tar.gz (not through the serving code)."""
    import numpy as np

    rows = np.loadtxt(_scoring_rows()[:REQUESTS], delimiter=",", ndmin=2)
    models = {v: _reference_model(ctx, v) for v in VARIANTS}
    return max(abs(pred - float(_predict(models[variant], rows[i:i + 1])[0])) for variant, pred, i in results)


def _shares(weights: dict) -> dict:
    """Each variant's share of the traffic: SageMaker routes by weight / sum of weights, so 9 / 1
    and 0.9 / 0.1 are the same split."""
    total = sum(w or 0 for w in weights.values())
    return {v: round((w or 0) / total, 6) if total else w for v, w in weights.items()}


def _label(ctx):
    return "emulated" if ctx.on_aws else "local"


def check_invoke_endpoint(ctx):
    state = labkit.observed(ctx, "invocations")
    if state is None:
        yield labkit.not_run(f"all {REQUESTS} predictions equal the served variant's trained model", _label(ctx))
        return
    worst = _worst_difference(ctx, state["results"])
    yield expect(f"all {REQUESTS} predictions equal the served variant's trained model (to 1e-5)",
                 len(state["results"]) == REQUESTS and worst < 1e-5,
                 f"{len(state['results'])} answers, largest difference {worst:.2e}", verified_by=_label(ctx))
    share = sum(1 for v, _, _ in state["results"] if v == "baseline") / len(state["results"])
    # the weights when the requests were sent: 0.9 / 0.1 in a run, whatever the endpoint has in practice
    weights = state["weights"]
    expected = weights["baseline"] / sum(weights.values())
    yield expect(f"traffic split follows the variant weights (baseline ~{expected:.0%})", abs(share - expected) < 0.08,
                 f"baseline served {share:.0%} of {len(state['results'])} requests (weights {weights})",
                 verified_by="emulated" if ctx.on_aws else "simulated")
    yield equal("TargetVariant pins a request to the challenger", state["pinned"][0], "challenger",
                verified_by=_label(ctx))
    if ctx.on_aws:
        yield ctx.aws_only("captured requests in S3", "SageMaker delivers capture files within minutes: "
                           f"look under {_uri(ctx, 'capture/')}{_endpoint(ctx)}/")
        return
    keys = [o["Key"] for o in ctx.client("s3").list_objects_v2(Bucket=_bucket(ctx), Prefix="capture/").get("Contents", [])]
    body = ctx.client("s3").get_object(Bucket=_bucket(ctx), Key=keys[0])["Body"].read().decode() if keys else ""
    yield expect("data capture wrote JSON Lines under capture/<endpoint>/<variant>/yyyy/mm/dd/hh/",
                 keys and f"capture/{_endpoint(ctx)}/" in keys[0] and '"endpointInput"' in body and '"endpointOutput"' in body,
                 f"{len(keys)} files, e.g. {keys[0] if keys else '-'}", verified_by="local")
    yield equal("moto's own InvokeEndpoint answers a placeholder (why the lab serves the model locally)",
                state.get("emulator_body"), "body")


def apply_shift_traffic(ctx):
    sm = ctx.client("sagemaker")
    sm.update_endpoint_weights_and_capacities(
        EndpointName=_endpoint(ctx),
        DesiredWeightsAndCapacities=[{"VariantName": v, "DesiredWeight": w} for v, w in SHIFTED.items()])
    if ctx.on_aws:
        sm.get_waiter("endpoint_in_service").wait(EndpointName=_endpoint(ctx),
                                                  WaiterConfig={"Delay": 15, "MaxAttempts": 40})


def check_shift_traffic(ctx):
    endpoint = ctx.client("sagemaker").describe_endpoint(EndpointName=_endpoint(ctx))
    weights = {v["VariantName"]: v.get("CurrentWeight") for v in endpoint["ProductionVariants"]}
    yield equal("the endpoint now weights baseline 0.2 / challenger 0.8 (weights are relative)",
                _shares(weights), SHIFTED)


def apply_routed_traffic(ctx):
    results, _, _ = _invoke_many(ctx, seed=2)
    labkit.record(ctx, "routed", {"results": results})


def check_routed_traffic(ctx):
    seen = labkit.observed(ctx, "routed")
    if seen is None:
        yield labkit.not_run("the challenger now serves ~80% of requests", labkit.label(ctx))
        return
    results = seen["results"]
    share = sum(1 for v, _, _ in results if v == "challenger") / max(len(results), 1)
    yield expect(f"the challenger now serves ~{SHIFTED['challenger']:.0%} of requests",
                 abs(share - SHIFTED["challenger"]) < 0.08,
                 f"challenger served {share:.0%} of {len(results)} requests",
                 verified_by="emulated" if ctx.on_aws else "simulated")
    worst = _worst_difference(ctx, results)
    yield expect(f"all {REQUESTS} answers after the shift equal the served variant's trained model (to 1e-5)",
                 len(results) == REQUESTS and worst < 1e-5, f"{len(results)} answers, largest difference {worst:.2e}",
                 verified_by=_label(ctx))


def apply_autoscale_variant(ctx):
    aas = ctx.client("application-autoscaling")
    dimension = "sagemaker:variant:DesiredInstanceCount"
    ctx.track("application-autoscaling:scalable-target", labkit.scalable_target_id("sagemaker", _scaling_resource(ctx), dimension))
    aas.register_scalable_target(ServiceNamespace="sagemaker", ResourceId=_scaling_resource(ctx),
                                 ScalableDimension=dimension, MinCapacity=1, MaxCapacity=2)
    aas.put_scaling_policy(
        PolicyName=ctx.name("invocations"), ServiceNamespace="sagemaker", ResourceId=_scaling_resource(ctx),
        ScalableDimension=dimension, PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={
            "TargetValue": 70.0,  # invocations per instance per minute
            "PredefinedMetricSpecification": {"PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"},
            "ScaleOutCooldown": 60, "ScaleInCooldown": 300})


def check_autoscale_variant(ctx):
    aas = ctx.client("application-autoscaling")
    targets = aas.describe_scalable_targets(ServiceNamespace="sagemaker", ResourceIds=[_scaling_resource(ctx)])
    bounds = [(t["MinCapacity"], t["MaxCapacity"]) for t in targets.get("ScalableTargets", [])]
    yield equal("the challenger variant scales between 1 and 2 instances", bounds, [(1, 2)])
    policies = aas.describe_scaling_policies(ServiceNamespace="sagemaker", ResourceId=_scaling_resource(ctx))
    tracked = [(p["PolicyType"], p["TargetTrackingScalingPolicyConfiguration"]["PredefinedMetricSpecification"]
                ["PredefinedMetricType"], p["TargetTrackingScalingPolicyConfiguration"]["TargetValue"])
               for p in policies.get("ScalingPolicies", [])]
    yield equal("target tracking on SageMakerVariantInvocationsPerInstance = 70", tracked,
                [("TargetTrackingScaling", "SageMakerVariantInvocationsPerInstance", 70.0)])


def _stamp() -> str:
    """6 random base-36 characters: transform jobs cannot be deleted and their names never
    reused, so each attempt (practice mode keeps the rest of the name fixed) gets a new one."""
    import secrets

    return "".join(secrets.choice("0123456789abcdefghijklmnopqrstuvwxyz") for _ in range(6))


def _transform_prefix(ctx):
    return ctx.name("transform", max_len=56) + "-"


def _transform_summaries(ctx) -> list[dict]:
    prefix = _transform_prefix(ctx)
    pages = ctx.client("sagemaker").get_paginator("list_transform_jobs").paginate(NameContains=prefix)
    return [j for page in pages for j in page.get("TransformJobSummaries", []) if j["TransformJobName"].startswith(prefix)]


def _transform_jobs(ctx) -> list[str]:
    return [j["TransformJobName"] for j in _transform_summaries(ctx)]


def _transform_job(ctx):
    """The newest transform job ``<prefix><stamp>`` created since the bucket was (an earlier
    attempt's does not count)."""
    from awslabs.local.sagemaker_labkit import bucket_created

    created = bucket_created(ctx, _bucket(ctx))
    if created is None:
        raise LookupError(f"no bucket {_bucket(ctx)} yet")
    before = set(ctx.state.get("transform_jobs_before", ()))
    jobs = [j for j in _transform_summaries(ctx) if j["TransformJobName"] not in before
            and j["CreationTime"] >= created.replace(microsecond=0)]
    if not jobs:
        raise LookupError(f"no new transform job named {_transform_prefix(ctx)}* since the bucket {_bucket(ctx)} was made")
    return max(jobs, key=lambda j: j["CreationTime"])["TransformJobName"]


def apply_batch_transform(ctx):
    sm = ctx.client("sagemaker")
    name = _transform_prefix(ctx) + _stamp()
    ctx.track("sagemaker:job", name, type="transform")
    sm.create_transform_job(
        TransformJobName=name, ModelName=_model(ctx, "challenger"), Tags=ctx.tag_list(),
        BatchStrategy="MultiRecord", MaxPayloadInMB=6,
        TransformInput={"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": _uri(ctx, "batch-in/")}},
                        "ContentType": "text/csv", "SplitType": "Line"},
        TransformOutput={"S3OutputPath": _uri(ctx, "batch-out/"), "Accept": "text/csv", "AssembleWith": "Line"},
        TransformResources={"InstanceType": "ml.m5.large", "InstanceCount": 1})


def check_batch_transform(ctx):
    job = ctx.client("sagemaker").describe_transform_job(TransformJobName=_transform_job(ctx))
    yield equal("it runs the challenger model", job["ModelName"], _model(ctx, "challenger"))
    source = job["TransformInput"]["DataSource"]["S3DataSource"]["S3Uri"]
    yield equal("input: the batch-in/ prefix, split into CSV lines",
                (source.rstrip("/"), job["TransformInput"].get("ContentType"), job["TransformInput"].get("SplitType")),
                (_uri(ctx, "batch-in"), "text/csv", "Line"))
    output = job["TransformOutput"]
    yield equal("output: batch-out/, answers joined line by line",
                (output["S3OutputPath"].rstrip("/"), output.get("AssembleWith")), (_uri(ctx, "batch-out"), "Line"))
    yield equal("records are sent in mini-batches (MultiRecord)", job.get("BatchStrategy"), "MultiRecord")


def apply_run_transform(ctx):
    sm = ctx.client("sagemaker")
    name = _transform_job(ctx)
    if ctx.on_aws:
        sm.get_waiter("transform_job_completed_or_stopped").wait(TransformJobName=name,
                                                                 WaiterConfig={"Delay": 30, "MaxAttempts": 60})
        return
    # moto marks the job Completed at once and runs nothing: the job's own model, input and output
    # are served through the inference contract locally
    from awslabs.local.sagemaker_hosting import run_transform, serve_artifact

    job = sm.describe_transform_job(TransformJobName=name)
    model_url = sm.describe_model(ModelName=job["ModelName"])["PrimaryContainer"]["ModelDataUrl"]
    s3 = ctx.client("s3")
    with serve_artifact(s3, model_url, Path(ctx.workdir) / "transform") as server:
        run_transform(s3, server, job["TransformInput"]["DataSource"]["S3DataSource"]["S3Uri"],
                      job["TransformOutput"]["S3OutputPath"])


def check_run_transform(ctx):
    import numpy as np

    # The job's status alone is no evidence of this step (moto reports Completed the moment the job
    # is created): the verdict is the output it wrote, with the status in the message.
    status = ctx.client("sagemaker").describe_transform_job(TransformJobName=_transform_job(ctx))["TransformJobStatus"]
    key = "batch-out/scoring.csv.out"
    if key not in labkit.object_keys(ctx, _bucket(ctx), "batch-out/"):
        yield expect("the completed transform job wrote scoring.csv.out", False,
                     f"job {status}; no s3://{_bucket(ctx)}/{key} yet", verified_by=_label(ctx))
        return
    out = labkit.read_object(ctx, _bucket(ctx), key).decode()
    predictions = np.array([float(v) for v in out.split()])
    expected = _predict(_reference_model(ctx, "challenger"), np.loadtxt(_scoring_rows(), delimiter=",", ndmin=2))
    yield expect("the completed transform job wrote one prediction per input line, from the challenger model",
                 status == "Completed" and len(predictions) == len(expected) and np.allclose(predictions, expected, atol=1e-5),
                 f"job {status}; {len(predictions)} predictions for {len(expected)} rows", verified_by=_label(ctx))


def apply_delete_endpoint(ctx):
    labkit.deregister_scalable_target(ctx, "sagemaker", _scaling_resource(ctx), "sagemaker:variant:DesiredInstanceCount")
    sm = ctx.client("sagemaker")
    sm.delete_endpoint(EndpointName=_endpoint(ctx))
    if ctx.on_aws:
        sm.get_waiter("endpoint_deleted").wait(EndpointName=_endpoint(ctx), WaiterConfig={"Delay": 15, "MaxAttempts": 40})
    sm.delete_endpoint_config(EndpointConfigName=_config(ctx))


def check_delete_endpoint(ctx):
    sm = ctx.client("sagemaker")
    left = sm.list_endpoints(NameContains=ctx.prefix).get("Endpoints", [])
    yield equal("no endpoint of this run is left (instances stop billing)", [e["EndpointName"] for e in left], [])
    configs = sm.list_endpoint_configs(NameContains=ctx.prefix).get("EndpointConfigs", [])
    yield equal("its endpoint configuration is gone too", [c["EndpointConfigName"] for c in configs], [])
    aas = ctx.client("application-autoscaling")
    targets = aas.describe_scalable_targets(ServiceNamespace="sagemaker", ResourceIds=[_scaling_resource(ctx)])
    yield equal("the scalable target is deregistered", targets.get("ScalableTargets", []), [])
