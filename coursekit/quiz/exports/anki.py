"""Anki deck export (``.apkg``) with genanki.

The deck has one note per glossary term (front: the term; back: definition, example, related
terms) and one note per quiz question marked ``flashcard: true`` (front: the prompt with its
choices; back: the answer and the explanation). Notes are tagged ``coursekit``, ``glossary`` or
``quiz``, and ``lesson-NN``.

The deck and note-type ids come from a hash of fixed strings, and each note's GUID from its term
or question id, so re-importing a newer export updates the learner's existing cards (keeping
their review history) instead of duplicating them.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Iterable
from pathlib import Path

from coursekit.quiz.model import Bank, Glossary, Question, Term
from coursekit.quiz.render import prompt_with_choices

DECK_NAME = "Regularization in Deep Learning"

_CSS = """.card { font-family: sans-serif; font-size: 20px; text-align: left; color: black; background-color: white; }
.small { font-size: 16px; color: #444; }
"""


def stable_id(name: str) -> int:
    """A genanki model/deck id derived from ``name``: the same on every run, in ``[2**30, 2**31)``."""
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return (1 << 30) + int.from_bytes(digest[:4], "big") % (1 << 30)


def _field(text: str) -> str:
    """Plain text as an Anki field (HTML): escaped, with line breaks kept."""
    return html.escape(text.strip()).replace("\n", "<br>")


def _term_model():
    import genanki

    return genanki.Model(
        stable_id("coursekit glossary term model v1"),
        "coursekit glossary term",
        fields=[
            {"name": "Term"},
            {"name": "Definition"},
            {"name": "Example"},
            {"name": "Related"},
            {"name": "Lesson"},
        ],
        templates=[
            {
                "name": "Term to definition",
                "qfmt": "{{Term}}",
                "afmt": (
                    "{{FrontSide}}<hr id=answer>{{Definition}}"
                    "<p class=small><i>Example:</i> {{Example}}</p>"
                    "{{#Related}}<p class=small><i>Related:</i> {{Related}}</p>{{/Related}}"
                    "<p class=small>Lesson {{Lesson}}</p>"
                ),
            }
        ],
        css=_CSS,
    )


def _question_model():
    import genanki

    return genanki.Model(
        stable_id("coursekit quiz question model v1"),
        "coursekit quiz question",
        fields=[
            {"name": "Question"},
            {"name": "Answer"},
            {"name": "Explanation"},
            {"name": "Lesson"},
            {"name": "Id"},
        ],
        templates=[
            {
                "name": "Question to answer",
                "qfmt": "{{Question}}",
                "afmt": (
                    "{{FrontSide}}<hr id=answer><b>{{Answer}}</b>"
                    "<p class=small>{{Explanation}}</p><p class=small>Lesson {{Lesson}}</p>"
                ),
            }
        ],
        css=_CSS,
    )


def _term_note(model, term: Term, glossary: Glossary):
    import genanki

    related = ", ".join(
        glossary.by_id[other].term for other in term.related if other in glossary.by_id
    )
    return genanki.Note(
        model=model,
        fields=[
            _field(term.term),
            _field(term.definition),
            _field(term.example),
            _field(related),
            term.lesson,
        ],
        tags=["coursekit", "glossary", f"lesson-{term.lesson}"],
        guid=genanki.guid_for("coursekit-term", term.id),
    )


def _question_note(model, question: Question):
    import genanki

    return genanki.Note(
        model=model,
        fields=[
            _field(prompt_with_choices(question)),
            _field(question.answer_text()),
            _field(question.explanation),
            question.lesson,
            question.id,
        ],
        tags=["coursekit", "quiz", f"lesson-{question.lesson}"],
        guid=genanki.guid_for("coursekit-question", question.id),
    )


def write_anki(
    glossary: Glossary,
    banks: Iterable[Bank],
    out: str | Path,
    *,
    lessons: Iterable[str] | None = None,
) -> tuple[Path, int]:
    """Write the Anki deck.

    Parameters
    ----------
    glossary : Glossary
        Every term becomes a note (only those of ``lessons`` when given).
    banks : iterable of Bank
        Their questions marked ``flashcard: true`` become notes.
    out : str or Path
        The ``.apkg`` file to write (its folder must exist).
    lessons : iterable of str, optional
        Two-digit lesson numbers that restrict the glossary terms; default all.

    Returns
    -------
    path : Path
        ``out``.
    notes : int
        Number of notes written.
    """
    import genanki

    wanted = None if lessons is None else set(lessons)
    deck = genanki.Deck(stable_id("coursekit deck v1"), DECK_NAME)
    term_model = _term_model()
    question_model = _question_model()
    for term in glossary.terms:
        if wanted is None or term.lesson in wanted:
            deck.add_note(_term_note(term_model, term, glossary))
    for bank in banks:
        for question in bank.questions:
            if question.flashcard:
                deck.add_note(_question_note(question_model, question))
    out = Path(out)
    genanki.Package(deck).write_to_file(str(out))
    return out, len(deck.notes)
