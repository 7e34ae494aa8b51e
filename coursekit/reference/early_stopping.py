"""Early stopping from scratch, epoch for epoch the same as ``keras.callbacks.EarlyStopping``.

Early stopping (Prechelt 1998) watches a validation quantity once per epoch and stops training
when it has not improved for ``patience`` epochs. :class:`EarlyStopper` reproduces the Keras 3
callback's rules:

- an epoch *improves* when ``value + min_delta < best`` (mode ``"min"``) or
  ``value - min_delta > best`` (mode ``"max"``); a tie is not an improvement;
- the first monitored epoch always improves (Keras starts from ``best = None``, not from
  ``inf``), even when its value is NaN or infinite;
- ``wait`` counts the epochs since the last improvement; training stops at the first epoch where
  ``wait >= patience`` (so ``patience=0`` stops at the first epoch without improvement);
- epochs before ``start_from_epoch`` are ignored entirely (no best value, no waiting);
- like Keras, the comparison is made in float32: Keras's ops turn the Python floats it logs into
  float32 tensors, so two values closer than float32 resolution count as a tie.

The baseline argument of Keras is not reproduced.
"""

from __future__ import annotations

import copy
import numbers

import numpy as np

from coursekit.reference._validation import check_nonnegative, describe


def _check_epoch_count(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int >= 0 (a number of epochs), got {describe(value)}.")
    if value < 0:
        raise ValueError(f"{name} must be an int >= 0 (a number of epochs), got {value!r}.")
    return int(value)


def _as_float32(value: float) -> np.float32:
    # Values beyond the float32 range become +-inf, as they do when Keras casts them.
    with np.errstate(over="ignore"):
        return np.float32(value)


class EarlyStopper:
    """Decide once per epoch whether training should stop, as Keras's ``EarlyStopping`` does.

    Parameters
    ----------
    monitor_mode : {"min", "max"}, default="min"
        ``"min"`` for a quantity that should decrease (a loss), ``"max"`` for one that should
        increase (an accuracy). Keras's ``mode="auto"`` needs the metric's name and is not
        offered.
    patience : int, default=0
        Number of epochs without improvement after which training stops, >= 0.
    min_delta : float, default=0.0
        Smallest change that counts as an improvement, in ``[0, inf)``, in the units of the
        monitored value. Keras silently uses ``abs(min_delta)``; a negative value is refused
        here because it almost always comes from a misunderstanding.
    restore_best_weights : bool, default=False
        If True, :meth:`update` must be given the current weights, and a deep copy of them is
        kept from the best epoch in :attr:`best_weights`. Like Keras 3, restore them at the end
        of training *whether or not* training stopped early.
    start_from_epoch : int, default=0
        Number of warm-up epochs (epochs ``0 .. start_from_epoch - 1``) that are not monitored
        at all, >= 0.

    Attributes
    ----------
    best : float or None
        Best monitored value so far; None before the first monitored epoch.
    best_epoch : int
        Epoch (counted from 0, like Keras's ``epoch`` argument) of ``best``; 0 before any.
    stopped_epoch : int
        Epoch at which :meth:`update` returned True; 0 if it never did, as in Keras (the first
        monitored epoch always improves, so training can never stop at epoch 0).
    best_weights : object or None
        Deep copy of the weights passed at ``best_epoch`` when ``restore_best_weights`` is True,
        else None.
    wait : int
        Number of monitored epochs since the last improvement.
    epochs_seen : int
        Number of calls to :meth:`update` so far (the index the next epoch will get).

    Examples
    --------
    >>> stopper = EarlyStopper(patience=2)
    >>> [stopper.update(v) for v in [1.0, 0.8, 0.9, 0.85]]
    [False, False, False, True]
    >>> stopper.best_epoch, stopper.stopped_epoch
    (1, 3)
    """

    def __init__(
        self,
        monitor_mode: str = "min",
        patience: int = 0,
        min_delta: float = 0.0,
        restore_best_weights: bool = False,
        start_from_epoch: int = 0,
    ) -> None:
        if monitor_mode not in ("min", "max"):
            raise ValueError(f'monitor_mode must be "min" or "max", got {describe(monitor_mode)}.')
        if not isinstance(restore_best_weights, (bool, np.bool_)):
            raise TypeError(
                f"restore_best_weights must be True or False, got {describe(restore_best_weights)}."
            )
        self.monitor_mode = monitor_mode
        self.patience = _check_epoch_count(patience, "patience")
        self.min_delta = check_nonnegative(min_delta, "min_delta")
        self.restore_best_weights = bool(restore_best_weights)
        self.start_from_epoch = _check_epoch_count(start_from_epoch, "start_from_epoch")
        self.best: float | None = None
        self.best_epoch = 0
        self.stopped_epoch = 0
        self.best_weights: object = None
        self.wait = 0
        self.epochs_seen = 0

    def _is_improvement(self, value: float) -> bool:
        if self.best is None:
            return True
        best = _as_float32(self.best)
        if self.monitor_mode == "min":
            return bool(_as_float32(value + self.min_delta) < best)
        return bool(_as_float32(value - self.min_delta) > best)

    def update(self, value: float, weights: object = None) -> bool:
        """Record one epoch's monitored value and say whether to stop training.

        Call it once at the end of every epoch, starting with epoch 0, and stop at the first
        True.

        Parameters
        ----------
        value : float
            The monitored quantity of this epoch (e.g. the validation loss). NaN is accepted
            and, as in Keras, never improves on a finite best value.
        weights : object, optional
            The model's current weights (e.g. a list of arrays). Required when
            ``restore_best_weights`` is True, ignored otherwise.

        Returns
        -------
        bool
            True when this epoch is the ``patience``-th in a row without improvement.
        """
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"value must be a real number, got {describe(value)}.")
        if self.restore_best_weights and weights is None:
            raise ValueError(
                "weights must be passed to update() when restore_best_weights=True, got None."
            )
        value = float(value)
        epoch = self.epochs_seen
        self.epochs_seen += 1
        if epoch < self.start_from_epoch:
            return False
        self.wait += 1
        if self._is_improvement(value):
            self.best = value
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = copy.deepcopy(weights)
            self.wait = 0
            return False
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            return True
        return False
