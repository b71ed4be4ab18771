"""dms-batch-migration: other valid ways (must pass) and near misses (must fail saying what to fix)."""
from datetime import datetime, timezone

from awslabs.practice import accept, reject, tweak


def _steps():
    from awslabs.catalog import Catalog

    return Catalog().get("dms-batch-migration").load_steps()


def _task_change(change):
    return lambda ctx: tweak(ctx, "dms", "CreateReplicationTask", change, _steps().apply_create_tasks)


def _endpoint_change(change):
    return lambda ctx: tweak(ctx, "dms", "CreateEndpoint", change, _steps().apply_create_endpoints)


def _ghost_target(params):
    """The target endpoint ARN of another run (a recorded script's): it names nothing."""
    params["TargetEndpointArn"] = params["TargetEndpointArn"].rsplit(":", 1)[0] + ":NOSUCHENDPOINT0000000000000"


def _ghost_source(params):
    params["SourceEndpointArn"] = params["SourceEndpointArn"].rsplit(":", 1)[0] + ":NOSUCHENDPOINT0000000000000"


def _with_settings(params):
    """Task settings with logging on: another valid choice, the mappings are what the task judges."""
    params["ReplicationTaskSettings"] = '{"Logging": {"EnableLogging": true}}'


def _no_task_settings(params):
    params.pop("ReplicationTaskSettings", None)


def _missing_bucket(params):
    if params.get("EndpointType") == "target":
        params["S3Settings"]["BucketName"] = params["S3Settings"]["BucketName"] + "-nosuch"


def _missing_role(params):
    if params.get("EndpointType") == "target":
        params["S3Settings"]["ServiceAccessRoleArn"] = params["S3Settings"]["ServiceAccessRoleArn"] + "-nosuch"


def _gzip_target(params):
    """Compressed CSV output: still CSV to s3://bucket/dms/."""
    if params.get("EndpointType") == "target":
        params["S3Settings"]["CompressionType"] = "GZIP"


def _instance_change(change):
    return lambda ctx: tweak(ctx, "dms", "CreateReplicationInstance", change, _steps().apply_create_replication_instance)


def _ghost_subnet_group(params):
    params["ReplicationSubnetGroupIdentifier"] = "no-such-subnet-group"


def _own_subnet_group(ctx):
    """An explicit replication subnet group of two real subnets in two AZs, named by the instance."""
    ec2 = ctx.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.77.0.0/16")["Vpc"]["VpcId"]
    zones = [z["ZoneName"] for z in ec2.describe_availability_zones()["AvailabilityZones"]][:2]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.77.{i}.0/24", AvailabilityZone=z)["Subnet"]["SubnetId"]
               for i, z in enumerate(zones)]
    group = ctx.name("dms-subnets")
    ctx.client("dms").create_replication_subnet_group(
        ReplicationSubnetGroupIdentifier=group, ReplicationSubnetGroupDescription="two AZs", SubnetIds=subnets)
    tweak(ctx, "dms", "CreateReplicationInstance", lambda p: p.update(ReplicationSubnetGroupIdentifier=group),
          _steps().apply_create_replication_instance)


def _start(kinds, cdc_start_time=False):
    def build(ctx):
        s, dms = _steps(), ctx.client("dms")
        for kind in kinds:
            extra = {"CdcStartTime": datetime.now(timezone.utc)} if kind == "cdc" and cdc_start_time else {}
            dms.start_replication_task(ReplicationTaskArn=s._task(ctx, kind)["ReplicationTaskArn"],
                                       StartReplicationTaskType="start-replication", **extra)
    return build


def _instance_tasks(ctx):
    """The lab's tasks found by the instance they run on (describe-replication-tasks --filters)."""
    s, dms = _steps(), ctx.client("dms")
    instance = dms.describe_replication_instances(Filters=[
        {"Name": "replication-instance-id", "Values": [s._instance_id(ctx)]}])["ReplicationInstances"][0]
    tasks = dms.describe_replication_tasks(Filters=[
        {"Name": "replication-instance-arn", "Values": [instance["ReplicationInstanceArn"]]}])["ReplicationTasks"]
    return {t["ReplicationTaskIdentifier"]: t["ReplicationTaskArn"] for t in tasks}


def _stop(kinds, lookup=False):
    """Stop the tasks of ``kinds`` that are still running. By the time the learner stops them,
    `awslabs check` has run the full load, and a full-load-only task stops by itself when the load
    completes (stopping it again is refused: "Replication task is not running")."""
    def build(ctx):
        s, dms = _steps(), ctx.client("dms")
        arns = _instance_tasks(ctx) if lookup else {}
        for kind in kinds:
            arn = arns.get(s._task_id(ctx, kind)) or s._task(ctx, kind)["ReplicationTaskArn"]
            status = dms.describe_replication_tasks(Filters=[
                {"Name": "replication-task-arn", "Values": [arn]}])["ReplicationTasks"][0]["Status"]
            if status == "running":
                dms.stop_replication_task(ReplicationTaskArn=arn)
    return build


VARIANTS = [
    accept("create_replication_instance", "in an explicit subnet group of two real subnets", _own_subnet_group),
    reject("create_replication_instance", "the instance names a subnet group that does not exist",
           _instance_change(_ghost_subnet_group), fix="which does not exist"),
    accept("create_endpoints", "the S3 target writes GZIP-compressed CSV", _endpoint_change(_gzip_target)),
    reject("create_endpoints", "the target names a bucket that does not exist", _endpoint_change(_missing_bucket),
           fix="create the bucket"),
    reject("create_endpoints", "the target's ServiceAccessRoleArn names no role", _endpoint_change(_missing_role),
           fix="names no role that exists"),
    accept("create_tasks", "task settings left out (DMS defaults)", _task_change(_no_task_settings)),
    accept("create_tasks", "task settings with logging on", _task_change(_with_settings)),
    reject("create_tasks", "the target endpoint ARN of another run (it does not exist)", _task_change(_ghost_target),
           fix="look the ARNs up"),
    reject("create_tasks", "the source endpoint ARN of another run (it does not exist)", _task_change(_ghost_source),
           fix="SourceEndpointArn"),
    accept("start_tasks", "the CDC task first, from a CdcStartTime of now", _start(("cdc", "full-load"), cdc_start_time=True)),
    reject("start_tasks", "only the full-load task started (the CDC one left ready)", _start(("full-load",)),
           fix="both tasks were started"),
    accept("stop_tasks", "the tasks found by their replication instance, the one still running stopped",
           _stop(("cdc", "full-load"), lookup=True)),
    reject("stop_tasks", "only the full-load task looked at (it stopped by itself; the CDC task is left running)",
           _stop(("full-load",)), fix="both tasks are stopped"),
]
