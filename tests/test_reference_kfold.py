"""Tests for coursekit.reference.cross_validation.kfold_indices: scikit-learn KFold semantics."""

import numpy as np
import pytest

from coursekit.reference.cross_validation import kfold_indices


@pytest.mark.parametrize(("n_samples", "k"), [(10, 5), (11, 3), (7, 7), (23, 4)])
def test_without_shuffle_equals_sklearn_kfold(n_samples, k):
    model_selection = pytest.importorskip("sklearn.model_selection")
    expected = list(model_selection.KFold(k).split(np.zeros(n_samples)))
    got = list(kfold_indices(n_samples, k, shuffle=False))
    assert len(got) == len(expected)
    for (train, val), (sk_train, sk_val) in zip(got, expected, strict=True):
        np.testing.assert_array_equal(train, sk_train)
        np.testing.assert_array_equal(val, sk_val)


@pytest.mark.parametrize(("n_samples", "k"), [(10, 5), (11, 3), (23, 4)])
def test_shuffled_folds_have_sklearn_partition_and_sizes(n_samples, k):
    model_selection = pytest.importorskip("sklearn.model_selection")
    sk_sizes = [
        len(val)
        for _, val in model_selection.KFold(k, shuffle=True, random_state=0).split(
            np.zeros(n_samples)
        )
    ]
    folds = list(kfold_indices(n_samples, k, rng=0))
    assert [len(val) for _, val in folds] == sk_sizes
    assert max(sk_sizes) - min(sk_sizes) <= 1
    every_val = np.concatenate([val for _, val in folds])
    np.testing.assert_array_equal(np.sort(every_val), np.arange(n_samples))
    for train, val in folds:
        np.testing.assert_array_equal(np.sort(np.concatenate([train, val])), np.arange(n_samples))
        assert np.intersect1d(train, val).size == 0


def test_shuffle_uses_the_documented_permutation():
    permutation = np.random.default_rng(3).permutation(10)
    vals = [val for _, val in kfold_indices(10, 4, rng=3)]
    expected = [
        np.sort(permutation[0:3]),
        np.sort(permutation[3:6]),
        np.sort(permutation[6:8]),
        np.sort(permutation[8:10]),
    ]
    for val, want in zip(vals, expected, strict=True):
        np.testing.assert_array_equal(val, want)


def test_same_seed_same_folds_and_a_different_seed_others():
    first = [val.tolist() for _, val in kfold_indices(20, 4, rng=1)]
    assert first == [val.tolist() for _, val in kfold_indices(20, 4, rng=1)]
    assert first != [val.tolist() for _, val in kfold_indices(20, 4, rng=2)]


def test_generator_is_drawn_once_when_called():
    generator = np.random.default_rng(0)
    kfold_indices(10, 2, rng=generator)
    reference = np.random.default_rng(0)
    reference.permutation(10)
    assert generator.random() == reference.random()


def test_bad_arguments_raise_at_call_time_with_clear_messages():
    with pytest.raises(ValueError, match="k must be an int >= 2"):
        kfold_indices(10, 1, rng=0)
    with pytest.raises(ValueError, match="n_samples must be >= k"):
        kfold_indices(3, 4, rng=0)
    with pytest.raises(TypeError, match="k must be an int"):
        kfold_indices(10, 2.0, rng=0)
    with pytest.raises(TypeError, match="rng is required when shuffle=True"):
        kfold_indices(10, 2)
    with pytest.raises(ValueError, match="rng has no effect when shuffle=False"):
        kfold_indices(10, 2, rng=0, shuffle=False)
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        kfold_indices(10, 2, rng="seed")
