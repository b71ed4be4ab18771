"""Kinesis Data Streams capacity planner: the published per-shard limits, applied to a workload.

moto enforces no throughput limit (it never raises ``ProvisionedThroughputExceededException``), so
what would be throttled on AWS is *computed* here from the documented quotas and labelled
``simulated`` by the labs that use it.

Rules encoded (https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html and
https://docs.aws.amazon.com/streams/latest/dev/working-with-streams.html):

- a shard accepts writes of up to 1 MiB/s **or** 1,000 records/s, whichever is reached first;
- a shard serves reads of up to 2 MiB/s and 5 ``GetRecords`` transactions/s, **shared** by every
  classic (polling) consumer; each enhanced fan-out consumer gets its own 2 MiB/s per shard
  (https://docs.aws.amazon.com/streams/latest/dev/enhanced-consumers.html);
- a record's data blob is at most 1 MiB by default; since 2025 a stream's maximum record size can
  be raised to 10 MiB (``UpdateMaxRecordSize``; https://docs.aws.amazon.com/streams/latest/dev/large-records.html),
  with the shard limits unchanged — this planner sizes for the default (awslabs.facts
  ``kinesis.max_record_bytes``); ``PutRecords`` takes at most 500 records per call;
- a record goes to the shard whose hash-key range holds ``int(MD5(partition key), 16)`` — a
  128-bit integer (https://docs.aws.amazon.com/streams/latest/dev/key-concepts.html);
- an on-demand stream starts with 4 MiB/s of write capacity and adapts to up to double its
  previous peak (same quotas page).

A record that the Kinesis Producer Library *aggregates* with others counts once against the
1,000 records/s limit (https://docs.aws.amazon.com/streams/latest/dev/kinesis-kpl-concepts.html):
``aggregation`` below is the number of user records per Kinesis record.
"""
from __future__ import annotations

import hashlib
import math
from dataclasses import asdict, dataclass, field

from awslabs import facts

MIB = 1024 * 1024
WRITE_BYTES_PER_SHARD = 1 * MIB
WRITE_RECORDS_PER_SHARD = 1000
READ_BYTES_PER_SHARD = 2 * MIB
READ_TRANSACTIONS_PER_SHARD = 5
EFO_READ_BYTES_PER_SHARD = 2 * MIB  # per registered enhanced fan-out consumer
MAX_RECORD_BYTES = facts.value("kinesis.max_record_bytes")["default"]
MAX_RECORD_BYTES_CONFIGURABLE = facts.value("kinesis.max_record_bytes")["max"]  # UpdateMaxRecordSize ceiling
PUT_RECORDS_MAX_RECORDS = facts.value("kinesis.put_records_request")["records"]
PUT_RECORDS_MAX_REQUEST_BYTES = facts.value("kinesis.put_records_request")["bytes"]
ON_DEMAND_INITIAL_WRITE_BYTES = 4 * MIB
HASH_SPACE = 2**128


def hash_key(partition_key: str) -> int:
    """The 128-bit hash key Kinesis derives from a partition key (MD5 of its UTF-8 bytes)."""
    return int(hashlib.md5(partition_key.encode("utf-8")).hexdigest(), 16)


def even_ranges(shards: int) -> list[tuple[int, int]]:
    """Hash-key ranges of a new stream of ``shards`` shards: the 128-bit space cut evenly, the
    last shard taking the remainder (what ``CreateStream`` and ``DescribeStream`` show)."""
    if shards < 1:
        raise ValueError("a stream has at least one shard")
    width = HASH_SPACE // shards
    return [(i * width, HASH_SPACE - 1 if i == shards - 1 else (i + 1) * width - 1) for i in range(shards)]


def shard_index(partition_key: str, ranges: list[tuple[int, int]]) -> int:
    """Index into ``ranges`` of the shard a partition key maps to."""
    value = hash_key(partition_key)
    for i, (start, end) in enumerate(ranges):
        if start <= value <= end:
            return i
    raise ValueError(f"hash key {value} is in no range (ranges must cover the 128-bit space)")


@dataclass
class ShardPlan:
    """How many shards a workload needs, and which limit decides it."""

    shards: int
    by_write_bytes: int
    by_write_records: int
    by_read_bytes: int
    binding_limit: str
    kinesis_records_per_s: float

    def to_dict(self) -> dict:
        return asdict(self)


def shards_needed(
    records_per_s: float,
    record_bytes: int,
    shared_consumers: int = 1,
    efo_consumers: int = 0,
    aggregation: int = 1,
    headroom: float = 0.0,
) -> ShardPlan:
    """Shards a provisioned stream needs for ``records_per_s`` user records of ``record_bytes``.

    ``shared_consumers`` classic consumers all read every byte and share 2 MiB/s per shard;
    enhanced fan-out consumers have their own pipe, so they add no shards. ``headroom`` (0.2 =
    20 %) sizes for peaks above the average."""
    if record_bytes > MAX_RECORD_BYTES:
        raise ValueError(f"a record is at most {MAX_RECORD_BYTES} bytes, not {record_bytes}")
    if aggregation < 1:
        raise ValueError("aggregation is the number of user records per Kinesis record (>= 1)")
    factor = 1.0 + headroom
    write_bytes = records_per_s * record_bytes * factor
    kinesis_records = records_per_s / aggregation * factor
    by_bytes = math.ceil(write_bytes / WRITE_BYTES_PER_SHARD)
    by_records = math.ceil(kinesis_records / WRITE_RECORDS_PER_SHARD)
    by_read = math.ceil(write_bytes * max(shared_consumers, 0) / READ_BYTES_PER_SHARD)
    needs = {"write bytes (1 MiB/s)": by_bytes, "write records (1,000/s)": by_records,
             "shared read (2 MiB/s)": by_read}
    binding = max(needs, key=lambda k: needs[k])
    return ShardPlan(max(1, *needs.values()), by_bytes, by_records, by_read, binding, kinesis_records)


@dataclass
class Producer:
    """A producer writing ``records_per_s`` records of ``record_bytes``, spread evenly over its
    ``partition_keys``."""

    name: str
    partition_keys: list[str]
    records_per_s: float
    record_bytes: int
    aggregation: int = 1


@dataclass
class ShardLoad:
    shard: int
    bytes_per_s: float = 0.0
    records_per_s: float = 0.0
    producers: set[str] = field(default_factory=set)

    @property
    def over_bytes(self) -> bool:
        return self.bytes_per_s > WRITE_BYTES_PER_SHARD

    @property
    def over_records(self) -> bool:
        return self.records_per_s > WRITE_RECORDS_PER_SHARD

    @property
    def throttled(self) -> bool:
        return self.over_bytes or self.over_records

    @property
    def utilisation(self) -> float:
        """The larger of the two write limits' use, 1.0 = exactly at the limit."""
        return max(self.bytes_per_s / WRITE_BYTES_PER_SHARD, self.records_per_s / WRITE_RECORDS_PER_SHARD)

    def to_dict(self) -> dict:
        return {
            "shard": self.shard,
            "bytes_per_s": round(self.bytes_per_s, 1),
            "records_per_s": round(self.records_per_s, 1),
            "utilisation": round(self.utilisation, 3),
            "throttled": self.throttled,
            "producers": sorted(self.producers),
        }


def shard_loads(producers: list[Producer], ranges: list[tuple[int, int]]) -> list[ShardLoad]:
    """Write load per shard (steady state, per second) from the producers' key spread."""
    loads = [ShardLoad(i) for i in range(len(ranges))]
    for p in producers:
        if not p.partition_keys:
            raise ValueError(f"producer {p.name} has no partition key")
        share = p.records_per_s / len(p.partition_keys)
        for key in p.partition_keys:
            load = loads[shard_index(key, ranges)]
            load.records_per_s += share / p.aggregation
            load.bytes_per_s += share * p.record_bytes
            load.producers.add(p.name)
    return loads


def throttled_producers(producers: list[Producer], ranges: list[tuple[int, int]]) -> dict[str, list[int]]:
    """Producers that would receive ``ProvisionedThroughputExceededException`` on AWS: those
    writing to at least one shard over a write limit, with the shards concerned."""
    loads = shard_loads(producers, ranges)
    hot = {load.shard for load in loads if load.throttled}
    result: dict[str, list[int]] = {}
    for p in producers:
        shards = sorted({shard_index(k, ranges) for k in p.partition_keys} & hot)
        if shards:
            result[p.name] = shards
    return result
