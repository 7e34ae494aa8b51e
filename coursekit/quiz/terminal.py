"""Take a quiz in the terminal: numbered choices, feedback after each answer, a score at the end.

Input is read line by line, so the quiz can be driven by piping text into ``coursekit quiz take``
(the tests do). An empty line skips a question; the end of the input ends the quiz, and the
questions not reached count as unanswered.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from typing import TextIO

from coursekit.quiz.grading import MISSING, GradeReport, QuestionResult, format_points, grade_answer
from coursekit.quiz.model import Bank, Glossary, Question
from coursekit.quiz.render import answer_hint, choice_letter, question_lines, wrap_text

MAX_TRIES = 3
"""Unreadable answers to one question before it is skipped."""


class _Unreadable(ValueError):
    """The typed text is not an answer of the expected form (the message says why)."""


def _parse_number_list(text: str, count: int) -> list[int]:
    parts = [part for part in re.split(r"[\s,;]+", text) if part]
    indices = []
    for part in parts:
        if not part.isdigit() or not 1 <= int(part) <= count:
            raise _Unreadable(f"{part!r} is not a choice number from 1 to {count}")
        indices.append(int(part) - 1)
    return indices


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
        A 0-based index, a list of indices, a bool, a float, a ``{left: right}`` mapping or
        the text, according to the question type.

    Raises
    ------
    ValueError
        When the text cannot be read as an answer of that type; the message says why.
    """
    text = text.strip()
    if question.type == "single_choice":
        indices = _parse_number_list(text, len(question.choices))
        if len(indices) != 1:
            raise _Unreadable("type one choice number")
        return indices[0]
    if question.type == "multiple_choice":
        return sorted(set(_parse_number_list(text, len(question.choices))))
    if question.type == "true_false":
        word = text.lower()
        if word in ("t", "true", "y", "yes"):
            return True
        if word in ("f", "false", "n", "no"):
            return False
        raise _Unreadable("type t (true) or f (false)")
    if question.type == "numeric":
        try:
            return float(text)
        except ValueError:
            raise _Unreadable(
                f"{text!r} is not a number (use a point for decimals, e.g. 0.25)"
            ) from None
    if question.type == "matching":
        letters = re.sub(r"[\s,;]+", "", text).upper()
        count = len(question.pairs)
        valid = [choice_letter(position) for position in range(count)]
        if len(letters) != count or any(letter not in valid for letter in letters):
            raise _Unreadable(
                f"type {count} letters from {valid[0]} to {valid[-1]}, one per numbered item"
            )
        order = question.matching_order()
        return {
            left: question.pairs[order[valid.index(letter)]][1]
            for (left, _), letter in zip(question.pairs, letters, strict=True)
        }
    return text


def _print_lines(lines: list[str], out: TextIO) -> None:
    for line in lines:
        print(line, file=out)


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
    print(f"Quiz for lesson {bank.lesson}: {bank.title} ({total} questions)", file=out)
    print("Press Enter on an empty line to skip a question.", file=out)
    results = []
    ended = False
    for number, question in enumerate(bank.questions, start=1):
        value = MISSING
        if not ended:
            print("", file=out)
            _print_lines(question_lines(question, number, total), out)
            try:
                value = _ask(question, read_line, out)
            except EOFError:
                ended = True
                print("", file=out)
                print("Input ended: the remaining questions count as unanswered.", file=out)
        result = grade_answer(question, value, glossary)
        results.append(result)
        if not ended:
            _print_feedback(result, out)
    report = GradeReport(results=tuple(results), lesson=bank.lesson)
    print("", file=out)
    print(
        f"Score: {format_points(report.score)} / {format_points(report.max_score)} ({report.percent:.0f}%)",
        file=out,
    )
    return report


def _ask(question: Question, read_line: Callable[[str], str], out: TextIO) -> object:
    hint = answer_hint(question)
    for _ in range(MAX_TRIES):
        text = read_line(f"Your answer ({hint}): ").strip()
        if not text:
            return MISSING
        try:
            return parse_typed_answer(question, text)
        except ValueError as problem:
            print(f"   Could not read that: {problem}.", file=out)
    print(f"   Skipped after {MAX_TRIES} unreadable answers.", file=out)
    return MISSING


def _print_feedback(result: QuestionResult, out: TextIO) -> None:
    if result.correct:
        print("   Correct!", file=out)
    elif result.status == "missing":
        print("   Skipped.", file=out)
    else:
        print(f"   Not quite. {result.feedback}", file=out)
    if not result.correct:
        _print_lines(wrap_text(result.expected, "   ", first_indent="   Answer: "), out)
    _print_lines(wrap_text(result.explanation, "   ", first_indent="   Why: "), out)
