"""Declared variants per objective (labs/<lab>/practice/variants.py): each other valid way must pass
the objective's checks, each near miss must fail with a message that says what to fix. A near miss
the checks do not catch yet is declared with ``known_gap`` and is an expected failure (reported).
The contract test prints, per lab, how many task objectives have >= 1 accepted variant and >= 1
rejected near miss the checks catch, and fails naming every task objective that lacks either."""
from __future__ import annotations

import pytest

from awslabs.catalog import Catalog
from awslabs.practice import objectives, try_variant, variants
from awslabs.settings import Settings
from awslabs.targets import make_target

CATALOG = Catalog()
CASES = [(lab, v) for lab in CATALOG for v in variants(lab)]


def _id(case):
    lab, v = case
    return f"{lab.id}:{v.step}:{v.verdict}:{v.why[:40]}"


@pytest.fixture(scope="module")
def shared_home(tmp_path_factory):
    """One AWSLABS_HOME for the module: the recorded reference of a lab is made once, not per variant."""
    return tmp_path_factory.mktemp("variants-home")


@pytest.mark.parametrize("case", [
    pytest.param(c, marks=pytest.mark.xfail(reason=c[1].known_gap, strict=True)) if c[1].known_gap else c
    for c in CASES], ids=[_id(c) for c in CASES])
def test_variant(case, shared_home, monkeypatch):
    lab, variant = case
    monkeypatch.setenv("AWSLABS_HOME", str(shared_home))
    settings = Settings.load(target="moto")
    target = make_target(settings)
    from moto.moto_api._internal.models import moto_api_backend

    moto_api_backend.reset()
    checks = [c for c in try_variant(lab, variant, target, settings) if not c.skipped]
    failing = [c for c in checks if not c.ok]
    said = " | ".join(f"{c.name}: {c.message}" for c in failing)
    if variant.verdict == "accept":
        assert checks and not failing, f"a valid way was refused ({variant.why}): {said}"
    else:
        assert failing, f"a near miss was accepted ({variant.why})"
        assert variant.fix.lower() in said.lower(), f"the failure does not say what to fix ('{variant.fix}'): {said}"


def test_variant_contract_counts(capsys, shared_home, monkeypatch):
    monkeypatch.setenv("AWSLABS_HOME", str(shared_home))
    settings = Settings.load(target="moto")
    rows, lacking = [], []
    for lab in CATALOG:
        tasks = [g.step for g in objectives(lab, settings) if g.role == "task"]
        declared = variants(lab)
        for v in declared:
            assert v.step in tasks, f"{lab.id}: variant for '{v.step}', which is not a task objective"
            assert v.verdict in ("accept", "reject") and (v.verdict == "accept" or v.fix)
        both = [t for t in tasks if any(v.step == t and v.verdict == "accept" for v in declared)
                and any(v.step == t and v.verdict == "reject" and not v.known_gap for v in declared)]
        lacking += [f"{lab.id}:{t}" for t in tasks if t not in both]
        rows.append((lab.id, len(both), len(tasks),
                     sum(v.verdict == "accept" for v in declared), sum(v.verdict == "reject" for v in declared)))
    with capsys.disabled():
        print("\nvariants: lab, objectives with >=1 accepted and >=1 rejected / task objectives, accepts, rejects")
        for row in rows:
            print(f"  {row[0]:28s} {row[1]}/{row[2]}  accept {row[3]}  reject {row[4]}")
        print(f"  total: {sum(r[1] for r in rows)}/{sum(r[2] for r in rows)} objectives covered both ways")
    assert not lacking, ("task objectives without >= 1 accepted variant and >= 1 caught near miss "
                         f"(declare them in labs/<lab>/practice/variants.py): {', '.join(lacking)}")
