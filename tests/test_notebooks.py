"""Stored lesson notebooks: structure (the lesson skeleton) and clean, in-order outputs.

nbval re-executes the notebooks and compares outputs; these tests check what nbval does not:
that what is stored came from one top-to-bottom run with no errors and no stderr, and that every
lesson follows the skeleton of COURSE.md.
"""

import ast
import re
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("[0-9][0-9]_*.ipynb"))

#: Level-2 headings every lesson has, in this order (COURSE.md, "lesson skeleton").
SKELETON = [
    r"A conversation",
    r"The idea",
    r"From scratch",
    r"The same in Keras",
    r"Analogy",
    r"misconceptions",
    r"Summary",
    r"Key terms",
    r"Exercises",
]


def _code_cells(notebook):
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


@pytest.fixture(params=NOTEBOOKS, ids=[path.name for path in NOTEBOOKS])
def notebook(request):
    return nbformat.read(request.param, as_version=4)


def test_there_is_a_first_lesson():
    assert NOTEBOOKS and NOTEBOOKS[0].name == "00_overfitting.ipynb"


def test_notebook_is_valid(notebook):
    nbformat.validate(notebook)


def test_stored_outputs_come_from_one_top_to_bottom_run(notebook):
    counts = [cell.execution_count for cell in _code_cells(notebook)]
    assert counts == list(range(1, len(counts) + 1))


def test_no_stored_errors(notebook):
    errors = [o for c in _code_cells(notebook) for o in c.outputs if o.output_type == "error"]
    assert errors == []


def test_no_stored_stderr(notebook):
    stderr = [o.text for c in _code_cells(notebook) for o in c.outputs if o.get("name") == "stderr"]
    assert stderr == []


def test_first_code_cell_is_the_one_setup_call(notebook):
    first = _code_cells(notebook)[0].source
    assert "setup_notebook(seed=" in first
    later = [c.source for c in _code_cells(notebook)[1:]]
    assert not any(
        "keras.utils.set_random_seed" in source or "np.random.seed" in source for source in later
    )


#: Calls whose first argument is a seed, and keywords that take one.
SEEDING_CALLS = {"default_rng", "RandomState", "seed", "set_random_seed", "SeedSequence", "Generator"}
SEED_KEYWORDS = {"seed", "rng", "random_state"}


def _is_int_literal(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool)


def _call_name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def literal_seeds(source: str, *, setup_cell: bool) -> list[str]:
    """Places in one code cell where a seed is fixed instead of coming from coursekit.session.

    Every seed must move with ``COURSEKIT_SEED_OFFSET`` (``seed_for``, ``seeds``, ``reseed``),
    so that the lesson's claims can be re-checked on seeds nobody chose. Only the set-up cell's
    ``setup_notebook(seed=0)`` names a literal (``setup_notebook`` adds the offset itself).
    """
    code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
    found = []
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Call):
            name = _call_name(node)
            if name == "setup_notebook" and not setup_cell:
                found.append(f"line {node.lineno}: setup_notebook() after the set-up cell (use reseed)")
                continue
            if name in SEEDING_CALLS and node.args and _is_int_literal(node.args[0]):
                found.append(f"line {node.lineno}: {name}({node.args[0].value})")
            for keyword in node.keywords:
                if keyword.arg in SEED_KEYWORDS and _is_int_literal(keyword.value) and name != "setup_notebook":
                    found.append(f"line {node.lineno}: {keyword.arg}={keyword.value.value}")
        elif isinstance(node, ast.For | ast.comprehension):
            target = node.target
            names = [n.id for n in ast.walk(target) if isinstance(n, ast.Name)]
            iterator = node.iter
            if (any("seed" in n for n in names) and isinstance(iterator, ast.Call)
                    and _call_name(iterator) == "range"):
                found.append(f"line {getattr(node, 'lineno', getattr(iterator, 'lineno', 0))}: "
                             f"seeds from range() (use seeds(n))")
    return found


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("rng = np.random.default_rng(3)", 1),
        ("model = MLP(sizes, rng=0)", 1),
        ("split = load(seed=12)", 1),
        ("for seed in range(5):\n    pass", 1),
        ("runs = [f(s) for s in range(3)]", 0),
        ("runs = [f(run_seed) for run_seed in range(3)]", 1),
        ("setup_notebook(seed=2)", 1),
        ("rng = np.random.default_rng(seed_for(3))\nfor run_seed in seeds(5):\n    reseed(run_seed)", 0),
        ("model = MLP(sizes, rng=run_seed, seed=seed_for(1))", 0),
    ],
)
def test_literal_seed_detector(source, expected):
    assert len(literal_seeds(source, setup_cell=False)) == expected


def test_every_seed_moves_with_the_seed_offset(notebook):
    found = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        is_setup = cell is _code_cells(notebook)[0]
        found += [f"cell {index}, {place}" for place in literal_seeds(cell.source, setup_cell=is_setup)]
    assert found == [], "seeds must come from coursekit.session (seed_for, seeds, reseed): " + "; ".join(found)


def test_lesson_follows_the_skeleton_in_order(notebook):
    headings = [
        line[3:]
        for cell in notebook.cells
        if cell.cell_type == "markdown"
        for line in cell.source.splitlines()
        if line.startswith("## ")
    ]
    positions = []
    for pattern in SKELETON:
        matches = [
            i for i, heading in enumerate(headings) if re.search(pattern, heading, re.IGNORECASE)
        ]
        assert matches, f"missing a '## {pattern}' section"
        positions.append(matches[0])
    assert positions == sorted(positions), f"sections out of order: {headings}"


def test_lesson_opens_with_title_and_objectives(notebook):
    first = notebook.cells[0].source
    assert first.startswith("# Lesson ") and "By the end of this lesson" in first


def test_dialogue_cell_is_tagged_for_audio(notebook):
    dialogue = [c for c in notebook.cells if "dialogue" in c.metadata.get("tags", [])]
    assert len(dialogue) == 1
    assert "**Student:**" in dialogue[0].source and "**Teacher:**" in dialogue[0].source


def test_claims_are_held_by_asserts(notebook):
    asserts = sum(
        source.count("\nassert ") + source.count("    assert ")
        for source in (c.source for c in _code_cells(notebook))
    )
    assert asserts >= 3


#: Longest code cell (lines) and code line (characters): each cell does one thing (STYLE.md).
MAX_CELL_LINES, MAX_LINE_CHARS = 15, 100


def test_code_cells_are_short_and_narrow(notebook):
    too_long = [
        (index, len(lines), max(map(len, lines), default=0))
        for index, cell in enumerate(notebook.cells) if cell.cell_type == "code"
        for lines in [cell.source.splitlines()]
        if len(lines) > MAX_CELL_LINES or any(len(line) > MAX_LINE_CHARS for line in lines)
    ]
    assert not too_long, f"(cell, lines, widest line) over {MAX_CELL_LINES} lines or {MAX_LINE_CHARS} characters: {too_long}"


def test_few_cells_escape_nbval(notebook):
    ignored = [
        c
        for c in _code_cells(notebook)
        if "NBVAL_IGNORE_OUTPUT" in c.source or "NBVAL_SKIP" in c.source
    ]
    assert len(ignored) <= 1


def test_exercise_stubs_are_unsolved_in_the_learner_edition(notebook):
    stubs = [c for c in _code_cells(notebook) if "raise NotImplementedError" in c.source]
    checks = [c for c in _code_cells(notebook) if re.search(r"\bcheck\(\"", c.source)]
    assert len(stubs) >= 2 and len(checks) >= len(stubs)
