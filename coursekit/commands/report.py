"""``coursekit report GRADES.json [RESPONSES ...] --out report.html``: class analytics (:mod:`coursekit.grading.analytics`)."""

from __future__ import annotations

import argparse


def run(args: argparse.Namespace) -> int:
    """Write the class analytics page."""
    from pathlib import Path

    from coursekit.grading.analytics import analytics_html, class_analytics
    from coursekit.grading.reports import write_safely

    analytics = class_analytics(Path(args.grades), [Path(path) for path in args.responses])
    write_safely(Path(args.out), analytics_html(analytics))
    quiz = f" and {len(analytics.questions)} quiz question(s)" if analytics.questions else ""
    print(f"Wrote {args.out}: {len(analytics.exercises)} exercise(s){quiz} over {analytics.n_students} student(s).")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
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
    report.set_defaults(run=run)
