"""glue-etl: other valid ways (must pass) and near misses (must fail saying what to fix)."""
from awslabs.practice import accept, reject, tweak


def _steps():
    from awslabs.catalog import Catalog

    return Catalog().get("glue-etl").load_steps()


def _schedule(expression):
    def change(params):
        if params.get("Type") == "SCHEDULED":
            params["Schedule"] = expression
    return lambda ctx: tweak(ctx, "glue", "CreateTrigger", change, _steps().apply_define_triggers)


def _nightly_starts(job):
    def change(params):
        if params.get("Type") == "SCHEDULED":
            params["Actions"] = [{"JobName": job}]
    return lambda ctx: tweak(ctx, "glue", "CreateTrigger", change, _steps().apply_define_triggers)


def _crawler_path(path):
    def change(params):
        params["Targets"] = {"S3Targets": [{"Path": path(params)}]}
    return lambda ctx: tweak(ctx, "glue", "CreateCrawler", change, _steps().apply_define_triggers)


VARIANTS = [
    accept("define_triggers", "cron written with ? in day-of-month instead of day-of-week", _schedule("cron(0 2 ? * * *)")),
    accept("define_triggers", "cron with named days and months", _schedule("cron(00 02 ? JAN-DEC SUN-SAT *)")),
    accept("define_triggers", "crawler path without the trailing slash",
           _crawler_path(lambda p: f"s3://{p['Name'].replace('-processed-crawler', '-etl')}/processed/sales")),
    reject("define_triggers", "the schedule fires at 14:00, not 02:00", _schedule("cron(0 14 * * ? *)"), fix="02:00"),
    reject("define_triggers", "the nightly trigger starts another job", _nightly_starts("some-other-job"), fix="starts the ETL job"),
    reject("define_triggers", "the crawler reads the raw data, not the job's output",
           _crawler_path(lambda p: f"s3://{p['Name'].replace('-processed-crawler', '-etl')}/raw/sales/"), fix="processed/sales"),
]
