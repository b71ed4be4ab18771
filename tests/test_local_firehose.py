"""awslabs.local.firehose: buffering, the Lambda transformation contract, prefixes, GZIP and
error output, hand-worked from the Firehose developer guide pages cited in the module."""
from __future__ import annotations

import base64
import datetime as dt
import gzip
import json

import boto3
import pytest
from moto import mock_aws

from awslabs.local import firehose as fh

T0 = dt.datetime(2018, 7, 4, 5, 6, 7, tzinfo=dt.timezone.utc)


@pytest.fixture
def s3():
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket="dest-bucket")
        yield client


def _objects(s3, prefix=""):
    out = {}
    for o in s3.list_objects_v2(Bucket="dest-bucket", Prefix=prefix).get("Contents", []):
        body = s3.get_object(Bucket="dest-bucket", Key=o["Key"])["Body"].read()
        out[o["Key"]] = body
    return out


# -- prefixes ----------------------------------------------------------------------------------
def test_java_datetime_patterns():
    assert fh.java_datetime_format("yyyy/MM/dd/HH", T0) == "2018/07/04/05"
    assert fh.java_datetime_format("yyyy'-'MM'-'dd", T0) == "2018-07-04"
    with pytest.raises(ValueError):
        fh.java_datetime_format("EEE", T0)


def test_prefix_without_expression_gets_the_default_time_prefix():
    assert fh.evaluate_prefix("myPrefix/", T0) == "myPrefix/2018/07/04/05/"
    assert fh.evaluate_prefix("", T0) == "2018/07/04/05/"


def test_prefix_expressions_are_evaluated_in_utc():
    local = T0.astimezone(dt.timezone(dt.timedelta(hours=9)))  # same instant, Tokyo offset
    assert fh.evaluate_prefix("year=!{timestamp:yyyy}/hour=!{timestamp:HH}/", local) == "year=2018/hour=05/"
    assert fh.evaluate_prefix("err/!{firehose:error-output-type}/!{timestamp:yyyy}/", T0, "processing-failed") \
        == "err/processing-failed/2018/"
    assert len(fh.evaluate_prefix("r/!{firehose:random-string}/", T0)) == len("r/") + 11 + 1


def test_documented_prefix_rules():
    assert fh.validate_prefixes("a/!{timestamp:yyyy}/", "e/!{firehose:error-output-type}/") == []
    assert any("error output prefix" in p for p in fh.validate_prefixes("a/!{timestamp:yyyy}/", ""))
    assert any("only appear" in p for p in fh.validate_prefixes("a/!{firehose:error-output-type}/", "e/"))
    assert any("must contain" in p for p in fh.validate_prefixes("a/", "e/!{timestamp:yyyy}/"))
    assert any("unknown namespace" in p for p in fh.validate_prefixes("a/!{bogus:x}/", "e/"))


# -- buffering ---------------------------------------------------------------------------------
def test_size_hint_flushes_when_the_buffer_reaches_it(s3):
    config = fh.DeliveryConfig("st", "dest-bucket", prefix="p/", buffer_mib=1, buffer_seconds=900)
    runner = fh.LocalDelivery(s3, config)
    chunk = b"x" * (400 * 1024)
    assert runner.put(chunk, T0) == [] and runner.put(chunk, T0) == []
    flushed = runner.put(chunk, T0)  # 1,200 KiB >= 1 MiB
    assert [(d.records, d.reason) for d in flushed] == [(3, "size")]
    assert list(_objects(s3)) == [flushed[0].key] and flushed[0].key.startswith("p/2018/07/04/05/st-1-")


def test_interval_hint_flushes_when_the_oldest_record_has_waited_it(s3):
    config = fh.DeliveryConfig("st", "dest-bucket", prefix="p/", buffer_mib=5, buffer_seconds=60)
    runner = fh.LocalDelivery(s3, config)
    runner.put(b"a", T0)
    runner.put(b"b", T0 + dt.timedelta(seconds=30))
    assert runner.tick(T0 + dt.timedelta(seconds=59)) == []
    flushed = runner.put(b"c", T0 + dt.timedelta(seconds=61))  # the first two go, c starts a new buffer
    assert [(d.records, d.reason) for d in flushed] == [(2, "interval")]
    assert _objects(s3)[flushed[0].key] == b"ab"  # Firehose adds no delimiter by itself
    assert [(d.records, d.reason) for d in runner.close(T0 + dt.timedelta(seconds=200))] == [(1, "final")]


def test_newline_delimiter_and_gzip(s3):
    config = fh.DeliveryConfig("st", "dest-bucket", prefix="p/", compression="GZIP", append_newline=True)
    stats = fh.deliver(s3, config, [(b'{"a":1}', T0), (b'{"a":2}', T0 + dt.timedelta(seconds=1))])
    (key, body), = _objects(s3).items()
    assert key.endswith(".gz") and gzip.decompress(body) == b'{"a":1}\n{"a":2}\n'
    assert stats.ok == 2 and stats.objects[0].bytes_written == len(body)


def test_timestamp_is_the_oldest_record_in_the_object(s3):
    config = fh.DeliveryConfig("st", "dest-bucket", prefix="h=!{timestamp:HH}/", error_output_prefix="e/",
                               buffer_seconds=7200)
    fh.deliver(s3, config, [(b"late", T0 + dt.timedelta(hours=1)), (b"early", T0)])
    assert [k.split("/")[0] for k in _objects(s3)] == ["h=05"]


# -- the Lambda contract -----------------------------------------------------------------------
def _handler(event, context):
    out = []
    for r in event["records"]:
        data = base64.b64decode(r["data"])
        if data == b"drop":
            out.append({"recordId": r["recordId"], "result": "Dropped", "data": r["data"]})
        elif data == b"fail":
            out.append({"recordId": r["recordId"], "result": "ProcessingFailed", "data": r["data"]})
        elif data == b"wrong-id":
            out.append({"recordId": "nope", "result": "Ok", "data": r["data"]})
        elif data == b"bad-result":
            out.append({"recordId": r["recordId"], "result": "Maybe", "data": r["data"]})
        else:
            out.append({"recordId": r["recordId"], "result": "Ok",
                        "data": base64.b64encode(data.upper()).decode()})
    return {"records": out}


def test_transformation_results(s3):
    config = fh.DeliveryConfig("st", "dest-bucket", prefix="ok/", error_output_prefix="err/!{firehose:error-output-type}/",
                               lambda_arn="arn:aws:lambda:us-east-1:123456789012:function:t", append_newline=True)
    records = [(d, T0 + dt.timedelta(seconds=i)) for i, d in
               enumerate([b"hello", b"drop", b"fail", b"wrong-id", b"bad-result", b"world"])]
    stats = fh.deliver(s3, config, records, _handler)
    assert (stats.received, stats.ok, stats.dropped, stats.failed) == (6, 2, 1, 3)
    ok = _objects(s3, "ok/")
    assert list(ok.values()) == [b"HELLO\nWORLD\n"]
    (err_key, err_body), = _objects(s3, "err/").items()
    assert err_key.startswith("err/processing-failed/")
    errors = [json.loads(line) for line in err_body.decode().splitlines()]
    assert sorted(base64.b64decode(e["rawData"]) for e in errors) == [b"bad-result", b"fail", b"wrong-id"]
    assert {e["errorCode"] for e in errors} == {"Lambda.ProcessingFailed", "Lambda.MissingRecordId", "Lambda.InvalidResult"}
    assert all(e["lambdaArn"] == config.lambda_arn for e in errors)


def test_event_shape_sent_to_the_handler(s3):
    seen = {}

    def spy(event, context):
        seen.update(event)
        return {"records": [{"recordId": r["recordId"], "result": "Ok", "data": r["data"]} for r in event["records"]]}

    config = fh.DeliveryConfig("st", "dest-bucket", lambda_arn="arn:x", stream_arn="arn:aws:firehose:::deliverystream/st")
    fh.deliver(s3, config, [(b"abc", T0)], spy)
    (record,) = seen["records"]
    assert seen["deliveryStreamArn"].endswith("/st") and seen["invocationId"]
    assert base64.b64decode(record["data"]) == b"abc"
    assert record["approximateArrivalTimestamp"] == int(T0.timestamp() * 1000)


def test_a_lambda_processor_needs_a_handler(s3):
    with pytest.raises(ValueError):
        fh.LocalDelivery(s3, fh.DeliveryConfig("st", "dest-bucket", lambda_arn="arn:x"))


# -- reading the configuration back ------------------------------------------------------------
def test_config_from_a_moto_description():
    with mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="dest-bucket")
        firehose = boto3.client("firehose", region_name="us-east-1")
        firehose.create_delivery_stream(DeliveryStreamName="st", ExtendedS3DestinationConfiguration={
            "RoleARN": "arn:aws:iam::123456789012:role/r", "BucketARN": "arn:aws:s3:::dest-bucket",
            "Prefix": "p/!{timestamp:yyyy}/", "ErrorOutputPrefix": "e/!{firehose:error-output-type}/",
            "BufferingHints": {"SizeInMBs": 2, "IntervalInSeconds": 120}, "CompressionFormat": "GZIP",
            "ProcessingConfiguration": {"Enabled": True, "Processors": [
                {"Type": "Lambda", "Parameters": [{"ParameterName": "LambdaArn", "ParameterValue": "arn:l"}]},
                {"Type": "AppendDelimiterToRecord", "Parameters": []}]}})
        description = firehose.describe_delivery_stream(DeliveryStreamName="st")["DeliveryStreamDescription"]
    config = fh.DeliveryConfig.from_description(description)
    assert (config.bucket, config.buffer_mib, config.buffer_seconds, config.compression) == ("dest-bucket", 2, 120, "GZIP")
    assert config.lambda_arn == "arn:l" and config.append_newline and config.version == 1


def test_read_kinesis_records_in_arrival_order():
    with mock_aws():
        kinesis = boto3.client("kinesis", region_name="us-east-1")
        kinesis.create_stream(StreamName="src", ShardCount=2)
        for i in range(30):
            kinesis.put_record(StreamName="src", PartitionKey=f"k{i}", Data=str(i).encode())
        records = fh.read_kinesis_records(kinesis, "src")
    assert sorted(int(d) for d, _ in records) == list(range(30))
    assert [t for _, t in records] == sorted(t for _, t in records)
