"""Delete what a run created (from the ledger) and find leftovers (by tag and by name).

Deletion runs in dependency order (``awslabs.resources`` kinds carry an order), is idempotent
(an already-deleted resource counts as deleted), and retries once what failed on the first pass,
since a dependent resource may have been in the way.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from . import resources
from .context import PENDING
from .ledger import Entry, Ledger


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


def sweep(clients, run: str | None = None, lab: str | None = None) -> list[tuple[str, str]]:
    """Find awslabs resources: by tag through the tagging API, and by name prefix for the
    types it does not list. ``run``/``lab`` narrow the search."""
    resources.load_all()
    found: list[tuple[str, str]] = []
    tag_filters = [{"Key": "awslabs:run", "Values": [run]}] if run else []
    if lab:
        tag_filters.append({"Key": "awslabs:lab", "Values": [lab]})
    if not tag_filters:
        tag_filters = [{"Key": "awslabs:lab"}]
    tagging = clients.client("resourcegroupstaggingapi")
    for page in tagging.get_paginator("get_resources").paginate(TagFilters=tag_filters):
        for item in page.get("ResourceTagMappingList", []):
            mapped = resources.from_arn(item["ResourceARN"])
            if mapped:
                found.append(mapped)
    prefix = "awslabs-" + (f"{lab}-" if lab else "")
    for sweeper in resources.SWEEPERS:
        try:
            for kind_name, rid in sweeper(clients, prefix):
                if run is None or f"-{run}-" in rid or rid.endswith(f"-{run}"):
                    found.append((kind_name, rid))
        except Exception as err:  # noqa: BLE001 - an emulator lacking a list call is not fatal
            if "NotImplemented" not in type(err).__name__ and "not yet implemented" not in str(err).lower():
                raise
    return sorted(set(found))


def delete_found(clients, found: list[tuple[str, str]], ledger: Ledger) -> CleanupResult:
    entries = [Entry(run="?", lab="?", target="", region="", kind=k, id=i) for k, i in found]
    return delete_entries(clients, entries, ledger)
