"""Judging (trusted): a child's plain-data report in, a verdict and points out.

This process judges each output with the exercise's own judge or
:func:`~coursekit.exercises.core.compare` (:func:`~coursekit.exercises.core.judge_output`): the
same code, messages and hints as the notebook self-check, with no second copy. The child never
sees the expected outputs, the judge or the seed.

Differences from the self-check, on purpose:

* ``extra_checks`` (numerical gradient checks, which call the learner's function with inputs
  they build themselves) run in self-checks only. In grading, a backward pass is judged by
  comparison with the reference backward output on the instructor's cases; the reference
  backward passes are themselves gradient-checked in the test suite.
* Whether the object bound to the exercise name is coursekit's answer is decided by
  :func:`~coursekit.exercises.core.reference_use`, the self-check's own test, run in the
  sandbox where the object lives; the verdict "uses reference" scores 0 and says why. A
  missing verdict counts as "uses reference" (the report is not trusted to be complete).

A score per exercise is the fraction of its cases passed, in [0, 1] (or, with
``all_or_nothing``, 1 only when all pass); 0 when the exercise is not implemented, uses the
reference, is missing or could not be run.
"""

from __future__ import annotations

import math
from typing import Any

from coursekit.exercises.core import (
    FAILED,
    NOT_IMPLEMENTED,
    PASSED,
    USES_REFERENCE,
    CaseOutcome,
    CheckResult,
    Exercise,
    LearnerCall,
    judge_output,
)
from coursekit.grading import protocol
from coursekit.grading.assignment import Assignment
from coursekit.grading.protocol import ChildStatus
from coursekit.grading.runner import ChildRun

MESSAGE_CHARS = 300


def result(exercise: Exercise, status: str, outcomes: list[CaseOutcome]) -> CheckResult:
    """A :class:`CheckResult` of ``exercise`` with its hint."""
    return CheckResult(exercise.name, exercise.lesson, status, outcomes, exercise.hint)


def _learner_call(entry: Any, arrays: dict) -> LearnerCall:
    if type(entry) is not dict:
        raise protocol.ProtocolError("a case entry is not an object.")
    error = entry.get("error", "")
    if type(error) is str and error:
        return LearnerCall(error=error[:MESSAGE_CHARS])
    value = protocol.decode(entry.get("value"), arrays)
    return LearnerCall(
        value=value, mutated=entry.get("mutated") is not False, unreproducible=entry.get("unreproducible") is True
    )


def judge_exercise(assignment: Assignment, index: int, run: ChildRun, time_limit: float) -> CheckResult:
    """The verdict on exercise ``index`` from the child's report: plain data in, trusted judging."""
    exercise = assignment.exercises[index]
    cases, expected = assignment.cases[index], assignment.expected[index]
    if index not in run.results:
        reason = run.failures.get(index, "no report came back from the sandbox.")
        return result(exercise, FAILED, [CaseOutcome("sandbox", False, reason)])
    report, arrays = run.results[index]
    status = report.get("status")
    if status == ChildStatus.MISSING:
        why = report.get("why")
        if run.loaded is not None and not run.loaded.get("ok", False):
            message = str(run.loaded.get("error", "the notebook could not be read."))[:MESSAGE_CHARS]
        elif type(why) is str and why:
            message = why[:MESSAGE_CHARS]
        else:
            message = (
                f"no function named {exercise.name} was found in the notebook (was it renamed, "
                "or its cell deleted?). Keep the exercise's def line as given."
            )
        return result(exercise, FAILED, [CaseOutcome("definition", False, message)])
    if status == ChildStatus.NOT_CALLABLE:
        kind = str(report.get("type", "?"))[:60]
        message = f"expected a function, got an object of type {kind}."
        return result(exercise, FAILED, [CaseOutcome("definition", False, message)])
    reason = report.get("reference_use")
    if type(reason) is not str:
        reason = "the sandbox did not report whether this is your own work"
    if reason:
        return result(exercise, USES_REFERENCE, [CaseOutcome("own work", False, reason[:MESSAGE_CHARS])])
    if status == ChildStatus.NOT_IMPLEMENTED:
        return result(exercise, NOT_IMPLEMENTED, [CaseOutcome("implemented", False, "not implemented yet")])
    entries = report.get("cases")
    if status not in (ChildStatus.RAN, ChildStatus.TIMED_OUT) or type(entries) is not list:
        return result(exercise, FAILED, [CaseOutcome("sandbox", False, "the report could not be read.")])
    outcomes = []
    for number, case in enumerate(cases):
        if number < len(entries):
            try:
                call = _learner_call(entries[number], arrays)
            except (protocol.ProtocolError, RecursionError) as error:
                outcomes.append(CaseOutcome(case.label, False, f"the output could not be read ({error})."))
                continue
            outcomes.append(judge_output(exercise, case, expected[number], call))
        elif status == ChildStatus.TIMED_OUT and number == len(entries):
            outcomes.append(CaseOutcome(
                case.label, False,
                f"the time limit of {time_limit:g} s for this exercise ran out on this case "
                "(an infinite loop, or far too slow).",
            ))
        else:
            outcomes.append(CaseOutcome(case.label, False, "not run: an earlier case used up the time limit."))
    return result(exercise, PASSED if all(o.passed for o in outcomes) else FAILED, outcomes)


def loading_notes(run: ChildRun) -> list[str]:
    """What went wrong while the notebook loaded, one line each, for the instructor and student.

    A notebook that could not be loaded at all gets one note (not one per exercise); cells that
    did not parse or raised while their definitions were loaded get a note each.
    """
    loaded = run.loaded
    if type(loaded) is not dict:
        return []
    if not loaded.get("ok", False):
        return [f"the notebook was not graded: {str(loaded.get('error', ''))[:MESSAGE_CHARS]}"]
    notes = []
    for key in ("syntax_errors", "statement_errors"):
        entries = loaded.get(key)
        if type(entries) is list:
            notes += [f"while loading: {entry[:MESSAGE_CHARS]}" for entry in entries[:10] if type(entry) is str]
    return notes


def exercise_score(check: CheckResult, n_cases: int, *, all_or_nothing: bool = False) -> float:
    """Points for one exercise, in [0, 1].

    The fraction of its ``n_cases`` cases passed, rounded down to 4 decimals; with
    ``all_or_nothing``, 1 when every case passed and 0 otherwise.
    """
    if check.status in (NOT_IMPLEMENTED, USES_REFERENCE) or n_cases == 0:
        return 0.0
    if all_or_nothing:
        return 1.0 if check.status == PASSED else 0.0
    # Rounded down, never up: a grade must not exceed what was earned.
    return math.floor(10_000 * min(check.n_passed, n_cases) / n_cases) / 10_000
