"""Small Keras 3 model builders shared by the lessons.

Importing this module imports Keras (and TensorFlow). Call
:func:`coursekit.session.setup_notebook` first so that the import is quiet and deterministic.
"""

from __future__ import annotations

from collections.abc import Sequence

from coursekit.session import quiet_tensorflow_environment

quiet_tensorflow_environment()

import keras  # noqa: E402  (must follow the environment set-up above)


def build_mlp(
    input_shape: Sequence[int], num_classes: int, *, hidden_units: Sequence[int] = (256,),
    rate: float = 0.0, l1: float = 0.0, l2: float = 0.0, batch_norm: bool = False,
    learning_rate: float = 1e-2, label_smoothing: float = 0.0, name: str = "mlp",
) -> keras.Model:
    """A compiled multilayer perceptron classifier with optional regularizers.

    Parameters
    ----------
    input_shape : sequence of int
        Shape of one example, e.g. ``(8, 8)`` for the digits (it is flattened first).
    num_classes : int
        Number of classes; the output is a softmax over them.
    hidden_units : sequence of int, default=(256,)
        Width of each hidden ReLU layer.
    rate : float, default=0.0
        Dropout rate (fraction of units dropped) after each hidden layer; 0 means no dropout.
    l1, l2 : float, default=0.0
        Strengths of ``keras.regularizers.L1L2`` on every kernel (not on biases); any value >= 0.
    batch_norm : bool, default=False
        Insert ``BatchNormalization`` between each hidden Dense layer and its activation.
    learning_rate : float, default=1e-2
        Adam's learning rate.
    label_smoothing : float, default=0.0
        Passed to ``CategoricalCrossentropy``; labels must then be one-hot.

    Returns
    -------
    keras.Model
        Compiled with Adam, accuracy as metric, and sparse (integer) labels when
        ``label_smoothing == 0``, one-hot labels otherwise.
    """
    regularizer = keras.regularizers.L1L2(l1=l1, l2=l2) if (l1 or l2) else None
    layers: list[keras.layers.Layer] = [keras.Input(shape=tuple(input_shape)), keras.layers.Flatten()]
    for index, units in enumerate(hidden_units):
        layers.append(
            keras.layers.Dense(
                units, kernel_regularizer=regularizer, use_bias=not batch_norm, name=f"dense_{index}"
            )
        )
        if batch_norm:
            layers.append(keras.layers.BatchNormalization(name=f"batch_norm_{index}"))
        layers.append(keras.layers.Activation("relu"))
        if rate:
            layers.append(keras.layers.Dropout(rate, name=f"dropout_{index}"))
    layers.append(
        keras.layers.Dense(num_classes, activation="softmax", kernel_regularizer=regularizer,
                           name="output")
    )
    model = keras.Sequential(layers, name=name)
    if label_smoothing:
        loss = keras.losses.CategoricalCrossentropy(label_smoothing=label_smoothing)
    else:
        loss = keras.losses.SparseCategoricalCrossentropy()
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate), loss=loss, metrics=["accuracy"]
    )
    return model
