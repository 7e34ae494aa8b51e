"""Exports of the quizzes to other systems: Moodle GIFT, Canvas QTI 1.2 and an Anki deck.

:func:`export_quizzes` is what ``coursekit quiz export`` calls. Each format has its own module
(:mod:`.gift`, :mod:`.qti`, :mod:`.anki`). GIFT and QTI can leave the answers out (a student
copy); an Anki card is its answer, so the Anki export always includes them.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from coursekit.quiz.banks import (
    GLOSSARY_FILE,
    load_banks,
    load_glossary_from,
    normalize_lesson,
    quizzes_dir,
)
from coursekit.quiz.schema import QuizFormatError

FORMATS = ("gift", "qti", "anki")
"""Export formats, as named on the command line."""


def export_quizzes(
    format: str,
    out: str | Path,
    lessons: Iterable[str | int] | None = None,
    *,
    include_answers: bool = True,
    directory: str | Path | None = None,
    attempts: int | None = 1,
    show_correct_answers: bool = False,
    time_limit: int | None = None,
) -> str:
    """Export banks (and for Anki the glossary) to a file.

    Parameters
    ----------
    format : {"gift", "qti", "anki"}
    out : str or Path
        File to write; its folder must exist.
    lessons : iterable of str or int, optional
        Lesson numbers to export; default every bank.
    include_answers : bool, default=True
        False writes a student copy without answers (GIFT and QTI only).
    directory : str or Path, optional
        Folder of the quiz data; default :func:`coursekit.quiz.banks.quizzes_dir`.
    attempts : int or None, default=1
        QTI only: attempts allowed (``None``: unlimited).
    show_correct_answers : bool, default=False
        QTI only: show students the key after they submit.
    time_limit : int or None, default=None
        QTI only: minutes allowed (``None``: no limit).

    Returns
    -------
    str
        One line saying what was written.

    Raises
    ------
    ValueError
        For an unknown format, ``include_answers=False`` with Anki, or a missing output folder.
    QuizFormatError
        If a bank or the glossary is malformed.
    """
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {format!r}.")
    if format != "qti" and (attempts != 1 or show_correct_answers or time_limit is not None):
        raise ValueError(
            "--attempts, --show-correct-answers and --time-limit set a Canvas quiz (--format qti); "
            "in Moodle, set them in the quiz's settings after importing the GIFT questions."
        )
    if format == "anki" and not include_answers:
        raise ValueError(
            "--no-answers does not apply to the anki format: a flashcard shows its answer."
        )
    out = Path(out)
    if not out.parent.is_dir():
        raise ValueError(f"out must be a file in an existing folder, got {str(out)!r}.")
    chosen = None if lessons is None else [normalize_lesson(lesson) for lesson in lessons]
    banks = load_banks(chosen, directory)
    glossary = load_glossary_from(directory)
    questions = sum(len(bank.questions) for bank in banks)
    copy = "" if include_answers else " (student copy, no answers)"
    if format == "gift":
        from coursekit.quiz.exports.gift import banks_to_gift

        out.write_text(
            banks_to_gift(banks, include_answers=include_answers, glossary=glossary),
            encoding="utf-8",
        )
        return (
            f"Wrote {questions} questions from {len(banks)} lesson(s) to {out} (Moodle GIFT){copy}."
        )
    if format == "qti":
        from coursekit.quiz.exports.qti import QuizSettings, write_qti

        settings = QuizSettings(attempts, show_correct_answers, time_limit)
        write_qti(banks, out, include_answers=include_answers, glossary=glossary, settings=settings)
        limit = f", {time_limit} min" if time_limit else ""
        key = "key shown after submitting" if show_correct_answers and include_answers else "key hidden"
        tries = "unlimited attempts" if attempts is None else f"{attempts} attempt(s)"
        return (
            f"Wrote {len(banks)} quiz(zes) with {questions} questions to {out} (Canvas QTI 1.2 zip; "
            f"{tries}, {key}{limit}){copy}."
        )
    if glossary is None:
        folder = quizzes_dir() if directory is None else Path(directory)
        raise QuizFormatError(
            folder / GLOSSARY_FILE, None, "file not found; the Anki deck is built from the glossary"
        )
    from coursekit.quiz.exports.anki import write_anki

    _, notes = write_anki(glossary, banks, out, lessons=chosen)
    return f"Wrote {notes} notes to {out} (Anki deck)."
