"""hyperparameter-tuning: other valid ways (must pass) and near misses (must fail saying what to fix).

The checks of ``tuning_job`` and ``warm_start`` read trials/grid.csv and trials/bayesian.csv, which
the auto steps (the local searches) write; the variant harness does those before the variant, as
`awslabs check` does. Variants of the tuning jobs change the reference request on its way to the
API (``practice.tweak``), as a learner's own JSON for `aws sagemaker
create-hyper-parameter-tuning-job` would differ."""
import io
import tarfile
from pathlib import Path

from awslabs.practice import accept, reject, tweak


def _steps():
    from awslabs.catalog import Catalog

    return Catalog().get("hyperparameter-tuning").load_steps()


def _csv(ctx, header=False, label_last=False, label_format="{:d}"):
    s = _steps()
    X, y = s._dataset()
    lines = []
    if header:
        lines.append(",".join(["label"] + [f"f{i}" for i in range(X.shape[1])]))
    for label, row in zip(y, X):
        features = [repr(float(v)) for v in row]
        cells = features + [label_format.format(int(label))] if label_last else [label_format.format(int(label))] + features
        lines.append(",".join(cells))
    s._put(ctx, "data/train/train.csv", "\n".join(lines) + "\n", "text/csv")


def _archive(arcname, extra=()):
    """sourcedir.tar.gz as the tar CLI packs it."""
    source = Path(_steps().svc_train.__file__).read_bytes()
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for directory in extra:
            info = tarfile.TarInfo(directory)
            info.type = tarfile.DIRTYPE
            tar.addfile(info)
        info = tarfile.TarInfo(arcname)
        info.size = len(source)
        tar.addfile(info, io.BytesIO(source))
    return buf.getvalue()


def _prepare(arcname="train.py", extra=(), **csv):
    def build(ctx):
        s = _steps()
        ctx.create_bucket(s._bucket(ctx))
        _csv(ctx, **csv)
        s._put(ctx, "code/sourcedir.tar.gz", _archive(arcname, extra), "application/gzip")
    return build


# -- the tuning jobs: the reference request, changed on its way to CreateHyperParameterTuningJob ----
def _tuned(apply, change):
    """The reference ``apply`` (apply_tuning_job / apply_warm_start) with its request changed."""
    def build(ctx):
        tweak(ctx, "sagemaker", "CreateHyperParameterTuningJob", change, getattr(_steps(), apply))
    return build


def _config(**fields):
    def change(params):
        params["HyperParameterTuningJobConfig"].update(fields)
    return change


def _bounds(**bounds):
    def change(params):
        for r in params["HyperParameterTuningJobConfig"]["ParameterRanges"]["ContinuousParameterRanges"]:
            r["MinValue"], r["MaxValue"] = bounds[r["Name"]]
    return change


def _scaling(scaling):
    def change(params):
        for r in params["HyperParameterTuningJobConfig"]["ParameterRanges"]["ContinuousParameterRanges"]:
            r["ScalingType"] = scaling
    return change


def _regex(regex):
    def change(params):
        params["TrainingJobDefinition"]["AlgorithmSpecification"]["MetricDefinitions"][0]["Regex"] = regex
    return change


def _no_seed(params):
    params["HyperParameterTuningJobConfig"].pop("RandomSeed", None)


def _no_early_stopping(params):
    params["HyperParameterTuningJobConfig"].pop("TrainingJobEarlyStoppingType", None)


def _budget(jobs):
    def change(params):
        params["HyperParameterTuningJobConfig"]["ResourceLimits"]["MaxNumberOfTrainingJobs"] = jobs
    return change


def _around_best(factor):
    """Ranges ``factor`` either side of the best point of the local Bayesian search (the values a
    learner reads from trials/bayesian.csv), clipped to the first job's ranges."""
    def change(params):
        s = _steps()
        C, gamma, _ = max(s._bayesian_trials(), key=lambda t: t[2])
        best = {"C": (C, s.C_RANGE), "gamma": (gamma, s.GAMMA_RANGE)}
        for r in params["HyperParameterTuningJobConfig"]["ParameterRanges"]["ContinuousParameterRanges"]:
            value, (low, high) = best[r["Name"]]
            r["MinValue"], r["MaxValue"] = repr(max(low, value / factor)), repr(min(high, value * factor))
    return change


def _warm_type(kind):
    def change(params):
        params["WarmStartConfig"]["WarmStartType"] = kind
    return change


VARIANTS = [
    accept("prepare_data", "tar -C code -czf sourcedir.tar.gz . (members ./ and ./train.py)",
           _prepare("./train.py", extra=("./",))),
    accept("prepare_data", "labels written as 0.0 / 1.0", _prepare(label_format="{:.1f}")),
    reject("prepare_data", "a header row (pandas' default)", _prepare(header=True), fix="no header"),
    reject("prepare_data", "the label as the last column", _prepare(label_last=True), fix="label first"),
    reject("prepare_data", "train.py packed inside a folder (tar czf sourcedir.tar.gz code/)",
           _prepare("code/train.py", extra=("code/",)), fix="at its root"),

    # -- tuning_job ---------------------------------------------------------------------------
    accept("tuning_job", "range bounds written as the learner types them: C \"1e-2\"..\"1e3\", gamma \"0.00001\"..\"1\"",
           _tuned("apply_tuning_job", _bounds(C=("1e-2", "1e3"), gamma=("0.00001", "1")))),
    accept("tuning_job", r"the metric regex written another way: cv_accuracy=(\d*\.?\d+)",
           _tuned("apply_tuning_job", _regex(r"cv_accuracy=(\d*\.?\d+)"))),
    accept("tuning_job", "RandomSeed left out (the request is valid without it)", _tuned("apply_tuning_job", _no_seed)),
    reject("tuning_job", "Strategy Random (the local comparison is with Bayesian)",
           _tuned("apply_tuning_job", _config(Strategy="Random")), fix="Bayesian"),
    reject("tuning_job", "ScalingType Linear over ranges spanning five decades",
           _tuned("apply_tuning_job", _scaling("Linear")), fix="logarithmic scale"),
    reject("tuning_job", "TrainingJobEarlyStoppingType left out (the default is Off)",
           _tuned("apply_tuning_job", _no_early_stopping), fix="early stopping Auto"),
    reject("tuning_job", "the metric regex written with the metric's name (cv:accuracy=), not what train.py prints",
           _tuned("apply_tuning_job", _regex(r"cv:accuracy=([0-9\.]+)")), fix="regex captures the value train.py prints"),
    # -- warm_start ---------------------------------------------------------------------------
    accept("warm_start", "ranges narrowed to half a decade either side of the best point",
           _tuned("apply_warm_start", _around_best(3.0))),
    accept("warm_start", "the refinement keeps a budget of 20 training jobs", _tuned("apply_warm_start", _budget(20))),
    reject("warm_start", "ranges kept at the full span (nothing narrowed)",
           _tuned("apply_warm_start", _bounds(C=("0.01", "1000.0"), gamma=("1e-05", "1.0"))),
           fix="narrowed around the best point"),
    reject("warm_start", "WarmStartType TransferLearning (the data and the algorithm are the same)",
           _tuned("apply_warm_start", _warm_type("TransferLearning")), fix="same data and algorithm"),
    reject("warm_start", "Strategy Bayesian kept for the refinement",
           _tuned("apply_warm_start", _config(Strategy="Bayesian")), fix="strategy Random"),
]
