"""FSx for Lustre linked to S3 as the input of SageMaker training jobs.

moto creates and deletes Lustre file systems but validates no capacity, drops ImportPath /
ExportPath, has no Lifecycle field and moves no data; its training jobs are Completed at once and
write no model artifact. So: capacity rules are checked by awslabs.sim.storage_io before the
create call (``simulated``), the S3 link is read back only on AWS (``aws-only``), and the "why
FSx" numbers come from a small documented model (``simulated``)."""
from __future__ import annotations

import json
import random
import time

from awslabs import labkit
from awslabs.lab import StepFailed, equal, expect
from awslabs.sim.storage_io import compare_sources, crossover_runs, format_table, validate_lustre

CIDR = "10.42.0.0/16"
DEPLOYMENT, CAPACITY = "SCRATCH_2", 1200
# Requests the lab refuses before calling AWS (moto would accept them): what a learner often tries.
INVALID_REQUESTS = [
    ("SCRATCH_2", 1000, None),  # below the 1.2 TiB minimum
    ("SCRATCH_2", 3600, None),  # after 2.4 TiB, only steps of 2.4 TiB
    ("PERSISTENT_2", 2400, 300),  # per-unit throughput must be 125/250/500/1000
]
RUNS, DATASET_GIB = 5, 200  # the model's scenario: a 200 GiB dataset trained on 5 times
XGBOOST_ACCOUNTS = {  # SageMaker XGBoost 1.7-1 image registries (SageMaker docs: Docker registry paths)
    "us-east-1": "683313688378", "us-east-2": "257758044811", "us-west-2": "246618743249",
    "eu-west-1": "141502667606", "eu-central-1": "492215442770",
}


# -- names and lookups --------------------------------------------------------------------------
def _bucket(ctx):
    return ctx.name("data")


def _role(ctx):
    return ctx.name("sagemaker", max_len=64)


def _job(ctx, n):
    return ctx.name(f"train-{n}", max_len=63)


def _network(ctx):
    """(vpc, [subnet id, subnet id] sorted by CIDR, security group), found through the lab's
    security group."""
    vpc, subnets, sg = labkit.network_by_security_group(ctx, ctx.name("lustre"))
    return vpc, [s["SubnetId"] for s in subnets], sg


def _file_system(ctx):
    fsx = ctx.client("fsx")
    for page in fsx.get_paginator("describe_file_systems").paginate():
        for fs in page["FileSystems"]:
            tags = fs.get("Tags", [])
            if {"Key": "awslabs:run", "Value": ctx.run_id} in tags and {"Key": "awslabs:lab", "Value": ctx.lab.id} in tags:
                return fs
    return None


def _image(ctx):
    account = XGBOOST_ACCOUNTS.get(ctx.region, XGBOOST_ACCOUNTS["us-east-1"])
    return f"{account}.dkr.ecr.{ctx.region}.amazonaws.com/sagemaker-xgboost:1.7-1"


# -- steps --------------------------------------------------------------------------------------
def apply_network(ctx):
    ec2 = ctx.client("ec2")
    entry = ctx.track_pending("ec2:vpc", "vpc")
    vpc = ctx.resolve(entry, ec2.create_vpc(CidrBlock=CIDR, TagSpecifications=ctx.tag_specifications("vpc"))["Vpc"]["VpcId"])
    zones = [z["ZoneName"] for z in ec2.describe_availability_zones(
        Filters=[{"Name": "state", "Values": ["available"]}])["AvailabilityZones"]][:2]
    for i, zone in enumerate(zones):
        entry = ctx.track_pending("ec2:subnet", f"subnet-{i}")
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.42.{i}.0/24", AvailabilityZone=zone,
                                   TagSpecifications=ctx.tag_specifications("subnet"))["Subnet"]["SubnetId"]
        ctx.resolve(entry, subnet)
    entry = ctx.track_pending("ec2:security-group", "lustre")
    sg = ctx.resolve(entry, ec2.create_security_group(
        GroupName=ctx.name("lustre"), Description="Lustre traffic between the file system and training hosts",
        VpcId=vpc, TagSpecifications=ctx.tag_specifications("security-group"))["GroupId"])
    # Lustre clients talk to servers on 988 and 1018-1023; the group admits itself only.
    ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 988, "ToPort": 988, "UserIdGroupPairs": [{"GroupId": sg}]},
        {"IpProtocol": "tcp", "FromPort": 1018, "ToPort": 1023, "UserIdGroupPairs": [{"GroupId": sg}]},
    ])
    # Training hosts in a private VPC reach S3 (model output) through a gateway endpoint.
    ctx.track("ec2:vpc-endpoint", vpc)
    tables = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["RouteTables"]
    ec2.create_vpc_endpoint(VpcId=vpc, VpcEndpointType="Gateway", ServiceName=f"com.amazonaws.{ctx.region}.s3",
                            RouteTableIds=[t["RouteTableId"] for t in tables],
                            TagSpecifications=ctx.tag_specifications("vpc-endpoint"))


LUSTRE_PORTS = {988, *range(1018, 1024)}


def _admitted(rules, sg):
    """(TCP ports admitted from the group itself, sources other than the group): one rule per
    range or one per port is the same opening."""
    own, others = set(), set()
    for rule in rules:
        ports = set(range(rule.get("FromPort", 0), rule.get("ToPort", 65535) + 1)) if rule.get("IpProtocol") in ("tcp", "6") \
            else set(range(0, 65536)) if rule.get("IpProtocol") == "-1" else set()
        for pair in rule.get("UserIdGroupPairs", []):
            if pair.get("GroupId") == sg:
                own |= ports
            else:
                others.add(pair.get("GroupId"))
        others |= {r["CidrIp"] for r in rule.get("IpRanges", [])} | {r["CidrIpv6"] for r in rule.get("Ipv6Ranges", [])}
    return own, others


def check_network(ctx):
    vpc, subnets, sg = _network(ctx)
    ec2 = ctx.client("ec2")
    found = ec2.describe_subnets(SubnetIds=subnets)["Subnets"] if subnets else []
    yield equal("the VPC has two subnets in two availability zones",
                (len(subnets), len({s["AvailabilityZone"] for s in found})), (2, 2))
    rules = ec2.describe_security_groups(GroupIds=[sg])["SecurityGroups"][0]["IpPermissions"]
    own, others = _admitted(rules, sg)
    yield expect("the security group admits the Lustre ports (TCP 988 and 1018-1023) from itself, and no other source",
                 LUSTRE_PORTS <= own and not others,
                 f"from itself: {sorted(own) if len(own) <= 20 else f'{len(own)} ports'}; "
                 f"other sources: {sorted(others) or 'none'}")
    endpoints = ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["VpcEndpoints"]
    yield expect("an S3 endpoint (Gateway) in the VPC, for the model output",
                 any(e["ServiceName"].endswith(".s3") and e.get("VpcEndpointType", "Gateway") == "Gateway"
                     and e.get("State", "available").lower() == "available" for e in endpoints),
                 json.dumps([(e["ServiceName"], e.get("VpcEndpointType"), e.get("State")) for e in endpoints]))


def apply_dataset(ctx):
    s3 = ctx.client("s3")
    ctx.create_bucket(_bucket(ctx))
    rng = random.Random(7)
    for shard in range(3):
        rows = []
        for _ in range(200):
            x1, x2 = rng.random(), rng.random()
            rows.append(f"{int(x1 + x2 > 1)},{x1:.4f},{x2:.4f}")  # label first, no header
        s3.put_object(Bucket=_bucket(ctx), Key=f"train/part-{shard}.csv", Body="\n".join(rows).encode())


def check_dataset(ctx):
    s3 = ctx.client("s3")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=_bucket(ctx), Prefix="train/").get("Contents", [])]
    yield equal("three CSV shards are under train/", len(keys), 3)
    # XGBoost's CSV input: label in the first column, no header row (a header is read as a row).
    bad = {}
    for key in keys:
        lines = [line for line in s3.get_object(Bucket=_bucket(ctx), Key=key)["Body"].read().decode().splitlines() if line]
        wrong = next((line for line in lines if not _numeric_row(line)), None)
        if not lines or wrong is not None:
            bad[key] = wrong or "empty"
    yield expect("every row is numeric, label first, with no header", keys and not bad,
                 json.dumps(bad) if bad else f"{len(keys)} shards")


def _numeric_row(line):
    try:
        return all(float(v) == float(v) for v in line.strip().split(","))
    except ValueError:
        return False


def apply_file_system(ctx):
    # The lab validates first: moto would accept requests AWS refuses (see capacity_rules).
    errors = validate_lustre(DEPLOYMENT, CAPACITY)
    if errors:
        raise StepFailed(str(errors[0]))
    _, subnets, sg = _network(ctx)
    fsx = ctx.client("fsx")
    entry = ctx.track_pending("fsx:file-system", "lustre", deployment=DEPLOYMENT)
    created = fsx.create_file_system(
        ClientRequestToken=ctx.name("fsx"),
        FileSystemType="LUSTRE",
        FileSystemTypeVersion="2.12",  # the S3 ImportPath link needs Lustre 2.10 or 2.12
        StorageCapacity=CAPACITY,
        StorageType="SSD",
        SubnetIds=[subnets[0]],  # Lustre lives in one subnet (one AZ)
        SecurityGroupIds=[sg],
        Tags=ctx.tag_list(),
        LustreConfiguration={
            "DeploymentType": DEPLOYMENT,
            "ImportPath": f"s3://{_bucket(ctx)}/train",
            "ExportPath": f"s3://{_bucket(ctx)}/export",  # same bucket as the import, another prefix
            "AutoImportPolicy": "NEW_CHANGED_DELETED",
        },
    )["FileSystem"]
    ctx.resolve(entry, created["FileSystemId"])
    # Creation takes 5-10 minutes on AWS; moto has no Lifecycle field, so never wait on it there.
    for _ in range(60):
        fs = _file_system(ctx)
        if fs is None or fs.get("Lifecycle") in (None, "AVAILABLE"):
            break
        if fs.get("Lifecycle") in ("FAILED", "MISCONFIGURED"):
            raise StepFailed(f"file system {fs['FileSystemId']} is {fs['Lifecycle']}")
        time.sleep(20)
    else:
        raise StepFailed("the file system was not AVAILABLE after 20 minutes")


def check_file_system(ctx):
    fs = _file_system(ctx) or {}
    yield equal("a LUSTRE SCRATCH_2 file system of 1200 GiB exists",
                (fs.get("FileSystemType"), fs.get("LustreConfiguration", {}).get("DeploymentType"), fs.get("StorageCapacity")),
                ("LUSTRE", DEPLOYMENT, CAPACITY))
    subnets = _network(ctx)[1]
    yield expect("it lives in one of the lab's subnets (Lustre is single-AZ)",
                 len(fs.get("SubnetIds", [])) == 1 and fs["SubnetIds"][0] in subnets,
                 f"{fs.get('SubnetIds')} in {subnets}")
    if ctx.on_aws:
        link = fs.get("LustreConfiguration", {}).get("DataRepositoryConfiguration", {})
        yield equal("the file system imports from the S3 prefix", link.get("ImportPath"), f"s3://{_bucket(ctx)}/train")
    else:
        yield ctx.aws_only("the file system imports from the S3 prefix", "moto does not echo ImportPath")


def apply_capacity_rules(ctx):
    """What FSx would refuse and moto accepts: awslabs validates the requests a learner often
    tries, and the file system that was really created, against the documented rules."""
    labkit.record(ctx, "capacity_rules", {
        "refused": {f"{d} {c} GiB" + (f" {u} MB/s/TiB" if u else ""): [str(e) for e in validate_lustre(d, c, u)]
                    for d, c, u in INVALID_REQUESTS}})


def check_capacity_rules(ctx):
    seen = labkit.observed(ctx, "capacity_rules")
    if seen is None:
        yield labkit.not_run("the lab refused the invalid requests", "simulated")
        return
    refused = seen["refused"]
    yield expect("the lab refused 1000 GiB, 3600 GiB and 300 MB/s/TiB with AWS-style messages",
                 len(refused) == 3 and all(msgs and msgs[0].startswith("BadRequest") for msgs in refused.values()),
                 json.dumps(refused), "simulated")
    # The file system on the target against the documented size rule, written out here rather
    # than re-run through the validator that let the request through: SCRATCH_2 and PERSISTENT
    # SSD file systems are 1,200 GiB or a multiple of 2,400 GiB (FSx for Lustre User Guide,
    # "Storage capacity").
    fs = _file_system(ctx) or {}
    capacity = fs.get("StorageCapacity") or 0
    yield expect("the file system that was created has a valid size (1,200 GiB or a multiple of 2,400 GiB)",
                 capacity == 1200 or (capacity > 0 and capacity % 2400 == 0), f"{capacity} GiB")


def apply_train_from_fsx(ctx):
    sm = ctx.client("sagemaker")
    fs = _file_system(ctx)
    if fs is None:
        raise StepFailed("no file system (run the file_system step)")
    _, subnets, sg = _network(ctx)
    role = labkit.create_service_role(ctx, _role(ctx), "sagemaker.amazonaws.com", {"training": [
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket"],
         "Resource": [f"arn:aws:s3:::{_bucket(ctx)}", f"arn:aws:s3:::{_bucket(ctx)}/*"]},
        {"Effect": "Allow", "Action": ["ec2:CreateNetworkInterface", "ec2:CreateNetworkInterfacePermission",
                                       "ec2:DeleteNetworkInterface", "ec2:DeleteNetworkInterfacePermission",
                                       "ec2:Describe*", "fsx:DescribeFileSystems",
                                       "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents",
                                       "cloudwatch:PutMetricData", "ecr:GetAuthorizationToken"],
         "Resource": "*"},
    ]})
    # The import prefix (s3://<bucket>/train) is the file system's root, and SageMaker's path
    # starts with the mount name AWS assigns (moto has none; "fsx" stands in).
    mount = fs.get("LustreConfiguration", {}).get("MountName", "fsx")
    for n in (1, 2):
        ctx.track("sagemaker:job", _job(ctx, n), type="training")
        sm.create_training_job(
            TrainingJobName=_job(ctx, n),
            AlgorithmSpecification={"TrainingImage": _image(ctx), "TrainingInputMode": "File"},
            RoleArn=role,
            HyperParameters={"objective": "binary:logistic", "num_round": str(10 * n)},
            InputDataConfig=[{
                "ChannelName": "train",
                "ContentType": "text/csv",
                "DataSource": {"FileSystemDataSource": {
                    "FileSystemId": fs["FileSystemId"], "FileSystemType": "FSxLustre",
                    "FileSystemAccessMode": "ro", "DirectoryPath": f"/{mount}",
                }},
            }],
            OutputDataConfig={"S3OutputPath": f"s3://{_bucket(ctx)}/output"},
            ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 1},
            VpcConfig={"SecurityGroupIds": [sg], "Subnets": [subnets[0]]},
            StoppingCondition={"MaxRuntimeInSeconds": 900},
            Tags=ctx.tag_list(),
        )
        if ctx.on_aws:  # run 2 reuses what run 1 lazy-loaded: run them one after the other
            sm.get_waiter("training_job_completed_or_stopped").wait(
                TrainingJobName=_job(ctx, n), WaiterConfig={"Delay": 30, "MaxAttempts": 40})


def check_train_from_fsx(ctx):
    sm = ctx.client("sagemaker")
    fs = _file_system(ctx) or {}
    fs_id = fs.get("FileSystemId")
    mount = fs.get("LustreConfiguration", {}).get("MountName", "fsx")
    _, subnets, sg = _network(ctx)
    for n in (1, 2):
        job = sm.describe_training_job(TrainingJobName=_job(ctx, n))
        source = job["InputDataConfig"][0]["DataSource"].get("FileSystemDataSource", {})
        yield expect(f"run {n} read the Lustre file system from inside the VPC and completed",
                     job["TrainingJobStatus"] == "Completed" and source.get("FileSystemType") == "FSxLustre"
                     and source.get("FileSystemId") == fs_id and bool(job.get("VpcConfig", {}).get("Subnets")),
                     f"{job['TrainingJobStatus']} from {source.get('FileSystemId')}{source.get('DirectoryPath')}"
                     + ("" if ctx.on_aws else " (moto completes jobs at once and writes no model artifact)"))
        vpc = job.get("VpcConfig", {})
        yield expect(f"run {n} uses the Lustre security group and the lab's subnets",
                     sg in vpc.get("SecurityGroupIds", []) and bool(vpc.get("Subnets")) and set(vpc["Subnets"]) <= set(subnets),
                     json.dumps(vpc))
        path = (source.get("DirectoryPath") or "").rstrip("/")
        yield equal(f"run {n} reads the directory named by the file system's mount name (/{mount})", path, f"/{mount}")


def apply_compare_sources(ctx):
    rows = compare_sources(DATASET_GIB, RUNS)
    single = compare_sources(DATASET_GIB, 1)
    crossover = crossover_runs(DATASET_GIB)
    labkit.record(ctx, "compare_sources", {
        "rows": {r.key: {"source": r.source, "moved_from_s3_gib": r.moved_from_s3_gib, "total_wait_s": r.total_wait_s} for r in rows},
        "single": {r.key: {"total_wait_s": r.total_wait_s} for r in single}, "crossover": crossover})
    (ctx.output_dir / "data-movement.md").write_text(
        f"# {DATASET_GIB} GiB in S3, {RUNS} training runs (simulated; rates in awslabs.sim.storage_io.Rates)\n\n"
        + format_table(rows) + "\n\n## One run\n\n" + format_table(single)
        + f"\n\nFSx waits less than File mode from {crossover} runs on.\n")


def check_compare_sources(ctx):
    seen = labkit.observed(ctx, "compare_sources")
    if seen is None:
        yield labkit.not_run("the comparison was written", "simulated")
        return
    rows, single = seen["rows"], seen["single"]
    moved = (rows["fsx"]["moved_from_s3_gib"], rows["file"]["moved_from_s3_gib"])
    summary = "; ".join(f"{r['source']}: {r['moved_from_s3_gib']:g} GiB from S3, {r['total_wait_s']:g} s waiting"
                        for r in rows.values())
    yield expect(f"over {RUNS} runs FSx pulls the dataset from S3 once, File mode {RUNS} times",
                 moved == (DATASET_GIB, DATASET_GIB * RUNS),
                 f"{summary} (table: {ctx.output_dir / 'data-movement.md'})", "simulated")
    yield expect("for one run File mode waits less; over five FSx waits less",
                 single["file"]["total_wait_s"] < single["fsx"]["total_wait_s"]
                 and rows["fsx"]["total_wait_s"] < rows["file"]["total_wait_s"],
                 f"1 run: file {single['file']['total_wait_s']:g}s vs fsx {single['fsx']['total_wait_s']:g}s; "
                 f"{RUNS} runs: file {rows['file']['total_wait_s']:g}s vs fsx {rows['fsx']['total_wait_s']:g}s; "
                 f"crossover at {seen['crossover']} runs", "simulated")
    yield equal("EFS moves nothing when the data already lives there", rows["efs"]["moved_from_s3_gib"], 0.0, "simulated")
