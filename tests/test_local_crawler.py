"""awslabs.local.crawler: schema inference and catalogue writes as the Glue crawler does them."""
from __future__ import annotations

import io
import json
import secrets
from types import SimpleNamespace

import pytest

from awslabs.context import LabContext
from awslabs.ledger import Ledger
from awslabs.local import crawler
from awslabs.settings import Settings
from awslabs.targets import make_target


@pytest.fixture
def ctx():
    target = make_target(Settings.load(target="moto"))
    return LabContext(SimpleNamespace(id="unit-crawler"), target, Ledger(None), secrets.token_hex(3))


def _parquet(rows: dict) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    sink = io.BytesIO()
    pq.write_table(pa.table(rows), sink)
    return sink.getvalue()


def test_classify_by_content(tmp_path):
    (tmp_path / "a.csv").write_bytes(_parquet({"x": [1]}))  # Parquet despite the name
    (tmp_path / "b.txt").write_text('{"x": 1}\n')
    (tmp_path / "c.dat").write_text("a,b\n1,2\n")
    assert [crawler.classify(tmp_path / n) for n in ("a.csv", "b.txt", "c.dat")] == ["parquet", "json", "csv"]


def test_csv_header_detection(tmp_path):
    # The built-in CSV classifier: a first row of strings over typed data is a header
    # (https://docs.aws.amazon.com/glue/latest/dg/add-classifier.html#classifier-built-in).
    typed = tmp_path / "typed.csv"
    typed.write_text("id,amount\n1,2.5\n2,3.0\n")
    kind, schema, header = crawler.infer_file(typed)
    assert (kind, header) == ("csv", True)
    assert [(f.name, crawler.glue_type(f.type)) for f in schema] == [("id", "bigint"), ("amount", "double")]
    headless = tmp_path / "headless.csv"
    headless.write_text("1,2.5\n2,3.0\n")
    _, schema, header = crawler.infer_file(headless)
    assert header is False and [f.name for f in schema] == ["f0", "f1"]


def test_schemas_merge_and_widen():
    import pyarrow as pa

    a = pa.schema([("ID", pa.int64()), ("v", pa.int64())])
    b = pa.schema([("id", pa.int64()), ("v", pa.float64()), ("extra", pa.string())])
    c = pa.schema([("v", pa.string())])
    assert crawler.merge_schemas([a, b]) == [("id", "bigint"), ("v", "double"), ("extra", "string")]
    assert crawler.merge_schemas([a, c]) == [("id", "bigint"), ("v", "string")]


def test_plan_tables_per_folder_or_per_include_path():
    # https://docs.aws.amazon.com/glue/latest/dg/crawler-s3-folder-table-partition.html
    rel = ["sales/year=2024/a.parquet", "customers/c.csv"]
    assert {k: v["root"] for k, v in crawler.plan_tables("s3://b/raw/", rel, "raw_").items()} == {
        "raw_sales": "sales/", "raw_customers": "customers/"}
    only_partitions = ["year=2024/month=01/a.parquet", "year=2024/month=02/b.parquet"]
    assert list(crawler.plan_tables("s3://b/raw/sales/", only_partitions)) == ["sales"]


def test_crawl_creates_tables_partitions_and_versions_on_schema_change(ctx):
    s3, glue = ctx.client("s3"), ctx.client("glue")
    bucket, db = f"unit-crawl-{ctx.run_id}", f"unit_crawl_{ctx.run_id}"
    s3.create_bucket(Bucket=bucket)
    glue.create_database(DatabaseInput={"Name": db})
    s3.put_object(Bucket=bucket, Key="raw/sales/year=2024/month=01/p.parquet", Body=_parquet({"id": [1, 2], "amt": [1.0, 2.0]}))
    s3.put_object(Bucket=bucket, Key="raw/sales/year=2024/month=02/p.parquet", Body=_parquet({"id": [3], "amt": [3.0]}))
    s3.put_object(Bucket=bucket, Key="raw/events/e.json", Body=(json.dumps({"k": "a", "n": 1}) + "\n").encode())
    s3.put_object(Bucket=bucket, Key="raw/events/_tmp.json", Body=b"not json")  # ignored (underscore)
    glue.create_crawler(Name=f"c-{ctx.run_id}", Role="r", DatabaseName=db, TablePrefix="raw_",
                        Targets={"S3Targets": [{"Path": f"s3://{bucket}/raw/"}]})
    summary = crawler.run_crawler(ctx, f"c-{ctx.run_id}")
    assert sorted(summary.tables_created) == ["raw_events", "raw_sales"]
    assert summary.partitions_added == 2 and summary.state == "COMPLETED"
    sales = glue.get_table(DatabaseName=db, Name="raw_sales")["Table"]
    assert [k["Name"] for k in sales["PartitionKeys"]] == ["year", "month"]
    assert sales["Parameters"]["classification"] == "parquet"
    assert [(c["Name"], c["Type"]) for c in sales["StorageDescriptor"]["Columns"]] == [("id", "bigint"), ("amt", "double")]
    parts = glue.get_partitions(DatabaseName=db, TableName="raw_sales")["Partitions"]
    assert sorted(p["StorageDescriptor"]["Location"] for p in parts) == [
        f"s3://{bucket}/raw/sales/year=2024/month=01/", f"s3://{bucket}/raw/sales/year=2024/month=02/"]
    # The tables were tracked in the run's ledger before they were created.
    assert {e.id for e in ctx.ledger.pending(run=ctx.run_id)} >= {f"{db}/raw_sales", f"{db}/raw_events"}

    s3.put_object(Bucket=bucket, Key="raw/sales/year=2024/month=03/p.parquet",
                  Body=_parquet({"id": [4], "amt": [4.0], "discount": [0.5]}))
    summary = crawler.run_crawler(ctx, f"c-{ctx.run_id}")
    assert summary.tables_updated == ["raw_sales"] and summary.partitions_added == 1
    versions = glue.get_table_versions(DatabaseName=db, TableName="raw_sales")["TableVersions"]
    assert len(versions) == 2


def test_log_policy_reports_but_does_not_update(ctx):
    s3, glue = ctx.client("s3"), ctx.client("glue")
    bucket, db = f"unit-crawl-log-{ctx.run_id}", f"unit_crawl_log_{ctx.run_id}"
    s3.create_bucket(Bucket=bucket)
    glue.create_database(DatabaseInput={"Name": db})
    s3.put_object(Bucket=bucket, Key="t/a.csv", Body=b"id,name\n1,x\n2,y\n")
    name = f"c-log-{ctx.run_id}"
    glue.create_crawler(Name=name, Role="r", DatabaseName=db, Targets={"S3Targets": [{"Path": f"s3://{bucket}/t/"}]},
                        SchemaChangePolicy={"UpdateBehavior": "LOG", "DeleteBehavior": "LOG"})
    crawler.run_crawler(ctx, name)
    s3.put_object(Bucket=bucket, Key="t/b.csv", Body=b"id,name,extra\n3,z,1\n4,w,2\n")
    summary = crawler.run_crawler(ctx, name)
    assert summary.schema_changes_logged == ["t"] and summary.tables_updated == []
    table = glue.get_table(DatabaseName=db, Name="t")["Table"]
    assert [c["Name"] for c in table["StorageDescriptor"]["Columns"]] == ["id", "name"]
    assert table["Parameters"]["skip.header.line.count"] == "1"


def test_every_file_is_read_unless_the_target_sets_a_sample_size(ctx, tmp_path):
    # S3Target.SampleSize: "the number of files in each leaf folder to be crawled ... If not set,
    # all the files are crawled" (Glue API reference). Only the 25th file has the column "late".
    ctx.create_bucket(ctx.name("crawl"))
    s3 = ctx.client("s3")
    bucket = ctx.name("crawl")
    for i in range(25):
        body = "id,amount,late\n1,2.5,x\n" if i == 24 else "id,amount\n1,2.5\n"
        s3.put_object(Bucket=bucket, Key=f"sales/part-{i:02d}.csv", Body=body.encode())
    objects = [{"Key": f"sales/part-{i:02d}.csv", "Relative": f"part-{i:02d}.csv"} for i in range(25)]
    everything = crawler.infer_table(ctx, f"s3://{bucket}/sales/", "sales", "", objects, tmp_path / "all")
    sampled = crawler.infer_table(ctx, f"s3://{bucket}/sales/", "sales", "", objects, tmp_path / "some", sample_size=2)
    assert [n for n, _ in everything.columns] == ["id", "amount", "late"]
    assert [n for n, _ in sampled.columns] == ["id", "amount"]
    s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": o["Key"]} for o in objects]})
    s3.delete_bucket(Bucket=bucket)
