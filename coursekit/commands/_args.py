"""Helpers the commands share: argument types and the terminal's line reader."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from coursekit.errors import CoursekitError, UsageError


def read_line(prompt: str) -> str:
    """``input(prompt)``, echoing the answer when stdin is not a terminal (piped answers).

    The echo keeps a transcript readable: each answer appears after its prompt, as it would
    on screen.
    """
    text = input(prompt)
    if not sys.stdin.isatty():
        print(text)
    return text


def number_parser(convert: type, is_valid: Callable[[object], bool], description: str):
    """An argparse ``type=`` that converts with ``convert`` and checks ``is_valid(value)``."""

    def parse(text: str):
        try:
            value = convert(text)
        except ValueError:
            value = None
        if value is None or not is_valid(value):
            raise argparse.ArgumentTypeError(f"must be {description}, got {text!r}")
        return value

    return parse


positive_int = number_parser(int, lambda value: value >= 1, "a positive integer")
nonnegative_int = number_parser(int, lambda value: value >= 0, "an integer >= 0")
positive_float = number_parser(float, lambda value: 0 < value < float("inf"), "a positive number")


@contextmanager
def values_from_the_user() -> Iterator[None]:
    """Report a ``ValueError`` raised in the block as the user's mistake (a :class:`UsageError`).

    Use it only around a call that receives the user's values as they were typed, to a function
    whose documented ``ValueError`` is about those values (``export_quizzes``, ``build_site``...).
    """
    try:
        yield
    except CoursekitError:
        raise
    except ValueError as error:
        raise UsageError(str(error)) from error
