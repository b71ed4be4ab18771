"""Amazon EMR clusters. The tagging API does not list EMR clusters: a sweeper finds live ones by
name (``awslabs-<lab>-<run>-...``) with ``list_clusters``.

A cluster is identified by its id (``j-…``, what the ledger records) or, when the sweeper found
it, by its name — the cleanup sweep matches runs by name, and an id carries no run."""
from __future__ import annotations

from . import deleter, sweeper

_LIVE = ["STARTING", "BOOTSTRAPPING", "RUNNING", "WAITING"]


def _live_clusters(emr) -> list[dict]:
    found = []
    for page in emr.get_paginator("list_clusters").paginate(ClusterStates=_LIVE):
        found += page.get("Clusters", [])
    return found


@deleter("emr:cluster", order=12)
def terminate_cluster(clients, cluster: str, extra: dict) -> None:
    """Terminate (billing stops when the instances are gone); protection is switched off first.
    Idempotent: a cluster already terminating or terminated counts as deleted."""
    emr = clients.client("emr")
    if cluster.startswith("j-"):
        state = emr.describe_cluster(ClusterId=cluster)["Cluster"]["Status"]["State"]
        ids = [] if state.startswith("TERMINAT") else [cluster]
    else:
        ids = [c["Id"] for c in _live_clusters(emr) if c["Name"] == cluster]
    if ids:
        emr.set_termination_protection(JobFlowIds=ids, TerminationProtected=False)
        emr.terminate_job_flows(JobFlowIds=ids)


@sweeper
def sweep_clusters(clients, prefix: str):
    return [("emr:cluster", c["Name"]) for c in _live_clusters(clients.client("emr")) if c["Name"].startswith(prefix)]
