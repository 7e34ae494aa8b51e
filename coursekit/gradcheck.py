"""Numerical gradients and the relative error used to judge an analytic gradient.

A backward pass is checked by comparing it with central differences,

    df/dx_i  ~  (f(x + h e_i) - f(x - h e_i)) / (2 h),

and reporting the largest elementwise relative error (CS231n convention)

    max_i |a_i - b_i| / max(1e-8, |a_i| + |b_i|).

How to read the relative error, for a float64 computation with ``h=1e-5``:

* below ``GOOD_THRESHOLD`` (1e-7): the gradient is right;
* between ``GOOD_THRESHOLD`` and ``WRONG_THRESHOLD`` (1e-4): suspicious. It can still be right
  near a kink (ReLU at 0, ``|w|`` at 0), where central differences straddle the kink;
* above ``WRONG_THRESHOLD``: the gradient is wrong.

In float32 the rounding error of the finite differences alone is about 1e-3, so check gradients
in float64. This module imports only numpy, so it can run inside the sandboxed grader.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

#: Below this relative error (float64, ``h=1e-5``) a gradient is considered correct.
GOOD_THRESHOLD = 1e-7
#: Above this relative error a gradient is wrong; between the two thresholds it is suspicious.
WRONG_THRESHOLD = 1e-4


def _check_float_ndarray(x: object, name: str) -> np.ndarray:
    if not isinstance(x, np.ndarray) or not np.issubdtype(x.dtype, np.floating):
        kind = f"array of dtype {x.dtype}" if isinstance(x, np.ndarray) else type(x).__name__
        raise TypeError(
            f"{name} must be a floating-point numpy array (it is perturbed in place), got {kind}."
        )
    return x


def _check_step(h: float) -> float:
    if isinstance(h, bool) or not isinstance(h, (int, float)) or not np.isfinite(h) or h <= 0:
        raise ValueError(f"h must be a finite number > 0, got {h!r}.")
    return float(h)


def numerical_gradient(
    f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-5
) -> np.ndarray:
    """Central-difference gradient of a scalar function.

    Each entry of ``x`` is perturbed *in place* and restored afterwards, so ``f`` may either use
    its argument or read ``x`` through a closure (for example a parameter of a model).

    Parameters
    ----------
    f : callable
        ``f(x) -> float``, a scalar function of the array ``x``.
    x : ndarray of any shape, floating dtype
        Point at which to differentiate. Left exactly as it was on return (also on error).
    h : float, default=1e-5
        Step, must be > 0.

    Returns
    -------
    ndarray of the same shape and dtype as ``x``
        The numerical gradient ``df/dx``.
    """
    x = _check_float_ndarray(x, "x")
    h = _check_step(h)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        original = x[index]
        try:
            x[index] = original + h
            f_plus = float(f(x))
            x[index] = original - h
            f_minus = float(f(x))
        finally:
            x[index] = original
        grad[index] = (f_plus - f_minus) / (2 * h)
    return grad


def numerical_gradient_array(
    f: Callable[[np.ndarray], np.ndarray], x: np.ndarray, dout: np.ndarray, h: float = 1e-5
) -> np.ndarray:
    """Central-difference gradient of ``sum(f(x) * dout)`` for an array-valued ``f``.

    This is what a backward pass computes from the upstream gradient ``dout``.

    Parameters
    ----------
    f : callable
        ``f(x) -> ndarray`` whose output has the shape of ``dout``.
    x : ndarray of any shape, floating dtype
        Point at which to differentiate; perturbed in place and restored.
    dout : ndarray
        Upstream gradient, shape of ``f(x)``.
    h : float, default=1e-5
        Step, must be > 0.

    Returns
    -------
    ndarray of the same shape and dtype as ``x``
        The numerical gradient of ``sum(f(x) * dout)`` with respect to ``x``.
    """
    x = _check_float_ndarray(x, "x")
    h = _check_step(h)
    dout = np.asarray(dout)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        original = x[index]
        try:
            x[index] = original + h
            out_plus = np.array(f(x), dtype=np.float64)
            x[index] = original - h
            out_minus = np.array(f(x), dtype=np.float64)
        finally:
            x[index] = original
        if out_plus.shape != dout.shape:
            raise ValueError(
                f"dout must have the shape of f(x), {out_plus.shape}, got shape {dout.shape}."
            )
        grad[index] = np.sum((out_plus - out_minus) * dout) / (2 * h)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """Largest elementwise relative error ``|a - b| / max(1e-8, |a| + |b|)``.

    Parameters
    ----------
    a, b : array_like of the same shape
        Typically the analytic and the numerical gradient.

    Returns
    -------
    float
        In ``[0, 1]``; 0 for identical arrays (including two zero arrays).
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}.")
    if a.size == 0:
        return 0.0
    denominator = np.maximum(1e-8, np.abs(a) + np.abs(b))
    return float(np.max(np.abs(a - b) / denominator))


@dataclass(frozen=True)
class GradientCheckResult:
    """Outcome of :func:`check_gradient`.

    Attributes
    ----------
    max_relative_error : float
        Largest elementwise relative error between analytic and numerical gradients.
    passed : bool
        ``max_relative_error < threshold``.
    """

    max_relative_error: float
    passed: bool

    @property
    def verdict(self) -> str:
        """``"good"``, ``"suspicious"`` or ``"wrong"`` by the module thresholds."""
        if self.max_relative_error < GOOD_THRESHOLD:
            return "good"
        if self.max_relative_error <= WRONG_THRESHOLD:
            return "suspicious"
        return "wrong"


def check_gradient(
    f: Callable[[np.ndarray], float | np.ndarray],
    x: np.ndarray,
    analytic_grad: np.ndarray,
    *,
    dout: np.ndarray | None = None,
    h: float = 1e-5,
    threshold: float = GOOD_THRESHOLD,
) -> GradientCheckResult:
    """Compare an analytic gradient with central differences.

    Parameters
    ----------
    f : callable
        Scalar function ``f(x) -> float`` when ``dout`` is None, otherwise an array-valued
        function whose gradient is taken of ``sum(f(x) * dout)``.
    x : ndarray, floating dtype
        Point of the check; perturbed in place and restored.
    analytic_grad : ndarray of the shape of ``x``
        The gradient to check.
    dout : ndarray, optional
        Upstream gradient for array-valued ``f``.
    h : float, default=1e-5
        Finite-difference step, > 0.
    threshold : float, default=GOOD_THRESHOLD
        The check passes when the maximum relative error is strictly below it.

    Returns
    -------
    GradientCheckResult
        ``max_relative_error`` and ``passed``; nothing is printed.
    """
    if dout is None:
        numerical = numerical_gradient(f, x, h)
    else:
        numerical = numerical_gradient_array(f, x, dout, h)
    error = relative_error(analytic_grad, numerical)
    return GradientCheckResult(max_relative_error=error, passed=error < threshold)
