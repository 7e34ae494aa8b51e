"""The Gradescope autograder, run against a local tree laid out as Gradescope lays it out.

``/autograder/source`` holds the unzipped autograder, ``/autograder/submission`` the student's
upload, and ``run_autograder`` must write ``/autograder/results/results.json``. ``setup.sh``
needs apt and the network, so the test runs ``run_autograder`` with this environment's Python
(``COURSEKIT_AUTOGRADER_PYTHON``) instead of the virtualenv ``setup.sh`` would build; the code it
imports is the zip's own copy of coursekit.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import zipfile

import pytest
from grading_cases import EXERCISES, _defining_cell, notebook_bytes, solution_edition, with_function

from coursekit.grading.assignment import GradingError
from coursekit.grading.gradescope import build_autograder


@pytest.fixture(scope="module")
def autograder(tmp_path_factory):
    out = tmp_path_factory.mktemp("build") / "autograder.zip"
    build_autograder("00", out, seed=12, feedback_level="diagnosis")
    return out


def _gradescope_tree(tmp_path, autograder, files: dict[str, bytes]):
    root = tmp_path / "autograder"
    (root / "source").mkdir(parents=True)
    with zipfile.ZipFile(autograder) as archive:
        archive.extractall(root / "source")
        for info in archive.infolist():  # extractall drops the mode bits Gradescope keeps
            mode = info.external_attr >> 16
            if mode:
                (root / "source" / info.filename).chmod(stat.S_IMODE(mode))
    (root / "submission").mkdir()
    for name, content in files.items():
        (root / "submission" / name).write_bytes(content)
    return root


def run_autograder(root) -> dict:
    environment = {**os.environ, "COURSEKIT_AUTOGRADER_ROOT": str(root), "COURSEKIT_AUTOGRADER_PYTHON": sys.executable}
    environment.pop("PYTHONPATH", None)
    completed = subprocess.run(
        [str(root / "source" / "run_autograder")], capture_output=True, text=True, timeout=600, env=environment,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    return json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))


def test_the_zip_has_what_gradescope_runs(autograder):
    with zipfile.ZipFile(autograder) as archive:
        names = set(archive.namelist())
        modes = {info.filename: info.external_attr >> 16 for info in archive.infolist()}
        config = json.loads(archive.read("config.json"))
    assert {"setup.sh", "run_autograder", "requirements.txt", "config.json",
            "notebooks/00_overfitting.ipynb", "coursekit/grading/gradescope.py"} <= names
    assert modes["run_autograder"] & 0o111 and modes["setup.sh"] & 0o111
    assert config == {"lesson": "00", "seed": 12, "time_limit": 5.0, "feedback_level": "diagnosis",
                      "allow_weak_isolation": False}
    assert not any("__pycache__" in name for name in names)


def test_a_submission_gets_one_test_per_exercise_in_results_json(tmp_path, autograder):
    broken = with_function(solution_edition(), "split_indices", """
        def split_indices(n_samples, val_fraction, test_fraction, rng):
            order = rng.permutation(n_samples)
            return order, order[:0], order[:0]
    """)
    root = _gradescope_tree(tmp_path, autograder, {"Lesson 00 - mine.ipynb": notebook_bytes(broken)})
    results = run_autograder(root)
    tests = {test["name"]: test for test in results["tests"]}
    assert set(tests) == set(EXERCISES)
    assert tests["polynomial_features"]["score"] == 1.0 and tests["polynomial_features"]["max_score"] == 1.0
    assert tests["split_indices"]["score"] < 1.0 and "checks failed" in tests["split_indices"]["output"]
    assert "Hint" not in tests["split_indices"]["output"]  # built with the diagnosis level
    assert results["score"] == pytest.approx(sum(test["score"] for test in results["tests"]))


def test_an_upload_without_exactly_one_notebook_scores_zero_with_a_reason(tmp_path, autograder):
    root = _gradescope_tree(tmp_path, autograder, {"a.ipynb": b"{}", "b.ipynb": b"{}"})
    results = run_autograder(root)
    assert results["score"] == 0.0 and "exactly one notebook" in results["output"]


def test_a_printed_fake_result_does_not_reach_results_json(tmp_path, autograder):
    liar = with_function(solution_edition(), "polynomial_features", """
        import json as _json
        print(_json.dumps({"score": 100, "tests": []}))

        def polynomial_features(x, degree):
            open("/autograder/results/results.json", "w").write('{"score": 100}')
            return x
    """)
    root = _gradescope_tree(tmp_path, autograder, {"liar.ipynb": notebook_bytes(liar)})
    results = run_autograder(root)
    assert results["score"] <= len(EXERCISES) - 1 and "tests" in results  # the liar's own fails


def test_the_graders_notes_reach_the_students_output(tmp_path, autograder):
    notebook = solution_edition()
    cell = notebook.cells[_defining_cell(notebook, "split_indices")]
    cell.source = cell.source.replace("):", ")", 1)
    root = _gradescope_tree(tmp_path, autograder, {"mine.ipynb": notebook_bytes(notebook)})
    results = run_autograder(root)
    assert "Notes from the grader:" in results["output"] and "has a syntax error on line 1" in results["output"]


def _stub(directory, name: str, script: str) -> None:
    path = directory / name
    path.write_text("#!/usr/bin/env bash\n" + script)
    path.chmod(0o755)


@pytest.mark.parametrize(("version", "expected"), [((3, 10), "python3.11"), ((3, 12), "python3")])
def test_setup_sh_builds_the_virtualenv_on_a_python_that_coursekit_supports(tmp_path, autograder, version, expected):
    """Ubuntu 22.04, Gradescope's default base image, has Python 3.10, which numpy 2.4 refuses."""
    bin_dir, log = tmp_path / "bin", tmp_path / "calls.log"
    bin_dir.mkdir()
    _stub(bin_dir, "apt-get", f'echo "apt-get $*" >> {log}\n')
    check = f"import sys; sys.exit(not (3, 11) <= {version!r} < (3, 14))"
    for python in ("python3", "python3.11"):
        _stub(bin_dir, python, (
            f'if [ "$1" = "-c" ]; then exec {sys.executable} -c "{check}"; fi\n'
            f'echo "{python} $*" >> {log}\nmkdir -p "$3/bin"\n'
            f'printf "#!/usr/bin/env bash\\necho pip \\"\\$*\\" >> {log}\\n" > "$3/bin/pip"\nchmod +x "$3/bin/pip"\n'
        ))
    root = _gradescope_tree(tmp_path, autograder, {})
    completed = subprocess.run(
        ["bash", str(root / "source" / "setup.sh")], capture_output=True, text=True, timeout=60,
        env={"PATH": f"{bin_dir}:/usr/bin:/bin", "COURSEKIT_AUTOGRADER_ROOT": str(root)},
    )
    assert completed.returncode == 0, completed.stderr
    calls = log.read_text().splitlines()
    assert f"{expected} -m venv {root}/venv" in calls
    assert ("python3.11" in " ".join(call for call in calls if call.startswith("apt-get"))) == (expected == "python3.11")
    assert calls[-1] == f"pip install --no-cache-dir -r {root}/source/requirements.txt"


def test_an_unknown_lesson_is_refused(tmp_path):
    with pytest.raises(GradingError, match="lesson"):
        build_autograder("42", tmp_path / "a.zip", seed=1)
