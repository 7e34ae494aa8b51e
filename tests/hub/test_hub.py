"""A class of three on a real JupyterHub: each learner runs lesson 00 through the hub, then grading.

``make test-hub`` installs what this needs (``jupyterhub`` from the ``hub`` extra, and
``configurable-http-proxy`` with npm into ``build/hub-node``) and runs this module. The hub runs
on 127.0.0.1 with free ports, ``DummyAuthenticator`` and ``SimpleLocalProcessSpawner`` (see
``hub_session.py``). Each learner, one after the other:

1. logs in with the hub's login form (a wrong password is refused first), and makes an API
   token with that login;
2. starts their own server through the hub's REST API;
3. gets their copy of ``notebooks/00_overfitting.ipynb`` in their home (``ada`` solved both
   exercises, ``grace`` solved none, ``alan`` solved ``polynomial_features`` only), runs all of
   its code cells in a kernel of their server over its websocket, through the proxy, and saves
   the executed notebook in their home with the server's contents API.

The tests then check each learner's progress file (``~/.coursekit/progress.json`` in their own
home: three different files, none written by another learner, and no progress written outside
the homes), that no learner can reach another's server, and grade the three saved notebooks
with ``coursekit grade``: the gradebook has one row per learner with the expected scores.
Timings go to ``build/hub/timings.json``.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from hub_session import Learner, LocalHub, missing_requirement

from coursekit import course
from coursekit.grading.editions import replace_stubs
from coursekit.progress import PROGRESS_ENV

pytestmark = pytest.mark.hub

ROOT = Path(__file__).resolve().parents[2]
PROXY = ROOT / "build" / "hub-node" / "node_modules" / ".bin" / "configurable-http-proxy"
TIMINGS = ROOT / "build" / "hub" / "timings.json"
LESSON = "00"
NOTEBOOK = "00_overfitting.ipynb"
PASSWORD = "regularize-me"
SEED = 20261202
SOLVED = {
    "ada": ("polynomial_features", "split_indices"),
    "grace": (),
    "alan": ("polynomial_features",),
}
"""Learner -> the exercises of lesson 00 they solved (in this order of runs)."""


def _learner_copy(solved: tuple[str, ...]):
    """The released lesson 00 with the exercises in ``solved`` replaced by their solutions."""
    notebook = nbformat.read(course.lesson_notebook(LESSON), as_version=4)
    solutions = {name: function for name, function in course.solution_functions(LESSON).items()
                 if name in solved}
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.source = replace_stubs(cell.source, solutions)
            cell.outputs, cell.execution_count = [], None
    return notebook


@pytest.fixture(scope="module")
def hub_class(tmp_path_factory):
    """Run the class through a hub; returns each learner's results and the timings."""
    reason = missing_requirement(PROXY)
    if reason:
        pytest.skip(reason)

    # The hub is started with COURSEKIT_PROGRESS pointing at a file that must stay unwritten: a
    # spawner that passed the hub's environment on to the learners would have them all write it.
    sentinel = tmp_path_factory.mktemp("outside") / "progress.json"
    saved_variable = os.environ.get(PROGRESS_ENV)
    os.environ[PROGRESS_ENV] = str(sentinel)
    timings: dict[str, float] = {}
    started = time.monotonic()
    hub = LocalHub(tmp_path_factory.mktemp("hub"), PROXY, list(SOLVED), PASSWORD)
    learners = {name: Learner(hub, name) for name in SOLVED}
    results = {}
    try:
        hub.start()
        timings["hub start"] = time.monotonic() - started
        wrong = learners["ada"].log_in("not-the-password")
        for name, learner in learners.items():
            clock = time.monotonic()
            login = learner.log_in(PASSWORD)
            learner.create_token()
            learner.start_server()
            learner.upload(_learner_copy(SOLVED[name]), NOTEBOOK)
            executed = learner.run_notebook(NOTEBOOK)
            learner.upload(executed, NOTEBOOK)
            timings[f"{name}: log in, start the server, run and save lesson 00"] = (
                time.monotonic() - clock)
            results[name] = {"login": login.status_code, "executed": executed}
        cross = {
            (name, other): learner.api("GET", f"{peer.server_url}/api/contents").status_code
            for name, learner in learners.items()
            for other, peer in learners.items() if other != name
        }
        own = {name: learner.api("GET", f"{learner.server_url}/api/contents").status_code
               for name, learner in learners.items()}
        for learner in learners.values():
            learner.stop_server()
    finally:
        hub.stop()
        if saved_variable is None:
            os.environ.pop(PROGRESS_ENV)
        else:
            os.environ[PROGRESS_ENV] = saved_variable
    timings["hub total"] = time.monotonic() - started
    return {"hub": hub, "learners": learners, "results": results, "wrong_login": wrong.status_code,
            "cross": cross, "own": own, "timings": timings,
            "sentinel": sentinel}


@pytest.fixture(scope="module")
def gradebook(hub_class, tmp_path_factory):
    """``coursekit grade`` on the three notebooks as saved in the learners' homes."""
    submissions = tmp_path_factory.mktemp("submissions")
    for name, learner in hub_class["learners"].items():
        shutil.copy(learner.home / NOTEBOOK, submissions / f"{name}.ipynb")
    out = submissions.parent / "grades.csv"
    clock = time.monotonic()
    environment = {key: value for key, value in os.environ.items() if key != PROGRESS_ENV}
    completed = subprocess.run(
        [str(Path(sys.executable).parent / "coursekit"), "grade", str(submissions),
         "--out", str(out), "--seed", str(SEED), "--no-progress"],
        capture_output=True, text=True, timeout=600, env=environment,
    )
    timings = hub_class["timings"]
    timings["coursekit grade"] = time.monotonic() - clock
    TIMINGS.parent.mkdir(parents=True, exist_ok=True)
    TIMINGS.write_text(json.dumps({key: round(value, 1) for key, value in timings.items()},
                                  indent=2) + "\n")
    assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-2000:]
    with out.open(newline="", encoding="utf-8-sig") as handle:
        return {"rows": list(csv.DictReader(handle)), "stdout": completed.stdout,
                "stderr": completed.stderr}


def _learner_progress(hub_class, name: str) -> dict:
    home = hub_class["learners"][name].home
    return json.loads((home / ".coursekit" / "progress.json").read_text())


def _cell_text(cell) -> str:
    return "".join(output.get("text", "") for output in cell.outputs)


def test_a_wrong_password_is_refused_and_each_learner_logs_in(hub_class):
    assert hub_class["wrong_login"] == 403
    assert {name: result["login"] for name, result in hub_class["results"].items()} == {
        name: 302 for name in SOLVED}


@pytest.mark.parametrize("name", list(SOLVED))
def test_every_code_cell_ran_in_order_without_error(hub_class, name):
    executed = hub_class["results"][name]["executed"]
    code = [cell for cell in executed.cells if cell.cell_type == "code"]
    assert [cell.execution_count for cell in code] == list(range(1, len(code) + 1))
    errors = [output for cell in code for output in cell.outputs if output.output_type == "error"]
    assert errors == []


@pytest.mark.parametrize("name", list(SOLVED))
def test_the_executed_notebook_is_saved_in_the_learners_home(hub_class, name):
    saved = nbformat.read(hub_class["learners"][name].home / NOTEBOOK, as_version=4)
    executed = hub_class["results"][name]["executed"]
    assert [cell.get("outputs") for cell in saved.cells] == [
        cell.get("outputs") for cell in executed.cells]
    assert sum(bool(cell.get("outputs")) for cell in saved.cells) > 10


@pytest.mark.parametrize("name", list(SOLVED))
def test_the_self_checks_judged_the_learners_own_functions(hub_class, name):
    executed = hub_class["results"][name]["executed"]
    for exercise in course.exercise_names(LESSON):
        marker = f'check("{exercise}"'
        check_cell = next(cell for cell in executed.cells if marker in cell.source)
        text = _cell_text(check_cell)
        # A stub that still raises NotImplementedError is "not implemented yet", not a failure.
        expected = "✅" if exercise in SOLVED[name] else "⏳"
        assert text.startswith(f"{expected} {exercise}"), text


@pytest.mark.parametrize("name", list(SOLVED))
def test_each_learners_progress_file_records_only_their_own_checks(hub_class, name):
    progress = _learner_progress(hub_class, name)
    assert set(progress["lessons"]) == {LESSON}
    exercises = progress["lessons"][LESSON]["exercises"]
    assert {exercise: entry["passed"] for exercise, entry in exercises.items()} == {
        exercise: exercise in SOLVED[name] for exercise in course.exercise_names(LESSON)}
    assert all(entry["attempts"] == 1 for entry in exercises.values()), exercises


def test_the_three_progress_files_are_different_files_with_different_records(hub_class):
    paths = {name: learner.home / ".coursekit" / "progress.json"
             for name, learner in hub_class["learners"].items()}
    assert len({path.resolve() for path in paths.values()}) == 3
    passed = {}
    for name in paths:
        exercises = _learner_progress(hub_class, name)["lessons"][LESSON]["exercises"]
        passed[name] = frozenset(key for key, entry in exercises.items() if entry["passed"])
    assert len(set(passed.values())) == 3


def test_no_progress_is_written_outside_the_learners_homes(hub_class):
    assert not hub_class["sentinel"].exists()
    written = sorted(hub_class["hub"].directory.rglob("progress.json"))
    assert written == sorted(learner.home / ".coursekit" / "progress.json"
                             for learner in hub_class["learners"].values())


def test_a_learner_cannot_reach_another_learners_server(hub_class):
    assert set(hub_class["own"].values()) == {200}
    assert all(status in (403, 404) for status in hub_class["cross"].values()), hub_class["cross"]


def test_the_gradebook_has_one_row_per_learner_with_the_expected_scores(gradebook):
    rows = {row["student"]: row for row in gradebook["rows"]}
    assert set(rows) == set(SOLVED)
    for name, solved in SOLVED.items():
        for exercise in course.exercise_names(LESSON):
            assert float(rows[name][exercise]) == (1.0 if exercise in solved else 0.0), rows[name]
        assert float(rows[name]["total"]) == len(solved)
        assert rows[name]["status"] == "graded"
