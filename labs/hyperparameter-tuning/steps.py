"""Hyperparameter tuning: grid search, random search and Bayesian optimisation on the same model
and budget, then the same search as a SageMaker automatic model tuning job.

The model is an RBF support-vector machine on scikit-learn's breast-cancer data; the objective is
3-fold cross-validated accuracy computed by ``awslabs.local.svc_train.cv_accuracy`` — the very
file uploaded as the tuning job's ``train.py``. The local searches are real (scikit-learn and
optuna). The tuning jobs are real API calls; moto stores them but runs no training jobs and
reports a canned best job, so the trials shown are the local ones (labelled ``local``).
"""
from __future__ import annotations

import csv
import functools
import io
import json
import math
import os
import re
import tarfile
import time
from pathlib import Path

from awslabs import labkit
from awslabs.lab import StepFailed, equal, expect
from awslabs.local import figures
from awslabs.local import svc_train
from awslabs.sim import sagemaker_requests as smr

BUDGET = 20  # trials per strategy
C_RANGE = (0.01, 1000.0)
GAMMA_RANGE = (1e-5, 1.0)
C_GRID = (0.1, 1.0, 10.0, 100.0, 1000.0)
GAMMA_GRID = (1e-4, 1e-3, 1e-2, 1e-1)
SEED = 0  # random search and the tuning job's RandomSeed
TPE_SEED = 1  # a different seed: both samplers use numpy's generator, the same seed would draw the same first point
STARTUP = 5  # TPE's random start-up trials


def _bucket(ctx):
    return ctx.name("tuning")


def _role_name(ctx):
    return ctx.name("sagemaker", max_len=64)


STAMP = 4  # characters that make each tuning job name unique


def _stamp() -> str:
    """4 random base-36 characters: tuning jobs cannot be deleted and their names never
    reused, so each attempt (practice mode keeps the rest of the name fixed) gets a new one."""
    import secrets

    return "".join(secrets.choice("0123456789abcdefghijklmnopqrstuvwxyz") for _ in range(STAMP))


def _job_prefix(ctx, kind: str) -> str:
    """``awslabs-<lab>-<run>-hpo`` / ``-warm`` shortened so that 4 more characters fit the
    32-character limit of tuning job names."""
    return ctx.name(kind + "0" * STAMP, max_len=32)[:-STAMP]


def _new_job_name(ctx, kind: str) -> str:
    return _job_prefix(ctx, kind) + _stamp()


def _find_job(ctx, kind: str) -> str:
    """The newest tuning job named ``<prefix><stamp>`` created since the lab's bucket was (jobs
    of an earlier attempt, which cannot be deleted, do not count)."""
    from awslabs.local.sagemaker_labkit import bucket_created

    created = bucket_created(ctx, _bucket(ctx))
    if created is None:
        raise LookupError(f"no bucket {_bucket(ctx)} yet")
    prefix = _job_prefix(ctx, kind)
    jobs = ctx.client("sagemaker").list_hyper_parameter_tuning_jobs(
        NameContains=prefix, SortBy="CreationTime", SortOrder="Descending").get("HyperParameterTuningJobSummaries", [])
    jobs = [j for j in jobs if j["HyperParameterTuningJobName"].startswith(prefix)
            and len(j["HyperParameterTuningJobName"]) == len(prefix) + STAMP
            and j["CreationTime"] >= created.replace(microsecond=0)]
    if not jobs:
        raise LookupError(f"no tuning job named {prefix}{'?' * STAMP} created after the bucket {_bucket(ctx)}")
    return max(jobs, key=lambda j: j["CreationTime"])["HyperParameterTuningJobName"]


def _tuning_job(ctx):
    return _find_job(ctx, "hpo")


def _warm_job(ctx):
    return _find_job(ctx, "warm")


def _get(ctx, key: str) -> bytes:
    return ctx.client("s3").get_object(Bucket=_bucket(ctx), Key=key)["Body"].read()


def _put(ctx, key: str, body, content_type: str = "application/json") -> None:
    data = body if isinstance(body, bytes) else body.encode()
    ctx.client("s3").put_object(Bucket=_bucket(ctx), Key=key, Body=data, ContentType=content_type)


@functools.lru_cache(maxsize=1)
def _dataset():
    from sklearn.datasets import load_breast_cancer

    return load_breast_cancer(return_X_y=True)


def _splitter():
    from sklearn.model_selection import StratifiedKFold

    return StratifiedKFold(n_splits=svc_train.CV_FOLDS, shuffle=True, random_state=0)


def _pipeline():
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    return make_pipeline(StandardScaler(), SVC())


# -- the three searches, cached: deterministic and the slowest part of the lab -------------------


@functools.lru_cache(maxsize=1)
def _grid_trials() -> tuple[tuple[float, float, float], ...]:
    from sklearn.model_selection import GridSearchCV
    from threadpoolctl import threadpool_limits

    X, y = _dataset()
    search = GridSearchCV(_pipeline(), {"svc__C": list(C_GRID), "svc__gamma": list(GAMMA_GRID)}, cv=_splitter(), n_jobs=1)
    with threadpool_limits(1):
        search.fit(X, y)
    r = search.cv_results_
    return tuple((float(c), float(g), float(s)) for c, g, s in zip(r["param_svc__C"], r["param_svc__gamma"], r["mean_test_score"]))


@functools.lru_cache(maxsize=1)
def _random_trials() -> tuple[tuple[float, float, float], ...]:
    from scipy.stats import loguniform
    from sklearn.model_selection import RandomizedSearchCV
    from threadpoolctl import threadpool_limits

    X, y = _dataset()
    search = RandomizedSearchCV(
        _pipeline(),
        {"svc__C": loguniform(*C_RANGE), "svc__gamma": loguniform(*GAMMA_RANGE)},
        n_iter=BUDGET, cv=_splitter(), random_state=SEED, n_jobs=1,
    )
    with threadpool_limits(1):
        search.fit(X, y)
    r = search.cv_results_
    return tuple((float(c), float(g), float(s)) for c, g, s in zip(r["param_svc__C"], r["param_svc__gamma"], r["mean_test_score"]))


@functools.lru_cache(maxsize=1)
def _bayesian_trials() -> tuple[tuple[float, float, float], ...]:
    import optuna
    from threadpoolctl import threadpool_limits

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    X, y = _dataset()

    def objective(trial):
        C = trial.suggest_float("C", *C_RANGE, log=True)  # log scale = SageMaker "Logarithmic"
        gamma = trial.suggest_float("gamma", *GAMMA_RANGE, log=True)
        return svc_train.cv_accuracy(X, y, C, gamma)

    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=TPE_SEED, n_startup_trials=STARTUP))
    with threadpool_limits(1):
        study.optimize(objective, n_trials=BUDGET)
    return tuple((t.params["C"], t.params["gamma"], float(t.value)) for t in study.trials)


def _write_trials(ctx, strategy: str, trials) -> None:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["trial", "C", "gamma", "cv_accuracy"])
    for n, (c, g, s) in enumerate(trials, start=1):
        writer.writerow([n, repr(c), repr(g), repr(s)])
    _put(ctx, f"trials/{strategy}.csv", out.getvalue(), "text/csv")


def _read_trials(ctx, strategy: str) -> list[dict]:
    rows = list(csv.DictReader(io.StringIO(_get(ctx, f"trials/{strategy}.csv").decode())))
    return [{"trial": int(r["trial"]), "C": float(r["C"]), "gamma": float(r["gamma"]), "score": float(r["cv_accuracy"])} for r in rows]


def _same_objective(ctx, strategy: str):
    """Re-score the strategy's best trial with the training script's own function."""
    trials = _read_trials(ctx, strategy)
    best = max(trials, key=lambda t: t["score"])
    X, y = _dataset()
    again = svc_train.cv_accuracy(X, y, best["C"], best["gamma"])
    return expect(
        f"{strategy}: the best trial re-scores identically with train.py's cv_accuracy",
        abs(again - best["score"]) < 1e-12,
        f"C={best['C']:.4g}, gamma={best['gamma']:.3g}: {best['score']:.4f} vs {again:.4f}",
        "local",
    )


# -- 1 ------------------------------------------------------------------------------------------


def _sourcedir() -> bytes:
    """train.py (this lab's training script) packed as SageMaker's script mode expects."""
    source = Path(svc_train.__file__).read_bytes()
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        info = tarfile.TarInfo("train.py")
        info.size = len(source)
        info.mtime = 0
        tar.addfile(info, io.BytesIO(source))
    return buf.getvalue()


def apply_prepare_data(ctx):
    ctx.create_bucket(_bucket(ctx))
    X, y = _dataset()
    out = io.StringIO()
    writer = csv.writer(out)
    for label, row in zip(y, X):
        writer.writerow([int(label), *(repr(float(v)) for v in row)])
    _put(ctx, "data/train/train.csv", out.getvalue(), "text/csv")
    _put(ctx, "code/sourcedir.tar.gz", _sourcedir(), "application/gzip")


def _train_py(archive: bytes) -> bytes | None:
    """train.py at the root of sourcedir.tar.gz, as SageMaker unpacks it: ``train.py`` and
    ``./train.py`` (``tar -C dir -czf sourcedir.tar.gz .``) are the same file; ``code/train.py`` is not."""
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        for member in tar.getmembers():
            if member.isfile() and os.path.normpath(member.name) == "train.py":
                return tar.extractfile(member).read()
    return None


def _is_label(value: str) -> bool:
    try:
        return float(value) in (0.0, 1.0)
    except ValueError:
        return False


def check_prepare_data(ctx):
    rows = [r for r in _get(ctx, "data/train/train.csv").decode().splitlines() if r.strip()]
    yield equal("the training CSV has the 569 patients", len(rows), 569)
    # the label (0 / 1) in the first column of every row: a header row or the label last is not that
    labelled = all(_is_label(r.split(",")[0]) for r in rows)
    yield expect("label first, then 30 features (no header)", labelled and {len(r.split(",")) for r in rows} == {31},
                 f"first row {rows[0][:60] if rows else 'none'!r}")
    script = (_train_py(_get(ctx, "code/sourcedir.tar.gz")) or b"").decode()
    yield expect("sourcedir.tar.gz holds train.py at its root, which prints the objective metric",
                 "cv_accuracy=" in script and "def main" in script,
                 f"{len(script)} bytes" if script else "no train.py at the archive's root")


# -- 2, 3, 4 ------------------------------------------------------------------------------------


def apply_grid_search(ctx):
    _write_trials(ctx, "grid", _grid_trials())


def check_grid_search(ctx):
    trials = _read_trials(ctx, "grid")
    combos = {(t["C"], t["gamma"]) for t in trials}
    yield equal("grid search tried every one of the 5 x 4 combinations", len(combos), len(C_GRID) * len(GAMMA_GRID), "local")
    yield _same_objective(ctx, "grid")


def apply_random_search(ctx):
    _write_trials(ctx, "random", _random_trials())


def check_random_search(ctx):
    trials = _read_trials(ctx, "random")
    yield equal(f"random search ran the same budget of {BUDGET} trials", len(trials), BUDGET, "local")
    inside = all(C_RANGE[0] <= t["C"] <= C_RANGE[1] and GAMMA_RANGE[0] <= t["gamma"] <= GAMMA_RANGE[1] for t in trials)
    decades = len({math.floor(math.log10(t["C"])) for t in trials})
    yield expect("log-uniform sampling spreads C over the decades of its range", inside and decades >= 4,
                 f"C covers {decades} of 5 decades", "local")
    yield _same_objective(ctx, "random")


def apply_bayesian_search(ctx):
    _write_trials(ctx, "bayesian", _bayesian_trials())


def check_bayesian_search(ctx):
    trials = _read_trials(ctx, "bayesian")
    yield equal(f"Bayesian optimisation (optuna TPE) ran {BUDGET} trials", len(trials), BUDGET, "local")
    import statistics

    guided = statistics.median(t["score"] for t in trials[STARTUP:])
    unguided = statistics.median(t["score"] for t in _read_trials(ctx, "random"))
    yield expect(f"it learns from earlier trials: its {BUDGET - STARTUP} guided trials score higher (median) than random search's",
                 guided > unguided, f"median {guided:.4f} vs random {unguided:.4f}", "local")
    yield _same_objective(ctx, "bayesian")


# -- 5 ------------------------------------------------------------------------------------------

STRATEGIES = ("grid", "random", "bayesian")


def _best_so_far(trials):
    best, out = -1.0, []
    for t in trials:
        best = max(best, t["score"])
        out.append(best)
    return out


def apply_compare(ctx):
    curves = {s: _best_so_far(_read_trials(ctx, s)) for s in STRATEGIES}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["trial", *STRATEGIES])
    for n in range(BUDGET):
        writer.writerow([n + 1, *(f"{curves[s][n]:.6f}" for s in STRATEGIES)])
    _put(ctx, "comparison/best-so-far.csv", out.getvalue(), "text/csv")
    png = _draw_curves(tuple((s, tuple(curves[s])) for s in STRATEGIES))
    figures.keep_and_upload(ctx, _bucket(ctx), "comparison/best-score-vs-trials.png", png)


@functools.lru_cache(maxsize=2)  # drawing is slow-ish and the curves are deterministic
def _draw_curves(pairs) -> bytes:
    curves = dict(pairs)
    fig, ax = figures.new_figure(7.5, 4.4)
    for s, marker in zip(STRATEGIES, "osd"):
        ax.plot(range(1, BUDGET + 1), curves[s], marker=marker, ms=4, label=f"{s} (best {curves[s][-1]:.4f})")
    ax.set(xlabel="trial (training jobs run)", ylabel="best 3-fold CV accuracy so far", xticks=range(0, BUDGET + 1, 2),
           title="Same model, same budget: best score vs trials")
    ax.legend(loc="lower right")
    ax.grid(alpha=0.3)
    return figures.png_bytes(fig)


def check_compare(ctx):
    rows = list(csv.DictReader(io.StringIO(_get(ctx, "comparison/best-so-far.csv").decode())))
    yield equal(f"the table has one row per trial for the {len(STRATEGIES)} strategies", len(rows), BUDGET, "local")
    for s in STRATEGIES:
        column = [float(r[s]) for r in rows]
        best = max(t["score"] for t in _read_trials(ctx, s))
        yield expect(f"{s}: best-so-far never falls and ends at the search's best",
                     all(a <= b for a, b in zip(column, column[1:])) and abs(column[-1] - best) < 1e-6,
                     f"ends at {column[-1]:.4f}", "local")
    yield figures.check_png_in_s3(ctx, _bucket(ctx), "comparison/best-score-vs-trials.png")


# -- 6, 7: SageMaker automatic model tuning ----------------------------------------------------

def _role_arn(ctx) -> str:
    bucket_arn = f"arn:aws:s3:::{_bucket(ctx)}"
    # wait=False: _create_tuning_job retries while SageMaker cannot assume the new role yet
    return labkit.role_arn(ctx, _role_name(ctx)) or labkit.create_service_role(
        ctx, _role_name(ctx), "sagemaker.amazonaws.com", {"lab-data": [
            {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket"],
             "Resource": [bucket_arn, f"{bucket_arn}/*"]},
            {"Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents",
                                           "logs:DescribeLogStreams", "cloudwatch:PutMetricData"], "Resource": "*"},
        ]}, wait=False)


def _training_definition(ctx, role_arn: str) -> dict:
    return {
        "StaticHyperParameters": {
            # script mode: the container downloads sourcedir.tar.gz and runs train.py
            "sagemaker_program": json.dumps("train.py"),
            "sagemaker_submit_directory": json.dumps(f"s3://{_bucket(ctx)}/code/sourcedir.tar.gz"),
            "sagemaker_region": json.dumps(ctx.region),
        },
        "AlgorithmSpecification": {
            "TrainingImage": smr.sklearn_image_uri(ctx.region),
            "TrainingInputMode": "File",
            "MetricDefinitions": [{"Name": svc_train.METRIC_NAME, "Regex": svc_train.METRIC_REGEX}],
        },
        "RoleArn": role_arn,
        "InputDataConfig": [{
            "ChannelName": "train",
            "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": f"s3://{_bucket(ctx)}/data/train/",
                                            "S3DataDistributionType": "FullyReplicated"}},
            "ContentType": "text/csv",
        }],
        "OutputDataConfig": {"S3OutputPath": f"s3://{_bucket(ctx)}/models/"},
        "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 5},
        "StoppingCondition": {"MaxRuntimeInSeconds": 600},
    }


def _continuous(name: str, low: float, high: float) -> dict:
    return {"Name": name, "MinValue": repr(low), "MaxValue": repr(high), "ScalingType": "Logarithmic"}


def tuning_request(ctx, role_arn: str, name: str) -> dict:
    return {
        "HyperParameterTuningJobName": name,
        "HyperParameterTuningJobConfig": {
            "Strategy": "Bayesian",
            "HyperParameterTuningJobObjective": {"Type": "Maximize", "MetricName": svc_train.METRIC_NAME},
            "ResourceLimits": {"MaxNumberOfTrainingJobs": BUDGET, "MaxParallelTrainingJobs": 2},
            "ParameterRanges": {
                "ContinuousParameterRanges": [_continuous("C", *C_RANGE), _continuous("gamma", *GAMMA_RANGE)],
            },
            "TrainingJobEarlyStoppingType": "Auto",
            "RandomSeed": SEED,
        },
        "TrainingJobDefinition": _training_definition(ctx, role_arn),
        "Tags": ctx.tag_list(),
    }


def _create_tuning_job(ctx, request: dict) -> None:
    problems = smr.validate_tuning_job(request)
    if problems:
        raise StepFailed("CreateHyperParameterTuningJob would be rejected: " + "; ".join(problems))
    name = request["HyperParameterTuningJobName"]
    ctx.track("sagemaker:job", name, type="tuning")
    for attempt in range(8 if ctx.on_aws else 1):
        try:
            ctx.client("sagemaker").create_hyper_parameter_tuning_job(**request)
            return
        except Exception as err:  # noqa: BLE001 - a new IAM role takes seconds to reach SageMaker
            if not ctx.on_aws or "assume" not in str(err).lower() or attempt == 7:
                raise
            time.sleep(10)


def apply_tuning_job(ctx):
    _create_tuning_job(ctx, tuning_request(ctx, _role_arn(ctx), _new_job_name(ctx, "hpo")))


REQUEST_FIELDS = ("HyperParameterTuningJobName", "HyperParameterTuningJobConfig", "TrainingJobDefinition",
                  "WarmStartConfig")


def _request_of(job: dict) -> dict:
    """The CreateHyperParameterTuningJob request, read back from DescribeHyperParameterTuningJob."""
    return {k: job[k] for k in REQUEST_FIELDS if job.get(k)}


def _run_train_py(ctx, C: float, gamma: float) -> str:
    """stdout of ``python train.py --C .. --gamma ..`` run as script mode runs it: train.py from
    code/sourcedir.tar.gz and the train channel from data/train/, both read back from S3."""
    import subprocess
    import sys
    import tempfile

    with tempfile.TemporaryDirectory(prefix="awslabs-train-py-") as tmp:
        root = Path(tmp)
        (root / "train").mkdir()
        (root / "model").mkdir()
        (root / "train.py").write_bytes(_train_py(_get(ctx, "code/sourcedir.tar.gz")) or b"")
        (root / "train" / "train.csv").write_bytes(_get(ctx, "data/train/train.csv"))
        env = {**os.environ, "SM_CHANNEL_TRAIN": str(root / "train"), "SM_MODEL_DIR": str(root / "model"),
               "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
        done = subprocess.run([sys.executable, "train.py", "--C", repr(C), "--gamma", repr(gamma)], cwd=root, env=env,
                              capture_output=True, text=True, timeout=300)
        return done.stdout + (f"\n[exit {done.returncode}] {done.stderr[-500:]}" if done.returncode else "")


def _regex_with_the_metric_name(ctx):
    """Mutant: MetricDefinitions' regex written with the metric's name (cv:accuracy=), not what train.py prints."""
    request = tuning_request(ctx, _role_arn(ctx), _new_job_name(ctx, "hpo"))
    request["TrainingJobDefinition"]["AlgorithmSpecification"]["MetricDefinitions"][0]["Regex"] = r"cv:accuracy=([0-9\.]+)"
    _create_tuning_job(ctx, request)


def _as_number(text):
    """A range bound as the API carries it (a string) read as a number; the text itself if it is none."""
    try:
        return float(text)
    except (TypeError, ValueError):
        return text


def _c_range_a_decade_short(ctx):
    """Mutant: C searched up to "100" (a string like any bound, one decade short of the local range)."""
    request = tuning_request(ctx, _role_arn(ctx), _new_job_name(ctx, "hpo"))
    request["HyperParameterTuningJobConfig"]["ParameterRanges"]["ContinuousParameterRanges"][0]["MaxValue"] = "100"
    _create_tuning_job(ctx, request)


def check_tuning_job(ctx):
    job = ctx.client("sagemaker").describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=_tuning_job(ctx))
    config = job["HyperParameterTuningJobConfig"]
    yield equal("strategy Bayesian, maximising cv:accuracy",
                (config["Strategy"], config["HyperParameterTuningJobObjective"]), ("Bayesian", {"Type": "Maximize", "MetricName": "cv:accuracy"}))
    # MinValue / MaxValue are strings in the API: "1000", "1000.0" and "1e3" are the same bound
    ranges = {r["Name"]: (_as_number(r["MinValue"]), _as_number(r["MaxValue"]), r.get("ScalingType"))
              for r in config["ParameterRanges"]["ContinuousParameterRanges"]}
    yield equal("C and gamma are searched on a logarithmic scale over the local ranges", ranges,
                {"C": (*C_RANGE, "Logarithmic"), "gamma": (*GAMMA_RANGE, "Logarithmic")})
    yield equal(f"same budget as the local searches: {BUDGET} training jobs, 2 at a time, early stopping Auto",
                (config["ResourceLimits"]["MaxNumberOfTrainingJobs"], config["ResourceLimits"]["MaxParallelTrainingJobs"], config.get("TrainingJobEarlyStoppingType")),
                (BUDGET, 2, "Auto"))
    metric = job["TrainingJobDefinition"]["AlgorithmSpecification"]["MetricDefinitions"][0]
    # Run the train.py the job will download (sourcedir.tar.gz in S3) on the training CSV in S3, for
    # the first grid trial, and apply the job's regex to what it really printed: the value captured
    # must be the accuracy the local grid search (GridSearchCV, not train.py) found for that trial.
    trial = _read_trials(ctx, "grid")[0]
    printed = _run_train_py(ctx, trial["C"], trial["gamma"])
    captured = re.search(metric["Regex"], printed)
    value = float(captured.group(1)) if captured and captured.groups() else None
    yield expect("the metric regex captures the value train.py prints (the grid trial's accuracy)",
                 value is not None and abs(value - trial["score"]) < 1e-6,
                 f"{metric['Regex']} on train.py's output {printed.strip()[-200:]!r}: {value} "
                 f"(grid trial C={trial['C']}, gamma={trial['gamma']}: {trial['score']:.6f})", "local")
    request = _request_of(job)
    yield expect("the request obeys the API model and the documented tuning rules", not smr.validate_tuning_job(request),
                 "; ".join(smr.validate_tuning_job(request)) or "valid", "simulated")
    if ctx.on_aws:
        yield ctx.aws_only("SageMaker's best training job", f"the tuning job is {job['HyperParameterTuningJobStatus']}: "
                           "its BestTrainingJob appears in DescribeHyperParameterTuningJob once trials complete")
    else:
        yield ctx.aws_only("SageMaker runs 20 training jobs and reports the real best one",
                           "moto creates no training jobs for a tuning job and reports a canned BestTrainingJob "
                           f"({job.get('BestTrainingJob', {}).get('TrainingJobName', 'none')}); the real trials are the local ones")


def _let_parent_finish_early(ctx, parent: str) -> None:
    """On AWS: let the first job complete a couple of trials, then stop it (to keep the cost of
    the lab low) and wait until it has stopped, so the warm start can load its results."""
    sm = ctx.client("sagemaker")
    deadline = time.time() + 30 * 60
    while time.time() < deadline:
        job = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=parent)
        status = job["HyperParameterTuningJobStatus"]
        if status in ("Completed", "Stopped", "Failed"):
            return
        if status == "InProgress" and job["TrainingJobStatusCounters"].get("Completed", 0) >= 2:
            sm.stop_hyper_parameter_tuning_job(HyperParameterTuningJobName=parent)
        time.sleep(20)
    raise StepFailed(f"{parent} did not stop within 30 minutes; look at it in the SageMaker console")


def apply_warm_start(ctx):
    parent = _tuning_job(ctx)
    if ctx.on_aws:
        _let_parent_finish_early(ctx, parent)
    # the best point of the local Bayesian search (the learner reads it from trials/bayesian.csv)
    best = max(({"C": c, "gamma": g, "score": v} for c, g, v in _bayesian_trials()), key=lambda t: t["score"])
    request = tuning_request(ctx, _role_arn(ctx), _new_job_name(ctx, "warm"))
    config = request["HyperParameterTuningJobConfig"]
    config["Strategy"] = "Random"
    config["ResourceLimits"]["MaxNumberOfTrainingJobs"] = 10
    # Narrow the ranges to one decade either side of the best point found so far.
    config["ParameterRanges"]["ContinuousParameterRanges"] = [
        _continuous("C", max(C_RANGE[0], best["C"] / 10), min(C_RANGE[1], best["C"] * 10)),
        _continuous("gamma", max(GAMMA_RANGE[0], best["gamma"] / 10), min(GAMMA_RANGE[1], best["gamma"] * 10)),
    ]
    request["WarmStartConfig"] = {
        "ParentHyperParameterTuningJobs": [{"HyperParameterTuningJobName": parent}],
        "WarmStartType": "IdenticalDataAndAlgorithm",
    }
    _create_tuning_job(ctx, request)


def check_warm_start(ctx):
    job = ctx.client("sagemaker").describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=_warm_job(ctx))
    warm = job.get("WarmStartConfig", {})
    yield equal("the new job warm-starts from the first one (same data and algorithm)",
                ([p["HyperParameterTuningJobName"] for p in warm.get("ParentHyperParameterTuningJobs", [])], warm.get("WarmStartType")),
                ([_tuning_job(ctx)], "IdenticalDataAndAlgorithm"))
    best = max(_read_trials(ctx, "bayesian"), key=lambda t: t["score"])
    ranges = {r["Name"]: (float(r["MinValue"]), float(r["MaxValue"])) for r in job["HyperParameterTuningJobConfig"]["ParameterRanges"]["ContinuousParameterRanges"]}
    yield expect("its ranges are narrowed around the best point found locally",
                 ranges["C"][0] <= best["C"] <= ranges["C"][1] and ranges["C"][1] / ranges["C"][0] <= 100.0001
                 and ranges["gamma"][0] <= best["gamma"] <= ranges["gamma"][1],
                 f"C {ranges['C'][0]:.3g}..{ranges['C'][1]:.3g}, gamma {ranges['gamma'][0]:.2g}..{ranges['gamma'][1]:.2g}", "emulated")
    yield equal("strategy Random for the refinement", job["HyperParameterTuningJobConfig"]["Strategy"], "Random")


MUTATIONS = {
    "tuning_job": [("the metric regex written with the metric name (cv:accuracy=), not what train.py prints", _regex_with_the_metric_name),
                   ("C searched up to 100, a decade short of the local range", _c_range_a_decade_short)],
}
