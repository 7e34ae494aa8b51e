"""Tests for coursekit.reference.label_smoothing's calibration metrics and temperature scaling."""

import numpy as np
import pytest

from coursekit.reference.label_smoothing import (
    brier_score,
    expected_calibration_error,
    negative_log_likelihood,
    reliability_curve,
    softmax,
    temperature_scale,
)


def _calibrated_sample(n=4000, classes=5, seed=0):
    """Logits whose softmax is the true class distribution: temperature 1 is calibrated."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(n, classes)) * 1.5
    probs = softmax(logits)
    labels = (probs.cumsum(axis=1) > rng.random((n, 1))).argmax(axis=1)
    return labels, logits


def _nll(labels, logits, temperature):
    return negative_log_likelihood(labels, softmax(logits / temperature))


def test_nll_brier_and_reliability_agree_with_hand_values():
    labels = np.array([0, 1])
    probs = np.array([[0.8, 0.2], [0.6, 0.4]])
    np.testing.assert_allclose(
        negative_log_likelihood(labels, probs), -(np.log(0.8) + np.log(0.4)) / 2, rtol=1e-12
    )
    np.testing.assert_allclose(brier_score(labels, probs), (0.08 + 0.72) / 2, rtol=1e-12)
    curve = reliability_curve(labels, probs, n_bins=5)
    # Bins are (lo, hi]: 0.6 falls in (0.4, 0.6] and 0.8 in (0.6, 0.8].
    np.testing.assert_array_equal(curve.counts, [0, 0, 1, 1, 0])
    np.testing.assert_allclose(curve.confidence[[2, 3]], [0.6, 0.8], rtol=1e-12)
    np.testing.assert_allclose(curve.accuracy[[2, 3]], [0.0, 1.0], rtol=1e-12)


@pytest.mark.parametrize("true_temperature", [0.5, 3.0])
def test_temperature_scale_recovers_the_temperature_of_scaled_logits(true_temperature):
    labels, logits = _calibrated_sample()
    fitted = temperature_scale(labels, logits * true_temperature)
    np.testing.assert_allclose(fitted, true_temperature, rtol=0.1)


def test_temperature_scale_matches_a_scipy_bounded_minimization():
    optimize = pytest.importorskip("scipy.optimize")
    labels, logits = _calibrated_sample(n=500, seed=1)
    logits = logits * 2.3
    result = optimize.minimize_scalar(
        lambda t: _nll(labels, logits, t),
        bounds=(0.05, 20.0),
        method="bounded",
        options={"xatol": 1e-8},
    )
    np.testing.assert_allclose(temperature_scale(labels, logits), result.x, rtol=1e-4)


def test_temperature_scale_lowers_nll_and_ece_and_keeps_predictions():
    labels, logits = _calibrated_sample(seed=2)
    overconfident = logits * 4.0
    fitted = temperature_scale(labels, overconfident)
    assert _nll(labels, overconfident, fitted) < _nll(labels, overconfident, 1.0)
    before = expected_calibration_error(labels, softmax(overconfident))
    after = expected_calibration_error(labels, softmax(overconfident / fitted))
    assert after < before / 2
    np.testing.assert_array_equal(
        (overconfident / fitted).argmax(axis=1), overconfident.argmax(axis=1)
    )


def test_temperature_scale_is_deterministic_and_returns_a_bound_outside_the_range():
    labels, logits = _calibrated_sample(n=300, seed=3)
    assert temperature_scale(labels, logits) == temperature_scale(labels, logits)
    fitted = temperature_scale(labels, logits * 1000, bounds=(0.5, 2.0))
    np.testing.assert_allclose(fitted, 2.0, rtol=1e-5)


def test_temperature_scale_accepts_float32_logits():
    labels, logits = _calibrated_sample(n=300, seed=4)
    np.testing.assert_allclose(
        temperature_scale(labels, logits.astype(np.float32) * 2),
        temperature_scale(labels, logits * 2),
        rtol=1e-4,
    )


@pytest.mark.parametrize("bounds", [(0.0, 1.0), (2.0, 1.0), (1.0,), "01", (1.0, np.inf)])
def test_temperature_scale_bad_bounds_raise_value_error(bounds):
    labels, logits = _calibrated_sample(n=10)
    with pytest.raises(ValueError, match="bounds must be a pair"):
        temperature_scale(labels, logits, bounds=bounds)


def test_temperature_scale_bad_inputs_raise_clear_errors():
    labels, logits = _calibrated_sample(n=10)
    with pytest.raises(ValueError, match="tolerance must be a finite number > 0"):
        temperature_scale(labels, logits, tolerance=0.0)
    with pytest.raises(ValueError, match="logits must have 2 dimensions"):
        temperature_scale(labels, logits[0])
    with pytest.raises(ValueError, match=r"y_true_labels must have shape \(10,\) to match logits"):
        temperature_scale(labels[:5], logits)
    with pytest.raises(TypeError, match="y_true_labels must be an integer array"):
        temperature_scale(labels.astype(float), logits)
    with pytest.raises(ValueError, match=r"class indices in \[0, 4\]"):
        temperature_scale(np.full(10, 5), logits)
    with pytest.raises(ValueError, match="at least one sample"):
        temperature_scale(labels[:0], logits[:0])
    with pytest.raises(ValueError, match="logits must be finite"):
        temperature_scale(labels, np.full((10, 5), np.nan))
