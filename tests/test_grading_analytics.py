"""Class analytics: score distributions, common diagnoses with counts, quiz item statistics."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from grading_cases import (
    EXERCISES,
    notebook_bytes,
    solution_edition,
    split_with_one_too_many_in_validation,
    student_edition,
)

from coursekit.grading.analytics import class_analytics, diagnosis_key, question_stats
from coursekit.grading.assignment import GradingError
from coursekit.quiz.banks import load_banks, load_glossary_from
from coursekit.quiz.grading import parse_responses

FIXTURES = Path(__file__).parent / "fixtures" / "quizzes"


def run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "coursekit.cli", *args], capture_output=True, text=True, timeout=600,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("analytics")
    submissions = root / "submissions"
    submissions.mkdir()
    for student in ("ana", "ben", "cem"):
        (submissions / f"{student}.ipynb").write_bytes(notebook_bytes(split_with_one_too_many_in_validation()))
    (submissions / "dee.ipynb").write_bytes(notebook_bytes(solution_edition()))
    (submissions / "eli.ipynb").write_bytes(notebook_bytes(student_edition()))
    completed = run_cli("grade", str(submissions), "--out", str(root / "grades.csv"), "--seed", "8", "--no-progress")
    assert completed.returncode == 0, completed.stderr[-2000:]
    return root


def test_the_common_mistake_is_counted_once_per_student(graded):
    analytics = class_analytics(graded / "grades.json")
    split = next(stats for stats in analytics.exercises if stats.name == "split_indices")
    key, count = split.diagnoses.most_common(1)[0]
    assert count == 3 and "should hold # indices" in key
    assert split.diagnoses["not implemented"] == 1
    assert sorted(split.scores) == [0.0, 0.0, 0.0, 0.0, 1.0]


def test_the_report_command_writes_a_self_contained_page_with_figures(graded):
    out = graded / "report.html"
    completed = run_cli("report", str(graded / "grades.json"), "--out", str(out))
    assert completed.returncode == 0, completed.stderr[-2000:]
    page = out.read_text(encoding="utf-8")
    figures = len(EXERCISES)  # one score histogram per exercise
    assert page.count("<svg") == figures and page.count('role="img" aria-label=') == figures
    assert "3 students</strong>" in page
    assert "<script" not in page and 'href="http' not in page and 'src="http' not in page
    assert "<metadata>" not in page  # no creation date: the same class gives the same page


def test_a_file_that_is_not_the_graders_json_is_a_clear_error(tmp_path):
    (tmp_path / "grades.json").write_text(json.dumps({"hello": 1}))
    with pytest.raises(GradingError, match="not the JSON that 'coursekit grade' writes"):
        class_analytics(tmp_path / "grades.json")


def test_numbers_and_arrays_do_not_split_a_diagnosis():
    first = diagnosis_key("at index (0, 2): expected 0.25, got [1.5, 2.0]")
    assert first == diagnosis_key("at index (1, 3): expected -3e-05, got [7.1]")


def test_indices_of_any_rank_are_one_diagnosis_and_names_keep_their_digits():
    vector = diagnosis_key("the result differs at 6 of 6 entries; first at index (0,): expected -0.04, got -0.02.")
    kernel = diagnosis_key("the result differs at 12 of 12 entries; first at index (0, 0): expected -0.4, got -0.2.")
    assert vector == kernel == "the result differs at # of # entries; first at index (…): expected #, got #."
    assert diagnosis_key("no function named l1_penalty was found; float32 weights") == (
        "no function named l1_penalty was found; float32 weights"
    )


def test_a_student_who_did_not_implement_an_exercise_counts_once():
    from coursekit.grading.analytics import exercise_stats

    result = {"exercise": "f", "status": "not implemented", "passed": False,
              "cases": [{"label": "implemented", "passed": False, "message": "not implemented yet"}]}
    details = {"exercises": ["f"], "students": [{"student": "eli", "scores": {"f": 0.0}, "results": [result]}]}
    (stats,) = exercise_stats(details)
    assert dict(stats.diagnoses) == {"not implemented": 1}


def _responses(answers: dict, student: str):
    return parse_responses(json.dumps({"student": student, "lesson": "00", "answers": answers}), "r.json")


def test_difficulty_discrimination_and_distractors_are_computed_from_the_responses():
    banks, glossary = load_banks(directory=FIXTURES), load_glossary_from(FIXTURES)
    strong = {"q00-single": 1, "q00-tf": False, "q00-num": 0.08, "q00-text": "validation set"}
    weak = {"q00-single": 0, "q00-tf": True, "q00-num": 0.5, "q00-text": "test set"}
    mixed = {"q00-single": 2, "q00-tf": False, "q00-num": 0.08, "q00-text": "nope"}
    responses = [_responses(strong, "a"), _responses(strong, "b"), _responses(weak, "c"), _responses(mixed, "d")]
    stats = {entry.question_id: entry for entry in question_stats(responses, banks, glossary)}
    single = stats["q00-single"]
    assert single.difficulty == pytest.approx(0.5) and single.n == 4
    assert single.choices == [("the training set", 1, False), ("the validation set", 2, True), ("the test set", 1, False)]
    scores = np.array([1, 1, 0, 0.0])
    rest = np.array([3, 3, 0, 2.0])  # the other questions right: tf, num, text; none; tf, num
    assert single.discrimination == pytest.approx(np.corrcoef(scores, rest)[0, 1])
    assert stats["q00-tf"].choices == [("True", 1, False), ("False", 3, True)]
