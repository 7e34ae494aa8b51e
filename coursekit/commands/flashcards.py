"""``coursekit flashcards [LESSON]``: review the glossary (:mod:`coursekit.quiz.flashcards`)."""

from __future__ import annotations

import argparse

from coursekit.commands._args import positive_int, read_line


def run(args: argparse.Namespace) -> int:
    """Review the due glossary terms in the terminal."""
    from coursekit.course import normalize_lesson
    from coursekit.quiz.flashcards import review
    from coursekit.quiz.glossary import load_glossary

    lesson = None if args.lesson is None else normalize_lesson(args.lesson)
    review(load_glossary(), lesson, limit=args.limit, read_line=read_line)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """``coursekit flashcards [LESSON]``."""
    flashcards = subparsers.add_parser(
        "flashcards",
        help="review the glossary with flashcards (Leitner boxes)",
        description="Review the glossary terms that are due, in the terminal. Recall the "
        "definition, press Enter to see it, then say whether you knew it. Known cards move up a "
        "box and come back later (1, 2, 4, 8, 16 days); others go back to box 1. The schedule is "
        "saved in your progress file.",
    )
    flashcards.add_argument(
        "lesson", metavar="LESSON", nargs="?", help="only this lesson's terms (default: all)"
    )
    flashcards.add_argument(
        "--limit", type=positive_int, metavar="N", help="review at most N cards"
    )
    flashcards.set_defaults(run=run)
