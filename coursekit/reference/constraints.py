"""Max-norm weight constraint (the convention of Keras 3's ``keras.constraints.MaxNorm``).

Srivastava et al. (2014) use it with dropout: after each update, the vector of weights coming
into each unit is projected back into the ball of radius ``max_value`` if it left it. Unlike a
penalty it adds nothing to the loss; it bounds the weights however large the learning rate.

Keras computes ``w * clip(norms, 0, max_value) / (epsilon + norms)`` with ``epsilon = 1e-7``
(``keras.config.epsilon()``), so a column already inside the ball is still multiplied by
``norm / (norm + 1e-7)``, a factor a hair below 1, and an all-zero column stays zero.
"""

from __future__ import annotations

import numbers

import numpy as np

from coursekit.reference._validation import as_float_array, check_nonnegative, describe

EPSILON = 1e-7
"""Keras's fuzz factor ``keras.config.epsilon()``, added to the norms before dividing."""


def _check_axis(axis: object, ndim: int) -> tuple[int, ...]:
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    if not axes or any(isinstance(a, bool) or not isinstance(a, numbers.Integral) for a in axes):
        raise TypeError(f"axis must be an int or a tuple of ints, got {describe(axis)}.")
    if any(not -ndim <= a < ndim for a in axes):
        raise ValueError(f"axis must be in [{-ndim}, {ndim - 1}] for a {ndim}-D w, got {axis!r}.")
    return tuple(int(a) % ndim for a in axes)


def max_norm(w: object, max_value: float = 2.0, axis: int | tuple[int, ...] = 0) -> np.ndarray:
    """Project weights so that each unit's incoming weight vector has a norm <= ``max_value``.

    Parameters
    ----------
    w : ndarray of any shape, floating dtype
        Weights. A ``Dense`` kernel has shape ``(input_dim, units)``: with ``axis=0`` each
        column (the weights into one unit) is constrained. For a ``Conv2D`` kernel of shape
        ``(rows, cols, input_depth, filters)`` use ``axis=(0, 1, 2)`` to constrain each filter.
    max_value : float, default=2.0
        Largest allowed Euclidean norm, in ``[0, inf)`` (Keras's default is 2).
    axis : int or tuple of int, default=0
        Axis or axes along which the norms are computed, as in Keras.

    Returns
    -------
    ndarray, same shape and dtype as ``w``
        ``w * clip(norms, 0, max_value) / (1e-7 + norms)``, exactly Keras's formula; the input
        is not modified.
    """
    w = as_float_array(w, "w")
    if w.ndim == 0:
        raise ValueError(f"w must have at least 1 dimension, got {describe(w)}.")
    max_value = check_nonnegative(max_value, "max_value")
    axes = _check_axis(axis, w.ndim)
    norms = np.sqrt(np.sum(np.square(w), axis=axes, keepdims=True))
    desired = np.clip(norms, 0, max_value)
    return (w * (desired / (EPSILON + norms))).astype(w.dtype, copy=False)
