"""Solutions of lesson 03 (batch normalization forward, layer with moving statistics, backward;
layer normalization forward and backward)."""

import numpy as np


def batchnorm_train_forward(x, gamma, beta, epsilon=1e-3):
    gamma, beta = gamma.astype(x.dtype), beta.astype(x.dtype)
    mean = x.mean(axis=0)
    variance = np.square(x - mean).mean(axis=0)
    x_hat = (x - mean) / np.sqrt(variance + x.dtype.type(epsilon))
    return gamma * x_hat + beta


def batchnorm_layer(x, gamma, beta, moving_mean, moving_var, momentum=0.99, epsilon=1e-3, training=True):
    dtype = x.dtype
    gamma, beta = gamma.astype(dtype), beta.astype(dtype)
    moving_mean, moving_var = moving_mean.astype(dtype), moving_var.astype(dtype)
    if training:
        mean = x.mean(axis=0)
        variance = np.square(x - mean).mean(axis=0)
        new_moving_mean = moving_mean * momentum + mean * (1.0 - momentum)
        new_moving_var = moving_var * momentum + variance * (1.0 - momentum)
    else:
        mean, variance = moving_mean, moving_var
        new_moving_mean, new_moving_var = moving_mean.copy(), moving_var.copy()
    out = gamma * (x - mean) / np.sqrt(variance + epsilon) + beta
    return out.astype(dtype), new_moving_mean.astype(dtype), new_moving_var.astype(dtype)


def batchnorm_train_backward(dout, x, gamma, epsilon=1e-3):
    n = x.shape[0]
    mean = x.mean(axis=0)
    variance = np.square(x - mean).mean(axis=0)
    inv_std = 1.0 / np.sqrt(variance + epsilon)
    x_hat = (x - mean) * inv_std
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    dx_hat = dout * gamma
    # The batch mean and variance depend on every row, hence the two correction terms.
    dx = inv_std / n * (n * dx_hat - dx_hat.sum(axis=0) - x_hat * (dx_hat * x_hat).sum(axis=0))
    return dx.astype(x.dtype), dgamma.astype(x.dtype), dbeta.astype(x.dtype)


def layernorm_forward(x, gamma, beta, epsilon=1e-3):
    gamma, beta = gamma.astype(x.dtype), beta.astype(x.dtype)
    mean = x.mean(axis=1, keepdims=True)
    variance = np.square(x - mean).mean(axis=1, keepdims=True)
    x_hat = (x - mean) / np.sqrt(variance + x.dtype.type(epsilon))
    return gamma * x_hat + beta


def layernorm_backward(dout, x, gamma, epsilon=1e-3):
    features = x.shape[1]
    mean = x.mean(axis=1, keepdims=True)
    variance = np.square(x - mean).mean(axis=1, keepdims=True)
    inv_std = 1.0 / np.sqrt(variance + epsilon)
    x_hat = (x - mean) * inv_std
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    dx_hat = dout * gamma
    # Each row's mean and variance depend on every feature of the row: two row-sum corrections.
    row_sum = dx_hat.sum(axis=1, keepdims=True)
    row_dot = (dx_hat * x_hat).sum(axis=1, keepdims=True)
    dx = inv_std / features * (features * dx_hat - row_sum - x_hat * row_dot)
    return dx.astype(x.dtype), dgamma.astype(x.dtype), dbeta.astype(x.dtype)
