"""The S3 bucket policy CloudTrail needs before it accepts a trail (moto accepts any bucket).

Encoded from "Amazon S3 bucket policy for CloudTrail":
https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html

CloudTrail checks the policy in CreateTrail/UpdateTrail and refuses with
``InsufficientS3BucketPolicyException: Incorrect S3 bucket policy is detected for bucket: <name>``
(the message AWS returns; see the CreateTrail API reference,
https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_CreateTrail.html). The policy needs:

1. ``AWSCloudTrailAclCheck``: Allow the service principal ``cloudtrail.amazonaws.com``
   ``s3:GetBucketAcl`` on ``arn:aws:s3:::<bucket>``;
2. ``AWSCloudTrailWrite``: Allow it ``s3:PutObject`` on
   ``arn:aws:s3:::<bucket>/[prefix/]AWSLogs/<account-id>/*`` with the condition
   ``StringEquals {"s3:x-amz-acl": "bucket-owner-full-control"}``;
3. if a statement has an ``aws:SourceArn`` condition (recommended against the confused-deputy
   problem), it must name this trail's ARN.

The Sid names are conventional, not required: statements are recognised by what they allow. The
check is a reading of the documented policy, not IAM's full policy evaluation (no NotPrincipal,
NotAction, or cross-statement Deny reasoning beyond a Deny on the same action).
"""
from __future__ import annotations

import fnmatch
import json

SERVICE = "cloudtrail.amazonaws.com"
ERROR_CODE = "InsufficientS3BucketPolicyException"


def refusal_message(bucket: str) -> str:
    return f"Incorrect S3 bucket policy is detected for bucket: {bucket}"


def required_policy(bucket: str, account: str, region: str, trail_name: str, prefix: str = "") -> dict:
    """The documented policy, with the ``aws:SourceArn`` condition the current guide recommends."""
    trail_arn = f"arn:aws:cloudtrail:{region}:{account}:trail/{trail_name}"
    path = f"{prefix.strip('/')}/" if prefix else ""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AWSCloudTrailAclCheck",
                "Effect": "Allow",
                "Principal": {"Service": SERVICE},
                "Action": "s3:GetBucketAcl",
                "Resource": f"arn:aws:s3:::{bucket}",
                "Condition": {"StringEquals": {"aws:SourceArn": trail_arn}},
            },
            {
                "Sid": "AWSCloudTrailWrite",
                "Effect": "Allow",
                "Principal": {"Service": SERVICE},
                "Action": "s3:PutObject",
                "Resource": f"arn:aws:s3:::{bucket}/{path}AWSLogs/{account}/*",
                "Condition": {
                    "StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": trail_arn}
                },
            },
        ],
    }


def problems(policy, bucket: str, account: str, region: str, trail_name: str, prefix: str = "") -> list[str]:
    """What stops CloudTrail from using ``bucket`` (empty list: the policy is sufficient).

    ``policy`` is the JSON text from ``get_bucket_policy`` (or a dict, or None for no policy)."""
    if policy is None:
        return ["the bucket has no policy"]
    doc = json.loads(policy) if isinstance(policy, str) else policy
    statements = doc.get("Statement", [])
    statements = [statements] if isinstance(statements, dict) else statements
    trail_arn = f"arn:aws:cloudtrail:{region}:{account}:trail/{trail_name}"
    path = f"{prefix.strip('/')}/" if prefix else ""
    bucket_arn = f"arn:aws:s3:::{bucket}"
    object_arn = f"arn:aws:s3:::{bucket}/{path}AWSLogs/{account}/"

    def for_service(st) -> bool:
        principal = st.get("Principal", {})
        if principal == "*":
            return True
        services = principal.get("Service", []) if isinstance(principal, dict) else []
        return SERVICE in ([services] if isinstance(services, str) else services)

    def allows(st, action: str) -> bool:
        actions = st.get("Action", [])
        actions = [actions] if isinstance(actions, str) else actions
        return any(fnmatch.fnmatchcase(action.lower(), a.lower()) for a in actions)

    def resources(st) -> list[str]:
        res = st.get("Resource", [])
        return [res] if isinstance(res, str) else list(res)

    def source_arn_ok(st) -> bool:
        for operator, pairs in (st.get("Condition") or {}).items():
            for key, value in pairs.items():
                if key.lower() == "aws:sourcearn":
                    values = [value] if isinstance(value, str) else value
                    if not any(fnmatch.fnmatchcase(trail_arn, v) for v in values):
                        return False
        return True

    def acl_condition(st) -> bool:
        cond = (st.get("Condition") or {}).get("StringEquals", {})
        value = cond.get("s3:x-amz-acl")
        values = [value] if isinstance(value, str) else (value or [])
        return "bucket-owner-full-control" in values

    found: list[str] = []
    allow = [s for s in statements if s.get("Effect") == "Allow" and for_service(s)]
    deny = [s for s in statements if s.get("Effect") == "Deny" and for_service(s)]
    acl = [s for s in allow if allows(s, "s3:GetBucketAcl") and any(fnmatch.fnmatchcase(bucket_arn, r) for r in resources(s))]
    write = [
        s for s in allow
        if allows(s, "s3:PutObject") and any(fnmatch.fnmatchcase(object_arn + "x", r) for r in resources(s))
    ]
    if not acl:
        found.append(f"no statement allows {SERVICE} s3:GetBucketAcl on {bucket_arn} (AWSCloudTrailAclCheck)")
    elif not any(source_arn_ok(s) for s in acl):
        found.append(f"the s3:GetBucketAcl statement's aws:SourceArn does not name {trail_arn}")
    if not write:
        found.append(f"no statement allows {SERVICE} s3:PutObject on {object_arn}* (AWSCloudTrailWrite)")
    else:
        if not any(acl_condition(s) for s in write):
            found.append('the s3:PutObject statement lacks StringEquals "s3:x-amz-acl": "bucket-owner-full-control"')
        if not any(source_arn_ok(s) for s in write):
            found.append(f"the s3:PutObject statement's aws:SourceArn does not name {trail_arn}")
    for st in deny:
        if allows(st, "s3:PutObject") or allows(st, "s3:GetBucketAcl"):
            found.append(f"statement {st.get('Sid', '?')} denies {SERVICE} what it needs")
    return found
