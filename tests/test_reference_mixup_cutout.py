"""Tests for coursekit.reference.augmentation's mixup and cutout: draws, contracts, errors."""

from __future__ import annotations

import numpy as np
import pytest

from coursekit.reference.augmentation import cutout, mixup

DTYPES = [np.float32, np.float64]


def _images(shape=(6, 8, 8), dtype=np.float64, seed=0):
    return np.random.default_rng(seed).uniform(0.5, 1.0, size=shape).astype(dtype)


def _onehot(n=6, classes=3):
    return np.eye(classes)[np.arange(n) % classes]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(6, 8, 8), (6, 8, 8, 3)])
def test_cutout_keeps_shape_and_dtype(shape, dtype):
    out = cutout(_images(shape, dtype), 3, rng=0)
    assert out.shape == shape
    assert out.dtype == dtype


def test_cutout_erases_the_documented_square_in_every_channel():
    images = _images((5, 9, 9, 2))
    out = cutout(images, 4, rng=3)
    centres = np.random.default_rng(3).integers(0, (9, 9), size=(5, 2))
    for index, (row, col) in enumerate(centres):
        expected = images[index].copy()
        expected[max(row - 2, 0) : row + 2, max(col - 2, 0) : col + 2] = 0.0
        np.testing.assert_array_equal(out[index], expected)


def test_cutout_patch_is_clipped_at_the_border():
    # Centre at pixel (0, 0): only the bottom-right quarter of a 4x4 square falls in the image.
    class CornerRng(np.random.Generator):
        def integers(self, *args, **kwargs):
            return np.zeros((1, 2), dtype=np.int64)

    out = cutout(np.ones((1, 6, 6)), 4, rng=CornerRng(np.random.PCG64(0)))
    assert (out == 0).sum() == 4
    np.testing.assert_array_equal(out[0, :2, :2], 0.0)


def test_cutout_of_size_zero_is_the_identity_and_a_huge_size_erases_everything():
    images = _images()
    np.testing.assert_array_equal(cutout(images, 0, rng=0), images)
    np.testing.assert_array_equal(cutout(images, 17, rng=0), 0.0)


def test_cutout_uses_fill_value():
    out = cutout(_images((2, 6, 6)), 2, rng=0, fill_value=-1.0)
    assert (out == -1.0).sum() >= 2


def test_cutout_same_seed_same_output_and_input_unchanged():
    images = _images()
    copy = images.copy()
    np.testing.assert_array_equal(cutout(images, 3, rng=5), cutout(images, 3, rng=5))
    np.testing.assert_array_equal(images, copy)


@pytest.mark.parametrize(("size", "error"), [(-1, ValueError), (2.0, TypeError), (True, TypeError)])
def test_cutout_bad_size_raises_naming_size(size, error):
    with pytest.raises(error, match="size must be an int >= 0"):
        cutout(_images(), size, rng=0)


def test_cutout_needs_float_images_and_an_rng():
    with pytest.raises(TypeError, match="images must have a floating-point dtype"):
        cutout(np.ones((2, 4, 4), dtype=int), 2, rng=0)
    with pytest.raises(ValueError, match="images must have 3 or 4 dimensions"):
        cutout(np.ones((4, 4)), 2, rng=0)
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        cutout(_images(), 2, rng=None)


@pytest.mark.parametrize("dtype", DTYPES)
def test_mixup_keeps_shapes_and_dtypes(dtype):
    x = _images((6, 8, 8, 1), dtype)
    y = _onehot().astype(dtype)
    x_mixed, y_mixed = mixup(x, y, 0.4, rng=0)
    assert x_mixed.shape == x.shape and x_mixed.dtype == dtype
    assert y_mixed.shape == y.shape and y_mixed.dtype == dtype


def test_mixup_uses_the_documented_draws():
    x = _images((6, 5))
    y = _onehot()
    x_mixed, y_mixed = mixup(x, y, 0.4, rng=7)
    generator = np.random.default_rng(7)
    weights = generator.beta(0.4, 0.4, size=6)
    partners = generator.permutation(6)
    np.testing.assert_allclose(
        x_mixed, weights[:, None] * x + (1 - weights[:, None]) * x[partners], rtol=1e-12
    )
    np.testing.assert_allclose(
        y_mixed, weights[:, None] * y + (1 - weights[:, None]) * y[partners], rtol=1e-12
    )


def test_mixup_targets_stay_distributions_and_inputs_unchanged():
    x, y = _images((50, 4, 4)), _onehot(50, 4)
    copies = x.copy(), y.copy()
    _, y_mixed = mixup(x, y, 1.0, rng=1)
    np.testing.assert_allclose(y_mixed.sum(axis=1), 1.0, rtol=1e-12)
    assert y_mixed.min() >= 0
    np.testing.assert_array_equal(x, copies[0])
    np.testing.assert_array_equal(y, copies[1])


def test_mixup_weights_follow_beta_alpha_alpha():
    # With partners of different classes, y_mixed[i, class_i] is w_i (or 1 - w_i); its mean is 1/2
    # and its variance that of Beta(a, a): 1 / (4 (2a + 1)).
    n = 20000
    x = np.zeros((n, 1))
    y = np.ones((n, 1))
    x[:, 0] = np.arange(n)
    x_mixed, _ = mixup(x, y, 0.5, rng=2)
    partners = np.random.default_rng(2)
    partners.beta(0.5, 0.5, size=n)
    order = partners.permutation(n)
    moved = order != np.arange(n)
    weights = (x_mixed[moved, 0] - order[moved]) / (np.arange(n)[moved] - order[moved])
    np.testing.assert_allclose(weights.mean(), 0.5, atol=0.01)
    np.testing.assert_allclose(weights.var(), 1 / (4 * 2.0), atol=0.01)


def test_mixup_accepts_integer_one_hot_targets_in_the_dtype_of_x():
    _, y_mixed = mixup(_images((6, 3), np.float32), _onehot().astype(int), rng=0)
    assert y_mixed.dtype == np.float32


def test_mixup_same_seed_same_output():
    x, y = _images((6, 3)), _onehot()
    first, second = mixup(x, y, rng=4), mixup(x, y, rng=4)
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])


@pytest.mark.parametrize(
    ("alpha", "error"),
    [(0.0, ValueError), (-1.0, ValueError), (np.inf, ValueError), ("1", TypeError)],
)
def test_mixup_bad_alpha_raises_naming_alpha(alpha, error):
    with pytest.raises(error, match="alpha must be a"):
        mixup(_images((6, 3)), _onehot(), alpha, rng=0)


def test_mixup_mismatched_rows_and_bad_shapes_raise_clear_errors():
    with pytest.raises(
        ValueError, match=r"y_onehot must have one row per example of x, \(6, n_classes\)"
    ):
        mixup(_images((6, 3)), _onehot(5), rng=0)
    with pytest.raises(ValueError, match="y_onehot must have 2 dimensions"):
        mixup(_images((6, 3)), np.zeros(6), rng=0)
    with pytest.raises(ValueError, match="x must have at least 2 dimensions"):
        mixup(np.zeros(6), _onehot(), rng=0)
    with pytest.raises(TypeError, match="rng must be"):
        mixup(_images((6, 3)), _onehot(), rng=None)
