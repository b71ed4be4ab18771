"""sagemaker-pipelines: other valid ways (must pass) and near misses (must fail saying what to fix)."""
from awslabs.practice import accept, reject


def _steps():
    from awslabs.catalog import Catalog

    return Catalog().get("sagemaker-pipelines").load_steps()


def _define(**kwargs):
    return lambda ctx: _steps()._define(ctx, **kwargs)


def _start(threshold):
    return lambda ctx: _steps()._start(ctx, threshold)


def _rerun(threshold):
    """The first execution has run (awslabs' auto step), then the learner's second one."""
    def build(ctx):
        steps = _steps()
        steps.apply_run_pipeline(ctx)
        steps._start(ctx, threshold)
    return build


VARIANTS = [
    accept("define_pipeline", "cache expiry of 7 days (PT168H is as good as P30D)", _define(expire="PT168H")),
    reject("define_pipeline", "caching left off the Preprocess step", _define(cache=False), fix="caching on"),
    reject("define_pipeline", "model registered as Approved straight away", _define(approval="Approved"),
           fix="PendingManualApproval"),
    reject("define_pipeline", "condition threshold default 0.8 instead of 0.7", _define(threshold_default=0.8),
           fix="default 0.7"),
    accept("start_execution", "the default threshold passed explicitly", _start(0.7)),
    reject("start_execution", "first execution with threshold 0.5", _start(0.5), fix="default"),
    accept("rerun_higher_threshold", "threshold 0.9, still above the model's accuracy", _rerun(0.9)),
    reject("rerun_higher_threshold", "threshold 0.75, which the model passes", _rerun(0.75),
           fix="above the first model's accuracy"),
]
