"""Find and load the quiz data files under ``quizzes/``.

The folder is ``quizzes/`` at the repository root, or the copy a regular install carries
(:func:`coursekit.course.quizzes_dir`). Set the environment variable
``COURSEKIT_QUIZZES`` to a folder to use other data (the tests do). The folder holds
``glossary.yaml`` and one bank per lesson, ``lesson_00.yaml`` ... ``lesson_07.yaml``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from coursekit import course
from coursekit.quiz.model import Bank, Glossary
from coursekit.quiz.schema import (
    QuizFormatError,
    check_bank,
    check_glossary,
    is_glossary_document,
    parse_yaml,
    read_bank,
    read_glossary,
    read_text,
)

QUIZZES_ENV = course.QUIZZES_ENV
GLOSSARY_FILE = "glossary.yaml"


def quizzes_dir() -> Path:
    """The folder holding the glossary and the banks (see :func:`coursekit.course.quizzes_dir`)."""
    return course.quizzes_dir()


def normalize_lesson(lesson: str | int) -> str:
    """The two-digit lesson id (:func:`coursekit.course.normalize_lesson`, the one normaliser)."""
    return course.normalize_lesson(lesson)


def bank_path(lesson: str | int, directory: str | Path | None = None) -> Path:
    """Path of the bank of ``lesson`` (which need not exist)."""
    folder = quizzes_dir() if directory is None else Path(directory)
    return folder / f"lesson_{normalize_lesson(lesson)}.yaml"


def available_lessons(directory: str | Path | None = None) -> list[str]:
    """Two-digit numbers of the lessons that have a bank file, sorted."""
    folder = quizzes_dir() if directory is None else Path(directory)
    lessons = []
    for path in folder.glob("lesson_*.yaml"):
        match = re.fullmatch(r"lesson_([0-9]{2})\.yaml", path.name)
        if match:
            lessons.append(match.group(1))
    return sorted(lessons)


def _glossary_ids(folder: Path) -> frozenset[str] | None:
    """Ids of the glossary in ``folder``, or None when the folder has no glossary."""
    path = folder / GLOSSARY_FILE
    if not path.exists():
        return None
    return frozenset(read_glossary(path).by_id)


def load_glossary_from(directory: str | Path | None = None) -> Glossary | None:
    """The validated glossary of ``directory`` (default: :func:`quizzes_dir`), or None if absent."""
    folder = quizzes_dir() if directory is None else Path(directory)
    path = folder / GLOSSARY_FILE
    return read_glossary(path) if path.exists() else None


def load_bank(lesson: str | int, directory: str | Path | None = None) -> Bank:
    """Load and validate the bank of one lesson.

    Question ``terms`` are checked against the glossary in the same folder when there is one.

    Parameters
    ----------
    lesson : str or int
        Lesson number, see :func:`normalize_lesson`.
    directory : str or Path, optional
        Folder of the data files; default :func:`quizzes_dir`.

    Raises
    ------
    QuizFormatError
        If the bank (or the glossary it refers to) is missing or malformed.
    """
    folder = quizzes_dir() if directory is None else Path(directory)
    path = bank_path(lesson, folder)
    if not path.exists():
        known = ", ".join(available_lessons(folder)) or "none"
        raise QuizFormatError(
            path,
            None,
            f"no quiz bank for lesson {normalize_lesson(lesson)} (banks available: {known})",
        )
    return read_bank(path, glossary_ids=_glossary_ids(folder))


def load_banks(
    lessons: Iterable[str | int] | None = None, directory: str | Path | None = None
) -> list[Bank]:
    """Load and validate several banks; question ids must be unique across them.

    Parameters
    ----------
    lessons : iterable of str or int, optional
        Lesson numbers; default every bank in the folder.
    directory : str or Path, optional
        Folder of the data files; default :func:`quizzes_dir`.

    Raises
    ------
    QuizFormatError
        With every problem of every bank in ``errors``.
    """
    folder = quizzes_dir() if directory is None else Path(directory)
    wanted = (
        available_lessons(folder)
        if lessons is None
        else [normalize_lesson(lesson) for lesson in lessons]
    )
    banks = []
    errors: list[QuizFormatError] = []
    for lesson in dict.fromkeys(wanted):
        try:
            banks.append(load_bank(lesson, folder))
        except QuizFormatError as error:
            errors.extend(error.errors)
    errors.extend(_duplicate_ids_across(banks))
    if errors:
        raise QuizFormatError.from_errors(errors)
    return banks


def _duplicate_ids_across(banks: Iterable[Bank]) -> list[QuizFormatError]:
    owners: dict[str, Bank] = {}
    errors = []
    for bank in banks:
        for question in bank.questions:
            first = owners.setdefault(question.id, bank)
            if first is not bank:
                errors.append(
                    QuizFormatError(
                        bank.path or "<bank>",
                        question.line,
                        f"question id '{question.id}' is already used in {first.path}; "
                        "ids must be unique across all banks",
                    )
                )
    return errors


def _expand(paths: Iterable[str | Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            glossary = path / GLOSSARY_FILE
            if glossary.exists():
                files.append(glossary)
            files.extend(sorted(path.glob("lesson_*.yaml")))
        else:
            files.append(path)
    return list(dict.fromkeys(files))


def validate_paths(paths: Iterable[str | Path] | None = None) -> tuple[int, list[QuizFormatError]]:
    """Validate glossary and bank files, collecting every problem.

    A file is a glossary when it has ``terms`` and no ``questions``, otherwise a bank. A bank's
    ``terms`` are checked against the glossary in its folder; question ids must be unique across
    all the banks given.

    Parameters
    ----------
    paths : iterable of str or Path, optional
        Files or folders (a folder stands for its ``glossary.yaml`` and ``lesson_*.yaml``);
        default :func:`quizzes_dir`.

    Returns
    -------
    checked : int
        Number of files checked.
    errors : list of QuizFormatError
        Every problem found; empty when all files are valid.
    """
    files = _expand([quizzes_dir()] if paths is None else paths)
    errors: list[QuizFormatError] = []
    if not files:
        errors.append(
            QuizFormatError(
                quizzes_dir() if paths is None else "(arguments)", None, "no quiz files to validate"
            )
        )
    glossaries: dict[Path, frozenset[str] | None] = {}
    banks: list[Bank] = []
    for file in files:
        try:
            data, lines = parse_yaml(read_text(file), file)
        except QuizFormatError as error:
            errors.extend(error.errors)
            continue
        if is_glossary_document(data):
            errors.extend(check_glossary(data, lines, file)[1])
            continue
        folder = file.parent
        if folder not in glossaries:
            try:
                glossaries[folder] = _glossary_ids(folder)
            except QuizFormatError:
                # A broken glossary is reported when it is validated itself; until it is
                # fixed, the banks beside it cannot have their term ids checked.
                glossaries[folder] = None
        bank, bank_errors = check_bank(data, lines, file, glossary_ids=glossaries[folder])
        errors.extend(bank_errors)
        if bank is not None:
            banks.append(bank)
    errors.extend(_duplicate_ids_across(banks))
    return len(files), errors
