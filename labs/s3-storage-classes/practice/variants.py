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


VARIANTS = [
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
