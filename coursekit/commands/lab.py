"""``coursekit lab ...`` (``make lab``): the command line of :mod:`coursekit.launch`."""

from __future__ import annotations

import argparse

from coursekit.commands._forward import forward, register_forwarding

MODULE = "coursekit.launch"


def run(args: argparse.Namespace) -> int:
    """``python -m coursekit.launch`` with the words after ``coursekit lab``."""
    return forward(MODULE, args)


def register(subparsers: argparse._SubParsersAction) -> None:
    """``coursekit lab [ARGS ...]``."""
    register_forwarding(subparsers, "lab", MODULE, "open JupyterLab on a lesson (headless where there is no browser)", run)
