"""The worked examples of "Configuring how CloudWatch alarms treat missing data"
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html) and
"Using Amazon CloudWatch alarms" (AlarmThatSendsEmail.html), replayed on awslabs.sim.alarms."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from awslabs.sim import alarms
from awslabs.sim.alarms import ALARM, INSUFFICIENT, OK, AlarmConfig

RETAIN = "retain"
# Data points (oldest first) | MISSING | IGNORE | BREACHING | NOT BREACHING — first table: M = N = 3.
TABLE_3_OF_3 = [
    ("0 - X - X", OK, OK, OK, OK),
    ("0 - - - -", OK, OK, OK, OK),
    ("- - - - -", INSUFFICIENT, RETAIN, ALARM, OK),
    ("0 X X - X", ALARM, ALARM, ALARM, ALARM),
    ("- - - - X", INSUFFICIENT, RETAIN, ALARM, OK),
    ("X - - - -", ALARM, RETAIN, ALARM, OK),
]
# Second table: M = 2 of N = 3.
TABLE_2_OF_3 = [
    ("0 - X - X", ALARM, ALARM, ALARM, ALARM),
    ("0 0 X 0 X", ALARM, ALARM, ALARM, ALARM),
    ("0 - X - -", OK, OK, ALARM, OK),
    ("- - - - 0", OK, OK, ALARM, OK),
    ("- - - - X", INSUFFICIENT, RETAIN, ALARM, OK),
]


def _cases(table, m):
    for row in table:
        for treatment, expected in zip(("missing", "ignore", "breaching", "notBreaching"), row[1:]):
            yield pytest.param(row[0].split(), m, treatment, expected, id=f"{m}of3-{row[0]}-{treatment}")


@pytest.mark.parametrize("points,m,treatment,expected", [*_cases(TABLE_3_OF_3, 3), *_cases(TABLE_2_OF_3, 2)])
@pytest.mark.parametrize("current", [OK, ALARM])
def test_documented_missing_data_tables(points, m, treatment, expected, current):
    result = alarms.evaluate_points(points, m, 3, treatment, current_state=current)
    assert result.state == (current if expected == RETAIN else expected)
    assert len(result.evaluated) == 3  # "the number of datapoints evaluated is equal to Evaluation Periods"


def test_treatment_is_not_used_when_enough_real_points():
    # Fourth row of the first table: three real points among the five, so the setting is ignored.
    result = alarms.evaluate_points("0 X X - X".split(), 3, 3, "notBreaching")
    assert result.state == ALARM and not result.used_treatment and result.evaluated == ["X", "X", "X"]


def test_figure_example_three_of_three_over_time():
    # "Using Amazon CloudWatch alarms": threshold 3, M = N = 3; ALARM in periods 3-5, OK at period
    # 6 when the value dips, and a single breach in period 9 leaves it OK.
    values = [2, 2, 4, 4, 4, 2, 2, 2, 4, 2]  # breaching in periods 3, 4, 5 and 9 (1-based)
    cfg = AlarmConfig(threshold=3, comparison="GreaterThanThreshold", evaluation_periods=3)
    states = [alarms.evaluate(cfg, values[: i + 1]).state for i in range(len(values))]
    assert states[3] == OK and states[4] == ALARM  # three breaching periods in a row: ALARM at period 5
    assert states[5] == OK  # period 6 dips below the threshold
    assert states[8] == OK  # period 9 breaches once only


def test_m_out_of_n_need_not_be_consecutive():
    cfg = AlarmConfig(threshold=250, comparison="GreaterThanThreshold", evaluation_periods=5, datapoints_to_alarm=3)
    result = alarms.evaluate(cfg, [100, 100, 320, 140, 310, 330, 135])
    assert result.state == ALARM and result.breaching == 3
    assert "3 out of the last 5 datapoints" in result.reason


def test_comparison_operators_and_boundaries():
    assert alarms.breaches(5, 5, "GreaterThanOrEqualToThreshold")
    assert not alarms.breaches(5, 5, "GreaterThanThreshold")
    assert alarms.breaches(4, 5, "LessThanThreshold") and alarms.breaches(5, 5, "LessThanOrEqualToThreshold")
    with pytest.raises(ValueError):
        AlarmConfig(threshold=1, comparison="LessThanLowerOrGreaterThanUpperThreshold", evaluation_periods=1)


def test_dynamodb_alarms_always_ignore_missing_data():
    cfg = AlarmConfig(threshold=1, comparison="GreaterThanOrEqualToThreshold", evaluation_periods=3,
                      treat_missing_data="breaching", namespace="AWS/DynamoDB")
    assert alarms.evaluate(cfg, [None] * 5, current_state=OK).state == OK


def test_invalid_settings_are_refused():
    with pytest.raises(ValueError):
        AlarmConfig(threshold=1, comparison="GreaterThanThreshold", evaluation_periods=2, datapoints_to_alarm=3)
    with pytest.raises(ValueError):  # period under an hour: N x Period may not exceed one day
        AlarmConfig(threshold=1, comparison="GreaterThanThreshold", evaluation_periods=1441, period=60)
    with pytest.raises(ValueError):  # any period: N x Period may not exceed seven days
        AlarmConfig(threshold=1, comparison="GreaterThanThreshold", evaluation_periods=169, period=3600)
    with pytest.raises(ValueError):  # Period is 10, 20, 30 or a multiple of 60
        AlarmConfig(threshold=1, comparison="GreaterThanThreshold", evaluation_periods=1, period=45)


def test_hourly_alarms_may_evaluate_up_to_seven_days():
    # PutMetricAlarm: "An alarm's total current evaluation period can be no longer than seven days
    # ... For alarms with a period of less than one hour (3,600 seconds), the total evaluation period
    # can't be longer than one day (86,400 seconds)." The simulator used to refuse anything over a day.
    AlarmConfig(threshold=1, comparison="GreaterThanThreshold", evaluation_periods=48, period=3600)
    AlarmConfig(threshold=1, comparison="GreaterThanThreshold", evaluation_periods=168, period=3600)
    AlarmConfig(threshold=1, comparison="GreaterThanThreshold", evaluation_periods=7, period=86400)
    AlarmConfig(threshold=1, comparison="GreaterThanThreshold", evaluation_periods=1440, period=60)
    AlarmConfig(threshold=1, comparison="GreaterThanThreshold", evaluation_periods=3, period=10)
    with pytest.raises(ValueError):
        AlarmConfig(threshold=1, comparison="GreaterThanThreshold", evaluation_periods=25, period=3540)


def test_period_statistics_align_to_the_period():
    end = dt.datetime(2024, 1, 1, 0, 4, 30, tzinfo=dt.timezone.utc)
    base = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
    samples = [(base + dt.timedelta(seconds=s), v) for s, v in [(5, 1), (50, 3), (65, 10), (250, 7)]]
    assert alarms.period_statistics(samples, 60, "Average", end, 5) == [2.0, 10.0, None, None, 7.0]
    assert alarms.period_statistics(samples, 60, "SampleCount", end, 5) == [2.0, 1.0, None, None, 1.0]
    assert alarms.period_statistics(samples, 120, "Maximum", end, 3) == [10.0, None, 7.0]


def test_series_from_get_metric_statistics_datapoints():
    end = dt.datetime(2024, 1, 1, 0, 4, 30, tzinfo=dt.timezone.utc)
    points = [{"Timestamp": dt.datetime(2024, 1, 1, 0, m, 5, tzinfo=dt.timezone.utc), "Sum": m} for m in (0, 3, 4)]
    assert alarms.series_from_datapoints(points, "Sum", 60, end, 5) == [0.0, None, None, 3.0, 4.0]


def test_actions_fire_on_state_changes_only():
    alarm = {"AlarmActions": ["arn:topic"], "OKActions": ["arn:ok"], "ActionsEnabled": True}
    assert alarms.actions_for(alarm, OK, ALARM) == ["arn:topic"]
    assert alarms.actions_for(alarm, ALARM, ALARM) == []
    assert alarms.actions_for({**alarm, "ActionsEnabled": False}, OK, ALARM) == []
    assert alarms.actions_for(alarm, INSUFFICIENT, OK) == ["arn:ok"]


def test_notification_message_format():
    alarm = {"AlarmName": "lat", "AlarmArn": "arn:aws:cloudwatch:us-east-1:1:alarm:lat", "MetricName": "ModelLatency",
             "Namespace": "ns", "Statistic": "Average", "Period": 60, "EvaluationPeriods": 5, "DatapointsToAlarm": 3,
             "ComparisonOperator": "GreaterThanThreshold", "Threshold": 250.0,
             "Dimensions": [{"Name": "EndpointName", "Value": "e"}]}
    subject, body = alarms.notification(alarm, OK, ALARM, "Threshold Crossed", "1", "us-east-1")
    message = json.loads(body)
    assert subject == 'ALARM: "lat" in US East (N. Virginia)'
    assert message["NewStateValue"] == ALARM and message["OldStateValue"] == OK
    assert message["Trigger"]["Dimensions"] == [{"value": "e", "name": "EndpointName"}]
