"""Hand-worked cases for awslabs.sim.lakeformation, one per documented rule (URLs in the module)."""
from __future__ import annotations

from awslabs.sim.lakeformation import IAM_ALLOWED, LakePolicy

DB, T = "sales", "customers"
COLS = ["id", "name", "email", "ssn", "country"]
ADMIN, ANALYST, SCIENTIST, OTHER = (f"arn:aws:iam::111122223333:role/{r}" for r in ("admin", "analyst", "ds", "other"))


def grant(who, resource, perms, grantable=()):
    return {"Principal": {"DataLakePrincipalIdentifier": who}, "Resource": resource,
            "Permissions": list(perms), "PermissionsWithGrantOption": list(grantable)}


def policy(grants, admins=(), db_tags=None, table_tags=None, col_tags=None):
    settings = {"DataLakeAdmins": [{"DataLakePrincipalIdentifier": a} for a in admins]}
    return LakePolicy.from_api(settings, grants, {(DB, T): COLS}, database_tags=db_tags,
                               table_tags=table_tags, column_tags=col_tags)


def tag(key, value):
    return [{"TagKey": key, "TagValues": [value]}]


def test_nothing_granted_nothing_visible():
    assert policy([]).visible_columns(ANALYST, DB, T) == []


def test_table_select_covers_every_column_and_wildcard_too():
    p = policy([grant(ANALYST, {"Table": {"DatabaseName": DB, "Name": T}}, ["SELECT"]),
                grant(SCIENTIST, {"Table": {"DatabaseName": DB, "TableWildcard": {}}}, ["SELECT"])])
    assert p.visible_columns(ANALYST, DB, T) == COLS
    assert p.visible_columns(SCIENTIST, DB, T) == COLS


def test_all_includes_select_but_describe_does_not():
    p = policy([grant(ANALYST, {"Table": {"DatabaseName": DB, "Name": T}}, ["ALL"]),
                grant(SCIENTIST, {"Table": {"DatabaseName": DB, "Name": T}}, ["DESCRIBE"])])
    assert p.visible_columns(ANALYST, DB, T) == COLS
    assert p.visible_columns(SCIENTIST, DB, T) == []


def test_column_include_list_and_wildcard_exclusions():
    p = policy([
        grant(ANALYST, {"TableWithColumns": {"DatabaseName": DB, "Name": T, "ColumnNames": ["id", "country"]}}, ["SELECT"]),
        grant(SCIENTIST, {"TableWithColumns": {"DatabaseName": DB, "Name": T,
                                               "ColumnWildcard": {"ExcludedColumnNames": ["email", "ssn"]}}}, ["SELECT"]),
    ])
    assert p.visible_columns(ANALYST, DB, T) == ["id", "country"]
    assert p.visible_columns(SCIENTIST, DB, T) == ["id", "name", "country"]
    assert not p.can_column(SCIENTIST, "SELECT", DB, T, "ssn")


def test_grants_are_additive_with_no_deny():
    p = policy([
        grant(ANALYST, {"TableWithColumns": {"DatabaseName": DB, "Name": T,
                                             "ColumnWildcard": {"ExcludedColumnNames": ["ssn"]}}}, ["SELECT"]),
        grant(ANALYST, {"TableWithColumns": {"DatabaseName": DB, "Name": T, "ColumnNames": ["ssn"]}}, ["SELECT"]),
    ])
    assert p.visible_columns(ANALYST, DB, T) == COLS


def test_database_grant_gives_no_data():
    p = policy([grant(ANALYST, {"Database": {"Name": DB}}, ["DESCRIBE", "CREATE_TABLE"])])
    assert p.can_database(ANALYST, "DESCRIBE", DB)
    assert p.visible_columns(ANALYST, DB, T) == []


def test_admin_describes_and_grants_but_has_no_implicit_select():
    p = policy([], admins=[ADMIN])
    assert p.can_database(ADMIN, "DESCRIBE", DB)
    assert p.can_column(ADMIN, "DESCRIBE", DB, T, "ssn")
    assert p.can_grant(ADMIN, "SELECT", DB, T)
    assert p.visible_columns(ADMIN, DB, T) == []
    assert not p.can_grant(ANALYST, "SELECT", DB, T)


def test_grant_option_lets_a_non_admin_grant():
    p = policy([grant(ANALYST, {"Table": {"DatabaseName": DB, "Name": T}}, ["SELECT"], grantable=["SELECT"])])
    assert p.can_grant(ANALYST, "SELECT", DB, T)


def test_iam_allowed_principals_means_iam_decides():
    p = policy([grant(IAM_ALLOWED, {"Table": {"DatabaseName": DB, "Name": T}}, ["ALL"])])
    assert p.visible_columns(OTHER, DB, T) == COLS


def test_tags_inherit_and_lower_levels_override():
    p = policy([], db_tags={DB: tag("level", "public")}, table_tags={(DB, T): tag("domain", "crm")},
               col_tags={(DB, T): [{"Name": "ssn", "LFTags": tag("level", "pii")}]})
    assert p.effective_tags(DB, T, "name") == {"level": "public", "domain": "crm"}
    assert p.effective_tags(DB, T, "ssn") == {"level": "pii", "domain": "crm"}
    assert p.effective_tags(DB) == {"level": "public"}


def test_tag_expression_and_across_keys_or_within_values():
    tags = {"module": "sales", "division": "consumer"}
    assert LakePolicy.matches([{"TagKey": "module", "TagValues": ["sales"]},
                               {"TagKey": "division", "TagValues": ["consumer", "commercial"]}], tags)
    assert not LakePolicy.matches([{"TagKey": "module", "TagValues": ["sales"]},
                                   {"TagKey": "division", "TagValues": ["commercial"]}], tags)
    assert not LakePolicy.matches([{"TagKey": "region", "TagValues": ["west"]}], tags)


def test_tag_policy_grant_reaches_exactly_matching_columns_and_databases():
    expression = [{"TagKey": "level", "TagValues": ["public"]}]
    p = policy([
        grant(SCIENTIST, {"LFTagPolicy": {"ResourceType": "TABLE", "Expression": expression}}, ["SELECT"]),
        grant(SCIENTIST, {"LFTagPolicy": {"ResourceType": "DATABASE", "Expression": expression}}, ["DESCRIBE"]),
    ], db_tags={DB: tag("level", "public")},
        col_tags={(DB, T): [{"Name": c, "LFTags": tag("level", "pii")} for c in ("email", "ssn")]})
    assert p.visible_columns(SCIENTIST, DB, T) == ["id", "name", "country"]
    assert p.can_database(SCIENTIST, "DESCRIBE", DB)
    assert p.visible_columns(ANALYST, DB, T) == []


def test_access_table_lists_every_principal_and_column():
    p = policy([grant(ANALYST, {"Table": {"DatabaseName": DB, "Name": T}}, ["SELECT"])])
    rows = p.access_table({"analyst": ANALYST, "other": OTHER}, DB, T)
    assert len(rows) == 2 * len(COLS)
    assert [r["allowed"] for r in rows if r["who"] == "other"] == [False] * len(COLS)
