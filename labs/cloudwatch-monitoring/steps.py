"""CloudWatch for a model endpoint: custom metrics, get_metric_data, M-of-N alarms with missing-data
treatment, an SNS -> SQS alarm action, log metric filters and a subscription to Kinesis.

moto stores metrics and alarms but never evaluates an alarm, and its metric filters publish
nothing. So on moto and the server ``awslabs.sim.alarms`` evaluates each alarm by CloudWatch's
documented rules on the datapoints read back from the emulator, and the lab sets the state
(``set_alarm_state``) and publishes the alarm notification itself; ``awslabs.sim.metric_filters``
matches the log events and publishes the metric values. Those checks say ``simulated``. On real
AWS the service does both and the lab waits (bounded) for the real state / metric values.
Subscription delivery to Kinesis is real in moto (emulated).
"""
from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import gzip
import json
import time

from botocore.exceptions import ClientError

from awslabs.lab import equal, expect
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


def _anchor(ctx) -> dt.datetime:
    """Start of the current minute when the metrics were published (shared with later steps)."""
    return dt.datetime.fromtimestamp(ctx.state["anchor"], dt.timezone.utc)


def _window(ctx) -> tuple[dt.datetime, dt.datetime]:
    anchor = _anchor(ctx)
    return anchor - dt.timedelta(minutes=9), anchor + dt.timedelta(minutes=1)


def _stats(ctx, metric: str, statistics: list[str], period: int = 600) -> list[dict]:
    start, end = _window(ctx)
    return ctx.client("cloudwatch").get_metric_statistics(
        Namespace=NAMESPACE, MetricName=metric, Dimensions=_dims(ctx), StartTime=start, EndTime=end,
        Period=period, Statistics=statistics)["Datapoints"]


# -- 1. custom metrics ----------------------------------------------------------------------------
def apply_publish_metrics(ctx):
    cw = ctx.client("cloudwatch")
    now = dt.datetime.now(dt.timezone.utc)
    anchor = now.replace(second=0, microsecond=0)
    ctx.state["anchor"] = anchor.timestamp()
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
            total = sum(d["Sum"] for d in _stats(ctx, "Invocations", ["Sum"]))
            if len({m["MetricName"] for m in listed["Metrics"]}) == 4 and total == sum(INVOCATIONS):
                break
            time.sleep(20)


def check_publish_metrics(ctx):
    listed = ctx.client("cloudwatch").list_metrics(
        Namespace=NAMESPACE, Dimensions=[{"Name": "EndpointName", "Value": _endpoint(ctx)}])["Metrics"]
    yield equal("four metrics carry this endpoint's dimensions", sorted({m["MetricName"] for m in listed}),
                ["FeatureDriftScore", "Invocation5XXErrors", "Invocations", "ModelLatency"])
    invocations = _stats(ctx, "Invocations", ["Sum"])
    yield equal("Sum of Invocations over the 10 minutes", sum(d["Sum"] for d in invocations), float(sum(INVOCATIONS)))
    latency = _stats(ctx, "ModelLatency", ["SampleCount", "Maximum"])
    yield equal("latency statistic sets: SampleCount adds up to the invocations",
                sum(d["SampleCount"] for d in latency), float(sum(INVOCATIONS)))
    yield equal("latency keeps its unit", sorted({d.get("Unit") for d in latency}), ["Milliseconds"])


# -- 2. get_metric_data ---------------------------------------------------------------------------
def _csv_path(ctx):
    return ctx.output_dir / "endpoint-metrics.csv"


def apply_query_metrics(ctx):
    start, end = _window(ctx)
    queries = [
        ("latency", "ModelLatency", "Average"), ("invocations", "Invocations", "Sum"),
        ("errors", "Invocation5XXErrors", "Sum"), ("drift", "FeatureDriftScore", "Maximum"),
    ]
    response = ctx.client("cloudwatch").get_metric_data(
        MetricDataQueries=[{"Id": qid, "ReturnData": True, "MetricStat": {
            "Metric": {"Namespace": NAMESPACE, "MetricName": metric, "Dimensions": _dims(ctx)},
            "Period": 60, "Stat": stat}} for qid, metric, stat in queries],
        StartTime=start, EndTime=end, ScanBy="TimestampAscending")
    minutes = [start + dt.timedelta(minutes=i) for i in range(10)]
    columns: dict[str, list] = {}
    for result in response["MetricDataResults"]:
        series = sim.series_from_datapoints(
            [{"Timestamp": t, "v": v} for t, v in zip(result["Timestamps"], result["Values"])], "v", 60,
            minutes[-1], 10)
        columns[result["Id"]] = series
    with _csv_path(ctx).open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["minute", "latency_avg_ms", "invocations", "errors_5xx", "error_rate", "drift_max"])
        for i, minute in enumerate(minutes):
            inv, err = columns["invocations"][i], columns["errors"][i]
            rate = (err or 0) / inv if inv else None  # a missing error datapoint means no errors
            writer.writerow([minute.strftime("%H:%M"), columns["latency"][i], inv, err, rate, columns["drift"][i]])


def check_query_metrics(ctx):
    with _csv_path(ctx).open() as fh:
        rows = list(csv.DictReader(fh))
    yield equal("one row per minute", len(rows), 10)
    latency = [round(float(r["latency_avg_ms"])) for r in rows]
    yield equal("per-minute Average latency = what was published", latency, LATENCY_MS)
    missing = [r["minute"] for r in rows if not r["errors_5xx"]]
    yield equal("the sparse error metric has 9 missing minutes", len(missing), 9)
    yield equal("error rate in the current minute", round(float(rows[-1]["error_rate"]), 4),
                round(ERRORS_NOW / INVOCATIONS[-1], 4))


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
    yield equal("latency alarm: 3 out of 5 one-minute periods above 250 ms",
                (latency.get("DatapointsToAlarm"), latency.get("EvaluationPeriods"), latency.get("Period"),
                 latency.get("Threshold"), latency.get("TreatMissingData")), (3, 5, 60, 250.0, "missing"))
    yield equal("error alarm treats missing data as not breaching (errors are only reported when they happen)",
                (errors.get("DatapointsToAlarm"), errors.get("EvaluationPeriods"), errors.get("TreatMissingData")),
                (2, 3, "notBreaching"))
    yield expect("both alarms notify the SNS topic", all(a.get("AlarmActions") == [_topic_arn(ctx)] for a in (latency, errors)),
                 str([a.get("AlarmActions") for a in (latency, errors)]))
    subs = ctx.client("sns").list_subscriptions_by_topic(TopicArn=_topic_arn(ctx))["Subscriptions"]
    yield equal("the SQS queue is subscribed to the topic", [s["Protocol"] for s in subs], ["sqs"])


# -- 4. evaluate ----------------------------------------------------------------------------------
def _whatif_path(ctx):
    return ctx.output_dir / "missing-data-what-if.json"


def _evaluate(ctx, alarm: dict) -> sim.Evaluation:
    cfg = sim.AlarmConfig.from_alarm(alarm)
    end = dt.datetime.now(dt.timezone.utc)
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
    for key, alarm in _describe(ctx).items():
        result = _evaluate(ctx, alarm)
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
    base = _evaluate(ctx, errors)
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


def _metric_sum(ctx, name: str) -> tuple[float, float]:
    end = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=1)
    points = ctx.client("cloudwatch").get_metric_statistics(
        Namespace=_log_namespace(ctx), MetricName=name, StartTime=end - dt.timedelta(minutes=30), EndTime=end,
        Period=3600, Statistics=["Sum", "SampleCount"])["Datapoints"]
    return sum(p["Sum"] for p in points), sum(p["SampleCount"] for p in points)


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
    if ctx.on_aws:
        deadline = time.time() + 300  # the service publishes filter metrics within a minute or two
        while time.time() < deadline and _metric_sum(ctx, "InferenceErrors")[1] < len(LOG_LINES):
            time.sleep(15)
        return
    # moto publishes nothing for metric filters: compute what CloudWatch Logs would publish.
    events = logs.get_log_events(logGroupName=_group(ctx), logStreamName=STREAM, startFromHead=True)["events"]
    for f in logs.describe_metric_filters(logGroupName=_group(ctx))["metricFilters"]:
        transformation = f["metricTransformations"][0]
        points = metric_filters.metric_datapoints(f["filterPattern"], transformation, events)
        data = [{"MetricName": transformation["metricName"], "Value": p.value, "Unit": transformation.get("unit", "None"),
                 "Timestamp": dt.datetime.fromtimestamp(p.timestamp_ms / 1000, dt.timezone.utc)} for p in points]
        for start in range(0, len(data), 500):
            ctx.client("cloudwatch").put_metric_data(Namespace=transformation["metricNamespace"], MetricData=data[start:start + 500])


def check_log_metric_filters(ctx):
    logs = ctx.client("logs")
    group = logs.describe_log_groups(logGroupNamePrefix=_group(ctx))["logGroups"]
    yield equal("log group keeps events for 7 days", [g.get("retentionInDays") for g in group], [7])
    filters = logs.describe_metric_filters(logGroupName=_group(ctx))["metricFilters"]
    yield equal("two metric filters: a JSON pattern and a term pattern",
                sorted(f["filterPattern"] for f in filters), sorted(p for p, _, _ in FILTERS.values()))
    errors_sum, errors_count = _metric_sum(ctx, "InferenceErrors")
    expected = sum(1 for line in LOG_LINES if line["status"] >= 500)
    yield equal("InferenceErrors: 1 per line with status >= 500, 0 (defaultValue) for the others",
                (errors_sum, errors_count), (float(expected), float(len(LOG_LINES))), _label(ctx))
    drift_sum, drift_count = _metric_sum(ctx, "DriftWarnings")
    expected = sum(1 for line in LOG_LINES if "drift warning" in line["msg"])
    yield equal("DriftWarnings: only matching lines publish (no defaultValue)", (drift_sum, drift_count),
                (float(expected), float(expected)), _label(ctx))


# -- 6. subscription filter to Kinesis ------------------------------------------------------------
def _stream(ctx) -> str:
    return ctx.name("log-stream", max_len=128)


def _role(ctx) -> str:
    return ctx.name("cwl-to-kinesis", max_len=64)


NEW_LINES = [{"status": 200, "latency_ms": 101, "msg": f"streamed {i}"} for i in range(3)]


def apply_stream_logs_to_kinesis(ctx):
    kinesis, iam, logs = ctx.client("kinesis"), ctx.client("iam"), ctx.client("logs")
    ctx.track("kinesis:stream", _stream(ctx))
    kinesis.create_stream(StreamName=_stream(ctx), ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName=_stream(ctx), WaiterConfig={"Delay": 5, "MaxAttempts": 24})
    kinesis.add_tags_to_stream(StreamName=_stream(ctx), Tags=ctx.tags)
    stream_arn = kinesis.describe_stream_summary(StreamName=_stream(ctx))["StreamDescriptionSummary"]["StreamARN"]
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "logs.amazonaws.com"}, "Action": "sts:AssumeRole",
        "Condition": {"StringLike": {"aws:SourceArn": f"arn:aws:logs:{ctx.region}:{ctx.account}:*"}}}]}
    ctx.track("iam:role", _role(ctx))
    role_arn = iam.create_role(RoleName=_role(ctx), AssumeRolePolicyDocument=json.dumps(trust),
                               Tags=ctx.tag_list())["Role"]["Arn"]
    iam.put_role_policy(RoleName=_role(ctx), PolicyName="put-records", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kinesis:PutRecord", "Resource": stream_arn}]}))
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
