"""Amazon Athena workgroups (found by the tagging API)."""
from __future__ import annotations

from . import arn_kind, deleter


@deleter("athena:workgroup", order=30)
def delete_workgroup(clients, name: str, extra: dict) -> None:
    # Recursive: also deletes the workgroup's named queries and prepared statements.
    clients.client("athena").delete_work_group(WorkGroup=name, RecursiveDeleteOption=True)


@arn_kind(r"^arn:aws[\w-]*:athena:[\w-]+:\d+:workgroup/(.+)$")
def _workgroup_arn(m):
    return ("athena:workgroup", m.group(1))
