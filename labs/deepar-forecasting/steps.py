"""DeepAR on SageMaker: the data format and split rules (validated by awslabs.sim.deepar_format), a
built-in-algorithm training job through the SDK, and quantile forecasts. The job itself only runs
on AWS (the DeepAR container cannot run locally); on moto the forecasts come from a small local
model, labelled as such, scored with DeepAR's own metrics."""
from __future__ import annotations

import datetime as dt
import functools
import json

from awslabs import labkit
from awslabs.lab import equal, expect

SERIES = 40
TRAIN_DAYS = 140
PREDICTION_LENGTH = 14
START = dt.datetime(2025, 1, 6)  # a Monday
HYPERPARAMETERS = {"time_freq": "D", "context_length": 28, "prediction_length": PREDICTION_LENGTH, "epochs": 30,
                   "likelihood": "student-T", "num_cells": 40, "num_layers": 2, "mini_batch_size": 32,
                   "learning_rate": 0.001, "early_stopping_patience": 10, "test_quantiles": "[0.1, 0.5, 0.9]"}


@functools.lru_cache(maxsize=1)
def _full_series() -> tuple[str, ...]:
    """40 related daily series (JSON, one per series): 3 store groups (cat), weekly seasonality,
    trend, a known-in-advance promotion flag (dynamic_feat) and noise."""
    import numpy as np

    rng = np.random.default_rng(42)
    n = TRAIN_DAYS + PREDICTION_LENGTH
    t = np.arange(n)
    shapes = {0: [0.8, 0.9, 1.0, 1.0, 1.1, 1.4, 1.3], 1: [1.0, 1.0, 1.0, 1.0, 1.0, 0.7, 0.6],
              2: [0.9, 1.1, 0.9, 1.1, 0.9, 1.2, 1.0]}
    out = []
    for i in range(SERIES):
        group = i % 3
        level = rng.uniform(50, 200)
        trend = rng.uniform(-0.1, 0.3)
        promo = (rng.random(n) < 0.1).astype(int)
        y = (level + trend * t) * np.array(shapes[group])[t % 7] * (1 + 0.25 * promo)
        y = y + rng.normal(scale=0.06 * level, size=n)
        start = (START + dt.timedelta(days=int(rng.integers(0, 3)) * 7)).strftime("%Y-%m-%d %H:%M:%S")
        out.append(json.dumps({"start": start, "target": [round(float(v), 2) for v in y], "cat": [group],
                               "dynamic_feat": [promo.tolist()]}))
    return tuple(out)


def _channels() -> tuple[str, str]:
    """(train.json, test.json): train drops the last prediction_length points of target and features."""
    train, test = [], []
    for line in _full_series():
        record = json.loads(line)
        test.append(json.dumps(record))
        record["target"] = record["target"][:-PREDICTION_LENGTH]
        record["dynamic_feat"] = [f[:-PREDICTION_LENGTH] for f in record["dynamic_feat"]]
        train.append(json.dumps(record))
    return "\n".join(train) + "\n", "\n".join(test) + "\n"


BROKEN = [
    {"start": "2025-01-06 00:00:00", "target": [1.0, 2.0, 3.0], "cat": [0], "dynamic_feat": [[0, 1]]},
    {"start": "06/01/2025", "target": [1.0, "NaN", 3.0], "cat": [1], "dynamic_feat": [[0, 1, 0]]},
    {"start": "2025-01-06 12:00:00", "target": [1.0, 2.0, 3.0], "cat": [-1], "dynamic_feat": [[0, 1, 0]]},
    {"start": "2025-01-06 00:00:00", "target": [1.0, "x", 3.0], "dynamic_feat": [[0, None, 0]]},
]


def _bucket(ctx):
    return ctx.name("data")


def _uri(ctx, key=""):
    return f"s3://{_bucket(ctx)}/{key}"


def _read(ctx, key):
    return ctx.client("s3").get_object(Bucket=_bucket(ctx), Key=key)["Body"].read().decode()


def apply_generate_series(ctx):
    s3 = ctx.client("s3")
    ctx.create_bucket(_bucket(ctx))
    train, test = _channels()
    s3.put_object(Bucket=_bucket(ctx), Key="deepar/train/train.json", Body=train.encode())
    s3.put_object(Bucket=_bucket(ctx), Key="deepar/test/test.json", Body=test.encode())


def check_generate_series(ctx):
    train = [json.loads(line) for line in _read(ctx, "deepar/train/train.json").splitlines()]
    test = [json.loads(line) for line in _read(ctx, "deepar/test/test.json").splitlines()]
    yield equal("train.json holds one JSON object per series", len(train), SERIES)
    yield equal("each test series is prediction_length (14) points longer than its training series",
                {len(b["target"]) - len(a["target"]) for a, b in zip(train, test)}, {PREDICTION_LENGTH})
    yield expect("records carry start, target, cat and dynamic_feat",
                 set(train[0]) == {"start", "target", "cat", "dynamic_feat"}, str(sorted(train[0])))


REPORT_KEY = "deepar/validation/report.json"
BROKEN_KEY = "deepar/validation/broken.json"
# What each broken record breaks, written down independently of the validator: the check compares
# the validator's report (as the step stored it in S3) with this list.
BROKEN_RULES = ["dynamic_feat[0] has 2 values", "'start' must be 'YYYY-MM-DD HH:MM:SS'", "not on the D grid",
                "'cat' must be an array of non-negative integers", "'target' has non-numeric values",
                "dynamic_feat[0] has missing values", "use it in all records or none"]


def apply_validate_dataset(ctx):
    from awslabs.sim.deepar_format import validate_dataset, validate_split

    s3 = ctx.client("s3")
    # the broken sample goes to S3 too, so the validator reads every channel the same way
    s3.put_object(Bucket=_bucket(ctx), Key=BROKEN_KEY,
                  Body=("\n".join(json.dumps(r) for r in BROKEN) + "\n").encode())
    freq = HYPERPARAMETERS["time_freq"]
    train = validate_dataset(_read(ctx, "deepar/train/train.json"), "train.json", time_freq=freq)
    test = validate_dataset(_read(ctx, "deepar/test/test.json"), "test.json", time_freq=freq)
    broken = validate_dataset(_read(ctx, BROKEN_KEY), "broken.json", time_freq=freq)
    report = {
        "train": train.errors, "test": test.errors, "broken": broken.errors,
        "split": validate_split(train.records, test.records, PREDICTION_LENGTH),
        "features": [train.num_cat, train.num_dynamic_feat],
        "records": {"train": len(train.records), "test": len(test.records)},
    }
    s3.put_object(Bucket=_bucket(ctx), Key=REPORT_KEY, Body=json.dumps(report, indent=1).encode())


def check_validate_dataset(ctx):
    # The report the step stored in S3 (what it produced), compared with expectations from
    # elsewhere: the task's shape (40 series, one cat, one feature) and the rules BROKEN breaks.
    report = json.loads(_read(ctx, REPORT_KEY))
    yield equal("train.json and test.json follow the DeepAR format (the validator's report in S3)",
                report["train"] + report["test"], [], verified_by="simulated")
    yield equal("the report covers every series of both channels", report["records"],
                {"train": SERIES, "test": SERIES}, verified_by="simulated")
    yield equal("one categorical feature and one dynamic feature series per record", report["features"], [1, 1],
                verified_by="simulated")
    yield equal("the split rule holds: every test series = its training series + 14 points", report["split"], [],
                verified_by="simulated")
    broken = report["broken"]
    missing = [e for e in BROKEN_RULES if not any(e in err for err in broken)]
    yield expect("the broken sample is rejected with one clear error per rule it breaks", not missing,
                 "; ".join(broken) if not missing else f"not reported: {missing}", verified_by="simulated")


def _session(ctx):
    if "sdk_session" not in ctx.state:
        from awslabs.sagemaker_sdk import sdk_session

        ctx.state["sdk_session"] = sdk_session(ctx, _bucket(ctx))
    return ctx.state["sdk_session"]


def _image(ctx):
    from awslabs.sagemaker_sdk import require_sdk

    require_sdk()
    from sagemaker.core import image_uris

    return image_uris.retrieve("forecasting-deepar", region=ctx.region)  # offline table in the SDK


def apply_submit_training_job(ctx):
    from awslabs.sagemaker_sdk import base_job_name, require_sdk

    require_sdk()
    from sagemaker.train import ModelTrainer
    from sagemaker.core.training.configs import Compute, InputData, OutputDataConfig, StoppingCondition

    from awslabs.local.sagemaker_labkit import execution_role, sdk_tags, start_training
    from awslabs.sim.deepar_format import validate_hyperparameters

    errors = validate_hyperparameters(HYPERPARAMETERS)
    if errors:
        from awslabs.lab import StepFailed

        raise StepFailed("; ".join(errors))
    role = execution_role(ctx, _bucket(ctx))
    trainer = ModelTrainer(
        sagemaker_session=_session(ctx), role=role, training_image=_image(ctx),
        base_job_name=base_job_name(ctx, "deepar"),
        compute=Compute(instance_type="ml.c5.xlarge", instance_count=1, volume_size_in_gb=5),  # CPU, as recommended
        stopping_condition=StoppingCondition(max_runtime_in_seconds=1800),
        hyperparameters=HYPERPARAMETERS,
        output_data_config=OutputDataConfig(s3_output_path=_uri(ctx, "deepar/output")),
        tags=sdk_tags(ctx),
    )
    inputs = [InputData(channel_name="train", data_source=_uri(ctx, "deepar/train/")),
              InputData(channel_name="test", data_source=_uri(ctx, "deepar/test/"))]
    job = start_training(ctx, trainer, "deepar", inputs)
    if ctx.on_aws:
        from awslabs.local.sagemaker_labkit import complete_training_job

        complete_training_job(ctx, _session(ctx), job)


def _job(ctx):
    from awslabs.local.sagemaker_labkit import bucket_created, find_training_job

    # only a job submitted after the data bucket was made: jobs cannot be deleted, so one from an
    # earlier attempt (same fixed name in practice mode) must not count
    created = bucket_created(ctx, _bucket(ctx))
    if created is None:
        raise LookupError(f"no bucket {_bucket(ctx)} yet")
    name = find_training_job(ctx, "deepar", since=created)
    if name is None:
        raise LookupError(f"no training job named {ctx.name('deepar', max_len=48)}-* created after "
                          f"the bucket {_bucket(ctx)}")
    return ctx.client("sagemaker").describe_training_job(TrainingJobName=name)


def check_submit_training_job(ctx):
    from awslabs.sim.deepar_format import validate_hyperparameters

    job = _job(ctx)
    image = job["AlgorithmSpecification"]["TrainingImage"]
    yield expect("the job runs the regional built-in DeepAR image", "forecasting-deepar" in image, image)
    hps = job.get("HyperParameters", {})
    yield equal("the required hyperparameters are set (time_freq, context_length, prediction_length, epochs)",
                validate_hyperparameters(hps), [], verified_by="simulated")
    # the data was split and gridded for these: a job forecasting 7 days, or weekly, misreads it
    # (the SDK may send a value JSON-quoted: "\"D\"" is D)
    matched = {k: str(hps.get(k, "")).strip('"') for k in ("prediction_length", "time_freq")}
    yield equal(f"prediction_length {PREDICTION_LENGTH} and time_freq D, as the data's split and grid", matched,
                {"prediction_length": str(PREDICTION_LENGTH), "time_freq": HYPERPARAMETERS["time_freq"]})
    yield equal("channels: train and test", sorted(c["ChannelName"] for c in job["InputDataConfig"]), ["test", "train"])
    if ctx.on_aws:
        yield equal("the DeepAR job completed", job["TrainingJobStatus"], "Completed")


def _write_forecast(ctx, use_naive: bool = False):
    from awslabs.local.seasonal_forecast import seasonal_bootstrap, seasonal_naive

    train = [json.loads(line) for line in _read(ctx, "deepar/train/train.json").splitlines()]
    test = [json.loads(line) for line in _read(ctx, "deepar/test/test.json").splitlines()]
    # dynamic features are known in the future: the model gets them for the horizon too
    inputs = [{**tr, "dynamic_feat": te["dynamic_feat"]} for tr, te in zip(train, test)]
    model = seasonal_naive(train, PREDICTION_LENGTH, season=7) if use_naive else \
        seasonal_bootstrap(inputs, PREDICTION_LENGTH, season=7, num_samples=200, seed=0)
    body = "\n".join(json.dumps(model.to_deepar_json(i)) for i in range(len(inputs))) + "\n"
    ctx.client("s3").put_object(Bucket=_bucket(ctx), Key=FORECAST_KEY, Body=body.encode(),
                                Metadata={"model": model.model[:200]})


def apply_forecast_quantiles(ctx):
    _write_forecast(ctx)


def _forecast_naive_instead(ctx):
    """Mutant: the seasonal-naive baseline written as the forecast (the model never fitted)."""
    _write_forecast(ctx, use_naive=True)


FORECAST_KEY = "deepar/forecasts/local-forecast.json"


def _wql(y, q, tau: float) -> float:
    """DeepAR's weighted quantile loss, as https://docs.aws.amazon.com/sagemaker/latest/dg/deepar.html
    defines it: 2 * sum(tau * max(y - q, 0) + (1 - tau) * max(q - y, 0)) / sum(|y|)."""
    import numpy as np

    return float(2 * np.sum(tau * np.maximum(y - q, 0) + (1 - tau) * np.maximum(q - y, 0)) / np.sum(np.abs(y)))


def check_forecast_quantiles(ctx):
    import numpy as np

    from awslabs.local.seasonal_forecast import seasonal_naive

    keys = labkit.object_keys(ctx, _bucket(ctx), FORECAST_KEY)
    if FORECAST_KEY not in keys:
        yield labkit.not_run("forecasts are in S3 in DeepAR's response shape (quantiles 0.1/0.5/0.9 + mean)", "local")
        return
    # what the step wrote to S3, judged against the held-out points of test.json (read from S3)
    obj = ctx.client("s3").get_object(Bucket=_bucket(ctx), Key=FORECAST_KEY)
    body = obj["Body"].read().decode().splitlines()
    model = obj.get("Metadata", {}).get("model", "?")
    rows = [json.loads(line) for line in body if line]
    first = rows[0] if rows else {"quantiles": {}, "mean": []}
    yield expect("forecasts are in S3 in DeepAR's response shape (quantiles 0.1/0.5/0.9 + mean)",
                 len(rows) == SERIES and all(set(r["quantiles"]) == {"0.1", "0.5", "0.9"} and len(r["mean"]) == PREDICTION_LENGTH
                                             and all(len(v) == PREDICTION_LENGTH for v in r["quantiles"].values()) for r in rows),
                 f"{len(rows)} series, quantiles {sorted(first['quantiles'])}")
    if len(rows) != SERIES:
        return
    q = {tau: np.asarray([r["quantiles"][str(tau)] for r in rows], dtype=float) for tau in (0.1, 0.5, 0.9)}
    test = [json.loads(line) for line in _read(ctx, "deepar/test/test.json").splitlines()]
    train = [json.loads(line) for line in _read(ctx, "deepar/train/train.json").splitlines()]
    actual = np.asarray([te["target"][-PREDICTION_LENGTH:] for te in test], dtype=float)
    yield expect("p10 <= p50 <= p90 at every step of every series",
                 bool(np.all(q[0.1] <= q[0.5]) and np.all(q[0.5] <= q[0.9])), f"model: {model}", verified_by="local")
    coverage = float(((actual >= q[0.1]) & (actual <= q[0.9])).mean())
    yield expect("the p10-p90 band covers about 80% of the held-out points (60-95%)",
                 0.6 <= coverage <= 0.95, f"coverage {coverage:.0%} ({model})", verified_by="local")
    naive = seasonal_naive(train, PREDICTION_LENGTH, season=7)  # the baseline, fitted here on train.json
    ours = np.mean([_wql(actual, q[tau], tau) for tau in q])
    base = np.mean([_wql(actual, np.asarray(naive.quantiles[tau]), tau) for tau in q])
    yield expect("mean weighted quantile loss beats the seasonal-naive baseline", ours < base,
                 f"{model}: mean wQL {ours:.4f} | {naive.model}: mean wQL {base:.4f}", verified_by="local")
    if ctx.on_aws:
        final = {m["MetricName"]: m["Value"] for m in _job(ctx).get("FinalMetricDataList", [])}
        yield expect("DeepAR's own test metrics are reported (test:RMSE, test:mean_wQuantileLoss)",
                     "test:RMSE" in final, str(final))
    else:
        yield ctx.aws_only("DeepAR's own test:mean_wQuantileLoss", "the DeepAR container runs only on SageMaker; "
                           "moto records the job and reports canned metrics")


MUTATIONS = {
    "forecast_quantiles": [("the seasonal-naive baseline written as the forecast (no model fitted)", _forecast_naive_instead)],
}
