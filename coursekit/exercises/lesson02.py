"""Exercises of lesson 02 (dropout): inverted dropout forward, backward, and the mode switch.

The forward exercises are compared with :func:`coursekit.reference.dropout.dropout_forward`
on the same random generator, so the learner draws the mask exactly as the reference does:
one call ``rng.random(x.shape)``, keeping a unit where the draw is ``>= rate``. When the result
differs, the judge names the usual mistake (a flipped mask, keep probability used as the rate,
a missing or wrong ``1 / (1 - rate)`` scale, dropping or scaling at inference).
At inference the layer must return a copy of ``x``, never ``x`` itself or a view of it
(:func:`_inference_copy_check`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from coursekit.exercises.core import Case, CaseOutcome, Exercise, Seed, compare, show
from coursekit.gradcheck import GOOD_THRESHOLD, check_gradient
from coursekit.reference.dropout import dropout_backward, dropout_forward


def _training_forward(
    x: np.ndarray, rate: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Reference of the first exercise: inverted dropout in training mode."""
    return dropout_forward(x, rate, rng, training=True)


def _activations(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Non-negative activations, as after a ReLU, with no exact zeros."""
    return rng.uniform(0.1, 3.0, size=shape)


def _forward_cases(rng: np.random.Generator) -> list[Case]:
    seed = int(rng.integers(1_000_000))
    return [
        Case("4 x 5 activations, rate 0.5", (_activations(rng, (4, 5)), 0.5, Seed(seed))),
        Case("200 x 50 activations, rate 0.2", (_activations(rng, (200, 50)), 0.2, Seed(seed + 1))),
        Case("rate 0.8 (most units dropped)", (_activations(rng, (50, 40)), 0.8, Seed(seed + 2))),
        Case("rate 0 (an exact identity)", (_activations(rng, (3, 6)), 0.0, Seed(seed + 3))),
        Case("batch of one", (_activations(rng, (1, 7)), 0.3, Seed(seed + 4))),
        Case("all-zero input", (np.zeros((5, 4)), 0.5, Seed(seed + 5))),
        Case(
            "float32 input keeps float32",
            (_activations(rng, (6, 8)).astype(np.float32), 0.25, Seed(seed + 6)),
        ),
        Case("images of shape (2, 3, 4)", (rng.normal(size=(2, 3, 4)), 0.4, Seed(seed + 7))),
    ]


def _switch_cases(rng: np.random.Generator) -> list[Case]:
    seed = int(rng.integers(1_000_000))
    cases = []
    for training in (True, False):
        mode = "training" if training else "inference"
        cases += [
            Case(
                f"{mode}, 30 x 20 activations, rate 0.5",
                (_activations(rng, (30, 20)), 0.5, Seed(seed)),
                {"training": training},
            ),
            Case(
                f"{mode}, rate 0.8",
                (_activations(rng, (40, 25)), 0.8, Seed(seed + 1)),
                {"training": training},
            ),
            Case(
                f"{mode}, float32 batch of one",
                (_activations(rng, (1, 9)).astype(np.float32), 0.3, Seed(seed + 2)),
                {"training": training},
            ),
        ]
    cases.append(
        Case("training, rate 0", (_activations(rng, (4, 4)), 0.0, Seed(seed + 3)), {"training": True})
    )
    return cases


def _as_mask(value: Any, shape: tuple[int, ...]) -> tuple[np.ndarray | None, str]:
    """The learner's mask as booleans, or a message saying why it is not a valid mask."""
    if type(value) is not np.ndarray:
        return None, f"the mask should be a numpy array of shape {shape}, got {show(value)}."
    if value.shape != shape:
        return None, f"the mask should have the shape of x, {shape}, got shape {value.shape}."
    if value.dtype == np.bool_:
        return value, ""
    if not np.issubdtype(value.dtype, np.number) or not np.isin(value, (0, 1)).all():
        return None, "the mask should be boolean (True where a unit is kept), or hold only 0 and 1."
    return value == 1, ""


def _diagnose_mask(expected: np.ndarray, got: np.ndarray) -> str:
    if np.array_equal(got, ~expected) and expected.size > 1:
        return (
            "your mask is exactly the opposite of the expected one: rate is the fraction "
            "DROPPED, so keep a unit where rng.random(x.shape) >= rate."
        )
    if expected.all():
        return (
            f"no unit should be dropped here (rate 0, or training=False), but your mask drops "
            f"{int((~got).sum())} of {got.size}."
        )
    kept_expected, kept_got = expected.mean(), got.mean()
    if expected.size >= 100 and abs(kept_got - (1 - kept_expected)) < abs(kept_got - kept_expected):
        return (
            f"your mask keeps {kept_got:.0%} of the units where {kept_expected:.0%} should be "
            "kept: you used rate as the keep probability. rate is the fraction dropped."
        )
    return (
        f"the mask differs at {int((expected != got).sum())} of {expected.size} entries. Draw it "
        "with one call, keep = rng.random(x.shape) >= rate, so it matches the reference's mask."
    )


def _diagnose_scale(expected: np.ndarray, got: np.ndarray, mask: np.ndarray) -> str:
    """Explain wrong output values when the mask is right."""
    if np.any(got[~mask] != 0):
        return "dropped units must be exactly 0 in the output."
    kept = mask & (expected != 0)
    if not kept.any():
        return ""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = got[kept].astype(np.float64) / expected[kept].astype(np.float64)
    if np.all(np.isfinite(ratio)) and np.ptp(ratio) < 1e-3 * abs(ratio[0]) and abs(ratio[0] - 1) > 1e-4:
        return (
            f"the kept units are {ratio[0]:.3g} times what they should be. In training, divide "
            "each kept unit by (1 - rate); at inference (training=False) nothing is scaled."
        )
    return ""


def _judge_dropout(expected: tuple, got: Any) -> str:
    """Compare ``(out, mask)`` with the reference's and name the usual mistakes."""
    if type(got) not in (tuple, list) or len(got) != 2:
        return f"return a pair (out, mask), got {show(got)}."
    expected_out, expected_mask = expected
    got_out, got_mask = got
    mask, message = _as_mask(got_mask, expected_mask.shape)
    if mask is None:
        return message
    if not np.array_equal(mask, expected_mask):
        return _diagnose_mask(expected_mask, mask)
    message = compare(expected_out, got_out, rtol=1e-6, atol=1e-8, where="out")
    if message and type(got_out) is np.ndarray and got_out.shape == expected_out.shape:
        return _diagnose_scale(expected_out, got_out, mask) or message
    return message


def _backward_cases(rng: np.random.Generator) -> list[Case]:
    def pair(shape: tuple[int, ...], rate: float, dtype: str = "float64") -> tuple:
        dout = rng.normal(size=shape).astype(dtype)
        mask = rng.random(shape) >= rate
        return dout, mask, rate

    return [
        Case("4 x 5 gradient, rate 0.5", pair((4, 5), 0.5)),
        Case("100 x 30 gradient, rate 0.2", pair((100, 30), 0.2)),
        Case("rate 0.8", pair((20, 10), 0.8)),
        Case("rate 0 (the gradient passes unchanged)", (rng.normal(size=(3, 4)), np.ones((3, 4), bool), 0.0)),
        Case("batch of one", pair((1, 6), 0.3)),
        Case("all-zero upstream gradient", (np.zeros((4, 3)), rng.random((4, 3)) >= 0.5, 0.5)),
        Case("every unit dropped", (rng.normal(size=(2, 5)), np.zeros((2, 5), bool), 0.5)),
        Case("float32 keeps float32", pair((6, 7), 0.25, "float32")),
    ]


def _gradient_check(function: Any, rng: np.random.Generator) -> CaseOutcome:
    """Numerical gradient check of the backward pass through the forward with a fixed mask."""
    label = "numerical gradient check"
    seed = int(rng.integers(1_000_000))
    rate = 0.4
    x = rng.normal(size=(6, 5))
    dout = rng.normal(size=(6, 5))
    _, mask = dropout_forward(x, rate, seed)
    try:
        dx = function(dout.copy(), mask.copy(), rate)
    except NotImplementedError:
        raise
    except Exception as error:  # the learner's bug is reported, never propagated
        return CaseOutcome(label, False, f"your function raised {type(error).__name__}: {error}")
    if type(dx) is not np.ndarray or dx.shape != x.shape or not np.issubdtype(dx.dtype, np.floating):
        return CaseOutcome(label, False, f"dx should be a float array of shape {x.shape}, got {show(dx)}.")
    result = check_gradient(lambda v: dropout_forward(v, rate, seed)[0], x, dx, dout=dout)
    if result.passed:
        return CaseOutcome(label, True)
    return CaseOutcome(
        label,
        False,
        f"your dx differs from the central-difference gradient of the forward pass with the same "
        f"mask (max relative error {result.max_relative_error:.2g}, must be < {GOOD_THRESHOLD:g}).",
    )


def _inference_copy_check(function: Any, rng: np.random.Generator) -> CaseOutcome:
    """At inference the layer returns a copy of x: changing the output must not change x."""
    label = "inference returns a copy of x"
    x = _activations(rng, (4, 6))
    try:
        got = function(x, 0.5, np.random.default_rng(int(rng.integers(1_000_000))), training=False)
    except NotImplementedError:
        raise
    except Exception as error:  # the learner's bug is reported, never propagated
        return CaseOutcome(label, False, f"your function raised {type(error).__name__}: {error}")
    out = got[0] if type(got) in (tuple, list) and len(got) == 2 else None
    if type(out) is np.ndarray and np.shares_memory(out, x):
        return CaseOutcome(
            label, False,
            "with training=False, out is x itself (or a view of it), so changing out would change "
            "the caller's x: return a copy.",
        )
    return CaseOutcome(label, True)


EXERCISES = (
    Exercise(
        name="dropout_forward",
        lesson="02",
        reference=_training_forward,
        make_cases=_forward_cases,
        hint="rate is the fraction of units DROPPED. Inverted dropout decides once per unit "
            "whether to keep it, and scales the kept units up so that the expected output equals "
            "the input.",
        hint_detail="draw the mask with a single rng.random call of x's shape, keeping a unit "
            "where its draw is at least rate; kept units are divided by the keep probability, "
            "dropped ones are exactly 0, in x's dtype. Return the pair (out, mask).",
        judge=_judge_dropout,
    ),
    Exercise(
        name="dropout_backward",
        lesson="02",
        reference=dropout_backward,
        make_cases=_backward_cases,
        hint="once the mask is drawn, the forward pass multiplies each unit by a constant. The "
            "backward pass multiplies the upstream gradient by the same constant.",
        hint_detail="that constant is 0 for a dropped unit and the inverse of the keep "
            "probability for a kept one; multiply dout by it entry by entry, in dout's dtype.",
        extra_checks=(_gradient_check,),
    ),
    Exercise(
        name="dropout_layer",
        lesson="02",
        reference=dropout_forward,
        make_cases=_switch_cases,
        hint="training=True is exactly dropout_forward. At inference nothing is dropped and "
            "nothing is scaled, but the caller still gets a pair (out, mask), and out is a new "
            "array.",
        hint_detail="in training return what dropout_forward returns. With training=False return "
            "a copy of x (not x itself, so that changing out never changes x) and a boolean mask "
            "of x's shape that keeps every unit.",
        judge=_judge_dropout,
        extra_checks=(_inference_copy_check,),
    ),
)
