"""Tests for coursekit.gradcheck: numerical gradients, relative error and the check verdict."""

import ast
from pathlib import Path

import numpy as np
import pytest

from coursekit import gradcheck
from coursekit.gradcheck import (
    GOOD_THRESHOLD,
    check_gradient,
    numerical_gradient,
    numerical_gradient_array,
    relative_error,
)

# Central differences with h=1e-5 are accurate to about 1e-10 relative on these smooth float64
# functions; 1e-8 leaves a margin while still catching a wrong formula.
RTOL_NUMERICAL = 1e-8


def test_numerical_gradient_of_sum_of_squares_is_twice_x():
    x = np.random.default_rng(0).normal(size=(3, 4))
    grad = numerical_gradient(lambda v: float(np.sum(v**2)), x)
    np.testing.assert_allclose(grad, 2 * x, rtol=RTOL_NUMERICAL)


def test_numerical_gradient_leaves_x_unchanged():
    x = np.random.default_rng(1).normal(size=(2, 5))
    before = x.copy()
    numerical_gradient(lambda v: float(np.sum(np.sin(v))), x)
    np.testing.assert_array_equal(x, before)


def test_numerical_gradient_restores_x_when_f_raises():
    x = np.array([1.0, 2.0])

    def failing(v):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        numerical_gradient(failing, x)
    np.testing.assert_array_equal(x, [1.0, 2.0])


def test_numerical_gradient_sees_perturbation_through_a_closure():
    params = {"w": np.array([0.5, -1.5, 2.0])}
    grad = numerical_gradient(lambda _: float(np.sum(params["w"] ** 3)), params["w"])
    np.testing.assert_allclose(grad, 3 * params["w"] ** 2, rtol=RTOL_NUMERICAL)


def test_numerical_gradient_array_contracts_with_dout():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(4, 3))
    dout = rng.normal(size=(4, 3))
    grad = numerical_gradient_array(np.sin, x, dout)
    np.testing.assert_allclose(grad, np.cos(x) * dout, rtol=RTOL_NUMERICAL)


def test_numerical_gradient_array_rejects_dout_of_wrong_shape():
    with pytest.raises(ValueError, match=r"dout.*\(2,\).*\(3,\)"):
        numerical_gradient_array(np.sin, np.zeros(2), np.ones(3))


def test_relative_error_of_identical_arrays_is_zero():
    a = np.array([1.0, -2.0, 0.0])
    assert relative_error(a, a.copy()) == 0.0


def test_relative_error_is_largest_elementwise_ratio():
    a = np.array([1.0, 10.0])
    b = np.array([3.0, 10.0])
    np.testing.assert_allclose(relative_error(a, b), 0.5, rtol=1e-15)


def test_relative_error_floor_keeps_tiny_differences_small():
    np.testing.assert_allclose(relative_error(np.array([0.0]), np.array([1e-10])), 1e-2, rtol=1e-12)


def test_relative_error_rejects_different_shapes():
    with pytest.raises(ValueError, match=r"same shape.*\(2,\).*\(3,\)"):
        relative_error(np.zeros(2), np.zeros(3))


def test_check_gradient_passes_a_correct_gradient():
    x = np.random.default_rng(3).normal(size=(5,))
    result = check_gradient(lambda v: float(np.sum(v**2)), x, 2 * x)
    assert result.passed
    assert result.max_relative_error < GOOD_THRESHOLD
    assert result.verdict == "good"


def test_check_gradient_fails_a_wrong_gradient():
    x = np.random.default_rng(4).normal(size=(5,))
    result = check_gradient(lambda v: float(np.sum(v**2)), x, 2.1 * x)
    assert not result.passed
    assert result.verdict == "wrong"


def test_check_gradient_with_dout_checks_array_valued_function():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(3, 2))
    dout = rng.normal(size=(3, 2))
    assert check_gradient(np.tanh, x, (1 - np.tanh(x) ** 2) * dout, dout=dout).passed


def test_verdict_is_suspicious_between_thresholds():
    assert (
        gradcheck.GradientCheckResult(max_relative_error=1e-5, passed=False).verdict == "suspicious"
    )


def test_integer_x_is_rejected_with_its_dtype():
    with pytest.raises(TypeError, match=r"x must be a floating-point.*int64"):
        numerical_gradient(lambda v: 0.0, np.array([1, 2], dtype=np.int64))


def test_nonpositive_step_is_rejected():
    with pytest.raises(ValueError, match=r"h must be .*> 0, got 0\.0"):
        numerical_gradient(lambda v: 0.0, np.zeros(2), h=0.0)


def test_module_imports_no_third_party_package_but_numpy():
    tree = ast.parse(Path(gradcheck.__file__).read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module.split(".")[0])
    assert imported <= {"__future__", "collections", "dataclasses", "numpy"}
