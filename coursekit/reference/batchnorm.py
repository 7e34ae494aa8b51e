"""Batch normalization, forward and backward (the convention of Keras 3's ``BatchNormalization``).

Features are on the last axis (Keras ``axis=-1``); statistics are taken over all other axes.

* Training: normalize with the statistics of the batch, the mean and the *biased* variance
  (divide by the number of values, not by that number minus one), then update the moving
  statistics as Keras does: ``new_moving = momentum * moving + (1 - momentum) * batch_stat``.
* Inference: normalize with the moving statistics, which are returned unchanged.

In both modes ``out = gamma * (x - mean) / sqrt(variance + epsilon) + beta`` (Ioffe & Szegedy
2015).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from coursekit.reference._validation import (
    as_float_array,
    check_feature_vector,
    check_fraction,
    check_nonnegative,
    check_upstream,
    describe,
)


@dataclass(frozen=True)
class BatchNormCache:
    """What :func:`batchnorm_backward` needs from the forward pass.

    Attributes
    ----------
    x_hat : ndarray of the shape of ``x``
        Normalized input ``(x - mean) / sqrt(variance + epsilon)``.
    inv_std : ndarray of shape (features,)
        ``1 / sqrt(variance + epsilon)`` of the statistics used (batch or moving).
    gamma : ndarray of shape (features,)
        Scale used in the forward pass.
    training : bool
        True if batch statistics were used. Then the gradient also flows through the mean and
        variance; at inference they are constants.
    """

    x_hat: np.ndarray
    inv_std: np.ndarray
    gamma: np.ndarray
    training: bool


def batchnorm_forward(
    x: np.ndarray,
    gamma: np.ndarray,
    beta: np.ndarray,
    moving_mean: np.ndarray,
    moving_var: np.ndarray,
    momentum: float = 0.99,
    epsilon: float = 1e-3,
    training: bool = True,
) -> tuple[np.ndarray, BatchNormCache, np.ndarray, np.ndarray]:
    """Batch normalization forward pass.

    Parameters
    ----------
    x : ndarray of shape (n, features) or (n, height, width, features), floating dtype
        Input. Any number of dimensions >= 2 works: statistics are over all axes but the last.
    gamma : ndarray of shape (features,)
        Scale (Keras ``gamma``, initialized to ones).
    beta : ndarray of shape (features,)
        Offset (Keras ``beta``, initialized to zeros).
    moving_mean : ndarray of shape (features,)
        Moving mean (Keras initializes it to zeros).
    moving_var : ndarray of shape (features,)
        Moving variance (Keras ``moving_variance``, initialized to ones).
    momentum : float, default=0.99
        Weight of the old moving statistic in the update, in ``[0, 1]``.
    epsilon : float, default=1e-3
        Added to the variance before the square root, in ``[0, inf)``.
    training : bool, default=True
        Use batch statistics and update the moving ones (True), or use the moving statistics.

    Returns
    -------
    out : ndarray of the shape and dtype of ``x``
        Normalized, scaled and shifted input.
    cache : BatchNormCache
        For :func:`batchnorm_backward`; returned in both modes.
    new_moving_mean, new_moving_var : ndarray of shape (features,)
        Updated moving statistics in training; copies of the inputs at inference.

    Notes
    -----
    All arithmetic is done in ``x``'s dtype (parameters are cast to it, as Keras does).
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
    moving_mean = check_feature_vector(moving_mean, "moving_mean", features, x.dtype)
    moving_var = check_feature_vector(moving_var, "moving_var", features, x.dtype)
    momentum = check_fraction(momentum, "momentum")
    epsilon = check_nonnegative(epsilon, "epsilon")
    axes = tuple(range(x.ndim - 1))

    if training:
        mean = x.mean(axis=axes)
        variance = np.square(x - mean).mean(axis=axes)
        new_moving_mean = moving_mean * momentum + mean * (1.0 - momentum)
        new_moving_var = moving_var * momentum + variance * (1.0 - momentum)
    else:
        mean = moving_mean
        variance = moving_var
        new_moving_mean = moving_mean.copy()
        new_moving_var = moving_var.copy()

    inv_std = 1.0 / np.sqrt(variance + epsilon)
    x_hat = (x - mean) * inv_std
    out = gamma * x_hat + beta
    cache = BatchNormCache(x_hat=x_hat, inv_std=inv_std, gamma=gamma, training=bool(training))
    return out, cache, new_moving_mean, new_moving_var


def batchnorm_backward(
    dout: np.ndarray, cache: BatchNormCache
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Batch normalization backward pass.

    Parameters
    ----------
    dout : ndarray of the shape of the forward's ``x``
        Upstream gradient.
    cache : BatchNormCache
        The cache returned by :func:`batchnorm_forward`.

    Returns
    -------
    dx : ndarray of the shape of ``x``
        Gradient with respect to ``x``. In training it includes the paths through the batch
        mean and variance; at inference it is ``dout * gamma * inv_std``.
    dgamma, dbeta : ndarray of shape (features,)
        Gradients with respect to ``gamma`` and ``beta``.
    """
    dout = check_upstream(dout, cache, BatchNormCache, "batchnorm_forward")
    axes = tuple(range(dout.ndim - 1))
    x_hat = cache.x_hat
    dbeta = dout.sum(axis=axes)
    dgamma = (dout * x_hat).sum(axis=axes)
    dx_hat = dout * cache.gamma
    if not cache.training:
        return dx_hat * cache.inv_std, dgamma, dbeta
    count = x_hat.size // x_hat.shape[-1]
    dx = (cache.inv_std / count) * (
        count * dx_hat - dx_hat.sum(axis=axes) - x_hat * (dx_hat * x_hat).sum(axis=axes)
    )
    return dx, dgamma, dbeta
