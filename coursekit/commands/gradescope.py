"""``coursekit gradescope LESSON --out autograder.zip --seed N`` (:mod:`coursekit.grading.gradescope`)."""

from __future__ import annotations

import argparse

from coursekit.commands._args import nonnegative_int, positive_float


def run(args: argparse.Namespace) -> int:
    """Build the Gradescope autograder zip."""
    from pathlib import Path

    from coursekit.grading.gradescope import build_autograder

    out = build_autograder(
        args.lesson, Path(args.out), seed=args.seed, time_limit=args.timeout,
        feedback_level=args.feedback_level, allow_weak_isolation=args.allow_weak_isolation,
    )
    print(f"Wrote {out}: upload it on the assignment's Configure Autograder page (lesson {args.lesson}, "
          f"seed {args.seed}).")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """``coursekit gradescope LESSON --out autograder.zip --seed N``."""
    gradescope = subparsers.add_parser(
        "gradescope",
        help="build a Gradescope autograder zip for one lesson",
        description="Build the zip for Gradescope's Configure Autograder page: setup.sh, "
        "run_autograder (grades the uploaded notebook in the bubblewrap sandbox, canary first, "
        "and writes results.json with one test per exercise), coursekit and the lesson notebook.",
    )
    gradescope.add_argument("lesson", metavar="LESSON", help="lesson number, e.g. 02")
    gradescope.add_argument("--out", required=True, metavar="ZIP", help="zip to write")
    gradescope.add_argument("--seed", required=True, type=nonnegative_int, metavar="N",
                            help="seed of the cases (the same for every student)")
    gradescope.add_argument("--timeout", type=positive_float, default=5.0, metavar="S",
                            help="seconds per exercise (default: 5)")
    gradescope.add_argument("--feedback-level", choices=("score", "diagnosis", "hints"), default="hints",
                            help="what students see per exercise (default: hints)")
    gradescope.add_argument(
        "--allow-weak-isolation", action="store_true",
        help="grade even where bubblewrap cannot start in Gradescope's container (a submission could "
        "then forge its own score)",
    )
    gradescope.set_defaults(run=run)
