"""Numbers as people type them: exact, forgiving about notation, bounded, never eval'd."""

from __future__ import annotations

from fractions import Fraction

import pytest

from coursekit.quiz.numbers import (
    NumberError,
    NumberOutOfRange,
    number_from_value,
    parse_number,
)


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("0.25", Fraction(1, 4)),
        ("4/3", Fraction(4, 3)),
        (" 4 / 3 ", Fraction(4, 3)),
        ("1.33", Fraction(133, 100)),
        ("2^10", Fraction(1024)),
        ("10**3", Fraction(1000)),
        ("10^-3", Fraction(1, 1000)),
        ("1e-3", Fraction(1, 1000)),
        ("1E3", Fraction(1000)),
        ("\u22120.06", Fraction(-6, 100)),
        (".5", Fraction(1, 2)),
        ("-2", Fraction(-2)),
    ],
)
def test_what_people_type_is_read_exactly(typed, value):
    assert parse_number(typed) == value


@pytest.mark.parametrize(
    "typed", ["abc", "", "1,5", "__import__('os')", "2^^3", "1/2/3", "0x10", "1 000", "nan", "inf"]
)
def test_text_that_is_no_number_is_a_number_error(typed):
    with pytest.raises(NumberError):
        parse_number(typed)


@pytest.mark.parametrize(
    "typed",
    ["1" * 400, "1" * 31, "1e400", "1e99999999999", "9^9999999", "10^301", "1/0", "0^-1", "1e300/1e-300"],
)
def test_huge_or_undefined_numbers_are_out_of_range_not_overflow(typed):
    with pytest.raises(NumberOutOfRange):
        parse_number(typed)


def test_a_power_needs_a_whole_exponent():
    with pytest.raises(NumberError, match="whole-number exponent"):
        parse_number("2^0.5")


def test_values_from_files_are_bounded_and_exact():
    assert number_from_value(0.68) == Fraction(68, 100)
    assert number_from_value(10**29) == 10**29
    for value in (10**400, 10**5000, float("inf"), float("nan")):
        with pytest.raises(NumberOutOfRange):
            number_from_value(value)
    for value in (True, None, [1], {"a": 1}):
        with pytest.raises(NumberError):
            number_from_value(value)
