"""``make bench``: wall time and peak memory of every notebook, slider redraw times, and the
unit-test time.

Each notebook is executed headless in a fresh process (and kernel), without writing it back.
Peak memory is the largest resident set size of that process tree, sampled every 50 ms.
Then each notebook with a slider is executed once more, with one cell appended that times a
slider move of each explorer as a live session sees it (:func:`coursekit.widgets.measure_redraws`:
positions prepared first, as in JupyterLab; then the move, and the full redraw rendered to PNG;
median over a few positions), against the ``REDRAW_BUDGET_MS`` budget. The table is printed and the same figures are written as JSON.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
BUDGET_SECONDS = 60.0
REDRAW_BUDGET_MS = 250.0
REDRAW_MARKER = "COURSEKIT-REDRAW-JSON "
REDRAW_CELL = (
    "import json as _json\n"
    "from coursekit.widgets import measure_redraws as _measure_redraws\n"
    f"print({REDRAW_MARKER!r} + _json.dumps(_measure_redraws()))"
)


def _tree_rss(process: psutil.Process) -> int:
    total = 0
    for member in [process, *process.children(recursive=True)]:
        try:
            total += member.memory_info().rss
        except psutil.Error:
            continue
    return total


def measure(command: list[str]) -> dict:
    """Run ``command``; return its wall time (s), peak tree RSS (MiB) and exit code."""
    start = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    watcher = psutil.Process(child.pid)
    peak = 0
    while child.poll() is None:
        try:
            peak = max(peak, _tree_rss(watcher))
        except psutil.Error:
            pass
        time.sleep(0.05)
    stderr = child.stderr.read().decode(errors="replace") if child.stderr else ""
    return {
        "seconds": round(time.perf_counter() - start, 1),
        "peak_mib": round(peak / 2**20),
        "returncode": child.returncode,
        "error": stderr.strip().splitlines()[-1] if child.returncode and stderr.strip() else "",
    }


def has_slider(path: Path) -> bool:
    """Whether a notebook calls ``explore(`` in a code cell."""
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    return any(cell.cell_type == "code" and "explore(" in cell.source for cell in notebook.cells)


def measure_redraws(path: Path, timeout: int = 600) -> dict:
    """Execute ``path`` headless with the redraw-timing cell appended; its figures per explorer.

    An error in a cell that has nothing to do with the sliders (the notebook pass reports
    those) does not stop the timing cell.

    Returns
    -------
    dict
        Drawing function name -> the figures of :func:`coursekit.widgets.measure_redraws`.

    Raises
    ------
    RuntimeError
        If the timing cell printed no figures.
    """
    import nbformat
    from nbclient import NotebookClient

    from coursekit.notebook_tools import headless_environment

    headless_environment()
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(REDRAW_CELL))
    client = NotebookClient(
        notebook, timeout=timeout, kernel_name="python3", allow_errors=True,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    for output in notebook.cells[-1].outputs:
        for line in output.get("text", "").splitlines():
            if line.startswith(REDRAW_MARKER):
                figures = json.loads(line[len(REDRAW_MARKER):])
                if figures:
                    return figures
    raise RuntimeError(f"{path.name}: no slider could be timed (did its cell fail?).")


def _redraw_main(path: Path) -> int:
    print(json.dumps(measure_redraws(path)))
    return 0


def redraw_table(notebooks: list[Path]) -> tuple[dict, bool]:
    """Redraw figures per notebook (each in a fresh process), printed as a table."""
    results, failed = {}, False
    print(f"\n{'slider move (live session)':36s} {'median ms':>9s} {'max ms':>9s} {'CPU ms':>7s}"
          f" {'redraw':>7s}  status (budget {REDRAW_BUDGET_MS:.0f} ms)")
    for path in notebooks:
        if not has_slider(path):
            continue
        child = subprocess.run(
            [sys.executable, "-m", "coursekit.bench", "--redraw-one", str(path)],
            cwd=ROOT, capture_output=True, text=True,
        )
        if child.returncode:
            lines = child.stderr.strip().splitlines()
            results[path.name] = {"error": lines[-1] if lines else f"exit {child.returncode}"}
            failed = True
            print(f"{path.name:36s} {'':>35s}  FAILED: {results[path.name]['error']}")
            continue
        figures = json.loads(child.stdout.strip().splitlines()[-1])
        results[path.name] = figures
        for name, fig in figures.items():
            status = "ok" if fig["median_ms"] <= REDRAW_BUDGET_MS else "over budget"
            if fig["prerendered"]:
                status += "; pre-rendered"
            if fig["positions_prepared"]:
                status += (f", {fig['positions_prepared']} positions prepared in "
                           f"{fig['prepare_seconds']:.1f} s")
            label = f"{path.name[:2]} {name}"
            print(f"{label:36s} {fig['median_ms']:9.1f} {fig['max_ms']:9.1f} "
                  f"{fig['median_cpu_ms']:7.1f} {fig['render_ms']:7.0f}  {status}", flush=True)
    return results, failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m coursekit.bench", description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "bench.json")
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every lesson notebook")
    parser.add_argument("--no-redraw", action="store_true", help="skip the slider redraw times")
    parser.add_argument("--redraw-only", action="store_true",
                        help="only the slider redraw times (no notebook or test timing)")
    parser.add_argument("--redraw-one", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.redraw_one:
        return _redraw_main(args.redraw_one)
    notebooks = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    results = {"machine": {"cpus": psutil.cpu_count(), "python": platform.python_version()},
               "budget_seconds": BUDGET_SECONDS, "notebooks": {}}
    if args.redraw_only:
        results["redraw_budget_ms"] = REDRAW_BUDGET_MS
        results["redraw_ms"], failed = redraw_table(notebooks)
        _write(args.out, results)
        return 1 if failed else 0
    print(f"{'notebook':36s} {'time (s)':>9s} {'peak MiB':>9s}  status")
    for path in notebooks:
        figures = measure([sys.executable, "-m", "coursekit.notebook_tools", "execute", "--no-write", str(path)])
        status = "ok" if figures["returncode"] == 0 else f"FAILED: {figures['error']}"
        if figures["returncode"] == 0 and figures["seconds"] > BUDGET_SECONDS:
            status = f"over the {BUDGET_SECONDS:.0f} s budget"
        results["notebooks"][path.name] = figures
        print(f"{path.name:36s} {figures['seconds']:9.1f} {figures['peak_mib']:9d}  {status}", flush=True)
    tests = measure([sys.executable, "-m", "pytest", "tests", "-q", "-p", "no:cacheprovider", "--ignore=tests/e2e"])
    results["unit_tests"] = tests
    print(f"{'unit tests (pytest tests)':36s} {tests['seconds']:9.1f} {tests['peak_mib']:9d}  "
          f"{'ok' if tests['returncode'] == 0 else 'FAILED'}")
    redraw_failed = False
    if not args.no_redraw:
        results["redraw_budget_ms"] = REDRAW_BUDGET_MS
        results["redraw_ms"], redraw_failed = redraw_table(notebooks)
    _write(args.out, results)
    failed = any(r["returncode"] for r in results["notebooks"].values()) or tests["returncode"]
    return 1 if failed or redraw_failed else 0


def _write(out: Path, results: dict) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")


if __name__ == "__main__":
    sys.exit(main())
