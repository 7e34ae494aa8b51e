"""Solutions of lesson 06 (label smoothing with Keras's conventions)."""

import numpy as np


def smooth_labels(y_onehot, smoothing):
    num_classes = y_onehot.shape[-1]
    return y_onehot * (1.0 - smoothing) + smoothing / num_classes


def smoothed_categorical_crossentropy(y_true, y_pred, label_smoothing=0.0):
    num_classes = y_true.shape[-1]
    targets = y_true * (1.0 - label_smoothing) + label_smoothing / num_classes
    # Keras rescales each row to sum to 1, then clips, so log(0) never happens.
    probs = y_pred / np.sum(y_pred, axis=-1, keepdims=True)
    probs = np.clip(probs, 1e-7, 1.0 - 1e-7)
    per_row = -np.sum(targets * np.log(probs), axis=-1)
    return float(np.mean(per_row))


def smoothed_binary_crossentropy(y_true, y_pred, label_smoothing=0.0):
    # Binary smoothing pulls both targets towards 0.5: 1 -> 1 - s/2 and 0 -> s/2.
    targets = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    probs = np.clip(y_pred, 1e-7, 1.0 - 1e-7)
    losses = -(targets * np.log(probs) + (1 - targets) * np.log(1 - probs))
    return float(np.mean(losses))
