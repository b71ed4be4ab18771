"""`awslabs progress --html FILE`: the page renders in headless Chromium and the numbers on it
equal the data `--json` prints (skipped, with the reason, where Chromium is not installed;
`.ci/run` installs Debian's chromium)."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time

import pytest

from awslabs.exam.history import History

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# what the workplace documents for headless Chromium on a closed network
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture
def home(tmp_path):
    history = History.load(tmp_path)
    for i, (correct, total) in enumerate([(30, 65), (41, 65), (52, 65)]):
        scaled = round(100 + 900 * correct / total)
        history.append({"ts": time.time() - 86400 * (3 - i), "exam": "mla-c01", "interrupted": False,
                        "scaled_score": scaled, "passed": scaled >= 720, "correct": correct, "total": total,
                        "domains": [], "questions": [
                            {"id": "q1", "task": "1.1", "correct": i > 0},
                            {"id": "q2", "task": "4.3", "correct": False},
                            {"id": "q3", "task": "2.3", "correct": True}]})
    (tmp_path / "progress.json").write_text(json.dumps(
        {"server|http://127.0.0.1:5000|000000000000": {"s3-storage-classes": {"passed": True},
                                                       "sqs-queues": {"passed": False}}}))
    return tmp_path


def _report(home, path):
    done = subprocess.run([sys.executable, "-m", "awslabs", "progress", "--html", str(path), "--json"],
                          capture_output=True, text=True, env={**os.environ, "AWSLABS_HOME": str(home)}, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_report_data_follows_the_history_and_progress(home, tmp_path):
    data = _report(home, tmp_path / "r.html")
    assert [a["scaled_score"] for a in data["attempts"]] == [515, 668, 820]
    assert [a["passed"] for a in data["attempts"]] == [False, False, True]
    assert data["weakest"][0] == {"task": "4.3", "title": "Secure AWS resources", "correct": 0, "total": 3,
                                  "percent": 0}
    d1 = next(d for d in data["domains"] if d["id"] == "1")
    assert d1["labs_passed"] == ["s3-storage-classes"] and d1["done"] == 1
    page = (tmp_path / "r.html").read_text()
    assert "<script src" not in page and "http://" not in page.replace("http://127", "")  # self-contained


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")
def test_the_page_renders_in_headless_chromium_with_the_same_numbers(home, tmp_path):
    page = tmp_path / "report.html"
    data = _report(home, page)
    common = [*FLAGS, f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([CHROMIUM, *common, "--dump-dom", page.as_uri()], capture_output=True, text=True,
                         timeout=120).stdout
    shown = dict(re.findall(r'data-key="([^"]+)" data-value="([^"]+)"', dom))
    for i, attempt in enumerate(data["attempts"]):
        assert shown[f"attempt.{i}.scaled_score"] == str(attempt["scaled_score"])
    for domain in data["domains"]:
        assert shown[f"domain.{domain['id']}.done"] == str(domain["done"])
    for task in data["weakest"]:
        assert shown[f"task.{task['task']}.percent"] == str(task["percent"])
    shot = tmp_path / "shot.png"
    subprocess.run([CHROMIUM, *common, f"--screenshot={shot}", "--window-size=900,1400", page.as_uri()],
                   capture_output=True, timeout=120)
    assert shot.is_file() and shot.stat().st_size > 10_000  # a page with charts, not a blank one


def test_an_unwritable_report_path_is_one_line_and_exit_2(home, tmp_path):
    done = subprocess.run([sys.executable, "-m", "awslabs", "progress", "--html", str(tmp_path / "no" / "x.html")],
                          capture_output=True, text=True, env={**os.environ, "AWSLABS_HOME": str(home)}, timeout=60)
    assert done.returncode == 2 and "cannot write" in done.stderr and "Traceback" not in done.stderr
