"""Issue 16, practice engine: `awslabs reset LAB STEP` undoes one objective (and every later one);
`awslabs check LAB --watch` re-checks and prints only what changed."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from awslabs.catalog import Catalog
from awslabs.errors import UsageError
from awslabs.practice import Progress, check, hint, reset, start
from awslabs.settings import Settings
from awslabs.targets import make_target

from test_cli import _server_env, awslabs

FIXTURE_LABS = Path(__file__).parent / "fixtures" / "labs"
LAB = Catalog(FIXTURE_LABS).get("fixture-bucket")
BUCKET = "awslabs-fixture-bucket-practice-data"


@pytest.fixture
def moto():
    settings = Settings.load(target="moto")
    return settings, make_target(settings)


def _learner_builds_it(target):
    s3 = target.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="hello.txt", Body=b"hello")
    target.client("sqs").create_queue(QueueName="awslabs-fixture-bucket-practice-q")


def _statuses(report):
    return {o.step: o.status for o in report.scored}


def test_reset_step_undoes_that_objective_and_every_later_one(moto):
    settings, target = moto
    start(LAB, target, settings)
    _learner_builds_it(target)
    assert check(LAB, target, settings).passed
    hint(LAB, settings, target, "make_queue")
    hint(LAB, settings, target, "make_bucket")
    result = reset(LAB, target, settings, step="put_object")
    assert result.cleared == ["put_object", "make_queue"]
    deleted = {d["id"] for d in result.deleted}
    assert f"{BUCKET}/hello.txt" in deleted  # the object the step put, not its (earlier) bucket
    assert any(d.endswith("awslabs-fixture-bucket-practice-q") for d in deleted)
    assert BUCKET not in deleted
    after = check(LAB, target, settings, record=False)
    assert _statuses(after) == {"make_bucket": "passed", "put_object": "failed", "make_queue": "failed"}
    entry = Progress(settings.home).data[f"moto:{target.account}"]["fixture-bucket"]
    assert entry["passed"] is False and entry["hints"] == {"make_bucket": 1}
    assert entry["failing"] == ["put_object", "make_queue"]
    reset(LAB, target, settings)


def test_reset_step_names_the_valid_steps(moto):
    settings, target = moto
    with pytest.raises(UsageError, match="reset one of: make_bucket, put_object, make_queue"):
        reset(LAB, target, settings, step="nope")


def test_reset_removes_unrecorded_resources_with_the_exact_practice_names(moto):
    """A learner's DMS subnet group (never in the reference run or the ledger) goes with
    `awslabs reset`; one of another lab or another run with a similar name stays."""
    settings, target = moto
    lab = Catalog().get("dms-batch-migration")
    ec2 = target.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.1.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    dms = target.client("dms")
    names = ["awslabs-dms-batch-migration-practice-subnets", "awslabs-dms-batch-migration-a1b2c3-subnets",
             "awslabs-dms-batch-migrationx-practice-subnets", "awslabs-dms-batch-migration-practicex-subnets"]
    for name in names:
        dms.create_replication_subnet_group(ReplicationSubnetGroupIdentifier=name,
                                            ReplicationSubnetGroupDescription="mine", SubnetIds=[subnet])
    result = reset(lab, target, settings)
    assert "awslabs-dms-batch-migration-practice-subnets" in {d["id"] for d in result.deleted}
    left = {g["ReplicationSubnetGroupIdentifier"] for g in dms.describe_replication_subnet_groups()["ReplicationSubnetGroups"]}
    assert left == set(names[1:])


def test_cli_reset_step(moto_server, tmp_path):
    env = _server_env(moto_server)
    awslabs("reset", "fixture-bucket", "--yes", env=env)
    assert awslabs("start", "fixture-bucket", "--dir", str(tmp_path / "w"), env=env).returncode == 0
    import boto3

    kwargs = dict(endpoint_url=moto_server, region_name="us-east-1", aws_access_key_id="t", aws_secret_access_key="t")
    s3 = boto3.client("s3", **kwargs)
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="hello.txt", Body=b"hello")
    boto3.client("sqs", **kwargs).create_queue(QueueName="awslabs-fixture-bucket-practice-q")
    assert awslabs("check", "fixture-bucket", env=env).returncode == 0
    bad = awslabs("reset", "fixture-bucket", "nope", "--yes", env=env)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert [line for line in bad.stderr.splitlines() if line.startswith("awslabs:")] == [
        "awslabs: error: 'nope' is not a task of fixture-bucket; reset one of: make_bucket, put_object, make_queue."]
    bad_json = awslabs("reset", "fixture-bucket", "nope", "--yes", "--json", env=env)
    assert bad_json.returncode == 2 and json.loads(bad_json.stdout)["exit_code"] == 2
    done = awslabs("reset", "fixture-bucket", "make_queue", "--yes", "--json", env=env)
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)["labs"][0]
    assert document["step"] == "make_queue" and document["cleared"] == ["make_queue"]
    assert [d["kind"] for d in document["deleted"]] == ["sqs:queue"]
    after = json.loads(awslabs("check", "fixture-bucket", "--json", env=env).stdout)
    assert [o["status"] for o in after["objectives"] if o["role"] == "task"] == ["passed", "passed", "failed"]
    shown = awslabs("reset", "fixture-bucket", "put_object", "--yes", env=env)
    assert shown.returncode == 0 and "redo: put_object, make_queue" in shown.stdout
    awslabs("reset", "fixture-bucket", "--yes", env=env)


def _popen(*args, env):
    import os
    import subprocess
    import sys

    full = {**os.environ, "AWSLABS_LABS_DIR": str(FIXTURE_LABS), "NO_COLOR": "1", **env}
    return subprocess.Popen([sys.executable, "-m", "awslabs", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=full)


def _build_on_server(url, queue=True):
    import boto3

    kwargs = dict(endpoint_url=url, region_name="us-east-1", aws_access_key_id="t", aws_secret_access_key="t")
    s3 = boto3.client("s3", **kwargs)
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="hello.txt", Body=b"hello")
    if queue:
        boto3.client("sqs", **kwargs).create_queue(QueueName="awslabs-fixture-bucket-practice-q")


def _wait_for(_unused, proc, text, timeout=90):
    import time

    deadline = time.time() + timeout
    seen = ""
    while time.time() < deadline:
        line = proc.stdout.readline()
        seen += line
        if text in seen:
            return seen
        if not line and proc.poll() is not None:
            break
    raise AssertionError(f"never saw {text!r}: {seen}")


def test_watch_prints_only_what_changed_and_stops_when_everything_passes(moto_server, tmp_path):
    env = _server_env(moto_server)
    awslabs("reset", "fixture-bucket", "--yes", env=env)
    assert awslabs("start", "fixture-bucket", "--dir", str(tmp_path / "w"), env=env).returncode == 0
    proc = _popen("check", "fixture-bucket", "--watch", "--interval", "1", env=env)
    try:
        first = _wait_for(None, proc, "watching fixture-bucket")
        _build_on_server(moto_server)
        rest, err = proc.communicate(timeout=120)
        out = first + rest
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert "now passes: Create a bucket (make_bucket)" in out and "now passes: Create a queue (make_queue)" in out
    assert out.count("Create a bucket") == 1 + 1  # the first full report, then its change only
    assert "Put an object" in first and rest.count("Put an object") == 1
    assert "PASSED" in out
    awslabs("reset", "fixture-bucket", "--yes", env=env)


def test_watch_json_lines_and_ctrl_c(moto_server, tmp_path):
    import signal

    env = _server_env(moto_server)
    awslabs("reset", "fixture-bucket", "--yes", env=env)
    assert awslabs("start", "fixture-bucket", "--dir", str(tmp_path / "w"), env=env).returncode == 0
    proc = _popen("check", "fixture-bucket", "--watch", "--interval", "1", "--json", env=env)
    try:
        first = json.loads(proc.stdout.readline())
        assert first["first"] is True and first["score"] == {"passed": 0, "total": 3}
        _build_on_server(moto_server, queue=False)
        while True:
            line = json.loads(proc.stdout.readline())
            if line["newly_passing"]:
                break
        assert line["newly_passing"] == ["make_bucket", "put_object"] and line["passed"] is False
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    lines = [json.loads(x) for x in out.splitlines() if x.strip()]  # every line one JSON document
    assert lines[-1] == {"stopped": "interrupted", "exit_code": 130}
    assert "stopped watching" in err and "Traceback" not in err
    awslabs("reset", "fixture-bucket", "--yes", env=env)


def test_watch_takes_one_lab():
    result = awslabs("check", "--all", "--watch", env={"AWSLABS_TARGET": "server"})
    assert result.returncode == 2 and "--watch checks one lab" in result.stderr
