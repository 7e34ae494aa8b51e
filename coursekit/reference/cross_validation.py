"""k-fold cross-validation splits (the convention of scikit-learn's ``KFold``).

The ``n_samples`` indices are cut into ``k`` folds of consecutive positions (after a shuffle,
by default). Each fold serves once as the validation set while the other ``k - 1`` train, so
every index is validated exactly once. As in scikit-learn, the first ``n_samples % k`` folds
hold one index more than the others: sizes differ by at most 1.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterator

import numpy as np

from coursekit.reference._validation import check_rng, describe


def _folds(permutation: np.ndarray, k: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    n_samples = permutation.size
    sizes = np.full(k, n_samples // k)
    sizes[: n_samples % k] += 1
    start = 0
    for size in sizes.tolist():
        in_validation = np.zeros(n_samples, dtype=bool)
        in_validation[permutation[start : start + size]] = True
        start += size
        yield np.flatnonzero(~in_validation), np.flatnonzero(in_validation)


def kfold_indices(
    n_samples: int,
    k: int = 5,
    *,
    rng: np.random.Generator | int | None = None,
    shuffle: bool = True,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield the ``(train, val)`` index arrays of k-fold cross-validation.

    Parameters
    ----------
    n_samples : int
        Number of samples, >= ``k``.
    k : int, default=5
        Number of folds, in ``[2, n_samples]`` (scikit-learn's ``n_splits``).
    rng : numpy.random.Generator or int, optional
        Random generator or seed; required when ``shuffle=True``, refused otherwise. Draws
        ``rng.permutation(n_samples)`` once, when the function is called (before the first
        fold is taken), so the generator advances the same way however many folds are used.
    shuffle : bool, default=True
        Shuffle the indices before cutting them into folds. With ``shuffle=False`` the folds
        are consecutive blocks, exactly those of ``sklearn.model_selection.KFold(k)``.

    Yields
    ------
    train : ndarray of int, shape (n_samples - len(val),)
        Sorted indices of the training samples of the fold.
    val : ndarray of int, shape (n_samples // k,) or (n_samples // k + 1,)
        Sorted indices of its validation samples. Over the ``k`` folds every index in
        ``range(n_samples)`` appears in exactly one ``val``.
    """
    for value, name in ((n_samples, "n_samples"), (k, "k")):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise TypeError(f"{name} must be an int, got {describe(value)}.")
    if k < 2:
        raise ValueError(
            f"k must be an int >= 2 (one fold validates, the others train), got {k!r}."
        )
    if n_samples < k:
        raise ValueError(
            f"n_samples must be >= k so that every fold holds a sample, got n_samples={n_samples!r} "
            f"and k={k!r}."
        )
    if not isinstance(shuffle, (bool, np.bool_)):
        raise TypeError(f"shuffle must be True or False, got {describe(shuffle)}.")
    if shuffle:
        if rng is None:
            raise TypeError(
                "rng is required when shuffle=True: pass a numpy.random.Generator "
                "(e.g. np.random.default_rng(0)) or an int seed, or shuffle=False."
            )
        permutation = check_rng(rng).permutation(int(n_samples))
    else:
        if rng is not None:
            raise ValueError("rng has no effect when shuffle=False; pass rng=None or shuffle=True.")
        permutation = np.arange(int(n_samples))
    return _folds(permutation, int(k))
