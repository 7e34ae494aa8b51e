"""The checker that validation code reports problems to, shared by the schema and the question types.

A :class:`Checker` collects every problem of one file as a :class:`QuizFormatError` located by
line, so a bank with five mistakes reports all five.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from coursekit.quiz.reading import LineIndex, Location, QuizFormatError, describe_value

LESSON_PATTERN = re.compile(r"^[0-9]{2}$")


class Checker:
    """Collects problems for one file."""

    def __init__(self, path: str | Path, lines: LineIndex) -> None:
        self.path = path
        self.lines = lines
        self.errors: list[QuizFormatError] = []

    def error(self, where: Location, message: str) -> None:
        self.errors.append(QuizFormatError(self.path, self.lines(where), message))

    def unknown_keys(
        self, mapping: Mapping, allowed: Iterable[str], where: Location, label: str
    ) -> None:
        allowed = tuple(allowed)
        for key in mapping:
            if key not in allowed:
                self.error(
                    (*where, str(key)),
                    f"{label}unknown key {describe_value(key)}; "
                    f"allowed keys are {', '.join(allowed)}",
                )

    def text(self, mapping: Mapping, key: str, where: Location, label: str) -> str | None:
        """A required non-empty string value, or None with a problem recorded."""
        if key not in mapping:
            self.error(where, f"{label}missing '{key}'")
            return None
        value = mapping[key]
        if not isinstance(value, str):
            self.error((*where, key), f"{label}'{key}' must be text, got {describe_value(value)}")
            return None
        if not value.strip():
            self.error((*where, key), f"{label}'{key}' is empty")
            return None
        return value.strip()

    def text_list(
        self, mapping: Mapping, key: str, where: Location, label: str
    ) -> tuple[str, ...] | None:
        """An optional list of non-empty strings (an absent key gives an empty tuple)."""
        if key not in mapping or mapping[key] is None:
            return ()
        value = mapping[key]
        if not isinstance(value, list):
            self.error((*where, key), f"{label}'{key}' must be a list, got {describe_value(value)}")
            return None
        items = []
        for index, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                self.error(
                    (*where, key, index),
                    f"{label}'{key}' item {index} must be non-empty text, got {describe_value(item)}",
                )
                return None
            items.append(item.strip())
        return tuple(items)

    def lesson(self, mapping: Mapping, where: Location, label: str) -> str | None:
        if "lesson" not in mapping:
            self.error(where, f"{label}missing 'lesson' (a quoted two-digit string such as \"00\")")
            return None
        value = mapping["lesson"]
        if isinstance(value, str) and LESSON_PATTERN.match(value):
            return value
        hint = ' (quote it, e.g. lesson: "01")' if isinstance(value, int) else ""
        self.error(
            (*where, "lesson"),
            f"{label}'lesson' must be a two-digit string such as \"00\", got {describe_value(value)}{hint}",
        )
        return None


def is_number(value: object) -> bool:
    """Whether ``value`` is an int or a float (a bool is not a number here)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_index(value: object) -> bool:
    """Whether ``value`` is an int and not a bool."""
    return isinstance(value, int) and not isinstance(value, bool)
