"""Numeric: ``answer`` (a number, or a fraction such as ``4/3``) and the precision wanted.

The precision is one of

- ``decimals: N``: the prompt asks for the answer to N decimal places, and every answer that
  rounds to the key at N decimals is right (``|given - answer| <= 0.5 * 10**-N``), so ``0.68``,
  ``0.677`` and the exact ``0.6765`` all answer a key of 0.6765 at 2 decimals;
- ``tolerance: T``: an absolute tolerance (``|given - answer| <= T``), for whole-number answers
  (counts, epochs) or when the prompt states the ``± T`` itself.

The prompt must state the precision (a bank that does not is a validation error), and an
example number in the prompt (``e.g. 0.25``) must not be an accepted answer. Answers are read
with :func:`coursekit.quiz.numbers.parse_number`: ``1.33``, ``4/3``, ``2^10``, ``1e-3``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from fractions import Fraction
from typing import TYPE_CHECKING

from coursekit.quiz.numbers import (
    NumberError,
    NumberOutOfRange,
    format_number,
    number_from_value,
    parse_number,
)
from coursekit.quiz.reading import describe_value
from coursekit.quiz.types.base import Grade, QuestionType

if TYPE_CHECKING:
    from coursekit.quiz.checks import Checker
    from coursekit.quiz.model import Glossary, Question
    from coursekit.quiz.reading import Location

MAX_DECIMALS = 10
"""Most decimal places a question may ask for."""

_SLACK = Fraction(1, 10**9)
_NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
_EXAMPLE_IN_PROMPT = re.compile(
    r"(?:e\.g\.|for example|for instance|such as)\s*[:,]?\s*"
    r"([+\-\u2212]?[0-9.]+(?:[eE][+\-]?[0-9]+)?(?:\s*(?:/|\^|\*\*)\s*[+\-]?[0-9.]+)?)",
    re.IGNORECASE,
)
_DECIMAL_EXAMPLES = (Fraction(1, 4), Fraction(2, 5), Fraction(3, 8), Fraction(5, 2), Fraction(12))
_FRACTION_EXAMPLES = ("3/4", "2/3", "5/8")
_POWER_EXAMPLES = ("2^10", "3^4", "2^8")
_E_EXAMPLES = ("1e-3", "1e-4", "2e-3")


def _key(question: Question) -> tuple[Fraction, Fraction]:
    """The exact key and tolerance, from their shortest decimal forms."""
    return Fraction(repr(question.answer)), Fraction(repr(question.tolerance))


def accepts(question: Question, value: Fraction) -> bool:
    """Whether ``value`` is a right answer to ``question`` (tolerance, plus a 1e-9 relative slack)."""
    answer, tolerance = _key(question)
    return abs(value - answer) <= tolerance + _SLACK * max(1, abs(answer))


def _places(decimals: int) -> str:
    return f"{decimals} decimal place" + ("" if decimals == 1 else "s")


def _states_decimals(prompt: str, decimals: int) -> bool:
    if decimals == 0:
        pattern = r"whole number|nearest integer|0 decimal places|no decimals"
    else:
        names = f"{decimals}" + (f"|{_NUMBER_WORDS[decimals]}" if decimals < len(_NUMBER_WORDS) else "")
        pattern = rf"\b(?:{names})\s+decimal\s+places?\b"
    return re.search(pattern, prompt, re.IGNORECASE) is not None


def _first_rejected(question: Question, candidates) -> str:
    """The first example text that is not an accepted answer."""
    for text in candidates:
        if not accepts(question, parse_number(text)):
            return text
    raise AssertionError("every example is accepted")  # pragma: no cover (tolerance bounded)


class Numeric(QuestionType):
    """A number, graded against the key at the precision the prompt asks for."""

    name = "numeric"
    label = "number"
    keys = ("answer", "decimals", "tolerance")
    canvas_type = "numerical_question"

    # -- bank ------------------------------------------------------------------------------

    def validate(self, check: Checker, raw: Mapping, where: Location, label: str) -> dict | None:
        fields: dict = {}
        answer = self._answer(check, raw, where, label)
        has_decimals = raw.get("decimals") is not None
        has_tolerance = raw.get("tolerance") is not None
        if has_decimals and has_tolerance:
            check.error(
                (*where, "tolerance"),
                f"{label}give 'decimals' or 'tolerance', not both",
            )
            return None
        if not has_decimals and not has_tolerance:
            check.error(
                where,
                f"{label}missing 'decimals' (the decimal places the prompt asks for) or "
                "'tolerance' (an absolute tolerance >= 0)",
            )
            return None
        if has_decimals:
            decimals = raw["decimals"]
            if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= MAX_DECIMALS:
                check.error(
                    (*where, "decimals"),
                    f"{label}decimals must be a whole number from 0 to {MAX_DECIMALS}, "
                    f"got {describe_value(decimals)}",
                )
                return None
            fields["decimals"] = decimals
            fields["tolerance"] = float(Fraction(1, 2 * 10**decimals))
        else:
            tolerance = self._tolerance(check, raw, where, label)
            if tolerance is None:
                return None
            fields["tolerance"] = float(tolerance)
        if answer is None:
            return None
        fields["answer"] = float(answer)
        if not self._prompt_states_precision(check, raw, where, label, answer, fields):
            return None
        if not self._examples_are_wrong(check, raw, where, label, fields):
            return None
        return fields

    def _answer(self, check: Checker, raw: Mapping, where: Location, label: str) -> Fraction | None:
        value = raw.get("answer")
        if value is None:
            check.error(where, f"{label}no correct answer: add 'answer: <number>'")
            return None
        try:
            return number_from_value(value)
        except NumberError as problem:
            check.error(
                (*where, "answer"),
                f"{label}answer must be a finite number (or a fraction such as 4/3), got "
                f"{describe_value(value)}: {problem}",
            )
            return None

    def _tolerance(self, check: Checker, raw: Mapping, where: Location, label: str) -> Fraction | None:
        value = raw["tolerance"]
        if isinstance(value, str):
            problem = "text"
        else:
            try:
                tolerance = number_from_value(value)
            except NumberError as error:
                problem = str(error)
            else:
                if tolerance < 0:
                    check.error((*where, "tolerance"), f"{label}tolerance must be >= 0, got {value!r}")
                    return None
                return tolerance
        check.error(
            (*where, "tolerance"),
            f"{label}tolerance must be a finite number >= 0, got {describe_value(value)} ({problem})",
        )
        return None

    def _prompt_states_precision(
        self, check: Checker, raw: Mapping, where: Location, label: str, answer: Fraction, fields: dict
    ) -> bool:
        prompt = raw.get("prompt")
        if not isinstance(prompt, str):
            return True  # the missing prompt is reported by the common checks
        decimals = fields.get("decimals")
        if decimals is not None:
            if decimals == 0 and answer.denominator == 1:
                return True
            if not _states_decimals(prompt, decimals):
                wanted = "a whole number" if decimals == 0 else _places(decimals)
                check.error(
                    (*where, "prompt"),
                    f"{label}the prompt must say the precision wanted, e.g. "
                    f"'Give the answer to {wanted}.' (decimals: {decimals})",
                )
                return False
            return True
        if answer.denominator == 1:
            return True
        tolerance = format_number(fields["tolerance"])
        if not re.search(rf"(?:±|\+/-|within)\s*{re.escape(tolerance)}\b", prompt):
            check.error(
                (*where, "prompt"),
                f"{label}the answer is not a whole number, so the prompt must say the precision "
                f"wanted: use 'decimals: N' and ask for N decimal places, or state '± {tolerance}'",
            )
            return False
        return True

    def _examples_are_wrong(
        self, check: Checker, raw: Mapping, where: Location, label: str, fields: dict
    ) -> bool:
        from coursekit.quiz.model import Question

        probe = Question(id="-", type=self.name, prompt="", explanation="", lesson="00", **fields)
        ok = True
        for match in _EXAMPLE_IN_PROMPT.finditer(str(raw.get("prompt", ""))):
            example = match.group(1).rstrip(".")
            try:
                value = parse_number(example)
            except NumberError:
                continue
            if accepts(probe, value):
                check.error(
                    (*where, "prompt"),
                    f"{label}the prompt's example {example!r} would be accepted as the "
                    "answer; use an example that is not the answer",
                )
                ok = False
        return ok

    # -- grading ---------------------------------------------------------------------------

    def grade(self, question: Question, value: object, glossary: Glossary | None) -> Grade:
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            return "wrong_type", 0.0, f"wrong type: expected a number, got {describe_value(value)}"
        if isinstance(value, float) and not math.isfinite(value):
            return "incorrect", 0.0, f"You answered {value!r}, which is not a finite number."
        try:
            given = number_from_value(value)
        except NumberOutOfRange as problem:
            return "invalid", 0.0, f"invalid: {problem}"
        except NumberError:
            return "wrong_type", 0.0, f"wrong type: expected a number, got {describe_value(value)}"
        shown = " ".join(value.split()) if isinstance(value, str) else format_number(given)
        if question.decimals is not None:
            places = _places(question.decimals)
            if accepts(question, given):
                key = format_number(question.answer, question.decimals)
                rounded = shown if shown == key else f"{shown}, that is {key}"
                return "correct", 1.0, f"Correct: {rounded} to {places}."
            return "incorrect", 0.0, f"You answered {shown}, which is not the answer to {places}."
        margin = f"within {question.tolerance:g} of" if question.tolerance else "equal to"
        if accepts(question, given):
            return "correct", 1.0, f"Correct: {shown} is {margin} the answer."
        return "incorrect", 0.0, f"You answered {shown}, which is not {margin} the answer."

    def answer_text(self, question: Question) -> str:
        if question.decimals is not None:
            return format_number(question.answer, question.decimals)
        if question.tolerance:
            return f"{question.answer:g} (± {question.tolerance:g})"
        return f"{question.answer:g}"

    # -- front ends ------------------------------------------------------------------------

    def examples(self, question: Question) -> tuple[str, str, str, str]:
        """A decimal, a fraction, a power and an e-notation example, none an accepted answer."""
        decimals = question.decimals
        decimal = _first_rejected(
            question,
            [format_number(value, decimals) if decimals else format_number(value) for value in _DECIMAL_EXAMPLES],
        )
        return (
            decimal,
            _first_rejected(question, _FRACTION_EXAMPLES),
            _first_rejected(question, _POWER_EXAMPLES),
            _first_rejected(question, _E_EXAMPLES),
        )

    def _precision(self, question: Question) -> str:
        if question.decimals is None:
            return ""
        return " (a whole number)" if question.decimals == 0 else f" to {_places(question.decimals)}"

    def answer_hint(self, question: Question) -> str:
        decimal, fraction, power, e_notation = self.examples(question)
        return (
            f"a number{self._precision(question)}, e.g. {decimal}; "
            f"{fraction}, {power} and {e_notation} work too"
        )

    def parse_typed(self, question: Question, text: str) -> object:
        parse_number(text)
        return text.strip()

    def widget_control(self, question: Question, widgets) -> tuple[object, object]:
        decimal, fraction, _, _ = self.examples(question)
        control = widgets.Text(
            value="", placeholder=f"a number{self._precision(question)}, e.g. {decimal} or {fraction}"
        )
        return control, control

    # -- exports ---------------------------------------------------------------------------

    def gift_body(self, question: Question, glossary: Glossary | None, feedback: str) -> str:
        from coursekit.quiz.exports.gift import gift_number

        return f"{{#{gift_number(question.answer)}:{gift_number(question.tolerance)}{feedback}}}"

    def qti_item(self, item, presentation, question: Question, glossary: Glossary | None) -> None:
        from coursekit.quiz.exports import qti

        qti.text_entry(presentation, fibtype="Decimal")
        conditionvar = qti.full_marks(qti.scoring(item))
        low = f"{question.answer - question.tolerance:.12g}"
        high = f"{question.answer + question.tolerance:.12g}"
        qti.sub(conditionvar, "vargte", low, respident="response1")
        qti.sub(conditionvar, "varlte", high, respident="response1")


TYPE = Numeric()
