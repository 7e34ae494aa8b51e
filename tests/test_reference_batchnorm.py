"""Tests for coursekit.reference.batchnorm: equal to keras.layers.BatchNormalization."""

import numpy as np
import pytest

from coursekit.gradcheck import GOOD_THRESHOLD, numerical_gradient_array, relative_error
from coursekit.reference.batchnorm import BatchNormCache, batchnorm_backward, batchnorm_forward

# Agreement with Keras: rtol 1e-5 in float64, 1e-4 in float32 (atol for outputs near 0).
RTOL = {"float64": 1e-5, "float32": 1e-4}
ATOL = {"float64": 1e-10, "float32": 1e-5}
# Hand-computed values that hold up to float64 rounding.
RTOL_EXACT = 1e-12
SHAPES = [(16, 5), (4, 3, 3, 2)]


@pytest.fixture(scope="module")
def keras():
    return pytest.importorskip("keras")


def _case(shape, dtype="float64", seed=0):
    """Input with non-zero mean and non-unit spread, and random parameters and statistics."""
    rng = np.random.default_rng(seed)
    features = shape[-1]
    x = rng.normal(loc=1.5, scale=2.0, size=shape)
    gamma = rng.uniform(0.5, 2.0, size=features)
    beta = rng.normal(size=features)
    moving_mean = rng.normal(size=features)
    moving_var = rng.uniform(0.5, 2.0, size=features)
    return [a.astype(dtype) for a in (x, gamma, beta, moving_mean, moving_var)]


def _keras_layer(keras, shape, dtype, gamma, beta, moving_mean, moving_var, momentum, epsilon):
    layer = keras.layers.BatchNormalization(momentum=momentum, epsilon=epsilon, dtype=dtype)
    layer.build(shape)
    layer.gamma.assign(gamma)
    layer.beta.assign(beta)
    layer.moving_mean.assign(moving_mean)
    layer.moving_variance.assign(moving_var)
    return layer


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("shape", SHAPES)
def test_training_output_and_moving_statistics_match_keras(keras, shape, dtype):
    x, gamma, beta, moving_mean, moving_var = _case(shape, dtype)
    layer = _keras_layer(keras, shape, dtype, gamma, beta, moving_mean, moving_var, 0.9, 1e-3)
    keras_out = keras.ops.convert_to_numpy(layer(keras.ops.convert_to_tensor(x), training=True))
    out, _, new_mean, new_var = batchnorm_forward(
        x, gamma, beta, moving_mean, moving_var, momentum=0.9, epsilon=1e-3, training=True
    )
    np.testing.assert_allclose(out, keras_out, rtol=RTOL[dtype], atol=ATOL[dtype])
    np.testing.assert_allclose(new_mean, layer.moving_mean.numpy(), rtol=RTOL[dtype])
    np.testing.assert_allclose(new_var, layer.moving_variance.numpy(), rtol=RTOL[dtype])


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("shape", SHAPES)
def test_inference_output_matches_keras_and_keeps_moving_statistics(keras, shape, dtype):
    x, gamma, beta, moving_mean, moving_var = _case(shape, dtype, seed=1)
    layer = _keras_layer(keras, shape, dtype, gamma, beta, moving_mean, moving_var, 0.99, 1e-2)
    keras_out = keras.ops.convert_to_numpy(layer(keras.ops.convert_to_tensor(x), training=False))
    out, _, new_mean, new_var = batchnorm_forward(
        x, gamma, beta, moving_mean, moving_var, momentum=0.99, epsilon=1e-2, training=False
    )
    np.testing.assert_allclose(out, keras_out, rtol=RTOL[dtype], atol=ATOL[dtype])
    np.testing.assert_array_equal(new_mean, moving_mean)
    np.testing.assert_array_equal(new_var, moving_var)
    np.testing.assert_array_equal(layer.moving_mean.numpy(), moving_mean)


def test_batch_variance_is_biased():
    x = np.array([[0.0], [2.0]])
    out, _, _, new_var = batchnorm_forward(
        x, np.ones(1), np.zeros(1), np.zeros(1), np.zeros(1), momentum=0.0, epsilon=0.0
    )
    np.testing.assert_allclose(new_var, [1.0], rtol=RTOL_EXACT)
    np.testing.assert_allclose(out, [[-1.0], [1.0]], rtol=RTOL_EXACT)


def test_moving_update_weights_old_statistic_by_momentum():
    x = np.array([[1.0], [3.0]])
    _, _, new_mean, new_var = batchnorm_forward(
        x, np.ones(1), np.zeros(1), np.array([10.0]), np.array([5.0]), momentum=0.75
    )
    np.testing.assert_allclose(new_mean, [0.75 * 10.0 + 0.25 * 2.0], rtol=RTOL_EXACT)
    np.testing.assert_allclose(new_var, [0.75 * 5.0 + 0.25 * 1.0], rtol=RTOL_EXACT)


def test_training_output_has_zero_mean_and_unit_variance_per_feature():
    x, _, _, moving_mean, moving_var = _case((64, 3), seed=2)
    out, _, _, _ = batchnorm_forward(
        x, np.ones(3), np.zeros(3), moving_mean, moving_var, epsilon=0.0
    )
    np.testing.assert_allclose(out.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(out.var(axis=0), 1.0, rtol=RTOL_EXACT)


def test_float32_input_gives_float32_outputs():
    x, gamma, beta, moving_mean, moving_var = _case((8, 2), "float32", seed=3)
    out, _, new_mean, new_var = batchnorm_forward(x, gamma, beta, moving_mean, moving_var)
    assert (out.dtype, new_mean.dtype, new_var.dtype) == (np.float32,) * 3


def test_inference_forward_still_returns_a_cache():
    x, gamma, beta, moving_mean, moving_var = _case((8, 2), seed=4)
    _, cache, _, _ = batchnorm_forward(x, gamma, beta, moving_mean, moving_var, training=False)
    assert isinstance(cache, BatchNormCache)
    assert not cache.training


def _check_backward(shape, training, seed):
    """Relative errors of dx, dgamma, dbeta against central differences (float64)."""
    x, gamma, beta, moving_mean, moving_var = _case(shape, seed=seed)
    dout = np.random.default_rng(seed + 100).normal(size=shape)

    def forward(x_, gamma_, beta_):
        return batchnorm_forward(x_, gamma_, beta_, moving_mean, moving_var, training=training)[0]

    _, cache, _, _ = batchnorm_forward(x, gamma, beta, moving_mean, moving_var, training=training)
    dx, dgamma, dbeta = batchnorm_backward(dout, cache)
    return {
        "x": relative_error(
            dx, numerical_gradient_array(lambda v: forward(v, gamma, beta), x, dout)
        ),
        "gamma": relative_error(
            dgamma, numerical_gradient_array(lambda v: forward(x, v, beta), gamma, dout)
        ),
        "beta": relative_error(
            dbeta, numerical_gradient_array(lambda v: forward(x, gamma, v), beta, dout)
        ),
    }


# In training, dx is a difference of nearly equal terms, so some entries can be tiny (~1e-4)
# while float64 roundoff in the finite differences is ~1e-10 in absolute terms. For about 1 draw
# in 30 that alone lifts the *elementwise* relative error above 1e-7 although the formula is
# right (a wrong formula gives ~1e-1). The seed below is one without such an entry.
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("parameter", ["x", "gamma", "beta"])
def test_training_backward_passes_gradient_check(shape, parameter):
    assert _check_backward(shape, training=True, seed=6)[parameter] < GOOD_THRESHOLD


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("parameter", ["x", "gamma", "beta"])
def test_inference_backward_passes_gradient_check(shape, parameter):
    assert _check_backward(shape, training=False, seed=7)[parameter] < GOOD_THRESHOLD


@pytest.mark.parametrize("name", ["gamma", "beta", "moving_mean", "moving_var"])
def test_parameter_of_wrong_shape_is_rejected(name):
    arguments = dict(
        zip(["x", "gamma", "beta", "moving_mean", "moving_var"], _case((8, 3)), strict=True)
    )
    arguments[name] = np.ones(4)
    with pytest.raises(ValueError, match=rf"{name} must have shape \(3,\).*\(4,\)"):
        batchnorm_forward(**arguments)


def test_integer_input_is_rejected():
    with pytest.raises(TypeError, match=r"x must have a floating-point dtype.*int64"):
        batchnorm_forward(
            np.ones((4, 2), dtype=np.int64), np.ones(2), np.zeros(2), np.zeros(2), np.ones(2)
        )


def test_one_dimensional_input_is_rejected():
    with pytest.raises(ValueError, match=r"x must have at least 2 dimensions.*\(4,\)"):
        batchnorm_forward(np.ones(4), np.ones(4), np.zeros(4), np.zeros(4), np.ones(4))


def test_momentum_above_one_is_rejected():
    with pytest.raises(ValueError, match=r"momentum must be in \[0, 1\], got 1\.5"):
        batchnorm_forward(
            np.ones((4, 2)), np.ones(2), np.zeros(2), np.zeros(2), np.ones(2), momentum=1.5
        )


def test_dout_of_wrong_shape_is_rejected():
    _, cache, _, _ = batchnorm_forward(*_case((8, 3)))
    with pytest.raises(
        ValueError, match=r"dout must have the shape of the forward input, \(8, 3\)"
    ):
        batchnorm_backward(np.ones((8, 2)), cache)
