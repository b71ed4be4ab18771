"""awslabs.local.feature_store: the Feature Store's documented behaviour, on moto's S3 and Glue,
against hand-written expectations (the layout and rules of the AWS pages cited in the module)."""
from __future__ import annotations

import datetime as dt
import io
import re

import boto3
import pytest
from moto import mock_aws

from awslabs.local import feature_store as fs

ACCOUNT, REGION = "123456789012", "us-east-1"
CREATED = dt.datetime(2026, 12, 1, 9, 0, 0, tzinfo=dt.timezone.utc)  # epoch 1796115600
DEFS = [{"FeatureName": "id", "FeatureType": "String"}, {"FeatureName": "t", "FeatureType": "String"},
        {"FeatureName": "n", "FeatureType": "Integral"}, {"FeatureName": "x", "FeatureType": "Fractional"}]


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def store():
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
        glue = boto3.client("glue", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
        s3.create_bucket(Bucket="lake")
        clock = Clock(CREATED)
        yield fs.LocalFeatureStore(s3, glue, ACCOUNT, REGION, clock=clock), s3, glue, clock


def _create(store, **over):
    request = dict(FeatureGroupName="fg", RecordIdentifierFeatureName="id", EventTimeFeatureName="t",
                   FeatureDefinitions=DEFS, OnlineStoreConfig={"EnableOnlineStore": True},
                   OfflineStoreConfig={"S3StorageConfig": {"S3Uri": "s3://lake/p"}},
                   RoleArn=f"arn:aws:iam::{ACCOUNT}:role/r")
    request.update(over)
    return store.create_feature_group(**request)


def _put(store, rid, t, n="1", x="1.5", **extra):
    store.put_record(FeatureGroupName="fg", Record=[{"FeatureName": "id", "ValueAsString": rid},
                                                    {"FeatureName": "t", "ValueAsString": t},
                                                    {"FeatureName": "n", "ValueAsString": n},
                                                    {"FeatureName": "x", "ValueAsString": x}], **extra)


def test_resolved_uri_and_glue_table_follow_the_documented_layout(store):
    local, _, glue, _ = store
    assert _create(local)["FeatureGroupArn"] == f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:feature-group/fg"
    group = local.describe_feature_group(FeatureGroupName="fg")
    resolved = group["OfflineStoreConfig"]["S3StorageConfig"]["ResolvedOutputS3Uri"]
    assert resolved == f"s3://lake/p/{ACCOUNT}/sagemaker/{REGION}/offline-store/fg-1796115600/data"
    assert group["OfflineStoreConfig"]["DataCatalogConfig"] == {
        "TableName": "fg_1796115600", "Catalog": "AwsDataCatalog", "Database": "sagemaker_featurestore"}
    table = glue.get_table(DatabaseName="sagemaker_featurestore", Name="fg_1796115600")["Table"]
    assert table["StorageDescriptor"]["Location"] == resolved
    assert [c["Name"] for c in table["StorageDescriptor"]["Columns"]][-3:] == ["write_time", "api_invocation_time",
                                                                              "is_deleted"]


@pytest.mark.parametrize("change, code", [
    ({"EventTimeFeatureName": "n"}, "ValidationException"),          # event time must be String or Fractional
    ({"RecordIdentifierFeatureName": "missing"}, "ValidationException"),
    ({"OnlineStoreConfig": None, "OfflineStoreConfig": None}, "ValidationException"),
])
def test_invalid_groups_are_refused(store, change, code):
    local = store[0]
    request = {k: v for k, v in change.items() if v is not None}
    with pytest.raises(Exception) as err:
        if None in change.values():
            local.create_feature_group(FeatureGroupName="fg", RecordIdentifierFeatureName="id",
                                       EventTimeFeatureName="t", FeatureDefinitions=DEFS)
        else:
            _create(local, **request)
    assert err.value.response["Error"]["Code"] == code


def test_online_store_keeps_the_greatest_event_time(store):
    local = store[0]
    _create(local)
    _put(local, "a", "2026-11-30T10:00:00Z", n="2")
    _put(local, "a", "2026-11-29T10:00:00Z", n="1")  # historic: offline only
    got = local.get_record(FeatureGroupName="fg", RecordIdentifierValueAsString="a")
    assert got == {"Record": [{"FeatureName": "id", "ValueAsString": "a"},
                              {"FeatureName": "t", "ValueAsString": "2026-11-30T10:00:00Z"},
                              {"FeatureName": "n", "ValueAsString": "2"},
                              {"FeatureName": "x", "ValueAsString": "1.5"}]}
    assert local.get_record(FeatureGroupName="fg", RecordIdentifierValueAsString="nobody") == {}


def test_ttl_expires_online_records_and_record_ttl_wins(store):
    local, _, _, clock = store
    _create(local, OnlineStoreConfig={"EnableOnlineStore": True, "TtlDuration": {"Unit": "Days", "Value": 2}})
    _put(local, "a", "2026-11-30T09:00:00Z")
    _put(local, "b", "2026-11-30T09:00:00Z", TtlDuration={"Unit": "Hours", "Value": 1})
    answer = local.get_record(FeatureGroupName="fg", RecordIdentifierValueAsString="a", ExpirationTimeResponse="Enabled")
    assert answer["ExpiresAt"] == "2026-12-02T09:00:00.000Z"  # event time + 2 days
    assert local.get_record(FeatureGroupName="fg", RecordIdentifierValueAsString="b") == {}  # expired at 10:00
    clock.now = dt.datetime(2026, 12, 2, 9, 0, 1, tzinfo=dt.timezone.utc)
    assert local.get_record(FeatureGroupName="fg", RecordIdentifierValueAsString="a") == {}


@pytest.mark.parametrize("value", ["2026-11-30 10:00:00", "2026-11-30T10:00:00", "30/11/2026"])
def test_event_times_outside_the_documented_formats_are_refused(store, value):
    local = store[0]
    _create(local)
    with pytest.raises(Exception) as err:
        _put(local, "a", value)
    assert err.value.response["Error"]["Code"] == "ValidationException"
    _put(local, "a", "2026-11-30T10:00:00.250Z")  # the millisecond form is fine


def test_offline_store_is_parquet_partitioned_by_event_hour(store):
    import pyarrow.parquet as pq

    local, s3, _, clock = store
    _create(local)
    _put(local, "a", "2026-11-30T10:15:00Z")
    _put(local, "b", "2026-11-30T10:45:00Z")
    _put(local, "a", "2026-11-29T23:59:59Z")
    clock.now = CREATED + dt.timedelta(minutes=5)
    written = local.flush_offline_store("fg")
    base = f"s3://lake/p/{ACCOUNT}/sagemaker/{REGION}/offline-store/fg-1796115600/data/"
    folders = sorted(u[len(base):].rsplit("/", 1)[0] for u in written)
    assert folders == ["year=2026/month=11/day=29/hour=23", "year=2026/month=11/day=30/hour=10"]
    names = sorted(u.rsplit("/", 1)[1] for u in written)
    assert re.match(r"^20261129T235959Z_[A-Za-z0-9]{16}\.parquet$", names[0])
    assert re.match(r"^20261130T104500Z_[A-Za-z0-9]{16}\.parquet$", names[1])  # the file's latest event time
    key = [u for u in written if "hour=10" in u][0][len("s3://lake/"):]
    table = pq.read_table(io.BytesIO(s3.get_object(Bucket="lake", Key=key)["Body"].read()))
    assert table.column_names == ["id", "t", "n", "x", "write_time", "api_invocation_time", "is_deleted"]
    rows = sorted(table.to_pylist(), key=lambda r: r["id"])  # row order within a file is not a contract
    assert [r["id"] for r in rows] == ["a", "b"] and rows[0]["n"] == 1 and rows[0]["is_deleted"] is False
    assert rows[0]["write_time"] == CREATED + dt.timedelta(minutes=5)
    assert rows[0]["api_invocation_time"] == CREATED
    assert local.flush_offline_store("fg") == []  # the buffer is empty now


def test_delete_keeps_offline_files_and_removes_the_state_bucket(store):
    local, s3, _, _ = store
    _create(local)
    _put(local, "a", "2026-11-30T10:00:00Z")
    local.flush_offline_store("fg")
    local.delete_feature_group(FeatureGroupName="fg")
    with pytest.raises(Exception) as err:
        local.describe_feature_group(FeatureGroupName="fg")
    assert err.value.response["Error"]["Code"] == "ResourceNotFound"
    buckets = [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert fs.state_bucket(ACCOUNT) not in buckets
    assert s3.list_objects_v2(Bucket="lake", Prefix="p/")["KeyCount"] == 1
