"""The question types: one module each, one registry, and nobody else branches on type names."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import coursekit.quiz
from coursekit.quiz.types import QUESTION_TYPES, REGISTRY, QuestionType, question_type
from coursekit.quiz.types.base import QuestionType as Base

QUIZ_PACKAGE = Path(coursekit.quiz.__file__).parent
TYPES_PACKAGE = QUIZ_PACKAGE / "types"
INTERFACE = (
    "validate",
    "grade",
    "answer_text",
    "choice_picks",
    "render_lines",
    "answer_hint",
    "parse_typed",
    "student_parts",
    "widget_control",
    "widget_answer",
    "gift_body",
    "qti_item",
)
ABSTRACT = ("validate", "grade", "answer_text", "qti_item")


def test_registry_holds_one_type_per_module():
    modules = {
        path.stem for path in TYPES_PACKAGE.glob("*.py") if not path.stem.startswith("_") and path.stem != "base"
    }
    assert set(REGISTRY) == modules
    assert QUESTION_TYPES == tuple(REGISTRY)
    for name, registered in REGISTRY.items():
        assert isinstance(registered, QuestionType)
        assert registered.name == name
        assert type(registered).__module__ == f"coursekit.quiz.types.{name}"


@pytest.mark.parametrize("name", QUESTION_TYPES)
def test_every_type_implements_the_interface(name):
    registered = REGISTRY[name]
    assert registered.label and registered.canvas_type and registered.keys
    for method in ABSTRACT:
        assert getattr(type(registered), method) is not getattr(Base, method), f"{name}.{method}"
    for method in INTERFACE:
        assert callable(getattr(registered, method))
    uses_default_gift = type(registered).gift_body is Base.gift_body
    assert not uses_default_gift or type(registered).gift_answers is not Base.gift_answers


def test_unknown_type_lookup_names_the_known_types():
    with pytest.raises(KeyError, match="known: single_choice"):
        question_type("essay")


_TYPE_NAMES = "|".join(QUESTION_TYPES)
_BRANCH = re.compile(
    rf"""\.type\s*(?:==|!=|\bin\b|\bnot in\b)|qtype\s*(?:==|!=)|["'](?:{_TYPE_NAMES})["']"""
)


def test_no_module_outside_the_types_package_branches_on_type_names():
    offenders = []
    for path in sorted(QUIZ_PACKAGE.rglob("*.py")):
        if TYPES_PACKAGE in path.parents:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if _BRANCH.search(line):
                offenders.append(f"{path.relative_to(QUIZ_PACKAGE)}:{number}: {line.strip()}")
    assert offenders == []


def test_the_branch_pattern_catches_a_type_branch():
    assert _BRANCH.search('    if question.type == "numeric":')
    assert _BRANCH.search("    elif question.type in ('matching',):")
    assert not _BRANCH.search("    return REGISTRY[question.type].grade(question, value)")
