"""All exercises of the course, by name, and the notebook entry points.

:func:`check` judges a learner's function and prints the verdict; its hints come in steps.
The first failure shows the diagnosis and a conceptual nudge (``Exercise.hint``); a second
failed attempt in the same session, or :func:`hint`, shows the more specific hint
(``Exercise.hint_detail``); only :func:`solution` (``hint(name, level=3)``) shows code, the
exercise's solution from :mod:`coursekit.exercises.solutions`.
"""

from __future__ import annotations

import difflib
import importlib
import inspect
import pkgutil
import re
from collections.abc import Callable
from functools import cache

import numpy as np

from coursekit.exercises.core import (
    FAILED,
    STILL_COURSEKIT,
    USES_REFERENCE,
    CaseOutcome,
    CheckResult,
    Exercise,
    run_check,
)

#: Failed checks per exercise name in this session: the second one shows the second-level hint.
_failed_attempts: dict[str, int] = {}


def lesson_modules() -> list[str]:
    """Names of the per-lesson modules (``lesson00``, ``lesson01``, ...), in lesson order.

    Each defines a tuple ``EXERCISES``; adding a lesson's exercises means adding its module.
    """
    import coursekit.exercises as package

    names = [info.name for info in pkgutil.iter_modules(package.__path__)]
    return sorted(name for name in names if re.fullmatch(r"lesson\d\d", name))


@cache
def all_exercises() -> dict[str, Exercise]:
    """Every exercise of the course, keyed by name, in lesson order."""
    exercises: dict[str, Exercise] = {}
    for module_name in lesson_modules():
        module = importlib.import_module(f"coursekit.exercises.{module_name}")
        for exercise in module.EXERCISES:
            if exercise.name in exercises:
                raise RuntimeError(f"exercise name {exercise.name!r} is defined twice.")
            exercises[exercise.name] = exercise
    return exercises


def get_exercise(name: str) -> Exercise:
    """Look an exercise up by name; an unknown name raises ``KeyError`` with suggestions."""
    exercises = all_exercises()
    if name not in exercises:
        close = difflib.get_close_matches(str(name), exercises, n=3)
        suggestion = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise KeyError(f"There is no exercise named {name!r}.{suggestion}")
    return exercises[name]


def check(name: str, function: Callable, *, seed: int = 0, record: bool = True) -> CheckResult:
    """Self-check a learner's function in a notebook: print the verdict and return it.

    Parameters
    ----------
    name : str
        The exercise's name, e.g. ``"polynomial_features"``.
    function : callable
        The learner's implementation.
    seed : int, default=0
        Seed of the random test inputs.
    record : bool, default=True
        Save the outcome in the learner's progress file.

    Returns
    -------
    CheckResult
        ``result.function`` is the learner's function if it passed, else coursekit's version
        (a :class:`~coursekit.exercises.core.CoursekitVersion`), so the rest of the notebook can
        go on either way. Checking that version again says so and records nothing. This
        function never raises.
    """
    try:
        exercise = get_exercise(name)
    except KeyError as error:
        print(f"❌ {error.args[0]}")
        return CheckResult(str(name), "", FAILED, [CaseOutcome("name", False, error.args[0])])
    result = run_check(exercise, function, np.random.default_rng(seed))
    if result.status in (FAILED, USES_REFERENCE):
        _failed_attempts[exercise.name] = _failed_attempts.get(exercise.name, 0) + 1
        if _failed_attempts[exercise.name] >= 2 and exercise.hint_detail:
            result.hint, result.hint_level = exercise.hint_detail, 2
    print(result.summary())
    if record and result.status != STILL_COURSEKIT:
        _record(result)
    return result


def solution_source(name: str) -> str:
    """The source of exercise ``name``'s solution, or "" when coursekit has none.

    Raises ``KeyError`` for an unknown exercise (see :func:`get_exercise`).
    """
    exercise = get_exercise(name)
    try:
        module = importlib.import_module(f"coursekit.exercises.solutions.lesson{exercise.lesson}")
    except ImportError:
        return ""
    function = getattr(module, exercise.name, None)
    return inspect.getsource(function) if callable(function) else ""


def hint_text(name: str, level: int = 2) -> str:
    """The hint of exercise ``name`` at ``level``: 1 a nudge, 2 more specific, 3 the solution.

    Raises ``KeyError`` for an unknown exercise and ``ValueError`` for a level other than
    1, 2 or 3.
    """
    if level not in (1, 2, 3):
        raise ValueError(f"level must be 1, 2 or 3, got {level!r}.")
    exercise = get_exercise(name)
    if level == 3:
        source = solution_source(name)
        if not source:
            return f"coursekit has no written-out solution of {exercise.name}."
        return f"The full answer to {exercise.name}:\n\n{source}"
    if level == 2 and exercise.hint_detail:
        return (
            f"Hint, more specific, for {exercise.name}: {exercise.hint_detail}\n"
            f'The full answer, if you want it: solution("{exercise.name}").'
        )
    return f'Hint for {exercise.name}: {exercise.hint}\nMore help: hint("{exercise.name}").'


def hint(name: str, level: int = 2) -> None:
    """Print a hint for exercise ``name`` in a notebook; never raises.

    Parameters
    ----------
    name : str
        The exercise's name, e.g. ``"dropout_forward"``.
    level : {1, 2, 3}, default=2
        1: the nudge shown with the first failure; 2: more specific, no code; 3: the full
        answer (the same as :func:`solution`).
    """
    try:
        print(hint_text(name, level))
    except KeyError as error:
        print(f"❌ {error.args[0]}")
    except ValueError as error:
        print(f"❌ {error}")


def solution(name: str) -> None:
    """Print the full answer to exercise ``name`` (``hint(name, level=3)``); never raises."""
    hint(name, level=3)


def _record(result: CheckResult) -> None:
    try:
        from coursekit.progress import record_exercise
    except ImportError:
        return
    record_exercise(result.lesson, result.exercise, result.passed)
