"""Exercises of lesson 03 (batch normalization): forward in training mode, the layer with its
moving statistics in both modes, the backward pass in training mode, and layer normalization
forward and backward (each example normalized over its own features).

Conventions are Keras 3's (:mod:`coursekit.reference.batchnorm`): features on the last axis,
the *biased* batch variance (divide by n), ``epsilon`` inside the square root, and the moving
statistics updated as ``momentum * old + (1 - momentum) * batch``. The learner's functions take
2-D inputs of shape ``(n, features)``.

A judge sees only the expected and the returned values, not the inputs, so the diagnoses below
read the usual mistakes from the outputs themselves: in training mode each output column has
mean ``beta`` (a wrong shift shows there), a column scaled by a constant factor points at the
variance or epsilon, and a ``dx`` whose columns do not sum to zero ignores the batch mean.
Layer normalization is the same with the roles of the axes swapped: statistics per row (axis 1),
so the diagnoses read rows where batch norm's read columns.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from coursekit.exercises.core import Case, CaseOutcome, Exercise, compare, show
from coursekit.gradcheck import check_gradient
from coursekit.reference.batchnorm import batchnorm_backward, batchnorm_forward
from coursekit.reference.layernorm import layernorm_backward, layernorm_forward

#: Batch-norm ``dx`` shows relative errors of 1e-7..1e-6 against central differences from
#: rounding alone (it is a difference of nearly equal terms), so the check allows 1e-6.
GRADIENT_THRESHOLD = 1e-6


def _train_forward(
    x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, epsilon: float = 1e-3
) -> np.ndarray:
    """Reference of exercise 1: the output of batch norm in training mode."""
    features = x.shape[-1]
    zeros, ones = np.zeros(features, x.dtype), np.ones(features, x.dtype)
    return batchnorm_forward(x, gamma, beta, zeros, ones, epsilon=epsilon, training=True)[0]


def _layer(
    x: np.ndarray,
    gamma: np.ndarray,
    beta: np.ndarray,
    moving_mean: np.ndarray,
    moving_var: np.ndarray,
    momentum: float = 0.99,
    epsilon: float = 1e-3,
    training: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Reference of exercise 2: ``(out, new_moving_mean, new_moving_var)`` in either mode."""
    out, _, new_mean, new_var = batchnorm_forward(
        x, gamma, beta, moving_mean, moving_var, momentum, epsilon, training
    )
    return out, new_mean, new_var


def _train_backward(
    dout: np.ndarray, x: np.ndarray, gamma: np.ndarray, epsilon: float = 1e-3
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Reference of exercise 3: ``(dx, dgamma, dbeta)`` of batch norm in training mode."""
    features = x.shape[-1]
    beta = np.zeros(features, x.dtype)
    zeros, ones = np.zeros(features, x.dtype), np.ones(features, x.dtype)
    _, cache, _, _ = batchnorm_forward(x, gamma, beta, zeros, ones, epsilon=epsilon, training=True)
    return batchnorm_backward(dout, cache)


def _layernorm_forward(
    x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, epsilon: float = 1e-3
) -> np.ndarray:
    """Reference of exercise 4: layer normalization of each row of ``x`` over its features."""
    return layernorm_forward(x, gamma, beta, epsilon=epsilon)[0]


def _layernorm_backward(
    dout: np.ndarray, x: np.ndarray, gamma: np.ndarray, epsilon: float = 1e-3
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Reference of exercise 5: ``(dx, dgamma, dbeta)`` of layer normalization."""
    beta = np.zeros(x.shape[-1], x.dtype)
    _, cache = layernorm_forward(x, gamma, beta, epsilon=epsilon)
    return layernorm_backward(dout, cache)


# --- Inputs ------------------------------------------------------------------------------------


def _batch(rng: np.random.Generator, n: int, features: int, dtype: str = "float64") -> np.ndarray:
    """Pre-activations with a different mean and spread in each feature, as a Dense layer gives."""
    means = rng.uniform(-3, 3, features)
    scales = rng.uniform(0.5, 4, features)
    return (means + scales * rng.normal(size=(n, features))).astype(dtype)


def _params(rng: np.random.Generator, features: int, dtype: str = "float64") -> tuple:
    gamma = rng.uniform(0.5, 2.0, features).astype(dtype)
    beta = rng.normal(size=features).astype(dtype)
    return gamma, beta


def _forward_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case("8 x 4 batch", (_batch(rng, 8, 4), *_params(rng, 4))),
        Case("64 x 10 batch", (_batch(rng, 64, 10), *_params(rng, 10))),
        Case(
            "gamma = 1, beta = 0 (outputs have mean 0, variance near 1)",
            (_batch(rng, 16, 3), np.ones(3), np.zeros(3)),
        ),
        Case("a large epsilon = 1", (_batch(rng, 12, 3), *_params(rng, 3)), {"epsilon": 1.0}),
        Case("batch of one (the variance is 0)", (_batch(rng, 1, 5), *_params(rng, 5))),
        Case("all-zero input", (np.zeros((6, 3)), *_params(rng, 3))),
        Case("float32 keeps float32", (_batch(rng, 10, 4, "float32"), *_params(rng, 4, "float32"))),
    ]


def _layer_cases(rng: np.random.Generator) -> list[Case]:
    def stats(features: int, dtype: str = "float64") -> tuple:
        return rng.normal(size=features).astype(dtype), rng.uniform(0.5, 3, features).astype(dtype)

    fresh = (np.zeros(4), np.ones(4))
    return [
        Case(
            "training, the first step of a fresh layer (moving mean 0, variance 1), momentum 0.9",
            (_batch(rng, 16, 4), *_params(rng, 4), *fresh),
            {"momentum": 0.9},
        ),
        Case(
            "training, Keras defaults (momentum 0.99)",
            (_batch(rng, 32, 5), *_params(rng, 5), *stats(5)),
        ),
        Case(
            "inference (training=False), the moving statistics are used and kept",
            (_batch(rng, 16, 4), *_params(rng, 4), *stats(4)),
            {"momentum": 0.9, "training": False},
        ),
        Case(
            "inference, a batch of one",
            (_batch(rng, 1, 3), *_params(rng, 3), *stats(3)),
            {"training": False},
        ),
        Case(
            "training, a batch of one",
            (_batch(rng, 1, 3), *_params(rng, 3), *stats(3)),
            {"momentum": 0.5},
        ),
        Case(
            "training, momentum 0 (the moving statistics become the batch's)",
            (_batch(rng, 8, 3), *_params(rng, 3), *stats(3)),
            {"momentum": 0.0},
        ),
        Case(
            "training, momentum 1 (the moving statistics never change)",
            (_batch(rng, 8, 3), *_params(rng, 3), *stats(3)),
            {"momentum": 1.0},
        ),
        Case(
            "training, all-zero input",
            (np.zeros((5, 3)), *_params(rng, 3), *stats(3)),
            {"momentum": 0.9},
        ),
        Case(
            "inference, float32 keeps float32",
            (_batch(rng, 6, 4, "float32"), *_params(rng, 4, "float32"), *stats(4, "float32")),
            {"training": False},
        ),
        Case(
            "training, float32 keeps float32",
            (_batch(rng, 6, 4, "float32"), *_params(rng, 4, "float32"), *stats(4, "float32")),
        ),
    ]


def _backward_cases(rng: np.random.Generator) -> list[Case]:
    def case(n: int, features: int, dtype: str = "float64") -> tuple:
        x = _batch(rng, n, features, dtype)
        gamma, _ = _params(rng, features, dtype)
        return rng.normal(size=(n, features)).astype(dtype), x, gamma

    x = _batch(rng, 6, 3)
    return [
        Case("8 x 4 batch", case(8, 4)),
        Case("50 x 6 batch", case(50, 6)),
        Case("a large epsilon = 1", case(10, 3), {"epsilon": 1.0}),
        Case("batch of one (dx is exactly zero)", case(1, 4)),
        Case("all-zero upstream gradient", (np.zeros((6, 3)), x, np.ones(3))),
        Case("float32 keeps float32", case(12, 5, "float32")),
    ]


def _rows(rng: np.random.Generator, n: int, features: int, dtype: str = "float64") -> np.ndarray:
    """Examples with a different mean and spread in each row, so per-row statistics matter."""
    means = rng.uniform(-3, 3, (n, 1))
    scales = rng.uniform(0.5, 4, (n, 1))
    return (means + scales * rng.normal(size=(n, features))).astype(dtype)


def _layernorm_forward_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case(
            "gamma = 1, beta = 0 (each output row has mean 0, variance near 1)",
            (_rows(rng, 6, 5), np.ones(5), np.zeros(5)),
        ),
        Case("8 x 4 batch", (_rows(rng, 8, 4), *_params(rng, 4))),
        Case("32 x 10 batch", (_rows(rng, 32, 10), *_params(rng, 10))),
        Case("a large epsilon = 1", (_rows(rng, 6, 3), *_params(rng, 3)), {"epsilon": 1.0}),
        Case("batch of one (layer norm does not need a batch)", (_rows(rng, 1, 6), *_params(rng, 6))),
        Case("batch of two", (_rows(rng, 2, 5), *_params(rng, 5))),
        Case("one feature (its variance is 0: the output is beta)", (_rows(rng, 4, 1), *_params(rng, 1))),
        Case("float32 keeps float32", (_rows(rng, 10, 4, "float32"), *_params(rng, 4, "float32"))),
    ]


def _layernorm_backward_cases(rng: np.random.Generator) -> list[Case]:
    def case(n: int, features: int, dtype: str = "float64") -> tuple:
        x = _rows(rng, n, features, dtype)
        gamma, _ = _params(rng, features, dtype)
        return rng.normal(size=(n, features)).astype(dtype), x, gamma

    x = _rows(rng, 5, 3)
    return [
        Case("8 x 4 batch", case(8, 4)),
        Case("30 x 6 batch", case(30, 6)),
        Case("a large epsilon = 1", case(6, 3), {"epsilon": 1.0}),
        Case("batch of one", case(1, 5)),
        Case("one feature (dx is exactly zero)", case(4, 1)),
        Case("all-zero upstream gradient", (np.zeros((5, 3)), x, np.ones(3))),
        Case("float32 keeps float32", case(12, 5, "float32")),
    ]


# --- Judging -----------------------------------------------------------------------------------


def _tolerances(expected: np.ndarray) -> tuple[float, float]:
    """(rtol, atol) for one array: tight in float64, looser in float32, scaled by the values."""
    scale = max(1.0, float(np.max(np.abs(expected), initial=0.0)))
    if expected.dtype == np.float32:
        return 1e-4, 1e-5 * scale
    return 1e-6, 1e-9 * scale


def _close(expected: np.ndarray, got: Any, where: str) -> str:
    rtol, atol = _tolerances(expected)
    return compare(expected, got, rtol=rtol, atol=atol, where=where)


def _diagnose_normalized(expected: np.ndarray, got: np.ndarray) -> str:
    """Explain a wrong training-mode output from its columns (mean beta, spread gamma)."""
    n = expected.shape[0]
    if n < 2:
        return (
            "With a batch of one, x equals its batch mean, so x - mean is 0 and the output is beta "
            "in every feature."
        )
    e64, g64 = expected.astype(np.float64), got.astype(np.float64)
    mean_expected, mean_got = e64.mean(axis=0), g64.mean(axis=0)
    spread = np.abs(e64 - mean_expected).max(axis=0)
    if not np.allclose(mean_got, mean_expected, rtol=1e-4, atol=1e-4 * (1 + spread)):
        return (
            "In training mode each output column should have mean beta, but yours do not: "
            "subtract each feature's mean over the batch (axis=0), then scale by gamma and add beta."
        )
    centred_expected, centred_got = e64 - mean_expected, g64 - mean_expected
    varied = spread > 1e-6
    if not varied.any():
        return ""
    ratios = (centred_got * centred_expected).sum(axis=0)[varied] / np.square(
        centred_expected
    ).sum(axis=0)[varied]
    residual = centred_got[:, varied] - ratios * centred_expected[:, varied]
    if np.abs(residual).max() > 1e-4 * (1 + spread.max()):
        return ""
    if np.allclose(ratios, np.sqrt((n - 1) / n), rtol=2e-3):
        return (
            f"Your outputs are about sqrt((n-1)/n) = {np.sqrt((n - 1) / n):.4g} times the expected "
            "ones around beta: you used the unbiased variance (dividing by n - 1). Batch norm "
            "divides by n, as x.var(axis=0) does by default."
        )
    return (
        f"Your outputs are {ratios.min():.4g} to {ratios.max():.4g} times the expected ones "
        "around beta. Divide x - mean by sqrt(variance + epsilon) with epsilon inside the root "
        "and the variance over the batch (divide by n), then multiply by gamma."
    )


def _judge_forward(expected: np.ndarray, got: Any) -> str:
    message = _close(expected, got, "out")
    if not message or type(got) is not np.ndarray or got.shape != expected.shape:
        return message
    if got.dtype != expected.dtype:
        return message
    diagnosis = _diagnose_normalized(expected, got)
    return f"{message} {diagnosis}".strip()


def _diagnose_moving(expected: np.ndarray, got: np.ndarray, name: str) -> str:
    rule = (
        f"In training, new_{name} = momentum * {name} + (1 - momentum) * batch statistic "
        "(Keras keeps `momentum` of the OLD value); at inference it is returned unchanged."
    )
    e64, g64 = expected.astype(np.float64), got.astype(np.float64)
    usable = np.abs(e64) > 1e-6
    if usable.sum() >= 2:
        ratio = g64[usable] / e64[usable]
        if np.ptp(ratio) < 1e-3 * abs(ratio[0]) and abs(ratio[0]) > 1.5:
            return (
                f"Your new {name} is {ratio[0]:.3g} times the expected one on this fresh layer, as "
                f"if the weights were swapped: momentum / (1 - momentum) is that ratio. {rule}"
            )
    return rule


def _judge_layer(expected: tuple, got: Any) -> str:
    if type(got) not in (tuple, list) or len(got) != 3:
        return f"return a tuple (out, new_moving_mean, new_moving_var), got {show(got)}."
    names = ("out", "new_moving_mean", "new_moving_var")
    for name, e, g in zip(names, expected, got, strict=True):
        message = _close(e, g, name)
        if not message:
            continue
        if type(g) is not np.ndarray or g.shape != e.shape or g.dtype != e.dtype:
            return message
        if name == "out":
            return (
                f"{message} In training mode normalize with the batch's own mean and biased "
                "variance; with training=False use moving_mean and moving_var instead."
            )
        return f"{message} {_diagnose_moving(e, g, name[4:])}"
    return ""


def _judge_backward(expected: tuple, got: Any) -> str:
    if type(got) not in (tuple, list) or len(got) != 3:
        return f"return a tuple (dx, dgamma, dbeta), got {show(got)}."
    names = ("dx", "dgamma", "dbeta")
    for name, e, g in zip(names, expected, got, strict=True):
        message = _close(e, g, name)
        if not message:
            continue
        if type(g) is not np.ndarray or g.shape != e.shape or g.dtype != e.dtype:
            return message
        if name == "dbeta":
            return f"{message} beta is added to every row, so dbeta = dout.sum(axis=0)."
        if name == "dgamma":
            return f"{message} dgamma = (dout * x_hat).sum(axis=0), with x_hat the normalized x."
        column_sums = np.abs(g.astype(np.float64).sum(axis=0))
        scale = np.abs(g.astype(np.float64)).sum(axis=0) + 1e-12
        if e.shape[0] > 1 and np.any(column_sums > 1e-4 * scale):
            return (
                f"{message} In training mode each column of dx must sum to zero (shifting a "
                "whole feature does not change the normalized output), and yours do not: "
                "include the gradient that flows through the batch mean."
            )
        return (
            f"{message} Check the path through the batch variance: "
            "dx = inv_std / n * (n * dx_hat - dx_hat.sum(0) - x_hat * (dx_hat * x_hat).sum(0)), "
            "with dx_hat = dout * gamma."
        )
    return ""


def _diagnose_rows(expected: np.ndarray, got: np.ndarray) -> str:
    """Explain a wrong layer-norm output: statistics over the wrong axis, or the wrong variance."""
    n, features = expected.shape
    e64, g64 = expected.astype(np.float64), got.astype(np.float64)
    spread = 1e-4 * (1 + np.abs(e64).max())
    rows_standardized = np.allclose(e64.mean(axis=1), 0, atol=spread)
    if rows_standardized and n > 1 and features > 1:
        if np.allclose(g64.mean(axis=0), 0, atol=spread) and not np.allclose(
            g64.mean(axis=1), 0, atol=spread
        ):
            return (
                "With gamma = 1 and beta = 0 every output row should have mean 0, but in yours the "
                "columns have mean 0 and the rows do not: you took the statistics over the batch "
                "(axis=0), as batch norm does. Layer norm standardizes each example (each row) with "
                "the mean and variance of its own features (axis=1)."
            )
    if features < 2:
        return (
            "With a single feature, each value equals its row's mean, so x - mean is 0 and the "
            "output is beta."
        )
    varied = np.ptp(e64, axis=0) > 1e-6
    if varied.sum() >= 1:
        centred_e = e64[:, varied] - e64[:, varied].mean(axis=0)
        centred_g = g64[:, varied] - g64[:, varied].mean(axis=0)
        slopes = (centred_g * centred_e).sum(axis=0) / np.square(centred_e).sum(axis=0)
        residual = centred_g - slopes * centred_e
        if np.abs(residual).max() < spread and np.allclose(
            slopes, np.sqrt((features - 1) / features), rtol=2e-3
        ):
            return (
                f"Your outputs are about sqrt((d-1)/d) = {np.sqrt((features - 1) / features):.4g} "
                "times the expected ones around beta: you used the unbiased variance (dividing by "
                "d - 1). Layer norm divides by the number of features d, as x.var(axis=1) does "
                "by default."
            )
    return (
        "Standardize each row with the mean and biased variance of its own features (axis=1, "
        "kept as a column so it broadcasts), with epsilon inside the square root; then multiply "
        "by gamma and add beta, one value per feature."
    )


def _judge_layernorm_forward(expected: np.ndarray, got: Any) -> str:
    message = _close(expected, got, "out")
    if not message or type(got) is not np.ndarray or got.shape != expected.shape:
        return message
    if got.dtype != expected.dtype:
        return message
    return f"{message} {_diagnose_rows(expected, got)}".strip()


def _judge_layernorm_backward(expected: tuple, got: Any) -> str:
    if type(got) not in (tuple, list) or len(got) != 3:
        return f"return a tuple (dx, dgamma, dbeta), got {show(got)}."
    names = ("dx", "dgamma", "dbeta")
    for name, e, g in zip(names, expected, got, strict=True):
        message = _close(e, g, name)
        if not message:
            continue
        if type(g) is not np.ndarray or g.shape != e.shape or g.dtype != e.dtype:
            if name != "dx" and getattr(g, "shape", None) == (len(got[0]),):
                return (
                    f"{message} gamma and beta have one entry per feature, so their gradients "
                    "sum over the examples (axis=0), not over the features."
                )
            return message
        if name == "dbeta":
            return f"{message} beta is added to every row, so dbeta = dout.sum(axis=0)."
        if name == "dgamma":
            return f"{message} dgamma = (dout * x_hat).sum(axis=0), with x_hat the normalized x."
        row_sums = np.abs(g.astype(np.float64).sum(axis=1))
        scale = np.abs(g.astype(np.float64)).sum(axis=1) + 1e-12
        if e.shape[1] > 1 and np.any(row_sums > 1e-4 * scale):
            return (
                f"{message} Each row of dx must sum to zero (adding a constant to all features of "
                "one example does not change its normalized output), and yours do not: include "
                "the gradient that flows through the row mean."
            )
        return (
            f"{message} Check the path through the row variance: it is batch norm's formula "
            "with the sums taken over the features of each row (axis=1) instead of over the batch."
        )
    return ""


# --- Property and gradient checks ----------------------------------------------------------------


def _call(function: Callable, label: str, *args: Any, **kwargs: Any) -> tuple[Any, CaseOutcome | None]:
    """Run the learner's function; a failure becomes a CaseOutcome (NotImplementedError passes)."""
    try:
        return function(*args, **kwargs), None
    except NotImplementedError:
        raise
    except Exception as error:  # the learner's bug is reported, never propagated
        return None, CaseOutcome(label, False, f"your function raised {type(error).__name__}: {error}")


def _inference_ignores_the_batch(function: Callable, rng: np.random.Generator) -> CaseOutcome:
    """At inference an example's output must not depend on the other examples in its batch."""
    label = "inference: each example's output is independent of its batch"
    x = _batch(rng, 10, 4)
    gamma, beta = _params(rng, 4)
    moving_mean, moving_var = rng.normal(size=4), rng.uniform(0.5, 3, 4)
    whole, failure = _call(function, label, x, gamma, beta, moving_mean, moving_var, training=False)
    if failure:
        return failure
    alone, failure = _call(
        function, label, x[:1].copy(), gamma, beta, moving_mean, moving_var, training=False
    )
    if failure:
        return failure
    try:
        same = np.allclose(np.asarray(whole[0])[:1], np.asarray(alone[0]), rtol=1e-6, atol=1e-9)
    except Exception:  # an odd return value: the main cases already explain it
        same = False
    if same:
        return CaseOutcome(label, True)
    return CaseOutcome(
        label,
        False,
        "with training=False, the first example gives a different output alone than inside a "
        "batch of 10: at inference normalize with the moving statistics, never the batch's.",
    )


def _against_central_differences(
    function: Callable,
    forward: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray],
    x: np.ndarray,
    gamma: np.ndarray,
    beta: np.ndarray,
    dout: np.ndarray,
) -> CaseOutcome:
    """The learner's ``(dx, dgamma, dbeta)`` against central differences of ``forward``.

    ``function(dout, x, gamma)`` is the learner's backward pass; ``forward(x, gamma, beta)`` the
    reference forward pass it differentiates, with ``x`` of shape ``(n, features)``.
    """
    label = "numerical gradient check of dx, dgamma and dbeta"
    result, failure = _call(function, label, dout.copy(), x.copy(), gamma.copy())
    if failure:
        return failure
    if type(result) not in (tuple, list) or len(result) != 3:
        return CaseOutcome(label, False, f"return a tuple (dx, dgamma, dbeta), got {show(result)}.")
    for name, analytic, target in zip(("dx", "dgamma", "dbeta"), result, (x, gamma, beta), strict=True):
        if type(analytic) is not np.ndarray or analytic.shape != target.shape:
            return CaseOutcome(
                label, False, f"{name} should be an array of shape {target.shape}, got {show(analytic)}."
            )
        check = check_gradient(
            lambda _: forward(x, gamma, beta),  # reads target, perturbed in place
            target,
            analytic,
            dout=dout,
            threshold=GRADIENT_THRESHOLD,
        )
        if not check.passed:
            return CaseOutcome(
                label,
                False,
                f"your {name} differs from the central-difference gradient of the forward pass "
                f"(max relative error {check.max_relative_error:.2g}, must be < "
                f"{GRADIENT_THRESHOLD:g}).",
            )
    return CaseOutcome(label, True)


def _gradient_check(function: Callable, rng: np.random.Generator) -> CaseOutcome:
    """Batch norm's dx, dgamma and dbeta against central differences of its training forward."""
    x = _batch(rng, 7, 4)
    gamma, beta = _params(rng, 4)
    return _against_central_differences(
        function, _train_forward, x, gamma, beta, rng.normal(size=x.shape)
    )


def _each_example_on_its_own(function: Callable, rng: np.random.Generator) -> CaseOutcome:
    """Layer norm of an example must not depend on the other examples of its batch."""
    label = "each example's output is independent of the rest of its batch"
    x = _rows(rng, 10, 4)
    gamma, beta = _params(rng, 4)
    whole, failure = _call(function, label, x, gamma, beta)
    if failure:
        return failure
    alone, failure = _call(function, label, x[:1].copy(), gamma, beta)
    if failure:
        return failure
    try:
        same = np.allclose(np.asarray(whole)[:1], np.asarray(alone), rtol=1e-6, atol=1e-9)
    except Exception:  # an odd return value: the main cases already explain it
        same = False
    if same:
        return CaseOutcome(label, True)
    return CaseOutcome(
        label,
        False,
        "the first example gives a different output alone than inside a batch of 10: layer norm "
        "uses only each example's own features (axis=1), never the other examples of the batch.",
    )


def _layernorm_gradient_check(function: Callable, rng: np.random.Generator) -> CaseOutcome:
    """Layer norm's dx, dgamma and dbeta against central differences of its forward pass."""
    x = _rows(rng, 6, 5)
    gamma, beta = _params(rng, 5)
    return _against_central_differences(
        function, _layernorm_forward, x, gamma, beta, rng.normal(size=x.shape)
    )


EXERCISES = (
    Exercise(
        name="batchnorm_train_forward",
        lesson="03",
        reference=_train_forward,
        make_cases=_forward_cases,
        hint="batch normalization standardizes each feature over the batch (axis 0) with the "
            "batch's own mean and variance, then scales by gamma and shifts by beta. Where does "
            "epsilon go?",
        hint_detail="use the biased variance (divide by n, numpy's default), add epsilon inside "
            "the square root, then scale and shift; keep x's dtype.",
        judge=_judge_forward,
    ),
    Exercise(
        name="batchnorm_layer",
        lesson="03",
        reference=_layer,
        make_cases=_layer_cases,
        hint="training decides which statistics normalize the batch: the batch's own in "
            "training, the moving averages at inference. Only training updates the moving "
            "averages.",
        hint_detail="in training, normalize with the batch's mean and variance, and each moving "
            "statistic becomes momentum times its old value plus (1 - momentum) times the "
            "batch's. At inference, normalize with moving_mean and moving_var and return copies "
            "of them, unchanged.",
        judge=_judge_layer,
        extra_checks=(_inference_ignores_the_batch,),
    ),
    Exercise(
        name="batchnorm_train_backward",
        lesson="03",
        reference=_train_backward,
        make_cases=_backward_cases,
        hint="the batch mean and variance depend on every x of the batch, so dx has three paths: "
            "the direct one through x_hat, one through the mean and one through the variance. "
            "dbeta and dgamma are sums over the batch.",
        hint_detail="recompute x_hat and the inverse standard deviation as in the forward pass. "
            "dbeta sums dout over the batch and dgamma sums dout times x_hat. With dx_hat = dout "
            "times gamma, dx is inv_std / n times (n dx_hat, minus the batch sum of dx_hat, minus "
            "x_hat times the batch sum of dx_hat times x_hat).",
        judge=_judge_backward,
        extra_checks=(_gradient_check,),
    ),
    Exercise(
        name="layernorm_forward",
        lesson="03",
        reference=_layernorm_forward,
        make_cases=_layernorm_forward_cases,
        hint="layer normalization standardizes each example on its own: the mean and variance "
            "come from the features of one row, not from the other examples of the batch. Then "
            "each feature is scaled by its gamma and shifted by its beta, as in batch norm.",
        hint_detail="take the mean and the biased variance along axis 1 with keepdims=True, so "
            "that they broadcast against x; subtract the mean, divide by the square root of the "
            "variance plus epsilon, then scale by gamma and shift by beta; keep x's dtype.",
        judge=_judge_layernorm_forward,
        extra_checks=(_each_example_on_its_own,),
    ),
    Exercise(
        name="layernorm_backward",
        lesson="03",
        reference=_layernorm_backward,
        make_cases=_layernorm_backward_cases,
        hint="it is the batch-norm backward pass with the axes swapped: each row's mean and "
            "variance depend on every feature of that row, so dx has the same three paths, with "
            "sums over the features of a row. gamma and beta still get sums over the batch.",
        hint_detail="recompute x_hat and the inverse standard deviation per row (keepdims=True). "
            "dbeta sums dout over axis 0 and dgamma sums dout times x_hat over axis 0. With "
            "dx_hat = dout times gamma and d features, dx is inv_std / d times (d dx_hat, minus "
            "the row sum of dx_hat, minus x_hat times the row sum of dx_hat times x_hat).",
        judge=_judge_layernorm_backward,
        extra_checks=(_layernorm_gradient_check,),
    ),
)
