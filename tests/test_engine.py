"""Engine tests on the fixture catalogue (tests/fixtures/labs), never on the real labs."""
from __future__ import annotations

import json
import sys

import pytest

from awslabs.catalog import Catalog, parse_lab
from awslabs.cleanup import sweep
from awslabs.context import LabContext
from awslabs.errors import LabDefinitionError, TargetUnavailable, UnknownLab, UsageError
from awslabs.lab import Check, equal
from awslabs.ledger import Entry, Ledger
from awslabs.runner import describe_exception, run_lab
from awslabs.settings import Settings
from awslabs.targets import make_target

from pathlib import Path

FIXTURE_LABS = Path(__file__).parent / "fixtures" / "labs"

CATALOG = Catalog(FIXTURE_LABS)


def moto():
    settings = Settings.load(target="moto")
    return settings, make_target(settings)


def test_catalogue_reads_lab_toml_without_importing_steps():
    lab = CATALOG.get("fixture-bucket")
    assert [s.id for s in lab.steps] == ["make_bucket", "put_object", "make_queue", "only_on_aws"]
    assert lab.step("only_on_aws").aws_only == "needs the real service"
    # Another test may have imported the steps already: forget them, read the catalogue afresh.
    sys.modules.pop("awslabs_lab_fixture_bucket", None)
    fresh = Catalog(FIXTURE_LABS).get("fixture-bucket")
    assert fresh.steps and fresh.guide()
    assert "awslabs_lab_fixture_bucket" not in sys.modules


def test_unknown_lab_suggests_the_closest_ids():
    with pytest.raises(UnknownLab) as err:
        CATALOG.get("fixture-buckte")
    assert err.value.suggestions == ["fixture-bucket"]
    assert "Did you mean: fixture-bucket?" in str(err.value)


def test_lab_definition_errors_are_clear(tmp_path):
    lab = tmp_path / "bad-lab"
    lab.mkdir()
    (lab / "lab.toml").write_text('id = "bad-lab"\n')
    with pytest.raises(LabDefinitionError, match="missing steps.py"):
        parse_lab(lab)
    (lab / "steps.py").write_text("")
    (lab / "README.md").write_text("# x")
    with pytest.raises(LabDefinitionError, match="'domain' must be a non-empty str"):
        parse_lab(lab)
    (lab / "lab.toml").write_text("id = [")
    with pytest.raises(LabDefinitionError, match="lab.toml"):
        parse_lab(lab)


def test_steps_module_must_define_apply_and_check_for_every_step(tmp_path):
    src = FIXTURE_LABS / "fixture-bucket"
    lab = tmp_path / "fixture-bucket"
    lab.mkdir()
    for name in ("lab.toml", "README.md"):
        (lab / name).write_text((src / name).read_text())
    (lab / "steps.py").write_text("def apply_make_bucket(ctx): pass\n")
    with pytest.raises(LabDefinitionError, match="check_make_bucket"):
        Catalog(tmp_path).get("fixture-bucket").load_steps()


def test_run_reports_steps_checks_labels_and_cleans_up():
    settings, target = moto()
    report = run_lab(CATALOG.get("fixture-bucket"), target, settings=settings, prove=True)
    assert report.passed
    statuses = {s.id: s.status for s in report.steps}
    assert statuses == {"make_bucket": "passed", "put_object": "passed", "make_queue": "passed", "only_on_aws": "skipped"}
    assert all(s.failed_before for s in report.steps if s.status == "passed")
    skipped = report.steps[-1].checks[0]
    assert skipped.skipped and skipped.verified_by == "aws-only"
    assert {d["kind"] for d in report.cleanup.deleted} == {"s3:bucket", "sqs:queue"}
    assert sweep(target, run=report.run_id) == []
    data = report.to_dict()
    json.dumps(data)
    assert data["steps"][0]["checks"][0]["verified_by"] == "emulated"


def test_keep_leaves_resources_until_cleanup():
    settings, target = moto()
    ledger = Ledger(None)
    report = run_lab(CATALOG.get("fixture-bucket"), target, settings=settings, keep=True, ledger=ledger)
    assert report.cleanup.kept
    assert {k for k, _ in sweep(target, run=report.run_id)} == {"s3:bucket", "sqs:queue"}
    from awslabs.cleanup import delete_entries

    result = delete_entries(target, ledger.pending(run=report.run_id), ledger)
    assert len(result.deleted) == 2 and not result.leftover
    assert ledger.pending() == []
    # idempotent: deleting again finds them gone and counts them as deleted
    again = delete_entries(target, [Entry(report.run_id, "fixture-bucket", "moto", "us-east-1", "s3:bucket",
                                          f"awslabs-fixture-bucket-{report.run_id}-data")], ledger)
    assert again.leftover == []


def test_step_error_stops_the_run_and_still_cleans_up():
    settings, target = moto()
    report = run_lab(CATALOG.get("fixture-bucket"), target, settings=settings, fail_at="put_object")
    assert not report.passed
    assert [s.status for s in report.steps] == ["passed", "failed", "not-run", "not-run"]
    assert "injected" in report.steps[1].error
    assert report.cleanup.deleted and not report.cleanup.leftover
    assert sweep(target, run=report.run_id) == []


def test_a_check_that_passes_before_its_step_is_caught(tmp_path):
    src = FIXTURE_LABS / "fixture-bucket"
    lab_dir = tmp_path / "fixture-bucket"
    lab_dir.mkdir()
    for name in ("lab.toml", "README.md"):
        (lab_dir / name).write_text((src / name).read_text())
    code = (src / "steps.py").read_text().replace(
        'yield equal("one queue exists", len(urls), 1)', 'yield equal("always true", 1, 1)'
    )
    (lab_dir / "steps.py").write_text(code.replace("awslabs_lab_fixture_bucket", "x"))
    import sys

    sys.modules.pop("awslabs_lab_fixture_bucket", None)
    try:
        settings, target = moto()
        report = run_lab(Catalog(tmp_path).get("fixture-bucket"), target, settings=settings, prove=True)
        assert report.passed
        assert report.steps[2].failed_before is False
        assert report.steps[0].failed_before is True
    finally:
        sys.modules.pop("awslabs_lab_fixture_bucket", None)


def test_moto_crash_becomes_one_clear_line():
    try:
        {}["missing"]
    except KeyError as err:
        assert describe_exception(err).startswith("KeyError raised in")
    from botocore.exceptions import ClientError

    err = ClientError({"Error": {"Code": "NoSuchBucket", "Message": "The bucket does not exist"}}, "GetObject")
    assert describe_exception(err) == "NoSuchBucket: The bucket does not exist"


def test_check_helpers_say_what_was_expected():
    assert equal("n", 2, 3).message == "expected 3, got 2"
    with pytest.raises(ValueError):
        Check("x", True, verified_by="guessed")


def test_names_are_prefixed_bounded_and_unique_per_run():
    lab = CATALOG.get("fixture-bucket")
    settings, target = moto()
    ctx = LabContext(lab, target, Ledger(None), "abc123")
    assert ctx.name("data") == "awslabs-fixture-bucket-abc123-data"
    long_name = ctx.name("a-long-suffix", max_len=40)
    assert len(long_name) <= 40 and long_name.startswith("awslabs-") and "abc123" in long_name
    assert ctx.tags["awslabs:lab"] == "fixture-bucket" and ctx.tags["awslabs:run"] == "abc123"
    assert ctx.tags["awslabs:expires-at"].endswith("Z")


def test_track_refuses_a_kind_nothing_could_delete():
    settings, target = moto()
    ctx = LabContext(CATALOG.get("fixture-bucket"), target, Ledger(None), "abc123")
    with pytest.raises(KeyError, match="no deleter"):
        ctx.track("made:up", "x")


def test_pending_entry_is_resolved_by_the_run_tag_sweep():
    """A resource whose id AWS assigns, created but never resolved (a crash), is still found."""
    settings, target = moto()
    ledger = Ledger(None)
    ctx = LabContext(CATALOG.get("fixture-bucket"), target, ledger, "feed01")
    ctx.track_pending("ec2:volume", "scratch")
    ec2 = target.client("ec2")
    volume = ec2.create_volume(Size=1, AvailabilityZone="us-east-1a", TagSpecifications=ctx.tag_specifications("volume"))
    from awslabs.cleanup import delete_entries

    result = delete_entries(target, ledger.pending(run="feed01"), ledger)
    assert {"kind": "ec2:volume", "id": volume["VolumeId"]} in result.deleted
    assert ledger.pending() == []


def test_ledger_survives_corrupt_lines(tmp_path):
    ledger = Ledger(tmp_path / "ledger.jsonl")
    entry = Entry("r1", "lab", "server", "us-east-1", "s3:bucket", "b1")
    ledger.record_create(entry)
    with open(ledger.path, "a") as fh:
        fh.write("{not json\n")
        fh.write('{"op": "create"}\n')
    ledger.record_create(Entry("r1", "lab", "server", "us-east-1", "sqs:queue", "q1"))
    assert [e.id for e in ledger.pending()] == ["b1", "q1"]
    assert len(ledger.problems) == 2
    ledger.record_deleted(entry)
    assert [e.id for e in ledger.pending()] == ["q1"]


def test_settings_flags_beat_environment_beat_dotenv(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text("AWSLABS_REGION=eu-west-1\nAWSLABS_TARGET=server\nAWSLABS_ALLOWED_ACCOUNTS=111, 222\n")
    monkeypatch.chdir(tmp_path)
    s = Settings.load()
    assert (s.region, s.target, s.allowed_accounts) == ("eu-west-1", "server", ("111", "222"))
    monkeypatch.setenv("AWSLABS_REGION", "eu-central-1")
    assert Settings.load().region == "eu-central-1"
    assert Settings.load(region="ap-south-1").region == "ap-south-1"
    with pytest.raises(UsageError, match="unknown target"):
        Settings.load(target="azure")


def test_aws_target_refuses_an_account_not_allow_listed(moto_server, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "y")
    monkeypatch.setenv("AWSLABS_AWS_ENDPOINT_URL", moto_server)
    with pytest.raises(TargetUnavailable, match="not allow-listed"):
        make_target(Settings.load(target="aws"))
    monkeypatch.setenv("AWSLABS_ALLOWED_ACCOUNTS", "123456789012")
    target = make_target(Settings.load(target="aws"))
    assert target.account == "123456789012"


def test_server_target_unreachable_is_target_unavailable():
    with pytest.raises(TargetUnavailable, match="awslabs serve"):
        make_target(Settings.load(target="server", endpoint_url="http://127.0.0.1:9"))


def test_create_bucket_uses_the_run_region_tags_and_tracks():
    settings = Settings.load(target="moto", region="eu-west-1")
    target = make_target(settings)
    ledger = Ledger(None)
    ctx = LabContext(CATALOG.get("fixture-bucket"), target, ledger, "e0e0e0")
    name = ctx.create_bucket(ctx.name("data"))
    s3 = target.client("s3")
    assert s3.get_bucket_location(Bucket=name)["LocationConstraint"] == "eu-west-1"
    assert {t["Key"] for t in s3.get_bucket_tagging(Bucket=name)["TagSet"]} >= {"awslabs:run", "awslabs:lab"}
    assert [e.id for e in ledger.pending()] == [name]
    from awslabs.cleanup import delete_entries

    assert not delete_entries(target, ledger.pending(), ledger).leftover


def test_the_lab_scaffold_runs_and_proves_its_check(tmp_path, monkeypatch):
    import importlib.util

    spec = importlib.util.spec_from_file_location("new_lab", Path(__file__).parents[1] / "scripts" / "new_lab.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "LABS", tmp_path)
    assert module.main(["my-new-lab"]) == 0
    assert module.main(["my-new-lab"]) == 2  # never overwrites
    settings, target = moto()
    report = run_lab(Catalog(tmp_path).get("my-new-lab"), target, settings=settings, prove=True)
    assert report.passed and report.steps[0].failed_before


def test_aws_endpoint_url_in_the_environment_never_redirects_in_process_moto(moto_server, monkeypatch):
    """Practice tells learners to export AWS_ENDPOINT_URL; `awslabs run` on moto (and the
    reference recording) must still stay in-process, never touching the learner's server."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server)
    settings, target = moto()
    from awslabs.targets.moto import MotoTarget

    fresh = MotoTarget(settings)  # a new client cache, created with the variable set
    fresh.client("s3").create_bucket(Bucket="awslabs-endpoint-probe")
    import boto3

    server = boto3.client("s3", endpoint_url=moto_server, region_name="us-east-1",
                          aws_access_key_id="t", aws_secret_access_key="t")
    assert "awslabs-endpoint-probe" not in [b["Name"] for b in server.list_buckets()["Buckets"]]


def test_a_check_that_raises_keeps_what_it_already_judged():
    """A check generator that raises half-way fails the step, and the learner still sees the
    checks it yielded before (what passed, what else failed), then why it could not go on."""
    from types import SimpleNamespace

    from awslabs.runner import run_checks

    def check_step(ctx):
        yield equal("bucket exists", 1, 1)
        yield equal("versioning on", "Suspended", "Enabled")
        raise KeyError("Rules")

    checks = run_checks(SimpleNamespace(check_step=check_step), SimpleNamespace(id="step"), None, on_aws=True)
    assert [c.ok for c in checks] == [True, False, False]
    assert checks[0].verified_by == "aws"  # emulated is relabelled on AWS for the kept checks too
    assert "could not check" in checks[2].message and "Rules" in checks[2].message
