"""``coursekit solutions OUTDIR``: the instructor edition (:mod:`coursekit.grading.editions`)."""

from __future__ import annotations

import argparse


def run(args: argparse.Namespace) -> int:
    """Write the instructor edition to OUTDIR."""
    from pathlib import Path

    from coursekit.grading.editions import write_solutions_edition

    for path in write_solutions_edition(Path(args.outdir)):
        print(f"wrote {path}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """``coursekit solutions OUTDIR``."""
    solutions = subparsers.add_parser(
        "solutions",
        help="write the instructor edition: every lesson notebook with its exercises solved",
        description="Write every lesson notebook of notebooks/ to OUTDIR with each exercise "
        "stub replaced by the solution from coursekit.exercises.solutions; everything else is "
        "identical. Do not give this folder to learners.",
    )
    solutions.add_argument("outdir", metavar="OUTDIR", help="folder to write the notebooks to")
    solutions.set_defaults(run=run)
