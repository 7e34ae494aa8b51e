"""Hosting a class: the repo2docker configuration (Binder, JupyterHub images) in ``binder/``.

The test runs ``binder/postBuild`` as repo2docker would, from a copy of the repository, in a
fresh virtualenv whose third-party packages come from this environment (a ``.pth`` line; the
registry is not needed). It then checks what a hub user gets: coursekit installed for real (not
editable), its kernel registered, and the quiz data found from a folder outside the repository.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_binder_environment_is_the_top_level_one():
    link = ROOT / "binder" / "environment.yml"
    assert link.is_symlink() and link.resolve() == (ROOT / "environment.yml").resolve()


@pytest.fixture(scope="module")
def hub_environment(tmp_path_factory):
    root = tmp_path_factory.mktemp("binder")
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    repository = root / "repo"
    for name in filter(None, tracked.decode().split("\0")):
        source, target = ROOT / name, repository / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            target.symlink_to(os.readlink(source))
        elif source.exists():
            shutil.copy2(source, target)
    subprocess.run([sys.executable, "-m", "venv", str(root / "hub")], check=True)
    python = root / "hub" / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                          capture_output=True, text=True, check=True).stdout.strip()
    Path(site, "zz_course_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    environment = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    environment["PATH"] = f"{python.parent}{os.pathsep}{environment['PATH']}"
    completed = subprocess.run(["bash", str(repository / "binder" / "postBuild")], cwd=repository,
                               capture_output=True, text=True, timeout=900, env=environment)
    assert completed.returncode == 0, completed.stderr[-3000:]
    outside = root / "home"
    outside.mkdir()
    return {"python": python, "prefix": root / "hub", "repository": repository, "home": outside}


def test_post_build_registers_the_coursekit_kernel(hub_environment):
    spec = json.loads((hub_environment["prefix"] / "share" / "jupyter" / "kernels" / "coursekit" / "kernel.json").read_text())
    assert spec["display_name"] == "Python (coursekit)"
    assert (hub_environment["prefix"] / "etc" / "ipython" / "ipython_kernel_config.json").exists()


def test_post_build_installs_coursekit_for_real_with_its_data(hub_environment):
    code = ("import coursekit, coursekit.course as c; print(coursekit.__file__); print(c.quizzes_dir()); "
            "print(len(list(c.quizzes_dir().glob('lesson_*.yaml'))), len(list(c.notebooks_dir().glob('*.ipynb'))))")
    environment = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "COURSEKIT_QUIZZES")}
    completed = subprocess.run([str(hub_environment["python"]), "-c", code], cwd=hub_environment["home"],
                               capture_output=True, text=True, check=True, env=environment)
    package, quizzes, counts = completed.stdout.splitlines()
    assert package.startswith(str(hub_environment["prefix"])) and "_quizzes" in quizzes
    assert counts == "8 8"
