"""awslabs.sim.kinesis_capacity against hand-worked cases from the Kinesis quotas page
(https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html)."""
from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from awslabs.sim import kinesis_capacity as cap


def test_even_ranges_match_what_describe_stream_shows_for_four_shards():
    ranges = cap.even_ranges(4)
    assert ranges[0] == (0, 85070591730234615865843651857942052863)  # 2**126 - 1
    assert ranges[1][0] == 85070591730234615865843651857942052864
    assert ranges[-1][1] == 2**128 - 1
    assert all(a[1] + 1 == b[0] for a, b in zip(ranges, ranges[1:]))  # contiguous, no gaps


def test_hash_key_is_md5_of_the_partition_key():
    # MD5("a") = 0cc175b9c0f1b6a831c399e269772661: below 2**126, so shard 0 of 4
    assert cap.hash_key("a") == 0x0CC175B9C0F1B6A831C399E269772661
    assert cap.shard_index("a", cap.even_ranges(4)) == 0


def test_shard_index_agrees_with_the_emulator_placement():
    with mock_aws():
        kinesis = boto3.client("kinesis", region_name="us-east-1")
        kinesis.create_stream(StreamName="s", ShardCount=4)
        shards = kinesis.list_shards(StreamName="s")["Shards"]
        for key in [f"k{i}" for i in range(40)]:
            placed = kinesis.put_record(StreamName="s", PartitionKey=key, Data=b"x")["ShardId"]
            assert shards[cap.shard_index(key, cap.even_ranges(4))]["ShardId"] == placed


def test_shards_needed_worked_example():
    # 1,000 records/s of 2 KiB, 3 classic consumers:
    # write 2,000 KiB/s / 1,024 → 2 shards; records 1,000/1,000 → 1; read 6,000 KiB/s / 2,048 → 3
    plan = cap.shards_needed(1000, 2048, shared_consumers=3)
    assert (plan.by_write_bytes, plan.by_write_records, plan.by_read_bytes) == (2, 1, 3)
    assert plan.shards == 3 and plan.binding_limit.startswith("shared read")


def test_enhanced_fan_out_consumers_add_no_shards():
    assert cap.shards_needed(1000, 2048, shared_consumers=0, efo_consumers=5).shards == 2


def test_small_records_are_bound_by_the_record_limit_unless_aggregated():
    plan = cap.shards_needed(5000, 100, shared_consumers=1)
    assert plan.shards == 5 and plan.binding_limit.startswith("write records")
    assert cap.shards_needed(5000, 100, shared_consumers=1, aggregation=10).shards == 1


def test_headroom_and_record_size_limit():
    assert cap.shards_needed(1000, 1024, shared_consumers=1, headroom=0.5).shards == 2  # 1.46 MiB/s
    with pytest.raises(ValueError):
        cap.shards_needed(1, cap.MAX_RECORD_BYTES + 1)


def test_one_partition_key_over_1000_records_per_second_is_throttled():
    ranges = cap.even_ranges(8)
    hot = cap.Producer("hot", ["k"], 1200, 100)
    calm = cap.Producer("calm", ["k"], 800, 100)
    assert cap.throttled_producers([hot], ranges) == {"hot": [cap.shard_index("k", ranges)]}
    assert cap.throttled_producers([calm], ranges) == {}


def test_bytes_limit_throttles_before_the_record_limit_for_large_records():
    ranges = cap.even_ranges(1)
    big = cap.Producer("big", ["k"], 600, 2048)  # 1.17 MiB/s, only 600 records/s
    loads = cap.shard_loads([big], ranges)
    assert loads[0].over_bytes and not loads[0].over_records
    assert cap.throttled_producers([big], ranges) == {"big": [0]}


def test_neighbours_of_a_hot_key_are_throttled_and_salting_fixes_it():
    ranges = cap.even_ranges(4)
    hot_shard = cap.shard_index("hot", ranges)
    neighbour = next(f"n{i}" for i in range(100) if cap.shard_index(f"n{i}", ranges) == hot_shard)
    producers = [cap.Producer("hot", ["hot"], 990, 10), cap.Producer("n", [neighbour], 20, 10)]
    assert set(cap.throttled_producers(producers, ranges)) == {"hot", "n"}
    salted = [cap.Producer("hot", [f"hot#{i}" for i in range(10)], 990, 10), producers[1]]
    assert cap.throttled_producers(salted, ranges) == {}
