"""Take a quiz in the terminal: numbered choices, feedback after each answer, a score at the end.

Input is read line by line, so the quiz can be driven by piping text into ``coursekit quiz take``
(the tests do). An empty line skips a question and ``q`` quits the quiz (as in the flashcards);
the end of the input ends it too. Questions not answered count as unanswered, and their answers
are not shown, so they can be tried again later. An answer that cannot be read is asked again;
the learner is warned before the last try, after which the question is skipped.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TextIO

from coursekit.quiz.grading import MISSING, GradeReport, QuestionResult, format_points, grade_answer
from coursekit.quiz.model import Bank, Glossary, Question
from coursekit.quiz.render import answer_hint, question_lines, wrap_text
from coursekit.quiz.text import printable
from coursekit.quiz.types import REGISTRY

MAX_TRIES = 3
"""Unreadable answers to one question before it is skipped."""

QUIT_WORDS = frozenset({"q", "quit"})
"""What the learner types to stop the quiz."""


class _Quit(Exception):
    """The learner typed ``q``."""


class _Unreadable(ValueError):
    """The typed text is not an answer of the expected form (the message says why)."""


def parse_typed_answer(question: Question, text: str) -> object:
    """Turn what the learner typed into an answer value for :func:`grade_answer`.

    Parameters
    ----------
    question : Question
    text : str
        One non-empty line, as typed. Choices are numbered from 1 on screen.

    Returns
    -------
    object
        A 0-based index, a list of indices, a bool, the number as typed (``"4/3"``), a
        ``{left: right}`` mapping or the text, according to the question type.

    Raises
    ------
    ValueError
        When the text cannot be read as an answer of that type; the message says why.
    """
    try:
        return REGISTRY[question.type].parse_typed(question, text.strip())
    except ValueError as problem:
        raise _Unreadable(str(problem)) from None


def _print_lines(lines: list[str], out: TextIO) -> None:
    for line in lines:
        print(printable(line), file=out)


def take_quiz(
    bank: Bank,
    glossary: Glossary | None = None,
    *,
    read_line: Callable[[str], str] = input,
    output: TextIO | None = None,
) -> GradeReport:
    """Ask every question of ``bank`` in the terminal and report the score.

    Parameters
    ----------
    bank : Bank
    glossary : Glossary, optional
        Supplies aliases accepted by short-text questions.
    read_line : callable, default=input
        ``read_line(prompt) -> str``; raises ``EOFError`` at the end of the input.
    output : text stream, optional
        Where to print; default ``sys.stdout``.

    Returns
    -------
    GradeReport
        One result per question (unanswered ones are ``missing``).
    """
    out = sys.stdout if output is None else output
    total = len(bank.questions)
    _print_lines([f"Quiz for lesson {bank.lesson}: {bank.title} ({total} questions)"], out)
    print("Press Enter on an empty line to skip a question, or type q to quit.", file=out)
    results = []
    ended = False
    for number, question in enumerate(bank.questions, start=1):
        value = MISSING
        skipped_note = "   Skipped."
        if not ended:
            print("", file=out)
            _print_lines(question_lines(question, number, total), out)
            try:
                value, skipped_note = _ask(question, read_line, out)
            except EOFError:
                ended = True
                print("", file=out)
                print("Input ended: the remaining questions count as unanswered.", file=out)
            except _Quit:
                ended = True
                print("", file=out)
                print("Quiz stopped: the remaining questions count as unanswered.", file=out)
        result = grade_answer(question, value, glossary)
        results.append(result)
        if not ended:
            _print_feedback(result, skipped_note, out)
    report = GradeReport(results=tuple(results), lesson=bank.lesson)
    print("", file=out)
    print(
        f"Score: {format_points(report.score)} / {format_points(report.max_score)} ({report.percent:.0f}%)",
        file=out,
    )
    return report


def _ask(question: Question, read_line: Callable[[str], str], out: TextIO) -> tuple[object, str]:
    """Read an answer: ``(value, note)``, the note saying why when ``value`` is MISSING."""
    hint = printable(answer_hint(question))
    for attempt in range(1, MAX_TRIES + 1):
        text = read_line(f"Your answer ({hint}): ").strip()
        if not text:
            return MISSING, "   Skipped."
        if text.lower() in QUIT_WORDS:
            raise _Quit
        try:
            return parse_typed_answer(question, text), ""
        except ValueError as problem:
            message = f"Could not read that: {problem}."
            if attempt == MAX_TRIES - 1:
                message += " One more unreadable answer skips this question."
            elif attempt < MAX_TRIES:
                message += " Please try again."
            _print_lines(wrap_text(message, "   "), out)
    return MISSING, f"   Skipped after {MAX_TRIES} unreadable answers."


def _print_feedback(result: QuestionResult, skipped_note: str, out: TextIO) -> None:
    if result.correct:
        print("   Correct!", file=out)
    elif result.status == "missing":
        # Nothing about the answer: the learner can come back to this question.
        _print_lines([skipped_note], out)
        return
    else:
        _print_lines(wrap_text(f"Not quite. {result.feedback}", "   ", first_indent="   "), out)
    if not result.correct:
        _print_lines(wrap_text(result.expected, "   ", first_indent="   Answer: "), out)
    _print_lines(wrap_text(result.explanation, "   ", first_indent="   Why: "), out)
