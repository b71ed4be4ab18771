"""Amazon EFS: mount targets, access points and file systems.

Order matters: a file system with mount targets cannot be deleted (``FileSystemInUse``), and a
subnet or security group still used by a mount target's network interface cannot be deleted
either, so mount targets go first (30) and their deletion is awaited (it is asynchronous on AWS).
"""
from __future__ import annotations

import time

from . import arn_kind, deleter, is_gone

WAIT_DELAY, WAIT_ATTEMPTS = 5, 60  # mount-target deletion takes about a minute on AWS


def _wait_mount_targets_gone(efs, file_system_id: str, ids: list[str]) -> None:
    for _ in range(WAIT_ATTEMPTS):
        try:
            left = [m["MountTargetId"] for m in efs.describe_mount_targets(FileSystemId=file_system_id)["MountTargets"]]
        except Exception as err:  # noqa: BLE001 - the file system itself is gone
            if is_gone(err):
                return
            raise
        if not any(m in left for m in ids):
            return
        time.sleep(WAIT_DELAY)
    raise TimeoutError(f"mount targets {ids} still exist after {WAIT_DELAY * WAIT_ATTEMPTS} s")


@deleter("efs:mount-target", order=30)
def delete_mount_target(clients, label: str, extra: dict) -> None:
    """``label`` is ``<file-system-id>/<subnet-id>``: known before the create call, unlike the id."""
    efs = clients.client("efs")
    file_system_id, subnet_id = label.split("/", 1)
    targets = efs.describe_mount_targets(FileSystemId=file_system_id)["MountTargets"]
    doomed = [m for m in targets if m["SubnetId"] == subnet_id]
    for target in doomed:
        if target.get("LifeCycleState") not in ("deleting", "deleted"):  # a second pass finds it deleting
            efs.delete_mount_target(MountTargetId=target["MountTargetId"])
    _wait_mount_targets_gone(efs, file_system_id, [m["MountTargetId"] for m in doomed])


@deleter("efs:access-point", order=32)
def delete_access_point(clients, access_point_id: str, extra: dict) -> None:
    clients.client("efs").delete_access_point(AccessPointId=access_point_id)


@deleter("efs:file-system", order=36)
def delete_file_system(clients, file_system_id: str, extra: dict) -> None:
    """Delete what still holds the file system (mount targets) first, then the file system."""
    efs = clients.client("efs")
    targets = efs.describe_mount_targets(FileSystemId=file_system_id)["MountTargets"]
    for target in targets:
        if target.get("LifeCycleState") not in ("deleting", "deleted"):
            efs.delete_mount_target(MountTargetId=target["MountTargetId"])
    _wait_mount_targets_gone(efs, file_system_id, [t["MountTargetId"] for t in targets])
    efs.delete_file_system(FileSystemId=file_system_id)


@arn_kind(r"^arn:aws[\w-]*:elasticfilesystem:[\w-]+:\d+:file-system/(fs-[\w]+)$")
def _file_system_arn(m):
    return ("efs:file-system", m.group(1))


@arn_kind(r"^arn:aws[\w-]*:elasticfilesystem:[\w-]+:\d+:access-point/(fsap-[\w]+)$")
def _access_point_arn(m):
    return ("efs:access-point", m.group(1))
