"""From an LMS download to an LMS import: Canvas's and Moodle's files, made at test time."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import zipfile
from datetime import datetime
from pathlib import Path, PurePosixPath

import pytest
from grading_cases import EXERCISES, notebook_bytes, solution_edition, student_edition

from coursekit.grading import protocol
from coursekit.grading.assignment import GradingError
from coursekit.grading.intake import Submitted, identify, stage_submissions
from coursekit.grading.roster import RosterError, read_roster

FULL = str(len(EXERCISES))  # points possible: one per exercise of lesson 00
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
    assert rows[1] == ["Points Possible", "", "", "", "", FULL]


def test_canvas_rows_follow_the_roster_and_a_missing_student_has_no_grade(canvas):
    _, rows = canvas["csv"]
    assert rows[2:] == [
        ["Müller, Zoë", "101", "S-101", "zmuller", "Section A", FULL],
        ["Smith, Jane", "102", "S-102", "jsmith", "Section A", FULL],
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
    assert rows[0] == ["Identifier", "Full name", "Grade", "Maximum Grade", "Last modified (grade)"]
    assert [row[:4] for row in rows[1:]] == [
        ["Participant 5551", "Zoë Müller", FULL, FULL],
        ["Participant 5552", "Jane Smith", "0", FULL],
        ["Participant 5553", "Chidi Okafor", "", FULL],
    ]
    # Moodle's importer refuses a worksheet without "Last modified (grade)"; the time of grading
    # (timezone-aware, so that strtotime reads it) keeps a grade from being taken as stale.
    modified = {datetime.fromisoformat(row[4]) for row in rows[1:]}
    assert len(modified) == 1 and modified.pop().utcoffset() is not None


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
    assert rows["ada"]["total"] == FULL and rows["ada"]["status"] == "graded" and rows["ada"]["name"] == "Ada L."
    assert rows["bob"]["total"] == "" and rows["bob"]["status"] == "missing"


# --- Names, rosters and hostile zips, without grading ---------------------------------------


@pytest.mark.parametrize(("path", "expected"), [
    ("smithjane_102_9002_hw.ipynb", Submitted("102", "canvas", "smithjane", False, "hw.ipynb")),
    ("smithjane_LATE_102_9002_hw 2.ipynb", Submitted("102", "canvas", "smithjane", True, "hw 2.ipynb")),
    ("Zoë Müller_5551_assignsubmission_file_/x.ipynb", Submitted("5551", "moodle", "Zoë Müller", None, "x.ipynb")),
    ("ada.ipynb", Submitted("ada", "plain", "", None, "ada.ipynb")),
    # Canvas keeps every letter of the sortable name: "Müller, Zoë" becomes müllerzoë.
    ("müllerzoë_late_1024_88001_Lesson 01 (2).ipynb",
     Submitted("1024", "canvas", "müllerzoë", True, "Lesson 01 (2).ipynb")),
    ("o_brien_1029_88005_hw_2_3.ipynb", Submitted("1029", "canvas", "o_brien", False, "hw_2_3.ipynb")),
    # macOS writes decomposed accents (NFD) when it unpacks a download.
    ("mu\u0308llerzoe\u0308_1024_88001_x.ipynb", Submitted("1024", "canvas", "müllerzoë", False, "x.ipynb")),
    # Moodle: a folder the student uploaded, and the download without "in folders".
    ("Zoë Müller_5551_assignsubmission_file_/work/x.ipynb",
     Submitted("5551", "moodle", "Zoë Müller", None, "work/x.ipynb")),
    ("Jane Smith_5552_assignsubmission_file_lesson01.ipynb",
     Submitted("5552", "moodle", "Jane Smith", None, "lesson01.ipynb")),
])
def test_lms_file_names_are_mapped_to_the_lms_student_id(path, expected):
    assert identify(PurePosixPath(path)) == expected


@pytest.mark.parametrize("path", [
    "../../x.ipynb", "a/b/c.ipynb", "my homework.ipynb", "../Jane_5552_assignsubmission_file_/x.ipynb",
])
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


def _without_utf8_flag(path: Path, names: dict[str, bytes]) -> None:
    """A zip whose member names are UTF-8 bytes without the UTF-8 flag, as some LMS zips are."""
    placeholders = {}
    with zipfile.ZipFile(path, "w") as archive:
        for number, (name, content) in enumerate(names.items()):
            encoded = name.encode("utf-8")
            placeholder = f"{number:02d}".encode() + b"x" * (len(encoded) - 2)
            placeholders[placeholder] = encoded
            archive.writestr(placeholder.decode("ascii"), content)
    raw = path.read_bytes()
    for placeholder, encoded in placeholders.items():
        raw = raw.replace(placeholder, encoded)
    path.write_bytes(raw)


def test_a_zip_without_the_utf8_flag_is_read_with_utf8_names(tmp_path):
    download = tmp_path / "download.zip"
    _without_utf8_flag(download, {"müllerzoë_1024_88001_x.ipynb": b"{}"})
    with zipfile.ZipFile(download) as archive:
        assert archive.infolist()[0].flag_bits & 0x800 == 0  # the case this test is about
    with stage_submissions(download) as staged:
        assert staged.students == {"1024": Submitted("1024", "canvas", "müllerzoë", False, "x.ipynb")}
        assert staged.skipped == []


def test_a_moodle_folder_is_read_below_its_top_without_jupyter_checkpoints(tmp_path):
    folder = tmp_path / "download" / "Zoë Müller_5551_assignsubmission_file_"
    (folder / "work" / ".ipynb_checkpoints").mkdir(parents=True)
    (folder / "work" / ".ipynb_checkpoints" / "01-checkpoint.ipynb").write_bytes(UNSOLVED)
    (folder / "work" / "01.ipynb").write_bytes(SOLVED)
    with stage_submissions(tmp_path / "download") as staged:
        assert list(staged.students) == ["5551"] and staged.skipped == []
        assert (staged.directory / "5551.ipynb").read_bytes() == SOLVED


CANVAS_HEADERS = {
    "as exported": "Student,ID,SIS User ID,SIS Login ID,Section,Lesson 01 (777)\n",
    "without SIS User ID": "Student,ID,SIS Login ID,Section,Lesson 01 (777)\n",
    "first and last names": "LastName,FirstName,ID,SIS User ID,SIS Login ID,Section,Lesson 01 (777)\n",
}


@pytest.mark.parametrize("variant", sorted(CANVAS_HEADERS))
def test_canvas_exports_with_a_manual_posting_row_and_other_columns_are_read(tmp_path, variant):
    header = CANVAS_HEADERS[variant]
    columns = header.count(",") + 1
    def row(*cells: str) -> str:
        return ",".join(cells) + "," * (columns - len(cells)) + "\n"
    names = [["Müller", "Zoë"], ["Student", "Test"]] if variant == "first and last names" else [
        ['"Müller, Zoë"'], ['"Student, Test"']]
    sis = [["S-1024"], [""]] if "SIS User ID" in header else [[], []]
    text = (
        header
        + "," * (columns - 1) + "Manual Posting\n"  # Canvas's row for assignments posted manually
        + row("    Points Possible", *[""] * (columns - 2), "5")
        + row(*names[0], "1024", *sis[0], "zmuller", "Section A")
        + row(*names[1], "9999", *sis[1], "", "Section A")
    )
    (tmp_path / "export.csv").write_text(text, encoding="utf-8")
    roster = read_roster(tmp_path / "export.csv")
    assert roster.kind == "canvas" and roster.ids() == ["1024"]
    assert roster.get("1024").name == "Müller, Zoë" and roster.get("1024").sis_login_id == "zmuller"


def test_a_student_who_handed_in_only_another_file_is_named_and_other_files_are_not_listed(tmp_path):
    download = tmp_path / "download.zip"
    with zipfile.ZipFile(download, "w") as archive:
        archive.writestr("smithjane_1025_88002_lesson01.ipynb", b"{}")
        archive.writestr("smithjane_1025_88003_export.pdf", b"%PDF")  # beside her notebook
        archive.writestr("okaforchidi_late_1026_88004_lesson01.pdf", b"%PDF")  # instead of one
        archive.writestr("readme.txt", b"not a notebook")
    with stage_submissions(download) as staged:
        assert list(staged.students) == ["1025"]
        assert staged.skipped == [
            ("okaforchidi_late_1026_88004_lesson01.pdf", "not a notebook (.ipynb), and student 1026 handed in no notebook"),
        ]
