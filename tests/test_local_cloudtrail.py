"""awslabs.local.cloudtrail (recorder, log files, digests) and awslabs.sim.cloudtrail_policy,
against in-process moto. Cases follow the CloudTrail User Guide pages cited in the modules."""
from __future__ import annotations

import gzip
import hashlib
import json

import boto3
import pytest
from moto import mock_aws

from awslabs.local import cloudtrail as lct
from awslabs.sim import cloudtrail_policy as pol

REGION = "us-east-1"
ACCOUNT = "123456789012"


class Clients:
    def __init__(self):
        self._c = {}

    def client(self, service, region=None):
        if service not in self._c:
            self._c[service] = boto3.client(service, region_name=REGION)
        return self._c[service]


@pytest.fixture
def env():
    with mock_aws():
        clients = Clients()
        s3, ct = clients.client("s3"), clients.client("cloudtrail")
        for b in ("trail-bucket-1", "training-data-1", "other-data-1"):
            s3.create_bucket(Bucket=b)
        s3.put_bucket_policy(Bucket="trail-bucket-1",
                             Policy=json.dumps(pol.required_policy("trail-bucket-1", ACCOUNT, REGION, "audit")))
        clients.client("logs").create_log_group(logGroupName="ct-logs")
        ct.create_trail(Name="audit", S3BucketName="trail-bucket-1", IsMultiRegionTrail=True,
                        EnableLogFileValidation=True,
                        CloudWatchLogsLogGroupArn=f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:ct-logs:*",
                        CloudWatchLogsRoleArn=f"arn:aws:iam::{ACCOUNT}:role/ct")
        ct.put_event_selectors(TrailName="audit", EventSelectors=[{
            "ReadWriteType": "All", "IncludeManagementEvents": True,
            "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3:::training-data-1/"]}]}])
        ct.start_logging(Name="audit")
        yield clients


def test_user_identity_shapes():
    user = lct.user_identity({"Arn": f"arn:aws:iam::{ACCOUNT}:user/Mateo", "Account": ACCOUNT, "UserId": "AIDA1"}, "AKIA1")
    assert user["type"] == "IAMUser" and user["userName"] == "Mateo" and user["accessKeyId"] == "AKIA1"
    role = lct.user_identity({"Arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/Cleanup/job-7", "Account": ACCOUNT,
                              "UserId": "AROA1:job-7"})
    assert role["type"] == "AssumedRole"
    assert role["sessionContext"]["sessionIssuer"]["arn"] == f"arn:aws:iam::{ACCOUNT}:role/Cleanup"


def test_recorder_logs_selected_events_and_delivers_files(env):
    s3 = env.client("s3")
    with lct.TrailRecorder(env, "audit", services=("s3", "cloudtrail")) as rec:
        s3.put_object(Bucket="training-data-1", Key="train.csv", Body=b"a,b\n1,2\n")
        s3.get_object(Bucket="training-data-1", Key="train.csv")["Body"].read()
        s3.put_object(Bucket="other-data-1", Key="x", Body=b"x")  # no data-event selector: not logged
        with pytest.raises(Exception):
            s3.get_object(Bucket="training-data-1", Key="absent.csv")
        first = rec.flush()
        s3.delete_object(Bucket="training-data-1", Key="train.csv")
        env.client("cloudtrail").stop_logging(Name="audit")
        s3.delete_object(Bucket="training-data-1", Key="after-stop.csv")  # logging stopped: not logged
        second = rec.flush()
    # handlers are gone after the with-block: nothing more is recorded
    s3.put_object(Bucket="training-data-1", Key="late.csv", Body=b"x")
    assert rec.pending == []

    assert len(first.log_files) == 1 and len(first.digest_files) == 1
    for key in first.log_files + second.log_files:
        assert lct.LOG_KEY.match(key), key
    for key in first.digest_files + second.digest_files:
        assert lct.DIGEST_KEY.match(key), key
    records = lct.read_records(s3, "trail-bucket-1", ACCOUNT)
    names = sorted(r["eventName"] for r in records)  # eventTime has 1 s resolution: order within ties is free
    assert names == ["DeleteObject", "GetObject", "GetObject", "PutObject", "StopLogging"]
    by_name = {r["eventName"]: r for r in records}
    assert [r.get("errorCode") for r in records if r["eventName"] == "GetObject"].count("NoSuchKey") == 1
    delete = by_name["DeleteObject"]
    for field in ("eventVersion", "userIdentity", "eventTime", "eventSource", "eventName", "awsRegion",
                  "sourceIPAddress", "userAgent", "requestParameters", "responseElements", "requestID", "eventID",
                  "readOnly", "eventType", "managementEvent", "recipientAccountId"):
        assert field in delete
    assert delete["eventSource"] == "s3.amazonaws.com" and delete["managementEvent"] is False
    assert delete["requestParameters"]["bucketName"] == "training-data-1" and delete["requestParameters"]["key"] == "train.csv"
    assert delete["readOnly"] is False and by_name["GetObject"]["readOnly"] is True
    assert delete["userIdentity"]["arn"] == env.client("sts").get_caller_identity()["Arn"]
    assert "Boto3" in delete["userAgent"] or "botocore" in delete["userAgent"]
    stop = by_name["StopLogging"]
    assert stop["eventSource"] == "cloudtrail.amazonaws.com" and stop["managementEvent"] is True
    assert stop["requestParameters"] == {"name": "audit"}

    # log file validation: hashes and chain hold; CloudWatch Logs got the same records
    check = lct.validate_logs(s3, "trail-bucket-1", ACCOUNT, REGION)
    assert check.valid and check.digests == 2 and check.log_files == 2
    digest2 = json.loads(gzip.decompress(s3.get_object(Bucket="trail-bucket-1", Key=second.digest_files[0])["Body"].read()))
    raw1 = gzip.decompress(s3.get_object(Bucket="trail-bucket-1", Key=first.digest_files[0])["Body"].read())
    assert digest2["previousDigestHashValue"] == hashlib.sha256(raw1).hexdigest()
    assert digest2["previousDigestS3Object"] == first.digest_files[0]
    events = env.client("logs").get_log_events(logGroupName="ct-logs", logStreamName=f"{ACCOUNT}_CloudTrail_{REGION}")["events"]
    assert sorted(json.loads(e["message"])["eventName"] for e in events) == names


def test_validation_detects_tampering_and_deletion(env):
    s3 = env.client("s3")
    with lct.TrailRecorder(env, "audit") as rec:
        s3.put_object(Bucket="training-data-1", Key="a.csv", Body=b"1")
        first = rec.flush()
        s3.delete_object(Bucket="training-data-1", Key="a.csv")
        rec.flush()
    key = first.log_files[0]
    doc = json.loads(gzip.decompress(s3.get_object(Bucket="trail-bucket-1", Key=key)["Body"].read()))
    doc["Records"][0]["userIdentity"]["arn"] = "arn:aws:iam::123456789012:user/someone-else"
    s3.put_object(Bucket="trail-bucket-1", Key=key, Body=lct.gzip_json(doc))
    check = lct.validate_logs(s3, "trail-bucket-1", ACCOUNT, REGION)
    assert not check.valid and any("modified" in p for p in check.problems)
    s3.delete_object(Bucket="trail-bucket-1", Key=first.digest_files[0])
    check = lct.validate_logs(s3, "trail-bucket-1", ACCOUNT, REGION)
    assert any("previous digest" in p for p in check.problems)


def test_read_only_selector_and_management_events(env):
    ct = env.client("cloudtrail")
    ct.put_event_selectors(TrailName="audit", EventSelectors=[{"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True}])
    s3 = env.client("s3")
    with lct.TrailRecorder(env, "audit") as rec:
        s3.get_bucket_policy(Bucket="trail-bucket-1")  # read-only management event: not logged
        s3.put_bucket_tagging(Bucket="training-data-1", Tagging={"TagSet": [{"Key": "k", "Value": "v"}]})
        s3.put_object(Bucket="training-data-1", Key="b.csv", Body=b"1")  # data event, no data selector
    assert [r["eventName"] for r in rec.pending] == ["PutBucketTagging"]


def test_a_new_recorder_continues_the_digest_chain(env):
    s3 = env.client("s3")
    with lct.TrailRecorder(env, "audit") as rec:
        s3.put_object(Bucket="training-data-1", Key="a.csv", Body=b"1")
        first = rec.flush()
    with lct.TrailRecorder(env, "audit") as rec:
        env.client("cloudtrail").stop_logging(Name="audit")
        final = rec.flush()
    digest = json.loads(gzip.decompress(s3.get_object(Bucket="trail-bucket-1", Key=final.digest_files[0])["Body"].read()))
    assert digest["previousDigestS3Object"] == first.digest_files[0]
    assert lct.validate_logs(s3, "trail-bucket-1", ACCOUNT, REGION).valid


def test_trail_deleter_and_sweeper(env):
    from awslabs import resources
    from awslabs.resources import cloudtrail as ct_resources

    ct = env.client("cloudtrail")
    ct.create_trail(Name="awslabs-x-abc123-audit", S3BucketName="trail-bucket-1")
    ct.start_logging(Name="awslabs-x-abc123-audit")
    found = ct_resources.sweep_trails(env, "awslabs-")
    assert found == [("cloudtrail:trail", "awslabs-x-abc123-audit")]  # "audit" (no prefix) is not swept
    resources.kind("cloudtrail:trail").delete(env, "awslabs-x-abc123-audit", {})
    assert ct_resources.sweep_trails(env, "awslabs-") == []
    resources.kind("cloudtrail:trail").delete(env, "awslabs-x-abc123-audit", {})  # idempotent: already gone
