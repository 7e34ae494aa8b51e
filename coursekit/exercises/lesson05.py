"""Exercises of lesson 05 (data augmentation): a random shift, a rotation, and pixel noise.

All three are compared with :mod:`coursekit.reference.augmentation`. The random ones receive
the same generator as the reference (a :class:`~coursekit.exercises.core.Seed`), so the learner
draws exactly what the reference draws:

* ``random_shift``: one call ``rng.integers(-max_shift, max_shift, size=(n, 2),
  endpoint=True)``, columns ``(down, right)``, then a shift that lets zeros in at the border;
* ``rotate_images``: deterministic, bilinear interpolation about the centre with inverse
  mapping, neighbours outside the image counting as 0 (this equals the reference exactly);
* ``add_gaussian_noise``: one call ``rng.normal(0.0, stddev, size=images.shape)``, the input's
  dtype kept, then an optional clip.

When a result differs, the judges name the usual mistake: wrapping pixels around with
``np.roll``, turning clockwise instead of counter-clockwise, or forgetting the clip.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from coursekit.exercises.core import Case, Exercise, Seed, compare
from coursekit.reference.augmentation import add_gaussian_noise, random_shift, rotate_images

_RTOL = 1e-5
_ATOL = 1e-6


def _images(rng: np.random.Generator, shape: tuple[int, ...], dtype: type = np.float64) -> np.ndarray:
    """Grey images in [0, 1] with no exact zeros, so that filled-in borders are visible."""
    return rng.uniform(0.05, 1.0, size=shape).astype(dtype)


def _mismatch(expected: np.ndarray, got: Any) -> np.ndarray | None:
    """Boolean mask of the entries that differ, or None when shapes/types do not line up."""
    if type(got) is not np.ndarray or got.shape != expected.shape:
        return None
    if not np.issubdtype(got.dtype, np.floating):
        return None
    e64, g64 = expected.astype(np.float64), got.astype(np.float64)
    return ~(np.abs(g64 - e64) <= _ATOL + _RTOL * np.abs(e64))


# --- Exercise 1: a random shift ---------------------------------------------------------------


def _shift_cases(rng: np.random.Generator) -> list[Case]:
    seed = int(rng.integers(1_000_000))
    return [
        Case("six 8 x 8 images, max_shift 1", (_images(rng, (6, 8, 8)), 1), {"rng": Seed(seed)}),
        Case("twenty 8 x 8 images, max_shift 2", (_images(rng, (20, 8, 8)), 2), {"rng": Seed(seed + 1)}),
        Case(
            "rectangular 6 x 5 images (rows and columns differ)",
            (_images(rng, (10, 6, 5)), 2),
            {"rng": Seed(seed + 2)},
        ),
        Case("max_shift 0 (an exact copy)", (_images(rng, (4, 8, 8)), 0), {"rng": Seed(seed + 3)}),
        Case("batch of one", (_images(rng, (1, 8, 8)), 1), {"rng": Seed(seed + 4)}),
        Case("all-zero images", (np.zeros((3, 8, 8)), 1), {"rng": Seed(seed + 5)}),
        Case(
            "float32 images keep float32",
            (_images(rng, (5, 8, 8), np.float32), 1),
            {"rng": Seed(seed + 6)},
        ),
        Case(
            "shifts as large as the image (3 x 3 images, max_shift 3)",
            (_images(rng, (12, 3, 3)), 3),
            {"rng": Seed(seed + 7)},
        ),
        Case(
            "channels-last images of shape (n, 8, 8, 1), as Keras uses",
            (_images(rng, (5, 8, 8, 1)), 1),
            {"rng": Seed(seed + 8)},
        ),
    ]


def _judge_shift(expected: np.ndarray, got: Any) -> str:
    message = compare(expected, got, rtol=_RTOL, atol=_ATOL)
    mismatch = _mismatch(expected, got)
    if message and mismatch is not None and mismatch.any():
        wrapped = mismatch & (expected == 0) & (got != 0)
        if np.array_equal(wrapped, mismatch):
            return (
                message + " All the differences are border pixels that should be 0 (shifted in "
                "from outside): did you use np.roll? It wraps pixels around to the other side."
            )
    return message


# --- Exercise 2: rotation by given angles -----------------------------------------------------


def _single_pixel(height: int, width: int) -> np.ndarray:
    """One image with a single bright pixel in the middle of the top row."""
    image = np.zeros((1, height, width))
    image[0, 0, width // 2] = 1.0
    return image


def _rotation_cases(rng: np.random.Generator) -> list[Case]:
    n = 6
    return [
        Case(
            "90 degrees: a 3 x 3 image whose only bright pixel is top-middle; counter-clockwise "
            "it lands on the left-middle pixel",
            (_single_pixel(3, 3), np.array([90.0])),
        ),
        Case("angle 0 returns the images exactly", (_images(rng, (3, 8, 8)), np.zeros(3))),
        Case(
            "small angles within +-15 degrees",
            (_images(rng, (n, 8, 8)), rng.uniform(-15, 15, size=n)),
        ),
        Case(
            "large angles within +-180 degrees (corners leave the image)",
            (_images(rng, (n, 8, 8)), rng.uniform(-180, 180, size=n)),
        ),
        Case(
            "rectangular 5 x 7 images (centre at row 2, column 3)",
            (_images(rng, (4, 5, 7)), rng.uniform(-30, 30, size=4)),
        ),
        Case("batch of one, -10 degrees", (_images(rng, (1, 8, 8)), np.array([-10.0]))),
        Case("all-zero images", (np.zeros((2, 8, 8)), np.array([12.0, -7.0]))),
        Case(
            "float32 images keep float32",
            (_images(rng, (3, 8, 8), np.float32), rng.uniform(-15, 15, size=3)),
        ),
    ]


def _judge_rotation(expected: np.ndarray, got: Any) -> str:
    message = compare(expected, got, rtol=_RTOL, atol=_ATOL)
    if not message or _mismatch(expected, got) is None:
        return message
    if not np.allclose(expected, expected[:, :, ::-1]) and np.allclose(
        got, expected[:, :, ::-1], rtol=_RTOL, atol=_ATOL
    ):
        return (
            message + " Yours is the mirror image of the expected result: you turned clockwise. "
            "Positive angles turn counter-clockwise on screen, where row 0 is the top."
        )
    return message


# --- Exercise 3: Gaussian pixel noise ---------------------------------------------------------


def _noise_cases(rng: np.random.Generator) -> list[Case]:
    seed = int(rng.integers(1_000_000))
    unit_range = (0.0, 1.0)
    return [
        Case("ten 8 x 8 images, stddev 0.1", (_images(rng, (10, 8, 8)), 0.1), {"rng": Seed(seed)}),
        Case(
            "stddev 0.3, clipped to (0, 1)",
            (_images(rng, (10, 8, 8)), 0.3),
            {"rng": Seed(seed + 1), "clip": unit_range},
        ),
        Case("stddev 0 (an exact copy)", (_images(rng, (3, 8, 8)), 0.0), {"rng": Seed(seed + 2)}),
        Case("batch of one", (_images(rng, (1, 8, 8)), 0.2), {"rng": Seed(seed + 3)}),
        Case(
            "all-zero images, clipped to (0, 1)",
            (np.zeros((4, 8, 8)), 0.5),
            {"rng": Seed(seed + 4), "clip": unit_range},
        ),
        Case(
            "float32 images keep float32",
            (_images(rng, (5, 8, 8), np.float32), 0.1),
            {"rng": Seed(seed + 5), "clip": unit_range},
        ),
        Case(
            "channels-last images of shape (n, 8, 8, 1)",
            (_images(rng, (3, 8, 8, 1)), 0.2),
            {"rng": Seed(seed + 6)},
        ),
    ]


def _judge_noise(expected: np.ndarray, got: Any) -> str:
    message = compare(expected, got, rtol=_RTOL, atol=_ATOL)
    mismatch = _mismatch(expected, got)
    if message and mismatch is not None and mismatch.any():
        beyond = (got < expected.min() - _ATOL) | (got > expected.max() + _ATOL)
        if beyond.any():
            return (
                message + " Some of your values lie outside the range of the expected ones: "
                "when clip=(low, high) is given, finish with np.clip(noisy, low, high)."
            )
    return message


EXERCISES = (
    Exercise(
        name="random_shift",
        lesson="05",
        reference=random_shift,
        make_cases=_shift_cases,
        hint="a shift moves each image by a random whole number of pixels; pixels pushed out are "
            "lost and the uncovered border is 0, nothing wraps around.",
        hint_detail="draw all (down, right) offsets in one rng.integers call of shape (n, 2), "
            "from -max_shift to max_shift inclusive; for each image, copy the part that stays "
            "inside into an array of zeros: output pixel (r, c) comes from input pixel (r - down, "
            "c - right). np.roll wraps around.",
        judge=_judge_shift,
        rtol=_RTOL,
        atol=_ATOL,
    ),
    Exercise(
        name="rotate_images",
        lesson="05",
        reference=rotate_images,
        make_cases=_rotation_cases,
        hint="work backwards: for each output pixel, find the point of the input that the "
            "rotation carries onto it, and blend the four input pixels around that point "
            "(bilinear interpolation); neighbours outside the image count as 0.",
        hint_detail="with dr = r - (h-1)/2 and dc = c - (w-1)/2, the source point is row (h-1)/2 "
            "+ sin(a)*dc + cos(a)*dr and column (w-1)/2 + cos(a)*dc - sin(a)*dr, with a in "
            "radians; weight each of its 4 neighbours by how close it is. Keep the images' dtype.",
        judge=_judge_rotation,
        rtol=_RTOL,
        atol=_ATOL,
    ),
    Exercise(
        name="add_gaussian_noise",
        lesson="05",
        reference=add_gaussian_noise,
        make_cases=_noise_cases,
        hint="the noise is drawn once for the whole batch, from a normal distribution with mean "
            "0 and the given stddev; the noisy images keep their dtype, and are clipped only when "
            "clip is given.",
        hint_detail="one rng.normal call of the images' shape; add it, convert back to the "
            "images' dtype, then clip to (low, high) when clip is not None.",
        judge=_judge_noise,
        rtol=_RTOL,
        atol=_ATOL,
    ),
)
