"""AWS Lake Formation: grants, LF-tags, registered S3 locations and data-lake administrators.

None of these is taggable, so each has a sweeper that finds it by the run's name in it.
Deleters are ordered: revoke grants (15) before the Glue tables/databases they name go (55/60),
delete LF-tags (65) after the grants that use them, deregister locations (70), and remove
administrators (72) last, since an administrator is who may do all of the above on real AWS.
"""
from __future__ import annotations

import json

from . import deleter, sweeper


def _strip_catalog(value):
    """Resources read back may carry ``CatalogId`` (AWS fills it in); compare without it."""
    if isinstance(value, dict):
        return {k: _strip_catalog(v) for k, v in value.items() if k != "CatalogId"}
    if isinstance(value, list):
        return [_strip_catalog(v) for v in value]
    return value


def _same(a: dict, b: dict) -> bool:
    return json.dumps(_strip_catalog(a), sort_keys=True) == json.dumps(_strip_catalog(b), sort_keys=True)


def list_all_permissions(lf) -> list[dict]:
    found, token = [], None
    while True:
        page = lf.list_permissions(**({"NextToken": token} if token else {}))
        found += page.get("PrincipalResourcePermissions", [])
        token = page.get("NextToken")
        if not token:
            return found


@deleter("lakeformation:permission", order=15)
def revoke_permission(clients, label: str, extra: dict) -> None:
    """Revoke only what is still granted (read back first): revoking twice, or revoking what
    another grant to the same principal and resource holds, is an error on AWS and a crash on
    moto. Labs make one grant per principal and resource, so this revokes exactly one entry."""
    lf = clients.client("lakeformation")
    principal, resource = extra["principal"], extra["resource"]
    for entry in list_all_permissions(lf):
        if entry["Principal"]["DataLakePrincipalIdentifier"] != principal:
            continue
        if not _same(entry["Resource"], resource):
            continue
        held = [p for p in entry.get("Permissions", []) if p in extra["permissions"]]
        grantable = [p for p in entry.get("PermissionsWithGrantOption", []) if p in extra["permissions"]]
        if held:
            lf.revoke_permissions(
                Principal={"DataLakePrincipalIdentifier": principal},
                Resource=resource,
                Permissions=held,
                PermissionsWithGrantOption=grantable,
            )
        return


@deleter("lakeformation:lf-tag", order=65)
def delete_lf_tag(clients, key: str, extra: dict) -> None:
    lf = clients.client("lakeformation")
    if key in [t["TagKey"] for t in lf.list_lf_tags().get("LFTags", [])]:
        lf.delete_lf_tag(TagKey=key)


@deleter("lakeformation:resource", order=70)
def deregister_resource(clients, arn: str, extra: dict) -> None:
    clients.client("lakeformation").deregister_resource(ResourceArn=arn)


@deleter("lakeformation:admin", order=72)
def remove_admin(clients, principal: str, extra: dict) -> None:
    """Data-lake settings are one document per account: read it, drop only this principal, write
    it back, so that administrators someone else set stay."""
    lf = clients.client("lakeformation")
    settings = lf.get_data_lake_settings()["DataLakeSettings"]
    admins = settings.get("DataLakeAdmins", [])
    kept = [a for a in admins if a.get("DataLakePrincipalIdentifier") != principal]
    if len(kept) != len(admins):
        settings["DataLakeAdmins"] = kept
        lf.put_data_lake_settings(DataLakeSettings=settings)


@sweeper
def sweep_lakeformation(clients, prefix: str):
    """LF-tags, registered locations and administrators are not taggable: find them by name."""
    lf = clients.client("lakeformation")
    found = []
    listings = (
        ("lakeformation:lf-tag", lambda: [t["TagKey"] for t in lf.list_lf_tags().get("LFTags", [])]),
        ("lakeformation:resource", lambda: [r["ResourceArn"] for r in lf.list_resources().get("ResourceInfoList", [])]),
        ("lakeformation:admin", lambda: [a["DataLakePrincipalIdentifier"] for a in
                                         lf.get_data_lake_settings()["DataLakeSettings"].get("DataLakeAdmins", [])]),
    )
    for kind_name, listing in listings:
        try:
            found += [(kind_name, rid) for rid in listing()]
        except Exception as err:  # noqa: BLE001 - a caller without Lake Formation rights has made none
            code = getattr(err, "response", {}).get("Error", {}).get("Code", "")
            if code not in ("AccessDeniedException", "AccessDenied"):
                raise
    return [(kind_name, rid) for kind_name, rid in found if prefix in rid]
