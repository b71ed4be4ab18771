"""CloudFormation stacks. Deleting the stack deletes the resources it created, in its own order;
a resource with ``DeletionPolicy: Retain`` outlives it on purpose (the lab's data bucket).

The deleter deletes only the stack it is given (by name) and waits for DELETE_COMPLETE on AWS (moto
deletes at once). The stack's retained S3 buckets whose names start with the stack's own name (so
they are the run's: ``<stack>-data``) are emptied and deleted after it, because a lab run must
leave nothing behind; the lab also tracks that bucket in its ledger, so a run stopped after the
stack was deleted still removes it. The tagging API does not list stacks on moto: a sweeper finds
them by name."""
from __future__ import annotations

from . import arn_kind, deleter, is_gone, sweeper
from .core import delete_bucket


def _stack_buckets(cf, name: str) -> list[str]:
    try:
        listed = cf.describe_stack_resources(StackName=name)["StackResources"]
    except Exception as err:  # noqa: BLE001 - a stack that does not exist has no buckets
        if is_gone(err) or "does not exist" in str(err):
            return []
        raise
    return [r["PhysicalResourceId"] for r in listed
            if r.get("ResourceType") == "AWS::S3::Bucket" and str(r.get("PhysicalResourceId", "")).startswith(f"{name}-")]


@deleter("cloudformation:stack", order=3)
def delete_stack(clients, name: str, extra: dict) -> None:
    cf = clients.client("cloudformation")
    retained = _stack_buckets(cf, name)
    try:
        cf.delete_stack(StackName=name)
    except Exception as err:  # noqa: BLE001
        if not (is_gone(err) or "does not exist" in str(err)):
            raise
    if getattr(clients, "name", "aws") == "aws":
        cf.get_waiter("stack_delete_complete").wait(StackName=name, WaiterConfig={"Delay": 10, "MaxAttempts": 90})
    for bucket in retained:
        try:
            delete_bucket(clients, bucket, {})
        except Exception as err:  # noqa: BLE001 - already gone counts as deleted
            if not is_gone(err):
                raise


@sweeper
def sweep_stacks(clients, prefix: str):
    cf = clients.client("cloudformation")
    found = []
    for page in cf.get_paginator("list_stacks").paginate():
        found += [("cloudformation:stack", s["StackName"]) for s in page.get("StackSummaries", [])
                  if s["StackName"].startswith(prefix) and s.get("StackStatus") != "DELETE_COMPLETE"]
    return found


@arn_kind(r"^arn:aws[\w-]*:cloudformation:[\w-]+:\d+:stack/([^/]+)/.+$")
def _stack_arn(m):
    return ("cloudformation:stack", m.group(1))
