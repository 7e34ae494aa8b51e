"""Input validation shared by the reference implementations.

Every public function in :mod:`coursekit.reference` validates its inputs with these helpers so
that bad input raises a ``ValueError`` or ``TypeError`` whose message names the parameter and
the value it got, instead of a traceback from deep inside numpy.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np


def describe(value: object) -> str:
    """Short, readable description of ``value`` for error messages."""
    if isinstance(value, np.ndarray):
        return f"array of shape {value.shape} and dtype {value.dtype}"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def as_float_array(value: object, name: str, *, ndim: int | Sequence[int] | None = None) -> np.ndarray:
    """Return ``value`` as a floating-point ndarray, or raise a clear error.

    Parameters
    ----------
    value : array_like
        The input. Integer and boolean arrays are rejected (``TypeError``): the reference
        functions compute in floating point and must not silently truncate.
    name : str
        Parameter name used in error messages.
    ndim : int or sequence of int, optional
        Allowed numbers of dimensions.

    Returns
    -------
    ndarray
        A floating-point array (float32 and float64 keep their dtype).
    """
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be a float array, got {describe(value)}.")
    array = np.asarray(value)
    if array.dtype == object:
        raise TypeError(f"{name} must be a numeric float array, got an object array.")
    if not np.issubdtype(array.dtype, np.floating):
        raise TypeError(
            f"{name} must have a floating-point dtype, got {describe(array)}; "
            f"convert it first, e.g. {name}.astype('float32')."
        )
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if array.ndim not in allowed:
            wanted = " or ".join(str(d) for d in allowed)
            raise ValueError(f"{name} must have {wanted} dimensions, got {describe(array)}.")
    return array


def check_nonnegative(value: object, name: str) -> float:
    """Return ``value`` as a float after checking it is a finite number >= 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number >= 0, got {describe(value)}.")
    if not np.isfinite(value) or value < 0:
        raise ValueError(
            f"{name} must be a finite number >= 0 (there is no upper bound), got {value!r}."
        )
    return float(value)


def check_rate(value: object, name: str = "rate") -> float:
    """Return a dropout-style rate after checking ``0 <= value < 1``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number in [0, 1), got {describe(value)}.")
    if not 0 <= value < 1:
        raise ValueError(
            f"{name} must be in [0, 1) (the fraction of units dropped), got {value!r}."
        )
    return float(value)


def check_fraction(value: object, name: str) -> float:
    """Return ``value`` after checking ``0 <= value <= 1``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number in [0, 1], got {describe(value)}.")
    if not 0 <= value <= 1:
        raise ValueError(f"{name} must be in [0, 1], got {value!r}.")
    return float(value)


def check_rng(rng: object) -> np.random.Generator:
    """Return a ``numpy.random.Generator`` from ``rng`` (a Generator or an int seed).

    ``None`` is refused on purpose: every stochastic routine in coursekit is driven by an
    explicit generator so results are reproducible and global state is never touched.
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool):
        return np.random.default_rng(int(rng))
    raise TypeError(
        "rng must be a numpy.random.Generator (e.g. np.random.default_rng(0)) or an int seed, "
        f"got {describe(rng)}."
    )


def check_positive(value: object, name: str) -> float:
    """Return ``value`` as a float after checking it is a finite number > 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number > 0, got {describe(value)}.")
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}.")
    return float(value)


def check_feature_vector(value: object, name: str, features: int, dtype: np.dtype) -> np.ndarray:
    """Return a per-feature parameter (``gamma``, ``beta``, a moving statistic) of shape
    (features,) in ``dtype``; raise a ``ValueError`` naming it for any other shape."""
    array = as_float_array(value, name)
    if array.shape != (features,):
        raise ValueError(
            f"{name} must have shape ({features},), one entry per feature (the last axis of x), "
            f"got {describe(array)}."
        )
    return array.astype(dtype, copy=False)


def check_upstream(dout: object, cache: object, cache_type: type, producer: str) -> np.ndarray:
    """Validate a normalization backward pass's inputs; return ``dout`` as a float array.

    ``cache`` must be a ``cache_type`` (the one ``producer`` returned) and ``dout`` must have the
    shape of the forward input, ``cache.x_hat.shape``.
    """
    if not isinstance(cache, cache_type):
        raise TypeError(
            f"cache must be the {cache_type.__name__} from {producer}, got {describe(cache)}."
        )
    dout = as_float_array(dout, "dout")
    if dout.shape != cache.x_hat.shape:
        raise ValueError(
            f"dout must have the shape of the forward input, {cache.x_hat.shape}, "
            f"got {describe(dout)}."
        )
    return dout
