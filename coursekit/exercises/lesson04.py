"""Exercises of lesson 04 (early stopping).

Both are judged against :class:`coursekit.reference.early_stopping.EarlyStopper`, which stops on
the same epoch as ``keras.callbacks.EarlyStopping``:

* ``early_stopping_epoch`` applies the patience / min_delta rule to a whole validation curve;
* ``fit_with_early_stopping`` runs a training loop that stops early and restores the best
  weights (the classic bug being to keep a reference to the weights instead of a copy).

The loss values of the cases are multiples of 1/1024 (or differ by far more than float32
resolution), so a learner who compares in float64 and the reference, which compares in float32
as Keras does, never disagree on a tie.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import numpy as np

from coursekit.exercises.core import Case, Exercise, compare, show
from coursekit.reference.early_stopping import EarlyStopper

# --- Exercise 1: the stopping rule ------------------------------------------------------------


def _stop_and_best(
    val_losses: Sequence[float], patience: int = 0, min_delta: float = 0.0
) -> tuple[int | None, int]:
    """(epoch at which training stops or None, epoch of the best value), epochs from 0."""
    stopper = EarlyStopper(patience=patience, min_delta=min_delta)
    for value in val_losses:
        if stopper.update(float(value)):
            return stopper.stopped_epoch, stopper.best_epoch
    return None, stopper.best_epoch


def _noisy_u_curve(rng: np.random.Generator, n_epochs: int) -> list[float]:
    """A validation curve that falls, bottoms out and rises, with noise; multiples of 1/1024."""
    epochs = np.arange(n_epochs)
    turn = rng.uniform(0.3, 0.7) * n_epochs
    curve = 0.4 + 1.5 * np.exp(-epochs / 4) + 0.002 * np.maximum(epochs - turn, 0) ** 1.5
    curve = curve + rng.normal(0, 0.02, n_epochs)
    return [float(value) for value in np.round(curve * 1024) / 1024]


def _stop_cases(rng: np.random.Generator) -> list[Case]:
    quiz_curve = [1.0, 0.8, 0.7, 0.72, 0.69, 0.71, 0.73, 0.75, 0.74, 0.76]
    cases = [
        Case("patience 2 on 1.0, 0.8, 0.7, 0.72, 0.69, 0.71, 0.73, ...", (quiz_curve, 2)),
        Case("patience 0 stops at the first epoch that does not improve", (quiz_curve, 0)),
        Case("min_delta 0.02 on the same curve", (quiz_curve, 2, 0.02)),
        Case("a tie (1.0, 0.5, 0.5, 0.5) is not an improvement", ([1.0, 0.5, 0.5, 0.5], 2)),
        Case(
            "a gain of exactly min_delta=0.25 does not count (1.0, 0.5, 0.25, 0.125)",
            ([1.0, 0.5, 0.25, 0.125], 1, 0.25),
        ),
        Case("a curve that keeps improving never stops", ([4.0, 2.0, 1.0, 0.5, 0.25], 1)),
        Case("a single epoch", ([0.5], 3)),
        Case(
            "a float32 numpy array as input",
            (np.array([2.0, 1.0, 1.5, 0.75, 1.25, 1.5, 1.0], dtype=np.float32), 2),
        ),
    ]
    for index in range(4):
        patience = int(rng.integers(1, 7))
        min_delta = float(rng.integers(0, 21)) / 1024
        curve = _noisy_u_curve(rng, int(rng.integers(25, 60)))
        cases.append(
            Case(
                f"noisy curve {index + 1} of {len(curve)} epochs, patience {patience}, "
                f"min_delta {min_delta:.4g}",
                (curve, patience, min_delta),
            )
        )
    return cases


def _epoch_or_none(value: Any) -> int | None | str:
    """The learner's epoch as an int or None; a message string when it is neither."""
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        return f"epochs must be ints (or None for 'never stops'), got {show(value)}."
    return int(value)


def _judge_stop(expected: tuple[int | None, int], got: Any) -> str:
    if type(got) not in (tuple, list) or len(got) != 2:
        return "return a pair (stopped_epoch, best_epoch), e.g. (5, 3) or (None, 9)."
    stopped, best = (_epoch_or_none(value) for value in got)
    for value in (stopped, best):
        if isinstance(value, str):
            return value
    expected_stop, expected_best = expected
    if stopped != expected_stop:
        if expected_stop is None:
            return (
                f"training should never stop on this curve (stopped_epoch None), but you "
                f"stopped at epoch {stopped}."
            )
        if stopped is None:
            return f"training should stop at epoch {expected_stop}, but you never stopped."
        late = "late" if stopped > expected_stop else "early"
        return (
            f"training should stop at epoch {expected_stop} (counting from 0), you stopped at "
            f"epoch {stopped}, {abs(stopped - expected_stop)} epoch(s) too {late}."
        )
    if best != expected_best:
        return f"the best epoch is {expected_best}, you returned {best}."
    return ""


# --- Exercise 2: a training loop that restores the best weights -------------------------------


def _gradient_step(weights: np.ndarray, X: np.ndarray, y: np.ndarray, lr: float) -> None:
    """One full-batch gradient-descent step on the mean squared error, in place."""
    weights -= (lr * X.T @ (X @ weights - y) / len(y)).astype(weights.dtype)


def _mean_squared_error(weights: np.ndarray, X: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean((X @ weights - y) ** 2))


def _fit_with_early_stopping(
    weights: np.ndarray,
    step: Callable[[np.ndarray], None],
    val_loss: Callable[[np.ndarray], float],
    max_epochs: int,
    patience: int,
    restore_best_weights: bool = True,
) -> tuple[np.ndarray, int]:
    """Reference training loop: (final weights, number of epochs run)."""
    weights = weights.copy()
    stopper = EarlyStopper(patience=patience, restore_best_weights=restore_best_weights)
    n_epochs = 0
    for _ in range(max_epochs):
        step(weights)
        n_epochs += 1
        if stopper.update(val_loss(weights), weights):
            break
    if restore_best_weights:
        weights = stopper.best_weights.copy()
    return weights, n_epochs


def _regression_problem(
    rng: np.random.Generator, dtype: type = np.float64
) -> tuple[Callable, Callable, np.ndarray]:
    """An overfitting linear regression: 12 training rows, 10 features, 60 validation rows.

    Returns ``step`` and ``val_loss`` callables and the zero initial weights.
    """
    n_train, n_val, n_features = 12, 60, 10
    true_weights = rng.normal(0, 1, n_features)
    X = rng.normal(0, 1, (n_train + n_val, n_features))
    y = X @ true_weights + rng.normal(0, 1.5, n_train + n_val)
    X, y = X.astype(dtype), y.astype(dtype)
    X_train, y_train, X_val, y_val = X[:n_train], y[:n_train], X[n_train:], y[n_train:]
    lr = 0.5 / np.linalg.eigvalsh(X_train.T @ X_train / n_train).max()
    step = partial(_gradient_step, X=X_train, y=y_train, lr=lr)
    val_loss = partial(_mean_squared_error, X=X_val, y=y_val)
    return step, val_loss, np.zeros(n_features, dtype=dtype)


def _usable(step: Callable, val_loss: Callable, weights: np.ndarray, n_epochs: int) -> bool:
    """True when the run's best epoch is not its last (so restoring matters) and no two
    validation losses are within float32 resolution (so float32 and float64 agree)."""
    weights = weights.copy()
    losses = []
    for _ in range(n_epochs):
        step(weights)
        losses.append(val_loss(weights))
    losses = np.array(losses)
    gaps = np.abs(losses[:, None] - losses[None, :]) + np.eye(n_epochs)
    turns = n_epochs == 1 or int(np.argmin(losses)) < n_epochs - 1
    return turns and bool(np.all(gaps > 1e-5 * np.abs(losses).max()))


def _fit_cases(rng: np.random.Generator) -> list[Case]:
    settings = [
        ("restore the best weights (patience 3)", 80, 3, True, np.float64),
        ("without restoring: keep the last epoch's weights", 80, 3, False, np.float64),
        ("patience 0", 80, 0, True, np.float64),
        ("max_epochs reached before patience runs out: still restore", 40, 100, True, np.float64),
        ("a single epoch", 1, 2, True, np.float64),
        ("float32 weights keep float32", 80, 2, True, np.float32),
        ("patience 5", 80, 5, True, np.float64),
    ]
    cases = []
    for label, max_epochs, patience, restore, dtype in settings:
        step, val_loss, weights = _regression_problem(rng, dtype)
        while not _usable(step, val_loss, weights, max_epochs):
            step, val_loss, weights = _regression_problem(rng, dtype)
        cases.append(
            Case(
                label,
                (weights, step, val_loss),
                {"max_epochs": max_epochs, "patience": patience, "restore_best_weights": restore},
            )
        )
    return cases


def _judge_fit(expected: tuple[np.ndarray, int], got: Any) -> str:
    if type(got) not in (tuple, list) or len(got) != 2:
        return "return a pair (weights, n_epochs): the final weight array and the epochs run."
    expected_weights, expected_epochs = expected
    weights, n_epochs = got
    if isinstance(n_epochs, (bool, np.bool_)) or not isinstance(n_epochs, (int, np.integer)):
        return f"n_epochs should be an int, got {show(n_epochs)}."
    if int(n_epochs) != expected_epochs:
        return (
            f"training should run {expected_epochs} epoch(s), you ran {int(n_epochs)}: count "
            "every epoch, including the one on which you stop."
        )
    message = compare(expected_weights, weights, rtol=1e-5, atol=1e-6, where="the weight array")
    return f"{message} These are not the weights of the right epoch." if message else ""


EXERCISES = (
    Exercise(
        name="early_stopping_epoch",
        lesson="04",
        reference=_stop_and_best,
        make_cases=_stop_cases,
        hint="track the best value seen so far and how many epochs have passed without improving "
            "on it; stop when that count reaches patience.",
        hint_detail="start from the first epoch's value; an epoch improves only when its value "
            "is below best minus min_delta (strictly: a tie does not count); otherwise the wait "
            "grows by one, and you stop at the first epoch where it reaches patience.",
        judge=_judge_stop,
    ),
    Exercise(
        name="fit_with_early_stopping",
        lesson="04",
        reference=_fit_with_early_stopping,
        make_cases=_fit_cases,
        hint="step changes the weights in place, so whatever you keep must be a copy. Early "
            "stopping keeps the best weights seen and hands them back when restore_best_weights "
            "is set.",
        hint_detail="copy the initial weights first; after each step call val_loss; when it "
            "improves, save a copy of the weights (not the array itself, which step keeps "
            "changing); stop after patience epochs without improvement; with restore_best_weights "
            "return the saved copy even if training ran to max_epochs.",
        judge=_judge_fit,
    ),
)
