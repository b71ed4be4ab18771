"""Delete what a run created (from the ledger) and find leftovers (by tag and by name).

Deletion runs in dependency order (``awslabs.resources`` kinds carry an order), is idempotent
(an already-deleted resource counts as deleted), and retries once what failed on the first pass,
since a dependent resource may have been in the way.

What the sweep may touch, and why it is this strict: on a real sandbox account deleting someone
else's resource is the worst thing awslabs can do. A swept resource must carry the awslabs tags,
or (for the types the tagging API does not list) a name of the form ``awslabs-<lab>-<run>-…``
whose lab id and run id are read back *exactly* (the run id is six hex digits or ``practice``;
a lab id shortened by ``LabContext.name`` is recognised by its digest). ``lab``/``run`` filters
compare whole ids, never substrings; practice resources (run ``practice``: the learner's own
work) are left alone unless asked for; runs still in flight can be excluded by the caller.
"""
from __future__ import annotations

import hashlib
import os
import re
import socket
from dataclasses import dataclass, field

from . import resources
from .context import PENDING
from .ledger import Entry, Ledger

PRACTICE_RUN = "practice"  # the run id practice mode uses (awslabs.practice)
_RUN_ID = re.compile(r"^(?:[0-9a-f]{6}|practice)$")  # secrets.token_hex(3), or practice
_DIGEST = re.compile(r"^[0-9a-f]{4}$")


@dataclass
class CleanupResult:
    deleted: list[dict] = field(default_factory=list)
    leftover: list[dict] = field(default_factory=list)
    # resources the target cannot delete by its nature (an emulator limit, not a leak)
    notes: list[dict] = field(default_factory=list)
    kept: bool = False

    def to_dict(self) -> dict:
        return {"deleted": self.deleted, "leftover": self.leftover, "notes": self.notes, "kept": self.kept}

    def merge(self, other: "CleanupResult") -> None:
        self.deleted += other.deleted
        self.leftover += other.leftover
        self.notes += other.notes


def _describe_error(err: Exception) -> str:
    response = getattr(err, "response", None)
    if isinstance(response, dict) and "Error" in response:
        return f"{response['Error'].get('Code')}: {response['Error'].get('Message')}"
    return f"{type(err).__name__}: {err}".splitlines()[0]


def delete_entries(clients, entries: list[Entry], ledger: Ledger) -> CleanupResult:
    resources.load_all()
    result = CleanupResult()
    pending_runs = {e.run for e in entries if e.id.startswith(PENDING)}
    for run in sorted(pending_runs):
        # A create call may have happened with no id recorded: find it by its run tag.
        swept = sweep(clients, run=run)
        known = {(e.kind, e.id) for e in entries}
        for kind_name, rid in swept:
            if (kind_name, rid) not in known:
                entries.append(Entry(run=run, lab="?", target="", region="", kind=kind_name, id=rid))
    order = sorted(
        entries,
        key=lambda e: (resources.KINDS[e.kind].order if e.kind in resources.KINDS else 99, -e.ts),
    )
    failed: list[tuple[Entry, str]] = []
    for attempt in (1, 2):
        failed = []
        for entry in order:
            if entry.id.startswith(PENDING):
                ledger.record_deleted(entry)  # resolved above by the tag sweep
                continue
            note = None
            try:
                kind = resources.kind(entry.kind)
                try:
                    note = kind.delete(clients, entry.id, entry.extra)
                except Exception as err:  # noqa: BLE001 - any failure is reported, not raised
                    if not resources.is_gone(err):
                        raise
            except Exception as err:  # noqa: BLE001
                failed.append((entry, _describe_error(err)))
                continue
            if entry.lab != "?":
                ledger.record_deleted(entry)
            if isinstance(note, str):  # the deleter explains why nothing could be deleted
                result.notes.append({"kind": entry.kind, "id": entry.id, "note": note})
            else:
                result.deleted.append({"kind": entry.kind, "id": entry.id})
        if not failed:
            break
        order = [entry for entry, _ in failed]
    result.leftover = [{"kind": e.kind, "id": e.id, "error": msg} for e, msg in failed]
    return result


def _lab_ids() -> list[str]:
    from .catalog import Catalog

    return [lab.id for lab in Catalog()]


def parse_name(name: str, lab_ids) -> tuple[str, str] | None:
    """``(lab, run)`` from a name made by ``LabContext.name`` (``awslabs-<lab>-<run>-…``, or with a
    shortened lab id ``awslabs-<lab[:n]>-<digest>-<run>-…``); None when the name is not of that
    form. A known lab id wins over a shorter reading; an unknown one is read up to the first
    run-shaped segment (a lab since removed from the catalogue still has its leftovers found)."""
    if not name.startswith("awslabs-"):
        return None
    parts = name[len("awslabs-"):].split("-")
    fallback = None
    for i in range(1, len(parts)):
        if not _RUN_ID.match(parts[i]):
            continue
        candidate = "-".join(parts[:i])
        if candidate in lab_ids:
            return candidate, parts[i]
        if i >= 2 and _DIGEST.match(parts[i - 1]):
            cut = "-".join(parts[: i - 1])
            for lab in lab_ids:
                if lab.startswith(cut) and hashlib.sha1(lab.encode()).hexdigest()[:4] == parts[i - 1]:
                    return lab, parts[i]
        if fallback is None and candidate:
            fallback = (candidate, parts[i])
    return fallback


def _name_in(rid: str) -> str | None:
    """The awslabs name inside an id (a name, or an ARN ending in one)."""
    at = rid.find("awslabs-")
    if at < 0:
        return None
    return re.split(r"[/:]", rid[at:], maxsplit=1)[0]


def sweep(
    clients,
    run: str | None = None,
    lab: str | None = None,
    *,
    include_practice: bool = False,
    exclude_runs=(),
    lab_ids=None,
) -> list[tuple[str, str]]:
    """Find awslabs resources: by tag through the tagging API (the tags are read back and
    compared whole), and by name for the types it does not list (the name is parsed into its
    lab and run ids). ``run``/``lab`` must match exactly. Practice resources are included only
    with ``include_practice`` or ``run="practice"``; runs in ``exclude_runs`` (still in flight)
    are left alone."""
    resources.load_all()
    lab_ids = set(_lab_ids() if lab_ids is None else lab_ids)
    if lab:
        lab_ids.add(lab)
    practice_ok = include_practice or run == PRACTICE_RUN

    def wanted(res_lab: str | None, res_run: str | None) -> bool:
        if res_lab is None or res_run is None:
            return False  # not provably awslabs's: never touched
        if lab is not None and res_lab != lab:
            return False
        if run is not None and res_run != run:
            return False
        if res_run == PRACTICE_RUN and not practice_ok:
            return False
        return res_run not in exclude_runs

    found: list[tuple[str, str]] = []
    tag_filters = [{"Key": "awslabs:run", "Values": [run]}] if run else []
    if lab:
        tag_filters.append({"Key": "awslabs:lab", "Values": [lab]})
    if not tag_filters:
        tag_filters = [{"Key": "awslabs:lab"}]
    tagging = clients.client("resourcegroupstaggingapi")
    for page in tagging.get_paginator("get_resources").paginate(TagFilters=tag_filters):
        for item in page.get("ResourceTagMappingList", []):
            tags = {t.get("Key"): t.get("Value") for t in item.get("Tags", [])}
            mapped = resources.from_arn(item["ResourceARN"])
            if mapped and wanted(tags.get("awslabs:lab"), tags.get("awslabs:run")):
                found.append(mapped)
    for sweeper in resources.SWEEPERS:
        try:
            for hit in sweeper(clients, "awslabs-"):
                kind_name, rid = hit[0], hit[1]
                name = hit[2] if len(hit) > 2 else _name_in(rid)
                parsed = parse_name(name, lab_ids) if name else None
                if parsed and wanted(*parsed):
                    found.append((kind_name, rid))
        except Exception as err:  # noqa: BLE001 - an emulator lacking a list call is not fatal
            if "NotImplemented" not in type(err).__name__ and "not yet implemented" not in str(err).lower():
                raise
    return sorted(set(found))


def is_alive(entry: Entry) -> bool:
    """True when the process that recorded ``entry`` still runs on this machine: its run is in
    flight and its own ``finally`` will clean up. Unknown pid or another host: not alive."""
    if entry.pid is None or entry.host != socket.gethostname() or entry.pid == os.getpid():
        return False
    try:
        os.kill(entry.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    except OSError:
        return False
    return True


def live_runs(entries: list[Entry]) -> set[str]:
    return {e.run for e in entries if is_alive(e)}


def delete_found(clients, found: list[tuple[str, str]], ledger: Ledger) -> CleanupResult:
    entries = [Entry(run="?", lab="?", target="", region="", kind=k, id=i) for k, i in found]
    return delete_entries(clients, entries, ledger)
