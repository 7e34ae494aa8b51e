"""``coursekit quiz take|grade|validate|export|key-terms``: the lesson quizzes (:mod:`coursekit.quiz`)."""

from __future__ import annotations

import argparse
import json
import sys

from coursekit.commands._args import positive_int, read_line, values_from_the_user

EXIT_OK, EXIT_FAILURE = 0, 1


def _take(args: argparse.Namespace) -> int:
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


def _grade(args: argparse.Namespace) -> int:
    from coursekit.quiz.banks import load_banks, load_glossary_from
    from coursekit.quiz.grading import grade_responses, read_responses

    responses = read_responses(args.responses)
    report = grade_responses(responses, load_banks(), load_glossary_from())
    if args.json:
        print(json.dumps(report.to_dict(), indent=2, ensure_ascii=True))
    else:
        print(report.format_text())
    return EXIT_OK if report.results else EXIT_FAILURE


def _validate(args: argparse.Namespace) -> int:
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


def _export(args: argparse.Namespace) -> int:
    from coursekit.quiz.exports import export_quizzes

    with values_from_the_user():
        summary = export_quizzes(
            args.format, args.out, args.lessons or None, include_answers=not args.no_answers,
            attempts=None if args.attempts == "unlimited" else int(args.attempts),
            show_correct_answers=args.show_correct_answers, time_limit=args.time_limit,
        )
    print(summary)
    return EXIT_OK


def _key_terms(args: argparse.Namespace) -> int:
    from coursekit.quiz.glossary import key_terms_stale, load_glossary, regenerate_key_terms

    glossary = load_glossary()
    stale = 0
    for notebook in args.notebooks:
        if args.check:
            with values_from_the_user():
                is_stale = key_terms_stale(notebook, glossary)
            if is_stale:
                stale += 1
                print(f"stale: {notebook} (run: coursekit quiz key-terms {notebook})")
            else:
                print(f"up to date: {notebook}")
        else:
            with values_from_the_user():
                changed = regenerate_key_terms(notebook, glossary)
            print(f"{'updated' if changed else 'up to date'}: {notebook}")
    return EXIT_FAILURE if stale else EXIT_OK


ACTIONS = {"take": _take, "grade": _grade, "validate": _validate, "export": _export, "key-terms": _key_terms}


def run(args: argparse.Namespace) -> int:
    """Run the quiz action named in ``args.quiz_action``."""
    return ACTIONS[args.quiz_action](args)


def register(subparsers: argparse._SubParsersAction) -> None:
    """``coursekit quiz take|grade|validate|export|key-terms``."""
    from coursekit.quiz.exports import FORMATS

    quiz = subparsers.add_parser(
        "quiz",
        help="take, grade, validate and export the lesson quizzes",
        description="Take, grade, validate and export the lesson quizzes.",
    )
    quiz.set_defaults(run=run)
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
        "--time-limit", type=positive_int, metavar="MINUTES", help="qti: time limit (default: none)"
    )

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
