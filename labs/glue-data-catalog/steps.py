"""glue-data-catalog: a crawler catalogues raw CSV, JSON and Hive-partitioned Parquet; partitions
are pruned with expressions; a schema change makes a table version; Athena queries the catalogue.

On moto the crawler and Athena never do anything: ``awslabs.local.crawler`` infers the schemas
with pyarrow and writes the tables through the Glue API, and ``awslabs.local.sql`` runs the
Athena query with DuckDB over the objects in the emulated S3 and writes the result CSV there.
On AWS the real crawler and Athena run and the same checks read what they produced."""
from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from functools import lru_cache

from botocore.exceptions import ClientError

from awslabs import judge, labkit
from awslabs.lab import equal, expect
from awslabs.local import crawler as local_crawler
from awslabs.local import sql as local_sql

MONTHS = ["01", "02", "03"]
NEW_MONTH = "04"
COUNTRIES = {1: "DE", 2: "FR", 3: "DE", 4: "US", 5: "US", 6: "FR"}
QUERY = (
    "SELECT c.country, COUNT(*) AS orders, ROUND(SUM(s.amount), 2) AS revenue "
    "FROM raw_sales s JOIN raw_customers c ON s.customer_id = c.customer_id "
    "WHERE s.year = '2024' AND s.month IN ('01', '02') "
    "GROUP BY c.country ORDER BY c.country"
)
UNREGISTERED = "05"  # a month uploaded straight to S3, never crawled nor added as a partition
MONTHS_QUERY = "SELECT month, COUNT(*) AS orders FROM raw_sales GROUP BY month ORDER BY month"


# -- names ------------------------------------------------------------------------------------------
def _bucket(ctx):
    return ctx.name("lake")


def _database(ctx):
    # Athena and Hive want database names of letters, digits and underscores.
    return ctx.name("catalog").replace("-", "_")


def _crawler(ctx):
    return ctx.name("raw-crawler", max_len=255)


def _role(ctx):
    return ctx.name("glue-crawler", max_len=64)


def _workgroup(ctx):
    return ctx.name("analysts", max_len=128)


def _by(ctx):
    """Who produced what a check reads: the local runner here, the service on AWS."""
    return "emulated" if ctx.on_aws else "local"


# -- the data (deterministic, generated, tiny) -----------------------------------------------------
@lru_cache(maxsize=1)
def _customers_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["customer_id", "name", "country", "signup_date"])
    for cid, country in COUNTRIES.items():
        writer.writerow([cid, f"customer {cid}", country, f"2023-0{cid}-15"])
    return out.getvalue().encode()


@lru_cache(maxsize=1)
def _events_jsonl() -> bytes:
    kinds = ["view", "cart", "purchase"]
    lines = [
        json.dumps({"event_id": i, "customer_id": 1 + i % 6, "type": kinds[i % 3], "ts": f"2024-02-0{1 + i % 9}T10:00:00"})
        for i in range(12)
    ]
    return ("\n".join(lines) + "\n").encode()


def _sales_rows(month: str) -> list[dict]:
    m = int(month)
    return [
        {"order_id": m * 100 + i, "customer_id": 1 + (i + m) % 6, "amount": round(10.0 * m + 2.5 * i, 2), "quantity": 1 + i % 3}
        for i in range(5)
    ]


@lru_cache(maxsize=8)
def _sales_parquet(month: str, with_discount: bool = False) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = _sales_rows(month)
    if with_discount:
        rows = [{**r, "discount": 0.1 if r["quantity"] > 1 else 0.0} for r in rows]
    sink = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows), sink, compression="snappy")
    return sink.getvalue()


def _expected_answer() -> list[list[str]]:
    """The query's answer computed in plain Python from the generated rows (Athena CSV strings)."""
    orders, revenue = defaultdict(int), defaultdict(float)
    for month in ("01", "02"):
        for row in _sales_rows(month):
            country = COUNTRIES[row["customer_id"]]
            orders[country] += 1
            revenue[country] += row["amount"]
    return [[c, str(orders[c]), repr(round(revenue[c], 2))] for c in sorted(orders)]


def _keys(ctx, prefix: str) -> list[str]:
    pages = ctx.client("s3").get_paginator("list_objects_v2").paginate(Bucket=_bucket(ctx), Prefix=prefix)
    return [o["Key"] for page in pages for o in page.get("Contents", [])]


def _table(ctx, name: str) -> dict | None:
    glue = ctx.client("glue")
    try:
        return glue.get_table(DatabaseName=_database(ctx), Name=name)["Table"]
    except glue.exceptions.EntityNotFoundException:
        return None


def _partition_values(ctx, table: str, expression: str | None = None) -> list[tuple[str, ...]]:
    glue = ctx.client("glue")
    args = {"DatabaseName": _database(ctx), "TableName": table}
    if expression:
        args["Expression"] = expression
    try:
        pages = list(glue.get_paginator("get_partitions").paginate(**args))
    except glue.exceptions.EntityNotFoundException:
        return []
    return sorted(tuple(p["Values"]) for page in pages for p in page.get("Partitions", []))



# -- steps ------------------------------------------------------------------------------------------
def apply_create_database(ctx):
    ctx.track("glue:database", _database(ctx))
    ctx.client("glue").create_database(
        DatabaseInput={
            "Name": _database(ctx),
            "Description": "raw zone of the awslabs data lake",
            "LocationUri": f"s3://{_bucket(ctx)}/raw/",
        },
        Tags=ctx.tags,
    )


def check_create_database(ctx):
    names = [d["Name"] for d in ctx.client("glue").get_databases()["DatabaseList"]]
    yield expect("the Glue database exists", _database(ctx) in names, _database(ctx))
    if _database(ctx) in names:
        database = ctx.client("glue").get_database(Name=_database(ctx))["Database"]
        yield equal("its location is the raw zone", database.get("LocationUri", "").rstrip("/"),
                    f"s3://{_bucket(ctx)}/raw")


def apply_upload_raw_data(ctx):
    s3 = ctx.client("s3")
    bucket = _bucket(ctx)
    if bucket not in [b["Name"] for b in s3.list_buckets()["Buckets"]]:  # practice `start` may be rerun
        ctx.create_bucket(bucket)
    s3.put_object(Bucket=bucket, Key="raw/customers/customers.csv", Body=_customers_csv())
    s3.put_object(Bucket=bucket, Key="raw/events/events-0001.json", Body=_events_jsonl())
    for month in MONTHS:
        s3.put_object(Bucket=bucket, Key=f"raw/sales/year=2024/month={month}/part-0000.snappy.parquet", Body=_sales_parquet(month))


def check_upload_raw_data(ctx):
    buckets = [b["Name"] for b in ctx.client("s3").list_buckets()["Buckets"]]
    if _bucket(ctx) not in buckets:
        yield expect("the data-lake bucket exists", False, _bucket(ctx))
        return
    keys = _keys(ctx, "raw/")
    folders = sorted({k.split("/")[3] for k in keys if k.startswith("raw/sales/")})
    # (later steps land month=04 and month=05 beside them)
    yield expect("sales land in one Hive folder per month",
                 {f"month={m}" for m in MONTHS} <= set(folders), ", ".join(folders))
    yield expect("CSV and JSON Lines objects landed", {"raw/customers/customers.csv", "raw/events/events-0001.json"} <= set(keys))


def apply_define_crawler(ctx):
    # What the crawler needs (AWSGlueServiceRole, narrowed): read the lake, write the catalogue
    # and its CloudWatch log. Inline, so no managed policy has to exist in the account.
    role = labkit.create_service_role(ctx, _role(ctx), "glue.amazonaws.com", {"read-lake": [
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
         "Resource": [f"arn:aws:s3:::{_bucket(ctx)}", f"arn:aws:s3:::{_bucket(ctx)}/*"]},
        {"Effect": "Allow", "Action": ["glue:GetDatabase", "glue:GetTable", "glue:CreateTable", "glue:UpdateTable",
                                       "glue:GetPartition", "glue:GetPartitions", "glue:BatchCreatePartition",
                                       "glue:BatchGetPartition", "glue:UpdatePartition"],
         "Resource": "*"},
        {"Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": "arn:aws:logs:*:*:log-group:/aws-glue/*"},
    ]})
    ctx.track("glue:crawler", _crawler(ctx))
    ctx.client("glue").create_crawler(
        Name=_crawler(ctx),
        Role=role,
        DatabaseName=_database(ctx),
        TablePrefix="raw_",
        Targets={"S3Targets": [{"Path": f"s3://{_bucket(ctx)}/raw/", "Exclusions": ["**/_*", "**.tmp"]}]},
        SchemaChangePolicy={"UpdateBehavior": "UPDATE_IN_DATABASE", "DeleteBehavior": "DEPRECATE_IN_DATABASE"},
        RecrawlPolicy={"RecrawlBehavior": "CRAWL_EVERYTHING"},
        Tags=ctx.tags,
    )


def check_define_crawler(ctx):
    glue = ctx.client("glue")
    try:
        crawler = glue.get_crawler(Name=_crawler(ctx))["Crawler"]
    except glue.exceptions.EntityNotFoundException:
        yield expect("the crawler exists", False, _crawler(ctx))
        return
    # s3://bucket/raw and s3://bucket/raw/ are the same include path (the crawler reads the prefix)
    yield equal("the crawler targets the raw zone", [t["Path"].rstrip("/") + "/" for t in crawler["Targets"]["S3Targets"]],
                [f"s3://{_bucket(ctx)}/raw/"])
    yield equal("new tables get the prefix raw_", crawler.get("TablePrefix"), "raw_")
    update = judge.effective("glue", "crawler", "SchemaChangePolicy.UpdateBehavior",
                             (crawler.get("SchemaChangePolicy") or {}).get("UpdateBehavior"))
    yield equal("schema changes are updated in the database (SchemaChangePolicy UpdateBehavior)", update,
                "UPDATE_IN_DATABASE")
    role = (crawler.get("Role") or "").rsplit("/", 1)[-1]
    try:
        trust = ctx.client("iam").get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"]
        may = judge.service_may_assume(trust, "glue.amazonaws.com")
    except ClientError:
        may = judge.Decision(False, f"the crawler's role {role} does not exist")
    yield expect("glue.amazonaws.com may assume the crawler's role", may, may.why)
    yield equal("the crawler is idle", crawler["State"], "READY")


def apply_run_crawler(ctx):
    if ctx.state.get("first_crawl") and _table(ctx, "raw_sales"):
        return  # practice runs this at every check: the first crawl happened already
    ctx.state["first_crawl"] = local_crawler.run_crawler(ctx, _crawler(ctx)).to_dict()


def check_run_crawler(ctx):
    by = _by(ctx)
    crawls = ctx.client("glue").list_crawls(CrawlerName=_crawler(ctx)).get("Crawls", [])
    yield equal("the crawl completed", [c.get("State") for c in crawls][-1:], ["COMPLETED"])
    tables = {t: _table(ctx, t) for t in ("raw_customers", "raw_events", "raw_sales")}
    classes = {t: (v or {}).get("Parameters", {}).get("classification") for t, v in tables.items()}
    yield equal("one table per folder, classified by content", classes,
                {"raw_customers": "csv", "raw_events": "json", "raw_sales": "parquet"}, by)
    customers = tables["raw_customers"] or {}
    yield equal("the CSV header was detected and is skipped",
                customers.get("Parameters", {}).get("skip.header.line.count"), "1", by)
    sales = tables["raw_sales"] or {}
    first = _first_version(ctx, "raw_sales") or sales  # the first crawl's definition (schema_change adds one)
    columns = {c["Name"]: c["Type"] for c in first.get("StorageDescriptor", {}).get("Columns", [])}
    yield equal("the Parquet schema was read", columns,
                {"order_id": "bigint", "customer_id": "bigint", "amount": "double", "quantity": "bigint"}, by)
    yield equal("Hive folders became partition keys", [k["Name"] for k in sales.get("PartitionKeys", [])],
                ["year", "month"], by)
    values = _partition_values(ctx, "raw_sales")
    yield expect("one partition per month", {("2024", m) for m in MONTHS} <= set(values),
                 ", ".join("/".join(v) for v in values), by)


def _first_version(ctx, name: str) -> dict | None:
    glue = ctx.client("glue")
    try:
        versions = glue.get_table_versions(DatabaseName=_database(ctx), TableName=name)["TableVersions"]
    except glue.exceptions.EntityNotFoundException:
        return None
    return min(versions, key=lambda v: int(v["VersionId"]))["Table"] if versions else None


def apply_prune_partitions(ctx):
    # Pruning happens in the catalogue: only matching partitions are returned (and read).
    labkit.record(ctx, "pruned", _partition_values(ctx, "raw_sales", "year = '2024' AND month IN ('02', '03')"))


def check_prune_partitions(ctx):
    pruned = labkit.observed(ctx, "pruned")
    yield equal("the expression keeps two of three partitions", pruned, [["2024", "02"], ["2024", "03"]])


def _has_new_month(ctx) -> bool:
    table = _table(ctx, "raw_sales") or {}
    columns = [c["Name"] for c in table.get("StorageDescriptor", {}).get("Columns", [])]
    return "discount" in columns and ("2024", NEW_MONTH) in _partition_values(ctx, "raw_sales")


def apply_schema_change(ctx):
    if ctx.state.get("second_crawl") and _has_new_month(ctx):
        return  # practice runs this at every check: the recrawl happened already
    ctx.client("s3").put_object(
        Bucket=_bucket(ctx),
        Key=f"raw/sales/year=2024/month={NEW_MONTH}/part-0000.snappy.parquet",
        Body=_sales_parquet(NEW_MONTH, with_discount=True),
    )
    ctx.state["second_crawl"] = local_crawler.run_crawler(ctx, _crawler(ctx)).to_dict()


def check_schema_change(ctx):
    by = _by(ctx)
    table = _table(ctx, "raw_sales") or {}
    columns = [c["Name"] for c in table.get("StorageDescriptor", {}).get("Columns", [])]
    yield expect("the new column was merged into the schema", "discount" in columns, ", ".join(columns), by)
    glue = ctx.client("glue")
    versions = glue.get_table_versions(DatabaseName=_database(ctx), TableName="raw_sales")["TableVersions"]
    yield equal("the update kept the old definition as a version", len(versions), 2, by)
    yield expect("the new month is a partition", ("2024", NEW_MONTH) in _partition_values(ctx, "raw_sales"), "", by)


def apply_create_workgroup(ctx):
    ctx.track("athena:workgroup", _workgroup(ctx))
    ctx.client("athena").create_work_group(
        Name=_workgroup(ctx),
        Configuration={
            "ResultConfiguration": {"OutputLocation": f"s3://{_bucket(ctx)}/athena-results/"},
            "EnforceWorkGroupConfiguration": True,
            "BytesScannedCutoffPerQuery": 10 * 1024 * 1024,  # a guard rail: 10 MB per query
        },
        Tags=ctx.tag_list(),
    )


def _workgroup_config(ctx) -> dict | None:
    athena = ctx.client("athena")
    names, token = [], None
    while True:  # (list_work_groups has no paginator)
        page = athena.list_work_groups(**({"NextToken": token} if token else {}))
        names += [w["Name"] for w in page.get("WorkGroups", [])]
        token = page.get("NextToken")
        if not token:
            break
    if _workgroup(ctx) not in names:
        return None
    return athena.get_work_group(WorkGroup=_workgroup(ctx))["WorkGroup"].get("Configuration", {})


def check_create_workgroup(ctx):
    config = _workgroup_config(ctx)
    if config is None:
        yield expect("the workgroup exists", False, _workgroup(ctx))
        return
    yield equal("results go to athena-results/ in the lake bucket",
                config.get("ResultConfiguration", {}).get("OutputLocation", "").rstrip("/"),
                f"s3://{_bucket(ctx)}/athena-results")
    yield equal("queries cannot override the workgroup's settings", config.get("EnforceWorkGroupConfiguration"), True)
    cutoff = config.get("BytesScannedCutoffPerQuery")
    yield expect("a query that scans more than 10 MB is cancelled", cutoff is not None and cutoff <= 10 * 1024 * 1024,
                 str(cutoff))


def apply_athena_query(ctx):
    athena = ctx.client("athena")
    output = _workgroup_config(ctx)["ResultConfiguration"]["OutputLocation"]  # enforced: the workgroup's location wins
    qid = athena.start_query_execution(
        QueryString=QUERY,
        QueryExecutionContext={"Database": _database(ctx)},
        ResultConfiguration={"OutputLocation": output},
        WorkGroup=_workgroup(ctx),
    )["QueryExecutionId"]
    queries = {"query_id": qid}
    local_sql.run_query_execution(ctx, qid)
    # Data that lands in a new partition folder is invisible until the partition is registered.
    ctx.client("s3").put_object(
        Bucket=_bucket(ctx),
        Key=f"raw/sales/year=2024/month={UNREGISTERED}/part-0000.snappy.parquet",
        Body=_sales_parquet(UNREGISTERED, with_discount=True),
    )
    qid = athena.start_query_execution(
        QueryString=MONTHS_QUERY,
        QueryExecutionContext={"Database": _database(ctx)},
        ResultConfiguration={"OutputLocation": output},
        WorkGroup=_workgroup(ctx),
    )["QueryExecutionId"]
    queries["months_query_id"] = qid
    labkit.record(ctx, "athena_queries", queries)  # the ids Athena assigned: the check reads their results in S3
    local_sql.run_query_execution(ctx, qid)


def check_athena_query(ctx):
    by = _by(ctx)
    queries = labkit.observed(ctx, "athena_queries") or {}
    qid = queries.get("query_id", "none")
    key = f"athena-results/{qid}.csv"
    if key not in _keys(ctx, "athena-results/"):
        yield expect("the result CSV is in the output location", False, key, by)
        return
    body = ctx.client("s3").get_object(Bucket=_bucket(ctx), Key=key)["Body"].read().decode()
    rows = list(csv.reader(io.StringIO(body)))
    yield equal("the CSV has Athena's header", rows[0], ["country", "orders", "revenue"], by)
    yield equal("revenue per country for Jan-Feb matches the known answer", rows[1:], _expected_answer(), by)
    key = f"athena-results/{queries.get('months_query_id', 'none')}.csv"
    if key in _keys(ctx, "athena-results/"):
        body = ctx.client("s3").get_object(Bucket=_bucket(ctx), Key=key)["Body"].read().decode()
        months = [r[0] for r in list(csv.reader(io.StringIO(body)))[1:]]
    else:
        months = []
    yield equal(f"month={UNREGISTERED} is in S3 but not in the results: it is not a registered partition",
                months, MONTHS + [NEW_MONTH], by)
