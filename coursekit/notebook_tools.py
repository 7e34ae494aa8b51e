"""Execute lesson notebooks headless, top to bottom, and store their outputs.

``python -m coursekit.notebook_tools execute notebooks/*.ipynb`` is what ``make execute`` runs.
Stored outputs therefore always come from one real, in-order execution with the same
environment nbval uses (``COURSEKIT_HEADLESS=1``, quiet TensorFlow).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from coursekit.display import HEADLESS_VARIABLE
from coursekit.session import SEED_OFFSET_VARIABLE, TF_ENVIRONMENT, seed_offset

#: Environment of every headless notebook execution (nbval sets the same in conftest.py).
HEADLESS_ENVIRONMENT = {HEADLESS_VARIABLE: "1", "PYTHONHASHSEED": "0", **TF_ENVIRONMENT}


def headless_environment() -> None:
    """Apply :data:`HEADLESS_ENVIRONMENT` to this process (kernels inherit it)."""
    os.environ.update(HEADLESS_ENVIRONMENT)
    os.environ.pop("MPLBACKEND", None)


def coalesce_streams(outputs: list) -> list:
    """Merge consecutive stream outputs of the same name (stdout pieces flushed separately)."""
    merged: list = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (
            output.output_type == "stream" and previous is not None
            and previous.output_type == "stream" and previous.name == output.name
        ):
            previous.text += output.text
        else:
            merged.append(output)
    return merged


def execute_notebook(path: Path, *, timeout: int = 600, write: bool = True):
    """Run a notebook top to bottom in a fresh kernel of this Python environment.

    Parameters
    ----------
    path : Path
        The ``.ipynb`` file.
    timeout : int, default=600
        Per-cell time limit in seconds.
    write : bool, default=True
        Store the executed notebook back in ``path``.

    Returns
    -------
    nbformat.NotebookNode
        The executed notebook. Cell metadata about execution timing is removed so that a
        re-execution changes only what really changed.
    """
    import nbformat
    from nbclient import NotebookClient

    headless_environment()
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = coalesce_streams(cell.outputs)
    if write:
        nbformat.write(notebook, path)
    return notebook


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m coursekit.notebook_tools")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("execute", help="execute notebooks in place, top to bottom")
    run.add_argument("notebooks", nargs="+", type=Path)
    run.add_argument("--timeout", type=int, default=600, help="per-cell limit in seconds")
    run.add_argument("--no-write", action="store_true", help="execute only; leave the files as they are")
    args = parser.parse_args(argv)
    offset = seed_offset()
    if offset and not args.no_write:
        print(f"Note: {SEED_OFFSET_VARIABLE}={offset}: the stored outputs will come from seeds other "
              "than the ones nbval checks against. Unset it to store the course's outputs.")
    for path in args.notebooks:
        start = time.perf_counter()
        execute_notebook(path, timeout=args.timeout, write=not args.no_write)
        print(f"executed {path} in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
