"""EC2: instances, EBS volumes and snapshots, and the VPC pieces labs create for EFS/FSx/SageMaker."""
from __future__ import annotations

from . import AWSLABS_TAG_KEYS, arn_kind, deleter


@deleter("ec2:instance", order=10)
def terminate_instance(clients, instance_id: str, extra: dict) -> None:
    ec2 = clients.client("ec2")
    ec2.terminate_instances(InstanceIds=[instance_id])
    if extra.get("wait", True):
        ec2.get_waiter("instance_terminated").wait(
            InstanceIds=[instance_id], WaiterConfig={"Delay": 5, "MaxAttempts": 60}
        )
    # A terminated instance stays listed (with its tags) for a while on AWS and for good on moto:
    # drop the awslabs tags so the tag sweep does not report it as a leftover.
    try:
        ec2.delete_tags(Resources=[instance_id], Tags=[{"Key": k} for k in AWSLABS_TAG_KEYS])
    except Exception:  # noqa: BLE001 - best effort; the instance itself is gone
        pass


@deleter("ec2:spot-request", order=8)
def cancel_spot_request(clients, request_id: str, extra: dict) -> None:
    """Cancel only a request that is still live: moto forgets a cancelled request and raises a raw
    KeyError when it is cancelled twice."""
    ec2 = clients.client("ec2")
    found = ec2.describe_spot_instance_requests(SpotInstanceRequestIds=[request_id]).get("SpotInstanceRequests", [])
    if found and found[0]["State"] in ("open", "active", "disabled"):
        ec2.cancel_spot_instance_requests(SpotInstanceRequestIds=[request_id])


@deleter("ec2:volume", order=40)
def delete_volume(clients, volume_id: str, extra: dict) -> None:
    ec2 = clients.client("ec2")
    volume = ec2.describe_volumes(VolumeIds=[volume_id])["Volumes"][0]
    for attachment in volume.get("Attachments", []):
        # Always pass InstanceId: moto raises a raw error without it.
        ec2.detach_volume(VolumeId=volume_id, InstanceId=attachment["InstanceId"], Force=True)
    ec2.delete_volume(VolumeId=volume_id)


@deleter("ec2:snapshot", order=45)
def delete_snapshot(clients, snapshot_id: str, extra: dict) -> None:
    clients.client("ec2").delete_snapshot(SnapshotId=snapshot_id)


@deleter("ec2:security-group", order=75)
def delete_security_group(clients, group_id: str, extra: dict) -> None:
    clients.client("ec2").delete_security_group(GroupId=group_id)


@deleter("ec2:subnet", order=78)
def delete_subnet(clients, subnet_id: str, extra: dict) -> None:
    clients.client("ec2").delete_subnet(SubnetId=subnet_id)


@deleter("ec2:vpc", order=85)
def delete_vpc(clients, vpc_id: str, extra: dict) -> None:
    clients.client("ec2").delete_vpc(VpcId=vpc_id)


@arn_kind(r"^arn:aws[\w-]*:ec2:[\w-]+:\d*:spot-instance-request/(.+)$")
def _spot_arn(m):
    return ("ec2:spot-request", m.group(1))


@arn_kind(r"^arn:aws[\w-]*:ec2:[\w-]+:\d*:(instance|volume|snapshot|security-group|subnet|vpc)/(.+)$")
def _ec2_arn(m):
    return (f"ec2:{m.group(1)}", m.group(2))


@deleter("ec2:vpc-endpoint", order=70)
def delete_vpc_endpoints(clients, vpc_id: str, extra: dict) -> None:
    """``vpc_id``: every endpoint of that VPC (known before the create call, unlike the endpoint
    id; the tagging API does not list endpoints). They must go before the VPC."""
    ec2 = clients.client("ec2")
    found = ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["VpcEndpoints"]
    doomed = [e["VpcEndpointId"] for e in found if e.get("State", "").lower() not in ("deleted", "deleting")]
    if doomed:
        ec2.delete_vpc_endpoints(VpcEndpointIds=doomed)

