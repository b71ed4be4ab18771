"""Evidence: functions that compute a question's key with awslabs's own simulators and local
runners, the same code the labs use. A question names one (``evidence = "name"``) with its inputs
(``params``); each option that can be the answer carries the ``value`` the function would return.
``tests/test_exam.py`` fails when the computed key and the written ``answer`` disagree — so
a key is an executable fact, not an opinion, and a simulator fix that changes a fact shows up as a
failing question.

Each function takes the question and returns the set of option values that are right (for an
ordering question, the values in order). Topic modules ``awslabs/exam/evidence_<topic>.py`` add
more with the same ``@evidence`` decorator; they are imported on first use.
"""
from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from typing import Callable

EVIDENCE: dict[str, Callable] = {}
DUPLICATES: list[str] = []  # names registered twice (tests/test_exam.py requires none)
_loaded = False


def _load_topic_modules() -> None:
    global _loaded
    if not _loaded:
        _loaded = True
        for info in pkgutil.iter_modules([str(Path(__file__).parent)]):
            if info.name.startswith("evidence_"):
                importlib.import_module(f"{__package__}.{info.name}")


def evidence(fn: Callable) -> Callable:
    if fn.__name__ in EVIDENCE and EVIDENCE[fn.__name__] is not fn:
        DUPLICATES.append(f"{fn.__module__}.{fn.__name__}")
    EVIDENCE[fn.__name__] = fn
    return fn


def computed_key(question) -> list[str]:
    """The option keys whose value the question's evidence function returns."""
    _load_topic_modules()
    fn = EVIDENCE.get(question.evidence or "")
    if fn is None:
        raise KeyError(f"{question.id}: no evidence function named {question.evidence!r}")
    values = {str(v) for v in fn(question)}
    keys = [o.key for o in question.options if o.value is not None and o.value in values]
    if question.type == "ordering":  # the function returns the values in order
        ordered = [str(v) for v in fn(question)]
        by_value = {o.value: o.key for o in question.options}
        return [by_value[v] for v in ordered if v in by_value]
    return sorted(keys)


# -- Kinesis Data Streams: routing and sizing (awslabs.sim.kinesis_capacity) ---------------------
@evidence
def kinesis_shard_for_key(q) -> set[str]:
    """Which shard (0-based, in hash-key order) of an evenly split stream a partition key lands on."""
    from ..sim.kinesis_capacity import even_ranges, shard_index

    return {str(shard_index(q.params["partition_key"], even_ranges(int(q.params["shards"]))))}


@evidence
def kinesis_shards_needed(q) -> set[str]:
    """Shards a provisioned stream needs for a workload (write bytes, write records, shared reads)."""
    from ..sim.kinesis_capacity import shards_needed

    plan = shards_needed(float(q.params["records_per_s"]), int(q.params["record_bytes"]),
                         shared_consumers=int(q.params.get("shared_consumers", 1)),
                         efo_consumers=int(q.params.get("efo_consumers", 0)),
                         aggregation=int(q.params.get("aggregation", 1)))
    return {str(plan.shards)}


# -- CloudWatch alarms (awslabs.sim.alarms) ----------------------------------------------------
@evidence
def alarm_state(q) -> set[str]:
    """The state an alarm reaches on a series of per-period values (None = missing data)."""
    from ..sim.alarms import AlarmConfig, evaluate

    p = q.params
    config = AlarmConfig(threshold=float(p["threshold"]), comparison=p["comparison"],
                         evaluation_periods=int(p["evaluation_periods"]),
                         datapoints_to_alarm=p.get("datapoints_to_alarm"),
                         treat_missing_data=p.get("treat_missing_data", "missing"),
                         namespace=p.get("namespace", ""))
    values = [None if v == "missing" else float(v) for v in p["values"]]
    return {evaluate(config, values, p.get("current_state", "OK")).state}


# -- Classification metrics (awslabs.local.classification_metrics) -----------------------------
@evidence
def classification_metric(q) -> set[str]:
    """A metric from a confusion matrix, rounded as the options give it."""
    from ..local import classification_metrics as cm

    counts = cm.Counts(tp=int(q.params["tp"]), fp=int(q.params["fp"]), tn=int(q.params["tn"]),
                       fn=int(q.params["fn"]))
    value = getattr(cm, q.params["metric"])(counts)
    return {f"{value:.{int(q.params.get('digits', 2))}f}"}


@evidence
def best_metric_for(q) -> set[str]:
    """Which of several metrics is highest (or lowest) for a confusion matrix."""
    from ..local import classification_metrics as cm

    counts = cm.Counts(tp=int(q.params["tp"]), fp=int(q.params["fp"]), tn=int(q.params["tn"]),
                       fn=int(q.params["fn"]))
    scores = {name: getattr(cm, name)(counts) for name in q.params["metrics"]}
    pick = min if q.params.get("lowest") else max
    return {pick(scores, key=scores.get)}
