"""Inverted dropout, forward and backward (the convention of ``keras.layers.Dropout``).

``rate`` is the fraction of units *dropped* (set to zero), not the fraction kept. In training,
each unit is kept independently with probability ``1 - rate`` and the kept units are divided by
``1 - rate``, so every unit keeps its expected value. At inference nothing is dropped and nothing
is scaled. (Classic dropout, Srivastava et al. 2014, instead multiplies the weights by the keep
probability at test time; the two agree in expectation.)
"""

from __future__ import annotations

import numpy as np

from coursekit.reference._validation import as_float_array, check_rate, check_rng, describe


def dropout_forward(
    x: np.ndarray,
    rate: float,
    rng: np.random.Generator | int,
    training: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Inverted dropout forward pass.

    Parameters
    ----------
    x : ndarray of any shape, floating dtype
        Input activations.
    rate : float
        Fraction of units dropped, in ``[0, 1)``. ``rate=0`` is an exact identity.
    rng : numpy.random.Generator or int
        Source of randomness (an int is used as a seed). The mask is drawn from float64
        uniforms, so the same ``rng`` gives the same mask for float32 and float64 inputs.
        Ignored (and not validated) when ``training`` is False.
    training : bool, default=True
        When False (inference) the input is returned unchanged.

    Returns
    -------
    out : ndarray, same shape and dtype as ``x``
        Training: ``x / (1 - rate)`` where kept, 0 where dropped. Inference: a copy of ``x``.
    mask : ndarray of bool, same shape as ``x``
        True where the unit was kept. At inference it is all True.
    """
    x = as_float_array(x, "x")
    rate = check_rate(rate)
    if not training:
        return x.copy(), np.ones(x.shape, dtype=bool)
    mask = check_rng(rng).random(x.shape) >= rate
    scale = x.dtype.type(1.0 / (1.0 - rate))
    out = np.where(mask, x * scale, x.dtype.type(0))
    return out, mask


def dropout_backward(dout: np.ndarray, mask: np.ndarray, rate: float) -> np.ndarray:
    """Inverted dropout backward pass (of the training-mode forward).

    Parameters
    ----------
    dout : ndarray of any shape, floating dtype
        Upstream gradient, shape of the forward output.
    mask : ndarray of bool (or of 0/1 values), shape of ``dout``
        The mask returned by :func:`dropout_forward`.
    rate : float
        The ``rate`` used in the forward pass, in ``[0, 1)``.

    Returns
    -------
    dx : ndarray, same shape and dtype as ``dout``
        ``dout * mask / (1 - rate)``.

    Notes
    -----
    At inference the layer is the identity and its gradient is ``dout`` itself. The all-True
    mask of an inference forward does not encode that ``rate`` was not applied, so for an
    inference pass use ``dx = dout`` (or call this function with ``rate=0``).
    """
    dout = as_float_array(dout, "dout")
    mask = np.asarray(mask)
    if mask.shape != dout.shape:
        raise ValueError(f"mask must have the shape of dout, {dout.shape}, got {describe(mask)}.")
    if mask.dtype != bool and not np.isin(mask, (0, 1)).all():
        raise ValueError(f"mask must be boolean or contain only 0 and 1, got {describe(mask)}.")
    rate = check_rate(rate)
    scale = dout.dtype.type(1.0 / (1.0 - rate))
    return np.where(mask.astype(bool), dout * scale, dout.dtype.type(0))
