"""The errors a user can cause: the ``CoursekitError`` family.

The command line maps exactly this family to "user error" (one line on stderr, exit status 1).
Any other exception escaping a command is a bug in coursekit: the command line says so in one
line and exits with status 70 (see :mod:`coursekit.cli`).

Each subclass that replaces a built-in ``ValueError`` (or ``OSError``) keeps it as a second base,
so that code and tests catching the built-in keep working. This module imports nothing from
coursekit, so every module can raise these errors without an import cycle.
"""

from __future__ import annotations


class CoursekitError(Exception):
    """Something the user can fix: a bad argument, a broken data file, a missing course file."""


class UsageError(CoursekitError, ValueError):
    """A command's arguments do not fit together, or a value given to it is out of range."""


class CourseNotFound(CoursekitError, FileNotFoundError):
    """The course's files (lesson notebooks, a lesson, its quiz bank) are not where they should be."""


class LessonError(CoursekitError, ValueError):
    """A lesson id that is not a lesson number (``"3a"``, ``"123"``) or names no lesson."""


class BankError(CoursekitError, ValueError):
    """A quiz bank, the glossary or a quiz responses file that cannot be used as it is."""


class SubmissionError(CoursekitError, ValueError):
    """Grading cannot go on with these submissions, roster or grading files."""


class ProgressError(CoursekitError, ValueError):
    """A value that cannot be recorded in the learner's progress file."""


class FileAccessError(CoursekitError, OSError):
    """A file or folder named by the user cannot be read or written (missing, a folder, no permission)."""

    @classmethod
    def from_os_error(cls, error: OSError) -> FileAccessError:
        """The same failure as a user error, its message naming the file when the OS gave one."""
        reason = error.strerror or str(error)
        message = f"{error.filename}: {reason}" if error.filename else reason
        return cls(error.errno, message)

    def __str__(self) -> str:
        return self.strerror if self.strerror else super().__str__()


class EngineMissing(CoursekitError, RuntimeError):
    """A program coursekit needs for this command (a speech engine, say) is not installed."""
