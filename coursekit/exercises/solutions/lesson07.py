"""Solutions of lesson 07 (combining regularizers: validation-only tuning, a row of the ablation)."""

import numpy as np


def tune(evaluate, l2_grid, rate_grid):
    best = None
    for l2 in l2_grid:
        for rate in rate_grid:
            val_loss = float(evaluate(l2=l2, rate=rate)["val_loss"])
            if best is None or val_loss < best[2]:
                best = (float(l2), float(rate), val_loss)
    return best


def summarize_seeds(train_scores, val_scores):
    train = np.asarray(train_scores, dtype=np.float64)
    val = np.asarray(val_scores, dtype=np.float64)
    gap = train - val
    return float(val.mean()), float(val.std(ddof=1)), float(gap.mean()), float(gap.std(ddof=1))
