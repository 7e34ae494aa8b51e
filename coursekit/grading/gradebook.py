"""The gradebook: one row per student of the class, written as coursekit's CSV or an LMS's import.

A row joins three sources: the grade (:class:`~coursekit.grading.grader.StudentGrade`), what
the LMS download said about the submission (:class:`~coursekit.grading.intake.Submitted`: name,
lateness) and the roster (:class:`~coursekit.grading.roster.Enrolled`). With a roster, every
rostered student gets a row, in the roster's order, and one without a submission is marked
``missing``; a submission that is not on the roster is kept in coursekit's CSV (status
``not on roster``) and reported, but left out of an LMS import, which would reject it.

Formats (:data:`FORMATS`):

* ``coursekit``: ``student``, one column per exercise (points in [0, 1]), ``total``, ``status``,
  ``late``, ``name``;
* ``canvas``: Canvas's gradebook import: ``Student, ID, SIS User ID, SIS Login ID, Section`` and
  one assignment column, after a "Points Possible" row; a missing student's grade is left empty,
  so that Canvas's own missing-submission policy applies;
* ``moodle``: Moodle's grading-worksheet import, keyed by ``Identifier`` ("Participant 12345",
  the id that Moodle's download carries), with ``Full name``, ``Grade``, ``Maximum Grade`` and
  ``Last modified (grade)``. Moodle refuses a worksheet without the last of these (its importer
  needs ``Identifier``, ``Grade`` and ``Last modified (grade)``), and skips a grade that was
  changed in Moodle after that time; it holds the time of grading (ISO 8601, UTC), which PHP's
  ``strtotime`` reads.

Every cell goes through :func:`~coursekit.grading.reports.csv_cell`. ``bom=True`` starts the file
with a UTF-8 byte-order mark, so that Excel shows "Zoë Müller" and not "ZoÃ« MÃ¼ller".
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime

from coursekit.grading.grader import ClassReport, StudentGrade
from coursekit.grading.intake import Submitted
from coursekit.grading.reports import csv_cell
from coursekit.grading.roster import Enrolled, Roster

FORMATS = ("coursekit", "canvas", "moodle")
GRADED, MISSING, NOT_ON_ROSTER = "graded", "missing", "not on roster"


@dataclass(frozen=True)
class Row:
    """One student of the gradebook."""

    student: str
    status: str
    grade: StudentGrade | None = None
    submitted: Submitted | None = None
    enrolled: Enrolled | None = None

    @property
    def name(self) -> str:
        if self.enrolled is not None and self.enrolled.name:
            return self.enrolled.name
        return self.submitted.name if self.submitted is not None else ""

    @property
    def late(self) -> str:
        if self.submitted is None or self.submitted.late is None:
            return ""
        return "late" if self.submitted.late else "on time"


def class_rows(
    report: ClassReport, submitted: dict[str, Submitted] | None = None, roster: Roster | None = None
) -> list[Row]:
    """The gradebook's rows: the roster's students in order, then submissions not on it."""
    submitted = submitted or {}
    grades = {grade.student: grade for grade in report.grades}
    if roster is None:
        return [Row(student, GRADED, grade, submitted.get(student)) for student, grade in grades.items()]
    rows = [
        Row(entry.student, GRADED if entry.student in grades else MISSING, grades.get(entry.student),
            submitted.get(entry.student), entry)
        for entry in roster.students
    ]
    rostered = set(roster.ids())
    rows += [
        Row(student, NOT_ON_ROSTER, grade, submitted.get(student))
        for student, grade in grades.items() if student not in rostered
    ]
    return rows


def not_on_roster(rows: list[Row]) -> list[str]:
    """Students who submitted but are not on the roster."""
    return [row.student for row in rows if row.status == NOT_ON_ROSTER]


def _points(value: float) -> str:
    return f"{value:g}"


def gradebook_csv(
    report: ClassReport,
    rows: list[Row],
    *,
    lms: str = "coursekit",
    assignment: str = "",
    bom: bool = False,
    graded_at: datetime | None = None,
) -> str:
    """The gradebook as CSV text in format ``lms`` (one of :data:`FORMATS`).

    Parameters
    ----------
    report : ClassReport
    rows : list of Row
        From :func:`class_rows`.
    lms : {"coursekit", "canvas", "moodle"}, default="coursekit"
    assignment : str, default=""
        The assignment column's title in a Canvas import (default: "Lesson NN exercises").
    bom : bool, default=False
        Start with a UTF-8 byte-order mark (for Excel).
    graded_at : datetime, optional
        The "Last modified (grade)" of a Moodle import (default: now).
    """
    if lms not in FORMATS:
        raise ValueError(f"lms must be one of {', '.join(FORMATS)}, got {lms!r}.")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    maximum = len(report.exercises)
    if lms == "coursekit":
        writer.writerow(["student", *report.exercises, "total", "status", "late", "name"])
        for row in rows:
            scores = [_points(row.grade.scores[name]) if row.grade else "" for name in report.exercises]
            total = _points(row.grade.total) if row.grade else ""
            writer.writerow([csv_cell(row.student), *scores, total, row.status, row.late, csv_cell(row.name)])
    elif lms == "canvas":
        title = assignment or f"Lesson {report.lesson} exercises"
        writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", csv_cell(title)])
        writer.writerow(["Points Possible", "", "", "", "", _points(maximum)])
        for row in rows:
            if row.status == NOT_ON_ROSTER:  # Canvas would reject an unknown student
                continue
            enrolled = row.enrolled or Enrolled(row.student, row.name)
            grade = _points(row.grade.total) if row.grade else ""
            writer.writerow([
                csv_cell(enrolled.name), csv_cell(enrolled.student), csv_cell(enrolled.sis_user_id),
                csv_cell(enrolled.sis_login_id), csv_cell(enrolled.section), grade,
            ])
    else:
        modified = (graded_at or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")
        writer.writerow(["Identifier", "Full name", "Grade", "Maximum Grade", "Last modified (grade)"])
        for row in rows:
            if row.status == NOT_ON_ROSTER:
                continue
            identifier = (row.enrolled.identifier if row.enrolled else "") or f"Participant {row.student}"
            grade = _points(row.grade.total) if row.grade else ""
            writer.writerow([csv_cell(identifier), csv_cell(row.name), grade, _points(maximum), modified])
    text = buffer.getvalue()
    return "\ufeff" + text if bom else text

