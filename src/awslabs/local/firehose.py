"""A local Amazon Data Firehose delivery runner: what the service does between a put and S3.

moto accepts a DirectPut → S3 delivery stream but writes one raw object per put call, with no
buffering, no compression, no Lambda transformation and unevaluated prefix expressions (and a
Kinesis-sourced stream receives nothing). This runner does the delivery work itself, following the
documented behaviour, and writes the real objects into the (emulated) bucket through boto3:

- **buffering**: records collect until the buffer holds ``SizeInMBs`` or the oldest record has
  waited ``IntervalInSeconds``, whichever comes first
  (https://docs.aws.amazon.com/firehose/latest/dev/buffering-hints.html);
- **transformation**: the batch goes to a Lambda-style handler ``handler(event, context)``; each
  returned record must carry the same ``recordId``, a ``result`` of ``Ok``, ``Dropped`` or
  ``ProcessingFailed`` and base64 ``data``; a missing/mismatched id or unknown result counts as
  ``ProcessingFailed`` (https://docs.aws.amazon.com/firehose/latest/dev/data-transformation-status-model.html);
- **failed records** go to the error output prefix, ``!{firehose:error-output-type}`` evaluating
  to ``processing-failed``, one JSON document per record with the raw data in base64
  (https://docs.aws.amazon.com/firehose/latest/dev/data-transformation-failure-handling.html);
- **delimiting**: Firehose concatenates records as they are; the ``AppendDelimiterToRecord``
  processor adds a newline after each (https://docs.aws.amazon.com/firehose/latest/dev/dynamic-partitioning-new-line-delimiter.html);
- **compression**: GZIP of the whole object, key suffix ``.gz``;
- **object names**: ``<evaluated prefix><stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid>``; with no
  expression in the prefix, the default ``YYYY/MM/dd/HH/`` is appended; ``!{timestamp:<Java
  DateTimeFormatter>}`` uses the arrival time of the oldest record in the object, in UTC
  (https://docs.aws.amazon.com/firehose/latest/dev/s3-prefixes.html,
  https://docs.aws.amazon.com/firehose/latest/dev/s3-object-name.html).

Simplifications, stated: the transform is invoked once per delivered buffer (the service keeps a
separate Lambda buffer, 1 MB / 60 s by default — the labs use the same hints for both), the size
hint is measured on the incoming bytes (the service measures after transformation), and failed
records are written once (the service retries the Lambda first, ``attemptsMade`` counts them).

Time is explicit: each record carries its arrival timestamp, and ``tick(now)`` flushes a buffer
whose interval has run out, so a lab replays minutes of traffic in milliseconds.
On real AWS the service does all of this; labs call this runner only off AWS.
"""
from __future__ import annotations

import base64
import datetime as dt
import gzip
import json
import re
import secrets
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable

from awslabs.facts import value

_BUFFERING = value("firehose.s3_buffering")

MIB = 1024 * 1024
RESULTS = ("Ok", "Dropped", "ProcessingFailed")
# documented defaults for an S3 destination (awslabs.facts "firehose.s3_buffering")
DEFAULT_BUFFER_MIB = _BUFFERING["size_mib"][2]
DEFAULT_BUFFER_SECONDS = _BUFFERING["interval_s"][2]
_EXPR = re.compile(r"!\{([a-zA-Z]+):([^}]*)\}")

# Java DateTimeFormatter letters Firehose prefixes use, in strftime terms.
_JAVA_TO_STRFTIME = [("yyyy", "%Y"), ("YYYY", "%Y"), ("yy", "%y"), ("MM", "%m"), ("dd", "%d"),
                     ("HH", "%H"), ("mm", "%M"), ("ss", "%S")]


def java_datetime_format(pattern: str, when: dt.datetime) -> str:
    """Format ``when`` with a Java DateTimeFormatter pattern (letters above, 'quoted' literals)."""
    out, i = [], 0
    while i < len(pattern):
        if pattern[i] == "'":
            end = pattern.index("'", i + 1)
            out.append(pattern[i + 1 : end])
            i = end + 1
            continue
        for java, fmt in _JAVA_TO_STRFTIME:
            if pattern.startswith(java, i):
                out.append(when.strftime(fmt))
                i += len(java)
                break
        else:
            if pattern[i].isalpha():
                raise ValueError(f"unsupported DateTimeFormatter letter {pattern[i]!r} in {pattern!r}")
            out.append(pattern[i])
            i += 1
    return "".join(out)


def validate_prefixes(prefix: str, error_prefix: str) -> list[str]:
    """The documented rules on custom prefixes; returns the problems (empty list = valid)."""
    problems = []
    for namespace, value in _EXPR.findall(prefix) + _EXPR.findall(error_prefix):
        if namespace not in ("timestamp", "firehose", "partitionKeyFromQuery", "partitionKeyFromLambda"):
            problems.append(f"unknown namespace {namespace!r}")
        if namespace == "firehose" and value not in ("error-output-type", "random-string"):
            problems.append(f"unknown firehose value {value!r}")
    if "!{firehose:error-output-type}" in prefix:
        problems.append("!{firehose:error-output-type} may only appear in the error output prefix")
    if _EXPR.search(prefix) and not error_prefix:
        problems.append("a prefix with expressions needs an error output prefix")
    if _EXPR.search(error_prefix) and "!{firehose:error-output-type}" not in error_prefix:
        problems.append("an error output prefix with expressions must contain !{firehose:error-output-type}")
    return problems


def evaluate_prefix(prefix: str, oldest_arrival: dt.datetime, error_output_type: str | None = None) -> str:
    """Evaluate a (custom) prefix for an object whose oldest record arrived at ``oldest_arrival``."""
    when = oldest_arrival.astimezone(dt.timezone.utc)
    if not _EXPR.search(prefix):
        return prefix + when.strftime("%Y/%m/%d/%H/")

    def one(match: re.Match) -> str:
        namespace, value = match.groups()
        if namespace == "timestamp":
            return java_datetime_format(value, when)
        if namespace == "firehose" and value == "error-output-type":
            if error_output_type is None:
                raise ValueError("!{firehose:error-output-type} outside the error output prefix")
            return error_output_type
        if namespace == "firehose" and value == "random-string":
            return secrets.token_hex(6)[:11]
        raise ValueError(f"expression {match.group(0)} is not supported by the local runner")

    return _EXPR.sub(one, prefix)


@dataclass
class DeliveryConfig:
    """What the runner needs from a delivery stream's S3 destination."""

    stream_name: str
    bucket: str
    prefix: str = ""
    error_output_prefix: str = ""
    buffer_mib: float = DEFAULT_BUFFER_MIB
    buffer_seconds: float = DEFAULT_BUFFER_SECONDS
    compression: str = "UNCOMPRESSED"
    append_newline: bool = False
    lambda_arn: str | None = None
    version: int = 1
    stream_arn: str = ""

    @classmethod
    def from_description(cls, description: dict) -> "DeliveryConfig":
        """Build from ``describe_delivery_stream()["DeliveryStreamDescription"]``."""
        dest = description["Destinations"][0]
        s3 = dest.get("ExtendedS3DestinationDescription") or dest["S3DestinationDescription"]
        hints = s3.get("BufferingHints", {})
        processors = (s3.get("ProcessingConfiguration") or {}).get("Processors", [])
        enabled = (s3.get("ProcessingConfiguration") or {}).get("Enabled", False)
        lambda_arn = None
        newline = False
        for proc in processors if enabled else []:
            params = {p["ParameterName"]: p["ParameterValue"] for p in proc.get("Parameters", [])}
            if proc["Type"] == "Lambda":
                lambda_arn = params.get("LambdaArn")
            if proc["Type"] == "AppendDelimiterToRecord":
                newline = True
        return cls(
            stream_name=description["DeliveryStreamName"],
            bucket=s3["BucketARN"].split(":::", 1)[1],
            prefix=s3.get("Prefix", ""),
            error_output_prefix=s3.get("ErrorOutputPrefix", ""),
            buffer_mib=hints.get("SizeInMBs", DEFAULT_BUFFER_MIB),
            buffer_seconds=hints.get("IntervalInSeconds", DEFAULT_BUFFER_SECONDS),
            compression=s3.get("CompressionFormat", "UNCOMPRESSED"),
            append_newline=newline,
            lambda_arn=lambda_arn,
            version=int(description.get("VersionId", "1")),
            stream_arn=description.get("DeliveryStreamARN", ""),
        )


@dataclass
class Delivered:
    """One object the runner wrote."""

    key: str
    records: int
    bytes_in: int
    bytes_written: int
    reason: str  # "size" | "interval" | "final" | "processing-failed"
    oldest: dt.datetime


@dataclass
class _Pending:
    record_id: str
    data: bytes
    arrival: dt.datetime


@dataclass
class DeliveryStats:
    received: int = 0
    ok: int = 0
    dropped: int = 0
    failed: int = 0
    objects: list[Delivered] = field(default_factory=list)


class LocalDelivery:
    """Buffers records, transforms them with ``transform`` (a Lambda handler), writes objects to S3.

    ``s3`` is a boto3 S3 client on the emulator; ``transform`` is ``handler(event, context)`` or None.
    """

    def __init__(self, s3, config: DeliveryConfig, transform: Callable[[dict, Any], dict] | None = None,
                 region: str = "us-east-1"):
        problems = validate_prefixes(config.prefix, config.error_output_prefix)
        if problems:
            raise ValueError("; ".join(problems))
        if bool(config.lambda_arn) != (transform is not None):
            raise ValueError("pass the Lambda handler as transform exactly when the stream has a Lambda processor")
        self.s3 = s3
        self.config = config
        self.transform = transform
        self.region = region
        self.stats = DeliveryStats()
        self._buffer: list[_Pending] = []
        self._buffer_bytes = 0
        self._seq = 0

    # -- intake --------------------------------------------------------------------------------
    def put(self, data: bytes, arrival: dt.datetime) -> list[Delivered]:
        """Accept one record that arrived at ``arrival``; returns objects flushed by this put."""
        written = self.tick(arrival)  # an interval that ran out before this record flushes first
        self._seq += 1
        self._buffer.append(_Pending(f"{self._seq:056d}", bytes(data), arrival))
        self._buffer_bytes += len(data)
        self.stats.received += 1
        if self._buffer_bytes >= self.config.buffer_mib * MIB:
            written += self.flush(arrival, "size")
        return written

    def tick(self, now: dt.datetime) -> list[Delivered]:
        """Flush the buffer if its oldest record has waited the buffer interval by ``now``."""
        if self._buffer and (now - self._buffer[0].arrival).total_seconds() >= self.config.buffer_seconds:
            return self.flush(now, "interval")
        return []

    def close(self, now: dt.datetime) -> list[Delivered]:
        """Deliver what is left (the service would once the interval passes)."""
        return self.flush(now, "final") if self._buffer else []

    # -- delivery ------------------------------------------------------------------------------
    def _invoke(self, batch: list[_Pending]) -> list[tuple[_Pending, str, bytes, str]]:
        """Run the transform; returns (record, result, data, error message) per input record."""
        if self.transform is None:
            return [(p, "Ok", p.data, "") for p in batch]
        event = {
            "invocationId": str(uuid.uuid4()),
            "deliveryStreamArn": self.config.stream_arn,
            "region": self.region,
            "records": [
                {
                    "recordId": p.record_id,
                    "approximateArrivalTimestamp": int(p.arrival.timestamp() * 1000),
                    "data": base64.b64encode(p.data).decode(),
                }
                for p in batch
            ],
        }
        response = self.transform(event, None)
        returned = {r.get("recordId"): r for r in (response or {}).get("records", []) if isinstance(r, dict)}
        out = []
        for p in batch:
            r = returned.get(p.record_id)
            if r is None:
                out.append((p, "ProcessingFailed", p.data, "Lambda.MissingRecordId"))
            elif r.get("result") not in RESULTS:
                out.append((p, "ProcessingFailed", p.data, f"Lambda.InvalidResult: {r.get('result')!r}"))
            elif r["result"] == "Ok":
                try:
                    out.append((p, "Ok", base64.b64decode(r.get("data", ""), validate=True), ""))
                except (ValueError, TypeError):
                    out.append((p, "ProcessingFailed", p.data, "Lambda.InvalidBase64"))
            else:
                out.append((p, r["result"], p.data, "Lambda.ProcessingFailed" if r["result"] != "Dropped" else ""))
        return out

    def _key(self, prefix: str, oldest: dt.datetime, written: dt.datetime) -> str:
        suffix = written.astimezone(dt.timezone.utc).strftime("%Y-%m-%d-%H-%M-%S")
        ext = ".gz" if self.config.compression == "GZIP" else ""
        return f"{prefix}{self.config.stream_name}-{self.config.version}-{suffix}-{uuid.uuid4()}{ext}"

    def _write(self, key: str, body: bytes) -> int:
        if self.config.compression == "GZIP":
            body = gzip.compress(body, mtime=0)
        elif self.config.compression not in ("UNCOMPRESSED", ""):
            raise ValueError(f"compression {self.config.compression} is not supported by the local runner")
        self.s3.put_object(Bucket=self.config.bucket, Key=key, Body=body)
        return len(body)

    def flush(self, now: dt.datetime, reason: str) -> list[Delivered]:
        batch, self._buffer, self._buffer_bytes = self._buffer, [], 0
        if not batch:
            return []
        results = self._invoke(batch)
        oldest = batch[0].arrival
        delivered: list[Delivered] = []
        ok = [(p, data) for p, result, data, _ in results if result == "Ok"]
        failed = [(p, err) for p, result, _, err in results if result == "ProcessingFailed"]
        self.stats.ok += len(ok)
        self.stats.failed += len(failed)
        self.stats.dropped += sum(1 for _, result, _, _ in results if result == "Dropped")
        if ok:
            body = b"".join(d + (b"\n" if self.config.append_newline else b"") for _, d in ok)
            key = self._key(evaluate_prefix(self.config.prefix, oldest), oldest, now)
            size = self._write(key, body)
            delivered.append(Delivered(key, len(ok), sum(len(p.data) for p, _ in ok), size, reason, oldest))
        if failed:
            error_prefix = self.config.error_output_prefix or "processing-failed/"
            lines = [
                json.dumps({
                    "attemptsMade": 1,
                    "arrivalTimestamp": int(p.arrival.timestamp() * 1000),
                    "errorCode": err.split(":")[0],
                    "errorMessage": "The record was marked ProcessingFailed by the transformation",
                    "attemptEndingTimestamp": int(now.timestamp() * 1000),
                    "rawData": base64.b64encode(p.data).decode(),
                    "lambdaArn": self.config.lambda_arn or "",
                })
                for p, err in failed
            ]
            prefix = evaluate_prefix(error_prefix, failed[0][0].arrival, "processing-failed")
            key = self._key(prefix, failed[0][0].arrival, now)
            size = self._write(key, ("\n".join(lines) + "\n").encode())
            delivered.append(Delivered(key, len(failed), sum(len(p.data) for p, _ in failed), size,
                                       "processing-failed", failed[0][0].arrival))
        self.stats.objects += delivered
        return delivered


def deliver(s3, config: DeliveryConfig, records: list[tuple[bytes, dt.datetime]],
            transform=None, region: str = "us-east-1") -> DeliveryStats:
    """Replay ``records`` (data, arrival time) in arrival order through a fresh runner and deliver
    the tail; returns the statistics with every object written."""
    runner = LocalDelivery(s3, config, transform, region)
    last = None
    for data, arrival in sorted(records, key=lambda r: r[1]):
        runner.put(data, arrival)
        last = arrival
    if last is not None:
        runner.close(last + dt.timedelta(seconds=config.buffer_seconds))
    return runner.stats


def read_kinesis_records(kinesis, stream_name: str) -> list[tuple[bytes, dt.datetime]]:
    """Everything in a Kinesis stream, oldest first, with arrival times: what a Firehose stream
    with ``KinesisStreamAsSource`` reads (moto's Firehose reads nothing, so the runner does)."""
    records = []
    shards = kinesis.list_shards(StreamName=stream_name)["Shards"]
    for shard in shards:
        iterator = kinesis.get_shard_iterator(
            StreamName=stream_name, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        while iterator:
            page = kinesis.get_records(ShardIterator=iterator, Limit=1000)
            records += [(r["Data"], r["ApproximateArrivalTimestamp"]) for r in page["Records"]]
            if page.get("MillisBehindLatest", 0) == 0 and len(page["Records"]) < 1000:
                break  # caught up (an empty page while behind is normal on AWS: keep going)
            iterator = page.get("NextShardIterator")
    return sorted(records, key=lambda r: r[1])
