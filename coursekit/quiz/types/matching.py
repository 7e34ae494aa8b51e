"""Matching: ``pairs``, 2 to 26 ``{left, right}`` items; the key is the identity pairing.

Partial credit: ``(number of correctly matched left items) / (number of pairs)``. Front ends
show the right-hand sides lettered in the seeded order of :meth:`Question.matching_order`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from coursekit.quiz.normalize import normalize_text
from coursekit.quiz.reading import describe_value
from coursekit.quiz.text import choice_letter, wrap_text
from coursekit.quiz.types.base import MISSING, Grade, QuestionType

if TYPE_CHECKING:
    from coursekit.quiz.checks import Checker
    from coursekit.quiz.model import Glossary, Question
    from coursekit.quiz.reading import Location

MAX_PAIRS = 26
"""Most pairs in a matching question: the right-hand sides are lettered A to Z."""

_INDENT = "   "
_ITEM_INDENT = "     "


class Matching(QuestionType):
    """Match each left item with its right item."""

    name = "matching"
    label = "matching"
    keys = ("pairs",)
    canvas_type = "matching_question"

    def validate(self, check: Checker, raw: Mapping, where: Location, label: str) -> dict | None:
        if "pairs" not in raw:
            check.error(
                where, f"{label}missing 'pairs' (a list of at least 2 {{left: ..., right: ...}})"
            )
            return None
        pairs = raw["pairs"]
        if not isinstance(pairs, list):
            check.error(
                (*where, "pairs"), f"{label}'pairs' must be a list, got {describe_value(pairs)}"
            )
            return None
        lefts: list[str] = []
        rights: list[str] = []
        ok = True
        for index, pair in enumerate(pairs):
            spot = (*where, "pairs", index)
            if not isinstance(pair, Mapping):
                check.error(
                    spot,
                    f"{label}pair #{index + 1} must be a mapping {{left: ..., right: ...}}, "
                    f"got {describe_value(pair)}",
                )
                ok = False
                continue
            check.unknown_keys(pair, ("left", "right"), spot, f"{label}pair #{index + 1}: ")
            for side, collected in (("left", lefts), ("right", rights)):
                value = pair.get(side)
                if isinstance(value, str) and value.strip():
                    collected.append(value.strip())
                else:
                    other = "right" if side == "left" else "left"
                    check.error(
                        spot,
                        f"{label}pair #{index + 1} has no {side} side (got {describe_value(value)}); "
                        f"each {other} item needs a {side} item: the sides are unequal",
                    )
                    ok = False
        if ok and len(pairs) > MAX_PAIRS:
            check.error(
                (*where, "pairs"),
                f"{label}a matching question has at most {MAX_PAIRS} pairs (one letter each), "
                f"got {len(pairs)}",
            )
            ok = False
        if ok and len(pairs) < 2:
            check.error(
                (*where, "pairs"),
                f"{label}a matching question needs at least 2 pairs, got {len(pairs)}",
            )
            ok = False
        for side, collected in (("left", lefts), ("right", rights)):
            if len(set(collected)) != len(collected):
                repeated = sorted({item for item in collected if collected.count(item) > 1})
                check.error(
                    (*where, "pairs"), f"{label}the {side} side repeats {describe_value(repeated[0])}"
                )
                ok = False
        if not ok:
            return None
        return {"pairs": tuple(zip(lefts, rights, strict=True))}

    def grade(self, question: Question, value: object, glossary: Glossary | None) -> Grade:
        if not isinstance(value, Mapping):
            return (
                "wrong_type",
                0.0,
                f"wrong type: expected a mapping from left items to right items, got {describe_value(value)}",
            )
        given = {normalize_text(str(left)): right for left, right in value.items()}
        matched = 0
        wrong = []
        for left, right in question.pairs:
            answer = given.get(normalize_text(left))
            if isinstance(answer, str) and normalize_text(answer) == normalize_text(right):
                matched += 1
            else:
                wrong.append(left)
        known = {normalize_text(left) for left, _ in question.pairs}
        strangers = [str(left) for left in value if normalize_text(str(left)) not in known]
        score = matched / len(question.pairs)
        notes = [f"{matched} of {len(question.pairs)} pairs matched"]
        if wrong:
            notes.append("check " + ", ".join(repr(left) for left in wrong))
        if strangers:
            notes.append(
                "ignored unknown left items " + ", ".join(describe_value(left) for left in strangers[:5])
            )
        status = "correct" if matched == len(question.pairs) else "partial" if matched else "incorrect"
        return status, score, "; ".join(notes) + "."

    def answer_text(self, question: Question) -> str:
        return "; ".join(f"{left} → {right}" for left, right in question.pairs)

    def render_lines(self, question: Question) -> list[str]:
        lines = [f"{_INDENT}Match each numbered item with a lettered one:"]
        for index, (left, _) in enumerate(question.pairs, start=1):
            label = f"{_ITEM_INDENT}{index}. "
            lines.extend(wrap_text(left, " " * len(label), first_indent=label))
        for position, pair_index in enumerate(question.matching_order()):
            label = f"{_ITEM_INDENT}{choice_letter(position)}. "
            lines.extend(
                wrap_text(question.pairs[pair_index][1], " " * len(label), first_indent=label)
            )
        return lines

    def answer_hint(self, question: Question) -> str:
        last = choice_letter(len(question.pairs) - 1)
        # The example is the identity order, which matching_order() never uses, so the
        # example cannot give the key away.
        example = " ".join(choice_letter(position) for position in range(len(question.pairs)))
        return f"one letter from A to {last} per numbered item, in order, e.g. {example}"

    def parse_typed(self, question: Question, text: str) -> object:
        letters = re.sub(r"[\s,;]+", "", text).upper()
        count = len(question.pairs)
        valid = [choice_letter(position) for position in range(count)]
        if len(letters) != count or any(letter not in valid for letter in letters):
            raise ValueError(
                f"type {count} letters from {valid[0]} to {valid[-1]}, one per numbered item"
            )
        order = question.matching_order()
        return {
            left: question.pairs[order[valid.index(letter)]][1]
            for (left, _), letter in zip(question.pairs, letters, strict=True)
        }

    def student_parts(self, question: Question) -> tuple[str, list[str], list[str]]:
        numbered = [left for left, _ in question.pairs]
        lettered = [question.pairs[pair_index][1] for pair_index in question.matching_order()]
        return "Match each numbered item with a lettered one.", numbered, lettered

    def widget_control(self, question: Question, widgets) -> tuple[object, object]:
        rights = [question.pairs[index][1] for index in question.matching_order()]
        control = [
            widgets.Dropdown(
                options=[("(choose)", None), *[(right, right) for right in rights]],
                value=None,
                description=left,
            )
            for left, _ in question.pairs
        ]
        return control, widgets.VBox(control)

    def widget_answer(self, question: Question, control: object) -> object:
        given = {
            question.pairs[index][0]: box.value
            for index, box in enumerate(control)
            if box.value is not None
        }
        return given if given else MISSING

    def gift_answers(self, question: Question, glossary: Glossary | None) -> list[str]:
        from coursekit.quiz.exports.gift import gift_escape

        return [f"={gift_escape(left)} -> {gift_escape(right)}" for left, right in question.pairs]

    def qti_item(self, item, presentation, question: Question, glossary: Glossary | None) -> None:
        from coursekit.quiz.exports import qti

        rights = [
            (f"{question.id}-r{pair_index}", question.pairs[pair_index][1])
            for pair_index in question.matching_order()
        ]
        for index, (left, _) in enumerate(question.pairs):
            lid = qti.sub(presentation, "response_lid", ident=f"response_{question.id}-l{index}")
            qti.material(lid, left, texttype="text/plain")
            render = qti.sub(lid, "render_choice")
            for right_id, right in rights:
                qti.material(
                    qti.sub(render, "response_label", ident=right_id), right, texttype="text/plain"
                )
        processing = qti.scoring(item)
        share = f"{100 / len(question.pairs):.4f}"
        for index in range(len(question.pairs)):
            condition = qti.sub(processing, "respcondition")
            qti.sub(
                qti.sub(condition, "conditionvar"),
                "varequal",
                f"{question.id}-r{index}",
                respident=f"response_{question.id}-l{index}",
            )
            qti.sub(condition, "setvar", share, varname="SCORE", action="Add")


TYPE = Matching()
