"""Hostile banks and responses files: a clear error (exit 1) or a safe report, never a crash or a hang."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from coursekit.quiz.banks import load_bank
from coursekit.quiz.grading import grade_responses, parse_responses
from coursekit.quiz.reading import MAX_FILE_BYTES, MAX_NODES, parse_yaml, read_text
from coursekit.quiz.schema import QuizFormatError, parse_bank
from coursekit.quiz.text import printable

FIXTURES = Path(__file__).parent / "fixtures" / "quizzes"

# 449 bytes today expand to 10^9 values: each line doubles the merge keys ten times.
MERGE_BOMB = "a: &a {x: 1}\n" + "".join(
    f"{chr(98 + level)}: &{chr(98 + level)} {{"
    + ", ".join(f"k{index}: {{<<: *{chr(97 + level)}}}" for index in range(10))
    + "}\n"
    for level in range(8)
)
ALIAS_BOMB = 'lesson: "00"\ntitle: T\nquestions:\n' + "a0: &a0 [x, x]\n" + "".join(
    f"a{level}: &a{level} [*a{level - 1}, *a{level - 1}]\n" for level in range(1, 40)
)


@pytest.mark.parametrize("document", [MERGE_BOMB, ALIAS_BOMB])
def test_expanding_yaml_is_refused_before_it_is_built(document):
    started = time.perf_counter()
    with pytest.raises(QuizFormatError, match="not allowed in quiz files"):
        parse_yaml(document, "bomb.yaml")
    assert time.perf_counter() - started < 1.0


def test_a_merge_key_is_refused_on_its_line():
    with pytest.raises(QuizFormatError) as caught:
        parse_yaml("base: {a: 1}\nother:\n  <<: {b: 2}\n", "x.yaml")
    assert (caught.value.line, caught.value.message) == (
        3,
        "merge keys (<<) are not allowed in quiz files; write the keys out in full",
    )


def test_a_quoted_double_angle_key_is_only_text():
    data, _ = parse_yaml('"<<": 1\n', "x.yaml")
    assert data == {"<<": 1}


def test_too_many_values_is_an_error_not_a_hang():
    started = time.perf_counter()
    with pytest.raises(QuizFormatError, match=f"more than {MAX_NODES} values"):
        parse_yaml("[" + "1," * 250_000 + "1]", "big.yaml")
    assert time.perf_counter() - started < 10.0


def test_an_oversized_file_is_refused(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"#" * (MAX_FILE_BYTES + 1))
    with pytest.raises(QuizFormatError, match="larger than 2 MB"):
        read_text(path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_pipe_is_refused_instead_of_blocking(tmp_path):
    pipe = tmp_path / "responses.yaml"
    os.mkfifo(pipe)
    with pytest.raises(QuizFormatError, match="not a regular file"):
        read_text(pipe)


def _numeric_bank(answer: str, tolerance: str) -> str:
    return (
        'lesson: "00"\ntitle: T\nquestions:\n  - id: q-num\n    type: numeric\n'
        f"    prompt: How many?\n    answer: {answer}\n    tolerance: {tolerance}\n"
        "    explanation: E\n"
    )


@pytest.mark.parametrize(("answer", "tolerance", "key"), [("1" * 400, "0", "answer"), ("3", "1" * 400, "tolerance")])
def test_a_400_digit_number_in_a_bank_is_a_validation_error(answer, tolerance, key):
    with pytest.raises(QuizFormatError) as caught:
        parse_bank(_numeric_bank(answer, tolerance), "bank.yaml")
    assert caught.value.line == (7 if key == "answer" else 8)
    assert "at most 30 digits" in caught.value.message


def test_a_400_digit_answer_in_responses_is_graded_invalid():
    bank = load_bank("00", FIXTURES)
    responses = parse_responses(f"answers:\n  q00-num: {'9' * 400}\n", "r.yaml")
    report = grade_responses(responses, [bank])
    result = next(result for result in report.results if result.question_id == "q00-num")
    assert (result.status, result.score) == ("invalid", 0.0)
    assert "at most 30 digits" in result.feedback


def test_a_json_integer_too_long_for_python_is_a_format_error():
    with pytest.raises(QuizFormatError, match="invalid JSON value"):
        parse_responses('{"answers": {"q00-num": ' + "9" * 5000 + "}}", "r.json")


def test_printable_removes_terminal_controls_but_keeps_text():
    assert printable("a\x1b[31mred\x07\x9b2J\u202eb\tc\nd\r") == "a[31mred2Jb\tc\nd"


def test_control_characters_in_a_responses_file_never_reach_the_report():
    bank = load_bank("00", FIXTURES)
    responses = parse_responses(
        'student: "eve\\e]0;pwned\\a"\nanswers:\n  "q99-\\e[2J": 1\n  q00-short: "\\e[31mx"\n',
        "r.yaml",
    )
    text = grade_responses(responses, [bank]).format_text()
    assert "\x1b" not in text and "\x07" not in text
    assert "student eve]0;pwned" in text and "Not graded: q99-[2J" in text
