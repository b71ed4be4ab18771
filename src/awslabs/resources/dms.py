"""AWS DMS: replication tasks, endpoints and replication instances (all found by the tagging API), and
replication subnet groups (found by name: a learner's group carries no awslabs tags)."""
from __future__ import annotations

import time

from . import arn_kind, deleter, sweeper


@deleter("dms:replication-task", order=20)
def delete_task(clients, arn: str, extra: dict) -> None:
    dms = clients.client("dms")
    task = dms.describe_replication_tasks(Filters=[{"Name": "replication-task-arn", "Values": [arn]}])[
        "ReplicationTasks"
    ]
    if task and task[0].get("Status") in ("running", "starting"):
        dms.stop_replication_task(ReplicationTaskArn=arn)  # a running task cannot be deleted
        for _ in range(60):  # bounded: stopping takes seconds to a minute on AWS
            status = dms.describe_replication_tasks(
                Filters=[{"Name": "replication-task-arn", "Values": [arn]}]
            )["ReplicationTasks"][0]["Status"]
            if status not in ("stopping", "running", "starting"):
                break
            time.sleep(5)
    dms.delete_replication_task(ReplicationTaskArn=arn)


@deleter("dms:endpoint", order=35)
def delete_endpoint(clients, arn: str, extra: dict) -> None:
    clients.client("dms").delete_endpoint(EndpointArn=arn)


@deleter("dms:replication-instance", order=40)
def delete_replication_instance(clients, arn: str, extra: dict) -> None:
    clients.client("dms").delete_replication_instance(ReplicationInstanceArn=arn)


@deleter("dms:replication-subnet-group", order=45)
def delete_subnet_group(clients, name: str, extra: dict) -> None:
    """After the instances that use it (order 40); before the subnets (78)."""
    try:
        clients.client("dms").delete_replication_subnet_group(ReplicationSubnetGroupIdentifier=name)
    except Exception as err:  # noqa: BLE001
        if "ResourceNotFoundFault" not in str(err):
            raise


@sweeper
def sweep_subnet_groups(clients, prefix: str):
    """Subnet groups whose identifier starts with ``prefix``; ``awslabs.cleanup.sweep`` parses each
    name into its exact lab and run before anything is deleted."""
    dms = clients.client("dms")
    for page in dms.get_paginator("describe_replication_subnet_groups").paginate():
        for group in page.get("ReplicationSubnetGroups", []):
            name = group.get("ReplicationSubnetGroupIdentifier", "")
            if name.startswith(prefix):
                yield ("dms:replication-subnet-group", name)


@arn_kind(r"^(arn:aws[\w-]*:dms:[\w-]+:\d+:task:.+)$")
def _task_arn(m):
    return ("dms:replication-task", m.group(1))


@arn_kind(r"^(arn:aws[\w-]*:dms:[\w-]+:\d+:endpoint:.+)$")
def _endpoint_arn(m):
    return ("dms:endpoint", m.group(1))


@arn_kind(r"^(arn:aws[\w-]*:dms:[\w-]+:\d+:rep:.+)$")
def _instance_arn(m):
    return ("dms:replication-instance", m.group(1))
