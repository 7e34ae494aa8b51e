"""What a question type is: the one interface every front end, grader and exporter calls.

A type bundles everything that differs between question types: which keys a bank gives and how
they are checked, how an answer is graded, how the question is shown (terminal, notebook text,
widgets, student copies) and how it is exported (Moodle GIFT, Canvas QTI). The callers never
branch on a type's name; they look the type up in :data:`coursekit.quiz.types.REGISTRY` and
call it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import xml.etree.ElementTree as ET

    from coursekit.quiz.checks import Checker
    from coursekit.quiz.model import Glossary, Question
    from coursekit.quiz.reading import Location

Grade = tuple[str, float, str]
"""``(status, score, feedback)``: a status of :data:`coursekit.quiz.grading.STATUSES`, a score in
``[0, 1]`` and one sentence of feedback."""


class _Missing:
    """Marker for "no answer was given" (``None`` is a possible, wrong, answer)."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()


class QuestionType:
    """Base class of a question type; a subclass overrides what its type needs.

    Attributes
    ----------
    name : str
        The ``type`` value in a bank, e.g. ``"numeric"``.
    label : str
        Human-readable name, e.g. ``"number"``.
    keys : tuple of str
        The type-specific keys a question of this type may have.
    canvas_type : str
        The Canvas QTI ``question_type``.
    """

    name = ""
    label = ""
    keys: tuple[str, ...] = ()
    canvas_type = ""

    # -- bank ------------------------------------------------------------------------------

    def validate(
        self, check: Checker, raw: Mapping, where: Location, label: str
    ) -> dict | None:
        """Check the type-specific keys of ``raw``; return the :class:`Question` fields or None.

        Every problem is reported to ``check`` (prefixed with ``label``, e.g. ``"question 'x': "``).
        ``raw`` also holds the common keys (``prompt``, ...), which a type may cross-check.
        """
        raise NotImplementedError

    # -- grading ---------------------------------------------------------------------------

    def grade(self, question: Question, value: object, glossary: Glossary | None) -> Grade:
        """Grade ``value`` (never :data:`MISSING`); never raises on any value."""
        raise NotImplementedError

    def answer_text(self, question: Question) -> str:
        """The correct answer as a learner would write it, on one line."""
        raise NotImplementedError

    def choice_picks(self, question: Question, value: object) -> list[int]:
        """0-based choices that ``value`` selects, for item statistics; empty when not a choice type."""
        return []

    # -- terminal and text -----------------------------------------------------------------

    def render_lines(self, question: Question) -> list[str]:
        """Lines shown after the prompt (choices, items), without answers."""
        return []

    def answer_hint(self, question: Question) -> str:
        """How to type an answer in the terminal; its examples are never accepted answers."""
        return "a word or short phrase"

    def parse_typed(self, question: Question, text: str) -> object:
        """Turn a typed, non-empty line into an answer; raise ``ValueError`` saying why not."""
        return text

    def student_parts(self, question: Question) -> tuple[str, list[str], list[str]]:
        """``(intro, numbered items, lettered items)`` of a student copy, without answers."""
        return "", [], []

    # -- notebook widgets ------------------------------------------------------------------

    def widget_control(self, question: Question, widgets) -> tuple[object, object]:
        """``(control, view)``: the input widget(s), and the widget to display."""
        control = widgets.Text(value="", placeholder="your answer")
        return control, control

    def widget_answer(self, question: Question, control: object) -> object:
        """The answer the control holds, as :meth:`grade` takes it (:data:`MISSING` if none)."""
        text = control.value.strip()
        return text if text else MISSING

    # -- exports ---------------------------------------------------------------------------

    def gift_answers(self, question: Question, glossary: Glossary | None) -> list[str]:
        """The GIFT answer lines (``=right``, ``~wrong``, ...), for the default :meth:`gift_body`."""
        raise NotImplementedError

    def gift_body(self, question: Question, glossary: Glossary | None, feedback: str) -> str:
        """The ``{...}`` part of a GIFT question, ending with the general ``feedback``."""
        answers = "".join(f"\t{answer}\n" for answer in self.gift_answers(question, glossary))
        return f"{{\n{answers}\t{feedback}\n}}"

    def qti_item(
        self,
        item: ET.Element,
        presentation: ET.Element,
        question: Question,
        glossary: Glossary | None,
    ) -> None:
        """Add the response and the scoring of a QTI 1.2 ``item`` (the prompt is already there)."""
        raise NotImplementedError
