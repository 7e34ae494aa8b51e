"""``coursekit execute ...`` (``make execute``): the command line of :mod:`coursekit.notebook_tools`."""

from __future__ import annotations

import argparse

from coursekit.commands._forward import forward, register_forwarding

MODULE = "coursekit.notebook_tools"


def run(args: argparse.Namespace) -> int:
    """``python -m coursekit.notebook_tools`` with the words after ``coursekit execute``."""
    return forward(MODULE, args, ("execute",))


def register(subparsers: argparse._SubParsersAction) -> None:
    """``coursekit execute [ARGS ...]``."""
    register_forwarding(subparsers, "execute", MODULE, "execute notebooks in place, top to bottom, storing fresh outputs", run)
