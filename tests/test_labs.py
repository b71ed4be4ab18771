"""Every lab in the real catalogue: runs green on moto and against a moto server, every check
fails before its step and passes after, a failure injected after any step leaves nothing behind,
and the lab's files follow the contract."""
from __future__ import annotations

import re

import pytest

from awslabs.catalog import Catalog
from awslabs.cleanup import sweep
from awslabs.runner import run_lab
from awslabs.settings import Settings
from awslabs.targets import make_target

CATALOG = Catalog()
LABS = list(CATALOG)
STEPS = [(lab, step) for lab in LABS for step in lab.steps if not step.aws_only]


def _failures(report) -> str:
    lines = []
    for step in report.steps:
        if step.error and step.status == "failed":
            lines.append(f"{step.id}: {step.error}")
        for check in step.checks:
            if not check.ok and not check.skipped:
                lines.append(f"{step.id}: {check.name}: {check.message}")
    return "\n".join(lines)


def test_catalogue_is_not_empty():
    assert {"s3-storage-classes", "sqs-queues"} <= {lab.id for lab in LABS}


@pytest.mark.parametrize("lab", LABS, ids=lambda lab: lab.id)
def test_lab_passes_on_moto_and_every_check_fails_before_its_step(lab):
    settings = Settings.load(target="moto")
    target = make_target(settings)
    report = run_lab(lab, target, settings=settings, prove=True)
    assert report.passed, _failures(report)
    for step in report.steps:
        ran = [c for c in step.checks if not c.skipped]
        if step.status == "skipped" or not ran:
            continue
        passed_early = [c.name for c in step.checks_before if c.ok and not c.skipped]
        assert step.failed_before, f"{lab.id}/{step.id}: checks passed before the step ran: {passed_early}"
    assert report.cleanup.leftover == []
    assert sweep(target, run=report.run_id) == []


@pytest.mark.server
@pytest.mark.parametrize("lab", LABS, ids=lambda lab: lab.id)
def test_lab_passes_against_a_moto_server(lab, moto_server):
    settings = Settings.load(target="server", endpoint_url=moto_server)
    target = make_target(settings)
    report = run_lab(lab, target, settings=settings)
    assert report.passed, _failures(report)
    assert report.cleanup.leftover == []
    assert sweep(target, run=report.run_id) == []


@pytest.mark.parametrize("lab,step", STEPS, ids=lambda v: getattr(v, "id", None))
def test_failure_after_any_step_leaves_nothing(lab, step):
    settings = Settings.load(target="moto")
    target = make_target(settings)
    report = run_lab(lab, target, settings=settings, fail_at=step.id)
    failed = next(s for s in report.steps if s.id == step.id)
    if failed.status == "skipped":  # the step cannot run on this machine: nothing to inject after
        pytest.skip(f"{lab.id}/{step.id} is skipped here: {failed.error}")
    assert failed.status == "failed" and "injected" in failed.error
    assert report.cleanup.leftover == []
    assert sweep(target, run=report.run_id) == []


def test_emr_spark_runs_its_step_in_spark_local_mode(monkeypatch):
    """The other runs switch Spark local mode off (a JVM start per run); this one runs it."""
    from awslabs.local.jobs import spark_unavailable

    monkeypatch.delenv("AWSLABS_LOCAL_SPARK")
    if spark_unavailable():
        pytest.skip(spark_unavailable())
    settings = Settings.load(target="moto")
    report = run_lab("emr-spark", make_target(settings), settings=settings)
    assert report.passed, _failures(report)
    spark_step = next(s for s in report.steps if s.id == "run_spark_step")
    assert spark_step.status == "passed", spark_step.error


@pytest.mark.parametrize("lab", LABS, ids=lambda lab: lab.id)
def test_lab_follows_the_contract(lab):
    guide = lab.guide()
    headings = [h.lower() for h in re.findall(r"^#{1,4}\s+(.+)$", guide, flags=re.M)]
    for step in lab.steps:
        assert any(step.id in h or step.title.lower() in h for h in headings), (
            f"{lab.id}: README.md has no section for step '{step.id}' ({step.title})"
        )
    for section in ("exam notes", "on real aws"):
        assert any(section in h for h in headings), f"{lab.id}: README.md lacks '{section}'"
    code = (lab.path / "steps.py").read_text()
    assert not re.search(r"^[^#\n]*\bprint\(", code, flags=re.M), f"{lab.id}: step code must not print"
    assert not re.search(r"^\w+\s*=\s*boto3\.(client|resource)\(", code, flags=re.M), (
        f"{lab.id}: clients created at import time escape the emulator"
    )
    assert "boto3.client(" not in code and "boto3.Session(" not in code, f"{lab.id}: use ctx.client()"
    module = lab.load_steps()
    for step in lab.steps:
        assert getattr(module, f"apply_{step.id}") and getattr(module, f"check_{step.id}")
