"""Evidence for the MLA-C01 questions of domain 1 (data preparation) and domain 2 (model
development): each function computes a question's key with the code the labs use — awslabs'
simulators (S3 lifecycle and restores, EBS and FSx for Lustre limits, Lake Formation grants,
DeepAR's data format, SageMaker tuning requests, GPU sizing), its local runners (DMS table
mappings, Firehose prefixes, streaming windows, classification and forecast metrics) or numpy on a
data set the labs load (the scikit-learn digits for PCA, the wine data for correlations).

Names start with ``prep_`` so that they cannot collide with other topic modules' functions.
Options that name several alternatives (configurations, requests, records) are keyed in
``params`` by a label, and each option's ``value`` is that label; a function returns the labels
its computation selects.
"""
from __future__ import annotations

import datetime as dt
import functools
import importlib.util
import json
import os

from .evidence import evidence

_EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)


def _want(q, default: str) -> str:
    return str(q.params.get("want", default))


# -- S3 lifecycle and restores (awslabs.sim.lifecycle) -----------------------------------------
def _rule(spec: dict, index: int) -> dict:
    """A lifecycle rule from a compact spec: transitions [[class, days], ...], expiration days,
    noncurrent transitions/expiration, prefix."""
    rule: dict = {"ID": spec.get("id", f"rule-{index}"), "Status": "Enabled",
                  "Filter": {"Prefix": spec.get("prefix", "")}}
    if spec.get("transitions"):
        rule["Transitions"] = [{"StorageClass": c, "Days": int(d)} for c, d in spec["transitions"]]
    if "expiration" in spec:
        rule["Expiration"] = {"Days": int(spec["expiration"])}
    if spec.get("noncurrent_transitions"):
        rule["NoncurrentVersionTransitions"] = [{"StorageClass": c, "NoncurrentDays": int(d)}
                                                for c, d in spec["noncurrent_transitions"]]
    if "noncurrent_expiration" in spec:
        rule["NoncurrentVersionExpiration"] = {"NoncurrentDays": int(spec["noncurrent_expiration"])}
    return rule


@evidence
def prep_lifecycle_verdict(q) -> set[str]:
    """Which one-rule lifecycle configurations S3 refuses (``want = "refused"``) or accepts."""
    from ..sim import lifecycle

    refused = _want(q, "refused") == "refused"
    out = set()
    for label, spec in q.params["configs"].items():
        bad = bool(lifecycle.errors({"Rules": [_rule(spec, 0)]}))
        if bad == refused:
            out.add(label)
    return out


@evidence
def prep_lifecycle_class_on_day(q) -> set[str]:
    """The storage class an object is in on a given day under a set of rules ("EXPIRED" once
    removed), simulated day by day from its creation."""
    from ..sim import lifecycle

    rules = [_rule(spec, i) for i, spec in enumerate(q.params["rules"])]
    obj = lifecycle.S3Object.of(q.params.get("key", "data/object"), int(q.params.get("size_bytes", 10 * 1024**2)),
                                _EPOCH)
    line = lifecycle.timeline({"Rules": rules}, [obj], versioned=bool(q.params.get("versioned", False)))[0]
    return {line.class_on(int(q.params["day"])) or "EXPIRED"}


@evidence
def prep_restore_verdict(q) -> set[str]:
    """Which RestoreObject requests ([storage class, tier]) S3 accepts (or refuses)."""
    from ..sim.lifecycle import check_restore

    accepted = _want(q, "accepted") == "accepted"
    return {label for label, (storage_class, tier) in q.params["requests"].items()
            if (check_restore(storage_class, tier) is None) == accepted}


# -- EBS and FSx for Lustre (awslabs.sim.storage_io) --------------------------------------------
@evidence
def prep_ebs_request_verdict(q) -> set[str]:
    """Which CreateVolume requests ({type, size, iops, throughput}) EC2 accepts (or refuses)."""
    from ..sim.storage_io import validate_volume

    accepted = _want(q, "accepted") == "accepted"
    out = set()
    for label, r in q.params["requests"].items():
        ok = not validate_volume(r["type"], int(r["size"]), r.get("iops"), r.get("throughput"))
        if ok == accepted:
            out.add(label)
    return out


@evidence
def prep_lustre_capacity_for(q) -> set[str]:
    """The smallest valid FSx for Lustre SSD capacity (GiB) that holds a data set."""
    from ..sim.storage_io import next_lustre_capacity

    return {str(next_lustre_capacity(q.params["deployment"], float(q.params["need_gib"])))}


# -- Lake Formation (awslabs.sim.lakeformation) ---------------------------------------------------
def _lf_grant(g: dict, db: str, table: str) -> dict:
    principal = {"DataLakePrincipalIdentifier": g["principal"]}
    if "tag_expression" in g:
        resource = {"LFTagPolicy": {"ResourceType": "TABLE", "Expression": [
            {"TagKey": k, "TagValues": list(v)} for k, v in g["tag_expression"].items()]}}
    elif "columns" in g:
        resource = {"TableWithColumns": {"DatabaseName": db, "Name": table, "ColumnNames": list(g["columns"])}}
    elif "exclude" in g:
        resource = {"TableWithColumns": {"DatabaseName": db, "Name": table,
                                         "ColumnWildcard": {"ExcludedColumnNames": list(g["exclude"])}}}
    elif g.get("database"):
        resource = {"Database": {"Name": db}}
    else:
        resource = {"Table": {"DatabaseName": db, "Name": table}}
    return {"Principal": principal, "Resource": resource, "Permissions": list(g.get("permissions", ["SELECT"]))}


@evidence
def prep_lf_visible_columns(q) -> set[str]:
    """The columns a principal's query returns under Lake Formation grants and LF-tags, joined
    with commas in table order (or "none")."""
    from ..sim.lakeformation import LakePolicy

    p = q.params
    db, table = p.get("database", "lake"), p.get("table", "t")
    policy = LakePolicy.from_api(
        {"DataLakeAdmins": [{"DataLakePrincipalIdentifier": a} for a in p.get("admins", [])]},
        [_lf_grant(g, db, table) for g in p["grants"]],
        {(db, table): list(p["columns"])},
        table_tags={(db, table): [{"TagKey": k, "TagValues": [v]} for k, v in p.get("table_tags", {}).items()]},
        column_tags={(db, table): [{"Name": c, "LFTags": [{"TagKey": k, "TagValues": [v]} for k, v in tags.items()]}
                                   for c, tags in p.get("column_tags", {}).items()]},
    )
    visible = policy.visible_columns(p["principal"], db, table)
    return {",".join(visible) or "none"}


# -- Ingestion runners: DMS table mappings, Firehose prefixes (awslabs.local) --------------------
@evidence
def prep_dms_selected_tables(q) -> set[str]:
    """The tables a DMS task's selection rules migrate, joined with commas in source order."""
    from ..local.dms import selected_tables

    rules = []
    for i, (action, schema, table) in enumerate(q.params["rules"], start=1):
        rules.append({"rule-type": "selection", "rule-id": str(i), "rule-name": str(i), "rule-action": action,
                      "object-locator": {"schema-name": schema, "table-name": table}})
    picked = selected_tables({"rules": rules}, q.params["schema"], list(q.params["tables"]))
    return {",".join(picked) or "none"}


@evidence
def prep_firehose_prefix(q) -> set[str]:
    """The S3 key prefix Firehose writes for an object whose oldest record arrived at a time."""
    from ..local.firehose import evaluate_prefix

    when = dt.datetime.fromisoformat(q.params["arrival"].replace("Z", "+00:00"))
    return {evaluate_prefix(q.params["prefix"], when)}


@evidence
def prep_firehose_prefix_verdict(q) -> set[str]:
    """Which (prefix, error output prefix) pairs Firehose refuses (or accepts)."""
    from ..local.firehose import validate_prefixes

    refused = _want(q, "refused") == "refused"
    return {label for label, (prefix, error_prefix) in q.params["configs"].items()
            if bool(validate_prefixes(prefix, error_prefix)) == refused}


# -- Streaming windows (awslabs.local.stream_sql, DuckDB) ------------------------------------------
@evidence
def prep_tumbling_windows(q) -> set[str]:
    """Tumbling windows closed after the events seen so far: the count of events in each closed
    window of one key, as "start=count" pairs joined with commas ("none" when none closed)."""
    from ..local.stream_sql import MicroBatchQuery

    query = MicroBatchQuery(window_seconds=int(q.params["window_seconds"]))
    day = dt.datetime(2026, 1, 1)
    events = [{"key": q.params.get("key", "k"), "ts": day + dt.timedelta(seconds=int(s)), "value": 1.0}
              for s in q.params["event_seconds"]]
    closed = query.add_batch(events)
    parts = [f"{int((w['window_start'] - day).total_seconds())}={w['events']}" for w in closed]
    return {",".join(parts) or "none"}


# -- DeepAR's data format (awslabs.sim.deepar_format) -------------------------------------------
@evidence
def prep_deepar_record_verdict(q) -> set[str]:
    """Which JSON Lines records DeepAR accepts (or refuses) for a time_freq."""
    from ..sim.deepar_format import validate_dataset

    valid = _want(q, "valid") == "valid"
    freq = q.params.get("time_freq")
    return {label for label, line in q.params["records"].items()
            if validate_dataset(line, time_freq=freq).ok == valid}


@evidence
def prep_deepar_hyperparameter_verdict(q) -> set[str]:
    """Which hyperparameter sets DeepAR refuses (or accepts)."""
    from ..sim.deepar_format import validate_hyperparameters

    refused = _want(q, "refused") == "refused"
    base = dict(q.params.get("base", {}))
    out = set()
    for label, change in q.params["variants"].items():
        hps = {**base, **change}
        for key in [k for k, v in hps.items() if v == "-"]:  # "-" removes a key
            del hps[key]
        if bool(validate_hyperparameters(hps)) == refused:
            out.add(label)
    return out


@evidence
def prep_deepar_test_length(q) -> set[str]:
    """Which test-series length the documented train/test split accepts for a training series."""
    from ..sim.deepar_format import validate_split

    n, horizon = int(q.params["train_length"]), int(q.params["prediction_length"])
    series = [float(i % 7) for i in range(max(int(c) for c in q.params["candidates"]) + n)]
    train = [{"start": "2026-01-01 00:00:00", "target": series[:n]}]
    return {str(c) for c in q.params["candidates"]
            if not validate_split(train, [{"start": "2026-01-01 00:00:00", "target": series[:int(c)]}], horizon)}


# -- Data sets the labs load (numpy) ---------------------------------------------------------------
def _sklearn_data(name: str) -> str:
    """A data file that ships with scikit-learn, found without importing scikit-learn (slow)."""
    spec = importlib.util.find_spec("sklearn")
    return os.path.join(os.path.dirname(spec.origin), "datasets", "data", name)


@functools.lru_cache(maxsize=1)
def _digits_variance() -> tuple[float, ...]:
    """The digits' explained-variance ratios: covariance eigenvalues over their sum, as the
    dimension-reduction lab checks PCA's explained_variance_ratio_."""
    import numpy as np

    data = np.loadtxt(_sklearn_data("digits.csv.gz"), delimiter=",")
    eigen = np.linalg.eigvalsh(np.cov(data[:, :-1], rowvar=False))[::-1].clip(min=0)
    return tuple(float(v) for v in eigen / eigen.sum())


@evidence
def prep_pca_components_for(q) -> set[str]:
    """How many principal components of the 64-pixel digits keep a share of the variance."""
    target, total = float(q.params["variance"]), 0.0
    for k, ratio in enumerate(_digits_variance(), start=1):
        total += ratio
        if total >= target - 1e-12:
            return {str(k)}
    return {"64"}


WINE_FEATURES = ("alcohol", "malic_acid", "ash", "alcalinity_of_ash", "magnesium", "total_phenols", "flavanoids",
                 "nonflavanoid_phenols", "proanthocyanins", "color_intensity", "hue",
                 "od280/od315_of_diluted_wines", "proline")


@functools.lru_cache(maxsize=1)
def _wine():
    import numpy as np

    return np.loadtxt(_sklearn_data("wine_data.csv"), delimiter=",", skiprows=1)[:, :13]


@evidence
def prep_wine_strongest_pair(q) -> set[str]:
    """Of several pairs of wine measurements, the one with the largest absolute Pearson r."""
    import numpy as np

    data = _wine()
    corr = np.corrcoef(data, rowvar=False)

    def r(pair):
        a, b = (WINE_FEATURES.index(name) for name in pair)
        return abs(corr[a, b])

    pairs = q.params["pairs"]
    return {max(pairs, key=lambda label: r(pairs[label]))}


def _skew(x) -> float:
    import numpy as np

    x = np.asarray(x, dtype=float)
    d = x - x.mean()
    return float((d**3).mean() / (d**2).mean() ** 1.5)


_TRANSFORMS = {
    "none": lambda x: x,
    "log": lambda x: __import__("numpy").log(x),
    "sqrt": lambda x: __import__("numpy").sqrt(x),
    "square": lambda x: x**2,
    "minmax": lambda x: (x - x.min()) / (x.max() - x.min()),
    "zscore": lambda x: (x - x.mean()) / x.std(),
}


@evidence
def prep_least_skewed(q) -> set[str]:
    """Of several transformations of a feature, the one whose result is least skewed
    (smallest absolute Fisher-Pearson skewness)."""
    import numpy as np

    x = np.asarray(q.params["values"], dtype=float)
    skews = {label: abs(round(_skew(_TRANSFORMS[name](x)), 6)) for label, name in q.params["transforms"].items()}
    best = min(skews.values())
    return {label for label, s in skews.items() if s == best}


@evidence
def prep_iqr_outliers(q) -> set[str]:
    """The values a box plot marks as outliers: beyond 1.5 x IQR from the quartiles (numpy's
    linear percentiles, as pandas and matplotlib use)."""
    import numpy as np

    x = np.asarray(q.params["values"], dtype=float)
    q1, q3 = np.percentile(x, [25, 75])
    low, high = q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1)
    return {f"{v:g}" for v in x if v < low or v > high}


# -- Tuning requests and GPU sizing (awslabs.sim.sagemaker_requests, gpu_instances) --------------
def _tuning_request(strategy: str, ranges: dict, early_stopping: str | None = None,
                    max_jobs: int | None = 20) -> dict:
    config = {"Strategy": strategy,
              "ResourceLimits": {"MaxParallelTrainingJobs": 2},
              "HyperParameterTuningJobObjective": {"Type": "Maximize", "MetricName": "validation:auc"},
              "ParameterRanges": ranges}
    if max_jobs is not None:
        config["ResourceLimits"]["MaxNumberOfTrainingJobs"] = max_jobs
    if early_stopping:
        config["TrainingJobEarlyStoppingType"] = early_stopping
    return {
        "HyperParameterTuningJobName": "exam-tuning",
        "HyperParameterTuningJobConfig": config,
        "TrainingJobDefinition": {
            "AlgorithmSpecification": {
                "TrainingImage": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1",
                "TrainingInputMode": "File"},
            "RoleArn": "arn:aws:iam::123456789012:role/exam-sagemaker",
            "OutputDataConfig": {"S3OutputPath": "s3://exam-bucket/tuning/"},
            "ResourceConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 10},
            "StoppingCondition": {"MaxRuntimeInSeconds": 3600}},
    }


def _range(spec: dict) -> tuple[str, dict]:
    kind = {"continuous": "ContinuousParameterRanges", "integer": "IntegerParameterRanges",
            "categorical": "CategoricalParameterRanges"}[spec["kind"]]
    if spec["kind"] == "categorical":
        return kind, {"Name": spec["name"], "Values": [str(v) for v in spec["values"]]}
    out = {"Name": spec["name"], "MinValue": str(spec["min"]), "MaxValue": str(spec["max"])}
    if "scaling" in spec:
        out["ScalingType"] = spec["scaling"]
    return kind, out


@evidence
def prep_tuning_verdict(q) -> set[str]:
    """Which tuning-job variants (strategy, ranges, early stopping, job count) SageMaker refuses
    (or accepts), by the API model and the documented tuning rules."""
    from ..sim.sagemaker_requests import validate_tuning_job

    refused = _want(q, "refused") == "refused"
    out = set()
    for label, variant in q.params["variants"].items():
        ranges: dict = {}
        for spec in variant["ranges"]:
            kind, item = _range(spec)
            ranges.setdefault(kind, []).append(item)
        max_jobs = variant.get("max_jobs", 20)
        request = _tuning_request(variant.get("strategy", "Bayesian"), ranges, variant.get("early_stopping"),
                                  None if max_jobs == "omit" else int(max_jobs))
        if bool(validate_tuning_job(request)) == refused:
            out.add(label)
    return out


@evidence
def prep_grid_jobs(q) -> set[str]:
    """How many training jobs a Grid tuning job runs: the distinct combinations of its values."""
    from ..sim.sagemaker_requests import grid_size

    ranges = {"CategoricalParameterRanges": [{"Name": n, "Values": [str(v) for v in vals]}
                                             for n, vals in q.params["values"].items()]}
    return {str(grid_size(ranges))}


@evidence
def prep_gpu_smallest_fit(q) -> set[str]:
    """The instance with the fewest accelerators (then least memory) built for the workload's
    purpose whose accelerator memory holds the model (16 bytes/parameter to train with Adam in
    mixed precision, 2 to serve in fp16) and meets its network and CUDA needs."""
    from ..sim.gpu_instances import Workload, smallest_fit

    p = q.params
    fit = smallest_fit(Workload(p.get("description", ""), float(p["parameters_billion"]), bool(p["training"]),
                                float(p.get("min_network_gbps", 0)), bool(p.get("needs_cuda", True))),
                       p.get("family"))
    return {fit.name if fit else "none"}


# -- Model evaluation (awslabs.local.classification_metrics, seasonal_forecast) ------------------
@evidence
def prep_roc_auc(q) -> set[str]:
    """ROC AUC of scores against labels (trapezoids over every distinct threshold), rounded."""
    from ..local.classification_metrics import roc_auc

    return {f"{roc_auc(q.params['y_true'], q.params['scores']):.{int(q.params.get('digits', 2))}f}"}


@evidence
def prep_best_threshold(q) -> set[str]:
    """Of candidate thresholds, the one with the highest precision among those keeping recall at
    or above a floor (or the highest F1 when no floor is given)."""
    from ..local.classification_metrics import threshold_table

    rows = threshold_table(q.params["y_true"], q.params["scores"], [float(t) for t in q.params["thresholds"]])
    floor = q.params.get("min_recall")
    if floor is None:
        best = max(rows, key=lambda r: (r.f1, r.threshold))
    else:
        ok = [r for r in rows if r.recall >= float(floor) - 1e-12]
        best = max(ok, key=lambda r: (r.precision, r.threshold))
    return {f"{best.threshold:g}"}


@evidence
def prep_forecast_better(q) -> set[str]:
    """Which of several forecasts scores best (lowest) on a metric: "rmse" or "wql" at a quantile."""
    from ..local.seasonal_forecast import rmse, weighted_quantile_loss

    actual = [list(map(float, q.params["actual"]))]
    metric = q.params["metric"]

    def score(pred):
        if metric == "rmse":
            return rmse(actual, [pred])
        return weighted_quantile_loss(actual, [pred], float(q.params["tau"]))

    forecasts = q.params["forecasts"]
    return {min(forecasts, key=lambda label: score(list(map(float, forecasts[label]))))}
