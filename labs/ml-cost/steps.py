"""ml-cost: what an ML workload costs, and the controls that keep it in check.

Cost allocation tags on the lab's resources; a monthly cost budget filtered on the project tag
with an ACTUAL 80 % and a FORECASTED 100 % notification; a managed Spot training job that
checkpoints to S3; an endpoint configuration sized from load-test figures at least cost. Then
three experiments: on which day of a month's cost series each notification fires (simulated), the
Spot job run with interruptions that resumes from its checkpoints (local) and the month's price of
one traffic profile as real-time, serverless and asynchronous inference (simulated, dated prices).

moto stores budgets and their notifications, tags (read back through the Resource Groups Tagging
API), training jobs with their Spot fields and endpoint configurations. It implements neither the
Cost Explorer cost-allocation-tag calls nor DescribeSubscribersForNotification (both aws-only here),
does not validate ``MaxWaitTimeInSeconds >= MaxRuntimeInSeconds`` (the check applies AWS's rule)
and runs no training job (``awslabs.local.spot_training`` does).
"""
from __future__ import annotations

import csv
import io
import json
import math
import tarfile
from pathlib import Path

from awslabs import labkit
from awslabs.lab import Check, equal, expect
from awslabs.local import spot_training
from awslabs.sim import ml_cost

HERE = Path(__file__).resolve().parent
FILES = HERE / "practice" / "files"

# -- what the task states ------------------------------------------------------------------------
COST_TAGS = {"project": "churn-model", "cost-center": "ml-4711"}
BUDGET_LIMIT_USD = 200.0
ALERTS = {"ACTUAL": 80.0, "FORECASTED": 100.0}  # percent of the budget, GREATER_THAN
ALERT_EMAIL = "ml-team@example.com"
TAG_FILTER = f"user:project${COST_TAGS['project']}"
# a month of the project's daily costs: $5/day, then $8/day once the experiments start on day 8
DAILY_COSTS = [5.0] * 7 + [8.0] * 23
EPOCHS, LEARNING_RATE = 10, 0.02
MAX_RUNTIME_S, MAX_WAIT_S = 3600, 7200
PEAK_RPS, HEADROOM = 150, 0.25  # size for the peak plus 25 % headroom
TRAFFIC = ml_cost.Traffic(avg_rps=40, busy_hours_per_day=10, busy_days=22, duration_s=0.12, memory_mb=2048)
SKLEARN_IMAGE = {"us-east-1": "683313688378", "us-east-2": "257758044811", "us-west-2": "246618743249",
                 "eu-west-1": "141502667606", "eu-central-1": "492215442770"}


def load_test() -> dict[str, float]:
    """The shipped load-test results: max requests/s per instance at the p99 latency objective."""
    rows = csv.DictReader((FILES / "load-test.csv").read_text().splitlines())
    return {r["instance_type"]: float(r["max_rps_at_p99_slo"]) for r in rows}


# -- names ----------------------------------------------------------------------------------------
def _bucket(ctx):
    return ctx.name("artifacts")


def _role(ctx):
    return ctx.name("sagemaker", max_len=64)


def _model(ctx):
    return ctx.name("model")


def _budget(ctx):
    return ctx.name("monthly")


def _job(ctx):
    return ctx.name("spot")


def _endpoint_config(ctx):
    return ctx.name("right-size")


def _image(ctx):
    account = SKLEARN_IMAGE.get(ctx.region, SKLEARN_IMAGE["us-east-1"])
    return f"{account}.dkr.ecr.{ctx.region}.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"


# -- reading the target ---------------------------------------------------------------------------
def _missing(err) -> bool:
    return labkit.error_code(err) in ("ValidationException", "ResourceNotFound", "NotFoundException")


def _describe_budget(ctx) -> tuple[dict | None, list[dict]]:
    budgets = ctx.client("budgets")
    try:
        budget = budgets.describe_budget(AccountId=ctx.account, BudgetName=_budget(ctx))["Budget"]
    except Exception as err:  # noqa: BLE001 - a missing budget is NotFoundException
        if _missing(err):
            return None, []
        raise
    notes = budgets.describe_notifications_for_budget(AccountId=ctx.account, BudgetName=_budget(ctx))
    return budget, notes.get("Notifications", [])


def _training_job(ctx) -> dict:
    try:
        return ctx.client("sagemaker").describe_training_job(TrainingJobName=_job(ctx))
    except Exception as err:  # noqa: BLE001 - moto answers ValidationException for a missing job
        if _missing(err):
            return {}
        raise


def _endpoint_variants(ctx) -> list[dict]:
    try:
        config = ctx.client("sagemaker").describe_endpoint_config(EndpointConfigName=_endpoint_config(ctx))
    except Exception as err:  # noqa: BLE001
        if _missing(err):
            return []
        raise
    return config.get("ProductionVariants", [])


def _fleet(variants: list[dict]) -> dict[str, int]:
    fleet: dict[str, int] = {}
    for v in variants:
        if v.get("InstanceType"):
            fleet[v["InstanceType"]] = fleet.get(v["InstanceType"], 0) + int(v.get("InitialInstanceCount") or 0)
    return fleet


# -- step 1: what the lab presupposes --------------------------------------------------------------
def _sourcedir() -> bytes:
    """train.py as SageMaker's framework containers expect it (sagemaker_submit_directory)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        tar.add(FILES / "train.py", arcname="train.py")
    return buf.getvalue()


def apply_prepare(ctx):
    s3, sm = ctx.client("s3"), ctx.client("sagemaker")
    ctx.create_bucket(_bucket(ctx))
    s3.put_object(Bucket=_bucket(ctx), Key="code/train.py", Body=(FILES / "train.py").read_bytes())
    s3.put_object(Bucket=_bucket(ctx), Key="code/sourcedir.tar.gz", Body=_sourcedir())
    s3.put_object(Bucket=_bucket(ctx), Key="model/model.tar.gz", Body=b"placeholder model artefact")
    role = labkit.create_service_role(ctx, _role(ctx), "sagemaker.amazonaws.com", {"artifacts": [
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket"],
         "Resource": [f"arn:aws:s3:::{_bucket(ctx)}", f"arn:aws:s3:::{_bucket(ctx)}/*"]},
        {"Effect": "Allow", "Action": ["ecr:GetAuthorizationToken", "ecr:BatchGetImage",
                                       "ecr:GetDownloadUrlForLayer", "logs:CreateLogGroup",
                                       "logs:CreateLogStream", "logs:PutLogEvents"], "Resource": "*"}]})
    ctx.track("sagemaker:model", _model(ctx))
    sm.create_model(ModelName=_model(ctx), ExecutionRoleArn=role,
                    PrimaryContainer={"Image": _image(ctx), "ModelDataUrl": f"s3://{_bucket(ctx)}/model/model.tar.gz"},
                    Tags=ctx.tag_list())


def check_prepare(ctx):
    keys = labkit.object_keys(ctx, _bucket(ctx), "code/") if labkit.bucket_exists(ctx, _bucket(ctx)) else []
    yield expect("the training script is in the artifacts bucket", "code/train.py" in keys, ", ".join(keys) or "nothing")
    try:
        model = ctx.client("sagemaker").describe_model(ModelName=_model(ctx))
    except Exception as err:  # noqa: BLE001
        yield expect("the model to host exists", False, labkit.error_code(err))
        return
    yield expect("the model to host exists", bool(model.get("ModelArn")), model.get("ModelArn", ""))


# -- step 2: cost allocation tags ------------------------------------------------------------------
def apply_tag_resources(ctx):
    s3, sm = ctx.client("s3"), ctx.client("sagemaker")
    current = s3.get_bucket_tagging(Bucket=_bucket(ctx)).get("TagSet", [])
    merged = {t["Key"]: t["Value"] for t in current} | COST_TAGS  # PutBucketTagging replaces the whole set
    s3.put_bucket_tagging(Bucket=_bucket(ctx), Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in merged.items()]})
    model_arn = sm.describe_model(ModelName=_model(ctx))["ModelArn"]
    sm.add_tags(ResourceArn=model_arn, Tags=[{"Key": k, "Value": v} for k, v in COST_TAGS.items()])
    if ctx.on_aws:  # tag keys become activatable up to 24 hours after first use: try, and say so in the check
        try:
            ctx.client("ce").update_cost_allocation_tags_status(
                CostAllocationTagsStatus=[{"TagKey": k, "Status": "Active"} for k in COST_TAGS])
        except Exception:  # noqa: BLE001 - a key billing has not seen yet is refused; the check reports it
            pass


def _tagged_arns(ctx) -> set[str]:
    tagging = ctx.client("resourcegroupstaggingapi")
    filters = [{"Key": k, "Values": [v]} for k, v in COST_TAGS.items()]
    arns = set()
    for page in tagging.get_paginator("get_resources").paginate(TagFilters=filters):
        arns |= {r["ResourceARN"] for r in page.get("ResourceTagMappingList", [])}
    return arns


def _cost_tags_of(ctx, name: str) -> dict:
    """The resource's own tags (not the lab's awslabs:* ones), to show what the learner set."""
    try:
        if name == "bucket":
            tags = ctx.client("s3").get_bucket_tagging(Bucket=_bucket(ctx)).get("TagSet", [])
        else:
            sm = ctx.client("sagemaker")
            tags = sm.list_tags(ResourceArn=sm.describe_model(ModelName=_model(ctx))["ModelArn"]).get("Tags", [])
    except Exception:  # noqa: BLE001 - no tag set at all (NoSuchTagSet) or no resource
        tags = []
    return {t["Key"]: t["Value"] for t in tags if not t["Key"].startswith("awslabs:")}


def check_tag_resources(ctx):
    wanted = {f"arn:aws:s3:::{_bucket(ctx)}": "bucket",
              f"arn:aws:sagemaker:{ctx.region}:{ctx.account}:model/{_model(ctx)}": "model"}
    found = _tagged_arns(ctx)
    missing = [name for arn, name in wanted.items() if arn not in found]
    detail = "; ".join(f"{name} has {_cost_tags_of(ctx, name)}" for name in missing)
    yield expect(f"the bucket and the model carry {COST_TAGS} (Resource Groups Tagging API)", not missing,
                 f"missing on: {', '.join(missing)} ({detail}; keys and values are case-sensitive)" if missing
                 else "both found by their cost allocation tags")
    if not ctx.on_aws:
        yield ctx.aws_only("project and cost-center are active cost allocation tags",
                           "moto implements neither ListCostAllocationTags nor UpdateCostAllocationTagsStatus")
        return
    tags = ctx.client("ce").list_cost_allocation_tags(TagKeys=list(COST_TAGS)).get("CostAllocationTags", [])
    status = {t["TagKey"]: t["Status"] for t in tags}
    yield expect("project and cost-center are active cost allocation tags",
                 all(status.get(k) == "Active" for k in COST_TAGS),
                 f"{status or 'not known to billing yet'} (a new key can take up to 24 hours to appear)", "aws")


# -- step 3: the budget -----------------------------------------------------------------------------
def _create_budget(ctx, notifications: list[dict]) -> None:
    ctx.track("budgets:budget", _budget(ctx), account=ctx.account)
    subscribers = [{"SubscriptionType": "EMAIL", "Address": ALERT_EMAIL}]
    ctx.client("budgets").create_budget(
        AccountId=ctx.account,
        Budget={"BudgetName": _budget(ctx), "BudgetType": "COST", "TimeUnit": "MONTHLY",
                "BudgetLimit": {"Amount": f"{BUDGET_LIMIT_USD:.0f}", "Unit": "USD"},
                "CostFilters": {"TagKeyValue": [TAG_FILTER]}},
        NotificationsWithSubscribers=[{"Notification": n, "Subscribers": subscribers} for n in notifications],
        ResourceTags=ctx.tag_list())


def _alert(kind: str, threshold: float) -> dict:
    return {"NotificationType": kind, "ComparisonOperator": "GREATER_THAN", "Threshold": threshold,
            "ThresholdType": "PERCENTAGE"}


def apply_budget(ctx):
    _create_budget(ctx, [_alert(kind, percent) for kind, percent in ALERTS.items()])


def _tag_filters(budget: dict) -> set[tuple[str, str]]:
    """The (tag key, value) pairs a budget counts: the classic ``CostFilters.TagKeyValue``
    (``user:<key>$<value>``) or the newer ``FilterExpression`` (a Cost Explorer expression whose
    ``Tags`` name the plain key); anything wider (Or/Not, other dimensions) counts as no filter."""
    pairs = set()
    for item in (budget.get("CostFilters") or {}).get("TagKeyValue", []):
        key, _, val = item.partition("$")
        if key.startswith("user:") and val:
            pairs.add((key[len("user:"):], val))
        else:
            pairs.add(("?", item))  # a malformed filter matches no cost allocation tag
    tags = (budget.get("FilterExpression") or {}).get("Tags")
    if tags and set(budget["FilterExpression"]) == {"Tags"} and set(tags.get("MatchOptions") or ["EQUALS"]) == {"EQUALS"}:
        pairs |= {(tags.get("Key"), v) for v in tags.get("Values") or []}
    return pairs


def check_budget(ctx):
    budget, notifications = _describe_budget(ctx)
    if budget is None:
        yield expect("the monthly cost budget exists", False, f"{_budget(ctx)}: not found")
        return
    limit = float(budget["BudgetLimit"]["Amount"])
    shape = (budget.get("BudgetType"), budget.get("TimeUnit"), limit, budget["BudgetLimit"].get("Unit"))
    yield equal("a MONTHLY COST budget of 200 USD", shape, ("COST", "MONTHLY", BUDGET_LIMIT_USD, "USD"))
    filters = _tag_filters(budget)
    yield expect(f"the budget counts only costs tagged project={COST_TAGS['project']}",
                 filters == {("project", COST_TAGS["project"])},
                 f"CostFilters.TagKeyValue = {(budget.get('CostFilters') or {}).get('TagKeyValue') or 'none'}, "
                 f"FilterExpression = {budget.get('FilterExpression') or 'none'} (want TagKeyValue [{TAG_FILTER!r}])")
    got = {}
    for n in notifications:  # judged by the spend at which each fires, whatever the threshold type
        got[(n["NotificationType"], n["ComparisonOperator"])] = ml_cost.notification_amount(n, limit)
    for kind, percent in ALERTS.items():
        want = BUDGET_LIMIT_USD * percent / 100
        amount = got.get((kind, "GREATER_THAN"))
        detail = (f"none: notifications are {sorted(got)}" if amount is None
                  else f"fires above ${amount:,.2f}")
        if amount is not None and not math.isclose(amount, want) and math.isclose(amount * 100, want):
            detail += f" — a PERCENTAGE Threshold is in percent: {percent:g}, not {percent / 100:g}"
        yield expect(f"{kind} notification when spend goes over {percent:g} % (${want:,.0f})",
                     amount is not None and math.isclose(amount, want), detail)
    if ctx.on_aws:
        budgets = ctx.client("budgets")
        for n in notifications:
            subs = budgets.describe_subscribers_for_notification(
                AccountId=ctx.account, BudgetName=_budget(ctx), Notification=n).get("Subscribers", [])
            yield expect(f"{n['NotificationType']} notification e-mails {ALERT_EMAIL}",
                         any(s.get("Address") == ALERT_EMAIL for s in subs), str(subs), "aws")
    else:
        yield ctx.aws_only(f"each notification e-mails {ALERT_EMAIL}",
                           "moto does not implement DescribeSubscribersForNotification")


# -- step 4: the Spot training job ------------------------------------------------------------------
def _create_training_job(ctx, stopping: dict, checkpoints: bool = True) -> None:
    bucket = _bucket(ctx)
    ctx.track("sagemaker:job", _job(ctx), type="training")
    extra = {"CheckpointConfig": {"S3Uri": f"s3://{bucket}/checkpoints/{_job(ctx)}/"}} if checkpoints else {}
    ctx.client("sagemaker").create_training_job(
        TrainingJobName=_job(ctx), RoleArn=f"arn:aws:iam::{ctx.account}:role/{_role(ctx)}",
        AlgorithmSpecification={"TrainingImage": _image(ctx), "TrainingInputMode": "File"},
        HyperParameters={"epochs": str(EPOCHS), "learning-rate": str(LEARNING_RATE),
                         "sagemaker_program": "train.py",
                         "sagemaker_submit_directory": f"s3://{bucket}/code/sourcedir.tar.gz"},
        OutputDataConfig={"S3OutputPath": f"s3://{bucket}/output"},
        ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 5},
        EnableManagedSpotTraining=True, StoppingCondition=stopping, Tags=ctx.tag_list(extra=COST_TAGS), **extra)


def apply_spot_training(ctx):
    _create_training_job(ctx, {"MaxRuntimeInSeconds": MAX_RUNTIME_S, "MaxWaitTimeInSeconds": MAX_WAIT_S})


def check_spot_training(ctx):
    job = _training_job(ctx)
    if not job:
        yield expect("the Spot training job exists", False, f"{_job(ctx)}: not found")
        return
    yield expect("managed Spot training is enabled", job.get("EnableManagedSpotTraining") is True,
                 f"EnableManagedSpotTraining = {job.get('EnableManagedSpotTraining')}")
    uri = (job.get("CheckpointConfig") or {}).get("S3Uri", "")
    yield expect("checkpoints go to the artifacts bucket (CheckpointConfig.S3Uri)",
                 uri.startswith(f"s3://{_bucket(ctx)}/"), uri or "no CheckpointConfig: an interruption restarts from scratch")
    stopping = job.get("StoppingCondition") or {}
    yield equal("MaxRuntimeInSeconds is the task's hour", stopping.get("MaxRuntimeInSeconds"), MAX_RUNTIME_S)
    wait = stopping.get("MaxWaitTimeInSeconds")
    # AWS refuses MaxWait < MaxRuntime; moto stores it: the documented rule is applied here
    yield Check("MaxWaitTimeInSeconds ≥ MaxRuntimeInSeconds (AWS's rule for Spot jobs)",
                wait is not None and wait >= stopping.get("MaxRuntimeInSeconds", 0),
                f"MaxWaitTimeInSeconds = {wait}, MaxRuntimeInSeconds = {stopping.get('MaxRuntimeInSeconds')}",
                labkit.label(ctx))


# -- step 5: right-sizing the endpoint -----------------------------------------------------------------
def apply_right_size(ctx):
    ctx.track("sagemaker:endpoint-config", _endpoint_config(ctx))
    ctx.client("sagemaker").create_endpoint_config(
        EndpointConfigName=_endpoint_config(ctx),
        ProductionVariants=[{"VariantName": "AllTraffic", "ModelName": _model(ctx),
                             "InstanceType": "ml.c5.xlarge", "InitialInstanceCount": 2}],
        Tags=ctx.tag_list(extra=COST_TAGS))


def check_right_size(ctx):
    variants = [v for v in _endpoint_variants(ctx) if v.get("InstanceType")]
    if not variants:
        yield expect("the endpoint configuration has instance variants", False, f"{_endpoint_config(ctx)}: none")
        return
    table, need = load_test(), PEAK_RPS * (1 + HEADROOM)
    try:
        fleet = ml_cost.fleet_capacity(variants, table)
    except ValueError as err:
        yield expect("every variant's instance type was load-tested", False, str(err))
        return
    yield expect(f"capacity covers the peak of {PEAK_RPS} req/s plus {HEADROOM:.0%} headroom ({need:g} req/s)",
                 fleet.capacity_rps >= need,
                 f"{fleet.count} × {fleet.instance_type}: {fleet.capacity_rps:g} req/s at the p99 objective")
    best = ml_cost.cheapest_fleet(table, PEAK_RPS, HEADROOM)
    yield expect("no cheaper fleet meets the load", fleet.hourly_usd <= best.hourly_usd + 1e-9,
                 f"${fleet.hourly_usd:.3f}/h; the cheapest is {best.count} × {best.instance_type} at "
                 f"${best.hourly_usd:.3f}/h (prices as of {ml_cost.PRICES_AS_OF})", "simulated")


# -- step 6: which budget notification fires when -------------------------------------------------------
def apply_budget_alerts(ctx):
    budget, notifications = _describe_budget(ctx)
    if budget is None:
        raise ctx.skip("no budget to simulate")
    limit = float(budget["BudgetLimit"]["Amount"])
    labkit.record(ctx, "budget_alerts", {
        "budget": _budget(ctx), "limit": limit, "daily_costs": DAILY_COSTS,
        "forecast": "simulated: spend so far / days elapsed × days in the month",
        "notifications": ml_cost.firing_days(DAILY_COSTS, limit, notifications)})


def check_budget_alerts(ctx):
    seen = labkit.observed(ctx, "budget_alerts")
    if seen is None:
        yield labkit.not_run("the notifications' firing days were simulated", "simulated")
        return
    budget, notifications = _describe_budget(ctx)
    limit = float(budget["BudgetLimit"]["Amount"]) if budget else BUDGET_LIMIT_USD
    days = len(DAILY_COSTS)
    expected = {}
    for n in notifications:  # independent: cumulative spend, and run-rate × days for the forecast
        pct = float(n["Threshold"]) if n.get("ThresholdType", "PERCENTAGE") == "PERCENTAGE" else None
        amount = limit * pct / 100 if pct is not None else float(n["Threshold"])
        spent, fired = 0.0, None
        for day, cost in enumerate(DAILY_COSTS, start=1):
            spent += cost
            value = spent if n["NotificationType"] == "ACTUAL" else spent * days / day
            if value > amount and fired is None:
                fired = day
        expected[n["NotificationType"]] = fired
    recorded = {n["type"]: n["day"] for n in seen["notifications"]}
    yield Check("each notification fires on the day the daily costs reach its threshold", recorded == expected,
                f"simulated {recorded}, expected {expected}", "simulated")
    if recorded.get("FORECASTED") and recorded.get("ACTUAL"):
        lead = recorded["ACTUAL"] - recorded["FORECASTED"]
        yield Check("the FORECASTED notification warns before the ACTUAL one", lead > 0,
                    f"day {recorded['FORECASTED']} vs day {recorded['ACTUAL']}: {lead} days earlier", "simulated")


# -- step 7: the Spot job, interrupted and resumed -------------------------------------------------------
def apply_spot_run(ctx):
    job = _training_job(ctx)
    if not job:
        raise ctx.skip("no training job to run")
    s3 = ctx.client("s3")
    uri = (job.get("CheckpointConfig") or {}).get("S3Uri", "")
    if uri.startswith("s3://"):  # a fresh run of the job: earlier runs' checkpoints would resume it at the end
        bucket, _, prefix = uri[5:].partition("/")
        for key in labkit.object_keys(ctx, bucket, prefix):
            s3.delete_object(Bucket=bucket, Key=key)
    script = labkit.read_object(ctx, _bucket(ctx), "code/train.py")
    labkit.record(ctx, "spot_run", spot_training.run(s3, job, script, ctx.workdir / "spot"))


def _uninterrupted_model(epochs: int, lr: float) -> tuple[float, float]:
    """Gradient descent on train.py's data, in one go: what the resumed run must end with."""
    xs = [i / 10 for i in range(40)]
    w = b = 0.0
    for _ in range(epochs):
        errors = [w * x + b - (3 * x + 2) for x in xs]
        w, b = (w - lr * sum(2 * e * x for e, x in zip(errors, xs)) / len(xs),
                b - lr * sum(2 * e for e in errors) / len(xs))
    return w, b


def check_spot_run(ctx):
    run = labkit.observed(ctx, "spot_run")
    if run is None:
        yield labkit.not_run("the Spot job ran with interruptions", "local")
        return
    job = _training_job(ctx)
    uri = (job.get("CheckpointConfig") or {}).get("S3Uri", "")
    keys = []
    if uri.startswith("s3://"):
        bucket, _, prefix = uri[5:].partition("/")
        keys = labkit.object_keys(ctx, bucket, prefix)
    epochs = sorted(int(k.rsplit("-", 1)[1].split(".")[0]) for k in keys if "checkpoint-epoch-" in k)
    yield Check("a checkpoint per epoch is in CheckpointConfig.S3Uri", epochs == list(range(1, EPOCHS + 1)),
                f"{uri}: epochs {epochs}", "local")
    segments = run["segments"]
    resumed_ok = segments[0]["resumed_from_epoch"] == 0 and all(
        later["resumed_from_epoch"] == (earlier["epochs_run"] or [earlier["resumed_from_epoch"]])[-1]
        for earlier, later in zip(segments, segments[1:]))
    ran = [e for s in segments for e in s["epochs_run"]]
    yield Check("after each interruption the job resumed from its last checkpoint, no epoch run twice",
                resumed_ok and len(segments) > 1 and ran == list(range(1, EPOCHS + 1)),
                "; ".join(f"container {s['container']}: from epoch {s['resumed_from_epoch']}, ran {s['epochs_run']}"
                          for s in segments), "local")
    out = job.get("OutputDataConfig", {}).get("S3OutputPath", "").rstrip("/")
    model = None
    if out.startswith("s3://"):
        bucket, _, prefix = out[5:].partition("/")
        key = f"{prefix}/{_job(ctx)}/output/model.json".lstrip("/")
        if key in labkit.object_keys(ctx, bucket, key):
            model = json.loads(labkit.read_object(ctx, bucket, key))
    w, b = _uninterrupted_model(EPOCHS, LEARNING_RATE)
    yield Check("the resumed run's model equals an uninterrupted run's", bool(model) and math.isclose(
        model["w"], w, rel_tol=1e-9) and math.isclose(model["b"], b, rel_tol=1e-9),
        f"model {model}, uninterrupted w={w:.6f} b={b:.6f}", "local")
    training, billable = run["TrainingTimeInSeconds"], run["BillableTimeInSeconds"]
    savings = (1 - billable / training) * 100 if training else None  # AWS's documented formula
    yield Check("savings = (1 − BillableTimeInSeconds / TrainingTimeInSeconds) × 100",
                savings is not None and math.isclose(run["savings_percent"], savings, abs_tol=0.01),
                f"reported {run['savings_percent']} %, formula gives {savings:.2f} % "
                f"({billable:g} billable of {training:g} s; simulated interruptions and Spot price)", "simulated")
    stopping = job.get("StoppingCondition") or {}
    within = (training <= stopping.get("MaxRuntimeInSeconds", 0)
              and training + run["waited_seconds"] <= stopping.get("MaxWaitTimeInSeconds", 0))
    yield Check("the job finished within MaxRuntimeInSeconds and MaxWaitTimeInSeconds", within and run["status"] == "Completed",
                f"{run['status']}: trained {training:g} s, waited {run['waited_seconds']:g} s; limits {stopping}",
                "simulated")


# -- step 8: one traffic profile, three prices -----------------------------------------------------
def apply_inference_price(ctx):
    fleet = _fleet(_endpoint_variants(ctx))
    if not fleet:
        raise ctx.skip("no endpoint configuration to price")
    result = ml_cost.monthly_prices(TRAFFIC, fleet)
    result["traffic"] = {"avg_rps": TRAFFIC.avg_rps, "busy_hours_per_day": TRAFFIC.busy_hours_per_day,
                         "busy_days": TRAFFIC.busy_days, "duration_s": TRAFFIC.duration_s,
                         "memory_mb": TRAFFIC.memory_mb}
    labkit.record(ctx, "inference_price", result)


def check_inference_price(ctx):
    seen = labkit.observed(ctx, "inference_price")
    if seen is None:
        yield labkit.not_run("the traffic profile was priced three ways", "simulated")
        return
    fleet = _fleet(_endpoint_variants(ctx))
    hourly = sum(ml_cost.HOSTING_PRICES[t] * n for t, n in fleet.items())
    requests = TRAFFIC.avg_rps * 3600 * TRAFFIC.busy_hours_per_day * TRAFFIC.busy_days
    expected = {"real-time": hourly * ml_cost.HOURS_PER_MONTH,
                "serverless": requests * TRAFFIC.duration_s * (TRAFFIC.memory_mb / 1024) * ml_cost.SERVERLESS_PRICE_PER_GB_S,
                "asynchronous": hourly * TRAFFIC.busy_hours_per_day * TRAFFIC.busy_days}
    got = seen.get("prices_usd", {})
    yield Check("each option's monthly price matches the endpoint's fleet and the traffic profile",
                set(got) == set(expected) and all(math.isclose(got[k], v, abs_tol=0.01) for k, v in expected.items()),
                f"recorded {got}, expected {({k: round(v, 2) for k, v in expected.items()})} for {fleet}", "simulated")
    cheapest = min(expected, key=expected.get)
    yield Check("the cheapest option is named", seen.get("cheapest") == cheapest,
                f"recorded {seen.get('cheapest')}, cheapest {cheapest}", "simulated")
    sources = seen.get("sources") or []
    yield Check("the prices carry an as-of date and their source", bool(seen.get("as_of")) and any(
        s.startswith("https://aws.amazon.com/sagemaker") for s in sources),
        f"as of {seen.get('as_of')} ({seen.get('price_status')}): {sources}", "simulated")


# -- declared mutants: plausible mistakes -----------------------------------------------------------
def _tags_on_bucket_only(ctx):
    s3 = ctx.client("s3")
    current = s3.get_bucket_tagging(Bucket=_bucket(ctx)).get("TagSet", [])
    merged = {t["Key"]: t["Value"] for t in current} | COST_TAGS
    s3.put_bucket_tagging(Bucket=_bucket(ctx), Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in merged.items()]})


def _fraction_threshold(ctx):
    _create_budget(ctx, [_alert("ACTUAL", 0.8), _alert("FORECASTED", 100)])


def _forecast_for_actual(ctx):
    _create_budget(ctx, [_alert("FORECASTED", 80), _alert("FORECASTED", 100)])


def _wait_shorter_than_runtime(ctx):
    _create_training_job(ctx, {"MaxRuntimeInSeconds": MAX_RUNTIME_S, "MaxWaitTimeInSeconds": 1800})


def _no_checkpoints(ctx):
    _create_training_job(ctx, {"MaxRuntimeInSeconds": MAX_RUNTIME_S, "MaxWaitTimeInSeconds": MAX_WAIT_S},
                         checkpoints=False)


def _config(instance_type, count):
    def build(ctx):
        ctx.track("sagemaker:endpoint-config", _endpoint_config(ctx))
        ctx.client("sagemaker").create_endpoint_config(
            EndpointConfigName=_endpoint_config(ctx),
            ProductionVariants=[{"VariantName": "AllTraffic", "ModelName": _model(ctx),
                                 "InstanceType": instance_type, "InitialInstanceCount": count}],
            Tags=ctx.tag_list())
    return build


def _thresholds_read_as_dollars(ctx):
    budget, notifications = _describe_budget(ctx)
    as_dollars = [{**n, "ThresholdType": "ABSOLUTE_VALUE"} for n in notifications]
    labkit.record(ctx, "budget_alerts", {"notifications": ml_cost.firing_days(DAILY_COSTS, 200.0, as_dollars)})


def _savings_inverted(ctx):
    apply_spot_run(ctx)
    run = labkit.observed(ctx, "spot_run")
    run["savings_percent"] = round(run["BillableTimeInSeconds"] / run["TrainingTimeInSeconds"] * 100, 2)
    labkit.record(ctx, "spot_run", run)


def _one_instance_priced(ctx):
    apply_inference_price(ctx)
    seen = labkit.observed(ctx, "inference_price")
    seen["prices_usd"]["real-time"] = round(seen["prices_usd"]["real-time"] / 2, 2)
    labkit.record(ctx, "inference_price", seen)


def _serverless_per_gb_hour(ctx):
    apply_inference_price(ctx)
    seen = labkit.observed(ctx, "inference_price")
    seen["prices_usd"]["serverless"] = round(seen["prices_usd"]["serverless"] / 3600, 2)
    seen["cheapest"] = "serverless"
    labkit.record(ctx, "inference_price", seen)


MUTATIONS = {
    "tag_resources": [("cost tags on the bucket only, not the model", _tags_on_bucket_only)],
    "budget": [("Threshold 0.8 with PERCENTAGE (0.8 %, not 80 %)", _fraction_threshold),
               ("FORECASTED where ACTUAL was asked", _forecast_for_actual)],
    "spot_training": [("MaxWaitTimeInSeconds shorter than MaxRuntimeInSeconds", _wait_shorter_than_runtime),
                      ("no CheckpointConfig", _no_checkpoints)],
    "right_size": [("2 × ml.m5.xlarge: the peak fits, the headroom does not", _config("ml.m5.xlarge", 2)),
                   ("3 × ml.c5.xlarge: more than the load needs", _config("ml.c5.xlarge", 3))],
    "budget_alerts": [("thresholds read as dollars", _thresholds_read_as_dollars)],
    "spot_run": [("savings reported as Billable / Training", _savings_inverted)],
    "inference_price": [("real-time priced for one instance of two", _one_instance_priced),
                        ("serverless priced per GB-hour", _serverless_per_gb_hour)],
}
