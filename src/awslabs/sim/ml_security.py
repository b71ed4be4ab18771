"""The requests the ml-security lab asks about, with the verdict the task wants for each.

The lab's checks read the learner's policies back (bucket policy, role policies, endpoint policy,
key policy) and ask :mod:`awslabs.judge` how AWS would decide each of these requests; an equivalent
policy written another way passes, a near miss fails on the row it gets wrong. The rows are the
task's own statements written as requests, with the condition keys AWS sets on them:

* ``aws:SecureTransport`` is ``"false"`` for plain HTTP (fact ``s3.secure_transport``);
* an SSE-KMS upload carries ``s3:x-amz-server-side-encryption: aws:kms`` and the key's ARN in
  ``s3:x-amz-server-side-encryption-aws-kms-key-id`` (fact ``s3.sse_kms_header``);
* a service using a key for the caller sets ``kms:ViaService`` (fact ``kms.via_service``).

Pure data and functions: no AWS call.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..facts import value

SSE_HEADER = value("s3.sse_kms_header")["key"]
SSE_KMS = value("s3.sse_kms_header")["value"]
SSE_KEY_ID = "s3:x-amz-server-side-encryption-aws-kms-key-id"
INSECURE = value("s3.secure_transport")  # aws:SecureTransport over plain HTTP
_IPSEC = value("sagemaker.inter_container_encryption")
# the self-referencing rules inter-container traffic encryption needs (IPsec: IKE and ESP)
IPSEC_RULES = ({"IpProtocol": "udp", "FromPort": _IPSEC["udp_port"], "ToPort": _IPSEC["udp_port"]},
               {"IpProtocol": str(_IPSEC["ip_protocol"]), "FromPort": -1, "ToPort": -1})

TRAIN_PREFIX = "train/"
MODELS_PREFIX = "models/"
RESTRICTED_PREFIX = "restricted/"


@dataclass(frozen=True)
class Row:
    """One request and the verdict the task wants: ``allowed`` True or False."""

    name: str
    action: str
    resource: str
    allowed: bool
    context: dict = field(default_factory=dict)
    principal: str = "role"  # "role" (the training role), "root" (the account), "other" (another role)


def _tls(secure: bool = True, **keys) -> dict:
    return {"aws:SecureTransport": "true" if secure else INSECURE, **keys}


def bucket_requests(bucket: str, key_arn: str) -> list[Row]:
    """The bucket policy's matrix: TLS only, SSE-KMS uploads only, the role's own reads still allowed."""
    obj = f"arn:aws:s3:::{bucket}/{MODELS_PREFIX}model.tar.gz"
    data = f"arn:aws:s3:::{bucket}/{TRAIN_PREFIX}part-0.csv"
    kms = {SSE_HEADER: SSE_KMS, SSE_KEY_ID: key_arn}
    return [
        Row("an upload without the encryption header is refused", "s3:PutObject", obj, False, _tls()),
        Row("an SSE-KMS upload over HTTPS is allowed", "s3:PutObject", obj, True, _tls(**kms)),
        Row("an SSE-KMS upload over plain HTTP is refused", "s3:PutObject", obj, False, _tls(False, **kms)),
        Row("a GetObject over plain HTTP is refused", "s3:GetObject", data, False, _tls(False)),
        Row("a ListBucket over plain HTTP is refused", "s3:ListBucket", f"arn:aws:s3:::{bucket}", False,
            _tls(False, **{"s3:prefix": TRAIN_PREFIX})),
        Row("the role's GetObject on train/ over HTTPS is allowed", "s3:GetObject", data, True, _tls()),
    ]


def role_requests(bucket: str, secret_arn: str, other_secret_arn: str) -> list[Row]:
    """The training role's least-privilege matrix (its identity policies alone)."""
    b = f"arn:aws:s3:::{bucket}"
    return [
        Row("read the training data (train/)", "s3:GetObject", f"{b}/{TRAIN_PREFIX}part-0.csv", True, _tls()),
        Row("list the train/ prefix", "s3:ListBucket", b, True, _tls(**{"s3:prefix": TRAIN_PREFIX})),
        Row("write the model (models/)", "s3:PutObject", f"{b}/{MODELS_PREFIX}model.tar.gz", True,
            _tls(**{SSE_HEADER: SSE_KMS})),
        Row("read the database secret", "secretsmanager:GetSecretValue", secret_arn, True),
        Row("read restricted/ (explicitly denied)", "s3:GetObject", f"{b}/{RESTRICTED_PREFIX}customers.csv", False,
            _tls()),
        Row("overwrite the training data", "s3:PutObject", f"{b}/{TRAIN_PREFIX}part-0.csv", False,
            _tls(**{SSE_HEADER: SSE_KMS})),
        Row("delete the bucket", "s3:DeleteBucket", b, False, _tls()),
        Row("read another bucket", "s3:GetObject", "arn:aws:s3:::some-other-bucket/data.csv", False, _tls()),
        Row("read another secret", "secretsmanager:GetSecretValue", other_secret_arn, False),
    ]


def endpoint_requests(bucket: str) -> list[Row]:
    """The gateway endpoint policy's matrix: the lab bucket through the endpoint, nothing else."""
    b = f"arn:aws:s3:::{bucket}"
    return [
        Row("the role reads train/ through the endpoint", "s3:GetObject", f"{b}/{TRAIN_PREFIX}part-0.csv", True),
        Row("the role writes models/ through the endpoint", "s3:PutObject", f"{b}/{MODELS_PREFIX}model.tar.gz", True),
        Row("another bucket is unreachable through the endpoint", "s3:GetObject",
            "arn:aws:s3:::some-other-bucket/data.csv", False),
    ]


def kms_requests(region: str) -> list[Row]:
    """The key policy's matrix: the account administers the key, only the role uses it (through the
    services the lab uses), the role does not administer it, another role gets nothing by default."""
    def via(service: str) -> dict:
        return {"kms:ViaService": f"{service}.{region}.amazonaws.com"}

    return [
        Row("the account (root) may administer the key (PutKeyPolicy)", "kms:PutKeyPolicy", "", True, principal="root"),
        Row("the role may GenerateDataKey through S3", "kms:GenerateDataKey", "", True, via("s3")),
        Row("the role may Decrypt through S3", "kms:Decrypt", "", True, via("s3")),
        Row("the role may Decrypt through Secrets Manager", "kms:Decrypt", "", True, via("secretsmanager")),
        Row("the role may not schedule the key's deletion", "kms:ScheduleKeyDeletion", "", False),
        Row("another role of the account may not Decrypt", "kms:Decrypt", "", False, via("s3"), principal="other"),
    ]
