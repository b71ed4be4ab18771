"""awslabs.local.dms: table mappings and the files DMS writes to an S3 target."""
from __future__ import annotations

import datetime as dt
import json
import secrets
import sqlite3
from types import SimpleNamespace

import pytest

from awslabs.context import LabContext
from awslabs.ledger import Ledger
from awslabs.local import dms
from awslabs.settings import Settings
from awslabs.targets import make_target


def test_selection_rules_include_wildcards_and_exclusions():
    # https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Tasks.CustomizingTasks.TableMapping.SelectionTransformation.Selections.html
    mappings = {"rules": [
        {"rule-type": "selection", "rule-id": "1", "object-locator": {"schema-name": "Test", "table-name": "%"},
         "rule-action": "include"},
        {"rule-type": "selection", "rule-id": "2", "object-locator": {"schema-name": "Test", "table-name": "DMS%"},
         "rule-action": "exclude"},
    ]}
    assert dms.selected_tables(mappings, "Test", ["ITEM", "DMS_LOG", "DMSX", "orders"]) == ["ITEM", "orders"]
    assert dms.selected_tables(mappings, "Other", ["ITEM"]) == []


def test_add_column_expression_is_sqlite_with_dollar_columns():
    # The documented example: FULL_NAME = $FIRST_NAME||'_'||$LAST_NAME
    # https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Tasks.CustomizingTasks.TableMapping.SelectionTransformation.Expressions.html
    mappings = {"rules": [
        {"rule-type": "selection", "rule-id": "1", "object-locator": {"schema-name": "Test", "table-name": "%"},
         "rule-action": "include"},
        {"rule-type": "transformation", "rule-id": "2", "rule-action": "add-column", "rule-target": "column",
         "object-locator": {"schema-name": "Test", "table-name": "ITEM"}, "value": "FULL_NAME",
         "expression": "$FIRST_NAME||'_'||$LAST_NAME", "data-type": {"type": "string", "length": 50}},
        {"rule-type": "transformation", "rule-id": "3", "rule-action": "rename", "rule-target": "schema",
         "object-locator": {"schema-name": "Test"}, "value": "Prod"},
        {"rule-type": "transformation", "rule-id": "4", "rule-action": "convert-lowercase", "rule-target": "table",
         "object-locator": {"schema-name": "Test", "table-name": "%"}},
        {"rule-type": "transformation", "rule-id": "5", "rule-action": "remove-column", "rule-target": "column",
         "object-locator": {"schema-name": "Test", "table-name": "ITEM", "column-name": "SSN"}},
    ]}
    plan = dms.plan_table(mappings, "Test", "ITEM", ["FIRST_NAME", "LAST_NAME", "SSN"])
    assert (plan.target_schema, plan.target_table) == ("Prod", "item")
    assert plan.columns == ["FIRST_NAME", "LAST_NAME", "FULL_NAME"]
    con = sqlite3.connect(":memory:")
    con.execute('CREATE TABLE "ITEM" (FIRST_NAME, LAST_NAME, SSN)')
    con.execute("INSERT INTO ITEM VALUES ('Ada', 'Lovelace', '123')")
    assert con.execute(f"SELECT {', '.join(plan.select)} FROM ITEM").fetchone() == ("Ada", "Lovelace", "Ada_Lovelace")


def test_source_filters_become_a_where_clause():
    mappings = {"rules": [{"rule-type": "selection", "rule-id": "1", "rule-action": "include",
                           "object-locator": {"schema-name": "s", "table-name": "orders"},
                           "filters": [{"filter-type": "source", "column-name": "amount", "filter-conditions": [
                               {"filter-operator": "between", "start-value": "10", "end-value": "20"},
                               {"filter-operator": "null"}]}]}]}
    where, params = dms.filter_sql(mappings, "s", "orders")
    assert where == '("amount" BETWEEN ? AND ? OR "amount" IS NULL)' and params == ["10", "20"]


def test_file_names_follow_dms():
    # https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Target.S3.html: a hexadecimal counter
    # (…09, …0A) for full load, a timestamp for CDC (20141029-1134010000.csv).
    assert [dms.load_file_name(n) for n in (1, 9, 10, 16)] == [
        "LOAD00000001.csv", "LOAD00000009.csv", "LOAD0000000A.csv", "LOAD00000010.csv"]
    assert dms.cdc_file_name(dt.datetime(2014, 10, 29, 11, 34, 1)) == "20141029-1134010000.csv"


@pytest.fixture
def ctx():
    target = make_target(Settings.load(target="moto"))
    return LabContext(SimpleNamespace(id="unit-dms"), target, Ledger(None), secrets.token_hex(3))


def _task(ctx, bucket, mappings, **settings):
    client = ctx.client("dms")
    source = client.create_endpoint(EndpointIdentifier=f"src-{ctx.run_id}-{len(settings)}", EndpointType="source",
                                    EngineName="mysql", ServerName="h", Port=3306, Username="u", Password="p",
                                    DatabaseName="shop")["Endpoint"]["EndpointArn"]
    target = client.create_endpoint(EndpointIdentifier=f"dst-{ctx.run_id}-{len(settings)}", EndpointType="target",
                                    EngineName="s3", S3Settings={"BucketName": bucket, "BucketFolder": "out",
                                                                 "ServiceAccessRoleArn": "arn:aws:iam::1:role/r",
                                                                 **settings})["Endpoint"]["EndpointArn"]
    instance = client.create_replication_instance(ReplicationInstanceIdentifier=f"ri-{ctx.run_id}-{len(settings)}",
                                                  ReplicationInstanceClass="dms.t3.micro")["ReplicationInstance"]
    return client.create_replication_task(
        ReplicationTaskIdentifier=f"t-{ctx.run_id}-{len(settings)}", SourceEndpointArn=source, TargetEndpointArn=target,
        ReplicationInstanceArn=instance["ReplicationInstanceArn"], MigrationType="full-load-and-cdc",
        TableMappings=json.dumps(mappings))["ReplicationTask"]["ReplicationTaskArn"]


MAPPINGS = {"rules": [{"rule-type": "selection", "rule-id": "1", "rule-action": "include",
                       "object-locator": {"schema-name": "shop", "table-name": "%"}}]}


def _db(ctx):
    path = ctx.workdir / "shop.db"
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
        con.executemany("INSERT INTO t VALUES (?, ?)", [(1, "a"), (2, None)])
        con.execute("CREATE TABLE empty (id INTEGER)")
    con.close()
    return dms.SqliteSource(path, schema="shop")


def _body(ctx, bucket, key):
    return ctx.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read().decode()


def test_full_load_then_cdc_with_defaults(ctx):
    bucket = f"unit-dms-{ctx.run_id}"
    ctx.client("s3").create_bucket(Bucket=bucket)
    task = _task(ctx, bucket, MAPPINGS)
    source = _db(ctx)
    summary = dms.full_load(ctx, task, source)
    # No header, no Op column, NULL as empty; no folder for the empty table.
    assert summary.files == ["out/shop/t/LOAD00000001.csv"]
    assert _body(ctx, bucket, "out/shop/t/LOAD00000001.csv") == "1,a\n2,\n"
    dms.start_cdc(ctx, task, source)
    with sqlite3.connect(source.path) as con:
        con.execute("INSERT INTO t VALUES (3, 'c')")
        con.execute("UPDATE t SET v = 'b' WHERE id = 2")
        con.execute("DELETE FROM t WHERE id = 1")
    con.close()
    cdc = dms.apply_cdc(ctx, task, source, when=dt.datetime(2024, 3, 1, 12, 0, 0))
    assert cdc.files == ["out/shop/t/20240301-1200000000.csv"]
    assert _body(ctx, bucket, cdc.files[0]) == "I,3,c\nU,2,b\nD,1,a\n"
    assert dms.apply_cdc(ctx, task, source).files == []  # the checkpoint moved past those changes


def test_header_op_for_full_load_and_inserts_only(ctx):
    bucket = f"unit-dms2-{ctx.run_id}"
    ctx.client("s3").create_bucket(Bucket=bucket)
    task = _task(ctx, bucket, MAPPINGS, AddColumnName=True, IncludeOpForFullLoad=True, CdcInsertsOnly=True)
    source = _db(ctx)
    dms.full_load(ctx, task, source)
    assert _body(ctx, bucket, "out/shop/t/LOAD00000001.csv") == "Op,id,v\nI,1,a\nI,2,\n"
    dms.start_cdc(ctx, task, source)
    with sqlite3.connect(source.path) as con:
        con.execute("INSERT INTO t VALUES (3, 'c')")
        con.execute("DELETE FROM t WHERE id = 1")
    con.close()
    cdc = dms.apply_cdc(ctx, task, source)
    assert _body(ctx, bucket, cdc.files[0]) == "Op,id,v\nI,3,c\n"  # CdcInsertsOnly drops the delete


def test_max_file_size_splits_load_files(ctx):
    bucket = f"unit-dms3-{ctx.run_id}"
    ctx.client("s3").create_bucket(Bucket=bucket)
    task = _task(ctx, bucket, MAPPINGS, MaxFileSize=1)  # 1 KB
    path = ctx.workdir / "big.db"
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE big (id INTEGER, pad TEXT)")
        con.executemany("INSERT INTO big VALUES (?, ?)", [(i, "x" * 100) for i in range(30)])
    con.close()
    summary = dms.full_load(ctx, task, dms.SqliteSource(path, schema="shop"))
    assert summary.files[:2] == ["out/shop/big/LOAD00000001.csv", "out/shop/big/LOAD00000002.csv"]
    assert summary.rows == {"shop.big": 30}


def test_a_task_naming_a_target_endpoint_that_does_not_exist_is_said_in_one_line(ctx):
    """Regression: a task created with endpoint ARNs of another run (moto stores any string) made
    the runner raise IndexError; it now says which endpoint is missing and what to do."""
    client = ctx.client("dms")
    instance = client.create_replication_instance(ReplicationInstanceIdentifier=f"ri-gone-{ctx.run_id}",
                                                  ReplicationInstanceClass="dms.t3.micro")["ReplicationInstance"]
    gone = f"arn:aws:dms:us-east-1:{ctx.target.account}:endpoint:NOSUCHENDPOINT"
    task = client.create_replication_task(
        ReplicationTaskIdentifier=f"t-gone-{ctx.run_id}", SourceEndpointArn=gone, TargetEndpointArn=gone,
        ReplicationInstanceArn=instance["ReplicationInstanceArn"], MigrationType="full-load",
        TableMappings=json.dumps(MAPPINGS))["ReplicationTask"]["ReplicationTaskArn"]
    with pytest.raises(dms.MissingResource, match="target endpoint that does not exist"):
        dms.full_load(ctx, task, _db(ctx))
    with pytest.raises(dms.MissingResource, match="no replication task"):
        dms.task_and_target(ctx, task.replace("task:", "task:NOSUCH"))
