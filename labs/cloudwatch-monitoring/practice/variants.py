"""cloudwatch-monitoring: other valid ways (must pass) and near misses (must fail saying what to fix)."""
import json

from awslabs.practice import accept, reject, tweak


def _steps():
    from awslabs.catalog import Catalog

    return Catalog().get("cloudwatch-monitoring").load_steps()


def _filter(name, pattern):
    def change(params):
        if params["filterName"] == name:
            params["filterPattern"] = pattern
    return lambda ctx: tweak(ctx, "logs", "PutMetricFilter", change, _steps().apply_log_metric_filters)


def _latency_alarm(change_params):
    def change(params):
        if params["AlarmName"].endswith("latency-high"):
            change_params(params)
    return lambda ctx: tweak(ctx, "cloudwatch", "PutMetricAlarm", change, _steps().apply_create_alarms)


def _queue_policy(change_statement):
    def change(params):
        if "Policy" in params.get("Attributes", {}):
            policy = json.loads(params["Attributes"]["Policy"])
            change_statement(policy["Statement"][0])
            params["Attributes"]["Policy"] = json.dumps(policy)
    return lambda ctx: tweak(ctx, "sqs", "SetQueueAttributes", change, _steps().apply_create_alarms)


def _no_policy(ctx):
    def change(params):
        params["Attributes"].pop("Policy", None)
        params["Attributes"].setdefault("DelaySeconds", "0")  # the call needs one attribute
    tweak(ctx, "sqs", "SetQueueAttributes", change, _steps().apply_create_alarms)


def _datum(metric, change_datum):
    def change(params):
        for datum in params["MetricData"]:
            if datum["MetricName"] == metric:
                change_datum(datum)
    return lambda ctx: tweak(ctx, "cloudwatch", "PutMetricData", change, _steps().apply_publish_metrics)


def _values_and_counts(datum):
    """A minute's latencies as Values/Counts (the average, SampleCount times): the same Sum and SampleCount."""
    stats = datum.pop("StatisticValues")
    datum["Values"] = [stats["Sum"] / stats["SampleCount"]]
    datum["Counts"] = [stats["SampleCount"]]


def _average_only(datum):
    stats = datum.pop("StatisticValues")
    datum["Value"] = stats["Sum"] / stats["SampleCount"]


def _endpoint_only(datum):
    datum["Dimensions"] = [d for d in datum["Dimensions"] if d["Name"] == "EndpointName"]


def _one_call_per_minute(ctx):
    """A PutMetricData call per minute and metric, dimensions listed in the other order."""
    cw = ctx.client("cloudwatch")
    calls = []

    def change(params):
        calls.extend(params["MetricData"])
        params["MetricData"] = params["MetricData"][:1]  # the reference call sends only the first datum
    tweak(ctx, "cloudwatch", "PutMetricData", change, _steps().apply_publish_metrics)
    for datum in calls[1:]:
        datum["Dimensions"] = list(reversed(datum["Dimensions"]))
        cw.put_metric_data(Namespace=_steps().NAMESPACE, MetricData=[datum])


def _kinesis_role(service=None, actions=None, condition=True):
    def change_trust(params):
        if params["RoleName"].endswith("cwl-to-kinesis"):
            trust = json.loads(params["AssumeRolePolicyDocument"])
            if service:
                trust["Statement"][0]["Principal"]["Service"] = service
            if not condition:
                trust["Statement"][0].pop("Condition")
            params["AssumeRolePolicyDocument"] = json.dumps(trust)

    def change_policy(params):
        if actions and params["PolicyName"] == "put-records":
            doc = json.loads(params["PolicyDocument"])
            doc["Statement"][0]["Action"] = actions
            params["PolicyDocument"] = json.dumps(doc)

    def build(ctx):
        tweak(ctx, "iam", "CreateRole", change_trust,
              lambda c: tweak(c, "iam", "PutRolePolicy", change_policy, _steps().apply_stream_logs_to_kinesis))
    return build


def _lines_first(ctx):
    """The 3 lines put before the subscription filter exists (then none after): nothing is delivered."""
    steps = _steps()
    put_lines = steps._put_lines
    put_lines(ctx, steps.NEW_LINES)
    steps._put_lines = lambda *_: None
    try:
        steps.apply_stream_logs_to_kinesis(ctx)
    finally:
        steps._put_lines = put_lines


VARIANTS = [
    accept("log_metric_filters", "the JSON pattern without spaces", _filter("inference-5xx", "{$.status>=500}")),
    accept("log_metric_filters", "the JSON pattern with other spacing", _filter("inference-5xx", "{  $.status >=500 }")),
    reject("log_metric_filters", "> 500 instead of >= 500 (misses plain 500s)", _filter("inference-5xx", "{ $.status > 500 }"),
           fix="two metric filters"),
    reject("log_metric_filters", "drift warning unquoted: two terms, not the phrase", _filter("drift-warnings", "drift warning"),
           fix="two metric filters"),
    accept("create_alarms", "TreatMissingData left at its documented default (missing)",
           _latency_alarm(lambda p: p.pop("TreatMissingData", None))),
    accept("create_alarms", "the queue policy allows the topic through ArnLike and a wildcard action",
           _queue_policy(lambda st: (st.update(Action="sqs:*"),
                                     st.update(Condition={"ArnLike": {"aws:SourceArn": st["Condition"]["ArnEquals"]["aws:SourceArn"]}})))),
    reject("create_alarms", "the queue has no access policy: SNS may not send to it", _no_policy, fix="may send"),
    reject("create_alarms", "the queue policy names another topic",
           _queue_policy(lambda st: st["Condition"]["ArnEquals"].update({"aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:other"})),
           fix="may send"),
    reject("create_alarms", "3 of 5 written as 5 of 5", _latency_alarm(lambda p: p.update(DatapointsToAlarm=5)), fix="3 out of 5"),
    accept("publish_metrics", "ModelLatency as Values/Counts (each minute's average, SampleCount times) "
           "instead of a statistic set", _datum("ModelLatency", _values_and_counts)),
    accept("publish_metrics", "one PutMetricData call per datum, the dimensions listed in the other order",
           _one_call_per_minute),
    reject("publish_metrics", "ModelLatency as one Value a minute (the average): SampleCount 1, not the invocations",
           _datum("ModelLatency", _average_only), fix="SampleCount"),
    reject("publish_metrics", "the VariantName dimension left out", _datum("Invocations", _endpoint_only),
           fix="with the endpoint's dimensions"),
    reject("publish_metrics", "ModelLatency published without its unit", _datum("ModelLatency", lambda d: d.pop("Unit")),
           fix="unit"),
    accept("stream_logs_to_kinesis", "the trust policy without the aws:SourceArn condition (the minimal documented form)",
           _kinesis_role(condition=False)),
    accept("stream_logs_to_kinesis", "the role may kinesis:Put* (PutRecord and PutRecords)",
           _kinesis_role(actions="kinesis:Put*")),
    reject("stream_logs_to_kinesis", "the role trusts kinesis.amazonaws.com instead of logs.amazonaws.com",
           _kinesis_role(service="kinesis.amazonaws.com"), fix="logs.amazonaws.com"),
    reject("stream_logs_to_kinesis", "the role may read the stream but not put records",
           _kinesis_role(actions=["kinesis:GetRecords", "kinesis:DescribeStream"]), fix="kinesis:PutRecord"),
    reject("stream_logs_to_kinesis", "the lines put before the subscription filter existed",
           _lines_first, fix="written after the subscription"),
]
