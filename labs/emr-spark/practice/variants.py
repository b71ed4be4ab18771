"""emr-spark: other valid ways (must pass) and near misses (must fail saying what to fix)."""
from awslabs.practice import accept, reject, tweak


def _steps():
    from awslabs.catalog import Catalog

    return Catalog().get("emr-spark").load_steps()


def _launch(change, apply="apply_create_cluster"):
    return lambda ctx: tweak(ctx, "emr", "RunJobFlow", change, getattr(_steps(), apply))


def _group(role, **values):
    def change(params):
        for group in params["Instances"]["InstanceGroups"]:
            if group["InstanceRole"] == role:
                group.update(values)
    return change


def _task_group_later(ctx):
    """Master and core at launch, the Spot task group added afterwards with AddInstanceGroups."""
    def change(params):
        params["Instances"]["InstanceGroups"] = [g for g in params["Instances"]["InstanceGroups"]
                                                 if g["InstanceRole"] != "TASK"]
    _launch(change)(ctx)
    emr = ctx.client("emr")
    cluster = _steps()._cluster(ctx, "long", live=True)
    emr.add_instance_groups(JobFlowId=cluster["Id"], InstanceGroups=[
        {"Name": "task-spot", "InstanceRole": "TASK", "Market": "SPOT", "InstanceType": "m5.xlarge", "InstanceCount": 1}])


def _keep_alive(value):
    def change(params):
        if value is None:
            params["Instances"].pop("KeepJobFlowAliveWhenNoSteps", None)
        else:
            params["Instances"]["KeepJobFlowAliveWhenNoSteps"] = value
    return change


def _add_step(change):
    return lambda ctx: tweak(ctx, "emr", "AddJobFlowSteps", lambda p: change(p["Steps"][0]), _steps().apply_add_spark_step)


def _cli_spark_type(step):
    """What `aws emr add-steps --steps Type=Spark,...` sends: command-runner.jar, spark-submit
    --deploy-mode cluster, then the script and its arguments (here with ActionOnFailure left at the
    CLI's default CONTINUE)."""
    step["HadoopJarStep"]["Args"] = ["spark-submit", "--deploy-mode", "cluster", *step["HadoopJarStep"]["Args"][3:]]


def _client_mode(step):
    args = step["HadoopJarStep"]["Args"]
    args[args.index("cluster")] = "client"


def _local_script(step):
    """The script given as a path on the master node, never copied there."""
    args = step["HadoopJarStep"]["Args"]
    args[3] = "/home/hadoop/sales_by_country.py"


def _script_runner(step):
    step["HadoopJarStep"]["Jar"] = "s3://us-east-1.elasticmapreduce/libs/script-runner/script-runner.jar"


def _terminate_one_by_one(ctx):
    """Two TerminateJobFlows calls, one per cluster (the CLI's terminate-clusters takes a list too)."""
    steps, emr = _steps(), ctx.client("emr")
    for kind in ("long", "transient"):
        emr.terminate_job_flows(JobFlowIds=[steps._cluster(ctx, kind, live=True)["Id"]])


def _terminate_long_only(ctx):
    """Only the long-running cluster terminated: the transient one is expected to end itself (it
    does on AWS once its step ends, but here its step never finishes)."""
    steps = _steps()
    ctx.client("emr").terminate_job_flows(JobFlowIds=[steps._cluster(ctx, "long", live=True)["Id"]])


def _protected(ctx):
    """Termination protection switched on for the long cluster, then TerminateJobFlows: refused
    for that cluster, only the transient one goes."""
    steps, emr = _steps(), ctx.client("emr")
    long_id = steps._cluster(ctx, "long", live=True)["Id"]
    emr.set_termination_protection(JobFlowIds=[long_id], TerminationProtected=True)
    try:
        steps.apply_terminate_clusters(ctx)
    except emr.exceptions.ClientError:  # refused for the protected one; the other may be gone already
        transient = steps._cluster(ctx, "transient", live=True)
        if transient:
            emr.terminate_job_flows(JobFlowIds=[transient["Id"]])


VARIANTS = [
    accept("create_cluster", "the Spot task group added after launch with AddInstanceGroups", _task_group_later),
    accept("create_cluster", "the Spot task group with a maximum price (BidPrice)", _launch(_group("TASK", BidPrice="0.10"))),
    reject("create_cluster", "core nodes on Spot too", _launch(_group("CORE", Market="SPOT")), fix="core On-Demand"),
    reject("create_cluster", "every node On-Demand (no Spot task group)", _launch(_group("TASK", Market="ON_DEMAND")),
           fix="task nodes Spot"),
    reject("create_cluster", "Hive forgotten", _launch(lambda p: p.update(Applications=[{"Name": "Spark"}])),
           fix="Spark and Hive"),
    reject("create_cluster", "KeepJobFlowAliveWhenNoSteps left out (it defaults to false: the cluster ends)",
           _launch(_keep_alive(None)), fix="does not end with its steps"),
    accept("add_spark_step", "the step as the CLI's Type=Spark makes it", _add_step(_cli_spark_type)),
    accept("add_spark_step", "spark-submit in client deploy mode", _add_step(_client_mode)),
    reject("add_spark_step", "the script as a local path on the master node", _add_step(_local_script), fix="script in S3"),
    reject("add_spark_step", "script-runner.jar instead of command-runner.jar", _add_step(_script_runner),
           fix="command-runner.jar"),
    reject("add_spark_step", "a step named sales_by_country (underscores)",
           _add_step(lambda s: s.update(Name="sales_by_country")), fix="step is queued"),
    accept("transient_cluster", "KeepJobFlowAliveWhenNoSteps left out (the API's default, false)",
           _launch(_keep_alive(None), "apply_transient_cluster")),
    reject("transient_cluster", "kept alive when its steps are done (copied from the long-running one)",
           _launch(_keep_alive(True), "apply_transient_cluster"), fix="ends when its steps are done"),
    reject("transient_cluster", "launched without its step", _launch(lambda p: p.update(Steps=[]), "apply_transient_cluster"),
           fix="launched with its step"),
    accept("terminate_clusters", "one TerminateJobFlows call per cluster", _terminate_one_by_one),
    reject("terminate_clusters", "only the long-running cluster terminated", _terminate_long_only, fix="both clusters"),
    reject("terminate_clusters", "termination protection left on for the long-running cluster", _protected,
           fix="both clusters"),
]
