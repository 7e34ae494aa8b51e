"""The adversarial class (issue 6, cases 1-23), graded in ONE ``coursekit grade`` run.

Every submission is built at test time from lesson 00's student or solution edition
(``tests/grading_cases.py``). For each: the graded score never exceeds the honest score, the
grader does not crash, and the time stays bounded.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import time

import pytest
from grading_cases import ADVERSARIES, EXERCISES, FAKE, NOT_NOTEBOOKS, build_class, details

TIMEOUT = 2.0
SECRET_VARIABLE = "COURSEKIT_GRADING_SECRET"
#: One child may load plus run both exercises, and be restarted once per exercise.
WALL_CLOCK_PER_STUDENT = 3 * (2.0 + TIMEOUT * 3) + 5


def run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "coursekit.cli", *args],
        capture_output=True, text=True, timeout=300, env={**os.environ, **(env or {})},
    )


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("adversarial")
    submissions = root / "submissions"
    build_class(submissions)
    before = sorted(path.name for path in submissions.iterdir())
    start = time.perf_counter()
    completed = run_cli(
        "grade", str(submissions), "--out", str(root / "grades.csv"), "--feedback",
        str(root / "feedback"), "--workers", "2", "--timeout", str(TIMEOUT), "--seed", "11",
        env={SECRET_VARIABLE: "the-seed-is-11"},
    )
    seconds = time.perf_counter() - start
    return {
        "root": root, "completed": completed, "seconds": seconds, "before": before,
        "after": sorted(path.name for path in submissions.iterdir()),
        "details": details(root / "grades.json") if completed.returncode == 0 else {},
    }


def test_the_grade_run_succeeds_without_a_traceback(graded):
    completed = graded["completed"]
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert "Traceback" not in completed.stderr + completed.stdout


def test_the_whole_class_is_graded_in_bounded_time(graded):
    assert graded["seconds"] < 120


@pytest.mark.parametrize("adversary", ADVERSARIES, ids=lambda adversary: adversary.student)
def test_graded_score_never_exceeds_the_honest_score(graded, adversary):
    scores = graded["details"][adversary.student]["scores"]
    for name, honest in adversary.honest.items():
        assert scores[name] <= honest + 1e-9, (name, scores[name], honest)


@pytest.mark.parametrize("adversary", ADVERSARIES, ids=lambda adversary: adversary.student)
def test_each_submission_took_bounded_time(graded, adversary):
    assert graded["details"][adversary.student]["seconds"] < WALL_CLOCK_PER_STUDENT


@pytest.mark.parametrize(
    "student",
    ["01_solution_edition", "03_top_level_loop", "20_fifty_megabytes_of_output"],
)
def test_honest_work_gets_full_marks_despite_the_noise_around_it(graded, student):
    assert graded["details"][student]["total"] == pytest.approx(len(EXERCISES), abs=1e-9)


@pytest.mark.parametrize(
    "student, exercise",
    [
        ("02_loop_in_one_exercise", "split_indices"),
        ("02_loop_that_swallows_the_alarm", "split_indices"),
        ("04_memory_bomb", "split_indices"),
        ("05_fork_bomb", "split_indices"),
        ("06_os_exit", "split_indices"),
        ("06_kernel_death", "polynomial_features"),
        ("07_sys_exit", "split_indices"),
        ("17_delete_files", "split_indices"),
        ("19_missing_cell", "polynomial_features"),
        ("21_renamed_function", "split_indices"),
    ],
)
def test_the_other_exercise_is_still_graded_after_a_bad_one(graded, student, exercise):
    assert graded["details"][student]["scores"][exercise] == pytest.approx(1.0, abs=1e-9)


def _messages(graded, student: str, exercise: str) -> str:
    results = graded["details"][student]["results"]
    result = next(r for r in results if r["exercise"] == exercise)
    return " ".join([result["status"], *(case["message"] for case in result["cases"])])


def test_an_infinite_loop_is_reported_as_a_time_out(graded):
    assert "time limit of 2 s" in _messages(graded, "02_loop_in_one_exercise", "polynomial_features")


def test_a_loop_that_swallows_the_alarm_is_stopped_by_the_wall_clock(graded):
    message = _messages(graded, "02_loop_that_swallows_the_alarm", "polynomial_features")
    assert "wall-clock limit" in message


def test_a_process_that_exits_early_is_reported(graded):
    assert "exited early" in _messages(graded, "06_os_exit", "polynomial_features")
    assert "SIGKILL" in _messages(graded, "06_kernel_death", "split_indices")


def test_sys_exit_and_keyboard_interrupt_are_learner_errors(graded):
    student = "07_system_exit_and_keyboard_interrupt"
    assert "raised SystemExit" in _messages(graded, student, "polynomial_features")
    assert "raised KeyboardInterrupt" in _messages(graded, student, "split_indices")


def test_printed_claims_of_success_are_ignored(graded):
    assert _messages(graded, "08_fake_print", "polynomial_features").startswith("not implemented")


def test_fake_result_files_change_nothing_outside_the_sandbox(graded):
    root = graded["root"]
    assert graded["after"] == graded["before"]
    assert not (root / "grades.csv").read_text().count(FAKE)
    assert FAKE not in (root / "feedback" / "09_fake_files.md").read_text()
    with open(root / "grades.csv", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert {row["student"] for row in rows} == {adversary.student for adversary in ADVERSARIES}


def test_comparing_objects_with_a_rigged_eq_never_passes(graded):
    assert "got an object of type Anything" in _messages(graded, "11_always_equal", "polynomial_features")


def test_an_ndarray_subclass_is_named_in_the_feedback(graded):
    message = _messages(graded, "12_ndarray_subclass", "polynomial_features")
    assert "Agreeable (a numpy array subclass)" in message


def test_a_broadcastable_shape_is_explained(graded):
    assert "shape" in _messages(graded, "14_wrong_shape_and_dtype", "polynomial_features")
    assert "integers" in _messages(graded, "14_wrong_shape_and_dtype", "split_indices")


@pytest.mark.parametrize("student", ["15_reference_import", "15_reference_alias"])
def test_returning_the_reference_is_flagged_in_the_feedback(graded, student):
    feedback = (graded["root"] / "feedback" / f"{student}.md").read_text()
    assert feedback.count("this is coursekit's reference implementation, not your own work") == 2


def test_the_sandbox_sees_no_instructor_environment(graded):
    message = _messages(graded, "16_read_secrets", "polynomial_features")
    assert "env=[]" in message
    assert "home=/sandbox/work" in message or "coursekit-grade-" in message.split("home=")[1]


def test_a_file_that_is_not_json_is_reported_as_not_a_notebook(graded):
    assert "not a notebook" in _messages(graded, "18_not_json", "polynomial_features")
    assert "not a notebook" in _messages(graded, "20_null_bytes", "split_indices")


def test_a_renamed_function_is_reported_as_missing(graded):
    assert "no function named polynomial_features" in _messages(
        graded, "21_renamed_function", "polynomial_features"
    )


def test_non_notebook_files_are_listed_as_skipped(graded):
    stdout = graded["completed"].stdout
    for name in [*NOT_NOTEBOOKS, "a_folder"]:
        assert f"skipped {name}: not a notebook" in stdout


def test_no_process_of_a_sandbox_survives_the_run(graded):
    import psutil

    # The fork bomb starts `sleep 60` in new sessions. A killed process stays in the table as a
    # zombie until init reaps it; zombies run nothing and hold nothing, so only live ones count.
    survivors = [
        p.info["cmdline"] for p in psutil.process_iter(["cmdline", "status"])
        if p.info["status"] != psutil.STATUS_ZOMBIE and p.info["cmdline"]
        and ("coursekit.grading.sandbox" in " ".join(p.info["cmdline"]) or p.info["cmdline"][:2] == ["sleep", "60"])
    ]
    assert survivors == []


def test_an_empty_folder_gives_a_clear_message_and_a_failure_status(tmp_path):
    (tmp_path / "empty").mkdir()
    completed = run_cli("grade", str(tmp_path / "empty"), "--out", str(tmp_path / "g.csv"))
    assert completed.returncode == 1
    assert "no notebooks (.ipynb files) to grade" in completed.stderr
    assert "Traceback" not in completed.stderr
