"""The plain-data boundary of the grader and the choice of statements the sandbox executes."""

from __future__ import annotations

import functools
import io
import json
import subprocess
import zipfile

import numpy as np
import pytest

from coursekit.exercises.core import Case, Seed, call_learner, compare, judge_output, run_case
from coursekit.exercises.registry import all_exercises
from coursekit.grading import protocol
from coursekit.grading.extract import select_statements, top_level_statements


def roundtrip(value, tmp_path=None, *, inputs=False):
    tree, arrays = protocol.encode(value, inputs=inputs)
    reader = protocol.FrameReader([protocol.LOADED])
    reader.feed(protocol.frame(protocol.LOADED, {"value": tree}, arrays))
    payload, loaded = reader.message(protocol.LOADED)
    return protocol.decode(payload["value"], loaded, inputs=inputs)


def _frame_with(json_text: bytes, archive: bytes) -> protocol.FrameReader:
    reader = protocol.FrameReader([protocol.LOADED])
    reader.feed(b"CK1 loaded %d %d\n" % (len(json_text), len(archive)) + json_text + archive)
    return reader


def test_plain_values_survive_the_roundtrip_with_their_types(tmp_path):
    value = (np.arange(6, dtype=np.float32).reshape(2, 3), [1, 2.5, None, True, "text"],
             {"key": np.float32(1.5)}, np.int64(3), float("nan"))
    got = roundtrip(value, tmp_path)
    assert type(got) is tuple and type(got[1]) is list
    np.testing.assert_allclose(got[0], value[0], rtol=0)
    assert got[0].dtype == np.float32
    assert type(got[2]["key"]) is np.float32 and type(got[3]) is np.int64
    assert np.isnan(got[4])


def test_objects_that_are_not_plain_data_arrive_as_foreign_descriptions(tmp_path):
    class Agreeable(np.ndarray):
        pass

    got = roundtrip((np.zeros(3).view(Agreeable), object(), np.array([None])), tmp_path)
    assert all(isinstance(item, protocol.ForeignValue) for item in got)
    assert type(got[0]).__name__ == "Agreeable (a numpy array subclass)"


def test_a_foreign_value_never_passes_the_comparison(tmp_path):
    got = roundtrip(object(), tmp_path)
    assert "got an object of type object" in compare(1.0, got, rtol=1e-6, atol=0)


def test_oversized_arrays_are_described_not_sent():
    tree, arrays = protocol.encode(np.zeros(protocol.MAX_ARRAY_BYTES // 8 + 1))
    assert tree["t"] == "foreign" and arrays == {}


def test_reading_refuses_pickled_arrays():
    buffer = io.BytesIO()
    np.savez(buffer, a0=np.array([object()], dtype=object))
    reader = _frame_with(json.dumps({"value": {"t": "array", "key": "a0"}}).encode(), buffer.getvalue())
    with pytest.raises(protocol.ProtocolError, match="not plain data"):
        reader.message(protocol.LOADED)


def test_reading_refuses_an_archive_that_unpacks_too_large():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a0.npy", b"\0" * (protocol.MAX_MESSAGE_BYTES + 1))
    reader = _frame_with(b"{}", buffer.getvalue())
    with pytest.raises(protocol.ProtocolError, match="unpack to more"):
        reader.message(protocol.LOADED)


def test_outputs_cannot_smuggle_seeds_or_functions():
    tree = {"t": "partial", "module": "coursekit.data", "name": "split_indices", "args": [], "kwargs": {}}
    with pytest.raises(protocol.ProtocolError, match="forbidden"):
        protocol.decode(tree, {})


def test_inputs_with_seeds_and_coursekit_partials_roundtrip(tmp_path):
    from coursekit.exercises.lesson04 import _mean_squared_error

    step = functools.partial(_mean_squared_error, X=np.eye(2), y=np.ones(2))
    got = roundtrip((Seed(4), step), tmp_path, inputs=True)
    assert got[0] == Seed(4)
    np.testing.assert_allclose(got[1](np.ones(2)), 0.0, atol=1e-12)


def test_every_exercise_case_can_be_sent_to_the_sandbox():
    for exercise in all_exercises().values():
        for case in exercise.make_cases(np.random.default_rng(0)):
            protocol.encode((case.args, case.kwargs), inputs=True)


def test_run_case_is_the_composition_of_the_three_steps():
    exercise = all_exercises()["polynomial_features"]
    case = Case("three points", (np.array([0.5, 1.0, 2.0]), 2))
    wrong = lambda x, degree: x[:, None] ** np.arange(degree)  # noqa: E731
    call = call_learner(wrong, case)
    expected = exercise.reference(np.array([0.5, 1.0, 2.0]), 2)
    assert judge_output(exercise, case, expected, call) == run_case(exercise, wrong, case)


def test_a_mutated_input_reported_by_the_child_fails_the_case():
    exercise = all_exercises()["polynomial_features"]
    case = Case("three points", (np.array([0.5, 1.0, 2.0]), 2))
    expected = exercise.reference(np.array([0.5, 1.0, 2.0]), 2)
    call = call_learner(exercise.reference, case)
    outcome = judge_output(exercise, case, expected, type(call)(call.value, "", True))
    assert not outcome.passed and "in place" in outcome.message


NOTEBOOK_CELLS = [
    "import numpy as np\nimport matplotlib.pyplot as plt",
    "SCALE = 2.0\n\ndef helper(x):\n    return SCALE * x",
    "def polynomial_features(x, degree):\n    return helper(x)",
    "while True:\n    pass",
    "%matplotlib inline\nplt.plot([1, 2])",
    "features_check = check('polynomial_features', polynomial_features)\n"
    "polynomial_features = features_check.function",
]


def _sources(statements):
    return [type(statement.node).__name__ for statement in statements]


def test_the_sandbox_executes_the_exercise_and_what_it_needs_only():
    chosen = select_statements(NOTEBOOK_CELLS, ["polynomial_features"])
    bound = set().union(*(statement.binds for statement in chosen))
    assert bound == {"SCALE", "helper", "polynomial_features"}


def test_a_top_level_loop_and_the_check_cell_are_never_selected():
    kinds = _sources(select_statements(NOTEBOOK_CELLS, ["polynomial_features", "plt"]))
    assert "While" not in kinds
    assert all("check" not in ",".join(s.binds) for s in top_level_statements(NOTEBOOK_CELLS))


def test_a_name_imported_later_wins_like_in_the_kernel():
    cells = [*NOTEBOOK_CELLS, "from coursekit.reference.capacity import polynomial_features"]
    chosen = select_statements(cells, ["polynomial_features"])
    assert _sources(chosen) == ["ImportFrom"]


def test_a_cell_with_a_syntax_error_is_skipped():
    cells = ["def polynomial_features(x, degree)\n    return x", "import numpy as np"]
    assert select_statements(cells, ["polynomial_features"]) == []


def test_a_deep_read_only_tree_with_links_and_fifos_is_removed_without_touching_outside(tmp_path):
    import os

    from coursekit.grading.runner import remove_tree

    outside = tmp_path / "outside.txt"
    outside.write_text("keep")
    top = tmp_path / "work"
    top.mkdir()
    (top / "link").symlink_to(outside)
    os.mkfifo(top / "fifo")
    descriptor = os.open(top, os.O_RDONLY)
    for _ in range(3000):
        os.mkdir("d", dir_fd=descriptor)
        inner = os.open("d", os.O_RDONLY, dir_fd=descriptor)
        os.close(descriptor)
        descriptor = inner
    os.close(descriptor)
    (top / "d").chmod(0o500)
    try:
        remove_tree(top)
    finally:  # a deep tree left behind would break pytest's own clean-up of old tmp folders
        subprocess.run(["rm", "-rf", str(top)], check=False)
    assert not top.exists() and outside.read_text() == "keep"


def test_a_feedback_folder_that_is_a_symlink_is_refused(tmp_path):
    from coursekit.grading.feedback import write_feedback
    from coursekit.grading.grader import ClassReport

    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "feedback").symlink_to(tmp_path / "elsewhere")
    report = ClassReport("00", 0, [], [], [], "test", 0.0)
    with pytest.raises(NotADirectoryError, match="is a symlink"):
        write_feedback(report, tmp_path / "feedback")


def test_an_attribute_assignment_keeps_the_statement_that_binds_the_name():
    cells = [
        "import types\nbase = lambda x: x",
        "f = types.FunctionType(base.__code__, {}, 'f')",
        "f.__module__ = '__main__'",
    ]
    chosen = select_statements(cells, ["f"])
    assert [type(statement.node).__name__ for statement in chosen] == ["Import", "Assign", "Assign", "Assign"]
