"""Instructor-authored exercises, end to end: source notebook and spec in, student version, grades out.

The example is the README's worked example: a max-norm projection, written by the instructor with
nbgrader-style markers.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import textwrap

import nbformat
import pytest

from coursekit.grading.authored import AuthoringError, read_spec, stale_cells, student_notebook

SOLUTION = textwrap.dedent('''
    import numpy as np

    def max_norm(w, c):
        """Rescale each column of w (shape (n_in, n_out)) to Euclidean norm at most c."""
        ### BEGIN SOLUTION
        norms = np.linalg.norm(w, axis=0, keepdims=True)
        return w * np.minimum(1.0, c / np.maximum(norms, 1e-12))
        ### END SOLUTION
''').strip()

SPEC = textwrap.dedent("""
    title: Max-norm practice
    exercises:
      - name: max_norm
        rtol: 1.0e-6
        atol: 1.0e-9
        hint: divide each column by max(1, norm / c)
        cases:
          - label: a column already inside the ball
            args: [{array: [[0.3], [0.4]]}, 1.0]
          - label: a 3-4-5 column scaled to norm 2
            args: [{array: [[3.0], [4.0]]}, 2.0]
        random:
          count: 4
          seed: 3
          args: [{normal: [5, 3]}, 1.5]
""").strip()


def source_notebook():
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell("# Max-norm"), nbformat.v4.new_code_cell(SOLUTION),
                      nbformat.v4.new_code_cell("max_norm(np.ones((2, 2)), 1.0)")]
    return notebook


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "coursekit.cli", *args], capture_output=True, text=True,
                          timeout=600, env=dict(os.environ))


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("authored")
    nbformat.write(source_notebook(), root / "source.ipynb")
    (root / "spec.yaml").write_text(SPEC)
    built = run_cli("author", "student", str(root / "source.ipynb"), "--out", str(root / "student.ipynb"))
    assert built.returncode == 0, built.stderr
    submissions = root / "submissions"
    submissions.mkdir()
    student = nbformat.read(root / "student.ipynb", as_version=4)
    nbformat.write(student, submissions / "untouched.ipynb")
    solved = nbformat.read(root / "source.ipynb", as_version=4)
    nbformat.write(solved, submissions / "right.ipynb")
    wrong = nbformat.read(root / "student.ipynb", as_version=4)
    wrong.cells[1].source = wrong.cells[1].source.replace(
        'raise NotImplementedError("write your solution here")', "return w / np.linalg.norm(w) * c"
    )
    nbformat.write(wrong, submissions / "always_rescales.ipynb")
    completed = run_cli("grade", str(submissions), "--authored", str(root / "source.ipynb"), "--spec",
                        str(root / "spec.yaml"), "--out", str(root / "grades.csv"), "--no-progress")
    assert completed.returncode == 0, completed.stderr[-2000:]
    with open(root / "grades.csv", newline="") as stream:
        rows = {row["student"]: row for row in csv.DictReader(stream)}
    return {"root": root, "rows": rows, "stdout": completed.stdout,
            "details": json.loads((root / "grades.json").read_text())}


def test_the_student_version_hides_the_solution_and_keeps_the_rest(course):
    student = nbformat.read(course["root"] / "student.ipynb", as_version=4)
    assert "np.minimum" not in student.cells[1].source
    assert 'raise NotImplementedError("write your solution here")' in student.cells[1].source
    assert student.cells[1].source.startswith("import numpy as np\n\ndef max_norm(w, c):")
    assert student.cells[2].source == "max_norm(np.ones((2, 2)), 1.0)"


def test_the_sync_check_passes_when_fresh_and_fails_when_stale(course):
    root = course["root"]
    assert run_cli("author", "check", str(root / "source.ipynb"), str(root / "student.ipynb")).returncode == 0
    stale = nbformat.read(root / "student.ipynb", as_version=4)
    stale.cells[2].source = "print('edited by hand')"
    nbformat.write(stale, root / "stale.ipynb")
    completed = run_cli("author", "check", str(root / "source.ipynb"), str(root / "stale.ipynb"))
    assert completed.returncode == 1 and "cell 2 differs" in completed.stderr


def test_authored_exercises_are_graded_like_the_built_in_ones(course):
    rows = course["rows"]
    assert rows["right"]["max_norm"] == "1"
    assert rows["untouched"]["max_norm"] == "0"
    # Rescaling every column to norm c is right only for the column already outside the ball.
    assert 0 < float(rows["always_rescales"]["max_norm"]) < 1
    assert "computed the expected outputs in the same sandbox" in course["stdout"]


def test_the_feedback_names_the_case_and_the_hint(course):
    student = next(s for s in course["details"]["students"] if s["student"] == "always_rescales")
    result = student["results"][0]
    assert result["hint"] == "divide each column by max(1, norm / c)"
    assert any(case["label"] == "a column already inside the ball" and not case["passed"] for case in result["cases"])


def test_an_instructor_solution_that_raises_is_reported_with_the_case(tmp_path):
    broken = source_notebook()
    broken.cells[1].source = broken.cells[1].source.replace("np.minimum(", "np.minimum_typo(")
    nbformat.write(broken, tmp_path / "source.ipynb")
    (tmp_path / "spec.yaml").write_text(SPEC)
    (tmp_path / "subs").mkdir()
    nbformat.write(source_notebook(), tmp_path / "subs" / "a.ipynb")
    completed = run_cli("grade", str(tmp_path / "subs"), "--authored", str(tmp_path / "source.ipynb"),
                        "--spec", str(tmp_path / "spec.yaml"), "--out", str(tmp_path / "g.csv"), "--no-progress")
    assert completed.returncode == 1
    assert "the instructor's solution of max_norm raised on case 'a column already inside the ball'" in completed.stderr
    assert not (tmp_path / "g.csv").exists()


@pytest.mark.parametrize(("spec", "message"), [
    ("exercises: []", "non-empty 'exercises'"),
    ("exercises:\n  - name: 1bad", "Python function name"),
    ("exercises:\n  - name: f\n    cases:\n      - args: [{normal: [3]}]", "belongs under 'random'"),
    ("exercises:\n  - name: f\n    random: {count: 0}", "random.count must be 1 to"),
    ("exercises:\n  - name: f\n    rtol: -1\n    cases: [{args: [1]}]", "rtol must be a number >= 0"),
    ("exercises:\n  - name: f", "needs 1 to 200 cases"),
])
def test_a_bad_spec_names_the_exercise(tmp_path, spec, message):
    (tmp_path / "spec.yaml").write_text(spec)
    with pytest.raises(AuthoringError, match=message):
        read_spec(tmp_path / "spec.yaml")


def test_unbalanced_markers_are_refused():
    notebook = source_notebook()
    notebook.cells[1].source = notebook.cells[1].source.replace("### END SOLUTION", "")
    with pytest.raises(AuthoringError, match="never closed"):
        student_notebook(notebook)
    assert stale_cells(source_notebook(), student_notebook(source_notebook())) == []


def test_an_exercise_added_to_a_lesson_is_graded_beside_the_lessons_own(tmp_path):
    """The README's procedure: the exercise's cell in a copy of lesson 00, then two grading runs."""
    from grading_cases import solution_edition, student_edition

    source = student_edition()
    source.cells.append(nbformat.v4.new_code_cell(SOLUTION))
    nbformat.write(source, tmp_path / "source.ipynb")
    (tmp_path / "spec.yaml").write_text(SPEC)
    built = run_cli("author", "student", str(tmp_path / "source.ipynb"), "--out", str(tmp_path / "student.ipynb"))
    assert built.returncode == 0, built.stderr
    student = nbformat.read(tmp_path / "student.ipynb", as_version=4)
    assert [cell.source for cell in student.cells[:-1]] == [cell.source for cell in student_edition().cells]
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    solved = solution_edition()
    solved.cells.append(nbformat.v4.new_code_cell(SOLUTION))
    nbformat.write(solved, submissions / "ada.ipynb")
    scores = {}
    for name, extra in (("lesson", ["--seed", "4"]),
                        ("authored", ["--authored", str(tmp_path / "source.ipynb"), "--spec", str(tmp_path / "spec.yaml")])):
        completed = run_cli("grade", str(submissions), "--out", str(tmp_path / f"{name}.csv"), "--no-progress", *extra)
        assert completed.returncode == 0, completed.stderr[-2000:]
        with open(tmp_path / f"{name}.csv", newline="") as stream:
            scores[name] = next(csv.DictReader(stream))
    assert scores["lesson"]["polynomial_features"] == scores["lesson"]["split_indices"] == "1"
    assert scores["authored"]["max_norm"] == "1" and "split_indices" not in scores["authored"]
