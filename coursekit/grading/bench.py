"""Grading throughput on a generated class: ``make bench-grade``.

``python -m coursekit.grading.bench [--lesson NN] [--students 100] [--workers 2]`` writes a
class of mixed submissions of one lesson to a temporary folder: complete solutions, untouched
stubs, and solutions with one exercise returning a wrong value or raising, in turn. It grades the
class with the real sandbox and prints submissions per minute and peak memory (grader and sandboxes
together, sampled, and the largest sandboxed process). Exits with status 1 below :data:`TARGET_PER_MINUTE`.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import threading
from pathlib import Path

from coursekit.grading.editions import lesson_notebooks, solution_functions, solutions_notebook
from coursekit.grading.grader import grade_class
from coursekit.grading.runner import SandboxLimits

TARGET_PER_MINUTE = 300
KINDS = ("solution", "student", "wrong value", "raises")


def _break_one(notebook, name: str, kind: str):
    body = "return None" if kind == "wrong value" else "raise ValueError('not finished')"
    pattern = re.compile(rf"^def {name}\(.*?(?=^\S|\Z)", re.MULTILINE | re.DOTALL)
    for cell in notebook.cells:
        if cell.cell_type == "code" and pattern.search(cell.source):
            cell.source = pattern.sub(f"def {name}(*args, **kwargs):\n    {body}\n", cell.source, count=1)
    return notebook


def write_class(directory: Path, lesson: str, n_students: int) -> dict[str, int]:
    """Write ``n_students`` notebooks of ``lesson`` to ``directory``; return the count per kind."""
    import nbformat

    path = lesson_notebooks()[lesson]
    names = sorted(solution_functions(lesson))
    counts = dict.fromkeys(KINDS, 0)
    for number in range(n_students):
        kind = KINDS[number % len(KINDS)]
        if kind == "student":
            notebook = nbformat.read(path, as_version=4)
        else:
            notebook = solutions_notebook(path, lesson)
            if kind != "solution":
                notebook = _break_one(notebook, names[number % len(names)], kind)
        nbformat.write(notebook, directory / f"student{number:03d}.ipynb")
        counts[kind] += 1
    return counts


class MemorySampler(threading.Thread):
    """Samples the resident memory of this process plus all its descendants every 50 ms.

    ``getrusage`` cannot give this: a forked child's peak includes the pages it shared with
    the grader before ``exec``.
    """

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_total = 0
        self.peak_child = 0
        self.stopped = threading.Event()

    def run(self) -> None:
        import psutil

        me = psutil.Process()
        while not self.stopped.wait(0.05):
            total = me.memory_info().rss
            for child in me.children(recursive=True):
                try:
                    rss = child.memory_info().rss
                except psutil.Error:
                    continue
                total += rss
                self.peak_child = max(self.peak_child, rss)
            self.peak_total = max(self.peak_total, total)


def run(lesson: str, n_students: int, workers: int, time_limit: float, allow_weak: bool = False) -> dict:
    """Generate and grade a class; return the figures (see the module docstring)."""
    sampler = MemorySampler()
    with tempfile.TemporaryDirectory(prefix="coursekit-bench-grade-") as directory:
        counts = write_class(Path(directory), lesson, n_students)
        sampler.start()
        report = grade_class(
            Path(directory), lesson=lesson, seed=0, workers=workers,
            limits=SandboxLimits(time_limit=time_limit), progress=False, allow_weak=allow_weak,
        )
        sampler.stopped.set()
        sampler.join()
    per_minute = 60 * len(report.grades) / report.seconds
    return {
        "lesson": lesson,
        "students": len(report.grades),
        "kinds": counts,
        "workers": workers,
        "isolation": report.isolation,
        "seconds": round(report.seconds, 2),
        "submissions_per_minute": round(per_minute, 1),
        "target_per_minute": TARGET_PER_MINUTE,
        "peak_memory_total_mb": round(sampler.peak_total / 2**20, 1),
        "peak_memory_largest_child_mb": round(sampler.peak_child / 2**20, 1),
        "mean_total": round(sum(grade.total for grade in report.grades) / len(report.grades), 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m coursekit.grading.bench", description=__doc__)
    parser.add_argument("--lesson", default="01", help="lesson number (default: 01)")
    parser.add_argument("--students", type=int, default=100, help="class size (default: 100)")
    parser.add_argument("--workers", type=int, default=2, help="parallel workers (default: 2)")
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds per exercise")
    parser.add_argument("--out", type=Path, help="also write the figures to this JSON file")
    parser.add_argument(
        "--allow-weak-isolation", action="store_true",
        help="grade without bubblewrap where it is missing (to measure what the isolation costs)",
    )
    args = parser.parse_args(argv)
    figures = run(f"{int(args.lesson):02d}", args.students, args.workers, args.timeout, args.allow_weak_isolation)
    print(
        f"graded {figures['students']} submissions of lesson {figures['lesson']} "
        f"({', '.join(f'{n} {kind}' for kind, n in figures['kinds'].items())}) with "
        f"{figures['workers']} workers in {figures['seconds']} s: "
        f"{figures['submissions_per_minute']} submissions/minute (target >= {TARGET_PER_MINUTE}); "
        f"peak memory {figures['peak_memory_total_mb']} MB (grader and sandboxes together), "
        f"{figures['peak_memory_largest_child_mb']} MB (largest sandboxed process); "
        f"isolation: {figures['isolation']}."
    )
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0 if figures["submissions_per_minute"] >= TARGET_PER_MINUTE else 1


if __name__ == "__main__":
    sys.exit(main())
