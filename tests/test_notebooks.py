"""Stored lesson notebooks: structure (the lesson skeleton) and clean, in-order outputs.

nbval re-executes the notebooks and compares outputs; these tests check what nbval does not:
that what is stored came from one top-to-bottom run with no errors and no stderr, and that every
lesson follows the skeleton of COURSE.md.
"""

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
