"""Image augmentations in pure numpy: shift, rotation, noise, flip, cutout, and mixup.

Every function takes a batch of images first, of shape ``(n, height, width)`` or
``(n, height, width, channels)`` (channels last, as in Keras), returns a new array of the same
shape and dtype, and never modifies its input. The random ones take ``rng`` as a keyword (a
``numpy.random.Generator`` or an int seed) and draw one random parameter per image; the draws
are listed in each docstring so that a learner's version can reproduce them exactly.

Coordinates: row 0 is the top of the image and column 0 its left edge, as ``plt.imshow`` shows
an array. The deterministic :func:`shift_images` and :func:`rotate_images` do the work; the
``random_*`` functions draw parameters and call them.

:func:`cutout` erases a random square of each image (DeVries & Taylor 2017, "random erasing").
:func:`mixup` (Zhang et al. 2018) is not label-preserving: it mixes pairs of examples *and*
their one-hot targets, so it takes and returns both.
"""

from __future__ import annotations

import numbers

import numpy as np

from coursekit.reference._validation import (
    as_float_array,
    check_fraction,
    check_nonnegative,
    check_positive,
    check_rng,
    describe,
)

FLIP_MODES = ("horizontal", "vertical", "horizontal_and_vertical")
"""The values of ``random_flip``'s ``mode``, the same as Keras's ``RandomFlip``."""

_ROTATION_CHUNK = 512
"""Images rotated at once: bounds the memory of the per-pixel coordinate arrays."""


def _check_images(images: object) -> np.ndarray:
    return as_float_array(images, "images", ndim=(3, 4))


def _check_fill_value(fill_value: object) -> float:
    if isinstance(fill_value, bool) or not isinstance(fill_value, numbers.Real):
        raise TypeError(f"fill_value must be a finite real number, got {describe(fill_value)}.")
    if not np.isfinite(fill_value):
        raise ValueError(f"fill_value must be a finite real number, got {fill_value!r}.")
    return float(fill_value)


def _check_clip(clip: object) -> None:
    is_pair = isinstance(clip, (tuple, list)) and len(clip) == 2
    if not is_pair or any(
        isinstance(bound, bool) or not isinstance(bound, numbers.Real) for bound in clip
    ):
        raise TypeError(
            f"clip must be None or a pair (low, high) of numbers, got {describe(clip)}."
        )
    if not clip[0] <= clip[1]:
        raise ValueError(f"clip must be a pair (low, high) with low <= high, got {clip!r}.")


def shift_images(images: object, offsets: object, *, fill_value: float = 0.0) -> np.ndarray:
    """Shift each image by a whole number of pixels, filling the uncovered border.

    Parameters
    ----------
    images : ndarray of shape (n, height, width) or (n, height, width, channels)
        Floating-point images.
    offsets : array_like of int, shape (n, 2) or (2,)
        ``(down, right)`` shift of each image in pixels; negative values shift up or left. A
        single pair is used for every image. A shift of the full height or width or more leaves
        only ``fill_value``.
    fill_value : float, default=0.0
        Finite value of the pixels shifted in from outside the image.

    Returns
    -------
    ndarray, same shape and dtype as ``images``
        ``out[i, r, c] = images[i, r - down_i, c - right_i]`` where that pixel exists, else
        ``fill_value``.
    """
    images = _check_images(images)
    fill_value = _check_fill_value(fill_value)
    offsets_array = np.asarray(offsets)
    if offsets_array.dtype == bool or not np.issubdtype(offsets_array.dtype, np.integer):
        raise TypeError(f"offsets must be an integer array, got {describe(offsets_array)}.")
    n, height, width = images.shape[:3]
    if offsets_array.shape == (2,):
        offsets_array = np.broadcast_to(offsets_array, (n, 2))
    if offsets_array.shape != (n, 2):
        raise ValueError(
            f"offsets must have shape ({n}, 2) or (2,) for {n} images, got "
            f"{describe(offsets_array)}."
        )
    shifted = np.full_like(images, fill_value)
    for index, (down, right) in enumerate(offsets_array.tolist()):
        if abs(down) >= height or abs(right) >= width:
            continue
        shifted[
            index,
            max(down, 0) : height - max(-down, 0),
            max(right, 0) : width - max(-right, 0),
        ] = images[
            index,
            max(-down, 0) : height - max(down, 0),
            max(-right, 0) : width - max(right, 0),
        ]
    return shifted


def _rotate_chunk(images: np.ndarray, radians: np.ndarray, fill_value: float) -> np.ndarray:
    n, height, width = images.shape[:3]
    center_row = (height - 1) / 2
    center_col = (width - 1) / 2
    rows, cols = np.meshgrid(np.arange(height), np.arange(width), indexing="ij")
    row_offset = rows - center_row
    col_offset = cols - center_col
    cos = np.cos(radians)[:, None, None]
    sin = np.sin(radians)[:, None, None]
    # Inverse mapping: each output pixel looks up the source point rotated back by the angle.
    # With rows pointing down, a counter-clockwise turn on screen gives these signs.
    source_row = center_row + sin * col_offset + cos * row_offset
    source_col = center_col + cos * col_offset - sin * row_offset

    # A one-pixel border of fill_value lets points just outside the image blend into it.
    pad_width = [(0, 0), (1, 1), (1, 1)] + [(0, 0)] * (images.ndim - 3)
    padded = np.pad(images, pad_width, constant_values=fill_value)
    padded_row = np.clip(source_row + 1, 0, height + 1)
    padded_col = np.clip(source_col + 1, 0, width + 1)
    row0 = np.minimum(np.floor(padded_row).astype(np.intp), height)
    col0 = np.minimum(np.floor(padded_col).astype(np.intp), width)
    row_weight = padded_row - row0
    col_weight = padded_col - col0
    if images.ndim == 4:
        row_weight = row_weight[..., None]
        col_weight = col_weight[..., None]
    batch = np.arange(n)[:, None, None]
    row1 = row0 + 1
    col1 = col0 + 1
    top = (1 - col_weight) * padded[batch, row0, col0] + col_weight * padded[batch, row0, col1]
    bottom = (1 - col_weight) * padded[batch, row1, col0] + col_weight * padded[batch, row1, col1]
    rotated = (1 - row_weight) * top + row_weight * bottom
    outside = (
        (source_row <= -1) | (source_row >= height) | (source_col <= -1) | (source_col >= width)
    )
    rotated[outside] = fill_value
    return rotated.astype(images.dtype, copy=False)


def rotate_images(images: object, degrees: object, *, fill_value: float = 0.0) -> np.ndarray:
    """Rotate each image about its centre, with bilinear interpolation.

    Parameters
    ----------
    images : ndarray of shape (n, height, width) or (n, height, width, channels)
        Floating-point images.
    degrees : float or array_like of shape (n,)
        Angle of each image in degrees; positive turns counter-clockwise on screen (as Keras's
        ``RandomRotation``). A single number is used for every image.
    fill_value : float, default=0.0
        Finite value of the pixels whose source lies outside the image.

    Returns
    -------
    ndarray, same shape and dtype as ``images``
        Each output pixel ``(r, c)`` takes the bilinear interpolation of the input at the point
        that the rotation maps onto ``(r, c)`` (inverse mapping), about the centre
        ``((height - 1) / 2, (width - 1) / 2)``. Within one pixel outside the image the input is
        blended with ``fill_value``; further out the output is ``fill_value``. An angle of 0
        returns the images exactly.
    """
    images = _check_images(images)
    fill_value = _check_fill_value(fill_value)
    angles = np.asarray(degrees)
    if np.issubdtype(angles.dtype, np.integer):
        angles = angles.astype(np.float64)
    angles = as_float_array(angles, "degrees", ndim=(0, 1))
    n = images.shape[0]
    if angles.ndim == 1 and angles.shape != (n,):
        raise ValueError(f"degrees must be a number or have shape ({n},), got {describe(angles)}.")
    if not np.all(np.isfinite(angles)):
        raise ValueError("degrees must be finite, got NaN or infinity.")
    radians = np.deg2rad(np.broadcast_to(angles.astype(np.float64), (n,)))
    rotated = np.empty_like(images)
    for start in range(0, n, _ROTATION_CHUNK):
        chunk = slice(start, start + _ROTATION_CHUNK)
        rotated[chunk] = _rotate_chunk(images[chunk], radians[chunk], fill_value)
    return rotated


def random_shift(
    images: object,
    max_shift: int = 2,
    *,
    rng: np.random.Generator | int,
    fill_value: float = 0.0,
) -> np.ndarray:
    """Shift each image by a random whole number of pixels in each direction.

    Parameters
    ----------
    images : ndarray of shape (n, height, width) or (n, height, width, channels)
        Floating-point images.
    max_shift : int, default=2
        Largest shift in pixels, >= 0. Each image moves by ``down`` and ``right`` drawn
        uniformly and independently from ``{-max_shift, ..., max_shift}``.
    rng : numpy.random.Generator or int
        Random generator or seed. Draws
        ``rng.integers(-max_shift, max_shift, size=(n, 2), endpoint=True)``, columns
        ``(down, right)``.
    fill_value : float, default=0.0
        Finite value of the pixels shifted in from outside.

    Returns
    -------
    ndarray, same shape and dtype as ``images``
        The shifted images (see :func:`shift_images`).
    """
    images = _check_images(images)
    if isinstance(max_shift, bool) or not isinstance(max_shift, numbers.Integral):
        raise TypeError(f"max_shift must be an int >= 0 (pixels), got {describe(max_shift)}.")
    if max_shift < 0:
        raise ValueError(f"max_shift must be an int >= 0 (pixels), got {max_shift!r}.")
    generator = check_rng(rng)
    offsets = generator.integers(-max_shift, max_shift, size=(images.shape[0], 2), endpoint=True)
    return shift_images(images, offsets, fill_value=fill_value)


def random_rotation(
    images: object,
    max_degrees: float = 15.0,
    *,
    rng: np.random.Generator | int,
    fill_value: float = 0.0,
) -> np.ndarray:
    """Rotate each image by a random angle about its centre (bilinear interpolation).

    Parameters
    ----------
    images : ndarray of shape (n, height, width) or (n, height, width, channels)
        Floating-point images.
    max_degrees : float, default=15.0
        Largest angle in degrees, in ``[0, inf)``. Each image turns by an angle drawn uniformly
        from ``[-max_degrees, max_degrees]``; positive is counter-clockwise. Keep it small for
        digits: a 6 turned by 180 degrees is a 9.
    rng : numpy.random.Generator or int
        Random generator or seed. Draws ``rng.uniform(-max_degrees, max_degrees, size=n)``.
    fill_value : float, default=0.0
        Finite value of the pixels whose source lies outside the image.

    Returns
    -------
    ndarray, same shape and dtype as ``images``
        The rotated images (see :func:`rotate_images`).
    """
    images = _check_images(images)
    max_degrees = check_nonnegative(max_degrees, "max_degrees")
    generator = check_rng(rng)
    degrees = generator.uniform(-max_degrees, max_degrees, size=images.shape[0])
    return rotate_images(images, degrees, fill_value=fill_value)


def add_gaussian_noise(
    images: object,
    stddev: float = 0.1,
    *,
    rng: np.random.Generator | int,
    clip: tuple[float, float] | None = None,
) -> np.ndarray:
    """Add independent Gaussian noise to every pixel.

    Parameters
    ----------
    images : ndarray of shape (n, height, width) or (n, height, width, channels)
        Floating-point images.
    stddev : float, default=0.1
        Standard deviation of the noise, in ``[0, inf)``, in the units of the pixel values (like
        Keras's ``GaussianNoise(stddev)``).
    rng : numpy.random.Generator or int
        Random generator or seed. Draws ``rng.normal(0.0, stddev, size=images.shape)``.
    clip : (float, float) or None, default=None
        If given, ``(low, high)`` with ``low <= high``: the noisy pixels are clipped to this
        range, e.g. ``(0.0, 1.0)`` for images scaled to [0, 1].

    Returns
    -------
    ndarray, same shape and dtype as ``images``
        ``images + noise``, clipped if ``clip`` is given.
    """
    images = _check_images(images)
    stddev = check_nonnegative(stddev, "stddev")
    if clip is not None:
        _check_clip(clip)
    generator = check_rng(rng)
    noise = generator.normal(0.0, stddev, size=images.shape)
    noisy = (images + noise).astype(images.dtype, copy=False)
    if clip is not None:
        noisy = np.clip(noisy, clip[0], clip[1])
    return noisy


def random_flip(
    images: object,
    mode: str = "horizontal",
    *,
    rng: np.random.Generator | int,
    probability: float = 0.5,
) -> np.ndarray:
    """Mirror each image at random, left-right and/or top-bottom.

    A horizontal flip does not preserve the label of every image: a mirrored 3 or 7 is not a
    digit. Use it only where mirror images belong to the same class (most photographs).

    Parameters
    ----------
    images : ndarray of shape (n, height, width) or (n, height, width, channels)
        Floating-point images.
    mode : {"horizontal", "vertical", "horizontal_and_vertical"}, default="horizontal"
        Which flips to apply, named as in Keras's ``RandomFlip``: "horizontal" reverses the
        columns (left-right), "vertical" the rows (top-bottom); with both, each is decided
        independently.
    rng : numpy.random.Generator or int
        Random generator or seed. For each flip direction in the order horizontal, vertical,
        draws ``rng.random(n) < probability``.
    probability : float, default=0.5
        Probability, in ``[0, 1]``, that an image is flipped in each direction.

    Returns
    -------
    ndarray, same shape and dtype as ``images``
        The images, some of them flipped. Flipping twice with the same seed gives back the
        input.
    """
    images = _check_images(images)
    if mode not in FLIP_MODES:
        raise ValueError(f"mode must be one of {FLIP_MODES}, got {describe(mode)}.")
    probability = check_fraction(probability, "probability")
    generator = check_rng(rng)
    flipped = images.copy()
    n = images.shape[0]
    if mode in ("horizontal", "horizontal_and_vertical"):
        chosen = generator.random(n) < probability
        flipped[chosen] = flipped[chosen][:, :, ::-1]
    if mode in ("vertical", "horizontal_and_vertical"):
        chosen = generator.random(n) < probability
        flipped[chosen] = flipped[chosen][:, ::-1]
    return flipped


def cutout(
    images: object,
    size: int = 4,
    *,
    rng: np.random.Generator | int,
    fill_value: float = 0.0,
) -> np.ndarray:
    """Erase a square patch at a random place in each image (cutout, random erasing).

    Parameters
    ----------
    images : ndarray of shape (n, height, width) or (n, height, width, channels)
        Floating-point images.
    size : int, default=4
        Side of the square in pixels, >= 0 (0 leaves the images unchanged). The square covers
        rows ``row - size // 2, ..., row - size // 2 + size - 1`` (and the same for columns)
        around its centre pixel ``(row, col)``; the part outside the image is clipped away, so
        a patch near a border is smaller (DeVries & Taylor 2017). All channels are erased.
    rng : numpy.random.Generator or int
        Random generator or seed. Draws the centres
        ``rng.integers(0, (height, width), size=(n, 2))``, columns ``(row, col)``, uniform over
        every pixel of the image.
    fill_value : float, default=0.0
        Finite value written into the patch.

    Returns
    -------
    ndarray, same shape and dtype as ``images``
        A copy of the images with one patch per image set to ``fill_value``.
    """
    images = _check_images(images)
    if isinstance(size, bool) or not isinstance(size, numbers.Integral):
        raise TypeError(f"size must be an int >= 0 (pixels), got {describe(size)}.")
    if size < 0:
        raise ValueError(f"size must be an int >= 0 (pixels), got {size!r}.")
    fill_value = _check_fill_value(fill_value)
    generator = check_rng(rng)
    n, height, width = images.shape[:3]
    centres = generator.integers(0, (height, width), size=(n, 2))
    erased = images.copy()
    if size == 0:
        return erased
    for index, (row, col) in enumerate(centres.tolist()):
        top = max(row - size // 2, 0)
        left = max(col - size // 2, 0)
        bottom = min(row - size // 2 + size, height)
        right = min(col - size // 2 + size, width)
        erased[index, top:bottom, left:right] = fill_value
    return erased


def mixup(
    x: object,
    y_onehot: object,
    alpha: float = 0.2,
    *,
    rng: np.random.Generator | int,
) -> tuple[np.ndarray, np.ndarray]:
    """Mix each example and its target with a random partner from the same batch (mixup).

    ``x_mixed[i] = w_i * x[i] + (1 - w_i) * x[j_i]`` and the same for the targets, with
    ``w_i ~ Beta(alpha, alpha)`` drawn for each example and ``j`` a random permutation of the
    batch (Zhang et al. 2018). A small ``alpha`` puts most weights near 0 or 1 (mild mixing);
    ``alpha=1`` draws them uniformly from ``[0, 1]``.

    Parameters
    ----------
    x : ndarray of shape (n, ...)
        Floating-point inputs: vectors ``(n, features)`` or images ``(n, height, width[,
        channels])``.
    y_onehot : array_like of shape (n, n_classes)
        One-hot (or probability) targets. Integer and boolean arrays are accepted and converted
        to the dtype of ``x``.
    alpha : float, default=0.2
        Parameter of the symmetric Beta distribution, a finite number > 0.
    rng : numpy.random.Generator or int
        Random generator or seed. Draws, in this order, the weights
        ``rng.beta(alpha, alpha, size=n)`` and the partners ``rng.permutation(n)``.

    Returns
    -------
    x_mixed : ndarray, same shape and dtype as ``x``
        Mixed inputs.
    y_mixed : ndarray of shape (n, n_classes)
        Mixed targets, in the dtype of ``y_onehot`` if it is floating point, else of ``x``. Rows
        that sum to 1 still sum to 1.
    """
    x = as_float_array(x, "x")
    if x.ndim < 2:
        raise ValueError(
            f"x must have at least 2 dimensions, (n, features) or (n, height, width), got "
            f"{describe(x)}."
        )
    if isinstance(y_onehot, (str, bytes)) or y_onehot is None:
        raise TypeError(f"y_onehot must be a numeric array, got {describe(y_onehot)}.")
    targets = np.asarray(y_onehot)
    if targets.dtype == bool or np.issubdtype(targets.dtype, np.integer):
        targets = targets.astype(x.dtype)
    targets = as_float_array(targets, "y_onehot", ndim=2)
    n = x.shape[0]
    if targets.shape[0] != n:
        raise ValueError(
            f"y_onehot must have one row per example of x, ({n}, n_classes), got "
            f"{describe(targets)}."
        )
    alpha = check_positive(alpha, "alpha")
    generator = check_rng(rng)
    weights = generator.beta(alpha, alpha, size=n)
    partners = generator.permutation(n)
    x_weights = weights.reshape((n,) + (1,) * (x.ndim - 1)).astype(x.dtype)
    y_weights = weights[:, None].astype(targets.dtype)
    x_mixed = x_weights * x + (1 - x_weights) * x[partners]
    y_mixed = y_weights * targets + (1 - y_weights) * targets[partners]
    return x_mixed, y_mixed
