"""Tests for coursekit.reference.groupnorm: equal to keras.layers.GroupNormalization."""

import numpy as np
import pytest

from coursekit.gradcheck import GOOD_THRESHOLD, numerical_gradient_array, relative_error
from coursekit.reference.groupnorm import GroupNormCache, groupnorm_backward, groupnorm_forward
from coursekit.reference.layernorm import layernorm_forward

# Agreement with Keras: rtol 1e-5 in float64, 1e-4 in float32 (atol for outputs near 0).
RTOL = {"float64": 1e-5, "float32": 1e-4}
ATOL = {"float64": 1e-10, "float32": 1e-5}
CASES = [((3, 4, 4, 6), 2), ((3, 4, 4, 6), 3), ((3, 4, 4, 6), 6), ((3, 4, 4, 6), 1), ((5, 8), 4)]


@pytest.fixture(scope="module")
def keras():
    return pytest.importorskip("keras")


def _case(shape, dtype="float64", seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(loc=1.5, scale=2.0, size=shape)
    gamma = rng.uniform(0.5, 2.0, size=shape[-1])
    beta = rng.normal(size=shape[-1])
    return [a.astype(dtype) for a in (x, gamma, beta)]


def _keras_layer(keras, shape, dtype, groups, gamma, beta):
    layer = keras.layers.GroupNormalization(groups=groups, dtype=dtype)
    layer.build(shape)
    layer.gamma.assign(gamma)
    layer.beta.assign(beta)
    return layer


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize(("shape", "groups"), CASES)
def test_output_matches_keras(keras, shape, groups, dtype):
    x, gamma, beta = _case(shape, dtype)
    layer = _keras_layer(keras, shape, dtype, groups, gamma, beta)
    keras_out = keras.ops.convert_to_numpy(layer(keras.ops.convert_to_tensor(x)))
    out, _ = groupnorm_forward(x, gamma, beta, groups)
    assert out.dtype == np.dtype(dtype)
    np.testing.assert_allclose(out, keras_out, rtol=RTOL[dtype], atol=ATOL[dtype])


def test_default_epsilon_is_keras_default(keras):
    assert keras.layers.GroupNormalization(groups=1).epsilon == 1e-3
    x = np.array([[0.0, 2.0]])
    out, _ = groupnorm_forward(x, np.ones(2), np.zeros(2), groups=1)
    np.testing.assert_allclose(out, [[-1.0, 1.0]] / np.sqrt(1.0 + 1e-3), rtol=1e-12)


def test_groups_hold_consecutive_channels():
    x, _, _ = _case((2, 3, 3, 4))
    out, _ = groupnorm_forward(x, np.ones(4), np.zeros(4), groups=2, epsilon=0.0)
    first_group = out[..., :2].reshape(2, -1)
    np.testing.assert_allclose(first_group.mean(axis=1), 0.0, atol=1e-12)
    np.testing.assert_allclose(first_group.var(axis=1), 1.0, rtol=1e-12)


def test_one_group_of_vectors_is_layer_normalization():
    x, gamma, beta = _case((4, 6))
    np.testing.assert_allclose(
        groupnorm_forward(x, gamma, beta, groups=1)[0],
        layernorm_forward(x, gamma, beta)[0],
        rtol=1e-12,
    )


def test_does_not_depend_on_the_other_examples():
    x, gamma, beta = _case((4, 3, 3, 4))
    out, _ = groupnorm_forward(x, gamma, beta, groups=2)
    alone, _ = groupnorm_forward(x[2:3], gamma, beta, groups=2)
    np.testing.assert_allclose(alone, out[2:3], rtol=1e-12)


# Groups of few values give tiny dx entries whose finite differences are roundoff-dominated
# (see tests/test_reference_layernorm.py); these groups hold 18 and 4 values.
@pytest.mark.parametrize(("shape", "groups"), [((2, 3, 3, 4), 2), ((3, 12), 3)])
def test_backward_passes_gradient_check(shape, groups):
    x, gamma, beta = _case(shape, seed=3)
    dout = np.random.default_rng(4).normal(size=shape)
    _, cache = groupnorm_forward(x, gamma, beta, groups)
    dx, dgamma, dbeta = groupnorm_backward(dout, cache)

    def forward_x(v):
        return groupnorm_forward(v, gamma, beta, groups)[0]

    def forward_gamma(v):
        return groupnorm_forward(x, v, beta, groups)[0]

    def forward_beta(v):
        return groupnorm_forward(x, gamma, v, groups)[0]

    assert relative_error(dx, numerical_gradient_array(forward_x, x, dout)) < GOOD_THRESHOLD
    assert (
        relative_error(dgamma, numerical_gradient_array(forward_gamma, gamma, dout))
        < GOOD_THRESHOLD
    )
    assert (
        relative_error(dbeta, numerical_gradient_array(forward_beta, beta, dout)) < GOOD_THRESHOLD
    )


def test_backward_matches_keras_gradients(keras):
    tf = pytest.importorskip("tensorflow")
    x, gamma, beta = _case((2, 3, 3, 4), seed=5)
    dout = np.random.default_rng(6).normal(size=x.shape)
    layer = _keras_layer(keras, x.shape, "float64", 2, gamma, beta)
    x_tensor = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x_tensor)
        loss = tf.reduce_sum(layer(x_tensor) * dout)
    keras_dx, keras_dgamma, keras_dbeta = tape.gradient(loss, [x_tensor, layer.gamma, layer.beta])
    _, cache = groupnorm_forward(x, gamma, beta, 2)
    dx, dgamma, dbeta = groupnorm_backward(dout, cache)
    np.testing.assert_allclose(dx, keras_dx.numpy(), rtol=1e-6, atol=1e-10)
    np.testing.assert_allclose(dgamma, keras_dgamma.numpy(), rtol=1e-6)
    np.testing.assert_allclose(dbeta, keras_dbeta.numpy(), rtol=1e-6)


def test_float32_stays_float32_in_backward():
    x, gamma, beta = _case((2, 3, 3, 4), "float32")
    _, cache = groupnorm_forward(x, gamma, beta, 2)
    dx, dgamma, dbeta = groupnorm_backward(np.ones_like(x), cache)
    assert {dx.dtype, dgamma.dtype, dbeta.dtype} == {np.dtype("float32")}


@pytest.mark.parametrize("groups", [0, 5, 3, 7])
def test_groups_that_do_not_divide_the_channels_raise_value_error(groups):
    with pytest.raises(ValueError, match="groups must be an int in \\[1, 4\\] that divides"):
        groupnorm_forward(np.ones((2, 4)), np.ones(4), np.zeros(4), groups)


@pytest.mark.parametrize("groups", [2.0, True, "2"])
def test_non_integer_groups_raise_type_error(groups):
    with pytest.raises(TypeError, match="groups must be an int"):
        groupnorm_forward(np.ones((2, 4)), np.ones(4), np.zeros(4), groups)


def test_wrong_gamma_shape_raises_value_error_naming_it():
    with pytest.raises(ValueError, match=r"gamma must have shape \(4,\)"):
        groupnorm_forward(np.ones((2, 4)), np.ones(2), np.zeros(4), 2)


def test_one_dimensional_x_raises_value_error_naming_x():
    with pytest.raises(ValueError, match="x must have at least 2 dimensions"):
        groupnorm_forward(np.ones(4), np.ones(4), np.zeros(4), 2)


def test_backward_refuses_another_cache_and_a_wrong_dout_shape():
    _, cache = groupnorm_forward(np.ones((2, 4)), np.ones(4), np.zeros(4), 2)
    assert isinstance(cache, GroupNormCache)
    with pytest.raises(TypeError, match="GroupNormCache"):
        groupnorm_backward(np.ones((2, 4)), None)
    with pytest.raises(ValueError, match=r"dout must have the shape of the forward input"):
        groupnorm_backward(np.ones((3, 4)), cache)


def test_an_empty_batch_gives_an_empty_output():
    out, cache = groupnorm_forward(np.ones((0, 3, 3, 4)), np.ones(4), np.zeros(4), 2)
    assert out.shape == (0, 3, 3, 4)
    assert groupnorm_backward(out, cache)[0].shape == (0, 3, 3, 4)
