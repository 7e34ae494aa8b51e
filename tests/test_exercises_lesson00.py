"""Lesson 00's k-fold exercise: correct versions pass, stubs and the usual mistakes fail clearly."""

import numpy as np
from exercise_helpers import first_failure, stub

from coursekit.exercises import get_exercise, run_check
from coursekit.exercises.core import FAILED, NOT_IMPLEMENTED, PASSED

EXERCISE = get_exercise("kfold_indices")


def _folds_from(order, k):
    """(train, val) pairs from cutting ``order`` into k pieces the way array_split does."""
    everything = np.arange(len(order))
    return [(np.setdiff1d(everything, piece), piece) for piece in np.array_split(order, k)]


def correct_by_hand(n_samples, k, rng):
    order = rng.permutation(n_samples)
    sizes = [n_samples // k + (fold < n_samples % k) for fold in range(k)]
    starts = np.cumsum([0] + sizes)
    pairs = []
    for fold in range(k):
        val = order[starts[fold]:starts[fold + 1]]
        pairs.append((np.sort(order[np.isin(order, val, invert=True)]), val))
    return pairs


def test_an_independent_correct_version_passes():
    assert run_check(EXERCISE, correct_by_hand).status == PASSED


def test_unsorted_parts_and_a_tuple_of_lists_of_pairs_are_fine():
    def unsorted(n_samples, k, rng):
        return tuple([train[::-1], val] for train, val in _folds_from(rng.permutation(n_samples), k))

    assert run_check(EXERCISE, unsorted).status == PASSED


def test_a_stub_is_not_implemented():
    assert run_check(EXERCISE, stub).status == NOT_IMPLEMENTED


def test_a_generator_is_told_to_return_a_list():
    def generator(n_samples, k, rng):
        yield from _folds_from(rng.permutation(n_samples), k)

    result = run_check(EXERCISE, generator)
    assert result.status == FAILED and "collect its pairs in a list" in first_failure(result)


def test_folds_without_a_shuffle_are_caught():
    result = run_check(EXERCISE, lambda n_samples, k, rng: _folds_from(np.arange(n_samples), k))
    assert result.status == FAILED and "shuffle with rng" in first_failure(result)


def test_the_global_random_state_is_caught_as_unreproducible():
    def global_random(n_samples, k, rng):
        return _folds_from(np.random.permutation(n_samples), k)  # noqa: NPY002 - the mistake tested

    result = run_check(EXERCISE, global_random)
    assert result.status == FAILED and "draw every random number from the rng" in first_failure(result)


def test_dropping_the_remainder_is_named():
    def drops_remainder(n_samples, k, rng):
        order = rng.permutation(n_samples)
        size = n_samples // k
        everything = np.arange(n_samples)
        return [(np.setdiff1d(everything, order[i * size:(i + 1) * size]), order[i * size:(i + 1) * size])
                for i in range(k)]

    result = run_check(EXERCISE, drops_remainder)
    assert result.status == FAILED and "the remainder must go somewhere" in first_failure(result)


def test_giving_the_whole_remainder_to_the_last_fold_is_named():
    def last_takes_rest(n_samples, k, rng):
        order = rng.permutation(n_samples)
        size = n_samples // k
        cuts = [order[i * size:(i + 1) * size] for i in range(k - 1)] + [order[(k - 1) * size:]]
        everything = np.arange(n_samples)
        return [(np.setdiff1d(everything, val), val) for val in cuts]

    result = run_check(EXERCISE, last_takes_rest)
    messages = [case.message for case in result.cases if not case.passed]
    assert result.status == FAILED and "first n_samples % k folds get one extra" in messages[0]
    assert any("differ by at most 1" in message for message in messages)


def test_a_train_part_that_overlaps_its_fold_is_named():
    def train_is_everything(n_samples, k, rng):
        return [(np.arange(n_samples), val) for _, val in _folds_from(rng.permutation(n_samples), k)]

    result = run_check(EXERCISE, train_is_everything)
    assert result.status == FAILED and "train should hold every index that is not" in first_failure(result)


def test_a_fresh_shuffle_per_fold_validates_some_index_twice():
    def reshuffles(n_samples, k, rng):
        pairs = []
        for fold in range(k):
            val = _folds_from(rng.permutation(n_samples), k)[fold][1]
            pairs.append((np.setdiff1d(np.arange(n_samples), val), val))
        return pairs

    result = run_check(EXERCISE, reshuffles)
    assert result.status == FAILED and "validated twice" in first_failure(result)


def test_float_indices_are_named():
    def floats(n_samples, k, rng):
        return [(train.astype(float), val) for train, val in _folds_from(rng.permutation(n_samples), k)]

    result = run_check(EXERCISE, floats)
    assert result.status == FAILED and "should be integers" in first_failure(result)


def test_the_wrong_number_of_folds_is_named():
    result = run_check(EXERCISE, lambda n_samples, k, rng: _folds_from(rng.permutation(n_samples), k)[:-1])
    assert result.status == FAILED and "there should be k =" in first_failure(result)
