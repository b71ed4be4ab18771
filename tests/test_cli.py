"""The CLI as a learner meets it: subprocesses, exit codes, stdout vs stderr, no tracebacks."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

FIXTURE_LABS = Path(__file__).parent / "fixtures" / "labs"
README = Path(__file__).parents[1] / "README.md"
HEAVY = ("boto3", "botocore", "moto", "sklearn", "pandas", "matplotlib", "duckdb", "pyarrow", "optuna")
AWS_STANDIN = {"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "y"}


def awslabs(*args, env=None, stdin=subprocess.DEVNULL, timeout=120):
    full_env = {**os.environ, "AWSLABS_LABS_DIR": str(FIXTURE_LABS), "NO_COLOR": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "awslabs", *args],
        capture_output=True, text=True, env=full_env, stdin=stdin, timeout=timeout,
    )


def one_clear_line(result, code):
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    lines = [line for line in result.stderr.splitlines() if line.startswith("awslabs:")]
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize("argv", [["--help"], ["list"], ["list", "--json"], ["show", "fixture-bucket"], ["run", "--help"]])
def test_fast_commands_do_not_import_boto3_moto_or_ml_libraries(argv):
    code = (
        "import sys; from awslabs.cli import main\n"
        f"sys.argv = ['awslabs', *{argv!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"heavy = sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})\n"
        "print('HEAVY=' + ','.join(heavy), file=sys.stderr)"
    )
    env = {**os.environ, "AWSLABS_LABS_DIR": str(FIXTURE_LABS)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert "HEAVY=\n" in result.stderr or result.stderr.rstrip().endswith("HEAVY="), result.stderr


def test_every_command_has_help_and_a_readme_section():
    from awslabs.cli import main

    readme = README.read_text()
    for name, command in main.commands.items():
        assert command.help and len(command.help) > 20, f"{name} has no help"
        assert f"awslabs {name}" in readme, f"README does not mention `awslabs {name}`"


def test_list_json_is_one_document_on_stdout():
    result = awslabs("list", "--json")
    assert result.returncode == 0
    data = json.loads(result.stdout)
    assert data[0]["id"] == "fixture-bucket" and data[0]["services"] == ["s3", "sqs"]


def test_run_json_prints_only_the_report():
    result = awslabs("run", "fixture-bucket", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["passed"] is True and report["target"] == "moto"
    assert {"lab", "target", "account", "region", "run_id", "steps", "passed", "cleanup"} <= set(report)
    step = report["steps"][0]
    assert {"id", "status", "seconds", "checks"} <= set(step)
    assert set(step["checks"][0]) >= {"name", "ok", "message", "verified_by"}
    assert report["cleanup"]["leftover"] == [] and len(report["cleanup"]["deleted"]) == 2


def test_run_human_output_has_marks_labels_and_no_colour_when_piped():
    result = awslabs("run", "fixture-bucket")
    assert result.returncode == 0, result.stderr
    assert "✔ the bucket exists" in result.stdout and "[emulated]" in result.stdout
    assert "↷" in result.stdout and "[aws-only]" in result.stdout
    assert "\x1b[" not in result.stdout + result.stderr


def test_unknown_lab_exits_2_with_suggestions():
    line = one_clear_line(awslabs("run", "fixture-buckt"), 2)
    assert "Did you mean: fixture-bucket?" in line


def test_selftest_mutations_exits_0_when_every_mutant_is_killed():
    result = awslabs("selftest", "--mutations", "fixture-bucket")
    assert result.returncode == 0, (result.stdout, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr
    # one line per mutant on stderr (the fixture lab has three steps, one no-op mutant each)
    assert len(re.findall(r"^✔ fixture-bucket/\w+ \[no-op\] killed", result.stderr, re.M)) == 3, result.stderr
    assert re.search(r"^fixture-bucket\s+3/3\s+3/3\s+100 %$", result.stdout, re.M), result.stdout


def test_selftest_mutations_json_is_one_document_on_stdout():
    result = awslabs("selftest", "--mutations", "fixture-bucket", "--step", "make_bucket", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)  # the whole of stdout is one document
    assert data["kill_rates"]["fixture-bucket"]["mutants"] == data["kill_rates"]["fixture-bucket"]["killed"] == 1
    [mutant] = data["mutants"]
    assert mutant["verdict"] == "killed"


@pytest.mark.parametrize("json_flag", [[], ["--json"]])
def test_selftest_unknown_lab_is_one_line_and_exit_2(json_flag):
    result = awslabs("selftest", "--mutations", "fixture-buckt", *json_flag)
    line = one_clear_line(result, 2)
    assert "Did you mean: fixture-bucket?" in line
    if json_flag:
        assert json.loads(result.stdout)["exit_code"] == 2
    else:
        assert result.stdout == ""


def test_bad_target_is_a_usage_error():
    result = awslabs("run", "fixture-bucket", "--target", "azure")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    one_clear_line(awslabs("run", "fixture-bucket", env={"AWSLABS_TARGET": "azure"}), 2)


def test_run_needs_a_lab_or_all():
    one_clear_line(awslabs("run"), 2)


def test_unreachable_endpoint_exits_4():
    line = one_clear_line(awslabs("run", "fixture-bucket", "--target", "server", "--endpoint-url", "http://127.0.0.1:9"), 4)
    assert "awslabs serve" in line


def test_missing_credentials_exit_4(moto_server):
    env = {"AWS_SHARED_CREDENTIALS_FILE": "/nonexistent", "AWS_CONFIG_FILE": "/nonexistent",
           "AWSLABS_AWS_ENDPOINT_URL": moto_server, "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""}
    line = one_clear_line(awslabs("run", "fixture-bucket", "--target", "aws", env=env), 4)
    assert "no AWS credentials" in line


def test_account_not_allow_listed_exits_4(moto_server):
    env = {**AWS_STANDIN, "AWSLABS_AWS_ENDPOINT_URL": moto_server}
    line = one_clear_line(awslabs("run", "fixture-bucket", "--target", "aws", env=env), 4)
    assert "123456789012 is not allow-listed" in line and "AWSLABS_ALLOWED_ACCOUNTS" in line


def test_no_tty_without_yes_refuses_to_prompt_and_creates_nothing(moto_server, awslabs_home):
    env = {**AWS_STANDIN, "AWSLABS_AWS_ENDPOINT_URL": moto_server, "AWSLABS_ALLOWED_ACCOUNTS": "123456789012"}
    line = one_clear_line(awslabs("run", "fixture-bucket", "--target", "aws", env=env), 4)
    assert "--yes" in line
    assert "Plan on a real AWS account" in awslabs("run", "fixture-bucket", "--target", "aws", env=env).stderr
    assert not (awslabs_home / "ledger.jsonl").exists()


def test_allow_listed_aws_target_with_yes_runs_tags_and_cleans_up(moto_server, awslabs_home):
    env = {**AWS_STANDIN, "AWSLABS_AWS_ENDPOINT_URL": moto_server, "AWSLABS_ALLOWED_ACCOUNTS": "123456789012"}
    result = awslabs("run", "fixture-bucket", "--target", "aws", "--yes", "--json", env=env)
    report = json.loads(result.stdout)
    # the fixture's aws-only step really runs on the aws target (and fails by design)
    assert report["steps"][3]["status"] == "failed"
    assert result.returncode == 1
    assert report["steps"][0]["checks"][0]["verified_by"] == "aws"
    assert report["cleanup"]["leftover"] == [] and len(report["cleanup"]["deleted"]) == 2
    ledger = [json.loads(line) for line in (awslabs_home / "ledger.jsonl").read_text().splitlines()]
    assert [r["op"] for r in ledger] == ["create", "create", "deleted", "deleted"]


def _server_env(url):
    return {"AWSLABS_TARGET": "server", "AWSLABS_ENDPOINT_URL": url}


def _leftover_buckets(url):
    import boto3

    s3 = boto3.client("s3", endpoint_url=url, region_name="us-east-1",
                      aws_access_key_id="testing", aws_secret_access_key="testing")
    return [b["Name"] for b in s3.list_buckets()["Buckets"] if b["Name"].startswith("awslabs-fixture-bucket-")]


def _run_until_paused(url, tmp_path, extra_env=None):
    marker = tmp_path / "paused"
    env = {**os.environ, "AWSLABS_LABS_DIR": str(FIXTURE_LABS), "NO_COLOR": "1",
           "AWSLABS_FIXTURE_PAUSE": str(marker), **_server_env(url), **(extra_env or {})}
    proc = subprocess.Popen([sys.executable, "-m", "awslabs", "run", "fixture-bucket"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.time() + 60
    while not marker.exists() and time.time() < deadline:
        time.sleep(0.05)
    assert marker.exists(), proc.communicate(timeout=5)
    return proc, marker.read_text()


def test_ctrl_c_cleans_up_and_exits_130(moto_server, tmp_path):
    proc, run_id = _run_until_paused(moto_server, tmp_path)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert "interrupted: cleaned up 1 resource(s), 0 left" in err
    assert not any(run_id in b for b in _leftover_buckets(moto_server))


def test_killed_run_leaves_a_ledger_that_cleanup_empties(moto_server, tmp_path, awslabs_home):
    proc, run_id = _run_until_paused(moto_server, tmp_path)
    proc.kill()
    proc.wait(timeout=10)
    assert any(run_id in b for b in _leftover_buckets(moto_server))
    with open(awslabs_home / "ledger.jsonl", "a") as fh:
        fh.write("this line is corrupt\n")
    result = awslabs("cleanup", "--all", "--json")
    assert result.returncode == 0, result.stderr
    assert "corrupt" in result.stderr
    deleted = json.loads(result.stdout)["deleted"]
    assert {"kind": "s3:bucket", "id": f"awslabs-fixture-bucket-{run_id}-data"} in deleted
    assert not any(run_id in b for b in _leftover_buckets(moto_server))
    again = awslabs("cleanup", "--all", "--json")  # idempotent
    assert again.returncode == 0 and json.loads(again.stdout)["deleted"] == []


def test_sweep_finds_leftovers_by_tag(moto_server):
    result = awslabs("run", "fixture-bucket", "--keep", "--json", env=_server_env(moto_server))
    run_id = json.loads(result.stdout)["run_id"]
    swept = awslabs("cleanup", "--sweep", "--run", run_id, "--json", env=_server_env(moto_server))
    assert swept.returncode == 0, swept.stderr
    kinds = {d["kind"] for d in json.loads(swept.stdout)["deleted"]}
    assert "s3:bucket" in kinds and "sqs:queue" in kinds


def test_cleanup_needs_a_selector():
    one_clear_line(awslabs("cleanup"), 2)


def test_serve_refuses_a_port_in_use(moto_server):
    port = moto_server.rsplit(":", 1)[1]
    line = one_clear_line(awslabs("serve", "--port", port), 4)
    assert "in use" in line


def test_doctor_on_moto_and_on_an_unreachable_server():
    result = awslabs("doctor", "--json")
    assert result.returncode == 0 and json.loads(result.stdout)["ok"] is True
    line = one_clear_line(awslabs("doctor", "--target", "server", "--endpoint-url", "http://127.0.0.1:9"), 4)
    assert "awslabs serve" in line


def test_real_credentials_with_moto_target_are_mentioned_once():
    result = awslabs("run", "fixture-bucket", env={"AWS_ACCESS_KEY_ID": "AKIAREAL", "AWS_SECRET_ACCESS_KEY": "s"})
    assert result.returncode == 0
    assert result.stderr.count("the target is moto") == 1


def test_version():
    result = awslabs("--version")
    assert result.returncode == 0 and re.search(r"\d+\.\d+\.\d+", result.stdout)


def test_practice_refuses_the_in_process_target():
    line = one_clear_line(awslabs("start", "fixture-bucket", "--target", "moto"), 2)
    assert "awslabs serve" in line


def test_practice_loop_against_the_server(moto_server, tmp_path):
    env = _server_env(moto_server)
    awslabs("reset", "fixture-bucket", "--yes", env=env)
    started = awslabs("start", "fixture-bucket", "--dir", str(tmp_path / "work"), env=env)
    assert started.returncode == 0, started.stderr
    assert "awslabs-fixture-bucket-practice-data" in started.stdout
    assert (tmp_path / "work" / "fixture-bucket" / "practice.py").exists()
    before = awslabs("check", "fixture-bucket", "--json", env=env)
    assert before.returncode == 1 and json.loads(before.stdout)["score"] == {"passed": 0, "total": 3}
    first = awslabs("hint", "fixture-bucket", env=env)
    assert "hint 1/3" in first.stdout
    import boto3

    kwargs = dict(endpoint_url=moto_server, region_name="us-east-1", aws_access_key_id="t", aws_secret_access_key="t")
    s3 = boto3.client("s3", **kwargs)
    s3.create_bucket(Bucket="awslabs-fixture-bucket-practice-data")
    s3.put_object(Bucket="awslabs-fixture-bucket-practice-data", Key="hello.txt", Body=b"hello")
    boto3.client("sqs", **kwargs).create_queue(QueueName="awslabs-fixture-bucket-practice-q")
    junit = tmp_path / "junit.xml"
    after = awslabs("check", "--all", "--json", "--junit", str(junit), env=env)
    assert after.returncode == 0, after.stdout + after.stderr
    assert json.loads(after.stdout)["summary"] == {"labs": 1, "passed": 1, "score": {"passed": 3, "total": 3}}
    assert "<testsuite name=\"fixture-bucket\"" in junit.read_text()
    progress = json.loads(awslabs("progress", "--json", env=env).stdout)
    entry = next(iter(progress.values()))["fixture-bucket"]
    assert entry["passed"] is True and entry["hints"] == {"make_bucket": 1}
    assert "def apply_make_bucket" in awslabs("solution", "fixture-bucket", env=env).stdout
    reset = awslabs("reset", "fixture-bucket", "--yes", env=env)
    assert reset.returncode == 0 and "2 resource(s) deleted" in reset.stdout
    assert not _leftover_buckets(moto_server) or all("practice" not in b for b in _leftover_buckets(moto_server))


def test_reset_without_a_terminal_needs_yes(moto_server):
    one_clear_line(awslabs("reset", "fixture-bucket", env=_server_env(moto_server)), 2)


def test_practice_work_survives_a_server_restart_with_state(tmp_path):
    """The issue's promise: do a lab by hand against `awslabs serve --state`, stop the server,
    come back, and `awslabs check` still sees the work."""
    from conftest import free_port, wait_for_port

    port, state = free_port(), tmp_path / "state.jsonl"
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "NO_COLOR": "1", "AWSLABS_LABS_DIR": str(FIXTURE_LABS)}

    def serve():
        proc = subprocess.Popen([sys.executable, "-m", "awslabs", "serve", "--port", str(port), "--state", str(state)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        wait_for_port(port)
        return proc

    server = serve()
    try:
        assert awslabs("start", "fixture-bucket", "--dir", str(tmp_path / "w"), env=_server_env(url)).returncode == 0
        import boto3

        kwargs = dict(endpoint_url=url, region_name="us-east-1", aws_access_key_id="t", aws_secret_access_key="t")
        s3 = boto3.client("s3", **kwargs)
        s3.create_bucket(Bucket="awslabs-fixture-bucket-practice-data")
        s3.put_object(Bucket="awslabs-fixture-bucket-practice-data", Key="hello.txt", Body=b"hello")
        boto3.client("sqs", **kwargs).create_queue(QueueName="awslabs-fixture-bucket-practice-q")
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=20)
    server = serve()
    try:
        result = awslabs("check", "fixture-bucket", "--json", env=_server_env(url))
        assert result.returncode == 0, result.stdout + result.stderr
        assert json.loads(result.stdout)["score"] == {"passed": 3, "total": 3}
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=20)
