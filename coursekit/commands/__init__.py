"""The commands of ``coursekit``: one module per command.

Each module has ``register(subparsers)``, which adds the command's parser and sets its
``run``, and ``run(args) -> int``, which does the work by calling the module that owns it (quiz,
grading, site, ...) and returns the exit status. A command that hands its arguments on to a
module's own parser (``coursekit bench ...``) sets ``forward_arguments=True``: :mod:`coursekit.cli`
then passes the words after the command's name as ``args.forwarded``.

To add a command, write ``coursekit/commands/<name>.py`` and add its name to :data:`COMMANDS`.
Implementations are imported inside ``run``, so that ``coursekit --help`` stays fast and no
command module imports the CLI back.
"""

from __future__ import annotations

import argparse
import importlib

#: The command modules, in the order ``coursekit --help`` lists them.
COMMANDS = (
    "quiz", "flashcards", "progress", "grade", "solutions", "site", "audio", "report", "gradescope",
    "author", "lab", "execute", "claims", "bench", "bench_grade",
)


def register_all(subparsers: argparse._SubParsersAction) -> None:
    """Add every command of :data:`COMMANDS` to ``subparsers``."""
    for name in COMMANDS:
        importlib.import_module(f"coursekit.commands.{name}").register(subparsers)
