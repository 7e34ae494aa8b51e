"""The question types, one module each, registered in one table.

Each module defines one :class:`~coursekit.quiz.types.base.QuestionType` (``TYPE``) that
validates, grades, renders and exports its questions. Everything else in the quiz engine looks
a type up here instead of branching on its name.

Adding a type
-------------
Write ``coursekit/quiz/types/<name>.py`` with a ``QuestionType`` subclass, add its ``TYPE`` to
:data:`REGISTRY` below, and test it. ``tests/test_quiz_types.py`` checks that every type
implements the whole interface and that no module outside this package branches on type names.
"""

from __future__ import annotations

from coursekit.quiz.types import (
    matching,
    multiple_choice,
    numeric,
    short_text,
    single_choice,
    true_false,
)
from coursekit.quiz.types.base import MISSING, Grade, QuestionType

REGISTRY: dict[str, QuestionType] = {
    question_type.name: question_type
    for question_type in (
        single_choice.TYPE,
        multiple_choice.TYPE,
        true_false.TYPE,
        numeric.TYPE,
        matching.TYPE,
        short_text.TYPE,
    )
}
"""Type name (the ``type`` value in a bank) -> its :class:`QuestionType`, in documentation order."""

QUESTION_TYPES = tuple(REGISTRY)
"""The question types a bank may use."""


def question_type(name: str) -> QuestionType:
    """The registered type called ``name``; ``KeyError`` naming the known types otherwise."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown question type {name!r}; known: {', '.join(REGISTRY)}") from None


__all__ = ["MISSING", "QUESTION_TYPES", "REGISTRY", "Grade", "QuestionType", "question_type"]
