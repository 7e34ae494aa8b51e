"""Glossary flashcards with a Leitner box schedule.

Each glossary term is a card. A card sits in one of five boxes; the box decides how long until
the card is shown again:

======  ===================
box     next review after
======  ===================
1       1 day
2       2 days
3       4 days
4       8 days
5       16 days
======  ===================

A card the learner knew moves up one box (box 5 stays in box 5); a card they did not know goes
back to box 1. A card never reviewed is due at once. The schedule is kept in the per-user
progress file (:mod:`coursekit.progress`), so it survives between sessions.

The review is self-graded, as with paper flashcards: the learner reads the term, recalls the
definition, reveals it, and says whether they knew it.
"""

from __future__ import annotations

import datetime
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TextIO

from coursekit import progress
from coursekit.quiz.model import Glossary, Term
from coursekit.quiz.render import wrap_text

BOX_INTERVAL_DAYS = {1: 1, 2: 2, 3: 4, 4: 8, 5: 16}
"""Days until a card in each box is due again."""


@dataclass(frozen=True)
class CardState:
    """Where a card is in the schedule.

    Attributes
    ----------
    box : int
        Leitner box, in ``[1, 5]``.
    due : datetime.date
        First day the card is shown again.
    """

    box: int
    due: datetime.date


def next_state(state: CardState | None, known: bool, today: datetime.date) -> CardState:
    """The schedule of a card after one review.

    Parameters
    ----------
    state : CardState or None
        The card's state before the review; None for a card never reviewed (box 1).
    known : bool
        Whether the learner knew the card.
    today : datetime.date
        Day of the review.

    Returns
    -------
    CardState
        Box ``min(box + 1, 5)`` if known, else box 1; due ``today + BOX_INTERVAL_DAYS[box]``.
    """
    box = 1 if state is None else state.box
    box = min(box + 1, max(BOX_INTERVAL_DAYS)) if known else 1
    return CardState(box=box, due=today + datetime.timedelta(days=BOX_INTERVAL_DAYS[box]))


def states_from_progress(records: Mapping[str, Mapping]) -> dict[str, CardState]:
    """Card states from the ``flashcards`` section of the progress record."""
    return {
        term_id: CardState(box=record["box"], due=datetime.date.fromisoformat(record["due"]))
        for term_id, record in records.items()
    }


def due_terms(
    terms: Iterable[Term],
    states: Mapping[str, CardState],
    today: datetime.date,
    limit: int | None = None,
) -> list[Term]:
    """The cards due on ``today``, most urgent first.

    Parameters
    ----------
    terms : iterable of Term
        The cards to consider.
    states : mapping of str to CardState
        Known card states by term id; a term without one is new and due.
    today : datetime.date
    limit : int, optional
        At most this many cards (``>= 1``).

    Returns
    -------
    list of Term
        Ordered by box (lowest first), then due date (oldest first), then new cards, then id,
        so the order is the same on every run.
    """
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise ValueError(f"limit must be a positive integer, got {limit!r}.")
    due = []
    for term in terms:
        state = states.get(term.id)
        if state is None:
            due.append(((1, today, 1, term.id), term))
        elif state.due <= today:
            due.append(((state.box, state.due, 0, term.id), term))
    due.sort(key=lambda item: item[0])
    chosen = [term for _, term in due]
    return chosen if limit is None else chosen[:limit]


def box_counts(terms: Iterable[Term], states: Mapping[str, CardState]) -> dict[int, int]:
    """Number of cards in each box (new cards count in box 1)."""
    counts = dict.fromkeys(BOX_INTERVAL_DAYS, 0)
    for term in terms:
        state = states.get(term.id)
        counts[1 if state is None else state.box] += 1
    return counts


def review(
    glossary: Glossary,
    lesson: str | None = None,
    *,
    today: datetime.date | None = None,
    limit: int | None = None,
    read_line: Callable[[str], str] = input,
    output: TextIO | None = None,
) -> dict[str, int]:
    """Review the due glossary cards in a terminal and save the new schedule.

    Parameters
    ----------
    glossary : Glossary
    lesson : str, optional
        Only the terms of this lesson (two digits).
    today : datetime.date, optional
        Day of the review; default the current local date.
    limit : int, optional
        At most this many cards.
    read_line : callable, default=input
        ``read_line(prompt) -> str``; raises ``EOFError`` at the end of the input.
    output : text stream, optional
        Where to print; default ``sys.stdout``.

    Returns
    -------
    dict
        ``{"reviewed": n, "known": k, "due": d}``: cards reviewed, known, and due at the start.
    """
    out = sys.stdout if output is None else output
    today = datetime.date.today() if today is None else today
    terms = glossary.terms if lesson is None else glossary.for_lesson(lesson)
    states = states_from_progress(progress.flashcard_states())
    cards = due_terms(terms, states, today, limit)
    scope = "all lessons" if lesson is None else f"lesson {lesson}"
    if not terms:
        print(f"There are no glossary terms for {scope}.", file=out)
        return {"reviewed": 0, "known": 0, "due": 0}
    if not cards:
        ids = {term.id for term in terms}
        upcoming = sorted(state.due for term_id, state in states.items() if term_id in ids)
        nearest = f" The next card is due on {upcoming[0].isoformat()}." if upcoming else ""
        print(f"No flashcards are due today for {scope}.{nearest}", file=out)
        return {"reviewed": 0, "known": 0, "due": 0}

    print(
        f"{len(cards)} flashcard(s) due for {scope}. Recall the definition, then press Enter.",
        file=out,
    )
    print(
        "Type q and Enter at any prompt to stop; your progress is saved after each card.", file=out
    )
    reviewed = known_count = 0
    try:
        for number, term in enumerate(cards, start=1):
            state = states.get(term.id)
            box = 1 if state is None else state.box
            print("", file=out)
            print(f"[{number}/{len(cards)}] {term.term}   (box {box})", file=out)
            if read_line("   Press Enter to show the definition: ").strip().lower() == "q":
                break
            for line in wrap_text(term.definition, "   ", first_indent="   Definition: "):
                print(line, file=out)
            for line in wrap_text(term.example, "   ", first_indent="   Example: "):
                print(line, file=out)
            known = _ask_known(read_line, out)
            if known is None:
                break
            new_state = next_state(state, known, today)
            progress.record_flashcard(term.id, new_state.box, new_state.due)
            reviewed += 1
            known_count += known
            verdict = "moved to" if known else "back to"
            print(
                f"   {verdict} box {new_state.box}; next review on {new_state.due.isoformat()}",
                file=out,
            )
    except EOFError:
        print("", file=out)
        print("Input ended.", file=out)
    print("", file=out)
    print(
        f"Reviewed {reviewed} card(s): {known_count} known, {reviewed - known_count} to practise again.",
        file=out,
    )
    return {"reviewed": reviewed, "known": known_count, "due": len(cards)}


def _ask_known(read_line: Callable[[str], str], out: TextIO) -> bool | None:
    """Ask "did you know it?" until the answer is y or n; None when the learner quits."""
    while True:
        reply = read_line("   Did you know it? [y/n] ").strip().lower()
        if reply in ("y", "yes"):
            return True
        if reply in ("n", "no"):
            return False
        if reply == "q":
            return None
        print("   Please type y (yes), n (no) or q (quit).", file=out)
