"""Emulator gaps are said before the learner meets them: `awslabs start` and `awslabs hint` print
what the emulator does not do in the lab and what stands in for it (from the lab's own steps.py
docstring and its step roles), as one short block; with --json it is a field of the one document."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from types import SimpleNamespace

from awslabs.catalog import Catalog
from awslabs.practice import emulator_gaps, objectives
from awslabs.settings import Settings

LAB = "dms-batch-migration"


def test_gaps_come_from_what_the_lab_declares(tmp_path, monkeypatch):
    monkeypatch.setenv("AWSLABS_HOME", str(tmp_path))
    lab = Catalog().get(LAB)
    goals = objectives(lab, Settings.load(target="moto"))
    gaps = emulator_gaps(lab, goals, SimpleNamespace(name="server"))
    assert gaps[0].startswith("moto keeps endpoints `creating`") and "awslabs.local.dms" in gaps[0]
    assert gaps[1].endswith("run_full_load, run_cdc")
    assert emulator_gaps(lab, goals, SimpleNamespace(name="aws")) == []  # nothing to warn about on AWS


def _awslabs(*args, home):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWSLABS_")}
    env.update(AWSLABS_HOME=str(home), NO_COLOR="1", AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")
    return subprocess.run([sys.executable, "-m", "awslabs", *args], capture_output=True, text=True, env=env,
                          timeout=300)


def test_hint_prints_the_block_and_json_stays_one_document(tmp_path):
    shown = _awslabs("hint", LAB, home=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "On the emulator" in shown.stdout and "run_full_load, run_cdc" in shown.stdout
    as_json = _awslabs("hint", LAB, "--json", home=tmp_path)
    assert as_json.returncode == 0, as_json.stderr
    document = json.loads(as_json.stdout)  # one JSON document, nothing printed around it
    assert document["emulator_gaps"][0].startswith("moto keeps endpoints")


def test_start_prints_the_block_and_json_stays_one_document(moto_server, tmp_path):
    env_args = ("--target", "server", "--endpoint-url", moto_server)
    started = _awslabs("start", LAB, "--dir", str(tmp_path / "work"), *env_args, home=tmp_path)
    assert started.returncode == 0, started.stderr
    assert "On the emulator" in started.stdout and "awslabs.local.dms" in started.stdout
    again = _awslabs("start", LAB, "--dir", str(tmp_path / "work"), "--json", *env_args, home=tmp_path)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["emulator_gaps"][1].endswith("run_full_load, run_cdc")
    _awslabs("reset", LAB, "--yes", *env_args, home=tmp_path)
