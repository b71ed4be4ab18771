"""What the ml-security processing job does, run here: read the database secret through the job's
role and report whom it connects as — never the password.

The job carries the secret's ARN in its environment (``DB_SECRET_ARN``) and as the container
argument ``--secret-arn``, not the password (moto keeps only the arguments). The
runner reads the job back, decides with :func:`awslabs.judge.role_may_access` whether the job's role
may ``secretsmanager:GetSecretValue`` on that secret (its identity policies with the secret's
resource policy) and ``kms:Decrypt`` the secret's customer managed key through Secrets Manager (the
key policy, fact ``kms.default_key_policy``), as AWS would before answering; only then does it read
the value (with the caller's credentials, which moto does not restrict) and keep the user name and
host. The same logic runs in the container on AWS (``labs/ml-security/practice/files/connect.py``).
"""
from __future__ import annotations

import json

from .. import judge
from ..facts import value

SECRET_ENV = "DB_SECRET_ARN"
GET_SECRET_VALUE = value("secretsmanager.get_secret_value")


SECRET_ARG = "--secret-arn"


def passed_values(job: dict) -> list[str]:
    """Everything the job hands its container: Environment values and container arguments (moto
    5.2.6 drops a processing job's Environment and keeps its AppSpecification)."""
    env = [str(v) for v in (job.get("Environment") or {}).values()]
    return env + [str(a) for a in (job.get("AppSpecification") or {}).get("ContainerArguments") or []]


def _secret_ref(job: dict) -> str | None:
    environment = job.get("Environment") or {}
    if environment.get(SECRET_ENV):
        return environment[SECRET_ENV]
    args = (job.get("AppSpecification") or {}).get("ContainerArguments") or []
    if SECRET_ARG in args[:-1]:
        return args[args.index(SECRET_ARG) + 1]
    return next((v for v in passed_values(job) if ":secretsmanager:" in v), None)


def connect(ctx, job_name: str) -> dict:
    """``{"connected": bool, "connected_as", "host", "secret", "why"}`` for the processing job."""
    sm, secrets, iam = ctx.client("sagemaker"), ctx.client("secretsmanager"), ctx.client("iam")
    job = sm.describe_processing_job(ProcessingJobName=job_name)
    ref = _secret_ref(job)
    if not ref:
        return {"connected": False, "why": f"the job is given no secret ({SECRET_ENV} or {SECRET_ARG})"}
    try:
        meta = secrets.describe_secret(SecretId=ref)
    except Exception as err:  # noqa: BLE001 - a wrong reference is the learner's to fix
        return {"connected": False, "why": f"secret {ref} cannot be read ({type(err).__name__})"}
    role = job["RoleArn"].rsplit("/", 1)[-1]
    policy = secrets.get_resource_policy(SecretId=meta["ARN"]).get("ResourcePolicy")
    may = judge.role_may_access(iam, role, GET_SECRET_VALUE, meta["ARN"], policy)
    if not may:
        return {"connected": False, "secret": meta["ARN"], "why": may.why}
    if meta.get("KmsKeyId"):
        kms = ctx.client("kms")
        key = kms.describe_key(KeyId=meta["KmsKeyId"])["KeyMetadata"]
        key_policy = kms.get_key_policy(KeyId=key["KeyId"], PolicyName="default")["Policy"]
        decrypt = judge.role_may_access(iam, role, "kms:Decrypt", key["Arn"], key_policy,
                                        {"kms:ViaService": f"secretsmanager.{ctx.region}.amazonaws.com"},
                                        key_policy=True)
        if not decrypt:
            return {"connected": False, "secret": meta["ARN"], "why": decrypt.why}
    fields = json.loads(secrets.get_secret_value(SecretId=meta["ARN"])["SecretString"])
    return {"connected": True, "connected_as": fields.get("username"), "host": fields.get("host"),
            "secret": meta["ARN"], "why": f"connected as {fields.get('username')} (read through role {role})"}
