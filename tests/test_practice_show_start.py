"""Issue 16, practice engine: `awslabs show LAB` and `awslabs start LAB` present the same objectives
— the same step ids, titles, roles and required names — for every lab in the catalogue."""
from __future__ import annotations

import re

import pytest
from rich.console import Console

from awslabs.catalog import Catalog
from awslabs.cli.render import objective_list, show_lab
from awslabs.practice import objectives, outline
from awslabs.reference import load_reference
from awslabs.settings import Settings

LABS = list(Catalog())


def _rendered(draw) -> str:
    console = Console(record=True, width=400, color_system=None, soft_wrap=True)
    draw(console)
    return console.export_text()


def _presented(goals):
    return [(g.step, g.title, g.role, list(g.names)) for g in goals]


@pytest.mark.parametrize("lab", LABS, ids=lambda lab: lab.id)
def test_show_presents_the_objectives_start_presents(lab):
    settings = Settings.load(target="moto")
    before = outline(lab, settings)  # nothing recorded yet: ids and titles already agree
    assert not before.recorded
    load_reference(lab, settings)  # what `start` does first
    started = objectives(lab, settings)  # the list `start` returns and prints
    shown = outline(lab, settings)
    assert shown.recorded
    assert [(g.step, g.title) for g in before.objectives] == [(g.step, g.title) for g in started]
    assert _presented(shown.objectives) == _presented(started)
    show_text = _rendered(lambda c: show_lab(c, lab, shown))
    start_text = _rendered(lambda c: objective_list(c, started))
    assert start_text in show_text  # `show` prints the very block `start` prints
    for goal in started:
        if goal.role == "task":
            assert re.search(rf"\d+\. {re.escape(goal.title)} \({goal.step}\)", show_text)
            for name in goal.names:
                assert name in show_text
