"""kinesis-data-streams: other valid ways (must pass) and near misses (must fail saying what to fix)."""
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


VARIANTS = [
    accept("reshard", "split at AWS's documented midpoint (start + end) / 2", _split_at(lambda s, e: (s + e) // 2)),
    accept("reshard", "split one key above the midpoint (the lower child keeps it)", _split_at(lambda s, e: (s + e) // 2 + 1)),
    reject("reshard", "split at a quarter of the range: the children are uneven", _split_at(lambda s, e: s + (e - s) // 4),
           fix="split in the middle"),
    reject("retention", "retention raised to 72 hours instead of 48", _retention(72), fix="48 hours"),
]
