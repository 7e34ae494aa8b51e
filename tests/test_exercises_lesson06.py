"""Lesson 06 exercises: correct label-smoothing code passes, stubs and classic mistakes fail."""

import numpy as np
import pytest
from exercise_helpers import first_failure, stub

from coursekit.exercises import get_exercise, run_check
from coursekit.exercises.core import FAILED, NOT_IMPLEMENTED, PASSED

NAMES = ["smooth_labels", "smoothed_categorical_crossentropy", "smoothed_binary_crossentropy"]


def correct_smooth_labels(y_onehot, smoothing):
    num_classes = y_onehot.shape[-1]
    return y_onehot * (1 - smoothing) + smoothing / num_classes


def correct_categorical(y_true, y_pred, label_smoothing=0.0):
    targets = correct_smooth_labels(y_true.astype(y_pred.dtype), label_smoothing)
    probs = np.clip(y_pred, 1e-7, 1 - 1e-7)
    return float(np.mean(-np.sum(targets * np.log(probs), axis=-1)))


def correct_binary(y_true, y_pred, label_smoothing=0.0):
    targets = y_true * (1 - label_smoothing) + label_smoothing / 2
    probs = np.clip(y_pred, 1e-7, 1 - 1e-7)
    return float(np.mean(-(targets * np.log(probs) + (1 - targets) * np.log(1 - probs))))


@pytest.mark.parametrize(
    ("name", "function"),
    [
        ("smooth_labels", correct_smooth_labels),
        ("smoothed_categorical_crossentropy", correct_categorical),
        ("smoothed_binary_crossentropy", correct_binary),
    ],
)
def test_a_correct_implementation_passes(name, function):
    result = run_check(get_exercise(name), function)
    assert result.status == PASSED, result.summary()
    assert len(result.cases) >= 7


@pytest.mark.parametrize("name", NAMES)
def test_a_stub_reports_not_implemented(name):
    result = run_check(get_exercise(name), stub)
    assert result.status == NOT_IMPLEMENTED
    assert "not implemented yet" in result.summary()


def test_the_other_convention_s_over_k_minus_1_is_named():
    def one_minus_s_on_true_class(y_onehot, smoothing):
        num_classes = y_onehot.shape[-1]
        return y_onehot * (1 - smoothing) + (1 - y_onehot) * smoothing / (num_classes - 1)

    result = run_check(get_exercise("smooth_labels"), one_minus_s_on_true_class)
    assert result.status == FAILED
    assert "s / (K - 1)" in first_failure(result)
    assert "y * (1 - s) + s / K" in first_failure(result)


def test_forgetting_to_divide_by_k_is_named():
    def unshared(y_onehot, smoothing):
        return y_onehot * (1 - smoothing) + smoothing

    result = run_check(get_exercise("smooth_labels"), unshared)
    assert result.status == FAILED
    assert "shared among the K classes" in first_failure(result)


def test_changing_the_dtype_is_reported():
    def float64_always(y_onehot, smoothing):
        return correct_smooth_labels(y_onehot.astype(np.float64), smoothing)

    result = run_check(get_exercise("smooth_labels"), float64_always)
    assert result.status == FAILED
    assert "dtype float32" in first_failure(result)


def test_categorical_without_smoothing_fails_where_smoothing_matters():
    def ignores_smoothing(y_true, y_pred, label_smoothing=0.0):
        return correct_categorical(y_true, y_pred, 0.0)

    result = run_check(get_exercise("smoothed_categorical_crossentropy"), ignores_smoothing)
    assert result.status == FAILED
    assert "expected" in first_failure(result)


def test_categorical_without_clipping_fails_on_a_zero_probability():
    def unclipped(y_true, y_pred, label_smoothing=0.0):
        targets = correct_smooth_labels(y_true, label_smoothing)
        with np.errstate(divide="ignore", invalid="ignore"):
            return float(np.mean(-np.sum(targets * np.log(y_pred), axis=-1)))

    result = run_check(get_exercise("smoothed_categorical_crossentropy"), unclipped)
    assert result.status == FAILED
    failed = [case.label for case in result.cases if not case.passed]
    assert failed == ["a wrong class predicted with probability exactly 0: clip to [1e-7, 1 - 1e-7]"]
    assert "clip" in result.summary()


def test_categorical_summed_over_the_batch_fails():
    def summed(y_true, y_pred, label_smoothing=0.0):
        return correct_categorical(y_true, y_pred, label_smoothing) * len(y_true)

    result = run_check(get_exercise("smoothed_categorical_crossentropy"), summed)
    assert result.status == FAILED
    assert "average over the batch" in result.summary()


def test_binary_targets_one_minus_s_and_s_fail_with_the_keras_rule_in_the_hint():
    def targets_s_and_one_minus_s(y_true, y_pred, label_smoothing=0.0):
        targets = y_true * (1 - 2 * label_smoothing) + label_smoothing
        probs = np.clip(y_pred, 1e-7, 1 - 1e-7)
        return float(np.mean(-(targets * np.log(probs) + (1 - targets) * np.log(1 - probs))))

    result = run_check(get_exercise("smoothed_binary_crossentropy"), targets_s_and_one_minus_s)
    assert result.status == FAILED
    assert "8 examples, smoothing 0.2" in result.summary()
    assert "a 1 becomes 1 - s/2 and a 0 becomes s/2" in result.summary()


def test_binary_with_the_categorical_rule_for_one_column_fails():
    def divides_by_one_class(y_true, y_pred, label_smoothing=0.0):
        targets = y_true * (1 - label_smoothing) + label_smoothing / y_true.shape[-1]
        probs = np.clip(y_pred, 1e-7, 1 - 1e-7)
        return float(np.mean(-(targets * np.log(probs) + (1 - targets) * np.log(1 - probs))))

    result = run_check(get_exercise("smoothed_binary_crossentropy"), divides_by_one_class)
    assert result.status == FAILED
