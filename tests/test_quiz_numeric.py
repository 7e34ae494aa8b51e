"""Numeric questions: the prompt states the precision, and sensible answers in any notation pass."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from coursekit.quiz.banks import load_banks
from coursekit.quiz.grading import grade_answer
from coursekit.quiz.numbers import parse_number
from coursekit.quiz.render import answer_hint
from coursekit.quiz.schema import QuizFormatError, parse_bank
from coursekit.quiz.types import REGISTRY

COURSE_QUIZZES = Path(__file__).parents[1] / "quizzes"
FIXTURES = Path(__file__).parent / "fixtures" / "quizzes"
NUMERIC = [
    question
    for folder in (COURSE_QUIZZES, FIXTURES)
    for bank in load_banks(directory=folder)
    for question in bank.questions
    if question.type == "numeric"
]
IDS = [question.id for question in NUMERIC]


@pytest.mark.parametrize("question", NUMERIC, ids=IDS)
def test_a_non_whole_answer_asks_for_decimal_places(question):
    if question.answer != int(question.answer):
        assert question.decimals is not None
        assert f"{question.decimals} decimal place" in " ".join(question.prompt.split())


@pytest.mark.parametrize("question", NUMERIC, ids=IDS)
def test_the_answer_rounded_as_asked_is_accepted(question):
    if question.decimals is None:
        typed = f"{question.answer:g}"
    else:
        typed = f"{question.answer:.{question.decimals}f}"
    assert grade_answer(question, typed).status == "correct", typed


@pytest.mark.parametrize("question", NUMERIC, ids=IDS)
def test_no_example_in_the_hint_or_the_prompt_is_accepted(question):
    examples = REGISTRY["numeric"].examples(question)
    for example in examples:
        assert example in answer_hint(question)
        assert grade_answer(question, example).status == "incorrect", example


def test_lesson_06_cross_entropy_accepts_the_rounded_answer():
    (question,) = [question for question in NUMERIC if question.id == "q06-smoothed-cross-entropy"]
    assert "Give the answer to 2 decimal places." in question.prompt
    for typed in ("0.68", "0.677", "0.6765", 0.68):
        assert grade_answer(question, typed).status == "correct", typed
    for typed in ("0.67", "0.7", "0.36"):
        assert grade_answer(question, typed).status == "incorrect", typed
    assert question.answer_text() == "0.68"


def test_the_dropout_scale_factor_is_exactly_four_thirds():
    (question,) = [question for question in NUMERIC if question.id == "q02-scale-factor"]
    for typed in ("4/3", "1.33", "1.333", " 4 / 3 "):
        assert grade_answer(question, typed).status == "correct", typed
    assert grade_answer(question, "1.3").status == "incorrect"


def test_a_power_answers_the_ensemble_size_but_the_hint_never_shows_it():
    (question,) = [question for question in NUMERIC if question.id == "q02-ensemble-size"]
    assert grade_answer(question, "2^10").status == "correct"
    assert "2^10" not in answer_hint(question)


def numeric_bank(body: str) -> str:
    indented = textwrap.indent(textwrap.dedent(body).strip(), "    ")
    return f'lesson: "00"\ntitle: T\nquestions:\n  - id: q-num\n    type: numeric\n{indented}\n    explanation: E\n'


def errors_of(body: str) -> list[str]:
    with pytest.raises(QuizFormatError) as caught:
        parse_bank(numeric_bank(body), "bank.yaml")
    return [error.message for error in caught.value.errors]


def test_a_prompt_that_does_not_state_the_precision_is_rejected():
    (message,) = errors_of("prompt: What is the factor?\nanswer: 1.3333\ndecimals: 2")
    assert "the prompt must say the precision wanted, e.g. 'Give the answer to 2 decimal places.'" in message


def test_a_tolerance_on_a_fraction_must_be_stated_in_the_prompt():
    (message,) = errors_of("prompt: What is the factor?\nanswer: 1.3333\ntolerance: 0.001")
    assert "use 'decimals: N' and ask for N decimal places, or state '± 0.001'" in message
    parse_bank(numeric_bank("prompt: What is the factor (± 0.001)?\nanswer: 1.3333\ntolerance: 0.001"))


def test_an_example_in_the_prompt_that_is_the_answer_is_rejected():
    (message,) = errors_of(
        "prompt: What is the penalty? Give it to 2 decimal places, e.g. 0.25.\nanswer: 0.25\ndecimals: 2"
    )
    assert "the prompt's example '0.25' would be accepted as the answer" in message


def test_decimals_and_tolerance_together_are_rejected():
    (message,) = errors_of("prompt: P, to 2 decimal places?\nanswer: 0.5\ndecimals: 2\ntolerance: 0.1")
    assert "give 'decimals' or 'tolerance', not both" in message


@pytest.mark.parametrize("decimals", ["-1", "11", "1.5", "true", "'2'"])
def test_decimals_must_be_a_small_whole_number(decimals):
    (message,) = errors_of(f"prompt: P, to 2 decimal places?\nanswer: 0.5\ndecimals: {decimals}")
    assert "decimals must be a whole number from 0 to 10" in message


def test_an_exact_fraction_is_a_valid_key():
    bank = parse_bank(numeric_bank("prompt: P, to 2 decimal places?\nanswer: 4/3\ndecimals: 2"))
    question = bank.questions[0]
    assert question.answer == pytest.approx(float(parse_number("4/3")), rel=1e-15)
    assert question.tolerance == 0.005
