"""cloudtrail-audit: other valid ways (must pass) and near misses (must fail saying what to fix)."""
import json

from awslabs.practice import accept, reject, tweak


def _steps():
    from awslabs.catalog import Catalog

    return Catalog().get("cloudtrail-audit").load_steps()


def _policy(change_statements):
    """The reference bucket policy with its statements changed by ``change_statements(list)``."""
    def change(params):
        policy = json.loads(params["Policy"])
        change_statements(policy["Statement"])
        params["Policy"] = json.dumps(policy)
    return lambda ctx: tweak(ctx, "s3", "PutBucketPolicy", change, _steps().apply_bucket_policy)


def _drop_source_arn(statements):
    for st in statements:
        st["Condition"].get("StringEquals", {}).pop("aws:SourceArn", None)
        if not st["Condition"].get("StringEquals"):
            st.pop("Condition")


def _source_account(statements):
    for st in statements:
        arn = st["Condition"]["StringEquals"].pop("aws:SourceArn")
        st["Condition"]["StringEquals"]["aws:SourceAccount"] = arn.split(":")[4]


def _lists(statements):
    for st in statements:
        st["Principal"] = {"Service": [st["Principal"]["Service"]]}
        st["Action"] = [st["Action"]]
        st["Resource"] = [st["Resource"]]


def _one_wide_statement(statements):
    """GetBucketAcl and PutObject granted by s3:* wildcards, the ACL condition kept on the write."""
    statements[0]["Action"] = "s3:GetBucket*"
    statements[1]["Action"] = "s3:Put*"


def _short_trail_name(statements):
    for st in statements:
        conditions = st["Condition"]["StringEquals"]
        conditions["aws:SourceArn"] = conditions["aws:SourceArn"].rsplit("/", 1)[0] + "/audit"


def _wrong_log_prefix(statements):
    statements[1]["Resource"] = statements[1]["Resource"].split("/AWSLogs/")[0] + "/logs/*"


def _account_principal(statements):
    for st in statements:
        arn = st["Condition"]["StringEquals"]["aws:SourceArn"]
        st["Principal"] = {"AWS": f"arn:aws:iam::{arn.split(':')[4]}:root"}


def _trail(change_params):
    return lambda ctx: tweak(ctx, "cloudtrail", "CreateTrail", change_params, _steps().apply_create_trail)


def _trail_then_update(ctx):
    """CreateTrail with only the bucket, then UpdateTrail adds multi-region, validation and the log group."""
    wanted = {}

    def change(params):
        for key in ("IsMultiRegionTrail", "EnableLogFileValidation", "CloudWatchLogsLogGroupArn", "CloudWatchLogsRoleArn"):
            wanted[key] = params.pop(key)
    tweak(ctx, "cloudtrail", "CreateTrail", change, _steps().apply_create_trail)
    ctx.client("cloudtrail").update_trail(Name=ctx.name("audit", max_len=128), **wanted)


def _role_trust(service):
    def change(params):
        trust = json.loads(params["AssumeRolePolicyDocument"])
        trust["Statement"][0]["Principal"]["Service"] = service
        params["AssumeRolePolicyDocument"] = json.dumps(trust)
    return lambda ctx: tweak(ctx, "iam", "CreateRole", change, _steps().apply_create_trail)


def _role_policy(actions):
    def change(params):
        doc = json.loads(params["PolicyDocument"])
        doc["Statement"][0]["Action"] = actions
        params["PolicyDocument"] = json.dumps(doc)
    return lambda ctx: tweak(ctx, "iam", "PutRolePolicy", change, _steps().apply_create_trail)


def _no_retention(ctx):
    def change(params):
        params["retentionInDays"] = 14
    tweak(ctx, "logs", "PutRetentionPolicy", change, _steps().apply_create_trail)


def _selectors(change_params):
    return lambda ctx: tweak(ctx, "cloudtrail", "PutEventSelectors", change_params, _steps().apply_event_selectors)


def _start_first(ctx):
    """StartLogging first, then the event selectors: the same trail in the end."""
    ct = ctx.client("cloudtrail")
    ct.start_logging(Name=ctx.name("audit", max_len=128))
    ct.put_event_selectors(TrailName=ctx.name("audit", max_len=128), EventSelectors=[{
        "DataResources": [{"Type": "AWS::S3::Object", "Values": [f"arn:aws:s3:::{ctx.name('training-data')}/"]}]}])


def _never_started(ctx):
    ctx.client("cloudtrail").put_event_selectors(TrailName=ctx.name("audit", max_len=128), EventSelectors=[{
        "ReadWriteType": "All", "IncludeManagementEvents": True,
        "DataResources": [{"Type": "AWS::S3::Object", "Values": [f"arn:aws:s3:::{ctx.name('training-data')}/"]}]}])


def _all_buckets(params):
    params["EventSelectors"][0]["DataResources"][0]["Values"] = ["arn:aws:s3"]


VARIANTS = [
    accept("bucket_policy", "the older documented policy, without the aws:SourceArn conditions",
           _policy(_drop_source_arn)),
    accept("bucket_policy", "aws:SourceAccount instead of aws:SourceArn against the confused deputy",
           _policy(_source_account)),
    accept("bucket_policy", "Principal, Action and Resource written as one-element lists", _policy(_lists)),
    accept("bucket_policy", "the actions written with wildcards (s3:GetBucket*, s3:Put*)", _policy(_one_wide_statement)),
    reject("bucket_policy", "aws:SourceArn names the trail by its short name, not awslabs-…-audit",
           _policy(_short_trail_name), fix="aws:SourceArn"),
    reject("bucket_policy", "log files allowed under logs/ instead of AWSLogs/<account>/",
           _policy(_wrong_log_prefix), fix="s3:PutObject"),
    reject("bucket_policy", "the account root as principal instead of the CloudTrail service",
           _policy(_account_principal), fix="cloudtrail.amazonaws.com"),
    accept("create_trail", "a single-region trail created first, then UpdateTrail adds multi-region, "
           "validation and CloudWatch Logs", _trail_then_update),
    accept("create_trail", "IncludeGlobalServiceEvents left to its default (true)",
           _trail(lambda p: p.pop("IncludeGlobalServiceEvents"))),
    reject("create_trail", "IsMultiRegionTrail left at its default (false)",
           _trail(lambda p: p.pop("IsMultiRegionTrail")), fix="multi-region"),
    reject("create_trail", "log file validation left off", _trail(lambda p: p.pop("EnableLogFileValidation")),
           fix="log file validation"),
    reject("create_trail", "no CloudWatch Logs delivery",
           _trail(lambda p: (p.pop("CloudWatchLogsLogGroupArn"), p.pop("CloudWatchLogsRoleArn"))), fix="CloudWatch Logs group"),
    reject("create_trail", "the role trusts logs.amazonaws.com instead of cloudtrail.amazonaws.com",
           _role_trust("logs.amazonaws.com"), fix="let CloudTrail"),
    reject("create_trail", "the role may put events but not create the log stream",
           _role_policy(["logs:PutLogEvents"]), fix="create log streams"),
    reject("create_trail", "the log group keeps events 14 days, not 30", _no_retention, fix="30 days"),
    accept("event_selectors", "logging started before the selectors; ReadWriteType and IncludeManagementEvents "
           "left at their defaults (All, true)", _start_first),
    reject("event_selectors", "data events for every bucket (arn:aws:s3), not the training bucket only",
           _selectors(_all_buckets), fix="training bucket only"),
    reject("event_selectors", "selectors put, logging never started", _never_started, fix="logging was started"),
]
