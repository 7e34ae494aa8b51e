"""Lesson 03 exercises: correct batch-norm code passes, stubs and the classic mistakes fail clearly."""

import numpy as np
import pytest
from exercise_helpers import first_failure, stub

from coursekit.exercises import get_exercise, run_check
from coursekit.exercises.core import FAILED, NOT_IMPLEMENTED, PASSED


def correct_forward(x, gamma, beta, epsilon=1e-3):
    mean = x.mean(axis=0)
    variance = ((x - mean) ** 2).mean(axis=0)
    return gamma * (x - mean) / np.sqrt(variance + epsilon) + beta


def correct_layer(x, gamma, beta, moving_mean, moving_var, momentum=0.99, epsilon=1e-3, training=True):
    if not training:
        out = gamma * (x - moving_mean) / np.sqrt(moving_var + epsilon) + beta
        return out, moving_mean.copy(), moving_var.copy()
    mean, variance = x.mean(axis=0), x.var(axis=0)
    out = gamma * (x - mean) / np.sqrt(variance + epsilon) + beta
    new_mean = momentum * moving_mean + (1 - momentum) * mean
    new_var = momentum * moving_var + (1 - momentum) * variance
    return out, new_mean.astype(x.dtype), new_var.astype(x.dtype)


def correct_backward(dout, x, gamma, epsilon=1e-3):
    """The step-by-step chain rule through the computational graph (a different route)."""
    n = x.shape[0]
    mean = x.mean(axis=0)
    centred = x - mean
    variance = (centred**2).mean(axis=0)
    inv_std = 1 / np.sqrt(variance + epsilon)
    x_hat = centred * inv_std
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    dx_hat = dout * gamma
    dvariance = (dx_hat * centred).sum(axis=0) * -0.5 * inv_std**3
    dmean = -(dx_hat * inv_std).sum(axis=0) - 2 * dvariance * centred.mean(axis=0)
    dx = dx_hat * inv_std + dvariance * 2 * centred / n + dmean / n
    return dx.astype(x.dtype), dgamma, dbeta


@pytest.mark.parametrize(
    ("name", "function"),
    [
        ("batchnorm_train_forward", correct_forward),
        ("batchnorm_layer", correct_layer),
        ("batchnorm_train_backward", correct_backward),
    ],
)
def test_a_correct_implementation_passes(name, function):
    result = run_check(get_exercise(name), function)
    assert result.status == PASSED, result.summary()
    assert len(result.cases) >= 6


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_correct_implementations_pass_on_other_graders_seeds(seed):
    for name, function in [
        ("batchnorm_train_forward", correct_forward),
        ("batchnorm_layer", correct_layer),
        ("batchnorm_train_backward", correct_backward),
    ]:
        result = run_check(get_exercise(name), function, np.random.default_rng(seed))
        assert result.status == PASSED, result.summary()


@pytest.mark.parametrize(
    "name", ["batchnorm_train_forward", "batchnorm_layer", "batchnorm_train_backward"]
)
def test_a_stub_reports_not_implemented(name):
    result = run_check(get_exercise(name), stub)
    assert result.status == NOT_IMPLEMENTED
    assert "not implemented yet" in result.summary()


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # ddof=1 on the batch of one
def test_the_unbiased_variance_is_named():
    def unbiased(x, gamma, beta, epsilon=1e-3):
        mean = x.mean(axis=0)
        return gamma * (x - mean) / np.sqrt(x.var(axis=0, ddof=1) + epsilon) + beta

    result = run_check(get_exercise("batchnorm_train_forward"), unbiased)
    assert result.status == FAILED
    assert "unbiased variance" in first_failure(result)


def test_epsilon_outside_the_root_is_pointed_at():
    def outside(x, gamma, beta, epsilon=1e-3):
        mean = x.mean(axis=0)
        return gamma * (x - mean) / (np.sqrt(x.var(axis=0)) + epsilon) + beta

    result = run_check(get_exercise("batchnorm_train_forward"), outside)
    assert result.status == FAILED
    assert "epsilon inside the root" in result.summary()


def test_normalizing_over_the_wrong_axis_is_explained():
    def wrong_axis(x, gamma, beta, epsilon=1e-3):
        mean = x.mean(axis=1, keepdims=True)
        variance = x.var(axis=1, keepdims=True)
        return gamma * (x - mean) / np.sqrt(variance + epsilon) + beta

    result = run_check(get_exercise("batchnorm_train_forward"), wrong_axis)
    assert result.status == FAILED
    assert "mean over the batch (axis=0)" in first_failure(result)


def test_the_swapped_momentum_convention_is_named():
    def swapped(x, gamma, beta, moving_mean, moving_var, momentum=0.99, epsilon=1e-3, training=True):
        out, _, _ = correct_layer(x, gamma, beta, moving_mean, moving_var, momentum, epsilon, training)
        if not training:
            return out, moving_mean.copy(), moving_var.copy()
        new_mean = (1 - momentum) * moving_mean + momentum * x.mean(axis=0)
        new_var = (1 - momentum) * moving_var + momentum * x.var(axis=0)
        return out, new_mean, new_var

    result = run_check(get_exercise("batchnorm_layer"), swapped)
    assert result.status == FAILED
    message = first_failure(result)
    assert "weights were swapped" in message and "9 times" in message


def test_batch_statistics_at_inference_fail_with_the_mode_named():
    def always_batch(x, gamma, beta, moving_mean, moving_var, momentum=0.99, epsilon=1e-3, training=True):
        return correct_layer(x, gamma, beta, moving_mean, moving_var, momentum, epsilon, True)

    result = run_check(get_exercise("batchnorm_layer"), always_batch)
    assert result.status == FAILED
    assert "inference" in result.summary()
    batch_check = next(c for c in result.cases if c.label.startswith("inference: each example"))
    assert not batch_check.passed and "never the batch's" in batch_check.message


def test_updating_the_moving_statistics_at_inference_fails():
    def updates_always(x, gamma, beta, moving_mean, moving_var, momentum=0.99, epsilon=1e-3, training=True):
        out, _, _ = correct_layer(x, gamma, beta, moving_mean, moving_var, momentum, epsilon, training)
        _, new_mean, new_var = correct_layer(x, gamma, beta, moving_mean, moving_var, momentum, epsilon, True)
        return out, new_mean, new_var

    result = run_check(get_exercise("batchnorm_layer"), updates_always)
    assert result.status == FAILED
    assert "returned unchanged" in first_failure(result)


def test_a_backward_that_ignores_the_batch_statistics_is_named():
    def inference_gradient(dout, x, gamma, epsilon=1e-3):
        mean, variance = x.mean(axis=0), x.var(axis=0)
        x_hat = (x - mean) / np.sqrt(variance + epsilon)
        return dout * gamma / np.sqrt(variance + epsilon), (dout * x_hat).sum(0), dout.sum(0)

    result = run_check(get_exercise("batchnorm_train_backward"), inference_gradient)
    assert result.status == FAILED
    assert "sum to zero" in first_failure(result)
    gradient_check = next(c for c in result.cases if c.label.startswith("numerical gradient"))
    assert not gradient_check.passed and "central-difference" in gradient_check.message


def test_a_backward_that_forgets_the_variance_path_is_pointed_at():
    def no_variance_path(dout, x, gamma, epsilon=1e-3):
        mean, variance = x.mean(axis=0), x.var(axis=0)
        inv_std = 1 / np.sqrt(variance + epsilon)
        x_hat = (x - mean) * inv_std
        dx_hat = dout * gamma
        dx = inv_std * (dx_hat - dx_hat.mean(axis=0))
        return dx, (dout * x_hat).sum(0), dout.sum(0)

    result = run_check(get_exercise("batchnorm_train_backward"), no_variance_path)
    assert result.status == FAILED
    assert "path through the batch variance" in first_failure(result)


def test_the_gradient_check_itself_passes_the_reference_formula():
    exercise = get_exercise("batchnorm_train_backward")
    for seed in range(5):
        outcome = exercise.extra_checks[0](correct_backward, np.random.default_rng(seed))
        assert outcome.passed, outcome.message


# --- Layer normalization (exercises 4 and 5) ------------------------------------------------------


def correct_layernorm_forward(x, gamma, beta, epsilon=1e-3):
    mean = x.mean(axis=-1, keepdims=True)
    variance = x.var(axis=-1, keepdims=True)
    return gamma * (x - mean) / np.sqrt(variance + epsilon) + beta


def correct_layernorm_backward(dout, x, gamma, epsilon=1e-3):
    """The step-by-step chain rule through each row's mean and variance (a different route)."""
    d = x.shape[1]
    centred = x - x.mean(axis=1, keepdims=True)
    variance = (centred**2).mean(axis=1, keepdims=True)
    inv_std = 1 / np.sqrt(variance + epsilon)
    x_hat = centred * inv_std
    dx_hat = dout * gamma
    dvariance = (dx_hat * centred).sum(axis=1, keepdims=True) * -0.5 * inv_std**3
    dmean = -(dx_hat * inv_std).sum(axis=1, keepdims=True)
    dx = dx_hat * inv_std + dvariance * 2 * centred / d + dmean / d
    return dx.astype(x.dtype), (dout * x_hat).sum(axis=0), dout.sum(axis=0)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize(
    ("name", "function"),
    [("layernorm_forward", correct_layernorm_forward), ("layernorm_backward", correct_layernorm_backward)],
)
def test_a_correct_layer_norm_passes_on_several_seeds(name, function, seed):
    result = run_check(get_exercise(name), function, np.random.default_rng(seed))
    assert result.status == PASSED, result.summary()
    assert len(result.cases) >= 7


@pytest.mark.parametrize("name", ["layernorm_forward", "layernorm_backward"])
def test_a_layer_norm_stub_reports_not_implemented(name):
    result = run_check(get_exercise(name), stub)
    assert result.status == NOT_IMPLEMENTED


def test_batch_statistics_in_layer_norm_are_named():
    def over_the_batch(x, gamma, beta, epsilon=1e-3):
        return correct_forward(x, gamma, beta, epsilon)

    result = run_check(get_exercise("layernorm_forward"), over_the_batch)
    assert result.status == FAILED
    assert "over the batch (axis=0)" in first_failure(result)
    alone = next(c for c in result.cases if c.label.startswith("each example's output"))
    assert not alone.passed and "never the other examples" in alone.message


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # ddof=1 on the one-feature case
def test_the_unbiased_variance_in_layer_norm_is_named():
    def unbiased(x, gamma, beta, epsilon=1e-3):
        mean = x.mean(axis=1, keepdims=True)
        return gamma * (x - mean) / np.sqrt(x.var(axis=1, ddof=1, keepdims=True) + epsilon) + beta

    result = run_check(get_exercise("layernorm_forward"), unbiased)
    assert result.status == FAILED
    assert "unbiased variance" in first_failure(result)


def test_epsilon_outside_the_root_in_layer_norm_gets_the_general_advice():
    def outside(x, gamma, beta, epsilon=1e-3):
        mean = x.mean(axis=1, keepdims=True)
        return gamma * (x - mean) / (x.std(axis=1, keepdims=True) + epsilon) + beta

    result = run_check(get_exercise("layernorm_forward"), outside)
    assert result.status == FAILED
    assert "epsilon inside the square root" in first_failure(result)


def test_a_layer_norm_backward_without_the_mean_path_is_named():
    def no_mean_path(dout, x, gamma, epsilon=1e-3):
        mean, variance = x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True)
        x_hat = (x - mean) / np.sqrt(variance + epsilon)
        return dout * gamma / np.sqrt(variance + epsilon), (dout * x_hat).sum(0), dout.sum(0)

    result = run_check(get_exercise("layernorm_backward"), no_mean_path)
    assert result.status == FAILED
    assert "row of dx must sum to zero" in first_failure(result)
    gradient_check = next(c for c in result.cases if c.label.startswith("numerical gradient"))
    assert not gradient_check.passed


def test_a_layer_norm_backward_that_sums_gamma_over_features_is_named():
    def wrong_sums(dout, x, gamma, epsilon=1e-3):
        dx, dgamma, _ = correct_layernorm_backward(dout, x, gamma, epsilon)
        return dx, dgamma, dout.sum(axis=1)

    result = run_check(get_exercise("layernorm_backward"), wrong_sums)
    assert result.status == FAILED
    assert "sum over the examples (axis=0)" in first_failure(result)


def test_the_layer_norm_gradient_check_passes_the_chain_rule():
    exercise = get_exercise("layernorm_backward")
    for seed in range(5):
        outcome = exercise.extra_checks[0](correct_layernorm_backward, np.random.default_rng(seed))
        assert outcome.passed, outcome.message
