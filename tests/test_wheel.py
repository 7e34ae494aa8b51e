"""A regular install works: the wheel, installed (not editable) into a fresh virtualenv, used from
a folder outside the repository.

The wheel is built from this checkout with ``pip wheel`` (build isolation fetches setuptools
from the package registry). The fresh virtualenv gets only the wheel; the third-party
dependencies come from this environment's site-packages through a ``.pth`` line, which adds the
folder but not its ``.pth`` files, so this checkout's editable install stays out of the way (and
their data files, nbconvert's templates, through ``JUPYTER_PATH``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import textwrap
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(command: list[str], cwd: Path, timeout: int = 600) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("PYTHONPATH", "COURSEKIT_QUIZZES", "COURSEKIT_PROGRESS")}
    environment["COURSEKIT_PROGRESS"] = str(cwd / "progress.json")
    # nbconvert's templates are data files of a dependency, installed under this environment's
    # share/jupyter (a real install puts them under the new environment's).
    environment["JUPYTER_PATH"] = str(Path(sysconfig.get_path("data")) / "share" / "jupyter")
    completed = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=environment)
    assert completed.returncode == 0, (command, completed.stdout[-2000:], completed.stderr[-2000:])
    return completed


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    root = tmp_path_factory.mktemp("wheel")
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(root / "dist"), str(ROOT)], root)
    wheel = next((root / "dist").glob("coursekit-*.whl"))
    _run([sys.executable, "-m", "venv", str(root / "fresh")], root)
    python = root / "fresh" / "bin" / "python"
    _run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)], root)
    site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], root).stdout.strip())
    (site / "zz_course_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    outside = root / "elsewhere"
    outside.mkdir()
    return {"wheel": wheel, "python": python, "bin": python.parent, "cwd": outside}


def test_the_wheel_carries_the_quiz_data_and_the_notebooks(installed):
    names = zipfile.ZipFile(installed["wheel"]).namelist()
    for path in sorted((ROOT / "quizzes").glob("*.yaml")):
        assert f"coursekit/_quizzes/{path.name}" in names
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        assert f"coursekit/_notebooks/{path.name}" in names


def test_the_installed_package_is_the_wheel_not_the_checkout(installed):
    where = _run([str(installed["python"]), "-c", "import coursekit; print(coursekit.__file__)"], installed["cwd"])
    assert str(installed["bin"].parent) in where.stdout and str(ROOT) not in where.stdout


def test_a_self_check_passes_outside_the_checkout(installed):
    code = textwrap.dedent("""
        import numpy as np
        from coursekit.exercises import check
        def polynomial_features(x, degree):
            return x[:, None].astype(x.dtype) ** np.arange(degree + 1, dtype=x.dtype)
        assert check("polynomial_features", polynomial_features, record=False).passed
    """)
    _run([str(installed["python"]), "-c", code], installed["cwd"])


def test_quiz_validate_and_grade_work_outside_the_checkout(installed):
    coursekit = str(installed["bin"] / "coursekit")
    validated = _run([coursekit, "quiz", "validate"], installed["cwd"])
    assert "no problems" in validated.stdout
    responses = installed["cwd"] / "responses.json"
    responses.write_text(json.dumps({"lesson": "00", "answers": {}}))
    graded = _run([coursekit, "quiz", "grade", str(responses), "--json"], installed["cwd"])
    report = json.loads(graded.stdout)
    assert report["max_score"] >= 10 and len(report["questions"]) == report["max_score"]


def test_the_site_builds_outside_the_checkout(installed):
    _run([str(installed["bin"] / "coursekit"), "site", "--out", "site"], installed["cwd"], timeout=900)
    pages = sorted(path.name for path in (installed["cwd"] / "site").rglob("*.html"))
    assert "index.html" in pages and len(pages) >= 9


def test_the_package_list_in_pyproject_names_every_package():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(path.parent.relative_to(ROOT).parts) for path in (ROOT / "coursekit").rglob("__init__.py")}
    assert listed - {"coursekit._notebooks", "coursekit._quizzes"} == found
