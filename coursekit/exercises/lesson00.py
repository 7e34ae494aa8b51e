"""Exercises of lesson 00 (overfitting, splits, capacity)."""

from __future__ import annotations

from typing import Any

import numpy as np

from coursekit.data import split_indices
from coursekit.exercises.core import Case, Exercise, Seed
from coursekit.reference.capacity import polynomial_features


def _polynomial_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case("five points, degree 3", (rng.uniform(-1, 1, 5), 3)),
        Case("degree 0 (a constant model)", (rng.uniform(-1, 1, 4), 0)),
        Case("one point, degree 5", (rng.uniform(0, 1, 1), 5)),
        Case("all-zero input", (np.zeros(3), 2)),
        Case("float32 input keeps float32", (rng.uniform(0, 1, 6).astype(np.float32), 4)),
        Case("twenty points, degree 12", (rng.uniform(0, 1, 20), 12)),
    ]


def _split_cases(rng: np.random.Generator) -> list[Case]:
    seed = int(rng.integers(1_000_000))
    return [
        Case("100 examples, 20% / 20%", (100, 0.2, 0.2), {"rng": Seed(seed)}),
        Case("10 examples, 30% / 10%", (10, 0.3, 0.1), {"rng": Seed(seed + 1)}),
        Case("no test set", (50, 0.25, 0.0), {"rng": Seed(seed + 2)}),
        Case("odd sizes that need rounding", (37, 0.15, 0.15), {"rng": Seed(seed + 3)}),
        Case("a half to round (2.5 rounds to 2)", (10, 0.25, 0.25), {"rng": Seed(seed + 4)}),
    ]


def _judge_split(expected: tuple, got: Any) -> str:
    """Accept any shuffle: what matters is sizes, disjointness, coverage and integer indices."""
    if type(got) not in (tuple, list) or len(got) != 3:
        return "return a tuple of three index arrays: (train, val, test)."
    names = ("train", "val", "test")
    for name, part in zip(names, got, strict=True):
        if type(part) is not np.ndarray or part.ndim != 1:
            return f"the {name} part should be a 1-D numpy array of indices."
        if not np.issubdtype(part.dtype, np.integer):
            return f"the {name} indices should be integers, got dtype {part.dtype}."
    n_samples = sum(len(part) for part in expected)
    # The sizes of val and test are the ones computed; train is what is left, so judge it last.
    for index in (1, 2, 0):
        message = _size_message(names[index], len(expected[index]), len(got[index]), n_samples)
        if message:
            return message
    everything = np.concatenate(got)
    if len(np.unique(everything)) != len(everything):
        return "an index appears in more than one part (or twice): the parts must be disjoint."
    if everything.min(initial=0) < 0 or everything.max(initial=0) >= n_samples:
        return f"indices must lie in 0..{n_samples - 1}."
    if len(got[0]) > 5 and all(_is_block(part) for part in got):
        return (
            "each part is a consecutive block of 0..n-1, so the split is not random: shuffle "
            "with rng before cutting (sorting each part afterwards is fine)."
        )
    return ""


def _size_message(name: str, expected: int, got: int, n_samples: int) -> str:
    """Why a part of the split has the wrong size, naming the part that was computed wrong."""
    if got == expected:
        return ""
    if name == "train":
        return (
            f"the train part should hold {expected} indices, the rest (n_samples = {n_samples} "
            f"minus the val and test parts), got {got}."
        )
    usual = ""
    if got == expected - 1:
        usual = " int() cuts the product down; round() goes to the nearest integer."
    elif got == expected + 1:
        usual = (
            " If you rounded half up (int(x + 0.5), math.ceil): Python's round() rounds halves "
            "to even, round(2.5) == 2."
        )
    return (
        f"the {name} part should hold {expected} indices, round({name}_fraction * n_samples), "
        f"got {got}.{usual}"
    )


def _is_block(part: np.ndarray) -> bool:
    """Whether ``part`` holds consecutive integers (in any order)."""
    return len(part) == 0 or int(part.max()) - int(part.min()) == len(part) - 1


EXERCISES = (
    Exercise(
        name="polynomial_features",
        lesson="00",
        reference=polynomial_features,
        make_cases=_polynomial_cases,
        hint="column k of the result holds x to the power k, for every k from 0 to degree, so "
            "there are degree + 1 columns and column 0 is all ones. Think of raising a column of "
            "x to a whole row of exponents at once, and of the dtype each operand brings.",
        hint_detail="broadcast an (n, 1) view of x against the exponents 0, 1, ..., degree. Make "
            "the exponents in x's own dtype: an integer or float64 array of exponents turns a "
            "float32 input into float64.",
        rtol=1e-6,
    ),
    Exercise(
        name="split_indices",
        lesson="00",
        reference=split_indices,
        make_cases=_split_cases,
        hint="a split shuffles all indices once, with the generator it is given, then cuts the "
            "shuffled order into three disjoint parts that together hold every index exactly "
            "once.",
        hint_detail="shuffle with rng.permutation; the validation and the test part each get "
            "round(fraction * n_samples) indices (Python's round, which rounds halves to even; "
            "int() would cut them down), and the training part gets the rest. Return (train, val, "
            "test).",
        judge=_judge_split,
        reproducible=True,
    ),
)
