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

    from coursekit import progress

    data = progress.load_progress()
    summaries = progress.lesson_summaries(data)
    if args.json:
        print(
            json.dumps(
                {
                    "path": str(progress.progress_path()),
                    "lessons": summaries,
                    "flashcards": data["flashcards"],
                    "exercise_counts": progress.exercise_counts(),
                },
                indent=2,
            )
        )
        return 0
    print(progress.progress_report(data), end="")
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
