"""``coursekit bench ...`` (``make bench``): the command line of :mod:`coursekit.bench`."""

from __future__ import annotations

import argparse

from coursekit.commands._forward import forward, register_forwarding

MODULE = "coursekit.bench"


def run(args: argparse.Namespace) -> int:
    """``python -m coursekit.bench`` with the words after ``coursekit bench``."""
    return forward(MODULE, args)


def register(subparsers: argparse._SubParsersAction) -> None:
    """``coursekit bench [ARGS ...]``."""
    register_forwarding(subparsers, "bench", MODULE, "time and peak memory of every notebook and the unit tests (build/bench.json)", run)
