"""kinesis-firehose: a DirectPut delivery stream to S3 with buffering, a Lambda transformation,
GZIP, newline delimiting and custom/error prefixes; then a Kinesis stream as the source.

The control plane (bucket, roles, Lambda, delivery streams, puts) is real boto3 everywhere. moto
writes one raw object per put call and does nothing else, so off AWS the delivery itself is done
by ``awslabs.local.firehose`` (labelled ``local``) into the emulated bucket; on AWS the service
delivers and the same checks read its objects."""
from __future__ import annotations

import base64
import datetime as dt
import gzip
import importlib.util
import io
import json
import re
import time
import urllib.parse
import zipfile
from pathlib import Path

from awslabs import judge, labkit
from awslabs.lab import equal, expect
from awslabs.local import firehose as local_firehose

HERE = Path(__file__).parent
EXERCISE = HERE / "exercise"  # the learner's starter files: transform.py (the Lambda) and clicks.txt
EVENTS = 600
BATCH = 200  # put_record_batch takes at most 500 records / 4 MiB per call
SPACING_S = 0.25  # replayed arrival spacing: 600 events over 150 s
BUFFER_MIB, BUFFER_S = 1, 60
PREFIX = "clicks/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/"
ERROR_PREFIX = "errors/!{firehose:error-output-type}/!{timestamp:yyyy}/"
EVALUATED = re.compile(r"^clicks/year=\d{4}/month=\d{2}/day=\d{2}/")
KINESIS_PREFIX = "from-kinesis/"  # no expression: Firehose appends YYYY/MM/dd/HH/
KINESIS_EVENTS = 50


def _bucket(ctx):
    return ctx.name("landing")


def _delivery(ctx):
    return ctx.name("clicks", max_len=64)


def _kinesis_delivery(ctx):
    return ctx.name("from-stream", max_len=64)


def _source_stream(ctx):
    return ctx.name("source", max_len=128)


def _function(ctx):
    return ctx.name("transform", max_len=64)


def _firehose_role(ctx):
    return ctx.name("firehose-role", max_len=64)


def _lambda_role(ctx):
    return ctx.name("lambda-role", max_len=64)


def _transform_module():
    spec = importlib.util.spec_from_file_location("awslabs_firehose_transform", EXERCISE / "transform.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _events():
    """The 600 click events of exercise/clicks.txt, one per line: every 50th from #7 is not JSON
    (→ ProcessingFailed), every 20th from #3 comes from a bot (→ Dropped), the rest are
    transformed (→ Ok)."""
    return [line.encode() for line in (EXERCISE / "clicks.txt").read_text().splitlines()]


EXPECTED_FAILED = sum(1 for i in range(EVENTS) if i % 50 == 7)
EXPECTED_DROPPED = sum(1 for i in range(EVENTS) if i % 20 == 3 and i % 50 != 7)
EXPECTED_OK = EVENTS - EXPECTED_FAILED - EXPECTED_DROPPED


def _keys(ctx, prefix=""):
    s3 = ctx.client("s3")
    keys = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=_bucket(ctx), Prefix=prefix):
        keys += [o["Key"] for o in page.get("Contents", [])]
    return keys


def _body(ctx, key) -> bytes:
    raw = ctx.client("s3").get_object(Bucket=_bucket(ctx), Key=key)["Body"].read()
    return gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw


def _bucket_exists(ctx):
    return _bucket(ctx) in [b["Name"] for b in ctx.client("s3").list_buckets()["Buckets"]]


def _wait_for_objects(ctx, prefix, test, timeout=420):
    """On AWS, objects appear after the buffer interval; poll until ``test(keys)`` holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        keys = _keys(ctx, prefix)
        if test(keys):
            return keys
        time.sleep(15)
    return _keys(ctx, prefix)


def _wait_stream_active(ctx, name):
    firehose = ctx.client("firehose")
    for _ in range(60):
        status = firehose.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]
        if status["DeliveryStreamStatus"] == "ACTIVE":
            return
        time.sleep(10)
    raise TimeoutError(f"delivery stream {name} is not ACTIVE after 10 minutes")


# -- 1 -------------------------------------------------------------------------------------------
def apply_create_bucket(ctx):
    ctx.create_bucket(_bucket(ctx))
    arn = f"arn:aws:s3:::{_bucket(ctx)}"
    labkit.create_service_role(ctx, _firehose_role(ctx), "firehose.amazonaws.com", {"deliver": [
        {"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetBucketLocation", "s3:ListBucket",
                                       "s3:AbortMultipartUpload", "s3:GetObject"],
         "Resource": [arn, f"{arn}/*"]},
        {"Effect": "Allow", "Action": ["lambda:InvokeFunction", "lambda:GetFunctionConfiguration"],
         "Resource": f"arn:aws:lambda:{ctx.region}:{ctx.account}:function:{_function(ctx)}*"},
        {"Effect": "Allow", "Action": ["kinesis:DescribeStream", "kinesis:GetShardIterator",
                                       "kinesis:GetRecords", "kinesis:ListShards"],
         "Resource": f"arn:aws:kinesis:{ctx.region}:{ctx.account}:stream/{_source_stream(ctx)}"},
    ]}, wait=False)  # the Lambda role's wait below covers both
    # Inline, not the managed AWSLambdaBasicExecutionRole: moto does not load AWS managed policies.
    labkit.create_service_role(ctx, _lambda_role(ctx), "lambda.amazonaws.com", {"logs": [
        {"Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": "*"}]})


def _trust_policy(ctx, role_name):
    """The role's trust policy (None: no such role)."""
    roles = {r["RoleName"]: r for r in ctx.client("iam").list_roles()["Roles"]}
    if role_name not in roles:
        return None
    document = roles[role_name]["AssumeRolePolicyDocument"]
    if isinstance(document, str):  # boto3 decodes it; be tolerant of an encoded string
        document = json.loads(urllib.parse.unquote(document))
    return document


def check_create_bucket(ctx):
    yield expect("the destination bucket exists", _bucket_exists(ctx), _bucket(ctx))
    for role, service in ((_firehose_role(ctx), "firehose"), (_lambda_role(ctx), "lambda")):
        trust = _trust_policy(ctx, role)
        # Evaluated, not matched as text: "sts:*", a list of services or a condition are all valid.
        decision = judge.service_may_assume(trust, f"{service}.amazonaws.com") if trust is not None else None
        yield expect(f"{role} exists and {service}.amazonaws.com may assume it", bool(decision),
                     "no such role" if trust is None else str(decision))
    if _trust_policy(ctx, _firehose_role(ctx)) is None:
        return
    # What the Firehose role must be allowed to do (its policies evaluated, inline or attached).
    iam = ctx.client("iam")
    needs = [
        ("s3:PutObject", f"arn:aws:s3:::{_bucket(ctx)}/clicks/part-1", "write objects to the bucket"),
        ("lambda:InvokeFunction", f"arn:aws:lambda:{ctx.region}:{ctx.account}:function:{_function(ctx)}",
         "invoke the transformation Lambda"),
        ("kinesis:GetRecords", f"arn:aws:kinesis:{ctx.region}:{ctx.account}:stream/{_source_stream(ctx)}",
         "read the source stream"),
    ]
    for action, resource, what in needs:
        decision = judge.role_may(iam, _firehose_role(ctx), action, resource)
        yield expect(f"the Firehose role may {what} ({action})", bool(decision), str(decision))


# -- 2 -------------------------------------------------------------------------------------------
def _zip_transform() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(EXERCISE / "transform.py", "transform.py")
    return buf.getvalue()


def apply_transform_function(ctx):
    role = ctx.client("iam").get_role(RoleName=_lambda_role(ctx))["Role"]["Arn"]
    ctx.track("lambda:function", _function(ctx))
    ctx.client("lambda").create_function(
        FunctionName=_function(ctx), Runtime="python3.12", Role=role, Handler="transform.handler",
        Code={"ZipFile": _zip_transform()}, Timeout=60, MemorySize=128, Tags=ctx.tags,
    )
    if ctx.on_aws:
        ctx.client("lambda").get_waiter("function_active_v2").wait(FunctionName=_function(ctx))


def check_transform_function(ctx):
    names = [f["FunctionName"] for f in ctx.client("lambda").list_functions()["Functions"]]
    if _function(ctx) not in names:
        yield expect("the transformation Lambda exists", False, _function(ctx))
        return
    config = ctx.client("lambda").get_function(FunctionName=_function(ctx))["Configuration"]
    yield equal("the Lambda runs transform.handler", config["Handler"], "transform.handler")
    # The same handler, called in-process with a Firehose-shaped event: the contract, result by result.
    sample = [b'{"user": "Ann", "page": "/", "ms": 5, "ts": 1, "agent": "browser"}',
              b'{"user": "x", "page": "/", "ms": 5, "ts": 2, "agent": "bot"}', b"not json"]
    event = {"records": [{"recordId": f"id{i}", "data": base64.b64encode(d).decode()} for i, d in enumerate(sample)]}
    out = _transform_module().handler(event, None)["records"]
    yield equal("the handler answers Ok / Dropped / ProcessingFailed with the same recordIds",
                [(r["recordId"], r["result"]) for r in out],
                [("id0", "Ok"), ("id1", "Dropped"), ("id2", "ProcessingFailed")], "local")


# -- 3 -------------------------------------------------------------------------------------------
def _s3_destination(ctx, prefix, error_prefix, compression, lambda_arn=None):
    processors = []
    if lambda_arn:
        processors.append({"Type": "Lambda", "Parameters": [
            {"ParameterName": "LambdaArn", "ParameterValue": lambda_arn},
            {"ParameterName": "BufferSizeInMBs", "ParameterValue": "1"},
            {"ParameterName": "BufferIntervalInSeconds", "ParameterValue": "60"}]})
    processors.append({"Type": "AppendDelimiterToRecord", "Parameters": []})
    config = {
        "RoleARN": ctx.client("iam").get_role(RoleName=_firehose_role(ctx))["Role"]["Arn"],
        "BucketARN": f"arn:aws:s3:::{_bucket(ctx)}",
        "Prefix": prefix,
        "BufferingHints": {"SizeInMBs": BUFFER_MIB, "IntervalInSeconds": BUFFER_S},
        "CompressionFormat": compression,
        "ProcessingConfiguration": {"Enabled": True, "Processors": processors},
    }
    if error_prefix:
        config["ErrorOutputPrefix"] = error_prefix
    return config


def apply_delivery_stream(ctx):
    problems = local_firehose.validate_prefixes(PREFIX, ERROR_PREFIX)
    if problems:  # the service refuses these at create time; say so before calling it
        raise ValueError("; ".join(problems))
    lambda_arn = ctx.client("lambda").get_function(FunctionName=_function(ctx))["Configuration"]["FunctionArn"]
    ctx.track("firehose:delivery-stream", _delivery(ctx))
    ctx.client("firehose").create_delivery_stream(
        DeliveryStreamName=_delivery(ctx), DeliveryStreamType="DirectPut",
        ExtendedS3DestinationConfiguration=_s3_destination(ctx, PREFIX, ERROR_PREFIX, "GZIP", lambda_arn),
        Tags=ctx.tag_list(),
    )
    _wait_stream_active(ctx, _delivery(ctx))


def _description(ctx, name):
    firehose = ctx.client("firehose")
    if name not in firehose.list_delivery_streams(Limit=10000)["DeliveryStreamNames"]:
        return None
    return firehose.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]


def check_delivery_stream(ctx):
    description = _description(ctx, _delivery(ctx))
    if description is None:
        yield expect("the delivery stream exists", False, _delivery(ctx))
        return
    yield equal("the delivery stream is ACTIVE", description["DeliveryStreamStatus"], "ACTIVE")
    yield equal("producers put records to it directly (DirectPut)", description["DeliveryStreamType"], "DirectPut")
    config = local_firehose.DeliveryConfig.from_description(description)
    yield equal("objects go to the bucket under the Hive-style time prefix", (config.bucket, config.prefix),
                (_bucket(ctx), PREFIX))
    yield equal("failed records go under the error prefix, by error type", config.error_output_prefix, ERROR_PREFIX)
    yield equal("buffering hints: 1 MiB or 60 s, whichever comes first",
                (config.buffer_mib, config.buffer_seconds), (BUFFER_MIB, BUFFER_S))
    yield equal("objects are GZIP-compressed", config.compression, "GZIP")
    # The function's ARN, unqualified or with a version/alias (the console writes ":$LATEST").
    function = (config.lambda_arn or "").split(":function:")[-1].split(":")[0]
    yield expect("a Lambda transformation and a newline delimiter are configured",
                 config.lambda_arn and function == _function(ctx) and config.append_newline,
                 f"lambda={config.lambda_arn}, newline={config.append_newline}")


# -- 4 -------------------------------------------------------------------------------------------
def apply_put_records(ctx):
    firehose = ctx.client("firehose")
    events = _events()
    for start in range(0, len(events), BATCH):
        batch = [{"Data": data} for data in events[start : start + BATCH]]
        response = firehose.put_record_batch(DeliveryStreamName=_delivery(ctx), Records=batch)
        if response["FailedPutCount"]:  # not atomic: resend only the failed entries
            retry = [r for r, out in zip(batch, response["RequestResponses"]) if out.get("ErrorCode")]
            firehose.put_record_batch(DeliveryStreamName=_delivery(ctx), Records=retry)
    if ctx.on_aws:
        _wait_for_objects(ctx, "clicks/", lambda keys: len(keys) >= 1)


def _raw_objects(ctx):
    """What moto itself wrote: one object per put call under the literal (unevaluated) prefix."""
    return [k for k in _keys(ctx, "clicks/") if "!{" in k] if _bucket_exists(ctx) else []


def check_put_records(ctx):
    if ctx.on_aws:  # the service buffers: objects appear within the interval (60 s) plus latency
        keys = _keys(ctx, "clicks/") if _bucket_exists(ctx) else []
        yield expect("Firehose is delivering the records (objects under clicks/; allow a minute or two)",
                     keys, f"{len(keys)} objects")
        return
    raw = _raw_objects(ctx)
    bodies = [ctx.client("s3").get_object(Bucket=_bucket(ctx), Key=k)["Body"].read() for k in raw]
    joined = b"\x00".join(bodies)
    events = _events()
    missing = sum(1 for e in events if joined.count(e) != 1)
    total, expected = sum(len(b) for b in bodies), sum(len(e) for e in events)
    yield expect(f"the {EVENTS} events of clicks.txt were put once each (moto keeps their bytes)",
                 raw and missing == 0 and total == expected,
                 f"{len(raw)} put calls seen, {missing} events missing or repeated, {total} of {expected} bytes")
    sample = bodies[0][:70] if bodies else b""
    yield expect("moto's own delivery: one raw object per put call, literal prefix, no delimiter",
                 raw and all(b"\n" not in b for b in bodies),
                 f"e.g. {raw[0] if raw else None} starting {sample!r}")


def apply_deliver(ctx):
    """What the service does after the puts: buffer, transform, compress, write to S3. On AWS it
    does it (we wait for the objects); elsewhere the local runner replays the 600 events with
    arrival times 0.25 s apart (150 s of traffic) through the delivery stream's configuration."""
    if ctx.on_aws:
        _wait_for_objects(ctx, "clicks/", lambda keys: len(keys) >= 1)
        _wait_for_objects(ctx, "errors/", lambda keys: len(keys) >= 1)
        return
    s3 = ctx.client("s3")
    # A re-check delivers afresh: remove what the runner wrote before (moto's raw objects stay).
    earlier = {key for key, _, _ in ctx.state.pop("local_delivery", {}).get("objects", [])}
    earlier |= {k for k in _keys(ctx, "clicks/") if EVALUATED.match(k)} | set(_keys(ctx, "errors/processing-failed/"))
    for key in sorted(earlier):
        s3.delete_object(Bucket=_bucket(ctx), Key=key)
    config = local_firehose.DeliveryConfig.from_description(_description(ctx, _delivery(ctx)))
    t0 = dt.datetime.now(dt.timezone.utc)
    timeline = [(data, t0 + dt.timedelta(seconds=i * SPACING_S)) for i, data in enumerate(_events())]
    stats = local_firehose.deliver(s3, config, timeline, _transform_module().handler if config.lambda_arn else None,
                                   ctx.region)
    ctx.state["local_delivery"] = {"ok": stats.ok, "dropped": stats.dropped, "failed": stats.failed,
                                   "objects": [(o.key, o.reason, o.records) for o in stats.objects]}


def check_deliver(ctx):
    label = "emulated" if ctx.on_aws else "local"  # relabelled "aws" on AWS
    keys = _keys(ctx, "clicks/") if _bucket_exists(ctx) else []
    delivered = [k for k in keys if EVALUATED.match(k)]
    lines = [json.loads(line) for k in delivered for line in _body(ctx, k).decode().splitlines() if line]
    yield equal(f"{EXPECTED_OK} transformed records were delivered, one JSON document per line",
                len(lines), EXPECTED_OK, label)
    yield expect("objects are GZIP files under the evaluated prefix clicks/year=YYYY/month=MM/day=dd/",
                 delivered and all(k.endswith(".gz") for k in delivered), f"{len(delivered)} objects, e.g. "
                 f"{delivered[0] if delivered else None}", label)
    yield expect("the transformation ran: users are lower-case, bots are gone",
                 lines and all(r["user"] == r["user"].lower() and "agent" not in r for r in lines),
                 f"{len(lines)} records", label)
    if not ctx.on_aws:
        reasons = [reason for key, reason, _ in ctx.state.get("local_delivery", {}).get("objects", [])
                   if key.startswith("clicks/")]
        yield equal("150 s of traffic with a 60 s buffer interval makes 3 objects (interval, interval, last)",
                    reasons, ["interval", "interval", "final"], "local")
    errors = _keys(ctx, "errors/processing-failed/") if _bucket_exists(ctx) else []
    failed = [json.loads(line) for k in errors for line in _body(ctx, k).decode().splitlines() if line]
    raw = sorted(base64.b64decode(f["rawData"]) for f in failed)
    yield equal("the unparseable records went to the error prefix with their raw data",
                raw, sorted(e for e in _events() if e.startswith(b"garbled")), label)


# -- 5 -------------------------------------------------------------------------------------------
def apply_kinesis_source(ctx):
    kinesis = ctx.client("kinesis")
    ctx.track("kinesis:stream", _source_stream(ctx))
    kinesis.create_stream(StreamName=_source_stream(ctx), ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName=_source_stream(ctx),
                                             WaiterConfig={"Delay": 5 if ctx.on_aws else 0.05, "MaxAttempts": 60})
    kinesis.add_tags_to_stream(StreamName=_source_stream(ctx), Tags=ctx.tags)
    stream_arn = kinesis.describe_stream_summary(StreamName=_source_stream(ctx))["StreamDescriptionSummary"]["StreamARN"]
    role = ctx.client("iam").get_role(RoleName=_firehose_role(ctx))["Role"]["Arn"]
    ctx.track("firehose:delivery-stream", _kinesis_delivery(ctx))
    ctx.client("firehose").create_delivery_stream(
        DeliveryStreamName=_kinesis_delivery(ctx), DeliveryStreamType="KinesisStreamAsSource",
        KinesisStreamSourceConfiguration={"KinesisStreamARN": stream_arn, "RoleARN": role},
        ExtendedS3DestinationConfiguration=_s3_destination(ctx, KINESIS_PREFIX, "", "UNCOMPRESSED"),
        Tags=ctx.tag_list(),
    )
    _wait_stream_active(ctx, _kinesis_delivery(ctx))
    # Producers write to the stream, never to Firehose (PutRecord on such a delivery stream is refused).
    kinesis.put_records(StreamName=_source_stream(ctx), Records=[
        {"PartitionKey": f"user-{i % 5}", "Data": json.dumps({"reading": i}).encode()} for i in range(KINESIS_EVENTS)])


def _stream_readings(ctx):
    kinesis = ctx.client("kinesis")
    if _source_stream(ctx) not in kinesis.list_streams(Limit=1000).get("StreamNames", []):
        return None
    readings = []
    for data, _ in local_firehose.read_kinesis_records(kinesis, _source_stream(ctx)):
        try:
            readings.append(json.loads(data)["reading"])
        except (ValueError, KeyError, TypeError):
            readings.append(None)
    return readings


def check_kinesis_source(ctx):
    description = _description(ctx, _kinesis_delivery(ctx))
    if description is None:
        yield expect("the Kinesis-sourced delivery stream exists", False, _kinesis_delivery(ctx))
        return
    source = description.get("Source", {}).get("KinesisStreamSourceDescription", {})
    yield expect("the delivery stream reads from the Kinesis stream",
                 source.get("KinesisStreamARN", "").endswith(f"stream/{_source_stream(ctx)}"), str(source))
    config = local_firehose.DeliveryConfig.from_description(description)
    yield equal("it delivers uncompressed, newline-delimited records to the bucket under from-kinesis/",
                (config.bucket, config.prefix, config.compression, config.append_newline),
                (_bucket(ctx), KINESIS_PREFIX, "UNCOMPRESSED", True))
    readings = _stream_readings(ctx)
    yield equal(f"the stream holds the {KINESIS_EVENTS} readings {{\"reading\": 0}} … {{\"reading\": {KINESIS_EVENTS - 1}}}",
                sorted(readings, key=str) if readings is not None else None,
                sorted(range(KINESIS_EVENTS), key=str))


def apply_kinesis_delivery(ctx):
    """What the service does for a Kinesis-sourced delivery stream: read the stream, deliver."""
    if ctx.on_aws:
        _wait_for_objects(ctx, KINESIS_PREFIX, lambda keys: len(keys) >= 1)
        return
    # moto's Firehose reads nothing from the stream: the runner reads it and delivers.
    s3 = ctx.client("s3")
    # A re-check delivers afresh: remove what the runner wrote before.
    for key in sorted(set(ctx.state.pop("local_kinesis_delivery", [])) | set(_keys(ctx, KINESIS_PREFIX))):
        s3.delete_object(Bucket=_bucket(ctx), Key=key)
    config = local_firehose.DeliveryConfig.from_description(_description(ctx, _kinesis_delivery(ctx)))
    records = local_firehose.read_kinesis_records(ctx.client("kinesis"), _source_stream(ctx))
    stats = local_firehose.deliver(s3, config, records, None, ctx.region)
    ctx.state["local_kinesis_delivery"] = [o.key for o in stats.objects]


def check_kinesis_delivery(ctx):
    label = "emulated" if ctx.on_aws else "local"
    keys = _keys(ctx, KINESIS_PREFIX) if _bucket_exists(ctx) else []
    lines = [json.loads(line) for k in keys for line in _body(ctx, k).decode().splitlines() if line]
    yield equal("the 50 stream records arrived as newline-delimited JSON",
                sorted(r["reading"] for r in lines), list(range(KINESIS_EVENTS)), label)
    yield expect("a prefix without expressions gets the default YYYY/MM/dd/HH/ appended",
                 keys and all(re.match(r"^from-kinesis/\d{4}/\d{2}/\d{2}/\d{2}/", k) for k in keys),
                 keys[0] if keys else "no objects", label)
