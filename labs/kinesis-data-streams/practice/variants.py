"""kinesis-data-streams: other valid ways (must pass) and near misses (must fail saying what to fix)."""
import json

from awslabs.practice import accept, reject, tweak


def _steps():
    from awslabs.catalog import Catalog

    return Catalog().get("kinesis-data-streams").load_steps()


def _split_at(shift):
    """Split where the reference does, moved by ``shift(start, end, key)``."""
    def build(ctx):
        kinesis = ctx.client("kinesis")
        ranges = {s["ShardId"]: (int(s["HashKeyRange"]["StartingHashKey"]), int(s["HashKeyRange"]["EndingHashKey"]))
                  for s in kinesis.list_shards(StreamName=ctx.name("clicks", max_len=128))["Shards"]}

        def change(params):
            if "NewStartingHashKey" in params:
                start, end = ranges[params["ShardToSplit"]]
                params["NewStartingHashKey"] = str(shift(start, end))
        tweak(ctx, "kinesis", "SplitShard", change, _steps().apply_reshard)
    return build


def _retention(hours):
    def change(params):
        params["RetentionPeriodHours"] = hours
    return lambda ctx: tweak(ctx, "kinesis", "IncreaseStreamRetentionPeriod", change, _steps().apply_retention)


def _retention_down_from_72(ctx):
    """Raised to 72 h first, then decreased to 48 h: the stream keeps records 48 hours."""
    _retention(72)(ctx)
    ctx.client("kinesis").decrease_stream_retention_period(StreamName=ctx.name("clicks", max_len=128),
                                                           RetentionPeriodHours=48)


def _create(change):
    return lambda ctx: tweak(ctx, "kinesis", "CreateStream", change, _steps().apply_create_streams)


def _provisioned_implicit(params):
    """The CLI's `create-stream --shard-count 4` alone: PROVISIONED is the default mode."""
    if params.get("ShardCount"):
        params.pop("StreamModeDetails", None)


def _two_shards(params):
    if params.get("ShardCount"):
        params["ShardCount"] = 2


def _both_provisioned(params):
    """The second stream also given a shard count: a provisioned stream, not an on-demand one."""
    params["ShardCount"] = 4
    params["StreamModeDetails"] = {"StreamMode": "PROVISIONED"}


def _untagged(ctx):
    """Both streams created without tags (the awslabs:run tag forgotten)."""
    kinesis = ctx.client("kinesis")
    kinesis.create_stream(StreamName=ctx.name("clicks", max_len=128), ShardCount=4)
    kinesis.create_stream(StreamName=ctx.name("ondemand", max_len=128), StreamModeDetails={"StreamMode": "ON_DEMAND"})


def _put_one_by_one(ctx):
    """Every record with its own PutRecord call (slower, but the same records in the same shards)."""
    kinesis = ctx.client("kinesis")
    for key, data in _steps()._payloads():
        kinesis.put_record(StreamName=ctx.name("clicks", max_len=128), PartitionKey=key, Data=data)


def _put_batches_of_500(ctx):
    """One PutRecords call of 300 entries (the API takes up to 500)."""
    records = [{"PartitionKey": k, "Data": d} for k, d in _steps()._payloads()]
    ctx.client("kinesis").put_records(StreamName=ctx.name("clicks", max_len=128), Records=records)


def _put_twice(ctx):
    """The whole batch resent after a partial failure instead of only the failed entries: duplicates."""
    _put_batches_of_500(ctx)
    _put_batches_of_500(ctx)


def _hot_key_short(ctx):
    """Only 100 records for sensor-hot."""
    records = [{"PartitionKey": k, "Data": d} for k, d in _steps()._payloads()][:200]
    ctx.client("kinesis").put_records(StreamName=ctx.name("clicks", max_len=128), Records=records)


def _explicit_hash_key(ctx):
    """Every record sent with ExplicitHashKey 0 (copied from an example): they all land in shard 0,
    not where MD5(partition key) would put them."""
    records = [{"PartitionKey": k, "Data": d, "ExplicitHashKey": "0"} for k, d in _steps()._payloads()]
    ctx.client("kinesis").put_records(StreamName=ctx.name("clicks", max_len=128), Records=records)


def _markers_in_one_batch(ctx):
    """The five markers in one PutRecords call: same key, so same shard and put order kept."""
    ctx.client("kinesis").put_records(StreamName=ctx.name("clicks", max_len=128), Records=[
        {"PartitionKey": "iterator-demo", "Data": json.dumps({"marker": n}).encode()} for n in range(5)])


def _markers_ordered(ctx):
    """put-record with --sequence-number-for-ordering (strict ordering for the key)."""
    kinesis = ctx.client("kinesis")
    previous = None
    for n in range(5):
        extra = {"SequenceNumberForOrdering": previous} if previous else {}
        previous = kinesis.put_record(StreamName=ctx.name("clicks", max_len=128), PartitionKey="iterator-demo",
                                      Data=json.dumps({"marker": n}).encode(), **extra)["SequenceNumber"]


def _markers_own_keys(ctx):
    """Each marker with its own key (marker-0 …): they spread over shards, not one ordered sequence."""
    kinesis = ctx.client("kinesis")
    for n in range(5):
        kinesis.put_record(StreamName=ctx.name("clicks", max_len=128), PartitionKey=f"marker-{n}",
                           Data=json.dumps({"marker": n}).encode())


def _markers_as_text(ctx):
    """The data as text "marker 0" … instead of the JSON {"marker": 0}."""
    kinesis = ctx.client("kinesis")
    for n in range(5):
        kinesis.put_record(StreamName=ctx.name("clicks", max_len=128), PartitionKey="iterator-demo",
                           Data=f"marker {n}".encode())


def _table(change):
    return lambda ctx: tweak(ctx, "dynamodb", "CreateTable", change, _steps().apply_lease_table)


def _on_demand_later(ctx):
    """Created with provisioned capacity, then switched to PAY_PER_REQUEST with UpdateTable."""
    def change(params):
        params["BillingMode"] = "PROVISIONED"
        params["ProvisionedThroughput"] = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
    _table(change)(ctx)
    ctx.client("dynamodb").update_table(TableName=ctx.name("kcl-leases", max_len=255), BillingMode="PAY_PER_REQUEST")


def _provisioned_table(params):
    params["BillingMode"] = "PROVISIONED"
    params["ProvisionedThroughput"] = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}


def _numeric_key(params):
    params["AttributeDefinitions"] = [{"AttributeName": "leaseKey", "AttributeType": "N"}]


def _shard_key(params):
    """Keyed by shardId (the natural guess) instead of the KCL's leaseKey."""
    params["AttributeDefinitions"] = [{"AttributeName": "shardId", "AttributeType": "S"}]
    params["KeySchema"] = [{"AttributeName": "shardId", "KeyType": "HASH"}]


def _split_only(ctx):
    """The hot shard split, but no merge of two cold shards."""
    steps = _steps()
    kinesis = ctx.client("kinesis")
    name = ctx.name("clicks", max_len=128)
    shards = steps._open_shards(ctx, name)
    ranges = steps._ranges(shards)
    i = steps.cap.shard_index(steps.HOT_KEY, ranges)
    start, end = ranges[i]
    kinesis.split_shard(StreamName=name, ShardToSplit=shards[i]["ShardId"], NewStartingHashKey=str((start + end) // 2))


def _update_shard_count(ctx):
    """UpdateShardCount 4 → 8 (uniform scaling) instead of splitting the hot shard: every shard is split."""
    ctx.client("kinesis").update_shard_count(StreamName=ctx.name("clicks", max_len=128), TargetShardCount=8,
                                             ScalingType="UNIFORM_SCALING")


VARIANTS = [
    accept("create_streams", "the provisioned stream with --shard-count alone (PROVISIONED is the default mode)",
           _create(_provisioned_implicit)),
    reject("create_streams", "2 shards instead of 4", _create(_two_shards), fix="4 shards"),
    reject("create_streams", "the second stream given a shard count: provisioned, not on-demand",
           _create(_both_provisioned), fix="on-demand"),
    reject("create_streams", "the streams created without the awslabs:run tag",
           _untagged, fix="awslabs:run"),
    accept("put_records", "one PutRecord call per record", _put_one_by_one),
    accept("put_records", "one PutRecords call with all 300 entries (the API takes up to 500)", _put_batches_of_500),
    reject("put_records", "the whole batch sent twice (a retry of everything, not of the failed entries): duplicates",
           _put_twice, fix="reached the stream once"),
    reject("put_records", "only 100 records for sensor-hot", _hot_key_short, fix="200 for sensor-hot"),
    reject("put_records", "ExplicitHashKey 0 on every entry: all in one shard, not where MD5 puts them",
           _explicit_hash_key, fix="MD5(partition key)"),
    accept("markers", "the five markers in one PutRecords call (one key: one shard, put order kept)", _markers_in_one_batch),
    accept("markers", "put-record with --sequence-number-for-ordering", _markers_ordered),
    reject("markers", "each marker with its own partition key", _markers_own_keys, fix="key iterator-demo"),
    reject("markers", "the data as text 'marker 0' instead of JSON {\"marker\": 0}", _markers_as_text,
           fix='{"marker": 0}'),
    accept("lease_table", "created with provisioned capacity, then switched to on-demand with UpdateTable",
           _on_demand_later),
    reject("lease_table", "left at provisioned capacity", _table(_provisioned_table), fix="on-demand"),
    reject("lease_table", "leaseKey declared as a number", _table(_numeric_key), fix="string leaseKey"),
    reject("lease_table", "keyed by shardId instead of leaseKey", _table(_shard_key), fix="string leaseKey"),
    accept("reshard", "split at AWS's documented midpoint (start + end) / 2", _split_at(lambda s, e: (s + e) // 2)),
    accept("reshard", "split one key above the midpoint (the lower child keeps it)", _split_at(lambda s, e: (s + e) // 2 + 1)),
    reject("reshard", "split at a quarter of the range: the children are uneven", _split_at(lambda s, e: s + (e - s) // 4),
           fix="split in the middle"),
    reject("reshard", "the hot shard split but no cold shards merged", _split_only, fix="merged"),
    reject("reshard", "UpdateShardCount to 8 instead of splitting the hot shard and merging two cold ones",
           _update_shard_count, fix="merged"),
    accept("retention", "raised to 72 hours, then decreased to 48", _retention_down_from_72),
    reject("retention", "retention raised to 72 hours instead of 48", _retention(72), fix="48 hours"),
]
