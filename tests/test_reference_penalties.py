"""Tests for coursekit.reference.penalties: values equal keras.regularizers, gradients check."""

import numpy as np
import pytest

from coursekit.gradcheck import GOOD_THRESHOLD, numerical_gradient, relative_error
from coursekit.reference.penalties import (
    l1_l2_penalty,
    l1_l2_penalty_grad,
    l1_penalty,
    l1_penalty_grad,
    l2_penalty,
    l2_penalty_grad,
    weight_decay_step,
)

# Agreement with Keras: rtol 1e-5 in float64, 1e-4 in float32 (Keras sums in a different order,
# and rounds the strength to float32 before casting it to the weights' dtype).
RTOL = {"float64": 1e-5, "float32": 1e-4}
# Identities that hold up to float64 rounding only.
RTOL_EXACT = 1e-12
SHAPES = [(7,), (4, 3), (2, 3, 2, 5)]


@pytest.fixture(scope="module")
def keras():
    return pytest.importorskip("keras")


def _weights(shape, seed=0, dtype="float64"):
    """Random weights kept away from 0 so that |w| is differentiable within a step of 1e-5."""
    rng = np.random.default_rng(seed)
    magnitude = rng.uniform(0.1, 2.0, size=shape)
    return (magnitude * rng.choice([-1.0, 1.0], size=shape)).astype(dtype)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("shape", SHAPES)
def test_l1_penalty_matches_keras_l1(keras, shape, dtype):
    w = _weights(shape, dtype=dtype)
    expected = keras.ops.convert_to_numpy(
        keras.regularizers.L1(0.03)(keras.ops.convert_to_tensor(w))
    )
    np.testing.assert_allclose(l1_penalty(w, 0.03), expected, rtol=RTOL[dtype])


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("shape", SHAPES)
def test_l2_penalty_matches_keras_l2(keras, shape, dtype):
    w = _weights(shape, seed=1, dtype=dtype)
    expected = keras.ops.convert_to_numpy(
        keras.regularizers.L2(0.2)(keras.ops.convert_to_tensor(w))
    )
    np.testing.assert_allclose(l2_penalty(w, 0.2), expected, rtol=RTOL[dtype])


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("shape", SHAPES)
def test_l1_l2_penalty_matches_keras_l1l2(keras, shape, dtype):
    w = _weights(shape, seed=2, dtype=dtype)
    regularizer = keras.regularizers.L1L2(l1=0.01, l2=0.5)
    expected = keras.ops.convert_to_numpy(regularizer(keras.ops.convert_to_tensor(w)))
    np.testing.assert_allclose(l1_l2_penalty(w, 0.01, 0.5), expected, rtol=RTOL[dtype])


def test_strength_above_one_is_allowed_and_scales_linearly():
    w = _weights((3, 3), seed=3)
    np.testing.assert_allclose(l2_penalty(w, 25.0), 25.0 * np.sum(w**2), rtol=RTOL_EXACT)


def test_penalty_returns_python_float():
    assert type(l1_penalty(np.ones(3, dtype=np.float32), 0.1)) is float


def test_penalty_of_a_list_is_the_sum_over_arrays():
    arrays = [_weights((2, 3), seed=4), _weights((5,), seed=5)]
    expected = l1_l2_penalty(arrays[0], 0.1, 0.2) + l1_l2_penalty(arrays[1], 0.1, 0.2)
    np.testing.assert_allclose(l1_l2_penalty(arrays, 0.1, 0.2), expected, rtol=RTOL_EXACT)


@pytest.mark.parametrize("shape", SHAPES)
def test_l1_penalty_grad_passes_gradient_check(shape):
    w = _weights(shape, seed=6)
    numerical = numerical_gradient(lambda v: l1_penalty(v, 0.3), w)
    assert relative_error(l1_penalty_grad(w, 0.3), numerical) < GOOD_THRESHOLD


@pytest.mark.parametrize("shape", SHAPES)
def test_l2_penalty_grad_passes_gradient_check(shape):
    w = _weights(shape, seed=7)
    numerical = numerical_gradient(lambda v: l2_penalty(v, 0.7), w)
    assert relative_error(l2_penalty_grad(w, 0.7), numerical) < GOOD_THRESHOLD


@pytest.mark.parametrize("shape", SHAPES)
def test_l1_l2_penalty_grad_passes_gradient_check(shape):
    w = _weights(shape, seed=8)
    numerical = numerical_gradient(lambda v: l1_l2_penalty(v, 0.2, 1.5), w)
    assert relative_error(l1_l2_penalty_grad(w, 0.2, 1.5), numerical) < GOOD_THRESHOLD


def test_l1_subgradient_at_zero_is_zero():
    np.testing.assert_array_equal(
        l1_penalty_grad(np.array([0.0, 2.0, -3.0]), 0.5), [0.0, 0.5, -0.5]
    )


def test_grad_of_a_list_is_a_list_of_matching_shapes():
    arrays = [_weights((2, 3), seed=9), _weights((4,), seed=10)]
    grads = l2_penalty_grad(arrays, 0.1)
    assert isinstance(grads, list)
    assert [g.shape for g in grads] == [(2, 3), (4,)]


def test_grad_keeps_float32_dtype():
    assert l1_l2_penalty_grad(np.ones((2, 2), dtype=np.float32), 0.1, 0.1).dtype == np.float32


@pytest.mark.parametrize("function", [l1_penalty, l1_penalty_grad])
def test_negative_l1_is_rejected(function):
    with pytest.raises(ValueError, match=r"l1 must be .*>= 0.*got -0\.5"):
        function(np.ones(3), -0.5)


@pytest.mark.parametrize("function", [l2_penalty, l2_penalty_grad])
def test_negative_l2_is_rejected(function):
    with pytest.raises(ValueError, match=r"l2 must be .*>= 0.*got -0\.01"):
        function(np.ones(3), -0.01)


def test_negative_l2_in_elastic_net_is_rejected():
    with pytest.raises(ValueError, match=r"l2 must be .*got -1\.0"):
        l1_l2_penalty(np.ones(3), 0.1, -1.0)


def test_integer_weights_are_rejected():
    with pytest.raises(TypeError, match=r"w must have a floating-point dtype.*int64"):
        l2_penalty(np.arange(3, dtype=np.int64), 0.1)


def test_integer_array_inside_a_list_is_named_by_position():
    with pytest.raises(TypeError, match=r"w\[1\] must have a floating-point dtype"):
        l1_penalty([np.ones(2), np.arange(2)], 0.1)


def test_weight_decay_step_follows_its_formula():
    w = _weights((3, 2), seed=11)
    grad = _weights((3, 2), seed=12)
    expected = w - 0.1 * grad - 0.1 * 0.05 * w
    np.testing.assert_allclose(weight_decay_step(w, grad, 0.1, 0.05), expected, rtol=RTOL_EXACT)


def test_sgd_with_l2_equals_decoupled_decay_with_twice_l2():
    w = _weights((4, 3), seed=13)
    data_grad = _weights((4, 3), seed=14)
    lr, l2 = 0.05, 0.3
    sgd_with_penalty = w - lr * (data_grad + l2_penalty_grad(w, l2))
    np.testing.assert_allclose(
        weight_decay_step(w, data_grad, lr, 2 * l2), sgd_with_penalty, rtol=RTOL_EXACT
    )


def test_weight_decay_step_matches_keras_adamw_first_step(keras):
    w = _weights((3, 4), seed=15)
    grad = _weights((3, 4), seed=16)
    lr, weight_decay, beta_2, epsilon = 0.01, 0.1, 0.999, 1e-7
    optimizer = keras.optimizers.AdamW(
        learning_rate=lr, weight_decay=weight_decay, beta_2=beta_2, epsilon=epsilon
    )
    variable = keras.Variable(w, dtype="float64")
    optimizer.apply_gradients([(keras.ops.convert_to_tensor(grad), variable)])
    # Adam's first-step direction, including the bias corrections, in Keras's formula.
    direction = np.sqrt(1 - beta_2) * grad / (np.sqrt(1 - beta_2) * np.abs(grad) + epsilon)
    np.testing.assert_allclose(
        weight_decay_step(w, direction, lr, weight_decay),
        variable.numpy(),
        rtol=RTOL["float64"],
    )


def test_weight_decay_step_rejects_grad_of_other_shape():
    with pytest.raises(ValueError, match=r"grad must have the shape of w, \(2,\).*\(3,\)"):
        weight_decay_step(np.ones(2), np.ones(3), 0.1, 0.1)


def test_weight_decay_step_rejects_negative_weight_decay():
    with pytest.raises(ValueError, match=r"weight_decay must be .*got -0\.1"):
        weight_decay_step(np.ones(2), np.ones(2), 0.1, -0.1)
