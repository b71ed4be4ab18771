"""Evidence for the MLS-C01 bank: each function computes a question's key with the simulators and
local runners the labs use (``awslabs.sim``, ``awslabs.local``, ``awslabs.facts``) or with a
standard numpy / scikit-learn computation, so the key is an executable fact.

Every function takes the question and returns the set of option ``value`` strings that are right.
Inputs come from the question's ``params``; where several options are each a configuration to
judge, ``params`` maps the option's ``value`` to that configuration and the function returns the
values it finds refused (or valid, or best).
"""
from __future__ import annotations

import datetime as dt
import json
import re

from .evidence import evidence


# -- S3 lifecycle and restores (awslabs.sim.lifecycle) ------------------------------------------
def _lifecycle_config(rules: list[dict]) -> dict:
    """A boto3 lifecycle configuration from compact rules:
    ``{prefix, size_gt, transitions = [[days, class], ...], expire, id}``."""
    out = []
    for i, spec in enumerate(rules, start=1):
        if "size_gt" in spec:
            flt = {"ObjectSizeGreaterThan": int(spec["size_gt"])}
        else:
            flt = {"Prefix": spec.get("prefix", "")}
        rule = {"ID": spec.get("id", f"rule-{i}"), "Status": "Enabled", "Filter": flt}
        if spec.get("transitions"):
            rule["Transitions"] = [{"Days": int(d), "StorageClass": c} for d, c in spec["transitions"]]
        if "expire" in spec:
            rule["Expiration"] = {"Days": int(spec["expire"])}
        out.append(rule)
    return {"Rules": out}


@evidence
def lifecycle_configs_refused(q) -> set[str]:
    """Which of several lifecycle configurations PutBucketLifecycleConfiguration refuses (any
    error finding; billing warnings do not refuse). ``params.configs``: value -> compact rules."""
    from ..sim.lifecycle import errors

    return {value for value, rules in q.params["configs"].items() if errors(_lifecycle_config(rules))}


@evidence
def lifecycle_class_on_day(q) -> set[str]:
    """The storage class an object is in on day N of its life under a lifecycle configuration
    ("expired" once deleted), from the day-by-day timeline simulator (128 KB default minimum for
    transitions, two-rule IA wait, expiration wins)."""
    from ..sim.lifecycle import S3Object, timeline

    p = q.params
    obj = S3Object.of(p.get("key", "data/object"), int(p["size_bytes"]),
                      dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.timezone.utc))
    line = timeline(_lifecycle_config(p["rules"]), [obj], horizon_days=int(p["day"]) + 2)[0]
    return {line.class_on(int(p["day"])) or "expired"}


def _restore_hours(text: str) -> float:
    """The upper bound of a documented restore time ("1-5 minutes", "within 12 hours") in hours."""
    number = float(re.findall(r"\d+", text)[-1])
    return number / 60 if "minute" in text else number


@evidence
def restore_cheapest_tier_within(q) -> set[str]:
    """The cheapest retrieval tier (Bulk, then Standard, then Expedited) whose documented upper
    bound meets a deadline for an archived object; "none" when no tier does. Restore requests S3
    refuses (Expedited for Deep Archive) never qualify."""
    from ..sim.lifecycle import RESTORE_TIERS, check_restore

    storage_class, hours = q.params["storage_class"], float(q.params["deadline_hours"])
    for tier in ("Bulk", "Standard", "Expedited"):
        if check_restore(storage_class, tier) is None and _restore_hours(RESTORE_TIERS[storage_class][tier]) <= hours:
            return {tier}
    return {"none"}


# -- training data sources (awslabs.sim.storage_io) ----------------------------------------------
@evidence
def training_source_least_s3_reads(q) -> set[str]:
    """Of the candidate sources (S3 File mode, FastFile, FSx for Lustre linked to the bucket, EFS),
    the one that reads the least data out of S3 over ``runs`` training runs of ``instances``
    instances (ties: the least total wait before the first byte), per the storage model the
    fsx-lustre lab prints."""
    from ..sim.storage_io import compare_sources

    rows = compare_sources(float(q.params["dataset_gib"]), int(q.params["runs"]),
                           instances=int(q.params.get("instances", 1)),
                           efs_has_data=bool(q.params.get("efs_has_data", False)))
    allowed = set(q.params.get("candidates", [r.key for r in rows]))
    best = min((r for r in rows if r.key in allowed), key=lambda r: (r.moved_from_s3_gib, r.total_wait_s))
    return {best.key}


# -- DeepAR input (awslabs.sim.deepar_format) -----------------------------------------------------
@evidence
def deepar_records_invalid(q) -> set[str]:
    """Which candidate JSON Lines records DeepAR's documented input rules reject, for the job's
    ``time_freq`` (each record judged alone). ``params.records``: value -> one JSON line."""
    from ..sim.deepar_format import validate_record

    return {value for value, line in q.params["records"].items()
            if validate_record(json.loads(line), value, q.params.get("time_freq"))}


@evidence
def deepar_time_freq_valid(q) -> set[str]:
    """Which ``time_freq`` values DeepAR accepts (the other required hyperparameters given)."""
    from ..sim.deepar_format import validate_hyperparameters

    base = {"context_length": 30, "prediction_length": 14, "epochs": 20}
    return {value for value, freq in q.params["freqs"].items()
            if not validate_hyperparameters({**base, "time_freq": freq})}


@evidence
def deepar_test_series_valid(q) -> set[str]:
    """Which candidate test-channel series fit the documented split for a training series: the
    full series, i.e. the training series extended by ``prediction_length`` points."""
    from ..sim.deepar_format import validate_split

    train = json.loads(q.params["train"])
    return {value for value, line in q.params["tests"].items()
            if not validate_split([train], [json.loads(line)], int(q.params["prediction_length"]))}


# -- Ground Truth consolidation (awslabs.local.annotators) ---------------------------------------
@evidence
def ground_truth_consolidated_label(q) -> set[str]:
    """The label consolidation gives one object, by majority vote or by the EM (Dawid-Skene) model
    of worker accuracy that Ground Truth's built-in classification consolidation is a variant of.
    ``params.objects``: every object's answers as [[worker, label], ...]."""
    from ..local.annotators import Annotation, dawid_skene, majority_vote

    objects = [[Annotation(w, int(label)) for w, label in answers] for answers in q.params["objects"]]
    i = int(q.params["object"])
    if q.params.get("method", "dawid_skene") == "majority":
        return {str(majority_vote(objects[i]).label)}
    return {str(dawid_skene(objects, int(q.params["n_classes"]))[i].label)}


# -- classification metrics and thresholds (awslabs.local.classification_metrics) ----------------
def _labels_and_scores(p) -> tuple[list[int], list[float]]:
    return [int(v) for v in p["y_true"]], [float(s) for s in p["scores"]]


@evidence
def highest_threshold_with_recall(q) -> set[str]:
    """The highest candidate threshold that still reaches a recall target (the most precise
    operating point that misses no more positives than the business allows)."""
    from ..local.classification_metrics import threshold_table

    y, s = _labels_and_scores(q.params)
    rows = threshold_table(y, s, [float(t) for t in q.params["thresholds"]])
    ok = [r.threshold for r in rows if r.recall >= float(q.params["min_recall"]) - 1e-12]
    return {f"{max(ok):g}"} if ok else {"none"}


@evidence
def roc_auc_of_scores(q) -> set[str]:
    """ROC AUC of a scored validation set, rounded as the options give it."""
    from ..local.classification_metrics import roc_auc

    y, s = _labels_and_scores(q.params)
    return {f"{roc_auc(y, s):.{int(q.params.get('digits', 2))}f}"}


# -- data preparation and exploration (numpy, scikit-learn) ---------------------------------------
@evidence
def imputed_value(q) -> set[str]:
    """The value mean, median or mode imputation fills a column's gaps with (gaps are "NaN")."""
    import numpy as np

    values = np.array([float(v) for v in q.params["values"]])
    present = values[~np.isnan(values)]
    strategy = q.params["strategy"]
    if strategy == "mean":
        filled = float(present.mean())
    elif strategy == "median":
        filled = float(np.median(present))
    else:
        uniq, counts = np.unique(present, return_counts=True)
        filled = float(uniq[counts.argmax()])
    return {f"{filled:.{int(q.params.get('digits', 0))}f}"}


@evidence
def scaled_value(q) -> set[str]:
    """A value after min-max scaling (to [0, 1]) or standardisation (z-score, population std)
    fitted on the training column."""
    import numpy as np

    column = np.array([float(v) for v in q.params["column"]])
    x = float(q.params["x"])
    if q.params["method"] == "minmax":
        out = (x - column.min()) / (column.max() - column.min())
    else:
        out = (x - column.mean()) / column.std()
    return {f"{out:.{int(q.params.get('digits', 2))}f}"}


@evidence
def box_plot_outliers(q) -> set[str]:
    """Values a box plot draws as outliers: beyond 1.5 x IQR from the quartiles (numpy's default
    linear-interpolated percentiles, as matplotlib's boxplot uses)."""
    import numpy as np

    values = np.array([float(v) for v in q.params["values"]])
    q1, q3 = np.percentile(values, [25, 75])
    low, high = q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1)
    return {f"{v:g}" for v in values if v < low or v > high}


@evidence
def strongest_correlation(q) -> set[str]:
    """The pair of columns with the largest absolute Pearson correlation ("a-b", names sorted)."""
    import itertools

    import numpy as np

    cols = {name: np.array(values, dtype=float) for name, values in q.params["columns"].items()}
    pairs = {"-".join(sorted((a, b))): abs(float(np.corrcoef(cols[a], cols[b])[0, 1]))
             for a, b in itertools.combinations(sorted(cols), 2)}
    return {max(pairs, key=pairs.get)}


@evidence
def pca_components_for_variance(q) -> set[str]:
    """How many principal components keep a share of the variance of scikit-learn's digits (the
    dimension-reduction lab's data): the first k whose cumulative explained-variance ratio reaches
    it. Computed as the lab's check does, from the eigenvalues of the covariance matrix; the data
    file is read straight from scikit-learn's package so the key costs no scikit-learn import."""
    import importlib.util
    from pathlib import Path

    import numpy as np

    spec = importlib.util.find_spec("sklearn")
    path = Path(next(iter(spec.submodule_search_locations))) / "datasets" / "data" / "digits.csv.gz"
    X = np.loadtxt(path, delimiter=",")[:, :-1]  # the last column is the digit's label
    eigenvalues = np.sort(np.linalg.eigvalsh(np.cov(X, rowvar=False)))[::-1]
    cumulative = np.cumsum(eigenvalues) / eigenvalues.sum()
    return {str(int(np.searchsorted(cumulative, float(q.params["variance"])) + 1))}


# -- SageMaker requests (awslabs.sim.sagemaker_requests) --------------------------------------------
def _tuning_request(variant: dict) -> dict:
    """A complete CreateHyperParameterTuningJob request (script mode, the lab's objective) with a
    compact variant: strategy, ranges [[kind, name, min or values, max, scaling]], max_jobs,
    early_stopping."""
    from ..sim.sagemaker_requests import sklearn_image_uri

    ranges: dict[str, list] = {}
    for spec in variant["ranges"]:
        kind, name = spec[0], spec[1]
        if kind == "categorical":
            ranges.setdefault("CategoricalParameterRanges", []).append({"Name": name, "Values": list(spec[2])})
        else:
            key = "IntegerParameterRanges" if kind == "integer" else "ContinuousParameterRanges"
            entry = {"Name": name, "MinValue": str(spec[2]), "MaxValue": str(spec[3])}
            if len(spec) > 4:
                entry["ScalingType"] = spec[4]
            ranges.setdefault(key, []).append(entry)
    limits = {"MaxParallelTrainingJobs": 2}
    if "max_jobs" in variant:
        limits["MaxNumberOfTrainingJobs"] = int(variant["max_jobs"])
    config = {
        "Strategy": variant["strategy"],
        "HyperParameterTuningJobObjective": {"Type": "Maximize", "MetricName": "validation:auc"},
        "ResourceLimits": limits,
        "ParameterRanges": ranges,
        "TrainingJobEarlyStoppingType": variant.get("early_stopping", "Off"),
    }
    return {
        "HyperParameterTuningJobName": "mls-exam-hpo",
        "HyperParameterTuningJobConfig": config,
        "TrainingJobDefinition": {
            "AlgorithmSpecification": {
                "TrainingImage": sklearn_image_uri("us-east-1"),
                "TrainingInputMode": "File",
                "MetricDefinitions": [{"Name": "validation:auc", "Regex": "auc=([0-9.]+)"}],
            },
            "RoleArn": "arn:aws:iam::111122223333:role/sagemaker-exam",
            "OutputDataConfig": {"S3OutputPath": "s3://exam-bucket/models/"},
            "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 5},
            "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
        },
    }


@evidence
def tuning_requests_refused(q) -> set[str]:
    """Which candidate tuning-job configurations break the documented tuning rules (Grid is
    categorical only, Hyperband needs early stopping Off, scaling types need suitable ranges...)."""
    from ..sim.sagemaker_requests import validate_tuning_job

    return {value for value, variant in q.params["variants"].items()
            if validate_tuning_job(_tuning_request(variant))}


@evidence
def grid_training_jobs(q) -> set[str]:
    """How many training jobs a Grid tuning job launches for its categorical ranges."""
    from ..sim.sagemaker_requests import grid_size

    ranges = {"CategoricalParameterRanges": [{"Name": n, "Values": list(v)} for n, v in q.params["ranges"].items()]}
    return {str(grid_size(ranges))}


@evidence
def pca_hyperparameters_refused(q) -> set[str]:
    """Which candidate hyperparameter sets the built-in PCA algorithm's documented table refuses."""
    from ..sim.sagemaker_requests import validate_pca_hyperparameters

    return {value for value, hp in q.params["sets"].items() if validate_pca_hyperparameters(dict(hp))}


# -- accelerated instances (awslabs.sim.gpu_instances) ---------------------------------------------
@evidence
def smallest_accelerated_instance(q) -> set[str]:
    """The instance built for the purpose (training or inference) with the fewest accelerators, then
    the least accelerator memory, that holds the model state (16 bytes/parameter for mixed-precision
    Adam training, 2 for fp16 inference) and meets the network and CUDA needs."""
    from ..sim.gpu_instances import Workload, smallest_fit

    p = q.params
    fit = smallest_fit(Workload("exam", float(p["parameters_billion"]), bool(p["training"]),
                                float(p.get("min_network_gbps", 0)), bool(p.get("needs_cuda", True))),
                       family=p.get("family"))
    return {fit.name if fit else "none"}


# -- forecasting baselines (awslabs.local.seasonal_forecast) ----------------------------------------
@evidence
def seasonal_naive_point(q) -> set[str]:
    """The seasonal-naive forecast (the last season repeated) for step h (1-based) of the horizon."""
    from ..local.seasonal_forecast import seasonal_naive

    forecast = seasonal_naive([{"target": [float(v) for v in q.params["target"]]}],
                              int(q.params["horizon"]), season=int(q.params["season"]))
    return {f"{forecast.mean[0][int(q.params['step']) - 1]:g}"}


@evidence
def weighted_quantile_loss_lower(q) -> set[str]:
    """Which of two quantile forecasts has the lower weighted quantile loss at tau (DeepAR's metric)."""
    from ..local.seasonal_forecast import weighted_quantile_loss

    actual = [[float(v) for v in q.params["actual"]]]
    tau = float(q.params["tau"])
    losses = {name: weighted_quantile_loss(actual, [[float(v) for v in f]], tau)
              for name, f in q.params["forecasts"].items()}
    return {min(losses, key=losses.get)}
