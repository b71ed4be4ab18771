"""Judging by meaning: the comparators practice checks use instead of comparing text.

AWS accepts many spellings of one intent. A learner who writes ``cron(0 2 ? * * *)`` where the
reference wrote ``cron(0 2 * * ? *)``, a filter pattern with other spacing, a policy whose keys
come in another order, or who leaves a parameter at its documented default, has done the task.
Every comparator here returns a plain value (or a :class:`Verdict` whose ``why`` says what to fix),
so a check stays one line: ``yield expect(name, same_schedule(found, "cron(0 2 * * ? *)"), found)``.

Contents:

* schedules — :func:`schedule_meaning`, :func:`same_schedule`: EventBridge/Glue ``cron(…)`` (six
  fields, ``?`` and ``*`` for "any day", names, ranges, steps, lists) and ``rate(…)`` (units
  normalised to minutes).
* CloudWatch Logs filter patterns — :func:`filter_pattern_meaning`, :func:`same_filter_pattern`:
  spacing and optional quoting of plain terms do not matter; term order in an AND pattern does
  not either. :func:`filter_pattern_matches` judges by effect (the lines a pattern matches).
* JSON policies — :func:`policy_meaning`, :func:`same_policy`: key order, a single value vs a
  one-element list, ``Sid``, statement order, action case and ``"*"`` vs ``{"AWS": "*"}`` ignored.
* documented defaults — :data:`DEFAULTS` (with the documentation page each comes from) and
  :func:`effective`: a value left implicit counts as its default.
* numbers — :func:`close` (absolute/relative tolerance), :func:`kinesis_split_points` (both
  midpoint conventions AWS's own examples use).
* policy evaluation — :func:`evaluate` answers "may principal P do action A on resource R?" for
  one or more policy documents (explicit deny wins, then any allow; otherwise implicitly denied),
  with ``*``/``?`` wildcards, ``NotAction``/``NotResource``, ``Principal``/``NotPrincipal`` and the
  condition operators the labs need. Helpers ask the labs' questions: :func:`sns_may_send_to_queue`,
  :func:`service_may_assume`, :func:`role_may`. :func:`access_allowed` combines a principal's
  identity policies with a resource policy (a bucket, secret or endpoint policy, or a KMS key
  policy, whose rule differs: IAM policies count only where the key policy enables them), and
  :func:`role_may_access` asks it for a role.

Why not moto's own evaluator (``moto.iam.access_control.IAMPolicy``): it treats any principal other
than ``"*"`` as unknown (so a queue policy for ``sns.amazonaws.com`` is never evaluated), matches
actions case-sensitively, has no ``?`` wildcard, and turns a failed condition on an Allow into an
explicit deny. IAM's documented logic: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html

No boto3 import at module level: ``awslabs list``/``--help`` must stay light.
"""
from __future__ import annotations

import fnmatch
import json
import math
import re
import shlex
from dataclasses import dataclass, field
from typing import Any, Iterable


@dataclass(frozen=True)
class Verdict:
    """A judgement with the reason: truthy when ``ok``; ``why`` says what to fix when not."""

    ok: bool
    why: str = ""

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        return self.why or ("yes" if self.ok else "no")


# -- schedules ------------------------------------------------------------------------------------
# https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html
# https://docs.aws.amazon.com/glue/latest/dg/monitor-data-warehouse-schedule.html
_CRON_FIELDS = (  # name, lowest, highest, names
    ("minutes", 0, 59, {}),
    ("hours", 0, 23, {}),
    ("day-of-month", 1, 31, {}),
    ("month", 1, 12, {m: i for i, m in enumerate(
        ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), 1)}),
    ("day-of-week", 1, 7, {d: i for i, d in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"), 1)}),
    ("year", 1970, 2199, {}),
)
_RATE_UNITS = {"minute": 1, "minutes": 1, "hour": 60, "hours": 60, "day": 1440, "days": 1440}


class ScheduleError(ValueError):
    """Not a schedule expression AWS would accept."""


def _cron_field(text: str, lowest: int, highest: int, names: dict[str, int], what: str) -> frozenset | str:
    """The set of values a cron field matches; special forms (L, W, #) are kept as their text."""
    text = text.upper()
    if text in ("*", "?"):
        return frozenset(range(lowest, highest + 1))
    if any(mark in text for mark in ("L", "W", "#")) and not any(n in text for n in names):
        return text  # last day / nearest weekday / nth weekday: compared as written
    values: set[int] = set()
    for part in text.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            if not step_text.isdigit() or int(step_text) == 0:
                raise ScheduleError(f"{what}: '{step_text}' is not a step")
            step = int(step_text)
        if part in ("*", "?"):
            first, last = lowest, highest
        elif "-" in part:
            a, b = part.split("-", 1)
            first, last = _cron_value(a, names, what), _cron_value(b, names, what)
        else:
            first = _cron_value(part, names, what)
            last = highest if step > 1 else first
        if not (lowest <= first <= highest and lowest <= last <= highest):
            raise ScheduleError(f"{what}: {part} is outside {lowest}-{highest}")
        values.update(range(first, last + 1, step))
    return frozenset(values)


def _cron_value(text: str, names: dict[str, int], what: str) -> int:
    if text in names:
        return names[text]
    if not text.isdigit():
        raise ScheduleError(f"{what}: '{text}' is not a value")
    return int(text)


def schedule_meaning(expression: str) -> tuple:
    """A normal form of a ``cron(…)`` or ``rate(…)`` expression: equal forms mean the same schedule.

    >>> schedule_meaning("cron(0 2 * * ? *)") == schedule_meaning("cron(0 2 ? * * *)")
    True
    >>> schedule_meaning("rate(1 day)") == schedule_meaning("rate(24 hours)")
    True
    """
    text = (expression or "").strip()
    match = re.fullmatch(r"rate\(\s*(\d+)\s+([a-zA-Z]+)\s*\)", text)
    if match:
        value, unit = int(match[1]), match[2].lower()
        if unit not in _RATE_UNITS or value <= 0:
            raise ScheduleError(f"{text}: a rate is a positive number of minutes, hours or days")
        return ("rate", value * _RATE_UNITS[unit])
    match = re.fullmatch(r"cron\((.*)\)", text)
    if not match:
        raise ScheduleError(f"'{text}' is neither cron(…) nor rate(…)")
    fields = match[1].split()
    if len(fields) != 6:
        raise ScheduleError(f"{text}: cron takes six fields (minutes hours day-of-month month day-of-week year), "
                            f"not {len(fields)}")
    return ("cron",) + tuple(_cron_field(f, lo, hi, names, name)
                             for f, (name, lo, hi, names) in zip(fields, _CRON_FIELDS))


def same_schedule(found: str | None, expected: str) -> Verdict:
    """Does ``found`` fire exactly when ``expected`` does? The reason names the first difference."""
    if not found:
        return Verdict(False, f"no schedule; expected one equivalent to {expected}")
    try:
        a = schedule_meaning(found)
    except ScheduleError as err:
        return Verdict(False, f"{found} is not a valid schedule ({err})")
    b = schedule_meaning(expected)
    if a == b:
        return Verdict(True, f"{found} fires as {expected} does")
    if a[0] != b[0]:
        return Verdict(False, f"{found} is a {a[0]} expression; the task asks for {expected}")
    if a[0] == "rate":
        return Verdict(False, f"{found} fires every {a[1]} minutes; the task asks for every {b[1]} ({expected})")
    field_name = next(name for (name, *_), x, y in zip(_CRON_FIELDS, a[1:], b[1:]) if x != y)
    return Verdict(False, f"{found} differs from {expected} in its {field_name} field")


# -- CloudWatch Logs filter patterns ------------------------------------------------------------------
# https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
_PLAIN_TERM = re.compile(r"[A-Za-z0-9_]+")


def _squeeze_outside_quotes(text: str) -> str:
    """Remove whitespace that is not inside double quotes."""
    out, quoted, escaped = [], False, False
    for ch in text:
        if escaped:
            out.append(ch)
            escaped = False
            continue
        if ch == "\\":
            escaped = True
            out.append(ch)
            continue
        if ch == '"':
            quoted = not quoted
        if ch.isspace() and not quoted:
            continue
        out.append(ch)
    return "".join(out)


def filter_pattern_meaning(pattern: str) -> tuple:
    """A normal form of a filter pattern.

    * JSON (``{ $.status >= 500 }``) and space-delimited (``[ip, user, ..., status=5*]``) patterns:
      whitespace outside quotes does not matter; ``==`` is ``=`` (both documented for JSON).
    * term patterns: a plain word quoted or not is the same term; in an all-AND pattern the order
      of terms does not matter (``ERROR Exception`` ≡ ``Exception ERROR``), nor in an all-OR one.
    """
    text = (pattern or "").strip()
    if not text:
        return ("all",)
    if text.startswith("{"):
        squeezed = _squeeze_outside_quotes(text)
        squeezed = re.sub(r'(?<![!<>=])==(?!=)', "=", squeezed)
        return ("json", squeezed)
    if text.startswith("["):
        return ("delimited", _squeeze_outside_quotes(text))
    try:
        terms = shlex.split(text, posix=True)
    except ValueError:
        return ("text", text)
    normal = []
    for term in terms:
        sign = term[0] if term[:1] in ("?", "-") and len(term) > 1 else ""
        body = term[len(sign):]
        normal.append(sign + body)
    if all(t.startswith("?") for t in normal):
        return ("any-of", frozenset(t[1:] for t in normal))
    return ("all-of", frozenset(normal))


def same_filter_pattern(found: str | None, expected: str) -> Verdict:
    if found is None:
        return Verdict(False, f"no filter pattern; expected {expected}")
    if filter_pattern_meaning(found) == filter_pattern_meaning(expected):
        return Verdict(True, f"{found!r} means {expected!r}")
    return Verdict(False, f"{found!r} does not mean the same as {expected!r}")


def filter_pattern_matches(pattern: str, line: str) -> bool:
    """Does a term or JSON pattern match one log line? Judging by effect: a pattern written any
    way that matches the same sample lines as the task's does the task. Supports terms (AND, ``?``
    OR, ``-`` exclusion, quoted phrases) and JSON conditions ``$.a.b OP value`` joined by ``&&``/``||``
    (no parentheses), with ``*`` wildcards in string values."""
    kind, *rest = filter_pattern_meaning(pattern)
    if kind == "all":
        return True
    if kind == "any-of":
        return any(t in line for t in rest[0])
    if kind == "all-of":
        return all((t[1:] not in line) if t.startswith("-") else (t in line) for t in rest[0])
    if kind == "json":
        try:
            event = json.loads(line)
        except ValueError:
            return False
        return _json_condition(rest[0][1:-1], event)
    raise ValueError(f"cannot evaluate a {kind} pattern here: {pattern}")


def _json_condition(text: str, event: Any) -> bool:
    if "||" in text:
        return any(_json_condition(part, event) for part in text.split("||"))
    if "&&" in text:
        return all(_json_condition(part, event) for part in text.split("&&"))
    text = text.strip("()")
    match = re.fullmatch(r"\$\.([\w.\[\]]+)(!=|>=|<=|=|>|<)(.+)", text)
    if not match:
        raise ValueError(f"cannot evaluate JSON condition {text}")
    path, op, raw = match.groups()
    value: Any = event
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return False
        value = value[part]
    if raw.startswith('"') or not _NUMERIC.fullmatch(raw) and raw not in ("true", "false", "NULL", "null"):
        wanted = json.loads(raw) if raw.startswith('"') else raw  # unquoted strings are allowed too
        hit = isinstance(value, str) and fnmatch.fnmatchcase(value, wanted)
        return hit if op == "=" else (not hit if op == "!=" else False)
    if raw in ("true", "false", "NULL", "null"):
        wanted = {"true": True, "false": False}.get(raw)
        return (value == wanted) if op == "=" else (value != wanted)
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return False
    number = float(raw)
    return {"=": value == number, "!=": value != number, ">": value > number, "<": value < number,
            ">=": value >= number, "<=": value <= number}[op]


# -- JSON policies --------------------------------------------------------------------------------
_LIST_KEYS = ("Action", "NotAction", "Resource", "NotResource")


def _as_document(policy: str | dict | None) -> dict:
    if policy is None or policy == "":
        return {"Statement": []}
    if isinstance(policy, str):
        from urllib.parse import unquote

        text = policy.strip()
        if text.startswith("%7B") or text.startswith("%7b"):  # IAM returns documents URL-encoded
            text = unquote(text)
        policy = json.loads(text)
    return policy


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def _principal_meaning(value: Any) -> Any:
    if value == "*":
        return {"AWS": ("*",)}
    if isinstance(value, dict):
        return {k: tuple(sorted(set(_as_list(v)))) for k, v in sorted(value.items())}
    return value


def policy_meaning(policy: str | dict | None) -> tuple:
    """A normal form of a policy document (IAM, resource or trust policy)."""
    document = _as_document(policy)
    statements = []
    for statement in _as_list(document.get("Statement", [])):
        normal: dict[str, Any] = {"Effect": statement.get("Effect")}
        for key in _LIST_KEYS:
            if key in statement:
                values = [v.lower() if "Action" in key else v for v in _as_list(statement[key])]
                normal[key] = tuple(sorted(set(values)))
        for key in ("Principal", "NotPrincipal"):
            if key in statement:
                normal[key] = _principal_meaning(statement[key])
        if statement.get("Condition"):
            normal["Condition"] = {
                op: {k.lower(): tuple(sorted(map(str, _as_list(v)))) for k, v in sorted(keys.items())}
                for op, keys in sorted(statement["Condition"].items())
            }
        statements.append(json.dumps(normal, sort_keys=True))
    return (document.get("Version", "2008-10-17"), tuple(sorted(statements)))


def same_policy(found: str | dict | None, expected: str | dict) -> Verdict:
    if policy_meaning(found) == policy_meaning(expected):
        return Verdict(True, "the policy says what the task asks")
    return Verdict(False, "the policy differs in meaning from the one the task asks for")


# -- documented defaults --------------------------------------------------------------------------
# (service, resource, attribute) -> (default, the page that documents it). A value the learner
# left implicit counts as this default; the table is the one place such facts live.
DEFAULTS: dict[tuple[str, str, str], tuple[Any, str]] = {
    ("sqs", "queue", "VisibilityTimeout"): (
        30, "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html"),
    ("sqs", "queue", "MessageRetentionPeriod"): (
        345600, "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html"),
    ("sqs", "queue", "DelaySeconds"): (
        0, "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html"),
    ("sqs", "queue", "ReceiveMessageWaitTimeSeconds"): (
        0, "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html"),
    ("sqs", "queue", "ContentBasedDeduplication"): (
        False, "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html"),
    ("kinesis", "stream", "RetentionPeriodHours"): (
        24, "https://docs.aws.amazon.com/streams/latest/dev/kinesis-extended-retention.html"),
    ("cloudwatch", "alarm", "TreatMissingData"): (
        "missing", "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html"),
    ("cloudwatch", "alarm", "ActionsEnabled"): (
        True, "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html"),
    ("s3", "restore", "Tier"): (
        "Standard", "https://docs.aws.amazon.com/AmazonS3/latest/API/API_GlacierJobParameters.html"),
    ("s3", "lifecycle-rule", "Status"): (
        None, "https://docs.aws.amazon.com/AmazonS3/latest/API/API_LifecycleRule.html"),  # required: no default
    ("glue", "crawler", "RecrawlBehavior"): (
        "CRAWL_EVERYTHING", "https://docs.aws.amazon.com/glue/latest/webapi/API_RecrawlPolicy.html"),
    ("glue", "crawler", "SchemaChangePolicy.UpdateBehavior"): (
        "UPDATE_IN_DATABASE", "https://docs.aws.amazon.com/glue/latest/webapi/API_SchemaChangePolicy.html"),
    ("glue", "crawler", "SchemaChangePolicy.DeleteBehavior"): (
        "DEPRECATE_IN_DATABASE", "https://docs.aws.amazon.com/glue/latest/webapi/API_SchemaChangePolicy.html"),
    ("logs", "metric-filter", "defaultValue"): (
        None, "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_MetricTransformation.html"),
}

_NUMERIC = re.compile(r"-?\d+(\.\d+)?")


def effective(service: str, resource: str, attribute: str, value: Any) -> Any:
    """``value`` as AWS applies it: the documented default when left implicit (``None``/absent),
    strings of digits as numbers (SQS returns attributes as strings), "true"/"false" as booleans."""
    if value is None or value == "":
        default = DEFAULTS.get((service, resource, attribute))
        if default is None:
            return value
        return default[0]
    if isinstance(value, str):
        if _NUMERIC.fullmatch(value):
            return float(value) if "." in value else int(value)
        if value.lower() in ("true", "false"):
            return value.lower() == "true"
    return value


def default_source(service: str, resource: str, attribute: str) -> str:
    return DEFAULTS[(service, resource, attribute)][1]


# -- numbers --------------------------------------------------------------------------------------
def close(found: float | int | None, expected: float | int, rel: float = 0.0, abs_: float = 0.0) -> Verdict:
    """Equal within an absolute and/or relative tolerance (for numbers AWS's own formulas round
    differently, e.g. a hash key midpoint or a percentile)."""
    if found is None or isinstance(found, bool):
        return Verdict(False, f"no number; expected {expected}")
    if math.isclose(float(found), float(expected), rel_tol=rel, abs_tol=abs_):
        return Verdict(True, f"{found} ≈ {expected}")
    return Verdict(False, f"{found} is not within tolerance of {expected}")


def kinesis_split_points(start: int, end: int) -> set[int]:
    """The NewStartingHashKey values that split the range [start, end] "in the middle": AWS's
    example computes ``(start + end) // 2`` (https://docs.aws.amazon.com/streams/latest/dev/kinesis-using-sdk-java-resharding-split.html),
    others take the next key so the lower child keeps the midpoint. Both are an even split."""
    middle = (start + end) // 2
    return {middle, middle + 1}


# -- policy evaluation ----------------------------------------------------------------------------
@dataclass
class Request:
    """One request to evaluate: who (principal), what (action), on what (resource), in which
    context (condition keys such as ``aws:SourceArn``, ``aws:SourceAccount``)."""

    action: str
    resource: str = "*"
    principal: dict[str, str] = field(default_factory=dict)  # {"Service": "sns.amazonaws.com"} / {"AWS": arn}
    context: dict[str, Any] = field(default_factory=dict)


@dataclass
class Decision:
    allowed: bool
    why: str
    statement: dict | None = None

    def __bool__(self) -> bool:
        return self.allowed


def _like(pattern: str, value: str, case: bool = True) -> bool:
    """IAM wildcards: ``*`` any run of characters, ``?`` one character (no character classes)."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, 0 if case else re.IGNORECASE) is not None


def _principal_matches(spec: Any, principal: dict[str, str]) -> bool:
    if spec == "*":
        return True
    if not isinstance(spec, dict):
        return False
    for kind, values in spec.items():
        mine = principal.get(kind)
        for value in _as_list(values):
            if value == "*" and (mine or kind == "AWS"):
                return True
            if mine is None:
                continue
            if value == mine:
                return True
            # An account id or its root ARN names every principal of that account.
            if kind == "AWS" and re.fullmatch(r"\d{12}", value) and f":{value}:" in mine:
                return True
            if kind == "AWS" and value.endswith(":root") and value.count(":") >= 5 and mine.count(":") >= 5 \
                    and value.split(":")[4] == mine.split(":")[4]:
                return True
    return False


def _condition_holds(op: str, key: str, wanted: Any, context: dict[str, Any]) -> bool:
    if_exists = op.endswith("IfExists")
    base = op[:-len("IfExists")] if if_exists else op
    quantifier = ""
    if ":" in base:
        quantifier, base = base.split(":", 1)
    actual = next((v for k, v in context.items() if k.lower() == key.lower()), None)
    if base == "Null":
        return (actual is None) == (str(_as_list(wanted)[0]).lower() == "true")
    if actual is None:
        # documented: a missing key fails a positive operator and satisfies a negated one
        # (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html)
        return if_exists or "Not" in base
    wanted_values = [str(w) for w in _as_list(wanted)]
    actual_values = [str(a) for a in _as_list(actual)]

    def one(value: str) -> bool:
        if base in ("StringEquals", "ArnEquals"):
            return value in wanted_values
        if base == "StringEqualsIgnoreCase":
            return value.lower() in [w.lower() for w in wanted_values]
        if base == "StringNotEqualsIgnoreCase":
            return value.lower() not in [w.lower() for w in wanted_values]
        if base in ("IpAddress", "NotIpAddress"):
            import ipaddress

            inside = any(ipaddress.ip_address(value) in ipaddress.ip_network(w, strict=False) for w in wanted_values)
            return inside if base == "IpAddress" else not inside
        if base in ("StringLike", "ArnLike"):
            return any(_like(w, value) for w in wanted_values)
        if base in ("StringNotEquals", "ArnNotEquals"):
            return value not in wanted_values
        if base in ("StringNotLike", "ArnNotLike"):
            return not any(_like(w, value) for w in wanted_values)
        if base == "Bool":
            return value.lower() in [w.lower() for w in wanted_values]
        if base.startswith("Numeric"):
            cmp = {"NumericEquals": float.__eq__, "NumericNotEquals": float.__ne__,
                   "NumericLessThan": float.__lt__, "NumericLessThanEquals": float.__le__,
                   "NumericGreaterThan": float.__gt__, "NumericGreaterThanEquals": float.__ge__}[base]
            return any(cmp(float(value), float(w)) for w in wanted_values)
        raise ValueError(f"condition operator {op} is not supported by awslabs' evaluator")

    if quantifier == "ForAllValues":
        return all(one(v) for v in actual_values)
    return any(one(v) for v in actual_values)


def _statement_applies(statement: dict, request: Request, resource_policy: bool) -> bool:
    if "Action" in statement:
        if not any(_like(a, request.action, case=False) for a in _as_list(statement["Action"])):
            return False
    elif "NotAction" in statement:
        if any(_like(a, request.action, case=False) for a in _as_list(statement["NotAction"])):
            return False
    if "Resource" in statement:
        if not any(_like(r, request.resource) for r in _as_list(statement["Resource"])):
            return False
    elif "NotResource" in statement:
        if any(_like(r, request.resource) for r in _as_list(statement["NotResource"])):
            return False
    if "Principal" in statement:
        if not _principal_matches(statement["Principal"], request.principal):
            return False
    elif "NotPrincipal" in statement:
        if _principal_matches(statement["NotPrincipal"], request.principal):
            return False
    elif resource_policy:
        return False  # a resource policy statement without a principal applies to no one
    for op, keys in (statement.get("Condition") or {}).items():
        for key, wanted in keys.items():
            if not _condition_holds(op, key, wanted, request.context):
                return False
    return True


def evaluate(policies: Iterable[str | dict | None] | str | dict | None, request: Request,
             resource_policy: bool = False) -> Decision:
    """IAM's evaluation logic over the given documents: an explicit Deny that applies wins; else an
    Allow that applies grants; else the request is implicitly denied. ``resource_policy`` requires
    each statement to name its principal (queue, topic, bucket, trust policies)."""
    if isinstance(policies, (str, dict)) or policies is None:
        policies = [policies]
    allow = None
    for policy in policies:
        for statement in _as_list(_as_document(policy).get("Statement", [])):
            if not _statement_applies(statement, request, resource_policy):
                continue
            if statement.get("Effect") == "Deny":
                return Decision(False, f"explicitly denied by statement {statement.get('Sid') or json.dumps(statement)}",
                                statement)
            if statement.get("Effect") == "Allow" and allow is None:
                allow = statement
    if allow is not None:
        return Decision(True, f"allowed by statement {allow.get('Sid') or json.dumps(allow)}", allow)
    who = next(iter(request.principal.values()), "the caller")
    return Decision(False, f"no statement allows {who} to {request.action} on {request.resource}")


def sns_may_send_to_queue(queue_policy: str | dict | None, topic_arn: str, queue_arn: str) -> Decision:
    """May the SNS topic deliver to the queue? SNS sends as ``sns.amazonaws.com`` with
    ``aws:SourceArn`` = the topic (https://docs.aws.amazon.com/sns/latest/dg/subscribe-sqs-queue-to-sns-topic.html)."""
    account = topic_arn.split(":")[4] if topic_arn.count(":") >= 5 else ""
    decision = evaluate(queue_policy, Request(
        "sqs:SendMessage", queue_arn, {"Service": "sns.amazonaws.com"},
        {"aws:SourceArn": topic_arn, "aws:SourceAccount": account}), resource_policy=True)
    if not decision and not queue_policy:
        decision.why = "the queue has no access policy, so SNS may not send to it: add a Policy attribute " \
                       "allowing sns.amazonaws.com to sqs:SendMessage with aws:SourceArn = the topic"
    elif not decision:
        decision.why = f"the queue policy does not let topic {topic_arn} send ({decision.why})"
    return decision


def service_may_assume(trust_policy: str | dict | None, service: str, context: dict | None = None) -> Decision:
    """May ``service`` (e.g. ``firehose.amazonaws.com``) assume the role with this trust policy?"""
    decision = evaluate(trust_policy, Request("sts:AssumeRole", "*", {"Service": service}, context or {}),
                        resource_policy=True)
    if not decision:
        decision.why = f"the role's trust policy does not let {service} assume it ({decision.why})"
    return decision


def role_policies(iam, role_name: str) -> list[dict]:
    """Every identity policy of a role: inline ones and the default version of each attached one."""
    docs = []
    for name in iam.list_role_policies(RoleName=role_name)["PolicyNames"]:
        docs.append(_as_document(iam.get_role_policy(RoleName=role_name, PolicyName=name)["PolicyDocument"]))
    for attached in iam.list_attached_role_policies(RoleName=role_name)["AttachedPolicies"]:
        arn = attached["PolicyArn"]
        try:
            version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
            docs.append(_as_document(iam.get_policy_version(PolicyArn=arn, VersionId=version)
                                     ["PolicyVersion"]["Document"]))
        except Exception:  # noqa: BLE001 - an AWS managed policy the emulator does not hold
            if arn.endswith(":policy/AdministratorAccess"):
                docs.append({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
    return docs


def role_may(iam, role_name: str, action: str, resource: str, context: dict | None = None) -> Decision:
    """May the role do ``action`` on ``resource``, by its identity policies? (No permission
    boundary, session policy or SCP: the labs use none.)"""
    try:
        docs = role_policies(iam, role_name)
    except Exception as err:  # noqa: BLE001 - the role does not exist: say so, do not crash
        return Decision(False, f"role {role_name} cannot be read ({type(err).__name__}); create it first")
    decision = evaluate(docs, Request(action, resource, {"AWS": f"role/{role_name}"}, context or {}))
    if not decision:
        decision.why = f"role {role_name} may not {action} on {resource}: {decision.why}"
    return decision


# -- identity and resource policies together --------------------------------------------------------
def _names_principal_itself(spec: Any, principal: dict[str, str]) -> bool:
    """Does a ``Principal`` element name this principal itself (its ARN, its service, or ``*``), rather
    than only its account (an account id or ``…:root``, which delegates to the account's IAM policies)?"""
    if spec == "*":
        return True
    if not isinstance(spec, dict):
        return False
    for kind, values in spec.items():
        mine = principal.get(kind)
        for value in _as_list(values):
            if value == "*" and (mine or kind == "AWS"):
                return True
            if mine is not None and value == mine:
                return True
    return False


def _applying(policy: str | dict | None, request: Request, resource_policy: bool) -> tuple[list[dict], list[dict]]:
    """The (Deny, Allow) statements of one document that apply to the request."""
    denies, allows = [], []
    for statement in _as_list(_as_document(policy).get("Statement", [])):
        if not _statement_applies(statement, request, resource_policy):
            continue
        (denies if statement.get("Effect") == "Deny" else allows if statement.get("Effect") == "Allow" else []).append(
            statement)
    return denies, allows


def _sid(statement: dict) -> str:
    return statement.get("Sid") or json.dumps(statement)


def access_allowed(identity_policies: Iterable[str | dict | None] | str | dict | None,
                   resource_policy: str | dict | None, request: Request, key_policy: bool = False) -> Decision:
    """May the principal (``request.principal``, e.g. ``{"AWS": <role ARN>}``) of the resource's own
    account do this, by its identity policies and the resource's policy together?

    IAM's documented logic for one account (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
    an explicit Deny in any of them wins; otherwise an Allow in either grants. A resource policy
    statement that names only the account (its id or ``…:root``) grants nothing by itself: it
    delegates to the account's IAM policies.

    ``key_policy=True`` applies KMS's rule (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html):
    no principal may use a key unless the key policy allows it, so an identity policy's Allow counts
    only where the key policy allows the account ("enables IAM policies") for that action."""
    if isinstance(identity_policies, (str, dict)) or identity_policies is None:
        identity_policies = [identity_policies]
    id_denies, id_allows = [], []
    for policy in identity_policies:
        denies, allows = _applying(policy, request, resource_policy=False)
        id_denies += denies
        id_allows += allows
    res_denies, res_allows = _applying(resource_policy, request, resource_policy=True)
    where = "key policy" if key_policy else "resource policy"
    if res_denies:
        return Decision(False, f"explicitly denied by the {where}'s statement {_sid(res_denies[0])}", res_denies[0])
    if id_denies:
        return Decision(False, f"explicitly denied by the identity policy's statement {_sid(id_denies[0])}", id_denies[0])
    direct = [s for s in res_allows if "Principal" in s and _names_principal_itself(s["Principal"], request.principal)]
    if direct:
        return Decision(True, f"allowed by the {where}'s statement {_sid(direct[0])}", direct[0])
    if id_allows and (res_allows or not key_policy):
        return Decision(True, f"allowed by the identity policy's statement {_sid(id_allows[0])}", id_allows[0])
    who = next(iter(request.principal.values()), "the caller")
    if key_policy and id_allows:
        return Decision(False, f"an IAM policy allows {who} to {request.action}, but the key policy neither allows "
                               "it nor enables IAM policies (the account root statement) for that action")
    if res_allows:
        return Decision(False, f"the {where} allows {request.action} only to the account as a whole (delegating to "
                               f"IAM), and no identity policy of {who} allows it")
    return Decision(False, f"neither an identity policy nor the {where} allows {who} to {request.action} "
                           f"on {request.resource}")


def role_may_access(iam, role_name: str, action: str, resource: str, resource_policy: str | dict | None = None,
                    context: dict | None = None, key_policy: bool = False) -> Decision:
    """:func:`access_allowed` for a role of the account: its identity policies (inline and attached)
    and the resource's policy (bucket, secret or VPC endpoint policy; a KMS key policy with
    ``key_policy=True``)."""
    try:
        arn = iam.get_role(RoleName=role_name)["Role"]["Arn"]
        docs = role_policies(iam, role_name)
    except Exception as err:  # noqa: BLE001 - the role does not exist: say so, do not crash
        return Decision(False, f"role {role_name} cannot be read ({type(err).__name__}); create it first")
    try:
        decision = access_allowed(docs, resource_policy, Request(action, resource, {"AWS": arn}, context or {}),
                                  key_policy=key_policy)
    except (ValueError, TypeError, AttributeError) as err:  # a policy the evaluator cannot read
        return Decision(False, f"a policy could not be evaluated: {err}")
    if not decision:
        decision.why = f"role {role_name} may not {action} on {resource}: {decision.why}"
    return decision
