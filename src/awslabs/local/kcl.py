"""A checkpointing Kinesis consumer in the style of the Kinesis Client Library (KCL).

The KCL keeps one *lease* per shard in a DynamoDB table named after the application: the lease
key is the shard id, ``leaseOwner`` the worker holding it, ``leaseCounter`` a number every owner
bumps (a conditional write, so two workers cannot both hold a lease), and ``checkpoint`` the
sequence number of the last record the application finished with — or ``TRIM_HORIZON`` before the
first, ``SHARD_END`` once a closed shard is fully read. A worker that restarts reads the checkpoint
and continues **after** it, so records processed but not yet checkpointed are delivered again:
at-least-once processing, which is why record processors must be idempotent
(https://docs.aws.amazon.com/streams/latest/dev/shared-throughput-kcl-consumers.html,
https://docs.aws.amazon.com/streams/latest/dev/kcl-dynamoDB.html).
A parent shard is processed to its end before its children (resharding keeps per-key order).

This is a small, honest re-implementation for the labs (one process, the real boto3 calls on
Kinesis and DynamoDB); the real KCL is a Java library (with a Python MultiLangDaemon).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

TRIM_HORIZON = "TRIM_HORIZON"
SHARD_END = "SHARD_END"

LEASE_TABLE_SCHEMA = {
    "AttributeDefinitions": [{"AttributeName": "leaseKey", "AttributeType": "S"}],
    "KeySchema": [{"AttributeName": "leaseKey", "KeyType": "HASH"}],
    "BillingMode": "PAY_PER_REQUEST",
}


@dataclass
class ConsumeResult:
    processed: list[dict] = field(default_factory=list)  # records handed to the processor
    checkpoints: int = 0
    stopped_early: bool = False


class CheckpointingConsumer:
    """Consume every shard of ``stream`` with leases and checkpoints in DynamoDB ``table``.

    ``checkpoint_every``: checkpoint after this many records of a shard (and at its end)."""

    def __init__(self, kinesis, dynamodb, stream: str, table: str, worker_id: str, checkpoint_every: int = 10):
        self.kinesis = kinesis
        self.dynamodb = dynamodb
        self.stream = stream
        self.table = table
        self.worker_id = worker_id
        self.checkpoint_every = max(1, checkpoint_every)

    # -- leases --------------------------------------------------------------------------------
    def sync_leases(self) -> list[dict]:
        """Create a lease for every shard that has none (conditional put: never overwrite)."""
        shards = self.kinesis.list_shards(StreamName=self.stream)["Shards"]
        for shard in shards:
            item = {"leaseKey": {"S": shard["ShardId"]}, "checkpoint": {"S": TRIM_HORIZON},
                    "leaseCounter": {"N": "0"}}
            if shard.get("ParentShardId"):
                item["parentShardId"] = {"S": shard["ParentShardId"]}
            try:
                self.dynamodb.put_item(TableName=self.table, Item=item,
                                       ConditionExpression="attribute_not_exists(leaseKey)")
            except self.dynamodb.exceptions.ConditionalCheckFailedException:
                pass  # the lease exists: keep its checkpoint
        return shards

    def leases(self) -> dict[str, dict]:
        items = self.dynamodb.scan(TableName=self.table, ConsistentRead=True)["Items"]
        return {
            i["leaseKey"]["S"]: {
                "checkpoint": i["checkpoint"]["S"],
                "owner": i.get("leaseOwner", {}).get("S"),
                "counter": int(i["leaseCounter"]["N"]),
                "parent": i.get("parentShardId", {}).get("S"),
            }
            for i in items
        }

    def _take(self, shard_id: str, counter: int) -> int:
        """Take the lease with a conditional bump of its counter; returns the new counter."""
        self.dynamodb.update_item(
            TableName=self.table,
            Key={"leaseKey": {"S": shard_id}},
            UpdateExpression="SET leaseOwner = :me, leaseCounter = :next",
            ConditionExpression="leaseCounter = :seen",
            ExpressionAttributeValues={":me": {"S": self.worker_id}, ":next": {"N": str(counter + 1)},
                                       ":seen": {"N": str(counter)}},
        )
        return counter + 1

    def checkpoint(self, shard_id: str, sequence_number: str, counter: int) -> None:
        """Record progress; refused (ConditionalCheckFailed) if another worker took the lease."""
        self.dynamodb.update_item(
            TableName=self.table,
            Key={"leaseKey": {"S": shard_id}},
            UpdateExpression="SET #c = :seq",
            ConditionExpression="leaseOwner = :me AND leaseCounter = :counter",
            ExpressionAttributeNames={"#c": "checkpoint"},
            ExpressionAttributeValues={":seq": {"S": sequence_number}, ":me": {"S": self.worker_id},
                                       ":counter": {"N": str(counter)}},
        )

    # -- processing ----------------------------------------------------------------------------
    def _iterator(self, shard_id: str, checkpoint: str) -> str:
        if checkpoint == TRIM_HORIZON:
            args = {"ShardIteratorType": "TRIM_HORIZON"}
        else:
            args = {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "StartingSequenceNumber": checkpoint}
        return self.kinesis.get_shard_iterator(StreamName=self.stream, ShardId=shard_id, **args)["ShardIterator"]

    def run(self, processor: Callable[[dict], None], stop_after: int | None = None) -> ConsumeResult:
        """Process every shard from its checkpoint; ``stop_after`` simulates the worker dying after
        that many records (whatever was not checkpointed yet will be seen again)."""
        result = ConsumeResult()
        shards = {s["ShardId"]: s for s in self.sync_leases()}
        leases = self.leases()
        done = {sid for sid, lease in leases.items() if lease["checkpoint"] == SHARD_END}
        # Parents before children: order by how many ancestors a shard has.
        def depth(sid: str) -> int:
            parent = shards.get(sid, {}).get("ParentShardId")
            return 0 if not parent or parent not in shards else 1 + depth(parent)

        for shard_id in sorted(shards, key=lambda s: (depth(s), s)):
            if shard_id in done:
                continue
            parents = [shards[shard_id].get(k) for k in ("ParentShardId", "AdjacentParentShardId")]
            if any(p in shards and p not in done for p in parents):
                continue  # a parent did not reach SHARD_END: its children wait
            counter = self._take(shard_id, leases[shard_id]["counter"])
            closed = "EndingSequenceNumber" in shards[shard_id].get("SequenceNumberRange", {})
            iterator = self._iterator(shard_id, leases[shard_id]["checkpoint"])
            since_checkpoint, last_seq = 0, None
            while iterator:
                page = self.kinesis.get_records(ShardIterator=iterator, Limit=100)
                for record in page["Records"]:
                    if stop_after is not None and len(result.processed) >= stop_after:
                        result.stopped_early = True
                        return result  # died: no checkpoint for what was processed since the last one
                    processor(record)
                    result.processed.append({"shard": shard_id, **record})
                    last_seq, since_checkpoint = record["SequenceNumber"], since_checkpoint + 1
                    if since_checkpoint >= self.checkpoint_every:
                        self.checkpoint(shard_id, last_seq, counter)
                        result.checkpoints += 1
                        since_checkpoint = 0
                iterator = page.get("NextShardIterator")
                if not page["Records"] and page.get("MillisBehindLatest", 0) == 0:
                    break  # caught up (an open shard) or read to the end (a closed one)
            if closed:
                self.checkpoint(shard_id, SHARD_END, counter)
                done.add(shard_id)
                result.checkpoints += 1
            elif since_checkpoint and last_seq:
                self.checkpoint(shard_id, last_seq, counter)
                result.checkpoints += 1
        return result
