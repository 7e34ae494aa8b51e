"""``coursekit grade SUBMISSIONS --out grades.csv``: the batch grader (:mod:`coursekit.grading`)."""

from __future__ import annotations

import argparse

from coursekit.commands._args import (
    nonnegative_int,
    positive_float,
    positive_int,
    values_from_the_user,
)
from coursekit.errors import UsageError


def run(args: argparse.Namespace) -> int:
    """Grade the submissions folder; write the gradebook, its JSON details and the feedback."""
    from pathlib import Path

    from coursekit.grading.feedback import write_feedback
    from coursekit.grading.gradebook import MISSING, class_rows, gradebook_csv, not_on_roster
    from coursekit.grading.grader import grade_class
    from coursekit.grading.intake import stage_submissions
    from coursekit.grading.reports import inert, summary_table, write_details, write_safely
    from coursekit.grading.roster import read_roster
    from coursekit.grading.runner import SandboxLimits

    out = Path(args.out)
    if bool(args.authored) != bool(args.spec):
        raise UsageError("--authored SOURCE.ipynb and --spec SPEC.yaml go together.")
    roster = read_roster(Path(args.roster)) if args.roster else None
    with values_from_the_user():
        limits = SandboxLimits(time_limit=args.timeout, memory_mb=args.memory)
    with stage_submissions(Path(args.submissions)) as staged:
        report = grade_class(
            staged.directory,
            lesson=args.lesson,
            seed=args.seed,
            workers=args.workers,
            limits=limits,
            all_or_nothing=args.all_or_nothing,
            progress=not args.no_progress,
            allow_weak=args.allow_weak_isolation,
            authored=(Path(args.authored), Path(args.spec)) if args.authored else None,
        )
    report.skipped[:0] = staged.skipped
    rows = class_rows(report, staged.students, roster)
    write_safely(out, gradebook_csv(report, rows, lms=args.lms, assignment=args.assignment, bom=args.bom))
    details = out.with_suffix(".json")
    write_details(report, details, rows)
    if args.feedback:
        formats = ("md", "html") if args.feedback_format == "both" else (args.feedback_format,)
        write_feedback(report, Path(args.feedback), level=args.feedback_level, formats=formats)
    print(summary_table(report))
    late = [row.student for row in rows if row.late == "late"]
    for label, students in (
        ("missing (on the roster, no submission)", [row.student for row in rows if row.status == MISSING]),
        ("not on the roster (kept out of an LMS import)", not_on_roster(rows)),
        ("marked late by the LMS", late),
    ):
        if students:
            print(f"{label}: {', '.join(inert(student, 60) for student in students)}")
    written = f"Gradebook ({args.lms}): {out}; details: {details}"
    print(written + (f"; feedback: {args.feedback}/" if args.feedback else "") + ".")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """``coursekit grade SUBMISSIONS_DIR --out grades.csv [...]``."""
    grade = subparsers.add_parser(
        "grade",
        help="grade a folder of submitted notebooks (gradebook CSV, feedback, JSON details)",
        description="Grade a folder with one notebook per student (STUDENT_ID.ipynb). Each "
        "submission runs in a bubblewrap sandbox (own user, PID, mount and network namespaces) "
        "with one memory and process budget for all its processes and time limits enforced "
        "from outside; scores are decided outside it by the same checks as the notebook "
        "self-checks, on cases drawn from --seed. First the lesson's solutions edition is "
        "graded through the same sandbox (the canary): if it does not get full marks, nothing "
        "is graded (exit status 1). Writes the CSV gradebook, a JSON with every detail next to "
        "it (same name, .json) and, with --feedback, one Markdown report per student.",
    )
    grade.add_argument(
        "submissions", metavar="SUBMISSIONS",
        help="folder of STUDENT_ID.ipynb files, or Canvas's / Moodle's submissions download "
        "(the zip itself or its unpacked folder)",
    )
    grade.add_argument("--out", required=True, metavar="GRADES_CSV", help="gradebook to write")
    grade.add_argument(
        "--roster", metavar="CSV",
        help="class list: a CSV with a 'student' column, Canvas's gradebook export or Moodle's "
        "grading worksheet; every rostered student without a submission is marked missing",
    )
    grade.add_argument(
        "--lms", choices=("coursekit", "canvas", "moodle"), default="coursekit",
        help="gradebook format: coursekit's CSV (default), Canvas's gradebook import or "
        "Moodle's grading-worksheet import",
    )
    grade.add_argument(
        "--assignment", default="", metavar="TITLE",
        help="assignment column title in a Canvas import (default: 'Lesson NN exercises')",
    )
    grade.add_argument(
        "--bom", action="store_true",
        help="start the CSV with a UTF-8 byte-order mark, so that Excel shows accented names",
    )
    grade.add_argument("--feedback", metavar="DIR", help="write STUDENT_ID.md / .html feedback files here")
    grade.add_argument(
        "--feedback-level", choices=("score", "diagnosis", "hints"), default="hints",
        help="hints (default, formative): every failed case with expected values and the hint; "
        "diagnosis (summative): what failed and why, no hints, no hidden expected values; "
        "score: points only",
    )
    grade.add_argument(
        "--feedback-format", choices=("md", "html", "both"), default="both",
        help="feedback files as Markdown, HTML (to upload to an LMS) or both (default)",
    )
    grade.add_argument(
        "--workers", type=positive_int, default=2, metavar="N",
        help="submissions graded in parallel (default: 2)",
    )
    grade.add_argument(
        "--timeout", type=positive_float, default=5.0, metavar="S",
        help="seconds each exercise may run (default: 5); loading a notebook's definitions gets "
        "as much plus time for heavy imports such as keras",
    )
    grade.add_argument(
        "--memory", type=positive_int, default=1536, metavar="MB",
        help="memory of each submission's sandbox, all its processes together, in MiB "
        "(default: 1536)",
    )
    grade.add_argument(
        "--seed", type=nonnegative_int, metavar="N",
        help="seed of the test inputs (default: a fresh random seed, printed in the summary)",
    )
    grade.add_argument("--lesson", metavar="NN", help="lesson number (default: inferred)")
    grade.add_argument(
        "--authored", metavar="SOURCE_IPYNB",
        help="grade instructor-authored exercises: the source notebook with the solutions between "
        "### BEGIN SOLUTION / ### END SOLUTION markers (with --spec)",
    )
    grade.add_argument("--spec", metavar="SPEC_YAML", help="cases and tolerances of --authored")
    grade.add_argument(
        "--all-or-nothing", action="store_true",
        help="1 point per exercise only when all its checks pass (default: the fraction passed)",
    )
    grade.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    grade.add_argument(
        "--allow-weak-isolation", action="store_true",
        help="grade as root even where bubblewrap cannot run (each submission then runs as root "
        "with only resource limits; see the README's security section)",
    )
    grade.set_defaults(run=run)
