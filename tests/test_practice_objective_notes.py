"""Issue 16, practice engine: each task objective `start` and `hint` show carries why it matters
(lab.toml `why`), the AWS page the lab's README cites for the step (never made up), and a flag for
what cannot be undone or costs money or time on real AWS (lab.toml `irreversible`, `cost`)."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from awslabs.catalog import Catalog
from awslabs.practice import docs_links, hint, objectives, readme_section
from awslabs.settings import Settings

FIXTURE_LABS = Path(__file__).parent / "fixtures" / "labs"


def test_docs_links_are_the_first_aws_link_of_each_step_section():
    lab = Catalog().get("s3-storage-classes")
    links = docs_links(lab)
    for step in lab.steps:
        section = readme_section(lab, step)
        assert section is not None, step.id
        cited = re.findall(r"https://docs\.aws\.amazon\.com/[^\s)\]>\"'`]*", section)
        if cited:
            assert links[step.id] == cited[0].rstrip(".,;:")
        else:
            assert step.id not in links  # no link is made up
    assert links["glacier_restore"].startswith("https://docs.aws.amazon.com/AmazonS3/")


def test_every_link_shown_is_cited_by_the_lab_readme():
    for lab in Catalog():
        guide = lab.guide()
        for step_id, link in docs_links(lab).items():
            assert link in guide, (lab.id, step_id, link)


def _fixture_copy(tmp_path, extra_toml: str) -> Path:
    labs = tmp_path / "labs"
    shutil.copytree(FIXTURE_LABS / "fixture-bucket", labs / "fixture-bucket")
    toml = labs / "fixture-bucket" / "lab.toml"
    toml.write_text(toml.read_text().replace('hint = "s3.create_bucket"\n', 'hint = "s3.create_bucket"\n' + extra_toml, 1))
    return labs


def test_lab_toml_why_irreversible_and_cost_reach_start_and_hint(tmp_path):
    labs = _fixture_copy(tmp_path, 'why = "Everything else lives in it."\nirreversible = "Gone is gone."\n'
                                   'cost = "Billed per GB-month."\n')
    lab = Catalog(labs).get("fixture-bucket")
    settings = Settings.load(target="moto")
    goal = next(g for g in objectives(lab, settings) if g.step == "make_bucket")
    assert (goal.why, goal.irreversible, goal.cost, goal.docs) == (
        "Everything else lives in it.", "Gone is gone.", "Billed per GB-month.", None)  # its README cites no page
    assert goal.to_dict()["why"] == "Everything else lives in it."
    shown = hint(lab, settings, type("T", (), {"name": "server", "account": "1", "endpoint_url": None})(), "make_bucket")
    assert shown.to_dict()["irreversible"] == "Gone is gone." and shown.to_dict()["cost"] == "Billed per GB-month."


def test_a_bad_key_is_a_lab_definition_error(tmp_path):
    labs = _fixture_copy(tmp_path, "irreversible = 3\n")
    catalog = Catalog(labs)
    assert "fixture-bucket" not in catalog.labs  # a broken lab is skipped, and said why
    assert any("irreversible must be a non-empty string" in str(p) for p in catalog.problems)


def _awslabs(*args, home):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("AWSLABS_")}
    env.update(AWSLABS_HOME=str(home), NO_COLOR="1", AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")
    return subprocess.run([sys.executable, "-m", "awslabs", *args], capture_output=True, text=True, env=env,
                          timeout=300)


def test_hint_prints_the_docs_link_and_json_carries_it(tmp_path):
    shown = _awslabs("hint", "s3-storage-classes", "glacier_restore", home=tmp_path)
    assert shown.returncode == 0, shown.stderr
    link = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/restoring-objects-retrieval-options.html"
    assert f"docs: {link}" in shown.stdout
    as_json = _awslabs("hint", "s3-storage-classes", "glacier_restore", "--json", home=tmp_path)
    assert json.loads(as_json.stdout)["docs"] == link


FLAGGED = {("s3-storage-classes", "glacier_restore"): "cost", ("ml-security", "kms_key"): "irreversible",
           ("sagemaker-endpoints", "create_endpoint"): "cost", ("endpoint-deployment", "multi_model_endpoint"): "cost",
           ("endpoint-deployment", "guardrails"): "cost"}


def test_the_steps_that_cost_or_cannot_be_undone_on_aws_say_so():
    catalog = Catalog()
    for (lab_id, step_id), key in FLAGGED.items():
        step = catalog.get(lab_id).step(step_id)
        assert getattr(step, key), (lab_id, step_id, key)


def test_hint_flags_what_cannot_be_undone(tmp_path):
    shown = _awslabs("hint", "ml-security", "kms_key", home=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "⚠ cannot be undone: a KMS key cannot be deleted at once" in shown.stdout
    assert "$ cost: on real AWS a customer managed key costs $1" in shown.stdout
    as_json = _awslabs("hint", "ml-security", "kms_key", "--json", home=tmp_path)
    document = json.loads(as_json.stdout)
    assert document["irreversible"].startswith("a KMS key") and "$1 per month" in document["cost"]
