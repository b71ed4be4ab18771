"""emr-spark: an EMR cluster with Spark and Hive, On-Demand master/core and Spot task nodes, a
PySpark step, a transient cluster next to a long-running one, and termination.

moto models the cluster (its instance groups even appear as EC2 instances) but never runs a step:
the first stays RUNNING and the rest PENDING forever, so nothing here waits on a step off AWS.
The step's script (``job/sales_by_country.py``) runs locally in Spark local mode through
``awslabs.local.jobs.run_spark_script`` when PySpark and Java are installed, and writes its
Parquet into the emulated S3; otherwise that step is skipped with a one-line reason."""
from __future__ import annotations

import csv
import io
import time
from collections import defaultdict
from pathlib import Path

from awslabs.lab import Check, equal, expect
from awslabs.local import jobs

SCRIPT = Path(__file__).parent / "job" / "sales_by_country.py"
RELEASE = "emr-7.1.0"
INSTANCE_TYPE = "m5.xlarge"  # the smallest general-purpose size EMR offers for all three roles
SALES = [  # (order_id, country, amount)
    (1, "DE", 19.99), (2, "FR", 5.0), (3, "US", 12.5), (4, "DE", 7.25),
    (5, "US", 30.0), (6, "FR", 1.75), (7, "DE", 4.0), (8, "US", 9.5),
]


def _bucket(ctx):
    return ctx.name("emr")


def _cluster_name(ctx, kind):
    return ctx.name(kind, max_len=256)


GONE = ("TERMINATING", "TERMINATED", "TERMINATED_WITH_ERRORS")


def _cluster(ctx, kind, live=False):
    """The newest cluster named ``kind`` (long / transient) launched since this attempt began
    (``stage_data`` notes the time: EMR keeps terminated clusters listed for two months, so an
    earlier attempt's clusters must not count), or None. ``live``: not terminating/terminated."""
    emr = ctx.client("emr")
    since = ctx.state.get("started_at", 0) - (1 if ctx.on_aws else 0.01)  # creation times are ms-truncated
    found = []
    for page in emr.get_paginator("list_clusters").paginate():
        for cluster in page.get("Clusters", []):
            created = cluster["Status"].get("Timeline", {}).get("CreationDateTime")
            when = created.timestamp() if created else 0
            if cluster["Name"] != _cluster_name(ctx, kind) or when < since:
                continue
            if live and cluster["Status"]["State"] in GONE:
                continue
            found.append((when, cluster["Id"]))
    if not found:
        return None
    return emr.describe_cluster(ClusterId=max(found)[1])["Cluster"]


def _spark_step(ctx):
    bucket = _bucket(ctx)
    return {
        "Name": "sales-by-country",
        "ActionOnFailure": "CONTINUE",  # a failed step leaves the cluster up for a look
        "HadoopJarStep": {
            "Jar": "command-runner.jar",
            "Args": ["spark-submit", "--deploy-mode", "cluster", f"s3://{bucket}/scripts/sales_by_country.py",
                     "--input", f"s3://{bucket}/raw/sales/", "--output", f"s3://{bucket}/output/sales_by_country/"],
        },
    }


def _instances(keep_alive: bool) -> dict:
    return {
        "InstanceGroups": [
            {"Name": "master", "InstanceRole": "MASTER", "Market": "ON_DEMAND", "InstanceType": INSTANCE_TYPE,
             "InstanceCount": 1},
            # Core nodes hold HDFS blocks: keep them On-Demand so a Spot reclaim loses no data.
            {"Name": "core", "InstanceRole": "CORE", "Market": "ON_DEMAND", "InstanceType": INSTANCE_TYPE,
             "InstanceCount": 1},
            # Task nodes only compute: Spot is cheap and losing one only re-runs its tasks.
            {"Name": "task-spot", "InstanceRole": "TASK", "Market": "SPOT", "InstanceType": INSTANCE_TYPE,
             "InstanceCount": 1},
        ],
        "KeepJobFlowAliveWhenNoSteps": keep_alive,
        "TerminationProtected": False,
    }


def _launch(ctx, kind: str, keep_alive: bool, steps: list | None = None) -> str:
    emr = ctx.client("emr")
    # Tracked by name (the deleter terminates every live cluster of that name), so the ledger,
    # `awslabs reset` and the practice objectives show the name, not a random j- id.
    ctx.track("emr:cluster", _cluster_name(ctx, kind))
    return emr.run_job_flow(
        Name=_cluster_name(ctx, kind),
        ReleaseLabel=RELEASE,
        Applications=[{"Name": "Spark"}, {"Name": "Hive"}],
        Instances=_instances(keep_alive),
        Steps=steps or [],
        # Default roles: `aws emr create-default-roles` creates them once per account.
        JobFlowRole="EMR_EC2_DefaultRole",
        ServiceRole="EMR_DefaultRole",
        LogUri=f"s3://{_bucket(ctx)}/emr-logs/",
        VisibleToAllUsers=True,
        AutoTerminationPolicy={"IdleTimeout": 900},  # safety net: 15 idle minutes and it is gone
        Tags=ctx.tag_list(),
    )["JobFlowId"]


def _expected() -> list[tuple[str, int, float]]:
    orders, revenue = defaultdict(int), defaultdict(float)
    for _, country, amount in SALES:
        orders[country] += 1
        revenue[country] += amount
    return [(c, orders[c], round(revenue[c], 2)) for c in sorted(orders)]


# -- steps ------------------------------------------------------------------------------------------
def apply_stage_data(ctx):
    ctx.state["started_at"] = time.time()  # clusters launched before this are an earlier attempt's
    s3 = ctx.client("s3")
    ctx.create_bucket(_bucket(ctx))
    for part in (0, 1):
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["order_id", "country", "amount"])
        writer.writerows(SALES[part * 4 : part * 4 + 4])
        s3.put_object(Bucket=_bucket(ctx), Key=f"raw/sales/part-{part}.csv", Body=out.getvalue().encode())
    s3.upload_file(str(SCRIPT), _bucket(ctx), "scripts/sales_by_country.py")


def check_stage_data(ctx):
    s3 = ctx.client("s3")
    if _bucket(ctx) not in [b["Name"] for b in s3.list_buckets()["Buckets"]]:
        yield expect("the bucket exists", False, _bucket(ctx))
        return
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=_bucket(ctx)).get("Contents", [])
            if o["Key"].startswith(("raw/", "scripts/"))]
    yield equal("raw data and the script are staged", sorted(keys),
                ["raw/sales/part-0.csv", "raw/sales/part-1.csv", "scripts/sales_by_country.py"])


def apply_create_cluster(ctx):
    _launch(ctx, "long", keep_alive=True)


def check_create_cluster(ctx):
    cluster = _cluster(ctx, "long")
    if cluster is None:
        yield expect("the cluster is up", False, _cluster_name(ctx, "long"))
        return
    yield equal("Spark and Hive are installed", sorted(a["Name"] for a in cluster["Applications"]), ["Hive", "Spark"])
    groups = ctx.client("emr").list_instance_groups(ClusterId=cluster["Id"])["InstanceGroups"]
    yield equal("master and core On-Demand, task nodes Spot",
                sorted((g["InstanceGroupType"], g["Market"]) for g in groups),
                [("CORE", "ON_DEMAND"), ("MASTER", "ON_DEMAND"), ("TASK", "SPOT")])
    yield equal("a long-running cluster does not end with its steps", cluster.get("AutoTerminate"), False)


def apply_add_spark_step(ctx):
    cluster = _cluster(ctx, "long", live=True)
    ctx.client("emr").add_job_flow_steps(JobFlowId=cluster["Id"], Steps=[_spark_step(ctx)])


def check_add_spark_step(ctx):
    cluster = _cluster(ctx, "long")
    steps = [s for s in (ctx.client("emr").list_steps(ClusterId=cluster["Id"])["Steps"] if cluster else [])
             if s["Name"] == "sales-by-country"]
    # Submitting it again queues a second copy: that is fine, one is what counts.
    yield expect("the step is queued on the cluster", bool(steps), ", ".join(s["Name"] for s in steps))
    args = steps[-1]["Config"]["Args"] if steps else []
    jar = steps[-1]["Config"].get("Jar", "") if steps else ""
    # command-runner.jar runs its first argument as a command (the CLI's Type=Spark makes the same
    # step); script-runner.jar would look for a script named "spark-submit".
    yield expect("it runs spark-submit through command-runner.jar on the script in S3",
                 jar.rsplit("/", 1)[-1] == "command-runner.jar" and args[:1] == ["spark-submit"]
                 and f"s3://{_bucket(ctx)}/scripts/sales_by_country.py" in args, f"{jar} {' '.join(args)}")


def _step_paths(ctx) -> tuple[str, str]:
    """--input and --output of the Spark step submitted to the long-running cluster (the lab's
    own paths when the step does not name them)."""
    bucket = _bucket(ctx)
    paths = {"--input": f"s3://{bucket}/raw/sales/", "--output": f"s3://{bucket}/output/sales_by_country/"}
    cluster = _cluster(ctx, "long")
    steps = ctx.client("emr").list_steps(ClusterId=cluster["Id"])["Steps"] if cluster else []
    args = next((s["Config"]["Args"] for s in steps if s["Name"] == "sales-by-country"), [])
    for flag in paths:
        if flag in args[:-1]:
            paths[flag] = args[args.index(flag) + 1]
    return paths["--input"], paths["--output"]


def apply_run_spark_step(ctx):
    if ctx.on_aws:
        cluster = _cluster(ctx, "long")
        emr = ctx.client("emr")
        step_id = [s for s in emr.list_steps(ClusterId=cluster["Id"])["Steps"] if s["Name"] == "sales-by-country"][-1]["Id"]
        # Provisioning + the step: 10-15 minutes. Bounded by the waiter (30 minutes).
        emr.get_waiter("step_complete").wait(ClusterId=cluster["Id"], StepId=step_id,
                                             WaiterConfig={"Delay": 30, "MaxAttempts": 60})
        return
    reason = jobs.spark_unavailable()
    if reason:
        raise ctx.skip(reason)
    if ctx.state.get("spark_ran"):
        return  # practice runs this at every check: the job ran once already
    source, output = _step_paths(ctx)
    result = jobs.run_spark_script(ctx, SCRIPT, inputs={"--input": source}, outputs={"--output": output})
    if not result.ok:
        from awslabs.lab import StepFailed

        raise StepFailed(result.summary())
    ctx.state["spark_ran"] = True


def check_run_spark_step(ctx):
    by = "emulated" if ctx.on_aws else "local"
    if not ctx.on_aws and jobs.spark_unavailable():
        yield Check("the Spark job wrote its Parquet", False, jobs.spark_unavailable(), "local", skipped=True)
        return
    s3 = ctx.client("s3")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=_bucket(ctx), Prefix="output/sales_by_country/").get("Contents", [])]
    parts = [k for k in keys if k.endswith(".parquet")]
    yield expect("Spark wrote Parquet and a _SUCCESS marker", parts and any(k.endswith("_SUCCESS") for k in keys),
                 ", ".join(keys), by)
    if not parts:
        return
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.concat_tables([pq.read_table(io.BytesIO(s3.get_object(Bucket=_bucket(ctx), Key=k)["Body"].read()))
                              for k in parts])
    rows = sorted((r["country"], r["orders"], r["revenue"]) for r in table.to_pylist())
    yield equal("orders and revenue per country match the known answer", rows, _expected(), by)


def apply_transient_cluster(ctx):
    _launch(ctx, "transient", keep_alive=False, steps=[_spark_step(ctx)])


def check_transient_cluster(ctx):
    cluster = _cluster(ctx, "transient")
    yield equal("a transient cluster ends when its steps are done", (cluster or {}).get("AutoTerminate"), True)
    steps = ctx.client("emr").list_steps(ClusterId=cluster["Id"])["Steps"] if cluster else []
    yield equal("it was launched with its step", [s["Name"] for s in steps], ["sales-by-country"])
    yield ctx.aws_only("the transient cluster terminates itself after the step",
                       "moto never finishes EMR steps, so its transient clusters never end")


def apply_terminate_clusters(ctx):
    emr = ctx.client("emr")
    ids = [c["Id"] for c in (_cluster(ctx, "long", live=True), _cluster(ctx, "transient", live=True)) if c]
    if ids:
        emr.terminate_job_flows(JobFlowIds=ids)


def check_terminate_clusters(ctx):
    clusters = [_cluster(ctx, kind) for kind in ("long", "transient")]
    states = [c["Status"]["State"] if c else "not launched" for c in clusters]
    yield expect("both clusters are terminating or terminated", all(s in GONE for s in states),
                 ", ".join(f"{k}: {s}" for k, s in zip(("long", "transient"), states)))
