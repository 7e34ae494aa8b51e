"""Layer normalization, forward and backward (the convention of Keras 3's ``LayerNormalization``).

Ba et al. (2016) normalize each example with statistics over its own features, so the result
does not depend on the other examples in the batch (unlike batch normalization) and training and
inference compute the same thing: there are no moving statistics.

Keras's defaults are followed: ``axis=-1`` (the statistics of each position are taken over the
last axis only, also for ``(n, height, width, channels)`` feature maps), ``epsilon=1e-3``, and the
plain (not RMS) normalization of ``rms_scaling=False``::

    out = gamma * (x - mean) / sqrt(variance + epsilon) + beta

with the *biased* variance (divide by the number of features). The backward pass uses the cache
convention of :mod:`coursekit.reference.batchnorm`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from coursekit.reference._validation import (
    as_float_array,
    check_feature_vector,
    check_nonnegative,
    check_upstream,
    describe,
)


@dataclass(frozen=True)
class LayerNormCache:
    """What :func:`layernorm_backward` needs from the forward pass.

    Attributes
    ----------
    x_hat : ndarray of the shape of ``x``
        Normalized input ``(x - mean) / sqrt(variance + epsilon)``.
    inv_std : ndarray of the shape of ``x`` with a last axis of length 1
        ``1 / sqrt(variance + epsilon)`` of each position's statistics.
    gamma : ndarray of shape (features,)
        Scale used in the forward pass.
    """

    x_hat: np.ndarray
    inv_std: np.ndarray
    gamma: np.ndarray


def normalize(
    x: np.ndarray, axes: tuple[int, ...], epsilon: float
) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(x_hat, inv_std)``, standardizing ``x`` over ``axes`` (kept as length-1 axes)."""
    mean = x.mean(axis=axes, keepdims=True)
    variance = np.square(x - mean).mean(axis=axes, keepdims=True)
    inv_std = 1.0 / np.sqrt(variance + epsilon)
    return (x - mean) * inv_std, inv_std


def normalize_backward(
    dx_hat: np.ndarray, x_hat: np.ndarray, inv_std: np.ndarray, axes: tuple[int, ...]
) -> np.ndarray:
    """Gradient through :func:`normalize`, including the paths through the mean and variance."""
    count = int(np.prod([x_hat.shape[axis] for axis in axes]))
    return (inv_std / count) * (
        count * dx_hat
        - dx_hat.sum(axis=axes, keepdims=True)
        - x_hat * (dx_hat * x_hat).sum(axis=axes, keepdims=True)
    )


def layernorm_forward(
    x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, epsilon: float = 1e-3
) -> tuple[np.ndarray, LayerNormCache]:
    """Layer normalization forward pass, over the last axis.

    Parameters
    ----------
    x : ndarray of shape (n, features) or (n, ..., features), floating dtype
        Input. Each position ``x[i, ...]`` is normalized with the mean and biased variance of
        its own ``features`` values (Keras ``axis=-1``).
    gamma : ndarray of shape (features,)
        Scale (Keras ``gamma``, initialized to ones).
    beta : ndarray of shape (features,)
        Offset (Keras ``beta``, initialized to zeros).
    epsilon : float, default=1e-3
        Added to the variance before the square root, in ``[0, inf)`` (Keras's default).

    Returns
    -------
    out : ndarray of the shape and dtype of ``x``
        Normalized, scaled and shifted input. Training and inference give the same result.
    cache : LayerNormCache
        For :func:`layernorm_backward`.

    Notes
    -----
    All arithmetic is done in ``x``'s dtype (parameters are cast to it).
    """
    x = as_float_array(x, "x")
    if x.ndim < 2:
        raise ValueError(
            f"x must have at least 2 dimensions, (n, features) or (n, ..., features), "
            f"got {describe(x)}."
        )
    features = x.shape[-1]
    gamma = check_feature_vector(gamma, "gamma", features, x.dtype)
    beta = check_feature_vector(beta, "beta", features, x.dtype)
    epsilon = check_nonnegative(epsilon, "epsilon")
    x_hat, inv_std = normalize(x, (-1,), epsilon)
    out = gamma * x_hat + beta
    return out, LayerNormCache(x_hat=x_hat, inv_std=inv_std, gamma=gamma)


def layernorm_backward(
    dout: np.ndarray, cache: LayerNormCache
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Layer normalization backward pass.

    Parameters
    ----------
    dout : ndarray of the shape of the forward's ``x``
        Upstream gradient.
    cache : LayerNormCache
        The cache returned by :func:`layernorm_forward`.

    Returns
    -------
    dx : ndarray of the shape of ``x``
        Gradient with respect to ``x``, including the paths through each position's mean and
        variance.
    dgamma, dbeta : ndarray of shape (features,)
        Gradients with respect to ``gamma`` and ``beta`` (summed over all positions).
    """
    dout = check_upstream(dout, cache, LayerNormCache, "layernorm_forward")
    batch_axes = tuple(range(dout.ndim - 1))
    dbeta = dout.sum(axis=batch_axes)
    dgamma = (dout * cache.x_hat).sum(axis=batch_axes)
    dx = normalize_backward(dout * cache.gamma, cache.x_hat, cache.inv_std, (-1,))
    return dx, dgamma, dbeta
