"""Group normalization, forward and backward (the convention of Keras 3's ``GroupNormalization``).

Wu & He (2018) split the channels (the last axis, channels-last as in Keras) into ``groups``
groups of consecutive channels and normalize each example's group with the mean and biased
variance of all its values: every spatial position and every channel of the group. Like layer
normalization it does not look at the other examples of the batch, so it works at batch size 1
or 2, where batch statistics break down.

* ``groups=1``: one group per example, layer normalization over all of ``(height, width,
  channels)``;
* ``groups=channels``: instance normalization (each channel of each example on its own).

``out = gamma * (x - mean_group) / sqrt(variance_group + epsilon) + beta``, with Keras's
``epsilon=1e-3``; ``gamma`` and ``beta`` have one entry per channel.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from coursekit.reference._validation import (
    as_float_array,
    check_feature_vector,
    check_nonnegative,
    check_upstream,
    describe,
)
from coursekit.reference.layernorm import normalize, normalize_backward


@dataclass(frozen=True)
class GroupNormCache:
    """What :func:`groupnorm_backward` needs from the forward pass.

    Attributes
    ----------
    x_hat : ndarray of the shape of ``x``
        Normalized input, each group standardized.
    inv_std : ndarray of shape (n, groups)
        ``1 / sqrt(variance + epsilon)`` of each example's groups.
    gamma : ndarray of shape (channels,)
        Scale used in the forward pass.
    groups : int
        Number of channel groups.
    """

    x_hat: np.ndarray
    inv_std: np.ndarray
    gamma: np.ndarray
    groups: int


def _grouped(array: np.ndarray, groups: int) -> np.ndarray:
    """View ``(n, ..., channels)`` as ``(n, positions, groups, channels_per_group)``."""
    positions = int(np.prod(array.shape[1:-1]))
    return array.reshape(array.shape[0], positions, groups, array.shape[-1] // groups)


_GROUP_AXES = (1, 3)
"""Axes of the grouped view that one group's statistics are taken over."""


def groupnorm_forward(
    x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, groups: int, epsilon: float = 1e-3
) -> tuple[np.ndarray, GroupNormCache]:
    """Group normalization forward pass, channels last.

    Parameters
    ----------
    x : ndarray of shape (n, height, width, channels) or (n, channels), floating dtype
        Input; any shape ``(n, ..., channels)`` works. With ``(n, channels)`` a group is
        ``channels // groups`` consecutive features of one example.
    gamma : ndarray of shape (channels,)
        Scale (Keras ``gamma``, initialized to ones).
    beta : ndarray of shape (channels,)
        Offset (Keras ``beta``, initialized to zeros).
    groups : int
        Number of groups, in ``[1, channels]``, dividing ``channels``. Group ``g`` holds the
        channels ``g * c, ..., (g + 1) * c - 1`` with ``c = channels // groups``, as in Keras.
        (Keras's default is 32 and its ``-1`` means ``channels``; here pass the number.)
    epsilon : float, default=1e-3
        Added to the variance before the square root, in ``[0, inf)`` (Keras's default).

    Returns
    -------
    out : ndarray of the shape and dtype of ``x``
        Normalized, scaled and shifted input. Training and inference give the same result.
    cache : GroupNormCache
        For :func:`groupnorm_backward`.

    Notes
    -----
    All arithmetic is done in ``x``'s dtype (parameters are cast to it).
    """
    x = as_float_array(x, "x")
    if x.ndim < 2:
        raise ValueError(
            "x must have at least 2 dimensions, (n, height, width, channels) or (n, channels), "
            f"got {describe(x)}."
        )
    channels = x.shape[-1]
    if isinstance(groups, bool) or not isinstance(groups, numbers.Integral):
        raise TypeError(f"groups must be an int in [1, {channels}], got {describe(groups)}.")
    if not 1 <= groups <= channels or channels % groups:
        raise ValueError(
            f"groups must be an int in [1, {channels}] that divides the {channels} channels "
            f"(the last axis of x), got {groups!r}."
        )
    gamma = check_feature_vector(gamma, "gamma", channels, x.dtype)
    beta = check_feature_vector(beta, "beta", channels, x.dtype)
    epsilon = check_nonnegative(epsilon, "epsilon")
    x_hat, inv_std = normalize(_grouped(x, int(groups)), _GROUP_AXES, epsilon)
    x_hat = x_hat.reshape(x.shape)
    out = gamma * x_hat + beta
    cache = GroupNormCache(
        x_hat=x_hat, inv_std=inv_std.reshape(x.shape[0], groups), gamma=gamma, groups=int(groups)
    )
    return out, cache


def groupnorm_backward(
    dout: np.ndarray, cache: GroupNormCache
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Group normalization backward pass.

    Parameters
    ----------
    dout : ndarray of the shape of the forward's ``x``
        Upstream gradient.
    cache : GroupNormCache
        The cache returned by :func:`groupnorm_forward`.

    Returns
    -------
    dx : ndarray of the shape of ``x``
        Gradient with respect to ``x``, including the paths through each group's mean and
        variance.
    dgamma, dbeta : ndarray of shape (channels,)
        Gradients with respect to ``gamma`` and ``beta``.
    """
    dout = check_upstream(dout, cache, GroupNormCache, "groupnorm_forward")
    batch_axes = tuple(range(dout.ndim - 1))
    dbeta = dout.sum(axis=batch_axes)
    dgamma = (dout * cache.x_hat).sum(axis=batch_axes)
    inv_std = cache.inv_std[:, None, :, None]
    dx = normalize_backward(
        _grouped(dout * cache.gamma, cache.groups),
        _grouped(cache.x_hat, cache.groups),
        inv_std,
        _GROUP_AXES,
    )
    return dx.reshape(dout.shape), dgamma, dbeta
