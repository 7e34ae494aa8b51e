"""Validation of the quiz data files: every malformed bank gives FILE:LINE: message, never a traceback."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from coursekit.quiz.banks import (
    available_lessons,
    load_bank,
    load_banks,
    normalize_lesson,
    validate_paths,
)
from coursekit.quiz.schema import QuizFormatError, parse_bank, parse_glossary

FIXTURES = Path(__file__).parent / "fixtures" / "quizzes"
REPOSITORY_QUIZZES = Path(__file__).parents[1] / "quizzes"


@pytest.fixture(autouse=True)
def _fixture_banks(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSEKIT_QUIZZES", str(FIXTURES))
    monkeypatch.setenv("COURSEKIT_PROGRESS", str(tmp_path / "progress.json"))


def bank_errors(text: str, **kwargs) -> list[QuizFormatError]:
    """All problems of a bank given as (dedented) YAML text; fails if the bank is valid."""
    with pytest.raises(QuizFormatError) as caught:
        parse_bank(textwrap.dedent(text), "bank.yaml", **kwargs)
    return list(caught.value.errors)


def one_question(body: str) -> str:
    """A bank with a single question whose keys (after id) are ``body``."""
    indented = textwrap.indent(textwrap.dedent(body).strip(), "    ")
    return f'lesson: "00"\ntitle: T\nquestions:\n  - id: q-one\n{indented}\n'


def test_fixture_banks_load_with_every_question_type():
    banks = load_banks()
    types = {question.type for bank in banks for question in bank.questions}
    assert types == {
        "single_choice",
        "multiple_choice",
        "true_false",
        "numeric",
        "matching",
        "short_text",
    }


def test_bad_yaml_reports_the_line_of_the_syntax_error():
    errors = bank_errors('lesson: "00"\ntitle: T\nquestions:\n  - id: [unclosed\n')
    assert len(errors) == 1
    assert errors[0].message.startswith("invalid YAML")
    assert errors[0].line == 5


def test_duplicate_question_id_is_reported_with_both_lines():
    text = (
        one_question(
            """
        type: true_false
        prompt: P
        answer: true
        explanation: E
        """
        )
        + "  - id: q-one\n    type: true_false\n    prompt: P\n    answer: false\n    explanation: E\n"
    )
    errors = bank_errors(text)
    assert [error.line for error in errors] == [9]
    assert "duplicate question id 'q-one' (first used on line 4)" in errors[0].message


def test_single_choice_without_answer_has_no_correct_answer():
    errors = bank_errors(
        one_question("type: single_choice\nprompt: P\nchoices: [a, b]\nexplanation: E")
    )
    assert len(errors) == 1
    assert "question 'q-one': no correct answer" in errors[0].message


def test_multiple_choice_with_empty_answer_has_no_correct_answer():
    errors = bank_errors(
        one_question(
            "type: multiple_choice\nprompt: P\nchoices: [a, b]\nanswer: []\nexplanation: E"
        )
    )
    assert "no correct answer" in errors[0].message
    assert errors[0].line == 8


def test_unknown_type_is_named_with_the_allowed_types():
    errors = bank_errors(one_question("type: essay\nprompt: P\nexplanation: E"))
    assert len(errors) == 1
    assert "unknown type 'essay'; use one of single_choice" in errors[0].message
    assert errors[0].line == 5


def test_negative_numeric_tolerance_is_rejected_on_its_line():
    errors = bank_errors(
        one_question("type: numeric\nprompt: P\nanswer: 0.9\ntolerance: -0.01\nexplanation: E")
    )
    assert len(errors) == 1
    assert "tolerance must be >= 0, got -0.01" in errors[0].message
    assert errors[0].line == 8


def test_numeric_without_decimals_or_tolerance_is_rejected():
    errors = bank_errors(one_question("type: numeric\nprompt: P\nanswer: 0.9\nexplanation: E"))
    assert "missing 'decimals' (the decimal places the prompt asks for) or 'tolerance'" in errors[0].message


def test_matching_pair_without_right_side_reports_unequal_sides():
    body = """
    type: matching
    prompt: P
    pairs:
      - {left: a, right: x}
      - {left: b}
    explanation: E
    """
    errors = bank_errors(one_question(body))
    assert len(errors) == 1
    assert "pair #2 has no right side" in errors[0].message
    assert "sides are unequal" in errors[0].message
    assert errors[0].line == 9


def test_matching_with_one_pair_needs_at_least_two():
    errors = bank_errors(
        one_question("type: matching\nprompt: P\npairs: [{left: a, right: x}]\nexplanation: E")
    )
    assert "needs at least 2 pairs, got 1" in errors[0].message


def test_matching_with_more_pairs_than_letters_is_rejected():
    pairs = ", ".join(f"{{left: l{index}, right: r{index}}}" for index in range(27))
    errors = bank_errors(
        one_question(f"type: matching\nprompt: P\npairs: [{pairs}]\nexplanation: E")
    )
    assert "at most 26 pairs (one letter each), got 27" in errors[0].message


def test_matching_with_a_repeated_right_side_is_rejected():
    errors = bank_errors(
        one_question(
            "type: matching\nprompt: P\npairs: [{left: a, right: x}, {left: b, right: x}]\nexplanation: E"
        )
    )
    assert "the right side repeats 'x'" in errors[0].message


def test_single_choice_answer_out_of_range_names_the_valid_range():
    errors = bank_errors(
        one_question(
            "type: single_choice\nprompt: P\nchoices: [a, b, c]\nanswer: 3\nexplanation: E"
        )
    )
    assert len(errors) == 1
    assert "answer 3 is out of range: there are 3 choices, numbered 0 to 2" in errors[0].message
    assert errors[0].line == 8


def test_true_false_answer_given_as_text_is_rejected():
    errors = bank_errors(
        one_question('type: true_false\nprompt: P\nanswer: "true"\nexplanation: E')
    )
    assert "answer must be true or false (unquoted), got 'true'" in errors[0].message


def test_unquoted_lesson_number_gets_a_quoting_hint():
    errors = bank_errors(
        "lesson: 1\ntitle: T\nquestions:\n  - {id: q, type: true_false, prompt: P, answer: true, explanation: E}\n"
    )
    assert "quote it" in errors[0].message
    assert errors[0].line == 1


def test_misspelt_key_is_reported_as_unknown():
    errors = bank_errors(one_question("type: true_false\nprompt: P\nanswer: true\nexplaination: E"))
    messages = [error.message for error in errors]
    assert any("unknown key 'explaination'" in message for message in messages)
    assert any("missing 'explanation'" in message for message in messages)


def test_duplicate_yaml_key_is_reported_instead_of_silently_overwritten():
    errors = bank_errors(
        one_question("type: true_false\nprompt: P\nanswer: true\nanswer: false\nexplanation: E")
    )
    assert len(errors) == 1
    assert "duplicate key 'answer' (first given on line 7)" in errors[0].message
    assert errors[0].line == 8


def test_all_problems_of_a_file_are_collected_in_line_order():
    text = """\
    lesson: "00"
    title: T
    questions:
      - id: q-a
        type: single_choice
        prompt: P
        choices: [a, b]
        answer: 5
        explanation: E
      - id: q-b
        type: numeric
        prompt: P
        answer: 1
        tolerance: -1
        explanation: E
      - id: q-c
        type: riddle
        prompt: P
        explanation: E
    """
    errors = bank_errors(text)
    assert [error.line for error in errors] == [8, 14, 17]
    assert str(errors[0]).startswith("bank.yaml:8: question 'q-a'")


def test_error_string_lists_every_problem_as_file_colon_line():
    with pytest.raises(QuizFormatError) as caught:
        parse_bank('lesson: "00"\ntitle: ""\nquestions: []\n', "x.yaml")
    lines = str(caught.value).splitlines()
    assert lines == [
        "x.yaml:2: 'title' is empty",
        "x.yaml:3: 'questions' must be a non-empty list, got a list of 0 item(s)",
    ]


def test_question_term_missing_from_the_glossary_is_reported():
    errors = bank_errors(
        one_question(
            "type: true_false\nprompt: P\nanswer: true\nexplanation: E\nterms: [no-such-term]"
        ),
        glossary_ids={"overfitting"},
    )
    assert "unknown glossary term 'no-such-term'" in errors[0].message


def test_related_term_that_does_not_exist_is_reported():
    text = """\
    terms:
      - id: dropout
        term: Dropout
        lesson: "02"
        definition: D
        related: [inverted-dropout]
        example: X
    """
    with pytest.raises(QuizFormatError) as caught:
        parse_glossary(textwrap.dedent(text), "glossary.yaml")
    assert caught.value.line == 6
    assert "related term 'inverted-dropout' does not exist" in caught.value.message


def test_two_glossary_terms_sharing_a_name_are_reported():
    text = """\
    terms:
      - {id: a, term: Weight decay, lesson: "01", definition: D, related: [], example: X}
      - {id: b, term: B, lesson: "01", definition: D, related: [], example: X, aliases: [weight-decay]}
    """
    with pytest.raises(QuizFormatError) as caught:
        parse_glossary(textwrap.dedent(text), "glossary.yaml")
    assert "is also a name of term 'a'" in caught.value.message


def test_recursive_yaml_alias_is_refused_on_its_line():
    errors = bank_errors('lesson: "00"\ntitle: T\nquestions: &loop [*loop]\n')
    assert (errors[0].line, errors[0].message) == (
        3,
        "aliases (*loop) are not allowed in quiz files; write the value out in full",
    )


def test_deeply_nested_yaml_gives_a_format_error():
    errors = bank_errors("questions: " + "[" * 5000 + "]" * 5000 + "\n")
    assert errors[0].message.startswith("invalid YAML")


def test_file_name_and_declared_lesson_must_agree(tmp_path):
    path = tmp_path / "lesson_03.yaml"
    path.write_text((FIXTURES / "lesson_00.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    checked, errors = validate_paths([path])
    assert checked == 1
    assert 'named for lesson 03 but declares lesson "00"' in errors[0].message


def test_question_ids_must_be_unique_across_banks(tmp_path):
    for name in ("glossary.yaml", "lesson_00.yaml"):
        (tmp_path / name).write_text(
            (FIXTURES / name).read_text(encoding="utf-8"), encoding="utf-8"
        )
    copy = (
        (FIXTURES / "lesson_00.yaml")
        .read_text(encoding="utf-8")
        .replace('lesson: "00"', 'lesson: "01"')
    )
    (tmp_path / "lesson_01.yaml").write_text(copy, encoding="utf-8")
    checked, errors = validate_paths([tmp_path])
    assert checked == 3
    assert len(errors) == 6
    assert all("ids must be unique across all banks" in error.message for error in errors)


def test_validate_paths_reports_a_missing_file_without_raising(tmp_path):
    checked, errors = validate_paths([tmp_path / "nope.yaml"])
    assert (checked, len(errors)) == (1, 1)
    assert errors[0].message == "file not found"


def test_file_that_is_not_utf8_is_reported_with_its_line(tmp_path):
    path = tmp_path / "lesson_00.yaml"
    path.write_bytes(b'lesson: "00"\ntitle: caf\xe9\n')
    _, errors = validate_paths([path])
    assert errors[0].line == 2
    assert "not valid UTF-8" in errors[0].message


def test_missing_lesson_bank_names_the_available_banks():
    with pytest.raises(QuizFormatError) as caught:
        load_bank("05")
    assert "no quiz bank for lesson 05 (banks available: 00, 01)" in str(caught.value)


@pytest.mark.parametrize(
    ("given", "expected"), [("00", "00"), ("3", "03"), (7, "07"), ("lesson_02", "02")]
)
def test_normalize_lesson_accepts_common_spellings(given, expected):
    assert normalize_lesson(given) == expected


@pytest.mark.parametrize("given", ["abc", "100", -1, True, None])
def test_normalize_lesson_rejects_non_lessons(given):
    with pytest.raises(ValueError, match="lesson must be a lesson number"):
        normalize_lesson(given)


def test_repository_quizzes_validate():
    if not available_lessons(REPOSITORY_QUIZZES):
        pytest.skip("quizzes/ has no banks yet")
    checked, errors = validate_paths([REPOSITORY_QUIZZES])
    assert errors == [], "\n".join(str(error) for error in errors)
    assert checked >= 2
