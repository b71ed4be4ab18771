"""awslabs.local.model_monitor against hand-computed values and the documented formats."""
from __future__ import annotations

import datetime as dt
import json

import boto3
import pytest
from moto import mock_aws

from awslabs.local import model_monitor as mm


def test_linf_simple_is_the_largest_gap_between_the_two_cdfs():
    # baseline 1,2,3,4 and current 2,3,4,5: at x=1 the CDFs are 1/4 and 0 -> 0.25 (the deequ example)
    assert mm.linf_simple([1, 2, 3, 4], [2, 3, 4, 5]) == pytest.approx(0.25)
    # disjoint samples are as far apart as CDFs can be
    assert mm.linf_simple([1, 2], [10, 11, 12]) == pytest.approx(1.0)
    # the same sample: no distance; a repeated value counts once per occurrence
    assert mm.linf_simple([1, 2, 2, 3], [1, 2, 2, 3]) == 0.0
    assert mm.linf_simple([1, 1, 1, 2], [1, 2, 2, 2]) == pytest.approx(0.5)  # at x=1: 3/4 vs 1/4


def test_statistics_and_suggested_constraints_in_the_documented_shape():
    stats, constraints = mm.suggest_baseline(["a", "b"], [["1.5", "2"], ["2.5", "4"], ["", "6"]])
    a, b = stats["features"]
    assert stats["dataset"] == {"item_count": 3}
    assert a["inferred_type"] == "Fractional" and b["inferred_type"] == "Integral"
    assert a["numerical_statistics"]["common"] == {"num_present": 2, "num_missing": 1}
    assert a["numerical_statistics"]["mean"] == pytest.approx(2.0)
    assert b["numerical_statistics"]["sum"] == 12 and b["numerical_statistics"]["std_dev"] == pytest.approx((8 / 3) ** 0.5)
    assert len(a["numerical_statistics"]["distribution"]["kll"]["buckets"]) == 10  # "10 buckets"
    assert sum(x["count"] for x in b["numerical_statistics"]["distribution"]["kll"]["buckets"]) == 3
    assert [f["completeness"] for f in constraints["features"]] == [pytest.approx(2 / 3), 1.0]
    distribution = constraints["monitoring_config"]["distribution_constraints"]
    assert distribution == {"perform_comparison": "Enabled", "comparison_threshold": 0.1, "comparison_method": "linf_simple"}


def test_violations_drift_completeness_type_and_columns():
    base, constraints = mm.suggest_baseline(["x", "y"], [[str(i), f"{i}.5"] for i in range(10)])
    same, _ = mm.suggest_baseline(["x", "y"], [[str(i), f"{i}.5"] for i in range(10)])
    assert mm.evaluate(base, constraints, same)[0] == []
    shifted, _ = mm.suggest_baseline(["x", "y"], [[str(i + 5), f"{i}.5"] for i in range(10)])
    violations, distances = mm.evaluate(base, constraints, shifted)
    assert distances["x"] == pytest.approx(0.5) and distances["y"] == 0.0
    assert [(v["feature_name"], v["constraint_check_type"]) for v in violations] == [("x", "baseline_drift_check")]
    holes = mm.statistics({"x": [str(i) for i in range(9)] + [""], "y": ["a"] * 10})
    checks = {(v["feature_name"], v["constraint_check_type"]) for v in mm.evaluate(base, constraints, holes)[0]}
    assert ("x", "completeness_check") in checks and ("y", "data_type_check") in checks
    extra = mm.statistics({"x": ["1"], "y": ["1.5"], "z": ["2"]})
    assert "extra_column_check" in [v["constraint_check_type"] for v in mm.evaluate(base, constraints, extra)[0]]
    fewer = mm.statistics({"x": ["1"]})
    assert "missing_column_check" in [v["constraint_check_type"] for v in mm.evaluate(base, constraints, fewer)[0]]
    assert {v["constraint_check_type"] for v in violations} <= set(mm.VIOLATION_TYPES)


def test_ground_truth_merges_on_inference_id_before_event_id():
    captured = [
        {"captureData": {"endpointOutput": {"data": "0.9\n", "encoding": "CSV"}},
         "eventMetadata": {"eventId": "e1", "inferenceId": "i1"}},
        {"captureData": {"endpointOutput": {"data": "0.2\n", "encoding": "CSV"}}, "eventMetadata": {"eventId": "e2"}},
    ]
    truth = [mm.ground_truth_record("i1", 1), mm.ground_truth_record("e2", 0), mm.ground_truth_record("e1", 0)]
    assert truth[0] == {"groundTruthData": {"data": "1", "encoding": "CSV"}, "eventMetadata": {"eventId": "i1"},
                        "eventVersion": "0"}
    assert mm.merge(mm.capture_predictions(captured), truth) == [(0.9, 1), (0.2, 0)]


def test_binary_classification_metrics_by_hand():
    # threshold 0.5: predictions 1,1,0,0,1 for labels 1,0,0,1,1 -> TP 2, FP 1, TN 1, FN 1
    pairs = [(0.9, 1), (0.6, 0), (0.4, 0), (0.3, 1), (0.8, 1)]
    m = mm.binary_classification_metrics(pairs)
    assert m["confusion_matrix"] == {"0": {"0": 1, "1": 1}, "1": {"0": 1, "1": 2}}
    assert m["accuracy"]["value"] == pytest.approx(3 / 5)
    assert m["precision"]["value"] == pytest.approx(2 / 3) and m["recall"]["value"] == pytest.approx(2 / 3)
    assert m["f1"]["value"] == pytest.approx(2 / 3)
    # AUC: positives 0.9, 0.3, 0.8 vs negatives 0.6, 0.4 -> wins 2 + 0 + 2 = 4 of 6
    assert m["auc"]["value"] == pytest.approx(4 / 6)
    constraints = mm.model_quality_constraints(m, 0.05)
    assert constraints["binary_classification_constraints"]["accuracy"] == {
        "threshold": 0.55, "comparison_operator": "LessThanThreshold"}
    worse = mm.binary_classification_metrics([(0.9, 0), (0.1, 1)])
    assert [v["metric_name"] for v in mm.model_quality_violations(worse, constraints)][:1] == ["accuracy"]


def test_a_data_quality_run_reads_s3_writes_the_reports_and_publishes_metrics():
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        cw = boto3.client("cloudwatch", region_name="us-east-1")
        s3.create_bucket(Bucket="mm-bucket")
        stats, constraints = mm.suggest_baseline(["x"], [[str(i)] for i in range(10)])
        mm.write_json(s3, "s3://mm-bucket/base/statistics.json", stats)
        mm.write_json(s3, "s3://mm-bucket/base/constraints.json", constraints)
        lines = [{"captureData": {"endpointInput": {"data": str(i + 5), "encoding": "CSV", "mode": "INPUT",
                                                    "observedContentType": "text/csv"}},
                  "eventMetadata": {"eventId": f"e{i}"}, "eventVersion": "0"} for i in range(10)]
        s3.put_object(Bucket="mm-bucket", Key="cap/ep/AllTraffic/2026/12/06/07/a.jsonl",
                      Body="\n".join(json.dumps(x) for x in lines).encode())
        definition = {"DataQualityBaselineConfig": {"StatisticsResource": {"S3Uri": "s3://mm-bucket/base/statistics.json"},
                                                    "ConstraintsResource": {"S3Uri": "s3://mm-bucket/base/constraints.json"}},
                      "DataQualityJobInput": {"EndpointInput": {"EndpointName": "ep"}},
                      "DataQualityJobOutputConfig": {"MonitoringOutputs": [{"S3Output": {"S3Uri": "s3://mm-bucket/out"}}]}}
        when = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
        result = mm.run_data_quality(s3, cw, definition, ["s3://mm-bucket/cap/ep/AllTraffic/2026/12/06/07/a.jsonl"],
                                     schedule="sch", execution="run1", when=when)
        report = json.loads(s3.get_object(Bucket="mm-bucket", Key="out/ep/sch/run1/constraint_violations.json")["Body"].read())
        assert [v["constraint_check_type"] for v in report["violations"]] == ["baseline_drift_check"]
        assert result["distances"] == {"x": pytest.approx(0.5)}
        metrics = cw.list_metrics(Namespace="aws/sagemaker/Endpoints/data-metrics")["Metrics"]
        assert {m["MetricName"] for m in metrics} == {"feature_baseline_drift_x", "feature_non_null_x"}
        assert {d["Name"] for d in metrics[0]["Dimensions"]} == {"Endpoint", "MonitoringSchedule"}


def test_the_alarm_state_change_event_has_the_documented_envelope_and_matches_a_state_filter():
    from awslabs.local import events

    alarm = {"AlarmName": "drift", "Namespace": "aws/sagemaker/Endpoints/data-metrics",
             "MetricName": "feature_baseline_drift_income", "Period": 3600, "Statistic": "Maximum",
             "Dimensions": [{"Name": "Endpoint", "Value": "ep"}]}
    event = events.alarm_state_change_event(alarm, "OK", "ALARM", "Threshold Crossed", "us-east-1", "123456789012")
    assert (event["source"], event["detail-type"]) == ("aws.cloudwatch", "CloudWatch Alarm State Change")
    assert event["resources"] == ["arn:aws:cloudwatch:us-east-1:123456789012:alarm:drift"]
    assert event["detail"]["state"]["value"] == "ALARM" and event["detail"]["previousState"]["value"] == "OK"
    assert event["detail"]["configuration"]["metrics"][0]["metricStat"]["metric"]["dimensions"] == {"Endpoint": "ep"}
    pattern = {"source": ["aws.cloudwatch"], "detail-type": ["CloudWatch Alarm State Change"],
               "detail": {"alarmName": ["drift"], "state": {"value": ["ALARM"]}}}
    assert events.matches(pattern, event)
    back = events.alarm_state_change_event(alarm, "ALARM", "OK", "back", "us-east-1", "123456789012")
    assert not events.matches(pattern, back)
