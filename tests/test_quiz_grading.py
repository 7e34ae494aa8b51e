"""Grading of single answers and of responses files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from coursekit.quiz.banks import load_bank, load_banks, load_glossary_from
from coursekit.quiz.grading import (
    MISSING,
    Responses,
    grade_answer,
    grade_responses,
    parse_responses,
)
from coursekit.quiz.normalize import normalize_text
from coursekit.quiz.schema import QuizFormatError

FIXTURES = Path(__file__).parent / "fixtures" / "quizzes"


@pytest.fixture(autouse=True)
def _fixture_banks(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSEKIT_QUIZZES", str(FIXTURES))
    monkeypatch.setenv("COURSEKIT_PROGRESS", str(tmp_path / "progress.json"))


@pytest.fixture(scope="module")
def bank():
    return load_bank("00", FIXTURES)


@pytest.fixture(scope="module")
def glossary():
    return load_glossary_from(FIXTURES)


@pytest.mark.parametrize(
    "variant",
    [
        "Early Stopping",
        "early-stopping",
        "  early   stopping ",
        "EARLY\u2013STOPPING",
        "early stopping.",
        "ｅａｒｌｙ ｓｔｏｐｐｉｎｇ",
    ],
)
def test_normalize_text_ignores_case_spacing_hyphens_and_unicode_width(variant):
    assert normalize_text(variant) == normalize_text("early stopping")


def test_normalize_text_keeps_different_words_apart():
    assert normalize_text("early stopping") != normalize_text("early dropping")


def test_single_choice_correct_index_scores_one(bank):
    result = grade_answer(bank.by_id["q00-single"], 1)
    assert (result.status, result.score) == ("correct", 1.0)


def test_single_choice_accepts_the_choice_text(bank):
    assert grade_answer(bank.by_id["q00-single"], "The Validation Set").correct


def test_single_choice_index_out_of_range_is_invalid_not_an_error(bank):
    result = grade_answer(bank.by_id["q00-single"], 7)
    assert (result.status, result.score) == ("invalid", 0.0)
    assert "there is no choice 7; choices are numbered 0 to 2" in result.feedback


def test_single_choice_bool_is_a_wrong_type(bank):
    assert grade_answer(bank.by_id["q00-single"], True).status == "wrong_type"


def test_multiple_choice_is_all_or_nothing(bank):
    question = bank.by_id["q00-multi"]
    assert grade_answer(question, [1, 0]).score == 1.0
    partial = grade_answer(question, [0])
    assert (partial.status, partial.score) == ("incorrect", 0.0)
    assert partial.feedback == "You missed 'high validation error' (all-or-nothing)."


def test_multiple_choice_with_a_text_item_is_a_wrong_type(bank):
    result = grade_answer(bank.by_id["q00-multi"], [0, "x"])
    assert result.status == "wrong_type"
    assert "expected a list of choice numbers" in result.feedback


def test_true_false_accepts_bools_and_words(bank):
    question = bank.by_id["q00-tf"]
    assert grade_answer(question, False).correct
    assert grade_answer(question, "False").correct
    assert grade_answer(question, True).status == "incorrect"


def test_numeric_within_tolerance_is_correct(bank):
    assert grade_answer(bank.by_id["q00-num"], 0.084).correct


def test_numeric_on_the_tolerance_edge_is_correct_despite_rounding(bank):
    assert grade_answer(bank.by_id["q00-num"], 0.085).correct


def test_numeric_outside_tolerance_is_incorrect(bank):
    assert grade_answer(bank.by_id["q00-num"], 0.0851).status == "incorrect"


def test_numeric_given_as_text_is_read_as_typed(bank):
    result = grade_answer(bank.by_id["q00-num"], "0.08")
    assert (result.status, result.score) == ("correct", 1.0)


def test_numeric_text_that_is_no_number_is_reported_as_wrong_type(bank):
    result = grade_answer(bank.by_id["q00-num"], "zero point eight")
    assert (result.status, result.score) == ("wrong_type", 0.0)
    assert result.feedback == "wrong type: expected a number, got 'zero point eight'"


def test_numeric_nan_is_incorrect(bank):
    assert grade_answer(bank.by_id["q00-num"], float("nan")).status == "incorrect"


def test_matching_gives_partial_credit_per_pair(bank):
    question = bank.by_id["q00-match"]
    result = grade_answer(
        question, {"training set": "fit the weights", "test set": "choose hyperparameters"}
    )
    assert result.status == "partial"
    np.testing.assert_allclose(result.score, 1 / 3, rtol=1e-12)


def test_matching_ignores_case_of_the_sides(bank):
    answer = {
        "Training Set": "fit the weights",
        "validation set": "Choose hyperparameters",
        "test set": "final estimate",
    }
    assert grade_answer(bank.by_id["q00-match"], answer).correct


def test_matching_given_as_a_list_is_a_wrong_type(bank):
    assert grade_answer(bank.by_id["q00-match"], ["fit the weights"]).status == "wrong_type"


def test_short_text_uses_normalised_matching(bank):
    assert grade_answer(bank.by_id["q00-text"], "Validation-Set").correct


def test_short_text_accepts_the_accept_list(bank):
    assert grade_answer(bank.by_id["q00-text"], "validation data").correct


def test_short_text_accepts_glossary_aliases(bank, glossary):
    question = bank.by_id["q00-text"]
    assert not grade_answer(question, "dev set").correct
    assert grade_answer(question, "dev set", glossary).correct


def test_short_text_number_is_a_wrong_type(bank):
    assert grade_answer(bank.by_id["q00-text"], 3).status == "wrong_type"


def test_missing_answer_scores_zero(bank):
    result = grade_answer(bank.by_id["q00-text"], MISSING)
    assert (result.status, result.score, result.given) == ("missing", 0.0, None)


def test_grade_responses_reports_unknown_ids_and_other_lessons(glossary):
    responses = Responses(answers={"q00-single": 1, "q01-stop": "x", "q99": 1}, lesson="00")
    report = grade_responses(responses, load_banks(), glossary)
    assert len(report.results) == 6
    assert dict(report.unknown) == {
        "q01-stop": "this question belongs to lesson 01, not lesson 00",
        "q99": "no question has this id",
    }
    assert [result.status for result in report.results].count("missing") == 5


def test_grade_responses_without_lesson_grades_the_banks_answered(glossary):
    report = grade_responses(
        Responses(answers={"q01-stop": "Early-Stopping"}), load_banks(), glossary
    )
    assert [result.question_id for result in report.results] == ["q01-patience", "q01-stop"]
    np.testing.assert_allclose(report.score, 1.0, rtol=0)
    assert report.lesson == "01"


def test_grade_responses_for_a_lesson_without_bank_is_a_reported_problem():
    report = grade_responses(Responses(answers={"q00-single": 1}, lesson="06"), load_banks())
    assert report.results == ()
    assert report.problems == ("there is no bank for lesson 06 (banks: 00, 01)",)


def test_report_totals_and_percent(bank):
    answers = {"q00-single": 1, "q00-multi": [0, 1], "q00-tf": True}
    report = grade_responses(Responses(answers=answers, lesson="00"), [bank])
    np.testing.assert_allclose(
        [report.score, report.max_score, report.percent], [2.0, 6.0, 100 * 2 / 6], rtol=1e-12
    )


def test_report_dict_is_json_serialisable_even_for_odd_answers(bank):
    odd = {"q00-single": {"a": [1, {"b": None}]}, "q00-num": float("inf"), "q00-text": ["x"]}
    report = grade_responses(Responses(answers=odd, lesson="00"), [bank])
    decoded = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    assert decoded["questions"][3]["given"] == "inf"


def test_parse_responses_reads_yaml_with_student_and_lesson():
    responses = parse_responses("student: alice\nlesson: 0\nanswers:\n  q00-tf: false\n", "r.yaml")
    assert (responses.student, responses.lesson, responses.answers) == (
        "alice",
        "00",
        {"q00-tf": False},
    )


def test_parse_responses_reads_json():
    responses = parse_responses('{"answers": {"q00-num": 0.08}}', "r.json")
    assert responses.answers == {"q00-num": 0.08}


def test_parse_responses_reports_bad_json_with_its_line():
    with pytest.raises(QuizFormatError) as caught:
        parse_responses('{\n "answers": {,}\n}', "r.json")
    assert caught.value.line == 2
    assert caught.value.message.startswith("invalid JSON")


def test_parse_responses_without_answers_mapping_is_a_format_error():
    with pytest.raises(QuizFormatError) as caught:
        parse_responses("answers: [1, 2]\nanswer: {}\n", "r.yaml")
    messages = [error.message for error in caught.value.errors]
    assert any("unknown key 'answer'" in message for message in messages)
    assert any("'answers' must be a mapping" in message for message in messages)


def test_report_text_lists_each_question_and_the_total(bank):
    report = grade_responses(
        Responses(answers={"q00-num": "abc"}, lesson="00", student="bob"), [bank]
    )
    text = report.format_text()
    assert text.splitlines()[0] == "Quiz report, lesson 00, student bob"
    assert " 4. q00-num (number): wrong type, 0/1" in text
    assert text.splitlines()[-1] == "Total: 0 / 6 (0%)"
