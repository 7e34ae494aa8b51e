"""Which statements of a submitted notebook the sandbox executes.

A submission is graded on its exercise functions, not on a replay of the whole lesson (which
would train Keras models and take minutes). The sandbox therefore executes only:

* for each exercise name, the **last top-level statement that binds it** (``def name``, an
  import, or an assignment) outside the check cells, and
* transitively, the last top-level statement binding each global name those statements use:
  helper functions and classes, imports, constants.

Everything else is never run: experiments, plots, prints, top-level loops (so an infinite loop
at the top level cannot stall grading), the check cells (cells that call ``check(...)``) and the
quiz cell (``show_quiz(...)``). IPython magics (``%...``, ``!...``) are dropped, a cell with a
syntax error is skipped and ``from x import *`` is not followed.
"""

from __future__ import annotations

import ast
import re
import symtable
from dataclasses import dataclass, field

from coursekit.errors import SubmissionError

#: Calls that mark a cell as a self-check or quiz cell, never executed by the grader.
SKIPPED_CALLS = frozenset({"check", "show_quiz"})


class NotebookFormatError(SubmissionError):
    """The submission is not a readable notebook."""


@dataclass(frozen=True)
class Statement:
    """One top-level statement of a code cell."""

    cell: int
    node: ast.stmt
    binds: frozenset[str]
    mutates: frozenset[str] = frozenset()

    def compile(self) -> object:
        """Code object that runs the statement in a namespace (``exec``)."""
        module = ast.Module(body=[self.node], type_ignores=[])
        return compile(module, f"<cell {self.cell}>", "exec")


def code_cells(notebook: object) -> list[str]:
    """The sources of the code cells of a parsed ``.ipynb`` (nbformat 4) document.

    Raises
    ------
    NotebookFormatError
        When ``notebook`` does not have the structure of a notebook.
    """
    if type(notebook) is not dict or type(notebook.get("cells")) is not list:
        raise NotebookFormatError("the file is JSON but not a notebook (no list of cells).")
    sources = []
    for cell in notebook["cells"]:
        if type(cell) is not dict or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if type(source) is list and all(type(line) is str for line in source):
            source = "".join(source)
        if type(source) is not str:
            raise NotebookFormatError("a code cell's source is neither text nor a list of lines.")
        sources.append(source)
    return sources


def _without_magics(source: str) -> str:
    lines = source.splitlines()
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in lines)


def _binds(node: ast.stmt) -> frozenset[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return frozenset({node.name})
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        names = set()
        for alias in node.names:
            if alias.name != "*":
                names.add(alias.asname or alias.name.split(".")[0])
        return frozenset(names)
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        names = set()
        pending = list(targets)
        while pending:  # names, and names inside tuple / list / starred targets only
            target = pending.pop()
            if isinstance(target, ast.Name):
                names.add(target.id)
            elif isinstance(target, (ast.Tuple, ast.List)):
                pending.extend(target.elts)
            elif isinstance(target, ast.Starred):
                pending.append(target.value)
        return frozenset(names)
    return frozenset()


def _mutates(node: ast.stmt) -> frozenset[str]:
    """Names whose object a statement changes without rebinding them (``f.attr = ...``)."""
    if not isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        return frozenset()
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    names = set()
    for target in targets:
        while isinstance(target, (ast.Attribute, ast.Subscript)):
            target = target.value
            if isinstance(target, ast.Name):
                names.add(target.id)
    return frozenset(names)


def _calls_skipped(node: ast.AST) -> bool:
    for inner in ast.walk(node):
        if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name):
            if inner.func.id in SKIPPED_CALLS:
                return True
    return False


def _reads(node: ast.stmt) -> set[str]:
    return {inner.id for inner in ast.walk(node) if isinstance(inner, ast.Name)}


def _definitions_of_a_check_cell(tree: ast.Module) -> list[ast.stmt]:
    """The statements of a cell that calls ``check``/``show_quiz`` that do not depend on the call.

    A statement is left out when it makes such a call, or reads a name bound by a statement
    left out before it in the cell (``name = name_check.function``), so what the check returns
    never stands in for the learner's own definition.
    """
    tainted: set[str] = set()
    kept = []
    for node in tree.body:
        if _calls_skipped(node) or _reads(node) & tainted:
            tainted |= _binds(node)
        else:
            kept.append(node)
    return kept


#: A cell's own ``def NAME`` line, found in text when the cell cannot be parsed.
_DEF_LINE = re.compile(r"^\s*(?:async\s+)?def\s+(\w+)", re.MULTILINE)


@dataclass(frozen=True)
class BrokenCell:
    """A code cell that could not be parsed: where, why, and the functions it seems to define.

    ``cell`` counts code cells from 1, as a learner counts them.
    """

    cell: int
    line: int
    message: str
    defines: frozenset[str] = frozenset()

    def describe(self) -> str:
        return f"code cell {self.cell} has a syntax error on line {self.line}: {self.message}"


@dataclass
class ParsedCells:
    """The top-level statements of a notebook's code cells and the cells that did not parse."""

    statements: list[Statement] = field(default_factory=list)
    broken: list[BrokenCell] = field(default_factory=list)


def parse_cells(sources: list[str]) -> ParsedCells:
    """Top-level statements of the cells, in order, without the self-check and quiz calls."""
    parsed = ParsedCells()
    for index, source in enumerate(sources):
        clean = _without_magics(source)
        try:
            tree = ast.parse(clean)
        except SyntaxError as error:
            defines = frozenset(_DEF_LINE.findall(clean[:100_000]))
            message = str(error.msg)[:200]
            parsed.broken.append(BrokenCell(index + 1, error.lineno or 0, message, defines))
            continue
        except (ValueError, RecursionError, MemoryError) as error:
            parsed.broken.append(BrokenCell(index + 1, 0, type(error).__name__))
            continue
        body = _definitions_of_a_check_cell(tree) if _calls_skipped(tree) else tree.body
        parsed.statements.extend(Statement(index, node, _binds(node), _mutates(node)) for node in body)
    return parsed


def top_level_statements(sources: list[str]) -> list[Statement]:
    """Top-level statements of the cells, in order (see :func:`parse_cells`)."""
    return parse_cells(sources).statements


def imported_modules(statements: list[Statement]) -> frozenset[str]:
    """Top-level package names the statements import (``keras`` for ``from keras import ops``)."""
    roots = set()
    for statement in statements:
        for node in ast.walk(statement.node):
            if isinstance(node, ast.Import):
                roots.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                roots.add(node.module.split(".")[0])
    return frozenset(roots)


def global_names(node: ast.stmt) -> set[str]:
    """Global names a statement reads: at the top level, in its functions and class bodies."""
    table = symtable.symtable(ast.unparse(node), "<statement>", "exec")
    names = {symbol.get_name() for symbol in table.get_symbols() if symbol.is_referenced()}
    pending = list(table.get_children())
    while pending:
        child = pending.pop()
        pending.extend(child.get_children())
        for symbol in child.get_symbols():
            if symbol.is_global() or (child.get_type() == "class" and not symbol.is_local()):
                names.add(symbol.get_name())
    return names


def select_statements(sources: list[str] | ParsedCells, names: list[str]) -> list[Statement]:
    """The statements needed to define ``names``, in notebook order (see the module docstring)."""
    statements = (sources if isinstance(sources, ParsedCells) else parse_cells(sources)).statements
    last_binding: dict[str, int] = {}
    for position, statement in enumerate(statements):
        for name in statement.binds:
            last_binding[name] = position
    chosen: set[int] = set()
    pending = [name for name in names if name in last_binding]
    seen: set[str] = set()
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        # The binding, and what later changes the bound object (``name.__module__ = ...``).
        positions = [last_binding[name]] + [
            later for later in range(last_binding[name] + 1, len(statements))
            if name in statements[later].mutates
        ]
        for position in positions:
            if position in chosen:
                continue
            chosen.add(position)
            try:
                used = global_names(statements[position].node)
            except (SyntaxError, ValueError, RecursionError):
                used = set()
            pending.extend(used_name for used_name in used if used_name in last_binding)
    return [statements[position] for position in sorted(chosen)]
