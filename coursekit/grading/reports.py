"""Writing reports safely: inert text, files written without following links, JSON, the summary.

The gradebook formats live in :mod:`~coursekit.grading.gradebook`, the students' feedback in
:mod:`~coursekit.grading.feedback`.

**Untrusted text stays inert.** File names, exception messages, stderr lines and type names
come from submissions. Before any of it reaches a report it goes through :func:`inert`
(control characters, ANSI/OSC escapes, bidirectional overrides and line breaks removed, length
capped), and then through the escaping of the format: :func:`markdown_text` for Markdown (every
character that Markdown or HTML would read as markup is escaped, so no table row, link, image
or raw HTML can be forged), :func:`csv_cell` for spreadsheets (no formula). The JSON details
are JSON-escaped by construction, with :func:`inert` text as well.

**Written without following symlinks.** Each output is written to a fresh temporary file in
its folder (``O_CREAT | O_EXCL | O_NOFOLLOW``) and renamed over the target, so a symlink or
FIFO planted at the target's name is replaced, never followed or opened.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import unicodedata
from pathlib import Path

import numpy as np

from coursekit.grading.grader import ClassReport

#: Longest untrusted text kept in a report line.
MAX_TEXT = 600
_ESCAPE_SEQUENCE = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?|[@-_])")
#: Characters that are Markdown syntax anywhere in a line (``(``, ``)`` and ``!`` only follow ``]``).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]#|~])")
#: What starts a list, a heading or a quote at the start of a line.
_LINE_START = re.compile(r"^(\s*)([-+=]|\d+[.)])")


def inert(text: object, limit: int = MAX_TEXT) -> str:
    """``text`` as one line of plain characters: no controls, escapes, or bidi overrides.

    Parameters
    ----------
    text : object
        Converted with ``str``.
    limit : int, default=600
        Longest result; longer text is cut and ends with "…".
    """
    text = _ESCAPE_SEQUENCE.sub("", str(text))
    kept = []
    for character in text:
        category = unicodedata.category(character)
        if character in "\n\r\t\v\f":
            kept.append(" ")
        elif category[0] == "C" or category in ("Zl", "Zp"):  # Cc, Cf (bidi, zero width), Co, Cs, Cn
            continue
        else:
            kept.append(character)
    line = "".join(kept)
    return line if len(line) <= limit else line[: limit - 1] + "…"


def markdown_text(text: object, limit: int = MAX_TEXT) -> str:
    """:func:`inert` text with every Markdown and HTML special character escaped."""
    line = inert(text, limit)
    line = line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    line = _MARKDOWN_SPECIAL.sub(r"\\\1", line)
    return _LINE_START.sub(r"\1\\\2", line)


def csv_cell(text: object) -> str:
    """:func:`inert` text that a spreadsheet will not run as a formula."""
    line = inert(text)
    return f"'{line}" if line[:1] in ("=", "+", "-", "@", "\t", "\r") else line


def write_safely(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a fresh file and a rename (never following a link).

    Raises
    ------
    OSError
        When the folder of ``path`` cannot be written, or ``path`` is a folder.
    """
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir() and not path.is_symlink():
        raise IsADirectoryError(f"{str(path)!r} is a folder; give a file name to write.")
    temporary = folder / f".{path.name}.{secrets.token_hex(6)}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    descriptor = os.open(temporary, flags, 0o644)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _inert_tree(value: object) -> object:
    if type(value) is str:
        return inert(value, 4 * MAX_TEXT)
    if type(value) is list:
        return [_inert_tree(item) for item in value]
    if type(value) is dict:
        return {key: _inert_tree(item) for key, item in value.items()}
    return value


def write_details(report: ClassReport, path: Path, rows: list | None = None) -> None:
    """JSON with every case outcome, note and timing (see :func:`write_safely`).

    ``rows`` (:func:`coursekit.grading.gradebook.class_rows`) adds the class list: per student,
    the status (graded, missing, not on roster), the LMS's lateness mark and name.
    """
    data = report.to_dict()
    if rows is not None:
        data["class"] = [
            {"student": row.student, "status": row.status, "late": row.late, "name": row.name} for row in rows
        ]
    write_safely(path, json.dumps(_inert_tree(data), indent=2, ensure_ascii=False))


def summary_table(report: ClassReport) -> str:
    """Plain-text table of the class: one line per student, then averages and skipped files."""
    widths = [max(len(name), 6) for name in report.exercises]
    students = [inert(grade.student, 40) for grade in report.grades]
    first = max([len("student"), *(len(student) for student in students)])
    header = f"{'student':<{first}}  " + "  ".join(
        f"{name:>{width}}" for name, width in zip(report.exercises, widths, strict=True)
    )
    header += f"  {'total':>6}"
    rule = "-" * len(header)
    lines = [header, rule]
    for student, grade in zip(students, report.grades, strict=True):
        cells = "  ".join(
            f"{grade.scores[name]:>{width}.2f}" for name, width in zip(report.exercises, widths, strict=True)
        )
        lines.append(f"{student:<{first}}  {cells}  {grade.total:>6.2f}")
    means = "  ".join(
        f"{np.mean([grade.scores[name] for grade in report.grades]):>{width}.2f}"
        for name, width in zip(report.exercises, widths, strict=True)
    )
    mean_total = np.mean([grade.total for grade in report.grades])
    lines += [rule, f"{'mean':<{first}}  {means}  {mean_total:>6.2f}"]
    rate = 60 * len(report.grades) / report.seconds if report.seconds else 0.0
    lines.append(
        f"{len(report.grades)} notebook(s) graded in {report.seconds:.1f} s ({rate:.0f} per minute), "
        f"lesson {report.lesson}, seed {report.seed}."
    )
    lines.append(f"isolation: {report.isolation}.")
    lines.append(f"canary: {inert(report.canary)}.")
    for student, grade in zip(students, report.grades, strict=True):
        for note in grade.notes:
            lines.append(f"note on {student}: {inert(note)}")
    for name, reason in report.skipped:
        lines.append(f"skipped {inert(name, 120)}: {inert(reason)}")
    return "\n".join(lines)
