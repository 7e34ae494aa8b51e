"""Loading a submission: what is executed, how long it may take, and what is said when it fails.

The notebooks are built at test time from lesson 00's and lesson 01's editions and graded by one
real ``coursekit grade`` run (bubblewrap where the machine has it), at the default time limit.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from grading_cases import (
    EXERCISES,
    _defining_cell,
    details,
    notebook_bytes,
    solution_edition,
    with_cell,
    with_function,
)

from coursekit.grading import protocol
from coursekit.grading.assignment import GradingError, infer_lesson, submission_lesson
from coursekit.grading.editions import NOTEBOOKS, solutions_notebook
from coursekit.grading.extract import parse_cells, select_statements


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "coursekit.cli", *args],
        capture_output=True, text=True, timeout=600, env=dict(os.environ),
    )


def _check_cell(notebook, name: str) -> int:
    return next(i for i, cell in enumerate(notebook.cells) if f'check("{name}"' in cell.source)


def definition_in_the_check_cell():
    """The learner wrote ``def split_indices`` in the cell that checks it, and deleted its own cell."""
    notebook = solution_edition()
    definition = _defining_cell(notebook, "split_indices")
    check_cell = _check_cell(notebook, "split_indices")
    notebook.cells[check_cell].source = notebook.cells[definition].source + "\n\n" + notebook.cells[check_cell].source
    del notebook.cells[definition]
    return notebook


def helper_that_imports_keras():
    """``polynomial_features`` calls a helper that uses the notebook's own ``import keras``."""
    notebook = solution_edition()
    source = notebook.cells[_defining_cell(notebook, "polynomial_features")].source
    inner = source.replace("def polynomial_features(", "def _powers(", 1)
    notebook = with_cell(notebook, "import keras", position=1)
    return with_function(notebook, "polynomial_features", inner + (
        "\n\ndef polynomial_features(x, degree):\n"
        "    assert keras.ops.convert_to_numpy(keras.ops.ones(1))[0] == 1\n"
        "    return _powers(x, degree)\n"
    ))


def syntax_error_in_the_definition():
    notebook = solution_edition()
    cell = notebook.cells[_defining_cell(notebook, "split_indices")]
    cell.source = cell.source.replace("):", ")", 1)
    return notebook


def definition_that_raises():
    """A decorator that fails while the cell runs: the function is never bound."""
    notebook = solution_edition()
    cell = notebook.cells[_defining_cell(notebook, "split_indices")]
    cell.source = "@undefined_decorator\n" + cell.source
    return notebook


def slow_constant():
    """A constant the exercise needs takes forever to compute: loading runs out of time."""
    return with_function(solution_edition(), "polynomial_features", """
        def _forever():
            while True:
                pass

        SCALE = _forever()

        def polynomial_features(x, degree):
            return SCALE
    """)


def split_without_rng():
    return with_function(solution_edition(), "split_indices", """
        import numpy as np

        def split_indices(n_samples, val_fraction, test_fraction, rng):
            order = np.random.permutation(n_samples)
            n_val, n_test = round(val_fraction * n_samples), round(test_fraction * n_samples)
            return order[n_val + n_test:], order[:n_val], order[n_val:n_val + n_test]
    """)


CASES = {
    "split_without_rng": split_without_rng,
    "same_cell": definition_in_the_check_cell,
    "keras_helper": helper_that_imports_keras,
    "syntax_error": syntax_error_in_the_definition,
    "raises": definition_that_raises,
    "slow_constant": slow_constant,
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("loading")
    submissions = root / "submissions"
    submissions.mkdir()
    for student, build in CASES.items():
        (submissions / f"{student}.ipynb").write_bytes(notebook_bytes(build()))
    (submissions / "not_json.ipynb").write_text("this is not a notebook")
    completed = run_cli(
        "grade", str(submissions), "--out", str(root / "grades.csv"), "--feedback",
        str(root / "feedback"), "--seed", "5", "--no-progress",
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    return {"root": root, "stdout": completed.stdout, "details": details(root / "grades.json")}


def _messages(graded, student: str, exercise: str) -> str:
    result = next(r for r in graded["details"][student]["results"] if r["exercise"] == exercise)
    return " ".join(case["message"] for case in result["cases"])


def test_a_definition_in_the_same_cell_as_its_check_is_graded(graded):
    assert graded["details"]["same_cell"]["scores"] == dict.fromkeys(EXERCISES, 1.0)


def test_import_time_of_keras_is_not_counted_against_the_exercise(graded):
    assert graded["details"]["keras_helper"]["scores"]["polynomial_features"] == 1.0


def test_a_syntax_error_is_named_with_its_cell_and_line(graded):
    message = _messages(graded, "syntax_error", "split_indices")
    assert "has a syntax error on line 1" in message and "renamed" not in message
    assert any("syntax error" in note for note in graded["details"]["syntax_error"]["notes"])


def test_a_cell_that_raised_while_loading_is_reported(graded):
    message = _messages(graded, "raises", "split_indices")
    assert "raised NameError" in message and "undefined_decorator" in message
    assert any("while loading" in note for note in graded["details"]["raises"]["notes"])


def test_a_load_that_runs_out_of_time_is_reported_as_such(graded):
    message = _messages(graded, "slow_constant", "polynomial_features")
    assert "loading" in message and "took longer than" in message
    assert graded["details"]["slow_constant"]["scores"]["polynomial_features"] == 0.0


def test_a_split_that_ignores_rng_is_not_reproducible_in_grading_either(graded):
    assert graded["details"]["split_without_rng"]["scores"]["split_indices"] == 0.0
    assert "draw every random number from the rng argument" in _messages(graded, "split_without_rng", "split_indices")


def test_every_notebook_that_did_not_load_has_a_note_in_the_console_summary(graded):
    assert "note on not_json: the notebook was not graded" in graded["stdout"]
    assert "note on slow_constant: the notebook was not graded" in graded["stdout"]


def test_the_check_call_and_its_fallback_binding_are_never_executed():
    cells = ["def f(x):\n    return x", "f_check = check('f', f)\nf = f_check.function\ng = f"]
    chosen = select_statements(parse_cells(cells), ["f", "g"])
    assert [statement.cell for statement in chosen] == [0]


def test_a_forged_plan_buys_at_most_the_loading_cap():
    forged = ["keras", "tensorflow", "torch", "jax", *["keras"] * 1000]
    assert protocol.load_seconds(5.0, forged) == protocol.MAX_LOAD_SECONDS
    assert protocol.load_seconds(5.0, "keras") == 5.0
    assert protocol.load_seconds(5.0, [{"keras": 1}]) == 5.0


# --- Which lesson ------------------------------------------------------------------------------


def _write(path, notebook):
    path.write_bytes(notebook_bytes(notebook))
    return path


def test_a_folder_of_two_lessons_is_refused_with_the_list(tmp_path):
    lesson_01 = solutions_notebook(NOTEBOOKS / "01_norm_penalties.ipynb", "01")
    paths = [_write(tmp_path / "a.ipynb", solution_edition()), _write(tmp_path / "b.ipynb", lesson_01)]
    with pytest.raises(GradingError, match=r"lesson 00: a\.ipynb \(1\); lesson 01: b\.ipynb \(1\)"):
        infer_lesson({path: submission_lesson(path) for path in paths})


def test_a_notebook_that_names_two_lessons_equally_decides_nothing(tmp_path):
    notebook = solution_edition()
    with_cell(notebook, 'check("l1_penalty", l1_penalty)')
    others = [f'check("{name}"' for name in EXERCISES if name != "polynomial_features"]
    notebook.cells = [c for c in notebook.cells if not any(text in c.source for text in others)]
    assert submission_lesson(_write(tmp_path / "tie.ipynb", notebook)) is None


def test_a_notebook_of_another_lesson_is_flagged_when_the_lesson_is_given(tmp_path):
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    _write(submissions / "right.ipynb", solution_edition())
    _write(submissions / "wrong.ipynb", solutions_notebook(NOTEBOOKS / "01_norm_penalties.ipynb", "01"))
    refused = run_cli("grade", str(submissions), "--out", str(tmp_path / "g.csv"), "--no-progress")
    assert refused.returncode != 0 and "2 lessons" in refused.stderr
    completed = run_cli(
        "grade", str(submissions), "--out", str(tmp_path / "g.csv"), "--lesson", "00", "--no-progress"
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert "note on wrong: this notebook's check cells are lesson 01's, not lesson 00's" in completed.stdout
    assert "note on right" not in completed.stdout


def test_the_stored_lessons_name_their_own_lesson():
    for path in sorted(NOTEBOOKS.glob("0*.ipynb")):
        assert submission_lesson(path) == path.name[:2]
