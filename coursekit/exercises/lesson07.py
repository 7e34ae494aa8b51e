"""Exercises of lesson 07 (combining regularizers).

* ``tune`` is a validation-only grid search over the L2 strength and the dropout rate. It is
  judged with fake evaluators that report training, validation *and* test losses, arranged so
  that choosing by the test or the training loss gives a different answer from choosing by the
  validation loss: a learner who peeks at the test set is caught and told so.
* ``summarize_seeds`` turns one configuration's scores over seeds into the mean ± spread of the
  validation metric and of the train–validation gap, the numbers of one row of an ablation table.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np

from coursekit.exercises.core import Case, CaseOutcome, Exercise, call_learner, compare, show

# --- Exercise 1: tuning on validation data only -----------------------------------------------


def _fake_evaluate(
    l2: float,
    rate: float,
    *,
    l2_grid: np.ndarray,
    rate_grid: np.ndarray,
    train_loss: np.ndarray,
    val_loss: np.ndarray,
    test_loss: np.ndarray,
) -> dict[str, float]:
    """Look up the losses of one grid point in tables of shape (len(l2_grid), len(rate_grid))."""
    rows = np.flatnonzero(np.isclose(l2_grid, l2, rtol=1e-9, atol=0.0))
    columns = np.flatnonzero(np.isclose(rate_grid, rate, rtol=1e-9, atol=0.0))
    if rows.size == 0 or columns.size == 0:
        raise ValueError(f"evaluate() was called with (l2={l2!r}, rate={rate!r}), not a grid point.")
    i, j = int(rows[0]), int(columns[0])
    return {
        "train_loss": float(train_loss[i, j]),
        "val_loss": float(val_loss[i, j]),
        "test_loss": float(test_loss[i, j]),
    }


def _tune(evaluate: Any, l2_grid: Any, rate_grid: Any) -> tuple[float, float, float]:
    """Reference: (best l2, best rate, its validation loss); ties go to the first grid point."""
    best = None
    for l2 in l2_grid:
        for rate in rate_grid:
            val_loss = float(evaluate(l2=l2, rate=rate)["val_loss"])
            if best is None or val_loss < best[2]:
                best = (float(l2), float(rate), val_loss)
    return best


def _argmin_point(table: np.ndarray, l2_grid: np.ndarray, rate_grid: np.ndarray) -> tuple:
    i, j = np.unravel_index(int(np.argmin(table)), table.shape)
    return float(l2_grid[i]), float(rate_grid[j])


def _tuning_case(
    label: str, rng: np.random.Generator, l2_grid: list[float], rate_grid: list[float]
) -> Case:
    """A grid whose train, validation and test minima are at three different points."""
    shape = (len(l2_grid), len(rate_grid))
    n_points = shape[0] * shape[1]
    while True:
        # Distinct multiples of 1/1024, so there are no ties and float32 changes nothing.
        val = rng.choice(np.arange(200, 700), size=n_points, replace=False) / 1024
        train = val - rng.uniform(0.05, 0.2, n_points)
        test = val + rng.normal(0, 0.08, n_points)
        if n_points == 1:
            break
        minima = {int(np.argmin(val)), int(np.argmin(train)), int(np.argmin(test))}
        if len(minima) == 3:
            break
    tables = {
        "train_loss": train.reshape(shape),
        "val_loss": val.reshape(shape),
        "test_loss": test.reshape(shape),
    }
    evaluate = partial(
        _fake_evaluate, l2_grid=np.array(l2_grid), rate_grid=np.array(rate_grid), **tables
    )
    return Case(label, (evaluate, list(l2_grid), list(rate_grid)))


def _tuning_cases(rng: np.random.Generator) -> list[Case]:
    tie_tables = {
        "train_loss": np.array([[0.30, 0.20], [0.25, 0.35]]),
        "val_loss": np.array([[0.50, 0.40], [0.40, 0.45]]),
        "test_loss": np.array([[0.45, 0.50], [0.30, 0.40]]),
    }
    tie = partial(
        _fake_evaluate, l2_grid=np.array([0.0, 1e-3]), rate_grid=np.array([0.0, 0.3]),
        **tie_tables,
    )
    return [
        _tuning_case("a 3 x 3 grid", rng, [0.0, 1e-3, 1e-2], [0.0, 0.2, 0.5]),
        _tuning_case("a 4 x 2 grid", rng, [0.0, 1e-4, 1e-3, 1e-2], [0.0, 0.3]),
        _tuning_case("a 2 x 4 grid, large l2 (alpha has no upper bound)", rng, [0.0, 5.0],
                     [0.0, 0.1, 0.3, 0.6]),
        _tuning_case("a single grid point", rng, [1e-3], [0.3]),
        _tuning_case("a 5 x 3 grid", rng, [0.0, 1e-4, 3e-4, 1e-3, 3e-3], [0.0, 0.25, 0.5]),
        Case("a tie on validation: the first point in grid order wins (l2 outer, rate inner)",
             (tie, [0.0, 1e-3], [0.0, 0.3])),
    ]


def _judge_tuning(expected: tuple[float, float, float], got: Any) -> str:
    if type(got) not in (tuple, list) or len(got) != 3:
        return "return a tuple (best_l2, best_rate, best_val_loss)."
    message = compare(expected, tuple(got), rtol=1e-6, atol=1e-9)
    if not message:
        return ""
    return (
        f"expected the grid point with the lowest validation loss, l2={show(expected[0])}, "
        f"rate={show(expected[1])} (val_loss {show(expected[2])}), got "
        f"({', '.join(show(value) for value in got)}). "
        "Choose with result['val_loss'] only: never the test loss, nor the training loss."
    )


def _tuning_peeking_check(function: Any, rng: np.random.Generator) -> CaseOutcome:
    """Self-check only: name the mistake when the choice follows the test or the training loss.

    (The batch grader does not run extra checks; there every case above already fails for a
    learner who peeks, because each grid has its train, val and test minima at different points.)
    """
    l2_grid, rate_grid = [0.0, 1e-3, 1e-2], [0.0, 0.3]
    case = _tuning_case("peeking", rng, l2_grid, rate_grid)
    call = call_learner(function, case)
    label = "the choice ignores the test and training losses"
    if call.error or type(call.value) not in (tuple, list) or len(call.value) != 3:
        return CaseOutcome(label, False, "return a tuple (best_l2, best_rate, best_val_loss).")
    evaluate = case.args[0]
    tables = {key: evaluate.keywords[key] for key in ("train_loss", "val_loss", "test_loss")}
    grids = (np.array(l2_grid), np.array(rate_grid))
    try:
        chosen = (float(call.value[0]), float(call.value[1]))
    except (TypeError, ValueError):
        return CaseOutcome(label, False, "best_l2 and best_rate must be numbers.")
    if chosen == _argmin_point(tables["test_loss"], *grids):
        return CaseOutcome(
            label, False,
            "your choice is the grid point with the lowest TEST loss. The test set must not "
            "influence any choice; pick the lowest validation loss.",
        )
    if chosen == _argmin_point(tables["train_loss"], *grids):
        return CaseOutcome(
            label, False,
            "your choice is the grid point with the lowest TRAINING loss, which always favours "
            "the least regularization; pick the lowest validation loss.",
        )
    return CaseOutcome(label, True)


# --- Exercise 2: one row of an ablation table -------------------------------------------------


def _summarize_seeds(train_scores: Any, val_scores: Any) -> tuple[float, float, float, float]:
    """Reference: (mean val, std val, mean gap, std gap) with gap = train - val, ddof=1."""
    train = np.asarray(train_scores, dtype=np.float64)
    val = np.asarray(val_scores, dtype=np.float64)
    gap = train - val
    return (
        float(val.mean()), float(val.std(ddof=1)), float(gap.mean()), float(gap.std(ddof=1))
    )


def _summary_cases(rng: np.random.Generator) -> list[Case]:
    n_seeds = int(rng.integers(3, 8))
    val = rng.uniform(0.85, 0.95, n_seeds)
    train = np.minimum(val + rng.uniform(0.0, 0.1, n_seeds), 1.0)
    # Train and val move together here, so the spread of the gap is far below either spread.
    shared = rng.normal(0, 0.05, 4)
    return [
        Case(f"{n_seeds} seeds of accuracies", (train, val)),
        Case("three seeds, given as lists", ([1.0, 1.0, 0.98], [0.92, 0.90, 0.93])),
        Case("two seeds (the fewest with a sample spread)", (np.array([0.9, 1.0]), np.array([0.8, 0.85]))),
        Case("identical runs: spread 0", (np.full(3, 0.5), np.full(3, 0.25))),
        Case("losses: training below validation gives a negative gap",
             (rng.uniform(0.01, 0.05, 5), rng.uniform(0.2, 0.4, 5))),
        Case("train and val move together", (0.9 + shared + 0.01 * np.arange(4), 0.8 + shared)),
        Case("float32 scores", (train.astype(np.float32), val.astype(np.float32))),
    ]


def _judge_summary(expected: tuple, got: Any) -> str:
    if type(got) not in (tuple, list) or len(got) != 4:
        return "return a tuple of four numbers: (val_mean, val_std, gap_mean, gap_std)."
    names = ("val_mean", "val_std", "gap_mean", "gap_std")
    for name, e, g in zip(names, expected, got, strict=True):
        message = compare(e, g, rtol=1e-5, atol=1e-7, where=name)
        if message:
            if name.endswith("std"):
                message += (
                    " Use the sample standard deviation over seeds, np.std(x, ddof=1)"
                    + (", of the per-seed gaps train - val." if name == "gap_std" else ".")
                )
            elif name == "gap_mean":
                message += " The gap is train - val (positive when training scores higher)."
            return message
    return ""


EXERCISES = (
    Exercise(
        name="tune",
        lesson="07",
        reference=_tune,
        make_cases=_tuning_cases,
        hint="grid search tries every (l2, rate) pair, judges each by its validation loss only, "
            "and keeps the best. The test loss is for the final report, never for choosing.",
        hint_detail="loop over both grids and call evaluate(l2=l2, rate=rate); keep the pair "
            "whose result['val_loss'] is strictly smallest (a tie keeps the first) and return "
            "(best_l2, best_rate, best_val_loss). Never read result['test_loss'].",
        judge=_judge_tuning,
        extra_checks=(_tuning_peeking_check,),
    ),
    Exercise(
        name="summarize_seeds",
        lesson="07",
        reference=_summarize_seeds,
        make_cases=_summary_cases,
        hint="across seeds, report the mean and the spread of the validation score and of the "
            "generalization gap (train minus validation). A spread over a few seeds is a sample "
            "standard deviation.",
        hint_detail="compute the gap seed by seed; return (mean of val, its sample std, mean of "
            "the gap, its sample std) as floats. A sample std divides by n - 1 (ddof=1).",
        judge=_judge_summary,
    ),
)
