"""awslabs.local.jobs: job scripts as real processes with the Glue argument contract, reaching the
emulator through the threaded moto server; moto's job-run state progression."""
from __future__ import annotations

import json
import secrets
import sys
import textwrap
from types import SimpleNamespace

import pytest

from awslabs.context import LabContext
from awslabs.ledger import Ledger
from awslabs.local import jobs
from awslabs.settings import Settings
from awslabs.targets import make_target


@pytest.fixture
def ctx():
    target = make_target(Settings.load(target="moto"))
    return LabContext(SimpleNamespace(id="unit-jobs"), target, Ledger(None), secrets.token_hex(3))


def _script(ctx, body: str):
    path = ctx.workdir / f"script-{secrets.token_hex(3)}.py"
    path.write_text(textwrap.dedent(body))
    return path


def test_glue_arguments_merge_defaults_run_values_and_reserved_names():
    # https://docs.aws.amazon.com/glue/latest/dg/aws-glue-programming-etl-glue-arguments.html:
    # run Arguments replace DefaultArguments; Glue adds JOB_NAME/JOB_RUN_ID itself.
    job = {
        "Name": "clean",
        "Command": {"ScriptLocation": "s3://b/s.py"},
        "DefaultArguments": {"--TempDir": "s3://b/tmp/", "--day": "1", "--JOB_NAME": "spoofed"},
    }
    args = jobs.glue_arguments(job, {"--day": "2"}, "jr_1")
    assert args["--day"] == "2"
    assert args["--TempDir"] == "s3://b/tmp/"
    assert args["--JOB_NAME"] == "clean" and args["--JOB_RUN_ID"] == "jr_1"
    assert args["--scriptLocation"] == "s3://b/s.py"
    assert jobs.argv_from({"--a": "1", "--b": "x y"}) == ["--a", "1", "--b", "x y"]


def test_run_script_captures_output_exit_code_and_hides_parent_credentials(ctx, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALKEYNEVERPASSED")
    script = _script(ctx, """
        import os, sys
        print("out", sys.argv[1:])
        print("err line", file=sys.stderr)
        print(os.environ["AWS_ACCESS_KEY_ID"])
        sys.exit(3)
    """)
    result = jobs.run_script(ctx, script, ["--x", "1"])
    assert result.returncode == 3 and not result.ok
    assert "out ['--x', '1']" in result.stdout
    assert "AKIAREALKEYNEVERPASSED" not in result.stdout and "testing" in result.stdout
    assert result.summary() == "job exited with code 3: err line"
    assert result.argv[0] == sys.executable


def test_run_script_times_out(ctx):
    script = _script(ctx, "import time\ntime.sleep(30)\n")
    result = jobs.run_script(ctx, script, timeout=1)
    assert result.timed_out and not result.ok and "timed out" in result.summary()


def test_a_job_process_reads_and_writes_the_emulated_s3(ctx):
    s3 = ctx.client("s3")
    bucket = f"unit-jobs-{ctx.run_id}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="in.txt", Body=b"hello")
    script = _script(ctx, f"""
        import boto3
        s3 = boto3.client("s3")
        body = s3.get_object(Bucket="{bucket}", Key="in.txt")["Body"].read()
        s3.put_object(Bucket="{bucket}", Key="out.txt", Body=body.upper())
    """)
    assert jobs.run_script(ctx, script).ok
    assert s3.get_object(Bucket=bucket, Key="out.txt")["Body"].read() == b"HELLO"


def test_glue_run_shows_starting_running_succeeded_and_gets_its_arguments(ctx):
    glue = ctx.client("glue")
    bucket = f"unit-glue-{ctx.run_id}"
    ctx.client("s3").create_bucket(Bucket=bucket)
    name = f"job-{ctx.run_id}"
    glue.create_job(
        Name=name,
        Role="arn:aws:iam::123456789012:role/r",
        Command={"Name": "pythonshell", "ScriptLocation": f"s3://{bucket}/s.py", "PythonVersion": "3.9"},
        DefaultArguments={"--target": f"s3://{bucket}/out.json", "--n": "1"},
    )
    script = _script(ctx, """
        import argparse, json, sys, boto3
        p = argparse.ArgumentParser()
        for a in ("--JOB_NAME", "--JOB_RUN_ID", "--target", "--n"):
            p.add_argument(a)
        args, _ = p.parse_known_args()
        bucket, key = args.target[5:].split("/", 1)
        boto3.client("s3").put_object(Bucket=bucket, Key=key, Body=json.dumps(vars(args)).encode())
    """)
    with jobs.state_progression(ctx, "glue::job_run", times=2):
        run_id = glue.start_job_run(JobName=name, Arguments={"--n": "2"})["JobRunId"]
        result = jobs.execute_glue_job_run(ctx, name, run_id, script)
    assert result.ok, result.stderr
    assert result.states == ["STARTING", "RUNNING", "SUCCEEDED"]
    written = json.loads(ctx.client("s3").get_object(Bucket=bucket, Key="out.json")["Body"].read())
    assert written == {"JOB_NAME": name, "JOB_RUN_ID": run_id, "target": f"s3://{bucket}/out.json", "n": "2"}
    # The transition is left set (process-wide; unsetting it broke an overlapping run): a new run
    # shows the same progression.
    again = glue.start_job_run(JobName=name)["JobRunId"]
    assert jobs.wait_for_job_run(ctx, name, again) == ["STARTING", "RUNNING", "SUCCEEDED"]


def test_only_python_shell_jobs_run_locally(ctx):
    glue = ctx.client("glue")
    name = f"spark-{ctx.run_id}"
    glue.create_job(Name=name, Role="r", Command={"Name": "glueetl", "ScriptLocation": "s3://b/s.py"})
    with pytest.raises(ValueError, match="only Python shell"):
        jobs.run_glue_job(ctx, name, "unused.py", run_id="jr_x")


def test_spark_unavailable_gives_a_one_line_reason(monkeypatch):
    import importlib.util

    monkeypatch.delenv("AWSLABS_LOCAL_SPARK")
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    reason = jobs.spark_unavailable()
    assert reason and "PySpark" in reason and "\n" not in reason


def test_moto_api_is_a_no_op_on_aws():
    fake = SimpleNamespace(on_aws=True)
    assert jobs.moto_api(fake, "state-manager/set-transition", {}) is False


def test_spark_runner_stages_s3_input_and_uploads_what_the_job_wrote(ctx, monkeypatch):
    # The staging contract, with a plain-Python stand-in for Spark: it reads the local --input
    # folder and writes part files, a _SUCCESS marker and Hadoop .crc side files to --output.
    monkeypatch.setattr(jobs, "spark_unavailable", lambda: None)
    s3 = ctx.client("s3")
    bucket = f"unit-spark-{ctx.run_id}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="raw/a.csv", Body=b"x\n1\n2\n")
    s3.put_object(Bucket=bucket, Key="raw/b.csv", Body=b"x\n3\n")
    script = _script(ctx, """
        import argparse, pathlib
        p = argparse.ArgumentParser(); p.add_argument("--input"); p.add_argument("--output")
        a = p.parse_args()
        rows = sum(len(f.read_text().splitlines()) - 1 for f in sorted(pathlib.Path(a.input).glob("*.csv")))
        out = pathlib.Path(a.output); out.mkdir(parents=True)
        (out / "part-00000.txt").write_text(str(rows))
        (out / ".part-00000.txt.crc").write_text("crc")
        (out / "_SUCCESS").write_text("")
    """)
    result = jobs.run_spark_script(ctx, script, inputs={"--input": f"s3://{bucket}/raw/"},
                                   outputs={"--output": f"s3://{bucket}/out/"})
    assert result.ok, result.stderr
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="out/")["Contents"])
    assert keys == ["out/_SUCCESS", "out/part-00000.txt"]
    assert s3.get_object(Bucket=bucket, Key="out/part-00000.txt")["Body"].read() == b"3"


def test_spark_local_mode_can_be_switched_off(monkeypatch):
    monkeypatch.setenv("AWSLABS_LOCAL_SPARK", "0")
    assert "AWSLABS_LOCAL_SPARK=0" in jobs.spark_unavailable()


def test_a_real_pyspark_job_in_local_mode(ctx, monkeypatch):
    monkeypatch.delenv("AWSLABS_LOCAL_SPARK")
    if jobs.spark_unavailable():
        pytest.skip(jobs.spark_unavailable())
    s3 = ctx.client("s3")
    bucket = f"unit-pyspark-{ctx.run_id}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="in/a.csv", Body=b"k,v\na,1\nb,2\na,3\n")
    script = _script(ctx, """
        import argparse
        from pyspark.sql import SparkSession, functions as F
        p = argparse.ArgumentParser(); p.add_argument("--input"); p.add_argument("--output")
        a = p.parse_args()
        spark = SparkSession.builder.getOrCreate()
        df = spark.read.option("header", True).option("inferSchema", True).csv(a.input)
        df.groupBy("k").agg(F.sum("v").alias("total")).coalesce(1).write.parquet(a.output)
        spark.stop()
    """)
    result = jobs.run_spark_script(ctx, script, inputs={"--input": f"s3://{bucket}/in/"},
                                   outputs={"--output": f"s3://{bucket}/out/"})
    assert result.ok, result.stderr[-2000:]
    import io

    import pyarrow.parquet as pq

    parts = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="out/")["Contents"] if o["Key"].endswith(".parquet")]
    table = pq.read_table(io.BytesIO(s3.get_object(Bucket=bucket, Key=parts[0])["Body"].read()))
    assert sorted((r["k"], r["total"]) for r in table.to_pylist()) == [("a", 4), ("b", 2)]
