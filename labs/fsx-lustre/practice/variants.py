"""fsx-lustre: other valid ways (must pass) and near misses (must fail saying what to fix)."""
import random

from awslabs.practice import accept, reject, tweak


def _steps():
    from awslabs.catalog import Catalog

    return Catalog().get("fsx-lustre").load_steps()


def _with(service, operation, change, apply):
    return lambda ctx: tweak(ctx, service, operation, change, getattr(_steps(), apply))


# -- network ----------------------------------------------------------------------------------------
def _ports_one_by_one(params):
    """988, then 1018, 1019, … 1023 as single-port rules: the same ports open."""
    sg = params["GroupId"]
    params["IpPermissions"] = [{"IpProtocol": "tcp", "FromPort": p, "ToPort": p, "UserIdGroupPairs": [{"GroupId": sg}]}
                               for p in [988, *range(1018, 1024)]]


def _from_anywhere(params):
    for permission in params["IpPermissions"]:
        permission.pop("UserIdGroupPairs", None)
        permission["IpRanges"] = [{"CidrIp": "0.0.0.0/0"}]


def _only_988(params):
    params["IpPermissions"] = params["IpPermissions"][:1]


def _same_zone(params):
    params["AvailabilityZone"] = "us-east-1a"


def _no_s3_endpoint(ctx):
    _steps().apply_network(ctx)
    ec2 = ctx.client("ec2")
    vpc, _, _ = _steps()._network(ctx)
    ids = [e["VpcEndpointId"] for e in ec2.describe_vpc_endpoints(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}])["VpcEndpoints"]]
    ec2.delete_vpc_endpoints(VpcEndpointIds=ids)


# -- dataset ----------------------------------------------------------------------------------------
def _rows(seed, n=200):
    rng = random.Random(seed)
    return [f"{int(a + b > 1)},{a:.4f},{b:.4f}" for a, b in ((rng.random(), rng.random()) for _ in range(n))]


def _shards(ctx, header=False, count=3, names="train/shard-{:02d}.csv", newline="\n"):
    steps = _steps()
    ctx.create_bucket(steps._bucket(ctx))
    s3 = ctx.client("s3")
    for shard in range(count):
        lines = (["label,x1,x2"] if header else []) + _rows(shard)
        s3.put_object(Bucket=steps._bucket(ctx), Key=names.format(shard), Body=(newline.join(lines) + newline).encode())


# -- file system ------------------------------------------------------------------------------------
def _second_subnet(ctx):
    """The file system in the second subnet: still one of the lab's subnets, one AZ."""
    steps = _steps()
    second = steps._network(ctx)[1][1]

    def change(params):
        params["SubnetIds"] = [second]
    tweak(ctx, "fsx", "CreateFileSystem", change, steps.apply_file_system)


def _without(key):
    def change(params):
        params["LustreConfiguration"].pop(key, None)
    return _with("fsx", "CreateFileSystem", change, "apply_file_system")


def _create_directly(ctx, capacity=None, deployment=None):
    """The same call as the reference but past the lab's own validation (the learner's CLI call)."""
    steps = _steps()
    _, subnets, sg = steps._network(ctx)
    ctx.client("fsx").create_file_system(
        FileSystemType="LUSTRE", FileSystemTypeVersion="2.12", StorageCapacity=capacity or steps.CAPACITY,
        StorageType="SSD", SubnetIds=[subnets[0]], SecurityGroupIds=[sg], Tags=ctx.tag_list(),
        LustreConfiguration={"DeploymentType": deployment or steps.DEPLOYMENT,
                             "ImportPath": f"s3://{steps._bucket(ctx)}/train",
                             "ExportPath": f"s3://{steps._bucket(ctx)}/export"})


# -- training ---------------------------------------------------------------------------------------
def _job_change(change):
    return _with("sagemaker", "CreateTrainingJob", change, "apply_train_from_fsx")


def _both_subnets(ctx):
    steps = _steps()
    _, subnets, _ = steps._network(ctx)

    def change(params):
        params["VpcConfig"]["Subnets"] = list(subnets)
    tweak(ctx, "sagemaker", "CreateTrainingJob", change, steps.apply_train_from_fsx)


def _source(**changes):
    def change(params):
        params["InputDataConfig"][0]["DataSource"]["FileSystemDataSource"].update(changes)
    return change


def _default_group(ctx):
    steps = _steps()
    vpc, _, _ = steps._network(ctx)
    default = ctx.client("ec2").describe_security_groups(Filters=[
        {"Name": "vpc-id", "Values": [vpc]}, {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"][0]["GroupId"]

    def change(params):
        params["VpcConfig"]["SecurityGroupIds"] = [default]
    tweak(ctx, "sagemaker", "CreateTrainingJob", change, steps.apply_train_from_fsx)


VARIANTS = [
    accept("network", "the Lustre ports as seven single-port rules",
           _with("ec2", "AuthorizeSecurityGroupIngress", _ports_one_by_one, "apply_network")),
    reject("network", "the Lustre ports open to 0.0.0.0/0 instead of the group itself",
           _with("ec2", "AuthorizeSecurityGroupIngress", _from_anywhere, "apply_network"), fix="from itself"),
    reject("network", "only TCP 988 (1018-1023 forgotten)",
           _with("ec2", "AuthorizeSecurityGroupIngress", _only_988, "apply_network"), fix="1018-1023"),
    reject("network", "both subnets in the same availability zone",
           _with("ec2", "CreateSubnet", _same_zone, "apply_network"), fix="two availability zones"),
    reject("network", "no S3 Gateway endpoint", _no_s3_endpoint, fix="S3 endpoint"),
    accept("dataset", "three shards under other names, with a trailing newline", lambda ctx: _shards(ctx)),
    accept("dataset", "three shards with Windows line endings", lambda ctx: _shards(ctx, newline="\r\n")),
    reject("dataset", "a header row in each shard (XGBoost's CSV has none)", lambda ctx: _shards(ctx, header=True),
           fix="no header"),
    reject("dataset", "two shards instead of three", lambda ctx: _shards(ctx, count=2), fix="three CSV shards"),
    reject("dataset", "the shards at the bucket's root, not under train/",
           lambda ctx: _shards(ctx, names="shard-{:02d}.csv"), fix="under train/"),
    accept("file_system", "in the second of the lab's subnets", _second_subnet),
    accept("file_system", "no AutoImportPolicy (the link imports at creation; not required)",
           _without("AutoImportPolicy")),
    reject("file_system", "2400 GiB: valid, but not the smallest", lambda ctx: _create_directly(ctx, capacity=2400),
           fix="1200 GiB"),
    reject("file_system", "SCRATCH_1 instead of SCRATCH_2", lambda ctx: _create_directly(ctx, deployment="SCRATCH_1"),
           fix="SCRATCH_2"),
    reject("file_system", "no ImportPath: not linked to the S3 prefix", _without("ImportPath"),
           fix="imports from the S3 prefix",
           known_gap="moto drops ImportPath/DataRepositoryConfiguration, so the link is read back only on AWS "
                     "(the check is aws-only here)"),
    accept("train_from_fsx", "the VpcConfig names both of the lab's subnets", _both_subnets),
    accept("train_from_fsx", "the mount name written with a trailing slash", _job_change(_source(DirectoryPath="/fsx/"))),
    reject("train_from_fsx", "FileSystemType EFS for a Lustre file system",
           _job_change(_source(FileSystemType="EFS")), fix="Lustre"),
    reject("train_from_fsx", "no VpcConfig", _job_change(lambda p: p.pop("VpcConfig")), fix="inside the VPC"),
    reject("train_from_fsx", "the VPC's default security group instead of the Lustre group", _default_group,
           fix="Lustre security group"),
    reject("train_from_fsx", "DirectoryPath /train instead of the mount name",
           _job_change(_source(DirectoryPath="/train")), fix="mount name"),
]
