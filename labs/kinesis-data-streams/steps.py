"""kinesis-data-streams: partition keys → shards, a hot shard, capacity, iterators, KCL-style
checkpoints and resharding. Control plane and data on moto / the server / AWS alike; throughput
limits come from the capacity simulator (moto enforces none)."""
from __future__ import annotations

import hashlib
import json
import math
import time
from collections import Counter

from awslabs import labkit

from awslabs import judge
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


def _original_shards(ctx, name):
    """The shards the stream was created with (no parent), in hash-key order: resharding later
    closes some of them but never removes them from ListShards (until retention expires)."""
    shards = [s for s in ctx.client("kinesis").list_shards(StreamName=name)["Shards"] if not s.get("ParentShardId")]
    return sorted(shards, key=lambda s: int(s["HashKeyRange"]["StartingHashKey"]))


def _all_shards(ctx, name):
    return ctx.client("kinesis").list_shards(StreamName=name)["Shards"]


def _ranges(shards):
    return [(int(s["HashKeyRange"]["StartingHashKey"]), int(s["HashKeyRange"]["EndingHashKey"])) for s in shards]


def _md5(key: str) -> int:
    """The 128-bit hash key of a partition key, computed here (MD5 of its UTF-8 bytes, as
    https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecord.html says)."""
    return int(hashlib.md5(key.encode("utf-8")).hexdigest(), 16)


def _shard_holding(shards, value: int) -> str | None:
    """The id of the shard (as ListShards returned it) whose hash-key range holds ``value``."""
    return next((s["ShardId"] for s, (lo, hi) in zip(shards, _ranges(shards)) if lo <= value <= hi), None)


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
    kinesis = ctx.client("kinesis")
    summary = kinesis.describe_stream_summary(StreamName=_stream(ctx))["StreamDescriptionSummary"]
    yield equal("the first stream is provisioned", summary["StreamModeDetails"]["StreamMode"], "PROVISIONED")
    # The shards it was created with (resharding later closes some but keeps them listed).
    shards = _original_shards(ctx, _stream(ctx))
    yield equal("it was created with 4 shards", len(shards), SHARDS)
    yield equal("the shards split the 128-bit hash-key space evenly", _ranges(shards), cap.even_ranges(SHARDS))
    if not _exists(ctx, _on_demand(ctx)):
        yield expect("the on-demand stream exists", False, _on_demand(ctx))
        return
    mode = kinesis.describe_stream_summary(StreamName=_on_demand(ctx))["StreamDescriptionSummary"]
    yield equal("the second stream is on-demand", mode["StreamModeDetails"]["StreamMode"], "ON_DEMAND")
    for name in (_stream(ctx), _on_demand(ctx)):
        tags = {t["Key"]: t["Value"] for t in kinesis.list_tags_for_stream(StreamName=name)["Tags"]}
        yield equal(f"{name} carries the tag awslabs:run={ctx.run_id}", tags.get("awslabs:run"), ctx.run_id)


# -- 2 -------------------------------------------------------------------------------------------
RETRIES = 5  # resends of the entries that failed (on AWS: over a shard's write limit)


def apply_put_records(ctx):
    kinesis = ctx.client("kinesis")
    payloads = _payloads()
    placement = {}
    batches = []
    for start in range(0, len(payloads), BATCH):
        batch = [{"PartitionKey": k, "Data": d} for k, d in payloads[start : start + BATCH]]
        pending, attempts = batch, []
        # PutRecords is not atomic: a real producer (the KPL does this) resends only the failed
        # entries — on AWS those carry ErrorCode ProvisionedThroughputExceededException.
        for attempt in range(1 + RETRIES):
            response = kinesis.put_records(StreamName=_stream(ctx), Records=pending)
            failed = [(r, out) for r, out in zip(pending, response["Records"]) if out.get("ErrorCode")]
            for record, out in zip(pending, response["Records"]):
                if "ShardId" in out and not out.get("ErrorCode"):
                    key = record["PartitionKey"]
                    placement[key] = {"md5_hash_key": str(cap.hash_key(key)), "shard": out["ShardId"]}
            attempts.append({"sent": len(pending), "failed": response["FailedRecordCount"],
                             "error_codes": dict(Counter(out["ErrorCode"] for _, out in failed))})
            pending = [r for r, _ in failed]
            if not pending:
                break
            time.sleep(0.2 * 2 ** attempt if ctx.on_aws else 0)
        batches.append({"records": len(batch), "attempts": attempts, "left_failed": len(pending)})
    # What the producer saw: per batch, each attempt's FailedRecordCount and error codes.
    labkit.record(ctx, "put_records", {
        "records": len(payloads),
        "batches": batches,
        "failed_first_try": sum(b["attempts"][0]["failed"] for b in batches),
        "left_failed": sum(b["left_failed"] for b in batches),
    })
    # Which shard each key landed on, with the 128-bit hash that decided it.
    (ctx.output_dir / "key-to-shard.json").write_text(json.dumps(placement, indent=2, sort_keys=True))


def _records_by_shard(ctx):
    """The lab's sensor records (marker records and later puts left out) in each original shard."""
    shards = _original_shards(ctx, _stream(ctx))
    wanted = set(SENSORS) | {HOT_KEY}
    return shards, {s["ShardId"]: [r for r in _read_shard(ctx, _stream(ctx), s["ShardId"])
                                   if r["PartitionKey"] in wanted and not _after_split(r)]
                    for s in shards}


def _after_split(record) -> bool:
    """The hot-key record put after the split (step reshard): {"after": "split"}."""
    return b'"after"' in record["Data"]


def check_put_records(ctx):
    if not _exists(ctx, _stream(ctx)):
        yield expect("the provisioned stream exists", False, _stream(ctx))
        return
    shards, by_shard = _records_by_shard(ctx)
    per_key = Counter(r["PartitionKey"] for records in by_shard.values() for r in records)
    expected = Counter({key: PER_SENSOR for key in SENSORS} | {HOT_KEY: HOT_RECORDS})
    total = sum(per_key.values())
    wrong = {key: f"{per_key[key]} (want {expected[key]})" for key in sorted(set(per_key) | set(expected))
             if per_key[key] != expected[key]}
    yield expect(f"every record reached the stream once: {PER_SENSOR} for each sensor-NN key, {HOT_RECORDS} for {HOT_KEY}",
                 not wrong, f"{total} records" + (f"; wrong counts: {dict(list(wrong.items())[:6])}" if wrong else ""))
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
    hot_shard = shards[cap.shard_index(HOT_KEY, ranges)]["ShardId"] if len(shards) == SHARDS else "?"
    share = counts[hot_shard] / total if total else 0
    yield expect(f"the hot key makes {hot_shard} a hot shard (> 2/3 of all records)",
                 share > 2 / 3, f"{dict(counts)}; hot share {share:.0%}")
    seen = labkit.observed(ctx, "put_records")
    if seen is None:
        # The records were put some other way (a learner's CLI or script in practice mode): what
        # reached the stream, judged above, is the whole verdict. The producer's own report of its
        # retries and key-to-shard.json exist only when this lab's producer ran in this run.
        return
    batches = seen["batches"]
    accepted = sum(a["sent"] - a["failed"] for b in batches for a in b["attempts"])
    yield expect(f"PutRecords is not atomic: the entries that failed were resent until none was left "
                 f"(in batches of at most {BATCH}, the API takes 500)",
                 seen["left_failed"] == 0 and accepted == len(_payloads())
                 and all(b["attempts"][0]["sent"] <= min(BATCH, 500) for b in batches),
                 f"{len(batches)} batches; {seen['failed_first_try']} entries failed the first try, "
                 f"{seen['left_failed']} left failed; {accepted} accepted")
    path = ctx.output_dir / "key-to-shard.json"
    placement = json.loads(path.read_text()) if path.exists() else {}
    keys = [*SENSORS, HOT_KEY]
    wrong_file = [key for key in keys if placement.get(key) != {"md5_hash_key": str(_md5(key)),
                                                                "shard": _shard_holding(shards, _md5(key))}]
    yield expect("key-to-shard.json gives each key its MD5 hash key and the shard whose range on the stream holds it",
                 path.exists() and not wrong_file,
                 f"{len(keys) - len(wrong_file)}/{len(keys)} keys right" + (f"; e.g. {wrong_file[:3]}" if wrong_file else "")
                 if path.exists() else f"{path} not written")


# -- 3 -------------------------------------------------------------------------------------------
RECORD_BYTES = 1024
FLEET_RATE = 30  # records/s per ordinary sensor in production
HOT_RATE = 1200  # records/s the hot sensor produces in production
SALTS = 10


def _producers(salted: bool):
    fleet = [cap.Producer(s, [s], FLEET_RATE, RECORD_BYTES) for s in SENSORS]
    keys = [f"{HOT_KEY}#{i}" for i in range(SALTS)] if salted else [HOT_KEY]
    return fleet + [cap.Producer(HOT_KEY, keys, HOT_RATE, RECORD_BYTES)]


def capacity_plan(shards: int = SHARDS) -> dict:
    """The plan written by the step (pure: same numbers on every target)."""
    ranges = cap.even_ranges(shards)
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
    # Expectations computed here, not by awslabs.sim.kinesis_capacity: the task's workload, the
    # documented per-shard quotas (1 MiB/s or 1,000 records/s in, 2 MiB/s out shared by classic
    # consumers: https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html) and
    # where MD5 puts each key among the shards the stream really has (ListShards).
    rate = FLEET_RATE * len(SENSORS) + HOT_RATE
    yield equal("the plan is for the task's workload (20 sensors at 30/s, the hot one at 1,200/s, 1 KiB, 2 consumers)",
                plan["workload"], {"records_per_s": rate, "record_bytes": RECORD_BYTES, "shared_consumers": 2})
    need = max(math.ceil(rate * RECORD_BYTES / 2**20), math.ceil(rate / 1000), math.ceil(2 * rate * RECORD_BYTES / (2 * 2**20)))
    yield equal(f"{rate:,} records/s of 1 KiB needs {need} shards", plan["shards_needed"]["shards"], need, "simulated")
    shards = _original_shards(ctx, _stream(ctx)) if _exists(ctx, _stream(ctx)) else []

    def over_quota(keys_and_rates):
        per_shard = Counter()
        for key, per_s in keys_and_rates:
            per_shard[_shard_holding(shards, _md5(key))] += per_s
        return {sid for sid, per_s in per_shard.items() if per_s > 1000 or per_s * RECORD_BYTES > 2**20}

    fleet = [(sensor, FLEET_RATE) for sensor in SENSORS]
    hot_shards = over_quota(fleet + [(HOT_KEY, HOT_RATE)])
    expected_hot = sorted(k for k in [*SENSORS, HOT_KEY] if _shard_holding(shards, _md5(k)) in hot_shards)
    hot = plan["with_one_hot_key"]["throttled"]
    yield equal("one hot key throttles its shard and the sensors sharing it (noisy neighbours), on this stream's shards",
                sorted(hot), expected_hot if shards else "the stream's shards", "simulated")
    salted = over_quota(fleet + [(f"{HOT_KEY}#{i}", HOT_RATE / SALTS) for i in range(SALTS)])
    yield equal(f"salting the hot key over {SALTS} keys removes all throttling",
                (plan["with_salted_hot_key"]["throttled"], sorted(salted)), ({}, []), "simulated")


def _placement_not_written(ctx):
    """Mutant: the records are put but key-to-shard.json is never written."""
    apply_put_records(ctx)
    (ctx.output_dir / "key-to-shard.json").unlink()


def _plan_for_two_shards(ctx):
    """Mutant: the plan computed for a 2-shard stream (the stream has 4)."""
    (ctx.output_dir / "capacity-plan.json").write_text(json.dumps(capacity_plan(shards=2), indent=2))


# -- 4 -------------------------------------------------------------------------------------------
MARKER_KEY = "iterator-demo"
MARKERS = 5
LATEST_KEY = "latest-demo"


def apply_markers(ctx):
    kinesis = ctx.client("kinesis")
    for n in range(MARKERS):  # one call per record: put_record returns each one's sequence number
        kinesis.put_record(StreamName=_stream(ctx), PartitionKey=MARKER_KEY, Data=json.dumps({"marker": n}).encode())


def _marker_records(ctx):
    """(shard id, the marker records in put order) — looked up in every shard, oldest first."""
    for shard in _all_shards(ctx, _stream(ctx)):
        found = [r for r in _read_shard(ctx, _stream(ctx), shard["ShardId"]) if r["PartitionKey"] == MARKER_KEY]
        if found:
            return shard["ShardId"], found
    return None, []


def _marker(record):
    try:
        return json.loads(record["Data"]).get("marker")
    except (ValueError, AttributeError):
        return None


def check_markers(ctx):
    if not _exists(ctx, _stream(ctx)):
        yield expect("the provisioned stream exists", False, _stream(ctx))
        return
    shard, records = _marker_records(ctx)
    yield equal(f"the {MARKERS} marker records ({{\"marker\": 0}} … {{\"marker\": 4}}, key {MARKER_KEY}) are in the stream, in order",
                [_marker(r) for r in records], list(range(MARKERS)))
    ranges = _ranges(_original_shards(ctx, _stream(ctx)))
    expected = _original_shards(ctx, _stream(ctx))[cap.shard_index(MARKER_KEY, ranges)]["ShardId"] if ranges else None
    yield equal("they share one shard, the one MD5(partition key) picks", shard, expected)


def apply_iterators(ctx):
    """Read the learner's marker records back with every iterator type; LATEST is shown on the
    on-demand stream (a LATEST iterator taken before a put sees exactly that put)."""
    kinesis = ctx.client("kinesis")
    shard, records = _marker_records(ctx)
    if not records:
        raise ValueError(f"no marker records with partition key {MARKER_KEY} in {_stream(ctx)}")
    name = _stream(ctx)

    def markers(**start):
        return [_marker(r) for r in _read_shard(ctx, name, shard, **start) if r["PartitionKey"] == MARKER_KEY]

    seqs = [r["SequenceNumber"] for r in records]
    first_arrival = records[0]["ApproximateArrivalTimestamp"]
    seen = {
        "TRIM_HORIZON": markers(),
        "AT_SEQUENCE_NUMBER": markers(ShardIteratorType="AT_SEQUENCE_NUMBER", StartingSequenceNumber=seqs[2]),
        "AFTER_SEQUENCE_NUMBER": markers(ShardIteratorType="AFTER_SEQUENCE_NUMBER", StartingSequenceNumber=seqs[2]),
        "AT_TIMESTAMP": markers(ShardIteratorType="AT_TIMESTAMP", Timestamp=first_arrival),
    }
    # LATEST on the marker shard: none of the records already there.
    latest = kinesis.get_shard_iterator(StreamName=name, ShardId=shard, ShardIteratorType="LATEST")["ShardIterator"]
    seen["LATEST_existing"] = [_marker(r) for r in kinesis.get_records(ShardIterator=latest, Limit=100)["Records"]]
    # LATEST taken before a put sees that put (on the on-demand stream: never resharded here).
    demand = _on_demand(ctx)
    ranges = _ranges(_original_shards(ctx, demand))
    target = _original_shards(ctx, demand)[cap.shard_index(LATEST_KEY, ranges)]["ShardId"]
    latest = kinesis.get_shard_iterator(StreamName=demand, ShardId=target, ShardIteratorType="LATEST")["ShardIterator"]
    nonce = f"{time.time():.6f}"
    kinesis.put_record(StreamName=demand, PartitionKey=LATEST_KEY, Data=json.dumps({"nonce": nonce}).encode())
    after = []
    for _ in range(10):  # on AWS a record is readable within about a second of the put
        page = kinesis.get_records(ShardIterator=latest, Limit=100)
        after += [json.loads(r["Data"]).get("nonce") for r in page["Records"]]
        latest = page["NextShardIterator"]
        if after:
            break
        time.sleep(1 if ctx.on_aws else 0)
    seen["LATEST_new"] = after
    seen["nonce"] = nonce
    labkit.record(ctx, "iterators", seen)


def check_iterators(ctx):
    seen = labkit.observed(ctx, "iterators")
    if not seen:
        yield expect("the marker records were read back with every iterator type", False, "not read yet")
        return
    all_markers = list(range(MARKERS))
    yield equal("TRIM_HORIZON reads the shard from its oldest record (all 5 markers)", seen["TRIM_HORIZON"], all_markers)
    yield equal("LATEST skips every record already in the shard", seen["LATEST_existing"], [])
    yield equal("LATEST taken before a put sees exactly that record", seen["LATEST_new"], [seen["nonce"]])
    yield equal("AT_SEQUENCE_NUMBER starts at that record", seen["AT_SEQUENCE_NUMBER"], [2, 3, 4])
    yield equal("AFTER_SEQUENCE_NUMBER starts just after it", seen["AFTER_SEQUENCE_NUMBER"], [3, 4])
    yield equal("AT_TIMESTAMP (the first marker's arrival time) starts at the first record that arrived then or later",
                seen["AT_TIMESTAMP"], all_markers)


# -- 5 -------------------------------------------------------------------------------------------
CRASH_AFTER = 130
CHECKPOINT_EVERY = 25


def apply_lease_table(ctx):
    dynamodb = ctx.client("dynamodb")
    ctx.track("dynamodb:table", _table(ctx))
    dynamodb.create_table(TableName=_table(ctx), Tags=ctx.tag_list(), **LEASE_TABLE_SCHEMA)
    dynamodb.get_waiter("table_exists").wait(TableName=_table(ctx),
                                             WaiterConfig={"Delay": 2 if ctx.on_aws else 0.05, "MaxAttempts": 60})


def _table_exists(ctx):
    return _table(ctx) in ctx.client("dynamodb").list_tables(Limit=100).get("TableNames", [])


def check_lease_table(ctx):
    if not _table_exists(ctx):
        yield expect("the lease table exists", False, _table(ctx))
        return
    table = ctx.client("dynamodb").describe_table(TableName=_table(ctx))["Table"]
    attributes = {a["AttributeName"]: a["AttributeType"] for a in table.get("AttributeDefinitions", [])}
    yield equal("its key is the string leaseKey (one item per shard)",
                [(k["AttributeName"], k["KeyType"], attributes.get(k["AttributeName"])) for k in table["KeySchema"]],
                [("leaseKey", "HASH", "S")])
    billing = table.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED")
    yield equal("it bills per request (on-demand)", billing, "PAY_PER_REQUEST")


def apply_kcl_consumer(ctx):
    """Run the KCL-style consumer on the learner's stream and lease table: worker A dies after 130
    records, worker B takes over the leases. Every run starts from an empty lease table."""
    dynamodb = ctx.client("dynamodb")
    for item in dynamodb.scan(TableName=_table(ctx), ConsistentRead=True)["Items"]:
        dynamodb.delete_item(TableName=_table(ctx), Key={"leaseKey": item["leaseKey"]})
    kinesis = ctx.client("kinesis")
    first = CheckpointingConsumer(kinesis, dynamodb, _stream(ctx), _table(ctx), "worker-a", CHECKPOINT_EVERY)
    crashed = first.run(lambda record: None, stop_after=CRASH_AFTER)
    second = CheckpointingConsumer(kinesis, dynamodb, _stream(ctx), _table(ctx), "worker-b", CHECKPOINT_EVERY)
    resumed = second.run(lambda record: None)
    labkit.record(ctx, "kcl_consumer", {
        "first": [(r["shard"], r["SequenceNumber"]) for r in crashed.processed],
        "second": [(r["shard"], r["SequenceNumber"]) for r in resumed.processed],
        "stopped_early": crashed.stopped_early,
    })


def check_kcl_consumer(ctx):
    if not _table_exists(ctx):
        yield expect("the lease table exists", False, _table(ctx))
        return
    consumer = CheckpointingConsumer(ctx.client("kinesis"), ctx.client("dynamodb"), _stream(ctx), _table(ctx), "reader")
    leases = consumer.leases()
    shards = [s["ShardId"] for s in _all_shards(ctx, _stream(ctx))]
    holding = {sid: len(_read_shard(ctx, _stream(ctx), sid)) for sid in shards}
    yield expect("the lease table holds one lease per shard; every shard with records has a checkpoint",
                 sorted(leases) == sorted(shards)
                 and all(leases[sid]["checkpoint"] != "TRIM_HORIZON" for sid in shards if holding[sid] and sid in leases),
                 json.dumps({k: v["checkpoint"] for k, v in leases.items()}))
    unfinished = {k: v["owner"] for k, v in leases.items() if v["checkpoint"] != "SHARD_END"}
    yield expect("the leases still being worked on belong to the restarted worker B",
                 unfinished and all(owner == "worker-b" for owner in unfinished.values()), str(unfinished))
    kcl = labkit.observed(ctx, "kcl_consumer")
    if kcl is None:
        yield labkit.not_run("worker A died after 130 records; worker B resumed and together they saw every record", "local")
        return
    first, second = [tuple(x) for x in kcl["first"]], [tuple(x) for x in kcl["second"]]
    yield equal("worker A died after 130 records; worker B resumed and together they saw every record",
                len(set(first) | set(second)), sum(holding.values()), "local")
    replayed = len(set(first) & set(second))
    yield expect("records processed after the last checkpoint were delivered again (at-least-once)",
                 kcl["stopped_early"] and 0 < replayed < CHECKPOINT_EVERY * len(shards),
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
    # A new record for the hot key: AWS writes it to a child (moto 5.2.5 still routes puts to the
    # closed parent after a split, measured).
    kinesis.put_record(StreamName=_stream(ctx), PartitionKey=HOT_KEY, Data=b'{"after": "split"}')


def check_reshard(ctx):
    if not _exists(ctx, _stream(ctx)):
        yield expect("the provisioned stream exists", False, _stream(ctx))
        return
    shards = _all_shards(ctx, _stream(ctx))
    by_id = {s["ShardId"]: s for s in shards}
    originals = _original_shards(ctx, _stream(ctx))
    if len(originals) != SHARDS:
        yield equal("the stream was created with 4 shards", len(originals), SHARDS)
        return
    parent_id = originals[cap.shard_index(HOT_KEY, _ranges(originals))]["ShardId"]
    children = [s for s in shards if s.get("ParentShardId") == parent_id and not s.get("AdjacentParentShardId")]
    merged = [s for s in shards if s.get("AdjacentParentShardId")]
    yield equal("the hot shard was split into two children", len(children), 2)
    yield equal("two adjacent cold shards were merged into one", len(merged), 1)
    closed = "EndingSequenceNumber" in by_id[parent_id]["SequenceNumberRange"]
    yield expect("the split parent is closed (it has an ending sequence number)", closed, parent_id)
    old = [r for r in _read_shard(ctx, _stream(ctx), parent_id)
           if r["PartitionKey"] == HOT_KEY and not _after_split(r)] if closed else []
    yield expect("the closed parent still serves its records until retention expires",
                 closed and len(old) == HOT_RECORDS, f"closed={closed}, {len(old)} hot-key records readable")
    start, end = _ranges([by_id[parent_id]])[0]
    kids = sorted(_ranges(children))  # AWS's example splits at (start+end)//2, others one above: both even
    yield expect("the children cover exactly the parent's hash range, split in the middle",
                 len(kids) == 2 and kids[0][0] == start and kids[1][1] == end and kids[1][0] == kids[0][1] + 1
                 and kids[1][0] in judge.kinesis_split_points(start, end), f"children {kids}; parent ({start}, {end})")
    if ctx.on_aws:
        landed = [c["ShardId"] for c in children
                  if any(r["PartitionKey"] == HOT_KEY and _after_split(r) for r in _read_shard(ctx, _stream(ctx), c["ShardId"]))]
        yield expect("a new record for the hot key (put after the split) lands in a child shard",
                     landed, ", ".join(landed) or "no hot-key record in either child")
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


MUTATIONS = {
    "put_records": [("key-to-shard.json not written", _placement_not_written)],
    "capacity_plan": [("the plan computed for a 2-shard stream (the stream has 4)", _plan_for_two_shards)],
}
