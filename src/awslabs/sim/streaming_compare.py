"""Amazon MSK cluster rules and a Kafka-vs-Kinesis comparison from the published limits.

moto stores MSK clusters without validating them (and leaves them ``CREATING`` forever), so the
documented rules a real ``CreateCluster`` enforces are checked here, and the side-by-side numbers
are computed from the quotas pages:

- provisioned brokers live in 2 or 3 client subnets in distinct Availability Zones and the broker
  count is a multiple of the number of AZs (brokers are spread evenly)
  (https://docs.aws.amazon.com/msk/latest/developerguide/create-cluster.html,
  https://docs.aws.amazon.com/msk/1.0/apireference/clusters.html#clusters-model-brokernodegroupinfo);
- 1 GiB to 16,384 GiB of EBS storage per broker, up to 30 brokers per ZooKeeper-based cluster
  (https://docs.aws.amazon.com/msk/latest/developerguide/limits.html);
- MSK Serverless: 5 MBps in and 10 MBps out per partition, 200 MBps in / 400 MBps out per
  cluster, 8 MB messages (same quotas page, "MSK Serverless quota");
- Kinesis Data Streams: 1 MiB/s in and 2 MiB/s out per shard, 1 MiB records, 24 h default and
  up to 365 days of retention (https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html).

Quotas change: the numbers are the ones published when this module was written.
"""
from __future__ import annotations

import math

from . import kinesis_capacity as kcap

MSK_MIN_STORAGE_GIB = 1
MSK_MAX_STORAGE_GIB = 16384
MSK_MAX_BROKERS_PER_CLUSTER = 30
SERVERLESS_IN_PER_PARTITION_MBPS = 5
SERVERLESS_OUT_PER_PARTITION_MBPS = 10
SERVERLESS_MAX_IN_MBPS = 200
SERVERLESS_MAX_OUT_MBPS = 400
SERVERLESS_MAX_MESSAGE_MB = 8


def validate_provisioned(brokers: int, subnet_azs: list[str], volume_gib: int, instance_type: str) -> list[str]:
    """Problems a real CreateCluster would refuse (empty list = valid)."""
    problems = []
    azs = set(subnet_azs)
    if len(azs) != len(subnet_azs):
        problems.append("each client subnet must be in a different Availability Zone")
    if len(azs) not in (2, 3):
        problems.append(f"brokers need 2 or 3 client subnets (Availability Zones), not {len(azs)}")
    elif brokers % len(azs):
        problems.append(f"{brokers} brokers cannot be spread evenly over {len(azs)} Availability Zones "
                        f"(use a multiple of {len(azs)})")
    if not 1 <= brokers <= MSK_MAX_BROKERS_PER_CLUSTER:
        problems.append(f"a cluster has 1 to {MSK_MAX_BROKERS_PER_CLUSTER} brokers, not {brokers}")
    if not MSK_MIN_STORAGE_GIB <= volume_gib <= MSK_MAX_STORAGE_GIB:
        problems.append(f"broker storage is {MSK_MIN_STORAGE_GIB}-{MSK_MAX_STORAGE_GIB} GiB, not {volume_gib}")
    if not instance_type.startswith("kafka."):
        problems.append(f"broker instance types are kafka.*, not {instance_type}")
    return problems


def kinesis_vs_msk_serverless(ingress_mb_s: float, consumers: int, record_kib: float = 1.0) -> dict:
    """Capacity units each service needs for ``ingress_mb_s`` MB/s read by ``consumers`` groups.

    Kinesis: shards for the write limit and for the shared 2 MiB/s read (or enhanced fan-out,
    2 MiB/s per consumer per shard). MSK Serverless: partitions for 5 MBps in and 10 MBps out
    each. MB and MiB are kept apart as the quota pages state them."""
    records_per_s = ingress_mb_s * 1_000_000 / (record_kib * 1024)
    shared = kcap.shards_needed(records_per_s, int(record_kib * 1024), shared_consumers=consumers)
    efo = kcap.shards_needed(records_per_s, int(record_kib * 1024), shared_consumers=0, efo_consumers=consumers)
    partitions_in = math.ceil(ingress_mb_s / SERVERLESS_IN_PER_PARTITION_MBPS)
    partitions_out = math.ceil(ingress_mb_s * consumers / SERVERLESS_OUT_PER_PARTITION_MBPS)
    return {
        "workload": {"ingress_mb_s": ingress_mb_s, "consumers": consumers, "record_kib": record_kib},
        "kinesis_shards_shared_read": shared.shards,
        "kinesis_shards_enhanced_fan_out": efo.shards,
        "msk_serverless_partitions": max(partitions_in, partitions_out),
        "msk_serverless_fits_cluster_quota": ingress_mb_s <= SERVERLESS_MAX_IN_MBPS
        and ingress_mb_s * consumers <= SERVERLESS_MAX_OUT_MBPS,
    }


# What differs in kind, not in numbers (the exam's favourite contrasts).
FACTS = [
    ("ordering", "per shard (records with the same partition key)", "per partition (messages with the same key)"),
    ("scaling unit", "shard: 1 MiB/s in, 2 MiB/s out; split/merge or on-demand",
     "partition on brokers you size (provisioned) or partitions on MSK Serverless (5 MBps in each)"),
    ("retention", "24 h default, up to 365 days", "by disk size or time (log.retention.*), tiered storage; "
     "MSK Serverless: up to its quota"),
    ("largest record", "1 MiB", "1 MB default (message.max.bytes), 8 MB on MSK Serverless"),
    ("consumers", "KCL with DynamoDB leases; shared 2 MiB/s per shard or enhanced fan-out 2 MiB/s each",
     "consumer groups with offsets in Kafka; every group reads at broker speed"),
    ("operations", "serverless API, IAM auth, no brokers", "brokers in your VPC subnets (2-3 AZs), Kafka APIs, "
     "IAM/SASL-SCRAM/mTLS auth"),
]


def comparison_markdown(sizing: dict) -> str:
    lines = ["| | Kinesis Data Streams | Amazon MSK (Kafka) |", "|---|---|---|"]
    lines += [f"| {what} | {kinesis} | {kafka} |" for what, kinesis, kafka in FACTS]
    w = sizing["workload"]
    lines.append(
        f"| sizing for {w['ingress_mb_s']} MB/s in, {w['consumers']} consumers | "
        f"{sizing['kinesis_shards_shared_read']} shards (shared read) or "
        f"{sizing['kinesis_shards_enhanced_fan_out']} with enhanced fan-out | "
        f"{sizing['msk_serverless_partitions']} partitions on MSK Serverless |"
    )
    return "\n".join(lines) + "\n"
