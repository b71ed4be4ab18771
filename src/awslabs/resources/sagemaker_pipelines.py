"""SageMaker Pipelines and the model registry: pipelines and model package groups (with their versions).

A model package group cannot be deleted while it holds versions, so its deleter deletes every
model package in it first. Pipeline executions are not resources of their own: deleting the
pipeline removes them.
"""
from __future__ import annotations

from . import arn_kind, deleter
from .kinesisanalytics import emulator_cannot

EMULATOR_KEPT: set[str] = set()  # group ARNs the emulator refused to delete (moto 5.2.5: not implemented)


@deleter("sagemaker:pipeline", order=8)
def delete_pipeline(clients, name: str, extra: dict) -> None:
    clients.client("sagemaker").delete_pipeline(PipelineName=name)


@deleter("sagemaker:model-package-group", order=12)
def delete_model_package_group(clients, name: str, extra: dict) -> str | None:
    """moto 5.2.5 implements neither ``DeleteModelPackage`` nor ``DeleteModelPackageGroup``: the
    group stays in the emulator's memory, reported once as an emulator limit (not a leak)."""
    sm = clients.client("sagemaker")
    try:
        arn = sm.describe_model_package_group(ModelPackageGroupName=name)["ModelPackageGroupArn"]
    except Exception as err:  # noqa: BLE001
        from . import is_gone

        if is_gone(err) or "does not exist" in str(err).lower():
            return None
        raise
    try:
        token = None
        while True:
            page = sm.list_model_packages(ModelPackageGroupName=name, **({"NextToken": token} if token else {}))
            for package in page.get("ModelPackageSummaryList", []):
                sm.delete_model_package(ModelPackageName=package["ModelPackageArn"])
            token = page.get("NextToken")
            if not token:
                break
        sm.delete_model_package_group(ModelPackageGroupName=name)
    except Exception as err:  # noqa: BLE001 - only "not implemented" is tolerated
        on_emulator = getattr(clients, "name", "aws") in ("moto", "server")
        status = (getattr(err, "response", None) or {}).get("ResponseMetadata", {}).get("HTTPStatusCode")
        if not (emulator_cannot(err) or (on_emulator and status in (404, 500, 501))):
            raise
        EMULATOR_KEPT.add(arn)
        return (f"emulator limit: {getattr(clients, 'name', 'the emulator')} cannot delete model packages or "
                "model package groups; the group stays in the emulator's memory until it restarts (on AWS it is deleted)")
    return None


@arn_kind(r"^arn:aws[\w-]*:sagemaker:[\w-]+:\d+:pipeline/([^/]+)$")
def _pipeline_arn(m):
    return ("sagemaker:pipeline", m.group(1))


@arn_kind(r"^arn:aws[\w-]*:sagemaker:[\w-]+:\d+:model-package-group/([^/]+)$")
def _group_arn(m):
    if m.group(0) in EMULATOR_KEPT:
        return None  # reported once by the deleter as an emulator limit
    return ("sagemaker:model-package-group", m.group(1))
