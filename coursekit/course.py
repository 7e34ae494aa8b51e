"""Where the course lives: its root, its notebooks and its quiz data, in a checkout or installed.

In a checkout (or an editable install), the course's files are the repository's top-level
``notebooks/`` and ``quizzes/``, the one source of each. A regular install (a wheel, for example
in a JupyterHub image) carries the same two folders as package data: the wheel maps
``notebooks/`` to ``coursekit/_notebooks`` and ``quizzes/`` to ``coursekit/_quizzes``
(``pyproject.toml``), so nothing is copied by hand. Every caller asks this module instead of
working out paths from ``__file__``.
"""

from __future__ import annotations

import importlib
import inspect
import numbers
import os
import re
from pathlib import Path
from types import ModuleType

import coursekit
from coursekit.errors import CourseNotFound, LessonError, UsageError

#: The checkout this package was imported from (the folder above ``coursekit/``).
CHECKOUT = Path(coursekit.__file__).resolve().parents[1]
PACKAGE = Path(coursekit.__file__).resolve().parent
#: Set it to use another folder of quiz banks and glossary.
QUIZZES_ENV = "COURSEKIT_QUIZZES"
_LESSON = re.compile(r"(?:lesson[_ -]?)?([0-9]{1,2})", re.IGNORECASE)
_LESSON_NOTEBOOK = re.compile(r"(\d\d)_.+\.ipynb")


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
    LessonError
        For anything else (``"123"``, ``"3a"``, ``True``, ``-1``), naming the value (a
        ``ValueError``).
    """
    if isinstance(lesson, numbers.Integral) and not isinstance(lesson, bool) and 0 <= lesson <= 99:
        return f"{int(lesson):02d}"
    match = _LESSON.fullmatch(lesson.strip()) if isinstance(lesson, str) else None
    if match is None:
        raise LessonError(f'lesson must be a lesson number such as "00", 3 or "lesson_03", got {lesson!r}.')
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


# ---------------------------------------------------------------------------------------------
# A lesson's files: its notebook, its exercises and their solutions
# ---------------------------------------------------------------------------------------------


def lesson_notebooks(directory: str | Path | None = None) -> dict[str, Path]:
    """Lesson number (``"00"``) to notebook path, for the ``NN_name.ipynb`` files of a folder.

    Parameters
    ----------
    directory : str or Path, optional
        Folder of notebooks; default :func:`notebooks_dir`.
    """
    folder = notebooks_dir() if directory is None else Path(directory)
    notebooks = {}
    for path in sorted(folder.glob("*.ipynb")):
        match = _LESSON_NOTEBOOK.fullmatch(path.name)
        if match:
            notebooks[match.group(1)] = path
    return notebooks


def lesson_notebook(lesson: str | int, directory: str | Path | None = None) -> Path:
    """The notebook of one lesson.

    Parameters
    ----------
    lesson : str or int
        A lesson id (see :func:`normalize_lesson`).
    directory : str or Path, optional
        Folder of notebooks; default :func:`notebooks_dir`.

    Raises
    ------
    LessonError
        If the id is not a lesson number, or no notebook of the folder has that number.
    """
    number = normalize_lesson(lesson)
    notebooks = lesson_notebooks(directory)
    if number not in notebooks:
        available = ", ".join(notebooks) or "none"
        raise LessonError(f"lesson must be one of the lesson numbers ({available}), got {lesson!r}.")
    return notebooks[number]


def require_lesson_notebooks(directory: str | Path | None = None) -> dict[str, Path]:
    """:func:`lesson_notebooks`, refusing a folder that has none.

    Raises
    ------
    CourseNotFound
        If the folder holds no ``NN_name.ipynb`` file, naming the folder.
    """
    folder = notebooks_dir() if directory is None else Path(directory)
    notebooks = lesson_notebooks(folder)
    if not notebooks:
        raise CourseNotFound(f"no lesson notebooks (NN_name.ipynb) in {str(folder)!r}.")
    return notebooks


def read_notebook(path: str | Path):
    """A notebook file someone named (a lesson, a submission, a source), as an ``nbformat`` node.

    Raises
    ------
    OSError
        If the file cannot be read (missing, a folder, no permission).
    UsageError
        If it is not a Jupyter notebook (not JSON, not nbformat 4), naming the file.
    """
    import nbformat

    try:
        return nbformat.read(path, as_version=4)
    except OSError:
        raise
    except (ValueError, TypeError, AttributeError, KeyError, nbformat.ValidationError) as error:
        raise UsageError(f"{str(path)!r} is not a readable Jupyter notebook: {error}") from error


def exercise_names(lesson: str | int) -> tuple[str, ...]:
    """The names of a lesson's exercises, in the order of the lesson (empty when it has none)."""
    from coursekit.exercises.registry import all_exercises

    number = normalize_lesson(lesson)
    return tuple(name for name, exercise in all_exercises().items() if exercise.lesson == number)


def solutions_module(lesson: str | int) -> ModuleType | None:
    """``coursekit.exercises.solutions.lessonNN``, or None when the lesson has none."""
    number = normalize_lesson(lesson)
    try:
        return importlib.import_module(f"coursekit.exercises.solutions.lesson{number}")
    except ModuleNotFoundError:
        return None


def solution_functions(lesson: str | int) -> dict[str, object]:
    """The solution functions of a lesson, by name (those defined in its solutions module)."""
    module = solutions_module(lesson)
    if module is None:
        return {}
    return {
        name: value
        for name, value in vars(module).items()
        if inspect.isfunction(value) and value.__module__ == module.__name__
    }


#: The lesson notebooks' folder when coursekit was imported: the default of functions that take one.
NOTEBOOKS = notebooks_dir()
