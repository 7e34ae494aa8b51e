"""Exercises of lesson 00 (overfitting, splits, k-fold cross-validation, capacity)."""

from __future__ import annotations

from typing import Any

import numpy as np

from coursekit.data import split_indices
from coursekit.exercises.core import Case, Exercise, Seed, show
from coursekit.reference.capacity import polynomial_features
from coursekit.reference.cross_validation import kfold_indices


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


def _kfold_folds(
    n_samples: int, k: int, rng: np.random.Generator
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Reference of the k-fold exercise: :func:`kfold_indices`'s folds, as a list of pairs."""
    return list(kfold_indices(n_samples, k, rng=rng))


def _kfold_cases(rng: np.random.Generator) -> list[Case]:
    seed = int(rng.integers(1_000_000))
    return [
        Case("100 examples, 5 folds", (100, 5), {"rng": Seed(seed)}),
        Case("10 examples, 3 folds (sizes 4, 3, 3)", (10, 3), {"rng": Seed(seed + 1)}),
        Case("53 examples, 10 folds (3 folds get one more)", (53, 10), {"rng": Seed(seed + 2)}),
        Case("7 examples, 7 folds (leave-one-out)", (7, 7), {"rng": Seed(seed + 3)}),
        Case("2 examples, 2 folds (the smallest)", (2, 2), {"rng": Seed(seed + 4)}),
        Case("30 examples, 4 folds", (30, 4), {"rng": Seed(seed + 5)}),
    ]


def _judge_kfold(expected: list, got: Any) -> str:
    """Accept any shuffle: what matters is the fold sizes, the partition and train = the rest."""
    if type(got) not in (list, tuple):
        return (
            f"return a list of {len(expected)} (train, val) pairs, got {show(got)}. A generator "
            "(a function with yield) cannot be checked: collect its pairs in a list."
        )
    if len(got) != len(expected):
        return f"there should be k = {len(expected)} folds, one (train, val) pair each, got {len(got)}."
    n_samples = sum(len(val) for _, val in expected)
    for fold, pair in enumerate(got):
        if type(pair) not in (tuple, list) or len(pair) != 2:
            return f"fold {fold} should be a pair (train, val) of index arrays, got {show(pair)}."
        for name, part in zip(("train", "val"), pair, strict=True):
            if type(part) is not np.ndarray or part.ndim != 1:
                return f"the {name} part of fold {fold} should be a 1-D numpy array of indices."
            if not np.issubdtype(part.dtype, np.integer):
                return f"the {name} indices of fold {fold} should be integers, got dtype {part.dtype}."
            if len(part) and (part.min() < 0 or part.max() >= n_samples):
                return f"indices must lie in 0..{n_samples - 1}; fold {fold} has one outside."
    expected_sizes = [len(val) for _, val in expected]
    got_sizes = [len(val) for _, val in got]
    if got_sizes != expected_sizes:
        return _fold_size_message(expected_sizes, got_sizes, n_samples)
    validated = np.concatenate([val for _, val in got])
    if len(np.unique(validated)) != n_samples:
        return (
            "some index is validated twice and another never: the k validation folds must be "
            "disjoint and together hold every index exactly once."
        )
    for fold, (train, val) in enumerate(got):
        if len(train) != n_samples - len(val) or not np.array_equal(
            np.union1d(train, val), np.arange(n_samples)
        ):
            return (
                f"in fold {fold}, train should hold every index that is not in that fold's val "
                f"({n_samples - len(val)} of them, none shared with val), got {len(train)}."
            )
    if min(got_sizes) >= 5 and all(_is_block(val) for _, val in got):
        return (
            "every validation fold is a consecutive block of 0..n-1, so the folds are not random: "
            "shuffle with rng before cutting (sorting each part afterwards is fine)."
        )
    return ""


def _fold_size_message(expected: list[int], got: list[int], n_samples: int) -> str:
    """Why the validation folds have the wrong sizes: lost indices, uneven or misordered folds."""
    if sum(got) != n_samples:
        return (
            f"the validation folds should hold all {n_samples} indices between them (every index "
            f"is validated once), got {sum(got)} (fold sizes {got}). With n_samples % k != 0 the "
            "remainder must go somewhere."
        )
    if max(got) - min(got) > 1:
        return (
            f"fold sizes should differ by at most 1, expected {expected}, got {got}: spread the "
            "remainder n_samples % k over the folds, one extra index each, instead of giving it "
            "all to one fold."
        )
    return (
        f"the validation fold sizes should be {expected} (as in scikit-learn, the first "
        f"n_samples % k folds get one extra index), got {got}."
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
    Exercise(
        name="kfold_indices",
        lesson="00",
        reference=_kfold_folds,
        make_cases=_kfold_cases,
        hint="k-fold cross-validation shuffles the indices once, with the generator it is given, "
            "and cuts the shuffled order into k folds of nearly equal size. Each fold is the "
            "validation part once; the training part is every other index. Return all k pairs "
            "together, as a list.",
        hint_detail="shuffle with rng.permutation, then cut the shuffled order into k pieces "
            "whose sizes differ by at most 1, the first n_samples % k of them one index longer "
            "(numpy's array_split cuts exactly like that). For each piece, train is the rest: "
            "numpy's setdiff1d of the full range and the piece. Return a list of (train, val) "
            "tuples.",
        judge=_judge_kfold,
        reproducible=True,
    ),
)
