"""CloudWatch for a model endpoint: custom metrics, get_metric_data, M-of-N alarms with missing-data
treatment, an SNS -> SQS alarm action, log metric filters and a subscription to Kinesis.

moto stores metrics and alarms but never evaluates an alarm, and its metric filters publish
nothing. So on moto and the server ``awslabs.sim.alarms`` evaluates each alarm by CloudWatch's
documented rules on the datapoints read back from the emulator, and the lab sets the state
(``set_alarm_state``) and publishes the alarm notification itself; ``awslabs.sim.metric_filters``
matches the log events and publishes the metric values. Those checks say ``simulated``. On real
AWS the service does both and the lab waits (bounded) for the real state / metric values.
Subscription delivery to Kinesis is real in moto (emulated).

CloudWatch cannot delete metric data: a metric name used before (an earlier attempt at the lab)
still holds its old datapoints. So the first step notes what the lab's metrics already hold, and
every check reads what was published *since* — current Sum/SampleCount minus that baseline, minute
by minute — and finds the 10 published minutes from the data itself (the latest minute with data).
"""
from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import gzip
import json
import time

from botocore.exceptions import ClientError

from awslabs import judge, labkit
from awslabs.lab import Check, StepFailed, equal, expect
from awslabs.sim import alarms as sim
from awslabs.sim import metric_filters

NAMESPACE = "Awslabs/ModelEndpoint"
# One value per minute, oldest first, for the last 10 minutes (minute 0 = the current minute).
LATENCY_MS = [120, 130, 110, 140, 125, 320, 140, 310, 330, 135]  # average model latency
INVOCATIONS = [50, 52, 48, 55, 50, 60, 58, 61, 57, 54]
ERRORS_NOW = 3  # 5XX errors: reported only in the current minute (a sparse metric)
DRIFT = [0.02, 0.03, 0.02, 0.04, 0.05, 0.07, 0.09, 0.12, 0.15, 0.18]  # a feature-drift score
LATENCY_THRESHOLD = 250.0
INITIAL_REASON = "Unchecked: Initial alarm creation"
LOG_LINES = [  # structured (JSON) inference logs; status >= 500 and "drift warning" are what we count
    {"status": 200, "latency_ms": 118, "msg": "ok"},
    {"status": 200, "latency_ms": 131, "msg": "ok"},
    {"status": 500, "latency_ms": 902, "msg": "model container error"},
    {"status": 200, "latency_ms": 125, "msg": "drift warning: feature age PSI 0.27"},
    {"status": 200, "latency_ms": 140, "msg": "ok"},
    {"status": 503, "latency_ms": 15, "msg": "throttled"},
    {"status": 200, "latency_ms": 122, "msg": "ok"},
    {"status": 200, "latency_ms": 133, "msg": "drift warning: feature income PSI 0.31"},
    {"status": 500, "latency_ms": 870, "msg": "model container error"},
    {"status": 200, "latency_ms": 119, "msg": "ok"},
]
FILTERS = {  # filter name -> (pattern, metric name, transformation extras)
    "inference-5xx": ("{ $.status >= 500 }", "InferenceErrors", {"metricValue": "1", "defaultValue": 0.0, "unit": "Count"}),
    "drift-warnings": ('"drift warning"', "DriftWarnings", {"metricValue": "1", "unit": "Count"}),
}


def _label(ctx) -> str:
    return "emulated" if ctx.on_aws else "simulated"


def _endpoint(ctx) -> str:
    return ctx.name("endpoint")


def _dims(ctx) -> list[dict]:
    return [{"Name": "EndpointName", "Value": _endpoint(ctx)}, {"Name": "VariantName", "Value": "AllTraffic"}]


METRICS = ("FeatureDriftScore", "Invocation5XXErrors", "Invocations", "ModelLatency")
LOG_METRICS = ("DriftWarnings", "InferenceErrors")
BASELINE_BEFORE = dt.timedelta(hours=3)  # the baseline covers data timestamped from 3 h before start...
BASELINE_AFTER = dt.timedelta(hours=2)  # ...to 2 h after (timestamps the learner will not reach back to)


def _minute(ts) -> int:
    """Epoch seconds of the start of the minute ``ts`` (a datetime; naive means UTC) falls in."""
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=dt.timezone.utc)
    return int(ts.timestamp()) // 60 * 60


def _per_minute(ctx, namespace: str, metric: str, dims: list[dict], start: dt.datetime,
                end: dt.datetime) -> dict[int, list]:
    """minute -> [Sum, SampleCount, Unit] as get_metric_statistics returns them (Period 60)."""
    points = ctx.client("cloudwatch").get_metric_statistics(
        Namespace=namespace, MetricName=metric, Dimensions=dims, StartTime=start, EndTime=end, Period=60,
        Statistics=["Sum", "SampleCount"])["Datapoints"]
    return {_minute(p["Timestamp"]): [p["Sum"], p["SampleCount"], p.get("Unit")] for p in points}


def _series_key(namespace: str, metric: str) -> str:
    return f"{namespace}|{metric}"


def _watched(ctx) -> list[tuple[str, str, list[dict]]]:
    return [(NAMESPACE, m, _dims(ctx)) for m in METRICS] + [(_log_namespace(ctx), m, []) for m in LOG_METRICS]


def _search_window(ctx) -> tuple[dt.datetime, dt.datetime]:
    now = dt.datetime.now(dt.timezone.utc)
    base = ctx.state.get("baseline")
    start = dt.datetime.fromtimestamp(base["at"], dt.timezone.utc) - BASELINE_BEFORE if base else now - BASELINE_BEFORE
    end = now + dt.timedelta(minutes=15)
    return max(start, end - dt.timedelta(hours=23)), end  # at most 1,440 one-minute datapoints


def _learned(ctx, namespace: str, metric: str, dims: list[dict]) -> dict[int, list]:
    """minute -> [Sum, SampleCount, Unit] published since the baseline (only minutes with data)."""
    start, end = _search_window(ctx)
    now = _per_minute(ctx, namespace, metric, dims, start, end)
    before = (ctx.state.get("baseline") or {}).get("points", {}).get(_series_key(namespace, metric), {})
    out = {}
    for minute, (total, count, unit) in now.items():
        old_total, old_count = before.get(minute, (0.0, 0.0))
        if count - old_count > 0:
            out[minute] = [total - old_total, count - old_count, unit]
    return out


def _anchor(ctx) -> int | None:
    """The latest minute with published Invocations: the last of the 10 minutes the checks read."""
    invocations = _learned(ctx, NAMESPACE, "Invocations", _dims(ctx))
    return max(invocations) if invocations else None


def _window_minutes(anchor: int) -> list[int]:
    return [anchor - 60 * i for i in range(9, -1, -1)]


# -- 0. what is there already ----------------------------------------------------------------------
def apply_baseline(ctx):
    now = dt.datetime.now(dt.timezone.utc)
    points = {}
    for namespace, metric, dims in _watched(ctx):
        found = _per_minute(ctx, namespace, metric, dims, now - BASELINE_BEFORE, now + BASELINE_AFTER)
        points[_series_key(namespace, metric)] = {m: (v[0], v[1]) for m, v in found.items()}
    ctx.state["baseline"] = {"at": now.timestamp(), "points": points}
    labkit.record(ctx, "baseline", ctx.state["baseline"])  # the file the learner keeps; its check reads it


def check_baseline(ctx):
    name = "awslabs noted the datapoints the lab's metrics held before you started"
    noted = labkit.observed(ctx, "baseline")
    if noted is None:
        yield labkit.not_run(name, "emulated")
        return
    at = dt.datetime.fromtimestamp(noted["at"], dt.timezone.utc)
    # Read the metrics again, now: CloudWatch never deletes or lowers a datapoint (it only adds to
    # Sum/SampleCount), so each minute noted must still be there with at least the noted count.
    missing = []
    for namespace, metric, dims in _watched(ctx):
        key = _series_key(namespace, metric)
        if key not in noted["points"]:
            missing.append(f"{metric}: not noted")
            continue
        was = {int(m): v for m, v in noted["points"][key].items()}
        now = _per_minute(ctx, namespace, metric, dims, at - BASELINE_BEFORE, at + BASELINE_AFTER)
        missing += [f"{metric}@{m}" for m, (_, count) in was.items() if now.get(m, [0, 0])[1] < count]
    held = sum(len(v) for v in noted["points"].values())
    yield Check(name, not missing,
                f"{held} earlier one-minute datapoint(s) noted in observations/baseline.json; they are subtracted "
                f"from what the checks read" + (f"; noted but not on the target: {missing}" if missing else ""), "emulated")


# -- 1. custom metrics ----------------------------------------------------------------------------
def apply_publish_metrics(ctx):
    cw = ctx.client("cloudwatch")
    now = dt.datetime.now(dt.timezone.utc)
    anchor = now.replace(second=0, microsecond=0)
    data = []
    for i, minutes_ago in enumerate(range(9, -1, -1)):
        ts = anchor - dt.timedelta(minutes=minutes_ago) + dt.timedelta(seconds=5)
        count = INVOCATIONS[i]
        # One statistic set per minute: what an agent that aggregates locally would send.
        data.append({"MetricName": "ModelLatency", "Dimensions": _dims(ctx), "Timestamp": ts, "Unit": "Milliseconds",
                     "StatisticValues": {"SampleCount": count, "Sum": LATENCY_MS[i] * count,
                                         "Minimum": LATENCY_MS[i] * 0.5, "Maximum": LATENCY_MS[i] * 2}})
        data.append({"MetricName": "Invocations", "Dimensions": _dims(ctx), "Timestamp": ts, "Unit": "Count", "Value": count})
        data.append({"MetricName": "FeatureDriftScore", "Dimensions": _dims(ctx), "Timestamp": ts, "Unit": "None",
                     "Value": DRIFT[i]})
    data.append({"MetricName": "Invocation5XXErrors", "Dimensions": _dims(ctx), "Unit": "Count", "Value": ERRORS_NOW,
                 "Timestamp": anchor + dt.timedelta(seconds=5)})
    for start in range(0, len(data), 500):  # PutMetricData takes at most 1,000 datums per call
        cw.put_metric_data(Namespace=NAMESPACE, MetricData=data[start:start + 500])
    if ctx.on_aws:
        # New datapoints take a minute or two to be queryable, and a new metric "up to 15 minutes"
        # to appear in ListMetrics: wait for both, bounded.
        deadline = time.time() + 15 * 60
        while time.time() < deadline:
            listed = cw.list_metrics(Namespace=NAMESPACE, Dimensions=[{"Name": "EndpointName", "Value": _endpoint(ctx)}])
            total = sum(v[0] for v in _learned(ctx, NAMESPACE, "Invocations", _dims(ctx)).values())
            if len({m["MetricName"] for m in listed["Metrics"]}) == 4 and total >= sum(INVOCATIONS):
                break
            time.sleep(20)


def check_publish_metrics(ctx):
    pages = ctx.client("cloudwatch").get_paginator("list_metrics").paginate(
        Namespace=NAMESPACE, Dimensions=[{"Name": "EndpointName", "Value": _endpoint(ctx)}])
    listed = [m for page in pages for m in page["Metrics"]]  # ListMetrics pages at 500
    yield equal("four metrics carry this endpoint's dimensions", sorted({m["MetricName"] for m in listed}),
                list(METRICS))
    invocations = _learned(ctx, NAMESPACE, "Invocations", _dims(ctx))
    anchor = max(invocations) if invocations else None
    if anchor is None:
        yield Check("Invocations: one Sum per minute for the 10 minutes up to the latest", False,
                    "no Invocations with the endpoint's dimensions published since `awslabs start`", "emulated")
        return
    window = _window_minutes(anchor)
    yield equal("Invocations: one Sum per minute for the 10 minutes up to the latest",
                [invocations.get(m, [0.0])[0] for m in window], [float(v) for v in INVOCATIONS])
    latency = _learned(ctx, NAMESPACE, "ModelLatency", _dims(ctx))
    yield equal("latency statistic sets: each minute's SampleCount = that minute's invocations",
                [latency.get(m, [0.0, 0.0])[1] for m in window], [float(v) for v in INVOCATIONS])
    yield equal("latency keeps its unit", sorted({str(latency[m][2]) for m in window if m in latency}), ["Milliseconds"])


# -- 2. get_metric_data ---------------------------------------------------------------------------
def _csv_path(ctx):
    return ctx.output_dir / "endpoint-metrics.csv"


def apply_query_metrics(ctx):
    anchor = _anchor(ctx)
    if anchor is None:
        raise StepFailed("no Invocations published for the endpoint yet: nothing to query")
    minutes = _window_minutes(anchor)
    start = dt.datetime.fromtimestamp(minutes[0], dt.timezone.utc)
    end = start + dt.timedelta(minutes=10)
    # Sum and SampleCount (not Average): what was there before the baseline can be subtracted.
    queries = [(f"{short}_{stat.lower()}", metric, stat)
               for short, metric in (("latency", "ModelLatency"), ("invocations", "Invocations"),
                                     ("errors", "Invocation5XXErrors"), ("drift", "FeatureDriftScore"))
               for stat in ("Sum", "SampleCount")]
    response = ctx.client("cloudwatch").get_metric_data(
        MetricDataQueries=[{"Id": qid, "ReturnData": True, "MetricStat": {
            "Metric": {"Namespace": NAMESPACE, "MetricName": metric, "Dimensions": _dims(ctx)},
            "Period": 60, "Stat": stat}} for qid, metric, stat in queries],
        StartTime=start, EndTime=end, ScanBy="TimestampAscending")
    raw = {r["Id"]: {_minute(t): v for t, v in zip(r["Timestamps"], r["Values"])} for r in response["MetricDataResults"]}
    points = (ctx.state.get("baseline") or {}).get("points", {})

    def series(short: str, metric: str) -> list[tuple[float, float] | None]:
        before = points.get(_series_key(NAMESPACE, metric), {})
        out = []
        for m in minutes:
            total = raw[f"{short}_sum"].get(m, 0.0) - before.get(m, (0.0, 0.0))[0]
            count = raw[f"{short}_samplecount"].get(m, 0.0) - before.get(m, (0.0, 0.0))[1]
            out.append((total, count) if count > 0 else None)  # None: a missing minute
        return out

    latency, invocations = series("latency", "ModelLatency"), series("invocations", "Invocations")
    errors, drift = series("errors", "Invocation5XXErrors"), series("drift", "FeatureDriftScore")
    with _csv_path(ctx).open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["minute", "latency_avg_ms", "invocations", "errors_5xx", "error_rate", "drift_max"])
        for i, minute in enumerate(minutes):
            inv = invocations[i][0] if invocations[i] else None
            err = errors[i][0] if errors[i] else None
            rate = (err or 0) / inv if inv else None  # a missing error datapoint means no errors
            writer.writerow([dt.datetime.fromtimestamp(minute, dt.timezone.utc).strftime("%H:%M"),
                             latency[i][0] / latency[i][1] if latency[i] else None, inv, err, rate,
                             drift[i][0] / drift[i][1] if drift[i] else None])


def check_query_metrics(ctx):
    with _csv_path(ctx).open() as fh:
        rows = list(csv.DictReader(fh))
    yield equal("one row per minute", len(rows), 10, "emulated")
    latency = [round(float(r["latency_avg_ms"])) if r["latency_avg_ms"] else None for r in rows]
    yield equal("per-minute Average latency = what was published", latency, LATENCY_MS, "emulated")
    missing = [r["minute"] for r in rows if not r["errors_5xx"]]
    yield equal("the sparse error metric has 9 missing minutes", len(missing), 9, "emulated")
    yield equal("error rate in the current minute", round(float(rows[-1]["error_rate"] or "nan"), 4),
                round(ERRORS_NOW / INVOCATIONS[-1], 4), "emulated")


# -- 3. alarms ------------------------------------------------------------------------------------
def _alarm_names(ctx) -> dict[str, str]:
    return {"latency": ctx.name("latency-high", max_len=255), "errors": ctx.name("5xx-errors", max_len=255)}


def _topic_arn(ctx) -> str:
    return f"arn:aws:sns:{ctx.region}:{ctx.account}:{ctx.name('alarms', max_len=256)}"


def _queue_name(ctx) -> str:
    return ctx.name("alarm-inbox", max_len=80)


def _describe(ctx) -> dict[str, dict]:
    names = _alarm_names(ctx)
    found = ctx.client("cloudwatch").describe_alarms(AlarmNames=list(names.values()))["MetricAlarms"]
    by_name = {a["AlarmName"]: a for a in found}
    return {key: by_name[name] for key, name in names.items() if name in by_name}


def apply_create_alarms(ctx):
    sns, sqs, cw = ctx.client("sns"), ctx.client("sqs"), ctx.client("cloudwatch")
    topic = _topic_arn(ctx)
    ctx.track("sns:topic", topic)
    sns.create_topic(Name=topic.rsplit(":", 1)[1], Tags=ctx.tag_list())
    ctx.track("sqs:queue", _queue_name(ctx))
    url = sqs.create_queue(QueueName=_queue_name(ctx), tags=ctx.tags)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    # The queue must let the topic send to it (on AWS; moto delivers regardless).
    policy = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
        "Resource": queue_arn, "Condition": {"ArnEquals": {"aws:SourceArn": topic}}}]}
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, ReturnSubscriptionArn=True)
    names = _alarm_names(ctx)
    common = {"Namespace": NAMESPACE, "Dimensions": _dims(ctx), "Period": 60, "ActionsEnabled": True,
              "AlarmActions": [topic], "OKActions": [topic], "Tags": ctx.tag_list()}
    ctx.track("cloudwatch:alarm", names["latency"])
    cw.put_metric_alarm(
        AlarmName=names["latency"], AlarmDescription="Average latency above 250 ms in 3 of the last 5 minutes",
        MetricName="ModelLatency", Statistic="Average", Threshold=LATENCY_THRESHOLD,
        ComparisonOperator="GreaterThanThreshold", EvaluationPeriods=5, DatapointsToAlarm=3,
        TreatMissingData="missing", **common)
    ctx.track("cloudwatch:alarm", names["errors"])
    cw.put_metric_alarm(
        AlarmName=names["errors"], AlarmDescription="5XX errors in 2 of the last 3 minutes (sparse metric)",
        MetricName="Invocation5XXErrors", Statistic="Sum", Threshold=1.0,
        ComparisonOperator="GreaterThanOrEqualToThreshold", EvaluationPeriods=3, DatapointsToAlarm=2,
        TreatMissingData="notBreaching", **common)


def check_create_alarms(ctx):
    found = _describe(ctx)
    latency, errors = found.get("latency", {}), found.get("errors", {})
    yield equal("latency alarm: Average ModelLatency above 250 ms in 3 out of 5 one-minute periods",
                (latency.get("MetricName"), latency.get("Statistic"), latency.get("ComparisonOperator"),
                 latency.get("DatapointsToAlarm"), latency.get("EvaluationPeriods"), latency.get("Period"),
                 latency.get("Threshold"), judge.effective("cloudwatch", "alarm", "TreatMissingData", latency.get("TreatMissingData"))),
                ("ModelLatency", "Average", "GreaterThanThreshold", 3, 5, 60, 250.0, "missing"))
    yield equal("error alarm: Sum of 5XX errors >= 1 in 2 of 3 minutes, missing data not breaching "
                "(errors are only reported when they happen)",
                (errors.get("MetricName"), errors.get("Statistic"), errors.get("ComparisonOperator"),
                 errors.get("Threshold"), errors.get("DatapointsToAlarm"), errors.get("EvaluationPeriods"),
                 errors.get("Period"), errors.get("TreatMissingData")),
                ("Invocation5XXErrors", "Sum", "GreaterThanOrEqualToThreshold", 1.0, 2, 3, 60, "notBreaching"))
    yield equal("both alarms watch this endpoint (EndpointName and VariantName dimensions)",
                [sorted((d["Name"], d["Value"]) for d in a.get("Dimensions", [])) for a in (latency, errors)],
                [sorted((d["Name"], d["Value"]) for d in _dims(ctx))] * 2)
    yield expect("both alarms notify the SNS topic", all(a.get("AlarmActions") == [_topic_arn(ctx)] for a in (latency, errors)),
                 str([a.get("AlarmActions") for a in (latency, errors)]))
    subs = ctx.client("sns").list_subscriptions_by_topic(TopicArn=_topic_arn(ctx))["Subscriptions"]
    yield equal("the SQS queue is subscribed to the topic", [s["Protocol"] for s in subs], ["sqs"])
    yield _sns_may_send(ctx)  # moto delivers regardless of the queue policy; AWS does not


def _sns_may_send(ctx):
    sqs = ctx.client("sqs")
    try:
        url = sqs.get_queue_url(QueueName=_queue_name(ctx))["QueueUrl"]
        attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn", "Policy"])["Attributes"]
    except ClientError:
        return Check("the topic may send to the queue (its access policy allows it)", False, "the queue does not exist")
    decision = judge.sns_may_send_to_queue(attrs.get("Policy"), _topic_arn(ctx), attrs["QueueArn"])
    return Check("the topic may send to the queue (its access policy allows it)", decision.allowed, decision.why, "local")


# -- 4. evaluate ----------------------------------------------------------------------------------
def _whatif_path(ctx):
    return ctx.output_dir / "missing-data-what-if.json"


def _evaluation_time(ctx) -> dt.datetime:
    """When the simulated evaluation happens: in the latest minute of the published data (in a run
    that is now; in practice the alarms may be created long after the metrics were published)."""
    anchor = _anchor(ctx)
    now = dt.datetime.now(dt.timezone.utc)
    return now if anchor is None else min(now, dt.datetime.fromtimestamp(anchor + 30, dt.timezone.utc))


def _evaluate(ctx, alarm: dict, end: dt.datetime) -> sim.Evaluation:
    cfg = sim.AlarmConfig.from_alarm(alarm)
    if cfg.period == 60 and cfg.statistic in ("Average", "Sum", "SampleCount"):
        # the per-minute values published since the baseline
        learned = _learned(ctx, alarm["Namespace"], alarm["MetricName"], alarm.get("Dimensions", []))
        last = _minute(end)
        values = []
        for m in range(last - 60 * (cfg.range_size - 1), last + 60, 60):
            total, count = learned[m][:2] if m in learned else (None, None)
            values.append(None if count is None else
                          {"Average": (total or 0.0) / count, "Sum": total, "SampleCount": count}[cfg.statistic])
    else:
        start = end - dt.timedelta(seconds=cfg.period * (cfg.range_size + 1))
        points = ctx.client("cloudwatch").get_metric_statistics(
            Namespace=alarm["Namespace"], MetricName=alarm["MetricName"], Dimensions=alarm.get("Dimensions", []),
            StartTime=start, EndTime=end + dt.timedelta(seconds=cfg.period), Period=cfg.period,
            Statistics=[cfg.statistic])["Datapoints"]
        values = sim.series_from_datapoints(points, cfg.statistic, cfg.period, end, cfg.range_size)
    return sim.evaluate(cfg, values, current_state=alarm["StateValue"])


def apply_evaluate_alarms(ctx):
    cw, sns = ctx.client("cloudwatch"), ctx.client("sns")
    verdicts = {}
    when = _evaluation_time(ctx)
    for key, alarm in _describe(ctx).items():
        result = _evaluate(ctx, alarm, when)
        verdicts[key] = {"state": result.state, "reason": result.reason, "points": result.points}
        if ctx.on_aws:
            # CloudWatch evaluates every period; wait (bounded) for it to reach the same verdict.
            deadline = time.time() + max(300, 3 * alarm["Period"])
            while time.time() < deadline:
                state = cw.describe_alarms(AlarmNames=[alarm["AlarmName"]])["MetricAlarms"][0]["StateValue"]
                if state == result.state:
                    break
                time.sleep(15)
            continue
        old = alarm["StateValue"]
        cw.set_alarm_state(AlarmName=alarm["AlarmName"], StateValue=result.state,
                           StateReason=f"awslabs simulated evaluation: {result.reason}"[:1023],
                           StateReasonData=json.dumps({"version": "1.0", "evaluatedDatapoints": result.points,
                                                       "threshold": alarm["Threshold"]}))
        for arn in sim.actions_for(alarm, old, result.state):
            subject, message = sim.notification(alarm, old, result.state, result.reason, ctx.account, ctx.region)
            sns.publish(TopicArn=arn, Subject=subject, Message=message)
    errors = _describe(ctx)["errors"]
    cfg = sim.AlarmConfig.from_alarm(errors)
    base = _evaluate(ctx, errors, when)
    table = {t: sim.evaluate(dataclasses.replace(cfg, treat_missing_data=t), base.values, current_state="OK").state
             for t in sim.TREATMENTS}
    _whatif_path(ctx).write_text(json.dumps({"points": base.points, "states": table, "verdicts": verdicts}, indent=1))


def check_evaluate_alarms(ctx):
    found = _describe(ctx)
    label = _label(ctx)
    latency, errors = found["latency"], found["errors"]
    yield expect("latency alarm is in ALARM (3 of the last 5 minutes breach, not consecutively)",
                 latency["StateValue"] == "ALARM" and latency["StateReason"] != INITIAL_REASON,
                 f"{latency['StateValue']}: {latency['StateReason']}", label)
    yield expect("error alarm was evaluated and is OK (one error minute; missing minutes are not breaching)",
                 errors["StateValue"] == "OK" and errors["StateReason"] != INITIAL_REASON,
                 f"{errors['StateValue']}: {errors['StateReason']}", label)
    url = ctx.client("sqs").get_queue_url(QueueName=_queue_name(ctx))["QueueUrl"]
    wait = 20 if ctx.on_aws else 0
    bodies = []
    for message in ctx.client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=wait,
                                                     VisibilityTimeout=0).get("Messages", []):
        envelope = json.loads(message["Body"])  # SNS wraps the alarm JSON in its own envelope
        bodies.append(json.loads(envelope["Message"]))
    hits = [b for b in bodies if b.get("AlarmName") == latency["AlarmName"] and b.get("NewStateValue") == "ALARM"]
    yield expect("the queue received the ALARM notification through SNS", hits,
                 f"{len(bodies)} notification(s) in the queue", label)
    table = json.loads(_whatif_path(ctx).read_text())["states"]
    yield equal("same sparse error data under each TreatMissingData (documented table, row '- - - - X')", table,
                {"missing": "INSUFFICIENT_DATA", "notBreaching": "OK", "breaching": "ALARM", "ignore": "OK"},
                "simulated")


# -- 5. log metric filters ------------------------------------------------------------------------
def _group(ctx) -> str:
    return f"/awslabs/{ctx.prefix}/inference"


STREAM = "AllTraffic/container-1"


def _log_namespace(ctx) -> str:
    return f"Awslabs/Logs/{ctx.run_id}"


def _put_lines(ctx, lines: list[dict]) -> None:
    now = int(time.time() * 1000)
    events = [{"timestamp": now + i, "message": json.dumps({"endpoint": _endpoint(ctx), **line})}
              for i, line in enumerate(lines)]
    ctx.client("logs").put_log_events(logGroupName=_group(ctx), logStreamName=STREAM, logEvents=events)


def _events(ctx) -> list[dict]:
    logs, events, token = ctx.client("logs"), [], None
    for _ in range(20):
        kwargs = {"logGroupName": _group(ctx), "logStreamName": STREAM, "startFromHead": True}
        if token:
            kwargs["nextToken"] = token
        page = logs.get_log_events(**kwargs)
        events += page["events"]
        if not page["events"] or page.get("nextForwardToken") in (None, token):
            break
        token = page["nextForwardToken"]
    return events


def _parsed(event: dict) -> dict:
    try:
        doc = json.loads(event["message"])
    except ValueError:
        return {}
    return doc if isinstance(doc, dict) else {}


def _filters(ctx) -> dict[str, dict]:
    """The group's metric filters by name (a put with an existing name replaces the filter on AWS;
    moto appends a duplicate, and keeps filters of a deleted group: the last one wins, as on AWS)."""
    found = ctx.client("logs").describe_metric_filters(logGroupName=_group(ctx))["metricFilters"]
    return {f["filterName"]: f for f in found if f.get("logGroupName", _group(ctx)) == _group(ctx)}


def apply_log_metric_filters(ctx):
    logs = ctx.client("logs")
    ctx.track("logs:group", _group(ctx))
    logs.create_log_group(logGroupName=_group(ctx), tags=ctx.tags)
    logs.put_retention_policy(logGroupName=_group(ctx), retentionInDays=7)
    logs.create_log_stream(logGroupName=_group(ctx), logStreamName=STREAM)
    # Filters only see events ingested after they exist: create them before writing the lines.
    for name, (pattern, metric, extra) in FILTERS.items():
        logs.put_metric_filter(logGroupName=_group(ctx), filterName=name, filterPattern=pattern,
                               metricTransformations=[{"metricName": metric, "metricNamespace": _log_namespace(ctx), **extra}])
    _put_lines(ctx, LOG_LINES)


def check_log_metric_filters(ctx):
    logs = ctx.client("logs")
    group = logs.describe_log_groups(logGroupNamePrefix=_group(ctx))["logGroups"]
    yield equal("log group keeps events for 7 days", [g.get("retentionInDays") for g in group], [7])
    filters = _filters(ctx)
    found = {name: (pattern if judge.same_filter_pattern(f["filterPattern"], pattern) else f["filterPattern"],
                    f["metricTransformations"][0].get("metricName"),
                    f["metricTransformations"][0].get("metricNamespace"),
                    str(f["metricTransformations"][0].get("metricValue")),
                    f["metricTransformations"][0].get("defaultValue"))
             for name, f in filters.items() for pattern in [FILTERS.get(name, ("",))[0]]}  # spacing/quoting free
    expected = {name: (pattern, metric, _log_namespace(ctx), extra["metricValue"], extra.get("defaultValue"))
                for name, (pattern, metric, extra) in FILTERS.items()}
    yield equal("two metric filters: a JSON pattern (defaultValue 0) and a term pattern (no default)", found, expected)
    lines = [{k: doc.get(k) for k in ("status", "latency_ms", "msg")} for doc in map(_parsed, _events(ctx)[:len(LOG_LINES)])]
    yield equal("the stream holds the 10 structured inference lines, in order", lines, LOG_LINES)


# -- 5b. the metrics the filters publish ------------------------------------------------------------
def _published_key(name: str, event: dict) -> str:
    return f"{name}|{event['timestamp']}|{event['message']}"


def apply_filter_metrics(ctx):
    events = _events(ctx)
    if ctx.on_aws:
        deadline = time.time() + 300  # the service publishes filter metrics within a minute or two
        while time.time() < deadline and sum(
                v[1] for v in _learned(ctx, _log_namespace(ctx), "InferenceErrors", []).values()) < len(events):
            time.sleep(15)
        return
    # moto publishes nothing for metric filters: compute what CloudWatch Logs would publish, once
    # per event (practice runs this step at every check; metric data cannot be taken back).
    published = set(ctx.state.get("filter_published", []))
    for name, f in _filters(ctx).items():
        transformation = f["metricTransformations"][0]
        fresh = [e for e in events if _published_key(name, e) not in published]
        points = metric_filters.metric_datapoints(f["filterPattern"], transformation, fresh)
        data = [{"MetricName": transformation["metricName"], "Value": p.value, "Unit": transformation.get("unit", "None"),
                 "Timestamp": dt.datetime.fromtimestamp(p.timestamp_ms / 1000, dt.timezone.utc)} for p in points]
        for start in range(0, len(data), 500):
            ctx.client("cloudwatch").put_metric_data(Namespace=transformation["metricNamespace"], MetricData=data[start:start + 500])
        published.update(_published_key(name, e) for e in fresh)
    ctx.state["filter_published"] = sorted(published)


def _metric_totals(ctx, name: str) -> tuple[float, float]:
    learned = _learned(ctx, _log_namespace(ctx), name, [])
    return sum(v[0] for v in learned.values()), sum(v[1] for v in learned.values())


def check_filter_metrics(ctx):
    docs = [_parsed(e) for e in _events(ctx)]
    if not docs:
        yield Check("InferenceErrors and DriftWarnings from the log lines", False, "the stream holds no log lines", _label(ctx))
        return
    errors = sum(1 for d in docs if isinstance(d.get("status"), int) and d["status"] >= 500)
    drift = sum(1 for d in docs if "drift warning" in str(d.get("msg", "")))
    yield equal(f"InferenceErrors: 1 per line with status >= 500, 0 (defaultValue) for the others ({len(docs)} lines)",
                _metric_totals(ctx, "InferenceErrors"), (float(errors), float(len(docs))), _label(ctx))
    yield equal("DriftWarnings: only matching lines publish (no defaultValue)", _metric_totals(ctx, "DriftWarnings"),
                (float(drift), float(drift)), _label(ctx))


# -- 6. subscription filter to Kinesis ------------------------------------------------------------
def _stream(ctx) -> str:
    return ctx.name("log-stream", max_len=128)


def _role(ctx) -> str:
    return ctx.name("cwl-to-kinesis", max_len=64)


NEW_LINES = [{"status": 200, "latency_ms": 101, "msg": f"streamed {i}"} for i in range(3)]


def apply_stream_logs_to_kinesis(ctx):
    kinesis, logs = ctx.client("kinesis"), ctx.client("logs")
    ctx.track("kinesis:stream", _stream(ctx))
    kinesis.create_stream(StreamName=_stream(ctx), ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName=_stream(ctx), WaiterConfig={"Delay": 5, "MaxAttempts": 24})
    kinesis.add_tags_to_stream(StreamName=_stream(ctx), Tags=ctx.tags)
    stream_arn = kinesis.describe_stream_summary(StreamName=_stream(ctx))["StreamDescriptionSummary"]["StreamARN"]
    # no wait: the subscription filter below is retried until CloudWatch Logs may use the new role
    role_arn = labkit.create_service_role(
        ctx, _role(ctx), "logs.amazonaws.com",
        {"put-records": [{"Effect": "Allow", "Action": "kinesis:PutRecord", "Resource": stream_arn}]},
        condition={"StringLike": {"aws:SourceArn": f"arn:aws:logs:{ctx.region}:{ctx.account}:*"}}, wait=False)
    deadline = time.time() + (90 if ctx.on_aws else 0)
    while True:
        try:
            logs.put_subscription_filter(logGroupName=_group(ctx), filterName="to-kinesis", filterPattern="",
                                         destinationArn=stream_arn, roleArn=role_arn)
            break
        except ClientError as err:  # a new IAM role takes seconds to be usable by CloudWatch Logs
            if time.time() > deadline or err.response["Error"]["Code"] != "InvalidParameterException":
                raise
            time.sleep(10)
    _put_lines(ctx, NEW_LINES)


def _stream_payloads(ctx) -> list[dict]:
    kinesis = ctx.client("kinesis")
    payloads = []
    deadline = time.time() + (60 if ctx.on_aws else 0)
    while True:
        for shard in kinesis.list_shards(StreamName=_stream(ctx))["Shards"]:
            iterator = kinesis.get_shard_iterator(StreamName=_stream(ctx), ShardId=shard["ShardId"],
                                                  ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            for record in kinesis.get_records(ShardIterator=iterator, Limit=100)["Records"]:
                payloads.append(json.loads(gzip.decompress(record["Data"])))  # CloudWatch Logs gzips each record
        data = [p for p in payloads if p.get("messageType") == "DATA_MESSAGE"]
        if data or time.time() > deadline:
            return data
        payloads = []
        time.sleep(5)


def check_stream_logs_to_kinesis(ctx):
    payloads = _stream_payloads(ctx)
    yield expect("the stream holds gzip'd DATA_MESSAGE records from the log group",
                 payloads and all(p["logGroup"] == _group(ctx) for p in payloads),
                 f"{len(payloads)} DATA_MESSAGE record(s)")
    messages = [json.loads(e["message"])["msg"] for p in payloads for e in p["logEvents"]]
    yield equal("only the events written after the subscription were delivered", messages,
                [line["msg"] for line in NEW_LINES])
    filters = ctx.client("logs").describe_subscription_filters(logGroupName=_group(ctx))["subscriptionFilters"]
    yield equal("the subscription filter points at the stream", [f["destinationArn"].rsplit("/", 1)[-1] for f in filters],
                [_stream(ctx)])
    yield expect("the filter's role lets CloudWatch Logs put records into the stream", *_role_delivers(ctx, filters))


def _role_delivers(ctx, filters: list[dict]) -> tuple[bool, str]:
    """Judged as AWS would: logs.amazonaws.com may assume the filter's role (with this account's log
    groups as source) and the role may kinesis:PutRecord on the stream."""
    role_arns = [f.get("roleArn") for f in filters if f.get("roleArn")]
    if not role_arns:
        return False, "the subscription filter names no role (roleArn)"
    role = role_arns[0].rsplit("/", 1)[-1]
    iam = ctx.client("iam")
    try:
        trust = iam.get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"]
    except ClientError:
        return False, f"the filter's role {role} does not exist"
    source = {"aws:SourceArn": f"arn:aws:logs:{ctx.region}:{ctx.account}:log-group:{_group(ctx)}:*", "aws:SourceAccount": ctx.account}
    stream_arn = f"arn:aws:kinesis:{ctx.region}:{ctx.account}:stream/{_stream(ctx)}"
    decisions = [judge.service_may_assume(trust, "logs.amazonaws.com", source),
                 judge.role_may(iam, role, "kinesis:PutRecord", stream_arn)]
    return all(decisions), "; ".join(d.why for d in decisions)
