"""The exam map: the guides as data, every lab's task statements, `awslabs coverage` and
`awslabs list --exam`."""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from awslabs.catalog import Catalog
from awslabs.errors import UsageError
from awslabs.exams import coverage, exam_codes, load_guide

ROOT = Path(__file__).resolve().parents[1]
LABS = list(Catalog())
HEAVY = ("boto3", "botocore", "moto", "sklearn", "pandas", "matplotlib", "duckdb", "pyarrow", "optuna")


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "awslabs", *args], capture_output=True, text=True,
                          env={**os.environ, "NO_COLOR": "1"}, timeout=60)


def test_the_guides_match_the_exams_shape():
    """The figures AWS publishes for each exam (issue 17/19 give the same): questions, minutes,
    pass mark, and domain weights that add up to 100 %."""
    mla, mls = load_guide("mla-c01"), load_guide("mls-c01")
    assert (mla.questions, mla.minutes, mla.passing_score) == (65, 130, 720)
    assert [d.weight for d in mla.domains] == [28, 26, 22, 24]
    assert (mls.questions, mls.minutes, mls.passing_score) == (65, 170, 750)
    assert [d.weight for d in mls.domains] == [20, 24, 36, 20]
    assert "retired" in mls.status and mla.status == "current"
    for guide in (mla, mls):
        assert guide.source.startswith("https://") and guide.read
        ids = [t.id for t in guide.tasks]
        assert len(ids) == len(set(ids)) and all(t.id.split(".")[0] == t.domain for t in guide.tasks)


@pytest.mark.parametrize("code", ["mla-c01", "mls-c01"])
def test_every_lab_names_real_task_statements_of_both_exams(code):
    report = coverage(load_guide(code), LABS)
    assert report["unknown"] == [], "labs name task statements the guide does not have"
    for lab in LABS:
        assert lab.exam_tasks(code), f"{lab.id} declares no {code} task statement"


def test_coverage_lists_every_task_statement_and_what_is_not_covered():
    done = cli("coverage", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    guide = load_guide("mla-c01")
    assert [t["id"] for t in report["tasks"]] == [t.id for t in guide.tasks]
    s3 = next(t for t in report["tasks"] if t["id"] == "1.1")
    assert "s3-storage-classes" in s3["labs"]
    assert report["uncovered"] == [t["id"] for t in report["tasks"] if not t["labs"]]
    text = cli("coverage", "--exam", "mls-c01").stdout
    assert "Create data repositories for ML" in text and "retired" in text


def test_list_by_exam_groups_labs_by_domain():
    done = cli("list", "--exam", "mla-c01", "--json")
    domains = json.loads(done.stdout)["domains"]
    assert [d["weight"] for d in domains] == [28, 26, 22, 24]
    by_domain = {d["id"]: d["labs"] for d in domains}
    assert "kinesis-data-streams" in by_domain["1"] and "cloudtrail-audit" in by_domain["4"]
    assert "kinesis-data-streams" not in by_domain["4"]


def test_an_unknown_exam_is_one_line_and_exit_2():
    done = cli("coverage", "--exam", "saa-c03")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "mla-c01" in done.stderr and "mls-c01" in done.stderr
    with pytest.raises(UsageError):
        load_guide("nope")
    assert exam_codes() == ["mla-c01", "mls-c01"]


@pytest.mark.parametrize("argv", [["coverage"], ["list", "--exam", "mla-c01"]])
def test_exam_views_import_no_boto3_moto_or_ml_libraries(argv):
    code = (
        "import sys; from awslabs.cli import main\n"
        f"sys.argv = ['awslabs', *{argv!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"heavy = sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})\n"
        "print('HEAVY=' + ','.join(heavy), file=sys.stderr)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stderr.rstrip().endswith("HEAVY="), result.stderr


def test_readme_coverage_summary_is_generated():
    spec = importlib.util.spec_from_file_location("readme_labs", ROOT / "scripts" / "readme_labs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    readme = (ROOT / "README.md").read_text()
    assert "<!-- exam-coverage:start -->" in readme
    assert module.render(readme, list(Catalog(ROOT / "labs"))) == readme, "run python scripts/readme_labs.py"
