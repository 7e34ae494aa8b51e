"""Solutions of lesson 05 (data augmentation from scratch: shift, rotation, noise, cutout)."""

import numpy as np


def random_shift(images, max_shift, rng):
    n, height, width = images.shape[:3]
    offsets = rng.integers(-max_shift, max_shift, size=(n, 2), endpoint=True)
    shifted = np.zeros_like(images)
    for index, (down, right) in enumerate(offsets):
        # Pixels that move past the border are lost; zeros come in on the other side.
        target_rows = slice(max(down, 0), height + min(down, 0))
        target_cols = slice(max(right, 0), width + min(right, 0))
        source_rows = slice(max(-down, 0), height - max(down, 0))
        source_cols = slice(max(-right, 0), width - max(right, 0))
        shifted[index, target_rows, target_cols] = images[index, source_rows, source_cols]
    return shifted


def rotate_images(images, degrees):
    n, height, width = images.shape[:3]
    center_row, center_col = (height - 1) / 2, (width - 1) / 2
    rows, cols = np.meshgrid(np.arange(height), np.arange(width), indexing="ij")
    radians = np.deg2rad(np.broadcast_to(np.asarray(degrees, dtype=np.float64), (n,)))
    cos, sin = np.cos(radians)[:, None, None], np.sin(radians)[:, None, None]
    # Inverse mapping: each output pixel reads the input where the rotation came from.
    source_row = center_row + sin * (cols - center_col) + cos * (rows - center_row)
    source_col = center_col + cos * (cols - center_col) - sin * (rows - center_row)
    # A border of zeros makes neighbours outside the image count as 0.
    padded = np.pad(images, [(0, 0), (1, 1), (1, 1)] + [(0, 0)] * (images.ndim - 3))
    row = np.clip(source_row + 1, 0, height + 1)
    col = np.clip(source_col + 1, 0, width + 1)
    row0 = np.minimum(np.floor(row).astype(np.intp), height)
    col0 = np.minimum(np.floor(col).astype(np.intp), width)
    row_weight, col_weight = row - row0, col - col0
    if images.ndim == 4:
        row_weight, col_weight = row_weight[..., None], col_weight[..., None]
    batch = np.arange(n)[:, None, None]
    top = (1 - col_weight) * padded[batch, row0, col0] + col_weight * padded[batch, row0, col0 + 1]
    bottom = (1 - col_weight) * padded[batch, row0 + 1, col0] + col_weight * padded[batch, row0 + 1, col0 + 1]
    rotated = (1 - row_weight) * top + row_weight * bottom
    outside = (source_row <= -1) | (source_row >= height) | (source_col <= -1) | (source_col >= width)
    rotated[outside] = 0.0
    return rotated.astype(images.dtype)


def add_gaussian_noise(images, stddev, rng, clip=None):
    noise = rng.normal(0.0, stddev, size=images.shape)
    noisy = (images + noise).astype(images.dtype)
    if clip is not None:
        noisy = np.clip(noisy, clip[0], clip[1])
    return noisy


def cutout(images, size, rng):
    n, height, width = images.shape[:3]
    centres = rng.integers(0, (height, width), size=(n, 2))
    erased = images.copy()
    for index, (row, col) in enumerate(centres):
        # The square starts size // 2 before its centre; the border cuts off what sticks out.
        top, left = max(row - size // 2, 0), max(col - size // 2, 0)
        bottom, right = min(row - size // 2 + size, height), min(col - size // 2 + size, width)
        erased[index, top:bottom, left:right] = 0
    return erased
