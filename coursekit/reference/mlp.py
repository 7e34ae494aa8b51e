"""A small numpy multilayer perceptron that combines every technique of the course.

The network is ``Dense -> [BatchNormalization or LayerNormalization] -> ReLU -> [Dropout]`` for
each hidden layer, then ``Dense -> softmax``, trained on the mean categorical cross-entropy (with optional label
smoothing) plus L1/L2 penalties on the kernels. It follows the Keras conventions of the other
reference modules, so a sweep over ``l2`` or ``rate`` here means what it means in Keras:

* the penalties ``l1 * sum|W| + l2 * sum W**2`` are summed over kernels only (Keras
  ``kernel_regularizer``), added once to the batch's mean data loss, and included in the
  reported ``loss`` and ``val_loss``;
* dropout is inverted dropout, ``rate`` is the fraction dropped;
* with batch norm or layer norm the hidden Dense layers have no bias (``use_bias=False`` in
  Keras: the bias would be cancelled by the mean, and ``beta`` plays its role);
* ``max_norm`` is ``kernel_constraint=keras.constraints.MaxNorm(max_norm)`` on every Dense
  layer: each kernel column is projected back into the ball after every update;
* ``fit(..., mixup_alpha=...)`` mixes every training batch with :func:`mixup` before the step;
* the loss is computed from the logits, as Keras does for a softmax output layer.

It is vectorized and small enough for sweeps of dozens of models in a notebook cell, and its
gradients are checked numerically in the tests.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from coursekit.reference._validation import (
    as_float_array,
    check_fraction,
    check_nonnegative,
    check_rate,
    check_rng,
    describe,
)
from coursekit.reference.augmentation import mixup
from coursekit.reference.batchnorm import BatchNormCache, batchnorm_backward, batchnorm_forward
from coursekit.reference.constraints import max_norm as max_norm_projection
from coursekit.reference.dropout import dropout_backward, dropout_forward
from coursekit.reference.early_stopping import EarlyStopper
from coursekit.reference.label_smoothing import (
    categorical_crossentropy,
    softmax,
    softmax_crossentropy_grad,
)
from coursekit.reference.layernorm import LayerNormCache, layernorm_backward, layernorm_forward
from coursekit.reference.penalties import l1_l2_penalty, l1_l2_penalty_grad, weight_decay_step

#: Keras defaults of ``keras.optimizers.Adam``.
ADAM_BETA_1 = 0.9
ADAM_BETA_2 = 0.999
ADAM_EPSILON = 1e-7


@dataclass
class History:
    """Per-epoch metrics of :meth:`MLP.fit`, laid out like Keras's ``History``.

    Attributes
    ----------
    history : dict of str to list of float
        ``"loss"`` and ``"accuracy"`` (training, averaged over the epoch's batches in training
        mode, as Keras reports them), plus ``"val_loss"`` and ``"val_accuracy"`` (inference
        mode, at the end of the epoch) when validation data were given. Losses include the
        penalties.
    epoch : list of int
        Indices of the epochs run, from 0.
    """

    history: dict[str, list[float]] = field(default_factory=dict)
    epoch: list[int] = field(default_factory=list)


@dataclass
class _LayerCache:
    """What the backward pass needs from one Dense layer (and what follows it if hidden)."""

    inputs: np.ndarray
    active: np.ndarray | None = None
    batchnorm: BatchNormCache | None = None
    layernorm: LayerNormCache | None = None
    dropout_mask: np.ndarray | None = None


class _Adam:
    """Adam's update direction in Keras's formula; the caller multiplies it by the learning rate.

    Keras updates ``w -= lr * sqrt(1 - beta_2**t) / (1 - beta_1**t) * m / (sqrt(v) + epsilon)``,
    so the direction is everything after ``lr``.
    """

    def __init__(self, params: dict[str, np.ndarray]) -> None:
        self.first_moments = {name: np.zeros_like(value) for name, value in params.items()}
        self.second_moments = {name: np.zeros_like(value) for name, value in params.items()}

    def direction(self, name: str, grad: np.ndarray, iteration: int) -> np.ndarray:
        first = self.first_moments[name]
        second = self.second_moments[name]
        first += (grad - first) * (1 - ADAM_BETA_1)
        second += (np.square(grad) - second) * (1 - ADAM_BETA_2)
        correction = np.sqrt(1 - ADAM_BETA_2**iteration) / (1 - ADAM_BETA_1**iteration)
        return correction * first / (np.sqrt(second) + ADAM_EPSILON)


def _check_int(value: object, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int >= {minimum}, got {describe(value)}.")
    if value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}.")
    return int(value)


class MLP:
    """Multilayer perceptron with L1/L2 penalties, dropout, batch or layer norm, max-norm and
    label smoothing.

    Parameters
    ----------
    layer_sizes : sequence of int
        ``(n_features, hidden_1, ..., hidden_k, n_classes)``, each >= 1, at least 2 entries.
        With 2 entries the model is a softmax regression.
    l1, l2 : float, default=0.0
        Kernel penalty strengths (Keras ``L1L2``), each in ``[0, inf)``.
    rate : float, default=0.0
        Dropout rate after every hidden ReLU, the fraction dropped, in ``[0, 1)``.
    batch_norm : bool, default=False
        Insert batch normalization between every hidden Dense layer and its ReLU.
    layer_norm : bool, default=False
        Insert layer normalization (Ba et al. 2016, Keras ``LayerNormalization``) between every
        hidden Dense layer and its ReLU instead. Cannot be combined with ``batch_norm``.
    momentum : float, default=0.99
        Batch-norm momentum (Keras convention), in ``[0, 1]``.
    epsilon : float, default=1e-3
        Batch-norm and layer-norm epsilon, in ``[0, inf)`` (both Keras defaults are 1e-3).
    max_norm : float or None, default=None
        If given, the ``max_value`` of a max-norm constraint on every kernel (Keras
        ``kernel_constraint=MaxNorm(max_norm)``, ``axis=0``), in ``[0, inf)``: after every
        update of :meth:`fit`, each column (the weights into one unit) is projected back to a
        norm of at most ``max_norm`` (Srivastava et al. 2014). The initial weights are not
        projected, as in Keras.
    label_smoothing : float, default=0.0
        Label smoothing of the cross-entropy, in ``[0, 1]``.
    dtype : {"float64", "float32"}, default="float64"
        Dtype of the parameters and of all computations; inputs are cast to it. Use float64 for
        gradient checks.
    rng : numpy.random.Generator or int
        Initializes the weights: He normal for hidden kernels (suited to ReLU), Glorot uniform
        (the Keras default) for the output kernel, zeros for biases and ``beta``, ones for
        ``gamma``.

    Attributes
    ----------
    params : dict of str to ndarray
        Trainable parameters: ``kernel_i`` of shape (layer_sizes[i], layer_sizes[i + 1]),
        ``bias_i`` of shape (layer_sizes[i + 1],), and with batch norm or layer norm
        ``gamma_i``/``beta_i`` of shape (layer_sizes[i + 1],) instead of the hidden ``bias_i``. Training updates them
        in place.
    moving_stats : dict of str to ndarray
        With batch norm, ``moving_mean_i`` (zeros) and ``moving_var_i`` (ones) of every hidden
        layer ``i``; empty otherwise.
    """

    def __init__(
        self,
        layer_sizes: Sequence[int],
        *,
        l1: float = 0.0,
        l2: float = 0.0,
        rate: float = 0.0,
        batch_norm: bool = False,
        layer_norm: bool = False,
        momentum: float = 0.99,
        epsilon: float = 1e-3,
        max_norm: float | None = None,
        label_smoothing: float = 0.0,
        dtype: str = "float64",
        rng: np.random.Generator | int,
    ) -> None:
        if isinstance(layer_sizes, (str, bytes)) or not isinstance(layer_sizes, Sequence):
            raise TypeError(f"layer_sizes must be a sequence of ints, got {describe(layer_sizes)}.")
        if len(layer_sizes) < 2:
            raise ValueError(
                "layer_sizes must have at least 2 entries (n_features, ..., n_classes), "
                f"got {describe(layer_sizes)}."
            )
        self.layer_sizes = tuple(
            _check_int(size, f"layer_sizes[{i}]", 1) for i, size in enumerate(layer_sizes)
        )
        self.l1 = check_nonnegative(l1, "l1")
        self.l2 = check_nonnegative(l2, "l2")
        self.rate = check_rate(rate)
        if not isinstance(batch_norm, (bool, np.bool_)):
            raise TypeError(f"batch_norm must be True or False, got {describe(batch_norm)}.")
        self.batch_norm = bool(batch_norm)
        if not isinstance(layer_norm, (bool, np.bool_)):
            raise TypeError(f"layer_norm must be True or False, got {describe(layer_norm)}.")
        if batch_norm and layer_norm:
            raise ValueError(
                "batch_norm and layer_norm cannot both be True: each hidden layer has one "
                "normalization; choose one."
            )
        self.layer_norm = bool(layer_norm)
        self.max_norm = None if max_norm is None else check_nonnegative(max_norm, "max_norm")
        self.momentum = check_fraction(momentum, "momentum")
        self.epsilon = check_nonnegative(epsilon, "epsilon")
        self.label_smoothing = check_fraction(label_smoothing, "label_smoothing")
        if dtype not in ("float64", "float32"):
            raise ValueError(f'dtype must be "float64" or "float32", got {describe(dtype)}.')
        self.dtype = np.dtype(dtype)
        self.params: dict[str, np.ndarray] = {}
        self.moving_stats: dict[str, np.ndarray] = {}
        self._initialize(check_rng(rng))

    @property
    def n_hidden(self) -> int:
        """Number of hidden layers."""
        return len(self.layer_sizes) - 2

    def _initialize(self, generator: np.random.Generator) -> None:
        for i in range(self.n_hidden + 1):
            fan_in, fan_out = self.layer_sizes[i], self.layer_sizes[i + 1]
            if i < self.n_hidden:
                kernel = generator.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out))
            else:
                limit = np.sqrt(6.0 / (fan_in + fan_out))
                kernel = generator.uniform(-limit, limit, size=(fan_in, fan_out))
            self.params[f"kernel_{i}"] = kernel.astype(self.dtype)
            if i < self.n_hidden and (self.batch_norm or self.layer_norm):
                self.params[f"gamma_{i}"] = np.ones(fan_out, dtype=self.dtype)
                self.params[f"beta_{i}"] = np.zeros(fan_out, dtype=self.dtype)
            if i < self.n_hidden and self.batch_norm:
                self.moving_stats[f"moving_mean_{i}"] = np.zeros(fan_out, dtype=self.dtype)
                self.moving_stats[f"moving_var_{i}"] = np.ones(fan_out, dtype=self.dtype)
            elif not (i < self.n_hidden and self.layer_norm):
                self.params[f"bias_{i}"] = np.zeros(fan_out, dtype=self.dtype)

    def get_weights(self) -> dict[str, np.ndarray]:
        """Copies of all parameters and moving statistics, for :meth:`set_weights`."""
        weights = {name: value.copy() for name, value in self.params.items()}
        weights.update({name: value.copy() for name, value in self.moving_stats.items()})
        return weights

    def set_weights(self, weights: dict[str, np.ndarray]) -> None:
        """Copy ``weights`` (as returned by :meth:`get_weights`) into the model, in place."""
        expected = set(self.params) | set(self.moving_stats)
        if not isinstance(weights, dict) or set(weights) != expected:
            raise ValueError(
                f"weights must be a dict with the keys {sorted(expected)}, got {describe(weights)}."
            )
        for name, value in weights.items():
            target = self.params[name] if name in self.params else self.moving_stats[name]
            if np.shape(value) != target.shape:
                raise ValueError(
                    f"weights[{name!r}] must have shape {target.shape}, got {describe(value)}."
                )
            target[...] = value

    def _check_X(self, X: object) -> np.ndarray:
        X = as_float_array(X, "X", ndim=2)
        if X.shape[1] != self.layer_sizes[0]:
            raise ValueError(
                f"X must have {self.layer_sizes[0]} columns (layer_sizes[0]), got {describe(X)}."
            )
        return X.astype(self.dtype, copy=False)

    def _check_targets(self, y: object, name: str, n_rows: int) -> np.ndarray:
        """One-hot targets of shape (n_rows, n_classes) from labels or one-hot rows."""
        n_classes = self.layer_sizes[-1]
        y = np.asarray(y)
        if y.ndim == 1 and np.issubdtype(y.dtype, np.integer):
            if y.size and (y.min() < 0 or y.max() >= n_classes):
                raise ValueError(
                    f"{name} must hold class labels in [0, {n_classes - 1}], got values from "
                    f"{y.min()} to {y.max()}."
                )
            onehot = np.zeros((y.size, n_classes), dtype=self.dtype)
            onehot[np.arange(y.size), y] = 1
        elif y.ndim == 2 and y.shape[1] == n_classes:
            onehot = as_float_array(y, name).astype(self.dtype, copy=False)
        else:
            raise ValueError(
                f"{name} must be integer labels of shape (n,) or one-hot rows of shape "
                f"(n, {n_classes}), got {describe(y)}."
            )
        if onehot.shape[0] != n_rows:
            raise ValueError(f"{name} must have {n_rows} rows like X, got {describe(y)}.")
        return onehot

    def _kernels(self) -> list[np.ndarray]:
        return [self.params[f"kernel_{i}"] for i in range(self.n_hidden + 1)]

    def _forward(
        self, X: np.ndarray, training: bool, rng: object
    ) -> tuple[np.ndarray, list[_LayerCache], dict[str, np.ndarray]]:
        """Logits, per-layer caches and the moving statistics a training step would set."""
        use_dropout = training and self.rate > 0
        generator = check_rng(rng) if use_dropout else None
        caches = []
        new_stats = {}
        hidden = X
        for i in range(self.n_hidden):
            pre_activation = hidden @ self.params[f"kernel_{i}"]
            batchnorm_cache = layernorm_cache = None
            if self.layer_norm:
                pre_activation, layernorm_cache = layernorm_forward(
                    pre_activation,
                    self.params[f"gamma_{i}"],
                    self.params[f"beta_{i}"],
                    epsilon=self.epsilon,
                )
            elif self.batch_norm:
                pre_activation, batchnorm_cache, new_mean, new_var = batchnorm_forward(
                    pre_activation,
                    self.params[f"gamma_{i}"],
                    self.params[f"beta_{i}"],
                    self.moving_stats[f"moving_mean_{i}"],
                    self.moving_stats[f"moving_var_{i}"],
                    momentum=self.momentum,
                    epsilon=self.epsilon,
                    training=training,
                )
                new_stats[f"moving_mean_{i}"] = new_mean
                new_stats[f"moving_var_{i}"] = new_var
            else:
                pre_activation = pre_activation + self.params[f"bias_{i}"]
            active = pre_activation > 0
            activation = np.where(active, pre_activation, 0)
            mask = None
            if use_dropout:
                activation, mask = dropout_forward(activation, self.rate, generator)
            caches.append(_LayerCache(hidden, active, batchnorm_cache, layernorm_cache, mask))
            hidden = activation
        output = self.n_hidden
        logits = hidden @ self.params[f"kernel_{output}"] + self.params[f"bias_{output}"]
        caches.append(_LayerCache(hidden))
        return logits, caches, new_stats

    def _loss(self, y_onehot: np.ndarray, logits: np.ndarray) -> float:
        data_loss = categorical_crossentropy(
            y_onehot, logits, self.label_smoothing, from_logits=True
        )
        if not (self.l1 or self.l2):  # skip a sum of zeros in the training loop
            return data_loss
        return data_loss + l1_l2_penalty(self._kernels(), self.l1, self.l2)

    def _backward(
        self, y_onehot: np.ndarray, logits: np.ndarray, caches: list[_LayerCache]
    ) -> dict[str, np.ndarray]:
        grads = {}
        upstream = softmax_crossentropy_grad(y_onehot, logits, self.label_smoothing)
        for i in reversed(range(self.n_hidden + 1)):
            cache = caches[i]
            if cache.dropout_mask is not None:
                upstream = dropout_backward(upstream, cache.dropout_mask, self.rate)
            if cache.active is not None:
                upstream = np.where(cache.active, upstream, 0)
            if cache.batchnorm is not None:
                upstream, grads[f"gamma_{i}"], grads[f"beta_{i}"] = batchnorm_backward(
                    upstream, cache.batchnorm
                )
            if cache.layernorm is not None:
                upstream, grads[f"gamma_{i}"], grads[f"beta_{i}"] = layernorm_backward(
                    upstream, cache.layernorm
                )
            if f"bias_{i}" in self.params:
                grads[f"bias_{i}"] = upstream.sum(axis=0)
            kernel = self.params[f"kernel_{i}"]
            grads[f"kernel_{i}"] = cache.inputs.T @ upstream
            if self.l1 or self.l2:
                grads[f"kernel_{i}"] += l1_l2_penalty_grad(kernel, self.l1, self.l2)
            upstream = upstream @ kernel.T
        return grads

    def _step(
        self, X: np.ndarray, y_onehot: np.ndarray, training: bool, rng: object
    ) -> tuple[float, dict[str, np.ndarray], dict[str, np.ndarray], np.ndarray]:
        logits, caches, new_stats = self._forward(X, training, rng)
        loss = self._loss(y_onehot, logits)
        return loss, self._backward(y_onehot, logits, caches), new_stats, logits

    def loss_and_grads(
        self,
        X: np.ndarray,
        y_onehot: np.ndarray,
        *,
        training: bool = True,
        rng: np.random.Generator | int | None = None,
    ) -> tuple[float, dict[str, np.ndarray]]:
        """Total loss (mean cross-entropy + penalties) and its gradient, without side effects.

        Parameters
        ----------
        X : ndarray of shape (n, layer_sizes[0])
            Inputs (floating dtype; cast to the model's dtype).
        y_onehot : ndarray of shape (n, n_classes), or int labels of shape (n,)
            Targets (before label smoothing).
        training : bool, default=True
            Training mode: batch statistics and dropout. Inference: moving statistics, no
            dropout. The moving statistics are *not* updated here.
        rng : numpy.random.Generator or int, optional
            Draws the dropout masks; required in training mode when ``rate > 0``. Passing the
            same int seed again gives the same masks (what a gradient check needs).

        Returns
        -------
        loss : float
            ``categorical_crossentropy + l1 * sum|W| + l2 * sum W**2`` over all kernels.
        grads : dict of str to ndarray
            Gradient of ``loss`` for every entry of :attr:`params`, same names and shapes.
        """
        X = self._check_X(X)
        y_onehot = self._check_targets(y_onehot, "y_onehot", X.shape[0])
        loss, grads, _, _ = self._step(X, y_onehot, training, rng)
        return loss, grads

    def predict_logits(self, X: np.ndarray) -> np.ndarray:
        """Logits (the output layer's scores before the softmax) in inference mode.

        Parameters
        ----------
        X : ndarray of shape (n, layer_sizes[0])
            Inputs.

        Returns
        -------
        ndarray of shape (n, n_classes)
            ``softmax`` of these rows is :meth:`predict_proba`. Unlike ``log(predict_proba(X))``
            they stay finite however large the gap between two classes grows (in float64 a
            probability underflows to 0 once its logit is about 745 below the largest).
        """
        logits, _, _ = self._forward(self._check_X(X), training=False, rng=None)
        return logits

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Class probabilities in inference mode.

        Parameters
        ----------
        X : ndarray of shape (n, layer_sizes[0])
            Inputs.

        Returns
        -------
        ndarray of shape (n, n_classes)
            Softmax probabilities; rows sum to 1.
        """
        return softmax(self.predict_logits(X))

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Predicted class labels, int array of shape (n,), in inference mode."""
        return self.predict_proba(X).argmax(axis=1)

    def evaluate(self, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        """Loss (with penalties, as Keras reports it) and accuracy in inference mode.

        Parameters
        ----------
        X : ndarray of shape (n, layer_sizes[0])
            Inputs.
        y : ndarray of int labels, shape (n,), or one-hot rows of shape (n, n_classes)
            Targets.

        Returns
        -------
        loss, accuracy : float
        """
        X = self._check_X(X)
        y_onehot = self._check_targets(y, "y", X.shape[0])
        logits, _, _ = self._forward(X, training=False, rng=None)
        accuracy = float(np.mean(logits.argmax(axis=1) == y_onehot.argmax(axis=1)))
        return self._loss(y_onehot, logits), accuracy

    def fit(
        self,
        X: np.ndarray,
        y: np.ndarray,
        *,
        X_val: np.ndarray | None = None,
        y_val: np.ndarray | None = None,
        epochs: int,
        batch_size: int = 32,
        lr: float = 0.01,
        optimizer: str = "sgd",
        weight_decay: float = 0.0,
        mixup_alpha: float = 0.0,
        early_stopping: EarlyStopper | None = None,
        monitor: str = "val_loss",
        rng: np.random.Generator | int,
    ) -> History:
        """Train with minibatches; returns the per-epoch history. Nothing is printed.

        Parameters
        ----------
        X : ndarray of shape (n, layer_sizes[0])
            Training inputs.
        y : ndarray of int labels, shape (n,), or one-hot rows of shape (n, n_classes)
            Training targets.
        X_val, y_val : ndarray, optional
            Validation data (both or neither), evaluated in inference mode after every epoch.
        epochs : int
            Maximum number of epochs, >= 1.
        batch_size : int, default=32
            Minibatch size, >= 1; the last batch of an epoch may be smaller. Use ``n`` for
            full-batch training.
        lr : float, default=0.01
            Learning rate, in ``[0, inf)``. Keras's defaults are 0.01 for SGD, 0.001 for Adam.
        optimizer : {"sgd", "adam"}, default="sgd"
            Plain SGD, or Adam with Keras's defaults (``beta_1=0.9, beta_2=0.999,
            epsilon=1e-7``) and Keras's update formula.
        weight_decay : float, default=0.0
            Decoupled weight decay on the kernels, in ``[0, inf)``: each step also subtracts
            ``lr * weight_decay * W`` (:func:`~coursekit.reference.penalties.weight_decay_step`).
            With ``optimizer="adam"`` this is AdamW. Unlike Keras's ``AdamW``, which decays
            every variable unless told otherwise, biases and batch-norm parameters are not
            decayed, consistent with the kernel-only penalties.
        mixup_alpha : float, default=0.0
            If > 0, every training batch is replaced by
            ``mixup(X_batch, y_batch_onehot, mixup_alpha, rng=rng)`` before its step (Zhang et
            al. 2018): a batch transform, so each epoch draws fresh mixing weights and
            partners. The training ``accuracy`` is then measured against the argmax of the
            mixed targets. 0 (the default) trains on the batches as they are; in ``[0, inf)``.
        early_stopping : EarlyStopper, optional
            A fresh :class:`~coursekit.reference.early_stopping.EarlyStopper`, updated once per
            epoch with ``history[monitor]``. Training stops when it says so; if it was created
            with ``restore_best_weights=True`` the weights of its best epoch are restored at the
            end of training (as Keras 3 does, whether or not it stopped early).
        monitor : {"val_loss", "val_accuracy", "loss", "accuracy"}, default="val_loss"
            The quantity given to ``early_stopping``. Set the stopper's ``monitor_mode`` to
            ``"max"`` for an accuracy.
        rng : numpy.random.Generator or int
            Shuffles the training set every epoch and draws the dropout masks. The same seed
            gives the same training run.

        Returns
        -------
        History
            Per-epoch ``loss``, ``accuracy`` and, with validation data, ``val_loss`` and
            ``val_accuracy``.
        """
        X = self._check_X(X)
        y_onehot = self._check_targets(y, "y", X.shape[0])
        if (X_val is None) != (y_val is None):
            raise ValueError(
                "X_val and y_val must be given together, got "
                f"X_val={describe(X_val)} and y_val={describe(y_val)}."
            )
        if X_val is not None:
            X_val = self._check_X(X_val)
            self._check_targets(y_val, "y_val", X_val.shape[0])
        epochs = _check_int(epochs, "epochs", 1)
        batch_size = _check_int(batch_size, "batch_size", 1)
        lr = check_nonnegative(lr, "lr")
        weight_decay = check_nonnegative(weight_decay, "weight_decay")
        mixup_alpha = check_nonnegative(mixup_alpha, "mixup_alpha")
        if optimizer not in ("sgd", "adam"):
            raise ValueError(f'optimizer must be "sgd" or "adam", got {describe(optimizer)}.')
        keys = ["loss", "accuracy"] + (["val_loss", "val_accuracy"] if X_val is not None else [])
        if early_stopping is not None and monitor not in keys:
            raise ValueError(f"monitor must be one of {keys}, got {describe(monitor)}.")
        generator = check_rng(rng)

        history = History(history={key: [] for key in keys})
        adam = _Adam(self.params) if optimizer == "adam" else None
        iteration = 0
        n = X.shape[0]
        for epoch in range(epochs):
            order = generator.permutation(n)
            loss_sum = 0.0
            correct = 0
            for start in range(0, n, batch_size):
                batch = order[start : start + batch_size]
                X_batch, y_batch = X[batch], y_onehot[batch]
                if mixup_alpha > 0:
                    X_batch, y_batch = mixup(X_batch, y_batch, mixup_alpha, rng=generator)
                loss, grads, new_stats, logits = self._step(
                    X_batch, y_batch, training=True, rng=generator
                )
                loss_sum += loss * batch.size
                correct += int(np.sum(logits.argmax(axis=1) == y_batch.argmax(axis=1)))
                iteration += 1
                for name, grad in grads.items():
                    direction = grad if adam is None else adam.direction(name, grad, iteration)
                    param = self.params[name]
                    if weight_decay and name.startswith("kernel_"):
                        param[...] = weight_decay_step(param, direction, lr, weight_decay)
                    else:
                        param -= lr * direction
                if self.max_norm is not None:
                    for kernel in self._kernels():
                        kernel[...] = max_norm_projection(kernel, self.max_norm, axis=0)
                for name, value in new_stats.items():
                    self.moving_stats[name][...] = value
            history.epoch.append(epoch)
            history.history["loss"].append(loss_sum / n)
            history.history["accuracy"].append(correct / n)
            if X_val is not None:
                val_loss, val_accuracy = self.evaluate(X_val, y_val)
                history.history["val_loss"].append(val_loss)
                history.history["val_accuracy"].append(val_accuracy)
            if early_stopping is not None:
                weights = self.get_weights() if early_stopping.restore_best_weights else None
                if early_stopping.update(history.history[monitor][-1], weights):
                    break
        if early_stopping is not None and early_stopping.restore_best_weights:
            if early_stopping.best_weights is not None:
                self.set_weights(early_stopping.best_weights)
        return history
