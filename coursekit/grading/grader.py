"""Grade a class: prove the sandbox with a canary, run every submission in it, judge the results.

The jobs, one module each:

1. :mod:`~coursekit.grading.assignment`: which notebooks, which lesson, the instructor's cases
   and the reference's expected outputs (trusted);
2. :mod:`~coursekit.grading.runner` and :mod:`~coursekit.grading.isolation`: a sandboxed child
   (:mod:`~coursekit.grading.sandbox`) per submission calls each learner function on the case
   inputs; only plain data comes back (:mod:`~coursekit.grading.protocol`);
3. :mod:`~coursekit.grading.judge`: this process judges each output with the self-check's own
   code and turns verdicts into points;
4. this module runs the class; :mod:`~coursekit.grading.reports` writes what it found.

**The canary.** Before any submission is graded, the lesson's solutions edition is graded
through the same sandbox. If it does not get full marks, the sandbox is broken on this host
(a missing library in the mount tree, a budget too small, a bwrap that cannot start) and every
student would be scored for the grader's fault: :class:`SandboxError` stops the run.

**Weak isolation is refused as root.** Without bubblewrap a submission runs as the grading user;
as root that is the whole machine, so :func:`grade_class` refuses unless ``allow_weak=True``
(``--allow-weak-isolation``). The isolation used is named in every report.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from coursekit.exercises.core import FAILED, PASSED, CaseOutcome, CheckResult
from coursekit.grading.assignment import (
    Assignment,
    GradingError,
    find_submissions,
    infer_lesson,
    normalise_lesson,
    other_lesson_note,
    prepare_assignment,
    submission_lesson,
)
from coursekit.grading.isolation import Isolation, detect_isolation
from coursekit.grading.judge import exercise_score, judge_exercise, loading_notes, result
from coursekit.grading.runner import ChildRun, SandboxLimits, run_submission, wait_for_cleanup

#: Most notes kept per student (each is already bounded in length).
MAX_NOTES = 20


class SandboxError(GradingError):
    """The sandbox cannot be trusted here: the canary failed, or only weak isolation exists."""


@dataclass
class StudentGrade:
    """One student's graded submission."""

    student: str
    file: str
    results: list[CheckResult]
    scores: dict[str, float]
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    peak_memory_mb: float | None = None
    #: Why the notebook could not be loaded at all ("" when it was).
    load_error: str = ""

    @property
    def total(self) -> float:
        return round(sum(self.scores.values()), 4)

    def to_dict(self) -> dict:
        return {
            "student": self.student,
            "file": self.file,
            "total": self.total,
            "scores": self.scores,
            "notes": self.notes,
            "seconds": round(self.seconds, 3),
            "peak_memory_mb": self.peak_memory_mb,
            "load_error": self.load_error,
            "results": [check.to_dict() for check in self.results],
        }


@dataclass
class ClassReport:
    """Every student's grade plus what was not graded."""

    lesson: str
    seed: int
    exercises: list[str]
    grades: list[StudentGrade]
    skipped: list[tuple[str, str]]
    isolation: str
    seconds: float
    all_or_nothing: bool = False
    canary: str = ""

    def to_dict(self) -> dict:
        return {
            "lesson": self.lesson,
            "seed": self.seed,
            "scoring": "all-or-nothing" if self.all_or_nothing else "fraction of cases",
            "exercises": self.exercises,
            "isolation": self.isolation,
            "canary": self.canary,
            "seconds": round(self.seconds, 3),
            "students": [grade.to_dict() for grade in self.grades],
            "skipped": [{"file": name, "reason": reason} for name, reason in self.skipped],
        }


def grade_one(
    notebook: Path,
    assignment: Assignment,
    limits: SandboxLimits,
    isolation: Isolation,
    all_or_nothing: bool = False,
) -> StudentGrade:
    """Grade one notebook; never raises (an internal problem scores 0 with a note)."""
    names = [exercise.name for exercise in assignment.exercises]
    try:
        run = run_submission(notebook, assignment.request, limits, isolation)
        results = [
            judge_exercise(assignment, index, run, limits.time_limit) for index in range(len(names))
        ]
    except Exception as error:  # one bad submission never stops the others
        message = f"internal error while grading: {type(error).__name__}: {error}"
        results = [
            result(exercise, FAILED, [CaseOutcome("sandbox", False, message)])
            for exercise in assignment.exercises
        ]
        run = ChildRun(notes=[message])
    scores = {
        name: exercise_score(check, len(cases), all_or_nothing=all_or_nothing)
        for name, check, cases in zip(names, results, assignment.cases, strict=True)
    }
    notes = (loading_notes(run) + run.notes)[:MAX_NOTES]
    load_error = ""
    if isinstance(run.loaded, dict) and not run.loaded.get("ok", False):
        load_error = str(run.loaded.get("error", ""))[:300] or "the notebook could not be loaded."
    elif run.loaded is None and run.failures:
        load_error = next(iter(run.failures.values()))[:300]
    return StudentGrade(
        notebook.stem, notebook.name, results, scores, notes, run.seconds, run.peak_memory_mb, load_error
    )


def run_canary(assignment: Assignment, limits: SandboxLimits, isolation: Isolation) -> str:
    """Grade the lesson's solutions edition through the sandbox; return a one-line verdict.

    Raises
    ------
    SandboxError
        When it does not get full marks: the message names the first failure.
    """
    import nbformat

    from coursekit.grading.editions import lesson_notebooks, solutions_notebook

    notebooks = lesson_notebooks()
    if assignment.lesson not in notebooks:
        raise SandboxError(
            f"the canary needs lesson {assignment.lesson}'s notebook in notebooks/, which is missing; "
            "grade from a full checkout of the course."
        )
    directory = Path(tempfile.mkdtemp(prefix="coursekit-canary-"))
    try:
        path = directory / "canary.ipynb"
        nbformat.write(solutions_notebook(notebooks[assignment.lesson], assignment.lesson), path)
        grade = grade_one(path, assignment, limits, isolation)
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    maximum = len(assignment.exercises)
    if all(check.status == PASSED for check in grade.results):
        return f"the solutions edition scored {grade.total:g}/{maximum} in {grade.seconds:.2f} s"
    failed = next(check for check in grade.results if check.status != PASSED)
    first = next((case for case in failed.cases if not case.passed), None)
    cause = f"{failed.exercise} {failed.status}" + (f" ({first.label}: {first.message})" if first else "")
    notes = f" Grader notes: {' | '.join(grade.notes[:3])}" if grade.notes else ""
    raise SandboxError(
        f"the canary (lesson {assignment.lesson}'s solutions edition, graded through the same sandbox "
        f"with isolation {isolation.describe()}) scored {grade.total:g}/{maximum}, not full marks: "
        f"{cause}.{notes} The sandbox does not work on this host, so no submission was graded and "
        "no gradebook was written."
    )


def check_isolation(isolation: Isolation, *, allow_weak: bool) -> None:
    """Refuse weak isolation as root unless ``allow_weak``.

    Raises
    ------
    SandboxError
    """
    if isolation.weak and os.geteuid() == 0 and not allow_weak:
        raise SandboxError(
            f"refusing to grade as root without namespace isolation ({isolation.why_weak}): every "
            "submission would run as root on this machine. Install bubblewrap (apt-get install "
            "bubblewrap; make install does it), or pass --allow-weak-isolation to accept the risk."
        )


def grade_class(
    directory: Path,
    *,
    lesson: str | None = None,
    seed: int | None = None,
    workers: int = 2,
    limits: SandboxLimits | None = None,
    all_or_nothing: bool = False,
    progress: bool = True,
    allow_weak: bool = False,
    canary: bool = True,
    authored: tuple[Path, Path] | None = None,
) -> ClassReport:
    """Grade every notebook in ``directory``.

    Parameters
    ----------
    directory : Path
        One ``STUDENT_ID.ipynb`` per student; other files are listed as skipped.
    lesson : str, optional
        "00" to "07"; default: inferred from the check cells of the submissions.
    seed : int, optional
        Seed of the cases, >= 0; default: a fresh random seed (recorded in the report).
    workers : int, default=2
        Submissions graded in parallel, >= 1.
    limits : SandboxLimits, optional
    all_or_nothing : bool, default=False
        Score an exercise 1 only when every case passed (default: the fraction passed).
    progress : bool, default=True
        Show a progress bar on stderr.
    allow_weak : bool, default=False
        Grade as root even without namespace isolation.
    canary : bool, default=True
        Grade the solutions edition first and stop when it does not get full marks. Only tests
        of the canary itself turn it off.
    authored : (Path, Path), optional
        ``(source notebook, spec)`` of instructor-authored exercises
        (:mod:`~coursekit.grading.authored`) instead of a lesson's: the expected outputs come from
        the instructor's solution run in the same sandbox, which stands in for the canary.

    Raises
    ------
    GradingError
        A bad request (no notebooks, unknown lesson, bad ``workers`` or ``seed``).
    SandboxError
        Weak isolation as root without ``allow_weak``, or a failed canary.
    """
    from tqdm import tqdm

    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise GradingError(f"workers must be a positive integer, got {workers!r}.")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        raise GradingError(f"seed must be an integer >= 0, got {seed!r}.")
    limits = limits or SandboxLimits()
    start = time.perf_counter()
    notebooks, skipped = find_submissions(directory)
    isolation = detect_isolation()
    check_isolation(isolation, allow_weak=allow_weak)
    if authored is not None:
        from coursekit.grading.authored import prepare_authored

        assignment = prepare_authored(*authored, limits, isolation)
        lesson, seed, own_lessons = assignment.lesson, assignment.seed, {}
    else:
        own_lessons = {path: submission_lesson(path) for path in notebooks}
        lesson = normalise_lesson(lesson) if lesson is not None else infer_lesson(own_lessons)
        seed = secrets.randbelow(2**31) if seed is None else seed
        assignment = prepare_assignment(lesson, seed, limits.time_limit)
    grades = []
    try:
        if authored is not None:
            verdict = "the instructor's solution computed the expected outputs in the same sandbox"
        else:
            verdict = run_canary(assignment, limits, isolation) if canary else "not run"
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = [
                pool.submit(grade_one, path, assignment, limits, isolation, all_or_nothing) for path in notebooks
            ]
            bar = tqdm(total=len(futures), desc=f"grading lesson {lesson}", unit="notebook",
                       file=sys.stderr, disable=not progress)
            with bar:
                for future in as_completed(futures):
                    grades.append(future.result())
                    bar.update()
    finally:
        wait_for_cleanup()
    own_by_file = {path.name: own for path, own in own_lessons.items()}
    for grade in grades:
        note = other_lesson_note(lesson, own_by_file.get(grade.file))
        if note:
            grade.notes.insert(0, note)
    grades.sort(key=lambda grade: grade.student)
    names = [exercise.name for exercise in assignment.exercises]
    seconds = time.perf_counter() - start
    return ClassReport(
        lesson, seed, names, grades, skipped, isolation.describe(), seconds, all_or_nothing, verdict
    )
