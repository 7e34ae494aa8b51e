"""Model capacity on a 1-D regression problem: polynomial features and least-squares fits.

Lesson 00 uses the polynomial degree as the capacity knob: degree 1 underfits a sine, degree
15 on 20 points memorises the noise.
"""

from __future__ import annotations

import numbers

import numpy as np

from coursekit.reference._validation import as_float_array, check_nonnegative, describe


def polynomial_features(x: np.ndarray, degree: int) -> np.ndarray:
    """Columns ``x**0, x**1, ..., x**degree``.

    Parameters
    ----------
    x : ndarray of shape (n_samples,)
        Floating-point inputs.
    degree : int
        Highest power, >= 0.

    Returns
    -------
    ndarray of shape (n_samples, degree + 1)
        Same dtype as ``x``; column ``k`` is ``x**k`` (column 0 is all ones).
    """
    x = as_float_array(x, "x", ndim=1)
    if isinstance(degree, bool) or not isinstance(degree, numbers.Integral) or degree < 0:
        raise ValueError(f"degree must be an int >= 0, got {describe(degree)}.")
    return x[:, np.newaxis] ** np.arange(int(degree) + 1, dtype=x.dtype)


def fit_polynomial(x: np.ndarray, y: np.ndarray, degree: int, *, l2: float = 0.0) -> np.ndarray:
    """Least-squares polynomial coefficients, optionally with an L2 penalty.

    Minimises ``mean((features @ coef - y)**2) + l2 * sum(coef[1:]**2)``; the intercept
    ``coef[0]`` is not penalised.

    Parameters
    ----------
    x, y : ndarray of shape (n_samples,)
    degree : int
        Polynomial degree, >= 0.
    l2 : float, default=0.0
        Penalty strength, any value >= 0.

    Returns
    -------
    ndarray of shape (degree + 1,)
        Coefficients for :func:`polynomial_features` columns, float64.
    """
    l2 = check_nonnegative(l2, "l2")
    features = polynomial_features(as_float_array(x, "x", ndim=1).astype(np.float64), degree)
    y = as_float_array(y, "y", ndim=1).astype(np.float64)
    if len(y) != len(features):
        raise ValueError(f"x and y must have the same length, got {len(features)} and {len(y)}.")
    n_samples, n_columns = features.shape
    if l2 == 0.0:
        coef, *_ = np.linalg.lstsq(features, y, rcond=None)
        return coef
    penalty = np.eye(n_columns) * l2 * n_samples
    penalty[0, 0] = 0.0
    return np.linalg.solve(features.T @ features + penalty, features.T @ y)


def predict_polynomial(coef: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Evaluate the polynomial with coefficients ``coef`` (shape (degree + 1,)) at ``x`` (shape (n,))."""
    coef = as_float_array(coef, "coef", ndim=1)
    return polynomial_features(as_float_array(x, "x", ndim=1), len(coef) - 1) @ coef


def mean_squared_error(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Mean of ``(y_true - y_pred)**2`` over all entries; both arrays of the same shape."""
    y_true = as_float_array(y_true, "y_true")
    y_pred = as_float_array(y_pred, "y_pred")
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"y_true and y_pred must have the same shape, got {y_true.shape} and {y_pred.shape}."
        )
    return float(np.mean((y_true - y_pred) ** 2))
