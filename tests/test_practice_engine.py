"""Practice mode on the fixture catalogue: start, check, hints, solution, progress, reset, JUnit."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from awslabs.catalog import Catalog
from awslabs.errors import UsageError
from awslabs.junit import junit_xml
from awslabs.practice import Progress, check, hint, reset, selftest, solution, start
from awslabs.reference import cli_command
from awslabs.settings import Settings
from awslabs.targets import make_target

FIXTURE_LABS = Path(__file__).parent / "fixtures" / "labs"
LAB = Catalog(FIXTURE_LABS).get("fixture-bucket")


@pytest.fixture
def moto():
    settings = Settings.load(target="moto")
    return settings, make_target(settings)


def _learner_builds_it(target):
    s3 = target.client("s3")
    s3.create_bucket(Bucket="awslabs-fixture-bucket-practice-data")
    s3.put_object(Bucket="awslabs-fixture-bucket-practice-data", Key="hello.txt", Body=b"hello")
    target.client("sqs").create_queue(QueueName="awslabs-fixture-bucket-practice-q")


def test_start_lists_objectives_with_required_names_and_writes_starter_files(moto, tmp_path):
    settings, target = moto
    result = start(LAB, target, settings, tmp_path / "work")
    tasks = [o for o in result.objectives if o.role == "task"]
    assert [o.step for o in tasks] == ["make_bucket", "put_object", "make_queue"]
    assert tasks[0].names == ["awslabs-fixture-bucket-practice-data"]
    assert [o.role for o in result.objectives][-1] == "aws-only"
    script = (tmp_path / "work" / "fixture-bucket" / "practice.py").read_text()
    assert "def step_1_make_bucket" in script and "awslabs-fixture-bucket-practice-data" in script
    compile(script, "practice.py", "exec")


def test_check_scores_what_the_learner_built(moto):
    settings, target = moto
    start(LAB, target, settings)
    before = check(LAB, target, settings)
    assert before.score == (0, 3) and not before.passed
    _learner_builds_it(target)
    after = check(LAB, target, settings)
    assert after.score == (3, 3) and after.passed
    entry = Progress(settings.home).data[f"moto:{target.account}"]["fixture-bucket"]
    assert entry["passed"] and entry["score"] == [3, 3]
    reset(LAB, target, settings)


def test_hints_progress_from_nudge_to_calls_to_exact_commands(moto):
    settings, target = moto
    levels = [hint(LAB, settings, target, "make_bucket") for _ in range(4)]
    assert [h.level for h in levels] == [1, 2, 3, 3]
    assert levels[0].text[0] == "s3.create_bucket"
    assert levels[1].text == ["s3.create_bucket(Bucket='awslabs-fixture-bucket-practice-data')"]
    assert levels[2].text[0].startswith("aws s3api create-bucket --cli-input-json")
    assert not any("awslabs:" in line for h in levels for line in h.text)  # bookkeeping tags hidden
    with pytest.raises(UsageError, match="not a task"):
        hint(LAB, settings, target, "only_on_aws")
    hints = Progress(settings.home).data[f"moto:{target.account}"]["fixture-bucket"]["hints"]
    assert hints == {"make_bucket": 3}


def test_solution_is_gated_until_passed(moto):
    settings, target = moto
    with pytest.raises(UsageError, match="--reveal"):
        solution(LAB, settings, target)
    shown = solution(LAB, settings, target, reveal=True)
    assert "def apply_make_bucket" in shown.steps[0]["python"]
    assert shown.steps[2]["cli"][0].startswith("aws sqs create-queue")


def test_reset_deletes_the_practice_names_and_forgets_progress(moto):
    settings, target = moto
    start(LAB, target, settings)
    _learner_builds_it(target)
    check(LAB, target, settings)
    result = reset(LAB, target, settings)
    assert {d["id"] for d in result.deleted} >= {"awslabs-fixture-bucket-practice-data", "awslabs-fixture-bucket-practice-q"}
    assert "fixture-bucket" not in Progress(settings.home).data.get(f"moto:{target.account}", {})
    assert check(LAB, target, settings, record=False).score == (0, 3)


def test_selftest_of_the_fixture_lab(moto):
    settings, target = moto
    result = selftest(LAB, target, settings)
    assert result.problems == []
    assert result.before.score == (0, 3) and result.after.score == (3, 3)


def test_junit_has_a_case_per_check_and_failures(moto):
    settings, target = moto
    report = check(LAB, target, settings, record=False)
    root = ET.fromstring(junit_xml([report]))
    suite = root.find("testsuite")
    assert suite.get("name") == "fixture-bucket"
    assert int(suite.get("failures")) == 3 and int(suite.get("skipped")) == 1
    assert len(suite.findall("testcase")) == 4


def test_corrupt_progress_is_kept_aside_not_fatal(tmp_path):
    (tmp_path / "progress.json").write_text("{nope")
    progress = Progress(tmp_path)
    assert progress.data == {} and "unreadable" in progress.problem
    assert (tmp_path / "progress.json.corrupt").read_text() == "{nope"


def test_cli_command_translation():
    assert cli_command("sqs", "CreateQueue", {"QueueName": "q"}) == """aws sqs create-queue --cli-input-json '{"QueueName":"q"}'"""
    line = cli_command("s3", "PutObject", {"Bucket": "b", "Key": "k", "Body": {"__bytes__": 5}})
    assert line.startswith("aws s3api put-object --body <file with the body>")
    assert json.loads(line.split("--cli-input-json ")[1].strip("'")) == {"Bucket": "b", "Key": "k"}
