"""Evidence for MLA-C01 domains 3 and 4 (deployment, orchestration, monitoring, cost, security).

Each function computes a question's key with the code the labs run: CloudWatch alarm evaluation
and metric filters (``cloudwatch-monitoring``), the CloudTrail bucket-policy check and the local
trail's event selectors (``cloudtrail-audit``), the Lake Formation evaluator (``lake-formation``),
the GPU instance table and sizing rule (``ec2-gpu-instances``), SageMaker request validation
against the service model botocore ships (``sagemaker-endpoints``), weighted variant routing
(``sagemaker-endpoints``), the EBS chooser (``ebs-volumes``) and the S3 lifecycle timeline and
cost model (``s3-storage-classes``).

A question's ``params`` hold the inputs; options carry the ``value`` a function returns. Inputs
that several options compare (policies, requests, lifecycle configurations) are given per option
value in ``params`` so the function judges each one with the simulator rather than restating it.
"""
from __future__ import annotations

import copy
import datetime as dt
import math

from .evidence import evidence

# -- CloudWatch alarms (awslabs.sim.alarms) ----------------------------------------------------


def _alarm_config(p: dict, **override):
    from ..sim.alarms import AlarmConfig

    fields = dict(threshold=float(p["threshold"]), comparison=p["comparison"],
                  evaluation_periods=int(p["evaluation_periods"]),
                  datapoints_to_alarm=p.get("datapoints_to_alarm"),
                  treat_missing_data=p.get("treat_missing_data", "missing"),
                  namespace=p.get("namespace", ""))
    fields.update(override)
    return AlarmConfig(**fields)


def _series(values) -> list[float | None]:
    return [None if v == "missing" else float(v) for v in values]


@evidence
def alarm_treatments_giving(q) -> set[str]:
    """The TreatMissingData settings under which the alarm reaches ``params.state`` on the series."""
    from ..sim.alarms import TREATMENTS, evaluate

    p = q.params
    values = _series(p["values"])
    return {t for t in TREATMENTS
            if evaluate(_alarm_config(p, treat_missing_data=t), values, p.get("current_state", "OK")).state == p["state"]}


@evidence
def alarm_datapoints_to_alarm_alarming(q) -> set[str]:
    """The DatapointsToAlarm values (1..N) for which the alarm goes to ALARM on the series."""
    from ..sim.alarms import ALARM, evaluate

    p = q.params
    n = int(p["evaluation_periods"])
    values = _series(p["values"])
    return {str(m) for m in range(1, n + 1)
            if evaluate(_alarm_config(p, datapoints_to_alarm=m), values, p.get("current_state", "OK")).state == ALARM}


@evidence
def alarm_notifications(q) -> set[str]:
    """How many times the alarm's AlarmActions fire while CloudWatch evaluates it once per period
    over the series (each evaluation sees the periods up to then; actions fire on changes only)."""
    from ..sim.alarms import ALARM, actions_for, evaluate

    p = q.params
    config = _alarm_config(p)
    values = _series(p["values"])
    alarm = {"AlarmActions": ["arn:aws:sns:us-east-1:111122223333:oncall"], "ActionsEnabled": p.get("actions_enabled", True)}
    state, fired = p.get("current_state", "OK"), 0
    for end in range(1, len(values) + 1):
        new = evaluate(config, values[:end], state).state
        if new == ALARM:
            fired += len(actions_for(alarm, state, new))
        state = new
    return {str(fired)}


# -- CloudWatch Logs metric filters (awslabs.sim.metric_filters) --------------------------------
@evidence
def metric_filter_statistic(q) -> set[str]:
    """A statistic (Sum, SampleCount, Average) of the datapoints a metric filter publishes for the
    log lines (``metric_value`` and optional ``default_value`` as in MetricTransformation)."""
    from ..sim.metric_filters import metric_datapoints

    p = q.params
    transformation = {"metricValue": str(p.get("metric_value", "1"))}
    if p.get("default_value") is not None:
        transformation["defaultValue"] = p["default_value"]
    events = [{"timestamp": i * 1000, "message": line} for i, line in enumerate(p["lines"])]
    points = [d.value for d in metric_datapoints(p["pattern"], transformation, events)]
    stat = p["statistic"]
    if stat == "Sum":
        value = sum(points)
    elif stat == "SampleCount":
        value = len(points)
    else:
        value = sum(points) / len(points) if points else float("nan")
    return {f"{value:g}"}


@evidence
def metric_filter_patterns_matching(q) -> set[str]:
    """The option values whose filter pattern (``params.patterns[value]``) matches every line in
    ``params.match`` and none in ``params.no_match``."""
    from ..sim.metric_filters import matches

    p = q.params
    return {value for value, pattern in p["patterns"].items()
            if all(matches(pattern, m) for m in p.get("match", []))
            and not any(matches(pattern, m) for m in p.get("no_match", []))}


# -- CloudTrail (awslabs.sim.cloudtrail_policy, awslabs.local.cloudtrail) -----------------------
def _mutated_policy(base: dict, mutations: list[str], p: dict) -> dict | None:
    """Apply named changes to the documented CloudTrail bucket policy."""
    policy = copy.deepcopy(base)
    statements = policy["Statement"]
    for mutation in mutations:
        kind, _, arg = mutation.partition(":")
        if kind == "no_policy":
            return None
        if kind == "drop":  # drop a statement by Sid
            statements[:] = [s for s in statements if s.get("Sid") != arg]
        elif kind == "drop_acl_condition":
            for s in statements:
                s.get("Condition", {}).get("StringEquals", {}).pop("s3:x-amz-acl", None)
        elif kind == "drop_source_arn":
            for s in statements:
                s.get("Condition", {}).get("StringEquals", {}).pop("aws:SourceArn", None)
        elif kind == "source_arn_trail":  # the condition names another trail
            arn = f"arn:aws:cloudtrail:{p['region']}:{p['account']}:trail/{arg}"
            for s in statements:
                cond = s.get("Condition", {}).get("StringEquals", {})
                if "aws:SourceArn" in cond:
                    cond["aws:SourceArn"] = arn
        elif kind == "write_prefix":  # the write statement's resource uses another key prefix
            for s in statements:
                if s.get("Action") == "s3:PutObject":
                    path = f"{arg.strip('/')}/" if arg else ""
                    s["Resource"] = f"arn:aws:s3:::{p['bucket']}/{path}AWSLogs/{p['account']}/*"
        elif kind == "write_account":  # the write statement's resource names another account
            for s in statements:
                if s.get("Action") == "s3:PutObject":
                    s["Resource"] = s["Resource"].replace(f"/AWSLogs/{p['account']}/", f"/AWSLogs/{arg}/")
        elif kind == "principal_account_root":  # the account root instead of the service principal
            for s in statements:
                s["Principal"] = {"AWS": f"arn:aws:iam::{p['account']}:root"}
        elif kind == "rename_sids":  # Sids are labels: any names do
            for i, st in enumerate(statements):
                st["Sid"] = f"Stmt{i + 1}"
        elif kind == "add_deny_put":
            statements.append({"Sid": "DenyAllWrites", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
                               "Resource": f"arn:aws:s3:::{p['bucket']}/*"})
        else:
            raise ValueError(f"unknown policy mutation {mutation!r}")
    return policy


@evidence
def cloudtrail_policy_verdicts(q) -> set[str]:
    """The option values whose bucket policy (the documented one, changed as ``params.variants``
    says) CloudTrail accepts (``want = "accepted"``) or refuses (``"refused"``)."""
    from ..sim.cloudtrail_policy import problems, required_policy

    p = q.params
    base = required_policy(p["bucket"], p["account"], p["region"], p["trail"], p.get("prefix", ""))
    out = set()
    for value, mutations in p["variants"].items():
        policy = _mutated_policy(base, list(mutations), p)
        found = problems(policy, p["bucket"], p["account"], p["region"], p["trail"], p.get("prefix", ""))
        if (not found) == (p["want"] == "accepted"):
            out.add(value)
    return out


@evidence
def cloudtrail_calls_logged(q) -> set[str]:
    """The option values whose API call (``params.calls[value]``) a trail with these event
    selectors logs, by the rules of the local trail recorder (management vs S3 data events,
    ReadWriteType, DataResources prefixes)."""
    from ..local.cloudtrail import _READ_PREFIXES, _S3_BUCKET_DATA_EVENTS, Selectors

    p = q.params
    selectors = Selectors(list(p["selectors"]))
    out = set()
    for value, call in p["calls"].items():
        name, service = call["operation"], call.get("service", "s3")
        record = {"eventName": name, "readOnly": name.startswith(_READ_PREFIXES), "managementEvent": True,
                  "requestParameters": {}, "resources": []}
        if service == "s3":
            bucket, key = call.get("bucket"), call.get("key")
            record["requestParameters"]["bucketName"] = bucket
            if key is not None or name in _S3_BUCKET_DATA_EVENTS:
                record["managementEvent"] = False
                if key is not None:
                    record["resources"].append({"type": "AWS::S3::Object", "ARN": f"arn:aws:s3:::{bucket}/{key}"})
        if selectors.logs(record):
            out.add(value)
    return out


# -- Lake Formation (awslabs.sim.lakeformation) ------------------------------------------------
def _lake_policy(p: dict):
    from ..sim.lakeformation import Grant, LakePolicy

    db, table = p["database"], p["table"]
    policy = LakePolicy(admins=set(p.get("admins", [])), tables={(db, table): list(p["columns"])})
    for g in p["grants"]:
        policy.grants.append(Grant(g["principal"], g["resource"], frozenset(g["permissions"]),
                                   frozenset(g.get("grantable", []))))
    policy.database_tags[db] = dict(p.get("database_tags", {}))
    if p.get("table_tags"):
        policy.table_tags[(db, table)] = dict(p["table_tags"])
    for column, tags in p.get("column_tags", {}).items():
        policy.column_tags[(db, table, column)] = dict(tags)
    return policy


@evidence
def lf_visible_columns(q) -> set[str]:
    """The columns ``params.principal`` may SELECT, in table order, comma-separated ("" = none)."""
    p = q.params
    return {",".join(_lake_policy(p).visible_columns(p["principal"], p["database"], p["table"]))}


@evidence
def lf_principals_reading(q) -> set[str]:
    """The principals (option values) that may SELECT ``params.column``."""
    p = q.params
    policy = _lake_policy(p)
    return {who for who in p["principals"]
            if policy.can_column(who, "SELECT", p["database"], p["table"], p["column"]).allowed}


# -- GPU instances (awslabs.sim.gpu_instances) -------------------------------------------------
def _workload(p: dict):
    from ..sim.gpu_instances import Workload

    return Workload("exam", float(p["parameters_billion"]), bool(p["training"]),
                    float(p.get("min_network_gbps", 0)), bool(p.get("needs_cuda", True)))


@evidence
def gpu_smallest_fit(q) -> set[str]:
    """The instance built for the workload's purpose with the fewest accelerators that fits it."""
    from ..sim.gpu_instances import smallest_fit

    found = smallest_fit(_workload(q.params), q.params.get("family"))
    return {found.name if found else "none"}


@evidence
def gpu_instances_fitting(q) -> set[str]:
    """Which of the candidate instances (option values) hold the workload (memory, network, CUDA)."""
    from ..sim.gpu_instances import BY_NAME, fits

    w = _workload(q.params)
    return {o.value for o in q.options if o.value in BY_NAME and fits(BY_NAME[o.value], w)}


# -- SageMaker requests (awslabs.sim.sagemaker_requests) ---------------------------------------
def _set_path(doc, path: str, value) -> None:
    parts = path.split(".")
    node = doc
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
    last = parts[-1]
    if isinstance(node, list):
        node[int(last)] = value
    elif value == "__delete__":
        node.pop(last, None)
    else:
        node[last] = value


@evidence
def sagemaker_requests_verdicts(q) -> set[str]:
    """The option values whose request (``params.base`` changed at the dotted paths of
    ``params.variants[value]``) the SageMaker API accepts (``want = "accepted"``) or rejects, by
    the constraints of the service model botocore ships."""
    from ..sim.sagemaker_requests import validate_shape

    p = q.params
    out = set()
    for value, changes in p["variants"].items():
        request = copy.deepcopy(p["base"])
        for path, new in changes.items():
            _set_path(request, path, new)
        accepted = not validate_shape(p["operation"], request)
        if accepted == (p["want"] == "accepted"):
            out.add(value)
    return out


# -- SageMaker endpoint routing (awslabs.local.sagemaker_hosting) ------------------------------
@evidence
def endpoint_variant_share(q) -> set[str]:
    """The share of requests (percent, to the nearest 5) a variant receives when the lab's router
    sends ``params.requests`` requests by the variants' weights (after any weight update)."""
    from ..local.sagemaker_hosting import LocalEndpoint

    p = q.params
    endpoint = LocalEndpoint({name: (None, float(w)) for name, w in p["weights"].items()}, seed=int(p.get("seed", 0)))
    if p.get("update"):
        endpoint.set_weights({k: float(v) for k, v in p["update"].items()})
    n = int(p.get("requests", 20000))
    hits = sum(1 for _ in range(n) if endpoint.choose() == p["variant"])
    return {str(int(5 * round(100 * hits / n / 5)))}


# -- EBS (awslabs.sim.storage_io) --------------------------------------------------------------
@evidence
def ebs_cheapest_volume(q) -> set[str]:
    """The cheapest EBS type (gp3, io2, st1, sc1) the lab's chooser finds for the workload."""
    from ..sim.storage_io import Workload, choose_volume

    p = q.params
    choice = choose_volume(Workload(int(p["size_gib"]), p["pattern"], int(p["io_kib"]), float(p["need_mibs"]),
                                    int(p.get("need_iops", 0)), bool(p.get("boot", False))))
    return {choice.volume_type or "none"}


@evidence
def ebs_requests_refused(q) -> set[str]:
    """The option values whose CreateVolume request (``params.volumes[value]``) EC2 refuses."""
    from ..sim.storage_io import validate_volume

    return {value for value, v in q.params["volumes"].items()
            if validate_volume(v["type"], int(v["size_gib"]), v.get("iops"), v.get("throughput"))}


# -- S3 lifecycle cost (awslabs.sim.lifecycle) -------------------------------------------------
@evidence
def lifecycle_cheapest(q) -> set[str]:
    """Of the lifecycle configurations S3 accepts (``params.configs[value]``), the one that stores
    the objects most cheaply over the horizon (storage, minimum-duration fees, transitions)."""
    from ..sim import lifecycle as lc

    p = q.params
    created = dt.datetime.fromisoformat(p.get("created", "2026-01-01T00:00:00+00:00"))
    size = int(float(p["object_mib"]) * 1024 * 1024)
    objects = [lc.S3Object.of(p.get("key", "artifacts/model.tar.gz"), size, created, count=int(p.get("count", 1)))]
    costs = {}
    for value, config in p["configs"].items():
        if lc.errors(config):
            continue
        lines = lc.timeline(config, objects, horizon_days=int(p["horizon_days"]), versioned=bool(p.get("versioned", False)))
        costs[value] = lc.total_cost(lines)
    best = min(costs.values())
    return {v for v, c in costs.items() if math.isclose(c, best, rel_tol=1e-9)}


@evidence
def lifecycle_refused(q) -> set[str]:
    """The option values whose lifecycle configuration S3 refuses (PutBucketLifecycleConfiguration)."""
    from ..sim import lifecycle as lc

    return {value for value, config in q.params["configs"].items() if lc.errors(config)}
