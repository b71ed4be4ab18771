"""The install as the README gives it: the core install from the lock runs the main job and every
core lab, and a lab whose extra is missing is refused with one line naming the install command.

A real environment is built from ``uv.lock`` with the core dependencies only (uv links packages
from its cache, so this takes seconds once the test line's ``uv sync`` has run)."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from awslabs.catalog import Catalog
from awslabs.extras import LAB_EXTRAS, MissingExtra, extra_for_module, missing_distributions

REPO = Path(__file__).resolve().parents[1]
UV = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")


@pytest.fixture(scope="module")
def core_env(tmp_path_factory):
    if not (REPO / "uv.lock").is_file() or UV is None:
        pytest.skip("needs a source checkout with uv.lock and uv (the test extra installs it)")
    venv = tmp_path_factory.mktemp("core") / "venv"
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT")}
    env["UV_PROJECT_ENVIRONMENT"] = str(venv)
    done = subprocess.run([UV, "sync", "--locked", "--quiet"], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr
    return venv


def _awslabs(venv: Path, *args: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWSLABS_")}
    env.update(AWSLABS_HOME=str(tmp_path / "home"), NO_COLOR="1", AWSLABS_LOCAL_SPARK="0")
    return subprocess.run([str(venv / "bin" / "awslabs"), *args], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=600)


def test_core_install_has_no_ml_or_sagemaker_packages(core_env):
    site = next((core_env / "lib").glob("python3*/site-packages"))
    for module in ("sklearn", "sagemaker", "pandas", "matplotlib", "optuna", "pyspark", "cfnlint"):
        assert not (site / module).exists(), f"{module} is in the core install"


def test_core_install_runs_every_core_lab_and_refuses_the_others_with_one_line(core_env, tmp_path):
    done = _awslabs(core_env, "run", "--all", "--json", tmp_path=tmp_path)
    reports = json.loads(done.stdout)
    labs = {lab.id: lab for lab in Catalog()}
    by_lab = {r["lab"]: r for r in reports}
    assert set(by_lab) == set(labs)
    for lab_id, report in by_lab.items():
        if labs[lab_id].extra == "core":
            failed = [(s["id"], s["error"]) for s in report["steps"] if s["status"] == "failed"]
            assert report["passed"], f"{lab_id} fails on the core install: {failed}"
        else:
            assert report["status"] == "skipped" and not report["passed"]
            assert f"--extra {labs[lab_id].extra}" in report["reason"]
    assert done.returncode == 4, done.stderr[-2000:]
    assert "Traceback" not in done.stderr


def test_a_lab_whose_extra_is_missing_exits_4_with_the_install_command(core_env, tmp_path):
    done = _awslabs(core_env, "run", "classification-metrics", tmp_path=tmp_path)
    assert done.returncode == 4
    assert done.stdout == ""  # refused before anything connects or prints a header
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr
    assert "'ml' extra" in lines[0] and "uv sync --locked --inexact --extra ml" in lines[0]
    assert 'pip install "awslabs[ml]"' in lines[0]


def test_list_shows_each_labs_extra_on_the_core_install(core_env, tmp_path):
    done = _awslabs(core_env, "list", "--json", tmp_path=tmp_path)
    rows = {row["id"]: row["extra"] for row in json.loads(done.stdout)}
    assert rows["s3-storage-classes"] == "core" and rows["sagemaker-training"] == "sagemaker"
    plain = _awslabs(core_env, "list", tmp_path=tmp_path).stdout
    assert any(line.split()[:2] == ["classification-metrics", "ml"] for line in plain.splitlines())


# -- the extras model, in this (full) environment --------------------------------------------------
def test_every_lab_names_a_known_extra():
    for lab in Catalog():
        assert lab.extra in LAB_EXTRAS


def test_extras_are_read_from_the_package_metadata():
    assert missing_distributions("core") == []
    for extra in LAB_EXTRAS:
        assert missing_distributions(extra) == [], f"the test install lacks the {extra} extra"


def test_the_import_guard_maps_each_module_to_the_extra_that_installs_it():
    """The fallback map (used when a steps.py imports a module its extra does not bring) agrees
    with pyproject.toml: each module's distribution is in that extra."""
    from importlib import metadata

    owners = metadata.packages_distributions()
    requires = metadata.requires("awslabs") or []
    for module in ("numpy", "pandas", "sklearn", "matplotlib", "optuna", "sagemaker", "pyspark"):
        extra = extra_for_module(module)
        dists = owners.get(module, [])
        # the SageMaker SDK 3.x is a meta-package: its modules come from sagemaker-core, -train, …
        names = [re.match(r"[A-Za-z0-9._-]+", line).group(0).lower() for line in requires
                 if re.search(rf"""extra == ["']{extra}["']""", line)]
        assert any(d.lower().startswith(name) for d in dists for name in names), (
            f"{module} -> {extra}: not how pyproject.toml installs it")


def test_missing_extra_is_one_line_with_exit_code_4():
    err = MissingExtra("some-lab", "ml", ["scikit-learn"])
    assert "\n" not in str(err) and err.exit_status == 4
