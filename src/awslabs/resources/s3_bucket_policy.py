"""S3 bucket policies (ml-security).

A bucket policy that denies by condition (non-TLS requests, uploads without an encryption header)
never blocks the SDK's own HTTPS requests on AWS, but moto 5.2.6 enforces a bucket policy's Deny on
object requests *without evaluating its conditions*: every GetObject, PutObject and DeleteObjects
(silently) is refused, so the bucket could not be emptied and deleted. This kind deletes the
bucket's policy before the bucket deleter (order 90) empties it. Deleting a policy that is not there
is not an error, so a lab may track it before the learner writes one.
"""
from __future__ import annotations

from . import deleter, is_gone


@deleter("s3:bucket-policy", order=85)
def delete_bucket_policy(clients, bucket: str, extra: dict) -> None:
    try:
        clients.client("s3").delete_bucket_policy(Bucket=bucket)
    except Exception as err:  # noqa: BLE001 - a missing bucket (or policy) means done
        if not is_gone(err):
            raise
