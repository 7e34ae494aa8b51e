"""Where the course lives: its root, its notebooks and its quiz data, in a checkout or installed.

In a checkout (or an editable install), the course's files are the repository's top-level
``notebooks/`` and ``quizzes/``, the one source of each. A regular install (a wheel, for example
in a JupyterHub image) carries the same two folders as package data: the wheel maps
``notebooks/`` to ``coursekit/_notebooks`` and ``quizzes/`` to ``coursekit/_quizzes``
(``pyproject.toml``), so nothing is copied by hand. Every caller asks this module instead of
working out paths from ``__file__``.
"""

from __future__ import annotations

import numbers
import os
import re
from pathlib import Path

import coursekit

#: The checkout this package was imported from (the folder above ``coursekit/``).
CHECKOUT = Path(coursekit.__file__).resolve().parents[1]
PACKAGE = Path(coursekit.__file__).resolve().parent
#: Set it to use another folder of quiz banks and glossary.
QUIZZES_ENV = "COURSEKIT_QUIZZES"
_LESSON = re.compile(r"(?:lesson[_ -]?)?([0-9]{1,2})", re.IGNORECASE)


def normalize_lesson(lesson: object) -> str:
    """A lesson id as the two digits every file and report uses: the one normaliser of the course.

    Parameters
    ----------
    lesson : str or int
        ``3``, ``"3"``, ``"03"``, ``"lesson_03"``, ``"Lesson 3"``: a lesson number in ``[0, 99]``.

    Returns
    -------
    str
        Two digits, e.g. ``"03"``.

    Raises
    ------
    ValueError
        For anything else (``"123"``, ``"3a"``, ``True``, ``-1``), naming the value.
    """
    if isinstance(lesson, numbers.Integral) and not isinstance(lesson, bool) and 0 <= lesson <= 99:
        return f"{int(lesson):02d}"
    match = _LESSON.fullmatch(lesson.strip()) if isinstance(lesson, str) else None
    if match is None:
        raise ValueError(f'lesson must be a lesson number such as "00", 3 or "lesson_03", got {lesson!r}.')
    return f"{int(match.group(1)):02d}"


def in_checkout() -> bool:
    """Whether coursekit runs from a checkout of the course (its notebooks beside the package)."""
    return (CHECKOUT / "notebooks").is_dir() and (CHECKOUT / "quizzes").is_dir()


def notebooks_dir() -> Path:
    """The lesson notebooks: ``notebooks/`` beside the package (a checkout), else the installed copy."""
    return CHECKOUT / "notebooks" if (CHECKOUT / "notebooks").is_dir() else PACKAGE / "_notebooks"


def quizzes_dir() -> Path:
    """The quiz banks and glossary: ``$COURSEKIT_QUIZZES``, the checkout's, else the installed copy."""
    override = os.environ.get(QUIZZES_ENV)
    if override:
        return Path(override).expanduser()
    return CHECKOUT / "quizzes" if (CHECKOUT / "quizzes").is_dir() else PACKAGE / "_quizzes"


def build_dir() -> Path:
    """Where generated files go by default: the checkout's ``build/``, else ``./build``."""
    return CHECKOUT / "build" if (CHECKOUT / "notebooks").is_dir() else Path.cwd() / "build"
