"""Cleanup and sweep touch only what awslabs recorded or tagged for exactly the run/lab asked for;
the ledger survives anything written into it; bad input and environment problems are one line
and exit 2/4, never 1 (issue 15)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from awslabs.cleanup import delete_entries, sweep
from awslabs.ledger import Entry, Ledger
from awslabs.settings import Settings
from awslabs.targets import make_target

FIXTURE_LABS = Path(__file__).parent / "fixtures" / "labs"
RUN_SHAPED = "abc123"


def awslabs(*args, env=None, timeout=120):
    full_env = {**os.environ, "AWSLABS_LABS_DIR": str(FIXTURE_LABS), "NO_COLOR": "1", **(env or {})}
    return subprocess.run([sys.executable, "-m", "awslabs", *args], capture_output=True, text=True,
                          env=full_env, stdin=subprocess.DEVNULL, timeout=timeout)


def one_clear_line(result, code):
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    lines = [line for line in result.stderr.splitlines() if line.startswith("awslabs:")]
    assert len(lines) == 1, result.stderr
    return lines[0]


def moto():
    settings = Settings.load(target="moto")
    return make_target(settings)


def _server_env(url):
    return {"AWSLABS_TARGET": "server", "AWSLABS_ENDPOINT_URL": url}


def _boto(url, service):
    import boto3

    return boto3.client(service, endpoint_url=url, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def _stream(kinesis, name):
    kinesis.create_stream(StreamName=name, ShardCount=1)


# -- 1. sweep filters are exact -------------------------------------------------------------------
def test_sweep_lab_and_run_filters_match_exact_ids_never_substrings():
    target = moto()
    kinesis, s3 = target.client("kinesis"), target.client("s3")
    _stream(kinesis, "awslabs-kinesis-data-streams-abc123-orders")
    _stream(kinesis, "awslabs-kinesis-firehose-def456-source")
    _stream(kinesis, "awslabs-sqs-queues-0a0b0c-data")  # "data" is a suffix, not a run id
    s3.create_bucket(Bucket="awslabs-glue-etl-0a0b0c-data")
    s3.put_bucket_tagging(Bucket="awslabs-glue-etl-0a0b0c-data", Tagging={"TagSet": [
        {"Key": "awslabs:lab", "Value": "glue-etl"}, {"Key": "awslabs:run", "Value": "0a0b0c"}]})
    assert sweep(target, lab="kinesis") == []  # not a lab id: matches nothing
    assert sweep(target, run="data") == []  # part of a name, not a run id
    assert sweep(target, run="abc") == []
    assert sweep(target, lab="kinesis-data-streams") == [("kinesis:stream", "awslabs-kinesis-data-streams-abc123-orders")]
    assert sweep(target, run="0a0b0c") == [("kinesis:stream", "awslabs-sqs-queues-0a0b0c-data"),
                                           ("s3:bucket", "awslabs-glue-etl-0a0b0c-data")]
    assert sweep(target, lab="glue-etl", run="0a0b0c") == [("s3:bucket", "awslabs-glue-etl-0a0b0c-data")]
    assert len(sweep(target)) == 4


def test_sweep_leaves_practice_resources_unless_asked_for():
    target = moto()
    kinesis, s3 = target.client("kinesis"), target.client("s3")
    _stream(kinesis, "awslabs-kinesis-data-streams-practice-orders")  # made by hand: no tags
    s3.create_bucket(Bucket="awslabs-s3-storage-classes-practice-data")
    s3.put_bucket_tagging(Bucket="awslabs-s3-storage-classes-practice-data", Tagging={"TagSet": [
        {"Key": "awslabs:lab", "Value": "s3-storage-classes"}, {"Key": "awslabs:run", "Value": "practice"}]})
    _stream(kinesis, "awslabs-kinesis-data-streams-abc123-orders")
    assert sweep(target) == [("kinesis:stream", "awslabs-kinesis-data-streams-abc123-orders")]
    assert len(sweep(target, include_practice=True)) == 3
    assert sweep(target, run="practice", lab="kinesis-data-streams") == [
        ("kinesis:stream", "awslabs-kinesis-data-streams-practice-orders")]


def test_sweep_finds_shortened_names_by_their_lab_digest():
    from awslabs.catalog import Catalog
    from awslabs.context import LabContext

    target = moto()
    lab = Catalog().get("kinesis-data-analytics")
    ctx = LabContext(lab, target, Ledger(None), "beef01")
    names = [ctx.name("s", max_len=30), ctx.name("orders", max_len=34)]  # the cut ends on "-", or not
    for name in names:
        assert "kinesis-data-analytics" not in name
        _stream(target.client("kinesis"), name)
    assert sweep(target, lab="kinesis-data-analytics") == sorted(("kinesis:stream", n) for n in names)
    assert sweep(target, lab="kinesis-data-streams") == []


def test_cleanup_unknown_lab_exits_2_with_the_closest_ids():
    line = one_clear_line(awslabs("cleanup", "--lab", "fixture-buckt", "--sweep", "--yes"), 2)
    assert "fixture-bucket" in line


@pytest.mark.server
def test_sweep_lists_what_it_will_delete_and_refuses_without_a_terminal_or_yes(moto_server, awslabs_home):
    kept = awslabs("run", "fixture-bucket", "--keep", "--json", env=_server_env(moto_server))
    run_id = json.loads(kept.stdout)["run_id"]
    bucket = f"awslabs-fixture-bucket-{run_id}-data"
    (awslabs_home / "ledger.jsonl").unlink()  # only the sweep can find them now
    refused = awslabs("cleanup", "--sweep", "--run", run_id, env=_server_env(moto_server))
    line = one_clear_line(refused, 4)
    assert "--yes" in line and bucket in refused.stderr
    assert bucket in [b["Name"] for b in _boto(moto_server, "s3").list_buckets()["Buckets"]]
    done = awslabs("cleanup", "--sweep", "--run", run_id, "--yes", "--json", env=_server_env(moto_server))
    assert done.returncode == 0, done.stderr
    assert {"kind": "s3:bucket", "id": bucket} in json.loads(done.stdout)["deleted"]


# -- 2./3. the ledger survives anything ----------------------------------------------------------
def _entry(rid, run="r00001", kind="s3:bucket", **kw):
    return Entry(run, "fixture-bucket", kw.pop("target", "server"), "us-east-1", kind, rid, **kw)


@pytest.mark.parametrize("line", ["[1, 2, 3]", "42", "null", '"text"', "true",
                                  '{"op": "create", "run": "r", "lab": "l", "target": "server", "region": "us-east-1", '
                                  '"kind": "s3:bucket", "id": "x", "ts": "yesterday"}',
                                  '{"op": "deleted", "run": "r", "kind": "s3:bucket", "id": "b1", "ts": [1]}',
                                  '{"op": "create", "run": "r", "lab": "l", "target": "server", "region": "us-east-1", '
                                  '"kind": "s3:bucket", "id": "y", "extra": [1]}'])
def test_a_valid_json_line_of_the_wrong_shape_is_reported_and_skipped(tmp_path, line):
    ledger = Ledger(tmp_path / "ledger.jsonl")
    ledger.record_create(_entry("b1"))
    with open(ledger.path, "a") as fh:
        fh.write(line + "\n")
    ledger.record_create(_entry("q1", kind="sqs:queue"))
    assert [e.id for e in ledger.pending()] == ["b1", "q1"]
    assert len(ledger.problems) == 1 and ":2:" in ledger.problems[0]


def test_a_torn_last_line_never_swallows_the_next_record(tmp_path):
    ledger = Ledger(tmp_path / "ledger.jsonl")
    ledger.record_create(_entry("b1"))
    with open(ledger.path, "a") as fh:
        fh.write('{"op": "create", "run": "r00001", "ki')  # a crash mid-write
    ledger.record_create(_entry("q1", kind="sqs:queue"))
    assert [e.id for e in ledger.pending()] == ["b1", "q1"]
    assert len(ledger.problems) == 1


def test_an_unterminated_tail_is_reported_and_skipped_when_torn(tmp_path):
    ledger = Ledger(tmp_path / "ledger.jsonl")
    ledger.record_create(_entry("b1"))
    with open(ledger.path, "a") as fh:
        fh.write('{"op": "create", "run": "r00001", "ki')
    assert [e.id for e in ledger.pending()] == ["b1"]
    assert "unterminated" in ledger.problems[0]


_APPENDER = """
import sys
from awslabs.ledger import Entry, Ledger
ledger = Ledger(__import__("pathlib").Path(sys.argv[1]))
for i in range(int(sys.argv[3])):
    ledger.record_create(Entry(sys.argv[2], "lab", "server", "us-east-1", "s3:bucket", f"{sys.argv[2]}-{i}",
                               extra={"pad": "x" * 3000}))
"""


def test_two_processes_appending_at_once_lose_nothing(tmp_path):
    path = tmp_path / "ledger.jsonl"
    procs = [subprocess.Popen([sys.executable, "-c", _APPENDER, str(path), run, "150"]) for run in ("aaaaaa", "bbbbbb")]
    assert all(p.wait(timeout=120) == 0 for p in procs)
    ledger = Ledger(path)
    assert len(ledger.pending()) == 300 and ledger.problems == []


def test_ledger_that_is_a_directory_is_a_usage_error(tmp_path):
    from awslabs.errors import UsageError

    (tmp_path / "ledger.jsonl").mkdir()
    ledger = Ledger(tmp_path / "ledger.jsonl")
    with pytest.raises(UsageError, match="ledger"):
        ledger.pending()
    with pytest.raises(UsageError, match="ledger"):
        ledger.record_create(_entry("b1"))


def test_a_ledger_record_with_an_unknown_target_is_reported_not_treated_as_aws(tmp_path):
    ledger = Ledger(tmp_path / "ledger.jsonl")
    ledger.record_create(_entry("b1", target="azure"))
    assert ledger.pending() == [] and "unknown target 'azure'" in ledger.problems[0]


def test_every_create_records_the_process_that_made_it(tmp_path):
    ledger = Ledger(tmp_path / "ledger.jsonl")
    ledger.record_create(_entry("b1"))
    assert ledger.pending()[0].pid == os.getpid()


# -- CLI: the ledger from the command line -------------------------------------------------------
def _write_ledger(home: Path, *records):
    home.mkdir(parents=True, exist_ok=True)
    with open(home / "ledger.jsonl", "a") as fh:
        for record in records:
            fh.write((record if isinstance(record, str) else json.dumps(record)) + "\n")


def _create(rid, endpoint, run="c0ffee", kind="s3:bucket", region="us-east-1", target="server", **kw):
    return {"op": "create", "run": run, "lab": "fixture-bucket", "target": target, "region": region,
            "kind": kind, "id": rid, "endpoint": endpoint, "account": "123456789012", "extra": {},
            "ts": 1.0, **kw}


@pytest.mark.server
def test_cleanup_skips_corrupt_shapes_and_still_deletes_the_rest(moto_server, awslabs_home):
    _boto(moto_server, "s3").create_bucket(Bucket="awslabs-fixture-bucket-c0ffee-data")
    _write_ledger(awslabs_home, "[1,2,3]", "null", _create("awslabs-fixture-bucket-c0ffee-data", moto_server),
                  {**_create("x", moto_server), "ts": "soon"})
    result = awslabs("cleanup", "--all", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["deleted"] == [{"kind": "s3:bucket", "id": "awslabs-fixture-bucket-c0ffee-data"}]
    assert result.stderr.count("skipped") == 3


@pytest.mark.server
def test_a_run_succeeds_beside_a_ledger_with_non_object_lines(moto_server, awslabs_home):
    _write_ledger(awslabs_home, "[1,2,3]", "42")
    result = awslabs("run", "fixture-bucket", "--json", env=_server_env(moto_server))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["cleanup"]["leftover"] == []


# -- 4. unreachable endpoints do not stop cleanup ---------------------------------------------------
@pytest.mark.server
def test_cleanup_all_continues_past_an_unreachable_endpoint_and_exits_3(moto_server, awslabs_home):
    _boto(moto_server, "s3").create_bucket(Bucket="awslabs-fixture-bucket-c0ffee-data")
    _write_ledger(awslabs_home, _create("awslabs-fixture-bucket-d0d0d0-data", "http://127.0.0.1:9", run="d0d0d0"),
                  _create("awslabs-fixture-bucket-c0ffee-data", moto_server))
    result = awslabs("cleanup", "--all", "--json")
    assert result.returncode == 3, result.stderr
    data = json.loads(result.stdout)
    assert data["deleted"] == [{"kind": "s3:bucket", "id": "awslabs-fixture-bucket-c0ffee-data"}]
    assert [item["id"] for item in data["leftover"]] == ["awslabs-fixture-bucket-d0d0d0-data"]
    assert "http://127.0.0.1:9" in data["leftover"][0]["error"]
    assert "could not reach http://127.0.0.1:9" in result.stderr


# -- 5. regions, endpoints that are not AWS, creates that never happened ---------------------------
class _NotAws(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802
        body = b"<html><body>hello</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST

    def log_message(self, *args):
        pass


@pytest.fixture()
def not_aws():
    server = HTTPServer(("127.0.0.1", 0), _NotAws)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("region,suggestion", [("mars-1", None), ("us east 1", "us-east-1"), ("eu-west-9", "eu-west-1")])
def test_a_region_botocore_does_not_know_is_a_usage_error_before_any_work(region, suggestion, awslabs_home):
    line = one_clear_line(awslabs("run", "fixture-bucket", "--region", region), 2)
    assert "region" in line
    if suggestion:
        assert suggestion in line
    assert not (awslabs_home / "ledger.jsonl").exists()


def test_an_endpoint_that_does_not_answer_like_aws_is_unavailable(not_aws, awslabs_home):
    line = one_clear_line(awslabs("run", "fixture-bucket", "--target", "server", "--endpoint-url", not_aws), 4)
    assert "STS" in line or "AWS" in line
    assert not (awslabs_home / "ledger.jsonl").exists()


def test_entries_whose_create_could_never_succeed_are_cleared_as_gone(not_aws, awslabs_home):
    _write_ledger(awslabs_home, _create("awslabs-fixture-bucket-c0ffee-data", "http://127.0.0.1:9", region="mars-1"),
                  _create("awslabs-fixture-bucket-c0ffee-q", not_aws, kind="sqs:queue"))
    result = awslabs("cleanup", "--all", "--json")
    assert result.returncode == 0, result.stderr
    notes = json.loads(result.stdout)["notes"]
    assert sorted(n["id"] for n in notes) == ["awslabs-fixture-bucket-c0ffee-data", "awslabs-fixture-bucket-c0ffee-q"]
    assert Ledger.for_home(awslabs_home).pending() == []


# -- 6. usage and environment problems exit 2 (or 4), never 1 ------------------------------------------
@pytest.mark.parametrize("ttl", ["inf", "nan", "-5", "0", "1e12"])
def test_a_ttl_that_is_not_a_positive_number_of_hours_is_a_usage_error(ttl):
    line = one_clear_line(awslabs("run", "fixture-bucket", env={"AWSLABS_TTL_HOURS": ttl}), 2)
    assert "AWSLABS_TTL_HOURS" in line


@pytest.mark.parametrize("port", ["99999", "-1"])
def test_serve_on_an_impossible_port_is_a_usage_error(port):
    result = awslabs("serve", "--port", port, timeout=60)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr


# doctor with --json: main restored render.py's Table import after this branch was cut
@pytest.mark.parametrize("command", [["run", "fixture-bucket"], ["cleanup", "--all"], ["doctor", "--json"], ["progress"],
                                     ["run", "fixture-bucket", "--target", "server", "--endpoint-url", "http://127.0.0.1:9"]])
def test_an_awslabs_home_that_is_a_file_is_diagnosed_up_front(tmp_path, command):
    home = tmp_path / "home-file"
    home.write_text("not a folder")
    line = one_clear_line(awslabs(*command, env={"AWSLABS_HOME": str(home)}), 2)
    assert "AWSLABS_HOME" in line and str(home) in line


@pytest.mark.parametrize("command", [["run", "fixture-bucket", "--target", "server", "--endpoint-url", "http://127.0.0.1:9"],
                                     ["cleanup", "--all"], ["doctor", "--json"]])
def test_a_ledger_that_is_a_directory_is_diagnosed_up_front(awslabs_home, command):
    (awslabs_home / "ledger.jsonl").mkdir(parents=True)
    line = one_clear_line(awslabs(*command), 2)
    assert "ledger" in line


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads and writes any folder")
def test_an_unreadable_awslabs_home_is_diagnosed_up_front(awslabs_home):
    awslabs_home.mkdir()
    awslabs_home.chmod(0)
    try:
        one_clear_line(awslabs("cleanup", "--all"), 2)
    finally:
        awslabs_home.chmod(0o700)


def test_doctor_reports_an_unusable_home_as_a_finding(tmp_path):
    home = tmp_path / "home-file"
    home.write_text("x")
    result = awslabs("doctor", "--json", env={"AWSLABS_HOME": str(home)})
    assert result.returncode == 2
    findings = json.loads(result.stdout)["findings"]
    assert any(f["what"] == "AWSLABS_HOME" and f["status"] == "error" for f in findings)


# -- 7. --json always prints one document --------------------------------------------------------------
@pytest.mark.parametrize("argv,code", [
    (["run", "fixture-buckt", "--json"], 2),
    (["run", "fixture-bucket", "--json", "--target", "server", "--endpoint-url", "http://127.0.0.1:9"], 4),
    (["run", "fixture-bucket", "--json", "--target", "azure"], 2),
    (["run", "--json"], 2),
    (["cleanup", "--json"], 2),
    (["cleanup", "--all", "--json", "--lab", "nope"], 2),
    (["doctor", "--json", "--region", "mars-1"], 2),
    (["check", "fixture-bucket", "--json", "--endpoint-url", "http://127.0.0.1:9"], 4),
    (["progress", "--json"], None),
])
def test_json_prints_exactly_one_document_also_on_early_errors(argv, code, tmp_path):
    env = {"AWSLABS_HOME": str(tmp_path / "file")} if code is None else {}
    if code is None:
        (tmp_path / "file").write_text("x")
        code = 2
    result = awslabs(*argv, env=env)
    assert result.returncode == code, result.stderr
    data = json.loads(result.stdout)
    assert data["exit_code"] == code and data["error"]
    assert "Traceback" not in result.stderr


# -- 10. the minor ones --------------------------------------------------------------------------------
def test_cleanup_run_and_all_together_is_a_usage_error():
    one_clear_line(awslabs("cleanup", "--run", "abc123", "--all"), 2)


@pytest.mark.server
def test_cleanup_all_skips_runs_whose_process_is_still_alive(moto_server, awslabs_home):
    _boto(moto_server, "s3").create_bucket(Bucket="awslabs-fixture-bucket-c0ffee-data")
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        _write_ledger(awslabs_home, _create("awslabs-fixture-bucket-c0ffee-data", moto_server, pid=sleeper.pid,
                                            host=__import__("socket").gethostname()))
        result = awslabs("cleanup", "--all", "--json")
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["deleted"] == []
        assert "still running" in result.stderr
        assert "awslabs-fixture-bucket-c0ffee-data" in [b["Name"] for b in _boto(moto_server, "s3").list_buckets()["Buckets"]]
    finally:
        sleeper.kill()
        sleeper.wait()
    result = awslabs("cleanup", "--all", "--json")
    assert json.loads(result.stdout)["deleted"] == [{"kind": "s3:bucket", "id": "awslabs-fixture-bucket-c0ffee-data"}]


def test_serve_port_0_prints_the_port_it_got():
    proc = subprocess.Popen([sys.executable, "-m", "awslabs", "serve", "--port", "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, "NO_COLOR": "1"})
    try:
        line = proc.stdout.readline()
        assert line.startswith("export AWS_ENDPOINT_URL=http://127.0.0.1:"), line
        port = int(line.rsplit(":", 1)[1])
        assert port > 0
        import socket

        socket.create_connection(("127.0.0.1", port), timeout=5).close()
        proc.terminate()  # right after start: used to deadlock the SIGTERM handler
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


# -- 8. emr-spark leaves no running instances on the server ------------------------------------------
def _running_instances(url) -> set[str]:
    ec2 = _boto(url, "ec2")
    found = ec2.describe_instances(Filters=[{"Name": "instance-state-name", "Values": ["pending", "running"]}])
    return {i["InstanceId"] for r in found["Reservations"] for i in r["Instances"]}


def _real_labs(env):
    return {**env, "AWSLABS_LABS_DIR": ""}


@pytest.mark.server
def test_emr_spark_terminates_the_instances_moto_leaves_running(moto_server):
    before = _running_instances(moto_server)
    result = awslabs("run", "emr-spark", "--json", env=_real_labs(_server_env(moto_server)))
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr
    assert _running_instances(moto_server) == before


@pytest.mark.server
def test_sweep_finds_the_instances_of_a_terminated_emr_cluster(moto_server, awslabs_home):
    before = _running_instances(moto_server)
    kept = awslabs("run", "emr-spark", "--keep", "--json", env=_real_labs(_server_env(moto_server)))
    assert kept.returncode == 0, kept.stderr
    assert len(_running_instances(moto_server) - before) == 6  # the lab terminated both clusters itself
    (awslabs_home / "ledger.jsonl").unlink()  # only the sweep can find them now
    swept = awslabs("cleanup", "--sweep", "--lab", "emr-spark", "--yes", "--json",
                    env=_real_labs(_server_env(moto_server)))
    assert swept.returncode == 0, swept.stderr
    assert sum(d["kind"] == "ec2:instance" for d in json.loads(swept.stdout)["deleted"]) == 6
    assert _running_instances(moto_server) == before
