"""The ``coursekit`` command line.

Each command is registered by one small ``add_*_command(subparsers)`` function listed in
:data:`COMMANDS`; it adds its parser and sets ``handler`` to a function ``handler(args) -> int``
that returns the exit status. To add a command (``coursekit grade``, say), write such a function
in the module that implements it and append it to :data:`COMMANDS`.

Errors print one clear message on stderr and exit with status 1 (2 for a usage error), never a
traceback; set ``COURSEKIT_DEBUG=1`` to see the traceback of an unexpected error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from collections.abc import Callable, Sequence

import coursekit
from coursekit.audio import add_audio_command
from coursekit.site import add_site_command

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_INTERNAL_ERROR = 70
DEBUG_ENV = "COURSEKIT_DEBUG"


def read_line(prompt: str) -> str:
    """``input(prompt)``, echoing the answer when stdin is not a terminal (piped answers).

    The echo keeps a transcript readable: each answer appears after its prompt, as it would
    on screen.
    """
    text = input(prompt)
    if not sys.stdin.isatty():
        print(text)
    return text


# ---------------------------------------------------------------------------------------------
# coursekit quiz ...
# ---------------------------------------------------------------------------------------------


def _quiz_take(args: argparse.Namespace) -> int:
    from coursekit import progress
    from coursekit.quiz.banks import load_bank, load_glossary_from
    from coursekit.quiz.terminal import take_quiz

    bank = load_bank(args.lesson)
    report = take_quiz(bank, load_glossary_from(), read_line=read_line)
    answered = any(result.status != "missing" for result in report.results)
    if args.record and answered:
        progress.record_quiz(bank.lesson, report.score, report.max_score)
        print(f"Saved to your progress ({progress.progress_path()}).")
    return EXIT_OK


def _quiz_grade(args: argparse.Namespace) -> int:
    from coursekit.quiz.banks import load_banks, load_glossary_from
    from coursekit.quiz.grading import grade_responses, read_responses

    responses = read_responses(args.responses)
    report = grade_responses(responses, load_banks(), load_glossary_from())
    if args.json:
        print(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(report.format_text())
    return EXIT_OK if report.results else EXIT_FAILURE


def _quiz_validate(args: argparse.Namespace) -> int:
    from coursekit.quiz.banks import validate_paths

    checked, errors = validate_paths(args.paths or None)
    for error in errors:
        print(error)
    if errors:
        print(f"{len(errors)} problem(s) in {checked} file(s).", file=sys.stderr)
        return EXIT_FAILURE
    print(f"Checked {checked} file(s): no problems.")
    return EXIT_OK


def _attempts(text: str) -> str:
    if text == "unlimited" or (text.isdigit() and int(text) >= 1):
        return text
    raise argparse.ArgumentTypeError(f"expected a number >= 1 or 'unlimited', got {text!r}")


def _quiz_export(args: argparse.Namespace) -> int:
    from coursekit.quiz.exports import export_quizzes

    print(
        export_quizzes(
            args.format, args.out, args.lessons or None, include_answers=not args.no_answers,
            attempts=None if args.attempts == "unlimited" else int(args.attempts),
            show_correct_answers=args.show_correct_answers, time_limit=args.time_limit,
        )
    )
    return EXIT_OK


def _quiz_key_terms(args: argparse.Namespace) -> int:
    from coursekit.quiz.glossary import key_terms_stale, load_glossary, regenerate_key_terms

    glossary = load_glossary()
    stale = 0
    for notebook in args.notebooks:
        if args.check:
            if key_terms_stale(notebook, glossary):
                stale += 1
                print(f"stale: {notebook} (run: coursekit quiz key-terms {notebook})")
            else:
                print(f"up to date: {notebook}")
        else:
            changed = regenerate_key_terms(notebook, glossary)
            print(f"{'updated' if changed else 'up to date'}: {notebook}")
    return EXIT_FAILURE if stale else EXIT_OK


def add_quiz_command(subparsers: argparse._SubParsersAction) -> None:
    """``coursekit quiz take|grade|validate|export|key-terms``."""
    from coursekit.quiz.exports import FORMATS

    quiz = subparsers.add_parser(
        "quiz",
        help="take, grade, validate and export the lesson quizzes",
        description="Take, grade, validate and export the lesson quizzes.",
    )
    actions = quiz.add_subparsers(dest="quiz_action", metavar="ACTION", required=True)

    take = actions.add_parser(
        "take",
        help="take a lesson's quiz in the terminal",
        description="Take a lesson's quiz in the terminal: type the number of a choice (or the "
        "answer) and press Enter; an empty line skips a question. Shows feedback after each "
        "answer and the score at the end, and saves the score to your progress.",
    )
    take.add_argument("lesson", metavar="LESSON", help="lesson number, e.g. 00 or 3")
    take.add_argument(
        "--no-record",
        dest="record",
        action="store_false",
        help="do not save the score to your progress",
    )
    take.set_defaults(handler=_quiz_take)

    grade = actions.add_parser(
        "grade",
        help="grade a responses file against the full banks",
        description="Grade a responses file (YAML or JSON: 'answers' maps question ids to "
        "answers; 'student' and 'lesson' are optional) and print a per-question report and the "
        "total. Unknown ids, missing answers and answers of the wrong type are reported. Exits "
        "with status 1 when no question could be graded.",
    )
    grade.add_argument(
        "responses", metavar="RESPONSES_FILE", help="the responses file (.yaml, .yml or .json)"
    )
    grade.add_argument("--json", action="store_true", help="print the report as JSON")
    grade.set_defaults(handler=_quiz_grade)

    validate = actions.add_parser(
        "validate",
        help="check the glossary and the banks for errors",
        description="Check glossary and bank files against the schema. Prints every problem as "
        "FILE:LINE: message and exits with status 1 if there is any.",
    )
    validate.add_argument(
        "paths",
        metavar="PATH",
        nargs="*",
        help="files or folders (default: the course's quizzes/ folder)",
    )
    validate.set_defaults(handler=_quiz_validate)

    export = actions.add_parser(
        "export",
        help="export quizzes to Moodle (GIFT), Canvas (QTI) or Anki",
        description="Export the quizzes: gift (Moodle GIFT text), qti (Canvas QTI 1.2 zip) or "
        "anki (an .apkg deck of the glossary terms and the questions marked as flashcards).",
    )
    export.add_argument("--format", required=True, choices=FORMATS, help="the export format")
    export.add_argument("--out", required=True, metavar="PATH", help="file to write")
    export.add_argument(
        "lessons", metavar="LESSON", nargs="*", help="lesson numbers (default: all)"
    )
    export.add_argument(
        "--no-answers",
        action="store_true",
        help="paper or practice copy without answers, as essay questions (gift and qti only); "
        "to run a quiz in an LMS, import the full export: students never see the bank",
    )
    export.add_argument(
        "--attempts", default="1", type=_attempts, metavar="N",
        help="qti: attempts allowed, a number or 'unlimited' (default: 1)",
    )
    export.add_argument(
        "--show-correct-answers", action="store_true",
        help="qti: show students the key after they submit (default: hidden)",
    )
    export.add_argument(
        "--time-limit", type=_positive_int, metavar="MINUTES", help="qti: time limit (default: none)"
    )
    export.set_defaults(handler=_quiz_export)

    key_terms = actions.add_parser(
        "key-terms",
        help="regenerate (or check) the notebooks' key-terms cells from the glossary",
        description="Rewrite the cell tagged 'key-terms' of each notebook from the glossary. "
        "With --check, change nothing and exit with status 1 if a cell is stale.",
    )
    key_terms.add_argument(
        "notebooks",
        metavar="NOTEBOOK",
        nargs="+",
        help="lesson notebooks, e.g. notebooks/02_dropout.ipynb",
    )
    key_terms.add_argument("--check", action="store_true", help="only report stale cells")
    key_terms.set_defaults(handler=_quiz_key_terms)


# ---------------------------------------------------------------------------------------------
# coursekit flashcards
# ---------------------------------------------------------------------------------------------


def _flashcards(args: argparse.Namespace) -> int:
    from coursekit.quiz.banks import normalize_lesson
    from coursekit.quiz.flashcards import review
    from coursekit.quiz.glossary import load_glossary

    lesson = None if args.lesson is None else normalize_lesson(args.lesson)
    review(load_glossary(), lesson, limit=args.limit, read_line=read_line)
    return EXIT_OK


def _number_parser(convert: type, is_valid, description: str):
    """An argparse ``type=`` that converts with ``convert`` and checks ``is_valid(value)``."""

    def parse(text: str):
        try:
            value = convert(text)
        except ValueError:
            value = None
        if value is None or not is_valid(value):
            raise argparse.ArgumentTypeError(f"must be {description}, got {text!r}")
        return value

    return parse


_positive_int = _number_parser(int, lambda value: value >= 1, "a positive integer")
_nonnegative_int = _number_parser(int, lambda value: value >= 0, "an integer >= 0")
_positive_float = _number_parser(
    float, lambda value: 0 < value < float("inf"), "a positive number"
)


def add_flashcards_command(subparsers: argparse._SubParsersAction) -> None:
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
        "--limit", type=_positive_int, metavar="N", help="review at most N cards"
    )
    flashcards.set_defaults(handler=_flashcards)


# ---------------------------------------------------------------------------------------------
# coursekit progress
# ---------------------------------------------------------------------------------------------


def _progress(args: argparse.Namespace) -> int:
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
        return EXIT_OK
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
    return EXIT_OK


def _glossary_or_none():
    from coursekit.quiz.glossary import load_glossary
    from coursekit.quiz.schema import QuizFormatError

    try:
        return load_glossary()
    except QuizFormatError:
        return None


def add_progress_command(subparsers: argparse._SubParsersAction) -> None:
    """``coursekit progress``."""
    progress = subparsers.add_parser(
        "progress",
        help="show the exercises passed and the best quiz scores",
        description="Show, per lesson, the exercises passed and the best quiz score, and the "
        "state of the flashcards. The progress file is ~/.coursekit/progress.json, or the path "
        "in $COURSEKIT_PROGRESS.",
    )
    progress.add_argument("--json", action="store_true", help="print the record as JSON")
    progress.set_defaults(handler=_progress)


# ---------------------------------------------------------------------------------------------
# coursekit grade / coursekit solutions
# ---------------------------------------------------------------------------------------------


def _grade(args: argparse.Namespace) -> int:
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
        raise ValueError("--authored SOURCE.ipynb and --spec SPEC.yaml go together.")
    roster = read_roster(Path(args.roster)) if args.roster else None
    with stage_submissions(Path(args.submissions)) as staged:
        report = grade_class(
            staged.directory,
            lesson=args.lesson,
            seed=args.seed,
            workers=args.workers,
            limits=SandboxLimits(time_limit=args.timeout, memory_mb=args.memory),
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
    return EXIT_OK


def add_grade_command(subparsers: argparse._SubParsersAction) -> None:
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
        "--workers", type=_positive_int, default=2, metavar="N",
        help="submissions graded in parallel (default: 2)",
    )
    grade.add_argument(
        "--timeout", type=_positive_float, default=5.0, metavar="S",
        help="seconds each exercise may run (default: 5); loading a notebook's definitions gets "
        "as much plus time for heavy imports such as keras",
    )
    grade.add_argument(
        "--memory", type=_positive_int, default=1536, metavar="MB",
        help="memory of each submission's sandbox, all its processes together, in MiB "
        "(default: 1536)",
    )
    grade.add_argument(
        "--seed", type=_nonnegative_int, metavar="N",
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
    grade.set_defaults(handler=_grade)


def _solutions(args: argparse.Namespace) -> int:
    from pathlib import Path

    from coursekit.grading.editions import write_solutions_edition

    for path in write_solutions_edition(Path(args.outdir)):
        print(f"wrote {path}")
    return EXIT_OK


def _report(args: argparse.Namespace) -> int:
    from pathlib import Path

    from coursekit.grading.analytics import analytics_html, class_analytics
    from coursekit.grading.reports import write_safely

    analytics = class_analytics(Path(args.grades), [Path(path) for path in args.responses])
    write_safely(Path(args.out), analytics_html(analytics))
    quiz = f" and {len(analytics.questions)} quiz question(s)" if analytics.questions else ""
    print(f"Wrote {args.out}: {len(analytics.exercises)} exercise(s){quiz} over {analytics.n_students} student(s).")
    return EXIT_OK


def add_report_command(subparsers: argparse._SubParsersAction) -> None:
    """``coursekit report GRADES.json [RESPONSES ...] --out report.html``."""
    report = subparsers.add_parser(
        "report",
        help="class analytics: score distributions, common mistakes, quiz item statistics (HTML)",
        description="Write one self-contained HTML page from the JSON that 'coursekit grade' "
        "writes next to its gradebook: per exercise, the distribution of scores and the most "
        "common failing diagnoses with how many students got each; with quiz responses files, "
        "per question its difficulty, discrimination (point-biserial) and how often each choice "
        "was picked.",
    )
    report.add_argument("grades", metavar="GRADES_JSON", help="details written by coursekit grade")
    report.add_argument("responses", metavar="RESPONSES", nargs="*", help="quiz responses files (YAML or JSON)")
    report.add_argument("--out", required=True, metavar="HTML", help="page to write")
    report.set_defaults(handler=_report)


def _gradescope(args: argparse.Namespace) -> int:
    from pathlib import Path

    from coursekit.grading.gradescope import build_autograder

    out = build_autograder(
        args.lesson, Path(args.out), seed=args.seed, time_limit=args.timeout,
        feedback_level=args.feedback_level, allow_weak_isolation=args.allow_weak_isolation,
    )
    print(f"Wrote {out}: upload it on the assignment's Configure Autograder page (lesson {args.lesson}, "
          f"seed {args.seed}).")
    return EXIT_OK


def add_gradescope_command(subparsers: argparse._SubParsersAction) -> None:
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
    gradescope.add_argument("--seed", required=True, type=_nonnegative_int, metavar="N",
                            help="seed of the cases (the same for every student)")
    gradescope.add_argument("--timeout", type=_positive_float, default=5.0, metavar="S",
                            help="seconds per exercise (default: 5)")
    gradescope.add_argument("--feedback-level", choices=("score", "diagnosis", "hints"), default="hints",
                            help="what students see per exercise (default: hints)")
    gradescope.add_argument(
        "--allow-weak-isolation", action="store_true",
        help="grade even where bubblewrap cannot start in Gradescope's container (a submission could "
        "then forge its own score)",
    )
    gradescope.set_defaults(handler=_gradescope)


def _author(args: argparse.Namespace) -> int:
    from pathlib import Path

    import nbformat

    from coursekit.grading.authored import stale_cells, student_notebook
    from coursekit.grading.reports import write_safely

    source = nbformat.read(args.source, as_version=4)
    if args.action == "student":
        write_safely(Path(args.out), nbformat.writes(student_notebook(source)) + "\n")
        print(f"Wrote the student version of {args.source} to {args.out}.")
        return EXIT_OK
    stale = stale_cells(source, nbformat.read(args.student, as_version=4))
    if stale:
        print(f"{args.student} is stale: cell {stale[0]} differs from the student version of {args.source}; "
              f"rebuild it with: coursekit author student {args.source} --out {args.student}", file=sys.stderr)
        return EXIT_FAILURE
    print(f"{args.student} is the student version of {args.source}.")
    return EXIT_OK


def add_author_command(subparsers: argparse._SubParsersAction) -> None:
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
    author.set_defaults(handler=_author)


def add_solutions_command(subparsers: argparse._SubParsersAction) -> None:
    """``coursekit solutions OUTDIR``."""
    solutions = subparsers.add_parser(
        "solutions",
        help="write the instructor edition: every lesson notebook with its exercises solved",
        description="Write every lesson notebook of notebooks/ to OUTDIR with each exercise "
        "stub replaced by the solution from coursekit.exercises.solutions; everything else is "
        "identical. Do not give this folder to learners.",
    )
    solutions.add_argument("outdir", metavar="OUTDIR", help="folder to write the notebooks to")
    solutions.set_defaults(handler=_solutions)


# ---------------------------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------------------------

COMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [
    add_quiz_command,
    add_flashcards_command,
    add_progress_command,
    add_grade_command,
    add_solutions_command,
    add_site_command,
    add_audio_command,
    add_report_command,
    add_gradescope_command,
    add_author_command,
]
"""Functions that each register one top-level command."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every command of :data:`COMMANDS`."""
    parser = argparse.ArgumentParser(
        prog="coursekit",
        description="Companion tools for the course 'Regularization in Deep Learning'.",
    )
    parser.add_argument("--version", action="version", version=f"coursekit {coursekit.__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for add_command in COMMANDS:
        add_command(subparsers)
    return parser


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"coursekit: warning: {message}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``coursekit`` command line.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name; default ``sys.argv[1:]``.

    Returns
    -------
    int
        The exit status.
    """
    from coursekit.quiz.schema import QuizFormatError

    args = build_parser().parse_args(argv)
    with warnings.catch_warnings():
        warnings.showwarning = _show_warning
        try:
            return args.handler(args)
        except QuizFormatError as error:
            count = len(error.errors)
            print(
                f"coursekit: {count} problem(s) in the quiz data:"
                if count > 1
                else "coursekit: error:",
                file=sys.stderr,
            )
            print(str(error), file=sys.stderr)
            return EXIT_FAILURE
        except BrokenPipeError:
            # The reader of our output went away (e.g. `coursekit ... | head`): stop quietly.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return EXIT_FAILURE
        except (ValueError, TypeError, OSError) as error:
            if os.environ.get(DEBUG_ENV):
                raise
            print(f"coursekit: error: {error}", file=sys.stderr)
            return EXIT_FAILURE
        except KeyboardInterrupt:
            print("\ncoursekit: interrupted.", file=sys.stderr)
            return 130
        except Exception as error:
            if os.environ.get(DEBUG_ENV):
                raise
            print(
                f"coursekit: internal error: {type(error).__name__}: {error}. "
                f"Run again with {DEBUG_ENV}=1 to see the traceback, and please report it.",
                file=sys.stderr,
            )
            return EXIT_INTERNAL_ERROR


if __name__ == "__main__":
    sys.exit(main())
