"""SageMaker Feature Store, locally: the control plane, the runtime and the offline store's writer.

moto 5.2.6 does not implement the Feature Store runtime (``PutRecord``/``GetRecord`` answer 404),
and its ``CreateFeatureGroup`` crashes on an online-only group (a raw ``TypeError``), drops
``OnlineStoreConfig`` from ``DescribeFeatureGroup``, resolves the offline store without the
``sagemaker/`` path segment, creates no Glue table and has no ``DeleteFeatureGroup`` or
``ListFeatureGroups``. This runner does what the service does, with the service's request and
response shapes, so the same code reads alike on AWS and here:

- ``create_feature_group`` / ``describe_feature_group`` / ``delete_feature_group``: the group's
  definition, with ``ResolvedOutputS3Uri`` in the documented layout
  ``<S3Uri>/<account>/sagemaker/<region>/offline-store/<name>-<creation epoch>/data`` and, unless
  ``DisableGlueTableCreation``, a Glue table (through the Glue API of the target) in
  ``sagemaker_featurestore`` named ``<name>_<creation epoch>`` over that location;
- ``put_record`` (``Record=[{"FeatureName", "ValueAsString"}]``, ``TargetStores``,
  ``TtlDuration``): the online store keeps the record with the greatest event time per record
  identifier; every record goes to the offline store's buffer;
- ``get_record``: ``{"Record": [...], "ExpiresAt": ...}`` — empty when the identifier is unknown
  or the record expired (``ExpiresAt = EventTime + TtlDuration``; a record's own TtlDuration
  supersedes the group's);
- ``flush_offline_store``: what the service does within 15 minutes of a put: buffered records are
  written as Parquet, partitioned by **event time** hour
  (``data/year=YYYY/month=MM/day=DD/hour=HH/<latest event time>_<16 alphanumerics>.parquet``),
  with the columns Feature Store adds: ``write_time``, ``api_invocation_time``, ``is_deleted``.

State (definitions, online records, the offline buffer) is kept as JSON in the target's own S3, in
the bucket ``awslabs-local-featurestore-<account>``: it lives and dies with the emulator, and a
check can read it. Sources: https://docs.aws.amazon.com/sagemaker/latest/dg/feature-store-offline.html,
https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_feature_store_PutRecord.html,
https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_feature_store_GetRecord.html
(read 2026-12-06).
"""
from __future__ import annotations

import datetime as dt
import io
import json
import re
import secrets
import string
from typing import Any

GLUE_DATABASE = "sagemaker_featurestore"  # the database Feature Store creates its tables in by default
OFFLINE_COLUMNS = ("write_time", "api_invocation_time", "is_deleted")
TTL_UNITS = {"Seconds": 1, "Minutes": 60, "Hours": 3600, "Days": 86400, "Weeks": 604800}
_GLUE_TYPES = {"String": "string", "Integral": "bigint", "Fractional": "double"}
_EVENT_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$")  # yyyy-MM-dd'T'HH:mm:ss[.SSS]Z
_NAME = re.compile(r"^[a-zA-Z0-9]([-_]*[a-zA-Z0-9]){0,63}$")


def state_bucket(account: str) -> str:
    return f"awslabs-local-featurestore-{account}"


def _error(code: str, message: str, operation: str, status: int = 400):
    from botocore.exceptions import ClientError

    return ClientError({"Error": {"Code": code, "Message": message},
                        "ResponseMetadata": {"HTTPStatusCode": status}}, operation)


def parse_event_time(value: str, feature_type: str = "String") -> dt.datetime:
    """An event time as the service reads it: an ISO-8601 string in one of the two documented
    formats, or (a Fractional feature) Unix seconds."""
    if feature_type == "Fractional":
        return dt.datetime.fromtimestamp(float(value), dt.timezone.utc)
    if not _EVENT_TIME.match(value or ""):
        raise ValueError(f"event time {value!r} is not yyyy-MM-ddTHH:mm:ssZ or yyyy-MM-ddTHH:mm:ss.SSSZ")
    return dt.datetime.strptime(value.replace("Z", "+0000"),
                                "%Y-%m-%dT%H:%M:%S.%f%z" if "." in value else "%Y-%m-%dT%H:%M:%S%z")


def ttl_seconds(ttl: dict | None) -> int | None:
    if not ttl:
        return None
    return int(ttl["Value"]) * TTL_UNITS[ttl["Unit"]]


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class LocalFeatureStore:
    """The ``sagemaker`` feature-group calls and the ``sagemaker-featurestore-runtime`` calls, on
    an emulator's S3 and Glue (boto3 clients for both)."""

    def __init__(self, s3, glue, account: str, region: str, clock=None):
        self.s3, self.glue, self.account, self.region = s3, glue, account, region
        self.bucket = state_bucket(account)
        self.clock = clock or (lambda: dt.datetime.now(dt.timezone.utc))

    # -- state in S3 ------------------------------------------------------------------------------
    def _ensure_bucket(self) -> None:
        names = [b["Name"] for b in self.s3.list_buckets()["Buckets"]]
        if self.bucket not in names:
            args = {} if self.region == "us-east-1" else {
                "CreateBucketConfiguration": {"LocationConstraint": self.region}}
            self.s3.create_bucket(Bucket=self.bucket, **args)

    def _put(self, key: str, data: Any) -> None:
        self._ensure_bucket()
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=json.dumps(data, sort_keys=True).encode())

    def _get(self, key: str) -> Any | None:
        try:
            return json.loads(self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read())
        except Exception as err:  # noqa: BLE001 - NoSuchKey / NoSuchBucket: nothing stored
            if getattr(err, "response", {}).get("Error", {}).get("Code") in ("NoSuchKey", "NoSuchBucket", "404"):
                return None
            raise

    def _keys(self, prefix: str) -> list[str]:
        try:
            pages = self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix)
            return sorted(o["Key"] for page in pages for o in page.get("Contents", []))
        except Exception as err:  # noqa: BLE001
            if getattr(err, "response", {}).get("Error", {}).get("Code") == "NoSuchBucket":
                return []
            raise

    def _group(self, name_or_arn: str, operation: str) -> dict:
        name = name_or_arn.rsplit("/", 1)[-1]
        group = self._get(f"feature-groups/{name}.json")
        if group is None:
            raise _error("ResourceNotFound", f"Resource Not Found: Amazon SageMaker can't find a FeatureGroup "
                         f"with name {name}", operation, 404)
        return group

    # -- control plane ----------------------------------------------------------------------------
    def create_feature_group(self, **req) -> dict:
        op = "CreateFeatureGroup"
        name = req["FeatureGroupName"]
        if not _NAME.match(name):
            raise _error("ValidationException", f"FeatureGroupName {name!r} must match {_NAME.pattern}", op)
        if self._get(f"feature-groups/{name}.json") is not None:
            raise _error("ResourceInUse", f"Resource Already Exists: FeatureGroup with name {name} already exists", op)
        types = {d["FeatureName"]: d["FeatureType"] for d in req["FeatureDefinitions"]}
        for role in ("RecordIdentifierFeatureName", "EventTimeFeatureName"):
            if req[role] not in types:
                raise _error("ValidationException", f"{role} {req[role]!r} is not in FeatureDefinitions", op)
        if types[req["EventTimeFeatureName"]] not in ("String", "Fractional"):
            raise _error("ValidationException", "the event time feature must be of type String or Fractional", op)
        if types[req["RecordIdentifierFeatureName"]] not in ("String", "Integral"):
            raise _error("ValidationException", "the record identifier must be of type String or Integral", op)
        bad = [n for n in types if n.lower() in OFFLINE_COLUMNS]
        if bad:
            raise _error("ValidationException", f"feature names {bad} are reserved", op)
        online, offline = req.get("OnlineStoreConfig"), req.get("OfflineStoreConfig")
        if not (online or {}).get("EnableOnlineStore") and not offline:
            raise _error("ValidationException", "a feature group needs an online store, an offline store or both", op)
        if offline and not req.get("RoleArn"):
            raise _error("ValidationException", "RoleArn is required when an OfflineStoreConfig is given", op)
        created = self.clock().replace(microsecond=0)
        epoch = int(created.timestamp())
        group = {
            "FeatureGroupArn": f"arn:aws:sagemaker:{self.region}:{self.account}:feature-group/{name.lower()}",
            "FeatureGroupName": name,
            "RecordIdentifierFeatureName": req["RecordIdentifierFeatureName"],
            "EventTimeFeatureName": req["EventTimeFeatureName"],
            "FeatureDefinitions": req["FeatureDefinitions"],
            "CreationTime": created.isoformat(),
            "FeatureGroupStatus": "Created",
            "ThroughputConfig": {"ThroughputMode": "OnDemand"},
            "Description": req.get("Description", ""),
        }
        if online:
            group["OnlineStoreConfig"] = {**online, "StorageType": online.get("StorageType", "Standard")}
        if offline:
            s3 = dict(offline["S3StorageConfig"])
            s3["ResolvedOutputS3Uri"] = (f"{s3['S3Uri'].rstrip('/')}/{self.account}/sagemaker/{self.region}"
                                         f"/offline-store/{name}-{epoch}/data")
            resolved = dict(offline)
            resolved["S3StorageConfig"] = s3
            resolved.setdefault("TableFormat", "Glue")
            if not offline.get("DisableGlueTableCreation"):
                resolved["DataCatalogConfig"] = {"TableName": f"{name}_{epoch}".lower().replace("-", "_"),
                                                 "Catalog": "AwsDataCatalog", "Database": GLUE_DATABASE}
                self._create_glue_table(resolved["DataCatalogConfig"], s3["ResolvedOutputS3Uri"], req)
            group["OfflineStoreConfig"] = resolved
            group["OfflineStoreStatus"] = {"Status": "Active"}
            group["RoleArn"] = req["RoleArn"]
        self._put(f"feature-groups/{name}.json", group)
        return {"FeatureGroupArn": group["FeatureGroupArn"]}

    def _create_glue_table(self, catalog: dict, location: str, req: dict) -> None:
        try:
            self.glue.get_database(Name=catalog["Database"])
        except self.glue.exceptions.EntityNotFoundException:
            self.glue.create_database(DatabaseInput={"Name": catalog["Database"]})
        columns = [{"Name": d["FeatureName"], "Type": _GLUE_TYPES[d["FeatureType"]]} for d in req["FeatureDefinitions"]]
        columns += [{"Name": "write_time", "Type": "timestamp"}, {"Name": "api_invocation_time", "Type": "timestamp"},
                    {"Name": "is_deleted", "Type": "boolean"}]
        self.glue.create_table(DatabaseName=catalog["Database"], TableInput={
            "Name": catalog["TableName"],
            "TableType": "EXTERNAL_TABLE",
            "Parameters": {"classification": "parquet", "EXTERNAL": "TRUE"},
            "StorageDescriptor": {
                "Columns": columns,
                "Location": location,
                "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
                "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
                "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"},
            },
        })

    def describe_feature_group(self, FeatureGroupName: str, **_) -> dict:  # noqa: N803 - the API's names
        group = dict(self._group(FeatureGroupName, "DescribeFeatureGroup"))
        group["CreationTime"] = dt.datetime.fromisoformat(group["CreationTime"])
        return group

    def list_feature_groups(self, NameContains: str = "", **_) -> dict:  # noqa: N803
        summaries = []
        for key in self._keys("feature-groups/"):
            group = self._get(key) or {}
            if NameContains in group.get("FeatureGroupName", ""):
                summaries.append({k: group[k] for k in ("FeatureGroupName", "FeatureGroupArn", "FeatureGroupStatus")})
        return {"FeatureGroupSummaries": summaries}

    def delete_feature_group(self, FeatureGroupName: str, **_) -> dict:  # noqa: N803
        """Deletes the group, its online store and its unflushed buffer; like the service, it keeps
        the offline store's files and the Glue table."""
        name = self._group(FeatureGroupName, "DeleteFeatureGroup")["FeatureGroupName"]
        keys = self._keys(f"online/{name}/") + self._keys(f"buffer/{name}/") + [f"feature-groups/{name}.json"]
        for key in keys:
            self.s3.delete_object(Bucket=self.bucket, Key=key)
        if not self._keys(""):  # the last group gone: leave no state bucket behind
            self.s3.delete_bucket(Bucket=self.bucket)
        return {}

    # -- runtime ----------------------------------------------------------------------------------
    def put_record(self, FeatureGroupName: str, Record: list[dict], TargetStores: list[str] | None = None,  # noqa: N803
                   TtlDuration: dict | None = None, **_) -> dict:
        op = "PutRecord"
        group = self._group(FeatureGroupName, op)
        name = group["FeatureGroupName"]
        types = {d["FeatureName"]: d["FeatureType"] for d in group["FeatureDefinitions"]}
        values = {}
        for item in Record:
            feature = item["FeatureName"]
            if feature not in types:
                raise _error("ValidationException", f"feature {feature!r} is not defined in feature group {name}", op)
            values[feature] = item["ValueAsString"]
            try:
                if types[feature] == "Integral":
                    int(values[feature])
                elif types[feature] == "Fractional":
                    float(values[feature])
            except ValueError:
                raise _error("ValidationException", f"{feature}={values[feature]!r} is not {types[feature]}", op) from None
        rid, etf = group["RecordIdentifierFeatureName"], group["EventTimeFeatureName"]
        for required in (rid, etf):
            if required not in values:
                raise _error("ValidationException", f"the record must contain {required}", op)
        try:
            event = parse_event_time(values[etf], types[etf])
        except ValueError as err:
            raise _error("ValidationException", str(err), op) from None
        now = self.clock()
        stores = TargetStores or [s for s, on in (("OnlineStore", "OnlineStoreConfig" in group),
                                                   ("OfflineStore", "OfflineStoreConfig" in group)) if on]
        ttl = ttl_seconds(TtlDuration or (group.get("OnlineStoreConfig") or {}).get("TtlDuration"))
        if "OnlineStore" in stores and "OnlineStoreConfig" in group:
            key = f"online/{name}/{values[rid]}.json"
            current = self._get(key)
            if current is None or event > dt.datetime.fromisoformat(current["EventTime"]):
                expires = _iso(event + dt.timedelta(seconds=ttl)) if ttl else None
                self._put(key, {"Record": values, "EventTime": event.isoformat(), "ExpiresAt": expires})
        if "OfflineStore" in stores and "OfflineStoreConfig" in group:
            self._put(f"buffer/{name}/{now.strftime('%Y%m%dT%H%M%S%f')}-{secrets.token_hex(4)}.json",
                      {"Record": values, "EventTime": event.isoformat(), "ApiInvocationTime": now.isoformat(),
                       "IsDeleted": False})
        return {}

    def get_record(self, FeatureGroupName: str, RecordIdentifierValueAsString: str,  # noqa: N803
                   FeatureNames: list[str] | None = None, ExpirationTimeResponse: str = "Disabled", **_) -> dict:
        op = "GetRecord"
        group = self._group(FeatureGroupName, op)
        if "OnlineStoreConfig" not in group:
            raise _error("ValidationException", f"feature group {group['FeatureGroupName']} has no online store", op)
        stored = self._get(f"online/{group['FeatureGroupName']}/{RecordIdentifierValueAsString}.json")
        if stored is None:
            return {}
        if stored.get("ExpiresAt") and parse_event_time(stored["ExpiresAt"]) <= self.clock():
            return {}  # expired: no longer served (and removed from the online store)
        order = [d["FeatureName"] for d in group["FeatureDefinitions"]]
        record = [{"FeatureName": f, "ValueAsString": stored["Record"][f]} for f in order
                  if f in stored["Record"] and (not FeatureNames or f in FeatureNames)]
        answer: dict[str, Any] = {"Record": record}
        if ExpirationTimeResponse == "Enabled" and stored.get("ExpiresAt"):
            answer["ExpiresAt"] = stored["ExpiresAt"]
        return answer

    # -- the offline store's writer ---------------------------------------------------------------
    def flush_offline_store(self, FeatureGroupName: str) -> list[str]:  # noqa: N803
        """Write the buffered records as Parquet under ResolvedOutputS3Uri, one file per event-time
        hour; returns the S3 URIs written."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        group = self._group(FeatureGroupName, "PutRecord")
        name = group["FeatureGroupName"]
        keys = self._keys(f"buffer/{name}/")
        if not keys:
            return []
        rows = [self._get(k) for k in keys]
        write_time = self.clock()
        defs = group["FeatureDefinitions"]
        arrow = {"String": pa.string(), "Integral": pa.int64(), "Fractional": pa.float64()}
        schema = pa.schema([(d["FeatureName"], arrow[d["FeatureType"]]) for d in defs] + [
            ("write_time", pa.timestamp("ms", tz="UTC")), ("api_invocation_time", pa.timestamp("ms", tz="UTC")),
            ("is_deleted", pa.bool_())])
        by_hour: dict[str, list[dict]] = {}
        for row in rows:
            event = dt.datetime.fromisoformat(row["EventTime"])
            by_hour.setdefault(event.strftime("year=%Y/month=%m/day=%d/hour=%H"), []).append(row)
        resolved = group["OfflineStoreConfig"]["S3StorageConfig"]["ResolvedOutputS3Uri"]
        bucket, _, prefix = resolved[5:].partition("/")
        written = []
        for folder, items in sorted(by_hour.items()):
            table = {d["FeatureName"]: [_typed(r["Record"].get(d["FeatureName"]), d["FeatureType"]) for r in items]
                     for d in defs}
            table["write_time"] = [write_time] * len(items)
            table["api_invocation_time"] = [dt.datetime.fromisoformat(r["ApiInvocationTime"]) for r in items]
            table["is_deleted"] = [bool(r["IsDeleted"]) for r in items]
            latest = max(dt.datetime.fromisoformat(r["EventTime"]) for r in items)
            suffix = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(16))
            key = f"{prefix}/{folder}/{latest.strftime('%Y%m%dT%H%M%SZ')}_{suffix}.parquet"
            sink = io.BytesIO()
            pq.write_table(pa.Table.from_pydict(table, schema=schema), sink)
            self.s3.put_object(Bucket=bucket, Key=key, Body=sink.getvalue())
            written.append(f"s3://{bucket}/{key}")
        for key in keys:
            self.s3.delete_object(Bucket=self.bucket, Key=key)
        return written


def _typed(value: str | None, feature_type: str):
    if value is None:
        return None
    return int(value) if feature_type == "Integral" else float(value) if feature_type == "Fractional" else value


# -- entry points -------------------------------------------------------------------------------------
def clients(ctx):
    """``(sagemaker, featurestore_runtime)`` for a lab: the real clients on AWS, the local Feature
    Store (one object answering both sets of calls) on moto and a moto server."""
    if ctx.on_aws:
        return ctx.client("sagemaker"), ctx.client("sagemaker-featurestore-runtime")
    store = LocalFeatureStore(ctx.client("s3"), ctx.client("glue"), ctx.account, ctx.region)
    return store, store


def connect(region: str | None = None):
    """The same for a learner's script: boto3 from the environment; with ``AWS_ENDPOINT_URL`` set
    (``awslabs serve``) the local Feature Store on that endpoint, otherwise the real service."""
    import os

    import boto3

    session = boto3.Session(region_name=region)
    if not os.environ.get("AWS_ENDPOINT_URL"):
        return session.client("sagemaker"), session.client("sagemaker-featurestore-runtime")
    account = session.client("sts").get_caller_identity()["Account"]
    store = LocalFeatureStore(session.client("s3"), session.client("glue"), account, session.region_name)
    return store, store


def flush(ctx, feature_group: str) -> list[str]:
    """Off AWS: write the group's buffered records to its offline store now (the service does it
    within 15 minutes). On AWS: nothing to do here (the lab waits for the files instead)."""
    if ctx.on_aws:
        return []
    store, _ = clients(ctx)
    return store.flush_offline_store(feature_group)
