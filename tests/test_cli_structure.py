"""The command line's structure: one module per command, no import cycles, exit statuses.

Exit statuses: 1 for the ``CoursekitError`` family (the errors a user can fix), 70 for anything
else (a bug), with the traceback only on request.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from coursekit import cli, course, errors
from coursekit.commands import COMMANDS

ROOT = Path(__file__).resolve().parents[1]


def _python(code: str) -> str:
    """Run ``code`` in a fresh interpreter; return its stdout (fails the test on an error)."""
    completed = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=600,
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout


# --- Imports ------------------------------------------------------------------------------------


def test_every_coursekit_module_imports_on_its_own():
    # Each module is imported with no coursekit module loaded before it, so an import cycle that
    # only works from one entry point fails here. Third-party modules stay cached (speed).
    failures = json.loads(_python("""
        import importlib, json, pkgutil, sys
        import coursekit

        names = sorted(info.name for info in pkgutil.walk_packages(coursekit.__path__, "coursekit.")
                       if not info.name.endswith("__main__"))
        failures = {}
        for name in names:
            for key in [key for key in sys.modules if key.split(".")[0] == "coursekit"]:
                del sys.modules[key]
            try:
                importlib.import_module(name)
            except Exception as error:
                failures[name] = repr(error)
        print(json.dumps({"count": len(names), "failures": failures}))
    """))
    assert failures["count"] > 50
    assert failures["failures"] == {}


@pytest.mark.parametrize("module", ["coursekit.site", "coursekit.audio", "coursekit.course"])
def test_site_audio_and_course_do_not_import_the_grading_package(module):
    loaded = json.loads(_python(f"""
        import json, sys
        import {module}
        print(json.dumps(sorted(name for name in sys.modules if name.startswith("coursekit."))))
    """))
    assert module in loaded
    assert [name for name in loaded if name.startswith("coursekit.grading")] == []


def test_the_command_line_does_not_import_the_site_or_the_grader_to_build_its_parser():
    loaded = json.loads(_python("""
        import json, sys
        from coursekit.cli import build_parser
        build_parser()
        print(json.dumps(sorted(name for name in sys.modules if name.startswith("coursekit."))))
    """))
    assert "coursekit.site" not in loaded
    assert [name for name in loaded if name.startswith("coursekit.grading")] == []


def test_no_command_module_imports_the_command_line():
    loaded = json.loads(_python("""
        import importlib, json, sys
        from coursekit.commands import COMMANDS
        for name in COMMANDS:
            importlib.import_module(f"coursekit.commands.{name}")
        print(json.dumps(sorted(sys.modules)))
    """))
    assert "coursekit.cli" not in loaded


# --- One module per command ---------------------------------------------------------------------


def test_every_command_is_a_module_with_register_and_run():
    import importlib

    parser = cli.build_parser()
    choices = next(action.choices for action in parser._actions if action.dest == "command")
    assert sorted(choices) == sorted(name.replace("_", "-") for name in COMMANDS)
    for name in COMMANDS:
        module = importlib.import_module(f"coursekit.commands.{name}")
        assert callable(module.register) and callable(module.run), name
        assert choices[name.replace("_", "-")].get_default("run") is module.run, name


def test_cli_py_registers_commands_and_defines_none_itself():
    source = (ROOT / "coursekit" / "cli.py").read_text(encoding="utf-8")
    assert "add_parser(" not in source
    assert "from coursekit.site" not in source and "from coursekit.audio" not in source


@pytest.mark.parametrize(("command", "module", "given", "expected"), [
    ("bench", "coursekit.bench", ["--out", "b.json", "notebooks/02_dropout.ipynb"],
     ["--out", "b.json", "notebooks/02_dropout.ipynb"]),
    ("bench-grade", "coursekit.grading.bench", ["--students", "3", "--workers", "1"],
     ["--students", "3", "--workers", "1"]),
    ("claims", "coursekit.claims", ["notebooks/00_overfitting.ipynb", "--offsets", "7"],
     ["notebooks/00_overfitting.ipynb", "--offsets", "7"]),
    ("execute", "coursekit.notebook_tools", ["--no-write", "a.ipynb"], ["execute", "--no-write", "a.ipynb"]),
    ("lab", "coursekit.launch", ["notebooks/01_penalties.ipynb"], ["notebooks/01_penalties.ipynb"]),
])
def test_wrapper_commands_hand_their_arguments_to_the_module(monkeypatch, command, module, given, expected):
    import importlib

    received = []
    monkeypatch.setattr(importlib.import_module(module), "main", lambda argv: received.append(argv) or 0)
    assert cli.main([command, *given]) == 0
    assert received == [expected]


def test_a_wrapper_command_returns_the_module_status_and_its_usage_errors():
    with pytest.raises(SystemExit) as raised:
        cli.main(["claims", "--offsets", "-1"])
    assert raised.value.code == 2


def test_other_commands_still_refuse_unknown_arguments(capsys):
    with pytest.raises(SystemExit) as raised:
        cli.main(["progress", "--no-such-flag"])
    assert raised.value.code == 2
    assert "unrecognized arguments: --no-such-flag" in capsys.readouterr().err


def test_the_makefile_runs_the_coursekit_commands():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipes = [line.strip() for line in makefile.splitlines() if line.startswith("\t")]
    assert not [line for line in recipes if re.search(r"-m coursekit\b", line)]
    for target, command in [("lab", "lab"), ("site", "site"), ("execute", "execute"), ("bench", "bench"),
                            ("bench-grade", "bench-grade"), ("claims", "claims")]:
        recipe = re.search(rf"^{re.escape(target)}:.*\n\t(.*)$", makefile, re.MULTILINE)
        assert recipe is not None and recipe.group(1).startswith(f"$(BIN)/coursekit {command} "), target


# --- The CoursekitError family and the exit statuses --------------------------------------------


def test_the_user_error_classes_are_in_the_family_and_keep_their_builtin_base():
    from coursekit.audio import SpeechEngineMissing
    from coursekit.grading.assignment import GradingError
    from coursekit.grading.authored import AuthoringError
    from coursekit.grading.extract import NotebookFormatError
    from coursekit.grading.grader import SandboxError
    from coursekit.grading.roster import RosterError
    from coursekit.quiz.schema import QuizFormatError

    family = {
        QuizFormatError: errors.BankError, GradingError: errors.SubmissionError,
        RosterError: errors.SubmissionError, AuthoringError: errors.SubmissionError,
        SandboxError: errors.SubmissionError, NotebookFormatError: errors.SubmissionError,
        SpeechEngineMissing: errors.EngineMissing,
    }
    for error_class, parent in family.items():
        assert issubclass(error_class, parent) and issubclass(error_class, errors.CoursekitError)
    for error_class in (QuizFormatError, GradingError, NotebookFormatError, errors.LessonError):
        assert issubclass(error_class, ValueError)  # `except ValueError` callers keep working
    assert issubclass(SpeechEngineMissing, RuntimeError)


def test_a_bad_lesson_id_is_a_lesson_error_that_is_a_value_error():
    with pytest.raises(errors.LessonError, match="lesson must be a lesson number"):
        course.normalize_lesson("3a")
    with pytest.raises(errors.LessonError, match=r"one of the lesson numbers \(00, 01"):
        course.lesson_notebook("42")


@pytest.mark.parametrize(("argv", "message"), [
    (["flashcards", "3a"], "lesson must be a lesson number"),
    (["audio", "42", "--out", "x.wav"], "lesson must be one of the lesson numbers"),
    (["grade", "submissions", "--out", "g.csv", "--authored", "a.ipynb"], "--authored SOURCE.ipynb and --spec"),
    (["grade", "submissions", "--out", "g.csv", "--memory", "100"], "memory_mb must be >= 256"),
])
def test_a_user_error_exits_1_with_one_line_and_no_traceback(tmp_path, monkeypatch, capsys, argv, message):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(cli.DEBUG_ENV, raising=False)
    (tmp_path / "submissions").mkdir()
    assert cli.main(argv) == 1
    error = capsys.readouterr().err
    assert error.startswith("coursekit: error: ") and message in error
    assert error.count("\n") == 1 and "Traceback" not in error


def test_a_missing_or_broken_input_file_is_a_user_error(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv(cli.DEBUG_ENV, raising=False)
    missing = tmp_path / "missing.ipynb"
    assert cli.main(["author", "student", str(missing), "--out", str(tmp_path / "s.ipynb")]) == 1
    assert capsys.readouterr().err == f"coursekit: error: {missing}: No such file or directory\n"
    broken = tmp_path / "broken.ipynb"
    broken.write_text("not json", encoding="utf-8")
    assert cli.main(["author", "student", str(broken), "--out", str(tmp_path / "s.ipynb")]) == 1
    error = capsys.readouterr().err
    assert "is not a readable Jupyter notebook" in error and "Traceback" not in error


def _break_solutions(monkeypatch, error: Exception) -> None:
    from coursekit.grading import editions

    def broken(outdir):
        raise error

    monkeypatch.setattr(editions, "write_solutions_edition", broken)


@pytest.mark.parametrize("error", [KeyError("cells"), ValueError("a bug, not the user"), TypeError("bad call")])
def test_any_other_exception_is_a_bug_exit_70_with_a_one_line_report(tmp_path, monkeypatch, capsys, error):
    monkeypatch.delenv(cli.DEBUG_ENV, raising=False)
    _break_solutions(monkeypatch, error)
    assert cli.main(["solutions", str(tmp_path)]) == 70
    stderr = capsys.readouterr().err
    assert stderr.startswith(f"coursekit: internal error: {type(error).__name__}: ")
    assert "please report it" in stderr and "--debug" in stderr
    assert stderr.count("\n") == 1 and "Traceback" not in stderr


def test_debug_flag_or_variable_shows_the_traceback_of_a_bug(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv(cli.DEBUG_ENV, raising=False)
    _break_solutions(monkeypatch, KeyError("cells"))
    assert cli.main(["--debug", "solutions", str(tmp_path)]) == 70
    assert "Traceback (most recent call last)" in capsys.readouterr().err
    monkeypatch.setenv(cli.DEBUG_ENV, "1")
    assert cli.main(["solutions", str(tmp_path)]) == 70
    stderr = capsys.readouterr().err
    assert "Traceback (most recent call last)" in stderr and "KeyError: 'cells'" in stderr


def test_a_bug_in_a_real_subprocess_exits_70_with_clean_stderr(tmp_path):
    script = tmp_path / "bug.py"
    script.write_text(textwrap.dedent("""
        import sys
        from coursekit import cli
        from coursekit.grading import editions

        def broken(outdir):
            return {}["missing"]

        editions.write_solutions_edition = broken
        sys.exit(cli.main(["solutions", sys.argv[1]]))
    """), encoding="utf-8")
    environment = {name: value for name, value in os.environ.items() if name != cli.DEBUG_ENV}
    completed = subprocess.run([sys.executable, str(script), str(tmp_path / "out")], capture_output=True,
                               text=True, timeout=120, env=environment)
    assert completed.returncode == 70
    assert completed.stderr.startswith("coursekit: internal error: KeyError: 'missing'")
    assert completed.stderr.count("\n") == 1


def test_python_dash_m_coursekit_reports_a_user_error_with_status_1(tmp_path):
    completed = subprocess.run([sys.executable, "-m", "coursekit", "flashcards", "123"], capture_output=True,
                               text=True, timeout=120, cwd=tmp_path)
    assert completed.returncode == 1
    assert completed.stderr.startswith("coursekit: error: lesson must be a lesson number")


# --- The course owns the lesson facts -----------------------------------------------------------


def test_the_editions_module_re_exports_the_course_facts_it_does_not_own():
    from coursekit.grading import editions

    assert editions.lesson_notebooks is course.lesson_notebooks
    assert editions.solution_functions is course.solution_functions
    assert editions.solutions_module is course.solutions_module
    assert editions.NOTEBOOKS == course.NOTEBOOKS == course.notebooks_dir()


def test_the_course_knows_each_lesson_s_notebook_exercises_and_solutions():
    assert course.lesson_notebook("lesson_02").name == "02_dropout.ipynb"
    assert list(course.lesson_notebooks()) == [f"{n:02d}" for n in range(8)]
    assert "l2_penalty" in course.exercise_names(1)
    for lesson in course.lesson_notebooks():
        assert set(course.exercise_names(lesson)) <= set(course.solution_functions(lesson)), lesson
    with pytest.raises(errors.CourseNotFound, match="no lesson notebooks"):
        course.require_lesson_notebooks(ROOT / "quizzes")
