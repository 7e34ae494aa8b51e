"""Student edition (notebooks/) and instructor edition (``coursekit solutions``) stay in sync."""

from __future__ import annotations

import ast
import builtins
import inspect

import nbformat
import numpy as np
import pytest

from coursekit.exercises import all_exercises, run_check
from coursekit.grading.editions import (
    lesson_notebooks,
    solution_functions,
    solutions_notebook,
    stub_cells,
    write_solutions_edition,
)
from coursekit.grading.extract import global_names
from coursekit.grading.grader import grade_class
from coursekit.grading.runner import SandboxLimits

NOTEBOOKS = lesson_notebooks()
LESSONS_WITH_EXERCISES = sorted({exercise.lesson for exercise in all_exercises().values()})
#: A lesson's exercises can land before its notebook; the sync test above reports that gap.
GRADABLE_LESSONS = [lesson for lesson in LESSONS_WITH_EXERCISES if lesson in NOTEBOOKS]


def _stubs(lesson: str) -> set[str]:
    return set(stub_cells(nbformat.read(NOTEBOOKS[lesson], as_version=4)))


@pytest.mark.parametrize("lesson", sorted(NOTEBOOKS))
def test_every_stub_has_a_solution_and_every_solution_a_stub(lesson):
    assert _stubs(lesson) == set(solution_functions(lesson))


@pytest.mark.parametrize("lesson", LESSONS_WITH_EXERCISES)
def test_every_exercise_of_a_lesson_is_a_stub_in_its_notebook(lesson):
    names = {name for name, exercise in all_exercises().items() if exercise.lesson == lesson}
    assert lesson in NOTEBOOKS and names == _stubs(lesson)


@pytest.mark.parametrize("lesson", LESSONS_WITH_EXERCISES)
def test_solutions_use_nothing_but_numpy_and_builtins(lesson):
    for name, function in solution_functions(lesson).items():
        tree = ast.parse(inspect.getsource(function))
        outside = global_names(tree.body[0]) - {name, "np"} - set(dir(builtins))
        assert outside == set(), (name, outside)


def _pasted(function):
    """``function`` as the instructor edition has it: its source run in a notebook's namespace.

    (The module's own object is coursekit's answer, which the self-check flags as such.)
    """
    namespace = {"np": np}
    exec(compile(inspect.getsource(function), "<instructor edition>", "exec"), namespace)
    return namespace[function.__name__]


@pytest.mark.parametrize("seed", [0, 1, 2024])
def test_every_solution_passes_its_self_check(seed):
    for name, exercise in all_exercises().items():
        solution = _pasted(solution_functions(exercise.lesson)[name])
        result = run_check(exercise, solution, np.random.default_rng(seed))
        assert result.passed, result.summary()


@pytest.mark.parametrize("lesson", sorted(NOTEBOOKS))
def test_the_instructor_edition_changes_only_stub_and_check_cells(lesson):
    student = nbformat.read(NOTEBOOKS[lesson], as_version=4)
    instructor = solutions_notebook(NOTEBOOKS[lesson], lesson)
    stub_indices = set(stub_cells(student).values())
    assert len(student.cells) == len(instructor.cells)
    for index, (before, after) in enumerate(zip(student.cells, instructor.cells, strict=True)):
        if index in stub_indices:
            assert "NotImplementedError" not in after.source
        else:
            assert before.source == after.source
            assert before.cell_type == after.cell_type


def test_the_solutions_command_writes_every_lesson(tmp_path):
    from coursekit.cli import main

    assert main(["solutions", str(tmp_path)]) == 0
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(p.name for p in NOTEBOOKS.values())


def test_the_solutions_command_refuses_to_overwrite_the_student_edition():
    with pytest.raises(ValueError, match="student edition"):
        write_solutions_edition(next(iter(NOTEBOOKS.values())).parent)


def test_the_instructor_edition_of_lesson_00_runs_and_every_check_passes(tmp_path):
    from coursekit.notebook_tools import execute_notebook

    path = tmp_path / NOTEBOOKS["00"].name
    nbformat.write(solutions_notebook(NOTEBOOKS["00"], "00"), path)
    executed = execute_notebook(path, timeout=600, write=False)
    verdicts = [
        output.text
        for cell in executed.cells if cell.cell_type == "code" and "check(" in cell.source
        for output in cell.outputs if output.get("name") == "stdout"
    ]
    assert len(verdicts) == len(_stubs("00"))
    assert all("passed all" in text for text in verdicts), verdicts


@pytest.mark.parametrize("lesson", GRADABLE_LESSONS)
def test_grading_gives_the_student_edition_0_and_the_instructor_edition_full_marks(tmp_path, lesson):
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    nbformat.write(nbformat.read(NOTEBOOKS[lesson], as_version=4), submissions / "student.ipynb")
    nbformat.write(solutions_notebook(NOTEBOOKS[lesson], lesson), submissions / "teacher.ipynb")
    report = grade_class(
        submissions, lesson=lesson, seed=7, workers=2, limits=SandboxLimits(time_limit=10),
        progress=False,
    )
    totals = {grade.student: grade.total for grade in report.grades}
    assert totals == {"student": 0.0, "teacher": float(len(report.exercises))}
