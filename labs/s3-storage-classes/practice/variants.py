"""s3-storage-classes: other valid ways (must pass) and near misses (must fail saying what to fix)."""
from awslabs.practice import accept, reject, tweak


def _steps():
    from awslabs.catalog import Catalog

    return Catalog().get("s3-storage-classes").load_steps()


def _restore(change):
    """The reference restore with its RestoreRequest changed."""
    return lambda ctx: tweak(ctx, "s3", "RestoreObject", lambda p: change(p["RestoreRequest"]),
                             _steps().apply_glacier_restore)


def _tier_left_out(request):
    request.pop("GlacierJobParameters", None)  # RestoreObject: Tier defaults to Standard


def _seven_days(request):
    request["Days"] = 7


def _expedited(request):
    request["GlacierJobParameters"]["Tier"] = "Expedited"


def _bulk(request):
    request["GlacierJobParameters"]["Tier"] = "Bulk"


def _no_restore(ctx):
    """Both objects archived and the read tried, but no restore asked for."""
    def never(params):
        raise _Skip()
    try:
        tweak(ctx, "s3", "RestoreObject", never, _steps().apply_glacier_restore)
    except _Skip:
        pass


class _Skip(Exception):
    pass


def _restored_again_with_one_day(ctx):
    """A 7-day restore first, then the same object restored again with Days 1: the last one counts."""
    _restore(_seven_days)(ctx)
    ctx.client("s3").restore_object(Bucket=ctx.name("data"), Key="archive/report-2025.csv",
                                    RestoreRequest={"Days": 1})


def _own_tags_then_versioning(ctx):
    """Bucket created bare, tagged with the run tag and the learner's own, versioning stated in full."""
    s3, bucket = ctx.client("s3"), _steps()._bucket(ctx)
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": ctx.tag_list() + [{"Key": "team", "Value": "ml"}]})
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled", "MFADelete": "Disabled"})


def _not_versioned(ctx):
    tweak(ctx, "s3", "PutBucketVersioning", lambda p: p.update(VersioningConfiguration={"Status": "Suspended"}),
          _steps().apply_create_bucket)


def _untagged(ctx):
    """The tag forgotten: the bucket has no tag set at all."""
    s3, bucket = ctx.client("s3"), _steps()._bucket(ctx)
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})


def _copied_into_class(ctx):
    """Every object uploaded as STANDARD, then copied onto itself into its class (CopyObject)."""
    steps = _steps()
    s3, bucket = ctx.client("s3"), steps._bucket(ctx)
    for storage_class in steps.CLASSES:
        key = steps._class_key(storage_class)
        s3.put_object(Bucket=bucket, Key=key, Body=b"my own small object\n")
        if storage_class != "STANDARD":
            s3.copy_object(Bucket=bucket, Key=key, CopySource={"Bucket": bucket, "Key": key},
                           StorageClass=storage_class, MetadataDirective="COPY")


def _deep_as_glacier(ctx):
    def change(params):
        if params["StorageClass"] == "DEEP_ARCHIVE":
            params["StorageClass"] = "GLACIER"
    tweak(ctx, "s3", "PutObject", change, _steps().apply_put_storage_classes)


def _rules(change):
    def changed(params):
        change({r["ID"]: r for r in params["LifecycleConfiguration"]["Rules"]}, params["LifecycleConfiguration"])
    return lambda ctx: tweak(ctx, "s3", "PutBucketLifecycleConfiguration", changed, _steps().apply_lifecycle_rules)


def _empty_filter(rules, config):
    """Whole bucket as an empty Filter instead of Prefix "" (both mean every object)."""
    rules["housekeeping"]["Filter"] = {}


def _reordered(rules, config):
    """Rules, and the archive rule's transitions, listed in another order: S3 applies them by days."""
    config["Rules"].reverse()
    rules["archive-raw-data"]["Transitions"].reverse()
    rules["archive-raw-data"]["NoncurrentVersionTransitions"].reverse()


def _prefix_only(rules, config):
    """Every object under raw/ archived, tagged or not."""
    rules["archive-raw-data"]["Filter"] = {"Prefix": "raw/"}


def _tmp_versions_kept(rules, config):
    """tmp/ expires, but on a versioned bucket its data stays as noncurrent versions, billed forever."""
    rules["expire-tmp"].pop("NoncurrentVersionExpiration")


def _deep_archive_at_120(rules, config):
    rules["archive-raw-data"]["Transitions"][2]["Days"] = 120


VARIANTS = [
    accept("create_bucket", "bucket created bare, then tagged (run tag and an own tag) and versioned with MFADelete "
           "stated Disabled", _own_tags_then_versioning),
    reject("create_bucket", "versioning Suspended instead of Enabled", _not_versioned, fix="versioning is enabled"),
    reject("create_bucket", "the bucket left untagged", _untagged, fix="run tag"),
    accept("put_storage_classes", "uploaded as STANDARD, then copied onto itself into its class", _copied_into_class),
    reject("put_storage_classes", "the deep-archive object stored in GLACIER", _deep_as_glacier,
           fix="is in DEEP_ARCHIVE"),
    accept("lifecycle_rules", "housekeeping with an empty Filter (the whole bucket)", _rules(_empty_filter)),
    accept("lifecycle_rules", "rules and transitions listed in another order", _rules(_reordered)),
    reject("lifecycle_rules", "the archive rule filters on raw/ only, not the tag", _rules(_prefix_only),
           fix="tag retention=archive"),
    reject("lifecycle_rules", "tmp/ expires but its noncurrent versions are kept", _rules(_tmp_versions_kept),
           fix="noncurrent versions 1 day"),
    reject("lifecycle_rules", "DEEP_ARCHIVE at 120 days instead of 180", _rules(_deep_archive_at_120),
           fix="DEEP_ARCHIVE at 180"),
    accept("glacier_restore", "Tier left out (RestoreObject's documented default is Standard)", _restore(_tier_left_out)),
    accept("glacier_restore", "restored for 7 days, then re-restored with Days 1 (a new request sets the expiry)",
           _restored_again_with_one_day),
    reject("glacier_restore", "restored for 7 days instead of 1", _restore(_seven_days), fix="Days 1"),
    reject("glacier_restore", "no restore requested", _no_restore, fix="restore archive/report-2025.csv"),
    reject("glacier_restore", "Expedited tier instead of Standard", _restore(_expedited), fix="Tier Standard",
           known_gap="S3 reports a restore's tier nowhere (HeadObject: ongoing-request and expiry-date only; "
                     "moto drops GlacierJobParameters): the check cannot see it"),
    reject("glacier_restore", "Bulk tier instead of Standard", _restore(_bulk), fix="Tier Standard",
           known_gap="S3 reports a restore's tier nowhere: the check cannot see it"),
]
