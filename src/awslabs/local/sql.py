"""Athena, locally: SQL over the Glue Data Catalog, run by DuckDB over objects from the emulator.

moto's Athena stores query executions but never runs them (and never reads the Glue catalogue).
This runner does what Athena does for a ``SELECT``:

1. reads the query, its database and its result location from ``get_query_execution``;
2. for every catalogue table the query names, downloads the table's data into ``ctx.workdir``:
   the table ``Location`` for an unpartitioned table, and **only the partitions registered in the
   catalogue** for a partitioned one (Athena does not list S3 to find partitions: data in a
   folder nobody added with ``batch_create_partition`` / ``MSCK REPAIR TABLE`` is invisible,
   https://docs.aws.amazon.com/athena/latest/ug/partitions.html);
3. reads the files with the table's declared format (SerDe) and columns: CSV
   (``LazySimpleSerDe``/``OpenCSVSerde``, ``skip.header.line.count``), JSON (``JsonSerDe``),
   Parquet; files whose names start with ``_`` or ``.`` are ignored as Athena ignores them;
4. writes the result as Athena does, a CSV file ``<OutputLocation>/<QueryExecutionId>.csv`` with
   a header row and every value double-quoted (NULL as an empty field)
   (https://docs.aws.amazon.com/athena/latest/ug/querying-finding-output-files.html).

DuckDB's SQL dialect is close to Athena's (Trino) for ``SELECT``/``GROUP BY``/``JOIN``/window
functions; Trino-only functions and DDL are not translated. On the ``aws`` target the real Athena
runs the query and :func:`run_query_execution` only waits for it and reads its results.
"""
from __future__ import annotations

import csv
import io
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from .s3io import download_prefix, write_object

_SIMPLE_TYPES = {
    "string": "VARCHAR",
    "varchar": "VARCHAR",
    "char": "VARCHAR",
    "tinyint": "TINYINT",
    "smallint": "SMALLINT",
    "int": "INTEGER",
    "integer": "INTEGER",
    "bigint": "BIGINT",
    "float": "FLOAT",
    "double": "DOUBLE",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "binary": "BLOB",
}


def duckdb_type(hive_type: str) -> str:
    """A Glue/Hive column type as a DuckDB type (complex types are read as VARCHAR)."""
    text = hive_type.strip().lower()
    base = re.sub(r"\(.*\)$", "", text)
    if base == "decimal":
        return text.upper()
    if base in ("varchar", "char"):
        return "VARCHAR"
    return _SIMPLE_TYPES.get(base, "VARCHAR")


def table_format(table: dict) -> str:
    """``csv`` | ``json`` | ``parquet`` from the table's SerDe / input format / classification."""
    sd = table.get("StorageDescriptor", {})
    serde = (sd.get("SerdeInfo", {}).get("SerializationLibrary") or "").lower()
    fmt = (sd.get("InputFormat") or "").lower()
    classification = (table.get("Parameters", {}).get("classification") or "").lower()
    if "parquet" in serde or "parquet" in fmt or classification == "parquet":
        return "parquet"
    if "json" in serde or classification == "json":
        return "json"
    return "csv"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclass
class QueryResult:
    columns: list[str]
    rows: list[tuple]
    output_location: str | None = None
    engine: str = "duckdb"  # duckdb (local) | athena (real AWS)
    tables: dict[str, int] = field(default_factory=dict)  # table -> files read


class LocalCatalogSQL:
    """A DuckDB connection whose schemas/views mirror Glue tables, fed from (emulated) S3."""

    def __init__(self, ctx, scratch: Path | None = None):
        import duckdb

        self.ctx = ctx
        self.glue = ctx.client("glue")
        self.s3 = ctx.client("s3")
        self.scratch = Path(scratch or Path(ctx.workdir) / "athena")
        self.scratch.mkdir(parents=True, exist_ok=True)
        self.con = duckdb.connect()
        self.files_read: dict[str, int] = {}

    # -- turning one Glue table into a DuckDB view ----------------------------------------------
    def register(self, database: str, name: str) -> str:
        """Download the table's data and create the view ``database.name``; returns its name."""
        table = self.glue.get_table(DatabaseName=database, Name=name)["Table"]
        sd = table.get("StorageDescriptor", {})
        columns = [(c["Name"], duckdb_type(c["Type"])) for c in sd.get("Columns", [])]
        keys = [(k["Name"], duckdb_type(k["Type"])) for k in table.get("PartitionKeys", [])]
        local = self.scratch / database / name
        files: list[Path] = []
        if keys:
            for part in self._partitions(database, name):
                folder = local.joinpath(*[f"{k}={v}" for (k, _), v in zip(keys, part["Values"])])
                files += download_prefix(self.s3, part["StorageDescriptor"]["Location"], folder)
        elif sd.get("Location"):
            files += download_prefix(self.s3, sd["Location"], local)
        self.files_read[f"{database}.{name}"] = len(files)
        self.con.execute(f"CREATE SCHEMA IF NOT EXISTS {_quote(database)}")
        view = f"{_quote(database)}.{_quote(name)}"
        self.con.execute(f"CREATE OR REPLACE VIEW {view} AS {self._select(table, files, columns, keys)}")
        return view

    def _partitions(self, database: str, name: str) -> list[dict]:
        parts: list[dict] = []
        for page in self.glue.get_paginator("get_partitions").paginate(DatabaseName=database, TableName=name):
            parts += page.get("Partitions", [])
        return parts

    def _select(self, table: dict, files: list[Path], columns, keys) -> str:
        wanted = columns + keys
        if not files:  # an empty table still has its columns
            cols = ", ".join(f"CAST(NULL AS {t}) AS {_quote(c)}" for c, t in wanted) or "NULL AS empty"
            return f"SELECT {cols} WHERE false"
        paths = "[" + ", ".join(_sql_str(str(p)) for p in sorted(files)) + "]"
        hive = ""
        if keys:
            types = "{" + ", ".join(f"{_sql_str(k)}: {_sql_str(t)}" for k, t in keys) + "}"
            hive = f", hive_partitioning = true, hive_types = {types}"
        fmt = table_format(table)
        if fmt == "parquet":
            source = f"read_parquet({paths}, union_by_name = true{hive})"
        elif fmt == "json":
            spec = "{" + ", ".join(f"{_sql_str(c)}: {_sql_str(t)}" for c, t in columns) + "}"
            source = f"read_json({paths}, format = 'newline_delimited', columns = {spec}{hive})"
        else:
            source = self._csv_source(table, paths, columns, hive)
        select = ", ".join(f"CAST({_quote(c)} AS {t}) AS {_quote(c)}" for c, t in wanted)
        return f"SELECT {select} FROM {source}"

    @staticmethod
    def _csv_source(table: dict, paths: str, columns, hive: str) -> str:
        serde = table.get("StorageDescriptor", {}).get("SerdeInfo", {})
        params = serde.get("Parameters", {}) or {}
        delim = params.get("field.delim") or params.get("separatorChar") or ","
        quote = params.get("quoteChar", '"')
        skip = int((table.get("Parameters", {}) or {}).get("skip.header.line.count", "0") or 0)
        spec = "{" + ", ".join(f"{_sql_str(c)}: {_sql_str(t)}" for c, t in columns) + "}"
        # Hive reads an empty CSV field of a non-string column as NULL.
        return (
            f"read_csv({paths}, header = false, skip = {skip}, delim = {_sql_str(delim)}, "
            f"quote = {_sql_str(quote)}, columns = {spec}, nullstr = '', auto_detect = false{hive})"
        )

    # -- running a query ------------------------------------------------------------------------
    def referenced_tables(self, sql: str, database: str) -> list[tuple[str, str]]:
        """Catalogue tables the query mentions, as ``(database, table)``."""
        names = []
        for page in self.glue.get_paginator("get_tables").paginate(DatabaseName=database):
            names += [t["Name"] for t in page.get("TableList", [])]
        text = sql.lower()
        found = []
        for name in names:
            if re.search(rf'(?<![\w"]){re.escape(name.lower())}(?![\w"])|"{re.escape(name.lower())}"', text):
                found.append((database, name))
        return found

    def query(self, sql: str, database: str) -> QueryResult:
        for db, name in self.referenced_tables(sql, database):
            self.register(db, name)
        self.con.execute(f"CREATE SCHEMA IF NOT EXISTS {_quote(database)}")
        self.con.execute(f"SET schema = {_sql_str(database)}")
        cursor = self.con.execute(_athena_to_duckdb(sql))
        columns = [d[0] for d in cursor.description]
        return QueryResult(columns, cursor.fetchall(), tables=dict(self.files_read))

    def close(self) -> None:
        self.con.close()


def _athena_to_duckdb(sql: str) -> str:
    """The few spellings Athena (Trino) accepts and DuckDB does not: backquoted identifiers."""
    return re.sub(r"`([^`]*)`", r'"\1"', sql.strip().rstrip(";"))


def athena_csv(columns: list[str], rows: list[tuple]) -> bytes:
    """Rows as Athena writes them: a header, every value quoted, NULL as an empty field."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        out.write(",".join("" if v is None else '"' + _athena_value(v).replace('"', '""') + '"' for v in row))
        out.write("\n")
    return out.getvalue().encode()


def _athena_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return f"{value:.1f}"
    return str(value)


def run_sql(ctx, sql: str, database: str) -> QueryResult:
    """Run ``sql`` locally over the catalogue ``database`` (no Athena execution involved)."""
    engine = LocalCatalogSQL(ctx)
    try:
        return engine.query(sql, database)
    finally:
        engine.close()


def run_query_execution(ctx, query_execution_id: str, *, timeout: float = 300.0) -> QueryResult:
    """Make the Athena query ``query_execution_id`` happen and return its rows.

    Off AWS: execute it locally and write ``<OutputLocation>`` (``.../<id>.csv``) to S3.
    On AWS: wait (bounded) for the real query, then read ``get_query_results``."""
    athena = ctx.client("athena")
    execution = athena.get_query_execution(QueryExecutionId=query_execution_id)["QueryExecution"]
    output = execution.get("ResultConfiguration", {}).get("OutputLocation")
    if ctx.on_aws:
        return _wait_for_athena(athena, query_execution_id, output, timeout)
    database = execution.get("QueryExecutionContext", {}).get("Database") or "default"
    result = run_sql(ctx, execution["Query"], database)
    if output:
        if not output.endswith(".csv"):  # a bare prefix: Athena names the file after the id
            output = output.rstrip("/") + f"/{query_execution_id}.csv"
        write_object(ctx.client("s3"), output, athena_csv(result.columns, result.rows), "text/csv")
    result.output_location = output
    return result


def _wait_for_athena(athena, qid: str, output: str | None, timeout: float) -> QueryResult:
    deadline = time.monotonic() + timeout
    while True:
        status = athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]["Status"]
        if status["State"] in ("SUCCEEDED", "FAILED", "CANCELLED"):
            break
        if time.monotonic() > deadline:
            raise TimeoutError(f"Athena query {qid} still {status['State']} after {timeout:.0f}s")
        time.sleep(2)
    if status["State"] != "SUCCEEDED":
        raise RuntimeError(f"Athena query {qid} {status['State']}: {status.get('StateChangeReason', '')}")
    rows: list[tuple] = []
    columns: list[str] = []
    for page in athena.get_paginator("get_query_results").paginate(QueryExecutionId=qid):
        if not columns:
            columns = [c["Name"] for c in page["ResultSet"]["ResultSetMetadata"]["ColumnInfo"]]
        rows += [tuple(d.get("VarCharValue") for d in r["Data"]) for r in page["ResultSet"]["Rows"]]
    if rows and list(rows[0]) == columns:  # the first row of the first page is the header
        rows = rows[1:]
    return QueryResult(columns, rows, output, engine="athena")
