"""Tests for coursekit.reference.label_smoothing: smoothing, losses equal to Keras's, calibration.

Tolerances against Keras: rtol 1e-5 when both compute in float64 (Keras losses built with
``dtype="float64"``), rtol 1e-4 in float32 (Keras's default loss dtype).
"""

from __future__ import annotations

import numpy as np
import pytest

from coursekit.reference.label_smoothing import (
    binary_crossentropy,
    brier_score,
    categorical_crossentropy,
    expected_calibration_error,
    negative_log_likelihood,
    reliability_curve,
    smooth_binary_labels,
    smooth_labels,
    softmax,
    softmax_crossentropy_grad,
)

RTOL = {np.float64: 1e-5, np.float32: 1e-4}
SMOOTHINGS = [0.0, 0.1, 0.35, 1.0]
DTYPES = [np.float64, np.float32]


def _one_hot(labels: np.ndarray, num_classes: int) -> np.ndarray:
    return np.eye(num_classes)[labels]


def _random_classification(shape, dtype, seed):
    """One-hot targets and softmax probabilities of the given shape (classes last)."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, shape[-1], size=shape[:-1])
    logits = rng.normal(0.0, 2.0, size=shape)
    return _one_hot(labels, shape[-1]).astype(dtype), softmax(logits).astype(dtype), logits


def _central_difference_gradient(function, x: np.ndarray, step: float = 1e-5) -> np.ndarray:
    gradient = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        plus = x.copy()
        minus = x.copy()
        plus[index] += step
        minus[index] -= step
        gradient[index] = (function(plus) - function(minus)) / (2 * step)
    return gradient


@pytest.fixture(scope="module")
def keras():
    return pytest.importorskip("keras")


def test_smooth_labels_follows_the_keras_formula():
    smoothed = smooth_labels(np.array([[0.0, 1.0, 0.0, 0.0]]), 0.2)
    np.testing.assert_allclose(smoothed, [[0.05, 0.85, 0.05, 0.05]], rtol=1e-12)


def test_smooth_labels_rows_still_sum_to_one():
    targets = _one_hot(np.array([0, 2, 1, 2]), 3)
    np.testing.assert_allclose(smooth_labels(targets, 0.3).sum(axis=-1), 1.0, rtol=1e-12)


def test_smooth_labels_with_zero_smoothing_is_the_identity():
    targets = _one_hot(np.array([1, 0]), 3)
    np.testing.assert_array_equal(smooth_labels(targets, 0.0), targets)


def test_smooth_labels_accepts_integer_one_hot():
    smoothed = smooth_labels(np.array([[0, 1]]), 0.5)
    np.testing.assert_allclose(smoothed, [[0.25, 0.75]], rtol=1e-12)


def test_smooth_labels_keeps_float32():
    assert smooth_labels(np.eye(3, dtype=np.float32), 0.1).dtype == np.float32


def test_smooth_binary_labels_squeeze_towards_one_half():
    smoothed = smooth_binary_labels(np.array([0.0, 1.0]), 0.2)
    np.testing.assert_allclose(smoothed, [0.1, 0.9], rtol=1e-12)


@pytest.mark.parametrize("smoothing", [-0.1, 1.5])
def test_smoothing_outside_unit_interval_raises_naming_it(smoothing):
    with pytest.raises(ValueError, match="smoothing"):
        smooth_labels(np.eye(2), smoothing)


def test_softmax_rows_sum_to_one():
    logits = np.random.default_rng(0).normal(size=(4, 5))
    np.testing.assert_allclose(softmax(logits).sum(axis=-1), 1.0, rtol=1e-12)


def test_softmax_is_stable_for_large_logits():
    probabilities = softmax(np.array([[1000.0, 1001.0]]))
    np.testing.assert_allclose(probabilities, [[1 / (1 + np.e), np.e / (1 + np.e)]], rtol=1e-12)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("smoothing", SMOOTHINGS)
@pytest.mark.parametrize("shape", [(5, 3), (16, 10), (2, 4, 6)])
def test_categorical_crossentropy_equals_keras(keras, shape, smoothing, dtype):
    y_true, y_pred, _ = _random_classification(shape, dtype, seed=sum(shape))
    keras_loss = keras.losses.CategoricalCrossentropy(
        label_smoothing=smoothing, dtype=np.dtype(dtype).name
    )
    expected = float(keras_loss(y_true, y_pred))
    got = categorical_crossentropy(y_true, y_pred, label_smoothing=smoothing)
    np.testing.assert_allclose(got, expected, rtol=RTOL[dtype])


@pytest.mark.parametrize("dtype", DTYPES)
def test_categorical_crossentropy_normalises_and_clips_like_keras(keras, dtype):
    # Rows that do not sum to 1 and exact zeros exercise Keras's normalisation and clipping.
    y_pred = np.array([[0.0, 2.0, 2.0], [3.0, 0.0, 1.0], [0.5, 0.5, 0.0]], dtype=dtype)
    y_true = _one_hot(np.array([0, 1, 2]), 3).astype(dtype)
    keras_loss = keras.losses.CategoricalCrossentropy(
        label_smoothing=0.1, dtype=np.dtype(dtype).name
    )
    expected = float(keras_loss(y_true, y_pred))
    got = categorical_crossentropy(y_true, y_pred, label_smoothing=0.1)
    np.testing.assert_allclose(got, expected, rtol=RTOL[dtype])


@pytest.mark.parametrize("smoothing", SMOOTHINGS)
def test_categorical_crossentropy_from_logits_equals_keras(keras, smoothing):
    y_true, _, logits = _random_classification((6, 4), np.float64, seed=1)
    keras_loss = keras.losses.CategoricalCrossentropy(
        from_logits=True, label_smoothing=smoothing, dtype="float64"
    )
    expected = float(keras_loss(y_true, logits))
    got = categorical_crossentropy(y_true, logits, label_smoothing=smoothing, from_logits=True)
    np.testing.assert_allclose(got, expected, rtol=1e-5)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("smoothing", SMOOTHINGS)
@pytest.mark.parametrize("shape", [(7,), (5, 3), (2, 3, 4)])
def test_binary_crossentropy_equals_keras(keras, shape, smoothing, dtype):
    rng = np.random.default_rng(sum(shape))
    y_true = rng.integers(0, 2, size=shape).astype(dtype)
    y_pred = rng.uniform(0.0, 1.0, size=shape)
    y_pred.flat[0] = 0.0
    y_pred.flat[-1] = 1.0
    y_pred = y_pred.astype(dtype)
    keras_loss = keras.losses.BinaryCrossentropy(
        label_smoothing=smoothing, dtype=np.dtype(dtype).name
    )
    expected = float(keras_loss(y_true, y_pred))
    got = binary_crossentropy(y_true, y_pred, label_smoothing=smoothing)
    np.testing.assert_allclose(got, expected, rtol=RTOL[dtype])


@pytest.mark.parametrize("smoothing", SMOOTHINGS)
def test_binary_crossentropy_from_logits_equals_keras(keras, smoothing):
    rng = np.random.default_rng(3)
    y_true = rng.integers(0, 2, size=(6, 2)).astype(np.float64)
    logits = rng.normal(0.0, 5.0, size=(6, 2))
    keras_loss = keras.losses.BinaryCrossentropy(
        from_logits=True, label_smoothing=smoothing, dtype="float64"
    )
    expected = float(keras_loss(y_true, logits))
    got = binary_crossentropy(y_true, logits, label_smoothing=smoothing, from_logits=True)
    np.testing.assert_allclose(got, expected, rtol=1e-5)


def test_crossentropy_returns_a_python_float():
    y_true, y_pred, _ = _random_classification((3, 2), np.float32, seed=0)
    assert type(categorical_crossentropy(y_true, y_pred)) is float


def test_negative_probabilities_raise_naming_y_pred():
    with pytest.raises(ValueError, match="y_pred"):
        categorical_crossentropy(np.eye(2), np.array([[1.5, -0.5], [0.0, 1.0]]))


def test_binary_probabilities_above_one_raise_naming_y_pred():
    with pytest.raises(ValueError, match="y_pred"):
        binary_crossentropy(np.array([1.0]), np.array([1.2]))


def test_mismatched_shapes_raise_naming_both():
    with pytest.raises(ValueError, match="y_true.*y_pred"):
        categorical_crossentropy(np.eye(3), np.full((3, 2), 0.5))


def test_integer_predictions_raise_type_error_naming_y_pred():
    with pytest.raises(TypeError, match="y_pred"):
        categorical_crossentropy(np.eye(2), np.eye(2, dtype=int))


@pytest.mark.parametrize("smoothing", [0.0, 0.2])
@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 5)])
def test_softmax_crossentropy_grad_matches_central_differences(shape, smoothing):
    y_true, _, logits = _random_classification(shape, np.float64, seed=7)

    def loss(z):
        return categorical_crossentropy(y_true, z, label_smoothing=smoothing, from_logits=True)

    numerical = _central_difference_gradient(loss, logits)
    analytic = softmax_crossentropy_grad(y_true, logits, label_smoothing=smoothing)
    relative_error = np.max(
        np.abs(analytic - numerical) / np.maximum(1e-12, np.abs(analytic) + np.abs(numerical))
    )
    assert relative_error < 1e-7


def test_softmax_crossentropy_grad_is_softmax_minus_smoothed_targets_over_n():
    logits = np.array([[2.0, 0.0, -1.0], [0.5, 0.5, 0.5]])
    y_true = _one_hot(np.array([0, 2]), 3)
    expected = (softmax(logits) - smooth_labels(y_true, 0.3)) / 2
    np.testing.assert_allclose(
        softmax_crossentropy_grad(y_true, logits, label_smoothing=0.3), expected, rtol=1e-12
    )


def _calibrated_example():
    """Confidence 0.8 with 8 of 10 correct and confidence 0.75 with 3 of 4 correct."""
    probs = np.array([[0.8, 0.2]] * 10 + [[0.25, 0.75]] * 4)
    labels = np.array([0] * 8 + [1] * 2 + [1] * 3 + [0])
    return labels, probs


def test_ece_is_zero_for_perfectly_calibrated_predictions():
    labels, probs = _calibrated_example()
    np.testing.assert_allclose(expected_calibration_error(labels, probs), 0.0, atol=1e-12)


def _hand_computed_example():
    """Bins (0.8, 0.9]: 2 samples, acc 0.5, conf 0.9; (0.5, 0.6]: acc 1, conf 0.6;
    (0.6, 0.7]: acc 1, conf 0.7. ECE = 0.5 * 0.4 + 0.25 * 0.4 + 0.25 * 0.3 = 0.375."""
    probs = np.array([[0.9, 0.1], [0.9, 0.1], [0.6, 0.4], [0.3, 0.7]])
    labels = np.array([0, 1, 0, 1])
    return labels, probs


def test_ece_equals_a_hand_computed_value():
    labels, probs = _hand_computed_example()
    np.testing.assert_allclose(expected_calibration_error(labels, probs), 0.375, rtol=1e-12)


def test_reliability_curve_reports_per_bin_statistics():
    labels, probs = _hand_computed_example()
    curve = reliability_curve(labels, probs, n_bins=10)
    np.testing.assert_array_equal(curve.counts, [0, 0, 0, 0, 0, 1, 1, 0, 2, 0])
    np.testing.assert_allclose(curve.confidence[[5, 6, 8]], [0.6, 0.7, 0.9], rtol=1e-12)
    np.testing.assert_allclose(curve.accuracy[[5, 6, 8]], [1.0, 1.0, 0.5], rtol=1e-12)


def test_reliability_curve_marks_empty_bins_with_nan():
    labels, probs = _hand_computed_example()
    curve = reliability_curve(labels, probs, n_bins=10)
    assert np.isnan(curve.confidence[0]) and np.isnan(curve.accuracy[0])


def test_confidence_of_one_falls_in_the_last_bin():
    curve = reliability_curve(np.array([0]), np.array([[1.0, 0.0]]), n_bins=4)
    np.testing.assert_array_equal(curve.counts, [0, 0, 0, 1])


def test_ece_rejects_float_labels_naming_them():
    with pytest.raises(TypeError, match="y_true_labels"):
        expected_calibration_error(np.array([0.0, 1.0]), np.eye(2))


def test_ece_rejects_zero_bins_naming_n_bins():
    with pytest.raises(ValueError, match="n_bins"):
        expected_calibration_error(np.array([0, 1]), np.eye(2), n_bins=0)


def test_ece_rejects_labels_outside_the_classes():
    with pytest.raises(ValueError, match="y_true_labels"):
        expected_calibration_error(np.array([0, 2]), np.eye(2))


def test_nll_equals_a_hand_computed_value():
    labels, probs = _hand_computed_example()
    expected = -np.mean(np.log([0.9, 0.1, 0.6, 0.7]))
    np.testing.assert_allclose(negative_log_likelihood(labels, probs), expected, rtol=1e-12)


def test_nll_of_the_uniform_prediction_is_log_k():
    probs = np.full((6, 3), 1 / 3)
    np.testing.assert_allclose(negative_log_likelihood(np.arange(6) % 3, probs), np.log(3), rtol=1e-12)


def test_nll_clips_a_zero_probability_like_keras():
    nll = negative_log_likelihood(np.array([1]), np.array([[1.0, 0.0]]))
    np.testing.assert_allclose(nll, -np.log(1e-7), rtol=1e-6)


def test_nll_equals_keras_categorical_crossentropy(keras):
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 4, 20)
    probs = softmax(rng.normal(0, 2, (20, 4)))
    keras_value = keras.losses.CategoricalCrossentropy()(np.eye(4)[labels], probs)
    np.testing.assert_allclose(negative_log_likelihood(labels, probs), float(keras_value), rtol=1e-5)


def test_brier_score_equals_a_hand_computed_value():
    labels, probs = _hand_computed_example()
    expected = np.mean([2 * 0.1**2, 2 * 0.9**2, 2 * 0.4**2, 2 * 0.3**2])
    np.testing.assert_allclose(brier_score(labels, probs), expected, rtol=1e-12)


def test_brier_score_of_the_uniform_prediction_is_one_minus_one_over_k():
    probs = np.full((8, 4), 0.25)
    np.testing.assert_allclose(brier_score(np.arange(8) % 4, probs), 0.75, rtol=1e-12)


def test_brier_score_is_two_for_certainty_on_a_wrong_class():
    np.testing.assert_allclose(brier_score(np.array([0]), np.array([[0.0, 1.0]])), 2.0, rtol=1e-12)


def test_an_uninformative_model_can_have_zero_ece_but_not_zero_nll_or_brier():
    labels = np.array([0, 1] * 50)
    probs = np.full((100, 2), 0.5)
    assert expected_calibration_error(labels, probs) == 0.0
    np.testing.assert_allclose(negative_log_likelihood(labels, probs), np.log(2), rtol=1e-12)
    np.testing.assert_allclose(brier_score(labels, probs), 0.5, rtol=1e-12)


@pytest.mark.parametrize("metric", [negative_log_likelihood, brier_score])
def test_scoring_rules_reject_float_labels_naming_them(metric):
    with pytest.raises(TypeError, match="y_true_labels"):
        metric(np.array([0.0, 1.0]), np.eye(2))
