"""Solutions of lesson 02 (inverted dropout: forward, backward, training vs inference)."""

import numpy as np


def dropout_forward(x, rate, rng):
    keep = rng.random(x.shape) >= rate
    scale = x.dtype.type(1.0 / (1.0 - rate))
    out = np.where(keep, x * scale, x.dtype.type(0))
    return out, keep


def dropout_backward(dout, mask, rate):
    scale = dout.dtype.type(1.0 / (1.0 - rate))
    return np.where(mask.astype(bool), dout * scale, dout.dtype.type(0))


def dropout_layer(x, rate, rng, training=True):
    if not training:
        return x.copy(), np.ones(x.shape, dtype=bool)
    keep = rng.random(x.shape) >= rate
    scale = x.dtype.type(1.0 / (1.0 - rate))
    return np.where(keep, x * scale, x.dtype.type(0)), keep
