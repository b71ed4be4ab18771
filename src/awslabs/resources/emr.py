"""Amazon EMR clusters. The tagging API does not list EMR clusters: a sweeper finds them by name
(``awslabs-<lab>-<run>-...``) with ``list_clusters``.

A cluster is identified by its id (``j-…``) or, as the labs track it, by its name — the cleanup
sweep matches runs by name, and an id carries no run.

Emulator limit, handled here: moto starts an EC2 instance for every instance-group node but does
not terminate them on ``TerminateJobFlows`` (the cluster says TERMINATED, its m5.xlarge
instances stay *running*, untagged, with their root volumes; measured: 6 instances and 6 volumes
left per emr-spark run on ``awslabs serve``). So the deleter, after terminating the cluster,
terminates the EC2 instances the cluster lists (``list_instances``) that are still up — on AWS,
EMR has already begun terminating them and the call is a no-op. The sweeper reports the same
instances for clusters already terminated, attributed to the cluster's name."""
from __future__ import annotations

from . import deleter, sweeper

_LIVE = ["STARTING", "BOOTSTRAPPING", "RUNNING", "WAITING"]
_UP = ("pending", "running", "stopping", "stopped")


def _clusters(emr, live_only: bool) -> list[dict]:
    found = []
    kwargs = {"ClusterStates": _LIVE} if live_only else {}
    for page in emr.get_paginator("list_clusters").paginate(**kwargs):
        found += page.get("Clusters", [])
    return found


def _instances_still_up(clients, cluster_id: str) -> list[str]:
    """EC2 instances of the cluster that are not terminated (or terminating)."""
    emr = clients.client("emr")
    ids = []
    for page in emr.get_paginator("list_instances").paginate(ClusterId=cluster_id):
        ids += [i["Ec2InstanceId"] for i in page.get("Instances", []) if i.get("Ec2InstanceId")]
    if not ids:
        return []
    ec2 = clients.client("ec2")
    up = []
    for reservation in ec2.describe_instances(InstanceIds=ids).get("Reservations", []):
        up += [i["InstanceId"] for i in reservation["Instances"] if i["State"]["Name"] in _UP]
    return up


@deleter("emr:cluster", order=12)
def terminate_cluster(clients, cluster: str, extra: dict) -> None:
    """Terminate (billing stops when the instances are gone); protection is switched off first,
    then the cluster's instances still up are terminated too (see the module docstring).
    Idempotent: a cluster already terminating or terminated counts as deleted."""
    emr = clients.client("emr")
    if cluster.startswith("j-"):
        state = emr.describe_cluster(ClusterId=cluster)["Cluster"]["Status"]["State"]
        every = [(cluster, state)]
    else:
        # Every cluster of that name, terminated ones too: their instances may still be up.
        every = [(c["Id"], c["Status"]["State"]) for c in _clusters(emr, live_only=False) if c["Name"] == cluster]
    live = [cid for cid, state in every if not state.startswith("TERMINAT")]
    if live:
        emr.set_termination_protection(JobFlowIds=live, TerminationProtected=False)
        emr.terminate_job_flows(JobFlowIds=live)
    leftover = [iid for cid, _ in every for iid in _instances_still_up(clients, cid)]
    if leftover:
        clients.client("ec2").terminate_instances(InstanceIds=leftover)


@sweeper
def sweep_clusters(clients, prefix: str):
    """Live clusters by name; for clusters already terminated, their instances still up (as
    ``ec2:instance``, attributed to the cluster's name so the run/lab filters apply)."""
    found = []
    for cluster in _clusters(clients.client("emr"), live_only=False):
        name = cluster["Name"]
        if not name.startswith(prefix):
            continue
        if cluster["Status"]["State"] in _LIVE:
            found.append(("emr:cluster", name, name))
        else:
            found += [("ec2:instance", iid, name) for iid in _instances_still_up(clients, cluster["Id"])]
    return found
