"""SageMaker Model Monitor without its container: baselines, data-quality and model-quality runs.

moto stores endpoint configs with ``DataCaptureConfig`` and the data-quality / model-quality job
DEFINITIONS, but it has no monitoring schedules and runs nothing. This runner does what the
prebuilt Model Monitor container does for one monitoring execution, honouring its processing
contract: it reads the baseline (``statistics.json``, ``constraints.json``) and the captured
records from S3 — what the container finds under ``/opt/ml/processing/baseline`` and
``/opt/ml/processing/input/endpoint`` — and writes ``statistics.json`` and
``constraint_violations.json`` back to the job's S3 output, then publishes the CloudWatch metrics
Model Monitor publishes. Labs label its results ``local``.

The documented formats it reads and writes (the facts live in ``awslabs.facts``):

- statistics.json — ``dataset.item_count``; per feature ``name``, ``inferred_type``,
  ``numerical_statistics`` (``common.num_present`` / ``num_missing``, ``mean``, ``sum``,
  ``std_dev``, ``min``, ``max``, ``distribution.kll`` with 10 ``buckets`` and a ``sketch``)
  (https://docs.aws.amazon.com/sagemaker/latest/dg/model-monitor-interpreting-statistics.html);
- constraints.json — per feature ``inferred_type``, ``completeness``, ``num_constraints``;
  ``monitoring_config`` with ``datatype_check_threshold`` and ``distribution_constraints``
  (``perform_comparison``, ``comparison_threshold`` 0.1, ``comparison_method`` ``linf_simple``)
  (https://docs.aws.amazon.com/sagemaker/latest/dg/model-monitor-byoc-constraints.html);
- constraint_violations.json — ``violations`` of ``feature_name``, ``constraint_check_type``
  (``data_type_check``, ``completeness_check``, ``baseline_drift_check``, ``missing_column_check``,
  ``extra_column_check``, ``categorical_values_check``) and ``description``
  (https://docs.aws.amazon.com/sagemaker/latest/dg/model-monitor-interpreting-violations.html);
- the baseline drift distance: "the maximum absolute difference between the cumulative distribution
  functions of two distributions" (``linf_simple``). The KLL sketch of a few hundred values keeps
  every value (a sketch only compacts beyond ``k`` items), so the distance here is the exact
  two-sample Kolmogorov-Smirnov statistic between the baseline's sketch items and the current values;
- data capture records (``captureData.endpointInput`` / ``endpointOutput``, ``eventMetadata``)
  and ground-truth records (``groundTruthData``, ``eventMetadata.eventId``), merged by
  ``inferenceId`` when the capture has one, otherwise by ``eventId``
  (https://docs.aws.amazon.com/sagemaker/latest/dg/model-monitor-model-quality-merge.html);
- model-quality ``binary_classification_metrics`` (``value`` and ``standard_deviation``) and
  ``binary_classification_constraints`` (``threshold``, ``comparison_operator``)
  (https://docs.aws.amazon.com/sagemaker/latest/dg/model-monitor-model-quality-metrics.html).

What is simplified: the report of an execution goes under ``<output>/<endpoint>/<schedule>/<execution>/``
(AWS uses the execution's scheduled hour, ``yyyy/mm/dd/hh``, which two runs of a lab share);
statistics.json's ``standard_deviation`` of model-quality metrics is ``"NaN"`` (AWS gives one only
from 200 samples up); string features and KLL compaction are not modelled.
"""
from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any, Iterable, Sequence

from awslabs import facts

COMPARISON_THRESHOLD = facts.value("model_monitor.comparison_threshold")  # 0.1 by default
DATATYPE_CHECK_THRESHOLD = facts.value("model_monitor.datatype_check_threshold")
DATA_METRICS_NAMESPACE = facts.value("model_monitor.data_metrics_namespace")
MODEL_METRICS_NAMESPACE = facts.value("model_monitor.model_metrics_namespace")
DRIFT_METRIC_PREFIX = facts.value("model_monitor.drift_metric_prefix")  # feature_baseline_drift_
VIOLATION_TYPES = facts.value("model_monitor.violation_types")
KLL_BUCKETS = 10  # "By default, we materialize the distribution in 10 buckets"
KLL_K, KLL_C = 2048, 0.64  # sketch parameters the prebuilt container reports


# -- statistics and constraints ------------------------------------------------------------------
def _number(text: str) -> float | None:
    text = text.strip()
    if text == "":
        return None
    try:
        return float(text)
    except ValueError:
        return None


def _inferred_type(values: Sequence[str]) -> str:
    present = [v.strip() for v in values if v.strip() != ""]
    if present and all(_is_int(v) for v in present):
        return "Integral"
    if present and all(_number(v) is not None for v in present):
        return "Fractional"
    return "String" if present else "Unknown"


def _is_int(text: str) -> bool:
    try:
        int(text)
        return True
    except ValueError:
        return False


def _kll(values: list[float]) -> dict:
    low, high = min(values), max(values)
    width = (high - low) / KLL_BUCKETS or 1.0
    buckets = []
    for i in range(KLL_BUCKETS):
        lower, upper = low + i * width, (high if i == KLL_BUCKETS - 1 else low + (i + 1) * width)
        last = i == KLL_BUCKETS - 1
        count = sum(1 for v in values if lower <= v < upper or (last and v == upper))
        buckets.append({"lower_bound": lower, "upper_bound": upper, "count": float(count)})
    return {"buckets": buckets, "sketch": {"parameters": {"c": KLL_C, "k": float(KLL_K)},
                                           "data": [sorted(values)]}}


def statistics(columns: dict[str, list[str]]) -> dict:
    """statistics.json for a dataset given as ``{feature: [raw values]}`` (numerical features)."""
    features = []
    item_count = max((len(v) for v in columns.values()), default=0)
    for name, raw in columns.items():
        values = [x for x in (_number(v) for v in raw) if x is not None]
        n = len(values)
        mean = sum(values) / n if n else 0.0
        std = math.sqrt(sum((v - mean) ** 2 for v in values) / n) if n else 0.0
        features.append({
            "name": name, "inferred_type": _inferred_type(raw),
            "numerical_statistics": {
                "common": {"num_present": n, "num_missing": len(raw) - n},
                "mean": mean, "sum": sum(values), "std_dev": std,
                "min": min(values) if values else 0.0, "max": max(values) if values else 0.0,
                "distribution": {"kll": _kll(values) if values else {"buckets": [], "sketch": {}}}}})
    return {"version": 0.0, "dataset": {"item_count": item_count}, "features": features}


def suggest_constraints(stats: dict) -> dict:
    """constraints.json suggested from baseline statistics (what the baselining job writes)."""
    features = []
    for feature in stats["features"]:
        common = feature["numerical_statistics"]["common"]
        total = common["num_present"] + common["num_missing"]
        features.append({"name": feature["name"], "inferred_type": feature["inferred_type"],
                         "completeness": common["num_present"] / total if total else 0.0,
                         "num_constraints": {"is_non_negative": feature["numerical_statistics"]["min"] >= 0}})
    return {"version": 0.0, "features": features, "monitoring_config": {
        "evaluate_constraints": "Enabled", "emit_metrics": "Enabled",
        "datatype_check_threshold": DATATYPE_CHECK_THRESHOLD, "domain_content_threshold": DATATYPE_CHECK_THRESHOLD,
        "distribution_constraints": {"perform_comparison": "Enabled", "comparison_threshold": COMPARISON_THRESHOLD,
                                     "comparison_method": "linf_simple"}}}


def suggest_baseline(header: Sequence[str], rows: Iterable[Sequence[str]]) -> tuple[dict, dict]:
    """(statistics.json, constraints.json) of a headered CSV's rows: the baselining job."""
    columns: dict[str, list[str]] = {name: [] for name in header}
    for row in rows:
        for name, value in zip(header, row):
            columns[name].append(value)
    stats = statistics(columns)
    return stats, suggest_constraints(stats)


def linf_simple(baseline: Sequence[float], current: Sequence[float]) -> float:
    """The maximum absolute difference between the two empirical cumulative distribution functions."""
    if not baseline or not current:
        return 0.0
    a, b = sorted(baseline), sorted(current)
    i = j = 0
    distance = 0.0
    while i < len(a) or j < len(b):
        x = min(a[i] if i < len(a) else math.inf, b[j] if j < len(b) else math.inf)
        while i < len(a) and a[i] <= x:
            i += 1
        while j < len(b) and b[j] <= x:
            j += 1
        distance = max(distance, abs(i / len(a) - j / len(b)))
    return distance


def _sketch_items(feature: dict) -> list[float]:
    sketch = feature.get("numerical_statistics", {}).get("distribution", {}).get("kll", {}).get("sketch", {})
    return [v for level in sketch.get("data", []) for v in level]


def evaluate(baseline_stats: dict, constraints: dict, current_stats: dict) -> tuple[list[dict], dict[str, float]]:
    """The violations of ``constraints`` by the current dataset, and each feature's drift distance."""
    config = constraints.get("monitoring_config", {})
    distribution = config.get("distribution_constraints", {})
    threshold = float(distribution.get("comparison_threshold", COMPARISON_THRESHOLD))
    compare = distribution.get("perform_comparison", "Enabled") == "Enabled"
    base = {f["name"]: f for f in baseline_stats.get("features", [])}
    current = {f["name"]: f for f in current_stats.get("features", [])}
    wanted = {f["name"]: f for f in constraints.get("features", [])}
    violations, distances = [], {}
    if len(current) < len(wanted):
        violations.append({"feature_name": ",".join(sorted(set(wanted) - set(current))),
                           "constraint_check_type": "missing_column_check",
                           "description": f"There are missing columns in current dataset. Number of columns in "
                                          f"current dataset: {len(current)}, Number of columns in baseline "
                                          f"constraints: {len(wanted)}"})
    if len(current) > len(wanted):
        violations.append({"feature_name": ",".join(sorted(set(current) - set(wanted))),
                           "constraint_check_type": "extra_column_check",
                           "description": f"There are extra columns in current dataset. Number of columns in "
                                          f"current dataset: {len(current)}, Number of columns in baseline "
                                          f"constraints: {len(wanted)}"})
    for name, rule in wanted.items():
        feature = current.get(name)
        if feature is None:
            continue
        if rule.get("inferred_type") and feature["inferred_type"] != rule["inferred_type"] and not (
                rule["inferred_type"] == "Fractional" and feature["inferred_type"] == "Integral"):
            violations.append({"feature_name": name, "constraint_check_type": "data_type_check",
                               "description": f"Data type match requirement is not met. Expected data type: "
                                              f"{rule['inferred_type']}, Observed: {feature['inferred_type']}"})
        common = feature["numerical_statistics"]["common"]
        total = common["num_present"] + common["num_missing"]
        completeness = common["num_present"] / total if total else 0.0
        if completeness < float(rule.get("completeness", 0.0)):
            violations.append({"feature_name": name, "constraint_check_type": "completeness_check",
                               "description": f"Data completeness requirement is not met. Expected: "
                                              f"{rule['completeness']}, Observed: {completeness}"})
        if compare and name in base:
            distance = linf_simple(_sketch_items(base[name]), _sketch_items(feature))
            distances[name] = distance
            if distance > threshold:
                violations.append({"feature_name": name, "constraint_check_type": "baseline_drift_check",
                                   "description": f"Baseline drift distance: {distance} exceeds threshold: "
                                                  f"{threshold}"})
    return violations, distances


# -- captured records ------------------------------------------------------------------------------
def capture_records(text: str) -> list[dict]:
    """The JSON Lines of one data-capture file."""
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _decoded(entry: dict) -> str:
    import base64

    data = entry.get("data", "")
    return base64.b64decode(data).decode() if entry.get("encoding") == "BASE64" else data


def capture_rows(records: Iterable[dict]) -> list[list[str]]:
    """The CSV rows the endpoint received (one request may carry several lines)."""
    rows = []
    for record in records:
        entry = (record.get("captureData") or {}).get("endpointInput")
        if not entry:
            continue
        rows += [line.split(",") for line in _decoded(entry).splitlines() if line.strip()]
    return rows


def capture_predictions(records: Iterable[dict]) -> list[tuple[str, float]]:
    """``(merge key, probability)`` of each captured request with an output (one line each)."""
    found = []
    for record in records:
        entry = (record.get("captureData") or {}).get("endpointOutput")
        if not entry:
            continue
        meta = record.get("eventMetadata") or {}
        key = meta.get("inferenceId") or meta.get("eventId")
        value = _decoded(entry).strip().splitlines()[0]
        try:
            found.append((key, float(value)))
        except ValueError:
            found.append((key, float(json.loads(value)["predictions"][0])))
    return found


def ground_truth_record(event_id: str, label: int | str) -> dict:
    """One ground-truth record in Model Monitor's documented merge format."""
    return {"groundTruthData": {"data": str(label), "encoding": "CSV"},
            "eventMetadata": {"eventId": event_id}, "eventVersion": "0"}


def merge(predictions: Iterable[tuple[str, float]], ground_truth: Iterable[dict]) -> list[tuple[float, int]]:
    """``(probability, label)`` pairs joined on the capture's inferenceId/eventId (unmatched dropped)."""
    labels = {}
    for record in ground_truth:
        key = (record.get("eventMetadata") or {}).get("eventId")
        labels[key] = int(float((record.get("groundTruthData") or {}).get("data", "0")))
    return [(p, labels[key]) for key, p in predictions if key in labels]


# -- model quality -----------------------------------------------------------------------------------
def _auc(pairs: Sequence[tuple[float, int]]) -> float:
    """Area under the ROC curve: the probability that a random positive outranks a random negative."""
    pos = [p for p, y in pairs if y == 1]
    neg = [p for p, y in pairs if y == 0]
    if not pos or not neg:
        return float("nan")
    wins = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def binary_classification_metrics(pairs: Sequence[tuple[float, int]], threshold: float = 0.5) -> dict:
    """``binary_classification_metrics`` of statistics.json for (probability, label) pairs."""
    tp = sum(1 for p, y in pairs if p >= threshold and y == 1)
    fp = sum(1 for p, y in pairs if p >= threshold and y == 0)
    tn = sum(1 for p, y in pairs if p < threshold and y == 0)
    fn = sum(1 for p, y in pairs if p < threshold and y == 1)
    n = len(pairs)

    def ratio(a, b):
        return a / b if b else float("nan")

    precision, recall = ratio(tp, tp + fp), ratio(tp, tp + fn)
    f1 = ratio(2 * precision * recall, precision + recall) if tp else 0.0
    values = {"accuracy": ratio(tp + tn, n), "precision": precision, "recall": recall, "f1": f1,
              "auc": _auc(pairs), "true_positive_rate": recall, "true_negative_rate": ratio(tn, tn + fp),
              "false_positive_rate": ratio(fp, fp + tn), "false_negative_rate": ratio(fn, fn + tp)}
    metrics: dict[str, Any] = {"confusion_matrix": {"0": {"0": tn, "1": fp}, "1": {"0": fn, "1": tp}}}
    metrics.update({k: {"value": v, "standard_deviation": "NaN"} for k, v in values.items()})
    return metrics


def model_quality_constraints(metrics: dict, margin: float = 0.0) -> dict:
    """``binary_classification_constraints`` from baseline metrics: quality may not fall below the
    baseline (less ``margin``) nor error rates rise above it (plus ``margin``)."""
    below = ("accuracy", "precision", "recall", "f1", "auc")
    constraints = {k: {"threshold": round(metrics[k]["value"] - margin, 4), "comparison_operator": "LessThanThreshold"}
                   for k in below}
    constraints["false_positive_rate"] = {"threshold": round(metrics["false_positive_rate"]["value"] + margin, 4),
                                          "comparison_operator": "GreaterThanThreshold"}
    return {"version": 0.0, "binary_classification_constraints": constraints}


def model_quality_violations(metrics: dict, constraints: dict) -> list[dict]:
    violations = []
    for name, rule in (constraints.get("binary_classification_constraints") or {}).items():
        value = (metrics.get(name) or {}).get("value")
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue
        op, limit = rule.get("comparison_operator"), float(rule["threshold"])
        broken = value < limit if op == "LessThanThreshold" else value > limit if op == "GreaterThanThreshold" else False
        if broken:
            violations.append({"constraint_check_type": op, "metric_name": name,
                               "description": f"Metric {name} with {value} was {op} '{limit}'"})
    return violations


# -- S3 helpers ---------------------------------------------------------------------------------------
def _split(uri: str) -> tuple[str, str]:
    if not uri.startswith("s3://"):
        raise ValueError(f"not an S3 URI: {uri!r}")
    bucket, _, key = uri[5:].partition("/")
    return bucket, key


def read_json(s3, uri: str) -> dict:
    bucket, key = _split(uri)
    return json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())


def read_text(s3, uri: str) -> str:
    bucket, key = _split(uri)
    return s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode()


def write_json(s3, uri: str, document: dict) -> None:
    bucket, key = _split(uri)
    s3.put_object(Bucket=bucket, Key=key, Body=(json.dumps(document, indent=2) + "\n").encode(),
                  ContentType="application/json")


def report_prefix(output_uri: str, endpoint: str, schedule: str, execution: str) -> str:
    return f"{output_uri.rstrip('/')}/{endpoint}/{schedule}/{execution}"


# -- one monitoring execution ----------------------------------------------------------------------------
def _dimensions(endpoint: str, schedule: str) -> list[dict]:
    return [{"Name": "Endpoint", "Value": endpoint}, {"Name": "MonitoringSchedule", "Value": schedule}]


def run_data_quality(s3, cloudwatch, definition: dict, capture_uris: Sequence[str], *, schedule: str,
                     execution: str, when: dt.datetime) -> dict:
    """One data-quality monitoring execution of a ``DescribeDataQualityJobDefinition`` response over
    the given capture files. Writes statistics.json and constraint_violations.json under the job's
    output and (``emit_metrics``) publishes the per-feature metrics. Returns what it did."""
    baseline = definition.get("DataQualityBaselineConfig") or {}
    stats_uri = (baseline.get("StatisticsResource") or {}).get("S3Uri")
    constraints_uri = (baseline.get("ConstraintsResource") or {}).get("S3Uri")
    if not stats_uri or not constraints_uri:
        raise ValueError("the job definition names no baseline statistics and constraints")
    baseline_stats, constraints = read_json(s3, stats_uri), read_json(s3, constraints_uri)
    endpoint = definition["DataQualityJobInput"]["EndpointInput"]["EndpointName"]
    output = definition["DataQualityJobOutputConfig"]["MonitoringOutputs"][0]["S3Output"]["S3Uri"]
    records = [r for uri in capture_uris for r in capture_records(read_text(s3, uri))]
    rows = capture_rows(records)
    names = [f["name"] for f in constraints.get("features", [])]
    width = max((len(r) for r in rows), default=len(names))
    header = names + [f"_c{i}" for i in range(len(names), width)]  # extra columns get positional names
    columns = {name: [r[i] if i < len(r) else "" for r in rows] for i, name in enumerate(header)}
    current = statistics(columns)
    violations, distances = evaluate(baseline_stats, constraints, current)
    prefix = report_prefix(output, endpoint, schedule, execution)
    write_json(s3, f"{prefix}/statistics.json", current)
    write_json(s3, f"{prefix}/constraint_violations.json", {"violations": violations})
    published = []
    if constraints.get("monitoring_config", {}).get("emit_metrics", "Enabled") == "Enabled":
        data = []
        for feature in current["features"]:
            name = feature["name"]
            common = feature["numerical_statistics"]["common"]
            data.append({"MetricName": f"feature_non_null_{name}", "Dimensions": _dimensions(endpoint, schedule),
                         "Timestamp": when, "Value": float(common["num_present"])})
            if name in distances:
                data.append({"MetricName": f"{DRIFT_METRIC_PREFIX}{name}", "Dimensions": _dimensions(endpoint, schedule),
                             "Timestamp": when, "Value": distances[name]})
        for start in range(0, len(data), 20):
            cloudwatch.put_metric_data(Namespace=DATA_METRICS_NAMESPACE, MetricData=data[start:start + 20])
        published = [d["MetricName"] for d in data]
    return {"report": prefix, "records": len(records), "rows": len(rows), "distances": distances,
            "violations": violations, "metrics": published}


def run_model_quality(s3, cloudwatch, definition: dict, capture_uris: Sequence[str], ground_truth_uris: Sequence[str],
                      *, schedule: str, execution: str, when: dt.datetime) -> dict:
    """One model-quality monitoring execution of a ``DescribeModelQualityJobDefinition`` response:
    merge the captured predictions with the ground truth, compute the metrics, compare them with the
    baseline constraints, write the reports and publish the metrics."""
    spec = definition["ModelQualityJobInput"]["EndpointInput"]
    threshold = float(spec.get("ProbabilityThresholdAttribute", 0.5))
    constraints_uri = ((definition.get("ModelQualityBaselineConfig") or {}).get("ConstraintsResource") or {}).get("S3Uri")
    constraints = read_json(s3, constraints_uri) if constraints_uri else {}
    output = definition["ModelQualityJobOutputConfig"]["MonitoringOutputs"][0]["S3Output"]["S3Uri"]
    records = [r for uri in capture_uris for r in capture_records(read_text(s3, uri))]
    truth = [r for uri in ground_truth_uris for r in capture_records(read_text(s3, uri))]
    pairs = merge(capture_predictions(records), truth)
    metrics = binary_classification_metrics(pairs, threshold)
    violations = model_quality_violations(metrics, constraints)
    prefix = report_prefix(output, spec["EndpointName"], schedule, execution)
    write_json(s3, f"{prefix}/statistics.json", {"version": 0.0, "dataset": {"item_count": len(pairs)},
                                                 "binary_classification_metrics": metrics})
    write_json(s3, f"{prefix}/constraint_violations.json", {"version": 0.0, "violations": violations})
    data = [{"MetricName": name, "Dimensions": _dimensions(spec["EndpointName"], schedule), "Timestamp": when,
             "Value": metrics[name]["value"]}
            for name in ("accuracy", "precision", "recall", "f1", "auc") if not math.isnan(metrics[name]["value"])]
    if data:
        cloudwatch.put_metric_data(Namespace=MODEL_METRICS_NAMESPACE, MetricData=data)
    return {"report": prefix, "merged": len(pairs), "captured": len(records), "labels": len(truth),
            "metrics": {k: metrics[k]["value"] for k in ("accuracy", "auc", "f1")}, "violations": violations}


__all__ = ["statistics", "suggest_constraints", "suggest_baseline", "linf_simple", "evaluate", "capture_records",
           "capture_rows", "capture_predictions", "ground_truth_record", "merge", "binary_classification_metrics",
           "model_quality_constraints", "model_quality_violations", "run_data_quality", "run_model_quality",
           "report_prefix", "read_json", "write_json", "COMPARISON_THRESHOLD", "DATA_METRICS_NAMESPACE",
           "MODEL_METRICS_NAMESPACE", "DRIFT_METRIC_PREFIX", "VIOLATION_TYPES"]
