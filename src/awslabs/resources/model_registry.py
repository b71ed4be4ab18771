"""SageMaker Model Registry (model package groups and their versions) and EventBridge rules.

A model package group can only be deleted once it holds no model packages, so its deleter deletes
every version first. moto 5.2.6 implements neither ``DeleteModelPackage`` nor
``DeleteModelPackageGroup``: on the emulator the deleter returns a note (an emulator limit, listed
under the cleanup report's ``notes``, not as a leak), remembers the ARNs in ``EMULATOR_KEPT`` and
the tag sweep does not report them again in this process (as for Kinesis Data Analytics).

An EventBridge rule cannot be deleted while it has targets: ``RemoveTargets`` first.
"""
from __future__ import annotations

from . import arn_kind, deleter, is_gone
from .kinesisanalytics import emulator_cannot

EMULATOR_KEPT: set[str] = set()  # group and package ARNs the emulator refused to delete


def _on_emulator_refusal(clients, err: Exception) -> bool:
    on_emulator = getattr(clients, "name", "aws") in ("moto", "server")
    status = (getattr(err, "response", None) or {}).get("ResponseMetadata", {}).get("HTTPStatusCode")
    return emulator_cannot(err) or (on_emulator and status in (404, 500, 501))


@deleter("sagemaker:model-package-group", order=35)
def delete_model_package_group(clients, name: str, extra: dict) -> str | None:
    sm = clients.client("sagemaker")
    try:
        group_arn = sm.describe_model_package_group(ModelPackageGroupName=name)["ModelPackageGroupArn"]
    except Exception as err:  # noqa: BLE001 - only "does not exist" means done
        if is_gone(err):
            return None
        raise
    packages = []
    for page in sm.get_paginator("list_model_packages").paginate(ModelPackageGroupName=name):
        packages += [p["ModelPackageArn"] for p in page.get("ModelPackageSummaryList", [])]
    try:
        for arn in packages:
            sm.delete_model_package(ModelPackageName=arn)
        sm.delete_model_package_group(ModelPackageGroupName=name)
    except Exception as err:  # noqa: BLE001 - only "not implemented" is tolerated
        if not _on_emulator_refusal(clients, err):
            raise
        EMULATOR_KEPT.update([group_arn, *packages])
        return (f"emulator limit: {getattr(clients, 'name', 'the emulator')} cannot delete model packages "
                "or model package groups; they stay in the emulator's memory until it restarts "
                "(on AWS they are deleted)")
    return None


def _kept(group_arn: str) -> bool:
    """Did the emulator refuse to delete this group (reported once, by the deleter)?"""
    return group_arn in EMULATOR_KEPT


@arn_kind(r"^arn:aws[\w-]*:sagemaker:[\w-]+:\d+:model-package-group/([^/]+)$")
def _group_arn(m):
    if _kept(m.group(0)):
        return None  # reported once by the deleter as an emulator limit
    return ("sagemaker:model-package-group", m.group(1))


@arn_kind(r"^arn:aws[\w-]*:sagemaker:[\w-]+:\d+:model-package/([^/]+)/\d+$")
def _package_arn(m):
    """A version is deleted with its group (the group's deleter deletes every version first)."""
    group_arn = m.group(0).rsplit("/", 1)[0].replace(":model-package/", ":model-package-group/")
    if m.group(0) in EMULATOR_KEPT or _kept(group_arn):
        return None
    return ("sagemaker:model-package-group", m.group(1))


@deleter("events:rule", order=12)
def delete_rule(clients, name: str, extra: dict) -> None:
    events = clients.client("events")
    bus = extra.get("bus", "default")
    targets = events.list_targets_by_rule(Rule=name, EventBusName=bus).get("Targets", [])
    if targets:
        events.remove_targets(Rule=name, EventBusName=bus, Ids=[t["Id"] for t in targets])
    events.delete_rule(Name=name, EventBusName=bus)


@arn_kind(r"^arn:aws[\w-]*:events:[\w-]+:\d+:rule/([^/]+)$")
def _rule_arn(m):
    return ("events:rule", m.group(1))
