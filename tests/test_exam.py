"""`awslabs exam`: the bank's lint, evidence-backed keys, domain weighting, scoring, line mode,
the terminal UI (headless), history with spaced repetition, and the paper export."""
from __future__ import annotations

import asyncio
import collections
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from awslabs.catalog import Catalog
from awslabs.exam import Attempt, load_bank, minutes_for, scaled_score, select
from awslabs.exam.evidence import computed_key
from awslabs.exam.history import History, attempt_record
from awslabs.exam.session import allocate
from awslabs.exams import coverage, default_exams_dir, load_guide

EXAMS = ("mla-c01", "mls-c01")
BANKS = {code: load_bank(code) for code in EXAMS}
ALL = [q for bank in BANKS.values() for q in bank.questions]
LABS = {lab.id: lab for lab in Catalog()}


def cli(*args, stdin="", env=None, timeout=120):
    full = {**os.environ, "NO_COLOR": "1", **(env or {})}
    return subprocess.run([sys.executable, "-m", "awslabs", *args], input=stdin, capture_output=True, text=True,
                          env=full, timeout=timeout)


# -- the bank ----------------------------------------------------------------------------------
@pytest.mark.parametrize("code", EXAMS)
def test_the_bank_loads_without_problems(code):
    assert BANKS[code].problems == []


def test_every_question_names_a_lab_and_step_that_exist_and_a_dated_source():
    for q in ALL:
        for ref in q.labs:
            lab_id, _, step = ref.partition(":")
            assert lab_id in LABS, f"{q.id}: unknown lab {lab_id}"
            if step:
                assert step in [s.id for s in LABS[lab_id].steps], f"{q.id}: {lab_id} has no step {step}"
        assert q.source.startswith("https://") and len(q.read) == 10


def test_stems_are_unique_and_every_question_is_reachable_from_coverage():
    stems = [" ".join(q.stem.lower().split()) for q in ALL]
    assert len(stems) == len(set(stems)), [s for s, n in collections.Counter(stems).items() if n > 1]
    for code, bank in BANKS.items():
        tasks = {t["id"] for t in coverage(load_guide(code), LABS.values())["tasks"]}
        assert all(q.task in tasks for q in bank.questions)


def test_keys_are_balanced():
    """The right answer is not always the same letter, nor always the longest option."""
    single = [q for q in ALL if q.type == "single"]
    if len(single) < 20:
        pytest.skip(f"only {len(single)} single-answer questions so far: too few to judge balance")
    letters = collections.Counter(q.answer[0] for q in single)
    assert max(letters.values()) <= 0.4 * len(single), letters
    longest = sum(1 for q in single if len(q.option(q.answer[0]).text) > max(
        len(o.text) for o in q.options if o.key != q.answer[0]))
    assert longest <= 0.4 * len(single), f"the key is the longest option in {longest}/{len(single)}"


def test_evidence_names_are_unique_and_evidence_questions_give_values():
    """Two topic modules may not register the same name (the second would silently replace the
    first), and every option of an evidence-backed question says what value it stands for."""
    from awslabs.exam import evidence

    evidence._load_topic_modules()
    assert evidence.DUPLICATES == []
    for q in ALL:
        if q.evidence:
            assert q.evidence in evidence.EVIDENCE, f"{q.id}: unknown evidence {q.evidence}"
            if q.type in ("single", "ordering"):
                assert all(o.value is not None for o in q.options), f"{q.id}: an option has no value"
            values = [o.value for o in q.options if o.value is not None]
            assert len(values) == len(set(values)), f"{q.id}: two options carry the same value"


@pytest.mark.parametrize("question", [q for q in ALL if q.evidence], ids=lambda q: q.id)
def test_every_evidence_backed_key_is_what_the_evidence_computes(question):
    expected = list(question.answer) if question.type == "ordering" else sorted(question.answer)
    assert computed_key(question) == expected


def test_bank_size_against_the_target():
    """Issue 19's target: 130 MLA-C01 (every task statement at least once) and 65 MLS-C01, a third
    with evidence. Reported, and enforced once reached."""
    mla, mls = BANKS["mla-c01"].questions, BANKS["mls-c01"].questions
    with_evidence = sum(1 for q in ALL if q.evidence)
    if len(mla) < 130 or len(mls) < 65:
        pytest.skip(f"bank below target: {len(mla)}/130 MLA-C01, {len(mls)}/65 MLS-C01, "
                    f"{with_evidence}/{len(ALL)} with evidence")
    assert {q.task for q in mla} == {t.id for t in load_guide("mla-c01").tasks}
    assert with_evidence * 3 >= len(ALL)


def test_a_corrupt_bank_file_is_named_with_its_line_and_skipped(tmp_path):
    root = tmp_path / "exams"
    shutil.copytree(default_exams_dir(), root)
    (root / "mla-c01" / "questions" / "broken.toml").write_text('[[questions]]\nid = "x\n')
    (root / "mla-c01" / "questions" / "bad-question.toml").write_text(
        '[[questions]]\nid = "mla-no-task"\ntask = "9.9"\nstem = "s"\nsource = "https://x"\nread = "2026-12-06"\n')
    bank = load_bank("mla-c01", root)
    assert len(bank.questions) == len(BANKS["mla-c01"].questions)
    assert any("broken.toml" in p and "line" in p for p in bank.problems)
    assert any("mla-no-task" in p and "9.9" in p for p in bank.problems)
    done = cli("exam", "--count", "1", "--line", stdin="", env={"AWSLABS_EXAMS_DIR": str(root),
                                                               "AWSLABS_HOME": str(tmp_path / "home")})
    assert done.returncode == 0 and "broken.toml" in done.stderr and "Traceback" not in done.stderr


# -- selection and scoring -----------------------------------------------------------------------
def test_a_full_exam_is_split_by_the_domain_weights():
    guide = load_guide("mla-c01")
    assert allocate(guide, {"1": 99, "2": 99, "3": 99, "4": 99}, 65) == {"1": 18, "2": 17, "3": 14, "4": 16}
    # a domain that has too few questions gives its share to the others
    plan = allocate(guide, {"1": 99, "2": 99, "3": 2, "4": 99}, 65)
    assert plan["3"] == 2 and sum(plan.values()) == 65
    mls = load_guide("mls-c01")
    assert allocate(mls, {"1": 99, "2": 99, "3": 99, "4": 99}, 65) == {"1": 13, "2": 16, "3": 23, "4": 13}


def test_the_same_seed_gives_the_same_exam():
    bank = BANKS["mla-c01"]
    n = min(3, len(bank.questions))
    assert [q.id for q in select(bank, n, seed=7)] == [q.id for q in select(bank, n, seed=7)]


def test_scaled_score_and_pass_marks():
    assert scaled_score(0, 65) == 100 and scaled_score(65, 65) == 1000
    assert scaled_score(44, 65) < 720 <= scaled_score(45, 65)  # 45 of 65 (69 %) passes MLA-C01
    assert minutes_for(load_guide("mla-c01"), 65) == 130 and minutes_for(load_guide("mla-c01"), 10) == 20


def test_all_or_nothing_like_the_exam():
    q = next(q for q in ALL if q.type == "multiple")
    assert q.is_correct(list(reversed(q.answer)))
    assert not q.is_correct(q.answer[:1])


# -- line mode, JSON, bad input ----------------------------------------------------------------
def test_line_mode_end_to_end_with_json(tmp_path):
    bank = BANKS["mla-c01"]
    questions = select(bank, 3, seed=3)
    answers = [questions[0].answer[0], ",".join(questions[1].answer), "Z", ",".join(questions[2].answer), "s", "y"]
    done = cli("exam", "--count", "3", "--seed", "3", "--json", stdin="\n".join(answers) + "\n",
               env={"AWSLABS_HOME": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["total"] == 3 and result["correct"] == 3 and result["scaled_score"] == 1000 and result["passed"]
    assert "Not recorded" in done.stderr  # "Z" is no option: said, not recorded
    assert all(q["source"] and q["labs"] and all(o["why"] for o in q["options"]) for q in result["questions"])
    history = History.load(tmp_path)
    assert len(history.scored("mla-c01")) == 1


def test_line_mode_text_result_explains_every_option(tmp_path):
    done = cli("exam", "--count", "2", "--seed", "1", "--line", stdin="A\nA\ns\ny\n",
               env={"AWSLABS_HOME": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    assert "scaled score" in done.stdout and "practise it: awslabs show" in done.stdout and "source:" in done.stdout


@pytest.mark.parametrize("args,needle", [
    (["--exam", "saa-c03"], "mla-c01"),
    (["--domain", "7"], "choose one of 1, 2, 3, 4"),
    (["--count", "100000"], "ask for at most"),
])
def test_bad_input_is_one_line_and_exit_2(args, needle, tmp_path):
    done = cli("exam", *args, env={"AWSLABS_HOME": str(tmp_path)})
    assert done.returncode == 2 and needle in done.stderr and "Traceback" not in done.stderr


def test_ctrl_c_saves_the_attempt_and_exits_130(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "awslabs", "exam", "--count", "2", "--line"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "AWSLABS_HOME": str(tmp_path)})
    proc.stdin.write(BANKS["mla-c01"].questions[0].options[0].key + "\n")
    proc.stdin.flush()
    time.sleep(3)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    records = History.load(tmp_path).attempts
    assert records and records[-1]["interrupted"] and "saved" in err


# -- history and review ---------------------------------------------------------------------------
def test_missed_questions_come_back_and_a_corrupt_history_line_is_skipped(tmp_path):
    bank = BANKS["mla-c01"]
    attempt = Attempt(bank.guide, bank.questions[:2], minutes=10)
    attempt.answers[bank.questions[0].id] = bank.questions[0].answer
    attempt.answers[bank.questions[1].id] = ("Z",)
    history = History.load(tmp_path)
    history.append(attempt_record(attempt.submit()))
    with history.path.open("a") as f:
        f.write("[1, 2]\n{not json\n")
    reloaded = History.load(tmp_path)
    assert len(reloaded.problems) == 2 and len(reloaded.attempts) == 1
    assert reloaded.due("mla-c01", now=time.time() + 86400 + 1) == [bank.questions[1].id]
    assert reloaded.due("mla-c01", now=time.time()) == []  # due one day after the miss
    cards = reloaded.cards("mla-c01")
    assert cards[bank.questions[0].id].box == 2 and cards[bank.questions[1].id].box == 1


def test_review_with_nothing_due_says_so_and_names_weak_tasks(tmp_path):
    done = cli("exam", "--review", "--json", env={"AWSLABS_HOME": str(tmp_path)})
    assert done.returncode == 0 and json.loads(done.stdout)["due"] == 0


# -- the terminal UI, headless -----------------------------------------------------------------
def test_the_tui_answers_navigates_flags_reviews_and_submits():
    from awslabs.exam.tui import ExamApp

    bank = BANKS["mla-c01"]
    single = [q for q in bank.questions if q.type == "single"][:2]
    attempt = Attempt(bank.guide, single, minutes=10)

    async def drive():
        app = ExamApp(attempt)
        async with app.run_test() as pilot:
            await pilot.press(single[0].answer[0].lower())
            await pilot.press("m")            # flag question 1
            await pilot.press("right")
            await pilot.press(single[1].options[0].key.lower())
            await pilot.press("r")            # review screen
            await pilot.press("escape")
            await pilot.press("s")
            await pilot.press("y")
            await pilot.pause()
        return app.return_value

    outcome = asyncio.run(drive())
    assert outcome == "submitted"
    assert attempt.answers[single[0].id] == single[0].answer
    assert single[0].id in attempt.flagged
    result = attempt.submit()
    assert result.correct >= 1


# -- paper export --------------------------------------------------------------------------------
def test_export_writes_a_paper_and_a_separate_key(tmp_path):
    done = cli("exam", "--export", str(tmp_path), "--count", "3", "--seed", "2", "--json")
    paths = json.loads(done.stdout)
    paper, key = Path(paths["paper"]).read_text(), Path(paths["key"]).read_text()
    questions = select(BANKS["mla-c01"], 3, seed=2)
    assert all(" ".join(q.stem.split())[:40] in " ".join(paper.split()) for q in questions)
    assert all(q.id in key for q in questions) and not any(q.id in paper for q in questions)
    assert all(o.why not in paper for q in questions for o in q.options)


# -- full exams end to end ------------------------------------------------------------------------
@pytest.mark.parametrize("code", EXAMS)
def test_a_full_exam_runs_end_to_end_in_line_mode(code, tmp_path):
    bank = BANKS[code]
    questions = select(bank, seed=11)
    assert len(questions) == 65
    answers = [",".join(q.answer) for q in questions]
    done = cli("exam", "--exam", code, "--seed", "11", "--json", stdin="\n".join(answers + ["s", "y"]) + "\n",
               env={"AWSLABS_HOME": str(tmp_path)})
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    assert (result["total"], result["correct"], result["scaled_score"], result["passed"]) == (65, 65, 1000, True)
    guide = load_guide(code)
    assert [d["total"] for d in result["domains"]] == list(allocate(guide, {d.id: 99 for d in guide.domains}, 65).values())


@pytest.mark.parametrize("code", EXAMS)
def test_a_full_exam_runs_end_to_end_in_the_tui(code):
    from awslabs.exam.tui import ExamApp

    bank = BANKS[code]
    attempt = Attempt(bank.guide, select(bank, seed=5), minutes=minutes_for(bank.guide, 65))

    async def drive():
        app = ExamApp(attempt)
        async with app.run_test() as pilot:
            for q in attempt.questions:
                if q.type in ("single", "multiple"):
                    for key in q.answer:
                        await pilot.press(key.lower())
                else:  # typed answers: focus the input, type, Enter
                    app.set_focus(app.query_one("#typed"))
                    await pilot.press(*",".join(q.answer).lower())
                    await pilot.press("enter")
                await pilot.press("right")
            await pilot.press("s")
            await pilot.press("y")
            await pilot.pause()
        return app.return_value

    assert asyncio.run(drive()) == "submitted"
    result = attempt.submit()
    assert (result.total, result.correct, result.passed) == (65, 65, True)
