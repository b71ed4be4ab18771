"""How to delete (and find) every kind of resource a lab creates.

Each module in this package registers *kinds* with ``@deleter(kind, order)``: a function
``delete(clients, id, extra)`` that removes one resource. It returns None, or a one-line note
when the target cannot delete that kind at all (an emulator limit, reported as such, not as a
leak). ``clients`` has ``.client(service)``.
Deleters are idempotent: an error that says the resource is already gone counts as deleted.
``order`` gives the dependency order (lower is deleted first: instances before volumes, objects
and buckets last because other resources deliver into them).

``@sweeper`` registers a function ``sweep(clients, prefix) -> [(kind, id), ...]`` that finds
leftovers by name for the types the Resource Groups Tagging API does not list (Kinesis, Kinesis
Video, EMR, CloudTrail, IAM); ``@arn_kind`` maps an ARN from the tagging API to a kind and id.
A sweeper may return ``(kind, id, name)`` when the id carries no name (an EC2 instance left by an
EMR cluster: the cluster's name); otherwise the ``awslabs-…`` name inside the id is used.
``awslabs.cleanup.sweep`` parses that name into its exact lab and run ids before anything is
deleted: a prefix match alone never selects a resource.

To add a service: create ``resources/<service>.py`` with its deleters; it is picked up
automatically.
"""
from __future__ import annotations

import importlib
import pkgutil
import re
from dataclasses import dataclass
from typing import Any, Callable

Deleter = Callable[[Any, str, dict], None]


@dataclass(frozen=True)
class Kind:
    name: str
    order: int
    delete: Deleter


AWSLABS_TAG_KEYS = ("awslabs:lab", "awslabs:run", "awslabs:expires-at")
KINDS: dict[str, Kind] = {}
SWEEPERS: list[Callable] = []
ARN_KINDS: list[tuple[re.Pattern, Callable[[re.Match], tuple[str, str] | None]]] = []
_loaded = False


def deleter(kind: str, order: int = 50):
    def register(fn: Deleter) -> Deleter:
        KINDS[kind] = Kind(kind, order, fn)
        return fn

    return register


def sweeper(fn):
    SWEEPERS.append(fn)
    return fn


def arn_kind(pattern: str):
    """Register ``fn(match) -> (kind, id)`` for tagging-API ARNs matching ``pattern``."""

    def register(fn):
        ARN_KINDS.append((re.compile(pattern), fn))
        return fn

    return register


def load_all() -> None:
    global _loaded
    if _loaded:
        return
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")
    _loaded = True


def kind(name: str) -> Kind:
    load_all()
    try:
        return KINDS[name]
    except KeyError:
        raise KeyError(f"no deleter registered for resource kind '{name}'") from None


def from_arn(arn: str) -> tuple[str, str] | None:
    load_all()
    for pattern, fn in ARN_KINDS:
        match = pattern.match(arn)
        if match:
            return fn(match)
    return None


_GONE_CODES = {
    "NoSuchBucket",
    "NoSuchEntity",
    "NoSuchKey",
    "AWS.SimpleQueueService.NonExistentQueue",
    "QueueDoesNotExist",
    "NotFound",
    "NotFoundException",
    "ResourceNotFoundException",
    "ResourceNotFound",
    "EntityNotFoundException",
    "ValidationException",  # SageMaker: "Could not find endpoint ..."
    "TrailNotFoundException",
    "StateMachineDoesNotExist",
    "FileSystemNotFound",
    "MountTargetNotFound",
    "AccessPointNotFound",
}


def is_gone(err: Exception) -> bool:
    """True when a botocore ClientError says the resource does not exist (already deleted)."""
    response = getattr(err, "response", None)
    if not isinstance(response, dict):
        return False
    code = response.get("Error", {}).get("Code", "")
    message = (response.get("Error", {}).get("Message") or "").lower()
    if code == "ValidationException":
        return "not found" in message or "could not find" in message or "does not exist" in message
    return code in _GONE_CODES or code.endswith((".NotFound", "NotFoundException", "NotFound"))
