"""Tests for coursekit.reference.layernorm: equal to keras.layers.LayerNormalization."""

import numpy as np
import pytest

from coursekit.gradcheck import GOOD_THRESHOLD, numerical_gradient_array, relative_error
from coursekit.reference.layernorm import LayerNormCache, layernorm_backward, layernorm_forward

# Agreement with Keras: rtol 1e-5 in float64, 1e-4 in float32 (atol for outputs near 0).
RTOL = {"float64": 1e-5, "float32": 1e-4}
ATOL = {"float64": 1e-10, "float32": 1e-5}
SHAPES = [(6, 5), (3, 4, 4, 3)]


@pytest.fixture(scope="module")
def keras():
    return pytest.importorskip("keras")


def _case(shape, dtype="float64", seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(loc=1.5, scale=2.0, size=shape)
    gamma = rng.uniform(0.5, 2.0, size=shape[-1])
    beta = rng.normal(size=shape[-1])
    return [a.astype(dtype) for a in (x, gamma, beta)]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("shape", SHAPES)
def test_output_matches_keras_with_its_defaults(keras, shape, dtype):
    x, gamma, beta = _case(shape, dtype)
    layer = keras.layers.LayerNormalization(dtype=dtype)
    layer.build(shape)
    layer.gamma.assign(gamma)
    layer.beta.assign(beta)
    keras_out = keras.ops.convert_to_numpy(layer(keras.ops.convert_to_tensor(x)))
    out, _ = layernorm_forward(x, gamma, beta)
    assert out.dtype == np.dtype(dtype)
    np.testing.assert_allclose(out, keras_out, rtol=RTOL[dtype], atol=ATOL[dtype])


def test_default_epsilon_is_keras_default(keras):
    assert keras.layers.LayerNormalization().epsilon == 1e-3
    x = np.array([[0.0, 2.0]])
    out, _ = layernorm_forward(x, np.ones(2), np.zeros(2))
    np.testing.assert_allclose(out, [[-1.0, 1.0]] / np.sqrt(1.0 + 1e-3), rtol=1e-12)


def test_each_example_is_normalized_on_its_own():
    x, gamma, beta = _case((4, 6))
    out, _ = layernorm_forward(x, np.ones(6), np.zeros(6), epsilon=0.0)
    np.testing.assert_allclose(out.mean(axis=-1), 0.0, atol=1e-12)
    np.testing.assert_allclose(out.var(axis=-1), 1.0, rtol=1e-12)
    alone, _ = layernorm_forward(x[:1], np.ones(6), np.zeros(6), epsilon=0.0)
    np.testing.assert_allclose(alone, out[:1], rtol=1e-12)


# dx is a difference of nearly equal terms; with very few features per row some entries are tiny
# and float64 roundoff in the finite differences alone can lift the *elementwise* relative error
# above 1e-7. Rows of 5 and more features keep every entry well away from 0 for these seeds.
@pytest.mark.parametrize("shape", [(6, 5), (2, 3, 3, 6)])
def test_backward_passes_gradient_check(shape):
    x, gamma, beta = _case(shape, seed=3)
    dout = np.random.default_rng(4).normal(size=shape)
    _, cache = layernorm_forward(x, gamma, beta)
    dx, dgamma, dbeta = layernorm_backward(dout, cache)
    numeric = {
        "x": numerical_gradient_array(lambda v: layernorm_forward(v, gamma, beta)[0], x, dout),
        "gamma": numerical_gradient_array(lambda v: layernorm_forward(x, v, beta)[0], gamma, dout),
        "beta": numerical_gradient_array(lambda v: layernorm_forward(x, gamma, v)[0], beta, dout),
    }
    assert relative_error(dx, numeric["x"]) < GOOD_THRESHOLD
    assert relative_error(dgamma, numeric["gamma"]) < GOOD_THRESHOLD
    assert relative_error(dbeta, numeric["beta"]) < GOOD_THRESHOLD


def test_backward_matches_keras_gradients(keras):
    tf = pytest.importorskip("tensorflow")
    x, gamma, beta = _case((5, 4), seed=5)
    dout = np.random.default_rng(6).normal(size=(5, 4))
    layer = keras.layers.LayerNormalization(dtype="float64")
    layer.build(x.shape)
    layer.gamma.assign(gamma)
    layer.beta.assign(beta)
    x_tensor = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x_tensor)
        loss = tf.reduce_sum(layer(x_tensor) * dout)
    keras_dx, keras_dgamma, keras_dbeta = tape.gradient(loss, [x_tensor, layer.gamma, layer.beta])
    _, cache = layernorm_forward(x, gamma, beta)
    dx, dgamma, dbeta = layernorm_backward(dout, cache)
    np.testing.assert_allclose(dx, keras_dx.numpy(), rtol=1e-6, atol=1e-10)
    np.testing.assert_allclose(dgamma, keras_dgamma.numpy(), rtol=1e-6)
    np.testing.assert_allclose(dbeta, keras_dbeta.numpy(), rtol=1e-6)


def test_float32_stays_float32_in_backward():
    x, gamma, beta = _case((4, 3), "float32")
    _, cache = layernorm_forward(x, gamma, beta)
    dx, dgamma, dbeta = layernorm_backward(np.ones_like(x), cache)
    assert {dx.dtype, dgamma.dtype, dbeta.dtype} == {np.dtype("float32")}


def test_inputs_are_not_modified():
    x, gamma, beta = _case((4, 3))
    copies = [a.copy() for a in (x, gamma, beta)]
    layernorm_forward(x, gamma, beta)
    for original, copy in zip((x, gamma, beta), copies, strict=True):
        np.testing.assert_array_equal(original, copy)


def test_one_dimensional_x_raises_value_error_naming_x():
    with pytest.raises(ValueError, match="x must have at least 2 dimensions"):
        layernorm_forward(np.ones(3), np.ones(3), np.zeros(3))


def test_integer_x_raises_type_error_naming_x():
    with pytest.raises(TypeError, match="x must have a floating-point dtype"):
        layernorm_forward(np.ones((2, 3), dtype=int), np.ones(3), np.zeros(3))


@pytest.mark.parametrize("name", ["gamma", "beta"])
def test_wrong_parameter_shape_raises_value_error_naming_it(name):
    arguments = {"gamma": np.ones(3), "beta": np.zeros(3)}
    arguments[name] = np.ones(4)
    with pytest.raises(ValueError, match=rf"{name} must have shape \(3,\)"):
        layernorm_forward(np.ones((2, 3)), **arguments)


def test_negative_epsilon_raises_value_error():
    with pytest.raises(ValueError, match="epsilon"):
        layernorm_forward(np.ones((2, 3)), np.ones(3), np.zeros(3), epsilon=-1.0)


def test_backward_refuses_another_cache_and_a_wrong_dout_shape():
    _, cache = layernorm_forward(np.ones((2, 3)), np.ones(3), np.zeros(3))
    assert isinstance(cache, LayerNormCache)
    with pytest.raises(TypeError, match="LayerNormCache"):
        layernorm_backward(np.ones((2, 3)), {"x_hat": None})
    with pytest.raises(ValueError, match=r"dout must have the shape of the forward input"):
        layernorm_backward(np.ones((3, 3)), cache)
