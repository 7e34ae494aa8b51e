"""The sandboxed child: load one submission's definitions and run its functions on given inputs.

Run by :mod:`coursekit.grading.runner` inside the sandbox as ``python -I -S -c <bootstrap>
INPUT_DIR`` (:data:`~coursekit.grading.isolation.BOOTSTRAP`). ``INPUT_DIR`` (read-only) holds the
notebook and the request (per exercise, its name and the inputs of its cases); the current
directory is the work folder, a private tmpfs where bubblewrap is used. The child writes frames
(:mod:`coursekit.grading.protocol`) to the result pipe it received as standard output:

* :data:`~coursekit.grading.protocol.PLAN` once the notebook is parsed: the packages loading will
  import, which sets the loading time limit (:func:`~coursekit.grading.protocol.load_seconds`);
* :data:`~coursekit.grading.protocol.LOADED` once the notebook's definitions are loaded (or could
  not be), with every cell that raised or did not parse;
* one result per exercise: per case the raw output, the exception raised or the time-out, and
  whether the inputs were modified in place; and :func:`~coursekit.exercises.core.reference_use`'s
  verdict on the object the notebook bound to the exercise name.

The child decides nothing: it never sees the expected outputs, the judge or the seed. Anything
it reports may be a lie told by the learner's code, and the parent is built so that a lie can
only buy what a learner's function could return by itself. Its own per-exercise timer
(``SIGALRM``) only makes a time-out precise to the case; the limit itself is enforced by the
parent, from outside.
"""

from __future__ import annotations

import ast
import builtins
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

from coursekit.exercises.core import (
    SOLUTIONS_MODULE,
    Case,
    HiddenReference,
    call_learner,
    reference_use,
)
from coursekit.exercises.registry import all_exercises
from coursekit.grading import protocol
from coursekit.grading.extract import (
    NotebookFormatError,
    ParsedCells,
    Statement,
    code_cells,
    imported_modules,
    parse_cells,
    select_statements,
)
from coursekit.grading.protocol import ChildStatus

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


def _describe(error: BaseException) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    description = f"{type(error).__name__}: {text}" if text else type(error).__name__
    return description[:ERROR_CHARS]


def _solution_imports(statement: Statement) -> dict[str, HiddenReference]:
    """Names a statement imports from the solutions, each bound to a :class:`HiddenReference`."""
    node = statement.node
    if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(SOLUTIONS_MODULE):
        return {
            alias.asname or alias.name: HiddenReference(node.module, alias.name)
            for alias in node.names if alias.name != "*"
        }
    if isinstance(node, ast.Import):
        return {
            alias.asname or alias.name.split(".")[0]: HiddenReference(alias.name, alias.name)
            for alias in node.names if alias.name.startswith(SOLUTIONS_MODULE)
        }
    return {}


def read_notebook(notebook_path: Path) -> tuple[ParsedCells | None, str]:
    """Parse the submission; return ``(cells, "")``, or ``(None, why it is not a notebook)``."""
    try:
        text = protocol.read_bounded(notebook_path, protocol.MAX_NOTEBOOK_BYTES)
        return parse_cells(code_cells(json.loads(text.decode("utf-8")))), ""
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None, "the file is not a notebook (not valid JSON text)."
    except (NotebookFormatError, RecursionError, protocol.ProtocolError) as error:
        return None, f"the file is not a valid notebook ({_describe(error)})."


def load_definitions(statements: list[Statement], time_limit: float) -> tuple[dict, dict]:
    """Execute ``statements`` within ``time_limit`` seconds; return ``(namespace, report)``.

    ``report`` is plain data: ``{"ok": bool, "error": str, "statement_errors": [...],
    "raised": {name: message}}``; ``raised`` names what a statement that raised would have bound.
    ``ok`` is false when loading ran out of time. An import from the solutions is not executed
    (the sandbox hides them): the names it would bind stand for the solution, so that the
    verdict says where they came from.
    """
    namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
    report: dict[str, Any] = {"ok": True, "error": "", "statement_errors": [], "raised": {}}
    _start_timer(time_limit)
    try:
        for statement in statements:
            hidden = _solution_imports(statement)
            if hidden:
                namespace.update(hidden)
                continue
            try:
                exec(statement.compile(), namespace)
            except TimeLimitExceeded:
                raise
            except BaseException as error:  # a broken cell must not stop the other definitions
                message = f"code cell {statement.cell + 1} raised {_describe(error)}"
                if len(report["statement_errors"]) < 20:
                    report["statement_errors"].append(message)
                report["raised"].update(dict.fromkeys(sorted(statement.binds)[:20], message))
    except TimeLimitExceeded:
        report.update(ok=False, error=f"loading the notebook's definitions took longer than {time_limit:g} s.")
    finally:
        _stop_timer()
    return namespace, report


def why_missing(name: str, cells: ParsedCells, report: dict) -> str:
    """Why no ``name`` was defined: the cell that should have defined it and what went wrong."""
    if name in report["raised"]:
        return f"{report['raised'][name]} while defining {name}."
    broken = [cell for cell in cells.broken if name in cell.defines]
    if broken:
        return f"{broken[-1].describe()}, so {name} was never defined. Fix it, re-run the cell, and save."
    return ""


def run_exercise(
    function: Any, cases: list[Case], time_limit: float, *, reproducible: bool = False
) -> tuple[dict, dict]:
    """Call ``function`` on every case within ``time_limit`` seconds in total.

    Returns the plain-data report and its arrays (see the module docstring).
    """
    arrays: dict[str, Any] = {}
    outcomes: list[dict] = []
    status = ChildStatus.RAN

    def add(entry: dict, value: Any = None) -> None:
        if "value" in entry:
            prefix = protocol.output_prefix(len(outcomes))
            try:
                tree, new_arrays = protocol.encode(value)
            except TimeLimitExceeded:
                raise
            except BaseException as error:  # e.g. a value whose length lies
                entry = {"error": f"the returned value could not be read ({_describe(error)})"}
                entry["mutated"] = False
            else:
                entry["value"] = protocol.prefix_keys(tree, prefix)
                arrays.update({prefix + key: array for key, array in new_arrays.items()})
        outcomes.append(entry)

    _start_timer(time_limit)
    try:
        for case in cases:
            try:
                call = call_learner(function, case, reproducible=reproducible)
            except NotImplementedError:
                status = ChildStatus.NOT_IMPLEMENTED
                break
            except TimeLimitExceeded:
                raise
            except BaseException as error:  # SystemExit, KeyboardInterrupt: reported, not obeyed
                add({"error": _describe(error), "mutated": False})
                continue
            if call.error:
                add({"error": call.error[:ERROR_CHARS], "mutated": False})
            else:
                entry = {"value": None, "error": "", "mutated": call.mutated}
                add(entry | ({"unreproducible": True} if call.unreproducible else {}), call.value)
    except TimeLimitExceeded:
        status = ChildStatus.TIMED_OUT
    finally:
        _stop_timer()
    return {"status": str(status), "cases": outcomes}, arrays


def _decode_cases(exercise: dict, arrays: dict) -> list[Case]:
    return [
        Case(
            case["label"],
            protocol.decode(case["args"], arrays, inputs=True),
            protocol.decode(case["kwargs"], arrays, inputs=True),
        )
        for case in exercise["cases"]
    ]


class _Channel:
    """The result pipe: standard output at start-up, moved aside so that prints cannot mix in."""

    def __init__(self) -> None:
        self.descriptor = os.dup(1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)

    def send(self, name: str, payload: dict, arrays: dict) -> None:
        data = memoryview(protocol.frame(name, payload, arrays))
        while data:
            written = os.write(self.descriptor, data)
            data = data[written:]


def main(input_dir: Path) -> None:
    """Grade-side work of one submission (see the module docstring)."""
    channel = _Channel()
    request, request_arrays = protocol.read_request(input_dir)
    time_limit = float(request["time_limit"])
    exercises = request["exercises"]
    known = all_exercises()
    # Inputs are rebuilt before any learner code runs, so that code cannot interfere.
    cases = {exercise["index"]: _decode_cases(exercise, request_arrays) for exercise in exercises}
    names = [exercise["name"] for exercise in exercises]
    cells, error = read_notebook(input_dir / protocol.NOTEBOOK)
    statements = select_statements(cells, names) if cells is not None else []
    imports = sorted(imported_modules(statements))[:20]
    channel.send(protocol.PLAN, {"imports": imports}, {})
    if cells is None:
        namespace: dict = {}
        report = {"ok": False, "error": error, "statement_errors": [], "raised": {}}
    else:
        namespace, report = load_definitions(statements, protocol.load_seconds(time_limit, imports))
        report["syntax_errors"] = [cell.describe() for cell in cells.broken[:20]]
        missing = {name: why_missing(name, cells, report)[:ERROR_CHARS] for name in names}
    report.pop("raised")
    channel.send(protocol.LOADED, report, {})
    for exercise in exercises:
        name, index = exercise["name"], exercise["index"]
        arrays: dict = {}
        if not report["ok"] or name not in namespace:
            outcome: dict = {"status": str(ChildStatus.MISSING)}
            if cells is not None:
                outcome["why"] = missing[name]
        elif isinstance(namespace[name], HiddenReference) or not callable(namespace[name]):
            reason = reference_use(namespace[name], known.get(name))
            status = ChildStatus.RAN if reason else ChildStatus.NOT_CALLABLE
            outcome = {"status": str(status), "type": type(namespace[name]).__name__, "cases": []}
            outcome["reference_use"] = reason
        else:
            try:
                reason = reference_use(namespace[name], known.get(name))
            except Exception:  # an object too odd to inspect is judged on its outputs
                reason = ""
            if reason:
                outcome = {"status": str(ChildStatus.RAN), "cases": []}
            else:
                reproducible = getattr(known.get(name), "reproducible", False)
                outcome, arrays = run_exercise(namespace[name], cases[index], time_limit, reproducible=reproducible)
            outcome["reference_use"] = reason[:ERROR_CHARS]
        channel.send(protocol.result_name(index), outcome, arrays)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
    # Leave without interpreter shutdown: learner atexit hooks and finalizers never run.
    os._exit(0)
