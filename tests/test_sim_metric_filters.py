"""Filter-pattern cases from "Filter pattern syntax" and "Using filter patterns to match terms in
JSON log events" (docs.aws.amazon.com/AmazonCloudWatch/latest/logs/), replayed on
awslabs.sim.metric_filters."""
from __future__ import annotations

import json

import pytest

from awslabs.sim import metric_filters as mf

EVENT = json.dumps({
    "eventType": "UpdateTrail", "sourceIPAddress": "123.123.1.7", "arrayKey": ["value", "another value"],
    "objectList": [{"name": "a", "id": 1}, {"name": "b", "id": 2}], "SomeObject": None, "ThisFlag": True,
    "latency": 812, "status": 500, "model": "churn-v2",
})


@pytest.mark.parametrize("pattern,expected", [
    ('{ $.eventType = "UpdateTrail" }', True),
    ("{ $.eventType = UpdateTrail }", True),
    ("{ $.eventType != UpdateTrail }", False),
    ("{ $.sourceIPAddress != 123.123.* }", False),
    ("{ $.sourceIPAddress = 123.123.* }", True),
    ('{ $.arrayKey[0] = "value" }', True),
    ("{ $.objectList[1].id = 2 }", True),
    ("{ $.SomeObject IS NULL }", True),
    ("{ $.ThisFlag IS TRUE }", True),
    ("{ $.ThisFlag IS FALSE }", False),
    ("{ $.nothing NOT EXISTS }", True),
    ("{ $.latency EXISTS }", True),
    ("{ $.latency > 500 }", True),
    ("{ $.latency >= 812 && $.status = 500 }", True),
    ("{ $.latency < 500 || $.status = 200 }", False),
    ("{ ($.latency < 500 || $.status = 500) && $.model = churn-* }", True),
    ("{ $.status > 400 && $.model = \"churn-v1\" }", False),
    ("{ $.eventType > 5 }", False),  # numeric comparison on a string never matches
    ("{ $.missing = 1 }", False),
])
def test_json_patterns(pattern, expected):
    assert mf.matches(pattern, EVENT) is expected


def test_json_pattern_never_matches_plain_text():
    assert not mf.matches("{ $.status = 500 }", "ERROR status=500")


@pytest.mark.parametrize("pattern,message,expected", [
    ("", "anything", True),
    ("ERROR", "[ERROR] model timed out", True),
    ("ERROR", "error lower case", False),  # terms are case-sensitive
    ("ERROR timeout", "[ERROR] model timeout", True),
    ("ERROR timeout", "[ERROR] model failed", False),
    ('"drift warning"', "feature drift warning: age", True),
    ('"drift warning"', "warning: drift", False),
    ("?ERROR ?WARN", "WARN slow", True),
    ("?ERROR ?WARN", "INFO fine", False),
    ("ERROR -DEBUG", "ERROR DEBUG trace", False),
])
def test_term_patterns(pattern, message, expected):
    assert mf.matches(pattern, message) is expected


def test_bad_patterns_are_refused():
    for pattern in ("{ $.a = 1", "{ a = 1 }", "{ $.a ~ 1 }", "[ip, user]", "{ $.a > \"x\" }"):
        with pytest.raises(ValueError):
            mf.matches(pattern, EVENT)


def test_metric_datapoints_values_and_default():
    events = [
        {"timestamp": 1, "message": json.dumps({"status": 500, "latency": 900})},
        {"timestamp": 2, "message": json.dumps({"status": 200, "latency": 100})},
        {"timestamp": 3, "message": json.dumps({"status": 503})},
        {"timestamp": 4, "message": "not json"},
    ]
    count = mf.metric_datapoints("{ $.status >= 500 }", {"metricValue": "1", "defaultValue": 0}, events)
    assert [(p.timestamp_ms, p.value) for p in count] == [(1, 1.0), (2, 0.0), (3, 1.0), (4, 0.0)]
    latency = mf.metric_datapoints("{ $.status >= 500 }", {"metricValue": "$.latency"}, events)
    assert [(p.timestamp_ms, p.value) for p in latency] == [(1, 900.0)]  # event 3 has no latency: nothing
