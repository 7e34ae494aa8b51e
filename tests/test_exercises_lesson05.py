"""Lesson 05 exercises: correct augmentations pass, stubs and the classic mistakes fail clearly."""

import numpy as np
import pytest
from exercise_helpers import first_failure, stub

from coursekit.exercises import get_exercise, run_check
from coursekit.exercises.core import FAILED, NOT_IMPLEMENTED, PASSED


def correct_shift(images, max_shift, rng):
    offsets = rng.integers(-max_shift, max_shift, size=(len(images), 2), endpoint=True)
    out = np.zeros_like(images)
    height, width = images.shape[1:3]
    for i, (down, right) in enumerate(offsets):
        for r in range(height):
            for c in range(width):
                if 0 <= r - down < height and 0 <= c - right < width:
                    out[i, r, c] = images[i, r - down, c - right]
    return out


def shift_with_roll(images, max_shift, rng):
    offsets = rng.integers(-max_shift, max_shift, size=(len(images), 2), endpoint=True)
    out = images.copy()
    for i, (down, right) in enumerate(offsets):
        out[i] = np.roll(images[i], (down, right), axis=(0, 1))
    return out


def shift_without_endpoint(images, max_shift, rng):
    offsets = rng.integers(-max_shift, max_shift + 1, size=(len(images), 2))
    offsets = offsets[:, ::-1]  # (right, down): the columns in the wrong order
    out = np.zeros_like(images)
    height, width = images.shape[1:3]
    for i, (down, right) in enumerate(offsets):
        for r in range(height):
            for c in range(width):
                if 0 <= r - down < height and 0 <= c - right < width:
                    out[i, r, c] = images[i, r - down, c - right]
    return out


def _bilinear_rotation(images, degrees, sign):
    out = np.zeros_like(images)
    n, height, width = images.shape
    center_row, center_col = (height - 1) / 2, (width - 1) / 2

    def pixel(i, r, c):
        return images[i, r, c] if 0 <= r < height and 0 <= c < width else 0.0

    for i in range(n):
        angle = sign * np.deg2rad(degrees[i])
        for r in range(height):
            for c in range(width):
                dr, dc = r - center_row, c - center_col
                source_row = center_row + np.sin(angle) * dc + np.cos(angle) * dr
                source_col = center_col + np.cos(angle) * dc - np.sin(angle) * dr
                r0, c0 = int(np.floor(source_row)), int(np.floor(source_col))
                wr, wc = source_row - r0, source_col - c0
                out[i, r, c] = (
                    (1 - wr) * (1 - wc) * pixel(i, r0, c0)
                    + (1 - wr) * wc * pixel(i, r0, c0 + 1)
                    + wr * (1 - wc) * pixel(i, r0 + 1, c0)
                    + wr * wc * pixel(i, r0 + 1, c0 + 1)
                )
    return out


def correct_rotation(images, degrees):
    return _bilinear_rotation(images, degrees, sign=1.0)


def clockwise_rotation(images, degrees):
    return _bilinear_rotation(images, degrees, sign=-1.0)


def nearest_neighbour_rotation(images, degrees):
    out = np.zeros_like(images)
    n, height, width = images.shape
    center_row, center_col = (height - 1) / 2, (width - 1) / 2
    for i in range(n):
        angle = np.deg2rad(degrees[i])
        for r in range(height):
            for c in range(width):
                dr, dc = r - center_row, c - center_col
                source_row = round(center_row + np.sin(angle) * dc + np.cos(angle) * dr)
                source_col = round(center_col + np.cos(angle) * dc - np.sin(angle) * dr)
                if 0 <= source_row < height and 0 <= source_col < width:
                    out[i, r, c] = images[i, source_row, source_col]
    return out


def correct_noise(images, stddev, rng, clip=None):
    noisy = (images + stddev * rng.standard_normal(images.shape)).astype(images.dtype)
    return noisy if clip is None else np.clip(noisy, *clip)


def noise_without_clip(images, stddev, rng, clip=None):
    return (images + rng.normal(0.0, stddev, size=images.shape)).astype(images.dtype)


def noise_in_float64(images, stddev, rng, clip=None):
    noisy = images + rng.normal(0.0, stddev, size=images.shape)
    return noisy if clip is None else np.clip(noisy, *clip)


@pytest.mark.parametrize(
    ("name", "function"),
    [
        ("random_shift", correct_shift),
        ("rotate_images", correct_rotation),
        ("add_gaussian_noise", correct_noise),
    ],
)
def test_a_correct_independent_implementation_passes(name, function):
    result = run_check(get_exercise(name), function)
    assert result.status == PASSED, result.summary()


@pytest.mark.parametrize("name", ["random_shift", "rotate_images", "add_gaussian_noise"])
def test_the_stub_reports_not_implemented(name):
    result = run_check(get_exercise(name), stub)
    assert result.status == NOT_IMPLEMENTED
    assert "not implemented yet" in result.summary()


def test_cases_change_with_the_graders_generator():
    exercise = get_exercise("random_shift")
    first = exercise.make_cases(np.random.default_rng(1))[0].args[0]
    second = exercise.make_cases(np.random.default_rng(2))[0].args[0]
    assert not np.array_equal(first, second)


def test_shifting_with_np_roll_is_named():
    result = run_check(get_exercise("random_shift"), shift_with_roll)
    assert result.status == FAILED
    assert "np.roll" in first_failure(result)


def test_offsets_drawn_differently_fail():
    result = run_check(get_exercise("random_shift"), shift_without_endpoint)
    assert result.status == FAILED
    assert "differs at" in first_failure(result)


def test_turning_clockwise_is_named():
    result = run_check(get_exercise("rotate_images"), clockwise_rotation)
    assert result.status == FAILED
    assert "clockwise" in first_failure(result)


def test_nearest_neighbour_rotation_fails_with_the_bilinear_hint():
    result = run_check(get_exercise("rotate_images"), nearest_neighbour_rotation)
    assert result.status == FAILED
    assert "bilinear" in result.summary()


def test_forgetting_the_clip_is_named():
    result = run_check(get_exercise("add_gaussian_noise"), noise_without_clip)
    assert result.status == FAILED
    assert "np.clip" in first_failure(result)


def test_returning_float64_for_float32_images_fails_on_the_dtype():
    result = run_check(get_exercise("add_gaussian_noise"), noise_in_float64)
    assert result.status == FAILED
    assert "dtype float32" in first_failure(result)


# --- Exercise 4: cutout (issue 13) ------------------------------------------------------------


def _cutout_with(images, size, rng, start):
    """Cutout whose patch starts at ``start(centre, size)``; the border clips it."""
    centres = rng.integers(0, images.shape[1:3], size=(len(images), 2))
    out = images.copy()
    height, width = images.shape[1:3]
    for i, (row, col) in enumerate(centres):
        top, left = start(row, size), start(col, size)
        for r in range(top, top + size):
            for c in range(left, left + size):
                if 0 <= r < height and 0 <= c < width:
                    out[i, r, c] = 0.0
    return out


def correct_cutout(images, size, rng):
    return _cutout_with(images, size, rng, lambda centre, size: centre - size // 2)


def cutout_from_the_corner(images, size, rng):
    return _cutout_with(images, size, rng, lambda centre, size: centre)


def cutout_with_negative_slices(images, size, rng):
    centres = rng.integers(0, images.shape[1:3], size=(len(images), 2))
    out = images.copy()
    for i, (row, col) in enumerate(centres):
        out[i, row - size // 2:row - size // 2 + size, col - size // 2:col - size // 2 + size] = 0.0
    return out


def cutout_that_also_rescales(images, size, rng):
    return correct_cutout(images, size, rng) * 0.5


def test_a_correct_independent_cutout_passes():
    result = run_check(get_exercise("cutout"), correct_cutout)
    assert result.status == PASSED, result.summary()


def test_the_cutout_stub_reports_not_implemented():
    assert run_check(get_exercise("cutout"), stub).status == NOT_IMPLEMENTED


def test_a_patch_placed_from_its_corner_is_named():
    result = run_check(get_exercise("cutout"), cutout_from_the_corner)
    assert result.status == FAILED
    assert "centre pixel" in first_failure(result)


def test_negative_slice_starts_at_the_border_are_named():
    result = run_check(get_exercise("cutout"), cutout_with_negative_slices)
    assert result.status == FAILED
    assert "negative index" in first_failure(result)


def test_changing_pixels_outside_the_patch_is_named():
    result = run_check(get_exercise("cutout"), cutout_that_also_rescales)
    assert result.status == FAILED
    assert "outside the patch" in first_failure(result)


def test_cutout_in_place_is_reported():
    def in_place(images, size, rng):
        erased = correct_cutout(images, size, rng)
        images[...] = erased
        return images

    result = run_check(get_exercise("cutout"), in_place)
    assert result.status == FAILED
    assert "in place" in result.summary()
