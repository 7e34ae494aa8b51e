"""From an LMS download to an LMS import: Canvas's and Moodle's files, made at test time."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path, PurePosixPath

import pytest
from grading_cases import notebook_bytes, solution_edition, student_edition

from coursekit.grading import protocol
from coursekit.grading.assignment import GradingError
from coursekit.grading.intake import Submitted, identify, stage_submissions
from coursekit.grading.roster import RosterError, read_roster

SOLVED = notebook_bytes(solution_edition())
UNSOLVED = notebook_bytes(student_edition())

CANVAS_EXPORT = """Student,ID,SIS User ID,SIS Login ID,Section,Lesson 00 exercises (1234)
    Points Possible,,,,,2
"Müller, Zoë",101,S-101,zmuller,Section A,
"Smith, Jane",102,S-102,jsmith,Section A,
"Okafor, Chidi",103,S-103,cokafor,Section B,
"Nguyen, An",104,S-104,anguyen,Section B,
"Student, Test",999,,,Section A,
"""

MOODLE_WORKSHEET = """Identifier,Full name,Email address,Status,Grade,Maximum Grade
Participant 5551,Zoë Müller,zoe@example.org,Submitted,,2
Participant 5552,Jane Smith,jane@example.org,Submitted,,2
Participant 5553,Chidi Okafor,chidi@example.org,No submission,,2
"""


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "coursekit.cli", *args],
        capture_output=True, text=True, timeout=600, env=dict(os.environ),
    )


def read_csv(path: Path) -> tuple[str, list[list[str]]]:
    raw = path.read_bytes().decode("utf-8")
    return raw, list(csv.reader(io.StringIO(raw.removeprefix("\ufeff"), newline="")))


@pytest.fixture(scope="module")
def canvas(tmp_path_factory):
    """A Canvas "Download Submissions" zip: on time, late, unsolved, not rostered, and junk."""
    root = tmp_path_factory.mktemp("canvas")
    download = root / "submissions.zip"
    with zipfile.ZipFile(download, "w") as archive:
        archive.writestr("mullerzoe_101_9001_lesson00.ipynb", SOLVED)
        archive.writestr("smithjane_late_102_9002_Lesson 00 (1).ipynb", SOLVED)
        archive.writestr("okaforchidi_103_9003_00_overfitting.ipynb", UNSOLVED)
        archive.writestr("strangerjoe_555_9004_hw.ipynb", SOLVED)
        archive.writestr("__MACOSX/._mullerzoe_101_9001_lesson00.ipynb", b"\x00\x05")
        archive.writestr("../../escape.ipynb", SOLVED)
        archive.writestr("readme.txt", "not a notebook")
    (root / "roster.csv").write_text(CANVAS_EXPORT, encoding="utf-8")
    completed = run_cli(
        "grade", str(download), "--roster", str(root / "roster.csv"), "--lms", "canvas", "--bom",
        "--out", str(root / "canvas.csv"), "--seed", "3", "--no-progress",
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    return {"root": root, "stdout": completed.stdout, "csv": read_csv(root / "canvas.csv")}


def test_canvas_import_has_canvas_columns_and_a_points_possible_row(canvas):
    _, rows = canvas["csv"]
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Lesson 00 exercises"]
    assert rows[1] == ["Points Possible", "", "", "", "", "2"]


def test_canvas_rows_follow_the_roster_and_a_missing_student_has_no_grade(canvas):
    _, rows = canvas["csv"]
    assert rows[2:] == [
        ["Müller, Zoë", "101", "S-101", "zmuller", "Section A", "2"],
        ["Smith, Jane", "102", "S-102", "jsmith", "Section A", "2"],
        ["Okafor, Chidi", "103", "S-103", "cokafor", "Section B", "0"],
        ["Nguyen, An", "104", "S-104", "anguyen", "Section B", ""],
    ]


def test_the_bom_option_starts_the_file_with_a_byte_order_mark(canvas):
    raw, _ = canvas["csv"]
    assert raw.startswith("\ufeffStudent,")


def test_missing_late_and_unrostered_students_are_reported(canvas):
    stdout = canvas["stdout"]
    assert "missing (on the roster, no submission): 104" in stdout
    assert "not on the roster (kept out of an LMS import): 555" in stdout
    assert "marked late by the LMS: 102" in stdout


def test_zip_members_that_name_no_student_are_skipped_not_extracted(canvas):
    stdout = canvas["stdout"]
    assert "skipped ../../escape.ipynb" in stdout
    assert not (canvas["root"].parent / "escape.ipynb").exists()
    assert not list(canvas["root"].parent.parent.glob("escape.ipynb"))


def test_the_details_record_status_and_lateness(canvas):
    import json

    data = json.loads((canvas["root"] / "canvas.json").read_text(encoding="utf-8"))
    by_student = {entry["student"]: entry for entry in data["class"]}
    assert by_student["102"]["late"] == "late" and by_student["101"]["late"] == "on time"
    assert by_student["104"]["status"] == "missing" and by_student["555"]["status"] == "not on roster"


def test_a_moodle_download_folder_becomes_a_moodle_import(tmp_path):
    download = tmp_path / "download"
    for folder, content in (
        ("Zoë Müller_5551_assignsubmission_file_", SOLVED), ("Jane Smith_5552_assignsubmission_file_", UNSOLVED)
    ):
        (download / folder).mkdir(parents=True)
        (download / folder / "00_overfitting.ipynb").write_bytes(content)
    (tmp_path / "worksheet.csv").write_text(MOODLE_WORKSHEET, encoding="utf-8")
    completed = run_cli(
        "grade", str(download), "--roster", str(tmp_path / "worksheet.csv"), "--lms", "moodle",
        "--out", str(tmp_path / "moodle.csv"), "--seed", "3", "--no-progress",
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    _, rows = read_csv(tmp_path / "moodle.csv")
    assert rows == [
        ["Identifier", "Full name", "Grade", "Maximum grade"],
        ["Participant 5551", "Zoë Müller", "2", "2"],
        ["Participant 5552", "Jane Smith", "0", "2"],
        ["Participant 5553", "Chidi Okafor", "", "2"],
    ]


def test_a_plain_roster_marks_the_missing_in_coursekits_gradebook(tmp_path):
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    (submissions / "ada.ipynb").write_bytes(SOLVED)
    (tmp_path / "roster.csv").write_text("student,name\nada,Ada L.\nbob,Bob K.\n", encoding="utf-8")
    completed = run_cli(
        "grade", str(submissions), "--roster", str(tmp_path / "roster.csv"),
        "--out", str(tmp_path / "grades.csv"), "--seed", "3", "--no-progress",
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    with open(tmp_path / "grades.csv", newline="", encoding="utf-8") as stream:
        rows = {row["student"]: row for row in csv.DictReader(stream)}
    assert rows["ada"]["total"] == "2" and rows["ada"]["status"] == "graded" and rows["ada"]["name"] == "Ada L."
    assert rows["bob"]["total"] == "" and rows["bob"]["status"] == "missing"


# --- Names, rosters and hostile zips, without grading ---------------------------------------


@pytest.mark.parametrize(("path", "expected"), [
    ("smithjane_102_9002_hw.ipynb", Submitted("102", "canvas", "smithjane", False, "hw.ipynb")),
    ("smithjane_LATE_102_9002_hw 2.ipynb", Submitted("102", "canvas", "smithjane", True, "hw 2.ipynb")),
    ("Zoë Müller_5551_assignsubmission_file_/x.ipynb", Submitted("5551", "moodle", "Zoë Müller", None, "x.ipynb")),
    ("ada.ipynb", Submitted("ada", "plain", "", None, "ada.ipynb")),
])
def test_lms_file_names_are_mapped_to_the_lms_student_id(path, expected):
    assert identify(PurePosixPath(path)) == expected


@pytest.mark.parametrize("path", ["../../x.ipynb", "a/b/c.ipynb", "my homework.ipynb"])
def test_names_that_identify_no_student_are_refused(path):
    assert isinstance(identify(PurePosixPath(path)), str)


def test_a_zip_member_over_the_size_cap_is_skipped_by_a_bounded_read(tmp_path, monkeypatch):
    monkeypatch.setattr(protocol, "MAX_NOTEBOOK_BYTES", 1000)
    download = tmp_path / "bomb.zip"
    with zipfile.ZipFile(download, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("ada.ipynb", b"{}")
        archive.writestr("bob.ipynb", b" " * 10_000_000)  # 10 MB of spaces, a few kB compressed
    with stage_submissions(download) as staged:
        assert list(staged.students) == ["ada"]
        assert staged.skipped == [("bob.ipynb", "larger than 0 MB")]
        directory = staged.directory
    assert not directory.exists()


def test_a_file_that_is_not_a_zip_is_a_clear_error(tmp_path):
    (tmp_path / "download.zip").write_text("not a zip")
    with pytest.raises(GradingError, match="not a readable zip"):
        with stage_submissions(tmp_path / "download.zip"):
            pass


@pytest.mark.parametrize(("text", "message"), [
    ("name,email\nAda,a@x\n", r"roster.csv:1: no 'student' column"),
    ("student\nada\nbob\nada\n", r"roster.csv:4: student 'ada' is listed twice \(first on line 2\)"),
    ("student,name\n,Nobody\n", r"roster.csv:2: this row has no student id"),
    ("", r"roster.csv:1: the roster is empty"),
])
def test_a_bad_roster_names_file_and_line(tmp_path, text, message):
    (tmp_path / "roster.csv").write_text(text, encoding="utf-8")
    with pytest.raises(RosterError, match=message):
        read_roster(tmp_path / "roster.csv")


def test_canvas_export_leaves_out_points_possible_and_the_test_student(tmp_path):
    (tmp_path / "export.csv").write_text(CANVAS_EXPORT, encoding="utf-8-sig")
    roster = read_roster(tmp_path / "export.csv")
    assert roster.kind == "canvas" and roster.ids() == ["101", "102", "103", "104"]
    assert roster.get("101").name == "Müller, Zoë" and roster.get("101").section == "Section A"


def test_a_roster_that_is_not_utf8_says_how_to_save_it(tmp_path):
    (tmp_path / "roster.csv").write_bytes("student\nZoë\n".encode("latin-1"))
    with pytest.raises(RosterError, match="not UTF-8 .* save it as CSV UTF-8"):
        read_roster(tmp_path / "roster.csv")
