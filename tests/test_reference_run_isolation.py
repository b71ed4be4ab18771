"""The recorded reference run must not leave files where the learner's practice run keeps its own.

The reference run uses the practice run id, so without a home of its own its observations land in
``output/<lab>/practice/`` and a later ``awslabs check`` would judge them as the learner's work.
"""
from __future__ import annotations

from awslabs.catalog import Catalog
from awslabs.reference import record_reference
from awslabs.settings import Settings


def test_the_reference_run_writes_nothing_into_the_learners_practice_output():
    settings = Settings.load(target="moto")
    lab = Catalog().get("ebs-volumes")  # a core lab whose steps record observations
    learners = settings.home / "output" / lab.id / "practice"
    before = sorted(p.relative_to(learners) for p in learners.rglob("*")) if learners.exists() else []
    recorded = record_reference(lab, settings)
    after = sorted(p.relative_to(learners) for p in learners.rglob("*")) if learners.exists() else []
    assert recorded["steps"] and after == before
    reference_files = list((settings.home / "practice" / "reference-run").rglob("*.json"))
    assert reference_files, "the reference run's observations are kept in its own home"
