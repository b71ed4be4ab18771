"""feature-store: other valid ways (must pass) and near misses (must fail saying what to fix)."""
import datetime as dt
import json

from awslabs.practice import accept, reject


def _steps():
    from awslabs.catalog import Catalog

    return Catalog().get("feature-store").load_steps()


# -- feature_role ---------------------------------------------------------------------------------------
def _role(trust_service="sagemaker.amazonaws.com", resource=None):
    def build(ctx):
        steps = _steps()
        bucket = resource or steps._bucket(ctx)
        iam = ctx.client("iam")
        trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["sts:AssumeRole"],
                                                        "Principal": {"Service": [trust_service]}}]}
        iam.create_role(RoleName=steps._role(ctx), AssumeRolePolicyDocument=json.dumps(trust))
        policy = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:*", "Resource": f"arn:aws:s3:::{bucket}/*"},
            {"Effect": "Allow", "Action": "glue:*", "Resource": "*"}]}
        iam.put_role_policy(RoleName=steps._role(ctx), PolicyName="fs", PolicyDocument=json.dumps(policy))
    return build


# -- create_feature_group ---------------------------------------------------------------------------------
def _group(change):
    def build(ctx):
        steps = _steps()
        request = steps.feature_group_request(ctx)
        change(request)
        steps.create_feature_group(ctx, request)
    return build


def _ttl(unit, value):
    return lambda r: r["OnlineStoreConfig"].update(TtlDuration={"Unit": unit, "Value": value})


# -- ingest_records ---------------------------------------------------------------------------------------
def _ingest(change_event_time=None, reverse=False, trial_ttl=True):
    def build(ctx):
        from awslabs.local import feature_store as fs

        steps = _steps()
        _, runtime = fs.clients(ctx)
        labels = steps._labels(ctx)
        records = steps._records(labels)
        for record in (reversed(records) if reverse else records):
            if change_event_time:
                record["event_time"] = change_event_time(record["event_time"])
            runtime.put_record(FeatureGroupName=steps._group(ctx),
                               Record=[{"FeatureName": k, "ValueAsString": v} for k, v in record.items()])
        extra = {"TtlDuration": steps.TRIAL_TTL} if trial_ttl else {}
        runtime.put_record(FeatureGroupName=steps._group(ctx), **extra,
                           Record=[{"FeatureName": k, "ValueAsString": v} for k, v in steps._trial(labels).items()])
    return build


def _millis(text):  # 2026-12-04T08:00:00Z -> 2026-12-04T08:00:00.000Z (the other documented format)
    return text[:-1] + ".000Z"


def _now(_text):
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


VARIANTS = [
    accept("feature_role", "principal and action as lists; s3:* on the bucket's objects and glue:*", _role()),
    reject("feature_role", "trust policy for lambda.amazonaws.com", _role("lambda.amazonaws.com"), fix="SageMaker"),
    reject("feature_role", "the role may write only to another bucket", _role(resource="some-other-bucket"),
           fix="put objects"),
    accept("create_feature_group", "TTL as 720 hours (the same 30 days)", _group(_ttl("Hours", 720))),
    accept("create_feature_group", "S3Uri with a trailing slash", _group(
        lambda r: r["OfflineStoreConfig"]["S3StorageConfig"].update(
            S3Uri=r["OfflineStoreConfig"]["S3StorageConfig"]["S3Uri"] + "/"))),
    reject("create_feature_group", "TTL of 7 days instead of 30", _group(_ttl("Days", 7)), fix="30 days"),
    reject("create_feature_group", "online store left disabled",
           _group(lambda r: r["OnlineStoreConfig"].update(EnableOnlineStore=False)), fix="online store"),
    reject("create_feature_group", "offline store at the bucket's root",
           _group(lambda r: r["OfflineStoreConfig"]["S3StorageConfig"].update(
               S3Uri=r["OfflineStoreConfig"]["S3StorageConfig"]["S3Uri"].rsplit("/", 1)[0])), fix="feature-store"),
    accept("ingest_records", "records put in reverse order (the greatest event time still wins)", _ingest(reverse=True)),
    accept("ingest_records", "event times with milliseconds (yyyy-MM-ddTHH:mm:ss.SSSZ)", _ingest(_millis)),
    reject("ingest_records", "the time of ingestion used as event time", _ingest(_now), fix="event time"),
    reject("ingest_records", "c-005 put without its own 1-hour TTL", _ingest(trial_ttl=False), fix="c-005"),
]
