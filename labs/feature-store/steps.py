"""feature-store: a feature group with an online and an offline store; records ingested with event
times (one out of order, two after their label, one with a 1-hour TTL); the latest record read
online; the offline store found as Parquet partitioned by event time and catalogued in Glue; and a
point-in-time correct training set built with Athena next to a naive join that leaks.

moto has no Feature Store runtime and a broken feature-group control plane, so
``awslabs.local.feature_store`` plays the service (same request and response shapes) on moto and
the server; S3, Glue, IAM and Athena's query executions stay moto's. Athena's SQL runs in DuckDB
(``awslabs.local.sql``). On AWS the real services do all of it and the same checks read it."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import time

from awslabs import judge, labkit
from awslabs.lab import equal, expect
from awslabs.local import feature_store as fs
from awslabs.local import sql as local_sql

FEATURES = [("customer_id", "String"), ("event_time", "String"), ("orders_30d", "Integral"),
            ("avg_basket", "Fractional"), ("support_tickets", "Integral")]
LABEL_HOURS = {"c-001": 10, "c-002": 12, "c-003": 14, "c-004": 16}  # label time = anchor + hours
CHURNED = {"c-001": 1, "c-002": 0, "c-003": 1, "c-004": 0}
# (customer, hours relative to its label time, orders_30d, avg_basket, support_tickets), in the
# order they are put: c-002's older record arrives after its newer one; c-001 and c-003 get a
# record *after* their label time (the churned customer's angry tickets: the leak).
RECORDS = [
    ("c-001", -48, 9, 41.5, 0), ("c-001", -2, 7, 39.0, 1), ("c-001", 1, 7, 39.0, 6),
    ("c-002", -2, 12, 55.25, 0), ("c-002", -48, 14, 57.0, 0),
    ("c-003", -30, 3, 20.0, 2), ("c-003", 3, 0, 0.0, 9),
    ("c-004", -5, 5, 33.5, 0),
]
TRIAL = ("c-005", -24, 1, 10.0, 0)  # hours relative to the anchor; put with TtlDuration 1 Hours
GROUP_TTL = {"Unit": "Days", "Value": 30}
TRIAL_TTL = {"Unit": "Hours", "Value": 1}
PREFIX = "feature-store"  # the offline store's S3Uri: s3://<bucket>/feature-store
LEAKED = ("c-001", 6)  # the naive join's support_tickets for c-001 (recorded an hour after the label)


# -- names ------------------------------------------------------------------------------------------
def _bucket(ctx):
    return ctx.name("features")


def _database(ctx):
    return ctx.name("ml").replace("-", "_")


def _role(ctx):
    return ctx.name("featurestore", max_len=64)


def _group(ctx):
    return ctx.name("customers", max_len=64)


def _by(ctx):
    return "emulated" if ctx.on_aws else "local"


# -- time -------------------------------------------------------------------------------------------
def _fmt(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)


def _labels(ctx) -> dict[str, dict] | None:
    """The labels the setup landed (customer -> row), read from S3; None before."""
    try:
        body = labkit.read_object(ctx, _bucket(ctx), "labels/labels.csv").decode()
    except Exception:  # noqa: BLE001 - no bucket or no object yet
        return None
    return {row["customer_id"]: row for row in csv.DictReader(io.StringIO(body))}


def _anchor(labels: dict[str, dict]) -> dt.datetime:
    first = min(LABEL_HOURS, key=LABEL_HOURS.get)
    return _parse(labels[first]["label_time"]) - dt.timedelta(hours=LABEL_HOURS[first])


def _records(labels: dict[str, dict]) -> list[dict]:
    """The task's records with absolute event times (label time + offset)."""
    out = []
    for customer, hours, orders, basket, tickets in RECORDS:
        event = _parse(labels[customer]["label_time"]) + dt.timedelta(hours=hours)
        out.append({"customer_id": customer, "event_time": _fmt(event), "orders_30d": str(orders),
                    "avg_basket": str(basket), "support_tickets": str(tickets)})
    return out


def _trial(labels: dict[str, dict]) -> dict:
    customer, hours, orders, basket, tickets = TRIAL
    return {"customer_id": customer, "event_time": _fmt(_anchor(labels) + dt.timedelta(hours=hours)),
            "orders_30d": str(orders), "avg_basket": str(basket), "support_tickets": str(tickets)}


def _latest_by_event_time(labels) -> dict[str, dict]:
    latest: dict[str, dict] = {}
    for record in _records(labels):
        current = latest.get(record["customer_id"])
        if current is None or record["event_time"] > current["event_time"]:
            latest[record["customer_id"]] = record
    return latest


def _describe(ctx) -> dict | None:
    sagemaker, _ = fs.clients(ctx)
    try:
        return sagemaker.describe_feature_group(FeatureGroupName=_group(ctx))
    except Exception as err:  # noqa: BLE001
        if labkit.error_code(err) in ("ResourceNotFound", "ValidationException"):
            return None
        raise


# -- steps ------------------------------------------------------------------------------------------
def apply_prepare_labels(ctx):
    s3 = ctx.client("s3")
    if not labkit.bucket_exists(ctx, _bucket(ctx)):  # practice `start` may be rerun
        ctx.create_bucket(_bucket(ctx))
    anchor = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=2)).replace(hour=0, minute=0, second=0, microsecond=0)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["customer_id", "label_time", "churned"])
    for customer, hours in LABEL_HOURS.items():
        writer.writerow([customer, _fmt(anchor + dt.timedelta(hours=hours)), CHURNED[customer]])
    s3.put_object(Bucket=_bucket(ctx), Key="labels/labels.csv", Body=out.getvalue().encode())
    glue = ctx.client("glue")
    if _database(ctx) not in [d["Name"] for d in glue.get_databases()["DatabaseList"]]:
        ctx.track("glue:database", _database(ctx))
        glue.create_database(DatabaseInput={"Name": _database(ctx), "LocationUri": f"s3://{_bucket(ctx)}/labels/"},
                             Tags=ctx.tags)
        glue.create_table(DatabaseName=_database(ctx), TableInput={
            "Name": "labels", "TableType": "EXTERNAL_TABLE",
            "Parameters": {"classification": "csv", "skip.header.line.count": "1"},
            "StorageDescriptor": {
                "Columns": [{"Name": "customer_id", "Type": "string"}, {"Name": "label_time", "Type": "string"},
                            {"Name": "churned", "Type": "int"}],
                "Location": f"s3://{_bucket(ctx)}/labels/",
                "InputFormat": "org.apache.hadoop.mapred.TextInputFormat",
                "OutputFormat": "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
                "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
                              "Parameters": {"field.delim": ","}},
            }})


def check_prepare_labels(ctx):
    labels = _labels(ctx)
    yield equal("four labelled customers landed in labels/labels.csv", sorted(labels or {}), sorted(LABEL_HOURS))
    glue = ctx.client("glue")
    try:
        table = glue.get_table(DatabaseName=_database(ctx), Name="labels")["Table"]
    except Exception:  # noqa: BLE001 - no database or table yet
        table = {}
    yield equal("the labels table reads labels/", table.get("StorageDescriptor", {}).get("Location", "").rstrip("/"),
                f"s3://{_bucket(ctx)}/labels")


def apply_feature_role(ctx):
    # What the offline store needs (AmazonSageMakerFeatureStoreAccess, narrowed to the bucket) and
    # the Glue table Feature Store creates for it. Waits on AWS: a new role takes seconds to be assumable.
    labkit.create_service_role(ctx, _role(ctx), "sagemaker.amazonaws.com", {"offline-store": [
        {"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject", "s3:GetBucketAcl", "s3:PutObjectAcl"],
         "Resource": [f"arn:aws:s3:::{_bucket(ctx)}", f"arn:aws:s3:::{_bucket(ctx)}/*"]},
        {"Effect": "Allow", "Action": ["glue:GetTable", "glue:CreateTable", "glue:UpdateTable", "glue:GetDatabase",
                                       "glue:CreateDatabase"], "Resource": "*"},
    ]})


def check_feature_role(ctx):
    iam = ctx.client("iam")
    try:
        trust = iam.get_role(RoleName=_role(ctx))["Role"]["AssumeRolePolicyDocument"]
    except Exception:  # noqa: BLE001 - no role yet
        trust = None
    decision = judge.service_may_assume(trust, "sagemaker.amazonaws.com")
    yield expect("SageMaker may assume the role (trust policy)", decision, decision.why)
    may = judge.role_may(iam, _role(ctx), "s3:PutObject", f"arn:aws:s3:::{_bucket(ctx)}/{PREFIX}/x.parquet")
    yield expect("the role may put objects into the offline store's bucket", may, may.why)


def feature_group_request(ctx) -> dict:
    """The task's CreateFeatureGroup request (practice variants change one thing in it)."""
    return dict(
        FeatureGroupName=_group(ctx),
        RecordIdentifierFeatureName="customer_id",
        EventTimeFeatureName="event_time",
        FeatureDefinitions=[{"FeatureName": n, "FeatureType": t} for n, t in FEATURES],
        OnlineStoreConfig={"EnableOnlineStore": True, "TtlDuration": dict(GROUP_TTL)},
        OfflineStoreConfig={"S3StorageConfig": {"S3Uri": f"s3://{_bucket(ctx)}/{PREFIX}"}},
        RoleArn=ctx.client("iam").get_role(RoleName=_role(ctx))["Role"]["Arn"],
        Description="customer activity features for churn",
        Tags=ctx.tag_list(),
    )


def create_feature_group(ctx, request: dict) -> None:
    sagemaker, _ = fs.clients(ctx)
    ctx.track("sagemaker:feature-group", request["FeatureGroupName"], local=not ctx.on_aws, account=ctx.account,
              region=ctx.region)
    sagemaker.create_feature_group(**request)
    catalog = (_describe(ctx) or {}).get("OfflineStoreConfig", {}).get("DataCatalogConfig")
    if catalog:  # Feature Store made it; deleting the group would keep it
        ctx.track("glue:table", f"{catalog['Database']}/{catalog['TableName']}")


def apply_create_feature_group(ctx):
    sagemaker, _ = fs.clients(ctx)
    create_feature_group(ctx, feature_group_request(ctx))
    if ctx.on_aws:  # the group is Creating for about a minute
        for _ in range(60):
            if sagemaker.describe_feature_group(FeatureGroupName=_group(ctx))["FeatureGroupStatus"] != "Creating":
                break
            time.sleep(5)


def check_create_feature_group(ctx):
    by = _by(ctx)
    group = _describe(ctx)
    if group is None:
        yield expect("the feature group exists", False, _group(ctx), by)
        return
    yield equal("records are identified by customer_id", group.get("RecordIdentifierFeatureName"), "customer_id", by)
    yield equal("event time is the event_time feature", group.get("EventTimeFeatureName"), "event_time", by)
    types = {d["FeatureName"]: d["FeatureType"] for d in group.get("FeatureDefinitions", [])}
    yield equal("feature types as the task gives them", types, dict(FEATURES), by)
    online = group.get("OnlineStoreConfig") or {}
    yield equal("the online store is enabled", online.get("EnableOnlineStore"), True, by)
    ttl = fs.ttl_seconds(online.get("TtlDuration"))
    yield equal("online records expire 30 days after their event time (TtlDuration)", ttl, 30 * 86400, by)
    s3cfg = (group.get("OfflineStoreConfig") or {}).get("S3StorageConfig", {})
    yield equal("the offline store writes under s3://<bucket>/feature-store", s3cfg.get("S3Uri", "").rstrip("/"),
                f"s3://{_bucket(ctx)}/{PREFIX}", by)
    # the documented layout: <S3Uri>/<account>/sagemaker/<region>/offline-store/<name>-<creation epoch>/data
    epoch = int(group["CreationTime"].timestamp())
    pattern = (rf"^s3://{re.escape(_bucket(ctx))}/{PREFIX}/{ctx.account}/sagemaker/{ctx.region}/offline-store/"
               rf"{re.escape(_group(ctx))}-(\d+)/data$")
    match = re.match(pattern, s3cfg.get("ResolvedOutputS3Uri", ""))
    yield expect("ResolvedOutputS3Uri follows <S3Uri>/<account>/sagemaker/<region>/offline-store/<group>-<time>/data",
                 match and abs(int(match.group(1)) - epoch) <= 1, s3cfg.get("ResolvedOutputS3Uri"), by)


def apply_ingest_records(ctx):
    _, runtime = fs.clients(ctx)
    labels = _labels(ctx)
    for record in _records(labels):
        runtime.put_record(FeatureGroupName=_group(ctx),
                           Record=[{"FeatureName": k, "ValueAsString": v} for k, v in record.items()])
    runtime.put_record(FeatureGroupName=_group(ctx), TtlDuration=TRIAL_TTL,
                       Record=[{"FeatureName": k, "ValueAsString": v} for k, v in _trial(labels).items()])


def _online(ctx) -> dict[str, dict] | None:
    """customer -> GetRecord's answer; None when the group does not exist."""
    if _describe(ctx) is None:
        return None
    _, runtime = fs.clients(ctx)
    return {c: runtime.get_record(FeatureGroupName=_group(ctx), RecordIdentifierValueAsString=c,
                                  ExpirationTimeResponse="Enabled")
            for c in [*LABEL_HOURS, TRIAL[0]]}


def _as_dict(answer: dict) -> dict:
    return {f["FeatureName"]: f["ValueAsString"] for f in answer.get("Record", [])}


def check_ingest_records(ctx):
    by = _by(ctx)
    labels, online = _labels(ctx), _online(ctx)
    if not labels or online is None:
        yield labkit.not_run("every customer has an online record", by)
        return
    served = {c: _instant(_as_dict(online[c]).get("event_time")) for c in [*LABEL_HOURS, TRIAL[0]]}
    wanted = {c: _instant(r["event_time"]) for c, r in _latest_by_event_time(labels).items()}
    wanted[TRIAL[0]] = None
    yield equal("each customer's online record has the task's event time (not the write time); "
                "c-005's 1-hour TTL has expired it", served, wanted, by)


def _instant(text: str | None) -> str | None:
    """An event time's instant, whichever of the documented formats spells it."""
    return None if text is None else _fmt(fs.parse_event_time(text))


def apply_read_online(ctx):
    labkit.record(ctx, "online", _online(ctx))


def check_read_online(ctx):
    by = _by(ctx)
    labels, seen = _labels(ctx), labkit.observed(ctx, "online")
    if not labels or not seen:
        yield labkit.not_run("GetRecord was called for every customer", by)
        return
    latest = _latest_by_event_time(labels)
    c002 = _as_dict(seen.get("c-002", {}))
    yield equal("c-002: the older record put last did not replace the newer one online",
                (c002.get("event_time"), c002.get("orders_30d")),
                (latest["c-002"]["event_time"], latest["c-002"]["orders_30d"]), by)
    c001 = _as_dict(seen.get("c-001", {}))
    yield equal("c-001: the online store serves the latest record, recorded after the label (6 tickets)",
                c001.get("support_tickets"), str(LEAKED[1]), by)
    expires = seen.get("c-004", {}).get("ExpiresAt")
    want = _parse(latest["c-004"]["event_time"]) + dt.timedelta(days=30)
    yield expect("ExpiresAt = EventTime + 30 days (the group's TtlDuration)",
                 expires is not None and expires[:19] == want.strftime("%Y-%m-%dT%H:%M:%S"), str(expires), by)
    yield equal("c-005 (TtlDuration 1 hour, event a day old) has expired: GetRecord returns no record",
                seen.get(TRIAL[0], {}).get("Record", []), [], by)


def _offline_keys(ctx, group: dict) -> list[str]:
    resolved = group.get("OfflineStoreConfig", {}).get("S3StorageConfig", {}).get("ResolvedOutputS3Uri", "")
    bucket, _, prefix = resolved[5:].partition("/")
    if bucket != _bucket(ctx):
        return []
    return [k[len(prefix) + 1:] for k in labkit.object_keys(ctx, bucket, prefix + "/") if k.endswith(".parquet")]


def apply_offline_store(ctx):
    group = _describe(ctx) or {}
    if ctx.on_aws:  # the service writes within 15 minutes of the puts
        deadline = time.monotonic() + 20 * 60
        while len(_offline_keys(ctx, group)) < 1 and time.monotonic() < deadline:
            time.sleep(30)
    else:
        fs.flush(ctx, _group(ctx))


def _hour_folder(event_time: str) -> str:
    return _parse(event_time).strftime("year=%Y/month=%m/day=%d/hour=%H")


def check_offline_store(ctx):
    by = _by(ctx)
    labels, group = _labels(ctx), _describe(ctx)
    keys = _offline_keys(ctx, group or {})
    if not labels or not keys:
        yield expect("Parquet files landed under ResolvedOutputS3Uri", False, "no .parquet object yet", by)
        return
    layout = re.compile(r"^year=\d{4}/month=\d{2}/day=\d{2}/hour=\d{2}/\d{8}T\d{6}Z_[A-Za-z0-9]{16}\.parquet$")
    odd = [k for k in keys if not layout.match(k)]
    yield expect("every file is year=/month=/day=/hour=/<time>_<16 characters>.parquet", not odd,
                 ", ".join(odd[:3]) or f"{len(keys)} files", by)
    # every record, the historic and the expired one too, sits in its event time's hour
    wanted = {_hour_folder(r["event_time"]) for r in _records(labels) + [_trial(labels)]}
    found = {k.rsplit("/", 1)[0] for k in keys}
    yield equal("one hourly partition per event-time hour of the records", found, wanted, by)
    import pyarrow.parquet as pq

    rows = []
    bucket, _, prefix = group["OfflineStoreConfig"]["S3StorageConfig"]["ResolvedOutputS3Uri"][5:].partition("/")
    for key in keys:
        rows += pq.read_table(io.BytesIO(labkit.read_object(ctx, bucket, f"{prefix}/{key}"))).to_pylist()
    yield equal("the offline store keeps every record, history included (9 rows)", len(rows), len(RECORDS) + 1, by)
    columns = set(rows[0]) if rows else set()
    yield expect("Feature Store added write_time, api_invocation_time and is_deleted",
                 {"write_time", "api_invocation_time", "is_deleted"} <= columns, ", ".join(sorted(columns)), by)
    catalog = group["OfflineStoreConfig"].get("DataCatalogConfig", {})
    try:
        table = ctx.client("glue").get_table(DatabaseName=catalog.get("Database", "?"),
                                             Name=catalog.get("TableName", "?"))["Table"]
    except Exception:  # noqa: BLE001
        table = {}
    yield equal("the Glue table of the offline store points at ResolvedOutputS3Uri",
                table.get("StorageDescriptor", {}).get("Location"),
                group["OfflineStoreConfig"]["S3StorageConfig"]["ResolvedOutputS3Uri"], by)


COLUMNS = "l.customer_id, l.label_time, l.churned, f.event_time, f.orders_30d, f.avg_basket, f.support_tickets"


def pit_query(table: str) -> str:
    """For each label, the feature row with the greatest event time at or before the label time."""
    return (
        f"WITH candidates AS (SELECT {COLUMNS}, ROW_NUMBER() OVER (PARTITION BY l.customer_id, l.label_time "
        f"ORDER BY f.event_time DESC, f.api_invocation_time DESC) AS rn "
        f"FROM labels l JOIN sagemaker_featurestore.\"{table}\" f "
        f"ON f.customer_id = l.customer_id AND f.event_time <= l.label_time AND NOT f.is_deleted) "
        f"SELECT customer_id, label_time, churned, event_time, orders_30d, avg_basket, support_tickets "
        f"FROM candidates WHERE rn = 1 ORDER BY customer_id"
    )


def naive_query(table: str) -> str:
    """Each label joined to the customer's latest feature row, whatever its time (the leak)."""
    return (
        f"WITH latest AS (SELECT *, ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY event_time DESC) AS rn "
        f"FROM sagemaker_featurestore.\"{table}\") "
        f"SELECT {COLUMNS} FROM labels l JOIN latest f ON f.customer_id = l.customer_id AND f.rn = 1 "
        f"ORDER BY l.customer_id"
    )


def _run_athena(ctx, sql: str, table: str) -> str:
    athena = ctx.client("athena")
    output = f"s3://{_bucket(ctx)}/athena-results/"
    qid = athena.start_query_execution(QueryString=sql, QueryExecutionContext={"Database": _database(ctx)},
                                       ResultConfiguration={"OutputLocation": output})["QueryExecutionId"]
    if ctx.on_aws:
        local_sql.run_query_execution(ctx, qid)
        return qid
    engine = local_sql.LocalCatalogSQL(ctx)  # Athena, locally: DuckDB over the two catalogue tables
    try:
        engine.register(fs.GLUE_DATABASE, table)
        result = engine.query(sql, _database(ctx))
    finally:
        engine.close()
    ctx.client("s3").put_object(Bucket=_bucket(ctx), Key=f"athena-results/{qid}.csv",
                                Body=local_sql.athena_csv(result.columns, result.rows))
    return qid


def apply_point_in_time(ctx):
    table = _describe(ctx)["OfflineStoreConfig"]["DataCatalogConfig"]["TableName"]
    labkit.record(ctx, "training_sets", {"naive": _run_athena(ctx, naive_query(table), table),
                                         "point_in_time": _run_athena(ctx, pit_query(table), table)})


def _result(ctx, qid: str | None) -> list[dict] | None:
    try:
        body = labkit.read_object(ctx, _bucket(ctx), f"athena-results/{qid}.csv").decode()
    except Exception:  # noqa: BLE001
        return None
    return list(csv.DictReader(io.StringIO(body)))


def _expected_pit(labels) -> dict[str, str]:
    """customer -> the event time a point-in-time join must pick, from the task's records."""
    best: dict[str, str] = {}
    for record in _records(labels):
        label_time = labels[record["customer_id"]]["label_time"]
        if record["event_time"] <= label_time and record["event_time"] > best.get(record["customer_id"], ""):
            best[record["customer_id"]] = record["event_time"]
    return best


def check_point_in_time(ctx):
    by = _by(ctx)
    labels, ids = _labels(ctx), labkit.observed(ctx, "training_sets") or {}
    naive, pit = _result(ctx, ids.get("naive")), _result(ctx, ids.get("point_in_time"))
    if not labels or naive is None or pit is None:
        yield labkit.not_run("both training sets are in athena-results/", by)
        return
    leaks = [r["customer_id"] for r in naive if r["event_time"] > r["label_time"]]
    yield expect("the naive join leaks: it uses feature values recorded after the label time",
                 LEAKED[0] in leaks and any(r["customer_id"] == LEAKED[0] and r["support_tickets"] == str(LEAKED[1])
                                            for r in naive), f"rows after their label: {leaks}", by)
    late = [r["customer_id"] for r in pit if r["event_time"] > r["label_time"]]
    yield expect("the point-in-time join uses no value recorded after its label", not late and len(pit) == 4,
                 f"{len(pit)} rows; after their label: {late}", by)
    yield equal("each label gets the latest feature row at or before its label time",
                {r["customer_id"]: r["event_time"] for r in pit}, _expected_pit(labels), by)


# -- mistakes the mutation pass makes ---------------------------------------------------------------
def _role_for_lambda(ctx):
    labkit.create_service_role(ctx, _role(ctx), "lambda.amazonaws.com",
                               {"offline-store": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}, wait=False)


def _offline_only(ctx):
    request = feature_group_request(ctx)
    del request["OnlineStoreConfig"]
    create_feature_group(ctx, request)


def _write_time_as_event_time(ctx):
    """Every record stamped with the time it is ingested instead of when it happened."""
    _, runtime = fs.clients(ctx)
    now = _fmt(dt.datetime.now(dt.timezone.utc))
    for record in _records(_labels(ctx)):
        record["event_time"] = now
        runtime.put_record(FeatureGroupName=_group(ctx),
                           Record=[{"FeatureName": k, "ValueAsString": v} for k, v in record.items()])


def _read_another_group(ctx):
    labkit.record(ctx, "online", {c: {} for c in LABEL_HOURS})


def _flat_offline_files(ctx):
    """Records written flat under data/, not partitioned by event time."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    group = _describe(ctx)
    bucket, _, prefix = group["OfflineStoreConfig"]["S3StorageConfig"]["ResolvedOutputS3Uri"][5:].partition("/")
    sink = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(_records(_labels(ctx))), sink)
    ctx.client("s3").put_object(Bucket=bucket, Key=f"{prefix}/all-records.parquet", Body=sink.getvalue())


def _naive_twice(ctx):
    table = _describe(ctx)["OfflineStoreConfig"]["DataCatalogConfig"]["TableName"]
    labkit.record(ctx, "training_sets", {"naive": _run_athena(ctx, naive_query(table), table),
                                         "point_in_time": _run_athena(ctx, naive_query(table), table)})


MUTATIONS = {
    "feature_role": [("trust policy names lambda.amazonaws.com", _role_for_lambda)],
    "create_feature_group": [("offline store only (no online store, no TTL)", _offline_only)],
    "ingest_records": [("the write time used as event time", _write_time_as_event_time)],
    "read_online": [("nothing came back (wrong feature group)", _read_another_group)],
    "offline_store": [("records written flat, not partitioned by event time", _flat_offline_files)],
    "point_in_time": [("the naive join used for the training set too", _naive_twice)],
}
