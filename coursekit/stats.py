"""Claims over seeds, stated as statistics: paired differences and win counts.

A lesson that says "technique A beats B" runs both on the same seeds (same data split, same
initial weights where possible) and holds the claim with one of these, never with a threshold
read off one run::

    effect = paired_difference(val_loss_plain, val_loss_dropout)   # plain - dropout, per seed
    print(effect)            # mean 0.41 ± 0.06 (SE), 95% CI [0.27, 0.55], positive on 8/8 seeds
    assert effect.standard_errors > 3, "dropout lowers the validation loss"

The margins a lesson asserts are calibrated by ``make claims`` over many seed offsets.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class PairedDifference:
    """Summary of per-seed differences ``a - b``.

    Attributes
    ----------
    differences : ndarray of shape (n_seeds,)
        ``a[i] - b[i]`` for each seed ``i``.
    mean : float
        Mean difference.
    standard_error : float
        Standard deviation of the differences (ddof=1) divided by sqrt(n_seeds).
    low, high : float
        Two-sided Student-t confidence interval for the mean at ``level``.
    level : float
        Confidence level of ``low`` and ``high``.
    """

    differences: np.ndarray
    mean: float
    standard_error: float
    low: float
    high: float
    level: float

    @property
    def n(self) -> int:
        """Number of seeds."""
        return int(self.differences.size)

    @property
    def standard_errors(self) -> float:
        """``mean / standard_error``: how many standard errors the mean lies from 0."""
        if self.standard_error == 0:
            return float(np.sign(self.mean)) * np.inf
        return self.mean / self.standard_error

    @property
    def positive(self) -> int:
        """On how many seeds ``a > b``."""
        return int(np.sum(self.differences > 0))

    def describe(self, digits: int = 2) -> str:
        """One line: mean ± SE, the confidence interval, and the sign count, rounded."""
        return (
            f"mean {self.mean:.{digits}f} ± {self.standard_error:.{digits}f} (SE), "
            f"{self.level:.0%} CI [{self.low:.{digits}f}, {self.high:.{digits}f}], "
            f"positive on {self.positive}/{self.n} seeds"
        )

    def __str__(self) -> str:
        return self.describe()


def paired_difference(a, b, level: float = 0.95) -> PairedDifference:
    """Per-seed differences ``a - b`` with their mean, standard error and t interval.

    Parameters
    ----------
    a, b : array-like of shape (n_seeds,)
        The same measurement under two settings, paired by seed. At least 2 seeds.
    level : float, default=0.95
        Confidence level of the interval, in ``(0, 1)``.

    Returns
    -------
    PairedDifference
    """
    from scipy import stats

    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.ndim != 1 or a.shape != b.shape:
        raise ValueError(f"a and b must be 1-D and of the same length, got shapes {a.shape} and {b.shape}.")
    if a.size < 2:
        raise ValueError(f"a paired difference needs at least 2 seeds, got {a.size}.")
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level!r}.")
    differences = a - b
    mean = float(differences.mean())
    standard_error = float(differences.std(ddof=1) / np.sqrt(differences.size))
    half = float(stats.t.ppf(0.5 + level / 2, df=differences.size - 1)) * standard_error
    return PairedDifference(differences, mean, standard_error, mean - half, mean + half, level)
