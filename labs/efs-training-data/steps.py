"""EFS as a training-data source. The control plane (file system, mount targets, access point,
lifecycle, FileSystemInUse, training jobs) is real boto3 on every target. moto has no NFS data
plane, so the data scientist's directory is a local folder standing in for the mounted access
point, and the two models are really trained on it with scikit-learn (``local``); moto's
training jobs are Completed at once and write no model artifact."""
from __future__ import annotations

import functools
import io
import json
import random
import time

from awslabs import labkit
from awslabs.lab import StepFailed, equal, expect

CIDR = "10.43.0.0/16"
DIRECTORY = "/ml/churn"
LEAKY = "cancel_request"  # filled in only after a customer has churned: it leaks the label
XGBOOST_ACCOUNTS = {
    "us-east-1": "683313688378", "us-east-2": "257758044811", "us-west-2": "246618743249",
    "eu-west-1": "141502667606", "eu-central-1": "492215442770",
}
ON_AWS_SKIP = ("on AWS the data must first be written into EFS through a mount (a notebook or EC2 host in "
               "the VPC); this lab keeps it local, so it creates no jobs that would find an empty directory")


# -- names and lookups --------------------------------------------------------------------------
def _token(ctx):
    return ctx.name("efs")


def _role(ctx):
    return ctx.name("sagemaker", max_len=64)


def _job(ctx, n):
    return ctx.name(f"train-v{n}", max_len=63)


def _network(ctx):
    """(vpc, subnets sorted by CIDR, security group), found through the lab's security group."""
    return labkit.network_by_security_group(ctx, ctx.name("nfs"))


def _file_system(ctx):
    found = ctx.client("efs").describe_file_systems(CreationToken=_token(ctx))["FileSystems"]
    return found[0] if found else None


def _fs_id(ctx):
    fs = _file_system(ctx)
    if fs is None:
        raise StepFailed("no file system (run the file_system step)")
    return fs["FileSystemId"]


def _mount_dir(ctx):
    """The local stand-in for <mount>/ml/churn as the access point exposes it."""
    path = ctx.workdir / "efs" / DIRECTORY.strip("/")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _wait(ctx, describe, ready, what, attempts=40, delay=5):
    for _ in range(attempts):
        if ready(describe()):
            return
        time.sleep(delay)
    raise StepFailed(f"{what} not ready after {attempts * delay} s")


# -- the notebook's data and the local training ---------------------------------------------------
@functools.lru_cache(maxsize=1)
def _dataset_csv() -> str:
    rng = random.Random(11)
    lines = ["churned,tenure_months,monthly_spend,support_calls," + LEAKY]
    for _ in range(600):
        tenure, spend, calls = rng.randint(1, 60), round(rng.uniform(10, 120), 2), rng.randint(0, 8)
        risk = 0.9 * calls / 8 + 0.6 * (1 - tenure / 60) + rng.gauss(0, 0.25)
        churned = int(risk > 0.75)
        leak = churned if rng.random() < 0.97 else 1 - churned
        lines.append(f"{churned},{tenure},{spend},{calls},{leak}")
    return "\n".join(lines) + "\n"


@functools.lru_cache(maxsize=4)
def _fit(csv_text: str) -> tuple[tuple[str, ...], float]:
    """Hold-out accuracy of a logistic regression on the CSV (first column is the label)."""
    import pandas as pd
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split

    frame = pd.read_csv(io.StringIO(csv_text))
    x, y = frame.drop(columns=["churned"]), frame["churned"]
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.3, random_state=0, stratify=y)
    model = LogisticRegression(max_iter=1000).fit(x_train, y_train)
    return tuple(x.columns), round(float(model.score(x_test, y_test)), 3)


def _create_job(ctx, n):
    sm = ctx.client("sagemaker")
    _, subnets, sg = _network(ctx)
    role = f"arn:aws:iam::{ctx.account}:role/{_role(ctx)}"
    account = XGBOOST_ACCOUNTS.get(ctx.region, XGBOOST_ACCOUNTS["us-east-1"])
    ctx.track("sagemaker:job", _job(ctx, n), type="training")
    sm.create_training_job(
        TrainingJobName=_job(ctx, n),
        AlgorithmSpecification={"TrainingImage": f"{account}.dkr.ecr.{ctx.region}.amazonaws.com/sagemaker-xgboost:1.7-1",
                                "TrainingInputMode": "File"},
        RoleArn=role,
        HyperParameters={"objective": "binary:logistic", "num_round": "20"},
        InputDataConfig=[{
            "ChannelName": "train",
            "ContentType": "text/csv",
            "DataSource": {"FileSystemDataSource": {"FileSystemId": _fs_id(ctx), "FileSystemType": "EFS",
                                                    "FileSystemAccessMode": "ro", "DirectoryPath": DIRECTORY}},
        }],
        OutputDataConfig={"S3OutputPath": f"s3://{ctx.name('output')}/models"},
        ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 1},
        VpcConfig={"SecurityGroupIds": [sg], "Subnets": [s["SubnetId"] for s in subnets]},
        StoppingCondition={"MaxRuntimeInSeconds": 600},
        Tags=ctx.tag_list(),
    )


# -- steps --------------------------------------------------------------------------------------
def apply_network(ctx):
    ec2 = ctx.client("ec2")
    entry = ctx.track_pending("ec2:vpc", "vpc")
    vpc = ctx.resolve(entry, ec2.create_vpc(CidrBlock=CIDR, TagSpecifications=ctx.tag_specifications("vpc"))["Vpc"]["VpcId"])
    zones = [z["ZoneName"] for z in ec2.describe_availability_zones(
        Filters=[{"Name": "state", "Values": ["available"]}])["AvailabilityZones"]][:2]
    for i, zone in enumerate(zones):
        entry = ctx.track_pending("ec2:subnet", f"subnet-{i}")
        ctx.resolve(entry, ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.43.{i}.0/24", AvailabilityZone=zone,
                                             TagSpecifications=ctx.tag_specifications("subnet"))["Subnet"]["SubnetId"])
    entry = ctx.track_pending("ec2:security-group", "nfs")
    sg = ctx.resolve(entry, ec2.create_security_group(
        GroupName=ctx.name("nfs"), Description="NFS between EFS mount targets and training hosts", VpcId=vpc,
        TagSpecifications=ctx.tag_specifications("security-group"))["GroupId"])
    ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 2049, "ToPort": 2049, "UserIdGroupPairs": [{"GroupId": sg}]}])
    ctx.track("ec2:vpc-endpoint", vpc)  # training hosts write model output to S3 through it
    tables = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["RouteTables"]
    ec2.create_vpc_endpoint(VpcId=vpc, VpcEndpointType="Gateway", ServiceName=f"com.amazonaws.{ctx.region}.s3",
                            RouteTableIds=[t["RouteTableId"] for t in tables],
                            TagSpecifications=ctx.tag_specifications("vpc-endpoint"))


def check_network(ctx):
    vpc, subnets, sg = _network(ctx)
    yield equal("two subnets in two availability zones", len({s["AvailabilityZone"] for s in subnets}), 2)
    ec2 = ctx.client("ec2")
    rules = ec2.describe_security_groups(GroupIds=[sg])["SecurityGroups"][0]["IpPermissions"]
    # Ports and sources: NFS admitted from the group itself only (not from an address range).
    admitted = sorted((r.get("FromPort"), r.get("ToPort"), source) for r in rules
                      for source in [p["GroupId"] for p in r.get("UserIdGroupPairs", [])]
                      + [i["CidrIp"] for i in r.get("IpRanges", [])] + [i["CidrIpv6"] for i in r.get("Ipv6Ranges", [])])
    yield equal("the security group admits NFS (2049) from itself, and nothing else", admitted,
                [(2049, 2049, sg)])
    endpoints = ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["VpcEndpoints"]
    yield expect("an S3 endpoint (Gateway) in the VPC, for the model output",
                 any(e["ServiceName"].endswith(".s3") and e.get("VpcEndpointType", "Gateway") == "Gateway"
                     and e.get("State", "available").lower() == "available" for e in endpoints),
                 json.dumps([(e["ServiceName"], e.get("VpcEndpointType"), e.get("State")) for e in endpoints]))


def apply_file_system(ctx):
    efs = ctx.client("efs")
    entry = ctx.track_pending("efs:file-system", "efs")
    created = efs.create_file_system(CreationToken=_token(ctx), PerformanceMode="generalPurpose", Encrypted=True,
                                     ThroughputMode="elastic", Tags=ctx.tag_list())
    ctx.resolve(entry, created["FileSystemId"])
    _wait(ctx, lambda: _file_system(ctx), lambda fs: fs and fs["LifeCycleState"] == "available", "the file system")
    efs.put_lifecycle_configuration(FileSystemId=created["FileSystemId"], LifecyclePolicies=[
        {"TransitionToIA": "AFTER_30_DAYS"},
        {"TransitionToPrimaryStorageClass": "AFTER_1_ACCESS"},
    ])


def check_file_system(ctx):
    fs = _file_system(ctx) or {}
    yield equal("the file system is available and encrypted", (fs.get("LifeCycleState"), fs.get("Encrypted")),
                ("available", True))
    policies = ctx.client("efs").describe_lifecycle_configuration(FileSystemId=_fs_id(ctx))["LifecyclePolicies"]
    # The policies are a set: their order in the request means nothing.
    yield equal("files move to IA after 30 days and back on first access",
                sorted(policies, key=json.dumps),
                sorted([{"TransitionToIA": "AFTER_30_DAYS"}, {"TransitionToPrimaryStorageClass": "AFTER_1_ACCESS"}],
                       key=json.dumps))


def apply_mount_targets(ctx):
    efs = ctx.client("efs")
    fs_id = _fs_id(ctx)
    _, subnets, sg = _network(ctx)
    for subnet in subnets:
        ctx.track("efs:mount-target", f"{fs_id}/{subnet['SubnetId']}")
        efs.create_mount_target(FileSystemId=fs_id, SubnetId=subnet["SubnetId"], SecurityGroups=[sg])
    _wait(ctx, lambda: efs.describe_mount_targets(FileSystemId=fs_id)["MountTargets"],
          lambda mts: all(m["LifeCycleState"] == "available" for m in mts), "the mount targets", attempts=36)


def check_mount_targets(ctx):
    efs = ctx.client("efs")
    targets = efs.describe_mount_targets(FileSystemId=_fs_id(ctx))["MountTargets"]
    zones = {m.get("AvailabilityZoneName") or m["SubnetId"] for m in targets if m["LifeCycleState"] == "available"}
    yield equal("one available mount target per availability zone", len(zones), 2)
    _, _, sg = _network(ctx)
    groups = {m["MountTargetId"]: _mount_target_groups(efs, m["MountTargetId"]) for m in targets}
    yield expect("every mount target is in the NFS security group (the one that admits 2049)",
                 bool(groups) and all(sg in g for g in groups.values()), json.dumps(groups))


def _mount_target_groups(efs, mount_target):
    """A mount target's security groups. Created without any, it is in the VPC's default group:
    moto then answers with no list at all, which reads here as "not the NFS group"."""
    return efs.describe_mount_target_security_groups(MountTargetId=mount_target).get("SecurityGroups", [])


def apply_access_point(ctx):
    efs = ctx.client("efs")
    entry = ctx.track_pending("efs:access-point", "churn")
    created = efs.create_access_point(
        ClientToken=ctx.name("ap"), FileSystemId=_fs_id(ctx), Tags=ctx.tag_list(),
        PosixUser={"Uid": 1000, "Gid": 1000},
        RootDirectory={"Path": DIRECTORY, "CreationInfo": {"OwnerUid": 1000, "OwnerGid": 1000, "Permissions": "750"}},
    )
    ctx.resolve(entry, created["AccessPointId"])


def check_access_point(ctx):
    points = ctx.client("efs").describe_access_points(FileSystemId=_fs_id(ctx))["AccessPoints"]
    roots = [(p["RootDirectory"]["Path"], p["PosixUser"]["Uid"], p["PosixUser"]["Gid"]) for p in points]
    yield equal("an access point roots clients at /ml/churn as uid 1000 / gid 1000", roots, [(DIRECTORY, 1000, 1000)])
    # Without CreationInfo EFS never creates the root directory and mounts fail; "750" and "0750"
    # are the same mode.
    created = [(i.get("OwnerUid"), i.get("OwnerGid"), int(i["Permissions"], 8) if i.get("Permissions") else None)
               for i in (p["RootDirectory"].get("CreationInfo") or {} for p in points)]
    yield equal("/ml/churn is created on first use, owned by 1000:1000, mode 750 (CreationInfo)", created,
                [(1000, 1000, 0o750)])


def apply_delete_in_use(ctx):
    efs = ctx.client("efs")
    try:
        efs.delete_file_system(FileSystemId=_fs_id(ctx))
    except efs.exceptions.FileSystemInUse as err:
        labkit.record(ctx, "delete_in_use", {"error": labkit.error_code(err)})
    else:
        raise StepFailed("the file system was deleted although it had mount targets")


def check_delete_in_use(ctx):
    state = (_file_system(ctx) or {}).get("LifeCycleState")
    error = (labkit.observed(ctx, "delete_in_use") or {}).get("error")
    yield expect("deleting a file system that has mount targets fails with FileSystemInUse, and it stays",
                 error == "FileSystemInUse" and state == "available", f"error {error}, file system {state}")


def apply_notebook_data(ctx):
    (_mount_dir(ctx) / "train.csv").write_text(_dataset_csv())


def check_notebook_data(ctx):
    path = _mount_dir(ctx) / "train.csv"
    header = path.read_text().splitlines()[0] if path.exists() else ""
    yield equal("the training set is in the EFS directory, label first", header.split(","),
                ["churned", "tenure_months", "monthly_spend", "support_calls", LEAKY], "local")


def apply_train_v1(ctx):
    if ctx.on_aws:
        raise ctx.skip(ON_AWS_SKIP)
    labkit.create_service_role(ctx, _role(ctx), "sagemaker.amazonaws.com", wait=False)  # never on AWS (skipped above)
    _create_job(ctx, 1)


def check_train_v1(ctx):
    job = ctx.client("sagemaker").describe_training_job(TrainingJobName=_job(ctx, 1))
    source = job["InputDataConfig"][0]["DataSource"].get("FileSystemDataSource", {})
    yield equal("the job reads the EFS directory directly", (source.get("FileSystemType"), source.get("DirectoryPath"),
                                                             source.get("FileSystemId")),
                ("EFS", DIRECTORY, (_file_system(ctx) or {}).get("FileSystemId")))
    _, subnets, sg = _network(ctx)
    vpc = job.get("VpcConfig", {})
    yield expect("from inside the VPC, with the NFS security group", sg in vpc.get("SecurityGroupIds", [])
                 and bool(vpc.get("Subnets")) and set(vpc["Subnets"]) <= {s["SubnetId"] for s in subnets},
                 json.dumps(vpc))


def apply_model_v1(ctx):
    """What the job would learn: the model really trained on the directory (scikit-learn, local)."""
    if ctx.on_aws:
        raise ctx.skip(ON_AWS_SKIP)
    columns, accuracy = _fit((_mount_dir(ctx) / "train.csv").read_text())
    labkit.record(ctx, "model_v1", {"features": list(columns), "accuracy": accuracy})


def check_model_v1(ctx):
    model = labkit.observed(ctx, "model_v1")
    if model is None:
        yield labkit.not_run("model v1 trained on the directory", "local")
        return
    yield expect("model v1 trained on the directory, leaky column included (hold-out accuracy)",
                 LEAKY in model["features"], f"accuracy {model['accuracy']} with features {model['features']}", "local")


def apply_drop_column_retrain(ctx):
    if ctx.on_aws:
        raise ctx.skip(ON_AWS_SKIP)
    _create_job(ctx, 2)


def check_drop_column_retrain(ctx):
    sm = ctx.client("sagemaker")
    sources = []
    for n in (1, 2):
        job = sm.describe_training_job(TrainingJobName=_job(ctx, n))
        sources.append((job["TrainingJobStatus"], json.dumps(job["InputDataConfig"][0]["DataSource"], sort_keys=True)))
    fs_id = (_file_system(ctx) or {}).get("FileSystemId")
    # Training jobs cannot be deleted: a job of an earlier attempt names a file system that is gone.
    yield expect("both jobs completed reading the very same directory of this EFS file system",
                 len(sources) == 2 and sources[0] == sources[1] and sources[0][0] == "Completed"
                 and fs_id is not None and f'"FileSystemId": "{fs_id}"' in sources[1][1],
                 f"{sources[1][1]} (moto completes jobs at once and writes no model artifact)")


def apply_model_v2(ctx):
    """The notebook edit (in place, in the directory the jobs read: nothing is uploaded) and what
    the second job would learn from it."""
    if ctx.on_aws:
        raise ctx.skip(ON_AWS_SKIP)
    import pandas as pd

    path = _mount_dir(ctx) / "train.csv"
    frame = pd.read_csv(path)
    if LEAKY in frame.columns:
        frame.drop(columns=[LEAKY]).to_csv(path, index=False)
    columns, accuracy = _fit(path.read_text())
    v1 = labkit.observed(ctx, "model_v1")
    labkit.record(ctx, "model_v2", {"features": list(columns), "accuracy": accuracy})
    (ctx.output_dir / "models.md").write_text(
        "# Same EFS directory, two training runs, no data movement\n\n| model | features | hold-out accuracy |\n"
        f"|---|---|---|\n| v1 | {', '.join(v1['features'])} | {v1['accuracy']} |\n"
        f"| v2 | {', '.join(columns)} | {accuracy} |\n\n"
        f"v1's accuracy is inflated by `{LEAKY}`, which is only known after a customer churns.\n")


def check_model_v2(ctx):
    v1, v2 = labkit.observed(ctx, "model_v1"), labkit.observed(ctx, "model_v2")
    if v2 is None:
        yield labkit.not_run("model v2 retrained without the leaky column", "local")
        return
    header = (_mount_dir(ctx) / "train.csv").read_text().splitlines()[0].split(",")
    yield expect("the notebook edit removed the leaky column from the shared file in place",
                 LEAKY not in header, ",".join(header), "local")
    yield expect("model v2 no longer sees the leaky column, and its honest accuracy is lower",
                 LEAKY not in v2["features"] and v2["accuracy"] < v1["accuracy"],
                 f"v1 {v1['accuracy']} -> v2 {v2['accuracy']}", "local")
