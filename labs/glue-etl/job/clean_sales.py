"""clean_sales: a Glue Python shell job that cleans raw sales CSV into partitioned Parquet.

The same file runs on AWS Glue (Python shell, Python 3.9, ``library-set=analytics`` for pandas and
pyarrow) and locally under awslabs (``awslabs.local.jobs``), where boto3 reaches the emulator
through ``AWS_ENDPOINT_URL``.

Arguments (``--name value``, read as ``getResolvedOptions`` reads them):
  --source_path   s3://bucket/raw/sales/        raw CSV files (order_id,customer,country,amount,order_date)
  --target_path   s3://bucket/processed/sales/  partitioned Snappy Parquet (order_date=YYYY-MM-DD/)
  --database, --table                           Glue table to create/update with new partitions
  --state_path    s3://bucket/job-state/        where the job keeps its bookmark and run reports
  --bookmark      enable | disable

Cleaning: rows without an order id or a numeric amount are dropped; country is trimmed and
upper-cased (missing -> UNKNOWN); customer trimmed (missing -> NULL); duplicate order ids within a
run are dropped (first wins); amount becomes a double, order_date a date partition.

Bookmark: Glue job bookmarks (``--job-bookmark-option``) are a Glue-for-Spark feature
(``job.init``/``job.commit`` with ``transformation_ctx``) and cannot be used with Python shell jobs
(https://docs.aws.amazon.com/glue/latest/dg/add-job-python.html), so this job keeps its own. It stores
``{key: etag}`` of every file it processed in ``<state_path>bookmark.json`` and, when bookmarks
are enabled, reads only files that are new or changed — then commits the bookmark last, so a
failed run is re-done by the next one.
"""
import argparse
import io
import json
import sys

import boto3
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

OPTIONS = ["JOB_NAME", "JOB_RUN_ID", "source_path", "target_path", "database", "table", "state_path", "bookmark"]


def resolved_options(argv, names):
    try:
        from awsglue.utils import getResolvedOptions  # present on Glue

        return getResolvedOptions(argv, names)
    except ImportError:
        parser = argparse.ArgumentParser()
        for name in names:
            parser.add_argument(f"--{name}", required=True)
        known, _ = parser.parse_known_args(argv[1:])
        return vars(known)


def split(uri):
    bucket, _, key = uri[len("s3://") :].partition("/")
    return bucket, key


def read_json(s3, uri, default):
    bucket, key = split(uri)
    try:
        return json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    except s3.exceptions.NoSuchKey:
        return default


def clean(frame):
    frame = frame.copy()
    frame["order_id"] = pd.to_numeric(frame["order_id"], errors="coerce")
    frame["amount"] = pd.to_numeric(frame["amount"], errors="coerce")
    frame = frame.dropna(subset=["order_id", "amount"])
    frame["order_id"] = frame["order_id"].astype("int64")
    frame["country"] = frame["country"].fillna("").str.strip().str.upper().replace("", "UNKNOWN")
    frame["customer"] = frame["customer"].str.strip().replace("", None)
    frame["order_date"] = pd.to_datetime(frame["order_date"], errors="coerce").dt.strftime("%Y-%m-%d")
    frame = frame.dropna(subset=["order_date"])
    return frame.drop_duplicates(subset=["order_id"], keep="first")[
        ["order_id", "customer", "country", "amount", "order_date"]
    ]


PARQUET_SD = {
    "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
    "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
    "SerdeInfo": {
        "SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
        "Parameters": {"serialization.format": "1"},
    },
}
COLUMNS = [
    {"Name": "order_id", "Type": "bigint"},
    {"Name": "customer", "Type": "string"},
    {"Name": "country", "Type": "string"},
    {"Name": "amount", "Type": "double"},
]


def update_catalog(glue, database, table, target_path, dates):
    try:
        glue.get_table(DatabaseName=database, Name=table)
    except glue.exceptions.EntityNotFoundException:
        glue.create_table(
            DatabaseName=database,
            TableInput={
                "Name": table,
                "TableType": "EXTERNAL_TABLE",
                "Parameters": {"classification": "parquet", "parquet.compression": "SNAPPY"},
                "StorageDescriptor": {**PARQUET_SD, "Columns": COLUMNS, "Location": target_path},
                "PartitionKeys": [{"Name": "order_date", "Type": "string"}],
            },
        )
    partitions = [
        {
            "Values": [d],
            "StorageDescriptor": {**PARQUET_SD, "Columns": COLUMNS, "Location": f"{target_path}order_date={d}/"},
        }
        for d in sorted(dates)
    ]
    added = 0
    for start in range(0, len(partitions), 100):
        response = glue.batch_create_partition(
            DatabaseName=database, TableName=table, PartitionInputList=partitions[start : start + 100]
        )
        failed = [e for e in response.get("Errors", []) if e["ErrorDetail"]["ErrorCode"] != "AlreadyExistsException"]
        if failed:
            raise RuntimeError(f"batch_create_partition failed: {failed}")
        added += len(partitions[start : start + 100]) - len(response.get("Errors", []))
    return added


def main(argv):
    args = resolved_options(argv, OPTIONS)
    use_bookmark = args["bookmark"] == "enable"
    s3 = boto3.client("s3")
    glue = boto3.client("glue")
    state_path = args["state_path"].rstrip("/") + "/"
    target_path = args["target_path"].rstrip("/") + "/"
    bookmark = read_json(s3, state_path + "bookmark.json", {"processed": {}}) if use_bookmark else {"processed": {}}

    bucket, prefix = split(args["source_path"])
    objects = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        objects += [o for o in page.get("Contents", []) if o["Key"].endswith(".csv")]
    todo = [o for o in objects if bookmark["processed"].get(o["Key"]) != o["ETag"]]

    frames = [
        pd.read_csv(io.BytesIO(s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read()), dtype=str, keep_default_na=True)
        for o in sorted(todo, key=lambda o: o["Key"])
    ]
    raw_rows = sum(len(f) for f in frames)
    cleaned = clean(pd.concat(frames, ignore_index=True)) if frames else None

    out_bucket, out_prefix = split(target_path)
    written = []
    if cleaned is not None and len(cleaned):
        for day, part in cleaned.groupby("order_date"):
            table = pa.Table.from_pandas(part.drop(columns=["order_date"]), preserve_index=False)
            sink = io.BytesIO()
            pq.write_table(table, sink, compression="snappy")
            key = f"{out_prefix}order_date={day}/part-{args['JOB_RUN_ID'][-12:]}-00000.snappy.parquet"
            s3.put_object(Bucket=out_bucket, Key=key, Body=sink.getvalue())
            written.append(key)
        dates = set(cleaned["order_date"])
        added = update_catalog(glue, args["database"], args["table"], target_path, dates)
    else:
        added = 0

    report = {
        "job": args["JOB_NAME"],
        "run_id": args["JOB_RUN_ID"],
        "bookmark": "enabled" if use_bookmark else "disabled",
        "files_read": [o["Key"] for o in todo],
        "files_skipped": len(objects) - len(todo),
        "rows_read": raw_rows,
        "rows_written": 0 if cleaned is None else int(len(cleaned)),
        "objects_written": written,
        "partitions_added": added,
    }
    s_bucket, s_prefix = split(state_path)
    s3.put_object(Bucket=s_bucket, Key=f"{s_prefix}runs/{args['JOB_RUN_ID']}.json", Body=json.dumps(report).encode())
    if use_bookmark:  # commit last, like job.commit(): a failed run leaves the bookmark unchanged
        bookmark["processed"].update({o["Key"]: o["ETag"] for o in todo})
        s3.put_object(Bucket=s_bucket, Key=f"{s_prefix}bookmark.json", Body=json.dumps(bookmark).encode())
    print(json.dumps(report))


if __name__ == "__main__":
    main(sys.argv)
