"""step-functions-pipeline: a state machine orchestrates the batch ML pipeline — start the crawler,
start the ETL job, prepare features in parallel (a Map over feature sets, and a validation branch
that fails, is retried, then caught), request training on a queue, notify on another.

Executions really run on moto (``execute_state_machine``). The definition stays valid on real AWS
while avoiding moto's limits: only request-response integrations (no ``.sync``), an ``aws-sdk:``
call whose result has no timestamps (``glue:startCrawler`` returns ``{}``), named executions, and
one-second retry intervals (Wait/Retry take real seconds)."""
from __future__ import annotations

import json
import time

from awslabs import labkit
from awslabs.lab import equal, expect

FEATURE_SETS = ["clicks", "orders", "profiles"]
CRAWLER_RUNNING = ["Glue.CrawlerRunningException", "glue.CrawlerRunningException"]


def _bucket(ctx):
    return ctx.name("pipeline")


def _crawler(ctx):
    return ctx.name("raw-crawler", max_len=255)


def _job(ctx):
    return ctx.name("etl", max_len=255)


def _missing_job(ctx):
    return ctx.name("schema-validator", max_len=255)  # never created: the failing branch


def _glue_role(ctx):
    return ctx.name("glue", max_len=64)


def _sfn_role(ctx):
    return ctx.name("sfn", max_len=64)


def _queue(ctx, kind):
    return ctx.name(kind, max_len=80)


def _machine(ctx):
    return ctx.name("batch-ml", max_len=80)


def _execution(ctx, mode):
    return f"{mode}-{ctx.run_id}"


def _machine_arn(ctx):
    return f"arn:aws:states:{ctx.region}:{ctx.account}:stateMachine:{_machine(ctx)}"


def _queue_url(ctx, kind):
    sqs = ctx.client("sqs")
    try:
        return sqs.get_queue_url(QueueName=_queue(ctx, kind))["QueueUrl"]
    except sqs.exceptions.QueueDoesNotExist:
        return None


def definition(ctx) -> dict:
    """The pipeline in Amazon States Language."""
    return {
        "Comment": "Batch ML pipeline: crawl -> ETL -> features -> training request -> notify",
        "StartAt": "StartCrawl",
        "States": {
            "StartCrawl": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:glue:startCrawler",
                "Parameters": {"Name": _crawler(ctx)},
                "ResultPath": None,  # keep the input; the crawler runs on its own
                # A crawl still running from the last execution is fine: retry once, then go on.
                # (AWS names the error "Glue.…"; moto's aws-sdk integration "glue.…": list both.)
                "Retry": [{"ErrorEquals": CRAWLER_RUNNING, "IntervalSeconds": 1, "MaxAttempts": 1,
                           "BackoffRate": 2.0}],
                "Catch": [{"ErrorEquals": CRAWLER_RUNNING, "ResultPath": "$.crawl", "Next": "StartEtl"}],
                "Next": "StartEtl",
            },
            "StartEtl": {
                "Type": "Task",
                "Resource": "arn:aws:states:::glue:startJobRun",  # request-response: returns JobRunId
                "Parameters": {"JobName": _job(ctx), "Arguments": {"--run_date.$": "$.run_date"}},
                "ResultSelector": {"JobRunId.$": "$.JobRunId"},
                "ResultPath": "$.etl",
                "Next": "ChooseMode",
            },
            "ChooseMode": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.mode", "StringEquals": "full", "Next": "PrepareFeatures"}],
                "Default": "SkipTraining",
            },
            "SkipTraining": {"Type": "Pass", "Result": {"requested": False}, "ResultPath": "$.training",
                             "Next": "Notify"},
            "PrepareFeatures": {
                "Type": "Parallel",
                "ResultPath": "$.features",
                "Branches": [
                    {
                        "StartAt": "BuildFeatureSets",
                        "States": {
                            "BuildFeatureSets": {
                                "Type": "Map",
                                "ItemsPath": "$.feature_sets",
                                "MaxConcurrency": 2,
                                "Iterator": {
                                    "StartAt": "Describe",
                                    "States": {"Describe": {
                                        "Type": "Pass",
                                        "Parameters": {"name.$": "$",
                                                       "path.$": f"States.Format('s3://{_bucket(ctx)}/features/{{}}/', $)"},
                                        "End": True}},
                                },
                                "End": True,
                            }
                        },
                    },
                    {
                        "StartAt": "ValidateSchema",
                        "States": {
                            "ValidateSchema": {
                                "Type": "Task",
                                "Resource": "arn:aws:states:::glue:startJobRun",
                                "Parameters": {"JobName": _missing_job(ctx)},
                                "Retry": [{"ErrorEquals": ["Glue.EntityNotFoundException"], "IntervalSeconds": 1,
                                           "MaxAttempts": 1, "BackoffRate": 1.0}],
                                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error",
                                           "Next": "ValidationSkipped"}],
                                "End": True,
                            },
                            "ValidationSkipped": {
                                "Type": "Pass",
                                "Parameters": {"validated": False, "error.$": "$.error.Error"},
                                "End": True,
                            },
                        },
                    },
                ],
                "Next": "RequestTraining",
            },
            "RequestTraining": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage",
                "Parameters": {
                    "QueueUrl": f"https://sqs.{ctx.region}.amazonaws.com/{ctx.account}/{_queue(ctx, 'training')}",
                    "MessageBody": {"etl_run.$": "$.etl.JobRunId", "features.$": "$.features[0]",
                                    "validation.$": "$.features[1]"},
                },
                "ResultSelector": {"MessageId.$": "$.MessageId"},
                "ResultPath": "$.training",
                "Next": "Notify",
            },
            "Notify": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage",
                "Parameters": {
                    "QueueUrl": f"https://sqs.{ctx.region}.amazonaws.com/{ctx.account}/{_queue(ctx, 'notify')}",
                    "MessageBody": {"status": "done", "mode.$": "$.mode", "etl_run.$": "$.etl.JobRunId"},
                },
                "ResultPath": None,
                "End": True,
            },
        },
    }


def _run(ctx, mode: str, payload: dict) -> dict:
    sfn = ctx.client("stepfunctions")
    arn = sfn.start_execution(
        stateMachineArn=_machine_arn(ctx), name=_execution(ctx, mode), input=json.dumps({"mode": mode, **payload})
    )["executionArn"]
    # Bounded poll: two one-second retries make this take ~2 s on moto; minutes at most on AWS.
    deadline = time.monotonic() + (600 if ctx.on_aws else 60)
    while True:
        execution = sfn.describe_execution(executionArn=arn)
        if execution["status"] != "RUNNING" or time.monotonic() > deadline:
            return execution
        time.sleep(2 if ctx.on_aws else 0.2)


def _describe(ctx, mode):
    sfn = ctx.client("stepfunctions")
    arn = f"arn:aws:states:{ctx.region}:{ctx.account}:execution:{_machine(ctx)}:{_execution(ctx, mode)}"
    try:
        return sfn.describe_execution(executionArn=arn)
    except (sfn.exceptions.ExecutionDoesNotExist, sfn.exceptions.StateMachineDoesNotExist):
        return {}


def _no_execution(ctx, mode):
    """The failed check for an execution not started yet, naming what to start."""
    return expect(f"an execution named {_execution(ctx, mode)} of {_machine(ctx)}", False,
                  f"no execution {_execution(ctx, mode)}: start one with that name (its input's \"mode\" is \"{mode}\")")


def _history(ctx, mode):
    sfn = ctx.client("stepfunctions")
    arn = f"arn:aws:states:{ctx.region}:{ctx.account}:execution:{_machine(ctx)}:{_execution(ctx, mode)}"
    events = []
    try:
        for page in sfn.get_paginator("get_execution_history").paginate(executionArn=arn):
            events += page["events"]
    except (sfn.exceptions.ExecutionDoesNotExist, sfn.exceptions.StateMachineDoesNotExist):
        return []
    return events


def _counts(events) -> dict[str, int]:
    counts: dict[str, int] = {}
    for event in events:
        counts[event["type"]] = counts.get(event["type"], 0) + 1
    return counts


def _sent(ctx, mode) -> dict[str, list[dict]]:
    """The SQS messages an execution sent, per queue kind, read from its history: the parameters
    of every sendMessage task that succeeded."""
    sent: dict[str, list[dict]] = {"training": [], "notify": []}
    scheduled = None
    for event in _history(ctx, mode):
        details = event.get("taskScheduledEventDetails")
        if details and details.get("resource") == "sendMessage":
            scheduled = json.loads(details.get("parameters") or "{}")
        elif event["type"] == "TaskSucceeded" and scheduled is not None:
            queue = scheduled.get("QueueUrl", "").rsplit("/", 1)[-1]
            body = scheduled.get("MessageBody")
            body = json.loads(body) if isinstance(body, str) else body
            for kind in sent:
                if queue == _queue(ctx, kind):
                    sent[kind].append(body or {})
            scheduled = None
    return sent



# -- steps ------------------------------------------------------------------------------------------
def apply_prepare_targets(ctx):
    s3, glue, sqs = (ctx.client(s) for s in ("s3", "glue", "sqs"))
    ctx.create_bucket(_bucket(ctx))
    s3.put_object(Bucket=_bucket(ctx), Key="scripts/etl.py", Body=b"import sys\nprint('etl', sys.argv[1:])\n")
    role = labkit.create_service_role(ctx, _glue_role(ctx), "glue.amazonaws.com", {"lake": [
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
         "Resource": [f"arn:aws:s3:::{_bucket(ctx)}", f"arn:aws:s3:::{_bucket(ctx)}/*"]},
        {"Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": "arn:aws:logs:*:*:log-group:/aws-glue/*"}]}, wait=False)
    ctx.track("glue:crawler", _crawler(ctx))
    glue.create_crawler(Name=_crawler(ctx), Role=role, DatabaseName="default",
                        Targets={"S3Targets": [{"Path": f"s3://{_bucket(ctx)}/raw/"}]}, Tags=ctx.tags)
    ctx.track("glue:job", _job(ctx))
    # Two executions (full, light) each start this job and move on (request-response, no .sync):
    # the first run may still be going when the second starts — on AWS a run lasts a minute, and
    # on the emulator runs advance only when read — so with Glue's default of one concurrent run
    # the second start fails with ConcurrentRunsExceededException. Allow both.
    glue.create_job(Name=_job(ctx), Role=role, MaxCapacity=0.0625, Timeout=5,
                    ExecutionProperty={"MaxConcurrentRuns": 2},
                    Command={"Name": "pythonshell", "PythonVersion": "3.9",
                             "ScriptLocation": f"s3://{_bucket(ctx)}/scripts/etl.py"}, Tags=ctx.tags)
    for kind in ("training", "notify"):
        ctx.track("sqs:queue", _queue(ctx, kind))
        sqs.create_queue(QueueName=_queue(ctx, kind), tags=ctx.tags)


def check_prepare_targets(ctx):
    yield expect("the training-request and notification queues exist",
                 _queue_url(ctx, "training") and _queue_url(ctx, "notify"), "")
    jobs = ctx.client("glue").get_jobs()["Jobs"]
    yield expect("the ETL job exists", any(j["Name"] == _job(ctx) for j in jobs), _job(ctx))


def apply_create_state_machine(ctx):
    account, region = ctx.account, ctx.region
    role = labkit.create_service_role(ctx, _sfn_role(ctx), "states.amazonaws.com", {"pipeline": [
        {"Effect": "Allow", "Action": ["glue:StartCrawler", "glue:StartJobRun"],
         "Resource": f"arn:aws:glue:{region}:{account}:*"},
        {"Effect": "Allow", "Action": "sqs:SendMessage",
         "Resource": [f"arn:aws:sqs:{region}:{account}:{_queue(ctx, k)}" for k in ("training", "notify")]}]})
    ctx.track("states:state-machine", _machine_arn(ctx))
    ctx.client("stepfunctions").create_state_machine(
        name=_machine(ctx),
        definition=json.dumps(definition(ctx)),
        roleArn=role,
        type="STANDARD",
        tags=ctx.tag_list(key="key", value="value"),
    )


def check_create_state_machine(ctx):
    sfn = ctx.client("stepfunctions")
    try:
        machine = sfn.describe_state_machine(stateMachineArn=_machine_arn(ctx))
    except sfn.exceptions.StateMachineDoesNotExist:
        yield expect("the state machine exists", False, _machine(ctx))
        return
    yield equal("the state machine is active", machine.get("status"), "ACTIVE")
    # EXPRESS workflows keep no execution history (describe/get_execution_history): STANDARD only.
    yield equal("it is a STANDARD workflow (an EXPRESS one keeps no execution history to read)",
                machine.get("type"), "STANDARD")
    states = json.loads(machine["definition"])["States"]
    # The states the pipeline needs; others (a Succeed at the end, a Wait) change nothing.
    used = sorted({s["Type"] for s in states.values()})
    missing = sorted({"Choice", "Parallel", "Pass", "Task"} - set(used))
    yield expect("it uses Choice, Parallel, Pass and Task states", not missing,
                 f"missing {missing} (uses {used})" if missing else f"uses {used}")


def apply_run_full_pipeline(ctx):
    _run(ctx, "full", {"run_date": "2024-03-01", "feature_sets": FEATURE_SETS})


def check_run_full_pipeline(ctx):
    execution = _describe(ctx, "full")
    if not execution:
        yield _no_execution(ctx, "full")
        return
    yield equal("the execution succeeded", execution.get("status"), "SUCCEEDED")
    output = json.loads(execution.get("output") or "{}")
    features = output.get("features") or [[], {}]
    yield equal("the Map built one entry per feature set", [f.get("path") for f in features[0]],
                [f"s3://{_bucket(ctx)}/features/{n}/" for n in FEATURE_SETS])
    yield equal("the failing validation was caught", features[1],
                {"validated": False, "error": "Glue.EntityNotFoundException"})


def apply_inspect_history(ctx):
    events = _history(ctx, "full")
    ctx.state["history"] = _counts(events)
    lines = [f"{e['id']:>3} {e['type']}" for e in events]
    (ctx.output_dir / "full-execution-history.txt").write_text("\n".join(lines) + "\n")


def check_inspect_history(ctx):
    counts = ctx.state.get("history", {})
    yield equal("the validation task failed twice: the first try and one retry", counts.get("TaskFailed"), 2)
    yield equal("three Map iterations succeeded", counts.get("MapIterationSucceeded"), len(FEATURE_SETS))
    yield equal("both Parallel branches finished", counts.get("ParallelStateSucceeded"), 1)
    yield equal("four tasks succeeded: crawler, ETL job, training request, notification", counts.get("TaskSucceeded"), 4)


def apply_run_light_pipeline(ctx):
    _run(ctx, "light", {"run_date": "2024-03-02", "feature_sets": []})


def check_run_light_pipeline(ctx):
    execution = _describe(ctx, "light")
    if not execution:
        yield _no_execution(ctx, "light")
        return
    yield equal("the light execution succeeded", execution.get("status"), "SUCCEEDED")
    output = json.loads(execution.get("output") or "{}")
    yield equal("the Choice took the default branch", output.get("training"), {"requested": False})
    entered = [e["stateEnteredEventDetails"]["name"] for e in _history(ctx, "light") if "stateEnteredEventDetails" in e]
    yield expect("no feature preparation ran", "PrepareFeatures" not in entered, ", ".join(entered))


def apply_read_notifications(ctx):
    sqs = ctx.client("sqs")
    received = {}
    for kind in ("training", "notify"):
        messages = []
        for _ in range(5):  # bounded: stop when the queue is drained
            batch = sqs.receive_message(QueueUrl=_queue_url(ctx, kind), MaxNumberOfMessages=10,
                                        WaitTimeSeconds=1 if ctx.on_aws else 0).get("Messages", [])
            if not batch:
                break
            messages += [json.loads(m["Body"]) for m in batch]
            sqs.delete_message_batch(QueueUrl=_queue_url(ctx, kind), Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)])
        received[kind] = messages
    ctx.state["received"] = received
    if ctx.on_aws:
        # A running crawler cannot be deleted: let the crawl the pipeline started finish (bounded).
        glue = ctx.client("glue")
        deadline = time.monotonic() + 600
        while glue.get_crawler(Name=_crawler(ctx))["Crawler"]["State"] != "READY" and time.monotonic() < deadline:
            time.sleep(10)


def _left(ctx, kind):
    """Messages still in a queue (visible or in flight), None when the queue does not exist."""
    url = _queue_url(ctx, kind)
    if not url:
        return None
    attrs = ctx.client("sqs").get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    return sum(int(v) for v in attrs.values())


def check_read_notifications(ctx):
    # What the executions sent is read from their histories; that it was read and deleted, from
    # the queues (a message received but not deleted comes back).
    sent = {kind: _sent(ctx, "full")[kind] + _sent(ctx, "light")[kind] for kind in ("training", "notify")}
    modes = sorted(n.get("mode", "?") for n in sent["notify"])
    left = _left(ctx, "notify")
    yield expect("one notification per execution (full, light), received and deleted",
                 modes == ["full", "light"] and left == 0, f"sent: {', '.join(modes) or 'none'}; left in the queue: {left}")
    requests = sent["training"]
    glue = ctx.client("glue")
    try:
        runs = {r["Id"] for r in glue.get_job_runs(JobName=_job(ctx))["JobRuns"]}
    except glue.exceptions.EntityNotFoundException:
        runs = set()
    left = _left(ctx, "training")
    yield expect("one training request, from the full run, naming the job run it started; received and deleted",
                 len(requests) == 1 and requests[0].get("etl_run") in runs and left == 0,
                 f"sent: {requests}; left in the queue: {left}")
