"""Tests for coursekit.reference.augmentation: shift, rotation, noise and flip in numpy."""

from __future__ import annotations

import numpy as np
import pytest

from coursekit.reference.augmentation import (
    add_gaussian_noise,
    random_flip,
    random_rotation,
    random_shift,
    rotate_images,
    shift_images,
)

AUGMENTATIONS = {
    "random_shift": random_shift,
    "random_rotation": random_rotation,
    "add_gaussian_noise": add_gaussian_noise,
    "random_flip": random_flip,
}
SHAPES = [(6, 8, 8), (6, 8, 8, 3)]
DTYPES = [np.float32, np.float64]


def _random_images(shape=(6, 8, 8), dtype=np.float64, seed=0):
    return np.random.default_rng(seed).uniform(0.0, 1.0, size=shape).astype(dtype)


def _impulse_images(n: int, size: int) -> np.ndarray:
    images = np.zeros((n, size, size))
    images[:, size // 2, size // 2] = 1.0
    return images


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name", AUGMENTATIONS)
def test_keeps_shape_and_dtype(name, shape, dtype):
    images = _random_images(shape, dtype)
    augmented = AUGMENTATIONS[name](images, rng=0)
    assert augmented.shape == shape
    assert augmented.dtype == dtype


@pytest.mark.parametrize("name", AUGMENTATIONS)
def test_same_seed_gives_same_output(name):
    images = _random_images()
    first = AUGMENTATIONS[name](images, rng=np.random.default_rng(5))
    second = AUGMENTATIONS[name](images, rng=5)
    np.testing.assert_array_equal(first, second)


@pytest.mark.parametrize("name", AUGMENTATIONS)
def test_each_image_gets_its_own_random_parameter(name):
    images = np.repeat(_random_images((1, 8, 8)), 20, axis=0)
    augmented = AUGMENTATIONS[name](images, rng=1)
    distinct = np.unique(augmented.reshape(20, -1), axis=0)
    assert len(distinct) > 1


@pytest.mark.parametrize("name", AUGMENTATIONS)
def test_does_not_modify_the_input(name):
    images = _random_images()
    original = images.copy()
    AUGMENTATIONS[name](images, rng=2)
    np.testing.assert_array_equal(images, original)


@pytest.mark.parametrize("name", AUGMENTATIONS)
def test_integer_images_raise_type_error_naming_images(name):
    with pytest.raises(TypeError, match="images"):
        AUGMENTATIONS[name](np.ones((2, 4, 4), dtype=np.uint8), rng=0)


@pytest.mark.parametrize("name", AUGMENTATIONS)
def test_two_dimensional_images_raise_value_error_naming_images(name):
    with pytest.raises(ValueError, match="images"):
        AUGMENTATIONS[name](np.ones((4, 4)), rng=0)


@pytest.mark.parametrize("name", AUGMENTATIONS)
def test_rng_is_required(name):
    with pytest.raises(TypeError, match="rng"):
        AUGMENTATIONS[name](_random_images(), rng=None)


def test_shift_moves_an_impulse_by_at_most_max_shift():
    shifted = random_shift(_impulse_images(200, 11), max_shift=2, rng=3)
    np.testing.assert_array_equal(shifted.sum(axis=(1, 2)), 1.0)
    positions = np.array([np.unravel_index(image.argmax(), image.shape) for image in shifted])
    assert np.abs(positions - 5).max() == 2


def test_random_shift_uses_the_documented_draws():
    images = _random_images()
    offsets = np.random.default_rng(11).integers(-2, 2, size=(6, 2), endpoint=True)
    np.testing.assert_array_equal(
        random_shift(images, max_shift=2, rng=11), shift_images(images, offsets)
    )


def test_noise_uses_the_documented_draws():
    images = _random_images()
    noise = np.random.default_rng(12).normal(0.0, 0.2, size=images.shape)
    np.testing.assert_allclose(
        add_gaussian_noise(images, stddev=0.2, rng=12), images + noise, rtol=0, atol=1e-15
    )


def test_flip_uses_the_documented_draws():
    images = _random_images()
    generator = np.random.default_rng(13)
    horizontal = generator.random(6) < 0.5
    vertical = generator.random(6) < 0.5
    expected = images.copy()
    expected[horizontal] = expected[horizontal][:, :, ::-1]
    expected[vertical] = expected[vertical][:, ::-1]
    np.testing.assert_array_equal(random_flip(images, "horizontal_and_vertical", rng=13), expected)


def test_shift_images_moves_down_and_left():
    image = np.arange(16.0).reshape(1, 4, 4)
    expected = np.array(
        [[[0.5, 0.5, 0.5, 0.5], [1.0, 2.0, 3.0, 0.5], [5.0, 6.0, 7.0, 0.5], [9.0, 10.0, 11.0, 0.5]]]
    )
    np.testing.assert_array_equal(shift_images(image, (1, -1), fill_value=0.5), expected)


def test_shift_beyond_the_image_leaves_only_fill_value():
    shifted = shift_images(np.ones((1, 4, 4)), (0, 4), fill_value=-1.0)
    np.testing.assert_array_equal(shifted, np.full((1, 4, 4), -1.0))


def test_zero_max_shift_is_the_identity():
    images = _random_images()
    np.testing.assert_array_equal(random_shift(images, max_shift=0, rng=0), images)


def test_rotation_by_zero_degrees_is_the_identity():
    images = _random_images((6, 8, 8, 3), np.float32)
    np.testing.assert_array_equal(random_rotation(images, max_degrees=0.0, rng=0), images)


def test_rotation_by_90_degrees_is_a_counter_clockwise_quarter_turn():
    images = _random_images((3, 5, 5))
    expected = np.rot90(images, k=1, axes=(1, 2))
    np.testing.assert_allclose(rotate_images(images, 90.0), expected, rtol=0, atol=1e-12)


def test_rotation_keeps_the_centre_pixel_of_an_odd_image():
    rotated = random_rotation(_impulse_images(10, 9), max_degrees=30.0, rng=4)
    np.testing.assert_allclose(rotated[:, 4, 4], 1.0, rtol=0, atol=1e-12)


def test_rotation_fills_corners_that_come_from_outside():
    rotated = rotate_images(np.ones((1, 9, 9)), 45.0, fill_value=-1.0)
    np.testing.assert_allclose(rotated[0, 0, 0], -1.0, rtol=0, atol=1e-12)


def test_rotation_turns_each_image_by_the_documented_random_angle():
    # An impulse 18 pixels above the centre of a 41x41 image: the angle of its centre of mass
    # about the image centre measures the turn to within a few hundredths of a degree.
    images = np.zeros((50, 41, 41))
    images[:, 2, 20] = 1.0
    rotated = random_rotation(images, max_degrees=10.0, rng=6)
    rows, cols = np.mgrid[0:41, 0:41]
    mass = rotated.sum(axis=(1, 2))
    mean_row = (rotated * rows).sum(axis=(1, 2)) / mass
    mean_col = (rotated * cols).sum(axis=(1, 2)) / mass
    measured = np.degrees(np.arctan2(20 - mean_col, 20 - mean_row))
    drawn = np.random.default_rng(6).uniform(-10.0, 10.0, size=50)
    np.testing.assert_allclose(measured, drawn, rtol=0, atol=0.25)


def test_noise_has_the_requested_standard_deviation():
    # 25,600 draws: the sample std has a relative standard error of about 0.45%, so a 2%
    # tolerance is over 4 standard errors; the mean's standard error is about 0.002.
    noisy = add_gaussian_noise(np.zeros((100, 16, 16)), stddev=0.3, rng=7)
    np.testing.assert_allclose(noisy.std(), 0.3, rtol=0.02)
    np.testing.assert_allclose(noisy.mean(), 0.0, atol=0.01)


def test_noise_with_zero_stddev_is_the_identity():
    images = _random_images()
    np.testing.assert_array_equal(add_gaussian_noise(images, stddev=0.0, rng=0), images)


def test_noise_clip_bounds_the_pixels():
    noisy = add_gaussian_noise(_random_images(), stddev=1.0, rng=8, clip=(0.0, 1.0))
    assert noisy.min() >= 0.0 and noisy.max() <= 1.0


@pytest.mark.parametrize("mode", ["horizontal", "vertical", "horizontal_and_vertical"])
def test_flip_is_its_own_inverse(mode):
    images = _random_images((6, 8, 8, 3))
    twice = random_flip(random_flip(images, mode, rng=9), mode, rng=9)
    np.testing.assert_array_equal(twice, images)


def test_horizontal_flip_with_probability_one_reverses_columns():
    images = _random_images()
    flipped = random_flip(images, "horizontal", rng=0, probability=1.0)
    np.testing.assert_array_equal(flipped, images[:, :, ::-1])


def test_vertical_flip_with_probability_one_reverses_rows():
    images = _random_images()
    flipped = random_flip(images, "vertical", rng=0, probability=1.0)
    np.testing.assert_array_equal(flipped, images[:, ::-1, :])


def test_flip_with_probability_zero_is_the_identity():
    images = _random_images()
    np.testing.assert_array_equal(random_flip(images, rng=0, probability=0.0), images)


@pytest.mark.parametrize(
    ("function", "arguments", "name"),
    [
        (add_gaussian_noise, {"stddev": -0.1}, "stddev"),
        (random_rotation, {"max_degrees": -5.0}, "max_degrees"),
        (random_shift, {"max_shift": -1}, "max_shift"),
        (random_flip, {"mode": "diagonal"}, "mode"),
        (random_flip, {"probability": 1.5}, "probability"),
        (add_gaussian_noise, {"clip": (1.0, 0.0)}, "clip"),
        (random_shift, {"fill_value": np.nan}, "fill_value"),
    ],
)
def test_bad_parameters_raise_value_error_naming_them(function, arguments, name):
    with pytest.raises(ValueError, match=name):
        function(_random_images(), rng=0, **arguments)


def test_fractional_max_shift_raises_type_error_naming_it():
    with pytest.raises(TypeError, match="max_shift"):
        random_shift(_random_images(), max_shift=1.5, rng=0)


def test_rng_must_be_passed_by_keyword():
    with pytest.raises(TypeError):
        random_shift(_random_images(), 2, 0)
