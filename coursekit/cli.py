"""The ``coursekit`` command line.

Each command is one module of :mod:`coursekit.commands` with ``register(subparsers)`` and
``run(args)``; this module builds the parser from them, runs the chosen command and turns what
it raises into an exit status:

- 0 or 1 as the command returns it (1 when it found problems, e.g. ``quiz validate``);
- 1 for a :class:`~coursekit.errors.CoursekitError`, the errors a user can cause and fix (an
  ``OSError``, a file the machine refused to read or write, is reported as one): one line on
  stderr, never a traceback;
- 2 for a usage error (argparse);
- 70 for any other exception, which is a bug in coursekit: one line that asks to report it. The
  traceback is printed only with ``coursekit --debug ...`` or ``COURSEKIT_DEBUG=1``.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
import warnings
from collections.abc import Sequence

import coursekit
from coursekit.commands import register_all
from coursekit.errors import CoursekitError, FileAccessError

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_INTERNAL_ERROR = 70
DEBUG_ENV = "COURSEKIT_DEBUG"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every command of :data:`coursekit.commands.COMMANDS`."""
    parser = argparse.ArgumentParser(
        prog="coursekit",
        description="Companion tools for the course 'Regularization in Deep Learning'.",
    )
    parser.add_argument("--version", action="version", version=f"coursekit {coursekit.__version__}")
    parser.add_argument(
        "--debug", action="store_true",
        help=f"print the traceback of an error (the same as {DEBUG_ENV}=1)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    register_all(subparsers)
    return parser


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"coursekit: warning: {message}", file=sys.stderr)


def _report_user_error(error: CoursekitError) -> None:
    problems = getattr(error, "errors", ())
    if len(problems) > 1:
        print(f"coursekit: {len(problems)} problem(s) in the quiz data:", file=sys.stderr)
        print(str(error), file=sys.stderr)
    elif problems:
        print("coursekit: error:", file=sys.stderr)
        print(str(error), file=sys.stderr)
    else:
        print(f"coursekit: error: {error}", file=sys.stderr)


def _report_bug(error: BaseException) -> None:
    first_line = (str(error).strip().splitlines() or [""])[0]
    print(
        f"coursekit: internal error: {type(error).__name__}: {first_line} This is a bug in "
        "coursekit: please report it with the command you ran (add --debug to see the traceback).",
        file=sys.stderr,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``coursekit`` command line.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name; default ``sys.argv[1:]``.

    Returns
    -------
    int
        The exit status: 0, 1 (problems found, or a user error), 2 (usage), 70 (a bug), 130
        (interrupted).
    """
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if getattr(args, "forward_arguments", False):
        args.forwarded = extra
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    debug = args.debug or bool(os.environ.get(DEBUG_ENV))
    with warnings.catch_warnings():
        warnings.showwarning = _show_warning
        try:
            return args.run(args)
        except BrokenPipeError:
            # The reader of our output went away (e.g. `coursekit ... | head`): stop quietly.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return EXIT_FAILURE
        except KeyboardInterrupt:
            print("\ncoursekit: interrupted.", file=sys.stderr)
            return 130
        except CoursekitError as error:
            if debug:
                traceback.print_exc()
            _report_user_error(error)
            return EXIT_FAILURE
        except OSError as error:
            if debug:
                traceback.print_exc()
            _report_user_error(FileAccessError.from_os_error(error))
            return EXIT_FAILURE
        except Exception as error:
            if debug:
                traceback.print_exc()
            _report_bug(error)
            return EXIT_INTERNAL_ERROR


if __name__ == "__main__":
    sys.exit(main())
