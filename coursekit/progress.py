"""The learner's progress: exercises passed, best quiz scores and the flashcard schedule.

Everything is kept in one per-user JSON file, by default ``~/.coursekit/progress.json``. Set the
environment variable ``COURSEKIT_PROGRESS`` to a file path to keep it elsewhere (the tests do,
and so can a learner who wants a progress file per course copy).

- Writes are atomic: the new content goes to a temporary file in the same folder, which then
  replaces the old file (``os.replace``), so an interrupted write never leaves half a file.
- Every load–modify–save holds a lock (``progress.json.lock`` beside the file, taken with the
  ``filelock`` package), so two processes recording at once (two notebooks, or a notebook and
  the CLI) both keep their update. A lock that cannot be had within ``LOCK_TIMEOUT`` seconds is
  skipped with a warning rather than hanging the notebook.
- A file that cannot be used (invalid JSON, an unexpected shape, a number too large to read, not
  UTF-8, larger than ``MAX_BYTES``, or a path that is not a regular file, such as a folder, a
  FIFO or a link to a device) is never lost silently and never blocks: it is renamed to
  ``progress.json.corrupt-<timestamp>``, a one-line :class:`ProgressWarning` says so, and a fresh
  file is started. Reading never raises.
- Recording never raises because the file cannot be written (a read-only home, say): the
  exercise checks and quizzes that call it must keep working, so a warning is issued instead.
  Bad arguments do raise ``ValueError``/``TypeError``.

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
import stat
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import filelock

from coursekit import course

PROGRESS_ENV = "COURSEKIT_PROGRESS"
FORMAT_VERSION = 1
MAX_BOX = 5
"""Highest Leitner box a flashcard can reach (boxes are numbered 1 to ``MAX_BOX``)."""

LOCK_TIMEOUT = 10.0
"""Seconds to wait for another process to finish its update before recording without the lock."""
MAX_BYTES = 8 * 2**20
"""A progress file larger than this (8 MiB) is treated as unusable instead of read."""

_LESSON = re.compile(r"^[0-9]{2}$")
_LOCKS: dict[str, filelock.FileLock] = {}


class ProgressWarning(UserWarning):
    """The progress file was corrupt (and was backed up) or could not be written."""


def progress_path() -> Path:
    """The progress file: ``$COURSEKIT_PROGRESS`` if set, else ``~/.coursekit/progress.json``."""
    override = os.environ.get(PROGRESS_ENV)
    try:
        if override:
            return Path(override).expanduser()
        return Path.home() / ".coursekit" / "progress.json"
    except RuntimeError:  # "~user" of an unknown user, or no home folder at all
        return Path(override or "progress.json")


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
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an int too large for a float
        return False


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


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _read_bounded(path: Path) -> bytes | str | None:
    """The file's bytes; a ``str`` saying why it cannot be used; None when there is no file.

    Opened without blocking (a FIFO with no writer would otherwise hang) and checked to be a
    regular file before anything is read; at most ``MAX_BYTES + 1`` bytes are read.
    Raises ``OSError`` only for a file that exists but cannot be opened or read.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None if not os.path.islink(path) else "it is a link to nothing"
    if not stat.S_ISREG(info.st_mode):
        return f"it is {_kind(info.st_mode)}"
    descriptor = os.open(path, flags)
    try:
        info = os.fstat(descriptor)  # what was opened, should the path have changed meanwhile
        if not stat.S_ISREG(info.st_mode):
            return f"it is {_kind(info.st_mode)}"
        chunks, size = [], 0
        while size <= MAX_BYTES:
            chunk = os.read(descriptor, min(2**20, MAX_BYTES + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(descriptor)
    if size > MAX_BYTES:
        return f"it is larger than {MAX_BYTES // 2**20} MiB"
    return b"".join(chunks)


def _parse(raw: bytes) -> dict | str:
    """The record in ``raw``, or a ``str`` saying why it cannot be used."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return "it is not UTF-8 text"
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        return "it is not valid JSON"
    except ValueError:  # an integer of more than 4300 digits (sys.set_int_max_str_digits)
        return "it holds a number too large to read"
    return _shape_problem(data) or data


def load_progress() -> dict:
    """Read the learner's progress; never raises.

    Returns
    -------
    dict
        The record in the format of the module docstring; :func:`empty_progress` when there is
        no file yet. An unusable file (see the module docstring) is backed up with a
        :class:`ProgressWarning` and an empty record is returned; a file that exists but cannot
        be opened (no permission) gives a warning and an empty record, and is left alone.
    """
    path = progress_path()
    with _locked(path):
        try:
            raw = _read_bounded(path)
        except OSError as error:
            warnings.warn(
                f"Cannot read the progress file {path}: {error.strerror or error}.",
                ProgressWarning,
                stacklevel=2,
            )
            return empty_progress()
        if raw is None:
            return empty_progress()
        data = raw if isinstance(raw, str) else _parse(raw)
        if isinstance(data, str):
            _back_up(path, data)
            return empty_progress()
        return data


@contextmanager
def _locked(path: Path) -> Iterator[bool]:
    """Hold the progress lock of ``path`` (re-entrant in one thread); yields whether it is held.

    The lock is skipped, never raised about, when its file cannot be created (a read-only
    folder: the save fails anyway and says so); after ``LOCK_TIMEOUT`` seconds of waiting for
    another process it is skipped with a warning.
    """
    lock_path = str(path.with_name(path.name + ".lock"))
    lock = _LOCKS.get(lock_path)
    if lock is None:
        lock = _LOCKS[lock_path] = filelock.FileLock(lock_path, timeout=LOCK_TIMEOUT)
    held = False
    try:
        lock.acquire()
        held = True
    except filelock.Timeout:
        warnings.warn(
            f"Another process has held {lock_path} for {LOCK_TIMEOUT:.0f} s; going on without "
            "the lock (an update made at the same moment may be lost).",
            ProgressWarning,
            stacklevel=4,
        )
    except (OSError, ValueError):  # a read-only folder, a lock path that is a folder, ...
        pass
    try:
        yield held
    finally:
        if held:
            lock.release()


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
    with _locked(path):
        _write(path, data)


def _write(path: Path, data: dict) -> None:
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
    """Load, apply ``change(data)``, save, all under the lock; a write failure becomes a warning."""
    path = progress_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        pass  # save_progress below fails the same way and says so
    try:
        with _locked(path):
            data = load_progress()
            change(data)
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


def exercise_counts() -> dict[str, int]:
    """Number of exercises in each lesson, from the exercise registry: lesson -> count."""
    from coursekit.exercises.registry import all_exercises

    counts: dict[str, int] = {}
    for exercise in all_exercises().values():
        counts[exercise.lesson] = counts.get(exercise.lesson, 0) + 1
    return dict(sorted(counts.items()))


def _points(points: float) -> str:
    return f"{points:.2f}".rstrip("0").rstrip(".")


def _glossary_terms() -> tuple | None:
    from coursekit.quiz.glossary import load_glossary

    try:
        return tuple(load_glossary().terms)
    except (OSError, ValueError):  # QuizFormatError is a ValueError
        return None


def started_lessons(data: dict) -> list[str]:
    """Lessons the learner has started in the notebook or quiz: an exercise checked or a quiz taken.

    Parameters
    ----------
    data : dict
        A progress record.

    Returns
    -------
    list of str
        Sorted two-digit lesson numbers (:func:`progress_report` adds the lessons of the
        flashcards reviewed).
    """
    lessons = {
        lesson
        for lesson, entry in data["lessons"].items()
        if entry.get("exercises") or entry.get("quiz") is not None
    }
    return sorted(lessons)


def progress_report(
    data: dict | None = None,
    *,
    today: datetime.date | None = None,
    terms: tuple | list | None = None,
) -> str:
    """The text of ``coursekit progress``: per lesson "k of N exercises passed" and the best quiz
    score, then the flashcards reviewed and due.

    Parameters
    ----------
    data : dict, optional
        A progress record; default :func:`load_progress`.
    today : datetime.date, optional
        Day for the flashcards due; default today.
    terms : sequence of coursekit.quiz.model.Term, optional
        The glossary's terms; default the course glossary (no flashcard due count if it cannot
        be read).

    Returns
    -------
    str
        Lines ending in a newline. N is the lesson's number of exercises in the exercise
        registry; k counts those passed at least once. Flashcards due are counted only for the
        lessons the learner has started (an exercise checked, a quiz taken or one of its cards
        reviewed), and the line says so.
    """
    from coursekit.quiz.banks import available_lessons

    data = load_progress() if data is None else data
    today = datetime.date.today() if today is None else today
    counts = exercise_counts()
    summaries = lesson_summaries(data)
    lessons = sorted(set(available_lessons()) | set(counts) | set(summaries))
    lines = [f"Progress file: {progress_path()}", ""]
    lines.append(f"{'Lesson':<8}{'Exercises':<30}Best quiz score")
    for lesson in lessons:
        summary = summaries.get(lesson)
        total = counts.get(lesson, 0)
        passed = 0 if summary is None else len(set(summary["exercises_passed"]) & _names(lesson))
        exercises = f"{passed} of {total} exercises passed" if total else "no exercises"
        if summary is None or summary["best_score"] is None:
            quiz = "-"
        else:
            percent = 100 * summary["best_score"] / summary["max_score"]
            attempts = summary["attempts"]
            quiz = (
                f"{_points(summary['best_score'])} / {_points(summary['max_score'])} "
                f"({percent:.0f}%), {attempts} attempt{'' if attempts == 1 else 's'}"
            )
        lines.append(f"{lesson:<8}{exercises:<30}{quiz}")
    if not lessons:
        lines.append("(nothing recorded yet)")
    lines.append("")
    lines.append(_flashcard_text(data, today, terms))
    return "\n".join(lines) + "\n"


def _names(lesson: str) -> set[str]:
    from coursekit.exercises.registry import all_exercises

    return {name for name, exercise in all_exercises().items() if exercise.lesson == lesson}


def _flashcard_text(data: dict, today: datetime.date, terms: tuple | None) -> str:
    from coursekit.quiz.flashcards import box_counts, due_terms, states_from_progress

    states = states_from_progress(data["flashcards"])
    terms = _glossary_terms() if terms is None else tuple(terms)
    if terms is None:
        return (
            f"Flashcards: {len(states)} term(s) reviewed; the glossary cannot be read, so no "
            "due count."
        )
    started = set(started_lessons(data))
    started |= {term.lesson for term in terms if term.id in states}
    if not started:
        return (
            f"Flashcards: none due yet; the {len(terms)} cards come due lesson by lesson once you "
            "start a lesson (run: coursekit flashcards NN)."
        )
    in_started = [term for term in terms if term.lesson in started]
    due = len(due_terms(in_started, states, today))
    reviewed = [term for term in terms if term.id in states]
    boxes = ", ".join(
        f"box {box}: {count}" for box, count in box_counts(reviewed, states).items() if count
    )
    reviewed_text = f"{len(reviewed)} reviewed ({boxes})" if reviewed else "none reviewed yet"
    return (
        f"Flashcards: {reviewed_text}.\n{due} due today in the lessons you have started "
        f"({', '.join(sorted(started))}), counting their cards not yet reviewed."
    )
