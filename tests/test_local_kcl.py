"""awslabs.local.kcl: leases and checkpoints in DynamoDB, at-least-once resume, parents before
children (https://docs.aws.amazon.com/streams/latest/dev/kcl-dynamoDB.html)."""
from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from awslabs.local.kcl import LEASE_TABLE_SCHEMA, SHARD_END, CheckpointingConsumer


@pytest.fixture
def clients():
    with mock_aws():
        kinesis = boto3.client("kinesis", region_name="us-east-1")
        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        kinesis.create_stream(StreamName="s", ShardCount=2)
        dynamodb.create_table(TableName="leases", **LEASE_TABLE_SCHEMA)
        kinesis.put_records(StreamName="s", Records=[
            {"PartitionKey": f"k{i}", "Data": str(i).encode()} for i in range(50)])
        yield kinesis, dynamodb


def test_resume_after_a_crash_replays_only_what_was_not_checkpointed(clients):
    kinesis, dynamodb = clients
    a = CheckpointingConsumer(kinesis, dynamodb, "s", "leases", "a", checkpoint_every=5)
    first = a.run(lambda r: None, stop_after=17)
    assert first.stopped_early and len(first.processed) == 17
    b = CheckpointingConsumer(kinesis, dynamodb, "s", "leases", "b", checkpoint_every=5)
    second = b.run(lambda r: None)
    seen_a = {(r["shard"], r["SequenceNumber"]) for r in first.processed}
    seen_b = {(r["shard"], r["SequenceNumber"]) for r in second.processed}
    assert len(seen_a | seen_b) == 50
    # checkpoints every 5 records: 17 processed → 15 checkpointed at most → 2 seen again
    assert len(seen_a & seen_b) == 2
    leases = b.leases()
    assert set(leases) == {"shardId-000000000000", "shardId-000000000001"}
    assert all(lease["owner"] == "b" for lease in leases.values())


def test_a_second_run_with_nothing_new_processes_nothing(clients):
    kinesis, dynamodb = clients
    CheckpointingConsumer(kinesis, dynamodb, "s", "leases", "a").run(lambda r: None)
    again = CheckpointingConsumer(kinesis, dynamodb, "s", "leases", "a").run(lambda r: None)
    assert again.processed == []


def test_a_worker_that_lost_its_lease_cannot_checkpoint(clients):
    kinesis, dynamodb = clients
    a = CheckpointingConsumer(kinesis, dynamodb, "s", "leases", "a")
    a.sync_leases()
    counter = a._take("shardId-000000000000", 0)
    b = CheckpointingConsumer(kinesis, dynamodb, "s", "leases", "b")
    b._take("shardId-000000000000", counter)  # b steals the lease
    with pytest.raises(dynamodb.exceptions.ConditionalCheckFailedException):
        a.checkpoint("shardId-000000000000", "1", counter)


def test_a_closed_parent_is_finished_before_its_children(clients):
    kinesis, dynamodb = clients
    shard = kinesis.list_shards(StreamName="s")["Shards"][0]
    start, end = int(shard["HashKeyRange"]["StartingHashKey"]), int(shard["HashKeyRange"]["EndingHashKey"])
    kinesis.split_shard(StreamName="s", ShardToSplit=shard["ShardId"], NewStartingHashKey=str((start + end) // 2))
    parent = shard["ShardId"]
    crashed = CheckpointingConsumer(kinesis, dynamodb, "s", "leases", "a").run(lambda r: None, stop_after=3)
    assert {r["shard"] for r in crashed.processed} == {parent}
    leases = CheckpointingConsumer(kinesis, dynamodb, "s", "leases", "x").leases()
    children = sorted(s for s, lease in leases.items() if lease["parent"] == parent)
    assert len(children) == 2
    # the parent is not finished: nobody has taken the children's leases
    assert all(leases[c]["owner"] is None and leases[c]["checkpoint"] == "TRIM_HORIZON" for c in children)
    consumer = CheckpointingConsumer(kinesis, dynamodb, "s", "leases", "b")
    consumer.run(lambda r: None)
    leases = consumer.leases()
    assert leases[parent]["checkpoint"] == SHARD_END
    assert all(leases[c]["owner"] == "b" for c in children)  # taken only once the parent ended
