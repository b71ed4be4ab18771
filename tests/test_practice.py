"""Practice content: for every lab, nothing passes right after `start`, and everything passes
after the reference solution is done as a learner would (without awslabs' in-memory facts)."""
from __future__ import annotations

import pytest

from awslabs.catalog import Catalog
from awslabs.practice import selftest
from awslabs.settings import Settings
from awslabs.targets import make_target

LABS = list(Catalog())


@pytest.mark.parametrize("lab", LABS, ids=lambda lab: lab.id)
def test_practice_cannot_be_passed_by_doing_nothing_and_can_be_passed(lab):
    settings = Settings.load(target="moto")
    result = selftest(lab, make_target(settings), settings)
    assert not result.problems, "\n".join(result.problems)
    done, total = result.after.score
    assert total > 0 and done == total
