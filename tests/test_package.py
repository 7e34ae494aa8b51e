"""Package-level promises: the numpy reference never drags TensorFlow in."""

import subprocess
import sys


def _modules_after_import(statement: str) -> set[str]:
    code = f"import sys; {statement}; print('\\n'.join(sys.modules))"
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return set(output.stdout.split())


def test_reference_package_does_not_import_tensorflow():
    modules = _modules_after_import("import coursekit.reference")
    assert "coursekit.reference" in modules
    assert not {"tensorflow", "keras"} & modules


def test_exercise_checks_do_not_import_tensorflow():
    modules = _modules_after_import("import coursekit.exercises, coursekit.gradcheck")
    assert not {"tensorflow", "keras"} & modules


def test_code_tests_and_notebooks_are_ruff_clean():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--output-format", "concise", "coursekit", "tests", "notebooks", "conftest.py"],
        capture_output=True, text=True, cwd=root,
    )
    assert result.returncode == 0, result.stdout
