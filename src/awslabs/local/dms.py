"""AWS DMS, locally: a replication task from an SQLite source to an S3 target endpoint.

moto stores replication instances, endpoints and tasks but moves no data (endpoints stay
``creating``, tasks ``running``). This runner reads the task (``TableMappings``) and the target
endpoint (``S3Settings``) through the DMS API and writes to (emulated) S3 what DMS writes
(https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Target.S3.html):

- **full load**: one folder per target table, ``<BucketFolder>/<schema>/<table>/``, with files
  ``LOAD00000001.csv``, ``LOAD00000002.csv``... (a hexadecimal counter; a new file every
  ``MaxFileSize`` KB, default 1 GB). No header unless ``AddColumnName``; no operation column
  unless ``IncludeOpForFullLoad`` (then ``I``); NULL as ``CsvNullValue`` (default empty).
- **CDC**: files named by a timestamp (``20141029-1134010000.csv``) in the same folders; the
  first field is the operation, ``I``, ``U`` or ``D``; an update carries the after-image, a
  delete the before-image; changes are written in commit order
  (https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Target.S3.html#CHAP_Target.S3.Configuring.InsertOps).
  ``CdcInsertsOnly`` / ``CdcInsertsAndUpdates`` filter the operations as documented.
- **table mappings**: selection rules (``include``/``exclude``/``explicit``, ``%`` wildcards,
  source ``filters``) and transformation rules on ``schema``/``table``/``column`` targets:
  ``rename``, ``remove-column``, ``convert-lowercase``, ``convert-uppercase``, ``add-prefix``,
  ``remove-prefix``, ``replace-prefix``, ``add-suffix``, ``remove-suffix``, and ``add-column``
  with an ``expression`` — DMS expressions are SQLite expressions with ``$column`` references,
  evaluated here by SQLite itself
  (https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Tasks.CustomizingTasks.TableMapping.SelectionTransformation.Selections.html,
  https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Tasks.CustomizingTasks.TableMapping.SelectionTransformation.Transformations.html,
  https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Tasks.CustomizingTasks.TableMapping.SelectionTransformation.Expressions.html).

How changes are captured: real DMS reads the source's transaction log (MySQL binlog, PostgreSQL
logical replication...). SQLite has none, so :func:`start_cdc` installs triggers that append every
insert/update/delete of the selected tables to a change table (the "log"), and :func:`apply_cdc`
writes the changes since the last checkpoint. The effect on S3 is the same; the mechanism is not.

Only CSV output (``DataFormat`` ``csv``) is written; Parquet output, LOB settings, validation
and parallel load are not modelled.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from .s3io import write_object

CDC_LOG = "awsdms_cdc_log"


# -- table mappings -------------------------------------------------------------------------------
def _like(pattern: str, name: str) -> bool:
    """DMS object-locator match: ``%`` is the wildcard, case-insensitive."""
    regex = "^" + ".*".join(re.escape(p) for p in pattern.split("%")) + "$"
    return re.match(regex, name, flags=re.I) is not None


def _rules(mappings: dict | str, kind: str) -> list[dict]:
    data = json.loads(mappings) if isinstance(mappings, str) else mappings
    rules = [r for r in data.get("rules", []) if r.get("rule-type") == kind]
    return sorted(rules, key=lambda r: int(r.get("rule-id", 0)))


def selected_tables(mappings: dict | str, schema: str, tables: list[str]) -> list[str]:
    """Tables of ``schema`` the selection rules pick: included (or explicit) and not excluded."""
    picked = []
    rules = _rules(mappings, "selection")
    for table in tables:
        inc = exc = False
        for rule in rules:
            loc = rule.get("object-locator", {})
            if not (_like(loc.get("schema-name", "%"), schema) and _like(loc.get("table-name", "%"), table)):
                continue
            action = rule.get("rule-action")
            if action == "exclude":
                exc = True
            elif action == "explicit" and "%" not in loc.get("table-name", "%"):
                inc = True
            elif action == "include":
                inc = True
        if inc and not exc:
            picked.append(table)
    return picked


_OPS = {"eq": "=", "noteq": "<>", "ste": "<=", "gte": ">=", "lt": "<", "gt": ">"}


def filter_sql(mappings: dict | str, schema: str, table: str) -> tuple[str, list]:
    """A WHERE clause from the source filters of the selection rules that match ``table``."""
    clauses, params = [], []
    for rule in _rules(mappings, "selection"):
        loc = rule.get("object-locator", {})
        if rule.get("rule-action") == "exclude":
            continue
        if not (_like(loc.get("schema-name", "%"), schema) and _like(loc.get("table-name", "%"), table)):
            continue
        for flt in rule.get("filters", []):
            column = _qi(flt["column-name"])
            ors = []
            for cond in flt.get("filter-conditions", []):
                op = cond["filter-operator"]
                if op in _OPS:
                    ors.append(f"{column} {_OPS[op]} ?")
                    params.append(cond["value"])
                elif op == "between":
                    ors.append(f"{column} BETWEEN ? AND ?")
                    params += [cond["start-value"], cond["end-value"]]
                elif op == "notbetween":
                    ors.append(f"{column} NOT BETWEEN ? AND ?")
                    params += [cond["start-value"], cond["end-value"]]
                elif op == "null":
                    ors.append(f"{column} IS NULL")
                elif op == "notnull":
                    ors.append(f"{column} IS NOT NULL")
                else:
                    raise ValueError(f"filter-operator '{op}' is not supported by the local DMS runner")
            if ors:
                clauses.append("(" + " OR ".join(ors) + ")")
    return (" AND ".join(clauses), params)


def _apply_name_action(rule: dict, name: str) -> str:
    action, value = rule.get("rule-action"), rule.get("value", "")
    if action == "rename":
        return value
    if action == "convert-lowercase":
        return name.lower()
    if action == "convert-uppercase":
        return name.upper()
    if action == "add-prefix":
        return value + name
    if action == "add-suffix":
        return name + value
    if action == "remove-prefix" and name.startswith(value):
        return name[len(value) :]
    if action == "remove-suffix" and value and name.endswith(value):
        return name[: -len(value)]
    if action == "replace-prefix" and name.startswith(rule.get("old-value", "")):
        return value + name[len(rule.get("old-value", "")) :]
    return name


@dataclass
class TablePlan:
    """How one source table lands in S3: target names and the SELECT list that shapes rows."""

    source_schema: str
    source_table: str
    target_schema: str
    target_table: str
    columns: list[str]  # target column names, in order
    select: list[str]  # SQL expressions over the source row, one per target column
    where: str = ""
    params: list = field(default_factory=list)


def plan_table(mappings: dict | str, schema: str, table: str, source_columns: list[str]) -> TablePlan:
    target_schema, target_table = schema, table
    cols = [(c, c, _qi(c)) for c in source_columns]  # (target name, source name, expression)
    for rule in _rules(mappings, "transformation"):
        loc = rule.get("object-locator", {})
        if not (_like(loc.get("schema-name", "%"), schema)):
            continue
        target = rule.get("rule-target")
        if target == "schema":
            target_schema = _apply_name_action(rule, target_schema)
            continue
        if not _like(loc.get("table-name", "%"), table):
            continue
        if target == "table":
            target_table = _apply_name_action(rule, target_table)
        elif target == "column":
            action = rule.get("rule-action")
            if action == "add-column":
                expr = re.sub(r"\$(\w+)", lambda m: _qi(m.group(1)), rule["expression"])
                cols.append((rule["value"], None, f"({expr})"))
                continue
            pattern = loc.get("column-name", "%")
            updated = []
            for name, source_name, expr in cols:
                if source_name is not None and _like(pattern, source_name):
                    if action == "remove-column":
                        continue
                    name = _apply_name_action(rule, name)
                updated.append((name, source_name, expr))
            cols = updated
    where, params = filter_sql(mappings, schema, table)
    return TablePlan(schema, table, target_schema, target_table, [c for c, _, _ in cols], [e for _, _, e in cols], where, params)


def _qi(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# -- the S3 target ----------------------------------------------------------------------------------
@dataclass
class S3Target:
    bucket: str
    folder: str = ""
    add_column_name: bool = False
    include_op_for_full_load: bool = False
    cdc_inserts_only: bool = False
    cdc_inserts_and_updates: bool = False
    delimiter: str = ","
    row_delimiter: str = "\n"
    null_value: str = ""
    timestamp_column: str | None = None
    max_file_size_kb: int = 1048576

    @classmethod
    def from_settings(cls, settings: dict) -> "S3Target":
        fmt = (settings.get("DataFormat") or "csv").lower()
        if fmt != "csv":
            raise ValueError(f"the local DMS runner writes csv only, not {fmt}")
        return cls(
            bucket=settings["BucketName"],
            folder=(settings.get("BucketFolder") or "").strip("/"),
            add_column_name=bool(settings.get("AddColumnName", False)),
            include_op_for_full_load=bool(settings.get("IncludeOpForFullLoad", False)),
            cdc_inserts_only=bool(settings.get("CdcInsertsOnly", False)),
            cdc_inserts_and_updates=bool(settings.get("CdcInsertsAndUpdates", False)),
            delimiter=settings.get("CsvDelimiter") or ",",
            row_delimiter=(settings.get("CsvRowDelimiter") or "\n").replace("\\n", "\n"),
            null_value=settings.get("CsvNullValue") or "",
            timestamp_column=settings.get("TimestampColumnName") or None,
            max_file_size_kb=int(settings.get("MaxFileSize") or 1048576),
        )

    def key(self, plan: TablePlan, filename: str) -> str:
        parts = [self.folder] if self.folder else []
        return "/".join(parts + [plan.target_schema, plan.target_table, filename])

    def render(self, header: list[str] | None, rows: list[list]) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, delimiter=self.delimiter, lineterminator=self.row_delimiter)
        if header:
            writer.writerow(header)
        for row in rows:
            writer.writerow([self.null_value if v is None else v for v in row])
        return out.getvalue().encode()


def load_file_name(n: int) -> str:
    """``LOAD00000001.csv``, ..., ``LOAD0000000A.csv``: an 8-digit hexadecimal counter."""
    return f"LOAD{n:08X}.csv"


def cdc_file_name(when: dt.datetime) -> str:
    """``20141029-1134010000.csv``: date, time and four digits of fraction."""
    return f"{when:%Y%m%d-%H%M%S}{when.microsecond // 100:04d}.csv"


# -- the source -------------------------------------------------------------------------------------
@dataclass
class SqliteSource:
    """An SQLite file standing for a source database; ``schema`` is the name DMS would see."""

    path: Path
    schema: str = "main"

    def connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path)

    def tables(self, con: sqlite3.Connection) -> list[str]:
        rows = con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> ? ORDER BY name",
            (CDC_LOG,),
        )
        return [r[0] for r in rows]

    @staticmethod
    def columns(con: sqlite3.Connection, table: str) -> list[str]:
        return [r[1] for r in con.execute(f"PRAGMA table_info({_qi(table)})")]


@dataclass
class LoadSummary:
    files: list[str] = field(default_factory=list)  # S3 keys written
    rows: dict[str, int] = field(default_factory=dict)  # target schema.table -> rows written
    operations: dict[str, int] = field(default_factory=dict)  # I/U/D counts (CDC)

    def to_dict(self) -> dict:
        return dict(self.__dict__)


class MissingResource(LookupError):
    """A task, or the endpoint a task names, does not exist: what DMS would refuse, said in one line."""


def task_and_target(ctx, task_arn: str) -> tuple[dict, S3Target]:
    """The task (with its TableMappings) and its S3 target endpoint's settings, from the API.
    moto stores a task whose endpoint ARNs name nothing (AWS refuses it at CreateReplicationTask):
    such a task is reported as ``MissingResource``, not an ``IndexError``."""
    dms = ctx.client("dms")
    tasks = dms.describe_replication_tasks(Filters=[{"Name": "replication-task-arn", "Values": [task_arn]}])[
        "ReplicationTasks"
    ]
    if not tasks:
        raise MissingResource(f"no replication task {task_arn}")
    task = tasks[0]
    target_arn = task.get("TargetEndpointArn")
    endpoints = dms.describe_endpoints(Filters=[{"Name": "endpoint-arn", "Values": [target_arn]}])["Endpoints"]
    if not endpoints:
        raise MissingResource(
            f"the task {task.get('ReplicationTaskIdentifier', task_arn)} names a target endpoint that does not "
            f"exist ({target_arn}): create the task with the ARN of an existing S3 target endpoint"
        )
    endpoint = endpoints[0]
    if endpoint.get("EngineName") != "s3":
        raise ValueError(f"target endpoint engine is {endpoint.get('EngineName')}, not s3")
    return task, S3Target.from_settings(endpoint.get("S3Settings") or {})


def full_load(ctx, task_arn: str, source: SqliteSource, *, when: dt.datetime | None = None) -> LoadSummary:
    """Write every selected table, transformed, as ``LOAD…`` files (the full-load phase)."""
    task, target = task_and_target(ctx, task_arn)
    mappings = task["TableMappings"]
    s3 = ctx.client("s3")
    summary = LoadSummary()
    stamp = (when or dt.datetime.now(dt.timezone.utc)).strftime("%Y-%m-%d %H:%M:%S.%f")
    with source.connect() as con:
        for table in selected_tables(mappings, source.schema, source.tables(con)):
            plan = plan_table(mappings, source.schema, table, source.columns(con, table))
            sql = f"SELECT {', '.join(plan.select)} FROM {_qi(table)}" + (f" WHERE {plan.where}" if plan.where else "")
            rows = [list(r) for r in con.execute(sql, plan.params)]
            header = list(plan.columns)
            if target.timestamp_column:
                header = [target.timestamp_column] + header
                rows = [[stamp] + r for r in rows]
            if target.include_op_for_full_load:
                header = ["Op"] + header
                rows = [["I"] + r for r in rows]
            if not rows:
                continue  # DMS creates no folder for an empty source table
            for n, chunk in enumerate(_chunks(target, header, rows), start=1):
                key = target.key(plan, load_file_name(n))
                s3.put_object(Bucket=target.bucket, Key=key, Body=chunk)
                summary.files.append(key)
            summary.rows[f"{plan.target_schema}.{plan.target_table}"] = len(rows)
    return summary


def _chunks(target: S3Target, header: list[str], rows: list[list]):
    limit = target.max_file_size_kb * 1024
    start = 0
    while start < len(rows):
        end, size = start, 0
        while end < len(rows):
            size += len(target.render(None, [rows[end]]))
            if size > limit and end > start:
                break
            end += 1
        yield target.render(header if target.add_column_name else None, rows[start:end])
        start = end


def start_cdc(ctx, task_arn: str, source: SqliteSource) -> list[str]:
    """Begin capturing changes of the selected tables (the CDC start position is *now*)."""
    task, _ = task_and_target(ctx, task_arn)
    mappings = task["TableMappings"]
    with source.connect() as con:
        con.execute(
            f"CREATE TABLE IF NOT EXISTS {CDC_LOG} (seq INTEGER PRIMARY KEY AUTOINCREMENT, "
            "tbl TEXT NOT NULL, op TEXT NOT NULL, image TEXT NOT NULL, "
            "ts TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')))"
        )
        tables = selected_tables(mappings, source.schema, source.tables(con))
        for table in tables:
            cols = source.columns(con, table)
            for op, event, ref in (("I", "INSERT", "NEW"), ("U", "UPDATE", "NEW"), ("D", "DELETE", "OLD")):
                image = "json_object(" + ", ".join(f"'{c}', {ref}.{_qi(c)}" for c in cols) + ")"
                con.execute(
                    f"CREATE TRIGGER IF NOT EXISTS {_qi(f'awsdms_{table}_{op}')} AFTER {event} ON {_qi(table)} "
                    f"BEGIN INSERT INTO {CDC_LOG} (tbl, op, image) VALUES ('{table}', '{op}', {image}); END"
                )
    return tables


def apply_cdc(ctx, task_arn: str, source: SqliteSource, *, when: dt.datetime | None = None) -> LoadSummary:
    """Write the changes captured since the last call: one timestamp-named file per table."""
    task, target = task_and_target(ctx, task_arn)
    mappings = task["TableMappings"]
    s3 = ctx.client("s3")
    summary = LoadSummary()
    when = when or dt.datetime.now(dt.timezone.utc)
    with source.connect() as con:
        changes = con.execute(f"SELECT seq, tbl, op, image, ts FROM {CDC_LOG} ORDER BY seq").fetchall()
        by_table: dict[str, list] = {}
        for seq, table, op, image, ts in changes:
            if target.cdc_inserts_only and op != "I":
                continue
            if target.cdc_inserts_and_updates and op == "D":
                continue
            by_table.setdefault(table, []).append((op, json.loads(image), ts))
        mem = sqlite3.connect(":memory:")  # evaluates the plan's expressions on each row image
        for table, items in by_table.items():
            cols = source.columns(con, table)
            plan = plan_table(mappings, source.schema, table, cols)
            mem.execute(f"DROP TABLE IF EXISTS {_qi(table)}")
            mem.execute(f"CREATE TABLE {_qi(table)} ({', '.join(_qi(c) for c in cols)})")
            rows = []
            for op, image, ts in items:
                mem.execute(f"DELETE FROM {_qi(table)}")
                mem.execute(f"INSERT INTO {_qi(table)} VALUES ({', '.join('?' for _ in cols)})", [image.get(c) for c in cols])
                sql = f"SELECT {', '.join(plan.select)} FROM {_qi(table)}" + (f" WHERE {plan.where}" if plan.where else "")
                shaped = mem.execute(sql, plan.params).fetchone()
                if shaped is None:
                    continue  # filtered out by the selection rule's source filter
                row = list(shaped)
                if target.timestamp_column:
                    row = [ts] + row
                # CdcInsertsOnly without IncludeOpForFullLoad drops the Op field (documented).
                if not (target.cdc_inserts_only and not target.include_op_for_full_load):
                    row = [op] + row
                rows.append(row)
                summary.operations[op] = summary.operations.get(op, 0) + 1
            if not rows:
                continue
            header = list(plan.columns)
            if target.timestamp_column:
                header = [target.timestamp_column] + header
            if not (target.cdc_inserts_only and not target.include_op_for_full_load):
                header = ["Op"] + header
            key = target.key(plan, cdc_file_name(when))
            write_object(s3, f"s3://{target.bucket}/{key}", target.render(header if target.add_column_name else None, rows))
            summary.files.append(key)
            summary.rows[f"{plan.target_schema}.{plan.target_table}"] = len(rows)
        if changes:
            con.execute(f"DELETE FROM {CDC_LOG} WHERE seq <= ?", (changes[-1][0],))  # the checkpoint
    return summary
