"""AWS KMS customer managed keys (ml-security).

A KMS key cannot be deleted at once: ``ScheduleKeyDeletion`` puts it in ``PendingDeletion`` for a
waiting period of 7 to 30 days (7 is the minimum, https://docs.aws.amazon.com/kms/latest/APIReference/API_ScheduleKeyDeletion.html),
after which KMS deletes it with its aliases. The deleter deletes the key's aliases at once (an alias
name could otherwise not be reused by the next run) and schedules the deletion with the minimum
window. A key already pending deletion counts as deleted. A key the lab scheduled in this process is
not reported again by the tag sweep (it stays tagged until KMS deletes it). The emulators' tagging
API does not list keys, and a practice learner's key is never in the ledger, so a sweeper also finds
keys by their ``alias/awslabs-…`` alias (the alias's name says which lab and run it belongs to).
"""
from __future__ import annotations

from ..facts import value
from . import arn_kind, deleter, is_gone, sweeper

PENDING_WINDOW_DAYS = value("kms.min_pending_window_days")
SCHEDULED: set[str] = set()  # key ids scheduled for deletion in this process


@deleter("kms:key", order=95)  # after everything encrypted with it (buckets are 90)
def delete_key(clients, key_id: str, extra: dict) -> None:
    kms = clients.client("kms")
    try:
        state = kms.describe_key(KeyId=key_id)["KeyMetadata"].get("KeyState")
    except Exception as err:  # noqa: BLE001 - only "does not exist" means done
        if is_gone(err):
            return None
        raise
    for page in kms.get_paginator("list_aliases").paginate(KeyId=key_id):
        for alias in page.get("Aliases", []):
            kms.delete_alias(AliasName=alias["AliasName"])
    if state not in ("PendingDeletion", "PendingReplicaDeletion"):
        kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=PENDING_WINDOW_DAYS)
    SCHEDULED.add(key_id)
    return None


@arn_kind(r"^arn:aws[\w-]*:kms:[\w-]+:\d+:key/([0-9a-f-]+)$")
def _key_arn(m):
    if m.group(1) in SCHEDULED:
        return None  # pending deletion: KMS deletes it after the waiting period
    return ("kms:key", m.group(1))


@sweeper
def _keys_by_alias(clients, prefix: str):
    kms = clients.client("kms")
    for page in kms.get_paginator("list_aliases").paginate():
        for alias in page.get("Aliases", []):
            name = alias.get("AliasName", "")
            if name.startswith(f"alias/{prefix}") and alias.get("TargetKeyId"):
                yield ("kms:key", alias["TargetKeyId"], name[len("alias/"):])
