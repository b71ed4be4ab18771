"""efs-training-data: other valid ways (must pass) and near misses (must fail saying what to fix)."""
from awslabs.practice import accept, reject, tweak


def _steps():
    from awslabs.catalog import Catalog

    return Catalog().get("efs-training-data").load_steps()


def _with(service, operation, change, apply):
    return lambda ctx: tweak(ctx, service, operation, change, getattr(_steps(), apply))


# -- network ----------------------------------------------------------------------------------------
def _other_zones_and_described_rule(ctx):
    """Subnets in us-east-1c and us-east-1d, the NFS rule with a description on the group pair."""
    zones = iter(["us-east-1c", "us-east-1d"])

    def zone(params):
        params["AvailabilityZone"] = next(zones)

    def described(params):
        for permission in params.get("IpPermissions", []):
            for pair in permission.get("UserIdGroupPairs", []):
                pair["Description"] = "NFS from hosts in this group"

    tweak(ctx, "ec2", "CreateSubnet", zone,
          lambda c: tweak(c, "ec2", "AuthorizeSecurityGroupIngress", described, _steps().apply_network))


def _same_zone(params):
    params["AvailabilityZone"] = "us-east-1a"


def _nfs_from_anywhere(params):
    for permission in params["IpPermissions"]:
        permission.pop("UserIdGroupPairs", None)
        permission["IpRanges"] = [{"CidrIp": "0.0.0.0/0"}]


def _no_s3_endpoint(ctx):
    """Everything but the S3 Gateway endpoint (the training hosts cannot write their model)."""
    _steps().apply_network(ctx)
    ec2 = ctx.client("ec2")
    vpc, _, _ = _steps()._network(ctx)
    ids = [e["VpcEndpointId"] for e in ec2.describe_vpc_endpoints(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}])["VpcEndpoints"]]
    ec2.delete_vpc_endpoints(VpcEndpointIds=ids)


# -- file system ------------------------------------------------------------------------------------
def _lifecycle(policies):
    def change(params):
        params["LifecyclePolicies"] = policies
    return _with("efs", "PutLifecycleConfiguration", change, "apply_file_system")


def _defaults_left_implicit(params):
    params.pop("PerformanceMode", None)
    params.pop("ThroughputMode", None)


# -- mount targets ----------------------------------------------------------------------------------
def _security_group_set_later(ctx):
    """Mount targets created with the VPC's default group, then switched to the NFS group."""
    def drop(params):
        params.pop("SecurityGroups", None)
    tweak(ctx, "efs", "CreateMountTarget", drop, _steps().apply_mount_targets)
    efs = ctx.client("efs")
    _, _, sg = _steps()._network(ctx)
    for target in efs.describe_mount_targets(FileSystemId=_steps()._fs_id(ctx))["MountTargets"]:
        efs.modify_mount_target_security_groups(MountTargetId=target["MountTargetId"], SecurityGroups=[sg])


def _one_mount_target(ctx):
    steps = _steps()
    _, subnets, sg = steps._network(ctx)
    ctx.client("efs").create_mount_target(FileSystemId=steps._fs_id(ctx), SubnetId=subnets[0]["SubnetId"],
                                          SecurityGroups=[sg])


def _default_group(params):
    params.pop("SecurityGroups", None)


# -- access point -----------------------------------------------------------------------------------
def _access_point(change):
    return _with("efs", "CreateAccessPoint", change, "apply_access_point")


def _no_creation_info(params):
    params["RootDirectory"].pop("CreationInfo")


# -- training jobs ----------------------------------------------------------------------------------
def _one_subnet(params):
    params["VpcConfig"]["Subnets"] = params["VpcConfig"]["Subnets"][:1]


def _path(path):
    def change(params):
        params["InputDataConfig"][0]["DataSource"]["FileSystemDataSource"]["DirectoryPath"] = path
    return change


def _default_security_group(ctx):
    """The VPC's default security group instead of the NFS group: the job cannot reach the mount targets."""
    steps = _steps()
    vpc, _, _ = steps._network(ctx)
    default = ctx.client("ec2").describe_security_groups(Filters=[
        {"Name": "vpc-id", "Values": [vpc]}, {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"][0]["GroupId"]

    def change(params):
        params["VpcConfig"]["SecurityGroupIds"] = [default]
    tweak(ctx, "sagemaker", "CreateTrainingJob", change, steps.apply_train_v1)


def _s3_channel(params):
    params["InputDataConfig"][0]["DataSource"] = {"S3DataSource": {
        "S3DataType": "S3Prefix", "S3Uri": "s3://awslabs-efs-training-data-practice-data/train/"}}


def _more_rounds(params):
    params["HyperParameters"] = {**params["HyperParameters"], "num_round": "50"}


def _read_write(params):
    params["InputDataConfig"][0]["DataSource"]["FileSystemDataSource"]["FileSystemAccessMode"] = "rw"


VARIANTS = [
    accept("network", "subnets in two other zones; the NFS rule with a description", _other_zones_and_described_rule),
    reject("network", "both subnets in the same availability zone",
           _with("ec2", "CreateSubnet", _same_zone, "apply_network"), fix="two availability zones"),
    reject("network", "NFS open to 0.0.0.0/0 instead of the group itself",
           _with("ec2", "AuthorizeSecurityGroupIngress", _nfs_from_anywhere, "apply_network"), fix="from itself"),
    reject("network", "no S3 Gateway endpoint", _no_s3_endpoint, fix="S3 endpoint"),
    accept("file_system", "the two lifecycle policies in the other order",
           _lifecycle([{"TransitionToPrimaryStorageClass": "AFTER_1_ACCESS"}, {"TransitionToIA": "AFTER_30_DAYS"}])),
    accept("file_system", "performance and throughput modes left at their defaults",
           _with("efs", "CreateFileSystem", _defaults_left_implicit, "apply_file_system")),
    reject("file_system", "not encrypted", _with("efs", "CreateFileSystem", lambda p: p.update(Encrypted=False),
                                                 "apply_file_system"), fix="encrypted"),
    reject("file_system", "IA after 7 days instead of 30", _lifecycle([
        {"TransitionToIA": "AFTER_7_DAYS"}, {"TransitionToPrimaryStorageClass": "AFTER_1_ACCESS"}]), fix="30 days"),
    reject("file_system", "to IA but never back on access", _lifecycle([{"TransitionToIA": "AFTER_30_DAYS"}]),
           fix="back on first access"),
    accept("mount_targets", "created with the default group, then ModifyMountTargetSecurityGroups to the NFS group",
           _security_group_set_later),
    reject("mount_targets", "one mount target only", _one_mount_target, fix="per availability zone"),
    reject("mount_targets", "mount targets left in the VPC's default security group",
           _with("efs", "CreateMountTarget", _default_group, "apply_mount_targets"), fix="NFS security group"),
    accept("access_point", "permissions written with four octal digits (0750)",
           _access_point(lambda p: p["RootDirectory"]["CreationInfo"].update(Permissions="0750"))),
    reject("access_point", "no CreationInfo: /ml/churn is never created",
           _access_point(_no_creation_info), fix="created on first use"),
    reject("access_point", "rooted at /ml instead of /ml/churn",
           _access_point(lambda p: p["RootDirectory"].update(Path="/ml")), fix="/ml/churn"),
    reject("access_point", "gid 0 instead of 1000", _access_point(lambda p: p["PosixUser"].update(Gid=0)),
           fix="gid 1000"),
    accept("train_v1", "the VpcConfig names one of the two subnets",
           _with("sagemaker", "CreateTrainingJob", _one_subnet, "apply_train_v1")),
    reject("train_v1", "the VPC's default security group instead of the NFS group", _default_security_group,
           fix="NFS security group"),
    reject("train_v1", "the directory /churn instead of /ml/churn",
           _with("sagemaker", "CreateTrainingJob", _path("/churn"), "apply_train_v1"), fix="EFS directory"),
    reject("train_v1", "an S3 channel instead of the file system",
           _with("sagemaker", "CreateTrainingJob", _s3_channel, "apply_train_v1"), fix="EFS directory"),
    accept("drop_column_retrain", "the second job with more boosting rounds, same channel",
           _with("sagemaker", "CreateTrainingJob", _more_rounds, "apply_drop_column_retrain")),
    reject("drop_column_retrain", "the second job reads /ml, not the same directory",
           _with("sagemaker", "CreateTrainingJob", _path("/ml"), "apply_drop_column_retrain"), fix="very same directory"),
    reject("drop_column_retrain", "the second job mounts read-write: not the same channel",
           _with("sagemaker", "CreateTrainingJob", _read_write, "apply_drop_column_retrain"), fix="very same directory"),
]
