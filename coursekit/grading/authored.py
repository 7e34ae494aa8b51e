"""Instructor-authored exercises: a solution between markers, a small spec of cases, graded safely.

An instructor adds an exercise to a lesson, or writes a new notebook, in two files:

* the **source notebook**: a function whose body holds the solution between nbgrader-style
  markers::

      def scale_to_unit_norm(w):
          ### BEGIN SOLUTION
          return w / np.linalg.norm(w)
          ### END SOLUTION

* the **spec** (YAML): per exercise, its cases (fixed inputs, and/or inputs drawn from a seed)
  and a tolerance::

      title: Unit norms
      exercises:
        - name: scale_to_unit_norm
          rtol: 1.0e-6
          atol: 1.0e-9
          hint: divide by the Euclidean norm
          cases:
            - label: a 3-4-5 vector
              args: [{array: [3.0, 4.0]}]
          random:
            count: 5
            seed: 1
            args: [{normal: [6]}]

  An argument is a YAML scalar, a list (passed as a list), ``{array: ..., dtype: ...}`` (a numpy
  array, float64 unless told) or a draw: ``{normal: SHAPE}``, ``{uniform: SHAPE, low:, high:}``,
  ``{integers: SHAPE, low:, high:}`` (``dtype`` optional).

:func:`student_notebook` builds the student version (each marked block becomes ``raise
NotImplementedError``, outputs cleared); ``coursekit author check`` fails when a stored student
version is stale. :func:`prepare_authored` computes the expected outputs by **running the
instructor's solution in its own sandbox**, the same one the students' code runs in, and the
students' outputs are then judged in the trusted parent (``coursekit grade --authored SOURCE
--spec SPEC``). Neither nbgrader nor otter does this: both run their tests inside the student's
process, where the student's code can reach them.
"""

from __future__ import annotations

import copy
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from coursekit.exercises.core import Case, Exercise
from coursekit.grading import protocol
from coursekit.grading.assignment import Assignment, GradingError
from coursekit.grading.protocol import ChildStatus

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
MAX_SPEC_BYTES = 2**20
MAX_CASES = 200
_NAME = re.compile(r"[A-Za-z_]\w{0,79}")
_DRAWS = ("normal", "uniform", "integers")


class AuthoringError(GradingError):
    """A source notebook or spec that cannot be used; the message says where."""


def _without_solution(source: str, where: str) -> str:
    lines, out, inside, indent = source.splitlines(), [], False, ""
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped == BEGIN:
            if inside:
                raise AuthoringError(f"{where}, line {number}: {BEGIN} inside another solution block.")
            inside, indent = True, line[: len(line) - len(line.lstrip())]
            out.append(f'{indent}raise NotImplementedError("write your solution here")')
        elif stripped == END:
            if not inside:
                raise AuthoringError(f"{where}, line {number}: {END} without a {BEGIN} before it.")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise AuthoringError(f"{where}: {BEGIN} is never closed by {END}.")
    return "\n".join(out)


def student_notebook(source):
    """The student version of an nbformat ``source`` notebook (a new notebook; the source is kept).

    Raises
    ------
    AuthoringError
        When markers are unbalanced or nested, or no cell has any.
    """
    student = copy.deepcopy(source)
    found = False
    for index, cell in enumerate(student.cells):
        if cell.cell_type == "code" and BEGIN in cell.source:
            cell.source = _without_solution(cell.source, f"cell {index}")
            cell.outputs, cell.execution_count, found = [], None, True
    if not found:
        raise AuthoringError(f"no cell of the source notebook has a {BEGIN} / {END} block.")
    return student


def stale_cells(source, student) -> list[int]:
    """Indexes of the cells whose source differs from what :func:`student_notebook` builds."""
    built = student_notebook(source)
    if len(built.cells) != len(student.cells):
        return [min(len(built.cells), len(student.cells))]
    return [i for i, (a, b) in enumerate(zip(built.cells, student.cells, strict=True)) if a.source != b.source]


# --- The spec ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuthoredExercise:
    name: str
    cases: tuple[Case, ...]
    rtol: float
    atol: float
    hint: str


def _number(value: Any, where: str, default: float) -> float:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise AuthoringError(f"{where} must be a number >= 0, got {value!r}.")
    return float(value)


def _argument(value: Any, rng: np.random.Generator | None, where: str) -> Any:
    if isinstance(value, dict):
        dtype = value.get("dtype", "float64")
        try:
            np.dtype(dtype)
        except TypeError:
            raise AuthoringError(f"{where}: unknown dtype {dtype!r}.") from None
        if "array" in value:
            try:
                return np.asarray(value["array"], dtype=dtype)
            except (ValueError, TypeError) as error:
                raise AuthoringError(f"{where}: not an array ({error}).") from None
        draw = [key for key in _DRAWS if key in value]
        if len(draw) != 1:
            raise AuthoringError(f"{where}: expected 'array' or one of {', '.join(_DRAWS)}, got keys {sorted(value)}.")
        if rng is None:
            raise AuthoringError(f"{where}: a random draw belongs under 'random', not in a fixed case.")
        shape = value[draw[0]]
        shape = [shape] if isinstance(shape, int) else shape
        if not isinstance(shape, list) or not all(isinstance(n, int) and 0 <= n <= 10_000 for n in shape) \
                or math.prod(shape) > 10**6:
            raise AuthoringError(f"{where}: the shape must be a list of sizes (at most 10**6 entries), got {shape!r}.")
        if draw[0] == "normal":
            return rng.normal(size=shape).astype(dtype)
        low, high = value.get("low", 0), value.get("high", 1 if draw[0] == "uniform" else 10)
        if draw[0] == "uniform":
            return rng.uniform(low, high, size=shape).astype(dtype)
        return rng.integers(low, high, size=shape).astype(dtype if "dtype" in value else "int64")
    if isinstance(value, (list, str, int, float, bool)) or value is None:
        return value
    raise AuthoringError(f"{where}: an argument must be a scalar, a list or a mapping, got {type(value).__name__}.")


def _arguments(entry: dict, rng, where: str) -> tuple[tuple, dict]:
    args, kwargs = entry.get("args", []), entry.get("kwargs", {})
    if not isinstance(args, list) or not isinstance(kwargs, dict):
        raise AuthoringError(f"{where}: 'args' must be a list and 'kwargs' a mapping.")
    return (tuple(_argument(a, rng, f"{where}, argument {i + 1}") for i, a in enumerate(args)),
            {str(k): _argument(v, rng, f"{where}, keyword {k}") for k, v in kwargs.items()})


def read_spec(path: Path) -> tuple[str, list[AuthoredExercise]]:
    """The title and exercises of a spec file.

    Raises
    ------
    AuthoringError
        With the file and the exercise or case at fault.
    """
    import yaml

    try:
        data = yaml.safe_load(protocol.read_bounded(path, MAX_SPEC_BYTES).decode("utf-8"))
    except (protocol.ProtocolError, OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise AuthoringError(f"{path}: cannot read the spec ({str(error).splitlines()[0]}).") from None
    if not isinstance(data, dict) or not isinstance(data.get("exercises"), list) or not data["exercises"]:
        raise AuthoringError(f"{path}: a spec is a mapping with a non-empty 'exercises' list.")
    title = str(data.get("title", path.stem))[:100]
    exercises = []
    for number, entry in enumerate(data["exercises"], start=1):
        where = f"{path}: exercise {number}"
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not _NAME.fullmatch(entry["name"]):
            raise AuthoringError(f"{where}: needs a 'name' that is a Python function name.")
        where = f"{path}: exercise {entry['name']}"
        cases = []
        for index, case in enumerate(entry.get("cases") or [], start=1):
            if not isinstance(case, dict):
                raise AuthoringError(f"{where}, case {index}: a case is a mapping with 'args'.")
            args, kwargs = _arguments(case, None, f"{where}, case {index}")
            cases.append(Case(str(case.get("label", f"case {index}"))[:100], args, kwargs))
        random = entry.get("random")
        if random is not None:
            if not isinstance(random, dict):
                raise AuthoringError(f"{where}: 'random' is a mapping with count, seed and args.")
            count, seed = random.get("count", 5), random.get("seed", 0)
            if not isinstance(count, int) or not 1 <= count <= MAX_CASES or not isinstance(seed, int) or seed < 0:
                raise AuthoringError(f"{where}: random.count must be 1 to {MAX_CASES} and random.seed an integer >= 0.")
            rng = np.random.default_rng(seed)
            for index in range(count):
                args, kwargs = _arguments(random, rng, f"{where}, random case {index + 1}")
                cases.append(Case(f"random input {index + 1}", args, kwargs))
        if not cases or len(cases) > MAX_CASES:
            raise AuthoringError(f"{where}: needs 1 to {MAX_CASES} cases (under 'cases' or 'random').")
        exercises.append(AuthoredExercise(
            entry["name"], tuple(cases), _number(entry.get("rtol"), f"{where}: rtol", 1e-6),
            _number(entry.get("atol"), f"{where}: atol", 1e-8), str(entry.get("hint", ""))[:500],
        ))
    return title, exercises


# --- Expected outputs, from the instructor's solution in its own sandbox ----------------------


def _not_in_this_process(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError("an authored exercise's expected outputs come from the instructor's sandboxed run")


def prepare_authored(source: Path, spec: Path, limits, isolation) -> Assignment:
    """The assignment of an authored exercise set, expected outputs computed in the sandbox.

    Raises
    ------
    AuthoringError
        When the spec is bad, or the instructor's solution does not load, raises, times out or
        returns something that is not plain data on a case (the case is named).
    """
    from coursekit.grading.assignment import encode_request
    from coursekit.grading.runner import run_submission

    title, authored = read_spec(spec)
    label = re.sub(r"[^\w.-]+", "-", title).strip("-")[:40] or "authored"
    exercises = [
        Exercise(item.name, label, _not_in_this_process, lambda rng, c=item.cases: list(c), item.hint,
                 rtol=item.rtol, atol=item.atol)
        for item in authored
    ]
    cases = [list(item.cases) for item in authored]
    request = encode_request(exercises, cases, limits.time_limit)
    run = run_submission(source, request, limits, isolation)
    expected: list[list[Any]] = []
    for index, item in enumerate(authored):
        where = f"the instructor's solution of {item.name}"
        if index not in run.results:
            raise AuthoringError(f"{where} did not run: {run.failures.get(index) or '; '.join(run.notes[:2])}")
        report, arrays = run.results[index]
        status, entries = report.get("status"), report.get("cases") or []
        if status != ChildStatus.RAN or len(entries) != len(item.cases):
            why = {ChildStatus.MISSING: "no such function in the source notebook",
                   ChildStatus.NOT_IMPLEMENTED: "it raises NotImplementedError (a student version?)",
                   ChildStatus.TIMED_OUT: f"it ran out of the {limits.time_limit:g} s time limit"}.get(status, status)
            raise AuthoringError(f"{where} could not compute the expected outputs: {why}.")
        values = []
        for case, entry in zip(item.cases, entries, strict=True):
            if entry.get("error"):
                raise AuthoringError(f"{where} raised on case '{case.label}': {entry['error']}")
            value = protocol.decode(entry.get("value"), arrays)
            if _has_foreign(value):
                raise AuthoringError(f"{where} returned an object that is not plain data on case '{case.label}'.")
            values.append(value)
        expected.append(values)
    seed = 0
    return Assignment(label, seed, exercises, cases, expected, request)


def _has_foreign(value: Any) -> bool:
    if isinstance(value, protocol.ForeignValue):
        return True
    if type(value) in (tuple, list):
        return any(_has_foreign(item) for item in value)
    if type(value) is dict:
        return any(_has_foreign(item) for item in value.values())
    return False
