"""Short text: ``answer`` (the model answer) and optional ``accept`` (more accepted texts).

Correct when the normal form (:func:`coursekit.quiz.normalize.normalize_text`) equals that of
the answer, of an ``accept`` entry, or of any name of a glossary term whose names include one
of them (so glossary aliases are accepted too).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from coursekit.quiz.normalize import normalize_text
from coursekit.quiz.reading import describe_value
from coursekit.quiz.types.base import Grade, QuestionType

if TYPE_CHECKING:
    from coursekit.quiz.checks import Checker
    from coursekit.quiz.model import Glossary, Question
    from coursekit.quiz.reading import Location


def accepted_answers(question: Question, glossary: Glossary | None = None) -> set[str]:
    """Normal forms accepted for a short-text question (answer, ``accept`` and glossary names)."""
    accepted = {normalize_text(text) for text in (question.answer, *question.accept)}
    if glossary is not None:
        for term in glossary.terms:
            names = {normalize_text(name) for name in term.names}
            if names & accepted:
                accepted |= names
    return accepted


def accepted_texts(question: Question, glossary: Glossary | None = None) -> list[str]:
    """Accepted answers of a short-text question as written, for exports.

    The model answer comes first, then the ``accept`` entries, then the names of any glossary
    term that one of them names. Texts that differ only in letter case or spacing are listed
    once (LMS matching ignores those); hyphenated variants are kept, as LMSs do not equate them.
    """
    texts = [question.answer, *question.accept]
    if glossary is not None:
        accepted = accepted_answers(question, glossary)
        for term in glossary.terms:
            if any(normalize_text(name) in accepted for name in term.names):
                texts.extend(term.names)
    unique: dict[str, str] = {}
    for text in texts:
        unique.setdefault(" ".join(text.casefold().split()), text)
    return list(unique.values())


def lms_answer_texts(question: Question, glossary: Glossary | None = None) -> list[str]:
    """Accepted short-text answers with the spacing and hyphen variants coursekit accepts.

    An LMS matches a short answer exactly (up to letter case), while coursekit's normal form
    (:func:`~coursekit.quiz.normalize.normalize_text`) ignores spaces and hyphens. For each text of
    :func:`accepted_texts`, this adds the same words joined by hyphens, by spaces and by nothing
    ("early stopping", "early-stopping", "earlystopping"), so that Moodle and Canvas accept what
    the notebook quiz accepts. Each variant has the same normal form as the text it came from.
    """
    unique: dict[str, str] = {}
    for text in accepted_texts(question, glossary):
        words = [word for word in re.split(r"[\s\-\u2010\u2011\u2013\u2014]+", text.strip()) if word]
        for variant in (text, " ".join(words), "-".join(words), "".join(words)):
            unique.setdefault(" ".join(variant.casefold().split()), variant)
    return list(unique.values())


class ShortText(QuestionType):
    """A word or a short phrase."""

    name = "short_text"
    label = "short answer"
    keys = ("answer", "accept")
    canvas_type = "short_answer_question"

    def validate(self, check: Checker, raw: Mapping, where: Location, label: str) -> dict | None:
        if "answer" not in raw or raw["answer"] is None:
            check.error(where, f"{label}no correct answer: add 'answer: \"<model answer>\"'")
            return None
        answer = check.text(raw, "answer", where, label)
        accept = check.text_list(raw, "accept", where, label)
        if answer is None or accept is None:
            return None
        for index, text in enumerate((answer, *accept)):
            if not normalize_text(text):
                spot = (*where, "answer") if index == 0 else (*where, "accept", index - 1)
                check.error(
                    spot, f"{label}{describe_value(text)} is empty once spaces and hyphens are ignored"
                )
                return None
        return {"answer": answer, "accept": accept}

    def grade(self, question: Question, value: object, glossary: Glossary | None) -> Grade:
        if not isinstance(value, str):
            return "wrong_type", 0.0, f"wrong type: expected text, got {describe_value(value)}"
        if normalize_text(value) in accepted_answers(question, glossary):
            return "correct", 1.0, "Correct."
        return (
            "incorrect",
            0.0,
            f"You answered {describe_value(value)}, which is not an accepted answer.",
        )

    def answer_text(self, question: Question) -> str:
        return str(question.answer)

    def gift_answers(self, question: Question, glossary: Glossary | None) -> list[str]:
        from coursekit.quiz.exports.gift import gift_escape

        return [f"={gift_escape(text)}" for text in lms_answer_texts(question, glossary)]

    def qti_item(self, item, presentation, question: Question, glossary: Glossary | None) -> None:
        from coursekit.quiz.exports import qti

        qti.text_entry(presentation)
        conditionvar = qti.full_marks(qti.scoring(item))
        for text in lms_answer_texts(question, glossary):
            qti.sub(conditionvar, "varequal", text, respident="response1")


TYPE = ShortText()
