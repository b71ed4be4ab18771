"""glue-etl: other valid ways (must pass) and near misses (must fail saying what to fix)."""
import json

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


def _put_script(key, body=None):
    """PutObject of the script's bytes (the CLI's `aws s3 cp` / s3api put-object) instead of upload_file."""
    def build(ctx):
        data = _steps().SCRIPT.read_bytes() if body is None else body(_steps().SCRIPT.read_bytes())
        ctx.client("s3").put_object(Bucket=ctx.name("etl"), Key=key, Body=data, ContentType="text/x-python")
    return build


def _job(change_params):
    return lambda ctx: tweak(ctx, "glue", "CreateJob", change_params, _steps().apply_create_job)


def _job_defaults(params):
    """Role by name; MaxCapacity, Timeout, MaxRetries and --TempDir left to Glue's defaults."""
    params["Role"] = params["Role"].rsplit("/", 1)[-1]
    for key in ("MaxCapacity", "Timeout", "MaxRetries"):
        params.pop(key)
    params["DefaultArguments"].pop("--TempDir")


def _spark_bookmark(params):
    params["DefaultArguments"].pop("--bookmark")
    params["DefaultArguments"]["--job-bookmark-option"] = "job-bookmark-enable"


def _no_dashes(params):
    params["DefaultArguments"] = {k.lstrip("-") if k.endswith("_path") else k: v
                                  for k, v in params["DefaultArguments"].items()}


def _job_trust(service):
    def change(params):
        trust = json.loads(params["AssumeRolePolicyDocument"])
        trust["Statement"][0]["Principal"]["Service"] = service
        params["AssumeRolePolicyDocument"] = json.dumps(trust)
    return lambda ctx: tweak(ctx, "iam", "CreateRole", change, _steps().apply_create_job)


VARIANTS = [
    accept("upload_script", "PutObject of the same bytes, with a content type", _put_script("scripts/clean_sales.py")),
    reject("upload_script", "the script at the bucket root, not under scripts/", _put_script("clean_sales.py"),
           fix="scripts/clean_sales.py"),
    reject("upload_script", "an edited script (not the one that runs locally)",
           _put_script("scripts/clean_sales.py", lambda b: b + b"\nprint('debug')\n"), fix="exactly the script"),
    accept("create_job", "the role by name; MaxCapacity (0.0625 for Python shell), Timeout, MaxRetries and "
           "--TempDir left to Glue's defaults", _job(_job_defaults)),
    reject("create_job", "1 DPU instead of 1/16", _job(lambda p: p.update(MaxCapacity=1.0)), fix="1/16 DPU"),
    reject("create_job", "a Spark job (glueetl) instead of Python shell",
           _job(lambda p: (p["Command"].update(Name="glueetl", PythonVersion="3"), p.pop("MaxCapacity"),
                           p.update(WorkerType="G.1X", NumberOfWorkers=2))), fix="Python shell"),
    reject("create_job", "Spark's --job-bookmark-option instead of the script's --bookmark", _job(_spark_bookmark),
           fix="bookmark"),
    reject("create_job", "path arguments without the leading --", _job(_no_dashes), fix="the script's arguments"),
    reject("create_job", "the role trusts lambda.amazonaws.com, not glue.amazonaws.com", _job_trust("lambda.amazonaws.com"),
           fix="glue.amazonaws.com may assume"),

    accept("define_triggers", "cron written with ? in day-of-month instead of day-of-week", _schedule("cron(0 2 ? * * *)")),
    accept("define_triggers", "cron with named days and months", _schedule("cron(00 02 ? JAN-DEC SUN-SAT *)")),
    accept("define_triggers", "crawler path without the trailing slash",
           _crawler_path(lambda p: f"s3://{p['Name'].replace('-processed-crawler', '-etl')}/processed/sales")),
    reject("define_triggers", "the schedule fires at 14:00, not 02:00", _schedule("cron(0 14 * * ? *)"), fix="02:00"),
    reject("define_triggers", "the nightly trigger starts another job", _nightly_starts("some-other-job"), fix="starts the ETL job"),
    reject("define_triggers", "the crawler reads the raw data, not the job's output",
           _crawler_path(lambda p: f"s3://{p['Name'].replace('-processed-crawler', '-etl')}/raw/sales/"), fix="processed/sales"),
]
