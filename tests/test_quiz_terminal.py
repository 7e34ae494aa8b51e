"""The terminal quiz's flow and feedback: re-asking, warning, skipping, quitting, readable text."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from coursekit.quiz.banks import load_bank
from coursekit.quiz.schema import parse_bank
from coursekit.quiz.terminal import MAX_TRIES, take_quiz
from coursekit.quiz.text import WIDTH

FIXTURES = Path(__file__).parent / "fixtures" / "quizzes"


def run(bank, *lines: str) -> tuple[str, object]:
    """Take ``bank`` with ``lines`` typed; return the output and the report."""
    typed = iter(lines)

    def read_line(prompt: str) -> str:
        try:
            return next(typed)
        except StopIteration:
            raise EOFError from None

    out = io.StringIO()
    report = take_quiz(bank, read_line=read_line, output=out)
    return out.getvalue(), report


@pytest.fixture
def bank():
    return load_bank("00", FIXTURES)


def test_an_unreadable_answer_is_asked_again(bank):
    text, report = run(bank, "nine", "2")
    assert "Could not read that: 'nine' is not a choice number from 1 to 3. Please try again." in text
    assert report.results[0].status == "correct"


def test_the_learner_is_warned_before_the_last_try(bank):
    text, _ = run(bank, "nine", "ten", "2")
    text = " ".join(text.split())
    assert text.count("One more unreadable answer skips this question.") == 1
    # The warning comes with the second unreadable answer, before the last try.
    assert text.index("'nine'") < text.index("'ten'") < text.index("One more unreadable")
    assert "Skipped" not in text.split("Question 2 of")[0]


def test_a_skip_after_unreadable_answers_says_so_once_and_keeps_the_answer_hidden(bank):
    text, report = run(bank, *["nine"] * MAX_TRIES)
    question = text.split("Question 2 of")[0]
    assert question.count("Skipped") == 1
    assert f"Skipped after {MAX_TRIES} unreadable answers." in question
    assert "Answer:" not in question and "Why:" not in question
    assert "the validation set" not in question.split("Your answer")[0].split("3) ")[-1]
    assert report.results[0].status == "missing"


def test_an_empty_line_skips_without_revealing_the_answer(bank):
    text, _ = run(bank, "")
    question = text.split("Question 2 of")[0]
    assert question.count("Skipped.") == 1
    assert "Answer:" not in question and "Why:" not in question


@pytest.mark.parametrize("word", ["q", "Q", "quit"])
def test_q_quits_the_quiz(bank, word):
    text, report = run(bank, "2", word, "2")
    assert "Quiz stopped: the remaining questions count as unanswered." in text
    assert "Question 3 of" not in text
    assert [result.status for result in report.results][:3] == ["correct", "missing", "missing"]
    assert text.rstrip().endswith("Score: 1 / 6 (17%)")


def test_the_start_says_how_to_skip_and_quit(bank):
    text, _ = run(bank)
    assert "Press Enter on an empty line to skip a question, or type q to quit." in text


def test_multiple_choice_feedback_reads_as_one_sentence(bank):
    text, _ = run(bank, "2", "1")
    assert "   Not quite. You missed 'high validation error' (all-or-nothing)." in text
    assert "Not quite:" not in text


def test_a_number_is_read_as_people_type_it(bank):
    text, report = run(bank, "2", "1,2", "f", "2/25")
    assert report.results[3].status == "correct"
    assert "Correct!" in text.split("Question 4 of")[1]


CHOICES_WITH_FULL_STOPS = """\
lesson: "00"
title: T
questions:
  - id: q-long
    type: multiple_choice
    prompt: Which statements about regularization are true?
    choices:
      - Dropout randomly zeroes a fraction of the units of a layer at training time, and only then.
      - Weight decay shrinks every weight towards zero by a fixed fraction at every update step.
      - Early stopping needs no validation data at all.
    answer: [0, 1]
    explanation: >-
      Dropout acts only during training, and weight decay shrinks the weights; early stopping
      watches a validation metric, so it needs validation data to decide when to stop training.
"""


def test_answers_are_joined_by_semicolons_and_lines_are_wrapped():
    bank = parse_bank(CHOICES_WITH_FULL_STOPS, "bank.yaml")
    text, _ = run(bank, "1")
    assert ".;" not in text
    assert "at training time, and only then; Weight decay" in " ".join(text.split())
    assert max(len(line) for line in text.splitlines()) <= WIDTH
