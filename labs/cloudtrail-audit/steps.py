"""CloudTrail audit: a trail that satisfies CloudTrail's bucket policy, logs S3 data events for the
training bucket, validates its log files and delivers to CloudWatch Logs — then the log files
answer "who deleted the training data?".

moto accepts a trail whose bucket has no policy, delivers no log files and has no lookup_events.
So: the lab's own validator (``awslabs.sim.cloudtrail_policy``, AWS's documented policy) refuses
the trail with AWS's InsufficientS3BucketPolicyException message (``simulated``); a local recorder
(``awslabs.local.cloudtrail``) captures the lab's own API calls through botocore events and writes
CloudTrail-format log files, digests and CloudWatch Logs events into the trail's destinations
(``local``). On real AWS the service refuses, delivers and validates, and the lab waits for it.
"""
from __future__ import annotations

import json
import time

from botocore.exceptions import ClientError

from awslabs import judge, labkit
from awslabs.lab import Check, equal, expect
from awslabs.local import cloudtrail as trail_log
from awslabs.sim import cloudtrail_policy

TRAINING_FILES = {"train.csv": b"age,income,churn\n34,52000,0\n51,61000,1\n", "validation.csv": b"age,income,churn\n29,48000,0\n",
                  "README.txt": b"churn model training data v3\n"}
DELETED = ["train.csv", "validation.csv"]


def _label(ctx, off_aws: str) -> str:
    return "emulated" if ctx.on_aws else off_aws


def _training(ctx) -> str:
    return ctx.name("training-data")


def _trail_bucket(ctx) -> str:
    return ctx.name("trail-logs")


def _trail(ctx) -> str:
    return ctx.name("audit", max_len=128)


def _group(ctx) -> str:
    return f"/awslabs/{ctx.prefix}/cloudtrail"


def _role(ctx) -> str:
    return ctx.name("trail-to-cwl", max_len=64)


def _scratch(ctx) -> str:
    return ctx.name("no-policy")


def _refused_trail(ctx) -> str:
    return ctx.name("refused", max_len=128)


def _bucket_policy(ctx, bucket: str | None = None):
    try:
        return ctx.client("s3").get_bucket_policy(Bucket=bucket or _trail_bucket(ctx))["Policy"]
    except ClientError as err:
        if err.response["Error"]["Code"] == "NoSuchBucketPolicy":
            return None
        raise


def _create_trail(ctx, **kwargs):
    """CreateTrail as AWS does it: refuse a bucket whose policy CloudTrail cannot use. On AWS the
    service checks; elsewhere the lab checks (moto would accept anything)."""
    if not ctx.on_aws:
        problems = cloudtrail_policy.problems(_bucket_policy(ctx, kwargs["S3BucketName"]), kwargs["S3BucketName"],
                                              ctx.account, ctx.region,
                                              kwargs["Name"], kwargs.get("S3KeyPrefix", ""))
        if problems:
            raise ClientError({"Error": {"Code": cloudtrail_policy.ERROR_CODE,
                                         "Message": cloudtrail_policy.refusal_message(kwargs["S3BucketName"])}},
                              "CreateTrail")
    return ctx.client("cloudtrail").create_trail(**kwargs)


def _describe_trail(ctx) -> dict:
    trails = ctx.client("cloudtrail").describe_trails(trailNameList=[_trail(ctx)])["trailList"]
    return trails[0] if trails else {}


# -- 1. buckets -----------------------------------------------------------------------------------
def apply_create_buckets(ctx):
    s3 = ctx.client("s3")
    for bucket in (_training(ctx), _trail_bucket(ctx)):
        ctx.create_bucket(bucket)
    for key, body in TRAINING_FILES.items():
        s3.put_object(Bucket=_training(ctx), Key=key, Body=body)


def check_create_buckets(ctx):
    keys = [o["Key"] for o in ctx.client("s3").list_objects_v2(Bucket=_training(ctx)).get("Contents", [])]
    # train.csv and validation.csv are deleted in the incident; the data card stays
    yield expect("the training bucket holds the training data (its data card README.txt at least)",
                 "README.txt" in keys and set(keys) <= set(TRAINING_FILES) | {"notes/feature-ideas.txt"}, str(sorted(keys)))
    names = {b["Name"] for b in ctx.client("s3").list_buckets()["Buckets"]}
    yield expect("the trail bucket exists", _trail_bucket(ctx) in names, _trail_bucket(ctx))


# -- 2. the bucket policy CloudTrail requires -------------------------------------------------------
def apply_bucket_policy(ctx):
    policy = cloudtrail_policy.required_policy(_trail_bucket(ctx), ctx.account, ctx.region, _trail(ctx))
    ctx.client("s3").put_bucket_policy(Bucket=_trail_bucket(ctx), Policy=json.dumps(policy))


def _service_may(ctx, policy: str | None) -> list[str]:
    """What the policy does not let CloudTrail do, evaluated as IAM would: GetBucketAcl on the
    bucket, PutObject of a log file under AWSLogs/<account>/ with the ACL and source CloudTrail sends."""
    trail_arn = f"arn:aws:cloudtrail:{ctx.region}:{ctx.account}:trail/{_trail(ctx)}"
    context = {"aws:SourceArn": trail_arn, "aws:SourceAccount": ctx.account, "s3:x-amz-acl": "bucket-owner-full-control"}
    bucket_arn = f"arn:aws:s3:::{_trail_bucket(ctx)}"
    log_file = f"{bucket_arn}/AWSLogs/{ctx.account}/CloudTrail/{ctx.region}/2026/01/01/x.json.gz"
    missing = []
    for action, resource in (("s3:GetBucketAcl", bucket_arn), ("s3:PutObject", log_file)):
        decision = judge.evaluate(policy, judge.Request(action, resource, {"Service": cloudtrail_policy.SERVICE}, context),
                                  resource_policy=True)
        if not decision:
            missing.append(f"{action}: {decision.why}")
    return missing


def check_bucket_policy(ctx):
    policy = _bucket_policy(ctx)
    missing = _service_may(ctx, policy)
    yield expect("the policy lets cloudtrail.amazonaws.com check the ACL and write log files (for this trail)",
                 policy is not None and not missing, "; ".join(missing) if policy else "no bucket policy")
    problems = cloudtrail_policy.problems(policy, _trail_bucket(ctx), ctx.account, ctx.region, _trail(ctx))
    yield equal("the policy meets CloudTrail's documented requirements", problems, [], "simulated")


# -- 2b. without the policy CloudTrail refuses ------------------------------------------------------
def apply_policy_refusal(ctx):
    """CreateTrail on a bucket without the policy (a scratch bucket: the trail bucket has one now)."""
    s3 = ctx.client("s3")
    try:
        s3.head_bucket(Bucket=_scratch(ctx))
    except ClientError:
        ctx.create_bucket(_scratch(ctx))
    if _bucket_policy(ctx, _scratch(ctx)) is not None:
        s3.delete_bucket_policy(Bucket=_scratch(ctx))
    ctx.track("cloudtrail:trail", _refused_trail(ctx))  # should CreateTrail ever succeed, cleanup finds it
    _try_refused_trail(ctx)


def _try_refused_trail(ctx):
    """CreateTrail on the scratch bucket; what came back is written to observations/refusal.json."""
    try:
        _create_trail(ctx, Name=_refused_trail(ctx), S3BucketName=_scratch(ctx), IsMultiRegionTrail=True)
        labkit.record(ctx, "refusal", {"created": True})
    except ClientError as err:
        labkit.record(ctx, "refusal", {"created": False, "code": labkit.error_code(err),
                                       "message": err.response["Error"]["Message"]})


# CreateTrail's documented refusal of a bucket whose policy CloudTrail cannot use, written out here
# (not built by awslabs.sim.cloudtrail_policy, which produced the refusal off AWS): the error of
# https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_CreateTrail.html#API_CreateTrail_Errors
# and the message AWS returns with it (as of 2025).
DOCUMENTED_REFUSAL = ("InsufficientS3BucketPolicyException", "Incorrect S3 bucket policy is detected for bucket: {bucket}")


def check_policy_refusal(ctx):
    seen = labkit.observed(ctx, "refusal")
    if seen is None:
        yield labkit.not_run("without the policy CreateTrail is refused with AWS's error", labkit.label(ctx))
        return
    code, message = DOCUMENTED_REFUSAL
    yield equal("without the policy CreateTrail is refused with AWS's error",
                (seen.get("code"), seen.get("message")) if not seen.get("created") else "the trail was created",
                (code, message.format(bucket=_scratch(ctx))), labkit.label(ctx))
    policy = _bucket_policy(ctx, _scratch(ctx)) if labkit.bucket_exists(ctx, _scratch(ctx)) else "no bucket"
    refused = [t for t in ctx.client("cloudtrail").describe_trails(trailNameList=[_refused_trail(ctx)])["trailList"]
               if t["Name"] == _refused_trail(ctx)]  # moto ignores trailNameList
    yield expect("the scratch bucket has no policy and the refused trail does not exist",
                 policy is None and not refused,
                 f"bucket policy: {'none' if policy is None else policy}; trails named {_refused_trail(ctx)}: {len(refused)}")


def _policy_put_on_scratch_bucket(ctx):
    """Mutant: the scratch bucket gets CloudTrail's policy first, so CreateTrail is not refused."""
    ctx.create_bucket(_scratch(ctx))
    policy = cloudtrail_policy.required_policy(_scratch(ctx), ctx.account, ctx.region, _refused_trail(ctx))
    ctx.client("s3").put_bucket_policy(Bucket=_scratch(ctx), Policy=json.dumps(policy))
    ctx.track("cloudtrail:trail", _refused_trail(ctx))
    _try_refused_trail(ctx)


# -- 3. the trail -----------------------------------------------------------------------------------
def apply_create_trail(ctx):
    logs = ctx.client("logs")
    ctx.track("cloudtrail:trail", _trail(ctx))
    ctx.track("logs:group", _group(ctx))
    logs.create_log_group(logGroupName=_group(ctx), tags=ctx.tags)
    logs.put_retention_policy(logGroupName=_group(ctx), retentionInDays=30)
    group_arn = f"arn:aws:logs:{ctx.region}:{ctx.account}:log-group:{_group(ctx)}:*"
    # no wait: CreateTrail below is retried until CloudTrail may assume the new role
    role_arn = labkit.create_service_role(ctx, _role(ctx), "cloudtrail.amazonaws.com", {"deliver-to-cloudwatch-logs": [
        {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": group_arn}]}, wait=False)
    deadline = time.time() + (120 if ctx.on_aws else 0)
    while True:
        try:
            _create_trail(ctx, Name=_trail(ctx), S3BucketName=_trail_bucket(ctx), IsMultiRegionTrail=True,
                          IncludeGlobalServiceEvents=True, EnableLogFileValidation=True,
                          CloudWatchLogsLogGroupArn=group_arn, CloudWatchLogsRoleArn=role_arn, TagsList=ctx.tag_list())
            break
        except ClientError as err:  # a new role takes a few seconds before CloudTrail may assume it
            if time.time() > deadline or "CloudWatchLogs" not in err.response["Error"]["Code"]:
                raise
            time.sleep(10)


def check_create_trail(ctx):
    trail = _describe_trail(ctx)
    yield expect("the trail is multi-region", trail.get("IsMultiRegionTrail") is True, str(trail.get("IsMultiRegionTrail")))
    yield expect("log file validation is on", trail.get("LogFileValidationEnabled") is True,
                 str(trail.get("LogFileValidationEnabled")))
    yield equal("it delivers to the trail bucket", trail.get("S3BucketName"), _trail_bucket(ctx))
    yield expect("it delivers to the CloudWatch Logs group through the role",
                 f":log-group:{_group(ctx)}:" in (trail.get("CloudWatchLogsLogGroupArn") or "")
                 and (trail.get("CloudWatchLogsRoleArn") or "").endswith(f"role/{_role(ctx)}"),
                 str(trail.get("CloudWatchLogsLogGroupArn")))
    iam = ctx.client("iam")
    try:
        trust = iam.get_role(RoleName=_role(ctx))["Role"]["AssumeRolePolicyDocument"]
    except ClientError:
        trust = None
    stream = f"arn:aws:logs:{ctx.region}:{ctx.account}:log-group:{_group(ctx)}:log-stream:{ctx.account}_CloudTrail_{ctx.region}"
    may = [judge.service_may_assume(trust, "cloudtrail.amazonaws.com")] if trust is not None else []
    if trust is not None:
        may += [judge.role_may(iam, _role(ctx), action, stream) for action in ("logs:CreateLogStream", "logs:PutLogEvents")]
    yield expect("the role lets CloudTrail create log streams and put events in the log group",
                 may and all(may), "; ".join(d.why for d in may if not d) if trust is not None else f"no role {_role(ctx)}")
    groups = [g for g in ctx.client("logs").describe_log_groups(logGroupNamePrefix=_group(ctx))["logGroups"]
              if g["logGroupName"] == _group(ctx)]
    yield expect("the log group keeps events 30 days", groups and groups[0].get("retentionInDays") == 30,
                 f"retentionInDays {groups[0].get('retentionInDays', 'never expire')}" if groups else f"no log group {_group(ctx)}")


# -- 4. event selectors, start logging --------------------------------------------------------------
def apply_event_selectors(ctx):
    ct = ctx.client("cloudtrail")
    ct.put_event_selectors(TrailName=_trail(ctx), EventSelectors=[{
        "ReadWriteType": "All", "IncludeManagementEvents": True,
        "DataResources": [{"Type": "AWS::S3::Object", "Values": [f"arn:aws:s3:::{_training(ctx)}/"]}]}])
    ct.start_logging(Name=_trail(ctx))


def check_event_selectors(ctx):
    ct = ctx.client("cloudtrail")
    selectors = ct.get_event_selectors(TrailName=_trail(ctx)).get("EventSelectors", [])
    values = [v for s in selectors for r in s.get("DataResources", []) for v in r.get("Values", [])]
    yield equal("S3 data events are logged for the training bucket only", values, [f"arn:aws:s3:::{_training(ctx)}/"])
    status = ct.get_trail_status(Name=_trail(ctx))
    # stop_logging comes later: a trail that was started has a StartLoggingTime even once stopped
    yield expect("logging was started (IsLogging, or a StartLoggingTime once stopped)",
                 status.get("IsLogging") is True or bool(status.get("StartLoggingTime")),
                 f"IsLogging {status.get('IsLogging')}, StartLoggingTime {status.get('StartLoggingTime') or '-'}")


# -- 5. the incident --------------------------------------------------------------------------------
def _activity(ctx, recorder=None):
    s3 = ctx.client("s3")
    for key in ("train.csv", "validation.csv"):  # a data scientist reads the data...
        s3.get_object(Bucket=_training(ctx), Key=key)["Body"].read()
    s3.put_object(Bucket=_training(ctx), Key="notes/feature-ideas.txt", Body=b"try tenure buckets\n")
    if recorder:
        recorder.flush()  # CloudTrail delivers about every 5 minutes: here, one file per phase
    for key in DELETED:  # ...and later someone deletes it
        s3.delete_object(Bucket=_training(ctx), Key=key)
    if recorder:
        recorder.flush()


def _records(ctx) -> list[dict]:
    return trail_log.read_records(ctx.client("s3"), _trail_bucket(ctx), ctx.account)


def _deletions(ctx, records: list[dict]) -> list[dict]:
    return [r for r in records if r["eventName"] in ("DeleteObject", "DeleteObjects")
            and (r.get("requestParameters") or {}).get("bucketName") == _training(ctx)]


def apply_incident(ctx):
    """The incident happens once: in practice this step runs at every check, and once the training
    files are gone it only waits for (AWS) or finds (local recorder) their log files."""
    s3 = ctx.client("s3")
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=_training(ctx)).get("Contents", [])}
    missing = [key for key in DELETED if key not in keys]
    if ctx.on_aws:
        if not missing:
            _activity(ctx)
        # CloudTrail delivers log files within about 5-15 minutes: wait, bounded.
        deadline = time.time() + 20 * 60
        while time.time() < deadline and len(_deletions(ctx, _records(ctx))) < len(DELETED):
            time.sleep(30)
        return
    if missing and len(_deletions(ctx, _records(ctx))) >= len(DELETED):
        return  # it happened already, and the trail logged it
    for key in missing:  # deleted without a logging trail: put the files back and replay the incident
        s3.put_object(Bucket=_training(ctx), Key=key, Body=TRAINING_FILES[key])
    with trail_log.TrailRecorder(ctx, _trail(ctx), services=("s3", "cloudtrail")) as recorder:
        _activity(ctx, recorder)


def check_incident(ctx):
    s3 = ctx.client("s3")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=_training(ctx)).get("Contents", [])]
    yield expect("the training files are gone", not set(DELETED) & set(keys), str(sorted(keys)))
    log_keys = trail_log.log_file_keys(s3, _trail_bucket(ctx), ctx.account)
    bad = [k for k in log_keys if not trail_log.LOG_KEY.match(k)]
    yield expect("log files are delivered under AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/ as *.json.gz",
                 log_keys and not bad, f"{len(log_keys)} file(s){'; bad: ' + bad[0] if bad else ''}", _label(ctx, "local"))
    # On AWS the files also hold other activity in the account: judge the records about this lab.
    records = [r for r in _records(ctx) if (r.get("requestParameters") or {}).get("bucketName") == _training(ctx)]
    required = ("eventVersion", "userIdentity", "eventTime", "eventSource", "eventName", "awsRegion",
                "sourceIPAddress", "userAgent", "requestParameters", "responseElements", "requestID", "eventID",
                "readOnly", "eventType", "recipientAccountId")
    incomplete = [r.get("eventName") for r in records if any(f not in r for f in required)]
    yield expect("every record about the training bucket has the documented fields", records and not incomplete,
                 f"{len(records)} record(s); incomplete: {incomplete[:3]}", _label(ctx, "local"))
    if ctx.on_aws:
        yield Check("CloudWatch Logs received the events", False, "delivery to CloudWatch Logs is checked in the "
                    "console on AWS (it lags like S3 delivery)", "aws", skipped=True)
        return
    stream = f"{ctx.account}_CloudTrail_{ctx.region}"
    events = ctx.client("logs").get_log_events(logGroupName=_group(ctx), logStreamName=stream)["events"]
    names = [json.loads(e["message"])["eventName"] for e in events]
    yield expect("the trail's CloudWatch Logs stream got the DeleteObject events", names.count("DeleteObject") == len(DELETED),
                 f"{stream}: {names}", "local")


# -- 6. investigate -----------------------------------------------------------------------------------
def _report_path(ctx):
    return ctx.output_dir / "who-deleted-the-training-data.json"


def apply_investigate(ctx):
    deletions = _deletions(ctx, _records(ctx))
    report = {
        "question": f"who deleted objects from s3://{_training(ctx)}?",
        "answers": [{"who": r["userIdentity"].get("arn"), "identityType": r["userIdentity"].get("type"),
                     "accessKeyId": r["userIdentity"].get("accessKeyId"), "when": r["eventTime"],
                     "from": r["sourceIPAddress"], "userAgent": r["userAgent"],
                     "what": (r.get("requestParameters") or {}).get("key"), "eventID": r["eventID"]} for r in deletions],
    }
    if not ctx.on_aws:  # digests arrive hourly on AWS: validated there with `aws cloudtrail validate-logs`
        check = trail_log.validate_logs(ctx.client("s3"), _trail_bucket(ctx), ctx.account, ctx.region)
        report["validation"] = {"digests": check.digests, "logFiles": check.log_files, "problems": check.problems}
    _report_path(ctx).write_text(json.dumps(report, indent=1))


def check_investigate(ctx):
    report = json.loads(_report_path(ctx).read_text())
    me = ctx.client("sts").get_caller_identity()["Arn"]
    label = _label(ctx, "local")
    yield equal("who: the principal that made the calls", sorted({a["who"] for a in report["answers"]}), [me], label)
    yield equal("what: the deleted training files", sorted(a["what"] for a in report["answers"]), DELETED, label)
    if ctx.on_aws:
        yield Check("digest files validate", False, "digests are delivered hourly: run `aws cloudtrail validate-logs "
                    "--trail-arn <arn> --start-time <time>` later", "aws", skipped=True)
        events = ctx.client("cloudtrail").lookup_events(
            LookupAttributes=[{"AttributeKey": "ResourceName", "AttributeValue": _trail(ctx)}], MaxResults=50)["Events"]
        names = {e["EventName"] for e in events}
        yield expect("lookup_events (Event history, management events only) shows StartLogging", "StartLogging" in names,
                     str(sorted(names)), "emulated")
        return
    validation = report["validation"]
    yield expect("log file validation: every log file matches its digest's SHA-256 and the digests chain",
                 validation["digests"] >= 2 and not validation["problems"],
                 f"{validation['digests']} digest(s), {validation['logFiles']} log file(s), problems: {validation['problems']}",
                 "local")
    yield ctx.aws_only("lookup_events (Event history) finds the trail's StartLogging",
                       "moto has no lookup_events; Event history holds management events only, never S3 data events")


# -- 7. stop logging ---------------------------------------------------------------------------------
def apply_stop_logging(ctx):
    if ctx.on_aws:
        ctx.client("cloudtrail").stop_logging(Name=_trail(ctx))
        return
    stopped = ctx.client("cloudtrail").get_trail_status(Name=_trail(ctx)).get("IsLogging") is False
    if stopped and any(r["eventName"] == "StopLogging" for r in _records(ctx)):
        return  # done already (practice runs this step at every check)
    with trail_log.TrailRecorder(ctx, _trail(ctx), services=("cloudtrail",)) as recorder:
        ctx.client("cloudtrail").stop_logging(Name=_trail(ctx))
        recorder.flush()  # "If logging is stopped ... CloudTrail will deliver a final digest file"


def check_stop_logging(ctx):
    ct = ctx.client("cloudtrail")
    yield expect("the trail no longer logs", ct.get_trail_status(Name=_trail(ctx)).get("IsLogging") is False, "IsLogging")
    if ctx.on_aws:
        yield Check("a final digest closes the chain", False, "digests are hourly on AWS", "aws", skipped=True)
        return
    names = [r["eventName"] for r in _records(ctx)]
    check = trail_log.validate_logs(ctx.client("s3"), _trail_bucket(ctx), ctx.account, ctx.region)
    yield expect("StopLogging is logged and a final digest extends the chain",
                 names.count("StopLogging") == 1 and check.valid and check.digests >= 3,
                 f"{check.digests} digests; problems: {check.problems}", "local")


MUTATIONS = {
    "policy_refusal": [("CloudTrail's policy put on the scratch bucket first (CreateTrail succeeds)", _policy_put_on_scratch_bucket)],
}
