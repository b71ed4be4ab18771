"""Deleters and sweepers for EMR, DMS, Step Functions and Athena (resources/{emr,dms,stepfunctions,athena}.py)."""
from __future__ import annotations

import json
import secrets

from awslabs import resources
from awslabs.cleanup import sweep
from awslabs.settings import Settings
from awslabs.targets import make_target


def _target():
    return make_target(Settings.load(target="moto"))


def test_emr_sweeper_finds_a_live_cluster_by_name_and_the_deleter_terminates_it():
    target = _target()
    run = secrets.token_hex(3)
    emr = target.client("emr")
    cluster = emr.run_job_flow(
        Name=f"awslabs-unit-{run}-cluster", ReleaseLabel="emr-7.1.0",
        Instances={"MasterInstanceType": "m5.xlarge", "InstanceCount": 1, "KeepJobFlowAliveWhenNoSteps": True},
        JobFlowRole="EMR_EC2_DefaultRole", ServiceRole="EMR_DefaultRole",
    )["JobFlowId"]
    name = f"awslabs-unit-{run}-cluster"
    assert sweep(target, run=run) == [("emr:cluster", name)]  # by name: the tagging API would not list it
    resources.kind("emr:cluster").delete(target, name, {})  # what the sweep found, deleted by name
    assert emr.describe_cluster(ClusterId=cluster)["Cluster"]["Status"]["State"] in ("TERMINATING", "TERMINATED")
    assert sweep(target, run=run) == []
    resources.kind("emr:cluster").delete(target, cluster, {})  # idempotent


def test_dms_arns_map_to_kinds_and_a_running_task_is_stopped_before_deletion():
    target = _target()
    dms = target.client("dms")
    run = secrets.token_hex(3)
    src = dms.create_endpoint(EndpointIdentifier=f"s-{run}", EndpointType="source", EngineName="mysql",
                              ServerName="h", Port=3306, Username="u", Password="p")["Endpoint"]["EndpointArn"]
    dst = dms.create_endpoint(EndpointIdentifier=f"d-{run}", EndpointType="target", EngineName="s3",
                              S3Settings={"BucketName": "b"})["Endpoint"]["EndpointArn"]
    rep = dms.create_replication_instance(ReplicationInstanceIdentifier=f"r-{run}",
                                          ReplicationInstanceClass="dms.t3.micro")["ReplicationInstance"]
    task = dms.create_replication_task(
        ReplicationTaskIdentifier=f"t-{run}", SourceEndpointArn=src, TargetEndpointArn=dst,
        ReplicationInstanceArn=rep["ReplicationInstanceArn"], MigrationType="full-load",
        TableMappings=json.dumps({"rules": []}))["ReplicationTask"]["ReplicationTaskArn"]
    dms.start_replication_task(ReplicationTaskArn=task, StartReplicationTaskType="start-replication")
    assert resources.from_arn(task) == ("dms:replication-task", task)
    assert resources.from_arn(src) == ("dms:endpoint", src)
    assert resources.from_arn(rep["ReplicationInstanceArn"]) == ("dms:replication-instance", rep["ReplicationInstanceArn"])
    for kind, arn in (("dms:replication-task", task), ("dms:endpoint", src), ("dms:endpoint", dst),
                      ("dms:replication-instance", rep["ReplicationInstanceArn"])):
        resources.kind(kind).delete(target, arn, {})
    assert dms.describe_replication_tasks(Filters=[{"Name": "replication-task-arn", "Values": [task]}])[
        "ReplicationTasks"] == []


def test_state_machine_and_workgroup_deleters():
    target = _target()
    run = secrets.token_hex(3)
    sfn = target.client("stepfunctions")
    arn = sfn.create_state_machine(
        name=f"awslabs-unit-{run}", roleArn="arn:aws:iam::123456789012:role/r",
        definition=json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}))["stateMachineArn"]
    assert resources.from_arn(arn) == ("states:state-machine", arn)
    resources.kind("states:state-machine").delete(target, arn, {})
    assert arn not in [m["stateMachineArn"] for m in sfn.list_state_machines()["stateMachines"]]
    athena = target.client("athena")
    athena.create_work_group(Name=f"awslabs-unit-{run}")
    resources.kind("athena:workgroup").delete(target, f"awslabs-unit-{run}", {})
    assert f"awslabs-unit-{run}" not in [w["Name"] for w in athena.list_work_groups()["WorkGroups"]]
    assert resources.from_arn(f"arn:aws:athena:us-east-1:123456789012:workgroup/awslabs-unit-{run}") == (
        "athena:workgroup", f"awslabs-unit-{run}")
