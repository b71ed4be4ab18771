"""A local CloudTrail: record the API calls a lab makes and deliver CloudTrail-format log files.

moto creates trails but delivers nothing (and has no ``lookup_events``). ``TrailRecorder`` hooks
the botocore event system of the lab's own clients, turns each call into a CloudTrail record, and
``flush()`` delivers them the way the documentation describes, into the trail's own bucket:

- record fields — "CloudTrail record contents":
  https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
  (eventVersion, userIdentity, eventTime, eventSource, eventName, awsRegion, sourceIPAddress,
  userAgent, requestParameters, responseElements, requestID, eventID, readOnly, resources,
  eventType, managementEvent, recipientAccountId, eventCategory, errorCode/errorMessage);
- log files — gzip JSON ``{"Records": [...]}`` at
  ``AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<16 chars>.json.gz``,
  written with ``x-amz-acl: bucket-owner-full-control`` (what the bucket policy demands):
  https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html
- which events a trail logs — management events by ``ReadWriteType``; S3 data events only for the
  ``AWS::S3::Object`` ARN prefixes in its event selectors; nothing while logging is stopped:
  https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-data-events-with-cloudtrail.html
- log file integrity validation — a digest file per delivery with the SHA-256 of each log file's
  *uncompressed* content, chained by the SHA-256 of the previous digest's uncompressed content:
  https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-digest-file-structure.html
  **Not reproduced**: the RSA signature (``x-amz-meta-signature``, ``previousDigestSignature``,
  ``digestPublicKeyFingerprint`` are null) — AWS signs with its private keys, which no local
  tool has; ``validate_logs`` checks hashes and the chain only, not signatures.
- CloudWatch Logs delivery — each record as one event in the stream ``<account>_CloudTrail_<region>``:
  https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudwatch-log-group-log-stream-naming-for-cloudtrail.html

Differences from the service, on purpose: delivery happens when the lab calls ``flush()`` (the
service delivers about every 5 minutes and digests hourly); ``sourceIPAddress`` is the local
machine (127.0.0.1); the identity is the caller STS reports; only calls made through the clients the
recorder is attached to are seen.
"""
from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import json
import re
import secrets
import string
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any, Iterable

EVENT_VERSION = "1.09"
_READ_PREFIXES = ("Get", "List", "Describe", "Head", "Lookup", "Select")
# S3 object-level operations are data events (they carry a Key); ListObjects* are logged as data
# events as well. Everything else S3 does (CreateBucket, PutBucketPolicy...) is a management event.
_S3_BUCKET_DATA_EVENTS = {"ListObjects", "ListObjectsV2", "ListObjectVersions"}
_UNSAFE_PARAMS = {"Body", "SSECustomerKey", "CopySourceSSECustomerKey", "Password", "SecretString", "SecretBinary"}
_ALNUM = string.ascii_letters + string.digits


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _iso(t: dt.datetime) -> str:
    return t.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _lower_camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items() if k not in _UNSAFE_PARAMS and k != "ResponseMetadata"}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, (bytes, bytearray)) or hasattr(value, "read"):
        return None
    if isinstance(value, dt.datetime):
        return _iso(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def user_identity(caller: dict, access_key_id: str | None = None) -> dict:
    """The ``userIdentity`` element for the principal ``sts.get_caller_identity()`` describes."""
    arn, account = caller["Arn"], caller["Account"]
    identity: dict[str, Any] = {"principalId": caller.get("UserId"), "arn": arn, "accountId": account}
    if access_key_id:
        identity["accessKeyId"] = access_key_id
    m = re.match(r"^arn:aws[\w-]*:sts::\d+:assumed-role/([^/]+)/(.+)$", arn)
    if m:
        identity["type"] = "AssumedRole"
        identity["sessionContext"] = {
            "sessionIssuer": {
                "type": "Role",
                "principalId": str(caller.get("UserId", "")).split(":")[0],
                "arn": f"arn:aws:iam::{account}:role/{m.group(1)}",
                "accountId": account,
                "userName": m.group(1),
            },
            "attributes": {"mfaAuthenticated": "false"},
        }
    elif arn.endswith(":root"):
        identity["type"] = "Root"
    else:
        identity["type"] = "IAMUser"
        identity["userName"] = arn.rsplit("/", 1)[-1]
    return {"type": identity.pop("type"), **identity}


@dataclass
class Selectors:
    """A trail's (basic) event selectors: what it logs."""

    selectors: list[dict] = field(default_factory=lambda: [{"ReadWriteType": "All", "IncludeManagementEvents": True}])

    @classmethod
    def from_response(cls, response: dict) -> "Selectors":
        if response.get("AdvancedEventSelectors"):
            raise ValueError("advanced event selectors are not simulated; use EventSelectors")
        return cls(response.get("EventSelectors") or [])

    @staticmethod
    def _rw_ok(selector: dict, read_only: bool) -> bool:
        rw = selector.get("ReadWriteType", "All")
        return rw == "All" or (rw == "ReadOnly") == read_only

    def logs(self, record: dict) -> bool:
        for sel in self.selectors:
            if not self._rw_ok(sel, record["readOnly"]):
                continue
            if record["managementEvent"]:
                if sel.get("IncludeManagementEvents", True):
                    return True
                continue
            for res in sel.get("DataResources", []):
                if res.get("Type") != "AWS::S3::Object":
                    continue
                for value in res.get("Values", []):
                    if value in ("arn:aws:s3", "arn:aws:s3:::"):  # all buckets
                        return True
                    if any(r["ARN"].startswith(value) for r in record.get("resources", []) if r["type"] == "AWS::S3::Object"):
                        return True
                    bucket_only = value.rstrip("/")
                    if value.endswith("/") and record.get("requestParameters", {}).get("bucketName") == bucket_only.split(":::")[-1] \
                            and record["eventName"] in _S3_BUCKET_DATA_EVENTS:
                        return True
        return False


@dataclass
class Delivery:
    log_files: list[str] = field(default_factory=list)
    digest_files: list[str] = field(default_factory=list)
    records: int = 0
    cloudwatch_events: int = 0


class TrailRecorder:
    """Record the calls made through ``clients.client(service)`` for ``services`` as ``trail_name``
    would, then ``flush()`` them into the trail's bucket (and log group). Use as a context manager,
    or ``attach()`` / ``detach()``: handlers are registered with unique ids and always removed."""

    def __init__(self, clients, trail_name: str, services: Iterable[str] = ("s3", "cloudtrail"),
                 source_ip: str = "127.0.0.1"):
        self.clients = clients
        self.services = tuple(services)
        self.source_ip = source_ip
        self._lock = threading.Lock()
        self._muted = threading.local()
        self._pending: list[dict] = []
        self.delivered: list[dict] = []
        self._attached: list[tuple[Any, str, str]] = []
        self._uid = f"awslabs-trail-{uuid.uuid4().hex[:8]}"
        self._last_digest: dict[str, tuple[str, str, dt.datetime]] = {}  # region -> (key, sha256, end)
        self._undigested: dict[str, list[dict]] = {}
        with self._quiet():
            ct = clients.client("cloudtrail")
            trails = ct.describe_trails(trailNameList=[trail_name]).get("trailList", [])
            if not trails:
                raise ValueError(f"no trail named {trail_name}")
            self.trail = trails[0]
            self.selectors = Selectors.from_response(ct.get_event_selectors(TrailName=trail_name))
            self.logging = bool(ct.get_trail_status(Name=trail_name).get("IsLogging"))
            caller = clients.client("sts").get_caller_identity()
        self.account = caller["Account"]
        self.home_region = self.trail.get("HomeRegion") or clients.client("cloudtrail").meta.region_name
        key = self._access_key(clients.client("s3"))
        self.identity = user_identity(caller, key)
        with self._quiet():
            self._resume_chain()

    def _resume_chain(self) -> None:
        """Continue the digest chain already in the bucket (a new recorder for the same trail)."""
        prefix = f"{self.trail['S3KeyPrefix'].strip('/')}/" if self.trail.get("S3KeyPrefix") else ""
        latest: dict[str, tuple[str, str]] = {}
        for key in _keys(self.clients.client("s3"), self.trail["S3BucketName"], f"{prefix}AWSLogs/{self.account}/CloudTrail-Digest/"):
            m = DIGEST_KEY.match(key)
            if m and m.group("trail") == self.trail["Name"] and m.group("stamp") > latest.get(m.group("region"), ("", ""))[0]:
                latest[m.group("region")] = (m.group("stamp"), key)
        for region, (stamp, key) in latest.items():
            raw = _get(self.clients.client("s3"), self.trail["S3BucketName"], key)
            end = dt.datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.timezone.utc)
            self._last_digest[region] = (key, hashlib.sha256(raw).hexdigest(), end)

    # -- wiring ---------------------------------------------------------------------------------
    def __enter__(self) -> "TrailRecorder":
        self.attach()
        return self

    def __exit__(self, *exc) -> None:
        self.detach()

    def attach(self) -> None:
        for service in self.services:
            client = self.clients.client(service)
            sid = client.meta.service_model.service_id.hyphenize()
            for event, handler in (
                (f"provide-client-params.{sid}", self._on_params),
                (f"request-created.{sid}", self._on_request),
                (f"after-call.{sid}", self._on_after_call),
            ):
                uid = f"{self._uid}-{event}"
                client.meta.events.register(event, handler, unique_id=uid)
                self._attached.append((client, event, uid))

    def detach(self) -> None:
        while self._attached:
            client, event, uid = self._attached.pop()
            client.meta.events.unregister(event, unique_id=uid)

    # -- handlers -------------------------------------------------------------------------------
    def _quiet(self):
        recorder = self

        class _Quiet:
            def __enter__(self):
                recorder._muted.on = getattr(recorder._muted, "on", 0) + 1

            def __exit__(self, *exc):
                recorder._muted.on -= 1

        return _Quiet()

    def _muted_now(self) -> bool:
        return getattr(self._muted, "on", 0) > 0

    def _on_params(self, params=None, context=None, **kwargs):
        if context is not None and not self._muted_now():
            context["awslabs_trail"] = {"params": dict(params or {}), "time": _now()}

    def _on_request(self, request=None, **kwargs):
        context = getattr(request, "context", None)
        if context and "awslabs_trail" in context:
            agent = request.headers.get("User-Agent", b"")
            context["awslabs_trail"]["agent"] = agent.decode() if isinstance(agent, bytes) else agent

    def _on_after_call(self, http_response=None, parsed=None, model=None, context=None, **kwargs):
        if self._muted_now() or context is None or "awslabs_trail" not in context:
            return
        seen = context.pop("awslabs_trail")
        record = self._record(model, seen, parsed or {}, getattr(http_response, "status_code", 200))
        name = model.name
        if model.service_model.service_name == "cloudtrail" and self._is_our_trail(seen["params"]) and "errorCode" not in record:
            if name == "StartLogging":
                self.logging = True
            if name in ("PutEventSelectors",):
                with self._quiet():
                    self.selectors = Selectors.from_response(
                        self.clients.client("cloudtrail").get_event_selectors(TrailName=self.trail["Name"]))
        if self.logging and self.selectors.logs(record):
            with self._lock:
                self._pending.append(record)
        if name == "StopLogging" and self._is_our_trail(seen["params"]) and "errorCode" not in record:
            self.logging = False  # StopLogging itself is the last event the trail logs

    def _is_our_trail(self, params: dict) -> bool:
        name = params.get("Name") or params.get("TrailName")
        return name in (self.trail["Name"], self.trail.get("TrailARN"))

    # -- records --------------------------------------------------------------------------------
    def _record(self, model, seen: dict, parsed: dict, status: int) -> dict:
        service = model.service_model
        prefix = service.endpoint_prefix
        region = self.clients.client(self._service_key(service.service_name)).meta.region_name
        params = _json_safe(seen["params"])
        name = model.name
        read_only = name.startswith(_READ_PREFIXES)
        management = True
        resources: list[dict] = []
        if service.service_name == "s3":
            bucket, key = params.pop("Bucket", None), params.pop("Key", None)
            request_parameters = {"bucketName": bucket, "Host": f"{bucket}.s3.{region}.amazonaws.com"}
            if key is not None:
                request_parameters["key"] = key
            request_parameters.update({_lower_camel(k): v for k, v in params.items()})
            if key is not None or name in _S3_BUCKET_DATA_EVENTS or name == "DeleteObjects":
                management = False
                if key is not None:
                    resources.append({"type": "AWS::S3::Object", "ARN": f"arn:aws:s3:::{bucket}/{key}"})
                for obj in (seen["params"].get("Delete") or {}).get("Objects", []):
                    resources.append({"type": "AWS::S3::Object", "ARN": f"arn:aws:s3:::{bucket}/{obj['Key']}"})
            if bucket:
                resources.append({"accountId": self.account, "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{bucket}"})
        else:
            request_parameters = {_lower_camel(k): v for k, v in params.items()}
        error = parsed.get("Error") if isinstance(parsed, dict) else None
        response = None
        if not read_only and not error and management:
            response = _json_safe(parsed) or None
        metadata = parsed.get("ResponseMetadata", {}) if isinstance(parsed, dict) else {}
        record: dict[str, Any] = {
            "eventVersion": EVENT_VERSION,
            "userIdentity": self.identity,
            "eventTime": _iso(seen["time"]),
            "eventSource": f"{prefix}.amazonaws.com",
            "eventName": name,
            "awsRegion": region,
            "sourceIPAddress": self.source_ip,
            "userAgent": seen.get("agent", ""),
            "requestParameters": request_parameters or None,
            "responseElements": response,
            "requestID": metadata.get("RequestId") or uuid.uuid4().hex.upper()[:16],
            "eventID": str(uuid.uuid4()),
            "readOnly": read_only,
            "resources": resources or None,
            "eventType": "AwsApiCall",
            "managementEvent": management,
            "recipientAccountId": self.account,
            "eventCategory": "Management" if management else "Data",
        }
        if error or status >= 300:
            record["errorCode"] = (error or {}).get("Code", str(status))
            record["errorMessage"] = (error or {}).get("Message", "")
        if record["resources"] is None:
            del record["resources"]
        return record

    def _service_key(self, service_name: str) -> str:
        for service in self.services:
            if self.clients.client(service).meta.service_model.service_name == service_name:
                return service
        return service_name

    @staticmethod
    def _access_key(client) -> str | None:
        try:  # botocore keeps the credentials on the signer; absent (anonymous) is fine
            creds = client._request_signer._credentials
            return creds.get_frozen_credentials().access_key if creds else None
        except Exception:  # noqa: BLE001
            return None

    @property
    def pending(self) -> list[dict]:
        return list(self._pending)

    # -- delivery -------------------------------------------------------------------------------
    def flush(self, when: dt.datetime | None = None, digest: bool = True) -> Delivery:
        """Deliver pending records: one log file per region, then (if the trail has log file
        validation) a digest per region that covers the log files delivered since the last one."""
        when = when or _now()
        with self._lock:
            records, self._pending = self._pending, []
        out = Delivery(records=len(records))
        by_region: dict[str, list[dict]] = {}
        for record in records:
            by_region.setdefault(record["awsRegion"], []).append(record)
        with self._quiet():
            s3 = self.clients.client("s3")
            for region, group in sorted(by_region.items()):
                key = self.log_key(region, when)
                raw = json.dumps({"Records": group}).encode()
                s3.put_object(Bucket=self.trail["S3BucketName"], Key=key, Body=gzip.compress(raw),
                              ACL="bucket-owner-full-control", ContentType="application/json")
                out.log_files.append(key)
                self._undigested.setdefault(region, []).append({
                    "s3Bucket": self.trail["S3BucketName"], "s3Object": key,
                    "hashValue": hashlib.sha256(raw).hexdigest(), "hashAlgorithm": "SHA-256",
                    "newestEventTime": max(r["eventTime"] for r in group),
                    "oldestEventTime": min(r["eventTime"] for r in group),
                })
                self.delivered.extend(group)
            out.cloudwatch_events = self._to_cloudwatch(records)
            if digest and self.trail.get("LogFileValidationEnabled"):
                for region in sorted(set(self._undigested) | set(by_region)):
                    out.digest_files.append(self._write_digest(region, when))
        return out

    def log_key(self, region: str, when: dt.datetime) -> str:
        prefix = f"{self.trail['S3KeyPrefix'].strip('/')}/" if self.trail.get("S3KeyPrefix") else ""
        unique = "".join(secrets.choice(_ALNUM) for _ in range(16))
        return (f"{prefix}AWSLogs/{self.account}/CloudTrail/{region}/{when:%Y/%m/%d}/"
                f"{self.account}_CloudTrail_{region}_{when:%Y%m%dT%H%MZ}_{unique}.json.gz")

    def _write_digest(self, region: str, when: dt.datetime) -> str:
        previous = self._last_digest.get(region)
        end = when.replace(microsecond=0)
        if previous and end <= previous[2]:
            end = previous[2] + dt.timedelta(seconds=1)  # digest keys carry the second: keep them unique
        start = previous[2] if previous else min(
            (dt.datetime.strptime(f["oldestEventTime"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)
             for f in self._undigested.get(region, [])), default=end)
        files = self._undigested.pop(region, [])
        prefix = f"{self.trail['S3KeyPrefix'].strip('/')}/" if self.trail.get("S3KeyPrefix") else ""
        key = (f"{prefix}AWSLogs/{self.account}/CloudTrail-Digest/{region}/{end:%Y/%m/%d}/"
               f"{self.account}_CloudTrail-Digest_{region}_{self.trail['Name']}_{self.home_region}_{end:%Y%m%dT%H%M%SZ}.json.gz")
        doc = {
            "awsAccountId": self.account,
            "digestStartTime": _iso(start),
            "digestEndTime": _iso(end),
            "digestS3Bucket": self.trail["S3BucketName"],
            "digestS3Object": key,
            "digestPublicKeyFingerprint": None,  # not signed locally (see module docstring)
            "digestSignatureAlgorithm": None,
            "newestEventTime": max((f["newestEventTime"] for f in files), default=None),
            "oldestEventTime": min((f["oldestEventTime"] for f in files), default=None),
            "previousDigestS3Bucket": self.trail["S3BucketName"] if previous else None,
            "previousDigestS3Object": previous[0] if previous else None,
            "previousDigestHashValue": previous[1] if previous else None,
            "previousDigestHashAlgorithm": "SHA-256" if previous else None,
            "previousDigestSignature": None,
            "logFiles": files,
        }
        raw = json.dumps(doc).encode()
        self.clients.client("s3").put_object(
            Bucket=self.trail["S3BucketName"], Key=key, Body=gzip.compress(raw), ACL="bucket-owner-full-control",
            ContentType="application/json", Metadata={"signature-algorithm": "none"},
        )
        self._last_digest[region] = (key, hashlib.sha256(raw).hexdigest(), end)
        return key

    def _to_cloudwatch(self, records: list[dict]) -> int:
        arn = self.trail.get("CloudWatchLogsLogGroupArn")
        if not arn or not records:
            return 0
        group = arn.split(":log-group:", 1)[1].split(":")[0]
        logs = self.clients.client("logs")
        sent = 0
        for region in sorted({r["awsRegion"] for r in records}):
            stream = f"{self.account}_CloudTrail_{region}"
            try:
                logs.create_log_stream(logGroupName=group, logStreamName=stream)
            except Exception as err:  # noqa: BLE001 - an existing stream is what we want
                if "ResourceAlreadyExists" not in str(err):
                    raise
            events = [
                {"timestamp": int(dt.datetime.strptime(r["eventTime"], "%Y-%m-%dT%H:%M:%SZ")
                                  .replace(tzinfo=dt.timezone.utc).timestamp() * 1000), "message": json.dumps(r)}
                for r in records if r["awsRegion"] == region
            ]
            logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=sorted(events, key=lambda e: e["timestamp"]))
            sent += len(events)
        return sent


# -- reading back ----------------------------------------------------------------------------------
def _get(s3, bucket: str, key: str) -> bytes:
    body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    return gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body


def _keys(s3, bucket: str, prefix: str) -> list[str]:
    keys: list[str] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys += [o["Key"] for o in page.get("Contents", [])]
    return sorted(keys)


def log_file_keys(s3, bucket: str, account: str, prefix: str = "") -> list[str]:
    base = f"{prefix.strip('/')}/" if prefix else ""
    return [k for k in _keys(s3, bucket, f"{base}AWSLogs/{account}/CloudTrail/") if k.endswith(".json.gz")]


def read_records(s3, bucket: str, account: str, prefix: str = "") -> list[dict]:
    """Every record in the trail's log files (``AWSLogs/<account>/CloudTrail/...``), oldest first."""
    records: list[dict] = []
    for key in log_file_keys(s3, bucket, account, prefix):
        records += json.loads(_get(s3, bucket, key)).get("Records", [])
    return sorted(records, key=lambda r: r["eventTime"])


LOG_KEY = re.compile(
    r"^(?:.+/)?AWSLogs/(?P<account>\d{12})/CloudTrail/(?P<region>[a-z0-9-]+)/(?P<y>\d{4})/(?P<m>\d{2})/(?P<d>\d{2})/"
    r"(?P=account)_CloudTrail_(?P=region)_(?P<stamp>\d{8}T\d{4}Z)_(?P<unique>[A-Za-z0-9]{16})\.json\.gz$"
)
DIGEST_KEY = re.compile(
    r"^(?:.+/)?AWSLogs/(?P<account>\d{12})/CloudTrail-Digest/(?P<region>[a-z0-9-]+)/\d{4}/\d{2}/\d{2}/"
    r"(?P=account)_CloudTrail-Digest_(?P=region)_(?P<trail>.+)_(?P<home>[a-z0-9-]+)_(?P<stamp>\d{8}T\d{6}Z)\.json\.gz$"
)


@dataclass
class Validation:
    digests: int = 0
    log_files: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return self.digests > 0 and not self.problems


def validate_logs(s3, bucket: str, account: str, region: str, prefix: str = "") -> Validation:
    """What ``aws cloudtrail validate-logs`` checks, minus the RSA signatures: each log file's
    SHA-256 matches its digest, and each digest names the previous one and its SHA-256."""
    base = f"{prefix.strip('/')}/" if prefix else ""
    keys = [k for k in _keys(s3, bucket, f"{base}AWSLogs/{account}/CloudTrail-Digest/{region}/") if DIGEST_KEY.match(k)]
    keys.sort(key=lambda k: DIGEST_KEY.match(k).group("stamp"))
    result = Validation()
    previous: tuple[str, str] | None = None
    for key in keys:
        raw = _get(s3, bucket, key)
        doc = json.loads(raw)
        result.digests += 1
        if doc.get("digestS3Object") != key:
            result.problems.append(f"{key}: digestS3Object says {doc.get('digestS3Object')}")
        named = doc.get("previousDigestS3Object")
        if previous is None and named:
            # The chain is how deleted digests are caught: the one it names must still exist.
            try:
                s3.head_object(Bucket=doc.get("previousDigestS3Bucket") or bucket, Key=named)
            except Exception:  # noqa: BLE001
                result.problems.append(f"{key}: its previous digest {named} is missing (deleted?)")
        if previous is not None:
            if doc.get("previousDigestS3Object") != previous[0]:
                result.problems.append(f"{key}: previous digest is {doc.get('previousDigestS3Object')}, expected {previous[0]}")
            if doc.get("previousDigestHashValue") != previous[1]:
                result.problems.append(f"{key}: the previous digest {previous[0]} was changed (hash mismatch)")
        for entry in doc.get("logFiles", []):
            result.log_files += 1
            try:
                content = _get(s3, entry["s3Bucket"], entry["s3Object"])
            except Exception as err:  # noqa: BLE001
                code = getattr(err, "response", {}).get("Error", {}).get("Code", type(err).__name__)
                result.problems.append(f"{entry['s3Object']}: missing ({code})")
                continue
            if hashlib.sha256(content).hexdigest() != entry["hashValue"]:
                result.problems.append(f"{entry['s3Object']}: modified (hash mismatch)")
        previous = (key, hashlib.sha256(raw).hexdigest())
    return result


def gzip_json(doc: Any) -> bytes:
    """Helper for tests and tamper demonstrations: gzip a JSON document like CloudTrail does."""
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb") as fh:
        fh.write(json.dumps(doc).encode())
    return buf.getvalue()
