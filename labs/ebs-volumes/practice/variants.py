"""ebs-volumes: other valid ways (must pass) and near misses (must fail saying what to fix)."""
from awslabs.practice import accept, reject, tweak


def _steps():
    from awslabs.catalog import Catalog

    return Catalog().get("ebs-volumes").load_steps()


def _tags_later(ctx, kind, ids):
    """What TagSpecifications would have done, done afterwards with CreateTags."""
    ctx.client("ec2").create_tags(Resources=ids, Tags=ctx.tag_list(extra={"Name": kind} if kind else None))


# -- network ----------------------------------------------------------------------------------------
def _network_tagged_later(ctx):
    ec2 = ctx.client("ec2")
    vpc = ec2.create_vpc(CidrBlock=_steps().CIDR)["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.44.7.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    _tags_later(ctx, None, [vpc, subnet])


def _network_in_zone(zone):
    def change(params):
        params["AvailabilityZone"] = zone
    return lambda ctx: tweak(ctx, "ec2", "CreateSubnet", change, _steps().apply_network)


def _network_subnet_untagged(ctx):
    """The VPC tagged, the subnet not: nothing finds the lab's subnet."""
    def change(params):
        params.pop("TagSpecifications", None)
    tweak(ctx, "ec2", "CreateSubnet", change, _steps().apply_network)


# -- volumes ----------------------------------------------------------------------------------------
def _volume_change(role, change_spec):
    def change(params):
        tags = {t["Key"]: t["Value"] for s in params.get("TagSpecifications", []) for t in s["Tags"]}
        if tags.get("Name") == role:
            change_spec(params)
    return change


def _volumes_with(role, change_spec):
    return lambda ctx: tweak(ctx, "ec2", "CreateVolume", _volume_change(role, change_spec), _steps().apply_volumes)


def _volumes_tagged_later(ctx):
    steps = _steps()
    ec2 = ctx.client("ec2")
    zone = steps._subnet(ctx)["AvailabilityZone"]
    for role, spec in steps.VOLUMES.items():
        volume = ec2.create_volume(AvailabilityZone=zone, **spec)["VolumeId"]
        _tags_later(ctx, role, [volume])


# -- snapshot and restore ---------------------------------------------------------------------------
def _restore_then_modify(ctx):
    """Restore at the gp3 baseline, then raise IOPS and throughput with ModifyVolume (Elastic Volumes)."""
    def change(params):
        if "SnapshotId" in params:
            params.pop("Iops", None)
            params.pop("Throughput", None)
    tweak(ctx, "ec2", "CreateVolume", change, _steps().apply_snapshot_restore)
    ec2 = ctx.client("ec2")
    volume = _steps()._volumes(ctx)["restored"]["VolumeId"]
    ec2.modify_volume(VolumeId=volume, Iops=4000, Throughput=500)


def _restore_with(change_spec):
    def change(params):
        if "SnapshotId" in params:
            change_spec(params)
    return lambda ctx: tweak(ctx, "ec2", "CreateVolume", change, _steps().apply_snapshot_restore)


def _restore_without_snapshot(ctx):
    """A new empty gp3 volume named restored: the right performance, none of the data."""
    steps = _steps()
    ec2 = ctx.client("ec2")
    source = steps._volumes(ctx)["gp3"]["VolumeId"]
    snapshot = ec2.create_snapshot(VolumeId=source, TagSpecifications=steps._named(ctx, "snapshot", "gp3"))
    ec2.get_waiter("snapshot_completed").wait(SnapshotIds=[snapshot["SnapshotId"]])
    ec2.create_volume(AvailabilityZone=steps._subnet(ctx)["AvailabilityZone"],
                      TagSpecifications=steps._named(ctx, "volume", "restored"), **steps.RESTORED)


# -- attach -----------------------------------------------------------------------------------------
def _attach_without_dry_run(ctx):
    """Launch straight away (DryRun is a rehearsal, not a requirement) and tag the host afterwards."""
    steps = _steps()
    ec2 = ctx.client("ec2")
    image = ctx.client("ssm").get_parameter(Name=steps.AMI_PARAMETER)["Parameter"]["Value"]
    instance = ec2.run_instances(ImageId=image, InstanceType=steps.INSTANCE_TYPE, MinCount=1, MaxCount=1,
                                 SubnetId=steps._subnet(ctx)["SubnetId"])["Instances"][0]["InstanceId"]
    _tags_later(ctx, steps.HOST, [instance])
    ec2.get_waiter("instance_running").wait(InstanceIds=[instance])
    volume = steps._volumes(ctx)["restored"]["VolumeId"]
    ec2.attach_volume(VolumeId=volume, InstanceId=instance, Device="/dev/sdf")


def _attach_change(operation, change_params):
    return lambda ctx: tweak(ctx, "ec2", operation, change_params, _steps().apply_attach)


def _attach_to_old_host(ctx):
    """The restored volume attached to the old host (already running) instead of a new one."""
    steps = _steps()
    ec2 = ctx.client("ec2")
    image = ctx.client("ssm").get_parameter(Name=steps.AMI_PARAMETER)["Parameter"]["Value"]
    ec2.run_instances(ImageId=image, InstanceType=steps.INSTANCE_TYPE, MinCount=1, MaxCount=1,
                      SubnetId=steps._subnet(ctx)["SubnetId"], TagSpecifications=steps._named(ctx, "instance", steps.HOST))
    old = steps._instance(ctx, steps.OLD_HOST)["InstanceId"]
    ec2.attach_volume(VolumeId=steps._volumes(ctx)["restored"]["VolumeId"], InstanceId=old, Device="/dev/sdf")


# -- detach -----------------------------------------------------------------------------------------
def _detach_with_device_no_wait(ctx):
    """DetachVolume naming the device too, and TerminateInstances without waiting for the detach."""
    steps = _steps()
    ec2 = ctx.client("ec2")
    instance = steps._instance(ctx, steps.OLD_HOST)["InstanceId"]
    volume = steps._volumes(ctx)[steps.SCRATCH]["VolumeId"]
    ec2.detach_volume(VolumeId=volume, InstanceId=instance, Device="/dev/sdg")
    ec2.terminate_instances(InstanceIds=[instance])


def _detach_and_stop(ctx):
    """Detached, but the host only stopped: its root volume still bills."""
    steps = _steps()
    ec2 = ctx.client("ec2")
    instance = steps._instance(ctx, steps.OLD_HOST)["InstanceId"]
    volume = steps._volumes(ctx)[steps.SCRATCH]["VolumeId"]
    ec2.detach_volume(VolumeId=volume, InstanceId=instance)
    ec2.stop_instances(InstanceIds=[instance])


def _detach_only(ctx):
    """Detached, and the old host left running."""
    steps = _steps()
    ec2 = ctx.client("ec2")
    instance = steps._instance(ctx, steps.OLD_HOST)["InstanceId"]
    ec2.detach_volume(VolumeId=steps._volumes(ctx)[steps.SCRATCH]["VolumeId"], InstanceId=instance)


VARIANTS = [
    accept("network", "VPC and subnet created untagged, then tagged with CreateTags", _network_tagged_later),
    accept("network", "the subnet in another zone that offers t3.nano (us-east-1b)", _network_in_zone("us-east-1b")),
    reject("network", "the subnet in us-east-1e, which offers no t3 instances", _network_in_zone("us-east-1e"),
           fix="offers t3.nano"),
    reject("network", "the VPC tagged but the subnet not", _network_subnet_untagged, fix="tagged awslabs:lab"),
    accept("volumes", "gp3 with IOPS left implicit (the gp3 baseline is 3000)",
           _volumes_with("gp3", lambda p: p.pop("Iops"))),
    accept("volumes", "volumes created untagged, then tagged with CreateTags", _volumes_tagged_later),
    reject("volumes", "gp3 throughput left at the default 125 MiB/s",
           _volumes_with("gp3", lambda p: p.pop("Throughput")), fix="250 MiB/s"),
    reject("volumes", "io1 instead of io2", _volumes_with("io2", lambda p: p.update(VolumeType="io1")), fix="io2"),
    accept("snapshot_restore", "restored at the gp3 baseline, then ModifyVolume to 4000 IOPS / 500 MiB/s",
           _restore_then_modify),
    reject("snapshot_restore", "restored with the source's 250 MiB/s",
           _restore_with(lambda p: p.update(Throughput=250)), fix="500 MiB/s"),
    reject("snapshot_restore", "500 MiB/s but IOPS left at 3000", _restore_with(lambda p: p.update(Iops=3000)),
           fix="4000 IOPS"),
    reject("snapshot_restore", "a new empty volume named restored, not created from the snapshot",
           _restore_without_snapshot, fix="snapshot"),
    accept("attach", "launched without the DryRun rehearsal and tagged afterwards", _attach_without_dry_run),
    reject("attach", "attached as /dev/sdg", _attach_change("AttachVolume", lambda p: p.update(Device="/dev/sdg")),
           fix="/dev/sdf"),
    reject("attach", "a t3.micro host instead of the t3.nano",
           _attach_change("RunInstances", lambda p: p.update(InstanceType="t3.micro")), fix="t3.nano"),
    reject("attach", "the restored volume attached to the old host", _attach_to_old_host, fix="attached to the instance"),
    accept("detach", "DetachVolume naming the device too; terminate without waiting", _detach_with_device_no_wait),
    reject("detach", "detached, but the old host only stopped", _detach_and_stop, fix="terminat"),
    reject("detach", "detached, the old host left running", _detach_only, fix="terminat"),
]
