"""``coursekit author student|check``: instructor-authored exercises (:mod:`coursekit.grading.authored`)."""

from __future__ import annotations

import argparse
import sys


def run(args: argparse.Namespace) -> int:
    """Write the student version of a source notebook, or check a stored one."""
    from pathlib import Path

    import nbformat

    from coursekit.course import read_notebook
    from coursekit.grading.authored import stale_cells, student_notebook
    from coursekit.grading.reports import write_safely

    source = read_notebook(args.source)
    if args.action == "student":
        write_safely(Path(args.out), nbformat.writes(student_notebook(source)) + "\n")
        print(f"Wrote the student version of {args.source} to {args.out}.")
        return 0
    stale = stale_cells(source, read_notebook(args.student))
    if stale:
        print(f"{args.student} is stale: cell {stale[0]} differs from the student version of {args.source}; "
              f"rebuild it with: coursekit author student {args.source} --out {args.student}", file=sys.stderr)
        return 1
    print(f"{args.student} is the student version of {args.source}.")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """``coursekit author student SOURCE --out STUDENT`` and ``coursekit author check SOURCE STUDENT``."""
    author = subparsers.add_parser(
        "author",
        help="your own exercises: build the student version of a source notebook, or check it",
        description="Build the student version of a notebook whose solutions sit between "
        "### BEGIN SOLUTION and ### END SOLUTION (each block becomes raise NotImplementedError), "
        "or check that a stored student version is in sync. Grade with coursekit grade "
        "--authored SOURCE --spec SPEC.",
    )
    actions = author.add_subparsers(dest="action", metavar="ACTION", required=True)
    student = actions.add_parser("student", help="write the student version")
    student.add_argument("source", metavar="SOURCE_IPYNB")
    student.add_argument("--out", required=True, metavar="STUDENT_IPYNB")
    check = actions.add_parser("check", help="exit 1 when the student version is stale")
    check.add_argument("source", metavar="SOURCE_IPYNB")
    check.add_argument("student", metavar="STUDENT_IPYNB")
    author.set_defaults(run=run)
