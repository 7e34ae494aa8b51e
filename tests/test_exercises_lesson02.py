"""Lesson 02 exercises: correct dropout code passes, stubs and the classic mistakes fail clearly."""

import numpy as np
import pytest
from exercise_helpers import first_failure, stub

from coursekit.exercises import get_exercise, run_check
from coursekit.exercises.core import FAILED, NOT_IMPLEMENTED, PASSED


def correct_forward(x, rate, rng):
    keep = rng.random(x.shape) >= rate
    return np.where(keep, x / (1 - rate), 0).astype(x.dtype), keep


def correct_layer(x, rate, rng, training=True):
    if not training:
        return x.copy(), np.ones(x.shape, dtype=bool)
    return correct_forward(x, rate, rng)


def correct_backward(dout, mask, rate):
    return (dout * mask / (1 - rate)).astype(dout.dtype)


@pytest.mark.parametrize(
    ("name", "function"),
    [
        ("dropout_forward", correct_forward),
        ("dropout_backward", correct_backward),
        ("dropout_layer", correct_layer),
    ],
)
def test_a_correct_implementation_passes(name, function):
    result = run_check(get_exercise(name), function)
    assert result.status == PASSED, result.summary()
    assert len(result.cases) >= 7


def test_a_float_zero_one_mask_is_accepted():
    def float_mask(x, rate, rng):
        out, keep = correct_forward(x, rate, rng)
        return out, keep.astype(x.dtype)

    assert run_check(get_exercise("dropout_forward"), float_mask).status == PASSED


@pytest.mark.parametrize("name", ["dropout_forward", "dropout_backward", "dropout_layer"])
def test_a_stub_reports_not_implemented(name):
    result = run_check(get_exercise(name), stub)
    assert result.status == NOT_IMPLEMENTED
    assert "not implemented yet" in result.summary()


def test_forgetting_the_scale_is_named():
    def unscaled(x, rate, rng):
        keep = rng.random(x.shape) >= rate
        return x * keep, keep

    result = run_check(get_exercise("dropout_forward"), unscaled)
    assert result.status == FAILED
    assert "divide each kept unit by (1 - rate)" in first_failure(result)
    assert "0.5 times" in first_failure(result)


def test_using_rate_as_the_keep_probability_is_named():
    def keep_prob(x, rate, rng):
        keep = rng.random(x.shape) < rate
        return np.where(keep, x / rate if rate else x, 0).astype(x.dtype), keep

    result = run_check(get_exercise("dropout_forward"), keep_prob)
    assert result.status == FAILED
    assert "fraction DROPPED" in result.summary()


def test_a_keep_probability_mask_drawn_differently_is_named():
    def keep_prob(x, rate, rng):
        keep = rng.random(x.shape) >= 1 - rate
        return np.where(keep, x / (1 - rate), 0).astype(x.dtype), keep

    messages = [c.message for c in run_check(get_exercise("dropout_forward"), keep_prob).cases]
    assert any("you used rate as the keep probability" in m for m in messages)


def test_a_mask_drawn_another_way_gets_the_recipe():
    def binomial(x, rate, rng):
        keep = rng.binomial(1, 1 - rate, size=x.shape).astype(bool)
        return np.where(keep, x / (1 - rate), 0).astype(x.dtype), keep

    result = run_check(get_exercise("dropout_forward"), binomial)
    assert result.status == FAILED
    assert "rng.random(x.shape) >= rate" in result.summary()


def test_returning_only_the_output_is_reported():
    result = run_check(get_exercise("dropout_forward"), lambda x, rate, rng: correct_forward(x, rate, rng)[0])
    assert result.status == FAILED
    assert "return a pair (out, mask)" in result.summary()


def test_backward_without_the_scale_fails_the_comparison_and_the_gradient_check():
    def unscaled(dout, mask, rate):
        return dout * mask

    result = run_check(get_exercise("dropout_backward"), unscaled)
    assert result.status == FAILED
    gradient = next(case for case in result.cases if case.label == "numerical gradient check")
    assert not gradient.passed and "relative error" in gradient.message
    assert "by the same constant" in result.summary()


def test_backward_that_multiplies_by_the_keep_probability_fails():
    def multiplied(dout, mask, rate):
        return dout * mask * (1 - rate)

    assert run_check(get_exercise("dropout_backward"), multiplied).status == FAILED


def test_backward_exception_inside_the_gradient_check_is_reported_not_raised():
    def crashes_on_float64_masks(dout, mask, rate):
        if dout.shape == (6, 5):
            raise ValueError("boom")
        return correct_backward(dout, mask, rate)

    result = run_check(get_exercise("dropout_backward"), crashes_on_float64_masks)
    assert result.status == FAILED
    assert "ValueError: boom" in result.cases[-1].message


def test_scaling_at_inference_is_named():
    def classic_test_scaling(x, rate, rng, training=True):
        if not training:
            return x * (1 - rate), np.ones(x.shape, dtype=bool)
        return correct_forward(x, rate, rng)

    result = run_check(get_exercise("dropout_layer"), classic_test_scaling)
    assert result.status == FAILED
    assert "at inference (training=False) nothing is scaled" in first_failure(result)


def test_dropping_at_inference_is_named():
    def always_drops(x, rate, rng, training=True):
        return correct_forward(x, rate, rng)

    result = run_check(get_exercise("dropout_layer"), always_drops)
    assert result.status == FAILED
    assert "no unit should be dropped" in result.summary()


@pytest.mark.parametrize("same_array", [lambda x: x, lambda x: x[...], lambda x: x.view()])
def test_inference_that_returns_x_itself_or_a_view_fails_the_copy_check(same_array):
    def no_copy(x, rate, rng, training=True):
        if not training:
            return same_array(x), np.ones(x.shape, dtype=bool)
        return correct_forward(x, rate, rng)

    result = run_check(get_exercise("dropout_layer"), no_copy)
    assert result.status == FAILED and result.n_passed == len(result.cases) - 1
    assert "return a copy" in first_failure(result)
