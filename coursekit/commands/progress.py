"""``coursekit progress``: the learner's progress (:mod:`coursekit.progress`)."""

from __future__ import annotations

import argparse
import json


def _glossary_or_none():
    from coursekit.quiz.glossary import load_glossary
    from coursekit.quiz.schema import QuizFormatError

    try:
        return load_glossary()
    except QuizFormatError:
        return None


def run(args: argparse.Namespace) -> int:
    """Print the progress table (or the record as JSON)."""
    import datetime

    from coursekit import progress
    from coursekit.quiz.banks import available_lessons
    from coursekit.quiz.flashcards import box_counts, due_terms, states_from_progress
    from coursekit.quiz.grading import format_points

    data = progress.load_progress()
    summaries = progress.lesson_summaries(data)
    if args.json:
        print(
            json.dumps(
                {
                    "path": str(progress.progress_path()),
                    "lessons": summaries,
                    "flashcards": data["flashcards"],
                },
                indent=2,
            )
        )
        return 0
    print(f"Progress file: {progress.progress_path()}")
    print("")
    lessons = sorted(set(available_lessons()) | set(summaries))
    print(f"{'Lesson':<8}{'Exercises passed':<26}Best quiz score")
    for lesson in lessons:
        summary = summaries.get(lesson)
        if summary is None or not summary["exercises_tried"]:
            exercises = "-"
        else:
            exercises = (
                f"{len(summary['exercises_passed'])} of {len(summary['exercises_tried'])} tried"
            )
        if summary is None or summary["best_score"] is None:
            quiz = "-"
        else:
            percent = 100 * summary["best_score"] / summary["max_score"]
            quiz = (
                f"{format_points(summary['best_score'])} / {format_points(summary['max_score'])} "
                f"({percent:.0f}%), {summary['attempts']} attempt(s)"
            )
        print(f"{lesson:<8}{exercises:<26}{quiz}")
    if not lessons:
        print("(nothing recorded yet)")
    states = states_from_progress(data["flashcards"])
    print("")
    if states:
        glossary = _glossary_or_none()
        terms = glossary.terms if glossary is not None else ()
        counts = box_counts([term for term in terms if term.id in states], states)
        due = len(due_terms(terms, states, datetime.date.today())) if terms else 0
        boxes = ", ".join(f"box {box}: {count}" for box, count in counts.items())
        print(f"Flashcards: {len(states)} term(s) reviewed ({boxes}); {due} due today.")
    else:
        print("Flashcards: none reviewed yet (run: coursekit flashcards).")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """``coursekit progress``."""
    progress = subparsers.add_parser(
        "progress",
        help="show the exercises passed and the best quiz scores",
        description="Show, per lesson, the exercises passed and the best quiz score, and the "
        "state of the flashcards. The progress file is ~/.coursekit/progress.json, or the path "
        "in $COURSEKIT_PROGRESS.",
    )
    progress.add_argument("--json", action="store_true", help="print the record as JSON")
    progress.set_defaults(run=run)
