"""Each student's feedback, at the level of detail the assessment calls for, as Markdown and HTML.

Levels (:data:`LEVELS`):

* ``score``: the score and the table of points, nothing about the cases (for an exam whose
  answers must not leak);
* ``diagnosis``: for each exercise, every failed case with what went wrong, but no hints and no
  value the reference computed on a hidden case ("expected 0.25, got 0.5" becomes "not the
  expected value; got 0.5"), so that summative feedback cannot be copied into a solution;
* ``hints``: the formative report: every failed case as the self-check words it, with the
  expected values, and the exercise's hint.

A notebook that could not be loaded at all gets one message saying so and what to do, not the
same line under every exercise. Every piece of untrusted text (a student id, a message built
from a learner's output, a note) goes through :func:`~coursekit.grading.reports.inert` and then
the escaping of the format (:func:`~coursekit.grading.reports.markdown_text`, ``html.escape``).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

from coursekit.exercises.core import FAILED, NOT_IMPLEMENTED, PASSED, USES_REFERENCE, CheckResult
from coursekit.grading.grader import ClassReport, StudentGrade
from coursekit.grading.reports import MAX_TEXT, inert, markdown_text, write_safely

LEVELS = ("score", "diagnosis", "hints")
FORMATS = ("md", "html")
#: The heading of the section that holds the grader's notes (a syntax error, another lesson).
NOTES_HEADING = "Notes from the grader"
#: "expected X, got " in a judge's message: X is the reference's output on a hidden case.
_EXPECTED_VALUE = re.compile(r"expected (.+?), got ")


def without_expected_values(message: str) -> str:
    """``message`` with every value the reference computed replaced by "not the expected value"."""
    return _EXPECTED_VALUE.sub("not the expected value; got ", message)


@dataclass
class Section:
    """A heading, its paragraphs, a bulleted list, and paragraphs after the list."""

    heading: str
    paragraphs: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    closing: list[str] = field(default_factory=list)


@dataclass
class Feedback:
    """One student's feedback, independent of the format it is written in."""

    title: str
    score: str
    table: list[tuple[str, str, str]]
    sections: list[Section]


def _verdict(result: CheckResult, level: str) -> Section:
    section = Section(result.exercise)
    failures = [outcome for outcome in result.cases if not outcome.passed]
    if result.status == PASSED:
        section.paragraphs.append(f"Passed all {len(result.cases)} checks.")
    elif result.status == NOT_IMPLEMENTED:
        section.paragraphs.append("Not done: the function still raises NotImplementedError.")
    elif result.status == USES_REFERENCE:
        why = f" Why: {failures[0].message}" if failures and failures[0].message else ""
        section.paragraphs.append(
            "Scored as not done: this is coursekit's reference implementation, not your own work." + why
        )
    elif result.status == FAILED:
        section.paragraphs.append(f"{len(failures)} of {len(result.cases)} checks failed:")
        for outcome in failures:
            message = outcome.message if level == "hints" else without_expected_values(outcome.message)
            section.items.append(f"{outcome.label}: {message}")
    if level == "hints" and result.status in (FAILED, NOT_IMPLEMENTED) and result.hint:
        section.closing.append(f"Hint: {result.hint}")
    return section


def build_feedback(grade: StudentGrade, report: ClassReport, level: str = "hints") -> Feedback:
    """The feedback of one student at ``level`` (one of :data:`LEVELS`)."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, got {level!r}.")
    rule = "1 point when all its checks pass" if report.all_or_nothing else "the fraction of its checks that passed"
    feedback = Feedback(
        f"Lesson {report.lesson}: feedback for {grade.student}",
        f"Score: {grade.total:g} / {len(report.exercises)} (each exercise is worth 1 point: {rule}).",
        [(r.exercise, f"{grade.scores[r.exercise]:g}", r.status) for r in grade.results],
        [],
    )
    if grade.load_error:
        feedback.sections.append(Section("Your notebook could not be graded", [
            grade.load_error,
            "Open it in Jupyter, run it from the top, save it, and check that the file you "
            "hand in is that .ipynb notebook.",
        ]))
    elif level != "score":
        feedback.sections += [_verdict(result, level) for result in grade.results]
    notes = [note for note in grade.notes if not note.startswith("the notebook was not graded:")]
    if notes and level != "score":
        feedback.sections.append(Section(NOTES_HEADING, items=notes))
    return feedback


def to_markdown(feedback: Feedback) -> str:
    """The feedback as Markdown; untrusted text escaped."""
    text = lambda value: markdown_text(value, 4 * MAX_TEXT)  # noqa: E731
    lines = [f"# {text(feedback.title)}", "", text(feedback.score), "",
             "| exercise | points | status |", "| --- | --- | --- |"]
    lines += [f"| {text(name)} | {points} | {text(status)} |" for name, points, status in feedback.table]
    for section in feedback.sections:
        lines += ["", f"## {text(section.heading)}", ""]
        lines += [text(paragraph) + "  " for paragraph in section.paragraphs]
        if section.items:
            lines += ([""] if section.paragraphs else []) + [f"- {text(item)}" for item in section.items]
        if section.closing:
            lines += [""] + [text(paragraph) + "  " for paragraph in section.closing]
    return "\n".join(lines) + "\n"


def to_html(feedback: Feedback) -> str:
    """The feedback as a standalone HTML page (no scripts, no external resources)."""
    text = lambda value: html.escape(inert(value, 4 * MAX_TEXT))  # noqa: E731
    rows = "\n".join(
        f"<tr><td>{text(name)}</td><td>{points}</td><td>{text(status)}</td></tr>"
        for name, points, status in feedback.table
    )
    body = [f"<h1>{text(feedback.title)}</h1>", f"<p>{text(feedback.score)}</p>",
            "<table><thead><tr><th scope=\"col\">exercise</th><th scope=\"col\">points</th>"
            f"<th scope=\"col\">status</th></tr></thead><tbody>\n{rows}\n</tbody></table>"]
    for section in feedback.sections:
        body.append(f"<h2>{text(section.heading)}</h2>")
        body += [f"<p>{text(paragraph)}</p>" for paragraph in section.paragraphs]
        if section.items:
            body.append("<ul>" + "".join(f"<li>{text(item)}</li>" for item in section.items) + "</ul>")
        body += [f"<p>{text(paragraph)}</p>" for paragraph in section.closing]
    style = ("body{font-family:system-ui,sans-serif;max-width:50rem;margin:2rem auto;line-height:1.5}"
             "table{border-collapse:collapse}td,th{border:1px solid #888;padding:.25rem .6rem}")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{text(feedback.title)}</title><style>{style}</style></head><body>\n"
        + "\n".join(body) + "\n</body></html>\n"
    )


def write_feedback(
    report: ClassReport, directory: Path, *, level: str = "hints", formats: tuple[str, ...] = FORMATS
) -> None:
    """One ``STUDENT.md`` and/or ``STUDENT.html`` per student in ``directory`` (never via a link).

    Raises
    ------
    OSError
        When ``directory`` is a symlink or not a folder.
    ValueError
        For an unknown level or format.
    """
    unknown = [name for name in formats if name not in FORMATS]
    if unknown or not formats:
        raise ValueError(f"formats must be among {', '.join(FORMATS)}, got {list(formats)!r}.")
    if directory.is_symlink():
        raise NotADirectoryError(f"the feedback folder {str(directory)!r} is a symlink; give a real folder.")
    directory.mkdir(parents=True, exist_ok=True)
    for grade in report.grades:
        feedback = build_feedback(grade, report, level)
        if "md" in formats:
            write_safely(directory / f"{grade.student}.md", to_markdown(feedback))
        if "html" in formats:
            write_safely(directory / f"{grade.student}.html", to_html(feedback))
