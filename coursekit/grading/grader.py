"""Grade a class: run every submission in a sandbox, judge the results here, write the gradebook.

How a score is decided
----------------------
1. The instructor's seed draws each exercise's cases (``Exercise.make_cases(default_rng(seed))``,
   the same generator a self-check with ``seed=`` uses), and the **reference** computes the
   expected outputs, here, once for the whole class (:func:`coursekit.exercises.core.expected_output`).
2. A sandboxed child (:mod:`coursekit.grading.sandbox`, limits in :mod:`coursekit.grading.runner`)
   loads the submission's definitions and calls each learner function on the case inputs
   (:func:`coursekit.exercises.core.call_learner`). Only plain data comes back.
3. This process judges each output with the exercise's own judge or
   :func:`~coursekit.exercises.core.compare` (:func:`~coursekit.exercises.core.judge_output`):
   the same code and the same messages and hints as the notebook self-check, with no second
   copy. The child never sees the expected outputs, the judge or the seed.

Differences from the self-check, on purpose:

* ``extra_checks`` (numerical gradient checks, which call the learner's function with inputs
  they build themselves) run in self-checks only. In grading, a backward pass is judged by
  comparison with the reference backward output on the instructor's cases; the reference
  backward passes are themselves gradient-checked in the test suite.
* An object bound to the exercise name that comes from coursekit itself (an import or alias of
  the reference) is flagged in the feedback and scores 0 ("uses reference"). A function of the
  learner's own that *calls* the reference inside is not detected; this is documented in the
  instructor guide.

A score per exercise is the fraction of its cases passed, in [0, 1] (or, with
``all_or_nothing``, 1 only when all pass); 0 when the exercise is not implemented, uses the
reference, is missing or could not be run.
"""

from __future__ import annotations

import csv
import json
import math
import re
import secrets
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from coursekit.exercises.core import (
    FAILED,
    NOT_IMPLEMENTED,
    PASSED,
    USES_REFERENCE,
    Case,
    CaseOutcome,
    CheckResult,
    Exercise,
    LearnerCall,
    expected_output,
    judge_output,
)
from coursekit.grading import protocol
from coursekit.grading.runner import ChildRun, SandboxLimits, SlotPool, run_submission

#: Notebooks larger than this are not graded (listed with a note); 50 MB of outputs is fine.
MAX_NOTEBOOK_BYTES = 200 * 2**20
_CHECK_CALL = re.compile(rb"""check\(\s*\\?["'](\w+)\\?["']""")


class GradingError(ValueError):
    """A problem with the grading request itself (an empty folder, an unknown lesson)."""


@dataclass
class Assignment:
    """One lesson's exercises with the instructor's cases and the reference's expected outputs."""

    lesson: str
    seed: int
    exercises: list[Exercise]
    cases: list[list[Case]]
    expected: list[list[Any]]
    request: tuple[dict, dict]


def prepare_assignment(lesson: str, seed: int, limits: SandboxLimits) -> Assignment:
    """Draw the cases of ``lesson``'s exercises from ``seed`` and compute the expected outputs.

    Parameters
    ----------
    lesson : str
        Lesson number, "00" to "07".
    seed : int
        The instructor's seed, >= 0.
    limits : SandboxLimits
        Their ``time_limit`` goes into the child's request.
    """
    from coursekit.exercises import all_exercises

    exercises = [exercise for exercise in all_exercises().values() if exercise.lesson == lesson]
    if not exercises:
        known = sorted({exercise.lesson for exercise in all_exercises().values()})
        raise GradingError(f"lesson {lesson!r} has no exercises; lessons with exercises: {', '.join(known)}.")
    all_cases, all_expected, requested = [], [], []
    arrays: dict[str, np.ndarray] = {}
    for index, exercise in enumerate(exercises):
        cases = list(exercise.make_cases(np.random.default_rng(seed)))
        all_cases.append(cases)
        all_expected.append([expected_output(exercise, case) for case in cases])
        encoded_cases = []
        for number, case in enumerate(cases):
            entry = {"label": case.label}
            for part, value in (("args", tuple(case.args)), ("kwargs", dict(case.kwargs))):
                tree, new_arrays = protocol.encode(value, inputs=True)
                prefix = f"e{index}_c{number}_{part}_"
                entry[part] = _prefix_keys(tree, prefix)
                arrays.update({prefix + key: array for key, array in new_arrays.items()})
            encoded_cases.append(entry)
        requested.append({"index": index, "name": exercise.name, "cases": encoded_cases})
    payload = {"time_limit": limits.time_limit, "exercises": requested}
    return Assignment(lesson, seed, exercises, all_cases, all_expected, (payload, arrays))


def _prefix_keys(tree: Any, prefix: str) -> Any:
    if type(tree) is list:
        return [_prefix_keys(item, prefix) for item in tree]
    if type(tree) is dict:
        renamed = {key: _prefix_keys(value, prefix) for key, value in tree.items()}
        if tree.get("t") in ("array", "scalar"):
            renamed["key"] = prefix + tree["key"]
        return renamed
    return tree


# --- Judging (trusted) --------------------------------------------------------------------------


def _result(exercise: Exercise, status: str, outcomes: list[CaseOutcome]) -> CheckResult:
    return CheckResult(exercise.name, exercise.lesson, status, outcomes, exercise.hint)


def _learner_call(entry: Any, arrays: dict) -> LearnerCall:
    if type(entry) is not dict:
        raise protocol.ProtocolError("a case entry is not an object.")
    error = entry.get("error", "")
    if type(error) is str and error:
        return LearnerCall(error=error[:300])
    value = protocol.decode(entry.get("value"), arrays)
    return LearnerCall(value=value, mutated=entry.get("mutated") is not False)


def judge_exercise(
    assignment: Assignment, index: int, run: ChildRun, time_limit: float
) -> CheckResult:
    """The verdict on exercise ``index`` from the child's report: plain data in, trusted judging."""
    exercise = assignment.exercises[index]
    cases, expected = assignment.cases[index], assignment.expected[index]
    if index not in run.results:
        reason = run.failures.get(index, "no report came back from the sandbox.")
        return _result(exercise, FAILED, [CaseOutcome("sandbox", False, reason)])
    report, arrays = run.results[index]
    status = report.get("status")
    if status == "missing":
        if run.loaded is not None and not run.loaded.get("ok", False):
            message = str(run.loaded.get("error", "the notebook could not be read."))[:300]
        else:
            message = (
                f"no function named {exercise.name} was found in the notebook (was it renamed, "
                "or its cell deleted?). Keep the exercise's def line as given."
            )
        return _result(exercise, FAILED, [CaseOutcome("definition", False, message)])
    if status == "not callable":
        kind = str(report.get("type", "?"))[:60]
        message = f"expected a function, got an object of type {kind}."
        return _result(exercise, FAILED, [CaseOutcome("definition", False, message)])
    identity = report.get("identity")
    if type(identity) is not dict:
        identity = {}
    module = identity.get("module") if type(identity.get("module")) is str else ""
    if identity.get("is_coursekit") is not False or module.startswith("coursekit"):
        return _result(exercise, USES_REFERENCE, [CaseOutcome("own work", False, "returns the reference")])
    if status == "not implemented":
        return _result(exercise, NOT_IMPLEMENTED, [CaseOutcome("implemented", False, "not implemented yet")])
    entries = report.get("cases")
    if status not in ("ran", "timed out") or type(entries) is not list:
        return _result(exercise, FAILED, [CaseOutcome("sandbox", False, "the report could not be read.")])
    outcomes = []
    for number, case in enumerate(cases):
        if number < len(entries):
            try:
                call = _learner_call(entries[number], arrays)
            except (protocol.ProtocolError, RecursionError) as error:
                outcomes.append(CaseOutcome(case.label, False, f"the output could not be read ({error})."))
                continue
            outcomes.append(judge_output(exercise, case, expected[number], call))
        elif status == "timed out" and number == len(entries):
            outcomes.append(CaseOutcome(
                case.label, False,
                f"the time limit of {time_limit:g} s for this exercise ran out on this case "
                "(an infinite loop, or far too slow).",
            ))
        else:
            outcomes.append(CaseOutcome(case.label, False, "not run: an earlier case used up the time limit."))
    return _result(exercise, PASSED if all(o.passed for o in outcomes) else FAILED, outcomes)


def exercise_score(result: CheckResult, n_cases: int, *, all_or_nothing: bool = False) -> float:
    """Points for one exercise, in [0, 1].

    The fraction of its ``n_cases`` cases passed, rounded down to 4 decimals; with
    ``all_or_nothing``, 1 when every case passed and 0 otherwise.
    """
    if result.status in (NOT_IMPLEMENTED, USES_REFERENCE) or n_cases == 0:
        return 0.0
    if all_or_nothing:
        return 1.0 if result.status == PASSED else 0.0
    # Rounded down, never up: a grade must not exceed what was earned.
    return math.floor(10_000 * min(result.n_passed, n_cases) / n_cases) / 10_000


# --- A class ------------------------------------------------------------------------------------


@dataclass
class StudentGrade:
    """One student's graded submission."""

    student: str
    file: str
    results: list[CheckResult]
    scores: dict[str, float]
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

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
            "results": [result.to_dict() for result in self.results],
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

    def to_dict(self) -> dict:
        return {
            "lesson": self.lesson,
            "seed": self.seed,
            "scoring": "all-or-nothing" if self.all_or_nothing else "fraction of cases",
            "exercises": self.exercises,
            "isolation": self.isolation,
            "seconds": round(self.seconds, 3),
            "students": [grade.to_dict() for grade in self.grades],
            "skipped": [{"file": name, "reason": reason} for name, reason in self.skipped],
        }


def find_submissions(directory: Path) -> tuple[list[Path], list[tuple[str, str]]]:
    """The notebooks to grade in ``directory`` (file stem = student id) and the skipped files.

    Raises
    ------
    GradingError
        When ``directory`` is not a folder or holds no notebook.
    """
    if not directory.is_dir():
        raise GradingError(f"SUBMISSIONS_DIR must be a folder of notebooks, got {str(directory)!r}.")
    notebooks: dict[str, Path] = {}
    skipped: list[tuple[str, str]] = []
    for path in sorted(directory.iterdir()):
        if path.suffix.lower() != ".ipynb":
            skipped.append((path.name, "not a notebook (.ipynb)"))
        elif path.is_symlink() or not path.is_file():
            skipped.append((path.name, "not a regular file"))
        elif path.stat().st_size > MAX_NOTEBOOK_BYTES:
            skipped.append((path.name, f"larger than {MAX_NOTEBOOK_BYTES // 2**20} MB"))
        elif path.stem in notebooks:
            skipped.append((path.name, f"a second notebook for student {path.stem!r}"))
        else:
            notebooks[path.stem] = path
    if not notebooks:
        found = f" (found only: {', '.join(name for name, _ in skipped[:5])})" if skipped else ""
        raise GradingError(f"no notebooks (.ipynb files) to grade in {str(directory)!r}{found}.")
    return list(notebooks.values()), skipped


def infer_lesson(notebooks: list[Path]) -> str:
    """The lesson whose exercises the submissions' check cells name most often."""
    from coursekit.exercises import all_exercises

    lesson_of = {name: exercise.lesson for name, exercise in all_exercises().items()}
    votes: Counter[str] = Counter()
    for path in notebooks:
        names = {match.decode() for match in _CHECK_CALL.findall(path.read_bytes())}
        votes.update({lesson_of[name] for name in names if name in lesson_of})
    if not votes:
        raise GradingError("could not tell which lesson the notebooks are for; pass --lesson NN.")
    return votes.most_common(1)[0][0]


def grade_one(
    notebook: Path,
    assignment: Assignment,
    limits: SandboxLimits,
    slots: SlotPool,
    all_or_nothing: bool = False,
) -> StudentGrade:
    """Grade one notebook; never raises (an internal problem scores 0 with a note)."""
    names = [exercise.name for exercise in assignment.exercises]
    try:
        run = run_submission(notebook, assignment.request, limits, slots)
        results = [
            judge_exercise(assignment, index, run, limits.time_limit) for index in range(len(names))
        ]
    except Exception as error:  # one bad submission never stops the others
        message = f"internal error while grading: {type(error).__name__}: {error}"
        results = [
            _result(exercise, FAILED, [CaseOutcome("sandbox", False, message)])
            for exercise in assignment.exercises
        ]
        run = ChildRun(notes=[message])
    scores = {
        name: exercise_score(result, len(cases), all_or_nothing=all_or_nothing)
        for name, result, cases in zip(names, results, assignment.cases, strict=True)
    }
    return StudentGrade(notebook.stem, notebook.name, results, scores, run.notes, run.seconds)


def grade_class(
    directory: Path,
    *,
    lesson: str | None = None,
    seed: int | None = None,
    workers: int = 2,
    limits: SandboxLimits | None = None,
    all_or_nothing: bool = False,
    progress: bool = True,
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
    """
    from tqdm import tqdm

    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise GradingError(f"workers must be a positive integer, got {workers!r}.")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        raise GradingError(f"seed must be an integer >= 0, got {seed!r}.")
    limits = limits or SandboxLimits()
    start = time.perf_counter()
    notebooks, skipped = find_submissions(directory)
    lesson = _normalise_lesson(lesson) if lesson is not None else infer_lesson(notebooks)
    seed = secrets.randbelow(2**31) if seed is None else seed
    assignment = prepare_assignment(lesson, seed, limits)
    grades = []
    with SlotPool(workers) as slots, ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(grade_one, path, assignment, limits, slots, all_or_nothing) for path in notebooks]
        bar = tqdm(total=len(futures), desc=f"grading lesson {lesson}", unit="notebook",
                   file=sys.stderr, disable=not progress)
        with bar:
            for future in as_completed(futures):
                grades.append(future.result())
                bar.update()
    grades.sort(key=lambda grade: grade.student)
    names = [exercise.name for exercise in assignment.exercises]
    seconds = time.perf_counter() - start
    return ClassReport(lesson, seed, names, grades, skipped, slots.mode, seconds, all_or_nothing)


def _normalise_lesson(lesson: str) -> str:
    text = str(lesson).strip()
    if not text.isdigit():
        raise GradingError(f"lesson must be a lesson number such as 00 or 3, got {lesson!r}.")
    return f"{int(text):02d}"


# --- Outputs ------------------------------------------------------------------------------------


def _csv_safe(text: str) -> str:
    # A spreadsheet would run a cell starting with one of these as a formula.
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


def write_gradebook(report: ClassReport, path: Path) -> None:
    """CSV: one row per student, one column per exercise (points in [0, 1]) and the total."""
    with open(path, "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["student", *report.exercises, "total"])
        for grade in report.grades:
            writer.writerow([
                _csv_safe(grade.student),
                *(f"{grade.scores[name]:g}" for name in report.exercises),
                f"{grade.total:g}",
            ])


def write_details(report: ClassReport, path: Path) -> None:
    """JSON with every case outcome, note and timing."""
    path.write_text(json.dumps(report.to_dict(), indent=2, ensure_ascii=False), encoding="utf-8")


def _plain(text: str) -> str:
    return text.replace("```", "'''")


def feedback_markdown(grade: StudentGrade, report: ClassReport) -> str:
    """A student's feedback: the self-check's verdict and hint per exercise, then every case."""
    maximum = len(report.exercises)
    rule = (
        "1 point when all its checks pass" if report.all_or_nothing
        else "the fraction of its checks that passed"
    )
    lines = [
        f"# Lesson {report.lesson}: feedback for {grade.student}",
        "",
        f"Score: **{grade.total:g} / {maximum}** (each exercise is worth 1 point: {rule}).",
        "",
        "| exercise | points | status |",
        "| --- | --- | --- |",
    ]
    for result in grade.results:
        lines.append(f"| {result.exercise} | {grade.scores[result.exercise]:g} | {result.status} |")
    for result in grade.results:
        lines += ["", f"## {result.exercise}", "", "```text", _plain(result.summary()), "```"]
        failures = [outcome for outcome in result.cases if not outcome.passed]
        if result.status == "failed" and len(failures) > 1:
            lines += ["", "Every failed check:", ""]
            lines += [f"- *{_plain(o.label)}*: {_plain(o.message)}" for o in failures]
    if grade.notes:
        lines += ["", "## Notes from the grader", ""]
        lines += [f"- {_plain(note)}" for note in grade.notes]
    return "\n".join(lines) + "\n"


def write_feedback(report: ClassReport, directory: Path) -> None:
    """One ``STUDENT.md`` per student in ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    for grade in report.grades:
        (directory / f"{grade.student}.md").write_text(feedback_markdown(grade, report), encoding="utf-8")


def summary_table(report: ClassReport) -> str:
    """Plain-text table of the class: one line per student, then averages and skipped files."""
    widths = [max(len(name), 6) for name in report.exercises]
    first = max([len("student"), *(len(grade.student) for grade in report.grades)])
    header = f"{'student':<{first}}  " + "  ".join(
        f"{name:>{width}}" for name, width in zip(report.exercises, widths, strict=True)
    )
    header += f"  {'total':>6}"
    rule = "-" * len(header)
    lines = [header, rule]
    for grade in report.grades:
        cells = "  ".join(
            f"{grade.scores[name]:>{width}.2f}" for name, width in zip(report.exercises, widths, strict=True)
        )
        lines.append(f"{grade.student:<{first}}  {cells}  {grade.total:>6.2f}")
    means = "  ".join(
        f"{np.mean([grade.scores[name] for grade in report.grades]):>{width}.2f}"
        for name, width in zip(report.exercises, widths, strict=True)
    )
    mean_total = np.mean([grade.total for grade in report.grades])
    lines += [rule, f"{'mean':<{first}}  {means}  {mean_total:>6.2f}"]
    rate = 60 * len(report.grades) / report.seconds if report.seconds else 0.0
    lines.append(
        f"{len(report.grades)} notebook(s) graded in {report.seconds:.1f} s ({rate:.0f} per minute), "
        f"lesson {report.lesson}, seed {report.seed}, isolation: {report.isolation}."
    )
    for grade in report.grades:
        for note in grade.notes:
            lines.append(f"note on {grade.student}: {note}")
    for name, reason in report.skipped:
        lines.append(f"skipped {name}: {reason}")
    return "\n".join(lines)
