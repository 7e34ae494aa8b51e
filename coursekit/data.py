"""Offline datasets for the course, with deterministic splits.

Everything here works with no network: the default datasets are bundled with scikit-learn
(``load_digits``, ``load_breast_cancer``) or synthetic (``make_moons``, a sparse linear problem,
a noisy sine). The optional MNIST / Fashion-MNIST loader is for learners who are online; without
a network it fails with a message that names the offline default.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from coursekit.reference._validation import check_fraction, check_rng


@dataclass(frozen=True)
class Split:
    """A train / validation / test split.

    Attributes
    ----------
    X_train, X_val, X_test : ndarray of shape (n_*, ...)
        Inputs, float32. Images keep their 2-D shape (n, height, width).
    y_train, y_val, y_test : ndarray of shape (n_*,)
        Integer class labels (classification) or float targets (regression).
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray

    def sizes(self) -> dict[str, int]:
        """Number of examples in each part, e.g. ``{"train": 60, "val": 400, "test": 400}``."""
        return {"train": len(self.y_train), "val": len(self.y_val), "test": len(self.y_test)}


def split_indices(
    n_samples: int, val_fraction: float, test_fraction: float, *, rng: np.random.Generator | int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle ``range(n_samples)`` and cut it into train, validation and test indices.

    Parameters
    ----------
    n_samples : int
        Number of examples, >= 3.
    val_fraction, test_fraction : float
        Fractions in [0, 1) of the examples for validation and test; their sum must be < 1.
        Sizes are ``round(fraction * n_samples)``.
    rng : numpy.random.Generator or int
        Source of the shuffle.

    Returns
    -------
    train, val, test : ndarray of int, shapes (n_train,), (n_val,), (n_test,)
        Disjoint index arrays whose union is ``range(n_samples)``.
    """
    if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)) or n_samples < 3:
        raise ValueError(f"n_samples must be an int >= 3, got {n_samples!r}.")
    val_fraction = check_fraction(val_fraction, "val_fraction")
    test_fraction = check_fraction(test_fraction, "test_fraction")
    if val_fraction + test_fraction >= 1:
        raise ValueError(
            "val_fraction + test_fraction must be < 1 to leave training data, got "
            f"{val_fraction} + {test_fraction}."
        )
    order = check_rng(rng).permutation(n_samples)
    n_val = int(round(val_fraction * n_samples))
    n_test = int(round(test_fraction * n_samples))
    n_train = n_samples - n_val - n_test
    return order[:n_train], order[n_train : n_train + n_val], order[n_train + n_val :]


def _subset(indices: np.ndarray, n_max: int | None) -> np.ndarray:
    return indices if n_max is None else indices[:n_max]


def load_digits_split(
    *, n_train: int | None = None, val_fraction: float = 0.25, test_fraction: float = 0.25,
    seed: int = 0, flatten: bool = False,
) -> Split:
    """The 8×8 handwritten digits bundled with scikit-learn (1,797 images, 10 classes).

    Parameters
    ----------
    n_train : int, optional
        Keep only this many training images (the first ones after shuffling): a small training
        set is where overfitting shows. Validation and test sets are not reduced.
    val_fraction, test_fraction : float
        Fractions of all 1,797 images used for validation and test.
    seed : int
        Seed of the shuffle: the same seed always gives the same split.
    flatten : bool, default=False
        Return inputs of shape (n, 64) instead of (n, 8, 8).

    Returns
    -------
    Split
        Pixel values scaled to [0, 1] as float32; labels int64 in 0..9.
    """
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = (digits.images / 16.0).astype(np.float32)
    if flatten:
        images = images.reshape(len(images), -1)
    labels = digits.target.astype(np.int64)
    train, val, test = split_indices(len(labels), val_fraction, test_fraction, rng=seed)
    train = _subset(train, n_train)
    return Split(images[train], labels[train], images[val], labels[val], images[test], labels[test])


def load_breast_cancer_split(
    *, n_train: int | None = None, val_fraction: float = 0.25, test_fraction: float = 0.25,
    seed: int = 0,
) -> Split:
    """scikit-learn's breast-cancer data (569 × 30), standardised with training statistics only.

    Returns
    -------
    Split
        float32 features of shape (n, 30); labels int64 in {0, 1}.
    """
    from sklearn.datasets import load_breast_cancer

    X, y = load_breast_cancer(return_X_y=True)
    train, val, test = split_indices(len(y), val_fraction, test_fraction, rng=seed)
    train = _subset(train, n_train)
    mean, std = X[train].mean(axis=0), X[train].std(axis=0) + 1e-8

    def scale(rows: np.ndarray) -> np.ndarray:
        return ((X[rows] - mean) / std).astype(np.float32)

    return Split(scale(train), y[train], scale(val), y[val], scale(test), y[test])


def make_moons_split(
    *, n_train: int = 60, n_val: int = 500, n_test: int = 500, noise: float = 0.3, seed: int = 0
) -> Split:
    """Two interleaving half-moons in 2-D, for decision-boundary pictures.

    Returns
    -------
    Split
        float32 inputs of shape (n, 2); labels int64 in {0, 1}.
    """
    from sklearn.datasets import make_moons

    X, y = make_moons(n_train + n_val + n_test, noise=noise, random_state=seed)
    X = X.astype(np.float32)
    a, b = n_train, n_train + n_val
    return Split(X[:a], y[:a], X[a:b], y[a:b], X[b:], y[b:])


def make_sparse_regression(
    *, n_samples: int = 100, n_features: int = 40, n_informative: int = 5, noise: float = 0.5,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A linear problem whose true coefficients are mostly exactly zero.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        Standard-normal features.
    y : ndarray of shape (n_samples,)
        ``X @ true_coef + noise * N(0, 1)``.
    true_coef : ndarray of shape (n_features,)
        ``n_informative`` entries drawn from ±[1, 3]; the rest are exactly 0.
    """
    if not 0 < n_informative <= n_features:
        raise ValueError(
            f"n_informative must be in [1, n_features={n_features}], got {n_informative!r}."
        )
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, n_features))
    true_coef = np.zeros(n_features)
    support = rng.choice(n_features, size=n_informative, replace=False)
    true_coef[support] = rng.uniform(1.0, 3.0, n_informative) * rng.choice([-1.0, 1.0], n_informative)
    y = X @ true_coef + noise * rng.standard_normal(n_samples)
    return X, y, true_coef


def true_sine(x: np.ndarray) -> np.ndarray:
    """The noise-free target of :func:`make_noisy_sine`: ``sin(2πx)`` for x in [0, 1]."""
    return np.sin(2 * np.pi * x)


def make_noisy_sine(
    n_samples: int, *, noise: float = 0.25, rng: np.random.Generator | int
) -> tuple[np.ndarray, np.ndarray]:
    """Inputs uniform on [0, 1] and targets ``sin(2πx) + noise * N(0, 1)``.

    Returns
    -------
    x, y : ndarray of shape (n_samples,)
    """
    rng = check_rng(rng)
    x = rng.uniform(0.0, 1.0, n_samples)
    return x, true_sine(x) + noise * rng.standard_normal(n_samples)


# --- Optional online datasets -------------------------------------------------------------

ONLINE_DATASETS = ("mnist", "fashion_mnist")
CACHE_VARIABLE = "COURSEKIT_DATA_DIR"


class DatasetUnavailableError(RuntimeError):
    """An optional dataset is neither cached nor downloadable (usually: no network)."""


def data_cache_dir() -> Path:
    """Folder of the optional datasets: ``$COURSEKIT_DATA_DIR`` or ``~/.coursekit/data``."""
    return Path(os.environ.get(CACHE_VARIABLE, Path.home() / ".coursekit" / "data"))


def _download_with_keras(name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    import keras

    module = getattr(keras.datasets, name)
    (x_train, y_train), (x_test, y_test) = module.load_data()
    return x_train, y_train, x_test, y_test


def load_online_dataset(
    name: str = "mnist", *, downloader: Callable[[str], tuple] | None = None
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load MNIST or Fashion-MNIST (28×28 grey images), from the cache or by downloading once.

    The first call needs a network; the arrays are then cached as
    ``<data_cache_dir()>/<name>.npz`` and later calls work offline.

    Parameters
    ----------
    name : {"mnist", "fashion_mnist"}
    downloader : callable, optional
        ``downloader(name) -> (x_train, y_train, x_test, y_test)``; defaults to
        ``keras.datasets``. Tests pass a fake one.

    Returns
    -------
    (x_train, y_train), (x_test, y_test)
        uint8 images of shape (n, 28, 28) and uint8 labels, as Keras returns them.

    Raises
    ------
    DatasetUnavailableError
        When the file is not cached and cannot be downloaded; the message names the offline
        alternative, :func:`load_digits_split`.
    """
    if name not in ONLINE_DATASETS:
        raise ValueError(f"name must be one of {ONLINE_DATASETS}, got {name!r}.")
    path = data_cache_dir() / f"{name}.npz"
    if not path.exists():
        fetch = downloader or _download_with_keras
        try:
            x_train, y_train, x_test, y_test = fetch(name)
        except (OSError, ValueError, RuntimeError) as error:  # URLError is an OSError
            raise DatasetUnavailableError(
                f"{name} is not cached in {path.parent} and could not be downloaded ({error}). "
                "The course runs fully offline on its embedded data: use "
                "coursekit.data.load_digits_split() instead, or connect once to cache it."
            ) from None
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(path, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    with np.load(path, allow_pickle=False) as arrays:
        return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


# --- The local Keras cache, read without any network ---------------------------------------

KERAS_HOME_VARIABLE = "KERAS_HOME"
#: Files ``keras.datasets.<name>.load_data()`` leaves under ``<keras home>/datasets``.
KERAS_CACHE_FILES = {
    "mnist": ("mnist.npz",),
    "fashion_mnist": tuple(
        f"fashion-mnist/{stem}.gz"
        for stem in (
            "train-labels-idx1-ubyte",
            "train-images-idx3-ubyte",
            "t10k-labels-idx1-ubyte",
            "t10k-images-idx3-ubyte",
        )
    ),
}
_IDX_MAGIC = {1: 2049, 3: 2051}  # labels (1-D) and images (3-D) in LeCun's idx format


def keras_cache_dir() -> Path:
    """Where Keras caches its datasets: ``$KERAS_HOME/datasets``, else ``~/.keras/datasets``."""
    home = os.environ.get(KERAS_HOME_VARIABLE) or Path.home() / ".keras"
    return Path(home) / "datasets"


def keras_download_command(name: str) -> str:
    """The one-line shell command that caches ``name`` with Keras (needs a network)."""
    return f'python -c "import keras; keras.datasets.{name}.load_data()"'


def _read_idx(path: Path, ndim: int) -> np.ndarray:
    """One gzip-compressed idx file as a uint8 array; ValueError if it is not a whole one."""
    import gzip
    import zlib

    try:
        with gzip.open(path, "rb") as stream:
            raw = stream.read()
    except (OSError, EOFError, zlib.error) as error:  # BadGzipFile is an OSError
        raise ValueError(f"{path.name} is not a complete gzip file ({error})") from None
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"{path.name} has {len(raw)} bytes, fewer than its idx header")
    magic = int.from_bytes(raw[:4], "big")
    if magic != _IDX_MAGIC[ndim]:
        raise ValueError(f"{path.name} has idx magic number {magic}, not {_IDX_MAGIC[ndim]}")
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected = int(np.prod(shape))
    if len(raw) - header != expected:
        raise ValueError(
            f"{path.name} has {len(raw) - header} data bytes, its header announces {expected}"
        )
    return np.frombuffer(raw, np.uint8, offset=header).reshape(shape)


def _read_keras_files(name: str, paths: list[Path]) -> tuple:
    if name == "mnist":
        try:
            with np.load(paths[0], allow_pickle=False) as arrays:
                parts = tuple(arrays[key] for key in ("x_train", "y_train", "x_test", "y_test"))
        except (OSError, EOFError, KeyError, ValueError, zipfile.BadZipFile) as error:
            raise ValueError(f"mnist.npz is not a complete npz archive ({error})") from None
    else:
        y_train, x_train, y_test, x_test = (
            _read_idx(path, 1 if "labels" in path.name else 3) for path in paths
        )
        parts = (x_train, y_train, x_test, y_test)
    x_train, y_train, x_test, y_test = parts
    for x, y, part in [(x_train, y_train, "training"), (x_test, y_test, "test")]:
        if x.ndim != 3 or y.ndim != 1 or len(x) != len(y):
            raise ValueError(
                f"{part} images of shape {x.shape} do not match labels of shape {y.shape}"
            )
    return parts


def load_keras_cached(
    name: str = "fashion_mnist", *, cache_dir: str | os.PathLike | None = None
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """MNIST or Fashion-MNIST from the local Keras cache only; never touches the network.

    ``keras.datasets.mnist.load_data()`` leaves ``mnist.npz`` in the cache, and
    ``keras.datasets.fashion_mnist.load_data()`` four gzip-compressed idx files in
    ``fashion-mnist/`` (see :data:`KERAS_CACHE_FILES`). This reads those files as Keras does,
    after checking that they are complete.

    Parameters
    ----------
    name : {"mnist", "fashion_mnist"}, default="fashion_mnist"
    cache_dir : path, optional
        The Keras cache folder; defaults to :func:`keras_cache_dir` (``$KERAS_HOME/datasets``
        or ``~/.keras/datasets``).

    Returns
    -------
    (x_train, y_train), (x_test, y_test)
        uint8 images of shape (n, 28, 28) and uint8 labels of shape (n,), as Keras returns them.

    Raises
    ------
    DatasetUnavailableError
        With a one-line message: when a file is missing (it says how to cache the dataset on a
        machine with internet, :func:`keras_download_command`), or when a file is corrupt or
        incomplete (it names the file and says to delete it and download again).
    """
    if name not in KERAS_CACHE_FILES:
        raise ValueError(f"name must be one of {tuple(KERAS_CACHE_FILES)}, got {name!r}.")
    folder = Path(cache_dir) if cache_dir is not None else keras_cache_dir()
    paths = [folder / relative for relative in KERAS_CACHE_FILES[name]]
    if not all(path.is_file() for path in paths):
        raise DatasetUnavailableError(
            f"{name} is not in the local Keras cache (~/.keras/datasets, or $KERAS_HOME/datasets); "
            f"to get it, run "
            f"`{keras_download_command(name)}` on a machine with internet."
        )
    try:
        (x_train, y_train, x_test, y_test) = _read_keras_files(name, paths)
    except ValueError as error:
        raise DatasetUnavailableError(
            f"{name} in the Keras cache {folder} is corrupt or incomplete ({error}); delete "
            f"those files and run `{keras_download_command(name)}` again."
        ) from None
    return (x_train, y_train), (x_test, y_test)
