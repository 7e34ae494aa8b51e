"""Property-based tests: random and corrupted banks, glossaries and responses never crash the engine.

Every input either loads (and then renders, exports and grades without error) or is rejected
with a QuizFormatError; grading any responses gives a report with a score in [0, max_score].
"""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coursekit.quiz.banks import load_banks, load_glossary_from
from coursekit.quiz.exports.gift import banks_to_gift
from coursekit.quiz.exports.qti import assessment_xml
from coursekit.quiz.grading import grade_answer, grade_responses, parse_responses
from coursekit.quiz.render import bank_text
from coursekit.quiz.schema import QuizFormatError, parse_bank, parse_glossary
from coursekit.quiz.terminal import parse_typed_answer

FIXTURES = Path(__file__).parent / "fixtures" / "quizzes"
BANK_TEXT = (FIXTURES / "lesson_00.yaml").read_text(encoding="utf-8")
GLOSSARY_TEXT = (FIXTURES / "glossary.yaml").read_text(encoding="utf-8")
BANK_DATA = yaml.safe_load(BANK_TEXT)
GLOSSARY_DATA = yaml.safe_load(GLOSSARY_TEXT)
GLOSSARY = load_glossary_from(FIXTURES)
BANKS = load_banks(directory=FIXTURES)
SCHEMA_KEYS = [
    "lesson",
    "title",
    "questions",
    "id",
    "type",
    "prompt",
    "explanation",
    "terms",
    "flashcard",
    "choices",
    "answer",
    "tolerance",
    "pairs",
    "left",
    "right",
    "accept",
    "related",
    "aliases",
]
FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**6), max_value=10**6)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(
        ["single_choice", "matching", "numeric", "00", "q00-single", "validation-set", ""]
    )
)
values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(SCHEMA_KEYS) | st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


def slots(node, found=None):
    """Every (container, key) pair inside a parsed YAML document."""
    found = [] if found is None else found
    items = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else ()
    )
    for key, child in items:
        found.append((node, key))
        slots(child, found)
    return found


def corrupt(document, data):
    """Apply 1-4 random edits (replace, delete, add) to a deep copy of ``document``."""
    document = copy.deepcopy(document)
    for _ in range(data.draw(st.integers(min_value=1, max_value=4))):
        places = slots(document)
        if not places:
            break
        container, key = data.draw(st.sampled_from(places))
        action = data.draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "replace":
            container[key] = data.draw(values)
        elif action == "delete":
            del container[key]
        elif isinstance(container, dict):
            container[data.draw(st.sampled_from(SCHEMA_KEYS))] = data.draw(values)
        else:
            container.append(data.draw(values))
    return document


def exercise_bank(bank, data):
    """Render, export and grade a bank that loaded: none of it may raise."""
    bank_text(bank)
    banks_to_gift([bank], glossary=GLOSSARY)
    banks_to_gift([bank], include_answers=False)
    assessment_xml(bank, glossary=GLOSSARY)
    for question in bank.questions:
        result = grade_answer(question, data.draw(values), GLOSSARY)
        assert 0.0 <= result.score <= 1.0


@FUZZ
@given(text=st.text(max_size=300))
def test_random_text_is_a_bank_or_a_format_error(text):
    try:
        parse_bank(text, "random.yaml")
    except QuizFormatError as error:
        assert error.errors and all(isinstance(problem.message, str) for problem in error.errors)


@FUZZ
@given(data=st.data())
def test_corrupted_bank_structure_loads_or_gives_format_errors(data):
    text = yaml.safe_dump(corrupt(BANK_DATA, data), allow_unicode=True)
    try:
        bank = parse_bank(text, "lesson_00.yaml", glossary_ids=GLOSSARY.by_id)
    except QuizFormatError as error:
        assert all(problem.path == "lesson_00.yaml" for problem in error.errors)
        return
    exercise_bank(bank, data)


@FUZZ
@given(data=st.data())
def test_corrupted_bank_text_loads_or_gives_format_errors(data):
    text = BANK_TEXT
    for _ in range(data.draw(st.integers(min_value=1, max_value=5))):
        position = data.draw(st.integers(min_value=0, max_value=len(text)))
        edit = data.draw(st.sampled_from(["insert", "delete", "replace"]))
        fragment = data.draw(
            st.sampled_from(
                [
                    ":",
                    "-",
                    "[",
                    "]",
                    "{",
                    "}",
                    "\n",
                    "  ",
                    "&a",
                    "*a",
                    "!!python/object",
                    "'",
                    '"',
                    "#",
                ]
            )
            | st.text(max_size=3)
        )
        if edit == "insert":
            text = text[:position] + fragment + text[position:]
        elif edit == "delete":
            text = text[:position] + text[position + len(fragment) :]
        else:
            text = text[:position] + fragment + text[position + len(fragment) :]
    try:
        bank = parse_bank(text, "lesson_00.yaml", glossary_ids=GLOSSARY.by_id)
    except QuizFormatError:
        return
    exercise_bank(bank, data)


@FUZZ
@given(data=st.data())
def test_corrupted_glossary_loads_or_gives_format_errors(data):
    text = yaml.safe_dump(corrupt(GLOSSARY_DATA, data), allow_unicode=True)
    try:
        glossary = parse_glossary(text, "glossary.yaml")
    except QuizFormatError:
        return
    assert all(other in glossary.by_id for term in glossary.terms for other in term.related)


@FUZZ
@given(document=values)
def test_random_responses_give_a_report_or_a_format_error(document):
    try:
        responses = parse_responses(yaml.safe_dump(document), "responses.yaml")
    except QuizFormatError:
        return
    report = grade_responses(responses, BANKS, GLOSSARY)
    assert 0.0 <= report.score <= report.max_score
    json.dumps(report.to_dict(), allow_nan=False)
    report.format_text()


@FUZZ
@given(
    answers=st.dictionaries(
        st.sampled_from([question.id for bank in BANKS for question in bank.questions])
        | st.text(max_size=6),
        values,
        max_size=8,
    )
)
def test_random_answers_to_real_ids_are_graded_in_range(answers):
    responses = parse_responses(yaml.safe_dump({"answers": answers}), "responses.yaml")
    report = grade_responses(responses, BANKS, GLOSSARY)
    assert all(0.0 <= result.score <= 1.0 for result in report.results)
    assert math.isfinite(report.percent)


@FUZZ
@given(typed=st.text(max_size=20))
def test_any_typed_terminal_answer_is_read_or_refused_with_a_value_error(typed):
    for question in BANKS[0].questions:
        try:
            value = parse_typed_answer(question, typed)
        except ValueError:
            continue
        assert 0.0 <= grade_answer(question, value, GLOSSARY).score <= 1.0


def test_uncorrupted_bank_survives_the_yaml_round_trip():
    """The corrupted banks start from a valid one, so the fuzz also reaches the loaded-bank path."""
    bank = parse_bank(yaml.safe_dump(BANK_DATA), "lesson_00.yaml", glossary_ids=GLOSSARY.by_id)
    assert [question.id for question in bank.questions] == [
        question["id"] for question in BANK_DATA["questions"]
    ]
