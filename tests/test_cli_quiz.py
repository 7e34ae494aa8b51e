"""The `coursekit` command line, called as a user would: in a subprocess, answers on stdin."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from coursekit.cli import main
from coursekit.quiz.banks import load_bank
from coursekit.quiz.render import bank_text

FIXTURES = Path(__file__).parent / "fixtures" / "quizzes"
ALL_CORRECT_00 = "2\n1, 2\nf\n0.08\nC B A\nValidation-Set\n"


@pytest.fixture
def env(tmp_path):
    environment = dict(os.environ)
    environment.update(
        COURSEKIT_QUIZZES=str(FIXTURES),
        COURSEKIT_PROGRESS=str(tmp_path / "progress.json"),
        PYTHONIOENCODING="utf-8",
    )
    environment.pop("COURSEKIT_DEBUG", None)
    return environment


def coursekit(*args: str, env: dict, stdin: str = "") -> subprocess.CompletedProcess:
    script = Path(sys.executable).with_name("coursekit")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "coursekit.cli"]
    return subprocess.run(
        [*command, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["quiz"],
        ["quiz", "take"],
        ["quiz", "grade"],
        ["quiz", "validate"],
        ["quiz", "export"],
        ["quiz", "key-terms"],
        ["flashcards"],
        ["progress"],
    ],
)
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as exited:
        main([*command, "--help"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.startswith(f"usage: coursekit {' '.join(command)}".rstrip())


def test_help_works_through_the_entry_point(env):
    result = coursekit("--help", env=env)
    assert result.returncode == 0
    assert "quiz" in result.stdout and "flashcards" in result.stdout and "progress" in result.stdout


def test_take_with_all_answers_right_scores_full_marks_and_records_it(env, tmp_path):
    result = coursekit("quiz", "take", "0", env=env, stdin=ALL_CORRECT_00)
    assert result.returncode == 0, result.stderr
    assert "Score: 6 / 6 (100%)" in result.stdout
    assert "     2) the validation set" in result.stdout
    record = json.loads((tmp_path / "progress.json").read_text(encoding="utf-8"))
    assert record["lessons"]["00"]["quiz"]["best_score"] == 6.0


def test_take_shows_the_explanation_after_a_wrong_answer(env):
    result = coursekit("quiz", "take", "00", env=env, stdin="1\n")
    assert "Not quite. You chose 'the training set', which is not correct." in result.stdout
    assert "Why: The validation set; the test set is kept for the final" in result.stdout


def test_take_rereads_an_unreadable_answer_and_survives_end_of_input(env):
    result = coursekit("quiz", "take", "00", "--no-record", env=env, stdin="nine\n2\n")
    assert result.returncode == 0
    assert "Could not read that: 'nine' is not a choice number from 1 to 3." in result.stdout
    assert "Input ended: the remaining questions count as unanswered." in result.stdout
    assert "Score: 1 / 6 (17%)" in result.stdout
    assert "Traceback" not in result.stderr


def test_take_unknown_lesson_is_a_clear_error(env):
    result = coursekit("quiz", "take", "05", env=env)
    assert result.returncode == 1
    assert "no quiz bank for lesson 05 (banks available: 00, 01)" in result.stderr
    assert "Traceback" not in result.stderr


def test_grade_prints_a_report_with_problems_and_total(env, tmp_path):
    responses = tmp_path / "alice.yaml"
    responses.write_text(
        'student: alice\nlesson: "00"\nanswers:\n  q00-single: 1\n  q00-num: "eight"\n  q99-x: 1\n'
    )
    result = coursekit("quiz", "grade", str(responses), env=env)
    assert result.returncode == 0, result.stderr
    assert "wrong type: expected a number, got 'eight'" in result.stdout
    assert "Not graded: q99-x: no question has this id" in result.stdout
    assert result.stdout.rstrip().endswith("Total: 1 / 6 (17%)")


def test_grade_json_is_machine_readable(env, tmp_path):
    responses = tmp_path / "bob.json"
    responses.write_text(json.dumps({"answers": {"q01-patience": 6, "q01-stop": "Early stopping"}}))
    result = coursekit("quiz", "grade", str(responses), "--json", env=env)
    report = json.loads(result.stdout)
    assert (report["score"], report["max_score"], report["lesson"]) == (2.0, 2.0, "01")


def test_grade_malformed_responses_file_gives_file_and_line(env, tmp_path):
    responses = tmp_path / "broken.yaml"
    responses.write_text("answers:\n  q00-single: [1\n")
    result = coursekit("quiz", "grade", str(responses), env=env)
    assert result.returncode == 1
    assert f"{responses}:3: invalid YAML" in result.stderr
    assert "Traceback" not in result.stderr


def test_validate_good_banks_exits_zero(env):
    result = coursekit("quiz", "validate", env=env)
    assert (result.returncode, result.stdout.strip()) == (0, "Checked 3 file(s): no problems.")


def test_validate_broken_bank_lists_file_line_errors_and_exits_one(env, tmp_path):
    shutil.copy(FIXTURES / "glossary.yaml", tmp_path / "glossary.yaml")
    text = (FIXTURES / "lesson_00.yaml").read_text(encoding="utf-8")
    (tmp_path / "lesson_00.yaml").write_text(
        text.replace("decimals: 2", "tolerance: -1").replace("answer: 1\n", "answer: 9\n")
    )
    result = coursekit("quiz", "validate", str(tmp_path), env=env)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(
        f"{tmp_path / 'lesson_00.yaml'}:8: question 'q00-single': answer 9 is out of range"
    )
    assert lines[1].startswith(
        f"{tmp_path / 'lesson_00.yaml'}:34: question 'q00-num': tolerance must be >= 0"
    )
    assert "2 problem(s) in 2 file(s)." in result.stderr


@pytest.mark.parametrize(("fmt", "suffix"), [("gift", "gift"), ("qti", "zip"), ("anki", "apkg")])
def test_export_writes_each_format(env, tmp_path, fmt, suffix):
    out = tmp_path / f"quiz.{suffix}"
    result = coursekit("quiz", "export", "--format", fmt, "--out", str(out), env=env)
    assert result.returncode == 0, result.stderr
    assert out.stat().st_size > 0
    assert result.stdout.startswith("Wrote ")


def test_export_no_answers_for_anki_is_a_clear_error(env, tmp_path):
    result = coursekit(
        "quiz",
        "export",
        "--format",
        "anki",
        "--no-answers",
        "--out",
        str(tmp_path / "d.apkg"),
        env=env,
    )
    assert result.returncode == 1
    assert "--no-answers does not apply to the anki format" in result.stderr


def test_flashcards_review_through_stdin_saves_the_schedule(env, tmp_path):
    result = coursekit("flashcards", "01", env=env, stdin="\ny\n\nn\n")
    assert result.returncode == 0, result.stderr
    assert "Reviewed 2 card(s): 1 known, 1 to practise again." in result.stdout
    cards = json.loads((tmp_path / "progress.json").read_text(encoding="utf-8"))["flashcards"]
    assert {term: card["box"] for term, card in cards.items()} == {
        "early-stopping": 2,
        "patience": 1,
    }


def test_progress_shows_exercises_and_best_quiz_score(env):
    coursekit("quiz", "take", "00", env=env, stdin=ALL_CORRECT_00)
    setup = "from coursekit.progress import record_exercise as r; r('00', 'split_indices', True); r('00', 'polynomial_features', False)"
    subprocess.run([sys.executable, "-c", setup], env=env, check=True)
    result = coursekit("progress", env=env)
    assert result.returncode == 0, result.stderr
    row = next(line for line in result.stdout.splitlines() if line.startswith("00 "))
    assert row.split() == [
        "00", "1", "of", "3", "exercises", "passed", "6", "/", "6", "(100%),", "1", "attempt",
    ]


def test_progress_with_a_corrupt_file_warns_and_keeps_a_backup(env, tmp_path):
    (tmp_path / "progress.json").write_text("{oops")
    result = coursekit("progress", env=env)
    assert result.returncode == 0
    assert result.stderr.startswith("coursekit: warning: The progress file")
    assert "Traceback" not in result.stderr
    assert len(list(tmp_path.glob("progress.json.corrupt-*"))) == 1


# -- hostile banks and responses files -------------------------------------------------------


def test_control_characters_in_a_bank_never_reach_the_terminal(tmp_path, env):
    for name in ("glossary.yaml", "lesson_01.yaml"):
        (tmp_path / name).write_text((FIXTURES / name).read_text(encoding="utf-8"), encoding="utf-8")
    text = (FIXTURES / "lesson_00.yaml").read_text(encoding="utf-8")
    text = text.replace("title: Fixture lesson zero", 'title: "Fixture \\e[2J lesson"')
    (tmp_path / "lesson_00.yaml").write_text(text, encoding="utf-8")
    assert "\x1b" in load_bank("00", tmp_path).title
    assert "\x1b" not in bank_text(load_bank("00", tmp_path))
    result = coursekit(
        "quiz", "take", "00", "--no-record", env={**env, "COURSEKIT_QUIZZES": str(tmp_path)}, stdin="q\n"
    )
    assert result.returncode == 0, result.stderr
    assert "Fixture [2J lesson" in result.stdout and "\x1b" not in result.stdout


def test_a_hostile_responses_file_exits_one_with_a_message(tmp_path, env):
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("a: &a {x: 1}\nb: {k0: {<<: *a}, k1: {<<: *a}}\nanswers: {}\n", encoding="utf-8")
    result = coursekit("quiz", "grade", str(bomb), env=env)
    assert result.returncode == 1
    assert f"{bomb}:2: aliases (*a) are not allowed in quiz files" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_hostile_bank_fails_validation_with_exit_one(tmp_path, env):
    bomb = 'lesson: "00"\ntitle: T\nquestions: &a0 [x, x]\n' + "".join(
        f"a{level}: &a{level} [*a{level - 1}, *a{level - 1}]\n" for level in range(1, 40)
    )
    (tmp_path / "lesson_00.yaml").write_text(bomb, encoding="utf-8")
    result = coursekit("quiz", "validate", str(tmp_path / "lesson_00.yaml"), env=env)
    assert result.returncode == 1
    assert "aliases (*a0) are not allowed in quiz files" in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_grade_json_never_prints_raw_control_characters(env, tmp_path):
    responses = tmp_path / "mallory.json"
    hostile = "Early\x9b2J\x1b[31m stopping"
    responses.write_text(json.dumps({"student": "m\x9bx", "answers": {"q01-stop": hostile}}))
    result = coursekit("quiz", "grade", str(responses), "--json", env=env)
    assert result.returncode == 0, result.stderr
    assert not any(0x80 <= ord(ch) <= 0x9F or ord(ch) < 0x20 and ch not in "\n" for ch in result.stdout)
    json.loads(result.stdout)
