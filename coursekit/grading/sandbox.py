"""The sandboxed child: load one submission's definitions and run its functions on given inputs.

Run by the grader as ``python -I -m coursekit.grading.sandbox WORKDIR`` inside resource limits
(see :mod:`coursekit.grading.runner`). ``WORKDIR`` holds ``submission.ipynb`` and the request
(``request.json`` + ``request.npz``: per exercise, its name and the inputs of its cases). The
child writes, all as plain data (:mod:`coursekit.grading.protocol`):

* ``loaded.json`` once the notebook's definitions are loaded (or could not be);
* ``result_<i>.json`` + ``.npz`` after exercise ``i``: per case the raw output, the exception
  raised or the time-out, and whether the inputs were modified in place; and which object the
  notebook bound to the exercise name (module, qualified name, whether it is coursekit's own).

The child decides nothing: it never sees the expected outputs, the judge or the seed. Anything
it reports may be a lie told by the learner's code, and the parent is built so that a lie can
only buy what a learner's function could return by itself.
"""

from __future__ import annotations

import builtins
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

from coursekit.exercises.core import Case, call_learner
from coursekit.grading import protocol
from coursekit.grading.extract import NotebookFormatError, code_cells, select_statements

NOTEBOOK = "submission.ipynb"
REQUEST = "request.json"
LOADED = "loaded.json"
ERROR_CHARS = 300


class TimeLimitExceeded(BaseException):
    """Raised by the SIGALRM handler; a BaseException so ``except Exception`` cannot swallow it."""


def _on_alarm(signum: int, frame: object) -> None:
    raise TimeLimitExceeded


def _start_timer(seconds: float) -> None:
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)


def _stop_timer() -> None:
    signal.setitimer(signal.ITIMER_REAL, 0)


def result_path(workdir: Path, index: int) -> Path:
    """Where the child writes the outcome of the ``index``-th requested exercise."""
    return workdir / f"result_{index}.json"


def _describe(error: BaseException) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    description = f"{type(error).__name__}: {text}" if text else type(error).__name__
    return description[:ERROR_CHARS]


def load_definitions(notebook_path: Path, names: list[str], time_limit: float) -> tuple[dict, dict]:
    """Execute the statements that define ``names``; return ``(namespace, report)``.

    ``report`` is plain data: ``{"ok": bool, "error": str, "statement_errors": [...]}``.
    """
    namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
    report: dict[str, Any] = {"ok": True, "error": "", "statement_errors": []}
    try:
        notebook = json.loads(notebook_path.read_text(encoding="utf-8"))
        statements = select_statements(code_cells(notebook), names)
    except (UnicodeDecodeError, json.JSONDecodeError):
        report.update(ok=False, error="the file is not a notebook (not valid JSON text).")
        return namespace, report
    except (NotebookFormatError, RecursionError) as error:
        report.update(ok=False, error=f"the file is not a valid notebook ({_describe(error)}).")
        return namespace, report
    _start_timer(time_limit)
    try:
        for statement in statements:
            try:
                exec(statement.compile(), namespace)
            except TimeLimitExceeded:
                raise
            except BaseException as error:  # a broken cell must not stop the other definitions
                report["statement_errors"].append(f"cell {statement.cell}: {_describe(error)}")
    except TimeLimitExceeded:
        report["error"] = f"loading the definitions took longer than {time_limit:g} s."
    finally:
        _stop_timer()
    return namespace, report


def _identity(function: Any) -> dict:
    """Where the object bound to an exercise name comes from (reported, judged by the parent)."""
    target = function
    for _ in range(10):  # see through functools.partial and functools.wraps
        inner = getattr(target, "func", None) or getattr(target, "__wrapped__", None)
        if inner is None or inner is target:
            break
        target = inner
    module = getattr(target, "__module__", None)
    qualname = getattr(target, "__qualname__", None)
    module = module if type(module) is str else ""
    qualname = qualname if type(qualname) is str else ""
    return {
        "module": module[:200],
        "qualname": qualname[:200],
        "is_coursekit": module == "coursekit" or module.startswith("coursekit."),
    }


def run_exercise(function: Any, cases: list[Case], time_limit: float) -> tuple[dict, dict]:
    """Call ``function`` on every case within ``time_limit`` seconds in total.

    Returns the plain-data report and its arrays (see the module docstring).
    """
    arrays: dict[str, Any] = {}
    outcomes: list[dict] = []
    status = "ran"

    def add(entry: dict, value: Any = None) -> None:
        if "value" in entry:
            prefix = f"c{len(outcomes)}_"
            try:
                tree, new_arrays = protocol.encode(value)
            except TimeLimitExceeded:
                raise
            except BaseException as error:  # e.g. a value whose length lies
                entry = {"error": f"the returned value could not be read ({_describe(error)})"}
                entry["mutated"] = False
            else:
                entry["value"] = _rename_keys(tree, prefix)
                arrays.update({prefix + key: array for key, array in new_arrays.items()})
        outcomes.append(entry)

    _start_timer(time_limit)
    try:
        for case in cases:
            try:
                call = call_learner(function, case)
            except NotImplementedError:
                status = "not implemented"
                break
            except TimeLimitExceeded:
                raise
            except BaseException as error:  # SystemExit, KeyboardInterrupt: reported, not obeyed
                add({"error": _describe(error), "mutated": False})
                continue
            if call.error:
                add({"error": call.error[:ERROR_CHARS], "mutated": False})
            else:
                add({"value": None, "error": "", "mutated": call.mutated}, call.value)
    except TimeLimitExceeded:
        status = "timed out"
    finally:
        _stop_timer()
    return {"status": status, "cases": outcomes}, arrays


def _rename_keys(tree: Any, prefix: str) -> Any:
    if type(tree) is list:
        return [_rename_keys(item, prefix) for item in tree]
    if type(tree) is dict:
        renamed = {key: _rename_keys(value, prefix) for key, value in tree.items()}
        if tree.get("t") in ("array", "scalar"):
            renamed["key"] = prefix + tree["key"]
        return renamed
    return tree


def _decode_cases(exercise: dict, arrays: dict) -> list[Case]:
    return [
        Case(
            case["label"],
            protocol.decode(case["args"], arrays, inputs=True),
            protocol.decode(case["kwargs"], arrays, inputs=True),
        )
        for case in exercise["cases"]
    ]


def main(workdir: Path) -> None:
    """Grade-side work of one submission in ``workdir`` (see the module docstring)."""
    request, request_arrays = protocol.read_message(workdir / REQUEST)
    time_limit = float(request["time_limit"])
    exercises = request["exercises"]
    # Inputs are rebuilt before any learner code runs, so that code cannot interfere.
    cases = {exercise["index"]: _decode_cases(exercise, request_arrays) for exercise in exercises}
    namespace, report = load_definitions(
        workdir / NOTEBOOK, [exercise["name"] for exercise in exercises], time_limit
    )
    protocol.write_message(workdir / LOADED, report, {})
    for exercise in exercises:
        name, index = exercise["name"], exercise["index"]
        if not report["ok"] or name not in namespace:
            outcome: dict = {"status": "missing"}
            arrays: dict = {}
        elif not callable(namespace[name]):
            outcome, arrays = {"status": "not callable", "type": type(namespace[name]).__name__}, {}
        else:
            outcome, arrays = run_exercise(namespace[name], cases[index], time_limit)
            outcome["identity"] = _identity(namespace[name])
        protocol.write_message(result_path(workdir, index), outcome, arrays)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
    # Leave without interpreter shutdown: learner atexit hooks and finalizers never run.
    os._exit(0)
