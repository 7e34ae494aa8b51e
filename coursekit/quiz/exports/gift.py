"""Moodle GIFT export, written by hand (GIFT is a small plain-text format).

Question types map to GIFT as follows (each type writes its own part, in
:mod:`coursekit.quiz.types`):

- single choice: ``{=right ~wrong ...}``;
- multiple choice: ``{~%50%right ~%50%right ~%-100%wrong}`` (each correct choice gets an equal
  share of 100 %, each wrong one -100 %, so guessing everything earns nothing);
- true/false: ``{TRUE}`` / ``{FALSE}``;
- numeric: ``{#answer:tolerance}`` (half a unit of the last decimal asked for, when the
  question asks for N decimal places);
- matching: ``{=left -> right ...}``;
- short text: ``{=answer =accepted ...}`` (Moodle compares case-insensitively).

The explanation becomes the general feedback (``####``). Each lesson goes into its own question
category (``$CATEGORY: coursekit/lesson_00``). Without answers (``include_answers=False``) every
question becomes an essay question (``{}``) whose text lists the choices: a student copy that
gives nothing away, for manual grading.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from coursekit.quiz.model import Bank, Glossary, Question
from coursekit.quiz.render import prompt_with_choices
from coursekit.quiz.types import REGISTRY

_SPECIAL = "\\~=#{}:"

def gift_escape(text: str) -> str:
    """Escape GIFT's special characters (``~ = # { } :`` and backslash) and newlines.

    Parameters
    ----------
    text : str

    Returns
    -------
    str
        ``text`` with each special character preceded by a backslash and each newline written
        as ``\\n``, on one line.
    """
    escaped = "".join("\\" + char if char in _SPECIAL else char for char in text)
    return escaped.replace("\r\n", "\n").replace("\n", "\\n")


def gift_number(value: float) -> str:
    """``value`` in fixed point ("0.000001", never "1e-06", which Moodle's GIFT reader rejects)."""
    return np.format_float_positional(float(value), trim="-")


_number = gift_number


def question_to_gift(
    question: Question, *, include_answers: bool = True, glossary: Glossary | None = None
) -> str:
    """One question in GIFT.

    Parameters
    ----------
    question : Question
    include_answers : bool, default=True
        False gives an essay question with the choices in its text and no feedback.
    glossary : Glossary, optional
        Adds glossary aliases to the accepted short-text answers.

    Returns
    -------
    str
        The question, starting with a ``// id`` comment and without a trailing blank line.
    """
    title = f"::{gift_escape(question.id)}::"
    if not include_answers:
        return f"// {question.id} ({question.type_label})\n{title}[markdown]{gift_escape(prompt_with_choices(question, 'markdown'))}{{}}"
    prompt = f"{title}[markdown]{gift_escape(question.prompt)}"
    feedback = f"####{gift_escape(question.explanation)}"
    body = REGISTRY[question.type].gift_body(question, glossary, feedback)
    return f"// {question.id} ({question.type_label})\n{prompt}{body}"


def banks_to_gift(
    banks: Iterable[Bank], *, include_answers: bool = True, glossary: Glossary | None = None
) -> str:
    """Several banks as one GIFT file, one Moodle category per lesson.

    Parameters
    ----------
    banks : iterable of Bank
    include_answers : bool, default=True
        See :func:`question_to_gift`.
    glossary : Glossary, optional
        Adds glossary aliases to the accepted short-text answers.

    Returns
    -------
    str
        The file content, questions separated by blank lines, ending with a newline.
    """
    blocks = []
    for bank in banks:
        title = " ".join(bank.title.split())
        blocks.append(
            f"// Lesson {bank.lesson}: {title}\n$CATEGORY: coursekit/lesson_{bank.lesson}"
        )
        blocks.extend(
            question_to_gift(question, include_answers=include_answers, glossary=glossary)
            for question in bank.questions
        )
    return "\n\n".join(blocks) + "\n"
