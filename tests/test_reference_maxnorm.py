"""Tests for coursekit.reference.constraints.max_norm: equal to keras.constraints.MaxNorm."""

import numpy as np
import pytest

from coursekit.reference.constraints import max_norm


@pytest.fixture(scope="module")
def keras():
    return pytest.importorskip("keras")


def _kernel(shape=(6, 4), dtype="float64", seed=0):
    # Columns of very different norms, so some are projected and some are not.
    rng = np.random.default_rng(seed)
    return (rng.normal(size=shape) * rng.uniform(0.1, 2.0, size=shape[-1])).astype(dtype)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize(("shape", "axis"), [((6, 4), 0), ((6, 4), 1), ((3, 3, 2, 4), (0, 1, 2))])
def test_equals_keras_max_norm(keras, shape, axis, dtype):
    w = _kernel(shape, dtype)
    expected = keras.ops.convert_to_numpy(keras.constraints.MaxNorm(1.5, axis=axis)(w))
    out = max_norm(w, 1.5, axis=axis)
    assert out.dtype == np.dtype(dtype)
    np.testing.assert_allclose(out, expected, rtol=1e-6 if dtype == "float32" else 1e-12)


def test_default_max_value_is_keras_default(keras):
    assert keras.constraints.MaxNorm().max_value == 2
    w = _kernel()
    np.testing.assert_allclose(max_norm(w), max_norm(w, 2.0), rtol=0)


def test_columns_end_at_most_max_value_and_inner_ones_barely_move():
    w = _kernel(seed=1)
    norms = np.linalg.norm(w, axis=0)
    out_norms = np.linalg.norm(max_norm(w, 1.0), axis=0)
    assert np.all(out_norms <= 1.0)
    np.testing.assert_allclose(out_norms[norms > 1.0], 1.0, rtol=1e-6)
    # Keras's epsilon: an inner column is scaled by norm / (norm + 1e-7), not left exact.
    np.testing.assert_allclose(
        out_norms[norms <= 1.0], norms[norms <= 1.0] ** 2 / (norms[norms <= 1.0] + 1e-7), rtol=1e-12
    )


def test_zero_column_stays_zero_and_input_is_unchanged():
    w = _kernel()
    w[:, 0] = 0.0
    copy = w.copy()
    out = max_norm(w, 1.0)
    np.testing.assert_array_equal(out[:, 0], 0.0)
    np.testing.assert_array_equal(w, copy)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"max_value": -1.0}, ValueError, "max_value"),
        ({"axis": 2}, ValueError, "axis must be in"),
        ({"axis": 1.0}, TypeError, "axis must be an int"),
    ],
)
def test_bad_parameters_raise_errors_naming_them(kwargs, error, match):
    with pytest.raises(error, match=match):
        max_norm(_kernel(), **kwargs)


def test_integer_weights_raise_type_error_naming_w():
    with pytest.raises(TypeError, match="w must have a floating-point dtype"):
        max_norm(np.ones((2, 2), dtype=int))
