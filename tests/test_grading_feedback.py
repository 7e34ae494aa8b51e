"""Feedback levels (score, diagnosis, hints), HTML beside Markdown, and one message per unreadable file."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import numpy as np
import pytest
from grading_cases import (
    notebook_bytes,
    solution_edition,
    split_with_one_too_many_in_validation,
    with_function,
)

from coursekit.exercises import all_exercises
from coursekit.exercises.core import LearnerCall, expected_output, judge_output, show
from coursekit.grading.feedback import without_expected_values


def _wrong(value):
    """A plausible wrong answer of the same structure: every number moved."""
    if isinstance(value, np.ndarray):
        if value.dtype == np.bool_:
            return ~value
        if np.issubdtype(value.dtype, np.integer):
            return value + 1
        return (value * 1.37 + 0.11).astype(value.dtype)
    if isinstance(value, (bool, np.bool_)):
        return not value
    if isinstance(value, (int, float, np.integer, np.floating)):
        return type(value)(value * 1.37 + 1)
    if type(value) in (tuple, list):
        return type(value)(_wrong(item) for item in value)
    return value


def _numbers(value) -> list[str]:
    """The texts by which a message could show ``value``'s numbers (as :func:`show` prints them)."""
    if type(value) in (tuple, list):
        return [text for item in value for text in _numbers(item)]
    if isinstance(value, np.ndarray):
        if value.size == 0 or not np.issubdtype(value.dtype, np.floating):
            return []
        if value.size == 1:  # shown as a scalar: a whole number could be an index, as for floats
            return _numbers(value.reshape(-1)[0].item())
        return [show(value).split(": ", 1)[1]]
    if isinstance(value, (float, np.floating)) and not float(value).is_integer():
        return [show(value)]
    return []


@pytest.mark.parametrize("exercise", list(all_exercises().values()), ids=lambda e: e.name)
def test_diagnosis_messages_never_show_what_the_reference_computed(exercise):
    for case in exercise.make_cases(np.random.default_rng(7)):
        expected = expected_output(exercise, case)
        outcome = judge_output(exercise, case, expected, LearnerCall(value=_wrong(expected)))
        if outcome.passed:
            continue
        redacted = without_expected_values(outcome.message)
        for text in _numbers(expected):
            number = re.compile(rf"(?<![\d.]){re.escape(text)}(?![\d])")
            assert not number.search(redacted), (case.label, outcome.message)


def test_the_redaction_keeps_what_the_learner_returned():
    message = "the result differs at 1 of 4 entries; first at index (2,): expected 0.25, got 0.5."
    assert without_expected_values(message) == (
        "the result differs at 1 of 4 entries; first at index (2,): not the expected value; got 0.5."
    )


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "coursekit.cli", *args], capture_output=True, text=True, timeout=600,
        env=dict(os.environ),
    )


def _shouting():
    return with_function(solution_edition(), "polynomial_features", """
        def polynomial_features(x, degree):
            raise ValueError("<script>alert('x')</script> **bold** [link](http://evil)")
    """)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("feedback")
    submissions = root / "submissions"
    submissions.mkdir()
    (submissions / "shouting.ipynb").write_bytes(notebook_bytes(_shouting()))
    (submissions / "off_by_one.ipynb").write_bytes(notebook_bytes(split_with_one_too_many_in_validation()))
    (submissions / "unreadable.ipynb").write_text("{ not json")
    folders = {}
    for level in ("score", "diagnosis", "hints"):
        folders[level] = root / level
        completed = run_cli(
            "grade", str(submissions), "--out", str(root / f"{level}.csv"), "--feedback", str(folders[level]),
            "--feedback-level", level, "--seed", "4", "--no-progress",
        )
        assert completed.returncode == 0, completed.stderr[-2000:]
    return folders


def test_hints_level_is_the_formative_report(graded):
    text = (graded["hints"] / "off_by_one.md").read_text(encoding="utf-8")
    assert text.index("checks failed") < text.index("- 100 examples") < text.index("\n\nHint: ")


def test_diagnosis_level_says_what_failed_without_hints(graded):
    text = (graded["diagnosis"] / "off_by_one.md").read_text(encoding="utf-8")
    assert "checks failed" in text and "Hint:" not in text


def test_score_level_shows_points_only(graded):
    text = (graded["score"] / "off_by_one.md").read_text(encoding="utf-8")
    assert "| split\\_indices | 0 |" in text and "checks failed" not in text and "Hint" not in text


def test_an_unreadable_file_gets_one_message(graded):
    text = (graded["hints"] / "unreadable.md").read_text(encoding="utf-8")
    assert text.count("not valid JSON") == 1 and "## Your notebook could not be graded" in text
    assert "## polynomial" not in text


def test_the_reference_version_line_of_the_self_check_is_not_in_reports(graded):
    for path in graded["hints"].glob("*.md"):
        assert "uses the reference version" not in path.read_text(encoding="utf-8")


def test_html_feedback_is_written_beside_markdown_with_untrusted_text_escaped(graded):
    page = (graded["hints"] / "shouting.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<table>" in page
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert (graded["hints"] / "shouting.md").exists()
