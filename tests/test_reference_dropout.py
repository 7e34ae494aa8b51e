"""Tests for coursekit.reference.dropout: inverted dropout as keras.layers.Dropout does it."""

import numpy as np
import pytest

from coursekit.gradcheck import GOOD_THRESHOLD, numerical_gradient_array, relative_error
from coursekit.reference.dropout import dropout_backward, dropout_forward

# Scaling of kept units: rtol 1e-5 in float64, 1e-4 in float32.
RTOL = {"float64": 1e-5, "float32": 1e-4}
# Fraction of zeros on 60 000 units: its standard deviation is at most 0.002, so 0.012 is six
# standard deviations, while a rate/keep-probability mix-up would be off by 0.2 or more.
FRACTION_ATOL = 0.012
SHAPES = [(300, 200), (60, 10, 10, 10)]
RATES = [0.1, 0.4, 0.8]


@pytest.fixture(scope="module")
def keras():
    return pytest.importorskip("keras")


def _positive_input(shape, dtype="float64", seed=0):
    """Strictly positive input, so that a zero in the output can only come from the mask."""
    return np.random.default_rng(seed).uniform(0.5, 2.0, size=shape).astype(dtype)


def _keras_dropout(keras, x, rate, training):
    layer = keras.layers.Dropout(rate, seed=7, dtype=str(x.dtype))
    return keras.ops.convert_to_numpy(layer(keras.ops.convert_to_tensor(x), training=training))


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("rate", RATES)
def test_fraction_zeroed_is_close_to_rate_like_keras(keras, shape, rate):
    x = _positive_input(shape)
    out, _ = dropout_forward(x, rate, rng=0)
    keras_out = _keras_dropout(keras, x, rate, training=True)
    assert abs(np.mean(out == 0) - rate) < FRACTION_ATOL
    assert abs(np.mean(keras_out == 0) - rate) < FRACTION_ATOL


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("rate", RATES)
def test_kept_units_are_scaled_by_one_over_keep_probability_like_keras(keras, shape, rate, dtype):
    x = _positive_input(shape, dtype=dtype, seed=1)
    out, mask = dropout_forward(x, rate, rng=1)
    keras_out = _keras_dropout(keras, x, rate, training=True)
    kept = keras_out != 0
    np.testing.assert_allclose(out[mask] / x[mask], 1 / (1 - rate), rtol=RTOL[dtype])
    np.testing.assert_allclose(keras_out[kept] / x[kept], 1 / (1 - rate), rtol=RTOL[dtype])


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("shape", SHAPES)
def test_inference_is_identity_like_keras(keras, shape, dtype):
    x = _positive_input(shape, dtype=dtype, seed=2)
    out, mask = dropout_forward(x, 0.5, rng=2, training=False)
    np.testing.assert_array_equal(out, x)
    np.testing.assert_array_equal(_keras_dropout(keras, x, 0.5, training=False), x)
    assert mask.dtype == bool and mask.all()


def test_zero_rate_is_exact_identity_in_training():
    x = np.random.default_rng(3).normal(size=(20, 30))
    out, mask = dropout_forward(x, 0.0, rng=3)
    np.testing.assert_array_equal(out, x)
    assert mask.all()


def test_mask_marks_the_kept_units():
    x = _positive_input((50, 40), seed=4)
    out, mask = dropout_forward(x, 0.5, rng=4)
    np.testing.assert_array_equal(out != 0, mask)


def test_float32_input_gives_float32_output():
    out, _ = dropout_forward(np.ones((4, 4), dtype=np.float32), 0.3, rng=5)
    assert out.dtype == np.float32


def test_same_seed_gives_same_mask_in_both_dtypes():
    x = _positive_input((10, 10), seed=6)
    _, mask64 = dropout_forward(x, 0.5, rng=6)
    _, mask32 = dropout_forward(x.astype(np.float32), 0.5, rng=np.random.default_rng(6))
    np.testing.assert_array_equal(mask64, mask32)


def test_generator_advances_between_calls():
    rng = np.random.default_rng(7)
    x = np.ones((20, 20))
    _, first = dropout_forward(x, 0.5, rng)
    _, second = dropout_forward(x, 0.5, rng)
    assert not np.array_equal(first, second)


@pytest.mark.parametrize("shape", [(6, 5), (2, 3, 3, 2)])
@pytest.mark.parametrize("rate", RATES)
def test_backward_passes_gradient_check(shape, rate):
    rng = np.random.default_rng(8)
    x = rng.normal(size=shape)
    dout = rng.normal(size=shape)
    _, mask = dropout_forward(x, rate, rng=9)
    numerical = numerical_gradient_array(lambda v: dropout_forward(v, rate, rng=9)[0], x, dout)
    assert relative_error(dropout_backward(dout, mask, rate), numerical) < GOOD_THRESHOLD


def test_backward_accepts_zero_one_mask():
    dout = np.arange(1.0, 5.0)
    mask = np.array([1, 0, 1, 0])
    np.testing.assert_allclose(
        dropout_backward(dout, mask, 0.5), [2.0, 0.0, 6.0, 0.0], rtol=RTOL["float64"]
    )


@pytest.mark.parametrize("rate", [-0.1, 1.0])
def test_rate_outside_zero_one_is_rejected(rate):
    with pytest.raises(ValueError, match=rf"rate must be in \[0, 1\).*got {rate!r}"):
        dropout_forward(np.ones(3), rate, rng=0)


def test_rate_is_also_checked_at_inference():
    with pytest.raises(ValueError, match=r"rate must be in \[0, 1\).*got 1\.5"):
        dropout_forward(np.ones(3), 1.5, rng=0, training=False)


def test_backward_rejects_rate_of_one():
    with pytest.raises(ValueError, match=r"rate must be in \[0, 1\).*got 1\.0"):
        dropout_backward(np.ones(3), np.ones(3, dtype=bool), 1.0)


def test_integer_input_is_rejected():
    with pytest.raises(TypeError, match=r"x must have a floating-point dtype.*int64"):
        dropout_forward(np.arange(4, dtype=np.int64), 0.5, rng=0)


def test_missing_rng_in_training_is_rejected():
    with pytest.raises(TypeError, match=r"rng must be a numpy\.random\.Generator.*None"):
        dropout_forward(np.ones(3), 0.5, rng=None)


def test_mask_of_wrong_shape_is_rejected():
    with pytest.raises(ValueError, match=r"mask must have the shape of dout, \(3,\).*\(4,\)"):
        dropout_backward(np.ones(3), np.ones(4, dtype=bool), 0.5)


def test_mask_with_values_other_than_zero_and_one_is_rejected():
    with pytest.raises(ValueError, match=r"mask must be boolean or contain only 0 and 1"):
        dropout_backward(np.ones(2), np.array([0.5, 1.0]), 0.5)
