"""The notebook flow around a check (issue 14, exercise checks items 1, 3 and 4): the fallback
after a ❌ is marked and never earns a ✅, hints come in three steps, and the code that a hint
shows passes its own check."""

from __future__ import annotations

import inspect
import re

import numpy as np
import pytest

from coursekit.exercises import (
    all_exercises,
    check,
    get_exercise,
    hint,
    registry,
    run_check,
    solution,
)
from coursekit.exercises.core import (
    FAILED,
    NOT_IMPLEMENTED,
    PASSED,
    STILL_COURSEKIT,
    CoursekitVersion,
    reference_use,
)
from coursekit.exercises.registry import hint_text, solution_source
from coursekit.reference.capacity import polynomial_features as reference_polynomial_features

STILL = "this is still coursekit's version (bound after your ❌): run your function's cell, then this check"


@pytest.fixture(autouse=True)
def recorded(monkeypatch):
    """What check() saves in the progress file, and a fresh count of failed attempts."""
    saved: list[tuple[str, bool]] = []
    monkeypatch.setattr(registry, "_record", lambda result: saved.append((result.exercise, result.passed)))
    monkeypatch.setattr(registry, "_failed_attempts", {})
    return saved


def wrong_features(x, degree):
    return np.stack([x**k for k in range(1, degree + 2)], axis=1)


def own_features(x, degree):
    return x[:, None] ** np.arange(degree + 1, dtype=x.dtype)


def stub(x, degree):
    raise NotImplementedError


# --- 1. No ✅ for work the learner did not do ---------------------------------------------------


def test_after_a_failure_the_name_is_bound_to_a_marked_coursekit_version(capsys):
    result = check("polynomial_features", wrong_features)
    assert "The lesson now goes on with coursekit's version." in capsys.readouterr().out
    fallback = result.function
    assert isinstance(fallback, CoursekitVersion)
    assert fallback.__wrapped__ is reference_polynomial_features
    assert repr(fallback) == "<coursekit's version of polynomial_features, bound after your ❌>"
    assert result.version == "coursekit's polynomial_features"


def test_rerunning_the_check_on_coursekit_version_says_so_and_records_nothing(capsys, recorded):
    fallback = check("polynomial_features", wrong_features).function
    recorded.clear()
    capsys.readouterr()
    again = check("polynomial_features", fallback)
    out = capsys.readouterr().out
    assert STILL in out
    assert "✅" not in out and "reference implementation" not in out and "Write the function" not in out
    assert again.status == STILL_COURSEKIT and not again.passed
    assert recorded == []
    assert again.function is fallback  # the lesson still goes on with coursekit's version


def test_after_a_stub_the_rerun_names_the_hourglass_verdict(capsys):
    fallback = check("polynomial_features", stub).function
    assert "The lesson now goes on with coursekit's version." in capsys.readouterr().out
    check("polynomial_features", fallback)
    assert "(bound after your ⏳): run your function's cell, then this check" in capsys.readouterr().out


def test_a_demo_line_under_the_check_shows_which_version_ran(capsys):
    fallback = check("polynomial_features", wrong_features).function
    capsys.readouterr()
    values = fallback(np.array([0.5, 2.0]), degree=2)
    np.testing.assert_allclose(values, reference_polynomial_features(np.array([0.5, 2.0]), 2), rtol=0)
    assert "coursekit's version of polynomial_features ran here" in capsys.readouterr().out
    fallback(np.array([0.5]), degree=2)
    assert capsys.readouterr().out == ""  # one line per check, not one per call
    check("polynomial_features", fallback).function(np.array([0.5]), degree=2)
    assert "coursekit's version of polynomial_features ran here" in capsys.readouterr().out


def test_in_a_notebook_only_the_checks_own_cell_announces_the_fallback(capsys, monkeypatch):
    from coursekit.exercises import core

    cell = {"number": 7}
    monkeypatch.setattr(core, "_cell_number", lambda: cell["number"])
    fallback = check("polynomial_features", wrong_features).function
    capsys.readouterr()
    cell["number"] = 8  # a later cell, e.g. one printing a table row by row
    fallback(np.array([0.5]), degree=2)
    assert capsys.readouterr().out == ""
    cell["number"] = 9
    check("polynomial_features", fallback).function(np.array([0.5]), degree=2)
    assert "coursekit's version of polynomial_features ran here" in capsys.readouterr().out


def test_after_a_pass_the_learners_own_function_goes_on_and_says_so(capsys, recorded):
    result = check("polynomial_features", own_features)
    assert result.function is own_features and result.version == "your polynomial_features"
    assert "The lesson goes on with yours." in capsys.readouterr().out
    assert recorded == [("polynomial_features", True)]


def test_the_grader_and_the_self_check_both_count_the_fallback_as_coursekits_answer():
    fallback = run_check(get_exercise("polynomial_features"), wrong_features).function
    assert "coursekit's version of polynomial_features" in reference_use(fallback)
    assert run_check(get_exercise("polynomial_features"), fallback).status == STILL_COURSEKIT


# --- 3. Hints in steps ------------------------------------------------------------------------


def test_the_first_failure_shows_the_diagnosis_and_the_nudge_only(capsys):
    exercise = get_exercise("polynomial_features")
    check("polynomial_features", wrong_features)
    out = capsys.readouterr().out
    assert "case 'five points, degree 3'" in out and "expected 1, got" in out
    assert f"Hint: {exercise.hint}" in out and 'More help: hint("polynomial_features").' in out
    assert exercise.hint_detail not in out and "solution(" not in out


def test_the_second_failed_attempt_shows_the_more_specific_hint(capsys):
    exercise = get_exercise("polynomial_features")
    check("polynomial_features", wrong_features)
    capsys.readouterr()
    result = check("polynomial_features", wrong_features)
    out = capsys.readouterr().out
    assert result.hint_level == 2 and f"Hint, more specific: {exercise.hint_detail}" in out
    assert 'solution("polynomial_features")' in out and "def polynomial_features" not in out


def test_hint_prints_the_second_level_and_solution_the_code(capsys):
    exercise = get_exercise("dropout_forward")
    hint("dropout_forward")
    out = capsys.readouterr().out
    assert exercise.hint_detail in out and "def dropout_forward" not in out
    solution("dropout_forward")
    assert "def dropout_forward(x, rate, rng):" in capsys.readouterr().out
    hint("dropout_forward", level=3)
    assert "def dropout_forward(x, rate, rng):" in capsys.readouterr().out


@pytest.mark.parametrize("call, message", [
    (lambda: hint("dropout_fwd"), "❌ There is no exercise named 'dropout_fwd'. Did you mean 'dropout_forward'"),
    (lambda: hint("dropout_forward", level=4), "❌ level must be 1, 2 or 3, got 4."),
    (lambda: solution("nothing_like_it"), "❌ There is no exercise named 'nothing_like_it'."),
])
def test_a_wrong_name_or_level_is_a_one_line_message_not_a_traceback(capsys, call, message):
    call()
    assert capsys.readouterr().out.startswith(message)


def _statements(source: str) -> list[str]:
    """The solution's statements without spaces, except the def line, comments and bare returns."""
    lines = [line.strip() for line in source.splitlines()[1:]]
    statements = [re.sub(r"\s+", "", line) for line in lines if line and not line.startswith("#")]
    return [s for s in statements if len(s) >= 12 and not re.fullmatch(r"return\w+", s)]


@pytest.mark.parametrize("name", list(all_exercises()))
def test_the_first_two_hint_levels_never_give_away_a_line_of_the_solution(name):
    exercise = get_exercise(name)
    source = solution_source(name)
    assert source, f"{name} has no solution to show at level 3"
    for level, text in ((1, exercise.hint), (2, exercise.hint_detail)):
        assert text, f"{name} has no level-{level} hint"
        flat = re.sub(r"\s+", "", text)
        for statement in _statements(source):
            assert statement not in flat, f"level {level} of {name} gives away {statement!r}"
    for marker in ("np.", "`", "def ", "return ", "**", "[:"):
        assert marker not in exercise.hint, f"the first hint of {name} shows code ({marker!r})"


# --- 4. Every hint's own code passes its check ---------------------------------------------------


def _code_shown(text: str) -> str:
    """The code block of a hint: the lines from the first ``def`` on ("" when it shows none)."""
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("def ")]
    return "\n".join(lines[starts[0]:]) if starts else ""


@pytest.mark.parametrize("name", list(all_exercises()))
def test_the_code_every_hint_shows_passes_its_check(name):
    shown = {level: _code_shown(hint_text(name, level)) for level in (1, 2, 3)}
    assert shown[1] == shown[2] == "" and shown[3], "only the last level shows code"
    namespace = {"np": np}
    exec(compile(shown[3], f"<hint of {name}>", "exec"), namespace)  # as pasted into a notebook
    result = run_check(get_exercise(name), namespace[name])
    assert result.status == PASSED, result.summary()


def test_the_old_polynomial_hint_really_failed_float32_and_no_hint_carries_it():
    def old_hint(x, degree):
        return x[:, None] ** np.arange(degree + 1)

    result = run_check(get_exercise("polynomial_features"), old_hint)
    assert result.status == FAILED and "float32" in next(c.label for c in result.cases if not c.passed)
    for level in (1, 2, 3):
        assert "np.arange(degree + 1)" not in hint_text("polynomial_features", level)


def test_the_shown_solution_is_the_one_the_instructor_edition_uses():
    from coursekit.exercises.solutions import lesson02

    assert solution_source("dropout_backward") == inspect.getsource(lesson02.dropout_backward)


def test_a_stub_is_not_implemented_and_never_counts_as_an_attempt():
    assert run_check(get_exercise("polynomial_features"), stub).status == NOT_IMPLEMENTED
    check("polynomial_features", stub)
    assert registry._failed_attempts == {}


def test_cells_are_told_apart_by_the_execute_request_not_the_history_count(monkeypatch):
    # nbval runs cells with store_history=False: the execution count then never moves, so
    # the cell is identified by the id of the kernel's current execute request.
    import sys
    import types

    from coursekit.exercises import core

    shell = types.SimpleNamespace(execution_count=3, parent_header={"header": {"msg_id": "a"}})
    fake = types.ModuleType("IPython")
    fake.get_ipython = lambda: shell
    monkeypatch.setitem(sys.modules, "IPython", fake)
    first = core._cell_number()
    shell.parent_header = {"header": {"msg_id": "b"}}
    assert first == "a" and core._cell_number() == "b"
    shell.parent_header = {}
    assert core._cell_number() == 3
