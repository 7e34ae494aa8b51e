"""Label smoothing, cross-entropy losses and calibration, with Keras 3 conventions.

Label smoothing (Szegedy et al. 2016) replaces hard one-hot targets by a mixture of the one-hot
vector and the uniform distribution over the ``K`` classes::

    y_smooth = y * (1 - label_smoothing) + label_smoothing / K

The binary version (Keras ``BinaryCrossentropy``) squeezes 0/1 targets towards 0.5::

    y_smooth = y * (1 - label_smoothing) + 0.5 * label_smoothing

so the targets become ``label_smoothing / 2`` and ``1 - label_smoothing / 2``.

The losses return the same numbers as ``keras.losses.CategoricalCrossentropy`` and
``keras.losses.BinaryCrossentropy`` with their default reduction (the mean), including Keras's
normalisation of probability rows and its clipping of probabilities to
``[1e-7, 1 - 1e-7]``. Computations keep the dtype of ``y_pred`` (float32 or float64), as Keras
computes in its loss dtype.

Calibration: :func:`reliability_curve` and :func:`expected_calibration_error` measure how far a
classifier's confidence (its largest predicted probability) is from its accuracy.
:func:`negative_log_likelihood` and :func:`brier_score` are the two proper scoring rules to
report beside the ECE: they need no bins and use every probability, not only the top one.
:func:`temperature_scale` fits the one temperature ``T`` of Guo et al. (2017) on held-out
logits; ``softmax(logits / T)`` is then better calibrated, with the same predicted classes.
"""

from __future__ import annotations

import numbers
from typing import NamedTuple

import numpy as np

from coursekit.reference._validation import as_float_array, check_fraction, describe

EPSILON = 1e-7
"""Keras's fuzz factor ``keras.config.epsilon()``: probabilities are clipped to
``[EPSILON, 1 - EPSILON]`` before taking logarithms."""


def _as_target_array(value: object, name: str) -> np.ndarray:
    """Return targets as a float array; integer and boolean targets are converted to float64.

    Targets (one-hot rows, 0/1 labels) are often stored as integers; converting them loses
    nothing, unlike converting predictions, so they are accepted here.
    """
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be a numeric array, got {describe(value)}.")
    array = np.asarray(value)
    if array.dtype == object:
        raise TypeError(f"{name} must be a numeric array, got an object array.")
    if array.dtype == bool or np.issubdtype(array.dtype, np.integer):
        return array.astype(np.float64)
    return as_float_array(array, name)


def _check_same_shape(y_true: np.ndarray, y_pred: np.ndarray, pred_name: str) -> None:
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"y_true and {pred_name} must have the same shape, got y_true of shape "
            f"{y_true.shape} and {pred_name} of shape {y_pred.shape}."
        )
    if y_pred.ndim < 1:
        raise ValueError(f"{pred_name} must have at least 1 dimension, got a scalar.")


def _check_bool(value: object, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {describe(value)}.")
    return bool(value)


def smooth_labels(y_onehot: object, smoothing: float) -> np.ndarray:
    """Smooth one-hot targets towards the uniform distribution (Keras convention).

    Parameters
    ----------
    y_onehot : array_like of shape (..., n_classes)
        One-hot (or probability) targets; the classes are on the last axis. Integer and
        boolean arrays are accepted and converted to float64.
    smoothing : float
        The label smoothing ``s``, in ``[0, 1]``. ``0`` returns the targets unchanged and ``1``
        returns the uniform distribution.

    Returns
    -------
    ndarray of shape (..., n_classes)
        ``y_onehot * (1 - s) + s / n_classes``, in the dtype of ``y_onehot`` (float64 for
        integer input). A one-hot row becomes ``1 - s + s/K`` on the true class and ``s/K``
        elsewhere, and still sums to 1.
    """
    targets = _as_target_array(y_onehot, "y_onehot")
    smoothing = check_fraction(smoothing, "smoothing")
    if targets.ndim < 1:
        raise ValueError("y_onehot must have at least 1 dimension (the classes), got a scalar.")
    num_classes = targets.shape[-1]
    return targets * (1.0 - smoothing) + smoothing / num_classes


def smooth_binary_labels(y: object, smoothing: float) -> np.ndarray:
    """Smooth 0/1 targets towards 0.5 (Keras ``BinaryCrossentropy`` convention).

    Parameters
    ----------
    y : array_like of any shape
        Binary targets in ``{0, 1}`` (or probabilities in ``[0, 1]``). Integer and boolean
        arrays are accepted and converted to float64.
    smoothing : float
        The label smoothing ``s``, in ``[0, 1]``.

    Returns
    -------
    ndarray, same shape as ``y``
        ``y * (1 - s) + 0.5 * s``: a target of 1 becomes ``1 - s/2`` and a target of 0 becomes
        ``s/2``. Same dtype as ``y`` (float64 for integer input).
    """
    targets = _as_target_array(y, "y")
    smoothing = check_fraction(smoothing, "smoothing")
    return targets * (1.0 - smoothing) + 0.5 * smoothing


def softmax(logits: object) -> np.ndarray:
    """Numerically stable softmax along the last axis.

    Parameters
    ----------
    logits : array_like of shape (..., n_classes)
        Unnormalised log-probabilities (float32 or float64).

    Returns
    -------
    ndarray of shape (..., n_classes)
        Probabilities; each row along the last axis sums to 1. Same dtype as ``logits``.
        The row maximum is subtracted before exponentiating, so large logits do not overflow.
    """
    logits = as_float_array(logits, "logits")
    if logits.ndim < 1:
        raise ValueError("logits must have at least 1 dimension (the classes), got a scalar.")
    shifted = logits - np.max(logits, axis=-1, keepdims=True)
    exponentials = np.exp(shifted)
    return exponentials / np.sum(exponentials, axis=-1, keepdims=True)


def _log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - np.max(logits, axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


def categorical_crossentropy(
    y_true: object,
    y_pred: object,
    label_smoothing: float = 0.0,
    *,
    from_logits: bool = False,
) -> float:
    """Mean categorical cross-entropy, equal to ``keras.losses.CategoricalCrossentropy``.

    Parameters
    ----------
    y_true : array_like of shape (..., n_classes)
        One-hot (or probability) targets, classes on the last axis. Integer arrays are accepted;
        the targets are cast to the dtype of ``y_pred``, as Keras does.
    y_pred : array_like of shape (..., n_classes)
        Predicted probabilities (entries >= 0), or logits when ``from_logits=True``. float32 or
        float64; the loss is computed in this dtype.
    label_smoothing : float, default=0.0
        In ``[0, 1]``. The targets are replaced by :func:`smooth_labels` of them first.
    from_logits : bool, default=False
        If True, ``y_pred`` holds logits and the loss uses a stable log-softmax.

    Returns
    -------
    float
        The cross-entropy ``-sum(t * log(p))`` over the last axis, averaged over all the other
        positions (the batch). As in Keras, with ``from_logits=False`` each row of ``y_pred`` is
        first divided by its sum and then clipped to ``[1e-7, 1 - 1e-7]``, so a zero
        probability costs at most ``-log(1e-7) ~= 16.1`` instead of infinity.
    """
    y_pred = as_float_array(y_pred, "y_pred")
    targets = _as_target_array(y_true, "y_true").astype(y_pred.dtype, copy=False)
    _check_same_shape(targets, y_pred, "y_pred")
    label_smoothing = check_fraction(label_smoothing, "label_smoothing")
    from_logits = _check_bool(from_logits, "from_logits")
    if label_smoothing:
        targets = smooth_labels(targets, label_smoothing)
    if from_logits:
        log_probs = _log_softmax(y_pred)
    else:
        if np.any(y_pred < 0):
            raise ValueError(
                f"y_pred must hold probabilities (>= 0), got a minimum of {y_pred.min()!r}; "
                "pass from_logits=True if y_pred holds logits."
            )
        probs = y_pred / np.sum(y_pred, axis=-1, keepdims=True)
        log_probs = np.log(np.clip(probs, EPSILON, 1.0 - EPSILON))
    per_row = -np.sum(targets * log_probs, axis=-1)
    return float(np.mean(per_row))


def binary_crossentropy(
    y_true: object,
    y_pred: object,
    label_smoothing: float = 0.0,
    *,
    from_logits: bool = False,
) -> float:
    """Mean binary cross-entropy, equal to ``keras.losses.BinaryCrossentropy``.

    Parameters
    ----------
    y_true : array_like of any shape (at least 1-D)
        Targets in ``[0, 1]`` (usually 0/1). Integer and boolean arrays are accepted; the
        targets are cast to the dtype of ``y_pred``, as Keras does.
    y_pred : array_like, same shape as ``y_true``
        Predicted probabilities in ``[0, 1]``, or logits when ``from_logits=True``. float32 or
        float64; the loss is computed in this dtype.
    label_smoothing : float, default=0.0
        In ``[0, 1]``. The targets are replaced by :func:`smooth_binary_labels` of them first.
    from_logits : bool, default=False
        If True, ``y_pred`` holds logits and the loss uses the stable form
        ``max(z, 0) - z * t + log(1 + exp(-|z|))``.

    Returns
    -------
    float
        ``-(t * log(p) + (1 - t) * log(1 - p))`` averaged over every element. As in Keras, with
        ``from_logits=False`` the probabilities are clipped to ``[1e-7, 1 - 1e-7]``.
    """
    y_pred = as_float_array(y_pred, "y_pred")
    targets = _as_target_array(y_true, "y_true").astype(y_pred.dtype, copy=False)
    _check_same_shape(targets, y_pred, "y_pred")
    label_smoothing = check_fraction(label_smoothing, "label_smoothing")
    from_logits = _check_bool(from_logits, "from_logits")
    if label_smoothing:
        targets = smooth_binary_labels(targets, label_smoothing)
    if from_logits:
        losses = np.maximum(y_pred, 0) - y_pred * targets + np.log1p(np.exp(-np.abs(y_pred)))
    else:
        if np.any((y_pred < 0) | (y_pred > 1)):
            raise ValueError(
                "y_pred must hold probabilities in [0, 1], got values from "
                f"{y_pred.min()!r} to {y_pred.max()!r}; pass from_logits=True if y_pred holds "
                "logits."
            )
        probs = np.clip(y_pred, EPSILON, 1.0 - EPSILON)
        losses = -(targets * np.log(probs) + (1 - targets) * np.log(1 - probs))
    return float(np.mean(losses))


def softmax_crossentropy_grad(
    y_true: object, logits: object, label_smoothing: float = 0.0
) -> np.ndarray:
    """Gradient of the mean softmax cross-entropy with respect to the logits.

    The loss is ``categorical_crossentropy(y_true, logits, label_smoothing, from_logits=True)``.

    Parameters
    ----------
    y_true : array_like of shape (..., n_classes)
        One-hot (or probability) targets; integer arrays are accepted.
    logits : array_like of shape (..., n_classes)
        Logits, float32 or float64.
    label_smoothing : float, default=0.0
        In ``[0, 1]``, applied to ``y_true`` with :func:`smooth_labels`.

    Returns
    -------
    ndarray of shape (..., n_classes)
        ``(softmax(logits) * sum(t) - t) / n`` where ``t`` are the smoothed targets, the sum is
        over the classes and ``n`` is the number of rows (all positions but the last axis).
        For targets whose rows sum to 1 (one-hot, with or without smoothing) this is the
        familiar ``(softmax(logits) - t) / n``. Same dtype as ``logits``.
    """
    logits = as_float_array(logits, "logits")
    targets = _as_target_array(y_true, "y_true").astype(logits.dtype, copy=False)
    _check_same_shape(targets, logits, "logits")
    label_smoothing = check_fraction(label_smoothing, "label_smoothing")
    targets = smooth_labels(targets, label_smoothing)
    num_rows = logits.size // logits.shape[-1]
    target_mass = np.sum(targets, axis=-1, keepdims=True)
    return (softmax(logits) * target_mass - targets) / num_rows


class ReliabilityCurve(NamedTuple):
    """Per-bin statistics of a reliability diagram (see :func:`reliability_curve`)."""

    confidence: np.ndarray
    """Mean confidence (largest probability) of the samples in each bin, shape (n_bins,);
    NaN for an empty bin."""
    accuracy: np.ndarray
    """Fraction of correctly classified samples in each bin, shape (n_bins,); NaN if empty."""
    counts: np.ndarray
    """Number of samples in each bin, int array of shape (n_bins,)."""


def _check_calibration_inputs(
    y_true_labels: object, probs: object, n_bins: object
) -> tuple[np.ndarray, np.ndarray, int]:
    probs = as_float_array(probs, "probs", ndim=2)
    if np.any((probs < 0) | (probs > 1)):
        raise ValueError(
            f"probs must hold probabilities in [0, 1], got values from {probs.min()!r} to "
            f"{probs.max()!r}."
        )
    labels = np.asarray(y_true_labels)
    if labels.dtype == bool or not np.issubdtype(labels.dtype, np.integer):
        raise TypeError(
            "y_true_labels must be an integer array of class indices, got "
            f"{describe(labels)}; for one-hot targets pass y_onehot.argmax(axis=-1)."
        )
    if labels.shape != probs.shape[:1]:
        raise ValueError(
            f"y_true_labels must have shape ({probs.shape[0]},) to match probs of shape "
            f"{probs.shape}, got {describe(labels)}."
        )
    num_classes = probs.shape[1]
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(
            f"y_true_labels must be class indices in [0, {num_classes - 1}], got values from "
            f"{labels.min()} to {labels.max()}."
        )
    if isinstance(n_bins, bool) or not isinstance(n_bins, numbers.Integral):
        raise TypeError(f"n_bins must be an int >= 1, got {describe(n_bins)}.")
    if n_bins < 1:
        raise ValueError(f"n_bins must be an int >= 1, got {n_bins!r}.")
    if probs.shape[0] == 0:
        raise ValueError("probs must contain at least one sample, got 0 rows.")
    return labels, probs, int(n_bins)


def reliability_curve(y_true_labels: object, probs: object, n_bins: int = 10) -> ReliabilityCurve:
    """Confidence, accuracy and count per confidence bin (the data of a reliability diagram).

    Each sample's confidence is its largest predicted probability and its prediction is the
    class holding it (the first one on ties, as ``argmax``). The interval ``[0, 1]`` is cut into
    ``n_bins`` equal-width bins ``(lo, hi]``, the first one also holding 0; bin edges are
    ``np.linspace(0, 1, n_bins + 1)``.

    Parameters
    ----------
    y_true_labels : array_like of int, shape (n_samples,)
        True class indices in ``[0, n_classes)``.
    probs : array_like of shape (n_samples, n_classes)
        Predicted probabilities in ``[0, 1]`` (rows normally sum to 1). For a binary classifier
        that outputs ``p = P(class 1)``, pass ``np.column_stack([1 - p, p])``.
    n_bins : int, default=10
        Number of bins, >= 1.

    Returns
    -------
    ReliabilityCurve
        Named tuple ``(confidence, accuracy, counts)`` of arrays of shape (n_bins,). A perfectly
        calibrated model has ``accuracy == confidence`` in every non-empty bin.
    """
    labels, probs, n_bins = _check_calibration_inputs(y_true_labels, probs, n_bins)
    confidences = probs.max(axis=1)
    correct = probs.argmax(axis=1) == labels
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    # right=True gives bins (lo, hi]; digitize returns 0 only for a confidence of exactly 0,
    # which the clip puts in the first bin.
    bin_index = np.clip(np.digitize(confidences, edges, right=True) - 1, 0, n_bins - 1)
    counts = np.bincount(bin_index, minlength=n_bins)
    confidence_sums = np.bincount(bin_index, weights=confidences, minlength=n_bins)
    correct_sums = np.bincount(bin_index, weights=correct.astype(np.float64), minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_confidence = np.where(counts > 0, confidence_sums / counts, np.nan)
        accuracy = np.where(counts > 0, correct_sums / counts, np.nan)
    return ReliabilityCurve(confidence=mean_confidence, accuracy=accuracy, counts=counts)


def expected_calibration_error(y_true_labels: object, probs: object, n_bins: int = 10) -> float:
    """Expected calibration error (ECE) with equal-width confidence bins.

    ``ECE = sum over bins b of (n_b / n) * |accuracy_b - confidence_b|``, with the bins of
    :func:`reliability_curve` (empty bins contribute 0).

    Parameters
    ----------
    y_true_labels : array_like of int, shape (n_samples,)
        True class indices in ``[0, n_classes)``.
    probs : array_like of shape (n_samples, n_classes)
        Predicted probabilities in ``[0, 1]``.
    n_bins : int, default=10
        Number of bins, >= 1.

    Returns
    -------
    float
        The ECE, in ``[0, 1]``. 0 means that in every bin the accuracy equals the mean
        confidence; an overconfident model has accuracy below confidence.
    """
    curve = reliability_curve(y_true_labels, probs, n_bins)
    filled = curve.counts > 0
    weights = curve.counts[filled] / curve.counts.sum()
    gaps = np.abs(curve.accuracy[filled] - curve.confidence[filled])
    return float(np.sum(weights * gaps))


def negative_log_likelihood(y_true_labels: object, probs: object) -> float:
    """Mean negative log-likelihood of the true classes (the log loss), a proper scoring rule.

    It is the categorical cross-entropy against hard one-hot labels, computed exactly as
    :func:`categorical_crossentropy` (and Keras) does, clip included. Unlike the ECE it needs no
    bins and looks at the probability given to the true class, whatever the top class is.

    Parameters
    ----------
    y_true_labels : array_like of int, shape (n_samples,)
        True class indices in ``[0, n_classes)``.
    probs : array_like of shape (n_samples, n_classes)
        Predicted probabilities in ``[0, 1]``.

    Returns
    -------
    float
        ``-mean(log p[i, y_i])``, in ``[0, -log(1e-7)]`` (nats): 0 for certainty on the right
        class; ``log(n_classes)`` for the uniform prediction; at most ``-log(1e-7) ~= 16.1`` per
        sample, because probabilities are clipped to ``[1e-7, 1 - 1e-7]`` as in Keras.
    """
    labels, probs, _ = _check_calibration_inputs(y_true_labels, probs, 1)
    onehot = np.eye(probs.shape[1], dtype=probs.dtype)[labels]
    return categorical_crossentropy(onehot, probs)


def brier_score(y_true_labels: object, probs: object) -> float:
    """Mean multi-class Brier score: squared distance between the probabilities and the one-hot label.

    A proper scoring rule (Brier 1950) that, like the negative log-likelihood, needs no bins and
    looks at every class's probability, not only the top one.

    Parameters
    ----------
    y_true_labels : array_like of int, shape (n_samples,)
        True class indices in ``[0, n_classes)``.
    probs : array_like of shape (n_samples, n_classes)
        Predicted probabilities in ``[0, 1]``.

    Returns
    -------
    float
        ``mean_i sum_k (probs[i, k] - onehot[i, k])**2``, in ``[0, 2]``: 0 for certainty on the
        right class, 2 for certainty on a wrong one, ``1 - 1/n_classes`` for the uniform
        prediction. For two classes it is twice the binary form ``mean((p_1 - y)**2)``.
    """
    labels, probs, _ = _check_calibration_inputs(y_true_labels, probs, 1)
    onehot = np.eye(probs.shape[1], dtype=probs.dtype)[labels]
    return float(np.mean(np.sum((probs - onehot) ** 2, axis=1)))


GOLDEN_RATIO_CONJUGATE = (np.sqrt(5.0) - 1.0) / 2.0
"""``1 / phi ~= 0.618``: the fraction of the bracket kept by each step of a golden-section
search."""


def _nll_at_inverse_temperature(
    logits: np.ndarray, labels: np.ndarray, inverse_temperature: float
) -> float:
    log_probs = _log_softmax(logits * inverse_temperature)
    return float(-np.mean(log_probs[np.arange(labels.size), labels]))


def temperature_scale(
    y_true_labels: object,
    logits: object,
    *,
    bounds: tuple[float, float] = (0.05, 20.0),
    tolerance: float = 1e-6,
) -> float:
    """Fit the temperature that minimizes the negative log-likelihood of held-out logits.

    Temperature scaling (Guo et al. 2017) divides every logit by one number ``T > 0`` fitted on
    a validation set: ``T > 1`` softens an overconfident model, ``T < 1`` sharpens an
    underconfident one. The predicted classes (the argmax) do not change, so accuracy does not
    either.

    The fit is a deterministic golden-section search over ``beta = 1 / T`` in
    ``[1 / bounds[1], 1 / bounds[0]]``. The mean NLL of ``softmax(beta * logits)`` is a convex
    function of ``beta`` (a log-sum-exp minus a linear term), so the search finds its global
    minimum on that interval; no random start, no gradient.

    Parameters
    ----------
    y_true_labels : array_like of int, shape (n_samples,)
        True class indices in ``[0, n_classes)`` of the held-out samples.
    logits : array_like of shape (n_samples, n_classes)
        Their logits (pre-softmax outputs), float32 or float64; the search computes in float64.
        Use logits that the model was *not* trained on, or the fit learns the training set's
        overconfidence.
    bounds : (float, float), default=(0.05, 20.0)
        ``(lowest, highest)`` temperature searched, with ``0 < lowest < highest``. If the
        optimum lies outside, the nearest bound is returned.
    tolerance : float, default=1e-6
        The search stops when the bracket on ``1 / T`` is narrower than this, a number > 0.

    Returns
    -------
    float
        The fitted temperature ``T``. Calibrated probabilities are
        ``softmax(logits / T)``.
    """
    logits = as_float_array(logits, "logits", ndim=2)
    if not np.all(np.isfinite(logits)):
        raise ValueError("logits must be finite, got NaN or infinity.")
    labels = np.asarray(y_true_labels)
    if labels.dtype == bool or not np.issubdtype(labels.dtype, np.integer):
        raise TypeError(
            "y_true_labels must be an integer array of class indices, got "
            f"{describe(labels)}; for one-hot targets pass y_onehot.argmax(axis=-1)."
        )
    if labels.shape != logits.shape[:1]:
        raise ValueError(
            f"y_true_labels must have shape ({logits.shape[0]},) to match logits of shape "
            f"{logits.shape}, got {describe(labels)}."
        )
    if labels.size == 0:
        raise ValueError("logits must contain at least one sample, got 0 rows.")
    if labels.min() < 0 or labels.max() >= logits.shape[1]:
        raise ValueError(
            f"y_true_labels must be class indices in [0, {logits.shape[1] - 1}], got values "
            f"from {labels.min()} to {labels.max()}."
        )
    bounds_ok = (
        isinstance(bounds, (tuple, list))
        and len(bounds) == 2
        and all(
            isinstance(bound, numbers.Real) and not isinstance(bound, bool) and np.isfinite(bound)
            for bound in bounds
        )
    )
    if not bounds_ok or not 0 < bounds[0] < bounds[1]:
        raise ValueError(
            "bounds must be a pair (lowest, highest) of temperatures with "
            f"0 < lowest < highest, got {describe(bounds)}."
        )
    if (
        isinstance(tolerance, bool)
        or not isinstance(tolerance, numbers.Real)
        or not np.isfinite(tolerance)
        or tolerance <= 0
    ):
        raise ValueError(f"tolerance must be a finite number > 0, got {describe(tolerance)}.")
    logits = logits.astype(np.float64)
    low, high = 1.0 / float(bounds[1]), 1.0 / float(bounds[0])
    inner_low = high - GOLDEN_RATIO_CONJUGATE * (high - low)
    inner_high = low + GOLDEN_RATIO_CONJUGATE * (high - low)
    loss_low = _nll_at_inverse_temperature(logits, labels, inner_low)
    loss_high = _nll_at_inverse_temperature(logits, labels, inner_high)
    while high - low > tolerance:
        if loss_low <= loss_high:
            high, inner_high, loss_high = inner_high, inner_low, loss_low
            inner_low = high - GOLDEN_RATIO_CONJUGATE * (high - low)
            loss_low = _nll_at_inverse_temperature(logits, labels, inner_low)
        else:
            low, inner_low, loss_low = inner_low, inner_high, loss_high
            inner_high = low + GOLDEN_RATIO_CONJUGATE * (high - low)
            loss_high = _nll_at_inverse_temperature(logits, labels, inner_high)
    return float(1.0 / ((low + high) / 2.0))
