"""setup_notebook(): one call makes a notebook repeatable and quiet."""

import os
import subprocess
import sys

import numpy as np
import pytest

from coursekit.session import TF_ENVIRONMENT, setup_notebook


def test_returns_a_generator_seeded_by_the_seed():
    first = setup_notebook(seed=5, use_keras=False).random(3)
    second = setup_notebook(seed=5, use_keras=False).random(3)
    np.testing.assert_array_equal(first, second)
    assert not np.array_equal(first, setup_notebook(seed=6, use_keras=False).random(3))


def test_sets_the_quiet_tensorflow_environment():
    setup_notebook(seed=0, use_keras=False)
    for key, value in TF_ENVIRONMENT.items():
        assert os.environ[key] == value


@pytest.mark.parametrize("seed", [-1, 1.5, "0", True])
def test_rejects_a_bad_seed_by_name(seed):
    with pytest.raises(ValueError, match="seed must be a non-negative int"):
        setup_notebook(seed=seed, use_keras=False)


KERAS_RUN = """
from coursekit.session import setup_notebook
setup_notebook(seed={seed})
import keras, numpy as np
model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4), keras.layers.Dropout(0.5)])
x = np.ones((2, 3), dtype="float32")
print(np.round(model(x, training=True).numpy(), 6).tolist())
"""


def _keras_output(seed: int) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in TF_ENVIRONMENT}
    return subprocess.run(
        [sys.executable, "-c", KERAS_RUN.format(seed=seed)], capture_output=True, text=True, env=env, check=True
    )


def test_keras_weights_and_dropout_repeat_across_processes_with_a_clean_stderr():
    first, second = _keras_output(0), _keras_output(0)
    assert first.stdout == second.stdout
    assert first.stderr == "", "TensorFlow's import-time log lines must be silenced"
    assert _keras_output(1).stdout != first.stdout


def test_numpy_blas_runs_on_one_thread_after_setup():
    from threadpoolctl import threadpool_info

    setup_notebook(seed=0, use_keras=False)
    blas = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]
    assert blas and all(pool["num_threads"] == 1 for pool in blas)


def test_seeds_are_consecutive_from_their_base_without_an_offset(monkeypatch):
    from coursekit.session import seed_for, seeds

    monkeypatch.delenv("COURSEKIT_SEED_OFFSET", raising=False)
    assert seeds(3) == [0, 1, 2]
    assert seeds(2, start=100) == [100, 101]
    assert seed_for(7) == 7


def test_the_offset_moves_every_seed_including_the_setup_seed(monkeypatch):
    from coursekit.session import seed_for, seeds

    monkeypatch.setenv("COURSEKIT_SEED_OFFSET", "1000")
    assert seeds(2, start=5) == [1005, 1006]
    assert seed_for(0) == 1000
    moved = setup_notebook(seed=3, use_keras=False).random(3)
    np.testing.assert_array_equal(moved, np.random.default_rng(1003).random(3))


@pytest.mark.parametrize("text", ["-1", "1.5", "ten", "1e3"])
def test_a_bad_offset_is_named_in_the_error(monkeypatch, text):
    from coursekit.session import seed_offset

    monkeypatch.setenv("COURSEKIT_SEED_OFFSET", text)
    with pytest.raises(ValueError, match="COURSEKIT_SEED_OFFSET must be a non-negative integer"):
        seed_offset()


@pytest.mark.parametrize(("function", "argument"), [("seeds", 0), ("seeds", 2.0), ("seed_for", -1), ("reseed", True)])
def test_seed_helpers_reject_bad_arguments(function, argument):
    from coursekit import session

    with pytest.raises(ValueError, match="must be a"):
        getattr(session, function)(argument)


def test_reseed_uses_the_value_as_given_and_resets_numpy_global_state(monkeypatch):
    from coursekit.session import reseed

    monkeypatch.setenv("COURSEKIT_SEED_OFFSET", "50")
    generator = reseed(4)
    np.testing.assert_array_equal(generator.random(2), np.random.default_rng(4).random(2))
    first = np.random.random()  # noqa: NPY002 - checks that legacy global state was re-seeded
    reseed(4)
    assert np.random.random() == first  # noqa: NPY002
