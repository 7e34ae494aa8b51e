"""``coursekit bench-grade ...`` (``make bench-grade``): the command line of :mod:`coursekit.grading.bench`."""

from __future__ import annotations

import argparse

from coursekit.commands._forward import forward, register_forwarding

MODULE = "coursekit.grading.bench"


def run(args: argparse.Namespace) -> int:
    """``python -m coursekit.grading.bench`` with the words after ``coursekit bench-grade``."""
    return forward(MODULE, args)


def register(subparsers: argparse._SubParsersAction) -> None:
    """``coursekit bench-grade [ARGS ...]``."""
    register_forwarding(subparsers, "bench-grade", MODULE, "grade a generated class: submissions per minute and peak memory", run)
