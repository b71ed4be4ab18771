"""A local EventBridge dispatcher: the event AWS would emit, matched against the rules' event
patterns on the target, delivered to the rules' targets.

Why: moto stores EventBridge rules and targets but no AWS service in moto *emits* events (a
SageMaker model package approved with ``UpdateModelPackage`` produces no "SageMaker Model Package
State Change" event), and moto's own ``PutEvents`` raises a raw ``NotImplementedError`` when a
matching rule targets a Step Functions state machine. So, off AWS, labs call this module where AWS
would emit the event; results are labelled ``local``. On AWS the real event arrives by itself and
labs only observe its effect.

Three parts, each usable alone:

- ``model_package_event(package, region, account)``: the event in AWS's documented envelope
  (``version``, ``id``, ``detail-type``, ``source``, ``account``, ``time``, ``region``,
  ``resources``, ``detail``) with ``detail`` = the model package's description, as SageMaker sends
  it (https://docs.aws.amazon.com/sagemaker/latest/dg/automating-sagemaker-with-eventbridge.html).
- ``matches(pattern, event)``: EventBridge's event-pattern semantics, evaluated — not a string
  comparison (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html,
  https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html):
  every field named in the pattern must match; a list of values matches when any value does; an
  array in the event matches when any element does; values are case-sensitive; the operators
  ``prefix``, ``suffix``, ``anything-but``, ``numeric``, ``exists``, ``equals-ignore-case``,
  ``wildcard``, ``cidr`` (not supported: raises) and ``$or``.
- ``dispatch(ctx, event)``: every ENABLED rule on the bus whose pattern matches, each target
  invoked the way EventBridge would: a Step Functions state machine gets ``StartExecution`` with
  the event (or the target's ``Input`` / ``InputPath``) as input, a Lambda function ``Invoke``
  (asynchronous), an SQS queue ``SendMessage``. Execution names are derived from the event id, so
  delivering the same event twice starts one execution (EventBridge delivers at least once; a
  deterministic name is how a target makes repeats harmless: Step Functions answers a repeat with
  the running execution — StartExecution is idempotent for the same name and input — or, once it
  has finished, with ``ExecutionAlreadyExists``).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import uuid
from typing import Any

MODEL_PACKAGE_STATE_CHANGE = "SageMaker Model Package State Change"
SAGEMAKER_SOURCE = "aws.sagemaker"


class PatternError(ValueError):
    """An event pattern EventBridge would refuse (or one this evaluator does not support)."""


# -- the event ------------------------------------------------------------------------------------
def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def model_package_event(package: dict, region: str, account: str, time: dt.datetime | None = None) -> dict:
    """The "SageMaker Model Package State Change" event for a model package's current state.

    ``package`` is a ``DescribeModelPackage`` response. The event id is derived from the package ARN
    and its approval status, so the same state gives the same event (and the same delivery)."""
    detail = _jsonable(package)
    arn = detail["ModelPackageArn"]
    # AWS's default for a versioned package registered without a status is PendingManualApproval.
    detail.setdefault("ModelApprovalStatus", "PendingManualApproval")
    when = time or package.get("LastModifiedTime") or package.get("CreationTime") or dt.datetime.now(dt.timezone.utc)
    return {
        "version": "0",
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{arn}#{detail['ModelApprovalStatus']}")),
        "detail-type": MODEL_PACKAGE_STATE_CHANGE,
        "source": SAGEMAKER_SOURCE,
        "account": account,
        "time": _jsonable(when) if isinstance(when, dt.datetime) else str(when),
        "region": region,
        "resources": [arn],
        "detail": detail,
    }


# -- event patterns -------------------------------------------------------------------------------
def _numeric(conditions: list, value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    if len(conditions) % 2:
        raise PatternError(f"numeric needs operator/value pairs, got {conditions!r}")
    ops = {"<": value.__lt__, "<=": value.__le__, "=": value.__eq__, ">": value.__gt__, ">=": value.__ge__}
    for op, bound in zip(conditions[::2], conditions[1::2]):
        if op not in ops:
            raise PatternError(f"unknown numeric operator {op!r}")
        if not ops[op](bound):
            return False
    return True


def _anything_but(spec: Any, value: Any) -> bool:
    if isinstance(spec, dict):
        if "prefix" in spec:
            return isinstance(value, str) and not value.startswith(spec["prefix"])
        if "suffix" in spec:
            return isinstance(value, str) and not value.endswith(spec["suffix"])
        if "equals-ignore-case" in spec:
            wanted = spec["equals-ignore-case"]
            wanted = wanted if isinstance(wanted, list) else [wanted]
            return not (isinstance(value, str) and value.lower() in [w.lower() for w in wanted])
        raise PatternError(f"unsupported anything-but filter {spec!r}")
    excluded = spec if isinstance(spec, list) else [spec]
    return value not in excluded


def _leaf(filter_: Any, value: Any, present: bool) -> bool:
    """Does one filter of a pattern's value list match one event value?"""
    if not isinstance(filter_, dict):
        # exact match: strings are case-sensitive ("approved" is not "Approved"); a string never
        # equals a number ("1" is not 1); 1 and 1.0 are the same number; null matches null
        if not present:
            return False
        if isinstance(filter_, bool) or isinstance(value, bool):
            return filter_ is value
        return type(filter_) is type(value) and filter_ == value if isinstance(filter_, str) or isinstance(value, str) \
            else filter_ == value
    if len(filter_) != 1:
        raise PatternError(f"a filter object has exactly one operator, got {filter_!r}")
    (op, arg), = filter_.items()
    if op == "exists":
        return present == bool(arg)
    if not present:
        return False
    if op == "prefix":
        if isinstance(arg, dict) and "equals-ignore-case" in arg:
            return isinstance(value, str) and value.lower().startswith(arg["equals-ignore-case"].lower())
        return isinstance(value, str) and value.startswith(arg)
    if op == "suffix":
        if isinstance(arg, dict) and "equals-ignore-case" in arg:
            return isinstance(value, str) and value.lower().endswith(arg["equals-ignore-case"].lower())
        return isinstance(value, str) and value.endswith(arg)
    if op == "equals-ignore-case":
        return isinstance(value, str) and value.lower() == str(arg).lower()
    if op == "anything-but":
        return _anything_but(arg, value)
    if op == "numeric":
        return _numeric(arg, value)
    if op == "wildcard":
        # '*' matches any run of characters (no other glob syntax): escape the rest
        regex = ".*".join(re.escape(part) for part in str(arg).split("*"))
        return isinstance(value, str) and re.fullmatch(regex, value, re.DOTALL) is not None
    raise PatternError(f"unsupported operator {op!r}")


def _values_match(filters: list, value: Any, present: bool) -> bool:
    if not isinstance(filters, list):
        raise PatternError(f"pattern leaves are lists of values, got {filters!r}")
    if present and isinstance(value, list):  # an array in the event: any element may match
        if any(_leaf(f, v, True) for f in filters for v in value):
            return True
        return any(isinstance(f, dict) and ("exists" in f and f["exists"]) for f in filters)
    return any(_leaf(f, value, present) for f in filters)


def _object_matches(pattern: dict, event: Any) -> bool:
    if not isinstance(pattern, dict):
        raise PatternError(f"an event pattern is a JSON object, got {pattern!r}")
    for key, wanted in pattern.items():
        if key == "$or":
            if not isinstance(wanted, list) or not wanted:
                raise PatternError("$or takes a non-empty list of patterns")
            if not any(_object_matches(alternative, event) for alternative in wanted):
                return False
            continue
        present = isinstance(event, dict) and key in event
        value = event.get(key) if present else None
        if isinstance(wanted, dict):
            if not present or not isinstance(value, dict):
                # a nested pattern on a missing field can only match through exists:false leaves
                if not _object_matches(wanted, {}):
                    return False
                continue
            if not _object_matches(wanted, value):
                return False
        elif not _values_match(wanted, value, present):
            return False
    return True


def matches(pattern: dict | str, event: dict) -> bool:
    """Does the EventBridge event pattern match the event? (Both as dicts or JSON text.)"""
    pattern = json.loads(pattern) if isinstance(pattern, str) else pattern
    if not pattern:
        raise PatternError("an empty event pattern matches nothing: EventBridge rejects it")
    return _object_matches(pattern, event)


# -- delivery ---------------------------------------------------------------------------------------
def _path(document: Any, path: str) -> Any:
    """A JSONPath of the simple form EventBridge's InputPath takes: ``$`` or ``$.a.b``."""
    if path in ("$", "", None):
        return document
    if not path.startswith("$."):
        raise PatternError(f"unsupported InputPath {path!r}")
    for part in path[2:].split("."):
        document = document.get(part) if isinstance(document, dict) else None
    return document


def _rules(events, bus: str) -> list[dict]:
    rules, token = [], None
    while True:
        page = events.list_rules(EventBusName=bus, **({"NextToken": token} if token else {}))
        rules += page.get("Rules", [])
        token = page.get("NextToken")
        if not token:
            return rules


def execution_name(rule: str, target_id: str, event_id: str) -> str:
    """A deterministic Step Functions execution name (<= 80 characters) for one delivery."""
    digest = hashlib.sha1(f"{rule}|{target_id}|{event_id}".encode()).hexdigest()[:16]
    return f"eb-{target_id[:40]}-{digest}"


def dispatch(ctx, event: dict, bus: str = "default") -> list[dict]:
    """Deliver ``event`` as EventBridge would on the target: every enabled rule on ``bus`` whose
    pattern matches, every target of it. Returns one record per rule considered."""
    events = ctx.client("events")
    deliveries = []
    for rule in _rules(events, bus):
        if not rule.get("EventPattern"):
            continue  # a schedule rule: events never match it
        matched = rule.get("State") == "ENABLED" and matches(rule["EventPattern"], event)
        record = {"rule": rule["Name"], "state": rule.get("State"), "matched": matched, "targets": []}
        deliveries.append(record)
        if not matched:
            continue
        targets = events.list_targets_by_rule(Rule=rule["Name"], EventBusName=bus).get("Targets", [])
        for target in targets:
            record["targets"].append(invoke(ctx, rule["Name"], target, event))
    return deliveries


def invoke(ctx, rule: str, target: dict, event: dict) -> dict:
    """Invoke one rule target with the event, as EventBridge would (see the module docstring)."""
    arn = target["Arn"]
    if "Input" in target:
        payload = json.loads(target["Input"])
    elif "InputPath" in target:
        payload = _path(event, target["InputPath"])
    elif "InputTransformer" in target:
        return {"id": target["Id"], "arn": arn, "delivered": False,
                "error": "InputTransformer is not supported by the local dispatcher"}
    else:
        payload = event
    body = json.dumps(payload)
    service = arn.split(":")[2]
    result = {"id": target["Id"], "arn": arn, "delivered": True}
    if service == "states":
        sfn = ctx.client("stepfunctions")
        name = execution_name(rule, target["Id"], event["id"])
        try:
            result["execution"] = sfn.start_execution(stateMachineArn=arn, name=name, input=body)["executionArn"]
        except sfn.exceptions.ExecutionAlreadyExists:
            result["execution"] = f"{arn.replace(':stateMachine:', ':execution:')}:{name}"
            result["again"] = True  # the same event delivered before: one execution
    elif service == "lambda":
        ctx.client("lambda").invoke(FunctionName=arn, InvocationType="Event", Payload=body.encode())
    elif service == "sqs":
        _, _, _, region, account, queue = arn.split(":", 5)
        url = ctx.client("sqs").get_queue_url(QueueName=queue, QueueOwnerAWSAccountId=account)["QueueUrl"]
        ctx.client("sqs").send_message(QueueUrl=url, MessageBody=body)
    else:
        result.update(delivered=False, error=f"targets of service {service!r} are not supported locally")
    return result


# -- CloudWatch alarm state changes (added for model-monitor) -------------------------------------
ALARM_STATE_CHANGE = "CloudWatch Alarm State Change"
CLOUDWATCH_SOURCE = "aws.cloudwatch"


def alarm_state_change_event(alarm: dict, previous: str, new: str, reason: str, region: str, account: str,
                             time: dt.datetime | None = None) -> dict:
    """The "CloudWatch Alarm State Change" event CloudWatch sends to EventBridge when a metric alarm
    changes state (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html):
    ``detail.alarmName``, ``detail.state`` / ``detail.previousState`` (``value``, ``reason``,
    ``timestamp``) and ``detail.configuration.metrics`` (the alarm's metric). ``alarm`` is a
    ``DescribeAlarms`` ``MetricAlarms`` entry. The id is derived from the alarm and the transition."""
    when = _jsonable(time or dt.datetime.now(dt.timezone.utc))
    name = alarm["AlarmName"]
    arn = alarm.get("AlarmArn") or f"arn:aws:cloudwatch:{region}:{account}:alarm:{name}"
    metric = {"id": "m1", "returnData": True, "metricStat": {
        "metric": {"namespace": alarm.get("Namespace"), "name": alarm.get("MetricName"),
                   "dimensions": {d["Name"]: d["Value"] for d in alarm.get("Dimensions", [])}},
        "period": alarm.get("Period"), "stat": alarm.get("Statistic") or alarm.get("ExtendedStatistic")}}
    return {
        "version": "0",
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{arn}#{previous}->{new}#{when}")),
        "detail-type": ALARM_STATE_CHANGE,
        "source": CLOUDWATCH_SOURCE,
        "account": account,
        "time": when,
        "region": region,
        "resources": [arn],
        "detail": {"alarmName": name,
                   "state": {"value": new, "reason": reason, "timestamp": when},
                   "previousState": {"value": previous, "reason": "", "timestamp": when},
                   "configuration": {"description": alarm.get("AlarmDescription", ""), "metrics": [metric]}},
    }
