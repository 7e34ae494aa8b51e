"""Solutions of lesson 00 (overfitting, splits, capacity)."""

import numpy as np


def polynomial_features(x, degree):
    # Column k holds x**k; the exponents take x's dtype so float32 stays float32.
    powers = np.arange(degree + 1, dtype=x.dtype)
    return x[:, np.newaxis] ** powers


def split_indices(n_samples, val_fraction, test_fraction, rng):
    order = rng.permutation(n_samples)
    n_val = int(round(val_fraction * n_samples))
    n_test = int(round(test_fraction * n_samples))
    n_train = n_samples - n_val - n_test
    return order[:n_train], order[n_train:n_train + n_val], order[n_train + n_val:]


def kfold_indices(n_samples, k, rng):
    # Shuffle once, cut into k nearly equal folds (the first n_samples % k get one more).
    folds = np.array_split(rng.permutation(n_samples), k)
    everything = np.arange(n_samples)
    return [(np.setdiff1d(everything, fold), np.sort(fold)) for fold in folds]
