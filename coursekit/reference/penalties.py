"""Parameter norm penalties (L1, L2, elastic net) and decoupled weight decay.

Conventions are exactly those of ``keras.regularizers`` in Keras 3:

* ``L1(l1)``: ``l1 * sum(|w|)``
* ``L2(l2)``: ``l2 * sum(w ** 2)`` (no factor 1/2, no division by the number of examples)
* ``L1L2(l1, l2)``: the sum of the two.

Keras adds the penalty once per training step to the mean data loss of the batch. Textbooks that
write ``lambda / (2 m) * sum(w ** 2)`` use another scale for the same idea: their ``lambda``
equals ``2 * m * l2``.

The strengths ``l1`` and ``l2`` are any finite numbers ``>= 0``. There is no upper bound: the
strength is *not* a mixing weight in ``[0, 1]``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from coursekit.reference._validation import as_float_array, check_nonnegative, describe

Weights = np.ndarray | Sequence[np.ndarray]


def _as_weight_list(w: object) -> tuple[list[np.ndarray], bool]:
    """Return ``(arrays, was_list)`` for an array or a list/tuple of arrays."""
    if isinstance(w, (list, tuple)):
        if len(w) == 0:
            raise ValueError("w must be an array or a non-empty list of arrays, got an empty list.")
        return [as_float_array(array, f"w[{i}]") for i, array in enumerate(w)], True
    return [as_float_array(w, "w")], False


def _total(arrays: list[np.ndarray], elementwise) -> float:
    return float(sum(float(np.sum(elementwise(array))) for array in arrays))


def l1_penalty(w: Weights, l1: float) -> float:
    """L1 penalty ``l1 * sum(|w|)``, as ``keras.regularizers.L1(l1)`` computes it.

    Parameters
    ----------
    w : ndarray of any shape, or list of ndarrays
        Weights (floating dtype). With a list, the penalty is summed over all arrays.
    l1 : float
        Strength, in ``[0, inf)``.

    Returns
    -------
    float
        The penalty.
    """
    arrays, _ = _as_weight_list(w)
    l1 = check_nonnegative(l1, "l1")
    return l1 * _total(arrays, np.abs)


def l2_penalty(w: Weights, l2: float) -> float:
    """L2 penalty ``l2 * sum(w ** 2)``, as ``keras.regularizers.L2(l2)`` computes it.

    Parameters
    ----------
    w : ndarray of any shape, or list of ndarrays
        Weights (floating dtype). With a list, the penalty is summed over all arrays.
    l2 : float
        Strength, in ``[0, inf)``. Note the absence of a factor 1/2.

    Returns
    -------
    float
        The penalty.
    """
    arrays, _ = _as_weight_list(w)
    l2 = check_nonnegative(l2, "l2")
    return l2 * _total(arrays, np.square)


def l1_l2_penalty(w: Weights, l1: float, l2: float) -> float:
    """Elastic-net penalty ``l1 * sum(|w|) + l2 * sum(w ** 2)`` (``keras.regularizers.L1L2``).

    Parameters
    ----------
    w : ndarray of any shape, or list of ndarrays
        Weights (floating dtype).
    l1, l2 : float
        Strengths, each in ``[0, inf)``.

    Returns
    -------
    float
        The penalty.
    """
    return l1_penalty(w, l1) + l2_penalty(w, l2)


def _map(w: Weights, gradient) -> np.ndarray | list[np.ndarray]:
    arrays, was_list = _as_weight_list(w)
    grads = [gradient(array) for array in arrays]
    return grads if was_list else grads[0]


def l1_penalty_grad(w: Weights, l1: float) -> np.ndarray | list[np.ndarray]:
    """Gradient of :func:`l1_penalty`: ``l1 * sign(w)``.

    ``|w|`` has no derivative at 0; the subgradient 0 is used there (``np.sign(0) == 0``).

    Parameters
    ----------
    w : ndarray of any shape, or list of ndarrays
        Weights (floating dtype).
    l1 : float
        Strength, in ``[0, inf)``.

    Returns
    -------
    ndarray, or list of ndarrays when ``w`` is a list or tuple
        Same shapes and dtypes as ``w``.
    """
    l1 = check_nonnegative(l1, "l1")
    return _map(w, lambda array: l1 * np.sign(array))


def l2_penalty_grad(w: Weights, l2: float) -> np.ndarray | list[np.ndarray]:
    """Gradient of :func:`l2_penalty`: ``2 * l2 * w``.

    Parameters
    ----------
    w : ndarray of any shape, or list of ndarrays
        Weights (floating dtype).
    l2 : float
        Strength, in ``[0, inf)``.

    Returns
    -------
    ndarray, or list of ndarrays when ``w`` is a list or tuple
        Same shapes and dtypes as ``w``.
    """
    l2 = check_nonnegative(l2, "l2")
    return _map(w, lambda array: (2 * l2) * array)


def l1_l2_penalty_grad(w: Weights, l1: float, l2: float) -> np.ndarray | list[np.ndarray]:
    """Gradient of :func:`l1_l2_penalty`: ``l1 * sign(w) + 2 * l2 * w`` (subgradient 0 at 0).

    Parameters
    ----------
    w : ndarray of any shape, or list of ndarrays
        Weights (floating dtype).
    l1, l2 : float
        Strengths, each in ``[0, inf)``.

    Returns
    -------
    ndarray, or list of ndarrays when ``w`` is a list or tuple
        Same shapes and dtypes as ``w``.
    """
    l1 = check_nonnegative(l1, "l1")
    l2 = check_nonnegative(l2, "l2")
    return _map(w, lambda array: l1 * np.sign(array) + (2 * l2) * array)


def weight_decay_step(
    w: np.ndarray, grad: np.ndarray, lr: float, weight_decay: float
) -> np.ndarray:
    """One step with decoupled weight decay: ``w - lr * grad - lr * weight_decay * w``.

    The decay shrinks the weights directly instead of entering the loss. This is the update of
    AdamW (Loshchilov & Hutter 2019, "Decoupled Weight Decay Regularization"; Keras
    ``keras.optimizers.AdamW(weight_decay=...)``), where ``grad`` is Adam's update direction.

    Under plain SGD, where ``grad`` is the gradient of the data loss, an L2 penalty
    ``l2 * sum(w ** 2)`` (Keras convention) gives exactly the same step as decoupled decay with
    ``weight_decay = 2 * l2``. Under adaptive optimizers such as Adam the two differ, because the
    penalty's gradient is rescaled per weight by the optimizer while decoupled decay is not.

    Parameters
    ----------
    w : ndarray of any shape
        Current weights (floating dtype).
    grad : ndarray of the shape of ``w``
        Update direction: the data-loss gradient for SGD, the optimizer's direction otherwise.
    lr : float
        Learning rate, in ``[0, inf)``.
    weight_decay : float
        Decay per unit learning rate, in ``[0, inf)``.

    Returns
    -------
    ndarray of the shape of ``w``
        The new weights (``w`` is not modified).
    """
    w = as_float_array(w, "w")
    grad = as_float_array(grad, "grad")
    if grad.shape != w.shape:
        raise ValueError(f"grad must have the shape of w, {w.shape}, got {describe(grad)}.")
    lr = check_nonnegative(lr, "lr")
    weight_decay = check_nonnegative(weight_decay, "weight_decay")
    return w - lr * grad - (lr * weight_decay) * w
