"""Adversarial submissions for the grader, built at test time from lesson 00's two editions.

Each :class:`Adversary` writes one student's notebook (or non-notebook bytes) into a submissions
folder and states the **honest score**: what each exercise truly earns, the fraction of its cases
that a fair judge would pass. The grader must never give more.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from coursekit.grading.editions import NOTEBOOKS, solutions_notebook

LESSON = "00"
NOTEBOOK = NOTEBOOKS / "00_overfitting.ipynb"
EXERCISES = ("polynomial_features", "split_indices", "kfold_indices")
#: Marker a submission writes into files it should not be able to fake.
FAKE = "FAKE-GRADE-100"


def student_edition():
    return nbformat.read(NOTEBOOK, as_version=4)


def solution_edition():
    return solutions_notebook(NOTEBOOK, LESSON)


def _defining_cell(notebook, name: str) -> int:
    pattern = re.compile(rf"^def {name}\(", re.MULTILINE)
    return next(i for i, cell in enumerate(notebook.cells) if pattern.search(cell.source))


def with_function(notebook, name: str, source: str):
    """Replace the cell that defines exercise ``name`` by ``source`` (dedented)."""
    notebook.cells[_defining_cell(notebook, name)].source = textwrap.dedent(source).strip()
    return notebook


def with_cell(notebook, source: str, position: int | None = None):
    """Insert a code cell (at the end by default)."""
    cell = nbformat.v4.new_code_cell(textwrap.dedent(source).strip())
    notebook.cells.insert(len(notebook.cells) if position is None else position, cell)
    return notebook


def split_with_one_too_many_in_validation():
    """Lesson 00's solutions with a split that puts one index too many in the validation part."""
    return with_function(solution_edition(), "split_indices", """
        def split_indices(n_samples, val_fraction, test_fraction, rng):
            order = rng.permutation(n_samples)
            n_val = round(val_fraction * n_samples) + 1
            n_test = round(test_fraction * n_samples)
            return order[n_val + n_test:], order[:n_val], order[n_val:n_val + n_test]
    """)


def without_function(notebook, name: str):
    del notebook.cells[_defining_cell(notebook, name)]
    return notebook


@dataclass(frozen=True)
class Adversary:
    """One submission of the adversarial class.

    Attributes
    ----------
    student : str
        File stem, ``NN_what``, NN being the issue's case number.
    build : callable
        ``build(submissions_dir) -> bytes``, the file's content (may read the folder's path).
    honest : dict of str to float
        What each exercise truly earns, in [0, 1].
    """

    student: str
    build: Callable[[Path], bytes]
    honest: dict[str, float] = field(default_factory=lambda: dict.fromkeys(EXERCISES, 0.0))


def notebook_bytes(notebook) -> bytes:
    return nbformat.writes(notebook).encode("utf-8")


def _solved(**kwargs: float) -> dict[str, float]:
    return {**dict.fromkeys(EXERCISES, 1.0), **kwargs}


def _plain_loop(_: Path) -> bytes:
    notebook = with_function(solution_edition(), "polynomial_features", """
        def polynomial_features(x, degree):
            while True:
                pass
    """)
    return notebook_bytes(notebook)


def _stubborn_loop(_: Path) -> bytes:
    notebook = with_function(solution_edition(), "polynomial_features", """
        def polynomial_features(x, degree):
            while True:
                try:
                    while True:
                        pass
                except BaseException:
                    pass
    """)
    return notebook_bytes(notebook)


def _top_level_loop(_: Path) -> bytes:
    return notebook_bytes(with_cell(solution_edition(), "while True:\n    pass", position=4))


def _loop_in_needed_class(_: Path) -> bytes:
    notebook = with_cell(solution_edition(), """
        class Helper:
            while True:
                try:
                    pass
                except BaseException:
                    pass
    """, position=4)
    notebook = with_function(notebook, "polynomial_features", """
        def polynomial_features(x, degree):
            return Helper()
    """)
    return notebook_bytes(notebook)


def _memory_bomb(_: Path) -> bytes:
    notebook = with_function(solution_edition(), "polynomial_features", """
        def polynomial_features(x, degree):
            hoard = []
            while True:
                hoard.append(bytearray(50 * 2**20))
    """)
    return notebook_bytes(notebook)


def _fork_bomb(_: Path) -> bytes:
    notebook = with_function(solution_edition(), "polynomial_features", """
        def polynomial_features(x, degree):
            import os
            import subprocess
            for _ in range(200):
                try:
                    subprocess.Popen(["sleep", "60"], start_new_session=True)
                except OSError:
                    break
            while True:
                try:
                    os.fork()
                except OSError:
                    pass
    """)
    return notebook_bytes(notebook)


def _os_exit(_: Path) -> bytes:
    notebook = with_function(solution_edition(), "polynomial_features", """
        def polynomial_features(x, degree):
            import os
            os._exit(0)
    """)
    return notebook_bytes(notebook)


def _kernel_death(_: Path) -> bytes:
    notebook = with_function(solution_edition(), "split_indices", """
        def split_indices(n_samples, val_fraction, test_fraction, rng):
            import os
            import signal
            os.kill(os.getpid(), signal.SIGKILL)
    """)
    return notebook_bytes(notebook)


def _sys_exit(_: Path) -> bytes:
    notebook = with_function(solution_edition(), "polynomial_features", """
        def polynomial_features(x, degree):
            import sys
            sys.exit()
    """)
    return notebook_bytes(notebook)


def _keyboard_interrupt(_: Path) -> bytes:
    notebook = with_function(solution_edition(), "split_indices", """
        def split_indices(n_samples, val_fraction, test_fraction, rng):
            raise KeyboardInterrupt
    """)
    notebook = with_function(notebook, "polynomial_features", """
        def polynomial_features(x, degree):
            raise SystemExit(0)
    """)
    return notebook_bytes(notebook)


def _fake_print(_: Path) -> bytes:
    notebook = with_cell(student_edition(), 'print("All tests passed! Score: 2/2")', position=5)
    notebook = with_function(notebook, "polynomial_features", """
        def polynomial_features(x, degree):
            print("✅ polynomial_features: passed all 6 checks. All tests passed. Score 100%")
            raise NotImplementedError
    """)
    return notebook_bytes(notebook)


def _fake_files(submissions: Path) -> bytes:
    targets = [
        "grades.csv", "grades.json", "result_1.json", "loaded.json", "../grades.csv",
        str(submissions / "grades.csv"), str(submissions.parent / "grades.csv"),
        str(submissions.parent / "feedback" / "09_fake_files.md"),
    ]
    notebook = with_function(student_edition(), "polynomial_features", f"""
        def polynomial_features(x, degree):
            import json
            import os
            import threading
            fake = {{"status": "ran", "cases": [], "identity": {{"is_coursekit": False}}}}
            def forge(rounds):
                for _ in range(rounds):
                    for path in {targets!r}:
                        try:
                            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
                            with open(path, "w") as stream:
                                stream.write(json.dumps(fake) if path.endswith(".json") else "{FAKE}")
                        except OSError:
                            pass
            threading.Thread(target=forge, args=(10**6,), daemon=True).start()
            forge(20)
            return x
    """)
    return notebook_bytes(notebook)


def _monkeypatch(_: Path) -> bytes:
    notebook = with_function(student_edition(), "polynomial_features", """
        def polynomial_features(x, degree):
            import builtins
            import numpy
            import numpy.testing
            numpy.allclose = lambda *args, **kwargs: True
            numpy.array_equal = lambda *args, **kwargs: True
            numpy.testing.assert_allclose = lambda *args, **kwargs: None
            builtins.abs = lambda value: 0
            builtins.isinstance = lambda *args: True
            import coursekit.exercises.core as core
            core.compare = lambda *args, **kwargs: ""
            return numpy.zeros((len(x), degree + 1))
    """)
    return notebook_bytes(notebook)


def _always_equal(_: Path) -> bytes:
    notebook = with_cell(student_edition(), """
        class Anything(float):
            def __eq__(self, other):
                return True
            def __ne__(self, other):
                return False
            def __bool__(self):
                return True
            def __len__(self):
                return 3
            def __array__(self, dtype=None, copy=None):
                import numpy
                return numpy.zeros(3)
    """, position=4)
    notebook = with_function(notebook, "polynomial_features", """
        def polynomial_features(x, degree):
            return Anything(1.0)
    """)
    notebook = with_function(notebook, "split_indices", """
        def split_indices(n_samples, val_fraction, test_fraction, rng):
            return (Anything(0), Anything(0), Anything(0))
    """)
    return notebook_bytes(notebook)


def _subclass(_: Path) -> bytes:
    notebook = with_cell(student_edition(), """
        import numpy as np

        class Agreeable(np.ndarray):
            def __eq__(self, other):
                return np.ones(np.shape(other), bool)
    """, position=4)
    notebook = with_function(notebook, "polynomial_features", """
        def polynomial_features(x, degree):
            return np.zeros((len(x), degree + 1)).view(Agreeable)
    """)
    notebook = with_function(notebook, "split_indices", """
        def split_indices(n_samples, val_fraction, test_fraction, rng):
            return tuple(np.ma.masked_all(3, dtype=int) for _ in range(3))
    """)
    return notebook_bytes(notebook)


def _nan_inf(_: Path) -> bytes:
    notebook = with_function(student_edition(), "polynomial_features", """
        def polynomial_features(x, degree):
            return np.full((len(x), degree + 1), np.nan, dtype=x.dtype)
    """)
    notebook = with_function(notebook, "split_indices", """
        def split_indices(n_samples, val_fraction, test_fraction, rng):
            return np.array([np.inf]), np.array([np.nan]), np.array([-np.inf])
    """)
    return notebook_bytes(notebook)


def _wrong_shape_dtype(_: Path) -> bytes:
    # Ones of shape (n, 1) are right only for degree 0: 1 case of 6.
    notebook = with_function(student_edition(), "polynomial_features", """
        def polynomial_features(x, degree):
            return np.ones((len(x), 1), dtype=x.dtype)
    """)
    notebook = with_function(notebook, "split_indices", """
        def split_indices(n_samples, val_fraction, test_fraction, rng):
            order = rng.permutation(n_samples).astype(float)
            n_val = int(round(val_fraction * n_samples))
            n_test = int(round(test_fraction * n_samples))
            n_train = n_samples - n_val - n_test
            return order[:n_train], order[n_train:n_train + n_val], order[n_train + n_val:]
    """)
    return notebook_bytes(notebook)


def _reference_import(_: Path) -> bytes:
    notebook = with_cell(
        student_edition(),
        "from coursekit.reference.capacity import polynomial_features\n"
        "from coursekit.data import split_indices",
        position=11,
    )
    return notebook_bytes(notebook)


def _reference_alias(_: Path) -> bytes:
    notebook = with_function(student_edition(), "polynomial_features", """
        import functools
        from coursekit.reference import capacity
        polynomial_features = functools.partial(capacity.polynomial_features)
    """)
    notebook = with_function(notebook, "split_indices", """
        import coursekit.data
        split_indices = coursekit.data.split_indices
    """)
    return notebook_bytes(notebook)


def _read_secrets(_: Path) -> bytes:
    notebook = with_function(student_edition(), "polynomial_features", """
        def polynomial_features(x, degree):
            import glob
            import os
            seen = sorted(key for key in os.environ if "COURSEKIT" in key or "SECRET" in key)
            files = sorted(os.listdir("."))
            tests = glob.glob("/work/**/test_exercises*.py", recursive=True)
            raise RuntimeError(f"env={seen} cwd={files} home={os.environ.get('HOME')} tests={len(tests)}")
    """)
    return notebook_bytes(notebook)


def _delete_files(_: Path) -> bytes:
    notebook = with_function(solution_edition(), "polynomial_features", """
        def polynomial_features(x, degree):
            import os
            for name in os.listdir("."):
                try:
                    os.remove(name)
                except OSError:
                    pass
            with open("submission.ipynb", "w") as stream:
                stream.write("overwritten")
            raise RuntimeError("deleted everything")
    """)
    return notebook_bytes(notebook)


def _not_json(_: Path) -> bytes:
    return b"\x89PNG\r\n\x1a\n this is not a notebook at all"


def _missing_cell(_: Path) -> bytes:
    return notebook_bytes(without_function(solution_edition(), "split_indices"))


def _null_bytes(_: Path) -> bytes:
    return notebook_bytes(solution_edition()).replace(b'"cells"', b'"cells"\x00', 1)


def _huge_output(_: Path) -> bytes:
    notebook = solution_edition()
    notebook.cells[0].source += "\u0000 a null character"
    first_code = next(cell for cell in notebook.cells if cell.cell_type == "code")
    first_code.outputs = [nbformat.v4.new_output("stream", name="stdout", text="x" * (50 * 2**20))]
    return notebook_bytes(notebook)


def _renamed(_: Path) -> bytes:
    notebook = with_function(solution_edition(), "polynomial_features", """
        def poly_features(x, degree):
            return x[:, None] ** np.arange(degree + 1, dtype=x.dtype)
    """)
    return notebook_bytes(notebook)


ADVERSARIES = (
    Adversary("01_student_edition", lambda _: notebook_bytes(student_edition())),
    Adversary("01_solution_edition", lambda _: notebook_bytes(solution_edition()), _solved()),
    Adversary("02_loop_in_one_exercise", _plain_loop, _solved(polynomial_features=0.0)),
    Adversary("02_loop_that_swallows_the_alarm", _stubborn_loop, _solved(polynomial_features=0.0)),
    Adversary("03_top_level_loop", _top_level_loop, _solved()),
    Adversary("03_loop_in_a_needed_class", _loop_in_needed_class, _solved(polynomial_features=0.0)),
    Adversary("04_memory_bomb", _memory_bomb, _solved(polynomial_features=0.0)),
    Adversary("05_fork_bomb", _fork_bomb, _solved(polynomial_features=0.0)),
    Adversary("06_os_exit", _os_exit, _solved(polynomial_features=0.0)),
    Adversary("06_kernel_death", _kernel_death, _solved(split_indices=0.0)),
    Adversary("07_sys_exit", _sys_exit, _solved(polynomial_features=0.0)),
    Adversary("07_system_exit_and_keyboard_interrupt", _keyboard_interrupt,
              _solved(polynomial_features=0.0, split_indices=0.0)),
    Adversary("08_fake_print", _fake_print),
    Adversary("09_fake_files", _fake_files),
    Adversary("10_monkeypatch", _monkeypatch),
    Adversary("11_always_equal", _always_equal),
    Adversary("12_ndarray_subclass", _subclass),
    Adversary("13_nan_and_inf", _nan_inf),
    Adversary("14_wrong_shape_and_dtype", _wrong_shape_dtype,
              {"polynomial_features": 1 / 6, "split_indices": 0.0}),
    Adversary("15_reference_import", _reference_import),
    Adversary("15_reference_alias", _reference_alias),
    Adversary("16_read_secrets", _read_secrets),
    Adversary("17_delete_files", _delete_files, _solved(polynomial_features=0.0)),
    Adversary("18_not_json", _not_json),
    Adversary("19_missing_cell", _missing_cell, _solved(split_indices=0.0)),
    Adversary("20_null_bytes", _null_bytes),
    Adversary("20_fifty_megabytes_of_output", _huge_output, _solved()),
    Adversary("21_renamed_function", _renamed, _solved(polynomial_features=0.0)),
)

#: Case 23: files that are not notebooks, listed as skipped.
NOT_NOTEBOOKS = {"notes.txt": b"my notes", "plot.png": b"\x89PNG", "answers.ipynb.bak": b"{}"}


def build_class(submissions: Path) -> None:
    """Write every adversary and the non-notebook files into ``submissions``."""
    submissions.mkdir(parents=True, exist_ok=True)
    for adversary in ADVERSARIES:
        (submissions / f"{adversary.student}.ipynb").write_bytes(adversary.build(submissions))
    for name, content in NOT_NOTEBOOKS.items():
        (submissions / name).write_bytes(content)
    (submissions / "a_folder").mkdir()


def details(path: Path) -> dict[str, dict]:
    """The grader's JSON details, per student."""
    report = json.loads(path.read_text(encoding="utf-8"))
    return {student["student"]: student for student in report["students"]}
