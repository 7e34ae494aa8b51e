"""Multiple choice: ``choices`` and ``answer``, the list of 0-based indices of the right ones.

Graded all-or-nothing; the feedback names the missed and the wrongly chosen choices.
"""

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

# Moodle accepts only these percentages for partial credit; 100/k for k = 1..10 are among them.
_MOODLE_FRACTIONS = {
    1: "100",
    2: "50",
    3: "33.33333",
    4: "25",
    5: "20",
    6: "16.66667",
    7: "14.28571",
    8: "12.5",
    9: "11.11111",
    10: "10",
}


class MultipleChoice(QuestionType):
    """Any number (at least one) of right choices."""

    name = "multiple_choice"
    label = "multiple choice"
    keys = ("choices", "answer")
    canvas_type = "multiple_answers_question"

    def validate(self, check: Checker, raw: Mapping, where: Location, label: str) -> dict | None:
        choices = _choices.check_choices(check, raw, where, label)
        answer = raw.get("answer")
        if answer is None or answer == []:
            check.error(
                where if "answer" not in raw else (*where, "answer"),
                f"{label}no correct answer: add 'answer: [i, j, ...]', the 0-based indices of the correct choices",
            )
            return None
        if not isinstance(answer, list):
            check.error(
                (*where, "answer"),
                f"{label}answer must be a list of choice indices, got {describe_value(answer)}",
            )
            return None
        if choices is None:
            return None
        for position, value in enumerate(answer):
            problem = _choices.index_problem(value, len(choices))
            if problem:
                check.error((*where, "answer", position), f"{label}answer item {problem}")
                return None
        if len(set(answer)) != len(answer):
            check.error((*where, "answer"), f"{label}answer lists a choice twice: {answer}")
            return None
        return {"choices": choices, "answer": tuple(sorted(answer))}

    def grade(self, question: Question, value: object, glossary: Glossary | None) -> Grade:
        items = list(value) if isinstance(value, (list, tuple)) else [value]
        chosen: set[int] = set()
        for item in items:
            index, status, problem = _choices.choice_index(question, item)
            if index is None:
                if status == "wrong_type":
                    problem = problem.replace(
                        "expected a choice number", "expected a list of choice numbers"
                    )
                return status, 0.0, problem
            chosen.add(index)
        correct = set(question.answer)
        if chosen == correct:
            return "correct", 1.0, "Correct: you chose exactly the right choices."
        parts = []
        missed = sorted(correct - chosen)
        extra = sorted(chosen - correct)
        if missed:
            names = ", ".join(describe_value(question.choices[index]) for index in missed)
            parts.append(f"missed {names}")
        if extra:
            names = ", ".join(describe_value(question.choices[index]) for index in extra)
            parts.append(f"wrongly chose {names}")
        # One sentence that reads on after a front end's "Not quite."
        return "incorrect", 0.0, "You " + " and ".join(parts) + " (all-or-nothing)."

    def answer_text(self, question: Question) -> str:
        return "; ".join(_choices.without_full_stop(question.choices[index]) for index in question.answer)

    def choice_picks(self, question: Question, value: object) -> list[int]:
        values = value if isinstance(value, list) else [value]
        picks = set()
        for item in values[:50]:
            index, _, _ = _choices.choice_index(question, item)
            if index is not None:
                picks.add(index)
        return sorted(picks)

    def render_lines(self, question: Question) -> list[str]:
        return _choices.choice_lines(question)

    def answer_hint(self, question: Question) -> str:
        return "all correct numbers, separated by commas, e.g. 1,3"

    def parse_typed(self, question: Question, text: str) -> object:
        return sorted(set(_choices.parse_number_list(text, len(question.choices))))

    def student_parts(self, question: Question) -> tuple[str, list[str], list[str]]:
        return "Select all that apply.", list(question.choices), []

    def widget_control(self, question: Question, widgets) -> tuple[object, object]:
        control = [
            widgets.Checkbox(value=False, description=choice, indent=False)
            for choice in question.choices
        ]
        return control, widgets.VBox(control)

    def widget_answer(self, question: Question, control: object) -> object:
        chosen = [index for index, box in enumerate(control) if box.value]
        return chosen if chosen else MISSING

    def gift_answers(self, question: Question, glossary: Glossary | None) -> list[str]:
        from coursekit.quiz.exports.gift import gift_escape

        share = _MOODLE_FRACTIONS.get(len(question.answer), f"{100 / len(question.answer):.5f}")
        return [
            f"~%{share if index in question.answer else '-100'}%{gift_escape(choice)}"
            for index, choice in enumerate(question.choices)
        ]

    def qti_item(self, item, presentation, question: Question, glossary: Glossary | None) -> None:
        choices = [(f"{question.id}-c{index}", choice) for index, choice in enumerate(question.choices)]
        correct = [choices[index][0] for index in question.answer]
        _choices.qti_choices(item, presentation, question, choices, correct, "Multiple")


TYPE = MultipleChoice()
