"""Exercises of lesson 05 (data augmentation): a random shift, a rotation, pixel noise, cutout.

All three are compared with :mod:`coursekit.reference.augmentation`. The random ones receive
the same generator as the reference (a :class:`~coursekit.exercises.core.Seed`), so the learner
draws exactly what the reference draws:

* ``random_shift``: one call ``rng.integers(-max_shift, max_shift, size=(n, 2),
  endpoint=True)``, columns ``(down, right)``, then a shift that lets zeros in at the border;
* ``rotate_images``: deterministic, bilinear interpolation about the centre with inverse
  mapping, neighbours outside the image counting as 0 (this equals the reference exactly);
* ``add_gaussian_noise``: one call ``rng.normal(0.0, stddev, size=images.shape)``, the input's
  dtype kept, then an optional clip;
* ``cutout``: one call ``rng.integers(0, (height, width), size=(n, 2))`` for the patch centres,
  then a ``size`` x ``size`` square of zeros around each centre, clipped at the border.

When a result differs, the judges name the usual mistake: wrapping pixels around with
``np.roll``, turning clockwise instead of counter-clockwise, forgetting the clip, or (cutout)
a patch whose slice starts at a negative index near the border, or that sits off its centre.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from coursekit.exercises.core import Case, Exercise, Seed, compare
from coursekit.reference.augmentation import add_gaussian_noise, cutout, random_shift, rotate_images

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


# --- Exercise 4: cutout ----------------------------------------------------------------------


def _cutout_cases(rng: np.random.Generator) -> list[Case]:
    seed = int(rng.integers(1_000_000))
    return [
        Case("ten 8 x 8 images, size 4", (_images(rng, (10, 8, 8)), 4), {"rng": Seed(seed)}),
        Case(
            "odd size 3 (rows centre - 1 to centre + 1)",
            (_images(rng, (10, 8, 8)), 3),
            {"rng": Seed(seed + 1)},
        ),
        Case(
            "forty images, size 4: many patches touch the top or left border",
            (_images(rng, (40, 8, 8)), 4),
            {"rng": Seed(seed + 2)},
        ),
        Case("size 0 (an exact copy)", (_images(rng, (4, 8, 8)), 0), {"rng": Seed(seed + 3)}),
        Case("size 1 (one pixel)", (_images(rng, (6, 8, 8)), 1), {"rng": Seed(seed + 4)}),
        Case(
            "rectangular 6 x 5 images (rows and columns differ)",
            (_images(rng, (10, 6, 5)), 2),
            {"rng": Seed(seed + 5)},
        ),
        Case(
            "a patch larger than the image (size 12 on 8 x 8)",
            (_images(rng, (5, 8, 8)), 12),
            {"rng": Seed(seed + 6)},
        ),
        Case("batch of one", (_images(rng, (1, 8, 8)), 4), {"rng": Seed(seed + 7)}),
        Case(
            "float32 images keep float32",
            (_images(rng, (5, 8, 8), np.float32), 4),
            {"rng": Seed(seed + 8)},
        ),
        Case(
            "channels-last images of shape (n, 8, 8, 1): every channel erased",
            (_images(rng, (5, 8, 8, 1)), 4),
            {"rng": Seed(seed + 9)},
        ),
    ]


def _judge_cutout(expected: np.ndarray, got: Any) -> str:
    message = compare(expected, got, rtol=_RTOL, atol=_ATOL)
    mismatch = _mismatch(expected, got)
    if not message or mismatch is None or not mismatch.any():
        return message
    # The test images have no exact zeros, so the zeros show where each patch is.
    want, have = expected == 0, got == 0
    if (mismatch & ~want & ~have).any():
        return message + " Pixels outside the patch changed: copy the images and set only the patch to 0."
    per_image = tuple(range(1, expected.ndim))
    if not have.any():
        return message + " Nothing was erased: each image needs one patch of zeros."
    missing = want.sum(axis=per_image) > have.sum(axis=per_image)
    top_or_left = want[:, 0].any(axis=tuple(range(1, want.ndim - 1))) | want[:, :, 0].any(
        axis=tuple(range(1, want.ndim - 1))
    )
    if missing.any() and np.all(top_or_left[missing]):
        return (
            message + " Your patches are missing or too small only where they touch the top or "
            "left border: a slice that starts at a negative index counts from the end of the axis. "
            "Clip the start at 0."
        )
    if _patches_sit_down_right(want, have):
        return (
            message + " Your patches sit below and to the right of where they should: the drawn "
            "(row, col) is the centre pixel of the patch, which starts size // 2 before it."
        )
    return message + " Your patches have the wrong size or place: a patch is size pixels wide and high, less where the border cuts it."


def _patches_sit_down_right(want: np.ndarray, have: np.ndarray) -> bool:
    """True when, in every image where both erase something, the learner's patch is never above
    or left of the expected one and somewhere strictly below or right of it."""
    rows = np.arange(want.shape[1]).reshape((1, -1) + (1,) * (want.ndim - 2))
    cols = np.arange(want.shape[2]).reshape((1, 1, -1) + (1,) * (want.ndim - 3))
    per_image = tuple(range(1, want.ndim))
    both = want.any(axis=per_image) & have.any(axis=per_image)
    if not both.any():
        return False

    def mean_position(mask: np.ndarray, index: np.ndarray) -> np.ndarray:
        return (mask * index).sum(axis=per_image)[both] / mask.sum(axis=per_image)[both]

    down = mean_position(have, rows) - mean_position(want, rows)
    right = mean_position(have, cols) - mean_position(want, cols)
    return bool(np.all(down >= -1e-9) and np.all(right >= -1e-9) and (down + right).max() > 0)


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
    Exercise(
        name="cutout",
        lesson="05",
        reference=cutout,
        make_cases=_cutout_cases,
        hint="pick one random pixel of each image as the centre of a square of side size, and set "
            "the pixels of that square to 0; where the square sticks out of the image, only the "
            "part inside is erased. The rest of the image stays as it was.",
        hint_detail="draw all the centres in one rng.integers call from 0 up to (height, width), "
            "of shape (n, 2), columns (row, col). On a copy of the images, the square of each image "
            "starts at row - size // 2 (and col - size // 2), clipped at 0, and ends size pixels "
            "later, clipped at the border.",
        judge=_judge_cutout,
        rtol=_RTOL,
        atol=_ATOL,
    ),
)
