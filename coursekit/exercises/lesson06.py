"""Exercises of lesson 06 (label smoothing and calibration).

All three are judged against :mod:`coursekit.reference.label_smoothing`, which matches Keras 3:

* ``smooth_labels`` mixes one-hot rows with the uniform distribution, ``y * (1 - s) + s / K``;
* ``smoothed_categorical_crossentropy`` equals ``keras.losses.CategoricalCrossentropy(
  label_smoothing=s)`` on probabilities, including the clipping to ``[1e-7, 1 - 1e-7]``;
* ``smoothed_binary_crossentropy`` equals ``keras.losses.BinaryCrossentropy(label_smoothing=s)``,
  whose targets become ``s / 2`` and ``1 - s / 2``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from coursekit.exercises.core import Case, Exercise, compare
from coursekit.reference.label_smoothing import (
    binary_crossentropy,
    categorical_crossentropy,
    smooth_labels,
    softmax,
)

# --- Exercise 1: smoothing one-hot labels -----------------------------------------------------


def _onehot(labels: np.ndarray, num_classes: int, dtype: type = np.float64) -> np.ndarray:
    return np.eye(num_classes, dtype=dtype)[labels]


def _smooth_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case("8 rows, 10 classes, smoothing 0.1", (_onehot(rng.integers(0, 10, 8), 10), 0.1)),
        Case("smoothing 0 leaves the labels unchanged", (_onehot(rng.integers(0, 4, 5), 4), 0.0)),
        Case("smoothing 1 gives the uniform distribution", (_onehot(rng.integers(0, 5, 3), 5), 1.0)),
        Case("a batch of one, 3 classes, smoothing 0.3", (_onehot(np.array([0]), 3), 0.3)),
        Case("two classes, smoothing 0.2", (_onehot(rng.integers(0, 2, 6), 2), 0.2)),
        Case(
            "float32 labels keep float32",
            (_onehot(rng.integers(0, 7, 4), 7, np.float32), float(rng.uniform(0.05, 0.5))),
        ),
        Case(
            "random smoothing, 6 classes",
            (_onehot(rng.integers(0, 6, 10), 6), float(rng.uniform(0.05, 0.9))),
        ),
    ]


def _diagnose_smoothing(expected: np.ndarray, got: np.ndarray) -> str:
    """Name a classic wrong convention when ``got`` matches one; "" otherwise.

    The cases are one-hot rows with at least one zero per row, so the smoothing ``s`` and the
    one-hot rows can be recovered from the expected result: its smallest entry is ``s / K``.
    """
    num_classes = expected.shape[-1]
    smoothing = float(expected.min()) * num_classes
    if not 0 < smoothing < 1:
        return ""
    onehot = np.round((expected - smoothing / num_classes) / (1 - smoothing))
    candidates = {
        "1 - s on the true class and s / (K - 1) on the others": (
            onehot * (1 - smoothing) + (1 - onehot) * smoothing / (num_classes - 1)
        ),
        "y * (1 - s) + s (the s must be shared among the K classes: s / K)": (
            onehot * (1 - smoothing) + smoothing
        ),
        "y * (1 - s), without the uniform share s / K": onehot * (1 - smoothing),
        "y + s / K (you forgot to scale y by 1 - s)": onehot + smoothing / num_classes,
    }
    for description, values in candidates.items():
        if np.allclose(got.astype(np.float64), values, rtol=1e-5, atol=1e-7):
            return (
                f" You computed {description}. Keras uses y * (1 - s) + s / K, so the true "
                f"class gets 1 - s + s/K and every other class s/K; rows still sum to 1."
            )
    return ""


def _judge_smoothing(expected: np.ndarray, got: Any) -> str:
    message = compare(expected, got, rtol=1e-6, atol=1e-7)
    if message and type(got) is np.ndarray and got.shape == expected.shape:
        message += _diagnose_smoothing(expected, got)
    return message


# --- Exercise 2: categorical cross-entropy with label smoothing -------------------------------


def _probabilities(rng: np.random.Generator, n_rows: int, num_classes: int) -> np.ndarray:
    return softmax(rng.normal(0, 2, (n_rows, num_classes)))


def _categorical_cases(rng: np.random.Generator) -> list[Case]:
    labels = rng.integers(0, 10, 6)
    float32_labels = rng.integers(0, 5, 4)
    return [
        Case(
            "6 rows, 10 classes, smoothing 0.1",
            (_onehot(labels, 10), _probabilities(rng, 6, 10), 0.1),
        ),
        Case(
            "smoothing 0 is the plain cross-entropy",
            (_onehot(rng.integers(0, 4, 5), 4), _probabilities(rng, 5, 4), 0.0),
        ),
        Case(
            "one row: true class 0, p = [0.7, 0.2, 0.1], smoothing 0.3 (loss 0.6765)",
            (np.array([[1.0, 0.0, 0.0]]), np.array([[0.7, 0.2, 0.1]]), 0.3),
        ),
        Case(
            "a wrong class predicted with probability exactly 0: clip to [1e-7, 1 - 1e-7]",
            (np.array([[0.0, 1.0, 0.0]]), np.array([[0.0, 0.8, 0.2]]), 0.1),
        ),
        Case(
            "smoothing 1: the targets are uniform",
            (_onehot(rng.integers(0, 3, 4), 3), _probabilities(rng, 4, 3), 1.0),
        ),
        Case(
            "float32 inputs, smoothing 0.2",
            (
                _onehot(float32_labels, 5, np.float32),
                _probabilities(rng, 4, 5).astype(np.float32),
                0.2,
            ),
        ),
        Case(
            "two classes, random smoothing",
            (_onehot(rng.integers(0, 2, 7), 2), _probabilities(rng, 7, 2),
             float(rng.uniform(0.05, 0.5))),
        ),
    ]


# --- Exercise 3: binary cross-entropy with label smoothing ------------------------------------


def _binary_cases(rng: np.random.Generator) -> list[Case]:
    def probabilities(size: int | tuple[int, ...]) -> np.ndarray:
        return 1 / (1 + np.exp(-rng.normal(0, 2, size)))

    return [
        Case(
            "8 examples, smoothing 0.2 (targets 0.1 and 0.9)",
            (rng.integers(0, 2, 8).astype(np.float64), probabilities(8), 0.2),
        ),
        Case(
            "smoothing 0.1: targets 0.05 and 0.95, not 0.1 and 0.9",
            (np.array([0.0, 1.0, 1.0, 0.0]), np.array([0.3, 0.8, 0.6, 0.1]), 0.1),
        ),
        Case(
            "smoothing 0 is the plain binary cross-entropy",
            (rng.integers(0, 2, 5).astype(np.float64), probabilities(5), 0.0),
        ),
        Case(
            "predictions of exactly 0 and 1: clip to [1e-7, 1 - 1e-7]",
            (np.array([1.0, 0.0, 1.0]), np.array([1.0, 0.0, 0.0]), 0.2),
        ),
        Case("a single example", (np.array([1.0]), np.array([0.75]), 0.3)),
        Case(
            "smoothing 1: every target is 0.5",
            (rng.integers(0, 2, 4).astype(np.float64), probabilities(4), 1.0),
        ),
        Case(
            "labels of shape (n, 1) as a sigmoid layer outputs them",
            (rng.integers(0, 2, (6, 1)).astype(np.float64), probabilities((6, 1)), 0.15),
        ),
        Case(
            "float32 inputs, random smoothing",
            (rng.integers(0, 2, 6).astype(np.float32), probabilities(6).astype(np.float32),
             float(rng.uniform(0.05, 0.5))),
        ),
    ]


EXERCISES = (
    Exercise(
        name="smooth_labels",
        lesson="06",
        reference=smooth_labels,
        make_cases=_smooth_cases,
        hint="label smoothing mixes each one-hot row with the uniform distribution over the K "
            "classes: the weight smoothing goes to the uniform one, the rest to the row. Keep the "
            "dtype and leave the input unchanged.",
        hint_detail="K is the size of the last axis; scale the rows by (1 - smoothing) and give "
            "every entry its share smoothing / K on top.",
        judge=_judge_smoothing,
    ),
    Exercise(
        name="smoothed_categorical_crossentropy",
        lesson="06",
        reference=categorical_crossentropy,
        make_cases=_categorical_cases,
        hint="smooth the targets first, then take the usual categorical cross-entropy: clip the "
            "probabilities as Keras does, sum over the classes, average over the batch.",
        hint_detail="smooth with the rule of smooth_labels; clip the probabilities to [1e-7, 1 - "
            "1e-7]; each row's loss is minus the sum over classes of target times log "
            "probability; return the mean over rows as a float.",
        rtol=1e-5,
        atol=1e-7,
    ),
    Exercise(
        name="smoothed_binary_crossentropy",
        lesson="06",
        reference=binary_crossentropy,
        make_cases=_binary_cases,
        hint="Keras's binary smoothing pulls every label towards 0.5: a 1 becomes 1 - s/2 and a "
            "0 becomes s/2 (not 1 - s and s). Then it is the usual binary cross-entropy, averaged "
            "over every element.",
        hint_detail="smooth the targets, clip the probabilities to [1e-7, 1 - 1e-7], and each "
            "element's loss is minus (t log p + (1 - t) log(1 - p)); return the mean over every "
            "element as a float.",
        rtol=1e-5,
        atol=1e-7,
    ),
)
