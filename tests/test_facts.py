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


def test_second_pass_simulators_use_the_registered_values():
    from awslabs.sim import alarms, gpu_instances, sagemaker_requests, storage_io

    cfg = alarms.AlarmConfig(threshold=1, comparison="GreaterThanThreshold", evaluation_periods=1)
    assert cfg.treat_missing_data == facts.value("cloudwatch.default_treat_missing_data") == "missing"
    assert storage_io.LUSTRE_PER_UNIT[("PERSISTENT_2", "SSD")] == (125, 250, 500, 1000)
    assert storage_io.valid_lustre_capacity("SCRATCH_2", 4800) and not storage_io.valid_lustre_capacity("SCRATCH_2", 3600)
    assert storage_io.valid_lustre_capacity("SCRATCH_1", 3600)
    assert storage_io.next_lustre_capacity("PERSISTENT_2", 2500) == 4800
    ranges = {"CategoricalParameterRanges": [{"Name": f"p{i}", "Values": ["a"]} for i in range(31)]}
    request = {"HyperParameterTuningJobConfig": {"Strategy": "Random", "ParameterRanges": ranges,
                                                 "ResourceLimits": {"MaxNumberOfTrainingJobs": 1}}}
    assert any("at most 30 hyperparameters" in p for p in sagemaker_requests.validate_tuning_job(request))
    for name, (accelerator, count, memory, gbps) in facts.value("gpu.accelerators").items():
        row = gpu_instances.BY_NAME[name]
        assert (row.accelerator, row.count, row.memory_gb_each, row.network_gbps) == (accelerator, count, memory, gbps)


def test_sagemaker_and_fsx_figures_match_the_api_models_botocore_ships():
    import botocore.session

    session = botocore.session.get_session()
    sm = session.get_service_model("sagemaker")
    ranges = sm.shape_for("ParameterRanges").members
    assert {ranges[k].metadata["max"] for k in ("IntegerParameterRanges", "ContinuousParameterRanges",
                                                 "CategoricalParameterRanges")} == {facts.value("hpo.max_hyperparameters")}
    runtime = sm.shape_for("HyperParameterTuningMaxRuntimeInSeconds").metadata
    assert (runtime["min"], runtime["max"]) == facts.value("hpo.max_runtime_s")
    assert sm.shape_for("HyperParameterTuningJobName").metadata["max"] == facts.value("hpo.job_name_max")
    parents = sm.shape_for("HyperParameterTuningJobWarmStartConfig").members["ParentHyperParameterTuningJobs"]
    assert parents.metadata["max"] == facts.value("hpo.warm_start_parents")
    human = sm.shape_for("HumanTaskConfig").members
    assert "28,800 seconds" in human["TaskTimeLimitInSeconds"].documentation
    assert "43,200 seconds" in human["TaskAvailabilityLifetimeInSeconds"].documentation
    fsx = session.get_service_model("fsx")
    flat = lambda doc: " ".join(re.sub("<[^>]+>", " ", doc).split())  # noqa: E731
    capacity = flat(fsx.shape_for("CreateFileSystemRequest").members["StorageCapacity"].documentation)
    assert "1200 GiB, 2400 GiB, and increments of 2400 GiB" in capacity
    assert "increments of 6000 GiB for 12 MB/s/TiB" in capacity and "increments of 3600 GiB" in capacity
    per_unit = flat(fsx.shape_for("CreateFileSystemLustreConfiguration").members["PerUnitStorageThroughput"].documentation)
    for key, values in facts.value("fsx.lustre_per_unit_mbps_tib").items():
        deployment, storage = key.split("/")
        assert f"{deployment} {storage} storage: {', '.join(map(str, values))} MB/s/TiB" in per_unit
    logs = session.get_service_model("logs").shape_for("PutRetentionPolicyRequest").members["retentionInDays"]
    assert ", ".join(map(str, facts.value("logs.retention_days")[:-1])) in logs.documentation
    cloudtrail = session.get_service_model("cloudtrail").operation_model("LookupEvents").documentation
    assert f"within the last {facts.value('cloudtrail.event_history_days')} days" in cloudtrail


def test_readme_sample_run_matches_a_real_run():
    # the top-level README shows a run of s3-storage-classes: its title and totals must be current
    readme = (LABS.parent / "README.md").read_text()
    out = subprocess.run([sys.executable, "-m", "awslabs", "run", "s3-storage-classes"], capture_output=True,
                         text=True, env={**__import__("os").environ, "NO_COLOR": "1", "COLUMNS": "200"})
    title = next(line for line in out.stdout.splitlines() if line.endswith("(s3-storage-classes)"))
    summary = re.search(r"PASSED (\d+/\d+ checks passed \(\d+ emulated, \d+ simulated\))", out.stdout)
    cleanup = re.search(r"cleanup: \d+ deleted, \d+ left", out.stdout)
    assert summary and cleanup, out.stdout[-2000:]
    assert title in readme and summary.group(1) in readme and cleanup.group(0) in readme


def test_put_records_request_limit_matches_the_api_model_botocore_ships():
    import botocore.session

    from awslabs.sim import kinesis_capacity

    doc = botocore.session.get_session().get_service_model("kinesis").operation_model("PutRecords").documentation
    assert "up to a limit of 10 MiB for the entire request" in " ".join(doc.split())
    assert kinesis_capacity.PUT_RECORDS_MAX_REQUEST_BYTES == 10 * 1024 * 1024
    assert kinesis_capacity.PUT_RECORDS_MAX_RECORDS == 500


def test_firehose_and_video_retention_figures_match_the_api_models_botocore_ships():
    import botocore.session

    session = botocore.session.get_session()
    firehose = session.get_service_model("firehose")
    hints = facts.value("firehose.s3_buffering")
    size, interval = firehose.shape_for("SizeInMBs"), firehose.shape_for("IntervalInSeconds")
    assert (size.metadata["min"], size.metadata["max"]) == hints["size_mib"][:2]
    assert (interval.metadata["min"], interval.metadata["max"]) == hints["interval_s"][:2]
    members = firehose.shape_for("BufferingHints").members
    assert f"The default value is {hints['size_mib'][2]}." in members["SizeInMBs"].documentation
    assert f"The default value is {hints['interval_s'][2]}." in members["IntervalInSeconds"].documentation
    video = session.get_service_model("kinesisvideo")
    low, high = facts.value("kinesisvideo.retention_hours")
    doc = video.shape_for("UpdateDataRetentionInput").members["DataRetentionChangeInHours"].documentation
    assert f"minimum value for data retention is {low} and the maximum value is {high}" in doc


def test_failure_reason_limit_matches_the_api_model_botocore_ships():
    import botocore.session

    from awslabs.local import sagemaker_runner

    shape = botocore.session.get_session().get_service_model("sagemaker").shape_for("FailureReason")
    assert shape.metadata["max"] == facts.value("sagemaker.failure_reason_max_chars") == sagemaker_runner.FAILURE_REASON_LIMIT
