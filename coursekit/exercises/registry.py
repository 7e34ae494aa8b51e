"""All exercises of the course, by name, and the notebook entry point :func:`check`."""

from __future__ import annotations

import difflib
import importlib
import pkgutil
import re
from collections.abc import Callable
from functools import cache

import numpy as np

from coursekit.exercises.core import CaseOutcome, CheckResult, Exercise, run_check


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
        ``result.function`` is the learner's function if it passed, else the reference, so the
        rest of the notebook can go on either way. This function never raises.
    """
    try:
        exercise = get_exercise(name)
    except KeyError as error:
        print(f"❌ {error.args[0]}")
        return CheckResult(str(name), "", "failed", [CaseOutcome("name", False, error.args[0])])
    result = run_check(exercise, function, np.random.default_rng(seed))
    print(result.summary())
    if record:
        _record(result)
    return result


def _record(result: CheckResult) -> None:
    try:
        from coursekit.progress import record_exercise
    except ImportError:
        return
    record_exercise(result.lesson, result.exercise, result.passed)
