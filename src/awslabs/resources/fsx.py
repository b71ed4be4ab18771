"""Amazon FSx file systems (labs create FSx for Lustre).

Deletion is asynchronous on AWS (``Lifecycle`` goes ``DELETING`` for minutes) and the file
system's network interfaces hold its subnet and security group until it is gone, so the deleter
waits, bounded. moto has no ``Lifecycle`` field and removes the file system at once.
"""
from __future__ import annotations

import time

from . import arn_kind, deleter, is_gone

WAIT_DELAY, WAIT_ATTEMPTS = 15, 80  # a scratch file system is usually gone in under 10 minutes


@deleter("fsx:file-system", order=36)
def delete_file_system(clients, file_system_id: str, extra: dict) -> None:
    fsx = clients.client("fsx")
    kwargs = {}
    if str(extra.get("deployment", "")).startswith("PERSISTENT"):
        # Persistent file systems take a final backup unless told not to; a lab keeps none.
        kwargs["LustreConfiguration"] = {"SkipFinalBackup": True}
    current = fsx.describe_file_systems(FileSystemIds=[file_system_id])["FileSystems"]
    if not current:
        return  # moto answers an empty list for a deleted file system (AWS: FileSystemNotFound)
    if current[0].get("Lifecycle") != "DELETING":  # a second pass finds it already deleting
        fsx.delete_file_system(FileSystemId=file_system_id, **kwargs)
    for _ in range(WAIT_ATTEMPTS):
        try:
            systems = fsx.describe_file_systems(FileSystemIds=[file_system_id])["FileSystems"]
        except Exception as err:  # noqa: BLE001
            if is_gone(err):
                return
            raise
        if not systems or systems[0].get("Lifecycle") in (None, "DELETED"):
            return
        time.sleep(WAIT_DELAY)
    raise TimeoutError(f"{file_system_id} still deleting after {WAIT_DELAY * WAIT_ATTEMPTS} s")


@arn_kind(r"^arn:aws[\w-]*:fsx:[\w-]+:\d+:file-system/(fs-[\w]+)$")
def _file_system_arn(m):
    return ("fsx:file-system", m.group(1))
