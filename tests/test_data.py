"""coursekit.data: deterministic offline splits and the optional online loader."""

import numpy as np
import pytest

from coursekit import data


def test_digits_split_is_deterministic_for_a_seed():
    first, second = data.load_digits_split(seed=3), data.load_digits_split(seed=3)
    np.testing.assert_array_equal(first.X_train, second.X_train)
    np.testing.assert_array_equal(first.y_val, second.y_val)


def test_digits_split_changes_with_the_seed():
    assert not np.array_equal(
        data.load_digits_split(seed=0).y_train, data.load_digits_split(seed=1).y_train
    )


def test_digits_small_training_split_keeps_validation_and_test_sizes():
    split = data.load_digits_split(n_train=60, seed=0)
    assert split.sizes() == {"train": 60, "val": 449, "test": 449}
    assert split.X_train.shape == (60, 8, 8) and split.X_train.dtype == np.float32
    assert 0.0 <= split.X_train.min() and split.X_train.max() <= 1.0


def test_digits_parts_are_disjoint():
    split = data.load_digits_split(seed=0, flatten=True)
    rows = [tuple(r) for part in (split.X_train, split.X_val, split.X_test) for r in part]
    # The digits data holds a few exact duplicate images, so compare counts with the source.
    from sklearn.datasets import load_digits

    assert len(set(rows)) == len({tuple(r) for r in load_digits().data})


def test_split_indices_partition_all_examples():
    train, val, test = data.split_indices(37, 0.15, 0.15, rng=0)
    assert (len(train), len(val), len(test)) == (25, 6, 6)  # round(0.15 * 37) = 6
    np.testing.assert_array_equal(np.sort(np.concatenate([train, val, test])), np.arange(37))


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((2, 0.1, 0.1), "n_samples"),
        ((10, 0.6, 0.5), "val_fraction \\+ test_fraction"),
        ((10, -0.1, 0.1), "val_fraction"),
    ],
)
def test_split_indices_rejects_bad_arguments_by_name(args, match):
    with pytest.raises(ValueError, match=match):
        data.split_indices(*args, rng=0)


def test_breast_cancer_is_standardised_with_training_statistics():
    split = data.load_breast_cancer_split(seed=0)
    np.testing.assert_allclose(split.X_train.mean(axis=0), 0.0, atol=1e-5)
    assert split.X_train.shape[1] == 30


def test_moons_split_sizes_and_dtype():
    split = data.make_moons_split(n_train=40, n_val=100, n_test=50, seed=0)
    assert split.sizes() == {"train": 40, "val": 100, "test": 50}
    assert split.X_train.dtype == np.float32 and set(np.unique(split.y_train)) == {0, 1}


def test_sparse_regression_has_the_requested_support():
    X, y, coef = data.make_sparse_regression(n_samples=50, n_features=20, n_informative=4, seed=1)
    assert X.shape == (50, 20) and y.shape == (50,)
    assert np.count_nonzero(coef) == 4 and np.all(np.abs(coef[coef != 0]) >= 1.0)


def test_noisy_sine_noise_level():
    x, y = data.make_noisy_sine(20_000, noise=0.25, rng=0)
    np.testing.assert_allclose(np.std(y - data.true_sine(x)), 0.25, rtol=0.03)


def _tiny_arrays():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (4, 28, 28), dtype=np.uint8)
    labels = np.arange(4, dtype=np.uint8)
    return images, labels, images[:2], labels[:2]


def test_online_loader_reads_a_cached_file(tmp_path, monkeypatch):
    monkeypatch.setenv(data.CACHE_VARIABLE, str(tmp_path))
    x_train, y_train, x_test, y_test = _tiny_arrays()
    np.savez_compressed(
        tmp_path / "mnist.npz", x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test
    )

    def no_network(name):
        raise AssertionError("a cached dataset must not be downloaded again")

    (got_x, got_y), (got_xt, _) = data.load_online_dataset("mnist", downloader=no_network)
    np.testing.assert_array_equal(got_x, x_train)
    np.testing.assert_array_equal(got_y, y_train)
    assert got_xt.shape == (2, 28, 28)


def test_online_loader_caches_what_it_downloads(tmp_path, monkeypatch):
    monkeypatch.setenv(data.CACHE_VARIABLE, str(tmp_path))
    data.load_online_dataset("fashion_mnist", downloader=lambda name: _tiny_arrays())
    assert (tmp_path / "fashion_mnist.npz").exists()


def test_online_loader_without_network_names_the_offline_default(tmp_path, monkeypatch):
    monkeypatch.setenv(data.CACHE_VARIABLE, str(tmp_path))

    def unreachable(name):
        raise OSError("Temporary failure in name resolution")

    with pytest.raises(data.DatasetUnavailableError, match="load_digits_split"):
        data.load_online_dataset("mnist", downloader=unreachable)


def test_online_loader_rejects_unknown_names():
    with pytest.raises(ValueError, match="name must be one of"):
        data.load_online_dataset("cifar10")


# --- load_keras_cached: the local Keras cache, never the network ---------------------------


def _write_idx(path, array):
    """``array`` (uint8, 1-D labels or 3-D images) as a gzip-compressed idx file."""
    import gzip

    magic = 2049 if array.ndim == 1 else 2051
    header = magic.to_bytes(4, "big") + b"".join(n.to_bytes(4, "big") for n in array.shape)
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wb") as stream:
        stream.write(header + array.tobytes())


def _fashion_cache(folder):
    x_train, y_train, x_test, y_test = _tiny_arrays()
    for relative, array in zip(
        data.KERAS_CACHE_FILES["fashion_mnist"], [y_train, x_train, y_test, x_test], strict=True
    ):
        _write_idx(folder / relative, array)
    return x_train, y_train, x_test, y_test


def test_keras_cache_loader_reads_fashion_mnist_idx_files(tmp_path):
    x_train, y_train, x_test, y_test = _fashion_cache(tmp_path)
    (got_x, got_y), (got_xt, got_yt) = data.load_keras_cached("fashion_mnist", cache_dir=tmp_path)
    np.testing.assert_array_equal(got_x, x_train)
    np.testing.assert_array_equal(got_y, y_train)
    np.testing.assert_array_equal(got_xt, x_test)
    np.testing.assert_array_equal(got_yt, y_test)
    assert got_x.dtype == np.uint8 and got_x.shape == (4, 28, 28)


def test_keras_cache_loader_reads_mnist_npz(tmp_path):
    x_train, y_train, x_test, y_test = _tiny_arrays()
    np.savez(tmp_path / "mnist.npz", x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    (got_x, got_y), _ = data.load_keras_cached("mnist", cache_dir=tmp_path)
    np.testing.assert_array_equal(got_x, x_train)
    np.testing.assert_array_equal(got_y, y_train)


def test_keras_cache_loader_finds_the_cache_under_keras_home(tmp_path, monkeypatch):
    monkeypatch.setenv(data.KERAS_HOME_VARIABLE, str(tmp_path))
    _fashion_cache(tmp_path / "datasets")
    assert data.keras_cache_dir() == tmp_path / "datasets"
    (got_x, _), _ = data.load_keras_cached("fashion_mnist")
    assert got_x.shape == (4, 28, 28)


def test_keras_cache_loader_never_downloads(tmp_path, monkeypatch):
    import urllib.request

    def no_network(*args, **kwargs):
        raise AssertionError("the cache-only loader must not open a URL")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    monkeypatch.setattr(urllib.request, "urlretrieve", no_network)
    with pytest.raises(data.DatasetUnavailableError):
        data.load_keras_cached("fashion_mnist", cache_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_missing_keras_cache_says_in_one_line_how_to_get_the_data(tmp_path):
    with pytest.raises(data.DatasetUnavailableError) as caught:
        data.load_keras_cached("fashion_mnist", cache_dir=tmp_path)
    message = str(caught.value)
    assert "\n" not in message
    assert str(tmp_path) not in message  # the same line on every machine (stored notebook output)
    assert 'python -c "import keras; keras.datasets.fashion_mnist.load_data()"' in message


def test_partial_keras_cache_counts_as_missing(tmp_path):
    _fashion_cache(tmp_path)
    (tmp_path / data.KERAS_CACHE_FILES["fashion_mnist"][3]).unlink()
    with pytest.raises(data.DatasetUnavailableError, match="is not in the local Keras cache"):
        data.load_keras_cached("fashion_mnist", cache_dir=tmp_path)


def test_truncated_gzip_file_gives_a_clear_message(tmp_path):
    _fashion_cache(tmp_path)
    images = tmp_path / data.KERAS_CACHE_FILES["fashion_mnist"][1]
    images.write_bytes(images.read_bytes()[:40])
    with pytest.raises(
        data.DatasetUnavailableError,
        match=r"corrupt or incomplete \(train-images-idx3-ubyte\.gz is not a complete gzip",
    ):
        data.load_keras_cached("fashion_mnist", cache_dir=tmp_path)


def test_idx_file_with_missing_images_gives_a_clear_message(tmp_path):
    _fashion_cache(tmp_path)
    x_train = _tiny_arrays()[0]
    path = tmp_path / data.KERAS_CACHE_FILES["fashion_mnist"][1]
    _write_idx(path, x_train)
    import gzip

    with gzip.open(path, "rb") as stream:
        raw = stream.read()
    with gzip.open(path, "wb") as stream:
        stream.write(raw[: len(raw) - 28 * 28])  # one image short of what the header announces
    with pytest.raises(data.DatasetUnavailableError, match=r"header announces 3136.*run `python"):
        data.load_keras_cached("fashion_mnist", cache_dir=tmp_path)


def test_corrupt_mnist_npz_gives_a_clear_message(tmp_path):
    (tmp_path / "mnist.npz").write_bytes(b"PK\x03\x04 not really a zip archive")
    with pytest.raises(data.DatasetUnavailableError, match=r"mnist .*corrupt or incomplete"):
        data.load_keras_cached("mnist", cache_dir=tmp_path)


def test_keras_cache_loader_rejects_unknown_names(tmp_path):
    with pytest.raises(ValueError, match="name must be one of"):
        data.load_keras_cached("cifar10", cache_dir=tmp_path)
