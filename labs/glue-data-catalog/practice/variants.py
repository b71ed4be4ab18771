"""glue-data-catalog: other valid ways (must pass) and near misses (must fail saying what to fix)."""
import json

from awslabs.practice import accept, reject, tweak


def _steps():
    from awslabs.catalog import Catalog

    return Catalog().get("glue-data-catalog").load_steps()


def _database(change_input):
    return lambda ctx: tweak(ctx, "glue", "CreateDatabase", lambda p: change_input(p["DatabaseInput"]),
                             _steps().apply_create_database)


def _minimal_database(ctx):
    """Only the name and the location (no trailing slash), as `aws glue create-database
    --database-input Name=…,LocationUri=…` would send."""
    ctx.client("glue").create_database(DatabaseInput={
        "Name": ctx.name("catalog").replace("-", "_"), "LocationUri": f"s3://{ctx.name('lake')}/raw"})


def _crawler(change_params):
    return lambda ctx: tweak(ctx, "glue", "CreateCrawler", change_params, _steps().apply_define_crawler)


def _defaults(params):
    """SchemaChangePolicy, RecrawlPolicy and exclusions left to Glue's documented defaults."""
    for key in ("SchemaChangePolicy", "RecrawlPolicy"):
        params.pop(key)
    params["Targets"]["S3Targets"][0].pop("Exclusions")


def _role_name_no_slash(params):
    params["Role"] = params["Role"].rsplit("/", 1)[-1]
    params["Targets"]["S3Targets"][0]["Path"] = params["Targets"]["S3Targets"][0]["Path"].rstrip("/")


def _trust(service):
    def change(params):
        trust = json.loads(params["AssumeRolePolicyDocument"])
        trust["Statement"][0]["Principal"]["Service"] = service
        params["AssumeRolePolicyDocument"] = json.dumps(trust)
    return lambda ctx: tweak(ctx, "iam", "CreateRole", change, _steps().apply_define_crawler)


def _workgroup(change_config):
    return lambda ctx: tweak(ctx, "athena", "CreateWorkGroup", lambda p: change_config(p["Configuration"]),
                             _steps().apply_create_workgroup)


def _decimal_cutoff(config):
    """The cutoff as 10,000,000 bytes (Athena's minimum, "10 MB"), the location without the slash."""
    config["BytesScannedCutoffPerQuery"] = 10_000_000
    config["ResultConfiguration"]["OutputLocation"] = config["ResultConfiguration"]["OutputLocation"].rstrip("/")


VARIANTS = [
    accept("create_database", "only the name and a location without the trailing slash", _minimal_database),
    reject("create_database", "the database located at the bucket root, not raw/",
           _database(lambda d: d.update(LocationUri=f"s3://{d['LocationUri'].split('/')[2]}/")), fix="raw zone"),
    reject("create_database", "the database named with hyphens (awslabs-…-catalog): not the required name",
           _database(lambda d: d.update(Name=d["Name"].replace("_", "-"))), fix="the Glue database exists"),
    accept("define_crawler", "SchemaChangePolicy, RecrawlPolicy and exclusions left to Glue's defaults "
           "(UPDATE_IN_DATABASE, DEPRECATE_IN_DATABASE, CRAWL_EVERYTHING)", _crawler(_defaults)),
    accept("define_crawler", "the role given by name, the path without the trailing slash", _crawler(_role_name_no_slash)),
    reject("define_crawler", "schema changes only logged (UpdateBehavior LOG)",
           _crawler(lambda p: p["SchemaChangePolicy"].update(UpdateBehavior="LOG")), fix="UpdateBehavior"),
    reject("define_crawler", "the crawler over raw/sales/ only", _crawler(
        lambda p: p["Targets"]["S3Targets"][0].update(Path=p["Targets"]["S3Targets"][0]["Path"] + "sales/")),
        fix="targets the raw zone"),
    reject("define_crawler", "no table prefix", _crawler(lambda p: p.pop("TablePrefix")), fix="raw_"),
    reject("define_crawler", "the role trusts ec2.amazonaws.com, not glue.amazonaws.com", _trust("ec2.amazonaws.com"),
           fix="glue.amazonaws.com may assume"),
    accept("create_workgroup", "the cutoff as 10,000,000 bytes (Athena's minimum), the result location without "
           "the trailing slash", _workgroup(_decimal_cutoff)),
    reject("create_workgroup", "EnforceWorkGroupConfiguration false (queries may override the settings)",
           _workgroup(lambda c: c.update(EnforceWorkGroupConfiguration=False)), fix="cannot override"),
    reject("create_workgroup", "a 100 MB cutoff instead of 10 MB",
           _workgroup(lambda c: c.update(BytesScannedCutoffPerQuery=100 * 1024 * 1024)), fix="10 MB"),
    reject("create_workgroup", "results to results/ instead of athena-results/",
           _workgroup(lambda c: c["ResultConfiguration"].update(
               OutputLocation=c["ResultConfiguration"]["OutputLocation"].replace("athena-results", "results"))),
           fix="athena-results/"),
]
