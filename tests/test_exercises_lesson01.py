"""Lesson 01 exercises: correct independent versions pass, stubs and typical mistakes do not."""

import numpy as np
import pytest
from exercise_helpers import stub

from coursekit.exercises import get_exercise, run_check
from coursekit.exercises.core import FAILED, NOT_IMPLEMENTED, PASSED
from coursekit.reference.penalties import weight_decay_step


def correct_l1_penalty(w, l1):
    return l1 * float(np.abs(w).sum())


def correct_l2_penalty(w, l2):
    return float(l2 * np.sum(w * w))


def correct_l1_penalty_grad(w, l1):
    return np.where(w > 0, l1, np.where(w < 0, -l1, 0.0)).astype(w.dtype)


def correct_l2_penalty_grad(w, l2):
    return w * (2 * l2)


def correct_sgd_step_l2(w, grad, lr, l2):
    return (1 - 2 * lr * l2) * w - lr * grad


def correct_max_norm(w, max_value):
    out = w.copy()
    for column in range(w.shape[1]):
        norm = np.linalg.norm(w[:, column])
        out[:, column] = w[:, column] * (min(norm, max_value) / (norm + 1e-7))
    return out


@pytest.mark.parametrize(
    "name, function",
    [
        ("l1_penalty", correct_l1_penalty),
        ("l2_penalty", correct_l2_penalty),
        ("l1_penalty_grad", correct_l1_penalty_grad),
        ("l2_penalty_grad", correct_l2_penalty_grad),
        ("sgd_step_l2", correct_sgd_step_l2),
        ("max_norm", correct_max_norm),
    ],
)
def test_a_correct_independent_version_passes(name, function):
    result = run_check(get_exercise(name), function)
    assert result.status == PASSED, result.summary()
    assert len(result.cases) >= 6


@pytest.mark.parametrize(
    "name", ["l1_penalty", "l2_penalty", "l1_penalty_grad", "l2_penalty_grad", "sgd_step_l2", "max_norm"]
)
def test_the_stub_reports_not_implemented(name):
    result = run_check(get_exercise(name), stub)
    assert result.status == NOT_IMPLEMENTED
    assert "not implemented yet" in result.summary()


def test_l1_penalty_with_a_mean_instead_of_a_sum_fails_with_expected_and_got():
    result = run_check(get_exercise("l1_penalty"), lambda w, l1: float(l1 * np.mean(np.abs(w))))
    assert result.status == FAILED
    assert "expected" in result.summary() and "no mean" in result.summary()


def test_l2_penalty_with_the_textbook_one_half_fails():
    result = run_check(get_exercise("l2_penalty"), lambda w, l2: float(0.5 * l2 * np.sum(w**2)))
    assert result.status == FAILED
    assert "no 1/2" in result.summary()


def test_l2_penalty_that_caps_the_strength_at_one_fails_on_the_large_strength():
    result = run_check(
        get_exercise("l2_penalty"), lambda w, l2: float(min(l2, 1.0) * np.sum(w**2))
    )
    failures = [case.label for case in result.cases if not case.passed]
    assert result.status == FAILED
    assert failures == ["a large strength, l2 = 50 (valid: there is no upper bound)"]


def test_l1_gradient_that_returns_the_l2_shape_fails_the_gradient_check():
    result = run_check(get_exercise("l1_penalty_grad"), lambda w, l1: l1 * w)
    assert result.status == FAILED
    gradient_check = [case for case in result.cases if case.label == "numerical gradient check"]
    assert gradient_check and not gradient_check[0].passed


def test_l2_gradient_without_the_factor_two_fails_with_a_hint_about_it():
    result = run_check(get_exercise("l2_penalty_grad"), lambda w, l2: l2 * w)
    assert result.status == FAILED
    assert "factor 2" in result.summary()
    assert "relative error" in result.cases[-1].message


def test_gradient_that_changes_the_dtype_fails():
    result = run_check(get_exercise("l2_penalty_grad"), lambda w, l2: (2 * l2 * w).astype(np.float64))
    assert result.status == FAILED
    assert any("dtype float32" in case.message for case in result.cases)


def test_sgd_step_that_forgets_the_penalty_fails():
    result = run_check(get_exercise("sgd_step_l2"), lambda w, grad, lr, l2: w - lr * grad)
    assert result.status == FAILED
    assert "the data loss plus the penalty" in result.summary()


def test_sgd_step_with_the_wrong_sign_of_decay_fails_the_gradient_check():
    result = run_check(
        get_exercise("sgd_step_l2"), lambda w, grad, lr, l2: w - lr * (grad - 2 * l2 * w)
    )
    assert result.status == FAILED
    assert not result.cases[-1].passed


def test_sgd_step_that_modifies_w_in_place_is_reported():
    def in_place(w, grad, lr, l2):
        w -= lr * (grad + 2 * l2 * w)
        return w

    result = run_check(get_exercise("sgd_step_l2"), in_place)
    assert result.status == FAILED
    assert "in place" in result.summary()


def test_a_learner_exception_inside_the_gradient_check_is_reported_not_raised():
    def fails_on_2d(w, l2):
        if w.ndim == 2:
            raise ValueError("only vectors")
        return 2 * l2 * w

    result = run_check(get_exercise("l2_penalty_grad"), fails_on_2d)
    assert result.status == FAILED
    assert "ValueError" in result.cases[-1].message


def test_sgd_step_with_l2_is_decoupled_weight_decay_with_twice_the_strength():
    rng = np.random.default_rng(0)
    w, grad = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    reference = get_exercise("sgd_step_l2").reference
    np.testing.assert_allclose(
        reference(w, grad, 0.1, 0.03), weight_decay_step(w, grad, 0.1, 0.06), rtol=1e-12
    )


def _max_norm_failures(function):
    result = run_check(get_exercise("max_norm"), function)
    assert result.status == FAILED
    return {case.label: case.message for case in result.cases if not case.passed}


def test_max_norm_without_keras_epsilon_fails_on_the_zero_and_the_tiny_column():
    def without_epsilon(w, max_value):
        norms = np.linalg.norm(w, axis=0, keepdims=True)
        with np.errstate(invalid="ignore"):
            return (w * np.minimum(norms, max_value) / norms).astype(w.dtype)

    failures = _max_norm_failures(without_epsilon)
    assert set(failures) == {"an all-zero column stays zero (no 0/0)",
                             "a column of norm 1e-6, where Keras's epsilon shows"}
    assert "0/0" in failures["an all-zero column stays zero (no 0/0)"]
    assert "epsilon = 1e-07" in failures["a column of norm 1e-6, where Keras's epsilon shows"]


def test_max_norm_over_the_rows_is_told_to_use_the_columns():
    def over_rows(w, max_value):
        norms = np.linalg.norm(w, axis=1, keepdims=True)
        return (w * np.clip(norms, 0, max_value) / (norms + 1e-7)).astype(w.dtype)

    message = _max_norm_failures(over_rows)["a 6x4 kernel, two columns above max_value = 2"]
    assert "above the bound" in message and "axis 0" in message


def test_max_norm_that_rescales_every_column_is_told_to_clip():
    def rescales_all(w, max_value):
        return (w * max_value / (np.linalg.norm(w, axis=0, keepdims=True) + 1e-7)).astype(w.dtype)

    failures = _max_norm_failures(rescales_all)
    assert "clip each norm at max_value" in failures[
        "every column already inside the bound (left as it is, up to Keras's epsilon)"]


def test_max_norm_that_returns_float64_for_float32_fails_on_the_dtype():
    def float64(w, max_value):
        return correct_max_norm(w.astype(np.float64), max_value)

    assert "dtype" in _max_norm_failures(float64)["float32 kernel keeps float32"]

