"""The class list: who should have submitted, read from a CSV the instructor already has.

:func:`read_roster` accepts three kinds of CSV, told apart by their header row:

* **Canvas's gradebook export** (``Student, ID, SIS User ID, SIS Login ID, Section, ...``; without
  ``SIS User ID`` for a user who may not read SIS data, and with ``LastName, FirstName`` in place
  of ``Student`` when the course shows names that way); its "Points Possible" row, the "Manual
  Posting" row above it and Canvas's "Test Student" are left out. Students are keyed by ``ID``,
  the user id that Canvas's submission download carries.
* **Moodle's grading worksheet** (``Identifier, Full name, ...``, the identifier being
  "Participant 12345"). Students are keyed by the participant id that Moodle's "Download all
  submissions" carries.
* **A plain list** with a ``student`` column (the ids used as notebook file names), and an
  optional ``name`` column.

Errors name the file and line (``roster.csv:7: ...``), as the quiz banks' do.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from coursekit.grading import protocol
from coursekit.grading.assignment import GradingError

#: Largest roster read, in bytes.
MAX_ROSTER_BYTES = 20 * 2**20
CANVAS_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
_PARTICIPANT = re.compile(r"\D*(\d+)")


class RosterError(GradingError):
    """The roster file cannot be used; the message gives FILE:LINE."""


@dataclass(frozen=True)
class Enrolled:
    """One student of the roster.

    ``student`` is the key that submissions are matched on (Canvas user id, Moodle participant
    id, or the plain id); the other fields are copied to LMS gradebooks as they were read.
    """

    student: str
    name: str = ""
    sis_user_id: str = ""
    sis_login_id: str = ""
    section: str = ""
    identifier: str = ""


@dataclass(frozen=True)
class Roster:
    """The students of a class, in the file's order, and the LMS the file came from."""

    kind: str
    students: tuple[Enrolled, ...]

    def ids(self) -> list[str]:
        return [student.student for student in self.students]

    def get(self, student: str) -> Enrolled | None:
        return next((entry for entry in self.students if entry.student == student), None)


def _header_kind(header: list[str]) -> str:
    names = {name.strip().lower() for name in header}
    named = "student" in names or {"lastname", "firstname"} <= names
    if named and "id" in names and ({"sis user id", "sis login id"} & names):
        return "canvas"
    if {"identifier", "full name"} <= names:
        return "moodle"
    if "student" in names:
        return "plain"
    return ""


def read_roster(path: Path) -> Roster:
    """Read a Canvas gradebook export, a Moodle grading worksheet, or a CSV with ``student``.

    Raises
    ------
    RosterError
        When the file cannot be read as UTF-8 CSV, has none of the known headers, or names a
        student twice or with an empty id.
    """
    try:
        raw = protocol.read_bounded(path, MAX_ROSTER_BYTES)
    except (protocol.ProtocolError, OSError) as error:
        raise RosterError(f"{path}: cannot read the roster ({error}).") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise RosterError(f"{path}: the roster is not UTF-8 text (byte {error.start}); save it as CSV UTF-8.") from None
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise RosterError(f"{path}: not a readable CSV ({error}).") from None
    if not rows:
        raise RosterError(f"{path}:1: the roster is empty.")
    header = [name.strip() for name in rows[0]]
    kind = _header_kind(header)
    if not kind:
        raise RosterError(
            f"{path}:1: no 'student' column, and not a Canvas gradebook export (Student, ID, SIS User ID) "
            f"or a Moodle grading worksheet (Identifier, Full name); the header is {header[:6]}."
        )
    column = {name.lower(): index for index, name in enumerate(header)}
    students: list[Enrolled] = []
    seen: dict[str, int] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        value = {name: (row[index].strip() if index < len(row) else "") for name, index in column.items()}
        entry = _entry(kind, value)
        if entry is None:
            continue
        if not entry.student:
            raise RosterError(f"{path}:{line}: this row has no student id.")
        if entry.student in seen:
            raise RosterError(f"{path}:{line}: student {entry.student!r} is listed twice (first on line {seen[entry.student]}).")
        seen[entry.student] = line
        students.append(entry)
    if not students:
        raise RosterError(f"{path}: the roster lists no students.")
    return Roster(kind, tuple(students))


def _entry(kind: str, value: dict[str, str]) -> Enrolled | None:
    if kind == "canvas":
        name = value.get("student", "")
        if "lastname" in value and "firstname" in value and not name:
            name = ", ".join(part for part in (value["lastname"], value["firstname"]) if part)
        if not name and not value.get("id", ""):  # the "Manual Posting" row: no student in it
            return None
        if name.strip().lower() in ("points possible", "student, test", "test student"):
            return None
        return Enrolled(
            value.get("id", ""), name, value.get("sis user id", ""), value.get("sis login id", ""),
            value.get("section", ""),
        )
    if kind == "moodle":
        identifier = value.get("identifier", "")
        match = _PARTICIPANT.match(identifier)
        return Enrolled(match.group(1) if match else "", value.get("full name", ""), identifier=identifier)
    return Enrolled(value.get("student", ""), value.get("name", ""))
