"""``make claims``: execute every lesson at several seed offsets and report which asserts fail.

Each asserted claim in a lesson must hold on seeds nobody chose. This sweep executes each
notebook top to bottom once per offset, with ``COURSEKIT_SEED_OFFSET`` set (see
:mod:`coursekit.session`), without writing it back. Every cell runs even after an earlier one
fails, so one run reports all of a lesson's failing claims. It prints, per lesson, each cell
that raised, at which offsets, with the assert message, and the wall time of each run. The same
figures go to ``build/claims.json``. The exit status is 1 if any claim failed anywhere.

    python -m coursekit.claims notebooks/02_dropout.ipynb --offsets 0 1000 2000
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from coursekit.session import SEED_OFFSET_VARIABLE

ROOT = Path(__file__).resolve().parents[1]

#: Offsets of the default sweep: 20 values nobody tuned on, spread so that no two runs share
#: a seed (lessons use at most a few hundred consecutive seeds from their bases).
DEFAULT_OFFSETS = tuple(range(1000, 21000, 1000))


@dataclass
class Failure:
    """One cell that raised during one execution."""

    cell: int
    error: str
    message: str
    source: str


@dataclass
class Run:
    """One execution of one notebook at one offset."""

    notebook: str
    offset: int
    seconds: float
    failures: list[Failure] = field(default_factory=list)


def _first_line(text: str, limit: int = 100) -> str:
    line = next((part.strip() for part in text.splitlines() if part.strip()), "")
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _assert_line(source: str, traceback: list[str]) -> str:
    """The source line that failed, from the last ``---->`` marker of IPython's traceback."""
    import re

    ansi = re.compile(r"\x1b\[[0-9;]*m")
    for frame in reversed(traceback):
        for line in ansi.sub("", frame).splitlines():
            if line.lstrip().startswith("---->"):
                return _first_line(line.split("---->", 1)[1].lstrip(" 0123456789"))
    return _first_line(source)


def run_notebook(path: Path, offset: int, timeout: int = 600) -> Run:
    """Execute ``path`` at ``offset`` with every cell run; collect the cells that raised."""
    import nbformat
    from nbclient import NotebookClient

    from coursekit.notebook_tools import headless_environment

    saved = dict(os.environ)
    headless_environment()
    # The kernel inherits this process's environment; restore it afterwards, so that a caller
    # (a test run, then nbval at offset 0) never inherits the offset.
    os.environ[SEED_OFFSET_VARIABLE] = str(offset)
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook, timeout=timeout, kernel_name="python3", allow_errors=True,
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    try:
        client.execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    seconds = round(time.perf_counter() - start, 1)
    failures = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                failures.append(Failure(
                    cell=index, error=output.ename, message=_first_line(output.evalue),
                    source=_assert_line(cell.source, output.traceback),
                ))
    return Run(notebook=path.name, offset=offset, seconds=seconds, failures=failures)


def _run_job(job: tuple[str, int, int]) -> Run:
    path, offset, timeout = job
    return run_notebook(Path(path), offset, timeout)


def report(runs: list[Run]) -> str:
    """A table per lesson: each failing cell with its offsets, then the run times."""
    lines = []
    for name in sorted({run.notebook for run in runs}):
        mine = sorted((run for run in runs if run.notebook == name), key=lambda run: run.offset)
        passed = sum(not run.failures for run in mine)
        times = [run.seconds for run in mine]
        lines.append(f"\n{name}: {passed}/{len(mine)} offsets pass; "
                     f"wall time min {min(times):.1f} s, max {max(times):.1f} s")
        by_claim: dict[tuple[int, str], list[int]] = {}
        messages: dict[tuple[int, str], str] = {}
        for run in mine:
            for failure in run.failures:
                key = (failure.cell, failure.source)
                by_claim.setdefault(key, []).append(run.offset)
                messages[key] = f"{failure.error}: {failure.message}" if failure.message else failure.error
        for (cell, source), offsets in sorted(by_claim.items()):
            lines.append(f"  cell {cell:3d} failed at {len(offsets)}/{len(mine)} "
                         f"(offsets {', '.join(map(str, offsets))})")
            lines.append(f"           {source}")
            lines.append(f"           {messages[(cell, source)]}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m coursekit.claims", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every lesson notebook")
    parser.add_argument("--offsets", nargs="+", type=int, default=list(DEFAULT_OFFSETS),
                        help="seed offsets to run at (default: 20 offsets, 1000 to 20000)")
    parser.add_argument("--workers", type=int, default=2, help="notebooks executed at once")
    parser.add_argument("--timeout", type=int, default=600, help="per-cell limit in seconds")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "claims.json")
    args = parser.parse_args(argv)
    if any(offset < 0 for offset in args.offsets):
        parser.error("--offsets must be non-negative integers")
    notebooks = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    jobs = [(str(path), offset, args.timeout) for path in notebooks for offset in args.offsets]
    print(f"executing {len(notebooks)} notebook(s) at {len(args.offsets)} offset(s) "
          f"with {args.workers} worker(s)", flush=True)
    runs = []
    with ProcessPoolExecutor(max_workers=max(1, args.workers)) as pool:
        for run in pool.map(_run_job, jobs):
            status = "ok" if not run.failures else f"{len(run.failures)} failing cell(s)"
            print(f"  {run.notebook:36s} offset {run.offset:6d} {run.seconds:6.1f} s  {status}", flush=True)
            runs.append(run)
    print(report(runs))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps([asdict(run) for run in runs], indent=2) + "\n")
    return 1 if any(run.failures for run in runs) else 0


if __name__ == "__main__":
    sys.exit(main())
