"""CloudTrail trails. The tagging API does not list trails: a sweeper finds them by name.

Trails go early (order 10): a trail still logging keeps writing into its bucket and log group, so
it must be gone before cleanup empties and deletes the bucket (order 90)."""
from __future__ import annotations

from . import deleter, is_gone, sweeper


@deleter("cloudtrail:trail", order=10)
def delete_trail(clients, name: str, extra: dict) -> None:
    ct = clients.client("cloudtrail")
    try:
        # Stop first: deleting a logging trail is allowed, but stopping makes the final delivery
        # (and its digest) happen before the bucket is emptied on real AWS.
        ct.stop_logging(Name=name)
    except Exception as err:  # noqa: BLE001 - gone or never started: delete anyway
        if is_gone(err):
            return
    ct.delete_trail(Name=name)


@sweeper
def sweep_trails(clients, prefix: str):
    found = []
    for page in clients.client("cloudtrail").get_paginator("list_trails").paginate():
        found += [("cloudtrail:trail", t["Name"]) for t in page.get("Trails", []) if t.get("Name", "").startswith(prefix)]
    return found
