"""Evidence for MLA-C01 questions on the six MLOps labs: bias, data quality, security, cost,
infrastructure as code and model monitoring.

Each function computes a question's key by calling the code those labs run, never a restatement
of it:

- ``clarify-bias``: :mod:`awslabs.local.clarify` (``pre_training_metrics``, ``post_training_metrics``);
- ``data-quality``: :mod:`awslabs.local.dqdl` (``evaluate`` on a pandas DataFrame);
- ``ml-security``: :mod:`awslabs.judge` (``access_allowed`` for a role's identity policies with a
  bucket policy; ``evaluate``, the function ``role_may`` applies to a role's policies once read back
  from IAM, for identity policies given in the question);
- ``ml-cost``: :mod:`awslabs.sim.ml_cost` (``firing_days``, ``spot_savings_percent``,
  ``spot_wait_problems``, ``monthly_prices``);
- ``infrastructure-as-code``: :mod:`awslabs.sim.cloudformation` (``load_template``,
  ``plan_changes``, ``replacement_review``);
- ``model-monitor``: :mod:`awslabs.local.model_monitor` (``suggest_baseline``, ``statistics``,
  ``evaluate``, ``merge``, ``binary_classification_metrics``).

Inputs that options compare (requests, template edits, models) are given per option value in
``params``; policies and templates are JSON or YAML text, as the learner would write them.
"""
from __future__ import annotations

import copy
import json

from .evidence import evidence


def _doc(value):
    """A policy or list of policies given as JSON text (or already as TOML tables)."""
    return json.loads(value) if isinstance(value, str) else value


def _facet_rows(groups: dict) -> tuple[list[str], list[bool]]:
    """``{group: [positives, total]}`` as one row per person: (group, label positive)."""
    names, labels = [], []
    for name, (positives, total) in groups.items():
        names += [name] * int(total)
        labels += [True] * int(positives) + [False] * (int(total) - int(positives))
    return names, labels


# -- Clarify (awslabs.local.clarify) -----------------------------------------------------------
@evidence
def mlops_clarify_pre_metrics(q) -> set[str]:
    """Pre-training metrics (``params.metrics``, e.g. CI and DPL) of ``params.facet_d`` against the
    other groups, for ``params.groups`` = {group: [positive labels, rows]}; "CI/DPL" to 2 digits."""
    from ..local.clarify import pre_training_metrics

    p = q.params
    names, labels = _facet_rows(p["groups"])
    facet_d = [n == p["facet_d"] for n in names]
    wanted = list(p["metrics"])
    values = pre_training_metrics(labels, facet_d, wanted)
    return {"/".join(f"{values[m]:.2f}" for m in wanted)}


@evidence
def mlops_clarify_most_disadvantaged(q) -> set[str]:
    """The group that, taken as facet d against all other rows, has the largest DPL (its share of
    positive labels furthest below the rest's)."""
    from ..local.clarify import pre_training_metrics

    names, labels = _facet_rows(q.params["groups"])
    dpl = {g: pre_training_metrics(labels, [n == g for n in names], ("DPL",))["DPL"] for g in q.params["groups"]}
    return {max(dpl, key=dpl.get)}


@evidence
def mlops_clarify_di_below(q) -> set[str]:
    """The option values (models) whose disparate impact DI = q'_d / q'_a of predicted positives is
    below ``params.threshold`` (the four-fifths rule: 0.8). ``params.models[value]`` gives
    [predicted positives, rows] for facet a and facet d."""
    from ..local.clarify import post_training_metrics

    p = q.params
    out = set()
    for value, model in p["models"].items():
        names, predicted = _facet_rows({"a": model["a"], "d": model["d"]})
        facet_d = [n == "d" for n in names]
        # DI needs only the predictions; observed labels are taken equal to them (no other metric is read)
        di = post_training_metrics(predicted, predicted, facet_d, ("DI",))["DI"]
        if di < float(p.get("threshold", 0.8)):
            out.add(value)
    return out


# -- Glue Data Quality (awslabs.local.dqdl) -----------------------------------------------------
def _frame(columns: dict):
    import pandas as pd

    return pd.DataFrame({c: [None if v == "null" else v for v in values] for c, values in columns.items()})


@evidence
def mlops_dqdl_failing_rules(q) -> set[str]:
    """The rules (``Rule_1``...) of ``params.ruleset`` that FAIL on ``params.columns`` ("null" = a
    missing value)."""
    from ..local.dqdl import evaluate

    result = evaluate(q.params["ruleset"], _frame(q.params["columns"]))
    return {r["Name"] for r in result["RuleResults"] if r["Result"] == "FAIL"}


@evidence
def mlops_dqdl_score(q) -> set[str]:
    """The run's Score (passed rules / rules) to 2 digits."""
    from ..local.dqdl import evaluate

    return {f"{evaluate(q.params['ruleset'], _frame(q.params['columns']))['Score']:.2f}"}


# -- policies (awslabs.judge) ------------------------------------------------------------------
def _request(spec: dict, principal: str):
    from ..judge import Request

    return Request(spec["action"], spec["resource"], {"AWS": principal}, dict(spec.get("context", {})))


@evidence
def mlops_bucket_policy_denied(q) -> set[str]:
    """The option values whose request (``params.requests[value]``) the role may not make, by its
    identity policies (``params.identity``) together with the bucket policy (``params.bucket_policy``)."""
    from ..judge import access_allowed

    p = q.params
    identity, bucket_policy = _doc(p["identity"]), _doc(p["bucket_policy"])
    return {value for value, spec in p["requests"].items()
            if not access_allowed(identity, bucket_policy, _request(spec, p["role_arn"]))}


@evidence
def mlops_role_allowed(q) -> set[str]:
    """The option values whose request the role's identity policies (``params.identity``) allow, by
    IAM's evaluation logic (an applying explicit Deny wins; else an Allow; else implicit deny), as
    ``judge.role_may`` decides it for a role read back from IAM."""
    from ..judge import evaluate as decide

    p = q.params
    identity = _doc(p["identity"])
    return {value for value, spec in p["requests"].items() if decide(identity, _request(spec, p["role_arn"]))}


# -- cost (awslabs.sim.ml_cost) ----------------------------------------------------------------
@evidence
def mlops_budget_first_day(q) -> set[str]:
    """The first day (1-based) ``params.notification`` fires on the daily cost series, or "never"."""
    from ..sim.ml_cost import firing_days

    p = q.params
    fired = firing_days([float(c) for c in p["daily_costs"]], float(p["limit"]), [dict(p["notification"])],
                        int(p["days_in_period"]))[0]["day"]
    return {"never" if fired is None else str(fired)}


@evidence
def mlops_spot_savings(q) -> set[str]:
    """Managed Spot training savings in whole percent from TrainingTimeInSeconds and
    BillableTimeInSeconds."""
    from ..sim.ml_cost import spot_savings_percent

    return {f"{spot_savings_percent(float(q.params['training_s']), float(q.params['billable_s'])):.0f}"}


@evidence
def mlops_spot_configs_refused(q) -> set[str]:
    """The option values whose managed Spot training job (``params.jobs[value]``: the
    ``EnableManagedSpotTraining`` flag and ``StoppingCondition``) breaks the managed Spot rules."""
    from ..sim.ml_cost import spot_wait_problems

    return {value for value, job in q.params["jobs"].items() if spot_wait_problems(dict(job))}

@evidence
def mlops_cheapest_inference(q) -> set[str]:
    """The cheapest of real-time, serverless and asynchronous inference for a month of traffic."""
    from ..sim.ml_cost import Traffic, monthly_prices

    p = q.params
    traffic = Traffic(avg_rps=float(p["avg_rps"]), busy_hours_per_day=float(p["busy_hours_per_day"]),
                      busy_days=int(p["busy_days"]), duration_s=float(p["duration_s"]), memory_mb=int(p["memory_mb"]))
    return {monthly_prices(traffic, {k: int(v) for k, v in p["fleet"].items()})["cheapest"]}


# -- CloudFormation (awslabs.sim.cloudformation) -----------------------------------------------
def _edited(template: dict, edits: dict) -> dict:
    """The template with ``{"Resource.Property": new value}`` edits applied (None removes it)."""
    new = copy.deepcopy(template)
    for path, value in edits.items():
        resource, prop = path.split(".", 1)
        props = new["Resources"][resource].setdefault("Properties", {})
        if value is None:
            props.pop(prop, None)
        else:
            props[prop] = value
    return new


@evidence
def mlops_cfn_replacing_edits(q) -> set[str]:
    """The option values whose template edit (``params.edits[value]``) makes the change set show
    ``Replacement`` = ``params.replacement`` (default "True") for ``params.resource``."""
    from ..sim.cloudformation import load_template, plan_changes, replacement_review

    p = q.params
    old = load_template(p["template"])
    want = p.get("replacement", "True")
    out = set()
    for value, edits in p["edits"].items():
        review = replacement_review(plan_changes(old, {}, _edited(old, _doc(edits)), {}))
        if review.get(p["resource"], "none") == want:
            out.add(value)
    return out


@evidence
def mlops_cfn_review(q) -> set[str]:
    """The change set's Replacement for each of ``params.resources`` after ``params.edits``, as
    "Name=Value;..." ("none" for a resource the change set does not modify)."""
    from ..sim.cloudformation import load_template, plan_changes, replacement_review

    p = q.params
    old = load_template(p["template"])
    review = replacement_review(plan_changes(old, {}, _edited(old, _doc(p["edits"])), {}))
    return {";".join(f"{r}={review.get(r, 'none')}" for r in p["resources"])}


# -- Model Monitor (awslabs.local.model_monitor) -----------------------------------------------
@evidence
def mlops_monitor_drift(q) -> set[str]:
    """A data-quality run on one numeric feature: the baselining job on ``params.baseline``, the
    monitoring job on ``params.current`` (comparison threshold ``params.threshold`` if given, else
    the default). "distance:violation" or "distance:ok", the distance to 1 digit."""
    from ..local.model_monitor import evaluate, statistics, suggest_baseline

    p = q.params
    name = p.get("feature", "x")
    base_stats, constraints = suggest_baseline([name], [[str(v)] for v in p["baseline"]])
    if "threshold" in p:
        constraints["monitoring_config"]["distribution_constraints"]["comparison_threshold"] = float(p["threshold"])
    violations, distances = evaluate(base_stats, constraints, statistics({name: [str(v) for v in p["current"]]}))
    drift = any(v["constraint_check_type"] == "baseline_drift_check" for v in violations)
    return {f"{distances[name]:.1f}:{'violation' if drift else 'ok'}"}


@evidence
def mlops_monitor_merged_metric(q) -> set[str]:
    """A model-quality metric after merging captured predictions (``params.predictions`` =
    [[inference id, probability]]) with ground truth (``params.ground_truth`` = [[event id, label]]):
    unmatched predictions are dropped. To 2 digits."""
    from ..local.model_monitor import binary_classification_metrics, ground_truth_record, merge

    p = q.params
    pairs = merge([(str(i), float(prob)) for i, prob in p["predictions"]],
                  [ground_truth_record(str(i), label) for i, label in p["ground_truth"]])
    metrics = binary_classification_metrics(pairs, float(p.get("threshold", 0.5)))
    return {f"{metrics[p['metric']]['value']:.2f}"}

