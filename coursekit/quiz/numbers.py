"""Read numbers as people type them, exactly and safely (no ``eval``).

:func:`parse_number` accepts a decimal (``0.25``, ``-3``, ``.5``), e-notation (``1e-3``), a
fraction (``4/3``) and a power (``2^10``, ``10**-3``), with spaces around the operator and a
typographic minus sign (``−``). The value is a :class:`fractions.Fraction`, so ``4/3`` is exact
and no float rounding decides a grade.

Every literal is bounded (:data:`MAX_DIGITS` digits, exponents up to :data:`MAX_EXPONENT`), and
so is the result, so a 400-digit number or ``9^9999999`` is a :class:`NumberError` with a clear
message, never an ``OverflowError``, a ``MemoryError`` or a hang.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

MAX_DIGITS = 30
"""Most digits in one number literal (and in an integer given in a bank or responses file)."""

MAX_EXPONENT = 300
"""Largest magnitude of a power of ten a number may reach, e.g. ``1e300`` or ``2^996``."""

_LITERAL = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_EXPRESSION = re.compile(rf"^({_LITERAL})(?:\s*(/|\^|\*\*)\s*({_LITERAL}))?$")
_MINUS_SIGNS = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2012": "-", "\ufe63": "-", "\uff0d": "-"})
_LIMIT = Fraction(10) ** MAX_EXPONENT
_HOW = "type a decimal such as 0.25, a fraction such as 3/4, or a power such as 2^10 or 1e-3"


class NumberError(ValueError):
    """Text or a value that is not a number this module reads; the message says why."""


class NumberOutOfRange(NumberError):
    """A number written correctly but too long, too large, not finite, or divided by zero."""


def _literal(text: str) -> Fraction:
    mantissa, _, exponent = text.lower().partition("e")
    digits = sum(char.isdigit() for char in mantissa)
    if digits > MAX_DIGITS:
        raise NumberOutOfRange(f"a number has at most {MAX_DIGITS} digits, got {digits}")
    if exponent and (len(exponent.lstrip("+-")) > 4 or abs(int(exponent)) > MAX_EXPONENT):
        raise NumberOutOfRange(f"an exponent is at most {MAX_EXPONENT} in magnitude, got e{exponent}")
    return Fraction(text)


def _bounded(value: Fraction) -> Fraction:
    if abs(value) > _LIMIT:
        raise NumberOutOfRange(f"the number is too large (more than 1e{MAX_EXPONENT})")
    return value


def _power(base: Fraction, exponent: Fraction) -> Fraction:
    if exponent.denominator != 1:
        raise NumberError("a power needs a whole-number exponent, e.g. 2^10 or 10^-3")
    if base == 0:
        if exponent < 0:
            raise NumberOutOfRange("0 to a negative power is a division by zero")
        return Fraction(1) if exponent == 0 else Fraction(0)
    # Estimate the size before computing: |base|^n has about n*log10|base| digits.
    size = abs(exponent) * abs(math.log10(abs(base.numerator)) - math.log10(base.denominator))
    if size > MAX_EXPONENT:
        raise NumberOutOfRange(f"the power is too large (more than 1e{MAX_EXPONENT})")
    return base ** int(exponent)


def parse_number(text: str) -> Fraction:
    """The exact value of a number typed as text.

    Parameters
    ----------
    text : str
        E.g. ``"0.25"``, ``"1e-3"``, ``"4/3"``, ``" 4 / 3 "``, ``"2^10"``, ``"10**3"``,
        ``"−0.06"``.

    Returns
    -------
    Fraction

    Raises
    ------
    NumberError
        If ``text`` is not such a number, or is too long or too large; the message says how
        to type one.
    """
    if not isinstance(text, str):
        raise NumberError(f"expected text, got {type(text).__name__}")
    cleaned = text.strip().translate(_MINUS_SIGNS)
    if len(cleaned) > 3 * MAX_DIGITS:
        raise NumberOutOfRange(f"that is too long for a number ({len(cleaned)} characters)")
    match = _EXPRESSION.match(cleaned)
    if match is None:
        shown = cleaned if len(cleaned) <= 30 else cleaned[:27] + "..."
        raise NumberError(f"{shown!r} is not a number ({_HOW})")
    left, operator, right = match.groups()
    value = _literal(left)
    if operator == "/":
        divisor = _literal(right)
        if divisor == 0:
            raise NumberOutOfRange("a fraction cannot divide by zero")
        value = value / divisor
    elif operator in ("^", "**"):
        value = _power(value, _literal(right))
    return _bounded(value)


def number_from_value(value: object) -> Fraction:
    """The exact value of a number given in a YAML or JSON file: an int, a float or text.

    Floats are read from their shortest decimal form (``0.68`` is exactly 68/100), texts with
    :func:`parse_number`.

    Raises
    ------
    NumberError
        For a bool, a value of another type, a non-finite float, or a number out of bounds.
    """
    if isinstance(value, bool):
        raise NumberError("expected a number, got a true/false value")
    if isinstance(value, int):
        # bit_length first: str() of a huge integer is slow, and refused past 4300 digits.
        if value.bit_length() > 4 * MAX_DIGITS or len(str(abs(value))) > MAX_DIGITS:
            raise NumberOutOfRange(f"a number has at most {MAX_DIGITS} digits")
        return Fraction(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise NumberOutOfRange(f"expected a finite number, got {value!r}")
        return _bounded(Fraction(repr(value)))
    if isinstance(value, str):
        return parse_number(value)
    raise NumberError(f"expected a number, got a value of type {type(value).__name__}")


def format_number(value: Fraction | float, decimals: int | None = None) -> str:
    """``value`` for people: with exactly ``decimals`` decimals, or in ``%g`` style.

    Parameters
    ----------
    value : Fraction or float
    decimals : int, optional
        Decimal places, >= 0; default: up to 6 significant digits.
    """
    number = float(value)
    if decimals is None:
        return f"{number:g}"
    return f"{number:.{decimals}f}"
