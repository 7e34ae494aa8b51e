"""environment.yml (conda users) and pyproject.toml (pip users) must describe one environment."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _normalise(requirement: str) -> str:
    name, _, rest = requirement.partition("==")
    return re.sub(r"[-_.]+", "-", name.strip().lower()) + "==" + re.sub(r"\s+", " ", rest.strip())


def _pyproject_requirements() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        requirements.extend(extra)
    return {_normalise(r) for r in requirements}


def _environment_requirements() -> set[str]:
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_lists = [
        d["pip"] for d in environment["dependencies"] if isinstance(d, dict) and "pip" in d
    ]
    assert len(pip_lists) == 1, "environment.yml should have exactly one pip: section"
    return {_normalise(r) for r in pip_lists[0]}


def test_environment_yml_pins_the_same_packages_as_pyproject():
    pyproject, environment = _pyproject_requirements(), _environment_requirements()
    assert pyproject - environment == set(), "in pyproject.toml but not environment.yml"
    assert environment - pyproject == set(), "in environment.yml but not pyproject.toml"


def test_every_dependency_is_pinned_exactly():
    unpinned = [r for r in _pyproject_requirements() if not re.search(r"==\d", r)]
    assert unpinned == []


def test_environment_python_is_allowed_by_pyproject():
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    python = next(
        d for d in environment["dependencies"] if isinstance(d, str) and d.startswith("python=")
    )
    minor = int(python.split("=")[1].split(".")[1])
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    low, high = re.findall(r"3\.(\d+)", requires)
    assert int(low) <= minor < int(high)
