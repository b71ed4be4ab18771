"""dms-batch-migration: a replication instance, a relational source and an S3 target endpoint, a
full-load task and a CDC task with selection and transformation rules.

moto keeps endpoints ``creating`` and tasks ``running`` forever and moves no data; nothing here
waits on them. Locally the source is an SQLite database the lab creates, and
``awslabs.local.dms`` applies the task's table mappings and writes to the emulated S3 what DMS
writes (``LOAD…`` files per schema/table, CDC files with the I/U/D operation column). On AWS the
control plane is real; moving data needs a source database reachable from the replication
instance, which this lab does not create (the data steps are skipped there)."""
from __future__ import annotations

import csv
import io
import json
import sqlite3

from awslabs import labkit
from awslabs.lab import Check, equal, expect
from awslabs.local import dms as local_dms

SCHEMA = "sales"
CUSTOMERS = [
    (1, "Ana", "ana@example.com", "DE"),
    (2, "Ben", "ben@example.com", "FR"),
    (3, "Cy", "cy@example.com", "US"),
]
ORDERS = [  # (id, customer_id, amount, status)
    (101, 1, 19.99, "shipped"),
    (102, 2, 5.00, "cancelled"),
    (103, 3, 12.50, "shipped"),
    (104, 1, 7.25, "pending"),
]
TABLE_MAPPINGS = {
    "rules": [
        {"rule-type": "selection", "rule-id": "1", "rule-name": "include-sales",
         "object-locator": {"schema-name": SCHEMA, "table-name": "%"}, "rule-action": "include"},
        {"rule-type": "selection", "rule-id": "2", "rule-name": "exclude-audit",
         "object-locator": {"schema-name": SCHEMA, "table-name": "audit_log"}, "rule-action": "exclude"},
        {"rule-type": "selection", "rule-id": "3", "rule-name": "no-cancelled-orders",
         "object-locator": {"schema-name": SCHEMA, "table-name": "orders"}, "rule-action": "include",
         "filters": [{"filter-type": "source", "column-name": "status",
                      "filter-conditions": [{"filter-operator": "noteq", "value": "cancelled"}]}]},
        {"rule-type": "transformation", "rule-id": "4", "rule-name": "rename-schema",
         "rule-target": "schema", "object-locator": {"schema-name": SCHEMA},
         "rule-action": "rename", "value": "retail"},
        {"rule-type": "transformation", "rule-id": "5", "rule-name": "drop-pii",
         "rule-target": "column", "object-locator": {"schema-name": SCHEMA, "table-name": "customers",
                                                     "column-name": "email"},
         "rule-action": "remove-column"},
        {"rule-type": "transformation", "rule-id": "6", "rule-name": "amount-in-cents",
         "rule-target": "column", "object-locator": {"schema-name": SCHEMA, "table-name": "orders"},
         "rule-action": "add-column", "value": "amount_cents", "expression": "CAST(ROUND($amount * 100) AS INT)",
         "data-type": {"type": "int8"}},
    ]
}


def _bucket(ctx):
    return ctx.name("dms-target")


def _role(ctx):
    return ctx.name("dms-s3", max_len=64)


def _instance_id(ctx):
    return ctx.name("repl", max_len=63)


def _endpoint_id(ctx, kind):
    return ctx.name(kind, max_len=255)


def _task_id(ctx, kind):
    return ctx.name(f"{kind}-task", max_len=255)


def _db_path(ctx):
    # Kept under AWSLABS_HOME/output/<lab>/<run>/: in practice mode `start` creates it and every
    # later `check` (a new process) replicates from it.
    return ctx.output_dir / "sales.db"


def _source(ctx):
    return local_dms.SqliteSource(_db_path(ctx), schema=SCHEMA)


def _task(ctx, kind):
    tasks = ctx.client("dms").describe_replication_tasks(
        Filters=[{"Name": "replication-task-id", "Values": [_task_id(ctx, kind)]}]
    )["ReplicationTasks"]
    return tasks[0] if tasks else None


def _endpoint(ctx, kind):
    found = ctx.client("dms").describe_endpoints(
        Filters=[{"Name": "endpoint-id", "Values": [_endpoint_id(ctx, kind)]}]
    )["Endpoints"]
    return found[0] if found else None


def _keys(ctx, prefix):
    s3 = ctx.client("s3")
    if _bucket(ctx) not in [b["Name"] for b in s3.list_buckets()["Buckets"]]:
        return []
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=_bucket(ctx), Prefix=prefix)
    return sorted(o["Key"] for page in pages for o in page.get("Contents", []))


def _csv_rows(ctx, key):
    body = ctx.client("s3").get_object(Bucket=_bucket(ctx), Key=key)["Body"].read().decode()
    return list(csv.reader(io.StringIO(body)))


def _needs_source(ctx, name):
    """On AWS the data steps need a source database this lab does not create."""
    return Check(name, False, "needs a MySQL source reachable from the replication instance", "local", skipped=True)


_NO_SOURCE = "needs a MySQL source database reachable from the replication instance (not created by this lab)"


# -- steps ------------------------------------------------------------------------------------------
def apply_create_source_database(ctx):
    _db_path(ctx).unlink(missing_ok=True)  # a fresh source every time (practice `start` may be rerun)
    with sqlite3.connect(_db_path(ctx)) as con:
        con.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT, email TEXT, country TEXT)")
        con.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER, amount REAL, status TEXT)")
        con.execute("CREATE TABLE audit_log (id INTEGER PRIMARY KEY, message TEXT)")
        con.executemany("INSERT INTO customers VALUES (?, ?, ?, ?)", CUSTOMERS)
        con.executemany("INSERT INTO orders VALUES (?, ?, ?, ?)", ORDERS)
        con.execute("INSERT INTO audit_log (message) VALUES ('schema created')")
    con.close()


def check_create_source_database(ctx):
    if not _db_path(ctx).exists():
        yield expect("the source database exists", False, str(_db_path(ctx)), "local")
        return
    with sqlite3.connect(_db_path(ctx)) as con:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        counts = {t: con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                  for t in ("customers", "orders", "audit_log") if t in tables}
    con.close()
    # (counts, not exact rows: the CDC step later changes the source, as an application would)
    yield equal("the source holds customers, orders and an audit log", sorted(t for t, n in counts.items() if n),
                ["audit_log", "customers", "orders"], "local")


def apply_create_replication_instance(ctx):
    dms = ctx.client("dms")
    pending = ctx.track_pending("dms:replication-instance", _instance_id(ctx))
    arn = dms.create_replication_instance(
        ReplicationInstanceIdentifier=_instance_id(ctx),
        ReplicationInstanceClass="dms.t3.micro",  # the smallest class
        AllocatedStorage=20,
        MultiAZ=False,
        PubliclyAccessible=False,
        Tags=ctx.tag_list(),
    )["ReplicationInstance"]["ReplicationInstanceArn"]
    ctx.resolve(pending, arn)
    if ctx.on_aws:  # about 10 minutes; endpoints and tasks need it available
        dms.get_waiter("replication_instance_available").wait(
            Filters=[{"Name": "replication-instance-arn", "Values": [arn]}], WaiterConfig={"Delay": 30, "MaxAttempts": 40}
        )


def check_create_replication_instance(ctx):
    found = ctx.client("dms").describe_replication_instances(
        Filters=[{"Name": "replication-instance-id", "Values": [_instance_id(ctx)]}]
    )["ReplicationInstances"]
    yield equal("a dms.t3.micro replication instance exists",
                [i["ReplicationInstanceClass"] for i in found], ["dms.t3.micro"])
    yield equal("single-AZ and private", [(i["MultiAZ"], i["PubliclyAccessible"]) for i in found], [(False, False)])
    named = [i["ReplicationSubnetGroup"]["ReplicationSubnetGroupIdentifier"] for i in found
             if (i.get("ReplicationSubnetGroup") or {}).get("ReplicationSubnetGroupIdentifier")]
    if named:  # the default group needs nothing; a named one must exist (moto stores any name)
        yield from _subnet_group_exists(ctx, named[0])


def _subnet_group_exists(ctx, name):
    dms = ctx.client("dms")
    groups = dms.describe_replication_subnet_groups(
        Filters=[{"Name": "replication-subnet-group-id", "Values": [name]}])["ReplicationSubnetGroups"]
    if not groups:
        yield expect("the instance's replication subnet group exists", False,
                     f"the instance names the subnet group {name!r}, which does not exist: create it "
                     "(create-replication-subnet-group with subnets of your VPC) or leave it out for the default")
        return
    yield expect("the instance's replication subnet group exists", True, name)
    if ctx.on_aws:  # moto reports made-up subnets for every group: only AWS can say which it names
        subnets = [s["SubnetIdentifier"] for s in groups[0].get("Subnets", [])]
        found = {s["SubnetId"] for s in ctx.client("ec2").describe_subnets(
            Filters=[{"Name": "subnet-id", "Values": subnets}])["Subnets"]} if subnets else set()
        missing = sorted(set(subnets) - found)
        yield expect("the subnet group's subnets exist", not missing,
                     f"the subnet group {name} names subnets that do not exist: {', '.join(missing)}"
                     if missing else ", ".join(subnets))


def apply_create_endpoints(ctx):
    dms = ctx.client("dms")
    ctx.create_bucket(_bucket(ctx))
    # waits on AWS: the role must be assumable before DMS validates it
    role_arn = labkit.create_service_role(ctx, _role(ctx), "dms.amazonaws.com", {"write-target": [
        {"Effect": "Allow", "Action": ["s3:PutObject", "s3:DeleteObject", "s3:PutObjectTagging"],
         "Resource": f"arn:aws:s3:::{_bucket(ctx)}/*"},
        {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": f"arn:aws:s3:::{_bucket(ctx)}"}]})
    pending = ctx.track_pending("dms:endpoint", _endpoint_id(ctx, "source"))
    arn = dms.create_endpoint(
        EndpointIdentifier=_endpoint_id(ctx, "source"),
        EndpointType="source",
        EngineName="mysql",
        ServerName="source-db.internal.example",  # your database's host on real AWS
        Port=3306,
        DatabaseName=SCHEMA,
        Username="dms_reader",
        Password="change-me-in-secrets-manager",
        Tags=ctx.tag_list(),
    )["Endpoint"]["EndpointArn"]
    ctx.resolve(pending, arn)
    pending = ctx.track_pending("dms:endpoint", _endpoint_id(ctx, "target"))
    arn = dms.create_endpoint(
        EndpointIdentifier=_endpoint_id(ctx, "target"),
        EndpointType="target",
        EngineName="s3",
        S3Settings={
            "ServiceAccessRoleArn": role_arn,
            "BucketName": _bucket(ctx),
            "BucketFolder": "dms",
            "DataFormat": "csv",
            "CsvDelimiter": ",",
            "CsvRowDelimiter": "\\n",
            "AddColumnName": True,  # a header row, so the files explain themselves
            "IncludeOpForFullLoad": False,  # the default: full-load rows carry no Op column
        },
        Tags=ctx.tag_list(),
    )["Endpoint"]["EndpointArn"]
    ctx.resolve(pending, arn)


def _bucket_exists(ctx, name) -> bool:
    return bool(name) and name in [b["Name"] for b in ctx.client("s3").list_buckets()["Buckets"]]


def _role_trusting_dms(ctx, arn) -> str:
    """'' when ``arn`` names an existing role DMS can assume, else what to fix."""
    if not arn:
        return "the target's S3Settings name no ServiceAccessRoleArn: name a role DMS can assume"
    name = arn.rsplit("/", 1)[-1]
    try:
        role = ctx.client("iam").get_role(RoleName=name)["Role"]
    except ctx.client("iam").exceptions.NoSuchEntityException:
        return f"ServiceAccessRoleArn {arn} names no role that exists: create the role {_role(ctx)} first and use its ARN"
    if role["Arn"] != arn:
        return f"ServiceAccessRoleArn {arn} is not the ARN of the role {name} ({role['Arn']}): use the role's ARN"
    trust = role["AssumeRolePolicyDocument"]
    trust = json.loads(trust) if isinstance(trust, str) else trust
    if "dms.amazonaws.com" not in json.dumps(trust):
        return f"the role {name} does not trust dms.amazonaws.com: DMS cannot assume it"
    return ""


def check_create_endpoints(ctx):
    source, target = _endpoint(ctx, "source"), _endpoint(ctx, "target")
    yield equal("the source is a MySQL endpoint", (source or {}).get("EngineName"), "mysql")
    settings = (target or {}).get("S3Settings", {})
    yield equal("the target writes CSV to s3://bucket/dms/", (settings.get("BucketName"), settings.get("BucketFolder")),
                (_bucket(ctx), "dms"))
    if target is None:
        return
    bucket = settings.get("BucketName")
    yield expect("the target's bucket exists", _bucket_exists(ctx, bucket),
                 bucket if _bucket_exists(ctx, bucket) else
                 f"the bucket {bucket!r} the target names does not exist: create the bucket {_bucket(ctx)}")
    problem = _role_trusting_dms(ctx, settings.get("ServiceAccessRoleArn"))
    yield expect("the target's role exists and DMS can assume it", not problem,
                 problem or settings.get("ServiceAccessRoleArn"))


def apply_create_tasks(ctx):
    dms = ctx.client("dms")
    instance = dms.describe_replication_instances(
        Filters=[{"Name": "replication-instance-id", "Values": [_instance_id(ctx)]}]
    )["ReplicationInstances"][0]["ReplicationInstanceArn"]
    for kind, migration in (("full-load", "full-load"), ("cdc", "cdc")):
        pending = ctx.track_pending("dms:replication-task", _task_id(ctx, kind))
        arn = dms.create_replication_task(
            ReplicationTaskIdentifier=_task_id(ctx, kind),
            SourceEndpointArn=_endpoint(ctx, "source")["EndpointArn"],
            TargetEndpointArn=_endpoint(ctx, "target")["EndpointArn"],
            ReplicationInstanceArn=instance,
            MigrationType=migration,
            TableMappings=json.dumps(TABLE_MAPPINGS),
            ReplicationTaskSettings=json.dumps({"Logging": {"EnableLogging": False}}),
            Tags=ctx.tag_list(),
        )["ReplicationTask"]["ReplicationTaskArn"]
        ctx.resolve(pending, arn)
    if ctx.on_aws:
        dms.get_waiter("replication_task_ready").wait(
            Filters=[{"Name": "replication-task-id", "Values": [_task_id(ctx, "full-load"), _task_id(ctx, "cdc")]}],
            WaiterConfig={"Delay": 15, "MaxAttempts": 40},
        )


def check_create_tasks(ctx):
    full, cdc = _task(ctx, "full-load"), _task(ctx, "cdc")
    yield equal("a full-load task and a CDC task exist",
                ((full or {}).get("MigrationType"), (cdc or {}).get("MigrationType")), ("full-load", "cdc"))
    rules = json.loads((full or {}).get("TableMappings", "{}")).get("rules", [])
    yield equal("3 selection and 3 transformation rules",
                sorted(r["rule-type"] for r in rules), ["selection"] * 3 + ["transformation"] * 3)
    yield from _task_references(ctx, {"full-load": full, "cdc": cdc})


def _task_references(ctx, tasks):
    """Each task names this lab's instance and endpoints by ARNs that exist (AWS refuses a task
    whose ARNs name nothing; moto stores any string, so the check looks each one up)."""
    dms = ctx.client("dms")
    instances = dms.describe_replication_instances(
        Filters=[{"Name": "replication-instance-id", "Values": [_instance_id(ctx)]}])["ReplicationInstances"]
    wanted = {"SourceEndpointArn": ((_endpoint(ctx, "source") or {}).get("EndpointArn"), _endpoint_id(ctx, "source")),
              "TargetEndpointArn": ((_endpoint(ctx, "target") or {}).get("EndpointArn"), _endpoint_id(ctx, "target")),
              "ReplicationInstanceArn": (instances[0]["ReplicationInstanceArn"] if instances else None,
                                         _instance_id(ctx))}
    problems = []
    for kind, task in tasks.items():
        if not task:
            problems.append(f"there is no {kind} task {_task_id(ctx, kind)}")
            continue
        for field, (arn, name) in wanted.items():
            if task.get(field) != arn:
                problems.append(f"the {kind} task's {field} {task.get(field)!r} is not the ARN of {name}"
                                + ("" if arn else f" ({name} does not exist: create it first)"))
    yield expect("both tasks name this lab's replication instance and endpoints by ARNs that exist",
                 not problems, "; ".join(problems) + ("; look the ARNs up (describe-endpoints, "
                 "describe-replication-instances) and create the tasks again" if problems else "") or "the ARNs resolve")


_STARTED = ("starting", "running", "stopping", "stopped", "failed")


def apply_start_tasks(ctx):
    if ctx.on_aws:
        raise ctx.skip(_NO_SOURCE)
    dms = ctx.client("dms")
    for kind in ("full-load", "cdc"):
        dms.start_replication_task(ReplicationTaskArn=_task(ctx, kind)["ReplicationTaskArn"],
                                   StartReplicationTaskType="start-replication")


def check_start_tasks(ctx):
    if ctx.on_aws:
        yield _needs_source(ctx, "both tasks were started")
        return
    statuses = {k: (_task(ctx, k) or {}).get("Status") for k in ("full-load", "cdc")}
    yield expect("both tasks were started", all(s in _STARTED for s in statuses.values()),
                 ", ".join(f"{k}: {s}" for k, s in statuses.items()))


def apply_run_full_load(ctx):
    if ctx.on_aws:
        raise ctx.skip(_NO_SOURCE)
    if ctx.state.get("full_load") and any("/LOAD" in k for k in _keys(ctx, "dms/")):
        return  # practice runs this at every check: the load happened once already
    task = _task(ctx, "full-load")
    ctx.state["full_load"] = local_dms.full_load(ctx, task["ReplicationTaskArn"], _source(ctx)).to_dict()
    if _task(ctx, "full-load")["Status"] == "running":
        # A full-load-only task stops by itself when the load completes ("Load complete"):
        # moto keeps it running, so the runner stops it as DMS would.
        ctx.client("dms").stop_replication_task(ReplicationTaskArn=task["ReplicationTaskArn"])


def check_run_full_load(ctx):
    if ctx.on_aws:
        yield _needs_source(ctx, "the full load wrote LOAD files")
        return
    keys = [k for k in _keys(ctx, "dms/") if "/LOAD" in k]  # (CDC files land beside them later)
    yield equal("one LOAD00000001.csv per selected table, under the renamed schema", keys,
                ["dms/retail/customers/LOAD00000001.csv", "dms/retail/orders/LOAD00000001.csv"], "local")
    if "dms/retail/customers/LOAD00000001.csv" not in keys:
        return
    customers = _csv_rows(ctx, "dms/retail/customers/LOAD00000001.csv")
    yield equal("the email column was removed", customers[0], ["id", "name", "country"], "local")
    orders = _csv_rows(ctx, "dms/retail/orders/LOAD00000001.csv")
    yield equal("cancelled orders were filtered out; amount_cents was added", orders,
                [["id", "customer_id", "amount", "status", "amount_cents"],
                 ["101", "1", "19.99", "shipped", "1999"],
                 ["103", "3", "12.5", "shipped", "1250"],
                 ["104", "1", "7.25", "pending", "725"]], "local")
    yield expect("the full-load task stopped when the load completed",
                 (_task(ctx, "full-load") or {}).get("Status") in ("stopping", "stopped"),
                 str((_task(ctx, "full-load") or {}).get("Status")), "local")


def apply_run_cdc(ctx):
    if ctx.on_aws:
        raise ctx.skip(_NO_SOURCE)
    if ctx.state.get("cdc"):
        return  # practice runs this at every check: the changes were captured once already
    arn = _task(ctx, "cdc")["ReplicationTaskArn"]
    local_dms.start_cdc(ctx, arn, _source(ctx))  # the CDC start position: now
    with sqlite3.connect(_db_path(ctx)) as con:  # the application keeps writing
        con.execute("INSERT INTO orders VALUES (105, 2, 42.00, 'pending')")
        con.execute("UPDATE orders SET status = 'shipped' WHERE id = 104")
        con.execute("DELETE FROM orders WHERE id = 103")
        con.execute("INSERT INTO audit_log (message) VALUES ('three changes')")  # excluded table
    con.close()
    ctx.state["cdc"] = local_dms.apply_cdc(ctx, arn, _source(ctx)).to_dict()


def check_run_cdc(ctx):
    if ctx.on_aws:
        yield _needs_source(ctx, "CDC files carry I/U/D")
        return
    cdc = [k for k in _keys(ctx, "dms/") if "/LOAD" not in k]
    yield equal("one timestamp-named CDC file, for orders only", [k.rsplit("/", 1)[0] for k in cdc],
                ["dms/retail/orders"], "local")
    if not cdc:
        return
    rows = _csv_rows(ctx, cdc[0])
    yield equal("the first column is the operation, in commit order", [r[0] for r in rows[1:]], ["I", "U", "D"], "local")
    yield equal("an update carries the after-image", rows[2], ["U", "104", "1", "7.25", "shipped", "725"], "local")


def apply_stop_tasks(ctx):
    dms = ctx.client("dms")
    for kind in ("full-load", "cdc"):
        task = _task(ctx, kind)
        if task and task["Status"] == "running":
            dms.stop_replication_task(ReplicationTaskArn=task["ReplicationTaskArn"])


def check_stop_tasks(ctx):
    statuses = [(_task(ctx, k) or {}).get("Status") for k in ("full-load", "cdc")]
    # On AWS the tasks were never started (no source database): "ready" is as good as stopped.
    ok = all(s in ("stopped", "stopping") + (("ready",) if ctx.on_aws else ()) for s in statuses)
    yield expect("both tasks are stopped", ok, ", ".join(str(s) for s in statuses))
