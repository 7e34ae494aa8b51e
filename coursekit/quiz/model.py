"""The validated, immutable objects the quiz engine works with.

These classes are built by :mod:`coursekit.quiz.schema` from the YAML files under ``quizzes/``;
building them by hand skips validation, so tests and tools should go through the loaders.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from coursekit.quiz.types import QUESTION_TYPES, REGISTRY

TYPE_LABELS = {name: question_type.label for name, question_type in REGISTRY.items()}
"""Human-readable name of each question type, used by every front end."""

__all__ = ["QUESTION_TYPES", "TYPE_LABELS", "Bank", "Glossary", "Question", "Term"]


@dataclass(frozen=True)
class Question:
    """One quiz question.

    Attributes
    ----------
    id : str
        Kebab-case identifier, unique across all banks.
    type : str
        One of :data:`QUESTION_TYPES`.
    prompt, explanation : str
        The question text and the explanation shown after answering.
    lesson : str
        Two-digit lesson number of the bank that holds the question, e.g. ``"00"``.
    answer : int, tuple of int, bool, float, str or None
        The key: the 0-based index of the correct choice (single choice), the sorted indices of
        the correct choices (multiple choice), a bool (true/false), a float (numeric), the model
        answer (short text), or None for matching, whose key is ``pairs``.
    choices : tuple of str
        The choices of a single- or multiple-choice question, otherwise empty.
    tolerance : float
        Absolute tolerance of a numeric question, ``>= 0`` (``0.5 * 10**-decimals`` when the
        question gives ``decimals``).
    decimals : int or None
        Decimal places a numeric question asks for, or None when it gives a tolerance.
    pairs : tuple of (str, str)
        ``(left, right)`` pairs of a matching question; the identity pairing is the key.
    accept : tuple of str
        Further accepted answers of a short-text question.
    terms : tuple of str
        Glossary ids the question exercises.
    flashcard : bool
        Whether the question suits a flashcard (Anki export).
    line : int or None
        1-based line of the question in its bank, for messages.
    """

    id: str
    type: str
    prompt: str
    explanation: str
    lesson: str
    answer: int | tuple[int, ...] | bool | float | str | None = None
    choices: tuple[str, ...] = ()
    tolerance: float = 0.0
    decimals: int | None = None
    pairs: tuple[tuple[str, str], ...] = ()
    accept: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()
    flashcard: bool = False
    line: int | None = None

    @property
    def type_label(self) -> str:
        """Human-readable name of the question type."""
        return REGISTRY[self.type].label

    def answer_text(self) -> str:
        """The correct answer as a learner would write it, e.g. ``"dropout"`` or ``"1.33"``.

        Returns
        -------
        str
            One line of text; several answers (multiple choice, matching) are joined by ``"; "``.
        """
        return REGISTRY[self.type].answer_text(self)

    def matching_order(self) -> tuple[int, ...]:
        """Order in which a front end lists the right-hand sides of a matching question.

        The order is a shuffle seeded by the question id, so it is the same on every run, in the
        terminal, the notebook and its text fallback. It is never the identity order (which
        would give the key away).

        Returns
        -------
        tuple of int
            A permutation of ``range(len(self.pairs))``: entry ``k`` is the index of the pair
            whose right side is shown in position ``k``. Empty for other question types.
        """
        count = len(self.pairs)
        if count == 0:
            return ()
        rng = np.random.default_rng(zlib.crc32(self.id.encode("utf-8")))
        order = [int(index) for index in rng.permutation(count)]
        if order == list(range(count)):
            order = order[1:] + order[:1]
        return tuple(order)


@dataclass(frozen=True)
class Bank:
    """The question bank of one lesson.

    Attributes
    ----------
    lesson : str
        Two-digit lesson number, e.g. ``"03"``.
    title : str
        Lesson title.
    questions : tuple of Question
        In file order.
    path : Path or None
        File the bank was read from.
    """

    lesson: str
    title: str
    questions: tuple[Question, ...]
    path: Path | None = None

    @cached_property
    def by_id(self) -> dict[str, Question]:
        """Questions keyed by id."""
        return {question.id: question for question in self.questions}

    @property
    def max_score(self) -> float:
        """Highest possible score: one point per question."""
        return float(len(self.questions))


@dataclass(frozen=True)
class Term:
    """One glossary entry.

    Attributes
    ----------
    id : str
        Kebab-case identifier, unique in the glossary.
    term : str
        Display name.
    lesson : str
        Two-digit number of the lesson that introduces the term.
    definition, example : str
        The definition (one to three sentences) and a short example or analogy.
    related : tuple of str
        Ids of related terms (all exist in the glossary).
    aliases : tuple of str
        Other accepted names, used by short-text matching.
    line : int or None
        1-based line of the entry in the glossary file.
    """

    id: str
    term: str
    lesson: str
    definition: str
    example: str
    related: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    line: int | None = None

    @property
    def names(self) -> tuple[str, ...]:
        """The display name followed by the aliases."""
        return (self.term, *self.aliases)


@dataclass(frozen=True)
class Glossary:
    """All glossary terms.

    Attributes
    ----------
    terms : tuple of Term
        In file order.
    path : Path or None
        File the glossary was read from.
    """

    terms: tuple[Term, ...]
    path: Path | None = None

    @cached_property
    def by_id(self) -> dict[str, Term]:
        """Terms keyed by id."""
        return {term.id: term for term in self.terms}

    def for_lesson(self, lesson: str) -> list[Term]:
        """Terms introduced by ``lesson`` (two digits), sorted by display name, case-insensitively."""
        chosen = [term for term in self.terms if term.lesson == lesson]
        return sorted(chosen, key=lambda term: (term.term.casefold(), term.id))
