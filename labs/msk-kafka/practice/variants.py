"""msk-kafka: other valid ways (must pass) and near misses (must fail saying what to fix)."""
from awslabs.practice import accept, reject, tweak


def _steps():
    from awslabs.catalog import Catalog

    return Catalog().get("msk-kafka").load_steps()


def _tag_later(ctx):
    """The VPC created untagged, then tagged with CreateTags; subnets by AZ id, not AZ name."""
    ec2 = ctx.client("ec2")
    zones = ec2.describe_availability_zones()["AvailabilityZones"][:2]
    vpc = ec2.create_vpc(CidrBlock="10.50.0.0/16")["Vpc"]["VpcId"]
    ec2.create_tags(Resources=[vpc], Tags=[{"Key": "Name", "Value": ctx.name("vpc")}])
    for i, zone in enumerate(zones):
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.50.{i * 16}.0/20", AvailabilityZoneId=zone["ZoneId"])


def _one_zone(ctx):
    """Both subnets in the first Availability Zone."""
    zone = ctx.client("ec2").describe_availability_zones()["AvailabilityZones"][0]["ZoneName"]
    tweak(ctx, "ec2", "CreateSubnet", lambda p: p.update(AvailabilityZone=zone), _steps().apply_network)


def _wrong_name(ctx):
    """The VPC named msk-vpc instead of the name the checks look for."""
    def change(params):
        for spec in params.get("TagSpecifications", []):
            for tag in spec["Tags"]:
                if tag["Key"] == "Name":
                    tag["Value"] = "msk-vpc"
    tweak(ctx, "ec2", "CreateVpc", change, _steps().apply_network)


def _provisioned(change):
    def edit(params):
        if "Provisioned" in params:
            change(params["Provisioned"])
    return lambda ctx: tweak(ctx, "kafka", "CreateClusterV2", edit, _steps().apply_provisioned_cluster)


def _v1_api(ctx):
    """The original CreateCluster API (still documented) with the same settings."""
    steps = _steps()
    _, subnets = steps._network(ctx)
    ctx.client("kafka").create_cluster(ClusterName=ctx.name("provisioned", max_len=64),
                                       **steps._provisioned_request(subnets))


def _reversed_subnets(group):
    group["BrokerNodeGroupInfo"]["ClientSubnets"].reverse()


def _three_brokers(ctx):
    """3 brokers (one per… nothing: 2 AZs). AWS refuses it; the emulator does not, the check must."""
    steps = _steps()
    _, subnets = steps._network(ctx)
    request = steps._provisioned_request(subnets)
    request["NumberOfBrokerNodes"] = 3
    ctx.client("kafka").create_cluster_v2(ClusterName=ctx.name("provisioned", max_len=64), Provisioned=request)


def _one_subnet(group):
    group["BrokerNodeGroupInfo"]["ClientSubnets"] = group["BrokerNodeGroupInfo"]["ClientSubnets"][:1]


def _serverless(change):
    def edit(params):
        if "Serverless" in params:
            change(params["Serverless"])
    return lambda ctx: tweak(ctx, "kafka", "CreateClusterV2", edit, _steps().apply_serverless_cluster)


def _with_security_group(ctx):
    """The VPC's default security group named explicitly (the default when left out)."""
    steps = _steps()
    vpc, _ = steps._network(ctx)
    group = ctx.client("ec2").describe_security_groups(Filters=[
        {"Name": "vpc-id", "Values": [vpc]}, {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"][0]["GroupId"]
    _serverless(lambda s: s["VpcConfigs"][0].update(SecurityGroupIds=[group]))(ctx)


def _serverless_as_provisioned(ctx):
    """The 'serverless' cluster created with a Provisioned configuration."""
    steps = _steps()
    _, subnets = steps._network(ctx)
    ctx.client("kafka").create_cluster_v2(ClusterName=ctx.name("serverless", max_len=64),
                                          Provisioned=steps._provisioned_request(subnets))


VARIANTS = [
    accept("network", "the VPC tagged afterwards with CreateTags, subnets placed by AZ id", _tag_later),
    reject("network", "both subnets in the same Availability Zone", _one_zone, fix="two different Availability Zones"),
    reject("network", "the VPC named msk-vpc", _wrong_name, fix="tagged Name=awslabs-msk-kafka-practice-vpc"),
    accept("provisioned_cluster", "the original CreateCluster API with the same settings", _v1_api),
    accept("provisioned_cluster", "the client subnets listed in the other order", _provisioned(_reversed_subnets)),
    reject("provisioned_cluster", "3 brokers over 2 AZs", _three_brokers, fix="2 kafka.t3.small brokers"),
    reject("provisioned_cluster", "kafka.m5.large brokers", _provisioned(
        lambda p: p["BrokerNodeGroupInfo"].update(InstanceType="kafka.m5.large")), fix="kafka.t3.small"),
    reject("provisioned_cluster", "100 GiB volumes (the console's suggestion)", _provisioned(
        lambda p: p["BrokerNodeGroupInfo"].update(StorageInfo={"EbsStorageInfo": {"VolumeSize": 100}})), fix="1 GiB of EBS"),
    reject("provisioned_cluster", "one client subnet only", _provisioned(_one_subnet), fix="one client subnet per Availability Zone"),
    reject("provisioned_cluster", "TLS in transit switched off (PLAINTEXT)", _provisioned(
        lambda p: p["EncryptionInfo"]["EncryptionInTransit"].update(ClientBroker="PLAINTEXT", InCluster=False)),
        fix="TLS between clients and brokers",
        known_gap="moto drops EncryptionInfo of provisioned clusters (reads back {}): judged on AWS only"),
    accept("serverless_cluster", "the VPC's default security group named explicitly", _with_security_group),
    reject("serverless_cluster", "ClientAuthentication left out", _serverless(lambda s: s.pop("ClientAuthentication")),
           fix="clients authenticate with IAM"),
    reject("serverless_cluster", "created with a Provisioned configuration", _serverless_as_provisioned, fix="SERVERLESS"),
]
