"""EBS volume types for ML hosts. moto creates volumes of every type but validates none of the
published limits, so the lab checks requests with awslabs.sim.storage_io first (``simulated``) and
asks the target with ``DryRun`` (AWS answers with its real validation error; moto says it would
accept). Volumes, snapshots and the attach/detach cycle are real boto3 calls on every target."""
from __future__ import annotations

import json

from awslabs import labkit
from awslabs.lab import StepFailed, equal, expect
from awslabs.sim.storage_io import Workload, choose_volume, validate_volume

CIDR = "10.44.0.0/16"
WORKLOADS = {  # name -> (workload, the type the published limits and prices lead to)
    "feature-store lookups (random 16 KiB, 200 MiB/s, 500 GiB)": (Workload(500, "random", 16, 200), "gp3"),
    "metadata database (random 16 KiB, 100,000 IOPS, 200 GiB)": (Workload(200, "random", 16, 100, 100000), "io2"),
    "training-shard scans (sequential 1 MiB, 450 MiB/s, 12 TiB)": (Workload(12288, "sequential", 1024, 450), "st1"),
    "raw-log archive read nightly (sequential 1 MiB, 80 MiB/s, 8 TiB)": (Workload(8192, "sequential", 1024, 80), "sc1"),
}
INVALID = {  # what moto accepts but EC2 rejects
    "st1 of 100 GiB": {"VolumeType": "st1", "Size": 100},
    "gp3 at 2500 MiB/s": {"VolumeType": "gp3", "Size": 100, "Iops": 10000, "Throughput": 2500},
    "type gp4": {"VolumeType": "gp4", "Size": 8},
}
# The lab's real volumes: minimum sizes, so a real account pays cents (see lab.toml cost).
VOLUMES = {
    "gp3": {"VolumeType": "gp3", "Size": 8, "Iops": 3000, "Throughput": 250},
    "io2": {"VolumeType": "io2", "Size": 4, "Iops": 200},
    "st1": {"VolumeType": "st1", "Size": 125},
    "sc1": {"VolumeType": "sc1", "Size": 125},
}
RESTORED = {"VolumeType": "gp3", "Size": 8, "Iops": 4000, "Throughput": 500}
INSTANCE_TYPE = "t3.nano"
HOST, OLD_HOST, SCRATCH = "host", "old-host", "scratch"  # Name tags
SCRATCH_SPEC = {"VolumeType": "gp3", "Size": 1}
AMI_PARAMETER = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"


# -- lookups by the run tag ---------------------------------------------------------------------
def _by_tag(ctx, extra=None):
    # The lab tag too: in practice mode every lab's run id is "practice".
    return [{"Name": "tag:awslabs:run", "Values": [ctx.run_id]},
            {"Name": "tag:awslabs:lab", "Values": [ctx.lab.id]}] + (extra or [])


def _subnet(ctx):
    subnets = ctx.client("ec2").describe_subnets(Filters=_by_tag(ctx))["Subnets"]
    if not subnets:
        raise StepFailed(f"no subnet tagged awslabs:lab={ctx.lab.id} and awslabs:run={ctx.run_id} "
                         "(tag the subnet itself, not only its VPC; run the network step)")
    return subnets[0]


def _volumes(ctx):
    """role -> volume, for the volumes this run created (role is in the Name tag)."""
    found = ctx.client("ec2").describe_volumes(Filters=_by_tag(ctx))["Volumes"]
    return {next((t["Value"] for t in v.get("Tags", []) if t["Key"] == "Name"), "?"): v for v in found}


GP3_BASELINE = {"Iops": 3000, "Throughput": 125}  # what AWS applies when a gp3 request leaves them out


def _performance(volume, key):
    """A volume's IOPS or throughput as AWS applies it: the gp3 baseline when left implicit (moto
    returns no Throughput for a gp3 volume created without one; AWS gives it 125 MiB/s)."""
    value = volume.get(key)
    if value is None and volume.get("VolumeType") == "gp3":
        return GP3_BASELINE[key]
    return value


def _offers(ctx, zone):
    offered = {o["Location"] for o in ctx.client("ec2").describe_instance_type_offerings(
        LocationType="availability-zone", Filters=[{"Name": "instance-type", "Values": [INSTANCE_TYPE]}])["InstanceTypeOfferings"]}
    return zone in offered


def _instance(ctx, name=HOST):
    reservations = ctx.client("ec2").describe_instances(
        Filters=_by_tag(ctx, [{"Name": "tag:Name", "Values": [name]}]))["Reservations"]
    instances = [i for r in reservations for i in r["Instances"]]
    return instances[0] if instances else None


def _named(ctx, resource_type, name):
    return [{"ResourceType": resource_type, "Tags": ctx.tag_list(extra={"Name": name})}]


def _create_volume(ctx, role, spec, **more):
    errors = validate_volume(spec["VolumeType"], spec["Size"], spec.get("Iops"), spec.get("Throughput"))
    if errors:
        raise StepFailed(str(errors[0]))
    ec2 = ctx.client("ec2")
    entry = ctx.track_pending("ec2:volume", role)
    volume = ec2.create_volume(AvailabilityZone=_subnet(ctx)["AvailabilityZone"], TagSpecifications=_named(ctx, "volume", role),
                               **spec, **more)
    return ctx.resolve(entry, volume["VolumeId"])


# -- steps --------------------------------------------------------------------------------------
def apply_choose(ctx):
    lines = ["| workload | choice | why / why not the others |", "|---|---|---|"]
    chosen = {}
    for name, (workload, _) in WORKLOADS.items():
        choice = choose_volume(workload)
        chosen[name] = choice.volume_type
        why = "; ".join(f"{t}: {reason}" for t, reason in choice.considered.items())
        lines.append(f"| {name} | **{choice.volume_type}** | {why} |")
    (ctx.output_dir / "volume-choices.md").write_text(
        "# EBS volume choices (simulated from the published limits and us-east-1 prices)\n\n" + "\n".join(lines) + "\n")


def check_choose(ctx):
    # Read the table the step wrote; the expected types come from the task (WORKLOADS), not from
    # the simulator that chose them.
    rows = [[c.strip() for c in line.strip("|").split("|")]
            for line in (ctx.output_dir / "volume-choices.md").read_text().splitlines() if line.startswith("| ")][1:]
    chosen = {row[0]: row[1].strip("*") for row in rows}
    yield equal("random small I/O -> gp3 (io2 past 80,000 IOPS); large sequential scans -> st1; cold scans -> sc1",
                chosen, {name: expected for name, (_, expected) in WORKLOADS.items()}, "simulated")
    created = sorted({v["VolumeType"] for role, v in _volumes(ctx).items() if role in VOLUMES})
    yield equal("the volumes step created one volume of each chosen type", created, sorted(set(chosen.values())))


def apply_validate(ctx):
    ec2 = ctx.client("ec2")
    zone = ec2.describe_availability_zones()["AvailabilityZones"][0]["ZoneName"]
    lab, target = {}, {}
    for name, spec in INVALID.items():
        lab[name] = [str(e) for e in validate_volume(spec["VolumeType"], spec["Size"], spec.get("Iops"), spec.get("Throughput"))]
        try:  # DryRun: EC2 validates and authorises without creating anything
            ec2.create_volume(AvailabilityZone=zone, DryRun=True, **spec)
            target[name] = "created?!"
        except ec2.exceptions.ClientError as err:
            target[name] = err.response["Error"]["Code"]
    labkit.record(ctx, "validate", {"lab_errors": lab, "target_answers": target})


def check_validate(ctx):
    seen = labkit.observed(ctx, "validate")
    if seen is None:
        yield labkit.not_run("the lab rejects all three invalid requests", "simulated")
        return
    lab = seen["lab_errors"]
    yield expect("the lab rejects all three with EC2-style InvalidParameterValue messages",
                 sorted(lab) == sorted(INVALID) and all(msgs and msgs[0].startswith("InvalidParameterValue") for msgs in lab.values()),
                 json.dumps(lab), "simulated")
    # What was created, read back, against the task's specification (not re-validated by the
    # validator that let it through).
    created = {role: {k: v.get(k) for k in spec} for role, v in _volumes(ctx).items()
               for r, spec in VOLUMES.items() if role == r}
    yield equal("the four volumes on the target are exactly the minimum-size specs", created, VOLUMES)
    answers = seen["target_answers"]
    if ctx.on_aws:
        yield expect("EC2 itself rejects all three on DryRun", all(a not in ("DryRunOperation", "created?!") for a in answers.values()),
                     json.dumps(answers))
    else:
        yield expect("the emulator would accept all three (DryRunOperation): validation is the lab's job here",
                     all(a == "DryRunOperation" for a in answers.values()), json.dumps(answers))


def apply_network(ctx):
    ec2 = ctx.client("ec2")
    entry = ctx.track_pending("ec2:vpc", "vpc")
    vpc = ctx.resolve(entry, ec2.create_vpc(CidrBlock=CIDR, TagSpecifications=ctx.tag_specifications("vpc"))["Vpc"]["VpcId"])
    zones = [z["ZoneName"] for z in ec2.describe_availability_zones(
        Filters=[{"Name": "state", "Values": ["available"]}])["AvailabilityZones"]]
    # Not every AZ offers every instance type (us-east-1e has no t3): pick one that does.
    offered = {o["Location"] for o in ec2.describe_instance_type_offerings(
        LocationType="availability-zone", Filters=[{"Name": "instance-type", "Values": [INSTANCE_TYPE]}])["InstanceTypeOfferings"]}
    zone = next((z for z in zones if z in offered), zones[0])
    entry = ctx.track_pending("ec2:subnet", "host")
    ctx.resolve(entry, ec2.create_subnet(VpcId=vpc, CidrBlock="10.44.1.0/24", AvailabilityZone=zone,
                                         TagSpecifications=ctx.tag_specifications("subnet"))["Subnet"]["SubnetId"])


def check_network(ctx):
    subnet = _subnet(ctx)
    yield expect("a subnet tagged with this run exists", subnet["SubnetId"], subnet["AvailabilityZone"])
    # Volumes and the host must share the zone: a zone without t3.nano (us-east-1e) fails at attach.
    yield expect(f"the subnet's availability zone offers {INSTANCE_TYPE}", _offers(ctx, subnet["AvailabilityZone"]),
                 f"{subnet['AvailabilityZone']} {'offers' if _offers(ctx, subnet['AvailabilityZone']) else 'does not offer'} "
                 f"{INSTANCE_TYPE} (DescribeInstanceTypeOfferings); create the subnet in a zone that does")


def apply_volumes(ctx):
    for role, spec in VOLUMES.items():
        _create_volume(ctx, role, spec)
    ids = [v["VolumeId"] for role, v in _volumes(ctx).items() if role in VOLUMES]
    ctx.client("ec2").get_waiter("volume_available").wait(VolumeIds=ids, WaiterConfig={"Delay": 5, "MaxAttempts": 36})


def check_volumes(ctx):
    got = {role: {"VolumeType": v["VolumeType"], "Size": v["Size"],
                  **({"Iops": _performance(v, "Iops")} if "Iops" in VOLUMES.get(role, {}) else {}),
                  **({"Throughput": _performance(v, "Throughput")} if "Throughput" in VOLUMES.get(role, {}) else {})}
           for role, v in _volumes(ctx).items() if role in VOLUMES}
    yield equal("gp3 8 GiB/3000 IOPS/250 MiB/s, io2 4 GiB/200 IOPS, st1 and sc1 125 GiB read back", got, VOLUMES)


def apply_snapshot_restore(ctx):
    ec2 = ctx.client("ec2")
    source = _volumes(ctx)["gp3"]["VolumeId"]
    entry = ctx.track_pending("ec2:snapshot", "gp3")
    snapshot = ec2.create_snapshot(VolumeId=source, Description="awslabs ebs-volumes", TagSpecifications=_named(ctx, "snapshot", "gp3"))
    ctx.resolve(entry, snapshot["SnapshotId"])
    ec2.get_waiter("snapshot_completed").wait(SnapshotIds=[snapshot["SnapshotId"]], WaiterConfig={"Delay": 10, "MaxAttempts": 60})
    # A restore may change type and performance: same data, twice the throughput.
    _create_volume(ctx, "restored", RESTORED, SnapshotId=snapshot["SnapshotId"])
    ec2.get_waiter("volume_available").wait(VolumeIds=[_volumes(ctx)["restored"]["VolumeId"]],
                                            WaiterConfig={"Delay": 5, "MaxAttempts": 36})


def check_snapshot_restore(ctx):
    ec2 = ctx.client("ec2")
    snapshots = ec2.describe_snapshots(Filters=_by_tag(ctx), OwnerIds=["self"])["Snapshots"]
    restored = _volumes(ctx).get("restored", {})
    yield expect("the restored volume comes from the gp3 volume's completed snapshot",
                 snapshots and snapshots[0]["State"] == "completed" and restored.get("SnapshotId") == snapshots[0]["SnapshotId"]
                 and snapshots[0]["VolumeId"] == _volumes(ctx)["gp3"]["VolumeId"],
                 f"{restored.get('VolumeId')} from snapshot {restored.get('SnapshotId')}")
    # Read back as AWS applies it (a ModifyVolume after the restore counts the same).
    got = {"VolumeType": restored.get("VolumeType"), "Iops": _performance(restored, "Iops"),
           "Throughput": _performance(restored, "Throughput")}
    yield equal("the restored volume is gp3 at 4000 IOPS / 500 MiB/s", got,
                {k: RESTORED[k] for k in ("VolumeType", "Iops", "Throughput")})


def apply_attach(ctx):
    ec2 = ctx.client("ec2")
    image = ctx.client("ssm").get_parameter(Name=AMI_PARAMETER)["Parameter"]["Value"]
    subnet = _subnet(ctx)["SubnetId"]
    launch = dict(ImageId=image, InstanceType=INSTANCE_TYPE, MinCount=1, MaxCount=1, SubnetId=subnet,
                  TagSpecifications=_named(ctx, "instance", HOST))
    try:  # the free rehearsal: permissions and parameters, no instance
        ec2.run_instances(DryRun=True, **launch)
    except ec2.exceptions.ClientError as err:
        if err.response["Error"]["Code"] != "DryRunOperation":
            raise
    entry = ctx.track_pending("ec2:instance", HOST)
    instance = ctx.resolve(entry, ec2.run_instances(**launch)["Instances"][0]["InstanceId"])
    ec2.get_waiter("instance_running").wait(InstanceIds=[instance], WaiterConfig={"Delay": 5, "MaxAttempts": 40})
    volume = _volumes(ctx)["restored"]["VolumeId"]
    ec2.attach_volume(VolumeId=volume, InstanceId=instance, Device="/dev/sdf")
    ec2.get_waiter("volume_in_use").wait(VolumeIds=[volume], WaiterConfig={"Delay": 5, "MaxAttempts": 24})


def check_attach(ctx):
    volume = _volumes(ctx).get("restored", {})
    attached = [(a["InstanceId"], a["Device"]) for a in volume.get("Attachments", []) if a["State"] in ("attaching", "attached")]
    instance = (_instance(ctx) or {}).get("InstanceId")
    yield equal("the restored volume is attached to the instance as /dev/sdf", attached, [(instance, "/dev/sdf")])
    yield equal(f"the host is a {INSTANCE_TYPE}", (_instance(ctx) or {}).get("InstanceType"), INSTANCE_TYPE)


def apply_old_host(ctx):
    """Someone else's leftover: a t3.nano with a small scratch volume attached as /dev/sdg, still
    running (and billing). In practice mode awslabs sets it up at `start`, for you to detach."""
    ec2 = ctx.client("ec2")
    image = ctx.client("ssm").get_parameter(Name=AMI_PARAMETER)["Parameter"]["Value"]
    offered = [o["Location"] for o in ec2.describe_instance_type_offerings(
        LocationType="availability-zone", Filters=[{"Name": "instance-type", "Values": [INSTANCE_TYPE]}])["InstanceTypeOfferings"]]
    placement = {"Placement": {"AvailabilityZone": sorted(offered)[0]}} if offered else {}
    entry = ctx.track_pending("ec2:instance", OLD_HOST)
    instance = ctx.resolve(entry, ec2.run_instances(
        ImageId=image, InstanceType=INSTANCE_TYPE, MinCount=1, MaxCount=1, **placement,
        TagSpecifications=_named(ctx, "instance", OLD_HOST))["Instances"][0]["InstanceId"])
    ec2.get_waiter("instance_running").wait(InstanceIds=[instance], WaiterConfig={"Delay": 5, "MaxAttempts": 40})
    zone = _instance(ctx, OLD_HOST)["Placement"]["AvailabilityZone"]
    entry = ctx.track_pending("ec2:volume", SCRATCH)
    volume = ctx.resolve(entry, ec2.create_volume(AvailabilityZone=zone, TagSpecifications=_named(ctx, "volume", SCRATCH),
                                                  **SCRATCH_SPEC)["VolumeId"])
    ec2.get_waiter("volume_available").wait(VolumeIds=[volume], WaiterConfig={"Delay": 5, "MaxAttempts": 36})
    ec2.attach_volume(VolumeId=volume, InstanceId=instance, Device="/dev/sdg")
    ec2.get_waiter("volume_in_use").wait(VolumeIds=[volume], WaiterConfig={"Delay": 5, "MaxAttempts": 24})


def check_old_host(ctx):
    old, scratch = _instance(ctx, OLD_HOST), _volumes(ctx).get(SCRATCH)
    yield expect("an old t3.nano host and its scratch volume exist",
                 bool(old) and old["InstanceType"] == INSTANCE_TYPE and bool(scratch),
                 f"host {(old or {}).get('InstanceId')} ({(old or {}).get('State', {}).get('Name')}), "
                 f"volume {(scratch or {}).get('VolumeId')}")


def apply_detach(ctx):
    ec2 = ctx.client("ec2")
    instance = _instance(ctx, OLD_HOST)["InstanceId"]
    volume = _volumes(ctx)[SCRATCH]["VolumeId"]
    ec2.detach_volume(VolumeId=volume, InstanceId=instance)  # always with InstanceId (moto crashes without)
    ec2.get_waiter("volume_available").wait(VolumeIds=[volume], WaiterConfig={"Delay": 5, "MaxAttempts": 24})
    ec2.terminate_instances(InstanceIds=[instance])  # the costly part goes at once


def check_detach(ctx):
    volume = _volumes(ctx).get(SCRATCH, {})
    state = (_instance(ctx, OLD_HOST) or {}).get("State", {}).get("Name")
    yield expect("the scratch volume is available again and the old host is terminating",
                 volume.get("State") == "available" and not volume.get("Attachments")
                 and state in ("shutting-down", "terminated"),
                 f"volume {volume.get('State')}, old host {state}")
