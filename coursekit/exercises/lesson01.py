"""Exercises of lesson 01 (norm penalties: L1, L2, an SGD step with L2, and a max-norm constraint).

All strengths follow Keras 3: ``L1(l1)`` adds ``l1 * sum|w|`` and ``L2(l2)`` adds
``l2 * sum w**2`` (no 1/2, no division by the number of examples). The learner's functions take
one weight array; the references accept lists too, which the cases never use.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from coursekit.exercises.core import Case, CaseOutcome, Exercise, compare
from coursekit.gradcheck import GOOD_THRESHOLD, check_gradient
from coursekit.reference.constraints import EPSILON, max_norm
from coursekit.reference.penalties import l1_penalty, l1_penalty_grad, l2_penalty, l2_penalty_grad

#: A gradient of the learner within this relative error of central differences passes.
GRADIENT_THRESHOLD = GOOD_THRESHOLD


def _away_from_zero(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Weights with |w| in [0.1, 2], so |w| is differentiable within a finite-difference step."""
    return rng.uniform(0.1, 2.0, shape) * rng.choice([-1.0, 1.0], shape)


def _penalty_cases(rng: np.random.Generator, name: str) -> list[Case]:
    with_zeros = rng.normal(size=8)
    with_zeros[[1, 4]] = 0.0
    return [
        Case("a vector of 6 weights", (rng.normal(size=6), 0.01)),
        Case("a 4x3 kernel", (rng.normal(size=(4, 3)), 0.1)),
        Case(f"{name} = 0 (no penalty)", (rng.normal(size=5), 0.0)),
        Case(f"a large strength, {name} = 50 (valid: there is no upper bound)", (rng.normal(size=5), 50.0)),
        Case("a single weight", (np.array([-1.5]), 0.3)),
        Case("all-zero weights", (np.zeros((3, 2)), 0.2)),
        Case("some weights exactly 0", (with_zeros, 0.05)),
        Case("float32 weights", (rng.normal(size=(5, 2)).astype(np.float32), 0.01)),
    ]


def _l1_cases(rng: np.random.Generator) -> list[Case]:
    return _penalty_cases(rng, "l1")


def _l2_cases(rng: np.random.Generator) -> list[Case]:
    return _penalty_cases(rng, "l2")


def _gradient_check(penalty: Callable, strength: float) -> Callable:
    """An extra check: the learner's gradient equals central differences of the penalty."""

    def run(function: Callable, rng: np.random.Generator) -> CaseOutcome:
        label = "numerical gradient check"
        w = _away_from_zero(rng, (3, 4))
        try:
            analytic = function(w.copy(), strength)
        except NotImplementedError:
            raise
        except Exception as error:  # the learner's bug is reported, never propagated
            return CaseOutcome(label, False, f"your function raised {type(error).__name__}: {error}")
        if type(analytic) is not np.ndarray or analytic.shape != w.shape:
            return CaseOutcome(label, False, f"the gradient must be an array of shape {w.shape}.")
        result = check_gradient(
            lambda x: penalty(x, strength), w, analytic, threshold=GRADIENT_THRESHOLD
        )
        if result.passed:
            return CaseOutcome(label, True)
        return CaseOutcome(
            label, False,
            f"relative error {result.max_relative_error:.2g} against central differences "
            f"(should be below {GRADIENT_THRESHOLD:g}).",
        )

    return run


def _sgd_step_l2(w: np.ndarray, grad: np.ndarray, lr: float, l2: float) -> np.ndarray:
    """One plain gradient-descent step on ``data loss + l2 * sum(w**2)``.

    ``grad`` is the gradient of the data loss alone, so the step is
    ``w - lr * (grad + 2 * l2 * w)``.
    """
    return w - lr * (grad + l2_penalty_grad(w, l2))


def _sgd_cases(rng: np.random.Generator) -> list[Case]:
    w, grad = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    return [
        Case("a 4x3 kernel", (w, grad, 0.1, 0.01)),
        Case("l2 = 0 (a plain gradient step)", (rng.normal(size=5), rng.normal(size=5), 0.1, 0.0)),
        Case("learning rate 0 (nothing moves)", (rng.normal(size=5), rng.normal(size=5), 0.0, 0.3)),
        Case("zero data gradient (pure decay)", (rng.normal(size=6), np.zeros(6), 0.5, 0.1)),
        Case("a single weight", (np.array([2.0]), np.array([0.5]), 0.1, 0.25)),
        Case(
            "float32 weights and gradient",
            (rng.normal(size=(3, 2)).astype(np.float32), rng.normal(size=(3, 2)).astype(np.float32),
             0.05, 0.01),
        ),
    ]


def _sgd_matches_gradient(function: Callable, rng: np.random.Generator) -> CaseOutcome:
    """The step taken, divided by -lr, is the numerical gradient of data loss + penalty."""
    label = "step follows the numerical gradient of a least-squares loss + L2"
    A, b = rng.normal(size=(6, 4)), rng.normal(size=6)
    w = rng.normal(size=4)
    lr, l2 = 0.1, 0.2

    def total_loss(x: np.ndarray) -> float:
        return 0.5 * float(np.sum((A @ x - b) ** 2)) + l2_penalty(x, l2)

    data_grad = A.T @ (A @ w - b)
    try:
        new_w = function(w.copy(), data_grad, lr, l2)
    except NotImplementedError:
        raise
    except Exception as error:  # the learner's bug is reported, never propagated
        return CaseOutcome(label, False, f"your function raised {type(error).__name__}: {error}")
    if type(new_w) is not np.ndarray or new_w.shape != w.shape:
        return CaseOutcome(label, False, f"the new weights must be an array of shape {w.shape}.")
    implied_gradient = (w - new_w) / lr
    result = check_gradient(total_loss, w.copy(), implied_gradient, threshold=GRADIENT_THRESHOLD)
    if result.passed:
        return CaseOutcome(label, True)
    return CaseOutcome(
        label, False,
        f"(w - new_w) / lr differs from the numerical gradient by relative error "
        f"{result.max_relative_error:.2g}.",
    )


def _kernel_with_norms(rng: np.random.Generator, n_inputs: int, norms: list[float]) -> np.ndarray:
    """A kernel of shape (n_inputs, len(norms)) whose column j has Euclidean norm ``norms[j]``."""
    directions = rng.normal(size=(n_inputs, len(norms)))
    return directions / np.linalg.norm(directions, axis=0) * np.array(norms)


def _max_norm_cases(rng: np.random.Generator) -> list[Case]:
    with_zero_column = _kernel_with_norms(rng, 5, [3.0, 1.0, 1.0])
    with_zero_column[:, 1] = 0.0
    return [
        Case("a 6x4 kernel, two columns above max_value = 2",
             (_kernel_with_norms(rng, 6, [3.0, 1.0, 5.0, 0.5]), 2.0)),
        Case("every column already inside the bound (left as it is, up to Keras's epsilon)",
             (_kernel_with_norms(rng, 4, [0.3, 1.2, 1.9]), 2.0)),
        Case("a larger bound, max_value = 3.5", (_kernel_with_norms(rng, 8, [7.0, 3.0, 4.0]), 3.5)),
        Case("float32 kernel keeps float32",
             (_kernel_with_norms(rng, 6, [4.0, 0.5, 2.5]).astype(np.float32), 2.0)),
        Case("an all-zero column stays zero (no 0/0)", (with_zero_column, 2.0)),
        Case("a column of norm 1e-6, where Keras's epsilon shows",
             (_kernel_with_norms(rng, 3, [1e-6, 2.5]), 1.0)),
        Case("max_value = 0 squashes every column to zero", (_kernel_with_norms(rng, 4, [1.0, 3.0]), 0.0)),
        Case("a single unit, kernel of shape (5, 1)", (_kernel_with_norms(rng, 5, [6.0]), 2.0)),
    ]


def _judge_max_norm(expected: np.ndarray, got: object) -> str:
    """Compare with the reference; on a mismatch, name the usual mistake from the outputs."""
    message = compare(expected, got, rtol=1e-5, atol=1e-9)
    if not message or type(got) is not np.ndarray or got.shape != expected.shape:
        return message
    if np.isnan(got).any():
        return (
            "your result has NaN where a column is all zeros: 0/0. Keras divides by the norms plus "
            f"a small epsilon ({EPSILON:g}), so a zero column stays zero."
        )
    expected_norms = np.linalg.norm(expected.astype(np.float64), axis=0)
    got_norms = np.linalg.norm(got.astype(np.float64), axis=0)
    bound = expected_norms.max()
    if got.shape[1] > 1 and np.ptp(got_norms) < 1e-4 * got_norms.max() < np.ptp(expected_norms):
        return (
            f"every column of your result has the same norm, {got_norms[0]:.4g}, but a column "
            "already inside the ball should be left (almost) as it is: clip each norm at "
            "max_value instead of rescaling every column to it."
        )
    if (got_norms > bound * (1 + 1e-5) + 1e-9).any():
        column = int(np.argmax(got_norms))
        return (
            f"column {column} of your result has norm {got_norms[column]:.4g}, above the bound "
            f"({bound:.4g} here): each column, the weights coming into one unit (norms over axis "
            "0), must be scaled back into the ball."
        )
    tiny = expected_norms < 1e-5
    mismatch = ~np.isclose(got_norms, expected_norms, rtol=1e-5, atol=1e-12)
    if (mismatch & tiny).any():
        return (
            "a column of tiny norm differs: Keras scales by clip(norm, 0, max_value) / (epsilon + "
            f"norm) with epsilon = {EPSILON:g}, so a column of norm 1e-6 shrinks by about 9%. "
            f"Got norm {got_norms[mismatch & tiny][0]:.4g}, expected {expected_norms[mismatch & tiny][0]:.4g}."
        )
    inside = expected_norms < bound * (1 - 1e-4)
    if (mismatch & inside).any():
        column = int(np.flatnonzero(mismatch & inside)[0])
        return (
            f"column {column} was already inside the ball (norm {expected_norms[column]:.4g}) and "
            f"should be left (almost) as it is, but your result has norm {got_norms[column]:.4g}: "
            "clip each norm at max_value instead of rescaling every column to it."
        )
    return message


def _judge_rtol(rtol: float) -> Callable:
    # float32 sums may round differently from the reference's order of summation.
    return lambda expected, got: compare(expected, got, rtol=rtol, atol=1e-10)


EXERCISES = (
    Exercise(
        name="l1_penalty",
        lesson="01",
        reference=l1_penalty,
        make_cases=_l1_cases,
        hint="compare your number with the definition of Keras's L1 regularizer: a plain sum "
            "over every entry of w, with no mean and no extra factor. Return a plain number.",
        hint_detail="Keras's L1(l1) is l1 times the sum of the absolute values of every entry of "
            "w (all axes): no mean, no extra factor. Convert the result to a Python float.",
        judge=_judge_rtol(1e-5),
    ),
    Exercise(
        name="l2_penalty",
        lesson="01",
        reference=l2_penalty,
        make_cases=_l2_cases,
        hint="compare your number with the definition of Keras's L2 regularizer: a plain sum "
            "over every entry of w, with no 1/2, no mean and no 1/(2m). Return a plain number.",
        hint_detail="Keras's L2(l2) is l2 times the sum of the squares of every entry of w (all "
            "axes): no 1/2, no mean, no 1/(2m). Convert the result to a Python float.",
        judge=_judge_rtol(1e-5),
    ),
    Exercise(
        name="l1_penalty_grad",
        lesson="01",
        reference=l1_penalty_grad,
        make_cases=_l1_cases,
        hint="the gradient of l1 * |w| is taken entry by entry; its size does not depend on how "
            "large an entry is, only on its sign. What should it be where an entry is exactly 0?",
        hint_detail="each entry of the gradient is l1 times the sign of that entry of w, and 0 "
            "where w is 0 (numpy's sign function gives both). Keep the shape and dtype of w.",
        extra_checks=(_gradient_check(l1_penalty, 0.3),),
    ),
    Exercise(
        name="l2_penalty_grad",
        lesson="01",
        reference=l2_penalty_grad,
        make_cases=_l2_cases,
        hint="differentiate the penalty of l2_penalty entry by entry. Keras's penalty has no 1/2 "
            "in front, so nothing cancels the factor 2 that the power rule brings down.",
        hint_detail="the derivative of l2 times w squared is l2 times w times the factor 2, "
            "which stays because Keras's penalty has no 1/2. Keep the shape and dtype of w.",
        extra_checks=(_gradient_check(l2_penalty, 0.3),),
    ),
    Exercise(
        name="sgd_step_l2",
        lesson="01",
        reference=_sgd_step_l2,
        make_cases=_sgd_cases,
        hint="a step moves against the gradient of the whole objective, the data loss plus the "
            "penalty. Return a new array rather than changing w.",
        hint_detail="the penalty's gradient is the one of l2_penalty_grad; add it to grad, scale "
            "the sum by lr and subtract it from w, working on a new array (no -= on w).",
        extra_checks=(_sgd_matches_gradient,),
    ),
    Exercise(
        name="max_norm",
        lesson="01",
        reference=max_norm,
        make_cases=_max_norm_cases,
        hint="a max-norm constraint looks at each unit's incoming weight vector (one column of a "
            "Dense kernel) and, only if its length exceeds max_value, shrinks it back onto the "
            "ball of that radius. Keep the shape and dtype of w.",
        hint_detail="compute one Euclidean norm per column (over axis 0, keeping the dimension "
            "so it broadcasts), clip the norms to the interval from 0 to max_value, and multiply w "
            "by the clipped norm divided by (epsilon + norm), with Keras's epsilon 1e-7. Cast "
            "back to w's dtype.",
        judge=_judge_max_norm,
    ),
)
