"""awslabs.local.sql: Athena-style SQL over Glue tables, executed by DuckDB on emulated S3 data."""
from __future__ import annotations

import csv
import io
import json
import secrets
from types import SimpleNamespace

import pytest

from awslabs.context import LabContext
from awslabs.ledger import Ledger
from awslabs.local import sql
from awslabs.settings import Settings
from awslabs.targets import make_target

PARQUET_SD = {
    "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
    "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
    "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"},
}


@pytest.fixture
def ctx():
    target = make_target(Settings.load(target="moto"))
    return LabContext(SimpleNamespace(id="unit-sql"), target, Ledger(None), secrets.token_hex(3))


@pytest.fixture
def lake(ctx):
    """A bucket and a database with a CSV table (with header), a JSON table and a Parquet table
    partitioned by month, of which only two of three folders are registered partitions."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    s3, glue = ctx.client("s3"), ctx.client("glue")
    bucket, db = f"unit-sql-{ctx.run_id}", f"unit_sql_{ctx.run_id}"
    s3.create_bucket(Bucket=bucket)
    glue.create_database(DatabaseInput={"Name": db})
    s3.put_object(Bucket=bucket, Key="customers/c.csv", Body=b"id,country\n1,DE\n2,FR\n3,DE\n")
    s3.put_object(Bucket=bucket, Key="customers/_SUCCESS", Body=b"")  # ignored, as Athena does
    glue.create_table(DatabaseName=db, TableInput={
        "Name": "customers",
        "Parameters": {"classification": "csv", "skip.header.line.count": "1"},
        "StorageDescriptor": {
            "Columns": [{"Name": "id", "Type": "bigint"}, {"Name": "country", "Type": "string"}],
            "Location": f"s3://{bucket}/customers/",
            "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
                          "Parameters": {"field.delim": ","}},
        },
    })
    events = "\n".join(json.dumps({"id": i, "kind": k}) for i, k in [(1, "view"), (2, "buy"), (3, "view")])
    s3.put_object(Bucket=bucket, Key="events/e.json", Body=events.encode())
    glue.create_table(DatabaseName=db, TableInput={
        "Name": "events",
        "StorageDescriptor": {
            "Columns": [{"Name": "id", "Type": "int"}, {"Name": "kind", "Type": "string"}],
            "Location": f"s3://{bucket}/events/",
            "SerdeInfo": {"SerializationLibrary": "org.openx.data.jsonserde.JsonSerDe"},
        },
    })
    columns = [{"Name": "customer_id", "Type": "bigint"}, {"Name": "amount", "Type": "double"}]
    glue.create_table(DatabaseName=db, TableInput={
        "Name": "sales",
        "StorageDescriptor": {**PARQUET_SD, "Columns": columns, "Location": f"s3://{bucket}/sales/"},
        "PartitionKeys": [{"Name": "month", "Type": "string"}],
    })
    for month, rows in {"01": [(1, 10.0), (2, 5.5)], "02": [(1, 2.0), (3, 1.0)], "03": [(2, 100.0)]}.items():
        sink = io.BytesIO()
        pq.write_table(pa.table({"customer_id": [r[0] for r in rows], "amount": [r[1] for r in rows]}), sink)
        s3.put_object(Bucket=bucket, Key=f"sales/month={month}/part-0.parquet", Body=sink.getvalue())
        if month != "03":  # month=03 is in S3 but was never added to the catalogue
            glue.create_partition(DatabaseName=db, TableName="sales", PartitionInput={
                "Values": [month], "StorageDescriptor": {**PARQUET_SD, "Columns": columns,
                                                         "Location": f"s3://{bucket}/sales/month={month}/"}})
    return SimpleNamespace(bucket=bucket, db=db)


def test_hive_types_map_to_duckdb():
    assert sql.duckdb_type("string") == "VARCHAR"
    assert sql.duckdb_type("bigint") == "BIGINT"
    assert sql.duckdb_type("decimal(10,2)") == "DECIMAL(10,2)"
    assert sql.duckdb_type("varchar(20)") == "VARCHAR"
    assert sql.duckdb_type("array<string>") == "VARCHAR"


def test_athena_csv_quotes_every_value_and_leaves_null_empty():
    # https://docs.aws.amazon.com/athena/latest/ug/querying-finding-output-files.html
    body = sql.athena_csv(["a", "b", "c"], [("x", None, 1.0), ('say "hi"', 2, True)])
    assert body.decode().splitlines() == ['"a","b","c"', '"x",,"1.0"', '"say ""hi""","2","true"']


def test_csv_with_header_and_json_tables(ctx, lake):
    result = sql.run_sql(ctx, "SELECT country, COUNT(*) AS n FROM customers GROUP BY country ORDER BY country", lake.db)
    assert result.columns == ["country", "n"] and result.rows == [("DE", 2), ("FR", 1)]
    result = sql.run_sql(ctx, f"SELECT kind, COUNT(*) FROM `{lake.db}`.events GROUP BY kind ORDER BY kind", lake.db)
    assert result.rows == [("buy", 1), ("view", 2)]


def test_only_registered_partitions_are_visible(ctx, lake):
    # Athena reads partitions from the catalogue, not by listing S3:
    # https://docs.aws.amazon.com/athena/latest/ug/partitions.html
    result = sql.run_sql(ctx, "SELECT month, SUM(amount) FROM sales GROUP BY month ORDER BY month", lake.db)
    assert result.rows == [("01", 15.5), ("02", 3.0)]
    joined = sql.run_sql(ctx, "SELECT c.country, SUM(s.amount) AS total FROM sales s JOIN customers c "
                              "ON s.customer_id = c.id WHERE s.month = '01' GROUP BY c.country ORDER BY 1", lake.db)
    assert joined.rows == [("DE", 10.0), ("FR", 5.5)]


def test_query_execution_writes_the_result_csv_to_the_output_location(ctx, lake):
    athena = ctx.client("athena")
    qid = athena.start_query_execution(
        QueryString="SELECT id, country FROM customers WHERE country = 'DE' ORDER BY id",
        QueryExecutionContext={"Database": lake.db},
        ResultConfiguration={"OutputLocation": f"s3://{lake.bucket}/results/"},
    )["QueryExecutionId"]
    result = sql.run_query_execution(ctx, qid)
    assert result.output_location == f"s3://{lake.bucket}/results/{qid}.csv"
    body = ctx.client("s3").get_object(Bucket=lake.bucket, Key=f"results/{qid}.csv")["Body"].read().decode()
    assert list(csv.reader(io.StringIO(body))) == [["id", "country"], ["1", "DE"], ["3", "DE"]]


def test_an_empty_table_still_has_its_columns(ctx, lake):
    ctx.client("glue").create_table(DatabaseName=lake.db, TableInput={
        "Name": "empty_t", "StorageDescriptor": {**PARQUET_SD, "Columns": [{"Name": "x", "Type": "int"}],
                                                  "Location": f"s3://{lake.bucket}/nothing/"}})
    result = sql.run_sql(ctx, "SELECT x FROM empty_t", lake.db)
    assert result.columns == ["x"] and result.rows == []


def test_table_format_from_serde():
    assert sql.table_format({"StorageDescriptor": PARQUET_SD}) == "parquet"
    assert sql.table_format({"StorageDescriptor": {"SerdeInfo": {"SerializationLibrary": "org.openx.data.jsonserde.JsonSerDe"}}}) == "json"
    assert sql.table_format({"StorageDescriptor": {}}) == "csv"
