"""coursekit.course: the one lesson-id normaliser and where the course's files are."""

from __future__ import annotations

import pytest

from coursekit import course
from coursekit.grading.assignment import GradingError, normalise_lesson
from coursekit.progress import _lesson_key
from coursekit.quiz.banks import normalize_lesson


@pytest.mark.parametrize(("given", "expected"), [
    (3, "03"), ("3", "03"), ("03", "03"), ("lesson_03", "03"), ("Lesson 3", "03"), (" 07 ", "07"),
])
def test_every_caller_normalises_a_lesson_the_same_way(given, expected):
    assert course.normalize_lesson(given) == normalize_lesson(given) == normalise_lesson(given)
    assert _lesson_key(given) == expected == course.normalize_lesson(given)


@pytest.mark.parametrize("given", ["123", "3a", "", True, -1, 100, None, 3.0, "lesson_"])
def test_every_caller_refuses_what_is_not_a_lesson(given):
    for normaliser in (course.normalize_lesson, normalize_lesson, _lesson_key):
        with pytest.raises(ValueError, match="lesson must be a lesson number"):
            normaliser(given)
    with pytest.raises(GradingError):
        normalise_lesson(given)


def test_in_a_checkout_the_top_level_folders_are_the_source():
    assert course.in_checkout()
    assert course.notebooks_dir() == course.CHECKOUT / "notebooks"
    assert course.quizzes_dir() == course.CHECKOUT / "quizzes"


def test_python_dash_m_coursekit_is_the_command_line():
    import subprocess
    import sys

    completed = subprocess.run([sys.executable, "-m", "coursekit", "--version"], capture_output=True, text=True)
    assert completed.returncode == 0 and completed.stdout.startswith("coursekit ")
