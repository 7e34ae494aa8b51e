"""Self-checks for the learner's exercises (also used by the batch grader).

In a notebook::

    from coursekit.exercises import check
    result = check("polynomial_features", polynomial_features)
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
from coursekit.exercises.registry import all_exercises, check, get_exercise

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
    "run_check",
]
