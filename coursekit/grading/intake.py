"""Submissions as an LMS hands them over: Canvas's and Moodle's downloads, as a folder or a zip.

:func:`stage_submissions` turns what the instructor downloaded into the grader's layout (one
``STUDENT_ID.ipynb`` per student in a fresh private folder) and records, per student, who they
are in the LMS and whether the LMS marked the work late. Three layouts are recognised, file by
file:

==========  ==========================================================================  =========
layout      name (in the folder or the zip)                                             id
==========  ==========================================================================  =========
Canvas      ``lastnamefirstname_<userid>_<submissionid>_<original>`` (``_late_`` after  user id
            the name when late), as "Download Submissions" names them; Canvas keeps
            the letters of a name, accented ones too (``müllerzoë_1024_...``)
Moodle      ``<Full Name>_<participant id>_assignsubmission_file_/<original>``, a       participant
            folder per student, as "Download all submissions" lays them out (the        id
            notebook may be in a subfolder the student uploaded); without "Download
            submissions in folders", ``<Full Name>_<id>_assignsubmission_file_<orig>``
plain       ``STUDENT_ID.ipynb``                                                        file stem
==========  ==========================================================================  =========

A zip member's name is UTF-8 even where the zip does not flag it so (as Canvas's and Moodle's
zips may not): a name that Python's zip reader decoded as CP437 is decoded again as UTF-8.

**A zip is untrusted.** Members are read, never extracted: no member name becomes a path (so no
``../`` or absolute name can escape), only ``.ipynb`` members are read, each through a bounded
read of at most :data:`~coursekit.grading.protocol.MAX_NOTEBOOK_BYTES`, with caps on the number
of members and on the total read (a zip bomb stops at the cap). A folder is walked without
following symlinks.
"""

from __future__ import annotations

import re
import shutil
import stat
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from coursekit.grading import protocol
from coursekit.grading.assignment import GradingError

#: Most members of a zip that are looked at, and most bytes read from it in total.
MAX_MEMBERS = 10_000
MAX_TOTAL_BYTES = 4 * 2**30

#: Canvas writes the sortable name without its non-word characters, so ``login`` may hold any
#: letter (``müllerzoë``); it is matched lazily, so that ``_late`` and the ids are never part of it.
_CANVAS = re.compile(
    r"(?P<login>[^\W_]\w*?)(?P<late>_late)?_(?P<user>\d+)_(?P<submission>\d+)_(?P<original>.+)",
    re.IGNORECASE,
)
_MOODLE = re.compile(r"(?P<name>.+)_(?P<participant>\d+)_assignsubmission_file_?")
_MOODLE_FLAT = re.compile(r"(?P<name>.+)_(?P<participant>\d+)_assignsubmission_file_(?P<original>.+)")
#: Deepest folder read inside a Moodle submission folder (a student may upload a folder).
MAX_DEPTH = 4
#: Why a file that is not a notebook was skipped; in a zip such a file is listed only when it
#: is all that a student of the LMS handed in (a PDF instead of the notebook).
NOT_A_NOTEBOOK = "not a notebook (.ipynb)"
_UNLISTED = "not a notebook (.ipynb), listed only when it is a student's only file"
_PLAIN = re.compile(r"[^\W][\w.+@-]{0,99}")


@dataclass(frozen=True)
class Submitted:
    """One student's submission as the LMS identified it.

    Attributes
    ----------
    student : str
        The id the grader uses (file stem of the staged notebook): the LMS id where there is one.
    layout : {"canvas", "moodle", "plain"}
    name : str
        The student's name or login as the LMS wrote it ("smithjane", "Jane Smith"); may be "".
    late : bool or None
        Canvas's ``_late_`` marker; ``None`` where the layout does not say (Moodle, plain).
    original : str
        The file name the student uploaded.
    """

    student: str
    layout: str
    name: str = ""
    late: bool | None = None
    original: str = ""


@dataclass
class Staged:
    """The staged folder and what is known about each student in it."""

    directory: Path
    students: dict[str, Submitted] = field(default_factory=dict)
    skipped: list[tuple[str, str]] = field(default_factory=list)

    @property
    def layout(self) -> str:
        layouts = {entry.layout for entry in self.students.values()}
        return layouts.pop() if len(layouts) == 1 else "mixed"


def identify(relative: PurePosixPath) -> Submitted | str:
    """Who submitted the notebook at ``relative`` (a path inside the download), or why unknown."""
    parts = tuple(unicodedata.normalize("NFC", part) for part in relative.parts)
    original = parts[-1]
    if ".." in parts:
        return "the name leads out of the download (..)"
    for depth, folder in enumerate(parts[:-1]):
        moodle = _MOODLE.fullmatch(folder)
        if moodle:
            name = moodle.group("name").strip()
            return Submitted(moodle.group("participant"), "moodle", name, None, "/".join(parts[depth + 1:]))
    if len(parts) > 2:
        return "not at the top of the download or in a Moodle submission folder"
    flat = _MOODLE_FLAT.fullmatch(original)
    if flat:
        name = flat.group("name").strip()
        return Submitted(flat.group("participant"), "moodle", name, None, flat.group("original"))
    canvas = _CANVAS.fullmatch(original)
    if canvas:
        late = canvas.group("late") is not None
        return Submitted(canvas.group("user"), "canvas", canvas.group("login"), late, canvas.group("original"))
    stem = original[: -len(".ipynb")]
    if len(parts) == 1 and _PLAIN.fullmatch(stem):
        return Submitted(stem, "plain", "", None, original)
    return "the file name is neither a student id nor a Canvas or Moodle download name"


def _member_name(info: zipfile.ZipInfo) -> str:
    """The member's name, as UTF-8 where the zip did not set its UTF-8 flag but the bytes are UTF-8."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("utf-8")
    except UnicodeError:
        return info.filename


def _members_of_zip(path: Path) -> Iterator[tuple[PurePosixPath, bytes | str]]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise GradingError(f"{path.name} is not a readable zip file ({error}).") from None
    total = 0
    with archive:
        for number, info in enumerate(archive.infolist()):
            name = PurePosixPath(_member_name(info).replace("\\", "/"))
            if number >= MAX_MEMBERS:
                yield name, f"more than {MAX_MEMBERS} members in the zip; the rest were not read"
                return
            if info.is_dir():
                continue
            if any(part.startswith(".") and part != ".." for part in name.parts):  # .ipynb_checkpoints
                continue
            if "__MACOSX" in name.parts:
                continue
            if name.suffix.lower() != ".ipynb":
                yield name, _UNLISTED
                continue
            if info.file_size > protocol.MAX_NOTEBOOK_BYTES:
                yield name, f"larger than {protocol.MAX_NOTEBOOK_BYTES // 2**20} MB"
                continue
            try:
                with archive.open(info) as stream:
                    content = stream.read(protocol.MAX_NOTEBOOK_BYTES + 1)
            except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError) as error:
                yield name, f"could not be read from the zip ({type(error).__name__})"
                continue
            total += len(content)
            if len(content) > protocol.MAX_NOTEBOOK_BYTES:
                yield name, f"larger than {protocol.MAX_NOTEBOOK_BYTES // 2**20} MB"
            elif total > MAX_TOTAL_BYTES:
                yield name, f"the zip holds more than {MAX_TOTAL_BYTES // 2**30} GiB of notebooks"
                return
            else:
                yield name, content


def _members_of_folder(directory: Path) -> Iterator[tuple[PurePosixPath, bytes | str]]:
    for path in sorted(directory.iterdir()):
        info = path.lstat()
        relative = PurePosixPath(path.name)
        if stat.S_ISDIR(info.st_mode) and _MOODLE.fullmatch(path.name):
            inner = list(_notebooks_below(path, relative))
            if not inner:
                yield relative, "a Moodle submission folder without a notebook (.ipynb)"
            for item, item_relative in inner:
                yield from _read_file(item, item_relative)
        elif path.suffix.lower() != ".ipynb":
            yield relative, NOT_A_NOTEBOOK
        elif not stat.S_ISREG(info.st_mode):
            yield relative, "not a regular file"
        else:
            yield from _read_file(path, relative)


def _notebooks_below(folder: Path, relative: PurePosixPath, depth: int = 0) -> Iterator[tuple[Path, PurePosixPath]]:
    """The ``.ipynb`` files in ``folder`` and its subfolders (symlinks not followed), in name order."""
    for item in sorted(folder.iterdir()):
        if item.name.startswith("."):  # .ipynb_checkpoints, macOS's ._ files
            continue
        if stat.S_ISDIR(item.lstat().st_mode) and depth < MAX_DEPTH:
            yield from _notebooks_below(item, relative / item.name, depth + 1)
        elif item.suffix.lower() == ".ipynb":
            yield item, relative / item.name


def _read_file(path: Path, relative: PurePosixPath) -> Iterator[tuple[PurePosixPath, bytes | str]]:
    try:
        yield relative, protocol.read_bounded(path, protocol.MAX_NOTEBOOK_BYTES)
    except protocol.ProtocolError as error:
        yield relative, str(error)


@contextmanager
def stage_submissions(source: Path) -> Iterator[Staged]:
    """Stage ``source`` (a folder or a ``.zip``) as one ``STUDENT_ID.ipynb`` per student.

    The staged folder is private (``mkdtemp``) and removed on exit. Notebooks that cannot be
    attributed to one student are listed in :attr:`Staged.skipped` with the reason, and so is a
    second notebook for the same student and, from a zip, another file of a student who handed
    in no notebook (a folder lists every file that is not a notebook).

    Raises
    ------
    GradingError
        When ``source`` is neither a folder nor a zip file, or holds no notebook.
    """
    if source.is_file() and source.suffix.lower() == ".zip":
        members = _members_of_zip(source)
    elif source.is_dir():
        members = _members_of_folder(source)
    else:
        raise GradingError(
            f"SUBMISSIONS must be a folder of notebooks or an LMS download (.zip), got {str(source)!r}."
        )
    staged = Staged(Path(tempfile.mkdtemp(prefix="coursekit-intake-")))
    others: list[tuple[PurePosixPath, str]] = []
    try:
        for relative, content in members:
            label = str(relative)[:200]
            if content in (NOT_A_NOTEBOOK, _UNLISTED):
                others.append((relative, content))
                continue
            if isinstance(content, str):
                staged.skipped.append((label, content))
                continue
            who = identify(relative)
            if isinstance(who, str):
                staged.skipped.append((label, who))
            elif who.student in staged.students:
                staged.skipped.append((label, f"a second notebook for student {who.student!r}"))
            else:
                staged.students[who.student] = who
                (staged.directory / f"{who.student}.ipynb").write_bytes(content)
        for relative, reason in others:
            who = identify(relative)
            if isinstance(who, Submitted) and who.layout != "plain" and who.student not in staged.students:
                staged.skipped.append((str(relative)[:200], f"{NOT_A_NOTEBOOK}, and student {who.student} handed in no notebook"))
            elif reason == NOT_A_NOTEBOOK:
                staged.skipped.append((str(relative)[:200], reason))
        if not staged.students:
            found = f" (skipped: {', '.join(name for name, _ in staged.skipped[:5])})" if staged.skipped else ""
            raise GradingError(f"no notebooks (.ipynb files) to grade in {str(source)!r}{found}.")
        yield staged
    finally:
        shutil.rmtree(staged.directory, ignore_errors=True)
