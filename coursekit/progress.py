"""The learner's progress: exercises passed, best quiz scores and the flashcard schedule.

Everything is kept in one per-user JSON file, by default ``~/.coursekit/progress.json``. Set the
environment variable ``COURSEKIT_PROGRESS`` to a file path to keep it elsewhere (the tests do,
and so can a learner who wants a progress file per course copy).

- Writes are atomic: the new content goes to a temporary file in the same folder, which then
  replaces the old file (``os.replace``), so an interrupted write never leaves half a file.
- A file that cannot be understood (invalid JSON or an unexpected shape) is never lost silently:
  it is renamed to ``progress.json.corrupt-<timestamp>``, a :class:`ProgressWarning` says so,
  and a fresh file is started.
- Recording never raises because the file cannot be written (a read-only home, say): the
  exercise checks and quizzes that call it must keep working, so a warning is issued instead.
  Bad arguments do raise ``ValueError``/``TypeError``.

Two processes recording at the same moment can lose one of the two updates (the last write
wins); the file itself stays valid.

File format (version 1)::

    {"version": 1,
     "lessons": {"00": {"exercises": {"<name>": {"passed": bool, "last_passed": bool,
                                                 "attempts": int, "updated": "<ISO time>"}},
                        "quiz": {"best_score": float, "best_max_score": float,
                                 "last_score": float, "last_max_score": float,
                                 "attempts": int, "updated": "<ISO time>"}}},
     "flashcards": {"<term id>": {"box": int, "due": "<ISO date>", "reviews": int,
                                  "updated": "<ISO time>"}}}

``passed`` means "passed at least once", so re-running a notebook whose exercise was reset does
not erase the learner's record; ``last_passed`` holds the latest outcome.
"""

from __future__ import annotations

import datetime
import json
import math
import numbers
import os
import re
import tempfile
import warnings
from pathlib import Path

from coursekit import course

PROGRESS_ENV = "COURSEKIT_PROGRESS"
FORMAT_VERSION = 1
MAX_BOX = 5
"""Highest Leitner box a flashcard can reach (boxes are numbered 1 to ``MAX_BOX``)."""

_LESSON = re.compile(r"^[0-9]{2}$")


class ProgressWarning(UserWarning):
    """The progress file was corrupt (and was backed up) or could not be written."""


def progress_path() -> Path:
    """The progress file: ``$COURSEKIT_PROGRESS`` if set, else ``~/.coursekit/progress.json``."""
    override = os.environ.get(PROGRESS_ENV)
    if override:
        return Path(override).expanduser()
    return Path.home() / ".coursekit" / "progress.json"


def empty_progress() -> dict:
    """A progress record with nothing in it."""
    return {"version": FORMAT_VERSION, "lessons": {}, "flashcards": {}}


def _now() -> str:
    return datetime.datetime.now().astimezone().isoformat(timespec="seconds")


def _lesson_key(lesson: object) -> str:
    return course.normalize_lesson(lesson)


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_real(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


def _shape_problem(data: object) -> str | None:
    """What is wrong with the shape of a loaded progress record, or None if it is fine."""
    if not isinstance(data, dict):
        return "the top level is not a JSON object"
    if data.get("version") != FORMAT_VERSION:
        return f"unknown format version {data.get('version')!r}"
    lessons = data.get("lessons")
    flashcards = data.get("flashcards")
    if not isinstance(lessons, dict) or not isinstance(flashcards, dict):
        return "'lessons' and 'flashcards' must be JSON objects"
    for lesson, entry in lessons.items():
        if not _LESSON.match(lesson) or not isinstance(entry, dict):
            return f"lesson {lesson!r} is malformed"
        exercises = entry.get("exercises", {})
        if not isinstance(exercises, dict):
            return f"lesson {lesson}: 'exercises' is not a JSON object"
        for name, record in exercises.items():
            if not (
                isinstance(record, dict)
                and isinstance(record.get("passed"), bool)
                and isinstance(record.get("last_passed"), bool)
                and _is_count(record.get("attempts"))
            ):
                return f"lesson {lesson}: exercise {name!r} is malformed"
        quiz = entry.get("quiz")
        if quiz is not None:
            keys = ("best_score", "best_max_score", "last_score", "last_max_score")
            if not (
                isinstance(quiz, dict)
                and all(_is_real(quiz.get(key)) for key in keys)
                and quiz["best_max_score"] > 0
                and _is_count(quiz.get("attempts"))
            ):
                return f"lesson {lesson}: the quiz record is malformed"
    for term_id, card in flashcards.items():
        if not (
            isinstance(card, dict)
            and _is_count(card.get("box"))
            and 1 <= card["box"] <= MAX_BOX
            and _is_count(card.get("reviews"))
        ):
            return f"flashcard {term_id!r} is malformed"
        try:
            datetime.date.fromisoformat(card.get("due"))
        except (TypeError, ValueError):
            return f"flashcard {term_id!r} has no valid due date"
    return None


def _back_up(path: Path, reason: str) -> None:
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    backup = path.with_name(f"{path.name}.corrupt-{stamp}")
    counter = 1
    while backup.exists():
        backup = path.with_name(f"{path.name}.corrupt-{stamp}-{counter}")
        counter += 1
    try:
        os.replace(path, backup)
    except OSError as error:
        warnings.warn(
            f"The progress file {path} is unreadable ({reason}) and could not be backed up "
            f"({error.strerror}); it is left as it is and ignored for now.",
            ProgressWarning,
            stacklevel=4,
        )
        return
    warnings.warn(
        f"The progress file {path} was unreadable ({reason}). It was kept as {backup} and a "
        "fresh progress file was started.",
        ProgressWarning,
        stacklevel=4,
    )


def load_progress() -> dict:
    """Read the learner's progress.

    Returns
    -------
    dict
        The record in the format of the module docstring; :func:`empty_progress` when there is
        no file yet. A corrupt file is backed up with a :class:`ProgressWarning` and an empty
        record is returned.
    """
    path = progress_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return empty_progress()
    except UnicodeDecodeError:
        _back_up(path, "it is not UTF-8 text")
        return empty_progress()
    except OSError as error:
        warnings.warn(
            f"Cannot read the progress file {path}: {error.strerror}.",
            ProgressWarning,
            stacklevel=2,
        )
        return empty_progress()
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        _back_up(path, "it is not valid JSON")
        return empty_progress()
    problem = _shape_problem(data)
    if problem:
        _back_up(path, problem)
        return empty_progress()
    return data


def save_progress(data: dict) -> None:
    """Write a progress record atomically (temporary file + ``os.replace``).

    Parameters
    ----------
    data : dict
        A record in the format of the module docstring.

    Raises
    ------
    ValueError
        If ``data`` does not have that format.
    OSError
        If the file cannot be written.
    """
    problem = _shape_problem(data)
    if problem:
        raise ValueError(f"data is not a valid progress record: {problem}.")
    path = progress_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False
    )
    try:
        with handle:
            json.dump(data, handle, indent=2, sort_keys=True)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def _update(change) -> None:
    """Load, apply ``change(data)``, save; a write failure becomes a warning."""
    data = load_progress()
    change(data)
    try:
        save_progress(data)
    except OSError as error:
        warnings.warn(
            f"Could not save progress to {progress_path()}: {error.strerror or error}. "
            f"Set {PROGRESS_ENV} to a writable file path to keep your progress.",
            ProgressWarning,
            stacklevel=3,
        )


def _lesson_entry(data: dict, lesson: str) -> dict:
    return data["lessons"].setdefault(lesson, {"exercises": {}})


def record_exercise(lesson: str, exercise: str, passed: bool) -> None:
    """Record one run of an exercise check.

    Parameters
    ----------
    lesson : str
        Lesson number, e.g. ``"02"`` (an int or a one-digit string is accepted too).
    exercise : str
        Name of the exercise, unique within the lesson (e.g. ``"dropout_forward"``).
    passed : bool
        Whether the learner's implementation passed this time.
    """
    key = _lesson_key(lesson)
    if not isinstance(exercise, str) or not exercise.strip():
        raise ValueError(f"exercise must be a non-empty name, got {exercise!r}.")
    # A numpy bool (e.g. from np.all) is accepted as well: it has dtype bool and shape ().
    numpy_bool = (
        str(getattr(passed, "dtype", "")) == "bool" and getattr(passed, "shape", None) == ()
    )
    if not isinstance(passed, bool) and not numpy_bool:
        raise TypeError(f"passed must be True or False, got {passed!r}.")
    passed = bool(passed)

    def change(data: dict) -> None:
        exercises = _lesson_entry(data, key).setdefault("exercises", {})
        record = exercises.get(exercise, {"passed": False, "attempts": 0})
        exercises[exercise] = {
            "passed": record["passed"] or passed,
            "last_passed": passed,
            "attempts": record["attempts"] + 1,
            "updated": _now(),
        }

    _update(change)


def record_quiz(lesson: str, score: float, max_score: float) -> None:
    """Record one completed quiz; the best score (as a fraction of the maximum) is kept.

    Parameters
    ----------
    lesson : str
        Lesson number, e.g. ``"00"``.
    score : float
        Points earned, in ``[0, max_score]``.
    max_score : float
        Points possible, ``> 0``.
    """
    key = _lesson_key(lesson)
    for name, value in (("score", score), ("max_score", max_score)):
        if not _is_real(value):
            raise TypeError(f"{name} must be a finite real number, got {value!r}.")
    if max_score <= 0:
        raise ValueError(f"max_score must be > 0, got {max_score!r}.")
    if not 0 <= score <= max_score:
        raise ValueError(f"score must be in [0, max_score] = [0, {max_score}], got {score!r}.")

    def change(data: dict) -> None:
        entry = _lesson_entry(data, key)
        previous = entry.get("quiz")
        best_score, best_max = float(score), float(max_score)
        attempts = 1
        if previous is not None:
            attempts = previous["attempts"] + 1
            if previous["best_score"] / previous["best_max_score"] > score / max_score:
                best_score, best_max = previous["best_score"], previous["best_max_score"]
        entry["quiz"] = {
            "best_score": best_score,
            "best_max_score": best_max,
            "last_score": float(score),
            "last_max_score": float(max_score),
            "attempts": attempts,
            "updated": _now(),
        }

    _update(change)


def flashcard_states() -> dict[str, dict]:
    """The flashcard schedule: term id -> ``{"box": int, "due": ISO date, "reviews": int}``."""
    return load_progress()["flashcards"]


def record_flashcard(term_id: str, box: int, due: datetime.date) -> None:
    """Record a flashcard review: the card's new Leitner box and its next due date.

    Parameters
    ----------
    term_id : str
        Glossary id of the card.
    box : int
        New box, in ``[1, MAX_BOX]``.
    due : datetime.date
        Day the card is next due.
    """
    if not isinstance(term_id, str) or not term_id:
        raise ValueError(f"term_id must be a non-empty glossary id, got {term_id!r}.")
    if isinstance(box, bool) or not isinstance(box, int) or not 1 <= box <= MAX_BOX:
        raise ValueError(f"box must be an integer in [1, {MAX_BOX}], got {box!r}.")
    if not isinstance(due, datetime.date):
        raise TypeError(f"due must be a datetime.date, got {due!r}.")

    def change(data: dict) -> None:
        previous = data["flashcards"].get(term_id, {"reviews": 0})
        data["flashcards"][term_id] = {
            "box": box,
            "due": due.isoformat(),
            "reviews": previous["reviews"] + 1,
            "updated": _now(),
        }

    _update(change)


def lesson_summaries(data: dict | None = None) -> dict[str, dict]:
    """Per lesson: the exercises passed and tried and the best quiz score.

    Parameters
    ----------
    data : dict, optional
        A progress record; default :func:`load_progress`.

    Returns
    -------
    dict
        Lesson -> ``{"exercises_passed": [names], "exercises_tried": [names],
        "best_score": float or None, "max_score": float or None, "attempts": int}``,
        sorted by lesson.
    """
    data = load_progress() if data is None else data
    summaries = {}
    for lesson in sorted(data["lessons"]):
        entry = data["lessons"][lesson]
        exercises = entry.get("exercises", {})
        quiz = entry.get("quiz")
        summaries[lesson] = {
            "exercises_passed": sorted(
                name for name, record in exercises.items() if record["passed"]
            ),
            "exercises_tried": sorted(exercises),
            "best_score": None if quiz is None else quiz["best_score"],
            "max_score": None if quiz is None else quiz["best_max_score"],
            "attempts": 0 if quiz is None else quiz["attempts"],
        }
    return summaries
