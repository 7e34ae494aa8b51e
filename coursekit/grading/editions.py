"""Student and instructor editions of the lesson notebooks.

``notebooks/`` is the student edition: each exercise is a stub cell ``def name(...): ...
raise NotImplementedError`` followed by a check cell ``check("name", name)``. The solutions
live in :mod:`coursekit.exercises.solutions` (one module per lesson, functions named like the
exercises). :func:`write_solutions_edition` makes the instructor edition by replacing each stub
function with its solution's source; every other cell is copied unchanged, except that the
stale outputs of the replaced cells and of their check cells are cleared.
"""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

from coursekit import course
from coursekit.course import lesson_notebooks, solution_functions, solutions_module
from coursekit.errors import UsageError

__all__ = [
    "NOTEBOOKS", "ROOT", "lesson_notebooks", "replace_stubs", "solution_functions", "solutions_module",
    "solutions_notebook", "stub_cells", "write_solutions_edition",
]

ROOT = course.CHECKOUT
#: The lesson notebooks (the student edition): the checkout's, or the copy a wheel installs.
NOTEBOOKS = course.notebooks_dir()


def _is_stub(node: ast.stmt) -> bool:
    if not isinstance(node, ast.FunctionDef):
        return False
    for statement in node.body:
        if isinstance(statement, ast.Raise) and statement.exc is not None:
            raised = statement.exc.func if isinstance(statement.exc, ast.Call) else statement.exc
            if isinstance(raised, ast.Name) and raised.id == "NotImplementedError":
                return True
    return False


def _parse(source: str) -> ast.Module | None:
    try:
        return ast.parse(source)
    except SyntaxError:
        return None


def stub_cells(notebook) -> dict[str, int]:
    """Exercise stubs of a notebook (an ``nbformat`` node): function name to cell index."""
    stubs = {}
    for index, cell in enumerate(notebook.cells):
        tree = _parse(cell.source) if cell.cell_type == "code" else None
        for node in tree.body if tree else ():
            if _is_stub(node):
                stubs[node.name] = index
    return stubs


def replace_stubs(source: str, solutions: dict[str, object]) -> str:
    """``source`` with every stub function that has a solution replaced by the solution's code."""
    tree = _parse(source)
    if tree is None:
        return source
    lines = source.splitlines(keepends=True)
    stubs = [node for node in tree.body if _is_stub(node) and node.name in solutions]
    for node in sorted(stubs, key=lambda n: n.lineno, reverse=True):
        start = min([node.lineno, *(d.lineno for d in node.decorator_list)]) - 1
        replacement = inspect.getsource(solutions[node.name]).rstrip("\n")
        ending = "\n" if lines[node.end_lineno - 1].endswith("\n") else ""
        lines[start:node.end_lineno] = [replacement + ending]
    return "".join(lines)


def solutions_notebook(path: Path, lesson: str):
    """The instructor edition of one lesson notebook (an ``nbformat`` node, not written)."""
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    solutions = solution_functions(lesson)
    replaced = set()
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        new_source = replace_stubs(cell.source, solutions)
        if new_source != cell.source:
            cell.source = new_source
            replaced.update(name for name in solutions if f"def {name}(" in new_source)
            cell.outputs, cell.execution_count = [], None
        elif any(re.search(rf"""check\(\s*["']{name}["']""", cell.source) for name in replaced):
            cell.outputs, cell.execution_count = [], None
    return notebook


def write_solutions_edition(outdir: Path, notebooks_dir: Path = NOTEBOOKS) -> list[Path]:
    """Write every lesson notebook of ``notebooks_dir`` to ``outdir`` with its exercises solved.

    Returns
    -------
    list of Path
        The notebooks written, in lesson order.

    Raises
    ------
    CourseNotFound
        If ``notebooks_dir`` holds no lesson notebook.
    UsageError
        If ``outdir`` is ``notebooks_dir`` itself.
    """
    import nbformat

    notebooks = course.require_lesson_notebooks(notebooks_dir)
    if outdir.resolve() == notebooks_dir.resolve():
        raise UsageError(f"OUTDIR must not be the student edition's folder, got {str(outdir)!r}.")
    outdir.mkdir(parents=True, exist_ok=True)
    written = []
    for lesson, path in notebooks.items():
        target = outdir / path.name
        nbformat.write(solutions_notebook(path, lesson), target)
        written.append(target)
    return written
