"""Issue 16: `awslabs check` (text) shows, under each failing objective, why it matters (lab.toml
`why`) and the AWS page the lab's README cites for it — one line each, and only while it fails."""
from __future__ import annotations

import io

import pytest
from rich.console import Console

from awslabs.catalog import Catalog
from awslabs.cli import render
from awslabs.practice import check
from awslabs.settings import Settings
from awslabs.targets import make_target

LAB_ID = "kinesis-video-streams"  # small, runs on moto, and its task has both a `why` and a docs link


@pytest.fixture
def moto():
    settings = Settings.load(target="moto")
    return settings, make_target(settings)


def _text(report) -> str:
    buffer = io.StringIO()
    render.practice_report(Console(file=buffer, width=400, no_color=True, highlight=False), report)
    return buffer.getvalue()


def _block(text: str, title: str) -> str:
    """The lines printed for one objective: its title line and what is indented under it."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if title in line)
    block = [lines[start]]
    for line in lines[start + 1:]:
        if not line.startswith("     "):
            break
        block.append(line)
    return "\n".join(block)


def test_check_shows_why_and_docs_under_a_failing_objective_only(moto):
    settings, target = moto
    lab = Catalog().get(LAB_ID)
    report = check(lab, target, settings, record=False)
    goal = next(g for g in report.objectives if g.step == "create_stream")
    assert goal.status == "failed" and goal.why and goal.docs
    block = _block(_text(report), goal.title)
    assert block.count(f"why it matters: {goal.why}") == 1
    assert block.count(f"docs: {goal.docs}") == 1
    assert block.index("look at:") < block.index("why it matters:") < block.index("docs:")
    assert report.to_dict()["objectives"][0]["why"] == goal.why  # --json carries it, as before

    stream = next(n for n in goal.names if n.endswith("camera"))
    target.client("kinesisvideo").create_stream(StreamName=stream, MediaType="video/h264", DataRetentionInHours=24)
    report = check(lab, target, settings, record=False)
    goal = next(g for g in report.objectives if g.step == "create_stream")
    assert goal.status == "passed"
    text = _text(report)
    assert goal.why not in text and goal.docs not in text  # a passing objective keeps quiet
    for other in report.objectives:
        if other.status != "failed":
            continue  # a failing auto objective shows what the lab has for it (a docs link at most)
        if other.docs:
            assert f"docs: {other.docs}" in _block(text, other.title)


def test_watch_shows_why_and_docs_for_a_newly_failing_objective(moto):
    settings, target = moto
    lab = Catalog().get(LAB_ID)
    report = check(lab, target, settings, record=False)
    goal = next(g for g in report.objectives if g.step == "create_stream")
    buffer = io.StringIO()
    render.practice_changes(Console(file=buffer, width=400, no_color=True, highlight=False), report,
                            {"newly_passing": [], "newly_failing": ["create_stream"], "changed": []})
    text = buffer.getvalue()
    assert f"why it matters: {goal.why}" in text and f"docs: {goal.docs}" in text
