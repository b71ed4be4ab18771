"""Deleters for Lake Formation, EFS, FSx and the EC2 kinds the storage labs add: idempotent
(a second delete is a no-op or an is_gone error) and dependency-ordered."""
from __future__ import annotations

import pytest

from awslabs import resources
from awslabs.cleanup import delete_entries
from awslabs.ledger import Entry, Ledger
from awslabs.settings import Settings
from awslabs.targets import make_target


@pytest.fixture
def target():
    return make_target(Settings.load(target="moto"))


def delete_twice(target, kind, rid, extra=None):
    """Delete through the cleanup path twice: the second pass must succeed too (already gone)."""
    for _ in range(2):
        entry = Entry(run="t", lab="t", target="moto", region=target.region, kind=kind, id=rid, extra=extra or {})
        result = delete_entries(target, [entry], Ledger(None))
        assert result.leftover == [], result.leftover


def test_order_mount_targets_before_file_systems_before_network():
    k = resources.kind
    assert k("efs:mount-target").order < k("efs:access-point").order < k("efs:file-system").order
    assert k("efs:file-system").order < k("ec2:security-group").order < k("ec2:subnet").order
    assert k("fsx:file-system").order < k("ec2:security-group").order
    assert k("ec2:vpc-endpoint").order < k("ec2:vpc").order
    assert k("lakeformation:permission").order < k("glue:table").order < k("lakeformation:lf-tag").order
    assert k("ec2:instance").order < k("ec2:volume").order


def test_efs_file_system_with_mount_targets_is_deleted_and_deletion_is_idempotent(target):
    ec2, efs = target.client("ec2"), target.client("efs")
    vpc = ec2.create_vpc(CidrBlock="10.99.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.99.1.0/24")["Subnet"]["SubnetId"]
    fs = efs.create_file_system(CreationToken="awslabs-test-efs")["FileSystemId"]
    efs.create_mount_target(FileSystemId=fs, SubnetId=subnet)
    ap = efs.create_access_point(FileSystemId=fs)["AccessPointId"]
    delete_twice(target, "efs:access-point", ap)
    delete_twice(target, "efs:mount-target", f"{fs}/{subnet}")
    assert efs.describe_mount_targets(FileSystemId=fs)["MountTargets"] == []
    efs.create_mount_target(FileSystemId=fs, SubnetId=subnet)  # the file-system deleter removes it itself
    delete_twice(target, "efs:file-system", fs)
    assert efs.describe_file_systems(CreationToken="awslabs-test-efs")["FileSystems"] == []
    delete_twice(target, "ec2:subnet", subnet)
    delete_twice(target, "ec2:vpc", vpc)


def test_fsx_and_vpc_endpoint_deleters(target):
    ec2, fsx = target.client("ec2"), target.client("fsx")
    vpc = ec2.create_vpc(CidrBlock="10.98.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.98.1.0/24")["Subnet"]["SubnetId"]
    fs = fsx.create_file_system(FileSystemType="LUSTRE", StorageCapacity=1200, SubnetIds=[subnet],
                                LustreConfiguration={"DeploymentType": "SCRATCH_2"})["FileSystem"]["FileSystemId"]
    delete_twice(target, "fsx:file-system", fs, {"deployment": "SCRATCH_2"})
    tables = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["RouteTables"]
    ec2.create_vpc_endpoint(VpcId=vpc, VpcEndpointType="Gateway", ServiceName=f"com.amazonaws.{target.region}.s3",
                            RouteTableIds=[t["RouteTableId"] for t in tables])
    delete_twice(target, "ec2:vpc-endpoint", vpc)
    left = ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["VpcEndpoints"]
    assert {e["State"].lower() for e in left} <= {"deleted"}  # moto lists deleted endpoints for a while


def test_lakeformation_deleters_are_idempotent_and_keep_others(target):
    lf = target.client("lakeformation")
    mine, theirs = "arn:aws:iam::123456789012:role/awslabs-t-admin", "arn:aws:iam::123456789012:role/someone"
    lf.put_data_lake_settings(DataLakeSettings={"DataLakeAdmins": [
        {"DataLakePrincipalIdentifier": theirs}, {"DataLakePrincipalIdentifier": mine}]})
    principal = "arn:aws:iam::123456789012:role/awslabs-t-analyst"
    resource = {"TableWithColumns": {"DatabaseName": "d", "Name": "t", "ColumnWildcard": {"ExcludedColumnNames": ["ssn"]}}}
    lf.grant_permissions(Principal={"DataLakePrincipalIdentifier": principal}, Resource=resource, Permissions=["SELECT"])
    lf.create_lf_tag(TagKey="awslabs-t-level", TagValues=["a"])
    lf.register_resource(ResourceArn="arn:aws:s3:::awslabs-t-bucket/x", UseServiceLinkedRole=True)

    delete_twice(target, "lakeformation:permission", "analyst/select",
                 {"principal": principal, "resource": resource, "permissions": ["SELECT"]})
    assert [p for p in lf.list_permissions()["PrincipalResourcePermissions"]
            if p["Principal"]["DataLakePrincipalIdentifier"] == principal] == []
    delete_twice(target, "lakeformation:lf-tag", "awslabs-t-level")
    delete_twice(target, "lakeformation:resource", "arn:aws:s3:::awslabs-t-bucket/x")
    delete_twice(target, "lakeformation:admin", mine)
    admins = lf.get_data_lake_settings()["DataLakeSettings"]["DataLakeAdmins"]
    assert admins == [{"DataLakePrincipalIdentifier": theirs}]
    lf.put_data_lake_settings(DataLakeSettings={"DataLakeAdmins": []})


def test_terminated_instance_loses_its_awslabs_tags(target):
    ec2 = target.client("ec2")
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    instance = ec2.run_instances(ImageId=image, InstanceType="t3.nano", MinCount=1, MaxCount=1,
                                 TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "awslabs:run", "Value": "zz"}]}])
    iid = instance["Instances"][0]["InstanceId"]
    delete_twice(target, "ec2:instance", iid)
    state = ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]["State"]["Name"]
    assert state == "terminated"
    tags = ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0].get("Tags", [])
    assert not [t for t in tags if t["Key"].startswith("awslabs:")]
