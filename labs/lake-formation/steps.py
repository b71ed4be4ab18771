"""Lake Formation: a governed data lake. moto stores every grant but enforces none, so the effect
of the grants (who may read which column) comes from awslabs.sim.lakeformation, which applies the
documented rules to what the API returns: those checks are labelled ``simulated``."""
from __future__ import annotations

import json

from awslabs import labkit
from awslabs.lab import equal, expect
from awslabs.sim.lakeformation import LakePolicy

COLUMNS = [
    ("customer_id", "bigint"),
    ("name", "string"),
    ("email", "string"),
    ("ssn", "string"),
    ("country", "string"),
    ("signup_date", "date"),
]
PII = ["email", "ssn"]
PUBLIC = [c for c, _ in COLUMNS if c not in PII]
CSV = (
    "customer_id,name,email,ssn,country,signup_date\n"
    "1,Ada,ada@example.com,111-22-3333,GB,2024-01-03\n"
    "2,Grace,grace@example.com,222-33-4444,US,2024-02-11\n"
    "3,Alan,alan@example.com,333-44-5555,GB,2024-03-27\n"
)
TRUST = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "glue.amazonaws.com"}, "Action": "sts:AssumeRole"}],
})


# -- names: deterministic per run ---------------------------------------------------------------
def _bucket(ctx):
    return ctx.name("lake")


def _location(ctx):
    return f"arn:aws:s3:::{_bucket(ctx)}/customers"


def _db(ctx):
    return ctx.name("sales").replace("-", "_")  # Athena-friendly: no hyphens


TABLE = "customers"


def _role(ctx, who):
    return ctx.name(who, max_len=64)


def _arn(ctx, who):
    return f"arn:aws:iam::{ctx.account}:role/{_role(ctx, who)}"


def _tag_key(ctx):
    return ctx.name("sensitivity", max_len=128)


def _table_resource(ctx):
    return {"Table": {"DatabaseName": _db(ctx), "Name": TABLE}}


def _analyst_columns(ctx):
    return {"TableWithColumns": {"DatabaseName": _db(ctx), "Name": TABLE,
                                 "ColumnWildcard": {"ExcludedColumnNames": PII}}}


def _contractor_columns(ctx):
    """Every column, PII included: the over-broad grant the revoke step takes back."""
    return {"TableWithColumns": {"DatabaseName": _db(ctx), "Name": TABLE, "ColumnWildcard": {}}}


def _tag_expression(ctx):
    return [{"TagKey": _tag_key(ctx), "TagValues": ["public"]}]


def _grant(ctx, who, label, resource, permissions):
    """One grant per principal and resource, tracked first. (Granting twice to the same principal
    and resource and then revoking crashes moto; on AWS it merges, so nothing is lost.)"""
    lf = ctx.client("lakeformation")
    principal = _arn(ctx, who)
    ctx.track("lakeformation:permission", f"{_role(ctx, who)}/{label}",
              principal=principal, resource=resource, permissions=permissions)
    lf.grant_permissions(Principal={"DataLakePrincipalIdentifier": principal}, Resource=resource,
                         Permissions=permissions)


# -- reading the state Lake Formation decides from ----------------------------------------------
def _grants_of(ctx, who):
    arn = _arn(ctx, who)
    return [p for p in labkit.lake_formation_permissions(ctx)
            if p["Principal"]["DataLakePrincipalIdentifier"] == arn]


def _policy(ctx) -> LakePolicy:
    lf, glue = ctx.client("lakeformation"), ctx.client("glue")
    tables = {}
    try:
        table = glue.get_table(DatabaseName=_db(ctx), Name=TABLE)["Table"]
        tables[(_db(ctx), TABLE)] = [c["Name"] for c in table["StorageDescriptor"]["Columns"]]
    except glue.exceptions.EntityNotFoundException:
        pass
    db_tags, col_tags = {}, {}
    # Only ask for tags once the tag key exists: before that nothing can carry it (and moto
    # raises a raw KeyError for a resource that never had a tag).
    keys = [t["TagKey"] for t in lf.list_lf_tags().get("LFTags", [])]
    if _tag_key(ctx) in keys and tables:
        db_tags[_db(ctx)] = lf.get_resource_lf_tags(Resource={"Database": {"Name": _db(ctx)}}).get("LFTagOnDatabase", [])
        columns = lf.get_resource_lf_tags(Resource={"TableWithColumns": {
            "DatabaseName": _db(ctx), "Name": TABLE, "ColumnNames": tables[(_db(ctx), TABLE)]}})
        col_tags[(_db(ctx), TABLE)] = columns.get("LFTagsOnColumns", [])
    return LakePolicy.from_api(lf.get_data_lake_settings()["DataLakeSettings"], labkit.lake_formation_permissions(ctx),
                               tables, database_tags=db_tags, column_tags=col_tags)


def _visible(ctx, who):
    return _policy(ctx).visible_columns(_arn(ctx, who), _db(ctx), TABLE)


# -- steps --------------------------------------------------------------------------------------
def apply_lake_bucket(ctx):
    s3 = ctx.client("s3")
    ctx.create_bucket(_bucket(ctx))
    s3.put_object(Bucket=_bucket(ctx), Key="customers/customers.csv", Body=CSV.encode())


def check_lake_bucket(ctx):
    body = ctx.client("s3").get_object(Bucket=_bucket(ctx), Key="customers/customers.csv")["Body"].read()
    yield equal("the raw CSV is in the lake bucket", body.decode().splitlines()[0], CSV.splitlines()[0])


def apply_register_location(ctx):
    ctx.track("lakeformation:resource", _location(ctx))
    ctx.client("lakeformation").register_resource(ResourceArn=_location(ctx), UseServiceLinkedRole=True)


def check_register_location(ctx):
    arns = [r["ResourceArn"] for r in ctx.client("lakeformation").list_resources().get("ResourceInfoList", [])]
    yield expect("the S3 prefix is a registered Lake Formation location", _location(ctx) in arns, _location(ctx))


def apply_catalog(ctx):
    glue = ctx.client("glue")
    ctx.track("glue:database", _db(ctx))
    # An empty CreateTableDefaultPermissions stops new tables from granting ALL to
    # IAM_ALLOWED_PRINCIPALS, i.e. Lake Formation, not IAM alone, governs them.
    glue.create_database(DatabaseInput={"Name": _db(ctx), "CreateTableDefaultPermissions": []},
                         Tags=ctx.tags)
    ctx.track("glue:table", f"{_db(ctx)}/{TABLE}")
    glue.create_table(DatabaseName=_db(ctx), TableInput={
        "Name": TABLE,
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {"classification": "csv", "skip.header.line.count": "1"},
        "StorageDescriptor": {
            "Columns": [{"Name": n, "Type": t} for n, t in COLUMNS],
            "Location": f"s3://{_bucket(ctx)}/customers/",
            "InputFormat": "org.apache.hadoop.mapred.TextInputFormat",
            "OutputFormat": "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
            "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
                          "Parameters": {"field.delim": ","}},
        },
    })


def check_catalog(ctx):
    glue = ctx.client("glue")
    table = glue.get_table(DatabaseName=_db(ctx), Name=TABLE)["Table"]
    yield equal("the table has the six columns", [c["Name"] for c in table["StorageDescriptor"]["Columns"]],
                [c for c, _ in COLUMNS])
    defaults = glue.get_database(Name=_db(ctx))["Database"].get("CreateTableDefaultPermissions")
    yield equal("new tables grant nothing to IAM_ALLOWED_PRINCIPALS", defaults, [])


def apply_admins(ctx):
    iam, lf = ctx.client("iam"), ctx.client("lakeformation")
    for who in ("admin", "analyst", "scientist"):
        ctx.track("iam:role", _role(ctx, who))
        iam.create_role(RoleName=_role(ctx, who), AssumeRolePolicyDocument=TRUST,
                        Tags=ctx.tag_list(), Description=f"awslabs lake-formation {who}")
    # Data-lake settings are one document per account: append, never replace others' admins.
    ctx.track("lakeformation:admin", _arn(ctx, "admin"))
    settings = lf.get_data_lake_settings()["DataLakeSettings"]
    admins = settings.get("DataLakeAdmins", [])
    if _arn(ctx, "admin") not in [a["DataLakePrincipalIdentifier"] for a in admins]:
        settings["DataLakeAdmins"] = admins + [{"DataLakePrincipalIdentifier": _arn(ctx, "admin")}]
        lf.put_data_lake_settings(DataLakeSettings=settings)


def check_admins(ctx):
    admins = ctx.client("lakeformation").get_data_lake_settings()["DataLakeSettings"].get("DataLakeAdmins", [])
    yield expect("the admin role is a data-lake administrator",
                 _arn(ctx, "admin") in [a["DataLakePrincipalIdentifier"] for a in admins], _arn(ctx, "admin"))
    policy = _policy(ctx)
    can_grant = policy.can_grant(_arn(ctx, "admin"), "SELECT", _db(ctx), TABLE)
    reads = policy.visible_columns(_arn(ctx, "admin"), _db(ctx), TABLE)
    yield expect("the administrator may grant SELECT yet reads no column until granted",
                 can_grant.allowed and reads == [], f"can grant: {can_grant.reason}; reads {reads}", "simulated")


def apply_grant_columns(ctx):
    # Three levels, one grant each: the database (see it), the table (see its definition), and
    # the columns (read data: every column but the PII ones).
    _grant(ctx, "analyst", "describe-db", {"Database": {"Name": _db(ctx)}}, ["DESCRIBE"])
    _grant(ctx, "analyst", "describe-table", _table_resource(ctx), ["DESCRIBE"])
    _grant(ctx, "analyst", "select-columns", _analyst_columns(ctx), ["SELECT"])


def check_grant_columns(ctx):
    stored = [p["Resource"]["TableWithColumns"] for p in _grants_of(ctx, "analyst") if "TableWithColumns" in p["Resource"]]
    excluded = stored[0].get("ColumnWildcard", {}).get("ExcludedColumnNames") if stored else None
    yield equal("the stored grant excludes the PII columns", sorted(excluded or []), sorted(PII))
    policy = _policy(ctx)
    yield equal("the analyst can read exactly the non-PII columns",
                policy.visible_columns(_arn(ctx, "analyst"), _db(ctx), TABLE), PUBLIC, "simulated")
    ssn = policy.can_column(_arn(ctx, "analyst"), "SELECT", _db(ctx), TABLE, "ssn")
    country = policy.can_column(_arn(ctx, "analyst"), "SELECT", _db(ctx), TABLE, "country")
    yield expect("a query for ssn is denied while country is allowed", country.allowed and not ssn.allowed,
                 f"country: {country.reason}; ssn: {ssn.reason}", "simulated")


def apply_lf_tags(ctx):
    lf = ctx.client("lakeformation")
    ctx.track("lakeformation:lf-tag", _tag_key(ctx))
    lf.create_lf_tag(TagKey=_tag_key(ctx), TagValues=["public", "pii"])
    # Each resource is tagged once with everything it needs: on moto a second add replaces the
    # first instead of adding to it.
    lf.add_lf_tags_to_resource(Resource={"Database": {"Name": _db(ctx)}},
                               LFTags=[{"TagKey": _tag_key(ctx), "TagValues": ["public"]}])
    lf.add_lf_tags_to_resource(
        Resource={"TableWithColumns": {"DatabaseName": _db(ctx), "Name": TABLE, "ColumnNames": PII}},
        LFTags=[{"TagKey": _tag_key(ctx), "TagValues": ["pii"]}],
    )


def check_lf_tags(ctx):
    lf = ctx.client("lakeformation")
    keys = {t["TagKey"]: sorted(t["TagValues"]) for t in lf.list_lf_tags().get("LFTags", [])}
    yield equal("the LF-tag exists with its two values", keys.get(_tag_key(ctx)), ["pii", "public"])
    policy = _policy(ctx)
    effective = {c: policy.effective_tags(_db(ctx), TABLE, c).get(_tag_key(ctx)) for c, _ in COLUMNS}
    expected = {c: ("pii" if c in PII else "public") for c, _ in COLUMNS}
    yield equal("columns inherit public from the database; the PII columns override it with pii",
                effective, expected, "simulated")


def apply_grant_by_tag(ctx):
    expression = _tag_expression(ctx)
    _grant(ctx, "scientist", "describe-public-dbs",
           {"LFTagPolicy": {"ResourceType": "DATABASE", "Expression": expression}}, ["DESCRIBE"])
    _grant(ctx, "scientist", "select-public-tables",
           {"LFTagPolicy": {"ResourceType": "TABLE", "Expression": expression}}, ["SELECT", "DESCRIBE"])
    policy = _policy(ctx)
    principals = {who: _arn(ctx, who) for who in ("admin", "analyst", "scientist")}
    rows = policy.access_table(principals, _db(ctx), TABLE)
    lines = ["| who | column | SELECT | why |", "|---|---|---|---|"]
    lines += [f"| {r['who']} | {r['column']} | {'yes' if r['allowed'] else 'no'} | {r['reason']} |" for r in rows]
    (ctx.output_dir / "access-matrix.md").write_text(
        "# Who can SELECT which column (simulated from the stored grants)\n\n" + "\n".join(lines) + "\n")


def check_grant_by_tag(ctx):
    tag_grants = [p for p in _grants_of(ctx, "scientist") if "LFTagPolicy" in p["Resource"]]
    yield equal("the scientist holds two LF-tag policy grants", len(tag_grants), 2)
    policy = _policy(ctx)
    yield equal("the tag expression gives the scientist exactly the public columns",
                policy.visible_columns(_arn(ctx, "scientist"), _db(ctx), TABLE), PUBLIC, "simulated")
    db = policy.can_database(_arn(ctx, "scientist"), "DESCRIBE", _db(ctx))
    yield expect("the scientist can describe the public database through its tag", db.allowed, db.reason, "simulated")


def apply_contractor_access(ctx):
    """A colleague gave a contractor SELECT on every column, PII included. In practice mode awslabs
    does this at `start` (before your catalog exists: Lake Formation on moto does not check that
    the table exists; on AWS run `awslabs start` again once it does). Idempotent."""
    iam = ctx.client("iam")
    try:
        iam.get_role(RoleName=_role(ctx, "contractor"))
    except iam.exceptions.NoSuchEntityException:
        ctx.track("iam:role", _role(ctx, "contractor"))
        iam.create_role(RoleName=_role(ctx, "contractor"), AssumeRolePolicyDocument=TRUST,
                        Tags=ctx.tag_list(), Description="awslabs lake-formation contractor")
    if not any("TableWithColumns" in p["Resource"] for p in _grants_of(ctx, "contractor")):
        lf = ctx.client("lakeformation")
        try:
            _grant(ctx, "contractor", "select-all-columns", _contractor_columns(ctx), ["SELECT"])
        except lf.exceptions.EntityNotFoundException:
            if not ctx.on_aws:
                raise
            ctx.state["contractor_granted"] = False  # the check says: run `awslabs start` again
            return
    ctx.state["contractor_granted"] = True


def check_contractor_access(ctx):
    role = ctx.client("iam").get_role(RoleName=_role(ctx, "contractor"))["Role"]
    yield expect("the contractor role exists and was granted SELECT on every column",
                 role["Arn"] == _arn(ctx, "contractor") and ctx.state["contractor_granted"],
                 f"{_role(ctx, 'contractor')}: granted {ctx.state['contractor_granted']}")


def apply_revoke(ctx):
    ctx.client("lakeformation").revoke_permissions(
        Principal={"DataLakePrincipalIdentifier": _arn(ctx, "contractor")},
        Resource=_contractor_columns(ctx), Permissions=["SELECT"],
    )


def check_revoke(ctx):
    selects = [p for p in _grants_of(ctx, "contractor") if "SELECT" in p.get("Permissions", [])]
    yield expect("the contractor holds no SELECT grant any more", not selects,
                 f"{len(selects)} SELECT grants: {[p['Resource'] for p in selects]}")
    yield equal("the contractor can read no column, the analyst still exactly the non-PII ones",
                (_visible(ctx, "contractor"), _visible(ctx, "analyst")), ([], PUBLIC), "simulated")
