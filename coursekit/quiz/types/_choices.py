"""Helpers shared by the two choice types (single and multiple choice)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from coursekit.quiz.normalize import normalize_text
from coursekit.quiz.reading import describe_value

if TYPE_CHECKING:
    from coursekit.quiz.checks import Checker
    from coursekit.quiz.model import Question
    from coursekit.quiz.reading import Location

_CHOICE_INDENT = "     "


def check_choices(
    check: Checker, raw: Mapping, where: Location, label: str
) -> tuple[str, ...] | None:
    """The ``choices`` of a question: at least 2 distinct non-empty texts, or None."""
    if "choices" not in raw:
        check.error(where, f"{label}missing 'choices' (a list of at least 2 texts)")
        return None
    choices = check.text_list(raw, "choices", where, label)
    if choices is None:
        return None
    if len(choices) < 2:
        check.error((*where, "choices"), f"{label}needs at least 2 choices, got {len(choices)}")
        return None
    seen: dict[str, int] = {}
    for index, choice in enumerate(choices):
        if choice in seen:
            check.error(
                (*where, "choices", index),
                f"{label}choice {index} repeats choice {seen[choice]} ({describe_value(choice)})",
            )
            return None
        seen[choice] = index
    return choices


def index_problem(value: object, count: int) -> str | None:
    """Why ``value`` is not a 0-based index of one of ``count`` choices, or None."""
    if not isinstance(value, int) or isinstance(value, bool):
        return f"must be a choice index (an integer, 0-based), got {describe_value(value)}"
    if not 0 <= value < count:
        return f"{value} is out of range: there are {count} choices, numbered 0 to {count - 1}"
    return None


def choice_index(question: Question, value: object) -> tuple[int | None, str, str]:
    """Read one choice of a responses file as a 0-based index.

    Returns ``(index, "", "")`` or, when ``value`` names no choice, ``(None, status, message)``
    with status ``wrong_type`` or ``invalid``.
    """
    count = len(question.choices)
    wrong_type = (
        None,
        "wrong_type",
        f"wrong type: expected a choice number (0 to {count - 1}) or the text of a choice, "
        f"got {describe_value(value)}",
    )
    if isinstance(value, bool):
        return wrong_type
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str):
        stripped = value.strip()
        if not re.fullmatch(r"[0-9]{1,6}", stripped):
            key = normalize_text(stripped)
            for index, choice in enumerate(question.choices):
                if key and normalize_text(choice) == key:
                    return index, "", ""
            return wrong_type
        value = int(stripped)
    if not isinstance(value, int):
        return wrong_type
    if not 0 <= value < count:
        return (
            None,
            "invalid",
            f"invalid: there is no choice {value}; choices are numbered 0 to {count - 1}",
        )
    return value, "", ""


def parse_number_list(text: str, count: int) -> list[int]:
    """0-based indices of the choice numbers (1-based, as shown) typed in ``text``."""
    parts = [part for part in re.split(r"[\s,;]+", text) if part]
    indices = []
    for part in parts:
        if not part.isdigit() or len(part) > 6 or not 1 <= int(part) <= count:
            shown = part if len(part) <= 20 else part[:17] + "..."
            raise ValueError(f"{shown!r} is not a choice number from 1 to {count}")
        indices.append(int(part) - 1)
    return indices


def choice_lines(question: Question) -> list[str]:
    """The numbered choices, as lines of text."""
    from coursekit.quiz.text import wrap_text

    lines = []
    for index, choice in enumerate(question.choices, start=1):
        label = f"{_CHOICE_INDENT}{index}) "
        lines.extend(wrap_text(choice, " " * len(label), first_indent=label))
    return lines


def without_full_stop(text: str) -> str:
    """``text`` without a final full stop, to join several answers with "; "."""
    return text[:-1] if text.endswith(".") and not text.endswith("..") else text


def qti_choices(
    item, presentation, question: Question, choices: list[tuple[str, str]], correct: list[str],
    cardinality: str,
) -> None:
    """The response list and the all-or-nothing scoring of a choice item in QTI 1.2."""
    from coursekit.quiz.exports import qti

    qti.choice_list(presentation, "response1", cardinality, choices)
    conditionvar = qti.full_marks(qti.scoring(item))
    if cardinality == "Multiple":
        both = qti.sub(conditionvar, "and")
        for choice_id, _ in choices:
            parent = both if choice_id in correct else qti.sub(both, "not")
            qti.sub(parent, "varequal", choice_id, respident="response1")
    else:
        qti.sub(conditionvar, "varequal", correct[0], respident="response1")
