"""kinesis-data-analytics: near-real-time SQL over a Kinesis stream.

Records go through real Kinesis streams (moto / server / AWS); the continuous queries run in
DuckDB micro-batches (``awslabs.local.stream_sql``, labelled ``local``) and their results are
written to S3 and to a second stream. The Managed Service for Apache Flink (KDA v2) application
is defined through the real API; running it needs AWS."""
from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path

from awslabs import judge, labkit
from awslabs.lab import equal, expect
from awslabs.local.stream_sql import MicroBatchQuery

HERE = Path(__file__).parent
EXERCISE = HERE / "exercise"  # the learner's starter files: readings.jsonl and flink_app/main.py
SENSORS = ["pump-1", "pump-2", "pump-3"]
MINUTES = 10
EVERY_S = 5  # one reading per sensor every 5 s → 12 per minute
SPIKE = ("pump-2", 7 * 60 + 20)  # sensor, second of the run: one absurd value
BASE = dt.datetime(2026, 1, 5, 8, 0, 0, tzinfo=dt.timezone.utc)  # event time of the first reading
POLL_LIMIT = 45  # records per GetRecords call: one micro-batch = one poll of every shard
RUNTIME = "FLINK-1_18"


def _input(ctx):
    return ctx.name("readings", max_len=128)


def _output(ctx):
    return ctx.name("anomalies", max_len=128)


def _bucket(ctx):
    return ctx.name("results")


def _app(ctx):
    return ctx.name("flink-app", max_len=128)


def _role(ctx):
    return ctx.name("flink-role", max_len=64)


def _readings():
    """exercise/readings.jsonl: one reading per sensor every 5 s for ten minutes of event time, a
    gentle deterministic wobble around a per-sensor level, and one absurd value (the spike)."""
    return [json.loads(line) for line in (EXERCISE / "readings.jsonl").read_text().splitlines() if line]


def _streams(ctx):
    return ctx.client("kinesis").list_streams(Limit=1000).get("StreamNames", [])


def _wait_active(ctx, name):
    ctx.client("kinesis").get_waiter("stream_exists").wait(
        StreamName=name, WaiterConfig={"Delay": 5 if ctx.on_aws else 0.05, "MaxAttempts": 60})


def _read_all(ctx, name):
    kinesis = ctx.client("kinesis")
    out = []
    for shard in kinesis.list_shards(StreamName=name)["Shards"]:
        it = kinesis.get_shard_iterator(StreamName=name, ShardId=shard["ShardId"],
                                        ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        while it:
            page = kinesis.get_records(ShardIterator=it, Limit=1000)
            out += page["Records"]
            if not page["Records"] and page.get("MillisBehindLatest", 0) == 0:
                break
            it = page.get("NextShardIterator")
    return out


# -- 1 -------------------------------------------------------------------------------------------
def apply_streams_and_bucket(ctx):
    kinesis = ctx.client("kinesis")
    for name, shards in ((_input(ctx), 2), (_output(ctx), 1)):
        ctx.track("kinesis:stream", name)
        kinesis.create_stream(StreamName=name, ShardCount=shards)
    for name in (_input(ctx), _output(ctx)):
        _wait_active(ctx, name)
        kinesis.add_tags_to_stream(StreamName=name, Tags=ctx.tags)
    ctx.create_bucket(_bucket(ctx))


def check_streams_and_bucket(ctx):
    names = _streams(ctx)
    yield expect("the input and output streams exist", _input(ctx) in names and _output(ctx) in names,
                 f"{_input(ctx)}, {_output(ctx)}")
    kinesis = ctx.client("kinesis")
    # Open shards (a stream created with 1 shard and resharded to 2 is the same stream now).
    shards = tuple(kinesis.describe_stream_summary(StreamName=n)["StreamDescriptionSummary"]["OpenShardCount"]
                   if n in names else None for n in (_input(ctx), _output(ctx)))
    yield equal("the input stream has 2 shards, the output stream 1", shards, (2, 1))
    buckets = [b["Name"] for b in ctx.client("s3").list_buckets()["Buckets"]]
    yield expect("the results bucket exists", _bucket(ctx) in buckets, _bucket(ctx))


# -- 2 -------------------------------------------------------------------------------------------
def apply_produce_readings(ctx):
    kinesis = ctx.client("kinesis")
    rows = _readings()
    for start in range(0, len(rows), 500):  # PutRecords: at most 500 records per call
        kinesis.put_records(StreamName=_input(ctx), Records=[
            {"PartitionKey": r["sensor"], "Data": json.dumps(r).encode()} for r in rows[start : start + 500]])


def check_produce_readings(ctx):
    records = _read_all(ctx, _input(ctx)) if _input(ctx) in _streams(ctx) else []
    yield equal("ten minutes of readings from 3 sensors are in the stream (360 records)", len(records),
                len(_readings()))
    keyed = []
    for record in records:
        try:
            keyed.append(record["PartitionKey"] == json.loads(record["Data"])["sensor"])
        except (ValueError, KeyError, TypeError):
            keyed.append(False)
    yield expect("each reading's partition key is its sensor id (per-sensor order within a shard)",
                 keyed and all(keyed), f"{sum(keyed)}/{len(keyed)} records keyed by sensor")


# -- 3 -------------------------------------------------------------------------------------------
def _micro_batches(ctx):
    """Poll every shard POLL_LIMIT records at a time; each round of polls is one micro-batch.
    The watermark is the oldest of the shards' newest event times (a shard may lag)."""
    kinesis = ctx.client("kinesis")
    iterators = {
        s["ShardId"]: kinesis.get_shard_iterator(StreamName=_input(ctx), ShardId=s["ShardId"],
                                                 ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        for s in kinesis.list_shards(StreamName=_input(ctx))["Shards"]
    }
    newest: dict[str, dt.datetime] = {}
    while iterators:
        batch = []
        for shard, it in list(iterators.items()):
            page = kinesis.get_records(ShardIterator=it, Limit=POLL_LIMIT)
            for record in page["Records"]:
                row = json.loads(record["Data"])
                row["ts"] = dt.datetime.fromisoformat(row["ts"])
                batch.append({"key": row["sensor"], "ts": row["ts"], "value": row["value"]})
                newest[shard] = max(newest.get(shard, row["ts"]), row["ts"])
            caught_up = not page["Records"] and page.get("MillisBehindLatest", 0) == 0
            if caught_up or not page.get("NextShardIterator"):
                iterators.pop(shard)  # caught up: the stream holds no more for now
            else:
                iterators[shard] = page["NextShardIterator"]
        if batch:
            yield batch, min(newest.values())
    yield [], max(newest.values()) + dt.timedelta(minutes=1) if newest else None  # end of input


def apply_windowed_sql(ctx):
    query = MicroBatchQuery(window_seconds=60, z=3.0, min_points=5)
    emitted = []
    for batch, watermark in _micro_batches(ctx):
        for window in query.add_batch(batch, watermark):
            emitted.append({**window, "batch": query.batches})
    anomalies = query.anomalies()
    lines = "\n".join(json.dumps(w, default=str) for w in emitted) + "\n"
    ctx.client("s3").put_object(Bucket=_bucket(ctx), Key="windows/tumbling-60s.jsonl", Body=lines.encode())
    sliding = query.sliding()
    ctx.client("s3").put_object(Bucket=_bucket(ctx), Key="windows/sliding-60s.jsonl",
                                Body=("\n".join(json.dumps(r, default=str) for r in sliding) + "\n").encode())
    # Idempotent: an anomaly already in the output stream (an earlier check) is not sent again.
    sent = {(a.get("key"), a.get("ts")) for a in (json.loads(r["Data"]) for r in _read_all(ctx, _output(ctx)))}
    fresh = [a for a in anomalies if (a["key"], str(a["ts"])) not in sent]
    if fresh:
        ctx.client("kinesis").put_records(StreamName=_output(ctx), Records=[
            {"PartitionKey": a["key"], "Data": json.dumps(a, default=str).encode()} for a in fresh])


def _jsonl(ctx, key):
    s3 = ctx.client("s3")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=_bucket(ctx), Prefix="windows/").get("Contents", [])]
    if key not in keys:
        return []
    return [json.loads(line) for line in s3.get_object(Bucket=_bucket(ctx), Key=key)["Body"].read().decode().splitlines() if line]


def check_windowed_sql(ctx):
    windows = _jsonl(ctx, "windows/tumbling-60s.jsonl")
    yield equal("30 one-minute tumbling windows were emitted (3 sensors x 10 minutes), each once",
                (len(windows), len({(w["key"], w["window_start"]) for w in windows})), (30, 30), "local")
    yield expect("every tumbling window counted 12 readings (one per 5 s)",
                 windows and all(w["events"] == 12 for w in windows), str({w["events"] for w in windows}), "local")
    batches = {w["batch"] for w in windows}
    yield expect("windows were emitted as micro-batches arrived, not all at the end",
                 len(batches) > 2, f"emitted in micro-batches {sorted(batches)}", "local")
    sliding = _jsonl(ctx, "windows/sliding-60s.jsonl")
    full = [r for r in sliding if r["sliding_count"] == 13]  # 60 s RANGE incl. both ends: 13 readings
    yield expect("each reading has a sliding 60-second average over the readings before it",
                 len(sliding) == len(_readings()) and full, f"{len(sliding)} rows, {len(full)} with a full window", "local")
    out = [json.loads(r["Data"]) for r in _read_all(ctx, _output(ctx))] if _output(ctx) in _streams(ctx) else []
    spike_ts = (BASE + dt.timedelta(seconds=SPIKE[1])).replace(tzinfo=None).isoformat(sep=" ")
    yield equal("the anomaly flag caught exactly the pump-2 spike and sent it to the output stream",
                [(a["key"], a["ts"]) for a in out], [(SPIKE[0], spike_ts)])


# -- 4 -------------------------------------------------------------------------------------------
def _code_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(EXERCISE / "flink_app" / "main.py", "main.py")
    return buf.getvalue()


def apply_flink_application(ctx):
    s3 = ctx.client("s3")
    s3.put_object(Bucket=_bucket(ctx), Key="code/flink-app.zip", Body=_code_zip())
    role = labkit.create_service_role(ctx, _role(ctx), "kinesisanalytics.amazonaws.com", {"streams": [
        {"Effect": "Allow", "Action": ["kinesis:*"], "Resource": [
            f"arn:aws:kinesis:{ctx.region}:{ctx.account}:stream/{_input(ctx)}",
            f"arn:aws:kinesis:{ctx.region}:{ctx.account}:stream/{_output(ctx)}"]},
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:GetObjectVersion"],
         "Resource": f"arn:aws:s3:::{_bucket(ctx)}/code/*"}]})
    ctx.track("kinesisanalyticsv2:application", _app(ctx))
    ctx.client("kinesisanalyticsv2").create_application(
        ApplicationName=_app(ctx),
        ApplicationDescription="Tumbling one-minute windows per sensor (Flink SQL)",
        RuntimeEnvironment=RUNTIME,
        ServiceExecutionRole=role,
        ApplicationConfiguration={
            "ApplicationCodeConfiguration": {
                "CodeContent": {"S3ContentLocation": {"BucketARN": f"arn:aws:s3:::{_bucket(ctx)}",
                                                      "FileKey": "code/flink-app.zip"}},
                "CodeContentType": "ZIPFILE",
            },
            "EnvironmentProperties": {"PropertyGroups": [
                {"PropertyGroupId": "kinesis.analytics.flink.run.options", "PropertyMap": {"python": "main.py"}},
                {"PropertyGroupId": "consumer.config.0",
                 "PropertyMap": {"input.stream.name": _input(ctx), "aws.region": ctx.region}},
                {"PropertyGroupId": "producer.config.0",
                 "PropertyMap": {"output.stream.name": _output(ctx), "aws.region": ctx.region}},
            ]},
            "FlinkApplicationConfiguration": {
                "ParallelismConfiguration": {"ConfigurationType": "CUSTOM", "Parallelism": 1,
                                             "ParallelismPerKPU": 1, "AutoScalingEnabled": False}},
        },
        Tags=ctx.tag_list(),
    )


def _app_detail(ctx):
    kda = ctx.client("kinesisanalyticsv2")
    names = [a["ApplicationName"] for a in kda.list_applications().get("ApplicationSummaries", [])]
    if _app(ctx) not in names:  # never describe an unknown name: moto raises a raw KeyError
        return None
    return kda.describe_application(ApplicationName=_app(ctx))["ApplicationDetail"]


def _zip_names(ctx) -> list[str]:
    s3 = ctx.client("s3")
    if _bucket(ctx) not in [b["Name"] for b in s3.list_buckets()["Buckets"]]:
        return []
    found = s3.list_objects_v2(Bucket=_bucket(ctx), Prefix="code/flink-app.zip").get("Contents", [])
    if not any(o["Key"] == "code/flink-app.zip" for o in found):
        return []
    body = s3.get_object(Bucket=_bucket(ctx), Key="code/flink-app.zip")["Body"].read()
    try:
        return zipfile.ZipFile(io.BytesIO(body)).namelist()
    except zipfile.BadZipFile:
        return ["(not a zip file)"]


def _trust_decision(ctx):
    """May Managed Flink assume the execution role? (Its trust policy evaluated; None: no such role.)"""
    roles = {r["RoleName"]: r for r in ctx.client("iam").list_roles()["Roles"]}
    if _role(ctx) not in roles:
        return None
    return judge.service_may_assume(roles[_role(ctx)].get("AssumeRolePolicyDocument"), "kinesisanalytics.amazonaws.com")


def check_flink_application(ctx):
    detail = _app_detail(ctx)
    if detail is None:
        yield expect("the Flink application exists", False, _app(ctx))
        return
    yield equal("the application runs Apache Flink 1.18", detail["RuntimeEnvironment"], RUNTIME)
    config = detail.get("ApplicationConfigurationDescription", {})
    groups = {g["PropertyGroupId"]: g["PropertyMap"]
              for g in config.get("EnvironmentPropertyDescriptions", {}).get("PropertyGroupDescriptions", [])}
    yield equal("its input and output are the lab's streams (runtime properties)",
                (groups.get("consumer.config.0", {}).get("input.stream.name"),
                 groups.get("producer.config.0", {}).get("output.stream.name")), (_input(ctx), _output(ctx)))
    code = config.get("ApplicationCodeConfigurationDescription", {})
    location = code.get("CodeContentDescription", {}).get("S3ApplicationCodeLocationDescription", {})
    yield equal("its code location is code/flink-app.zip in the results bucket",
                (location.get("BucketARN"), location.get("FileKey")), (f"arn:aws:s3:::{_bucket(ctx)}", "code/flink-app.zip"))
    yield expect("that zip is in the bucket with main.py at its root", "main.py" in _zip_names(ctx),
                 ", ".join(_zip_names(ctx)) or "no such object")
    role = detail.get("ServiceExecutionRole", "")
    trust = _trust_decision(ctx)
    yield expect(f"the service execution role is {_role(ctx)}, which Managed Flink may assume",
                 role.endswith(f"role/{_role(ctx)}") and bool(trust),
                 f"{role}; " + ("no such role" if trust is None else str(trust)))
    yield ctx.aws_only(
        "start_application runs it (READY → STARTING → RUNNING) and it writes the same windows",
        "moto stores the application (status STARTING forever) but cannot start, stop or delete it; "
        "cleanup logs the undeletable application as an emulator limit",
    )
