"""Deleters for the services most labs share: S3, SQS, SNS, IAM, CloudWatch, Logs, DynamoDB."""
from __future__ import annotations

from . import arn_kind, deleter, sweeper


@deleter("s3:bucket", order=90)
def delete_bucket(clients, bucket: str, extra: dict) -> None:
    """Empty the bucket (every version and delete marker), then delete it."""
    s3 = clients.client("s3")
    paginator = s3.get_paginator("list_object_versions")
    for page in paginator.paginate(Bucket=bucket):
        doomed = [
            {"Key": v["Key"], "VersionId": v["VersionId"]}
            for v in page.get("Versions", []) + page.get("DeleteMarkers", [])
        ]
        for start in range(0, len(doomed), 1000):  # DeleteObjects takes at most 1,000 keys
            s3.delete_objects(Bucket=bucket, Delete={"Objects": doomed[start : start + 1000], "Quiet": True})
    for upload in s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []):
        s3.abort_multipart_upload(Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"])
    s3.delete_bucket(Bucket=bucket)


@arn_kind(r"^arn:aws[\w-]*:s3:::([^/]+)$")
def _bucket_arn(m):
    return ("s3:bucket", m.group(1))


@deleter("sqs:queue", order=50)
def delete_queue(clients, queue: str, extra: dict) -> None:
    sqs = clients.client("sqs")
    url = queue if queue.startswith("http") else sqs.get_queue_url(QueueName=queue)["QueueUrl"]
    sqs.delete_queue(QueueUrl=url)


@arn_kind(r"^arn:aws[\w-]*:sqs:[\w-]+:\d+:(.+)$")
def _queue_arn(m):
    return ("sqs:queue", m.group(1))


@deleter("sns:topic", order=50)
def delete_topic(clients, arn: str, extra: dict) -> None:
    clients.client("sns").delete_topic(TopicArn=arn)


@arn_kind(r"^(arn:aws[\w-]*:sns:[\w-]+:\d+:[^:]+)$")
def _topic_arn(m):
    return ("sns:topic", m.group(1))


@deleter("cloudwatch:alarm", order=20)
def delete_alarm(clients, name: str, extra: dict) -> None:
    clients.client("cloudwatch").delete_alarms(AlarmNames=[name])


@arn_kind(r"^arn:aws[\w-]*:cloudwatch:[\w-]+:\d+:alarm:(.+)$")
def _alarm_arn(m):
    return ("cloudwatch:alarm", m.group(1))


@deleter("logs:group", order=50)
def delete_log_group(clients, name: str, extra: dict) -> None:
    clients.client("logs").delete_log_group(logGroupName=name)


@arn_kind(r"^arn:aws[\w-]*:logs:[\w-]+:\d+:log-group:([^:]+)(:\*)?$")
def _log_group_arn(m):
    return ("logs:group", m.group(1))


@deleter("dynamodb:table", order=50)
def delete_table(clients, name: str, extra: dict) -> None:
    clients.client("dynamodb").delete_table(TableName=name)


@arn_kind(r"^arn:aws[\w-]*:dynamodb:[\w-]+:\d+:table/([^/]+)$")
def _table_arn(m):
    return ("dynamodb:table", m.group(1))


@deleter("iam:role", order=80)
def delete_role(clients, name: str, extra: dict) -> None:
    """Detach managed policies and delete inline ones first: IAM refuses otherwise."""
    iam = clients.client("iam")
    for policy in iam.list_attached_role_policies(RoleName=name).get("AttachedPolicies", []):
        iam.detach_role_policy(RoleName=name, PolicyArn=policy["PolicyArn"])
    for policy_name in iam.list_role_policies(RoleName=name).get("PolicyNames", []):
        iam.delete_role_policy(RoleName=name, PolicyName=policy_name)
    iam.delete_role(RoleName=name)


@sweeper
def sweep_iam_roles(clients, prefix: str):
    """The tagging API does not list IAM roles: find them by name prefix."""
    found = []
    for page in clients.client("iam").get_paginator("list_roles").paginate():
        found += [("iam:role", r["RoleName"]) for r in page["Roles"] if r["RoleName"].startswith(prefix)]
    return found
