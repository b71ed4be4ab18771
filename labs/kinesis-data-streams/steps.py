"""kinesis-data-streams: partition keys → shards, a hot shard, capacity, iterators, KCL-style
checkpoints and resharding. Control plane and data on moto / the server / AWS alike; throughput
limits come from the capacity simulator (moto enforces none)."""
from __future__ import annotations

import datetime as dt
import json
import time
from collections import Counter

from awslabs.lab import equal, expect
from awslabs.local.kcl import LEASE_TABLE_SCHEMA, CheckpointingConsumer
from awslabs.sim import kinesis_capacity as cap

SHARDS = 4
SENSORS = [f"sensor-{i:02d}" for i in range(20)]
HOT_KEY = "sensor-hot"
PER_SENSOR = 5  # records per ordinary sensor
HOT_RECORDS = 200  # the skew: one key writes twice as much as the 20 others together
BATCH = 100  # records per put_records call (the API takes at most 500)


def _stream(ctx):
    return ctx.name("clicks", max_len=128)


def _on_demand(ctx):
    return ctx.name("ondemand", max_len=128)


def _table(ctx):
    return ctx.name("kcl-leases", max_len=255)


def _wait_active(ctx, name):
    # Real streams are CREATING/UPDATING for seconds to minutes; moto is ACTIVE at once.
    ctx.client("kinesis").get_waiter("stream_exists").wait(
        StreamName=name, WaiterConfig={"Delay": 5 if ctx.on_aws else 0.05, "MaxAttempts": 60}
    )


def _exists(ctx, name) -> bool:
    return name in ctx.client("kinesis").list_streams(Limit=1000).get("StreamNames", [])


def _open_shards(ctx, name):
    return [s for s in ctx.client("kinesis").list_shards(StreamName=name)["Shards"]
            if "EndingSequenceNumber" not in s["SequenceNumberRange"]]


def _read_shard(ctx, name, shard_id, **start):
    """Every record of one shard from TRIM_HORIZON (or ``start``) until caught up."""
    kinesis = ctx.client("kinesis")
    args = start or {"ShardIteratorType": "TRIM_HORIZON"}
    iterator = kinesis.get_shard_iterator(StreamName=name, ShardId=shard_id, **args)["ShardIterator"]
    records = []
    while iterator:
        page = kinesis.get_records(ShardIterator=iterator, Limit=1000)
        records += page["Records"]
        # An empty page only means "caught up" when the shard is not behind (AWS may return an
        # empty page in the middle of a shard); a closed shard ends with no next iterator.
        if not page["Records"] and page.get("MillisBehindLatest", 0) == 0:
            break
        iterator = page.get("NextShardIterator")
    return records


def _ranges(shards):
    return [(int(s["HashKeyRange"]["StartingHashKey"]), int(s["HashKeyRange"]["EndingHashKey"])) for s in shards]


def _payloads():
    """The lab's records, in put order: (partition key, JSON bytes)."""
    rows = [(s, {"sensor": s, "n": n, "value": 20 + n}) for s in SENSORS for n in range(PER_SENSOR)]
    rows += [(HOT_KEY, {"sensor": HOT_KEY, "n": n, "value": 50 + n % 7}) for n in range(HOT_RECORDS)]
    return [(key, json.dumps(body).encode()) for key, body in rows]


# -- 1 -------------------------------------------------------------------------------------------
def apply_create_streams(ctx):
    kinesis = ctx.client("kinesis")
    ctx.track("kinesis:stream", _stream(ctx))
    kinesis.create_stream(StreamName=_stream(ctx), ShardCount=SHARDS,
                          StreamModeDetails={"StreamMode": "PROVISIONED"}, Tags=ctx.tags)
    ctx.track("kinesis:stream", _on_demand(ctx))
    kinesis.create_stream(StreamName=_on_demand(ctx), StreamModeDetails={"StreamMode": "ON_DEMAND"}, Tags=ctx.tags)
    for name in (_stream(ctx), _on_demand(ctx)):
        _wait_active(ctx, name)
        kinesis.add_tags_to_stream(StreamName=name, Tags=ctx.tags)  # moto ignores create-time tags


def check_create_streams(ctx):
    if not _exists(ctx, _stream(ctx)):
        yield expect("the provisioned stream exists", False, _stream(ctx))
        return
    shards = _open_shards(ctx, _stream(ctx))
    yield equal("the provisioned stream has 4 open shards", len(shards), SHARDS)
    yield equal("the shards split the 128-bit hash-key space evenly", _ranges(shards), cap.even_ranges(SHARDS))
    mode = ctx.client("kinesis").describe_stream_summary(StreamName=_on_demand(ctx))["StreamDescriptionSummary"]
    yield equal("the second stream is on-demand", mode["StreamModeDetails"]["StreamMode"], "ON_DEMAND")
    tags = {t["Key"]: t["Value"] for t in ctx.client("kinesis").list_tags_for_stream(StreamName=_stream(ctx))["Tags"]}
    yield equal("the stream carries the run tag", tags.get("awslabs:run"), ctx.run_id)


# -- 2 -------------------------------------------------------------------------------------------
def apply_put_records(ctx):
    kinesis = ctx.client("kinesis")
    payloads = _payloads()
    failed = 0
    placement = {}
    for start in range(0, len(payloads), BATCH):
        batch = [{"PartitionKey": k, "Data": d} for k, d in payloads[start : start + BATCH]]
        response = kinesis.put_records(StreamName=_stream(ctx), Records=batch)
        for record, out in zip(batch, response["Records"]):
            if "ShardId" in out:
                key = record["PartitionKey"]
                placement[key] = {"md5_hash_key": str(cap.hash_key(key)), "shard": out["ShardId"]}
        # PutRecords is not atomic: a real producer (the KPL does this) retries only the failed
        # entries — on AWS those carry ErrorCode ProvisionedThroughputExceededException.
        retry = [r for r, out in zip(batch, response["Records"]) if out.get("ErrorCode")]
        if retry:
            kinesis.put_records(StreamName=_stream(ctx), Records=retry)
        failed += response["FailedRecordCount"]
    ctx.state["put_failed_first_try"] = failed
    # Which shard each key landed on, with the 128-bit hash that decided it.
    (ctx.output_dir / "key-to-shard.json").write_text(json.dumps(placement, indent=2, sort_keys=True))


def _records_by_shard(ctx):
    shards = ctx.client("kinesis").list_shards(StreamName=_stream(ctx))["Shards"][:SHARDS]
    return shards, {s["ShardId"]: _read_shard(ctx, _stream(ctx), s["ShardId"]) for s in shards}


def check_put_records(ctx):
    shards, by_shard = _records_by_shard(ctx)
    total = sum(len(v) for v in by_shard.values())
    yield equal("every record reached the stream", total, len(_payloads()))
    ranges = _ranges(shards)
    misplaced = [
        (r["PartitionKey"], s["ShardId"])
        for i, s in enumerate(shards)
        for r in by_shard[s["ShardId"]]
        if cap.shard_index(r["PartitionKey"], ranges) != i
    ]
    yield expect("each record sits in the shard whose range holds MD5(partition key)",
                 total > 0 and not misplaced, f"{total - len(misplaced)}/{total} placed as predicted")
    counts = Counter({sid: len(v) for sid, v in by_shard.items()})
    hot_shard = shards[cap.shard_index(HOT_KEY, ranges)]["ShardId"]
    share = counts[hot_shard] / total if total else 0
    yield expect(f"the hot key makes {hot_shard} a hot shard (> 2/3 of all records)",
                 share > 2 / 3, f"{dict(counts)}; hot share {share:.0%}")


# -- 3 -------------------------------------------------------------------------------------------
RECORD_BYTES = 1024
FLEET_RATE = 30  # records/s per ordinary sensor in production
HOT_RATE = 1200  # records/s the hot sensor produces in production
SALTS = 10


def _producers(salted: bool):
    fleet = [cap.Producer(s, [s], FLEET_RATE, RECORD_BYTES) for s in SENSORS]
    keys = [f"{HOT_KEY}#{i}" for i in range(SALTS)] if salted else [HOT_KEY]
    return fleet + [cap.Producer(HOT_KEY, keys, HOT_RATE, RECORD_BYTES)]


def capacity_plan() -> dict:
    """The plan written by the step (pure: same numbers on every target)."""
    ranges = cap.even_ranges(SHARDS)
    total_rate = FLEET_RATE * len(SENSORS) + HOT_RATE
    plan = cap.shards_needed(total_rate, RECORD_BYTES, shared_consumers=2)
    return {
        "workload": {"records_per_s": total_rate, "record_bytes": RECORD_BYTES, "shared_consumers": 2},
        "shards_needed": plan.to_dict(),
        "with_one_hot_key": {
            "loads": [load.to_dict() for load in cap.shard_loads(_producers(False), ranges)],
            "throttled": cap.throttled_producers(_producers(False), ranges),
        },
        "with_salted_hot_key": {
            "loads": [load.to_dict() for load in cap.shard_loads(_producers(True), ranges)],
            "throttled": cap.throttled_producers(_producers(True), ranges),
        },
        "kpl_aggregation_10": cap.shards_needed(total_rate, RECORD_BYTES, 2, aggregation=10).to_dict(),
    }


def apply_capacity_plan(ctx):
    (ctx.output_dir / "capacity-plan.json").write_text(json.dumps(capacity_plan(), indent=2))


def check_capacity_plan(ctx):
    path = ctx.output_dir / "capacity-plan.json"
    if not path.exists():
        yield expect("the capacity plan was written", False, str(path), "simulated")
        return
    plan = json.loads(path.read_text())
    # 1,800 records/s of 1 KiB = 1.76 MiB/s in: 2 shards by bytes, 2 by records (1,800/1,000);
    # two classic consumers read 3.5 MiB/s: 2 shards at 2 MiB/s each.
    yield equal("1,800 records/s of 1 KiB needs 2 shards", plan["shards_needed"]["shards"], 2, "simulated")
    hot = plan["with_one_hot_key"]["throttled"]
    yield expect("one hot key throttles its shard even with 4 shards (1,200 records/s > 1,000)",
                 HOT_KEY in hot, f"throttled producers: {sorted(hot)}", "simulated")
    neighbours = sorted(set(hot) - {HOT_KEY})
    yield expect("sensors sharing the hot shard are throttled too (noisy neighbour)",
                 len(neighbours) > 0, ", ".join(neighbours), "simulated")
    yield equal("salting the hot key over 10 keys removes all throttling",
                plan["with_salted_hot_key"]["throttled"], {}, "simulated")


# -- 4 -------------------------------------------------------------------------------------------
MARKER_KEY = "iterator-demo"


def apply_iterators(ctx):
    kinesis = ctx.client("kinesis")
    shard_id = _open_shards(ctx, _stream(ctx))[cap.shard_index(MARKER_KEY, cap.even_ranges(SHARDS))]["ShardId"]
    before = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)
    latest = kinesis.get_shard_iterator(StreamName=_stream(ctx), ShardId=shard_id,
                                        ShardIteratorType="LATEST")["ShardIterator"]
    seqs = []
    for n in range(5):
        out = kinesis.put_record(StreamName=_stream(ctx), PartitionKey=MARKER_KEY,
                                 Data=json.dumps({"marker": n}).encode())
        seqs.append(out["SequenceNumber"])
    # A LATEST iterator taken before the puts sees exactly the records put after it. On AWS a
    # record is readable within about a second of the put, so poll a few times.
    latest_page = []
    for _ in range(10):
        page = kinesis.get_records(ShardIterator=latest, Limit=100)
        latest_page += page["Records"]
        latest = page["NextShardIterator"]
        if len(latest_page) >= len(seqs):
            break
        time.sleep(1 if ctx.on_aws else 0)
    ctx.state["iterators"] = {
        "shard": shard_id, "seqs": seqs, "before": before.isoformat(),
        "latest_saw": [json.loads(r["Data"])["marker"] for r in latest_page],
    }


def check_iterators(ctx):
    info = ctx.state.get("iterators")
    if not info:
        yield expect("the iterator demo ran", False, "no marker records yet")
        return
    name, shard, seqs = _stream(ctx), info["shard"], info["seqs"]

    def markers(**start):
        return [json.loads(r["Data"]).get("marker") for r in _read_shard(ctx, name, shard, **start)
                if r["PartitionKey"] == MARKER_KEY]

    yield equal("TRIM_HORIZON reads the shard from its oldest record (all 5 markers)", markers(), [0, 1, 2, 3, 4])
    yield equal("LATEST (taken before the puts) sees only the records put after it", info["latest_saw"], [0, 1, 2, 3, 4])
    yield equal("AT_SEQUENCE_NUMBER starts at that record",
                markers(ShardIteratorType="AT_SEQUENCE_NUMBER", StartingSequenceNumber=seqs[2]), [2, 3, 4])
    yield equal("AFTER_SEQUENCE_NUMBER starts just after it",
                markers(ShardIteratorType="AFTER_SEQUENCE_NUMBER", StartingSequenceNumber=seqs[2]), [3, 4])
    yield equal("AT_TIMESTAMP starts at the first record that arrived at or after the time",
                markers(ShardIteratorType="AT_TIMESTAMP", Timestamp=dt.datetime.fromisoformat(info["before"])),
                [0, 1, 2, 3, 4])


# -- 5 -------------------------------------------------------------------------------------------
CRASH_AFTER = 130
CHECKPOINT_EVERY = 25


def apply_kcl_consumer(ctx):
    dynamodb = ctx.client("dynamodb")
    ctx.track("dynamodb:table", _table(ctx))
    dynamodb.create_table(TableName=_table(ctx), Tags=ctx.tag_list(), **LEASE_TABLE_SCHEMA)
    dynamodb.get_waiter("table_exists").wait(TableName=_table(ctx),
                                             WaiterConfig={"Delay": 2 if ctx.on_aws else 0.05, "MaxAttempts": 60})
    kinesis = ctx.client("kinesis")
    first = CheckpointingConsumer(kinesis, dynamodb, _stream(ctx), _table(ctx), "worker-a", CHECKPOINT_EVERY)
    crashed = first.run(lambda record: None, stop_after=CRASH_AFTER)
    second = CheckpointingConsumer(kinesis, dynamodb, _stream(ctx), _table(ctx), "worker-b", CHECKPOINT_EVERY)
    resumed = second.run(lambda record: None)
    ctx.state["kcl"] = {
        "first": [(r["shard"], r["SequenceNumber"]) for r in crashed.processed],
        "second": [(r["shard"], r["SequenceNumber"]) for r in resumed.processed],
        "stopped_early": crashed.stopped_early,
    }


def check_kcl_consumer(ctx):
    names = ctx.client("dynamodb").list_tables().get("TableNames", [])
    if _table(ctx) not in names:
        yield expect("the lease table exists", False, _table(ctx))
        return
    consumer = CheckpointingConsumer(ctx.client("kinesis"), ctx.client("dynamodb"), _stream(ctx), _table(ctx), "reader")
    leases = consumer.leases()
    open_ids = [s["ShardId"] for s in _open_shards(ctx, _stream(ctx))]
    yield expect("the lease table holds one lease per shard, each with a checkpoint",
                 sorted(leases) == sorted(open_ids) and all(v["checkpoint"] != "TRIM_HORIZON" for v in leases.values()),
                 json.dumps({k: v["checkpoint"] for k, v in leases.items()}))
    yield expect("the leases now belong to the restarted worker",
                 all(v["owner"] == "worker-b" for v in leases.values()) and leases != {},
                 str({k: v["owner"] for k, v in leases.items()}))
    kcl = ctx.state.get("kcl", {"first": [], "second": [], "stopped_early": False})
    first, second = [tuple(x) for x in kcl["first"]], [tuple(x) for x in kcl["second"]]
    everything = sum(len(_read_shard(ctx, _stream(ctx), sid)) for sid in open_ids)
    yield equal("worker A died after 130 records; worker B resumed and together they saw every record",
                len(set(first) | set(second)), everything, "local")
    replayed = len(set(first) & set(second))
    yield expect("records processed after the last checkpoint were delivered again (at-least-once)",
                 kcl["stopped_early"] and 0 < replayed < CHECKPOINT_EVERY * len(open_ids),
                 f"{replayed} records seen twice", "local")


# -- 6 -------------------------------------------------------------------------------------------
def apply_reshard(ctx):
    kinesis = ctx.client("kinesis")
    shards = _open_shards(ctx, _stream(ctx))
    ranges = _ranges(shards)
    hot = shards[cap.shard_index(HOT_KEY, ranges)]
    start, end = ranges[shards.index(hot)]
    kinesis.split_shard(StreamName=_stream(ctx), ShardToSplit=hot["ShardId"],
                        NewStartingHashKey=str((start + end) // 2 + 1))
    _wait_active(ctx, _stream(ctx))
    i = shards.index(hot)
    pair = next(p for p in [(0, 1), (1, 2), (2, 3)] if i not in p)  # two adjacent cold shards
    kinesis.merge_shards(StreamName=_stream(ctx), ShardToMerge=shards[pair[0]]["ShardId"],
                         AdjacentShardToMerge=shards[pair[1]]["ShardId"])
    _wait_active(ctx, _stream(ctx))
    if ctx.on_aws:  # moto 5.2.5 still routes puts to the closed parent after a split (measured)
        out = kinesis.put_record(StreamName=_stream(ctx), PartitionKey=HOT_KEY, Data=b'{"after": "split"}')
        ctx.state["after_split_shard"] = out["ShardId"]


def check_reshard(ctx):
    shards = ctx.client("kinesis").list_shards(StreamName=_stream(ctx))["Shards"]
    by_id = {s["ShardId"]: s for s in shards}
    parent_id = shards[cap.shard_index(HOT_KEY, cap.even_ranges(SHARDS))]["ShardId"]
    children = [s for s in shards if s.get("ParentShardId") == parent_id and not s.get("AdjacentParentShardId")]
    merged = [s for s in shards if s.get("AdjacentParentShardId")]
    yield equal("the hot shard was split into two children", len(children), 2)
    yield equal("two adjacent cold shards were merged into one", len(merged), 1)
    closed = "EndingSequenceNumber" in by_id[parent_id]["SequenceNumberRange"]
    yield expect("the split parent is closed (it has an ending sequence number)", closed, parent_id)
    old = [r for r in _read_shard(ctx, _stream(ctx), parent_id) if r["PartitionKey"] == HOT_KEY] if closed else []
    yield expect("the closed parent still serves its records until retention expires",
                 closed and len(old) == HOT_RECORDS, f"closed={closed}, {len(old)} hot-key records readable")
    start, end = _ranges([by_id[parent_id]])[0]
    yield equal("the children cover exactly the parent's hash range, split in the middle",
                sorted(_ranges(children)), [(start, (start + end) // 2), ((start + end) // 2 + 1, end)])
    if ctx.on_aws:
        yield expect("a new record for the hot key lands in a child shard",
                     ctx.state.get("after_split_shard") in {c["ShardId"] for c in children},
                     str(ctx.state.get("after_split_shard")))
    else:
        yield ctx.aws_only("a new record for the hot key lands in a child shard",
                           "moto 5.2.5 keeps routing puts to the closed parent after a split; AWS writes to the child")


# -- 7 -------------------------------------------------------------------------------------------
def apply_retention(ctx):
    ctx.client("kinesis").increase_stream_retention_period(StreamName=_stream(ctx), RetentionPeriodHours=48)
    _wait_active(ctx, _stream(ctx))


def check_retention(ctx):
    summary = ctx.client("kinesis").describe_stream_summary(StreamName=_stream(ctx))["StreamDescriptionSummary"]
    yield equal("records are kept 48 hours (default 24)", summary["RetentionPeriodHours"], 48)
