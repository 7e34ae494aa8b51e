"""``coursekit claims ...`` (``make claims``): the command line of :mod:`coursekit.claims`."""

from __future__ import annotations

import argparse

from coursekit.commands._forward import forward, register_forwarding

MODULE = "coursekit.claims"


def run(args: argparse.Namespace) -> int:
    """``python -m coursekit.claims`` with the words after ``coursekit claims``."""
    return forward(MODULE, args)


def register(subparsers: argparse._SubParsersAction) -> None:
    """``coursekit claims [ARGS ...]``."""
    register_forwarding(subparsers, "claims", MODULE, "execute every lesson at several seed offsets; table of the asserts that failed", run)
