"""Lake Formation permission evaluator: "may principal P do X on column C of table T?"

moto stores Lake Formation grants but enforces nothing, so a lab that wants to *show* what a
grant does asks this module, which applies Lake Formation's documented rules to the grants, tags
and settings read back from the API (``LakePolicy.from_api``):

- Permissions are additive; there is no deny. A principal may do what any one grant allows.
  https://docs.aws.amazon.com/lake-formation/latest/dg/lake-formation-permissions.html
- Named-resource grants. ``Database`` grants database permissions (DESCRIBE, CREATE_TABLE, ALTER,
  DROP) and no data access: SELECT is a table permission. ``Table`` (by name or
  ``TableWildcard``) with SELECT covers every column. ``TableWithColumns`` covers only
  ``ColumnNames``, or with ``ColumnWildcard`` every column except ``ExcludedColumnNames``.
  ``ALL`` (formerly ``SUPER``) includes every table permission.
  https://docs.aws.amazon.com/lake-formation/latest/dg/granting-table-permissions.html
  https://docs.aws.amazon.com/lake-formation/latest/dg/lf-permissions-reference.html
- LF-tags (tag-based access control). A column inherits its table's LF-tags and a table its
  database's; a value assigned lower down overrides the inherited value for that key. A resource
  holds one value per key.
  https://docs.aws.amazon.com/lake-formation/latest/dg/TBAC-assigning-tags.html
  An ``LFTagPolicy`` grant holds an expression: the resource matches when, for *every* key in
  the expression, its (effective) value is *one of* the listed values (AND across keys, OR
  within a key). ``ResourceType`` TABLE grants table permissions on matching tables, and for
  SELECT on exactly the matching columns; DATABASE grants database permissions.
  https://docs.aws.amazon.com/lake-formation/latest/dg/lf-tag-considerations.html
- Data-lake administrators have implicit DESCRIBE on every resource and may grant anything to
  anyone, themselves included, but have *no* implicit SELECT on data: they must grant it first.
  https://docs.aws.amazon.com/lake-formation/latest/dg/implicit-permissions.html
- ``IAM_ALLOWED_PRINCIPALS`` holding ALL on a table (the default for new tables unless the
  database's ``CreateTableDefaultPermissions`` is emptied) means Lake Formation defers to IAM for
  that table: every principal IAM allows gets full access, whatever the other grants say.
  https://docs.aws.amazon.com/lake-formation/latest/dg/change-settings.html

Not modelled: data cell filters (row filters), cross-account shares, hybrid access mode,
``DATA_LOCATION_ACCESS``, grant chains. IAM itself is assumed to allow the call.
"""
from __future__ import annotations

from dataclasses import dataclass, field

IAM_ALLOWED = "IAM_ALLOWED_PRINCIPALS"
TABLE_PERMISSIONS = {"SELECT", "INSERT", "DELETE", "DESCRIBE", "ALTER", "DROP"}
DATABASE_PERMISSIONS = {"CREATE_TABLE", "DESCRIBE", "ALTER", "DROP"}


@dataclass(frozen=True)
class Grant:
    principal: str
    resource: dict
    permissions: frozenset
    grantable: frozenset = frozenset()

    @classmethod
    def from_api(cls, entry: dict) -> "Grant":
        """One element of ``ListPermissions``' ``PrincipalResourcePermissions``."""
        return cls(
            entry["Principal"]["DataLakePrincipalIdentifier"],
            entry["Resource"],
            frozenset(entry.get("Permissions", [])),
            frozenset(entry.get("PermissionsWithGrantOption", [])),
        )

    def allows(self, permission: str) -> bool:
        return permission in self.permissions or "ALL" in self.permissions or "SUPER" in self.permissions


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str

    def __bool__(self) -> bool:
        return self.allowed


@dataclass
class LakePolicy:
    """The state Lake Formation decides from: admins, grants, tables and their LF-tags."""

    admins: set[str] = field(default_factory=set)
    grants: list[Grant] = field(default_factory=list)
    tables: dict[tuple[str, str], list[str]] = field(default_factory=dict)  # (db, table) -> columns
    database_tags: dict[str, dict[str, str]] = field(default_factory=dict)
    table_tags: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)
    column_tags: dict[tuple[str, str, str], dict[str, str]] = field(default_factory=dict)

    # -- building from the API --------------------------------------------------------------
    @classmethod
    def from_api(
        cls,
        settings: dict,
        permissions: list[dict],
        tables: dict[tuple[str, str], list[str]],
        database_tags: dict[str, list[dict]] | None = None,
        table_tags: dict[tuple[str, str], list[dict]] | None = None,
        column_tags: dict[tuple[str, str], list[dict]] | None = None,
    ) -> "LakePolicy":
        """``settings``: ``GetDataLakeSettings``' ``DataLakeSettings``; ``permissions``:
        ``ListPermissions`` entries; tag lists as ``GetResourceLFTags`` returns them
        (``LFTagOnDatabase``, ``LFTagsOnTable``, ``LFTagsOnColumns``)."""

        def pairs(tags: list[dict]) -> dict[str, str]:
            # One value per key per resource (the API takes a one-element TagValues list).
            return {t["TagKey"]: t["TagValues"][0] for t in tags if t.get("TagValues")}

        policy = cls(
            admins={a["DataLakePrincipalIdentifier"] for a in settings.get("DataLakeAdmins", [])},
            grants=[Grant.from_api(p) for p in permissions],
            tables={k: list(v) for k, v in tables.items()},
        )
        for db, tags in (database_tags or {}).items():
            policy.database_tags[db] = pairs(tags)
        for key, tags in (table_tags or {}).items():
            policy.table_tags[key] = pairs(tags)
        for (db, table), columns in (column_tags or {}).items():
            for column in columns:
                policy.column_tags[(db, table, column["Name"])] = pairs(column["LFTags"])
        return policy

    # -- LF-tags ----------------------------------------------------------------------------
    def effective_tags(self, db: str, table: str | None = None, column: str | None = None) -> dict[str, str]:
        """Tags a resource carries: inherited from above, overridden key by key below."""
        tags = dict(self.database_tags.get(db, {}))
        if table is not None:
            tags.update(self.table_tags.get((db, table), {}))
        if column is not None:
            tags.update(self.column_tags.get((db, table, column), {}))
        return tags

    @staticmethod
    def matches(expression: list[dict], tags: dict[str, str]) -> bool:
        """AND across the expression's keys, OR across each key's values."""
        return all(tags.get(term["TagKey"]) in term["TagValues"] for term in expression)

    # -- decisions --------------------------------------------------------------------------
    def _table_grants(self, principal: str):
        return [g for g in self.grants if g.principal in (principal, IAM_ALLOWED)]

    def _iam_only(self, db: str, table: str) -> bool:
        for g in self.grants:
            if g.principal != IAM_ALLOWED or not g.allows("SELECT"):
                continue
            res = g.resource.get("Table")
            if res and res.get("DatabaseName") == db and (res.get("Name") == table or "TableWildcard" in res):
                return True
        return False

    def can_column(self, principal: str, permission: str, db: str, table: str, column: str) -> Decision:
        """May ``principal`` use ``permission`` (SELECT...) on ``column`` of ``db.table``?"""
        if self._iam_only(db, table):
            return Decision(True, "IAM_ALLOWED_PRINCIPALS has ALL on the table: IAM alone decides")
        for g in self.grants:
            if g.principal != principal or not g.allows(permission):
                continue
            res = g.resource
            if "Table" in res:
                t = res["Table"]
                if t.get("DatabaseName") == db and (t.get("Name") == table or "TableWildcard" in t):
                    return Decision(True, f"{permission} on the table (all columns)")
            elif "TableWithColumns" in res:
                t = res["TableWithColumns"]
                if t.get("DatabaseName") != db or t.get("Name") != table:
                    continue
                if "ColumnWildcard" in t:
                    excluded = t["ColumnWildcard"].get("ExcludedColumnNames", [])
                    if column not in excluded:
                        return Decision(True, f"{permission} on all columns except {excluded}")
                elif column in t.get("ColumnNames", []):
                    return Decision(True, f"{permission} on columns {t['ColumnNames']}")
            elif "LFTagPolicy" in res and res["LFTagPolicy"].get("ResourceType") == "TABLE":
                expression = res["LFTagPolicy"]["Expression"]
                if self.matches(expression, self.effective_tags(db, table, column)):
                    return Decision(True, f"LF-tag grant {_expr(expression)} matches the column's tags")
        if principal in self.admins and permission == "DESCRIBE":
            return Decision(True, "data-lake administrators have implicit DESCRIBE")
        if principal in self.admins:
            return Decision(False, "an administrator has no implicit SELECT: it must grant it first")
        return Decision(False, "no grant covers this column")

    def visible_columns(self, principal: str, db: str, table: str, permission: str = "SELECT") -> list[str]:
        """The columns a query by ``principal`` could read, in table order."""
        return [c for c in self.tables.get((db, table), []) if self.can_column(principal, permission, db, table, c)]

    def can_database(self, principal: str, permission: str, db: str) -> Decision:
        if principal in self.admins and permission == "DESCRIBE":
            return Decision(True, "data-lake administrators have implicit DESCRIBE")
        for g in self.grants:
            if g.principal != principal or not (g.allows(permission) and (permission in DATABASE_PERMISSIONS or "ALL" in g.permissions)):
                continue
            if g.resource.get("Database", {}).get("Name") == db:
                return Decision(True, f"{permission} on the database")
            policy = g.resource.get("LFTagPolicy")
            if policy and policy.get("ResourceType") == "DATABASE" and self.matches(policy["Expression"], self.effective_tags(db)):
                return Decision(True, f"LF-tag grant {_expr(policy['Expression'])} matches the database's tags")
        return Decision(False, "no grant covers this database")

    def can_grant(self, principal: str, permission: str, db: str, table: str) -> Decision:
        """Administrators may grant anything; others only what they hold with the grant option."""
        if principal in self.admins:
            return Decision(True, "data-lake administrators may grant any permission")
        for g in self.grants:
            if g.principal == principal and (permission in g.grantable or "ALL" in g.grantable):
                t = g.resource.get("Table") or g.resource.get("TableWithColumns") or {}
                if t.get("DatabaseName") == db and t.get("Name") in (table, None):
                    return Decision(True, f"holds {permission} with the grant option")
        return Decision(False, "neither an administrator nor holding the grant option")

    def access_table(self, principals: dict[str, str], db: str, table: str) -> list[dict]:
        """Rows ``{who, column, allowed, reason}`` for every principal (label -> ARN) and column."""
        rows = []
        for label, arn in principals.items():
            for column in self.tables.get((db, table), []):
                decision = self.can_column(arn, "SELECT", db, table, column)
                rows.append({"who": label, "column": column, "allowed": decision.allowed, "reason": decision.reason})
        return rows


def _expr(expression: list[dict]) -> str:
    return " AND ".join(f"{t['TagKey']}=({' OR '.join(t['TagValues'])})" for t in expression)
