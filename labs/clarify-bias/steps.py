"""clarify-bias: measure bias in a credit dataset and in the model trained on it, explain the
model with SHAP, and mitigate: SageMaker Clarify's pre-training metrics (CI, DPL, KL, JS, KS),
post-training metrics (DPPL, DI, AD, RD, TE) and Kernel SHAP attributions, configured with an
``analysis_config.json`` in Clarify's documented format and run as a Clarify processing job.

moto stores the processing job (Completed at once) and the model, and runs nothing: off AWS the
local Clarify container ``awslabs.local.clarify`` runs the stored job on the lab's S3 data and
writes ``analysis.json`` where Clarify would (labelled ``local``). Every number it writes is
cross-checked here by an independent computation (pandas group-bys and confusion matrices, the
model's own outputs) and against the bias the data generator put in on purpose.
"""
from __future__ import annotations

import csv
import io
import json
import math
import time

from awslabs import labkit
from awslabs.lab import Check, StepFailed, expect
from awslabs.local import clarify
from awslabs.sim import clarify_config

# -- the task's data: a loan book where the bias is deliberate -------------------------------------------
# Historical decisions penalised zip_risk (a neighbourhood score), which the generator makes higher
# for women: the labels are biased against facet d (sex = female) through a proxy, and a model that
# uses zip_risk learns it. The expectations below follow from these parameters, not from the runner.
GENERATOR = {
    "rows": 800, "seed": 18, "female_share": 0.25,
    "zip_risk_mean": {"female": 0.7, "male": 0.3}, "zip_risk_sd": 0.15,
    "intercept": -3.0,  # log-odds of approval = intercept + sum(weight * feature)
    "weights": {"income": 0.07, "debt_ratio": -3.0, "years_employed": 0.05, "zip_risk": -2.5},
}
HEADERS = ["income", "debt_ratio", "years_employed", "zip_risk", "sex", "approved"]  # CSV column order, no header row
FEATURES = ["income", "debt_ratio", "years_employed", "zip_risk"]  # what the model takes
FAIR_FEATURES = ["income", "debt_ratio", "years_employed"]  # mitigation: the proxy removed
LABEL, POSITIVE, FACET, SENSITIVE = "approved", 1, "sex", "female"
BASELINE = {"income": 60, "debt_ratio": 0.33, "years_employed": 10, "zip_risk": 0.4}  # the median applicant
PRE_METRICS = ["CI", "DPL", "KL", "JS", "KS"]
POST_METRICS = ["DPPL", "DI", "AD", "RD", "TE"]
# What the task states: CI follows from the facet share (1 - 2 * 0.25 = 0.5); the proxy penalty makes
# facet d's approval rate lower in the labels (DPL) and in the model's predictions (DPPL, DI).
EXPECTED_CI = 1 - 2 * GENERATOR["female_share"]
CI_TOLERANCE = 0.08  # sampling noise of 800 rows
MIN_DPL, MIN_DPPL, MAX_DI = 0.10, 0.10, 0.8
STRONGEST_FEATURE = "income"  # largest weight x spread in the generator (0.07 x 15 vs 2.5 x 0.24, ...)
INSTANCE_TYPE = "ml.m5.large"
SKLEARN_REGISTRY = {  # sagemaker-scikit-learn inference image accounts (SDK image_uri_config/sklearn.json)
    "us-east-1": "683313688378", "us-east-2": "257758044811", "us-west-2": "246618743249",
    "eu-west-1": "141502667606", "eu-central-1": "492215442770",
}
TOLERANCE = 1e-6


# -- names ------------------------------------------------------------------------------------------------
def _bucket(ctx):
    return ctx.name("clarify")


def _model(ctx, fair=False):
    return ctx.name("credit-fair" if fair else "credit", max_len=63)


def _job(ctx, fair=False):
    return ctx.name("bias-fair" if fair else "bias-explain", max_len=63)


def _role(ctx):
    return ctx.name("clarify", max_len=64)


DATA_KEY = "data/loans.csv"
CONFIG_KEY = "clarify/analysis_config.json"
OUTPUT_PREFIX = "clarify/output"
FAIR_CONFIG_KEY = "clarify/fair/analysis_config.json"
FAIR_OUTPUT_PREFIX = "clarify/fair-output"


def _artefact_key(fair=False):
    return f"models/{'credit-fair' if fair else 'credit'}/model.tar.gz"


def _uri(ctx, key):
    return f"s3://{_bucket(ctx)}/{key}"


def _sklearn_image(ctx):
    account = SKLEARN_REGISTRY.get(ctx.region, SKLEARN_REGISTRY["us-east-1"])
    return f"{account}.dkr.ecr.{ctx.region}.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"


# -- the data generator and the model ------------------------------------------------------------------------
def generate_rows() -> list[list]:
    """The loan book, deterministic (fixed seed): rows in HEADERS order."""
    import numpy as np

    g = GENERATOR
    rng = np.random.default_rng(g["seed"])
    n = g["rows"]
    female = rng.random(n) < g["female_share"]
    income = np.clip(rng.normal(60, 15, n), 15, 150).round(1)
    debt = rng.uniform(0.05, 0.6, n).round(3)
    years = rng.integers(0, 21, n)
    zip_risk = np.clip(np.where(female, g["zip_risk_mean"]["female"], g["zip_risk_mean"]["male"])
                       + rng.normal(0, g["zip_risk_sd"], n), 0, 1).round(3)
    w = g["weights"]
    logit = (g["intercept"] + w["income"] * income + w["debt_ratio"] * debt + w["years_employed"] * years
             + w["zip_risk"] * zip_risk)
    approved = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return [[float(income[i]), float(debt[i]), int(years[i]), float(zip_risk[i]),
             "female" if female[i] else "male", int(approved[i])] for i in range(n)]


def _csv(rows) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode()


def train(rows, features, iterations=25) -> tuple[list[float], float]:
    """A logistic regression on the named features, fitted by Newton's method (IRLS) in numpy: the
    same maximum-likelihood fit scikit-learn's LogisticRegression makes (without its L2 penalty),
    with no heavy import."""
    import numpy as np

    x = np.asarray([[row[HEADERS.index(f)] for f in features] for row in rows], dtype=float)
    y = np.asarray([row[HEADERS.index(LABEL)] for row in rows], dtype=float)
    design = np.column_stack([np.ones(len(x)), x])
    beta = np.zeros(design.shape[1])
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-design @ beta))
        hessian = design.T @ (design * (p * (1 - p))[:, None]) + 1e-8 * np.eye(design.shape[1])
        step = np.linalg.solve(hessian, design.T @ (y - p))
        beta += step
        if np.abs(step).max() < 1e-10:
            break
    return beta[1:].tolist(), float(beta[0])


def _register_model(ctx, fair=False, features=None):
    """Train, upload the artefact and create the SageMaker model Clarify's shadow endpoint serves."""
    features = features or (FAIR_FEATURES if fair else FEATURES)
    coef, intercept = train(generate_rows(), features)
    ctx.client("s3").put_object(Bucket=_bucket(ctx), Key=_artefact_key(fair),
                                Body=clarify.linear_model_artefact(features, coef, intercept))
    sm = ctx.client("sagemaker")
    if _describe_model(ctx, _model(ctx, fair)):
        return
    ctx.track("sagemaker:model", _model(ctx, fair))
    sm.create_model(ModelName=_model(ctx, fair), ExecutionRoleArn=_role_arn(ctx),
                    PrimaryContainer={"Image": _sklearn_image(ctx), "ModelDataUrl": _uri(ctx, _artefact_key(fair))},
                    Tags=ctx.tag_list())


def _role_arn(ctx):
    return f"arn:aws:iam::{ctx.account}:role/{_role(ctx)}"


def _describe_model(ctx, name) -> dict:
    try:
        return ctx.client("sagemaker").describe_model(ModelName=name)
    except Exception as err:  # noqa: BLE001 - a missing model is a ValidationException
        if labkit.error_code(err) in ("ValidationException", "ResourceNotFound"):
            return {}
        raise


def _describe_job(ctx, name) -> dict:
    try:
        return ctx.client("sagemaker").describe_processing_job(ProcessingJobName=name)
    except Exception as err:  # noqa: BLE001 - a missing job is a ValidationException
        if labkit.error_code(err) in ("ValidationException", "ResourceNotFound"):
            return {}
        raise


def _object(ctx, key) -> bytes | None:
    if key not in labkit.object_keys(ctx, _bucket(ctx), key):
        return None
    return labkit.read_object(ctx, _bucket(ctx), key)


def _json_object(ctx, key):
    body = _object(ctx, key)
    if body is None:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return "not JSON"


def _model_features(ctx, fair=False) -> list[str] | None:
    body = _object(ctx, _artefact_key(fair))
    return clarify.read_model_artefact(body)["features"] if body else None


# -- step 1: the data and the model ------------------------------------------------------------------------
def apply_prepare(ctx):
    ctx.create_bucket(_bucket(ctx))
    ctx.client("s3").put_object(Bucket=_bucket(ctx), Key=DATA_KEY, Body=_csv(generate_rows()), ContentType="text/csv")
    # waits on AWS: the new role must be assumable by SageMaker before the model is registered
    labkit.create_service_role(ctx, _role(ctx), "sagemaker.amazonaws.com", {"clarify": [
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket"],
         "Resource": [f"arn:aws:s3:::{_bucket(ctx)}", f"arn:aws:s3:::{_bucket(ctx)}/*"]},
        {"Effect": "Allow", "Action": ["sagemaker:CreateEndpoint", "sagemaker:CreateEndpointConfig",
                                       "sagemaker:DescribeEndpoint", "sagemaker:DeleteEndpoint",
                                       "sagemaker:DeleteEndpointConfig", "sagemaker:InvokeEndpoint",
                                       "sagemaker:DescribeModel"], "Resource": "*"}]})
    _register_model(ctx)


def check_prepare(ctx):
    body = _object(ctx, DATA_KEY)
    rows = [r for r in csv.reader(io.StringIO(body.decode()))] if body else []
    shares = {v: sum(1 for r in rows if r[4] == v) / len(rows) for v in ("female", "male")} if rows else {}
    yield expect(f"the loan book is in S3: {GENERATOR['rows']} rows of {len(HEADERS)} columns, no header row, "
                 f"{GENERATOR['female_share']:.0%} women as generated",
                 len(rows) == GENERATOR["rows"] and all(len(r) == len(HEADERS) for r in rows)
                 and abs(shares.get("female", 0) - GENERATOR["female_share"]) < CI_TOLERANCE / 2,
                 f"{len(rows)} rows; shares {({k: round(v, 3) for k, v in shares.items()})}" if rows else "no data")
    model = _describe_model(ctx, _model(ctx))
    url = (model.get("PrimaryContainer") or {}).get("ModelDataUrl")
    yield expect("the model exists and its artefact takes the four features (sex is not one of them)",
                 bool(model) and url == _uri(ctx, _artefact_key()) and _model_features(ctx) == FEATURES,
                 f"{_model(ctx)}: {url or 'missing'}; features {_model_features(ctx)}")


# -- step 2: the analysis configuration ------------------------------------------------------------------
def analysis_config(ctx, fair=False, features=None) -> dict:
    """The reference configuration (Clarify's documented schema)."""
    features = features or (FAIR_FEATURES if fair else FEATURES)
    return {
        "version": "1.0",
        "dataset_type": "text/csv",
        "headers": HEADERS,
        "label": LABEL,
        "label_values_or_threshold": [POSITIVE],
        "facet": [{"name_or_index": FACET, "value_or_threshold": [SENSITIVE]}],
        "excluded_columns": [FACET] + ([c for c in FEATURES if c not in features]),
        "probability_threshold": 0.5,
        "methods": {
            "pre_training_bias": {"methods": PRE_METRICS},
            "post_training_bias": {"methods": POST_METRICS},
            "shap": {"baseline": [[BASELINE[f] for f in features]], "num_samples": 100, "agg_method": "mean_abs",
                     "save_local_shap_values": True},
            "report": {"name": "report", "title": "Loan approvals: bias and explanations"},
        },
        "predictor": {"model_name": _model(ctx, fair), "instance_type": INSTANCE_TYPE, "initial_instance_count": 1,
                      "content_type": "text/csv", "accept_type": "text/csv"},
    }


def _put_config(ctx, config, key=CONFIG_KEY):
    ctx.client("s3").put_object(Bucket=_bucket(ctx), Key=key, Body=json.dumps(config, indent=2).encode(),
                                ContentType="application/json")


def apply_analysis_config(ctx):
    _put_config(ctx, analysis_config(ctx))


def _column_name(config, name_or_index):
    headers = config.get("headers") or HEADERS
    if isinstance(name_or_index, int) and not isinstance(name_or_index, bool) and 0 <= name_or_index < len(headers):
        return headers[name_or_index]
    return name_or_index


def _asked(config, section, known):
    methods = ((config.get("methods") or {}).get(section) or {}).get("methods")
    return list(known) if methods == "all" else list(methods or [])


def check_analysis_config(ctx):
    config = _json_object(ctx, CONFIG_KEY)
    if not isinstance(config, dict):
        yield expect(f"analysis_config.json is a JSON object at s3://{_bucket(ctx)}/{CONFIG_KEY}", False,
                     "not JSON" if config == "not JSON" else "missing")
        return
    problems = clarify_config.validate(config)
    yield Check("the configuration follows Clarify's documented schema", not problems,
                "; ".join(problems) or "valid: dataset_type, headers, label, facet, methods, predictor", "simulated")
    # the task's meaning, whatever the spelling: which label values are positive, which rows are facet d
    threshold = config.get("label_values_or_threshold")
    positive = clarify.label_positive(["0", "1"], threshold) if threshold not in (None, []) else None
    facets = config.get("facet") if isinstance(config.get("facet"), list) else []
    facet = facets[0] if facets and isinstance(facets[0], dict) else {}
    facet_value = facet.get("value_or_threshold")
    facet_d = clarify.selects(["female", "male"], facet_value) if isinstance(facet_value, list) else None
    meaning = {"headers": config.get("headers") == HEADERS, "label": _column_name(config, config.get("label")) == LABEL,
               "approved=1 is positive": positive == [False, True],
               "facet": _column_name(config, facet.get("name_or_index")) == FACET,
               "facet d = female": facet_d == [True, False]}
    yield expect("label approved (1 = approved) and facet sex with facet d = female, on the task's columns",
                 all(meaning.values()), ", ".join(f"{k}: {'ok' if v else 'wrong'}" for k, v in meaning.items()))
    pre = _asked(config, "pre_training_bias", clarify_config.PRE_TRAINING_METRICS)
    post = _asked(config, "post_training_bias", clarify_config.POST_TRAINING_METRICS)
    missing = [m for m in PRE_METRICS if m not in pre] + [m for m in POST_METRICS if m not in post]
    yield expect(f"it asks for {', '.join(PRE_METRICS)} before training and {', '.join(POST_METRICS)} after",
                 not missing, f"missing: {', '.join(missing)}" if missing else "all asked for")
    shap = (config.get("methods") or {}).get("shap") or {}
    baseline = shap.get("baseline")
    wanted = [[BASELINE[f] for f in FEATURES]]
    same_baseline = isinstance(baseline, list) and len(baseline) == 1 and isinstance(baseline[0], list) \
        and len(baseline[0]) == len(FEATURES) and all(
            isinstance(v, (int, float)) and math.isclose(v, w) for v, w in zip(baseline[0], wanted[0]))
    yield expect(f"SHAP explains against the task's baseline (the median applicant {wanted[0]})", same_baseline,
                 f"baseline: {baseline!r}" if baseline is not None else
                 "no baseline: Clarify would compute one by K-means clustering, not the task's applicant")
    excluded = {_column_name(config, c) for c in config.get("excluded_columns") or []}
    sent = [h for h in (config.get("headers") or []) if h != _column_name(config, config.get("label")) and h not in excluded]
    predictor = config.get("predictor") or {}
    yield expect("the predictor is the lab's model, sent exactly the columns it takes (sex excluded)",
                 predictor.get("model_name") == _model(ctx) and sent == _model_features(ctx),
                 f"model {predictor.get('model_name')}; columns sent: {', '.join(sent)}")


# -- step 3: the processing job ------------------------------------------------------------------------
def processing_request(ctx, fair=False) -> dict:
    """The reference CreateProcessingJob request: Clarify's image and its input/output names."""
    contract = clarify_config
    return dict(
        ProcessingJobName=_job(ctx, fair), RoleArn=_role_arn(ctx),
        AppSpecification={"ImageUri": clarify_config.image_uri(ctx.region)},
        ProcessingInputs=[
            {"InputName": contract.CONFIG_INPUT_NAME, "S3Input": {
                "S3Uri": _uri(ctx, FAIR_CONFIG_KEY if fair else CONFIG_KEY), "LocalPath": contract.CONFIG_LOCAL_PATH,
                "S3DataType": "S3Prefix", "S3InputMode": "File"}},
            {"InputName": contract.DATASET_INPUT_NAME, "S3Input": {
                "S3Uri": _uri(ctx, DATA_KEY), "LocalPath": contract.DATASET_LOCAL_PATH,
                "S3DataType": "S3Prefix", "S3InputMode": "File"}}],
        ProcessingOutputConfig={"Outputs": [{"OutputName": contract.OUTPUT_NAME, "S3Output": {
            "S3Uri": _uri(ctx, FAIR_OUTPUT_PREFIX if fair else OUTPUT_PREFIX), "LocalPath": contract.OUTPUT_LOCAL_PATH,
            "S3UploadMode": "EndOfJob"}}]},
        ProcessingResources={"ClusterConfig": {"InstanceCount": 1, "InstanceType": INSTANCE_TYPE, "VolumeSizeInGB": 20}},
        StoppingCondition={"MaxRuntimeInSeconds": 1800}, Tags=ctx.tag_list())


def apply_clarify_job(ctx):
    ctx.track("sagemaker:job", _job(ctx), type="processing")
    ctx.client("sagemaker").create_processing_job(**processing_request(ctx))


def _inputs(job) -> dict[str, dict]:
    return {i.get("InputName"): i.get("S3Input") or {} for i in job.get("ProcessingInputs", [])}


def _output_uri(job) -> str | None:
    for out in (job.get("ProcessingOutputConfig") or {}).get("Outputs", []):
        if out.get("OutputName") == clarify_config.OUTPUT_NAME:
            return (out.get("S3Output") or {}).get("S3Uri")
    return None


def _covers(uri: str | None, key: str, ctx) -> bool:
    """An S3Prefix input downloads every object under the prefix: does it take ``key``?"""
    return bool(uri) and _uri(ctx, key).startswith(uri) and (uri.endswith("/") or uri == _uri(ctx, key))


def check_clarify_job(ctx):
    job = _describe_job(ctx, _job(ctx))
    if not job:
        yield expect(f"the processing job {_job(ctx)} exists", False, "missing")
        return
    problems = clarify_config.processing_job_problems(job)
    yield expect("the job runs the Clarify image with inputs analysis_config and dataset and the output "
                 "analysis_result", not problems, "; ".join(problems) or job["AppSpecification"]["ImageUri"])
    inputs = _inputs(job)
    config_in, data_in = inputs.get(clarify_config.CONFIG_INPUT_NAME, {}), inputs.get(clarify_config.DATASET_INPUT_NAME, {})
    wired = {"analysis_config → the configuration": _covers(config_in.get("S3Uri"), CONFIG_KEY, ctx),
             "dataset → the loan book": _covers(data_in.get("S3Uri"), DATA_KEY, ctx),
             "container paths": config_in.get("LocalPath") == clarify_config.CONFIG_LOCAL_PATH
             and data_in.get("LocalPath") == clarify_config.DATASET_LOCAL_PATH}
    yield expect("the inputs carry the lab's configuration and data to the paths the container reads",
                 all(wired.values()), ", ".join(f"{k}: {'ok' if v else 'wrong'}" for k, v in wired.items()))
    out = _output_uri(job) or ""
    yield expect(f"analysis_result goes to s3://{_bucket(ctx)}/{OUTPUT_PREFIX}",
                 out.rstrip("/") == _uri(ctx, OUTPUT_PREFIX), out or "no analysis_result output")


# -- step 4: the job runs --------------------------------------------------------------------------------
def _analysis_key(ctx, job) -> str | None:
    uri = _output_uri(job)
    if not uri or not uri.startswith(f"s3://{_bucket(ctx)}/"):
        return None
    return uri.split("/", 3)[3].rstrip("/") + "/analysis.json"


def _run(ctx, fair=False, runner=None):
    """Off AWS the local Clarify container runs the stored job; on AWS, wait for SageMaker's run."""
    if ctx.on_aws:
        deadline = time.monotonic() + 3600
        while time.monotonic() < deadline:
            status = _describe_job(ctx, _job(ctx, fair)).get("ProcessingJobStatus")
            if status not in ("InProgress", "Stopping"):
                break
            time.sleep(30)
        return
    try:
        (runner or clarify.run_processing_job)(ctx, _job(ctx, fair))
    except clarify.ClarifyError as err:
        raise StepFailed(f"the Clarify job {_job(ctx, fair)} failed: {err}") from err


def apply_run_analysis(ctx):
    _run(ctx)


def _analysis(ctx, fair=False) -> dict | None:
    key = _analysis_key(ctx, _describe_job(ctx, _job(ctx, fair)))
    found = _json_object(ctx, key) if key else None
    return found if isinstance(found, dict) else None


def _metrics(analysis, section) -> dict[str, float]:
    facets = ((analysis or {}).get(section) or {}).get("facets") or {}
    for entry in facets.get(FACET, []):
        if entry.get("value_or_threshold") == SENSITIVE:
            return {m["name"]: m["value"] for m in entry.get("metrics", [])}
    return {}


def _global_shap(analysis) -> dict[str, float]:
    return ((((analysis or {}).get("explanations") or {}).get("kernel_shap") or {}).get("label0") or {}).get(
        "global_shap_values") or {}


def check_run_analysis(ctx):
    label = labkit.label(ctx, "local")
    analysis = _analysis(ctx)
    if analysis is None:
        yield labkit.not_run("analysis.json under the job's analysis_result output", label)
        return
    shape = {"pre_training_bias_metrics.facets.sex[female]": sorted(_metrics(analysis, "pre_training_bias_metrics")),
             "post_training_bias_metrics.facets.sex[female]": sorted(_metrics(analysis, "post_training_bias_metrics")),
             "explanations.kernel_shap.label0.global_shap_values": sorted(_global_shap(analysis))}
    yield Check("analysis.json is in Clarify's documented shape, with the metrics and features asked for",
                shape == {"pre_training_bias_metrics.facets.sex[female]": sorted(PRE_METRICS),
                          "post_training_bias_metrics.facets.sex[female]": sorted(POST_METRICS),
                          "explanations.kernel_shap.label0.global_shap_values": sorted(FEATURES)},
                "; ".join(f"{k}: {', '.join(v) or 'missing'}" for k, v in shape.items()), label)


# -- independent computations (pandas, written apart from the runner) -----------------------------------
def _frame(ctx):
    import pandas as pd

    body = _object(ctx, DATA_KEY)
    return pd.read_csv(io.BytesIO(body), header=None, names=HEADERS)


def pre_training_audit(ctx, d_value=SENSITIVE) -> dict:
    """CI, DPL, KL, JS, KS by group-by: facet d = ``d_value`` rows, facet a = the rest."""
    import numpy as np

    df = _frame(ctx)
    group = np.where(df[FACET] == d_value, "d", "a")
    counts = df.groupby(group).size()
    rates = df.groupby(group)[LABEL].mean()  # share of approved (label 1) rows per facet
    pa = np.array([1 - rates["a"], rates["a"]])
    pd_ = np.array([1 - rates["d"], rates["d"]])
    mix = (pa + pd_) / 2

    def entropy(p):
        return float(-(p[p > 0] * np.log(p[p > 0])).sum())

    return {"na": int(counts["a"]), "nd": int(counts["d"]),
            "CI": float((counts["a"] - counts["d"]) / counts.sum()),
            "DPL": float(rates["a"] - rates["d"]),
            "KL": float((pa * np.log(pa / pd_)).sum()),
            "JS": entropy(mix) - (entropy(pa) + entropy(pd_)) / 2,  # JS as an entropy difference
            "KS": float(np.abs(np.cumsum(pa) - np.cumsum(pd_)).max())}  # KS over the CDFs


def apply_pre_training_bias(ctx, audit=pre_training_audit):
    labkit.record(ctx, "pre_training_audit", audit(ctx))


def _agree(reported: dict, audit: dict, names) -> list[str]:
    wrong = []
    for name in names:
        got, want = reported.get(name), audit.get(name)
        if got is None or want is None or not math.isclose(got, want, rel_tol=1e-6, abs_tol=TOLERANCE):
            wrong.append(f"{name}: Clarify {got} vs independent {want}")
    return wrong


def check_pre_training_bias(ctx):
    label = labkit.label(ctx, "local")
    audit = labkit.observed(ctx, "pre_training_audit")
    reported = _metrics(_analysis(ctx), "pre_training_bias_metrics")
    if audit is None or not reported:
        yield labkit.not_run("pre-training metrics cross-checked", label)
        return
    wrong = _agree(reported, audit, PRE_METRICS)
    yield Check("Clarify's CI, DPL, KL, JS and KS equal an independent group-by computation", not wrong,
                "; ".join(wrong) or ", ".join(f"{m} {reported[m]:.4f}" for m in PRE_METRICS), label)
    yield Check(f"CI shows facet d (women) under-represented as generated: 1 - 2 x {GENERATOR['female_share']} = "
                f"{EXPECTED_CI} ± {CI_TOLERANCE}", abs(reported["CI"] - EXPECTED_CI) <= CI_TOLERANCE,
                f"CI = {reported['CI']:.3f} (na {audit['na']}, nd {audit['nd']})", label)
    yield Check(f"DPL > {MIN_DPL}: the historical labels approve women less often (the zip_risk proxy)",
                reported["DPL"] > MIN_DPL and reported["KS"] > 0 and reported["JS"] > 0,
                f"DPL = {reported['DPL']:.3f}, KS = {reported['KS']:.3f}, JS = {reported['JS']:.4f}", label)


def _scores(ctx, fair=False):
    """The model's probabilities for every row, from its artefact (numpy, not the runner's scorer)."""
    import numpy as np

    model = clarify.read_model_artefact(_object(ctx, _artefact_key(fair)))
    df = _frame(ctx)
    z = df[model["features"]].to_numpy(dtype=float) @ np.asarray(model["coef"]) + model["intercept"]
    return df, 1 / (1 + np.exp(-z))


def post_training_audit(ctx, di_inverted=False) -> dict:
    """DPPL, DI, AD, RD, TE from each facet's confusion matrix (pandas crosstab)."""
    import pandas as pd

    df, probability = _scores(ctx)
    df["predicted"] = (probability > 0.5).astype(int)
    df["facet"] = (df[FACET] == SENSITIVE).map({True: "d", False: "a"})
    cm = {f: pd.crosstab(part[LABEL], part["predicted"]).reindex(index=[0, 1], columns=[0, 1], fill_value=0)
          for f, part in df.groupby("facet")}
    tp = {f: int(m.loc[1, 1]) for f, m in cm.items()}
    fp = {f: int(m.loc[0, 1]) for f, m in cm.items()}
    fn = {f: int(m.loc[1, 0]) for f, m in cm.items()}
    rate = df.groupby("facet")["predicted"].mean()
    accuracy = df.assign(hit=df["predicted"] == df[LABEL]).groupby("facet")["hit"].mean()
    di = rate["a"] / rate["d"] if di_inverted else rate["d"] / rate["a"]
    return {"DPPL": float(rate["a"] - rate["d"]), "DI": float(di), "AD": float(accuracy["a"] - accuracy["d"]),
            "RD": tp["a"] / (tp["a"] + fn["a"]) - tp["d"] / (tp["d"] + fn["d"]),
            "TE": fn["d"] / fp["d"] - fn["a"] / fp["a"]}


def apply_post_training_bias(ctx, audit=post_training_audit):
    labkit.record(ctx, "post_training_audit", audit(ctx))


def check_post_training_bias(ctx):
    label = labkit.label(ctx, "local")
    audit = labkit.observed(ctx, "post_training_audit")
    reported = _metrics(_analysis(ctx), "post_training_bias_metrics")
    if audit is None or not reported:
        yield labkit.not_run("post-training metrics cross-checked", label)
        return
    wrong = _agree(reported, audit, POST_METRICS)
    yield Check("Clarify's DPPL, DI, AD, RD and TE equal confusion matrices computed independently", not wrong,
                "; ".join(wrong) or ", ".join(f"{m} {reported[m]:.4f}" for m in POST_METRICS), label)
    yield Check(f"the model carries the bias: DPPL > {MIN_DPPL} and DI < {MAX_DI} (the task's bar)",
                reported["DPPL"] > MIN_DPPL and reported["DI"] < MAX_DI,
                f"DPPL = {reported['DPPL']:.3f}, DI = {reported['DI']:.3f}", label)


def shap_audit(ctx, log_odds=False, rows=25) -> dict:
    """f(x) - f(baseline) for the first rows, from the model directly (what SHAP values must add up to)."""
    import numpy as np

    model = clarify.read_model_artefact(_object(ctx, _artefact_key()))
    df = _frame(ctx).head(rows)
    w, b = np.asarray(model["coef"]), model["intercept"]
    z = df[FEATURES].to_numpy(dtype=float) @ w + b
    z0 = np.asarray([BASELINE[f] for f in FEATURES], dtype=float) @ w + b
    f = (lambda v: v) if log_odds else (lambda v: 1 / (1 + np.exp(-v)))
    return {"f_baseline": float(f(z0)), "differences": (f(z) - f(z0)).tolist()}


def apply_explainability(ctx, audit=shap_audit):
    labkit.record(ctx, "shap_audit", audit(ctx))


def _local_shap(ctx) -> list[list[float]]:
    body = _object(ctx, f"{OUTPUT_PREFIX}/explanations_shap/out.csv")
    if not body:
        return []
    rows = list(csv.reader(io.StringIO(body.decode())))
    return [[float(v) for v in r] for r in rows[1:] if r]


def check_explainability(ctx):
    label = labkit.label(ctx, "local")
    audit = labkit.observed(ctx, "shap_audit")
    analysis = _analysis(ctx)
    shap_global = _global_shap(analysis)
    local = _local_shap(ctx)
    if audit is None or not shap_global or not local:
        yield labkit.not_run("SHAP attributions cross-checked", label)
        return
    sums = [sum(row) for row in local[:len(audit["differences"])]]
    off = [i for i, (s, d) in enumerate(zip(sums, audit["differences"])) if not math.isclose(s, d, abs_tol=TOLERANCE)]
    yield Check("efficiency: each row's SHAP values add up to f(row) - f(baseline), computed from the model",
                len(sums) == len(audit["differences"]) and not off,
                f"rows off: {off[:5]} (e.g. {sums[off[0]]:.5f} vs {audit['differences'][off[0]]:.5f})" if off
                else f"{len(sums)} rows add up", label)
    expected = ((analysis.get("explanations") or {}).get("kernel_shap") or {}).get("label0", {}).get("expected_value")
    yield Check("the expected value is the model's output for the baseline applicant",
                expected is not None and math.isclose(expected, audit["f_baseline"], abs_tol=TOLERANCE),
                f"expected_value {expected} vs f(baseline) {audit['f_baseline']:.6f}", label)
    ranked = sorted(shap_global, key=lambda f: -abs(shap_global[f]))
    yield Check(f"the most important feature is {STRONGEST_FEATURE}, the one the generator made most predictive",
                ranked[0] == STRONGEST_FEATURE, " > ".join(f"{f} {shap_global[f]:.4f}" for f in ranked), label)


# -- step 8: mitigation ---------------------------------------------------------------------------------
def apply_mitigation(ctx, features=None):
    """Retrain without the proxy, and measure again with the same configuration pointed at the new model."""
    features = features or FAIR_FEATURES
    _register_model(ctx, fair=True, features=features)
    learner = _json_object(ctx, CONFIG_KEY)
    config = dict(learner) if isinstance(learner, dict) else analysis_config(ctx)
    fair = analysis_config(ctx, fair=True, features=features)
    config.update(excluded_columns=fair["excluded_columns"], predictor=fair["predictor"])
    config["methods"] = {**(config.get("methods") or {}),
                         "shap": {**((config.get("methods") or {}).get("shap") or {}),
                                  "baseline": fair["methods"]["shap"]["baseline"]}}
    _put_config(ctx, config, FAIR_CONFIG_KEY)
    if not _describe_job(ctx, _job(ctx, fair=True)):
        ctx.track("sagemaker:job", _job(ctx, fair=True), type="processing")
        ctx.client("sagemaker").create_processing_job(**processing_request(ctx, fair=True))
    _run(ctx, fair=True)


def check_mitigation(ctx):
    label = labkit.label(ctx, "local")
    before, after = _analysis(ctx), _analysis(ctx, fair=True)
    post_before, post_after = _metrics(before, "post_training_bias_metrics"), _metrics(after, "post_training_bias_metrics")
    if not post_before or not post_after:
        yield labkit.not_run("bias measured again after mitigation", label)
        return
    yield Check("without the proxy the model's bias moves toward 0: |DPPL| at most half, DI closer to 1",
                abs(post_after["DPPL"]) <= abs(post_before["DPPL"]) / 2
                and abs(1 - post_after["DI"]) < abs(1 - post_before["DI"]),
                f"DPPL {post_before['DPPL']:.3f} → {post_after['DPPL']:.3f}; "
                f"DI {post_before['DI']:.3f} → {post_after['DI']:.3f}", label)
    pre_before, pre_after = _metrics(before, "pre_training_bias_metrics"), _metrics(after, "pre_training_bias_metrics")
    yield Check("the data's own bias is unchanged (CI, DPL): mitigation changed the model, not the labels",
                bool(pre_after) and not _agree(pre_after, pre_before, ["CI", "DPL"]),
                f"CI {pre_after.get('CI')}, DPL {pre_after.get('DPL')}", label)
    yield Check("the retrained model no longer uses zip_risk (absent from its SHAP values)",
                "zip_risk" not in _global_shap(after) and bool(_global_shap(after)),
                ", ".join(sorted(_global_shap(after))) or "no SHAP values", label)


# -- mistakes the mutation pass makes ----------------------------------------------------------------------
def _config_with(change):
    def apply(ctx):
        config = analysis_config(ctx)
        change(config)
        _put_config(ctx, config)
    return apply


def _facet_value_not_a_list(config):
    config["facet"][0]["value_or_threshold"] = SENSITIVE


def _label_threshold_missing(config):
    del config["label_values_or_threshold"]


def _unknown_metric(config):
    config["methods"]["post_training_bias"]["methods"] = ["DPPL", "DIR", "AD", "RD", "TE"]


def _shap_without_baseline(config):
    del config["methods"]["shap"]["baseline"]


def _job_with(change):
    def apply(ctx):
        request = processing_request(ctx)
        change(request)
        ctx.track("sagemaker:job", _job(ctx), type="processing")
        ctx.client("sagemaker").create_processing_job(**request)
    return apply


def _config_input_misnamed(request):
    request["ProcessingInputs"][0]["InputName"] = "config"


def _output_misnamed(request):
    request["ProcessingOutputConfig"]["Outputs"][0]["OutputName"] = "output"


def _runner_writes_elsewhere(ctx):
    """The analysis lands under another prefix than the job's analysis_result output."""
    def runner(clients, job_name):
        config = json.loads(_object(ctx, CONFIG_KEY))
        model = clarify.read_model_artefact(_object(ctx, _artefact_key()))
        analysis, _ = clarify.analyse(config, _object(ctx, DATA_KEY), model)
        ctx.client("s3").put_object(Bucket=_bucket(ctx), Key="clarify/analysis.json", Body=json.dumps(analysis).encode())
    _run(ctx, runner=runner)


MUTATIONS = {
    "analysis_config": [
        ("the facet value given as a string, not a list", _config_with(_facet_value_not_a_list)),
        ("label_values_or_threshold left out", _config_with(_label_threshold_missing)),
        ("an unknown metric name (DIR)", _config_with(_unknown_metric)),
        ("SHAP without the task's baseline", _config_with(_shap_without_baseline)),
    ],
    "clarify_job": [
        ("the configuration input named 'config'", _job_with(_config_input_misnamed)),
        ("the output named 'output'", _job_with(_output_misnamed)),
    ],
    "run_analysis": [("analysis.json written outside the analysis_result output", _runner_writes_elsewhere)],
    "pre_training_bias": [("facets a and d swapped in the cross-check",
                           lambda ctx: apply_pre_training_bias(ctx, lambda c: pre_training_audit(c, d_value="male")))],
    "post_training_bias": [("DI computed as q'a/q'd",
                            lambda ctx: apply_post_training_bias(ctx, lambda c: post_training_audit(c, di_inverted=True)))],
    "explainability": [("f(x) - f(baseline) taken on the log-odds, not the probability Clarify explains",
                        lambda ctx: apply_explainability(ctx, lambda c: shap_audit(c, log_odds=True)))],
    "mitigation": [("sex dropped but the proxy zip_risk kept", lambda ctx: apply_mitigation(ctx, FEATURES))],
}
