"""Single choice: ``choices`` (>= 2 texts) and ``answer``, the 0-based index of the right one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from coursekit.quiz.reading import describe_value
from coursekit.quiz.types import _choices
from coursekit.quiz.types.base import MISSING, Grade, QuestionType

if TYPE_CHECKING:
    from coursekit.quiz.checks import Checker
    from coursekit.quiz.model import Glossary, Question
    from coursekit.quiz.reading import Location


class SingleChoice(QuestionType):
    """One right choice among several."""

    name = "single_choice"
    label = "single choice"
    keys = ("choices", "answer")
    canvas_type = "multiple_choice_question"

    def validate(self, check: Checker, raw: Mapping, where: Location, label: str) -> dict | None:
        choices = _choices.check_choices(check, raw, where, label)
        if "answer" not in raw or raw["answer"] is None:
            check.error(
                where,
                f"{label}no correct answer: add 'answer: N', the 0-based index of the correct choice",
            )
            return None
        if choices is None:
            return None
        problem = _choices.index_problem(raw["answer"], len(choices))
        if problem:
            check.error((*where, "answer"), f"{label}answer {problem}")
            return None
        return {"choices": choices, "answer": raw["answer"]}

    def grade(self, question: Question, value: object, glossary: Glossary | None) -> Grade:
        index, status, problem = _choices.choice_index(question, value)
        if index is None:
            return status, 0.0, problem
        chosen = describe_value(question.choices[index])
        if index == question.answer:
            return "correct", 1.0, f"Correct: {chosen}."
        return "incorrect", 0.0, f"You chose {chosen}, which is not correct."

    def answer_text(self, question: Question) -> str:
        return question.choices[question.answer]

    def choice_picks(self, question: Question, value: object) -> list[int]:
        index, _, _ = _choices.choice_index(question, value)
        return [] if index is None else [index]

    def render_lines(self, question: Question) -> list[str]:
        return _choices.choice_lines(question)

    def answer_hint(self, question: Question) -> str:
        return f"a number from 1 to {len(question.choices)}"

    def parse_typed(self, question: Question, text: str) -> object:
        indices = _choices.parse_number_list(text, len(question.choices))
        if len(indices) != 1:
            raise ValueError("type one choice number")
        return indices[0]

    def student_parts(self, question: Question) -> tuple[str, list[str], list[str]]:
        return "", list(question.choices), []

    def widget_control(self, question: Question, widgets) -> tuple[object, object]:
        control = widgets.RadioButtons(
            options=[(choice, index) for index, choice in enumerate(question.choices)],
            value=None,
        )
        return control, control

    def widget_answer(self, question: Question, control: object) -> object:
        return MISSING if control.value is None else control.value

    def gift_answers(self, question: Question, glossary: Glossary | None) -> list[str]:
        from coursekit.quiz.exports.gift import gift_escape

        return [
            ("=" if index == question.answer else "~") + gift_escape(choice)
            for index, choice in enumerate(question.choices)
        ]

    def qti_item(self, item, presentation, question: Question, glossary: Glossary | None) -> None:
        choices = [(f"{question.id}-c{index}", choice) for index, choice in enumerate(question.choices)]
        _choices.qti_choices(
            item, presentation, question, choices, [choices[question.answer][0]], "Single"
        )


TYPE = SingleChoice()
