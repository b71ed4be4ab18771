"""CloudWatch metric-alarm evaluation, following the rules AWS documents (moto never evaluates).

Sources (the rules below are encoded from these pages, and ``tests/test_sim_alarms.py`` replays
their worked examples):

- "Using Amazon CloudWatch alarms" — Period, Evaluation Periods (N), Datapoints to Alarm (M), the
  "M out of N" alarm whose breaching datapoints need not be consecutive:
  https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html
- "Configuring how CloudWatch alarms treat missing data" — ``missing`` / ``notBreaching`` /
  ``breaching`` / ``ignore``, the *evaluation range* and the two tables of examples:
  https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html
- PutMetricAlarm (comparison operators; ``AWS/DynamoDB`` alarms always ignore missing data; Period
  10, 20, 30 or a multiple of 60; Period x EvaluationPeriods at most 7 days, or 1 day when the
  period is under an hour — the figures live in ``awslabs.facts``):
  https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
- Alarm actions fire on state *changes* only ("Alarms invoke actions for sustained state changes
  only"), and the SNS notification body is the alarm's JSON description:
  https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html

What is simulated and what is assumed:

- Each period's value is a statistic over the raw samples in it (``period_statistics``); a period
  with no sample is *missing*. Percentiles, metric math and anomaly-detection bands are not modelled.
- CloudWatch "attempts to retrieve a higher number of data points than specified by Evaluation
  Periods"; the exact number is not published. The documented examples use N + 2 (5 points for
  N = 3), so ``evaluation_range`` defaults to N + 2.
- With fewer real points than N, ``breaching``/``notBreaching`` fill the gap with that many
  breaching / non-breaching points ("CloudWatch uses missing data points only as few times as
  possible"). ``missing`` and ``ignore`` fill nothing: the real points decide when they can
  (M breaching → ALARM, any non-breaching → OK); with no real point ``missing`` gives
  INSUFFICIENT_DATA and ``ignore`` keeps the current state. The documented sixth example
  (``X - - - -`` → ALARM under ``missing``, because "the oldest evaluated data point is breaching
  and there aren't any non-breaching data points") is encoded literally: the evaluated slots are the
  real points plus the most recent missing periods, and if the oldest of them is a real breaching
  point the alarm goes to ALARM, otherwise INSUFFICIENT_DATA.
"""
from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from awslabs import facts

OK, ALARM, INSUFFICIENT = "OK", "ALARM", "INSUFFICIENT_DATA"
BREACH, NOT_BREACH, MISSING = "X", "0", "-"  # the symbols of the documentation's tables
TREATMENTS = ("missing", "notBreaching", "breaching", "ignore")
STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")

COMPARISONS = {
    "GreaterThanOrEqualToThreshold": lambda v, t: v >= t,
    "GreaterThanThreshold": lambda v, t: v > t,
    "LessThanThreshold": lambda v, t: v < t,
    "LessThanOrEqualToThreshold": lambda v, t: v <= t,
}
_WORDS = {
    "GreaterThanOrEqualToThreshold": "greater than or equal to",
    "GreaterThanThreshold": "greater than",
    "LessThanThreshold": "less than",
    "LessThanOrEqualToThreshold": "less than or equal to",
}


@dataclass(frozen=True)
class AlarmConfig:
    """The settings of a metric alarm that decide its state (names as in PutMetricAlarm)."""

    threshold: float
    comparison: str
    evaluation_periods: int
    datapoints_to_alarm: int | None = None  # M; AWS defaults it to N
    period: int = 60
    statistic: str = "Average"
    treat_missing_data: str = facts.value("cloudwatch.default_treat_missing_data")  # AWS's default
    namespace: str = ""
    evaluation_range: int | None = None  # periods retrieved; see the module docstring

    def __post_init__(self) -> None:
        if self.comparison not in COMPARISONS:
            raise ValueError(f"unsupported ComparisonOperator {self.comparison!r} (anomaly bands are not simulated)")
        if self.treat_missing_data not in TREATMENTS:
            raise ValueError(f"TreatMissingData must be one of {TREATMENTS}")
        if self.statistic not in STATISTICS:
            raise ValueError(f"statistic must be one of {STATISTICS} (percentiles are not simulated)")
        if not 1 <= self.m <= self.evaluation_periods:
            raise ValueError("DatapointsToAlarm must be between 1 and EvaluationPeriods")
        # PutMetricAlarm, Period: "An alarm's total current evaluation period can be no longer than
        # seven days ... For alarms with a period of less than one hour (3,600 seconds), the total
        # evaluation period can't be longer than one day" (awslabs.facts "cloudwatch.alarm_evaluation_range").
        if self.period not in facts.value("cloudwatch.alarm_high_resolution_periods") and self.period % 60:
            raise ValueError("Period must be 10, 20, 30 or a multiple of 60 seconds")
        rng = facts.value("cloudwatch.alarm_evaluation_range")
        cap = rng["period_under_1h"] if self.period < 3600 else rng["max"]
        if self.evaluation_periods * self.period > cap:
            raise ValueError(
                f"EvaluationPeriods x Period cannot exceed {cap:,} s "
                + ("(one day for periods under one hour)" if cap == rng["period_under_1h"] else "(seven days)"))

    @property
    def m(self) -> int:
        return self.datapoints_to_alarm or self.evaluation_periods

    @property
    def n(self) -> int:
        return self.evaluation_periods

    @property
    def range_size(self) -> int:
        return self.evaluation_range or self.evaluation_periods + 2

    @property
    def effective_treatment(self) -> str:
        # PutMetricAlarm: "Alarms that evaluate metrics in the AWS/DynamoDB namespace always ignore
        # missing data even if you choose a different option for TreatMissingData."
        always = facts.value("cloudwatch.always_ignore_missing_namespace")
        return "ignore" if self.namespace == always else self.treat_missing_data

    @classmethod
    def from_alarm(cls, alarm: dict, evaluation_range: int | None = None) -> "AlarmConfig":
        """From one ``describe_alarms()["MetricAlarms"]`` item."""
        return cls(
            threshold=float(alarm["Threshold"]),
            comparison=alarm["ComparisonOperator"],
            evaluation_periods=int(alarm["EvaluationPeriods"]),
            datapoints_to_alarm=alarm.get("DatapointsToAlarm"),
            period=int(alarm.get("Period", 60)),
            statistic=alarm.get("Statistic", "Average"),
            treat_missing_data=alarm.get("TreatMissingData") or "missing",
            namespace=alarm.get("Namespace", ""),
            evaluation_range=evaluation_range,
        )


@dataclass
class Evaluation:
    state: str
    points: list[str]  # the evaluation range, oldest first: X / 0 / -
    evaluated: list[str]  # the N points the decision used (fills included), oldest first
    breaching: int
    used_treatment: bool  # False when enough real points made the treatment irrelevant
    reason: str
    values: list[float | None] = field(default_factory=list)


def breaches(value: float, threshold: float, comparison: str) -> bool:
    return COMPARISONS[comparison](value, threshold)


def classify(values: Sequence[float | None], threshold: float, comparison: str) -> list[str]:
    """Per-period values (None = missing) → the documentation's X / 0 / - symbols."""
    return [MISSING if v is None else (BREACH if breaches(v, threshold, comparison) else NOT_BREACH) for v in values]


def evaluate_points(points: Sequence[str], m: int, n: int, treatment: str, current_state: str = INSUFFICIENT) -> Evaluation:
    """Decide the state from the evaluation range (oldest first), per the missing-data rules."""
    points = list(points)
    real = [i for i, p in enumerate(points) if p != MISSING]
    if len(real) >= n:
        # "the number of existing data points retrieved is equal to or more than the alarm's
        # Evaluation Periods": the most recent N real points decide; the treatment is not used.
        evaluated = [points[i] for i in real[-n:]]
        count = evaluated.count(BREACH)
        return Evaluation(ALARM if count >= m else OK, points, evaluated, count, False, "")
    need = n - len(real)
    missing_slots = [i for i, p in enumerate(points) if p == MISSING][-need:] if need else []
    slots = sorted(real + missing_slots)
    if treatment in ("breaching", "notBreaching"):
        fill = BREACH if treatment == "breaching" else NOT_BREACH
        evaluated = [points[i] if i in real else fill for i in slots]
        count = evaluated.count(BREACH)
        return Evaluation(ALARM if count >= m else OK, points, evaluated, count, True, "")
    evaluated = [points[i] for i in slots]  # '-' stays '-': nothing is filled in
    count = evaluated.count(BREACH)
    if count >= m:
        state = ALARM
    elif NOT_BREACH in evaluated:
        state = OK  # M breaching points are out of reach of the real ones that are not breaching
    elif not real:
        state = current_state if treatment == "ignore" else INSUFFICIENT
    elif treatment == "ignore":
        state = current_state
    else:  # only breaching real points, fewer than M: the documented sixth example
        state = ALARM if slots and slots[0] in real else INSUFFICIENT
    return Evaluation(state, points, evaluated, count, True, "")


def period_statistics(samples: Iterable[tuple[dt.datetime, float]], period: int, statistic: str,
                      end: dt.datetime, periods: int) -> list[float | None]:
    """Aggregate raw samples into ``periods`` consecutive periods ending at ``end`` (oldest first).

    Periods are aligned to multiples of ``period`` seconds since the epoch (as CloudWatch aligns
    them); a period without samples is None (missing)."""
    end_s = _period_start(end, period) + period
    start_s = end_s - periods * period
    buckets: list[list[float]] = [[] for _ in range(periods)]
    for ts, value in samples:
        t = _epoch(ts)
        if start_s <= t < end_s:
            buckets[int((t - start_s) // period)].append(float(value))
    return [_stat(b, statistic) if b else None for b in buckets]


def series_from_datapoints(datapoints: Iterable[dict], statistic: str, period: int, end: dt.datetime,
                           periods: int) -> list[float | None]:
    """``get_metric_statistics()["Datapoints"]`` → one value per period ending at ``end`` (oldest
    first, None where CloudWatch returned no datapoint)."""
    end_s = _period_start(end, period) + period
    start_s = end_s - periods * period
    out: list[float | None] = [None] * periods
    for point in datapoints:
        t = _epoch(point["Timestamp"])
        if start_s <= t < end_s:
            out[int((t - start_s) // period)] = float(point[statistic])
    return out


def evaluate(config: AlarmConfig, values: Sequence[float | None], current_state: str = INSUFFICIENT) -> Evaluation:
    """Evaluate the alarm on per-period values covering (at least) its evaluation range."""
    values = list(values)[-config.range_size:]
    points = classify(values, config.threshold, config.comparison)
    result = evaluate_points(points, config.m, config.n, config.effective_treatment, current_state)
    result.values = values
    result.reason = _reason(config, result)
    return result


def _reason(config: AlarmConfig, result: Evaluation) -> str:
    real = [v for v in result.values if v is not None][-config.n:]
    shown = ", ".join(f"{v:g}" for v in reversed(real))
    words = _WORDS[config.comparison]
    if result.state == INSUFFICIENT:
        return f"Insufficient Data: {result.points.count(MISSING)} of the last {config.range_size} datapoints were missing."
    if result.state == ALARM:
        head = f"Threshold Crossed: {result.breaching} out of the last {config.n} datapoints"
        return f"{head} [{shown}] were {words} the threshold ({config.threshold:g}) (minimum {config.m} datapoints for ALARM)."
    if result.state == OK:
        return (f"Threshold not crossed: {result.breaching} out of the last {config.n} datapoints [{shown}] were "
                f"{words} the threshold ({config.threshold:g}) (minimum {config.m} needed for ALARM).")
    return "Missing data ignored: the current state is kept."


# -- actions -----------------------------------------------------------------------------------
_REGION_NAMES = {
    "us-east-1": "US East (N. Virginia)", "us-east-2": "US East (Ohio)", "us-west-1": "US West (N. California)",
    "us-west-2": "US West (Oregon)", "eu-west-1": "EU (Ireland)", "eu-central-1": "EU (Frankfurt)",
    "ap-southeast-2": "Asia Pacific (Sydney)", "ap-northeast-1": "Asia Pacific (Tokyo)",
}


def actions_for(alarm: dict, old_state: str, new_state: str) -> list[str]:
    """The actions a transition fires: none unless the state changed and actions are enabled."""
    if old_state == new_state or not alarm.get("ActionsEnabled", True):
        return []
    key = {ALARM: "AlarmActions", OK: "OKActions", INSUFFICIENT: "InsufficientDataActions"}[new_state]
    return list(alarm.get(key) or [])


def notification(alarm: dict, old_state: str, new_state: str, reason: str, account: str, region: str,
                 when: dt.datetime | None = None) -> tuple[str, str]:
    """(Subject, Message) of the SNS notification CloudWatch sends for a state change; the message
    is the JSON document of the documented alarm notification format."""
    when = when or dt.datetime.now(dt.timezone.utc)
    region_name = _REGION_NAMES.get(region, region)
    trigger = {
        "MetricName": alarm.get("MetricName"),
        "Namespace": alarm.get("Namespace"),
        "StatisticType": "Statistic",
        "Statistic": str(alarm.get("Statistic", "")).upper(),
        "Unit": alarm.get("Unit"),
        "Dimensions": [{"value": d["Value"], "name": d["Name"]} for d in alarm.get("Dimensions", [])],
        "Period": alarm.get("Period"),
        "EvaluationPeriods": alarm.get("EvaluationPeriods"),
        "DatapointsToAlarm": alarm.get("DatapointsToAlarm"),
        "ComparisonOperator": alarm.get("ComparisonOperator"),
        "Threshold": alarm.get("Threshold"),
        "TreatMissingData": alarm.get("TreatMissingData") or "missing",
        "EvaluateLowSampleCountPercentile": "",
    }
    message = {
        "AlarmName": alarm["AlarmName"],
        "AlarmDescription": alarm.get("AlarmDescription"),
        "AWSAccountId": account,
        "AlarmConfigurationUpdatedTimestamp": _iso(alarm.get("AlarmConfigurationUpdatedTimestamp")),
        "NewStateValue": new_state,
        "NewStateReason": reason,
        "StateChangeTime": _iso(when),
        "Region": region_name,
        "AlarmArn": alarm.get("AlarmArn"),
        "OldStateValue": old_state,
        "OKActions": alarm.get("OKActions", []),
        "AlarmActions": alarm.get("AlarmActions", []),
        "InsufficientDataActions": alarm.get("InsufficientDataActions", []),
        "Trigger": trigger,
    }
    subject = f'{new_state}: "{alarm["AlarmName"]}" in {region_name}'
    return subject[:100], json.dumps(message)


# -- helpers -----------------------------------------------------------------------------------
def _epoch(ts) -> float:
    if isinstance(ts, (int, float)):
        return float(ts)
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=dt.timezone.utc)
    return ts.timestamp()


def _period_start(ts: dt.datetime, period: int) -> float:
    return math.floor(_epoch(ts) / period) * period


def _stat(values: list[float], statistic: str) -> float:
    if statistic == "SampleCount":
        return float(len(values))
    if statistic == "Sum":
        return float(sum(values))
    if statistic == "Average":
        return sum(values) / len(values)
    if statistic == "Minimum":
        return min(values)
    return max(values)


def _iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+0000"
