"""The Leitner schedule of the glossary flashcards."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import pytest

from coursekit import progress
from coursekit.quiz.banks import load_glossary_from
from coursekit.quiz.flashcards import CardState, box_counts, due_terms, next_state, review

FIXTURES = Path(__file__).parent / "fixtures" / "quizzes"
TODAY = datetime.date(2030, 3, 10)


@pytest.fixture(autouse=True)
def _isolated_progress(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSEKIT_QUIZZES", str(FIXTURES))
    monkeypatch.setenv("COURSEKIT_PROGRESS", str(tmp_path / "progress.json"))


@pytest.fixture(scope="module")
def glossary():
    return load_glossary_from(FIXTURES)


def days(count: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=count)


def scripted(*replies: str):
    """A read_line that gives ``replies`` in order, then signals the end of input."""
    queue = list(replies)

    def read_line(prompt: str) -> str:
        if not queue:
            raise EOFError
        return queue.pop(0)

    return read_line


def test_new_card_known_goes_to_box_two_due_in_two_days():
    assert next_state(None, True, TODAY) == CardState(box=2, due=days(2))


def test_known_card_moves_up_one_box_with_a_doubled_interval():
    assert next_state(CardState(box=3, due=TODAY), True, TODAY) == CardState(box=4, due=days(8))


def test_top_box_stays_on_top():
    assert next_state(CardState(box=5, due=TODAY), True, TODAY) == CardState(box=5, due=days(16))


def test_forgotten_card_goes_back_to_box_one_due_tomorrow():
    assert next_state(CardState(box=4, due=TODAY), False, TODAY) == CardState(box=1, due=days(1))


def test_due_terms_skips_cards_not_yet_due_and_orders_by_box(glossary):
    states = {
        "overfitting": CardState(box=3, due=days(-1)),
        "validation-set": CardState(box=2, due=days(1)),
        "patience": CardState(box=1, due=TODAY),
    }
    assert [term.id for term in due_terms(glossary.terms, states, TODAY)] == [
        "patience",
        "early-stopping",
        "overfitting",
    ]


def test_due_terms_limit_must_be_positive(glossary):
    with pytest.raises(ValueError, match="limit must be a positive integer, got 0"):
        due_terms(glossary.terms, {}, TODAY, limit=0)


def test_box_counts_put_new_cards_in_box_one(glossary):
    counts = box_counts(glossary.terms, {"patience": CardState(box=4, due=TODAY)})
    assert counts == {1: 3, 2: 0, 3: 0, 4: 1, 5: 0}


def test_review_saves_the_new_schedule_in_the_progress_file(glossary):
    output = io.StringIO()
    summary = review(
        glossary, "00", today=TODAY, read_line=scripted("", "y", "", "n"), output=output
    )
    assert summary == {"reviewed": 2, "known": 1, "due": 2}
    states = progress.flashcard_states()
    assert (states["overfitting"]["box"], states["overfitting"]["due"]) == (2, days(2).isoformat())
    assert (states["validation-set"]["box"], states["validation-set"]["due"]) == (
        1,
        days(1).isoformat(),
    )


def test_review_stops_on_q_and_keeps_earlier_cards(glossary):
    summary = review(glossary, today=TODAY, read_line=scripted("", "y", "q"), output=io.StringIO())
    assert summary["reviewed"] == 1
    assert list(progress.flashcard_states()) == ["early-stopping"]


def test_review_shows_the_definition_after_enter(glossary):
    output = io.StringIO()
    review(glossary, "01", today=TODAY, limit=1, read_line=scripted("", "y"), output=output)
    assert (
        "Definition: Stop training once the validation loss has not improved" in output.getvalue()
    )


def test_review_with_nothing_due_names_the_next_date(glossary):
    review(glossary, "01", today=TODAY, read_line=scripted("", "y", "", "y"), output=io.StringIO())
    output = io.StringIO()
    summary = review(glossary, "01", today=TODAY, read_line=scripted(), output=output)
    assert summary["reviewed"] == 0
    assert f"The next card is due on {days(2).isoformat()}" in output.getvalue()
