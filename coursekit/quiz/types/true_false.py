"""True or false: ``answer`` is true or false (unquoted)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from coursekit.quiz.normalize import normalize_text
from coursekit.quiz.reading import describe_value
from coursekit.quiz.types import _choices
from coursekit.quiz.types.base import MISSING, Grade, QuestionType

if TYPE_CHECKING:
    from coursekit.quiz.checks import Checker
    from coursekit.quiz.model import Glossary, Question
    from coursekit.quiz.reading import Location

_TRUE_WORDS = frozenset({"true", "t", "yes", "y"})
_FALSE_WORDS = frozenset({"false", "f", "no", "n"})


def _word(text: str) -> bool | None:
    word = normalize_text(text)
    return True if word in _TRUE_WORDS else False if word in _FALSE_WORDS else None


class TrueFalse(QuestionType):
    """A statement that is true or false."""

    name = "true_false"
    label = "true or false"
    keys = ("answer",)
    canvas_type = "true_false_question"

    def validate(self, check: Checker, raw: Mapping, where: Location, label: str) -> dict | None:
        if "answer" not in raw or raw["answer"] is None:
            check.error(where, f"{label}no correct answer: add 'answer: true' or 'answer: false'")
            return None
        answer = raw["answer"]
        if not isinstance(answer, bool):
            check.error(
                (*where, "answer"),
                f"{label}answer must be true or false (unquoted), got {describe_value(answer)}",
            )
            return None
        return {"answer": answer}

    def grade(self, question: Question, value: object, glossary: Glossary | None) -> Grade:
        given = value if isinstance(value, bool) else _word(value) if isinstance(value, str) else None
        if given is None:
            return "wrong_type", 0.0, f"wrong type: expected true or false, got {describe_value(value)}"
        if given == question.answer:
            return "correct", 1.0, f"Correct: the statement is {'true' if given else 'false'}."
        return "incorrect", 0.0, f"You answered {'true' if given else 'false'}, which is not correct."

    def answer_text(self, question: Question) -> str:
        return "true" if question.answer else "false"

    def choice_picks(self, question: Question, value: object) -> list[int]:
        return [0] if value is True else [1] if value is False else []

    def answer_hint(self, question: Question) -> str:
        return "t for true, f for false"

    def parse_typed(self, question: Question, text: str) -> object:
        given = _word(text)
        if given is None:
            raise ValueError("type t (true) or f (false)")
        return given

    def student_parts(self, question: Question) -> tuple[str, list[str], list[str]]:
        return "True or false?", [], []

    def widget_control(self, question: Question, widgets) -> tuple[object, object]:
        control = widgets.RadioButtons(options=[("True", True), ("False", False)], value=None)
        return control, control

    def widget_answer(self, question: Question, control: object) -> object:
        return MISSING if control.value is None else control.value

    def gift_body(self, question: Question, glossary: Glossary | None, feedback: str) -> str:
        return f"{{{'TRUE' if question.answer else 'FALSE'}{feedback}}}"

    def qti_item(self, item, presentation, question: Question, glossary: Glossary | None) -> None:
        choices = [(f"{question.id}-true", "True"), (f"{question.id}-false", "False")]
        correct = [choices[0][0] if question.answer else choices[1][0]]
        _choices.qti_choices(item, presentation, question, choices, correct, "Single")


TYPE = TrueFalse()
