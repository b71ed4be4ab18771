"""What lab step code shares: one copy of the helpers labs used to paste into each ``steps.py``.

Labs import only ``awslabs.lab``, ``awslabs.labkit``, ``awslabs.sim``, ``awslabs.local`` (and the
SageMaker SDK adapter ``awslabs.sagemaker_sdk``), never engine internals such as
``awslabs.resources``: ``tests/test_labs.py`` enforces it. Everything here takes the lab's
``ctx`` and uses only ``ctx.client()``, so it behaves the same on moto, a server and real AWS.

Observations: an experiment step (receive a message and watch it come back, read a time series)
cannot leave its result on the target, so it writes what it saw to a file in the run's output
folder with ``record(ctx, name, data)``; its checks read that file with ``observed(ctx, name)``
and judge it. Unlike ``ctx.state``, the file is what the learner keeps and what a later
``awslabs check`` reads, and a check that reads it fails because the step did not write it — not
because an in-memory key is missing (the mutation pass tells the two apart, ``awslabs.mutations``).
"""
from __future__ import annotations

import json
from typing import Any

from .lab import Check

# -- verdict helpers ------------------------------------------------------------------------------


def not_run(name: str, verified_by: str = "emulated") -> Check:
    """A failed check for a step whose effect is not there yet (nothing observed)."""
    return Check(name, False, "the step has not run yet (nothing observed)", verified_by)


def label(ctx, off_aws: str = "simulated") -> str:
    """``verified_by`` for a fact read from the target on AWS but computed off AWS (a simulator
    or a local runner stands in for the service on moto and the server)."""
    return "emulated" if ctx.on_aws else off_aws


def error_code(err: BaseException) -> str:
    """The AWS error code of a botocore ``ClientError`` (``"?"`` for anything else)."""
    response = getattr(err, "response", None) or {}
    return response.get("Error", {}).get("Code", "?")


# -- observations written by experiment steps ----------------------------------------------------


def _observation_path(ctx, name: str):
    return ctx.output_dir / "observations" / f"{name}.json"


def record(ctx, name: str, data: Any) -> None:
    """Write what an experiment observed to ``<output>/observations/<name>.json``."""
    path = _observation_path(ctx, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")


def observed(ctx, name: str) -> Any | None:
    """What ``record`` wrote for ``name`` in this run, or ``None`` if the step did not write it."""
    path = _observation_path(ctx, name)
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


# -- S3 --------------------------------------------------------------------------------------------


def bucket_exists(ctx, bucket: str) -> bool:
    return bucket in [b["Name"] for b in ctx.client("s3").list_buckets()["Buckets"]]


def object_keys(ctx, bucket: str, prefix: str = "") -> list[str]:
    """Every key under ``prefix``, sorted (all pages); ``[]`` when the bucket does not exist."""
    if not bucket_exists(ctx, bucket):
        return []
    pages = ctx.client("s3").get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    return sorted(o["Key"] for page in pages for o in page.get("Contents", []))


def read_object(ctx, bucket: str, key: str) -> bytes:
    return ctx.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()


# -- IAM -------------------------------------------------------------------------------------------

# IAM is eventually consistent: a new role may not be assumable by a service at once
# (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency,
# read 2026-12-06; AWS gives no figure). 10 s is the labs' choice, not an AWS number; a step that
# can retry the call that uses the role does that instead (``wait=False``). Emulators have no delay.
ROLE_PROPAGATION_SECONDS = 10


def trust_policy(service: str | list[str], condition: dict | None = None) -> dict:
    """The trust policy that lets ``service`` (``"glue.amazonaws.com"``, or several) assume a role,
    with an optional ``Condition`` block (e.g. ``aws:SourceArn``)."""
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
    if condition:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}


def create_service_role(ctx, name: str, service: str | list[str], policies: dict[str, list[dict]] | None = None,
                        *, condition: dict | None = None, wait: bool = True) -> str:
    """Create the IAM role ``name`` that ``service`` may assume and return its ARN: recorded in the
    ledger before it exists, tagged with the run's tags, one inline policy per ``policies`` entry
    (policy name → statements). On AWS it then waits
    :data:`ROLE_PROPAGATION_SECONDS` (``wait=False`` when the caller retries the call that uses
    the role instead)."""
    import time

    iam = ctx.client("iam")
    ctx.track("iam:role", name)
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust_policy(service, condition)),
                          Tags=ctx.tag_list())["Role"]["Arn"]
    for policy_name, statements in (policies or {}).items():
        iam.put_role_policy(RoleName=name, PolicyName=policy_name,
                            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements}))
    if wait and ctx.on_aws:
        time.sleep(ROLE_PROPAGATION_SECONDS)
    return arn


def role_arn(ctx, name: str) -> str | None:
    """The ARN of the role ``name``, or ``None`` when it does not exist (yet)."""
    iam = ctx.client("iam")
    try:
        return iam.get_role(RoleName=name)["Role"]["Arn"]
    except iam.exceptions.NoSuchEntityException:
        return None


# -- EC2 networking ------------------------------------------------------------------------------


def network_by_security_group(ctx, group_name: str) -> tuple[str, list[dict], str]:
    """``(vpc id, subnets sorted by CIDR, security group id)`` of the lab's network, found through
    its security group: the group's name is the lab's own (in practice mode every lab's run id is
    "practice", so a tag would not tell labs apart) and its VPC is the lab's VPC."""
    from .lab import StepFailed

    ec2 = ctx.client("ec2")
    groups = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": [group_name]}])["SecurityGroups"]
    if not groups:
        raise StepFailed(f"the lab's security group {group_name} does not exist (the network step)")
    vpc, sg = groups[0]["VpcId"], groups[0]["GroupId"]
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]
    return vpc, sorted(subnets, key=lambda s: s["CidrBlock"]), sg


# -- Application Auto Scaling --------------------------------------------------------------------


def scalable_target_id(namespace: str, resource_id: str, dimension: str) -> str:
    """The ledger id of a scalable target (what ``ctx.track("application-autoscaling:scalable-target", ...)``
    takes)."""
    from .resources.applicationautoscaling import target_id

    return target_id(namespace, resource_id, dimension)


def deregister_scalable_target(ctx, namespace: str, resource_id: str, dimension: str) -> None:
    """Delete the target's scaling policies, then the target (what cleanup does, done now)."""
    from .resources.applicationautoscaling import deregister_scalable_target as deregister

    deregister(ctx, scalable_target_id(namespace, resource_id, dimension), {})


# -- Lake Formation ------------------------------------------------------------------------------


def lake_formation_permissions(ctx) -> list[dict]:
    """Every ``PrincipalResourcePermissions`` entry (all pages)."""
    from .resources.lakeformation import list_all_permissions

    return list_all_permissions(ctx.client("lakeformation"))
