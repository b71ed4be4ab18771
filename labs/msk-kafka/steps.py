"""msk-kafka: MSK cluster definitions through the real API (no waiting off AWS: moto keeps
clusters CREATING forever), the documented cluster rules, and a Kafka-vs-Kinesis sizing."""
from __future__ import annotations

import json
import math
import time

from awslabs.lab import StepFailed, equal, expect
from awslabs.sim import streaming_compare as sc

BROKERS = 2
INSTANCE = "kafka.t3.small"
VOLUME_GIB = 1
KAFKA_VERSION = "3.6.0"
WORKLOAD = (20, 3)  # MB/s in, consumer groups


def _vpc_tag(ctx):
    return ctx.name("vpc")


def _cluster(ctx):
    return ctx.name("provisioned", max_len=64)


def _serverless(ctx):
    return ctx.name("serverless", max_len=64)


def _network(ctx):
    """(vpc id, [(subnet id, az), ...]): the VPC is found by its Name tag (EC2 assigns the ids)."""
    ec2 = ctx.client("ec2")
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [_vpc_tag(ctx)]}])["Vpcs"]
    if not vpcs:
        return None, []
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpcs[0]["VpcId"]]}])["Subnets"]
    return vpcs[0]["VpcId"], sorted((s["SubnetId"], s["AvailabilityZone"]) for s in subnets)


def _find(ctx, name):
    """Cluster info by name from ListClustersV2 (never describe: moto crashes on deleted ARNs)."""
    for info in ctx.client("kafka").list_clusters_v2(ClusterNameFilter=name).get("ClusterInfoList", []):
        if info["ClusterName"] == name:
            return info
    return None


# -- 1 -------------------------------------------------------------------------------------------
def apply_network(ctx):
    ec2 = ctx.client("ec2")
    zones = [z["ZoneName"] for z in ec2.describe_availability_zones(
        Filters=[{"Name": "state", "Values": ["available"]}])["AvailabilityZones"]][:2]
    pending = ctx.track_pending("ec2:vpc", "vpc")
    vpc = ec2.create_vpc(CidrBlock="10.42.0.0/16", TagSpecifications=[
        {"ResourceType": "vpc", "Tags": ctx.tag_list(extra={"Name": _vpc_tag(ctx)})}])["Vpc"]["VpcId"]
    ctx.resolve(pending, vpc)
    for i, zone in enumerate(zones):
        pending = ctx.track_pending("ec2:subnet", f"subnet-{i}")
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.42.{i}.0/24", AvailabilityZone=zone,
                                   TagSpecifications=ctx.tag_specifications("subnet"))["Subnet"]["SubnetId"]
        ctx.resolve(pending, subnet)


def check_network(ctx):
    vpc, subnets = _network(ctx)
    yield expect(f"a VPC tagged Name={_vpc_tag(ctx)} exists", vpc is not None, str(vpc))
    yield equal("two subnets in two different Availability Zones", len({az for _, az in subnets}), 2)


# -- 2 -------------------------------------------------------------------------------------------
def _provisioned_request(subnets):
    return {
        "BrokerNodeGroupInfo": {"InstanceType": INSTANCE, "ClientSubnets": [s for s, _ in subnets],
                                "StorageInfo": {"EbsStorageInfo": {"VolumeSize": VOLUME_GIB}}},
        "KafkaVersion": KAFKA_VERSION,
        "NumberOfBrokerNodes": BROKERS,
        "EncryptionInfo": {"EncryptionInTransit": {"ClientBroker": "TLS", "InCluster": True}},
        "ClientAuthentication": {"Sasl": {"Iam": {"Enabled": True}}, "Unauthenticated": {"Enabled": False}},
    }


def apply_provisioned_cluster(ctx):
    _, subnets = _network(ctx)
    problems = sc.validate_provisioned(BROKERS, [az for _, az in subnets], VOLUME_GIB, INSTANCE)
    if problems:  # the same rules AWS applies; moto would accept anything
        raise StepFailed("; ".join(problems))
    ctx.track("kafka:cluster", _cluster(ctx))
    ctx.client("kafka").create_cluster_v2(ClusterName=_cluster(ctx), Tags=ctx.tags,
                                          Provisioned=_provisioned_request(subnets))
    # No wait here: creation takes 15-30 minutes on AWS and never ends on moto.


def check_provisioned_cluster(ctx):
    info = _find(ctx, _cluster(ctx))
    if info is None:
        yield expect("the provisioned cluster exists", False, _cluster(ctx))
        return
    yield expect("the cluster is being created (CREATING; ACTIVE after 15-30 min on AWS)",
                 info["State"] in ("CREATING", "ACTIVE"), info["State"])
    prov = info.get("Provisioned", {})
    group = prov.get("BrokerNodeGroupInfo", {})
    yield equal("2 kafka.t3.small brokers with 1 GiB of EBS each",
                (prov.get("NumberOfBrokerNodes"), group.get("InstanceType"),
                 group.get("StorageInfo", {}).get("EbsStorageInfo", {}).get("VolumeSize")), (BROKERS, INSTANCE, VOLUME_GIB))
    _, subnets = _network(ctx)
    yield equal("one client subnet per Availability Zone", sorted(group.get("ClientSubnets", [])), [s for s, _ in subnets])
    azs = [az for _, az in subnets]
    yield expect("3 brokers over 2 AZs would be refused (brokers must be a multiple of the AZs)",
                 any("multiple of 2" in p for p in sc.validate_provisioned(3, azs, VOLUME_GIB, INSTANCE)),
                 "; ".join(sc.validate_provisioned(3, azs, VOLUME_GIB, INSTANCE)), "simulated")
    if ctx.on_aws:
        enc = prov.get("EncryptionInfo", {}).get("EncryptionInTransit", {})
        iam = prov.get("ClientAuthentication", {}).get("Sasl", {}).get("Iam", {}).get("Enabled")
        yield equal("TLS between clients and brokers and inside the cluster; IAM authentication",
                    (enc.get("ClientBroker"), enc.get("InCluster"), iam), ("TLS", True, True))
    else:
        yield ctx.aws_only("TLS between clients and brokers and inside the cluster; IAM authentication",
                           "moto drops EncryptionInfo and ClientAuthentication of provisioned clusters (reads back {})")


# -- 3 -------------------------------------------------------------------------------------------
def apply_serverless_cluster(ctx):
    _, subnets = _network(ctx)
    ctx.track("kafka:cluster", _serverless(ctx))
    ctx.client("kafka").create_cluster_v2(ClusterName=_serverless(ctx), Tags=ctx.tags, Serverless={
        "VpcConfigs": [{"SubnetIds": [s for s, _ in subnets]}],
        "ClientAuthentication": {"Sasl": {"Iam": {"Enabled": True}}},  # the only auth Serverless offers
    })


def check_serverless_cluster(ctx):
    info = _find(ctx, _serverless(ctx))
    if info is None:
        yield expect("the serverless cluster exists", False, _serverless(ctx))
        return
    yield equal("the cluster type is SERVERLESS (no brokers, instance types or storage to choose)",
                info["ClusterType"], "SERVERLESS")
    auth = info.get("Serverless", {}).get("ClientAuthentication", {}).get("Sasl", {}).get("Iam", {})
    yield equal("clients authenticate with IAM", auth.get("Enabled"), True)


# -- 4 (AWS only) --------------------------------------------------------------------------------
def apply_bootstrap_brokers(ctx):
    kafka = ctx.client("kafka")
    arn = _find(ctx, _cluster(ctx))["ClusterArn"]
    deadline = time.monotonic() + 45 * 60
    while kafka.describe_cluster_v2(ClusterArn=arn)["ClusterInfo"]["State"] != "ACTIVE":
        if time.monotonic() > deadline:
            raise StepFailed("the cluster is not ACTIVE after 45 minutes")
        time.sleep(30)
    brokers = kafka.get_bootstrap_brokers(ClusterArn=arn)
    (ctx.output_dir / "bootstrap-brokers.json").write_text(json.dumps(brokers, default=str, indent=2))


def check_bootstrap_brokers(ctx):
    path = ctx.output_dir / "bootstrap-brokers.json"
    brokers = json.loads(path.read_text()).get("BootstrapBrokerStringSaslIam", "") if path.exists() else ""
    hosts = [h for h in brokers.split(",") if h]
    yield expect("one IAM bootstrap address per broker, on port 9098",
                 len(hosts) == BROKERS and all(h.endswith(":9098") for h in hosts), brokers)


# -- 5 -------------------------------------------------------------------------------------------
def apply_compare_with_kinesis(ctx, workload=WORKLOAD):
    sizing = sc.kinesis_vs_msk_serverless(*workload)
    (ctx.output_dir / "kafka-vs-kinesis.json").write_text(json.dumps({"sizing": sizing, "facts": sc.FACTS}, indent=2))
    (ctx.output_dir / "kafka-vs-kinesis.md").write_text(sc.comparison_markdown(sizing))


def _sized_for_one_consumer(ctx):
    """Mutant: the comparison sized for one consumer group instead of the task's three."""
    apply_compare_with_kinesis(ctx, workload=(WORKLOAD[0], 1))


def _expected_sizing(ingress_mb_s: float, consumers: int) -> tuple[int, int, int]:
    """(Kinesis shards with shared reads, with enhanced fan-out, MSK Serverless partitions), by the
    documented quotas written out here: a shard takes 1 MiB/s in and gives 2 MiB/s out shared by
    its readers, or 2 MiB/s to each enhanced fan-out reader
    (https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html); an MSK
    Serverless partition takes 5 MBps in and gives 10 MBps out
    (https://docs.aws.amazon.com/msk/latest/developerguide/limits.html#serverless-quota)."""
    mib_in = ingress_mb_s * 1_000_000 / 2**20
    write = math.ceil(mib_in / 1)
    return max(write, math.ceil(mib_in * consumers / 2)), write, max(math.ceil(ingress_mb_s / 5),
                                                                     math.ceil(ingress_mb_s * consumers / 10))


def _table_rows(markdown: str) -> dict[str, list[str]]:
    rows = {}
    for line in markdown.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0] and not set(cells[0]) <= {"-"}:
            rows[cells[0]] = cells[1:]
    return rows


def check_compare_with_kinesis(ctx):
    path = ctx.output_dir / "kafka-vs-kinesis.json"
    if not path.exists():
        yield expect("the comparison was written", False, str(path), "simulated")
        return
    sizing = json.loads(path.read_text())["sizing"]
    workload = (sizing["workload"]["ingress_mb_s"], sizing["workload"]["consumers"])
    shared, fan_out, partitions = _expected_sizing(*WORKLOAD)  # the task's workload, computed here
    yield equal(f"sized for the task's workload: {WORKLOAD[0]} MB/s in, {WORKLOAD[1]} consumer groups", workload, WORKLOAD)
    # 20 MB/s = 19.07 MiB/s → 20 shards to write; 3 shared readers pull 57.2 MiB/s at 2 MiB/s per
    # shard → 29 shards; with enhanced fan-out each reader has its own 2 MiB/s → the 20 write shards.
    yield equal(f"Kinesis: {shared} shards with {WORKLOAD[1]} shared readers, {fan_out} with enhanced fan-out",
                (sizing["kinesis_shards_shared_read"], sizing["kinesis_shards_enhanced_fan_out"]), (shared, fan_out), "simulated")
    # MSK Serverless: 20/5 = 4 partitions to write, 60/10 = 6 to read → 6.
    yield equal(f"MSK Serverless: {partitions} partitions (egress at 10 MB/s each binds)",
                sizing["msk_serverless_partitions"], partitions, "simulated")
    table = ctx.output_dir / "kafka-vs-kinesis.md"
    rows = _table_rows(table.read_text()) if table.exists() else {}
    sizing_row = rows.get(f"sizing for {WORKLOAD[0]} MB/s in, {WORKLOAD[1]} consumers", ["", ""])
    documented = {  # Kinesis quotas (service-sizes-and-limits.html) the Kinesis column must state
        "scaling unit": "1 MiB/s in, 2 MiB/s out", "retention": "365 days", "largest record": "1 MiB"}
    wrong = [k for k, fact in documented.items() if fact not in rows.get(k, [""])[0]]
    yield expect("kafka-vs-kinesis.md states the sizing and Kinesis's documented quotas",
                 f"{shared} shards" in sizing_row[0] and f"{fan_out} with enhanced fan-out" in sizing_row[0]
                 and f"{partitions} partitions" in sizing_row[1] and not wrong,
                 f"sizing row {sizing_row}; rows without the documented fact: {wrong}" if rows else f"{table} not written",
                 "simulated")


MUTATIONS = {
    "compare_with_kinesis": [("sized for one consumer group instead of three", _sized_for_one_consumer)],
}
