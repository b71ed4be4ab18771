"""A local SageMaker Clarify processing container: bias metrics and exact SHAP attributions.

moto stores a processing job (``CreateProcessingJob``) and reports it Completed, but runs nothing.
This runner honours the Clarify container's contract instead: it reads the job's inputs named
``analysis_config`` and ``dataset`` from S3, computes what the configuration asks for and writes
``analysis.json`` (and ``explanations_shap/out.csv``) under the output named ``analysis_result`` —
the documented names and shapes (``awslabs.facts``: clarify.*). Checks label its results ``local``.

- Pre-training metrics (CI, DPL, KL, JS, LP, TVD, KS) use the observed labels, with AWS's facet
  convention: facet d = the rows whose facet value is in ``value_or_threshold`` (or above the
  threshold for a numeric facet), facet a = the rest.
- Post-training metrics (DPPL, DI, AD, RD, TE) use the predicted labels
  of the model named in ``predictor.model_name``: Clarify would create a shadow endpoint from it;
  here the model's artefact (a logistic model written by :func:`linear_model_artefact`) is scored
  in-process. The other documented codes (CDDL, DCAcc, DCR, SD, DAR, DRR, CDDPL, FT, GE) are accepted
  in the configuration but not computed locally: ``not_computed_locally`` lists them.
- SHAP: Clarify approximates Shapley values with Kernel SHAP (``num_samples`` coalitions); with at
  most a handful of features this runner enumerates every coalition, so its values are the exact
  interventional Shapley values Kernel SHAP converges to: the value of a coalition S is the mean
  model output over the baseline rows with the features in S set to the explained row's values.
"""
from __future__ import annotations

import csv
import io
import itertools
import json
import math
import tarfile
from math import factorial
from typing import Any, Sequence

from awslabs.sim import clarify_config

# The formulas implemented below are registered as facts clarify.pre_training_formulas and
# clarify.post_training_formulas (AWS's metric pages); tests/test_local_clarify.py holds them to
# hand-computed values.
MAX_EXACT_FEATURES = 10  # 2^10 coalitions per row: exact enumeration stays cheap

DESCRIPTIONS = {
    "CI": "Class Imbalance (CI)", "DPL": "Difference in Positive Proportions in Labels (DPL)",
    "KL": "Kullback-Liebler Divergence (KL)", "JS": "Jensen-Shannon Divergence (JS)",
    "LP": "L-p Norm (LP)", "TVD": "Total Variation Distance (TVD)", "KS": "Kolmogorov-Smirnov Distance (KS)",
    "DPPL": "Difference in Positive Proportions in Predicted Labels (DPPL)", "DI": "Disparate Impact (DI)",
    "RD": "Recall Difference (RD)",
    "AD": "Accuracy Difference (AD)", "TE": "Treatment Equality (TE)",
}
LOCAL_PRE = ("CI", "DPL", "KL", "JS", "LP", "TVD", "KS")
LOCAL_POST = ("DPPL", "DI", "AD", "RD", "TE")


class ClarifyError(Exception):
    """The job fails, with the reason a Clarify job would give."""


# -- facets and labels ----------------------------------------------------------------------------------
def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def selects(values: Sequence[Any], value_or_threshold: Any) -> list[bool]:
    """Which rows a list of values selects (facet d, positive labels), compared as text so that the
    configuration's 1 matches the CSV's "1". Numeric facet thresholds are not run locally."""
    wanted = value_or_threshold if isinstance(value_or_threshold, list) else [value_or_threshold]
    as_text = {_text(w) for w in wanted}
    return [_text(v) in as_text for v in values]


def label_positive(values: Sequence[Any], label_values_or_threshold: Any) -> list[bool]:
    """Positive outcomes: the listed label values, or (a bare number) the labels above the threshold."""
    if _is_number(label_values_or_threshold):
        return [float(v) > float(label_values_or_threshold) for v in values]
    return selects(values, label_values_or_threshold)


def _text(value: Any) -> str:
    if _is_number(value) and float(value).is_integer():
        return str(int(value))
    try:
        number = float(value)
        return str(int(number)) if number.is_integer() else str(number)
    except (TypeError, ValueError):
        return str(value)


# -- the metrics, as AWS's formulas -------------------------------------------------------------------
def _share(flags: Sequence[bool]) -> float:
    return sum(flags) / len(flags) if flags else float("nan")


def _kl(p: Sequence[float], q: Sequence[float]) -> float:
    total = 0.0
    for pi, qi in zip(p, q):
        if pi == 0:
            continue
        if qi == 0:
            return float("inf")
        total += pi * math.log(pi / qi)
    return total


def pre_training_metrics(labels_positive: Sequence[bool], facet_d: Sequence[bool],
                         wanted: Sequence[str] = LOCAL_PRE) -> dict[str, float]:
    """The pre-training metrics on the observed (binary) labels; facet d = ``facet_d`` rows."""
    a = [y for y, d in zip(labels_positive, facet_d) if not d]
    d = [y for y, dd in zip(labels_positive, facet_d) if dd]
    na, nd = len(a), len(d)
    if not na or not nd:
        raise ClarifyError(f"the facet splits the data into {na} rows (facet a) and {nd} rows (facet d): "
                           "bias metrics need both")
    qa, qd = _share(a), _share(d)
    pa, pd = (1 - qa, qa), (1 - qd, qd)  # Pa(y), Pd(y) over y in (0, 1)
    mix = tuple((x + y) / 2 for x, y in zip(pa, pd))
    every = {
        "CI": (na - nd) / (na + nd),
        "DPL": qa - qd,
        "KL": _kl(pa, pd),
        "JS": 0.5 * (_kl(pa, mix) + _kl(pd, mix)),
        "LP": math.sqrt(sum((x - y) ** 2 for x, y in zip(pa, pd))),
        "TVD": 0.5 * sum(abs(x - y) for x, y in zip(pa, pd)),
        "KS": max(abs(x - y) for x, y in zip(pa, pd)),
    }
    return {m: every[m] for m in wanted if m in every}


def _confusion(y: Sequence[bool], yhat: Sequence[bool]) -> dict[str, int]:
    tp = sum(1 for t, p in zip(y, yhat) if t and p)
    fp = sum(1 for t, p in zip(y, yhat) if not t and p)
    fn = sum(1 for t, p in zip(y, yhat) if t and not p)
    tn = sum(1 for t, p in zip(y, yhat) if not t and not p)
    return {"TP": tp, "FP": fp, "FN": fn, "TN": tn}


def _ratio(num: float, den: float) -> float:
    if den == 0:
        return float("inf") if num else float("nan")
    return num / den


def post_training_metrics(labels_positive: Sequence[bool], predicted_positive: Sequence[bool],
                          facet_d: Sequence[bool], wanted: Sequence[str] = LOCAL_POST) -> dict[str, float]:
    """The post-training metrics from each facet's confusion matrix (observed vs predicted)."""
    ya = [y for y, d in zip(labels_positive, facet_d) if not d]
    yd = [y for y, d in zip(labels_positive, facet_d) if d]
    pa = [p for p, d in zip(predicted_positive, facet_d) if not d]
    pd = [p for p, d in zip(predicted_positive, facet_d) if d]
    if not ya or not yd:
        raise ClarifyError("the facet leaves facet a or facet d empty: bias metrics need both")
    ca, cd = _confusion(ya, pa), _confusion(yd, pd)
    qa_hat, qd_hat = _share(pa), _share(pd)

    def acc(c):
        return (c["TP"] + c["TN"]) / sum(c.values())

    def recall(c):
        return _ratio(c["TP"], c["TP"] + c["FN"])

    every = {
        "DPPL": qa_hat - qd_hat,
        "DI": _ratio(qd_hat, qa_hat),
        "AD": acc(ca) - acc(cd),
        "RD": recall(ca) - recall(cd),
        "TE": _ratio(cd["FN"], cd["FP"]) - _ratio(ca["FN"], ca["FP"]),
    }
    return {m: every[m] for m in wanted if m in every}


# -- SHAP --------------------------------------------------------------------------------------------------
def exact_shap(predict, rows, baseline) -> tuple[list[list[float]], float]:
    """Exact interventional Shapley values of ``predict`` (rows -> outputs) for each row against the
    baseline rows: phi_i = sum over coalitions S without i of |S|!(M-|S|-1)!/M! [v(S+i) - v(S)], where
    v(S) is the mean output over baseline rows with the features in S taken from the row.
    Returns (one list of M values per row, v(empty) = the expected value)."""
    import numpy as np

    x = np.asarray(rows, dtype=float)
    base = np.asarray(baseline, dtype=float)
    n, m = x.shape
    if base.ndim != 2 or base.shape[1] != m:
        raise ClarifyError(f"the SHAP baseline has {base.shape[-1] if base.ndim else 0} values per row; "
                           f"the model takes {m} features")
    if m > MAX_EXACT_FEATURES:
        raise ClarifyError(f"{m} features: exact enumeration is for at most {MAX_EXACT_FEATURES}")
    value: dict[tuple[int, ...], Any] = {}
    for size in range(m + 1):
        for coalition in itertools.combinations(range(m), size):
            mask = np.zeros(m, dtype=bool)
            mask[list(coalition)] = True
            # every row x every baseline row: features in the coalition from the row, others from the baseline
            mixed = np.where(mask, x[:, None, :], base[None, :, :]).reshape(-1, m)
            value[coalition] = np.asarray(predict(mixed), dtype=float).reshape(n, len(base)).mean(axis=1)
    phi = np.zeros((n, m))
    for i in range(m):
        others = [j for j in range(m) if j != i]
        for size in range(m):
            weight = factorial(size) * factorial(m - size - 1) / factorial(m)
            for coalition in itertools.combinations(others, size):
                with_i = tuple(sorted(coalition + (i,)))
                phi[:, i] += weight * (value[with_i] - value[coalition])
    return phi.tolist(), float(value[()][0])


def aggregate(local: Sequence[Sequence[float]], method: str = "mean_abs") -> list[float]:
    """Global SHAP values from local ones (``agg_method``)."""
    import numpy as np

    values = np.asarray(local, dtype=float)
    if method == "mean_abs":
        return np.abs(values).mean(axis=0).tolist()
    if method == "median":
        return np.median(values, axis=0).tolist()
    if method == "mean_sq":
        return (values ** 2).mean(axis=0).tolist()
    raise ClarifyError(f"unknown agg_method {method!r}")


# -- the model a shadow endpoint would serve -------------------------------------------------------------
def linear_model_artefact(features: Sequence[str], coef: Sequence[float], intercept: float) -> bytes:
    """A ``model.tar.gz`` holding ``model.json``: a logistic model (score = sigmoid(w.x + b))."""
    body = json.dumps({"type": "logistic", "features": list(features), "coef": [float(c) for c in coef],
                       "intercept": float(intercept)}).encode()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        info = tarfile.TarInfo("model.json")
        info.size = len(body)
        tar.addfile(info, io.BytesIO(body))
    return buffer.getvalue()


def read_model_artefact(data: bytes) -> dict:
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        member = tar.extractfile("model.json")
        if member is None:
            raise ClarifyError("model.tar.gz has no model.json")
        return json.loads(member.read())


def score(model: dict, rows) -> list[float]:
    """What the model's endpoint answers for CSV rows: the probability of the positive label."""
    import numpy as np

    x = np.asarray(rows, dtype=float)
    if x.ndim != 2 or x.shape[1] != len(model["features"]):
        raise ClarifyError(f"the model expects {len(model['features'])} features per row "
                           f"({', '.join(model['features'])}), got {x.shape[-1] if x.ndim else 0}")
    z = x @ np.asarray(model["coef"]) + model["intercept"]
    return (1 / (1 + np.exp(-z))).tolist()


# -- the processing job -------------------------------------------------------------------------------
def _s3_get(s3, uri: str) -> bytes:
    from .s3io import split_uri

    bucket, key = split_uri(uri)
    if key.endswith("/") or not key:
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix=key).get("Contents", [])
                if not o["Key"].endswith("/")]
        if not keys:
            raise ClarifyError(f"nothing under {uri}")
        return b"".join(s3.get_object(Bucket=bucket, Key=k)["Body"].read() for k in sorted(keys))
    try:
        return s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    except Exception as err:  # noqa: BLE001 - NoSuchKey: the job fails with ClientError
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix=key).get("Contents", [])]
        if keys:  # S3Prefix: the URI is a prefix of one object
            return s3.get_object(Bucket=bucket, Key=sorted(keys)[0])["Body"].read()
        raise ClarifyError(f"ClientError: cannot read {uri}: {err}") from err


def read_csv(data: bytes, headers: Sequence[str] | None) -> tuple[list[str], list[list[str]]]:
    rows = [r for r in csv.reader(io.StringIO(data.decode("utf-8"))) if r]
    if headers is None:  # documented: without headers, Clarify reads them from the dataset
        return rows[0], rows[1:]
    if rows and len(rows[0]) != len(headers):
        raise ClarifyError(f"headers name {len(headers)} columns; the dataset has {len(rows[0])}")
    return list(headers), rows


def _column(headers: Sequence[str], name_or_index: Any) -> int:
    if isinstance(name_or_index, int) and not isinstance(name_or_index, bool):
        return name_or_index
    if name_or_index not in headers:
        raise ClarifyError(f"column {name_or_index!r} is not in the headers {list(headers)}")
    return list(headers).index(name_or_index)


def _entries(values: dict[str, float]) -> list[dict]:
    return [{"name": name, "description": DESCRIPTIONS[name], "value": _json_number(v)} for name, v in values.items()]


def _json_number(value: float):
    return None if value is None or (isinstance(value, float) and (math.isnan(value) or math.isinf(value))) else value


def _model_input(rows, feature_index, headers) -> list[list[float]]:
    """The CSV rows the shadow endpoint receives, as the numbers a numeric model parses."""
    try:
        return [[float(r[i]) for i in feature_index] for r in rows]
    except ValueError:
        bad = next(i for i in feature_index if not all(_parses(r[i]) for r in rows))
        raise ClarifyError(f"the model endpoint cannot parse column {headers[bad]!r} (e.g. {rows[0][bad]!r}) as a "
                           "number: exclude it with excluded_columns") from None


def _parses(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def analyse(config: dict, dataset: bytes, model: dict | None) -> tuple[dict, str | None]:
    """``analysis.json`` (Clarify's documented shape) and ``explanations_shap/out.csv`` for a dataset."""
    problems = clarify_config.validate(config)
    if problems:
        raise ClarifyError("invalid analysis configuration: " + "; ".join(problems))
    if config.get("dataset_type") != "text/csv":
        raise ClarifyError("the local Clarify runner reads text/csv datasets only")
    headers, rows = read_csv(dataset, config.get("headers"))
    methods = config["methods"]
    asked = clarify_config.requested_metrics(config)
    out: dict[str, Any] = {"version": "1.0"}
    label_index = _column(headers, config["label"]) if config.get("label") is not None else None
    excluded = {_column(headers, c) for c in config.get("excluded_columns") or []}
    feature_index = [i for i in range(len(headers)) if i != label_index and i not in excluded]
    features = [headers[i] for i in feature_index]
    predicted = None
    scores = None
    if model is not None and ("post_training_bias" in methods or "shap" in methods):
        x = _model_input(rows, feature_index, headers)
        scores = score(model, x)
        cut = float(config.get("probability_threshold", clarify_config.DEFAULT_PROBABILITY_THRESHOLD))
        predicted = [s > cut for s in scores]
    if "pre_training_bias" in methods or "post_training_bias" in methods:
        labels = [r[label_index] for r in rows]
        threshold = config["label_values_or_threshold"]
        positive = label_positive(labels, threshold)
        label_text = ",".join(_text(v) for v in threshold) if isinstance(threshold, list) else _text(threshold)
        sections = {"pre_training_bias": ("pre_training_bias_metrics", "pre_training"),
                    "post_training_bias": ("post_training_bias_metrics", "post_training")}
        for method, (key, kind) in sections.items():
            if method not in methods:
                continue
            section: dict[str, Any] = {"label": headers[label_index], "label_value_or_threshold": label_text,
                                       "facets": {}}
            for facet in config["facet"]:
                index = _column(headers, facet["name_or_index"])
                values = [r[index] for r in rows]
                groups = [facet["value_or_threshold"]] if facet.get("value_or_threshold") is not None else \
                    [[v] for v in sorted(set(values))]
                results = []
                for group in groups:
                    facet_d = selects(values, group)
                    if not any(facet_d):
                        raise ClarifyError(f"facet {headers[index]!r} value {group!r} matches no row "
                                           f"(values: {', '.join(sorted(set(values))[:6])})")
                    if kind == "pre_training":
                        metrics = pre_training_metrics(positive, facet_d, asked[kind])
                    else:
                        if predicted is None:
                            raise ClarifyError("post-training bias needs the predictor's predictions")
                        metrics = post_training_metrics(positive, predicted, facet_d, asked[kind])
                    results.append({"value_or_threshold": ",".join(_text(v) for v in group),
                                    "metrics": _entries(metrics)})
                section["facets"][headers[index]] = results
            if kind == "post_training":
                section["predicted_label"] = "predicted_label"
            skipped = [m for m in asked[kind] if m not in (LOCAL_PRE if kind == "pre_training" else LOCAL_POST)]
            if skipped:
                section["not_computed_locally"] = skipped
            out[key] = section
    local_csv = None
    if "shap" in methods:
        shap = methods["shap"]
        baseline = shap.get("baseline")
        if baseline is None:
            raise ClarifyError("this local runner needs an explicit SHAP baseline (Clarify would compute one by "
                               "K-means clustering of the dataset)")
        if isinstance(baseline, str):
            raise ClarifyError("this local runner reads the baseline from the configuration, not from S3")
        if model is None:
            raise ClarifyError("SHAP needs the predictor's model")
        x = _model_input(rows, feature_index, headers)
        local, expected = exact_shap(lambda m: score(model, m), x, baseline)
        global_values = aggregate(local, shap.get("agg_method", "mean_abs"))
        out["explanations"] = {"kernel_shap": {"label0": {
            "global_shap_values": dict(zip(features, global_values)), "expected_value": expected}}}
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(features)
        writer.writerows([[f"{v:.10g}" for v in row] for row in local])
        local_csv = buffer.getvalue()
    return out, local_csv


def run_processing_job(clients, job_name: str) -> dict:
    """Run a stored Clarify processing job locally; returns what it wrote (``{"analysis": uri, ...}``).
    Raises :class:`ClarifyError` with the reason the job would fail."""
    sm, s3 = clients.client("sagemaker"), clients.client("s3")
    job = sm.describe_processing_job(ProcessingJobName=job_name)
    problems = clarify_config.processing_job_problems(job)
    if problems:
        raise ClarifyError("; ".join(problems))
    inputs = {i["InputName"]: i["S3Input"]["S3Uri"] for i in job["ProcessingInputs"]}
    output = next(o for o in job["ProcessingOutputConfig"]["Outputs"] if o["OutputName"] == clarify_config.OUTPUT_NAME)
    try:
        config = json.loads(_s3_get(s3, inputs[clarify_config.CONFIG_INPUT_NAME]))
    except ValueError as err:
        raise ClarifyError(f"analysis_config is not JSON: {err}") from err
    dataset = _s3_get(s3, config.get("dataset_uri") or inputs[clarify_config.DATASET_INPUT_NAME])
    model = None
    predictor = config.get("predictor") or {}
    if predictor.get("model_name"):
        try:
            described = sm.describe_model(ModelName=predictor["model_name"])
        except Exception as err:  # noqa: BLE001 - a missing model fails the job
            raise ClarifyError(f"the predictor's model {predictor['model_name']} cannot be described: {err}") from err
        model = read_model_artefact(_s3_get(s3, described["PrimaryContainer"]["ModelDataUrl"]))
    analysis, local_csv = analyse(config, dataset, model)
    from .s3io import split_uri

    bucket, prefix = split_uri(output["S3Output"]["S3Uri"].rstrip("/") + "/")
    s3.put_object(Bucket=bucket, Key=f"{prefix}analysis.json", Body=json.dumps(analysis, indent=2).encode(),
                  ContentType="application/json")
    written = {"analysis": f"s3://{bucket}/{prefix}analysis.json"}
    if local_csv is not None:
        s3.put_object(Bucket=bucket, Key=f"{prefix}explanations_shap/out.csv", Body=local_csv.encode())
        written["local_shap"] = f"s3://{bucket}/{prefix}explanations_shap/out.csv"
    return written
