"""One definition of "uses the reference" (issue 10 item 7, issue 14 item 2), shared by the
self-check and the grader: every way of handing in coursekit's answer is scored as not done and
says why; the learner's own work is never flagged."""

from __future__ import annotations

import functools
import types

import numpy as np
import pytest

from coursekit.exercises.core import USES_REFERENCE, HiddenReference, reference_use, run_check
from coursekit.exercises.registry import get_exercise
from coursekit.exercises.solutions import lesson00 as solutions
from coursekit.reference import capacity

EXERCISE = get_exercise("polynomial_features")


def own_work(x, degree):
    return x[:, None] ** np.arange(degree + 1, dtype=x.dtype)


def test_the_reference_itself_is_named():
    assert "coursekit.reference.capacity" in reference_use(capacity.polynomial_features, EXERCISE)


def test_a_partial_of_the_reference_is_caught():
    assert "wraps coursekit's answer" in reference_use(functools.partial(capacity.polynomial_features), EXERCISE)


def test_a_functools_wraps_wrapper_is_caught():
    @functools.wraps(capacity.polynomial_features)
    def wrapper(*args, **kwargs):
        return capacity.polynomial_features(*args, **kwargs)

    assert reference_use(wrapper, EXERCISE)


def test_a_callable_object_that_delegates_to_the_reference_is_caught():
    class Delegate:
        __call__ = staticmethod(capacity.polynomial_features)

    assert reference_use(Delegate(), EXERCISE)


def test_a_plain_wrapper_that_calls_the_reference_is_caught():
    def wrapper(x, degree):
        return capacity.polynomial_features(x, degree)

    assert "calls coursekit's answer" in reference_use(wrapper, EXERCISE)


def test_a_wrapper_through_a_helper_and_a_closure_is_caught():
    reference = capacity.polynomial_features

    def helper(x, degree):
        return reference(x, degree)

    def wrapper(x, degree):
        return helper(x, degree)

    assert "calls coursekit's answer" in reference_use(wrapper, EXERCISE)


def test_a_reference_whose_module_was_rewritten_is_caught_by_its_code():
    copy = types.FunctionType(
        capacity.polynomial_features.__code__, capacity.polynomial_features.__globals__, "polynomial_features"
    )
    copy.__module__ = "__main__"
    assert "__module__ rewritten" in reference_use(copy, EXERCISE)


def test_a_solution_is_caught_directly_and_through_a_wrapper():
    assert "coursekit.exercises.solutions.lesson00" in reference_use(solutions.polynomial_features, EXERCISE)

    def wrapper(x, degree):
        return solutions.polynomial_features(x, degree)

    assert "calls coursekit's answer" in reference_use(wrapper, EXERCISE)


def test_a_solution_hidden_by_the_sandbox_is_still_named():
    hidden = HiddenReference("coursekit.exercises.solutions.lesson00", "polynomial_features")
    assert "imported from coursekit.exercises.solutions" in reference_use(hidden, EXERCISE)


def test_own_work_is_not_flagged_even_when_it_uses_other_coursekit_helpers():
    from coursekit.data import split_indices

    def uses_a_helper(x, degree):
        split_indices(3, 0.0, 0.0, rng=0)
        return own_work(x, degree)

    assert reference_use(own_work, EXERCISE) == ""
    assert reference_use(uses_a_helper, EXERCISE) == ""


@pytest.mark.parametrize("handed_in", [
    functools.partial(capacity.polynomial_features),
    solutions.polynomial_features,
])
def test_the_self_check_scores_it_not_done_and_says_why(handed_in):
    result = run_check(EXERCISE, handed_in)
    assert result.status == USES_REFERENCE and not result.passed
    assert "coursekit's own reference implementation" in result.summary()
    assert "Why: it" in result.summary()


def test_a_lambda_that_calls_the_reference_is_caught():
    assert "calls coursekit's answer" in reference_use(lambda x, degree: capacity.polynomial_features(x, degree), EXERCISE)


def test_the_exercise_modules_own_helpers_are_caught_directly_and_wrapped():
    from coursekit.exercises import lesson02

    forward = get_exercise("dropout_forward")
    assert "coursekit.exercises.lesson02" in reference_use(lesson02._training_forward, forward)
    assert "wraps coursekit's answer" in reference_use(functools.partial(lesson02._training_forward), forward)
    assert "calls coursekit's answer" in reference_use(lambda x, rate, rng: lesson02._training_forward(x, rate, rng), forward)


def test_a_partial_of_a_solution_is_caught():
    assert "coursekit.exercises.solutions" in reference_use(functools.partial(solutions.polynomial_features), EXERCISE)


def test_the_grader_sandbox_uses_the_self_checks_own_test():
    from coursekit.exercises import core
    from coursekit.grading import sandbox

    assert sandbox.reference_use is core.reference_use


def test_a_reference_reached_through_a_package_attribute_chain_is_caught():
    import coursekit

    def wrapper(x, degree):
        return coursekit.reference.capacity.polynomial_features(x, degree)

    assert "calls coursekit's answer" in reference_use(wrapper, EXERCISE)
