"""lake-formation: other valid ways (must pass) and near misses (must fail saying what to fix)."""
import json

from awslabs.practice import accept, reject, tweak


def _steps():
    from awslabs.catalog import Catalog

    return Catalog().get("lake-formation").load_steps()


def _own_rows(ctx):
    """The learner's own rows under the required header, with Windows line endings (Excel's CSV)."""
    s = _steps()
    ctx.create_bucket(s._bucket(ctx))
    body = "customer_id,name,email,ssn,country,signup_date\r\n7,Linus,linus@example.org,999-88-7777,FI,2023-12-01\r\n"
    ctx.client("s3").put_object(Bucket=s._bucket(ctx), Key="customers/customers.csv", Body=body.encode(),
                                ContentType="text/csv")


def _no_header(ctx):
    """The rows uploaded without their header line."""
    s = _steps()
    ctx.create_bucket(s._bucket(ctx))
    rows = "\n".join(s.CSV.splitlines()[1:]) + "\n"
    ctx.client("s3").put_object(Bucket=s._bucket(ctx), Key="customers/customers.csv", Body=rows.encode())


def _register(change):
    return lambda ctx: tweak(ctx, "lakeformation", "RegisterResource", change, _steps().apply_register_location)


def _s3_url(params):
    params["ResourceArn"] = params["ResourceArn"].replace("arn:aws:s3:::", "s3://")


def _catalog(change):
    return lambda ctx: tweak(ctx, "glue", "CreateDatabase", change, _steps().apply_catalog)


def _defaults_later(ctx):
    """Database created with the account's defaults, then UpdateDatabase empties its table defaults."""
    _catalog(lambda p: p["DatabaseInput"].pop("CreateTableDefaultPermissions"))(ctx)
    s = _steps()
    ctx.client("glue").update_database(Name=s._db(ctx), DatabaseInput={
        "Name": s._db(ctx), "CreateTableDefaultPermissions": []})


def _iam_allowed(params):
    """The console's old default: ALL to IAM_ALLOWED_PRINCIPALS on new tables (IAM alone governs)."""
    params["DatabaseInput"]["CreateTableDefaultPermissions"] = [{
        "Principal": {"DataLakePrincipalIdentifier": "IAM_ALLOWED_PRINCIPALS"}, "Permissions": ["ALL"]}]


def _own_types(ctx):
    """The learner's own valid column types (int, varchar, a date as string) and comments."""
    def change(params):
        for column in params["TableInput"]["StorageDescriptor"]["Columns"]:
            column["Type"] = {"bigint": "int", "date": "string"}.get(column["Type"], column["Type"])
            column["Comment"] = f"the {column['Name']}"
    tweak(ctx, "glue", "CreateTable", change, _steps().apply_catalog)


def _no_ssn_column(ctx):
    def change(params):
        columns = params["TableInput"]["StorageDescriptor"]["Columns"]
        params["TableInput"]["StorageDescriptor"]["Columns"] = [c for c in columns if c["Name"] != "ssn"]
    tweak(ctx, "glue", "CreateTable", change, _steps().apply_catalog)


def _roles_trust_account(ctx):
    """The roles trust the account (the principals assume them), not Glue: any valid trust does."""
    def change(params):
        params["AssumeRolePolicyDocument"] = json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ctx.account}:root"}, "Action": "sts:AssumeRole"}]})
    tweak(ctx, "iam", "CreateRole", change, _steps().apply_admins)


def _analyst_as_admin(ctx):
    """The analyst made administrator instead of the admin role."""
    s = _steps()
    def change(params):
        params["DataLakeSettings"]["DataLakeAdmins"] = [
            {"DataLakePrincipalIdentifier": s._arn(ctx, "analyst")} if a["DataLakePrincipalIdentifier"] == s._arn(ctx, "admin")
            else a for a in params["DataLakeSettings"]["DataLakeAdmins"]]
    tweak(ctx, "lakeformation", "PutDataLakeSettings", change, s.apply_admins)


def _columns(change):
    def changed(params):
        if "TableWithColumns" in params["Resource"]:
            change(params["Resource"]["TableWithColumns"])
    return lambda ctx: tweak(ctx, "lakeformation", "GrantPermissions", changed, _steps().apply_grant_columns)


def _reverse_exclusions(twc):
    twc["ColumnWildcard"]["ExcludedColumnNames"] = ["ssn", "email"]


def _only_ssn_excluded(twc):
    twc["ColumnWildcard"]["ExcludedColumnNames"] = ["ssn"]


def _include_list(twc):
    """The four columns named: the same today, but a column added later stays unreadable."""
    twc.pop("ColumnWildcard")
    twc["ColumnNames"] = ["customer_id", "name", "country", "signup_date"]


def _tags(change):
    return lambda ctx: tweak(ctx, "lakeformation", "CreateLFTag", change, _steps().apply_lf_tags)


def _values_added_later(ctx):
    """The LF-tag created with public only, pii added with UpdateLFTag."""
    s = _steps()
    _tags(lambda p: p.update(TagValues=["public"]))(ctx)
    ctx.client("lakeformation").update_lf_tag(TagKey=s._tag_key(ctx), TagValuesToAdd=["pii"])


def _pii_untagged(ctx):
    """Only the database tagged: the PII columns inherit public."""
    def change(params):
        if "TableWithColumns" in params["Resource"]:
            params["Resource"]["TableWithColumns"]["ColumnNames"] = ["email"]
    tweak(ctx, "lakeformation", "AddLFTagsToResource", change, _steps().apply_lf_tags)


def _by_tag(change):
    return lambda ctx: tweak(ctx, "lakeformation", "GrantPermissions", change, _steps().apply_grant_by_tag)


def _select_only(params):
    """SELECT alone on the tagged tables: reading data needs nothing more (DESCRIBE is optional)."""
    if params["Resource"]["LFTagPolicy"]["ResourceType"] == "TABLE":
        params["Permissions"] = ["SELECT"]


def _pii_expression(params):
    params["Resource"]["LFTagPolicy"]["Expression"][0]["TagValues"] = ["pii"]


def _both_values(params):
    params["Resource"]["LFTagPolicy"]["Expression"][0]["TagValues"] = ["public", "pii"]


def _revoke_as_listed(ctx):
    """The grant found with list_permissions, revoked with exactly what Lake Formation returned."""
    s = _steps()
    lf = ctx.client("lakeformation")
    arn = s._arn(ctx, "contractor")
    # ListPermissions takes a Principal only together with a Resource: list all, keep the contractor's
    for entry in lf.list_permissions()["PrincipalResourcePermissions"]:
        if (entry["Principal"]["DataLakePrincipalIdentifier"] == arn and "TableWithColumns" in entry["Resource"]
                and "SELECT" in entry["Permissions"]):
            lf.revoke_permissions(Principal=entry["Principal"], Resource=entry["Resource"],
                                  Permissions=entry["Permissions"])


def _revoke_table(ctx):
    """SELECT revoked on the Table resource: not the TableWithColumns grant that was made."""
    s = _steps()
    lf = ctx.client("lakeformation")
    try:
        lf.revoke_permissions(Principal={"DataLakePrincipalIdentifier": s._arn(ctx, "contractor")},
                              Resource=s._table_resource(ctx), Permissions=["SELECT"])
    except lf.exceptions.ClientError:
        pass  # AWS refuses it: the learner sees an error, the grant stays


def _narrowed_not_revoked(ctx):
    """The contractor's grant 'fixed' by adding an analyst-like grant: the broad one is still there."""
    s = _steps()
    s._grant(ctx, "contractor", "describe-table", s._table_resource(ctx), ["DESCRIBE"])


VARIANTS = [
    accept("lake_bucket", "the learner's own rows under the header, CRLF line endings, text/csv", _own_rows),
    reject("lake_bucket", "the rows uploaded without the header line", _no_header, fix="customer_id,name,email"),
    accept("register_location", "ResourceArn with the service-linked role and HybridAccessEnabled=false stated",
           _register(lambda p: p.update(HybridAccessEnabled=False))),
    reject("register_location", "an s3:// URL instead of the S3 ARN", _register(_s3_url), fix="arn:aws:s3:::"),
    accept("catalog", "table defaults emptied afterwards with UpdateDatabase", _defaults_later),
    accept("catalog", "the learner's own column types and comments", _own_types),
    reject("catalog", "new tables grant ALL to IAM_ALLOWED_PRINCIPALS", _catalog(_iam_allowed),
           fix="grant nothing to IAM_ALLOWED_PRINCIPALS"),
    reject("catalog", "the ssn column left out", _no_ssn_column, fix="six columns"),
    accept("admins", "the roles trust the account instead of Glue", _roles_trust_account),
    reject("admins", "the analyst made administrator instead of the admin role", _analyst_as_admin,
           fix="data-lake administrator"),
    accept("grant_columns", "the PII columns excluded in the other order", _columns(_reverse_exclusions)),
    reject("grant_columns", "only ssn excluded: email stays readable", _columns(_only_ssn_excluded),
           fix="excludes the PII"),
    reject("grant_columns", "an include list of the four columns: a new column would not be covered",
           _columns(_include_list), fix="excludes the PII"),
    accept("lf_tags", "the LF-tag created with public, pii added with UpdateLFTag", _values_added_later),
    accept("lf_tags", "the tag values listed in the other order", _tags(lambda p: p.update(TagValues=["pii", "public"]))),
    reject("lf_tags", "only email tagged pii: ssn inherits public", _pii_untagged, fix="override it with pii"),
    reject("lf_tags", "the values written PII and Public (LF-tag values are case-sensitive)",
           _tags(lambda p: p.update(TagValues=["Public", "PII"])), fix="two values"),
    accept("grant_by_tag", "SELECT alone on the tagged tables", _by_tag(_select_only)),
    reject("grant_by_tag", "the expression matches pii instead of public", _by_tag(_pii_expression),
           fix="exactly the public columns"),
    reject("grant_by_tag", "the expression matches public or pii: every column", _by_tag(_both_values),
           fix="exactly the public columns"),
    accept("revoke", "revoked with exactly the Principal, Resource and Permissions list_permissions returned",
           _revoke_as_listed),
    reject("revoke", "SELECT revoked on the Table resource, not the column grant", _revoke_table, fix="no SELECT grant"),
    reject("revoke", "a narrower grant added instead of revoking the broad one", _narrowed_not_revoked,
           fix="no SELECT grant"),
]
