"""kinesis-data-analytics: other valid ways (must pass) and near misses (must fail saying what to fix)."""
import io
import json
import zipfile

from awslabs.practice import accept, reject, tweak


def _steps():
    from awslabs.catalog import Catalog

    return Catalog().get("kinesis-data-analytics").load_steps()


def _create_stream(change):
    return lambda ctx: tweak(ctx, "kinesis", "CreateStream", change, _steps().apply_streams_and_bucket)


def _input_only(change):
    def edit(params):
        if params["StreamName"].endswith("-readings"):
            change(params)
    return _create_stream(edit)


def _resharded_later(ctx):
    """The input stream created with 1 shard, then UpdateShardCount to 2 (uniform scaling)."""
    _input_only(lambda p: p.update(ShardCount=1))(ctx)
    ctx.client("kinesis").update_shard_count(StreamName=ctx.name("readings", max_len=128), TargetShardCount=2,
                                             ScalingType="UNIFORM_SCALING")


def _no_bucket(ctx):
    """The two streams, but the bucket forgotten."""
    kinesis = ctx.client("kinesis")
    kinesis.create_stream(StreamName=ctx.name("readings", max_len=128), ShardCount=2)
    kinesis.create_stream(StreamName=ctx.name("anomalies", max_len=128), ShardCount=1)


def _put(key_of, rows=None, batch=500, one_by_one=False):
    def build(ctx):
        kinesis = ctx.client("kinesis")
        stream = ctx.name("readings", max_len=128)
        data = rows() if rows else _steps()._readings()
        if one_by_one:
            for r in data:
                kinesis.put_record(StreamName=stream, PartitionKey=key_of(r), Data=json.dumps(r).encode())
            return
        for start in range(0, len(data), batch):
            kinesis.put_records(StreamName=stream, Records=[
                {"PartitionKey": key_of(r), "Data": json.dumps(r, sort_keys=True, separators=(",", ":")).encode()}
                for r in data[start:start + batch]])
    return build


def _app(change, operation="CreateApplication", service="kinesisanalyticsv2"):
    return lambda ctx: tweak(ctx, service, operation, change, _steps().apply_flink_application)


def _trust(change):
    def edit(params):
        document = json.loads(params["AssumeRolePolicyDocument"])
        change(document["Statement"][0])
        params["AssumeRolePolicyDocument"] = json.dumps(document)
    return _app(edit, "CreateRole", "iam")


def _zip(names):
    def edit(params):
        if params.get("Key") == "code/flink-app.zip":
            main = zipfile.ZipFile(io.BytesIO(params["Body"])).read("main.py")
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w") as archive:
                for name in names:
                    archive.writestr(name, main if name.endswith("main.py") else b"")
            params["Body"] = buf.getvalue()
    return _app(edit, "PutObject", "s3")


def _property_key(params):
    """input.stream.name written as stream.name (the key main.py does not read)."""
    for group in params["ApplicationConfiguration"]["EnvironmentProperties"]["PropertyGroups"]:
        if group["PropertyGroupId"] == "consumer.config.0":
            group["PropertyMap"] = {"stream.name": group["PropertyMap"]["input.stream.name"], "aws.region": "us-east-1"}


def _properties_reordered(params):
    """The property groups in another order (a list of groups, order does not matter)."""
    params["ApplicationConfiguration"]["EnvironmentProperties"]["PropertyGroups"].reverse()


VARIANTS = [
    accept("streams_and_bucket", "the PROVISIONED mode stated explicitly",
           _create_stream(lambda p: p.update(StreamModeDetails={"StreamMode": "PROVISIONED"}))),
    accept("streams_and_bucket", "the input stream created with 1 shard, then UpdateShardCount to 2", _resharded_later),
    reject("streams_and_bucket", "the input stream with 1 shard", _input_only(lambda p: p.update(ShardCount=1)),
           fix="input stream has 2 shards"),
    reject("streams_and_bucket", "the input stream on-demand instead of 2 provisioned shards",
           _input_only(lambda p: (p.pop("ShardCount"), p.update(StreamModeDetails={"StreamMode": "ON_DEMAND"}))),
           fix="input stream has 2 shards"),
    reject("streams_and_bucket", "the results bucket forgotten", _no_bucket, fix="results bucket"),
    accept("produce_readings", "one PutRecord per reading", _put(lambda r: r["sensor"], one_by_one=True)),
    accept("produce_readings", "PutRecords batches of 100, compact JSON with sorted keys",
           _put(lambda r: r["sensor"], batch=100)),
    reject("produce_readings", "one constant partition key for every reading", _put(lambda r: "readings"),
           fix="partition key is its sensor id"),
    reject("produce_readings", "the timestamp as partition key (spreads a sensor over both shards)",
           _put(lambda r: r["ts"]), fix="partition key is its sensor id"),
    reject("produce_readings", "the last minute of readings missing",
           _put(lambda r: r["sensor"], rows=lambda: _steps()._readings()[:-36]), fix="360 records"),
    accept("flink_application", "trust policy with Service and Action as lists", _trust(
        lambda st: st.update(Principal={"Service": [st["Principal"]["Service"]]}, Action=[st["Action"]]))),
    accept("flink_application", "the zip with main.py at its root and a lib/ folder beside it",
           _zip(["main.py", "lib/__init__.py"])),
    accept("flink_application", "the property groups in another order", _app(_properties_reordered)),
    reject("flink_application", "runtime FLINK-1_15", _app(lambda p: p.update(RuntimeEnvironment="FLINK-1_15")),
           fix="Flink 1.18"),
    reject("flink_application", "the folder zipped: flink_app/main.py, not main.py at the root",
           _zip(["flink_app/main.py"]), fix="main.py at its root"),
    reject("flink_application", "the input stream under the key stream.name", _app(_property_key), fix="runtime properties"),
    reject("flink_application", "the role trusts kinesis.amazonaws.com (Kinesis Data Streams), not Managed Flink",
           _trust(lambda st: st.update(Principal={"Service": "kinesis.amazonaws.com"})), fix="Managed Flink may assume"),
]
