"""Commands that hand their arguments on to a module's own command line (``coursekit bench ...``)."""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable


def register_forwarding(
    subparsers: argparse._SubParsersAction, name: str, module: str, help: str,
    run: Callable[[argparse.Namespace], int],
) -> None:
    """Add command ``name``, whose ``run`` hands every word after the name to ``module``.

    The module's own parser reads (and documents: ``coursekit NAME --help``) the arguments, so
    they are defined once. The parser added here takes none itself: ``prefix_chars`` that no
    argument starts with make it leave every word to the module, and ``forward_arguments`` tells
    :func:`coursekit.cli.main` to pass them on as ``args.forwarded``.
    """
    parser = subparsers.add_parser(
        name, help=help, add_help=False, prefix_chars="\0",
        description=f"{help}. Takes the arguments of python -m {module} (see coursekit {name} --help).",
    )
    parser.set_defaults(run=run, forward_arguments=True)


def forward(module: str, args: argparse.Namespace, prefix: tuple[str, ...] = ()) -> int:
    """Run ``module.main([*prefix, *args.forwarded])`` and return its exit status."""
    status = importlib.import_module(module).main([*prefix, *args.forwarded])
    return 0 if status is None else status
