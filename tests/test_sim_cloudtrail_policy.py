"""The CloudTrail bucket-policy requirement (awslabs.sim.cloudtrail_policy), from "Amazon S3 bucket
policy for CloudTrail" (docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html)."""
from __future__ import annotations

import json

from awslabs.sim import cloudtrail_policy as pol

REGION = "us-east-1"
ACCOUNT = "123456789012"


def test_policy_rules():
    good = pol.required_policy("b", ACCOUNT, REGION, "t")
    assert pol.problems(good, "b", ACCOUNT, REGION, "t") == []
    assert pol.problems(None, "b", ACCOUNT, REGION, "t") == ["the bucket has no policy"]
    no_acl_condition = json.loads(json.dumps(good))
    del no_acl_condition["Statement"][1]["Condition"]["StringEquals"]["s3:x-amz-acl"]
    assert any("bucket-owner-full-control" in p for p in pol.problems(no_acl_condition, "b", ACCOUNT, REGION, "t"))
    wrong_account = pol.required_policy("b", "999999999999", REGION, "t")
    assert pol.problems(wrong_account, "b", ACCOUNT, REGION, "t")
    only_write = {"Statement": [good["Statement"][1]]}
    assert any("GetBucketAcl" in p for p in pol.problems(only_write, "b", ACCOUNT, REGION, "t"))
    assert any("SourceArn" in p for p in pol.problems(good, "b", ACCOUNT, REGION, "other-trail"))
    # The classic documented policy (no aws:SourceArn) is sufficient too.
    classic = json.loads(json.dumps(good))
    for st in classic["Statement"]:
        st["Condition"].get("StringEquals", {}).pop("aws:SourceArn", None)
    assert pol.problems(classic, "b", ACCOUNT, REGION, "t") == []
    assert pol.refusal_message("b") == "Incorrect S3 bucket policy is detected for bucket: b"


def test_documented_classic_policy_with_prefix():
    doc = {"Version": "2012-10-17", "Statement": [
        {"Sid": "AWSCloudTrailAclCheck20150319", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "s3:GetBucketAcl", "Resource": "arn:aws:s3:::bucket-1"},
        {"Sid": "AWSCloudTrailWrite20150319", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "s3:PutObject", "Resource": "arn:aws:s3:::bucket-1/my-prefix/AWSLogs/123456789012/*",
         "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}}]}
    assert pol.problems(json.dumps(doc), "bucket-1", ACCOUNT, REGION, "t", prefix="my-prefix") == []
    assert pol.problems(json.dumps(doc), "bucket-1", ACCOUNT, REGION, "t") != []  # no prefix: wrong path
