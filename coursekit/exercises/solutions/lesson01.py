"""Solutions of lesson 01 (L1 and L2 penalties as Keras computes them, their gradients)."""

import numpy as np


def l1_penalty(w, l1):
    return float(l1 * np.sum(np.abs(w)))


def l2_penalty(w, l2):
    return float(l2 * np.sum(np.square(w)))


def l1_penalty_grad(w, l1):
    # np.sign is 0 at exactly 0, the subgradient Keras uses; the cast keeps w's dtype.
    return (l1 * np.sign(w)).astype(w.dtype)


def l2_penalty_grad(w, l2):
    # Keras's penalty has no 1/2, so the factor 2 stays.
    return (2 * l2 * w).astype(w.dtype)


def sgd_step_l2(w, grad, lr, l2):
    step = lr * (grad + 2 * l2 * w)
    return (w - step).astype(w.dtype)


def max_norm(w, max_value):
    # Keras's MaxNorm(max_value, axis=0): each column scaled by clip(norm) / (epsilon + norm).
    norms = np.sqrt(np.sum(w**2, axis=0, keepdims=True))
    scale = np.clip(norms, 0, max_value) / (1e-7 + norms)
    return (w * scale).astype(w.dtype)
