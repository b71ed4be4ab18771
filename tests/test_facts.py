"""The facts registry (awslabs.facts) is the one source of the AWS figures the guides state.

For every lab a fact names, its README must state the registered figure (``text``) and none of the
figures AWS has replaced (``stale``); the simulators must use the registered values; every fact has
a source URL and a read date; ``awslabs show`` prints them ("Sources") without importing boto3.
"""
from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pytest

from awslabs import facts

LABS = Path(__file__).resolve().parents[1] / "labs"
BY_LAB = sorted({lab for f in facts.FACTS for lab in f.labs})


def test_every_fact_is_cited_and_dated():
    ids = [f.id for f in facts.FACTS]
    assert len(ids) == len(set(ids))
    for f in facts.FACTS:
        assert re.match(r"^https://", f.url), f.id
        assert dt.date.fromisoformat(f.read) <= dt.date(2026, 12, 6), f.id
        assert f.status in ("confirmed", "fixed", "changed", "not confirmed"), f.id
        if f.status in ("changed", "not confirmed"):
            assert f.changed, f"{f.id}: say what changed, or why it is not confirmed"


@pytest.mark.parametrize("lab", BY_LAB)
def test_each_guide_states_the_registered_figures_and_no_stale_ones(lab):
    guide = (LABS / lab / "README.md").read_text()
    flat = " ".join(guide.split())  # figures may wrap across lines
    for f in facts.for_lab(lab):
        for text in f.text:
            assert " ".join(text.split()) in flat, f"{lab}: README does not state {f.id} as {text!r}"
        for old in f.stale:
            assert old not in flat, f"{lab}: README still says {old!r} ({f.id}: {f.statement})"


def test_simulators_use_the_registered_values():
    from awslabs.sim import deepar_format, kinesis_capacity, lifecycle, storage_io

    assert lifecycle.IA_MIN_TRANSITION_DAYS == facts.value("s3.ia_min_object_age_days") == 30
    assert lifecycle.MIN_STORAGE_DAYS == facts.value("s3.min_storage_days")
    assert lifecycle.RESTORE_TIERS == facts.value("s3.restore_tiers")
    assert lifecycle.PRICES.per_gb_month["DEEP_ARCHIVE"] == facts.value("s3.prices_us_east_1")["DEEP_ARCHIVE"]
    assert set(lifecycle.SINGLE_AZ_CLASSES) == {"ONEZONE_IA", "EXPRESS_ONEZONE"}
    assert kinesis_capacity.MAX_RECORD_BYTES == 1024 * 1024
    assert kinesis_capacity.MAX_RECORD_BYTES_CONFIGURABLE == 10 * 1024 * 1024
    gp3 = storage_io.EBS_TYPES["gp3"]
    assert (gp3.max_gib, gp3.max_iops, gp3.max_throughput) == (65_536, 80_000, 2000)
    assert deepar_format.REQUIRED_HYPERPARAMETERS == facts.value("deepar.required_hyperparameters")


def test_sqs_figures_match_the_api_model_botocore_ships():
    # botocore's SQS model carries AWS's API reference text: the registered figure must be in it
    import botocore.session

    model = botocore.session.get_session().get_service_model("sqs")
    doc = model.operation_model("SendMessageBatch").documentation
    assert "1 MiB 1,048,576 bytes" in doc.replace("(", "").replace(")", "")
    assert facts.value("sqs.max_batch_bytes") == facts.value("sqs.max_message_bytes") == 1_048_576


def test_ebs_figures_match_the_api_model_botocore_ships():
    import botocore.session

    members = botocore.session.get_session().get_service_model("ec2").shape_for("CreateVolumeRequest").members
    gp3 = facts.value("ebs.gp3")
    assert f"gp3: 1 - {gp3['max_gib']:,}" in " ".join(re.sub("<[^>]+>", " ", members["Size"].documentation).split())
    assert f"- {gp3['max_iops']:,}" in re.sub("<[^>]+>", " ", members["Iops"].documentation)
    assert f"125 - {gp3['max_mibs']}" in " ".join(re.sub("<[^>]+>", " ", members["Throughput"].documentation).split())


def test_show_prints_the_sources_without_boto3():
    code = (
        "import sys; from awslabs.cli import main; "
        "sys.argv=['awslabs','show','sqs-queues']; "
        "\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
        "assert 'boto3' not in sys.modules and 'moto' not in sys.modules, 'imported boto3/moto'"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={
        **__import__("os").environ, "NO_COLOR": "1", "COLUMNS": "200"})
    assert out.returncode == 0, out.stderr
    assert "Sources" in out.stdout
    assert "sqs.max_message_bytes" in out.stdout and "API_SendMessage.html" in out.stdout
    assert "as of 2026-12-06" in out.stdout
