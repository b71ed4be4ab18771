"""Choosing and safely changing a SageMaker deployment: inference options, multi-model endpoints,
blue/green deployment guardrails with auto-rollback, and shadow tests.

moto keeps the control plane (models, endpoint configs with ServerlessConfig and
AsyncInferenceConfig, endpoints, alarms, topics) but not ``ShadowProductionVariants`` nor a
``DeploymentConfig``, and has no ``UpdateEndpoint``: the step writes the request it sent to S3
(``requests/*.json``) and the checks read that off AWS (the real read-back on AWS). Predictions come
from the trained artifacts through ``awslabs.local.sagemaker_hosting``; the rollout is played minute
by minute by ``awslabs.sim.deployment_guardrails`` with the alarm evaluated by ``awslabs.sim.alarms``.
"""
from __future__ import annotations

import functools
import io
import json
import tarfile
from contextlib import ExitStack
from pathlib import Path

from awslabs import labkit
from awslabs.lab import StepFailed, equal, expect

# The training and serving scripts of the sagemaker-training lab (one copy, read there).
CODE = Path(__file__).parents[1] / "sagemaker-training" / "code"
FEATURES = 8
VERSIONS = {"v1": FEATURES, "v2": FEATURES - 1}  # v2: its feature pipeline dropped a column
INSTANCE = "ml.m5.large"
FLEET = 4  # instances of the production variant (blue and green)
CANARY_PERCENT = 25  # one instance of four
BAKE_S = 300
VARIANT = "AllTraffic"
REQUESTS_PER_MINUTE = 20
SHADOW_SAMPLING = 0.5
SHADOW_REQUESTS = 200
# sklearn framework images (account per region); the serving code is code/inference.py in the artifact
SKLEARN_ACCOUNTS = {"us-east-1": "683313688378", "us-east-2": "257758044811", "us-west-2": "246618743249",
                    "eu-west-1": "141502667606", "eu-central-1": "492215442770"}


@functools.lru_cache(maxsize=1)
def _dataset() -> dict[str, bytes]:
    import numpy as np

    rng = np.random.default_rng(7)
    weights = rng.normal(size=FEATURES)

    def rows(n, label=True, keep=FEATURES):
        X = rng.normal(size=(n, FEATURES))
        y = (X @ weights + rng.normal(size=n) > 0).astype(int)
        X = X[:, :keep]
        buf = io.StringIO()
        data, fmt = (np.column_stack([y, X]), ["%d"] + ["%.5f"] * keep) if label else (X, "%.5f")
        np.savetxt(buf, data, delimiter=",", fmt=fmt)
        return buf.getvalue().encode()

    return {"train/v1.csv": rows(800), "validation/v1.csv": rows(200),
            "train/v2.csv": rows(800, keep=FEATURES - 1), "validation/v2.csv": rows(200, keep=FEATURES - 1),
            "scoring/8-features.csv": rows(60, label=False), "scoring/7-features.csv": rows(20, label=False, keep=7)}


def _rows(key: str) -> list[str]:
    return [line for line in _dataset()[key].decode().splitlines() if line]


# -- the task's workloads (which option serves which) -------------------------------------------
def _workloads():
    from awslabs.sim.inference_options import Workload

    return {
        "checkout-fraud": Workload("checkout-fraud", payload_mb=0.002, processing_s=0.05, peak_concurrency=50),
        "support-tickets": Workload("support-tickets", payload_mb=0.01, processing_s=0.2, idle_periods=True,
                                    tolerates_cold_start=True, peak_concurrency=5, memory_mb=2048),
        "scanned-claims": Workload("scanned-claims", payload_mb=200, processing_s=300, idle_periods=True),
        "nightly-rescore": Workload("nightly-rescore", payload_mb=50_000, processing_s=3 * 3600, online=False),
    }


# -- names ----------------------------------------------------------------------------------------
def _bucket(ctx):
    return ctx.name("data")


def _uri(ctx, key=""):
    return f"s3://{_bucket(ctx)}/{key}"


def _artifact(ctx, version):
    return _uri(ctx, f"models/{version}.tar.gz")


def _topic_arn(ctx, kind):
    return f"arn:aws:sns:{ctx.region}:{ctx.account}:{ctx.name('async-' + kind)}"


def _image(ctx):
    account = SKLEARN_ACCOUNTS.get(ctx.region, SKLEARN_ACCOUNTS["us-east-1"])
    return f"{account}.dkr.ecr.{ctx.region}.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"


def _role(ctx):
    return ctx.client("iam").get_role(RoleName=ctx.name("sm-role", max_len=64))["Role"]["Arn"]


SERVING_ENV = {"SAGEMAKER_PROGRAM": "inference.py", "SAGEMAKER_SUBMIT_DIRECTORY": "/opt/ml/model/code"}


def _create_model(ctx, name, container):
    ctx.track("sagemaker:model", name)
    ctx.client("sagemaker").create_model(ModelName=name, ExecutionRoleArn=_role(ctx), Tags=ctx.tag_list(),
                                         PrimaryContainer={"Image": _image(ctx), "Environment": SERVING_ENV,
                                                           **container})


def _create_config(ctx, name=None, **kwargs):
    name = name or kwargs.pop("EndpointConfigName")
    kwargs.pop("EndpointConfigName", None)
    ctx.track("sagemaker:endpoint-config", name)
    ctx.client("sagemaker").create_endpoint_config(EndpointConfigName=name, Tags=ctx.tag_list(), **kwargs)


def _create_endpoint(ctx, name, config):
    sm = ctx.client("sagemaker")
    ctx.track("sagemaker:endpoint", name)
    sm.create_endpoint(EndpointName=name, EndpointConfigName=config, Tags=ctx.tag_list())
    if ctx.on_aws:
        sm.get_waiter("endpoint_in_service").wait(EndpointName=name, WaiterConfig={"Delay": 30, "MaxAttempts": 40})


def _record_request(ctx, name, request):
    """moto keeps no DeploymentConfig / ShadowProductionVariants: the request sent is kept in S3."""
    ctx.client("s3").put_object(Bucket=_bucket(ctx), Key=f"requests/{name}.json",
                                Body=json.dumps(request, indent=2).encode())


def _recorded(ctx, name) -> dict:
    body = ctx.client("s3").get_object(Bucket=_bucket(ctx), Key=f"requests/{name}.json")["Body"].read()
    return json.loads(body)


def _reference(ctx, version):
    """The weights straight from model.tar.gz: what every prediction must agree with."""
    import numpy as np

    from awslabs.local.sagemaker_runner import read_model_artifact

    saved = np.load(io.BytesIO(read_model_artifact(ctx.client("s3"), _artifact(ctx, version))["model.npz"]))
    return {k: saved[k] for k in ("w", "b", "mean", "std")}


def _predict(model, rows):
    import numpy as np

    X = np.loadtxt(rows, delimiter=",", ndmin=2)
    return 1 / (1 + np.exp(-(((X - model["mean"]) / model["std"]) @ model["w"] + model["b"])))


# --------------------------------------------------------------------------- 1. models
def _stamp() -> str:
    import secrets

    return "".join(secrets.choice("0123456789abcdefghijklmnopqrstuvwxyz") for _ in range(6))


def apply_prepare_models(ctx):
    from awslabs.local.sagemaker_labkit import execution_role

    s3 = ctx.client("s3")
    ctx.create_bucket(_bucket(ctx))
    for key, body in _dataset().items():
        s3.put_object(Bucket=_bucket(ctx), Key=f"data/{key}", Body=body)
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w:gz") as tar:
        for name in ("train.py", "inference.py"):
            tar.add(CODE / name, arcname=name)
    s3.put_object(Bucket=_bucket(ctx), Key="code/sourcedir.tar.gz", Body=archive.getvalue())
    role = execution_role(ctx, _bucket(ctx))
    sm = ctx.client("sagemaker")
    for version in VERSIONS:
        job = f"{ctx.name(version, max_len=48)}-{_stamp()}"  # jobs are never deleted nor renamed
        ctx.track("sagemaker:job", job, type="training")
        sm.create_training_job(
            TrainingJobName=job, RoleArn=role, Tags=ctx.tag_list(),
            AlgorithmSpecification={"TrainingImage": _image(ctx), "TrainingInputMode": "File"},
            HyperParameters={"epochs": "30", "learning-rate": "0.5", "sagemaker_program": json.dumps("train.py"),
                             "sagemaker_submit_directory": json.dumps(_uri(ctx, "code/sourcedir.tar.gz"))},
            InputDataConfig=[{"ChannelName": channel, "ContentType": "text/csv", "DataSource": {"S3DataSource": {
                "S3DataType": "S3Prefix", "S3Uri": _uri(ctx, f"data/{channel}/{version}.csv"),
                "S3DataDistributionType": "FullyReplicated"}}} for channel in ("train", "validation")],
            OutputDataConfig={"S3OutputPath": _uri(ctx, "output")},
            ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 5},
            StoppingCondition={"MaxRuntimeInSeconds": 900})
        if ctx.on_aws:
            sm.get_waiter("training_job_completed_or_stopped").wait(TrainingJobName=job,
                                                                    WaiterConfig={"Delay": 30, "MaxAttempts": 60})
        else:
            from awslabs.local.sagemaker_runner import run_training_job

            run = run_training_job(ctx, job)
            if not run.ok:
                raise StepFailed(f"training {version} failed: {run.failure_reason}")
        # every version under one prefix: the multi-model endpoint's ModelDataUrl
        s3.copy_object(Bucket=_bucket(ctx), Key=f"models/{version}.tar.gz",
                       CopySource={"Bucket": _bucket(ctx), "Key": f"output/{job}/output/model.tar.gz"})


def check_prepare_models(ctx):
    sizes = {v: len(_reference(ctx, v)["w"]) for v in VERSIONS}
    yield equal("models/v1.tar.gz and models/v2.tar.gz hold trained weights (v2 on one feature fewer)",
                sizes, VERSIONS, verified_by="local")


# --------------------------------------------------------------------------- 2. inference options
def apply_inference_options(ctx):
    sns = ctx.client("sns")
    for kind in ("success", "error"):
        ctx.track("sns:topic", _topic_arn(ctx, kind))
        sns.create_topic(Name=ctx.name("async-" + kind), Tags=ctx.tag_list())
    _create_model(ctx, ctx.name("v1"), {"ModelDataUrl": _artifact(ctx, "v1")})
    # support-tickets: idle for hours, a few requests at a time, tolerates a cold start
    _create_config(ctx, ctx.name("serverless"), ProductionVariants=[{
        "VariantName": VARIANT, "ModelName": ctx.name("v1"),
        "ServerlessConfig": {"MemorySizeInMB": 2048, "MaxConcurrency": 5}}])
    # scanned-claims: 200 MB documents, 5 minutes each: queued, answered in S3, announced on SNS
    _create_config(ctx, ctx.name("async"), ProductionVariants=[{
        "VariantName": VARIANT, "ModelName": ctx.name("v1"), "InstanceType": INSTANCE, "InitialInstanceCount": 1}],
        AsyncInferenceConfig={
            "ClientConfig": {"MaxConcurrentInvocationsPerInstance": 2},
            "OutputConfig": {"S3OutputPath": _uri(ctx, "async-out/"), "S3FailurePath": _uri(ctx, "async-failed/"),
                             "NotificationConfig": {"SuccessTopic": _topic_arn(ctx, "success"),
                                                    "ErrorTopic": _topic_arn(ctx, "error")}}})


def _config_or_none(ctx, name):
    try:
        return ctx.client("sagemaker").describe_endpoint_config(EndpointConfigName=name)
    except Exception as err:  # noqa: BLE001 - absent: the check says so
        if labkit.error_code(err) in ("ValidationException", "ResourceNotFound"):
            return None
        raise


def check_inference_options(ctx):
    from awslabs.sim.inference_options import problems

    workloads = _workloads()
    for suffix, workload, option in (("serverless", "support-tickets", "serverless"),
                                     ("async", "scanned-claims", "asynchronous")):
        config = _config_or_none(ctx, ctx.name(suffix))
        if config is None:
            yield expect(f"{workload} → {option}: endpoint config {ctx.name(suffix)}", False, "not found",
                         verified_by="simulated")
            continue
        found = problems(config, workloads[workload])
        yield expect(f"{workload} → {option}: {ctx.name(suffix)} (read back) fits the workload",
                     not found, "; ".join(found) or "fits", verified_by="simulated")
    config = _config_or_none(ctx, ctx.name("async")) or {}
    notify = ((config.get("AsyncInferenceConfig") or {}).get("OutputConfig") or {}).get("NotificationConfig") or {}
    topics = {t["TopicArn"] for t in ctx.client("sns").list_topics().get("Topics", [])}
    wanted = [notify.get("SuccessTopic"), notify.get("ErrorTopic")]
    yield expect("the async config's success and error topics exist in SNS",
                 all(wanted) and all(t in topics for t in wanted), f"{wanted}")


# --------------------------------------------------------------------------- 3. multi-model endpoint
def apply_multi_model_endpoint(ctx):
    # one container, many artifacts: ModelDataUrl is the prefix, each request names its TargetModel
    _create_model(ctx, ctx.name("mme"), {"ModelDataUrl": _uri(ctx, "models/"), "Mode": "MultiModel"})
    _create_config(ctx, ctx.name("mme"), ProductionVariants=[{
        "VariantName": VARIANT, "ModelName": ctx.name("mme"), "InstanceType": INSTANCE, "InitialInstanceCount": 1}])
    _create_endpoint(ctx, ctx.name("mme"), ctx.name("mme"))


def _mme_container(ctx):
    sm = ctx.client("sagemaker")
    endpoint = sm.describe_endpoint(EndpointName=ctx.name("mme"))
    config = sm.describe_endpoint_config(EndpointConfigName=endpoint["EndpointConfigName"])
    model = sm.describe_model(ModelName=config["ProductionVariants"][0]["ModelName"])
    return endpoint, model["PrimaryContainer"]


def check_multi_model_endpoint(ctx):
    endpoint, container = _mme_container(ctx)
    yield equal("the endpoint is InService", endpoint["EndpointStatus"], "InService")
    yield equal("its model's container runs in MultiModel mode", container.get("Mode"), "MultiModel")
    url = container.get("ModelDataUrl", "")
    bucket, _, prefix = url[5:].partition("/")
    keys = [k for k in labkit.object_keys(ctx, bucket, prefix) if k.endswith(".tar.gz")] if url.endswith("/") else []
    yield expect("ModelDataUrl is an S3 prefix holding several model.tar.gz artifacts", len(keys) >= 2,
                 f"{url}: {len(keys)} artifacts")


# --------------------------------------------------------------------------- 4. invoke by TargetModel
TARGETS = {"v1.tar.gz": "scoring/8-features.csv", "v2.tar.gz": "scoring/7-features.csv"}


def apply_invoke_multi_model(ctx):
    answers = {}
    if ctx.on_aws:
        runtime = ctx.client("sagemaker-runtime")
        for target, rows in TARGETS.items():
            body = "\n".join(_rows(rows)[:10]) + "\n"
            out = runtime.invoke_endpoint(EndpointName=ctx.name("mme"), TargetModel=target, ContentType="text/csv",
                                          Accept="text/csv", Body=body.encode())["Body"].read().decode()
            answers[target] = [float(v) for v in out.split()]
    else:
        # moto answers b'body': the container the endpoint names loads <ModelDataUrl><TargetModel>
        from awslabs.local.sagemaker_hosting import serve_artifact

        _, container = _mme_container(ctx)
        for target, rows in TARGETS.items():
            body = "\n".join(_rows(rows)[:10]) + "\n"
            with serve_artifact(ctx.client("s3"), container["ModelDataUrl"] + target,
                                Path(ctx.workdir) / "mme" / target) as server:
                status, out, _ = server.invoke(body, "text/csv", "text/csv")
            if status != 200:
                raise StepFailed(f"TargetModel {target} answered {status}: {out[:200]!r}")
            answers[target] = [float(v) for v in out.decode().split()]
    labkit.record(ctx, "multi-model", answers)


def check_invoke_multi_model(ctx):
    import numpy as np

    answers = labkit.observed(ctx, "multi-model")
    if answers is None:
        yield labkit.not_run("each TargetModel answers with its own artifact", verified_by="local")
        return
    for target, rows in TARGETS.items():
        expected = _predict(_reference(ctx, target.split(".")[0]), _rows(rows)[:10])
        got = np.array(answers.get(target, []))
        yield expect(f"TargetModel={target} answers with that artifact's predictions",
                     got.shape == expected.shape and np.allclose(got, expected, atol=1e-5),
                     f"{len(got)} answers", verified_by=labkit.label(ctx, "local"))


# --------------------------------------------------------------------------- 5. guardrails
def _deployment_config(ctx):
    return {"BlueGreenUpdatePolicy": {
                "TrafficRoutingConfiguration": {"Type": "CANARY", "WaitIntervalInSeconds": BAKE_S,
                                                "CanarySize": {"Type": "CAPACITY_PERCENT", "Value": CANARY_PERCENT}},
                "TerminationWaitInSeconds": 300, "MaximumExecutionTimeoutInSeconds": 3600},
            "AutoRollbackConfiguration": {"Alarms": [{"AlarmName": ctx.name("prod-5xx")}]}}


def _alarm_params(ctx):
    return dict(AlarmName=ctx.name("prod-5xx"), Namespace="AWS/SageMaker", MetricName="Invocation5XXErrors",
                Dimensions=[{"Name": "EndpointName", "Value": ctx.name("prod")},
                            {"Name": "VariantName", "Value": VARIANT}],
                Statistic="Sum", Period=60, EvaluationPeriods=2, DatapointsToAlarm=2, Threshold=1.0,
                ComparisonOperator="GreaterThanOrEqualToThreshold", TreatMissingData="notBreaching")


def _update_endpoint(ctx, deployment_config):
    request = {"EndpointName": ctx.name("prod"), "EndpointConfigName": ctx.name("green"),
               "DeploymentConfig": deployment_config}
    sm = ctx.client("sagemaker")
    try:
        sm.update_endpoint(**request)
    except Exception:  # noqa: BLE001 - moto: UpdateEndpoint is not implemented
        if ctx.on_aws:
            raise
    _record_request(ctx, "update-endpoint", request)
    if ctx.on_aws:  # canary, baking periods and the termination wait: about 15 minutes
        sm.get_waiter("endpoint_in_service").wait(EndpointName=request["EndpointName"],
                                                  WaiterConfig={"Delay": 30, "MaxAttempts": 60})


def _fleet(model):
    return [{"VariantName": VARIANT, "ModelName": model, "InstanceType": INSTANCE, "InitialInstanceCount": FLEET}]


def apply_guardrails(ctx):
    for color, version in (("blue", "v1"), ("green", "v2")):
        if version != "v1":
            _create_model(ctx, ctx.name(version), {"ModelDataUrl": _artifact(ctx, version)})
        _create_config(ctx, ctx.name(color), ProductionVariants=_fleet(ctx.name(version)))
    _create_endpoint(ctx, ctx.name("prod"), ctx.name("blue"))
    ctx.track("cloudwatch:alarm", ctx.name("prod-5xx"))
    ctx.client("cloudwatch").put_metric_alarm(**_alarm_params(ctx), Tags=ctx.tag_list())
    _update_endpoint(ctx, _deployment_config(ctx))


def _deployment(ctx) -> dict | None:
    """The DeploymentConfig of the last UpdateEndpoint: AWS reports it; off AWS, the request kept."""
    if ctx.on_aws:
        return ctx.client("sagemaker").describe_endpoint(EndpointName=ctx.name("prod")).get("LastDeploymentConfig")
    try:
        request = _recorded(ctx, "update-endpoint")
    except Exception:  # noqa: BLE001 - nothing recorded yet
        return None
    return request.get("DeploymentConfig") if request.get("EndpointName") == ctx.name("prod") else None


def _alarm(ctx) -> dict | None:
    found = ctx.client("cloudwatch").describe_alarms(AlarmNames=[ctx.name("prod-5xx")]).get("MetricAlarms", [])
    return found[0] if found else None


def check_guardrails(ctx):
    from awslabs.sim import deployment_guardrails as dg

    sm = ctx.client("sagemaker")
    endpoint = sm.describe_endpoint(EndpointName=ctx.name("prod"))
    yield equal("endpoint prod is InService", endpoint["EndpointStatus"], "InService")
    green = sm.describe_endpoint_config(EndpointConfigName=ctx.name("green"))["ProductionVariants"][0]
    url = sm.describe_model(ModelName=green["ModelName"])["PrimaryContainer"].get("ModelDataUrl")
    yield equal("the green config runs models/v2.tar.gz", url, _artifact(ctx, "v2"))
    alarm = _alarm(ctx) or {}
    dims = {d["Name"]: d["Value"] for d in alarm.get("Dimensions", [])}
    yield expect("alarm prod-5xx watches AWS/SageMaker Invocation5XXErrors of endpoint prod",
                 (alarm.get("Namespace"), alarm.get("MetricName"), dims.get("EndpointName")) ==
                 ("AWS/SageMaker", "Invocation5XXErrors", ctx.name("prod")),
                 f"{alarm.get('Namespace')} {alarm.get('MetricName')} {dims}")
    config = _deployment(ctx)
    if config is None:
        yield expect("UpdateEndpoint to the green config with a DeploymentConfig", False,
                     "no UpdateEndpoint recorded in requests/update-endpoint.json", verified_by=labkit.label(ctx))
        return
    refused = dg.validate(config, FLEET)
    yield expect("the DeploymentConfig is one AWS accepts (blue/green limits)", not refused,
                 "; ".join(refused) or dg.traffic_type(config), verified_by=labkit.label(ctx))
    yield expect("auto-rollback names alarm prod-5xx", ctx.name("prod-5xx") in dg.rollback_alarms(config),
                 str(dg.rollback_alarms(config)))
    plan = dg.stages(config, FLEET) if not refused else []
    first = plan[0] if plan else dg.Stage(1.0, 0)
    needed = int(alarm.get("Period", 60)) * int(alarm.get("EvaluationPeriods", 1))
    yield expect(f"the new version first gets at most {CANARY_PERCENT} % of traffic, baked ≥ {needed} s "
                 "(long enough for the alarm to trip)",
                 first.green_share <= CANARY_PERCENT / 100 + 1e-9 and first.bake_s >= needed,
                 f"first step {first.green_share:.0%} for {first.bake_s} s", verified_by="simulated")


# --------------------------------------------------------------------------- 6. rollout
def apply_rollout(ctx):
    from awslabs.local.sagemaker_hosting import LocalEndpoint, serve_artifact
    from awslabs.sim import deployment_guardrails as dg

    config, alarm = _deployment(ctx), _alarm(ctx)
    if config is None:
        raise StepFailed("no DeploymentConfig to play: do the guardrails step first")
    rows = _rows("scoring/8-features.csv")
    counts = {"blue": [0, 0], "green": [0, 0]}  # requests, errors
    s3 = ctx.client("s3")
    with ExitStack() as stack:
        servers = {color: stack.enter_context(serve_artifact(s3, _artifact(ctx, version),
                                                             Path(ctx.workdir) / "rollout" / color))
                   for color, version in (("blue", "v1"), ("green", "v2"))}
        endpoint = LocalEndpoint({c: (s, 1.0) for c, s in servers.items()}, seed=3)

        def serve(green_share, minute):
            endpoint.set_weights({"blue": 1 - green_share, "green": green_share})
            errors = 0
            for i in range(REQUESTS_PER_MINUTE):
                inv = endpoint.invoke(rows[(minute * REQUESTS_PER_MINUTE + i) % len(rows)], "text/csv", "text/csv")
                counts[inv.variant][0] += 1
                if inv.status >= 500:
                    counts[inv.variant][1] += 1
                    errors += 1
            return REQUESTS_PER_MINUTE, errors

        rollout = dg.simulate(config, alarm, serve, FLEET)
    labkit.record(ctx, "rollout", {
        "outcome": rollout.outcome, "rolled_back_at": rollout.rolled_back_at, "max_green_share": rollout.max_green_share,
        "counts": counts, "timeline": [m.__dict__ for m in rollout.timeline]})


def check_rollout(ctx):
    seen = labkit.observed(ctx, "rollout")
    if seen is None:
        yield labkit.not_run("the rollout was played", verified_by="simulated")
        return
    (blue_n, blue_err), (green_n, green_err) = seen["counts"]["blue"], seen["counts"]["green"]
    yield expect("the bad version (v2) failed every request it got; v1 none",
                 green_n > 0 and green_err == green_n and blue_err == 0,
                 f"green {green_err}/{green_n} errors, blue {blue_err}/{blue_n}", verified_by="local")
    timeline = seen["timeline"]
    tripped = next((m for m in timeline if m["alarm"] == "ALARM"), None)
    yield expect(f"the alarm tripped during the canary's baking period and traffic rolled back to blue "
                 f"(the bad version never had more than {CANARY_PERCENT} %)",
                 seen["outcome"] == "rolled back" and tripped is not None and tripped["phase"] == "stage 1"
                 and seen["max_green_share"] <= CANARY_PERCENT / 100 + 1e-9,
                 f"{seen['outcome']} at minute {seen['rolled_back_at']}, at most {seen['max_green_share']:.0%} to green",
                 verified_by="simulated")
    after = [m for m in timeline if m["phase"] == "rolled back to blue"]
    yield expect("after the rollback every request succeeds again", bool(after) and all(m["errors"] == 0 for m in after),
                 f"{sum(m['errors'] for m in after)} errors in {len(after)} minutes after rollback", verified_by="local")
    if ctx.on_aws:
        yield ctx.aws_only("the real endpoint rolled back", "DescribeEndpoint shows the blue config again after "
                           "the alarm: watch it in the console (deployment takes minutes)")


# --------------------------------------------------------------------------- 7. shadow test
def _shadow_request(ctx):
    return {"EndpointConfigName": ctx.name("shadow"),
            "ProductionVariants": [{"VariantName": "production", "ModelName": ctx.name("v1"), "InstanceType": INSTANCE,
                                    "InitialInstanceCount": 1, "InitialVariantWeight": 1.0}],
            "ShadowProductionVariants": [{"VariantName": "shadow", "ModelName": ctx.name("v2"),
                                          "InstanceType": INSTANCE, "InitialInstanceCount": 1,
                                          "InitialVariantWeight": SHADOW_SAMPLING}]}


def apply_shadow_test(ctx):
    request = _shadow_request(ctx)
    _create_config(ctx, **request)
    _record_request(ctx, "shadow-config", request)


def _shadow_config(ctx) -> dict | None:
    config = _config_or_none(ctx, ctx.name("shadow"))
    if config is None:
        return None
    if not ctx.on_aws:  # moto drops ShadowProductionVariants: the request kept in S3 supplies them
        try:
            recorded = _recorded(ctx, "shadow-config")
        except Exception:  # noqa: BLE001
            recorded = {}
        if recorded.get("EndpointConfigName") == ctx.name("shadow"):
            config = {**config, "ShadowProductionVariants": recorded.get("ShadowProductionVariants", [])}
    return config


def check_shadow_test(ctx):
    from awslabs.sim import deployment_guardrails as dg

    config = _shadow_config(ctx)
    if config is None:
        yield expect("endpoint config shadow exists", False, "not found")
        return
    production = [v["ModelName"] for v in config.get("ProductionVariants", [])]
    yield equal("one production variant, serving v1 (read back)", production, [ctx.name("v1")])
    shadows = [v.get("ModelName") for v in config.get("ShadowProductionVariants") or []]
    yield equal("one shadow variant, testing v2", shadows, [ctx.name("v2")])
    sampling = dg.shadow_sampling(config)
    copies = dg.shadow_split(SHADOW_REQUESTS, sampling, seed=5)
    share = sum(copies) / SHADOW_REQUESTS
    yield expect(f"of {SHADOW_REQUESTS} requests, production answers all and ~{SHADOW_SAMPLING:.0%} are copied to "
                 "the shadow (its answers never reach callers)",
                 abs(share - SHADOW_SAMPLING) < 0.08,
                 f"sampling {sampling:.0%}: {sum(copies)} copies", verified_by="simulated")


# --------------------------------------------------------------------------- mutations
def _serverless_too_small(ctx):
    _apply_options_with(ctx, serverless={"MemorySizeInMB": 1024, "MaxConcurrency": 5})


def _async_without_error_topic(ctx):
    _apply_options_with(ctx, drop_error_topic=True)


def _apply_options_with(ctx, serverless=None, drop_error_topic=False):
    apply_inference_options(ctx)
    sm = ctx.client("sagemaker")
    if serverless:
        sm.delete_endpoint_config(EndpointConfigName=ctx.name("serverless"))
        sm.create_endpoint_config(EndpointConfigName=ctx.name("serverless"), ProductionVariants=[{
            "VariantName": VARIANT, "ModelName": ctx.name("v1"), "ServerlessConfig": serverless}])
    if drop_error_topic:
        config = sm.describe_endpoint_config(EndpointConfigName=ctx.name("async"))
        async_config = config["AsyncInferenceConfig"]
        async_config["OutputConfig"]["NotificationConfig"].pop("ErrorTopic")
        sm.delete_endpoint_config(EndpointConfigName=ctx.name("async"))
        sm.create_endpoint_config(EndpointConfigName=ctx.name("async"), ProductionVariants=config["ProductionVariants"],
                                  AsyncInferenceConfig=async_config)


def _single_model_mode(ctx):
    _create_model(ctx, ctx.name("mme"), {"ModelDataUrl": _artifact(ctx, "v1")})
    _create_config(ctx, ctx.name("mme"), ProductionVariants=[{
        "VariantName": VARIANT, "ModelName": ctx.name("mme"), "InstanceType": INSTANCE, "InitialInstanceCount": 1}])
    _create_endpoint(ctx, ctx.name("mme"), ctx.name("mme"))


def _guardrails_with(deployment):
    def apply(ctx):
        for color, version in (("blue", "v1"), ("green", "v2")):
            if version != "v1":
                _create_model(ctx, ctx.name(version), {"ModelDataUrl": _artifact(ctx, version)})
            _create_config(ctx, ctx.name(color), ProductionVariants=_fleet(ctx.name(version)))
        _create_endpoint(ctx, ctx.name("prod"), ctx.name("blue"))
        ctx.track("cloudwatch:alarm", ctx.name("prod-5xx"))
        ctx.client("cloudwatch").put_metric_alarm(**_alarm_params(ctx))
        _update_endpoint(ctx, deployment(ctx))
    return apply


def _all_at_once(ctx):
    config = _deployment_config(ctx)
    config["BlueGreenUpdatePolicy"]["TrafficRoutingConfiguration"] = {"Type": "ALL_AT_ONCE",
                                                                      "WaitIntervalInSeconds": BAKE_S}
    return config


def _no_rollback(ctx):
    config = _deployment_config(ctx)
    config.pop("AutoRollbackConfiguration")
    return config


def _shadow_as_production(ctx):
    """Both models as production variants: users get v2's errors (an A/B test, not a shadow test)."""
    request = _shadow_request(ctx)
    shadow = request.pop("ShadowProductionVariants")[0]
    request["ProductionVariants"].append(shadow)
    _create_config(ctx, **request)
    _record_request(ctx, "shadow-config", request)


MUTATIONS = {
    "inference_options": [("serverless memory 1024 MB for a model that needs 2048", _serverless_too_small),
                          ("async config without an error topic", _async_without_error_topic)],
    "multi_model_endpoint": [("the model's container left in single-model mode", _single_model_mode)],
    "guardrails": [("ALL_AT_ONCE traffic shifting", _guardrails_with(_all_at_once)),
                   ("no auto-rollback alarm", _guardrails_with(_no_rollback))],
    "shadow_test": [("v2 as a second production variant instead of a shadow", _shadow_as_production)],
}
