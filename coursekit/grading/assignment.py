"""Preparing an assignment: which notebooks to grade, for which lesson, on which cases.

The instructor's seed draws each exercise's cases (``Exercise.make_cases(default_rng(seed))``,
the same generator a self-check with ``seed=`` uses), and the **reference** computes the expected
outputs here, once for the whole class (:func:`coursekit.exercises.core.expected_output`). Only
the inputs go to the sandboxes, as a request (:mod:`coursekit.grading.protocol`).
"""

from __future__ import annotations

import re
import stat
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from coursekit.errors import SubmissionError
from coursekit.exercises.core import Case, Exercise, expected_output
from coursekit.grading import protocol

_CHECK_CALL = re.compile(rb"""check\(\s*\\?["'](\w+)\\?["']""")
#: A student id (the file stem): letters, digits and ``. _ - + @``, not starting with a dot.
_STUDENT_ID = re.compile(r"[^\W][\w.+@-]{0,99}")


class GradingError(SubmissionError):
    """A problem with the grading request itself (an empty folder, an unknown lesson)."""


@dataclass
class Assignment:
    """One lesson's exercises with the instructor's cases and the reference's expected outputs."""

    lesson: str
    seed: int
    exercises: list[Exercise]
    cases: list[list[Case]]
    expected: list[list[Any]]
    request: tuple[dict, dict]


def prepare_assignment(lesson: str, seed: int, time_limit: float) -> Assignment:
    """Draw the cases of ``lesson``'s exercises from ``seed`` and compute the expected outputs.

    Parameters
    ----------
    lesson : str
        Lesson number, "00" to "07".
    seed : int
        The instructor's seed, >= 0.
    time_limit : float
        Seconds per exercise, sent to the child (its own timer makes a time-out precise to the
        case; the parent enforces the limit).
    """
    from coursekit.exercises import all_exercises

    exercises = [exercise for exercise in all_exercises().values() if exercise.lesson == lesson]
    if not exercises:
        known = sorted({exercise.lesson for exercise in all_exercises().values()})
        raise GradingError(f"lesson {lesson!r} has no exercises; lessons with exercises: {', '.join(known)}.")
    all_cases = [list(exercise.make_cases(np.random.default_rng(seed))) for exercise in exercises]
    all_expected = [[expected_output(exercise, case) for case in cases] for exercise, cases in zip(exercises, all_cases, strict=True)]
    request = encode_request(exercises, all_cases, time_limit)
    return Assignment(lesson, seed, exercises, all_cases, all_expected, request)


def encode_request(exercises: list[Exercise], cases: list[list[Case]], time_limit: float) -> tuple[dict, dict]:
    """The request a sandbox receives: per exercise its name and its cases' inputs (plain data)."""
    requested = []
    arrays: dict[str, np.ndarray] = {}
    for index, (exercise, exercise_cases) in enumerate(zip(exercises, cases, strict=True)):
        encoded_cases = []
        for number, case in enumerate(exercise_cases):
            entry = {"label": case.label}
            for part, value in (("args", tuple(case.args)), ("kwargs", dict(case.kwargs))):
                tree, new_arrays = protocol.encode(value, inputs=True)
                prefix = protocol.input_prefix(index, number, part)
                entry[part] = protocol.prefix_keys(tree, prefix)
                arrays.update({prefix + key: array for key, array in new_arrays.items()})
            encoded_cases.append(entry)
        requested.append({"index": index, "name": exercise.name, "cases": encoded_cases})
    return {"time_limit": time_limit, "exercises": requested}, arrays


def find_submissions(directory: Path) -> tuple[list[Path], list[tuple[str, str]]]:
    """The notebooks to grade in ``directory`` (file stem = student id) and the skipped files.

    A notebook is graded only when it is a regular file (not a symlink, FIFO or device) no
    larger than :data:`~coursekit.grading.protocol.MAX_NOTEBOOK_BYTES`, and its stem is a
    plain student id (letters, digits, ``. _ - + @``), so that no file name can carry markup,
    terminal escapes or a path into a report.

    Raises
    ------
    GradingError
        When ``directory`` is not a folder or holds no notebook.
    """
    if not directory.is_dir():
        raise GradingError(f"SUBMISSIONS_DIR must be a folder of notebooks, got {str(directory)!r}.")
    notebooks: dict[str, Path] = {}
    skipped: list[tuple[str, str]] = []
    for path in sorted(directory.iterdir()):
        info = path.lstat()
        if path.suffix.lower() != ".ipynb":
            skipped.append((path.name, "not a notebook (.ipynb)"))
        elif not stat.S_ISREG(info.st_mode):
            skipped.append((path.name, "not a regular file"))
        elif info.st_size > protocol.MAX_NOTEBOOK_BYTES:
            skipped.append((path.name, f"larger than {protocol.MAX_NOTEBOOK_BYTES // 2**20} MB"))
        elif not _STUDENT_ID.fullmatch(path.stem):
            skipped.append((path.name, "the file name is not a plain student id (letters, digits, . _ - + @)"))
        elif path.stem in notebooks:
            skipped.append((path.name, f"a second notebook for student {path.stem!r}"))
        else:
            notebooks[path.stem] = path
    if not notebooks:
        found = f" (found only: {', '.join(name for name, _ in skipped[:5])})" if skipped else ""
        raise GradingError(f"no notebooks (.ipynb files) to grade in {str(directory)!r}{found}.")
    return list(notebooks.values()), skipped


def submission_lesson(path: Path) -> str | None:
    """The lesson whose exercises ``path``'s check cells name most, or ``None`` (none, or a tie)."""
    from coursekit.exercises import all_exercises

    lesson_of = {name: exercise.lesson for name, exercise in all_exercises().items()}
    try:
        content = protocol.read_bounded(path, protocol.MAX_NOTEBOOK_BYTES)
    except protocol.ProtocolError:
        return None
    names = {match.decode() for match in _CHECK_CALL.findall(content)}
    votes = Counter(lesson_of[name] for name in names if name in lesson_of).most_common(2)
    if not votes or (len(votes) == 2 and votes[0][1] == votes[1][1]):
        return None
    return votes[0][0]


def infer_lesson(lessons: dict[Path, str | None]) -> str:
    """The one lesson of a folder, from each notebook's :func:`submission_lesson`.

    Raises
    ------
    GradingError
        When no notebook names a lesson, or the notebooks name different lessons: the message
        lists which file is which lesson, and ties are never broken by file order.
    """
    found: dict[str, list[str]] = {}
    for path, lesson in lessons.items():
        if lesson is not None:
            found.setdefault(lesson, []).append(path.name)
    if not found:
        raise GradingError("could not tell which lesson the notebooks are for; pass --lesson NN.")
    if len(found) > 1:
        listing = "; ".join(
            f"lesson {lesson}: {', '.join(names[:5])}{' …' if len(names) > 5 else ''} ({len(names)})"
            for lesson, names in sorted(found.items())
        )
        raise GradingError(
            f"the folder holds notebooks of {len(found)} lessons ({listing}). Grade one lesson per "
            "folder, or pass --lesson NN to grade them all on one lesson (the others are flagged)."
        )
    return next(iter(found))


def other_lesson_note(lesson: str, own: str | None) -> str:
    """A note for a notebook whose check cells belong to lesson ``own``, graded on ``lesson``."""
    if own is None or own == lesson:
        return ""
    return (
        f"this notebook's check cells are lesson {own}'s, not lesson {lesson}'s; it was graded on "
        f"lesson {lesson}'s exercises (a submission of the wrong lesson?)."
    )


def normalise_lesson(lesson: str) -> str:
    """The two-digit lesson id (:func:`coursekit.course.normalize_lesson`), as a :class:`GradingError`."""
    from coursekit import course

    try:
        return course.normalize_lesson(lesson)
    except ValueError as error:
        raise GradingError(str(error)) from None
