"""Self-checks for the learner's exercises (also used by the batch grader).

In a notebook::

    from coursekit.exercises import check, hint, solution
    result = check("polynomial_features", polynomial_features)
    hint("polynomial_features")        # more specific than the hint shown with a failure
    solution("polynomial_features")    # the full answer
"""

from coursekit.exercises.core import (
    Case,
    CaseOutcome,
    CheckResult,
    Exercise,
    Seed,
    compare,
    run_check,
)
from coursekit.exercises.registry import all_exercises, check, get_exercise, hint, solution

__all__ = [
    "Case",
    "CaseOutcome",
    "CheckResult",
    "Exercise",
    "Seed",
    "all_exercises",
    "check",
    "compare",
    "get_exercise",
    "hint",
    "run_check",
    "solution",
]
