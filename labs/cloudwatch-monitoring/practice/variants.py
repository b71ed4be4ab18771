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
]
