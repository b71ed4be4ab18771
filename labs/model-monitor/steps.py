"""model-monitor: data capture on an endpoint, a baseline from the training data, a data-quality
monitoring run that finds the drift in the traffic, a CloudWatch alarm on the drift metric whose
state change starts retraining through EventBridge and Step Functions, and model-quality monitoring
with ground-truth labels merged by event id.

moto keeps the endpoint config's ``DataCaptureConfig``, the data-quality and model-quality job
definitions, metrics, alarms, rules and state machines (and runs the state machine), but it has no
monitoring schedules, runs no monitoring job, captures nothing and evaluates no alarm. Off AWS:
the endpoint is the trained artefact behind ``awslabs.local.sagemaker_hosting`` (whose
``DataCapture`` writes the capture files the endpoint config asks for), the monitoring executions
are ``awslabs.local.model_monitor`` (the prebuilt container's contract: baseline and capture read
from S3, reports written to the job's output, metrics published), the alarm is evaluated by
``awslabs.sim.alarms`` on the published datapoints and its state-change event is delivered by
``awslabs.local.events``. Those results are labelled ``local`` / ``simulated``."""
from __future__ import annotations

import datetime as dt
import functools
import io
import json
import re
import tarfile
import time
from pathlib import Path

from awslabs import judge, labkit
from awslabs.lab import Check, StepFailed, equal, expect
from awslabs.local import events as eventbridge
from awslabs.local import model_monitor as mm

FEATURES = ["age", "income", "tenure", "calls"]  # the request's CSV columns, in order
DRIFTED = "income"  # the feature the drifted traffic shifts (the task's alarm watches it)
MEANS = [40.0, 55.0, 24.0, 3.0]
STDS = [10.0, 15.0, 12.0, 1.5]
TRUE_WEIGHTS = [0.5, -1.5, -1.0, 1.2]  # how churn depends on the standardised features
DRIFT_WEIGHTS = [0.5, 1.5, -1.0, 1.2]  # after the drift, income pushes the other way (concept drift)
TRAIN_ROWS, VALIDATION_ROWS, TRAFFIC_ROWS = 300, 150, 150
VARIANT = "AllTraffic"
SAMPLING = 100  # percent of requests the task captures
PERIOD = 3600  # the monitoring schedule runs hourly; the alarm evaluates one hourly datapoint
MODEL_QUALITY_MARGIN = 0.05  # the suggested model-quality thresholds, loosened after review
# The training and serving script of the sagemaker-training lab (one copy, read there).
CODE = Path(__file__).parents[1] / "sagemaker-training" / "code"
SKLEARN_ACCOUNTS = {"us-east-1": "683313688378", "us-east-2": "257758044811", "us-west-2": "246618743249",
                    "eu-west-1": "141502667606", "eu-central-1": "492215442770"}
MONITOR_ACCOUNTS = {"us-east-1": "156813124566", "us-east-2": "777275614652", "us-west-2": "159807026194",
                    "eu-west-1": "468650794304", "eu-central-1": "048819808253"}


# -- names ------------------------------------------------------------------------------------------
def _bucket(ctx):
    return ctx.name("data")


def _uri(ctx, key=""):
    return f"s3://{_bucket(ctx)}/{key}"


def _model(ctx):
    return ctx.name("churn")


def _endpoint(ctx):
    return ctx.name("churn")


def _endpoint_config(ctx):
    return ctx.name("churn-capture")


def _dq_definition(ctx):
    return ctx.name("data-quality")


def _schedule(ctx):
    return ctx.name("data-quality")  # the schedule runs the definition of the same name


def _mq_definition(ctx):
    return ctx.name("model-quality")


def _mq_schedule(ctx):
    return ctx.name("model-quality")


def _alarm(ctx):
    return ctx.name(f"{DRIFTED}-drift")


def _rule(ctx):
    return ctx.name("drift-retrain", max_len=64)


def _machine(ctx):
    return ctx.name("retrain", max_len=80)


def _machine_arn(ctx):
    return f"arn:aws:states:{ctx.region}:{ctx.account}:stateMachine:{_machine(ctx)}"


def _events_role(ctx):
    return ctx.name("events", max_len=64)


def _sfn_role(ctx):
    return ctx.name("retrainer", max_len=64)


def _sm_role_name(ctx):
    return ctx.name("sm-role", max_len=64)


def _role_arn(ctx, name):
    return f"arn:aws:iam::{ctx.account}:role/{name}"


def _retrain_prefix(ctx):
    return ctx.name("rt")


def _image(ctx):
    account = SKLEARN_ACCOUNTS.get(ctx.region, SKLEARN_ACCOUNTS["us-east-1"])
    return f"{account}.dkr.ecr.{ctx.region}.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"


def _monitor_image(ctx):
    account = MONITOR_ACCOUNTS.get(ctx.region, MONITOR_ACCOUNTS["us-east-1"])
    return f"{account}.dkr.ecr.{ctx.region}.amazonaws.com/sagemaker-model-monitor-analyzer"


BASELINE = {"statistics": "baseline/data-quality/statistics.json",
            "constraints": "baseline/data-quality/constraints.json"}
MQ_BASELINE = {"statistics": "baseline/model-quality/statistics.json",
               "constraints": "baseline/model-quality/constraints.json"}
CAPTURE_PREFIX = "datacapture"
GROUND_TRUTH_PREFIX = "ground-truth"
DQ_REPORTS = "monitoring/data-quality"
MQ_REPORTS = "monitoring/model-quality"


# -- the data: deterministic, generated --------------------------------------------------------------
def _csv(rows) -> bytes:
    return ("\n".join(",".join(f"{v:.3f}" if isinstance(v, float) else str(v) for v in row) for row in rows)
            + "\n").encode()


@functools.lru_cache(maxsize=1)
def dataset() -> dict[str, bytes]:
    """Training and validation data (label first, no header), and two batches of traffic: normal
    (the training distribution) and drifted (income shifted by 1.5 standard deviations, and churn
    now rising with income), each with the labels a team will provide later."""
    import numpy as np

    rng = np.random.default_rng(18)
    mean, std = np.array(MEANS), np.array(STDS)

    def labels(X, weights):
        z = ((X - mean) / std) @ np.array(weights) + rng.normal(scale=0.5, size=len(X))
        return (z > 0).astype(int)

    train = rng.normal(mean, std, size=(TRAIN_ROWS, len(FEATURES)))
    validation = rng.normal(mean, std, size=(VALIDATION_ROWS, len(FEATURES)))

    def like_training(shift=None):
        # every other order statistic of each training column, rows shuffled per column: the
        # traffic has the training distribution (no sampling noise to mistake for drift)
        columns = []
        for j in range(len(FEATURES)):
            values = np.sort(train[:, j])[1::2][:TRAFFIC_ROWS].copy()
            rng.shuffle(values)
            columns.append(values + (shift[j] if shift else 0.0))
        return np.column_stack(columns)

    normal = like_training()
    drifted = like_training([1.5 * STDS[j] if f == DRIFTED else 0.0 for j, f in enumerate(FEATURES)])
    return {
        "data/train/train.csv": _csv([[int(y), *x] for y, x in zip(labels(train, TRUE_WEIGHTS), train.tolist())]),
        "data/validation/validation.csv": _csv([[int(y), *x] for y, x in
                                                zip(labels(validation, TRUE_WEIGHTS), validation.tolist())]),
        "traffic/normal.csv": _csv(normal.tolist()),
        "traffic/drifted.csv": _csv(drifted.tolist()),
        "labels/normal.csv": _csv([[int(y)] for y in labels(normal, TRUE_WEIGHTS)]),
        "labels/drifted.csv": _csv([[int(y)] for y in labels(drifted, DRIFT_WEIGHTS)]),
    }


def _fit(rows: list[list[float]]) -> dict:
    """Logistic regression by full-batch gradient descent (what train.py of sagemaker-training does)."""
    import numpy as np

    data = np.asarray(rows, dtype=float)
    y, X = data[:, 0], data[:, 1:]
    mean, std = X.mean(axis=0), X.std(axis=0)
    Z = (X - mean) / std
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(500):
        p = 1 / (1 + np.exp(-(Z @ w + b)))
        w -= 0.5 * Z.T @ (p - y) / len(y)
        b -= 0.5 * float(np.mean(p - y))
    return {"w": w, "b": np.array(b), "mean": mean, "std": std}


def _rows(ctx, key) -> list[list[str]]:
    text = labkit.read_object(ctx, _bucket(ctx), key).decode()
    return [line.split(",") for line in text.splitlines() if line.strip()]


def _predict(model: dict, rows) -> list[float]:
    import numpy as np

    X = np.asarray(rows, dtype=float)
    return (1 / (1 + np.exp(-(((X - model["mean"]) / model["std"]) @ model["w"] + model["b"])))).tolist()


def _artefact(ctx) -> dict | None:
    import numpy as np

    key = "models/model.tar.gz"
    if key not in labkit.object_keys(ctx, _bucket(ctx), key):
        return None
    with tarfile.open(fileobj=io.BytesIO(labkit.read_object(ctx, _bucket(ctx), key)), mode="r:gz") as tar:
        saved = np.load(io.BytesIO(tar.extractfile("model.npz").read()))
        return {k: saved[k] for k in ("w", "b", "mean", "std")}


# -- step 1: data and a trained model -----------------------------------------------------------------
def apply_prepare(ctx):
    import numpy as np

    from awslabs.local.sagemaker_labkit import execution_role

    s3 = ctx.client("s3")
    ctx.create_bucket(_bucket(ctx))
    for key, body in dataset().items():
        s3.put_object(Bucket=_bucket(ctx), Key=key, Body=body)
    model = _fit([[float(v) for v in r] for r in _rows(ctx, "data/train/train.csv")])
    npz = io.BytesIO()
    np.savez(npz, **model)
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w:gz") as tar:
        info = tarfile.TarInfo("model.npz")
        info.size = len(npz.getvalue())
        tar.addfile(info, io.BytesIO(npz.getvalue()))
        tar.add(CODE / "inference.py", arcname="code/inference.py")
    s3.put_object(Bucket=_bucket(ctx), Key="models/model.tar.gz", Body=archive.getvalue())
    role = execution_role(ctx, _bucket(ctx))
    ctx.track("sagemaker:model", _model(ctx))
    ctx.client("sagemaker").create_model(
        ModelName=_model(ctx), ExecutionRoleArn=role, Tags=ctx.tag_list(),
        PrimaryContainer={"Image": _image(ctx), "ModelDataUrl": _uri(ctx, "models/model.tar.gz"),
                          "Environment": {"SAGEMAKER_PROGRAM": "inference.py",
                                          "SAGEMAKER_SUBMIT_DIRECTORY": "/opt/ml/model/code"}})


def check_prepare(ctx):
    model = _artefact(ctx)
    if model is None:
        yield labkit.not_run("the trained model is in models/model.tar.gz", "local")
        return
    rows = _rows(ctx, "data/validation/validation.csv")
    predicted = [p >= 0.5 for p in _predict(model, [r[1:] for r in rows])]
    accuracy = sum(int(p) == int(r[0]) for p, r in zip(predicted, rows)) / len(rows)
    yield expect("the trained model scores the validation set (accuracy >= 0.75)", accuracy >= 0.75,
                 f"accuracy {accuracy:.3f} on {len(rows)} rows", verified_by="local")
    sm = ctx.client("sagemaker")
    try:
        described = sm.describe_model(ModelName=_model(ctx))
    except Exception as err:  # noqa: BLE001 - a missing model is a ValidationException
        yield expect("the SageMaker model serves that artefact", False, labkit.error_code(err))
        return
    yield equal("the SageMaker model serves that artefact", described["PrimaryContainer"].get("ModelDataUrl"),
                _uri(ctx, "models/model.tar.gz"))


# -- step 2: data capture -----------------------------------------------------------------------------
def capture_config(ctx) -> dict:
    return {"EnableCapture": True, "InitialSamplingPercentage": SAMPLING,
            "DestinationS3Uri": _uri(ctx, CAPTURE_PREFIX),
            "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
            "CaptureContentTypeHeader": {"CsvContentTypes": ["text/csv"]}}


def apply_capture(ctx, config: dict | None = None):
    sm = ctx.client("sagemaker")
    ctx.track("sagemaker:endpoint-config", _endpoint_config(ctx))
    sm.create_endpoint_config(
        EndpointConfigName=_endpoint_config(ctx), Tags=ctx.tag_list(),
        ProductionVariants=[{"VariantName": VARIANT, "ModelName": _model(ctx), "InstanceType": "ml.m5.large",
                             "InitialInstanceCount": 1}],
        DataCaptureConfig=config or capture_config(ctx))
    ctx.track("sagemaker:endpoint", _endpoint(ctx))
    sm.create_endpoint(EndpointName=_endpoint(ctx), EndpointConfigName=_endpoint_config(ctx), Tags=ctx.tag_list())
    if ctx.on_aws:
        sm.get_waiter("endpoint_in_service").wait(EndpointName=_endpoint(ctx),
                                                  WaiterConfig={"Delay": 30, "MaxAttempts": 40})


def _describe_endpoint(ctx) -> dict:
    sm = ctx.client("sagemaker")
    try:
        return sm.describe_endpoint(EndpointName=_endpoint(ctx))
    except Exception as err:  # noqa: BLE001 - a missing endpoint is a ValidationException
        if labkit.error_code(err) in ("ValidationException", "ResourceNotFound"):
            return {}
        raise


def _live_config(ctx) -> dict:
    """The endpoint config the endpoint runs (whatever the learner named it), or {}."""
    endpoint = _describe_endpoint(ctx)
    if not endpoint:
        return {}
    return ctx.client("sagemaker").describe_endpoint_config(EndpointConfigName=endpoint["EndpointConfigName"])


def _modes(capture: dict) -> set[str]:
    modes = {o.get("CaptureMode") for o in capture.get("CaptureOptions", [])}
    return ({"Input", "Output"} if "InputAndOutput" in modes else set()) | (modes - {"InputAndOutput"})


def check_capture(ctx):
    endpoint = _describe_endpoint(ctx)
    config = _live_config(ctx)
    capture = config.get("DataCaptureConfig") or {}
    yield expect("the endpoint is InService with data capture enabled for requests and responses",
                 endpoint.get("EndpointStatus") == "InService" and capture.get("EnableCapture", bool(capture))
                 and _modes(capture) >= {"Input", "Output"},
                 f"{endpoint.get('EndpointStatus', 'no endpoint')}; capture "
                 f"{'on' if capture.get('EnableCapture', bool(capture)) else 'off'}: {sorted(_modes(capture)) or 'nothing'}")
    yield equal("InitialSamplingPercentage captures every request", capture.get("InitialSamplingPercentage"), SAMPLING)
    destination = capture.get("DestinationS3Uri", "")
    yield expect("captures go to the lab bucket", destination.startswith(_uri(ctx)), destination or "no destination")


# -- step 3: the baseline --------------------------------------------------------------------------------
def apply_baseline(ctx, source: str = "data/train/train.csv"):
    """What a baselining job does (suggest_baseline): statistics and constraints of the training
    data's features; and the model-quality baseline from the model's predictions on validation."""
    s3 = ctx.client("s3")
    rows = _rows(ctx, source)
    features = [r[1:] for r in rows] if len(rows[0]) == len(FEATURES) + 1 else rows
    stats, constraints = mm.suggest_baseline(FEATURES, features)
    mm.write_json(s3, _uri(ctx, BASELINE["statistics"]), stats)
    mm.write_json(s3, _uri(ctx, BASELINE["constraints"]), constraints)
    model = _artefact(ctx)
    validation = _rows(ctx, "data/validation/validation.csv")
    pairs = list(zip(_predict(model, [r[1:] for r in validation]), [int(r[0]) for r in validation]))
    metrics = mm.binary_classification_metrics(pairs)
    mm.write_json(s3, _uri(ctx, MQ_BASELINE["statistics"]),
                  {"version": 0.0, "dataset": {"item_count": len(pairs)}, "binary_classification_metrics": metrics})
    mm.write_json(s3, _uri(ctx, MQ_BASELINE["constraints"]), mm.model_quality_constraints(metrics, MODEL_QUALITY_MARGIN))


def _json(ctx, key) -> dict | None:
    if key not in labkit.object_keys(ctx, _bucket(ctx), key):
        return None
    try:
        return json.loads(labkit.read_object(ctx, _bucket(ctx), key))
    except ValueError:
        return None


def check_baseline(ctx):
    stats, constraints = _json(ctx, BASELINE["statistics"]), _json(ctx, BASELINE["constraints"])
    if stats is None or constraints is None:
        yield labkit.not_run("baseline statistics.json and constraints.json", "local")
        return
    training = [[float(v) for v in r[1:]] for r in _rows(ctx, "data/train/train.csv")]
    expected = {f: round(sum(r[j] for r in training) / len(training), 3) for j, f in enumerate(FEATURES)}
    means = {f["name"]: round(f["numerical_statistics"]["mean"], 3) for f in stats.get("features", [])}
    yield equal("statistics.json describes the training data: its row count and each feature's mean",
                (stats.get("dataset", {}).get("item_count"), means), (len(training), expected), verified_by="local")
    kll = {f["name"]: sum(b["count"] for b in f["numerical_statistics"]["distribution"]["kll"]["buckets"])
           for f in stats["features"]}
    yield equal("each feature's distribution is kept (KLL buckets cover every row)", kll,
                {f: float(len(training)) for f in FEATURES}, verified_by="local")
    config = constraints.get("monitoring_config", {})
    distribution = config.get("distribution_constraints", {})
    yield expect("constraints.json: every feature Fractional and complete; drift compared with the documented "
                 "threshold", [(f["name"], f["inferred_type"], f["completeness"]) for f in constraints.get("features", [])]
                 == [(f, "Fractional", 1.0) for f in FEATURES]
                 and distribution.get("perform_comparison") == "Enabled"
                 and distribution.get("comparison_threshold") == mm.COMPARISON_THRESHOLD,
                 f"features {[f['name'] for f in constraints.get('features', [])]}, comparison "
                 f"{distribution.get('perform_comparison')} above {distribution.get('comparison_threshold')}",
                 verified_by="local")
    mq = _json(ctx, MQ_BASELINE["constraints"]) or {}
    accuracy = (mq.get("binary_classification_constraints") or {}).get("accuracy", {})
    yield expect("the model-quality baseline: accuracy may not fall below the validation accuracy less "
                 f"{MODEL_QUALITY_MARGIN}", accuracy.get("comparison_operator") == "LessThanThreshold"
                 and 0.6 <= float(accuracy.get("threshold", 0)) < 1, f"{accuracy or 'no accuracy constraint'}",
                 verified_by="local")


# -- step 4: the data-quality job definition -------------------------------------------------------------
def apply_monitor_definition(ctx, baseline: dict | None = None):
    baseline = baseline or BASELINE
    sm = ctx.client("sagemaker")
    role = _role_arn(ctx, _sm_role_name(ctx))
    ctx.track("sagemaker:monitoring-job-definition", _dq_definition(ctx), type="data-quality")
    sm.create_data_quality_job_definition(
        JobDefinitionName=_dq_definition(ctx), RoleArn=role, Tags=ctx.tag_list(),
        DataQualityBaselineConfig={"ConstraintsResource": {"S3Uri": _uri(ctx, baseline["constraints"])},
                                   "StatisticsResource": {"S3Uri": _uri(ctx, baseline["statistics"])}},
        DataQualityAppSpecification={"ImageUri": _monitor_image(ctx)},
        DataQualityJobInput={"EndpointInput": {"EndpointName": _endpoint(ctx),
                                               "LocalPath": "/opt/ml/processing/input/endpoint"}},
        DataQualityJobOutputConfig={"MonitoringOutputs": [{"S3Output": {
            "S3Uri": _uri(ctx, DQ_REPORTS), "LocalPath": "/opt/ml/processing/output", "S3UploadMode": "EndOfJob"}}]},
        JobResources={"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large", "VolumeSizeInGB": 20}},
        StoppingCondition={"MaxRuntimeInSeconds": 1800})
    if ctx.on_aws:  # moto has no monitoring schedules
        ctx.track("sagemaker:monitoring-schedule", _schedule(ctx))
        sm.create_monitoring_schedule(
            MonitoringScheduleName=_schedule(ctx), Tags=ctx.tag_list(),
            MonitoringScheduleConfig={"MonitoringJobDefinitionName": _dq_definition(ctx),
                                      "MonitoringType": "DataQuality",
                                      "ScheduleConfig": {"ScheduleExpression": "cron(0 * ? * * *)"}})


def _definition(ctx, kind: str) -> dict:
    sm = ctx.client("sagemaker")
    describe = sm.describe_data_quality_job_definition if kind == "data" else sm.describe_model_quality_job_definition
    try:
        return describe(JobDefinitionName=_dq_definition(ctx) if kind == "data" else _mq_definition(ctx))
    except Exception as err:  # noqa: BLE001 - a missing definition is ResourceNotFound
        if labkit.error_code(err) in ("ResourceNotFound", "ValidationException"):
            return {}
        raise


def _key_of(ctx, uri: str | None) -> str | None:
    return uri[len(_uri(ctx)):] if uri and uri.startswith(_uri(ctx)) else None


def check_monitor_definition(ctx):
    definition = _definition(ctx, "data")
    if not definition:
        yield expect("the data-quality job definition exists", False, f"no {_dq_definition(ctx)}")
        return
    baseline = definition.get("DataQualityBaselineConfig") or {}
    stats = _json(ctx, _key_of(ctx, (baseline.get("StatisticsResource") or {}).get("S3Uri")) or "-")
    constraints = _json(ctx, _key_of(ctx, (baseline.get("ConstraintsResource") or {}).get("S3Uri")) or "-")
    training_rows = len(_rows(ctx, "data/train/train.csv"))
    yield expect("its baseline is the training data's statistics.json and constraints.json",
                 stats is not None and constraints is not None and "monitoring_config" in constraints
                 and stats.get("dataset", {}).get("item_count") == training_rows
                 and [f["name"] for f in stats.get("features", [])] == FEATURES,
                 f"statistics: {(baseline.get('StatisticsResource') or {}).get('S3Uri', 'none')} "
                 f"({(stats or {}).get('dataset', {}).get('item_count', 'unreadable')} rows; training has "
                 f"{training_rows}); constraints: {(baseline.get('ConstraintsResource') or {}).get('S3Uri', 'none')}")
    endpoint_input = (definition.get("DataQualityJobInput") or {}).get("EndpointInput") or {}
    yield equal("it monitors the lab's endpoint", endpoint_input.get("EndpointName"), _endpoint(ctx))
    outputs = (definition.get("DataQualityJobOutputConfig") or {}).get("MonitoringOutputs") or [{}]
    output = (outputs[0].get("S3Output") or {}).get("S3Uri", "")
    yield expect("reports go to the lab bucket", output.startswith(_uri(ctx)), output or "no output")
    if ctx.on_aws:
        sm = ctx.client("sagemaker")
        try:
            schedule = sm.describe_monitoring_schedule(MonitoringScheduleName=_schedule(ctx))
            expression = schedule["MonitoringScheduleConfig"]["ScheduleConfig"]["ScheduleExpression"]
        except Exception as err:  # noqa: BLE001
            expression = labkit.error_code(err)
        yield expect("an hourly monitoring schedule runs it", expression == "cron(0 * ? * * *)", expression,
                     verified_by="aws-only")
    else:
        yield ctx.aws_only("an hourly monitoring schedule runs it",
                           "moto implements no CreateMonitoringSchedule: the runs come from awslabs.local.model_monitor")


# -- step 5: traffic, normal then drifted ------------------------------------------------------------------
def _capture_keys(ctx) -> list[str]:
    capture = (_live_config(ctx).get("DataCaptureConfig") or {})
    destination = capture.get("DestinationS3Uri", _uri(ctx, CAPTURE_PREFIX))
    bucket, _, prefix = destination[5:].partition("/")
    if bucket != _bucket(ctx):
        return []
    return [k for k in labkit.object_keys(ctx, bucket, f"{prefix.strip('/')}/{_endpoint(ctx)}/") if k.endswith(".jsonl")]


def _send(ctx, batches: dict[str, list[str]], one_request_per_row: bool = True) -> dict:
    """Send each batch's rows to the endpoint; return the capture files each batch produced."""
    sent: dict[str, dict] = {}
    if ctx.on_aws:
        runtime = ctx.client("sagemaker-runtime")
        for phase, rows in batches.items():
            before = set(_capture_keys(ctx))
            for row in rows:
                runtime.invoke_endpoint(EndpointName=_endpoint(ctx), ContentType="text/csv", Accept="text/csv",
                                        Body=row.encode())
            deadline = time.monotonic() + 600  # capture files arrive within minutes
            while time.monotonic() < deadline and not set(_capture_keys(ctx)) - before:
                time.sleep(30)
            time.sleep(60)
            sent[phase] = {"sent": len(rows), "captures": sorted(set(_capture_keys(ctx)) - before)}
        return sent
    from awslabs.local.sagemaker_hosting import DataCapture, LocalEndpoint, serve_artifact

    config = _live_config(ctx)
    model_url = ctx.client("sagemaker").describe_model(
        ModelName=config["ProductionVariants"][0]["ModelName"])["PrimaryContainer"]["ModelDataUrl"]
    s3 = ctx.client("s3")
    with serve_artifact(s3, model_url, Path(ctx.workdir) / "model") as server:
        capture = DataCapture(s3, config["DataCaptureConfig"], _endpoint(ctx)) if config.get("DataCaptureConfig") else None
        endpoint = LocalEndpoint({config["ProductionVariants"][0]["VariantName"]: (server, 1.0)}, capture=capture)
        for phase, rows in batches.items():
            requests = rows if one_request_per_row else ["\n".join(rows)]
            for body in requests:
                answer = endpoint.invoke(body, "text/csv", "text/csv")
                if answer.status != 200:
                    raise StepFailed(f"the endpoint answered {answer.status}: {answer.body[:200]!r}")
            before = len(capture.written) if capture else 0
            written = capture.flush() if capture else []
            sent[phase] = {"sent": len(rows),
                           "captures": [u.split("/", 3)[3] for u in written[before:]]}
    return sent


def _traffic(ctx, phase) -> list[str]:
    return [",".join(r) for r in _rows(ctx, f"traffic/{phase}.csv")]


def apply_drifted_traffic(ctx, phases=("normal", "drifted"), one_request_per_row=True):
    labkit.record(ctx, "traffic", _send(ctx, {p: _traffic(ctx, p) for p in phases}, one_request_per_row))


CAPTURE_KEY = re.compile(r"^(?P<prefix>.+)/(?P<endpoint>[^/]+)/(?P<variant>[^/]+)/\d{4}/\d{2}/\d{2}/\d{2}/[^/]+\.jsonl$")


def _records(ctx, keys) -> list[dict]:
    return [r for key in keys for r in mm.capture_records(labkit.read_object(ctx, _bucket(ctx), key).decode())]


def check_drifted_traffic(ctx):
    traffic = labkit.observed(ctx, "traffic")
    if traffic is None:
        yield labkit.not_run("traffic sent and captured", labkit.label(ctx, "local"))
        return
    keys = [k for phase in traffic.values() for k in phase["captures"]]
    paths = [CAPTURE_KEY.match(k) for k in keys]
    yield expect("capture files land under <destination>/<endpoint>/<variant>/yyyy/mm/dd/hh/*.jsonl",
                 keys and all(m and m["endpoint"] == _endpoint(ctx) and m["variant"] == VARIANT for m in paths),
                 ", ".join(keys[:2]) or "no capture file", verified_by=labkit.label(ctx, "local"))
    for phase in ("normal", "drifted"):
        records = _records(ctx, (traffic.get(phase) or {}).get("captures", []))
        inputs = [((r.get("captureData") or {}).get("endpointInput") or {}).get("data", "").strip() for r in records]
        outputs = [((r.get("captureData") or {}).get("endpointOutput") or {}).get("data") for r in records]
        expected = _traffic(ctx, phase)
        yield expect(f"every {phase} request was captured, input and output (one record per request)",
                     sorted(inputs) == sorted(expected) and all(outputs)
                     and len({(r.get("eventMetadata") or {}).get("eventId") for r in records}) == len(records),
                     f"{len(records)} records for {len(expected)} requests; "
                     f"{sum(1 for o in outputs if o)} with the prediction", verified_by=labkit.label(ctx, "local"))


# -- step 6: the monitoring executions -------------------------------------------------------------------------
def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def apply_monitoring_run(ctx, phases_override: dict | None = None):
    traffic = labkit.observed(ctx, "traffic") or {}
    definition = _definition(ctx, "data")
    if not definition:
        raise StepFailed(f"no data-quality job definition {_dq_definition(ctx)} (step monitor_definition)")
    s3, cloudwatch = ctx.client("s3"), ctx.client("cloudwatch")
    now = _now()
    runs = {}
    for offset, phase in ((2, "normal"), (0, "drifted")):  # the earlier hour had the normal traffic
        keys = (phases_override or {}).get(phase) or traffic.get(phase, {}).get("captures", [])
        runs[phase] = mm.run_data_quality(s3, cloudwatch, definition, [_uri(ctx, k) for k in keys],
                                          schedule=_schedule(ctx), execution=phase,
                                          when=now - dt.timedelta(hours=offset))
        runs[phase]["when"] = (now - dt.timedelta(hours=offset)).isoformat()
    labkit.record(ctx, "monitoring_runs", runs)


def _drift_datapoints(ctx, metric: str, namespace: str | None = None, dimensions: list | None = None,
                      statistic: str = "Maximum") -> list[float]:
    now = _now()
    points = ctx.client("cloudwatch").get_metric_statistics(
        Namespace=namespace or mm.DATA_METRICS_NAMESPACE, MetricName=metric,
        Dimensions=dimensions if dimensions is not None else
        [{"Name": "Endpoint", "Value": _endpoint(ctx)}, {"Name": "MonitoringSchedule", "Value": _schedule(ctx)}],
        StartTime=now - dt.timedelta(hours=4), EndTime=now + dt.timedelta(minutes=10), Period=PERIOD,
        Statistics=[statistic])["Datapoints"]
    return [p[statistic] for p in sorted(points, key=lambda p: p["Timestamp"])]


def _ks(a: list[float], b: list[float]) -> float:
    """Two-sample Kolmogorov-Smirnov statistic, with numpy (independent of the runner's merge walk)."""
    import numpy as np

    a, b = np.sort(np.asarray(a)), np.sort(np.asarray(b))
    grid = np.concatenate([a, b])
    return float(np.max(np.abs(np.searchsorted(a, grid, side="right") / len(a)
                               - np.searchsorted(b, grid, side="right") / len(b))))


def check_monitoring_run(ctx):
    runs = labkit.observed(ctx, "monitoring_runs")
    traffic = labkit.observed(ctx, "traffic") or {}
    if runs is None:
        yield labkit.not_run("the monitoring executions ran", labkit.label(ctx, "local"))
        return
    reports = {p: _json(ctx, _key_of(ctx, runs[p]["report"]) + "/constraint_violations.json") for p in runs}
    drift = {p: sorted(v["feature_name"] for v in (r or {}).get("violations", [])
                       if v["constraint_check_type"] == "baseline_drift_check") for p, r in reports.items()}
    yield equal("constraint_violations.json: no drift in the normal hour; baseline_drift_check on "
                f"{DRIFTED} only in the drifted hour", drift, {"normal": [], "drifted": [DRIFTED]},
                verified_by=labkit.label(ctx, "local"))
    training = [float(r[1 + FEATURES.index(DRIFTED)]) for r in _rows(ctx, "data/train/train.csv")]
    captured = mm.capture_rows(_records(ctx, traffic.get("drifted", {}).get("captures", [])))
    expected = _ks(training, [float(r[FEATURES.index(DRIFTED)]) for r in captured]) if captured else None
    reported = runs.get("drifted", {}).get("distances", {}).get(DRIFTED)
    yield expect(f"the reported {DRIFTED} drift is the largest gap between the training and captured CDFs "
                 f"(> {mm.COMPARISON_THRESHOLD})", expected is not None and reported is not None
                 and abs(reported - expected) < 1e-9 and reported > mm.COMPARISON_THRESHOLD,
                 f"reported {reported}, recomputed {expected}", verified_by=labkit.label(ctx, "local"))
    points = _drift_datapoints(ctx, f"{mm.DRIFT_METRIC_PREFIX}{DRIFTED}")
    wanted = [round(runs[p]["distances"].get(DRIFTED, -1), 6) for p in ("normal", "drifted")]
    yield equal(f"CloudWatch has {mm.DRIFT_METRIC_PREFIX}{DRIFTED} in {mm.DATA_METRICS_NAMESPACE} for both hours",
                [round(p, 6) for p in points][-2:], wanted, verified_by=labkit.label(ctx, "local"))


# -- step 7: the drift alarm and the retraining rule --------------------------------------------------------------
def alarm_params(ctx) -> dict:
    return dict(AlarmName=_alarm(ctx), Namespace=mm.DATA_METRICS_NAMESPACE,
                MetricName=f"{mm.DRIFT_METRIC_PREFIX}{DRIFTED}",
                Dimensions=[{"Name": "Endpoint", "Value": _endpoint(ctx)},
                            {"Name": "MonitoringSchedule", "Value": _schedule(ctx)}],
                Statistic="Maximum", Period=PERIOD, EvaluationPeriods=1, Threshold=mm.COMPARISON_THRESHOLD,
                ComparisonOperator="GreaterThanThreshold", TreatMissingData="notBreaching",
                AlarmDescription=f"{DRIFTED} drifted from the training baseline: retrain", Tags=ctx.tag_list())


def event_pattern(ctx) -> dict:
    return {"source": [eventbridge.CLOUDWATCH_SOURCE], "detail-type": [eventbridge.ALARM_STATE_CHANGE],
            "detail": {"alarmName": [_alarm(ctx)], "state": {"value": ["ALARM"]}}}


def retrain_definition(ctx) -> dict:
    """Start a training job on the training data, named after the alarm event that asked for it."""
    name = f"States.Format('{_retrain_prefix(ctx)}-{{}}', States.ArrayGetItem(States.StringSplit($.id, '-'), 0))"
    return {"Comment": "Retrain the churn model when its drift alarm fires (input: the EventBridge event)",
            "StartAt": "Retrain", "States": {"Retrain": {
                "Type": "Task", "Resource": "arn:aws:states:::sagemaker:createTrainingJob",
                "Parameters": {
                    "TrainingJobName.$": name, "RoleArn": _role_arn(ctx, _sm_role_name(ctx)),
                    "AlgorithmSpecification": {"TrainingImage": _image(ctx), "TrainingInputMode": "File"},
                    "HyperParameters": {"sagemaker_program": "\"train.py\""},
                    "InputDataConfig": [{"ChannelName": "train", "ContentType": "text/csv", "DataSource": {
                        "S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": _uri(ctx, "data/train/")}}}],
                    "OutputDataConfig": {"S3OutputPath": _uri(ctx, "retrained")},
                    "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 5},
                    "StoppingCondition": {"MaxRuntimeInSeconds": 900}, "Tags": ctx.tag_list()},
                "End": True}}}


def _create_roles(ctx):
    labkit.create_service_role(ctx, _sfn_role(ctx), "states.amazonaws.com", {"retrain": [
        {"Effect": "Allow", "Action": ["sagemaker:CreateTrainingJob", "sagemaker:AddTags"],
         "Resource": f"arn:aws:sagemaker:{ctx.region}:{ctx.account}:training-job/{_retrain_prefix(ctx)}-*"},
        {"Effect": "Allow", "Action": "iam:PassRole", "Resource": _role_arn(ctx, _sm_role_name(ctx)),
         "Condition": {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}}}]},
        wait=False)  # the events role's wait covers both
    labkit.create_service_role(ctx, _events_role(ctx), "events.amazonaws.com", {"start-retrain": [
        {"Effect": "Allow", "Action": "states:StartExecution", "Resource": _machine_arn(ctx)}]})


def apply_drift_alarm(ctx, alarm: dict | None = None, pattern: dict | None = None):
    ctx.track("cloudwatch:alarm", _alarm(ctx))
    ctx.client("cloudwatch").put_metric_alarm(**(alarm or alarm_params(ctx)))
    _create_roles(ctx)
    ctx.track("states:state-machine", _machine_arn(ctx))
    ctx.client("stepfunctions").create_state_machine(
        name=_machine(ctx), definition=json.dumps(retrain_definition(ctx)), roleArn=_role_arn(ctx, _sfn_role(ctx)),
        type="STANDARD", tags=ctx.tag_list(key="key", value="value"))
    events = ctx.client("events")
    ctx.track("events:rule", _rule(ctx))
    events.put_rule(Name=_rule(ctx), EventPattern=json.dumps(pattern or event_pattern(ctx)), State="ENABLED",
                    Description=f"Retrain when {_alarm(ctx)} goes to ALARM", Tags=ctx.tag_list())
    events.put_targets(Rule=_rule(ctx), Targets=[
        {"Id": "retrain", "Arn": _machine_arn(ctx), "RoleArn": _role_arn(ctx, _events_role(ctx))}])


def _alarm_description(ctx) -> dict:
    found = ctx.client("cloudwatch").describe_alarms(AlarmNames=[_alarm(ctx)]).get("MetricAlarms", [])
    return found[0] if found else {}


def _alarm_config(alarm: dict):
    from awslabs.sim import alarms

    return alarms.AlarmConfig(threshold=float(alarm["Threshold"]), comparison=alarm["ComparisonOperator"],
                              evaluation_periods=int(alarm["EvaluationPeriods"]),
                              datapoints_to_alarm=alarm.get("DatapointsToAlarm"), period=int(alarm["Period"]),
                              statistic=alarm.get("Statistic") or "Maximum",
                              treat_missing_data=alarm.get("TreatMissingData") or "missing",
                              namespace=alarm.get("Namespace", ""))


def _pattern_matches(ctx, pattern: str, event: dict) -> bool:
    if ctx.on_aws:
        return ctx.client("events").test_event_pattern(EventPattern=pattern, Event=json.dumps(event))["Result"]
    return eventbridge.matches(pattern, event)


def check_drift_alarm(ctx):
    from awslabs.sim import alarms

    alarm = _alarm_description(ctx)
    if not alarm:
        yield expect("the drift alarm exists", False, f"no alarm {_alarm(ctx)}")
        return
    dimensions = {d["Name"]: d["Value"] for d in alarm.get("Dimensions", [])}
    yield expect(f"it watches the metric Model Monitor publishes for {DRIFTED} on this endpoint and schedule",
                 (alarm.get("Namespace"), alarm.get("MetricName"), dimensions)
                 == (mm.DATA_METRICS_NAMESPACE, f"{mm.DRIFT_METRIC_PREFIX}{DRIFTED}",
                     {"Endpoint": _endpoint(ctx), "MonitoringSchedule": _schedule(ctx)}),
                 f"{alarm.get('Namespace')} {alarm.get('MetricName')} {dimensions}")
    # Judged on drift values around the baseline's comparison_threshold (and on the monitoring runs'
    # own values once they exist): the alarm must agree with Model Monitor's violation rule.
    constraints = _json(ctx, BASELINE["constraints"]) or {}
    threshold = float(((constraints.get("monitoring_config") or {}).get("distribution_constraints") or {})
                      .get("comparison_threshold", mm.COMPARISON_THRESHOLD))
    samples = {"no drift (0.0)": 0.0, f"half the threshold ({threshold / 2:g})": threshold / 2,
               f"twice the threshold ({threshold * 2:g})": threshold * 2}
    runs = labkit.observed(ctx, "monitoring_runs") or {}
    for phase in ("normal", "drifted"):
        value = (runs.get(phase) or {}).get("distances", {}).get(DRIFTED)
        if value is not None:
            samples[f"the {phase} hour ({value:.3f})"] = value
    wrong = []
    for label, value in samples.items():
        wanted = "ALARM" if value > threshold else "OK"
        got = alarms.evaluate(_alarm_config(alarm), [value]).state
        if got != wanted:
            wrong.append(f"{label}: {got}, not {wanted}")
    yield Check(f"ALARM exactly when the drift is above comparison_threshold {threshold:g} (OK for the normal "
                "hour, ALARM for the drifted one)", not wrong,
                "; ".join(wrong) or ", ".join(samples), "simulated")
    events = ctx.client("events")
    try:
        rule = events.describe_rule(Name=_rule(ctx))
    except events.exceptions.ResourceNotFoundException:
        rule = {}
    if not rule.get("EventPattern") or rule.get("State") != "ENABLED":
        yield expect("an enabled EventBridge rule on the alarm's state change", False, f"{_rule(ctx)}: missing")
        return
    cases = [(alarm, "OK", "ALARM", True), (alarm, "ALARM", "OK", False), (alarm, "OK", "INSUFFICIENT_DATA", False),
             ({**alarm, "AlarmName": ctx.name("other-alarm"), "AlarmArn": ""}, "OK", "ALARM", False)]
    wrong = []
    for described, old, new, wanted in cases:
        event = eventbridge.alarm_state_change_event(described, old, new, "test", ctx.region, ctx.account)
        try:
            got = _pattern_matches(ctx, rule["EventPattern"], event)
        except (eventbridge.PatternError, ValueError) as err:
            got = f"invalid pattern: {err}"
        if got is not wanted:
            wrong.append(f"{described['AlarmName'].rsplit('-', 2)[-2:]} {old}->{new}: "
                         f"{'matched' if got is True else got or 'not matched'}")
    yield Check("the rule matches this alarm going to ALARM only (not OK, not INSUFFICIENT_DATA, not another "
                "alarm)", not wrong, "; ".join(wrong) or "4 sample events judged as expected", labkit.label(ctx))
    targets = events.list_targets_by_rule(Rule=_rule(ctx)).get("Targets", [])
    target = next((t for t in targets if t["Arn"] == _machine_arn(ctx)), None)
    role = (target or {}).get("RoleArn", "").rsplit("/", 1)[-1]
    iam = ctx.client("iam")
    try:
        trust = iam.get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"] if role else None
    except iam.exceptions.NoSuchEntityException:
        trust = None
    assume = judge.service_may_assume(trust, "events.amazonaws.com")
    start = judge.role_may(iam, role, "states:StartExecution", _machine_arn(ctx)) if assume else assume
    yield expect("its target is the retraining state machine, with a role EventBridge may assume to start it",
                 target is not None and bool(start),
                 (start.why if target else ", ".join(t["Arn"] for t in targets) or "no targets")
                 or f"{role} may start {_machine(ctx)}")
    other = _machine_arn(ctx).replace(_machine(ctx), "some-other-state-machine")
    wider = judge.role_may(iam, role, "states:StartExecution", other) if role else None
    yield expect("least privilege: the target role may start this state machine only",
                 target is not None and bool(start) and not wider,
                 f"it may also start {other.rsplit(':', 1)[-1]} ({wider.why})" if wider
                 else "no other state machine" if target is not None and start else "the role cannot start retraining")


# -- step 8: the alarm fires, retraining starts ------------------------------------------------------------------
def _retrain_executions(ctx) -> list[dict]:
    sfn = ctx.client("stepfunctions")
    try:
        listed = sfn.list_executions(stateMachineArn=_machine_arn(ctx))["executions"]
    except sfn.exceptions.StateMachineDoesNotExist:
        return []
    found = []
    for execution in listed:
        described = sfn.describe_execution(executionArn=execution["executionArn"])
        found.append({"name": described["name"], "status": described["status"],
                      "input": json.loads(described.get("input") or "{}"),
                      "output": json.loads(described.get("output") or "{}")})
    return found


def apply_retrain(ctx, values: list | None = None):
    """Evaluate the alarm on its metric; on a transition to ALARM, deliver the state-change event."""
    from awslabs.sim import alarms

    cloudwatch = ctx.client("cloudwatch")
    alarm = _alarm_description(ctx)
    if not alarm:
        raise StepFailed(f"no alarm {_alarm(ctx)} (step drift_alarm)")
    if ctx.on_aws:  # the real alarm evaluates the published metric; to test the path, set its state
        # the job's name comes from the event id AWS assigns: recorded pending, resolved below (and
        # tagged by the state machine, so the tag sweep finds it if this process dies in between)
        pending = ctx.track_pending("sagemaker:job", "retrain", type="training")
        if alarm["StateValue"] != "ALARM":
            cloudwatch.set_alarm_state(AlarmName=_alarm(ctx), StateValue="ALARM",
                                       StateReason="awslabs model-monitor: drift reported by the monitoring run")
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and not _retrain_executions(ctx):
            time.sleep(15)
        jobs = ctx.client("sagemaker").list_training_jobs(NameContains=_retrain_prefix(ctx))["TrainingJobSummaries"]
        for position, job in enumerate(jobs):
            if position == 0:
                ctx.resolve(pending, job["TrainingJobName"])
            else:
                ctx.track("sagemaker:job", job["TrainingJobName"], type="training")
        labkit.record(ctx, "alarm", {"previous": alarm["StateValue"], "state": "ALARM", "deliveries": []})
        return
    if values is None:
        values = _drift_datapoints(ctx, alarm["MetricName"], alarm["Namespace"], alarm.get("Dimensions", []),
                                   alarm.get("Statistic") or "Maximum")[-1:]
    previous = alarm["StateValue"]
    result = alarms.evaluate(_alarm_config(alarm), values, previous)
    deliveries = []
    if result.state != previous:
        reason = f"Threshold Crossed: datapoints {values} evaluated {result.state}"
        cloudwatch.set_alarm_state(AlarmName=_alarm(ctx), StateValue=result.state, StateReason=reason)
        event = eventbridge.alarm_state_change_event(alarm, previous, result.state, reason, ctx.region, ctx.account)
        ctx.track("sagemaker:job", f"{_retrain_prefix(ctx)}-{event['id'].split('-')[0]}", type="training")
        deliveries = eventbridge.dispatch(ctx, event)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(e["status"] == "RUNNING" for e in _retrain_executions(ctx)):
            time.sleep(0.2)
    labkit.record(ctx, "alarm", {"previous": previous, "state": result.state, "values": values,
                                 "deliveries": deliveries})


def check_retrain(ctx):
    seen = labkit.observed(ctx, "alarm")
    if seen is None:
        yield labkit.not_run("the drift alarm fired", labkit.label(ctx, "simulated"))
        return
    alarm = _alarm_description(ctx)
    yield equal("the drift alarm is in ALARM", alarm.get("StateValue"), "ALARM")
    runs = [e for e in _retrain_executions(ctx) if (e["input"].get("detail") or {}).get("alarmName") == _alarm(ctx)
            and ((e["input"].get("detail") or {}).get("state") or {}).get("value") == "ALARM"]
    yield Check("its state-change event started a retraining execution, which succeeded",
                "SUCCEEDED" in [e["status"] for e in runs],
                ", ".join(f"{e['name']}: {e['status']}" for e in runs) or "no execution for the alarm's event",
                labkit.label(ctx, "local"))
    sm = ctx.client("sagemaker")
    jobs = sm.list_training_jobs(NameContains=_retrain_prefix(ctx)).get("TrainingJobSummaries", [])
    channels = []
    for job in jobs:
        described = sm.describe_training_job(TrainingJobName=job["TrainingJobName"])
        channels += [c["DataSource"]["S3DataSource"]["S3Uri"] for c in described.get("InputDataConfig", [])]
    yield expect("a retraining job was created on the training data", jobs and _uri(ctx, "data/train/") in channels,
                 f"{[j['TrainingJobName'] for j in jobs] or 'no job'} reading {sorted(set(channels))}")


# -- step 9: model quality ------------------------------------------------------------------------------------------
def apply_model_quality_definition(ctx, change=None):
    params = dict(
        JobDefinitionName=_mq_definition(ctx), RoleArn=_role_arn(ctx, _sm_role_name(ctx)), Tags=ctx.tag_list(),
        ModelQualityBaselineConfig={"ConstraintsResource": {"S3Uri": _uri(ctx, MQ_BASELINE["constraints"])}},
        ModelQualityAppSpecification={"ImageUri": _monitor_image(ctx), "ProblemType": "BinaryClassification"},
        ModelQualityJobInput={
            "EndpointInput": {"EndpointName": _endpoint(ctx), "LocalPath": "/opt/ml/processing/input/endpoint",
                              "ProbabilityAttribute": "0", "ProbabilityThresholdAttribute": 0.5},
            "GroundTruthS3Input": {"S3Uri": _uri(ctx, GROUND_TRUTH_PREFIX)}},
        ModelQualityJobOutputConfig={"MonitoringOutputs": [{"S3Output": {
            "S3Uri": _uri(ctx, MQ_REPORTS), "LocalPath": "/opt/ml/processing/output", "S3UploadMode": "EndOfJob"}}]},
        JobResources={"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large", "VolumeSizeInGB": 20}},
        StoppingCondition={"MaxRuntimeInSeconds": 1800})
    if change:
        change(params)
    ctx.track("sagemaker:monitoring-job-definition", _mq_definition(ctx), type="model-quality")
    ctx.client("sagemaker").create_model_quality_job_definition(**params)
    if ctx.on_aws:
        ctx.track("sagemaker:monitoring-schedule", _mq_schedule(ctx))
        ctx.client("sagemaker").create_monitoring_schedule(
            MonitoringScheduleName=_mq_schedule(ctx), Tags=ctx.tag_list(),
            MonitoringScheduleConfig={"MonitoringJobDefinitionName": _mq_definition(ctx),
                                      "MonitoringType": "ModelQuality",
                                      "ScheduleConfig": {"ScheduleExpression": "cron(0 * ? * * *)"}})


def check_model_quality_definition(ctx):
    definition = _definition(ctx, "model")
    if not definition:
        yield expect("the model-quality job definition exists", False, f"no {_mq_definition(ctx)}")
        return
    app = definition.get("ModelQualityAppSpecification") or {}
    endpoint_input = (definition.get("ModelQualityJobInput") or {}).get("EndpointInput") or {}
    yield expect("a binary-classification monitor of the lab's endpoint, reading the probability the model returns "
                 "(column 0) with threshold 0.5",
                 app.get("ProblemType") == "BinaryClassification" and endpoint_input.get("EndpointName") == _endpoint(ctx)
                 and endpoint_input.get("ProbabilityAttribute") in ("0", "_c0")
                 and float(endpoint_input.get("ProbabilityThresholdAttribute", 0.5)) == 0.5,
                 f"{app.get('ProblemType')} of {endpoint_input.get('EndpointName')}, probability "
                 f"{endpoint_input.get('ProbabilityAttribute')!r} >= {endpoint_input.get('ProbabilityThresholdAttribute')}")
    truth = ((definition.get("ModelQualityJobInput") or {}).get("GroundTruthS3Input") or {}).get("S3Uri", "")
    yield equal("ground truth is read from the lab bucket's ground-truth/ prefix", truth.rstrip("/"),
                _uri(ctx, GROUND_TRUTH_PREFIX))
    constraints_uri = ((definition.get("ModelQualityBaselineConfig") or {}).get("ConstraintsResource") or {}).get("S3Uri")
    constraints = _json(ctx, _key_of(ctx, constraints_uri) or "-") or {}
    yield expect("its baseline is the model-quality constraints (binary_classification_constraints)",
                 "accuracy" in (constraints.get("binary_classification_constraints") or {}),
                 constraints_uri or "no constraints")
    if not ctx.on_aws:
        yield ctx.aws_only("an hourly model-quality schedule runs it", "moto implements no CreateMonitoringSchedule")


def _ground_truth(ctx, traffic: dict, key_of=None) -> list[str]:
    """The labelling team's answers for the captured requests, in the documented format, keyed by
    each capture's eventId (the key Model Monitor merges on without an inferenceId)."""
    s3 = ctx.client("s3")
    written = []
    for phase in ("normal", "drifted"):
        records = _records(ctx, traffic.get(phase, {}).get("captures", []))
        label_of = dict(zip(_traffic(ctx, phase), (r[0] for r in _rows(ctx, f"labels/{phase}.csv"))))
        lines = []
        for position, record in enumerate(records):
            row = ((record.get("captureData") or {}).get("endpointInput") or {}).get("data", "").strip()
            key = key_of(record, position, records) if key_of else record["eventMetadata"]["eventId"]
            lines.append(json.dumps(mm.ground_truth_record(key, label_of[row])))
        hour = _now().strftime("%Y/%m/%d/%H")
        key = f"{GROUND_TRUTH_PREFIX}/{hour}/{phase}.jsonl"  # the same yyyy/mm/dd/hh layout as the capture
        s3.put_object(Bucket=_bucket(ctx), Key=key, Body=("\n".join(lines) + "\n").encode())
        written.append(key)
    return written


def apply_model_quality(ctx, key_of=None):
    traffic = labkit.observed(ctx, "traffic") or {}
    definition = _definition(ctx, "model")
    if not definition:
        raise StepFailed(f"no model-quality job definition {_mq_definition(ctx)} (step model_quality_definition)")
    truth = _ground_truth(ctx, traffic, key_of)
    s3, cloudwatch = ctx.client("s3"), ctx.client("cloudwatch")
    now, runs = _now(), {}
    for offset, (phase, truth_key) in zip((2, 0), zip(("normal", "drifted"), truth)):
        keys = traffic.get(phase, {}).get("captures", [])
        runs[phase] = mm.run_model_quality(s3, cloudwatch, definition, [_uri(ctx, k) for k in keys],
                                           [_uri(ctx, truth_key)], schedule=_mq_schedule(ctx), execution=phase,
                                           when=now - dt.timedelta(hours=offset))
    labkit.record(ctx, "model_quality", runs)


def check_model_quality(ctx):
    runs = labkit.observed(ctx, "model_quality")
    traffic = labkit.observed(ctx, "traffic") or {}
    if runs is None:
        yield labkit.not_run("the model-quality executions ran", labkit.label(ctx, "local"))
        return
    # independent: predictions from the capture, labels matched to the request row they belong to
    accuracy = {}
    for phase in ("normal", "drifted"):
        label_of = dict(zip(_traffic(ctx, phase), (int(r[0]) for r in _rows(ctx, f"labels/{phase}.csv"))))
        records = _records(ctx, traffic.get(phase, {}).get("captures", []))
        hits = [(float(r["captureData"]["endpointOutput"]["data"].split()[0]) >= 0.5)
                == bool(label_of[r["captureData"]["endpointInput"]["data"].strip()]) for r in records]
        accuracy[phase] = round(sum(hits) / len(hits), 6) if hits else None
    reported = {p: round(runs[p]["metrics"]["accuracy"], 6) for p in runs}
    yield equal("each hour's accuracy: captured predictions merged with the ground truth by eventId", reported,
                accuracy, verified_by=labkit.label(ctx, "local"))
    reports = {p: _json(ctx, _key_of(ctx, runs[p]["report"]) + "/constraint_violations.json") for p in runs}
    broken = {p: sorted(v["metric_name"] for v in (r or {}).get("violations", [])) for p, r in reports.items()}
    yield expect("constraint_violations.json: the drifted hour breaks the accuracy constraint, the normal hour "
                 "breaks none", not broken.get("normal") and "accuracy" in broken.get("drifted", []),
                 f"{broken}", verified_by=labkit.label(ctx, "local"))
    points = _drift_datapoints(ctx, "accuracy", mm.MODEL_METRICS_NAMESPACE,
                               [{"Name": "Endpoint", "Value": _endpoint(ctx)},
                                {"Name": "MonitoringSchedule", "Value": _mq_schedule(ctx)}], "Average")
    yield equal(f"accuracy is published to {mm.MODEL_METRICS_NAMESPACE} for both hours",
                [round(p, 6) for p in points][-2:], [reported.get("normal"), reported.get("drifted")],
                verified_by=labkit.label(ctx, "local"))


# -- mistakes the mutation pass makes --------------------------------------------------------------------------
def _capture_config_with(**changes):
    def apply(ctx):
        config = capture_config(ctx)
        config.update(changes)
        apply_capture(ctx, config)
    return apply


def _baseline_on_drifted(ctx):
    apply_baseline(ctx, "traffic/drifted.csv")


def _definition_on_model_quality_baseline(ctx):
    apply_monitor_definition(ctx, MQ_BASELINE)


def _whole_batch_in_one_request(ctx):
    apply_drifted_traffic(ctx, one_request_per_row=False)


def _only_drifted_sent(ctx):
    apply_drifted_traffic(ctx, phases=("drifted",))


def _run_over_everything(ctx):
    traffic = labkit.observed(ctx, "traffic") or {}
    everything = [k for phase in traffic.values() for k in phase["captures"]]
    apply_monitoring_run(ctx, {"normal": everything, "drifted": everything})


def _alarm_with(**changes):
    def apply(ctx):
        params = alarm_params(ctx)
        params.update(changes)
        apply_drift_alarm(ctx, alarm=params)
    return apply


def _pattern_any_state(ctx):
    pattern = event_pattern(ctx)
    del pattern["detail"]["state"]
    apply_drift_alarm(ctx, pattern=pattern)


def _wide_target_role(ctx):
    apply_drift_alarm(ctx)
    ctx.client("iam").put_role_policy(RoleName=_events_role(ctx), PolicyName="start-retrain", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "states:StartExecution", "Resource": "*"}]}))


def _retrain_on_normal_hour(ctx):
    runs = labkit.observed(ctx, "monitoring_runs") or {}
    apply_retrain(ctx, [runs.get("normal", {}).get("distances", {}).get(DRIFTED, 0.0)])


def _no_ground_truth_probability(ctx):
    apply_model_quality_definition(ctx, lambda p: p["ModelQualityJobInput"]["EndpointInput"].pop("ProbabilityAttribute"))


def _merged_by_position(ctx):
    """Ground truth keyed by the reverse order of the rows: each label lands on another request."""
    apply_model_quality(ctx, key_of=lambda record, position, records:
                        records[len(records) - 1 - position]["eventMetadata"]["eventId"])


MUTATIONS = {
    "capture": [("sampling left at 0 %", _capture_config_with(InitialSamplingPercentage=0)),
                ("only the requests are captured", _capture_config_with(CaptureOptions=[{"CaptureMode": "Input"}]))],
    "baseline": [("baseline computed on the drifted traffic", _baseline_on_drifted)],
    "monitor_definition": [("the definition points at the model-quality baseline",
                            _definition_on_model_quality_baseline)],
    "drifted_traffic": [("the whole batch sent as one request", _whole_batch_in_one_request),
                        ("only the drifted traffic sent", _only_drifted_sent)],
    "monitoring_run": [("both executions analyse every capture file", _run_over_everything)],
    "drift_alarm": [("alarm when the drift is LESS than the threshold", _alarm_with(ComparisonOperator="LessThanThreshold")),
                    ("alarm on a feature that did not drift", _alarm_with(MetricName=f"{mm.DRIFT_METRIC_PREFIX}age")),
                    ("the rule fires on any state change", _pattern_any_state),
                    ("the target role may start any state machine", _wide_target_role)],
    "retrain": [("the alarm evaluated on the normal hour", _retrain_on_normal_hour)],
    "model_quality_definition": [("no probability attribute", _no_ground_truth_probability)],
    "model_quality": [("labels merged by the wrong key", _merged_by_position)],
}
