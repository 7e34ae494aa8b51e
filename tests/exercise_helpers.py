"""Small helpers shared by the per-lesson exercise tests (tests/test_exercises_lessonNN.py)."""

from coursekit.exercises import CheckResult


def stub(*args, **kwargs):
    """A learner's untouched exercise: it still raises NotImplementedError."""
    raise NotImplementedError


def first_failure(result: CheckResult) -> str:
    """The message of the first failed case of a check result."""
    return next(case.message for case in result.cases if not case.passed)
