"""``make bench``: wall time and peak memory of every notebook, and the unit-test time.

Each notebook is executed headless in a fresh process (and kernel), without writing it back.
Peak memory is the largest resident set size of that process tree, sampled every 50 ms.
The table is printed and the same figures are written as JSON.
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m coursekit.bench", description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "bench.json")
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every lesson notebook")
    args = parser.parse_args(argv)
    notebooks = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    results = {"machine": {"cpus": psutil.cpu_count(), "python": platform.python_version()},
               "budget_seconds": BUDGET_SECONDS, "notebooks": {}}
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
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    failed = any(r["returncode"] for r in results["notebooks"].values()) or tests["returncode"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
