"""A Glue crawler, locally: infer schemas from S3 objects and write tables and partitions to the
Data Catalog through the Glue API, as the real crawler does.

moto stores crawler definitions but never crawls (its crawl state only advances when
``list_crawls`` is called). :func:`run_crawler` starts the crawler through the API, does the
crawl here, then lists crawls so the emulator reports the crawl ``COMPLETED``. On the ``aws``
target the real crawler runs and the function only waits for it (bounded).

What the local crawl does, following the documented behaviour
(https://docs.aws.amazon.com/glue/latest/dg/crawler-s3-folder-table-partition.html,
https://docs.aws.amazon.com/glue/latest/dg/add-classifier.html#classifier-built-in):

- **tables**: an include path whose files sit directly under it (or under ``key=value``
  folders) becomes one table named after the path's last folder; otherwise each folder directly
  under the include path is a table root. Names get the crawler's ``TablePrefix``, lower-cased,
  non-alphanumerics replaced by ``_``. ``Exclusions`` glob patterns are honoured.
- **partitions**: folders below a table root become partition keys: ``key=value`` folders give
  ``key``; plain folders give ``partition_0``, ``partition_1``... Partition keys are ``string``.
- **classification and schema**: by content, with pyarrow: Parquet (the file's schema), JSON
  Lines, CSV (types inferred; a header is detected when the first row differs in type from the
  rest, or is all unique identifier-like strings; otherwise columns are ``col0``, ``col1``...).
  Schemas of several files are merged (int widened to double, anything else to string).
  Column names are lower-cased, as the crawler does.
- **schema changes** follow ``SchemaChangePolicy.UpdateBehavior``: ``UPDATE_IN_DATABASE`` (the
  default) calls ``update_table``, which keeps the previous definition as a table version;
  ``LOG`` leaves the table alone and reports the change. New partitions are added with
  ``batch_create_partition``; existing ones are not rewritten.

Not done locally: custom classifiers, compressed files, sampling of large files (all sampled
files are read whole), ``DeleteBehavior`` for removed data, recrawl policies, and the crawler's
CloudWatch log.
"""
from __future__ import annotations

import fnmatch
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from .s3io import join_uri, list_data_objects, split_uri

# S3Target.SampleSize: "the number of files in each leaf folder to be crawled when crawling sample
# files in a dataset. If not set, all the files are crawled" (1-249), per the Glue API reference
# (https://docs.aws.amazon.com/glue/latest/dg/aws-glue-api-crawler-crawling.html#aws-glue-api-crawler-crawling-S3Target,
# read 2026-12-06). The runner used to read only the first 20 files of a table whatever the target said.
SAMPLE_SIZE_RANGE = (1, 249)

CSV_FORMAT = {
    "InputFormat": "org.apache.hadoop.mapred.TextInputFormat",
    "OutputFormat": "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
    "SerdeInfo": {
        "SerializationLibrary": "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
        "Parameters": {"field.delim": ","},
    },
}
JSON_FORMAT = {
    "InputFormat": "org.apache.hadoop.mapred.TextInputFormat",
    "OutputFormat": "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
    "SerdeInfo": {"SerializationLibrary": "org.openx.data.jsonserde.JsonSerDe", "Parameters": {"paths": ""}},
}
PARQUET_FORMAT = {
    "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
    "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
    "SerdeInfo": {
        "SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
        "Parameters": {"serialization.format": "1"},
    },
}
FORMATS = {"csv": CSV_FORMAT, "json": JSON_FORMAT, "parquet": PARQUET_FORMAT}


@dataclass
class InferredTable:
    name: str
    location: str
    classification: str
    columns: list[tuple[str, str]]
    partition_keys: list[str]
    partitions: dict[tuple[str, ...], str]  # values -> location
    header: bool = False
    object_count: int = 0
    size: int = 0

    def storage_descriptor(self, location: str | None = None) -> dict:
        fmt = FORMATS[self.classification]
        sd = {
            "Columns": [{"Name": n, "Type": t} for n, t in self.columns],
            "Location": location or self.location,
            "InputFormat": fmt["InputFormat"],
            "OutputFormat": fmt["OutputFormat"],
            "Compressed": False,
            "NumberOfBuckets": -1,
            "SerdeInfo": {
                "SerializationLibrary": fmt["SerdeInfo"]["SerializationLibrary"],
                "Parameters": dict(fmt["SerdeInfo"]["Parameters"]),
            },
            "StoredAsSubDirectories": False,
        }
        if self.classification == "json":
            sd["SerdeInfo"]["Parameters"]["paths"] = ",".join(n for n, _ in self.columns)
        return sd

    def table_input(self, crawler: str) -> dict:
        params = {
            "classification": self.classification,
            "typeOfData": "file",
            "compressionType": "none",
            "objectCount": str(self.object_count),
            "sizeKey": str(self.size),
            "UPDATED_BY_CRAWLER": crawler,
            "CrawlerSchemaSerializerVersion": "1.0",
            "CrawlerSchemaDeserializerVersion": "1.0",
        }
        if self.classification == "csv":
            params.update({"delimiter": ",", "areColumnsQuoted": "false", "columnsOrdered": "true"})
            if self.header:
                params["skip.header.line.count"] = "1"
        return {
            "Name": self.name,
            "TableType": "EXTERNAL_TABLE",
            "Parameters": params,
            "StorageDescriptor": self.storage_descriptor(),
            "PartitionKeys": [{"Name": k, "Type": "string"} for k in self.partition_keys],
        }


@dataclass
class CrawlSummary:
    tables_created: list[str] = field(default_factory=list)
    tables_updated: list[str] = field(default_factory=list)
    schema_changes_logged: list[str] = field(default_factory=list)
    partitions_added: int = 0
    state: str = ""

    def to_dict(self) -> dict:
        return dict(self.__dict__)


# -- schema inference -------------------------------------------------------------------------------
def glue_type(arrow_type) -> str:
    """An Arrow type as the Glue/Hive type the crawler writes."""
    import pyarrow as pa

    t = arrow_type
    if pa.types.is_boolean(t):
        return "boolean"
    if pa.types.is_int8(t) or pa.types.is_int16(t) or pa.types.is_int32(t):
        return "int"
    if pa.types.is_integer(t):
        return "bigint"
    if pa.types.is_float32(t):
        return "float"
    if pa.types.is_floating(t):
        return "double"
    if pa.types.is_decimal(t):
        return f"decimal({t.precision},{t.scale})"
    if pa.types.is_date(t):
        return "date"
    if pa.types.is_timestamp(t):
        return "timestamp"
    if pa.types.is_binary(t) or pa.types.is_large_binary(t):
        return "binary"
    if pa.types.is_list(t):
        return f"array<{glue_type(t.value_type)}>"
    if pa.types.is_struct(t):
        return "struct<" + ",".join(f"{f.name}:{glue_type(f.type)}" for f in t) + ">"
    return "string"


def classify(path: Path) -> str:
    """``parquet`` | ``json`` | ``csv`` by content (magic bytes, first character), as the
    built-in classifiers do; the extension is only a tie-breaker."""
    with open(path, "rb") as handle:
        head = handle.read(4)
    if head == b"PAR1":
        return "parquet"
    if head[:1] in (b"{", b"["):
        return "json"
    return "csv"


_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_ ]*$")


def _csv_has_header(path: Path) -> bool:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    no_header = pacsv.read_csv(path, read_options=pacsv.ReadOptions(autogenerate_column_names=True))
    if no_header.num_rows < 2:
        return False
    first = [no_header.column(i)[0].as_py() for i in range(no_header.num_columns)]
    with_header = pacsv.read_csv(path)
    if any(not pa.types.is_string(f.type) for f in with_header.schema) and any(
        pa.types.is_string(f.type) for f in no_header.schema
    ):
        # The first row is text where the data below it is typed: it is a header.
        return all(isinstance(v, str) for v in first)
    return all(isinstance(v, str) and _IDENT.match(v) for v in first) and len(set(first)) == len(first)


def infer_file(path: Path) -> tuple[str, object, bool]:
    """``(classification, arrow schema, has_header)`` for one file."""
    import pyarrow.csv as pacsv
    import pyarrow.json as pajson
    import pyarrow.parquet as pq

    kind = classify(path)
    if kind == "parquet":
        return kind, pq.read_schema(path), False
    if kind == "json":
        return kind, pajson.read_json(path).schema, False
    header = _csv_has_header(path)
    options = pacsv.ReadOptions(autogenerate_column_names=not header)
    return kind, pacsv.read_csv(path, read_options=options).schema, header


def merge_schemas(schemas: list) -> list[tuple[str, str]]:
    """Union of columns in first-seen order; conflicting types widen (int -> bigint -> double,
    anything else -> string), as the crawler merges compatible schemas."""
    order: list[str] = []
    types: dict[str, str] = {}
    rank = {"int": 0, "bigint": 1, "double": 2}
    for schema in schemas:
        for f in schema:
            name, gtype = f.name.lower(), glue_type(f.type)
            if name not in types:
                order.append(name)
                types[name] = gtype
            elif types[name] != gtype:
                a, b = types[name], gtype
                types[name] = max(a, b, key=rank.get) if a in rank and b in rank else "string"
    return [(n, types[n]) for n in order]


def _table_name(prefix: str, folder: str) -> str:
    return (prefix or "") + re.sub(r"[^a-z0-9_]", "_", folder.lower())


def plan_tables(include_path: str, relatives: list[str], table_prefix: str = "") -> dict[str, dict]:
    """Group object paths (relative to ``include_path``) into tables:
    ``{table_name: {"root": relative root, "files": [relative paths]}}``."""
    bucket, prefix = split_uri(include_path)
    prefix = prefix.rstrip("/")
    base = prefix.split("/")[-1] if prefix else bucket

    def is_partition_level(rel: str) -> bool:
        parts = rel.split("/")[:-1]
        return all("=" in p for p in parts)

    if all(is_partition_level(r) for r in relatives):
        return {_table_name(table_prefix, base): {"root": "", "files": relatives}}
    tables: dict[str, dict] = {}
    for rel in relatives:
        if "/" not in rel:
            # A file beside table folders: the crawler makes the include path itself a table.
            tables.setdefault(_table_name(table_prefix, base), {"root": "", "files": []})["files"].append(rel)
            continue
        top, rest = rel.split("/", 1)
        tables.setdefault(_table_name(table_prefix, top), {"root": top + "/", "files": []})["files"].append(rel)
    return tables


def infer_table(ctx, include_path: str, name: str, root: str, objects: list[dict], scratch: Path,
                sample_size: int | None = None) -> InferredTable:
    """Infer one table from its files: every file, or the first ``sample_size`` of each leaf folder
    (the target's ``SampleSize``)."""
    s3 = ctx.client("s3")
    bucket, prefix = split_uri(include_path)
    prefix = prefix.rstrip("/") + "/" if prefix.strip("/") else ""
    location = join_uri(bucket, prefix + root)
    partitions: dict[tuple[str, ...], str] = {}
    depth = None
    keys: list[str] = []
    schemas = []
    kinds = set()
    header = False
    sampled_per_folder: dict[str, int] = {}
    for i, obj in enumerate(sorted(objects, key=lambda o: o["Relative"])):
        below = obj["Relative"][len(root) :]
        folders = below.split("/")[:-1]
        if depth is None:
            depth = len(folders)
            keys = [f.split("=", 1)[0].lower() if "=" in f else f"partition_{j}" for j, f in enumerate(folders)]
        if folders and len(folders) == depth:
            values = tuple(f.split("=", 1)[1] if "=" in f else f for f in folders)
            partitions.setdefault(values, join_uri(bucket, prefix + root + "/".join(folders) + "/"))
        folder = obj["Relative"].rsplit("/", 1)[0] if "/" in obj["Relative"] else ""
        sampled_per_folder[folder] = sampled_per_folder.get(folder, 0) + 1
        if sample_size is None or sampled_per_folder[folder] <= sample_size:
            local = scratch / name / f"{i}-{Path(below).name}"
            local.parent.mkdir(parents=True, exist_ok=True)
            s3.download_file(bucket, obj["Key"], str(local))
            kind, schema, has_header = infer_file(local)
            kinds.add(kind)
            schemas.append(schema)
            header = header or has_header
    classification = kinds.pop() if len(kinds) == 1 else "csv"
    columns = [(n, t) for n, t in merge_schemas(schemas) if n not in keys]
    return InferredTable(
        name=name,
        location=location,
        classification=classification,
        columns=columns,
        partition_keys=keys,
        partitions=partitions,
        header=header,
        object_count=len(objects),
        size=sum(o.get("Size", 0) for o in objects),
    )


def _excluded(relative: str, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatch(relative, p) for p in patterns)


def crawl_locally(ctx, crawler: dict) -> CrawlSummary:
    """Infer and write the catalogue for ``crawler`` (a ``get_crawler`` dict). Tracks every
    table it creates in the run's ledger before creating it."""
    glue = ctx.client("glue")
    s3 = ctx.client("s3")
    database = crawler["DatabaseName"]
    policy = (crawler.get("SchemaChangePolicy") or {}).get("UpdateBehavior", "UPDATE_IN_DATABASE")
    summary = CrawlSummary()
    scratch = Path(ctx.workdir) / "crawler" / crawler["Name"]
    for target in crawler.get("Targets", {}).get("S3Targets", []):
        include = target["Path"].rstrip("/") + "/"
        objects = [o for o in list_data_objects(s3, include) if not _excluded(o["Relative"], target.get("Exclusions", []))]
        by_rel = {o["Relative"]: o for o in objects}
        for name, plan in plan_tables(include, sorted(by_rel), crawler.get("TablePrefix", "")).items():
            inferred = infer_table(ctx, include, name, plan["root"], [by_rel[r] for r in plan["files"]], scratch,
                                   target.get("SampleSize"))
            _write_table(ctx, glue, database, inferred, crawler["Name"], policy, summary)
    return summary


def _write_table(ctx, glue, database: str, table: InferredTable, crawler: str, policy: str, summary: CrawlSummary):
    try:
        existing = glue.get_table(DatabaseName=database, Name=table.name)["Table"]
    except glue.exceptions.EntityNotFoundException:
        existing = None
    table_input = table.table_input(crawler)
    if existing is None:
        ctx.track("glue:table", f"{database}/{table.name}")
        glue.create_table(DatabaseName=database, TableInput=table_input)
        summary.tables_created.append(table.name)
    else:
        old = [(c["Name"], c["Type"]) for c in existing.get("StorageDescriptor", {}).get("Columns", [])]
        if old != table.columns:
            if policy == "LOG":
                summary.schema_changes_logged.append(table.name)
            else:
                glue.update_table(DatabaseName=database, TableInput=table_input)
                summary.tables_updated.append(table.name)
    if not table.partition_keys:
        return
    known = set()
    for page in glue.get_paginator("get_partitions").paginate(DatabaseName=database, TableName=table.name):
        known |= {tuple(p["Values"]) for p in page.get("Partitions", [])}
    new = [
        {"Values": list(values), "StorageDescriptor": table.storage_descriptor(location)}
        for values, location in sorted(table.partitions.items())
        if values not in known
    ]
    for start in range(0, len(new), 100):  # BatchCreatePartition takes at most 100
        glue.batch_create_partition(DatabaseName=database, TableName=table.name, PartitionInputList=new[start : start + 100])
    summary.partitions_added += len(new)


def run_crawler(ctx, name: str, *, timeout: float = 900.0) -> CrawlSummary:
    """Start crawler ``name`` and make its crawl happen; returns what it changed."""
    glue = ctx.client("glue")
    glue.start_crawler(Name=name)
    if ctx.on_aws:
        return _wait_for_crawler(glue, name, timeout)
    crawler = glue.get_crawler(Name=name)["Crawler"]
    summary = crawl_locally(ctx, crawler)
    # moto advances its crawl record only when crawls are listed: list them once so the
    # emulator reports the crawl COMPLETED and the crawler READY, as AWS does after a crawl.
    crawls = glue.list_crawls(CrawlerName=name).get("Crawls", [])
    summary.state = crawls[-1].get("State", "") if crawls else ""
    return summary


def _wait_for_crawler(glue, name: str, timeout: float) -> CrawlSummary:
    deadline = time.monotonic() + timeout
    time.sleep(5)
    while glue.get_crawler(Name=name)["Crawler"]["State"] != "READY":
        if time.monotonic() > deadline:
            raise TimeoutError(f"crawler {name} still running after {timeout:.0f}s")
        time.sleep(10)
    crawler = glue.get_crawler(Name=name)["Crawler"]
    metrics = glue.get_crawler_metrics(CrawlerNameList=[name])["CrawlerMetricsList"]
    summary = CrawlSummary(state=crawler.get("LastCrawl", {}).get("Status", ""))
    if metrics:
        summary.tables_created = [f"{metrics[0].get('TablesCreated', 0)} table(s)"] if metrics[0].get("TablesCreated") else []
        summary.tables_updated = [f"{metrics[0].get('TablesUpdated', 0)} table(s)"] if metrics[0].get("TablesUpdated") else []
    return summary
