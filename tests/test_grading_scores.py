"""How a judged exercise becomes points in the gradebook."""

from __future__ import annotations

import pytest

from coursekit.exercises.core import CaseOutcome, CheckResult
from coursekit.grading.assignment import GradingError, find_submissions
from coursekit.grading.judge import exercise_score


def _result(status: str, passed: int, failed: int) -> CheckResult:
    cases = [CaseOutcome(f"p{i}", True) for i in range(passed)]
    cases += [CaseOutcome(f"f{i}", False, "wrong") for i in range(failed)]
    return CheckResult("name", "00", status, cases)


def test_the_score_is_the_fraction_of_cases_rounded_down():
    assert exercise_score(_result("failed", 1, 5), 6) == pytest.approx(0.1666, abs=1e-12)


def test_all_or_nothing_scores_a_partial_pass_zero():
    assert exercise_score(_result("failed", 5, 1), 6, all_or_nothing=True) == 0.0
    assert exercise_score(_result("passed", 6, 0), 6, all_or_nothing=True) == 1.0


@pytest.mark.parametrize("status", ["not implemented", "uses reference"])
def test_not_done_scores_zero_whatever_the_cases_say(status):
    assert exercise_score(_result(status, 6, 0), 6) == 0.0


def test_a_folder_without_notebooks_is_a_clear_error(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(GradingError, match=r"no notebooks .*found only: notes.txt"):
        find_submissions(tmp_path)


def test_symbolic_links_are_skipped_not_followed(tmp_path):
    (tmp_path / "real.ipynb").write_text("{}")
    (tmp_path / "link.ipynb").symlink_to("/etc/hostname")
    notebooks, skipped = find_submissions(tmp_path)
    assert [path.name for path in notebooks] == ["real.ipynb"]
    assert skipped == [("link.ipynb", "not a regular file")]
