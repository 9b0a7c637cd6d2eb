"""Tests for cnn_core.kernels: the notes' named kernels, verbatim, read-only, described."""

import numpy as np
import pytest

from cnn_core import KERNEL_INFO, KERNELS, KernelInfo, conv2d, kernel_bank

# Copied from the notes' "Kernels" section.
NOTES_KERNELS = {
    "identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
    "prewitt_vertical": [[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]],
    "prewitt_horizontal": [[-1, -1, -1], [0, 0, 0], [1, 1, 1]],
    "sobel_vertical": [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
    "sobel_horizontal": [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
    "laplacian_4": [[0, 1, 0], [1, -4, 1], [0, 1, 0]],
    "laplacian_8": [[1, 1, 1], [1, -8, 1], [1, 1, 1]],
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "box_blur": np.array([[1, 1, 1], [1, 1, 1], [1, 1, 1]]) / 9,
    "gaussian_blur": np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16,
    "notes_example": [[0, 0, 0], [0, 0, 0], [1, 0, 1]],  # the working example's kernel
}


def test_kernels_holds_exactly_the_notes_named_kernels():
    assert set(KERNELS) == set(NOTES_KERNELS)


@pytest.mark.parametrize("name", sorted(NOTES_KERNELS))
def test_each_named_kernel_equals_the_notes_matrix_exactly(name):
    kernel = KERNELS[name]
    assert kernel.shape == (3, 3)
    assert kernel.dtype == np.float64
    np.testing.assert_array_equal(kernel, NOTES_KERNELS[name])


def test_the_blurs_keep_the_notes_fractions_and_sum_to_one():
    assert KERNELS["box_blur"][0, 0] == 1 / 9
    assert KERNELS["gaussian_blur"][1, 1] == 4 / 16
    assert KERNELS["gaussian_blur"][0, 1] == 2 / 16
    assert KERNELS["box_blur"].sum() == pytest.approx(1.0, abs=1e-15)
    assert KERNELS["gaussian_blur"].sum() == 1.0


@pytest.mark.parametrize("name", ["prewitt_vertical", "prewitt_horizontal", "sobel_vertical",
                                  "sobel_horizontal", "laplacian_4", "laplacian_8"])
def test_edge_kernels_sum_to_zero_so_flat_regions_give_zero(name):
    flat = np.full((5, 5), 0.7)
    np.testing.assert_allclose(conv2d(flat, KERNELS[name]), np.zeros((3, 3)), atol=1e-15)


def test_prewitt_vertical_is_positive_where_ink_starts_on_the_left():
    image = np.zeros((3, 4))
    image[:, 2:] = 1.0  # paper on the left, ink on the right
    np.testing.assert_array_equal(conv2d(image, KERNELS["prewitt_vertical"]), [[3.0, 3.0]])


def test_identity_kernel_with_padding_one_returns_the_image():
    image = np.arange(20.0).reshape(4, 5)
    np.testing.assert_array_equal(conv2d(image, KERNELS["identity"], padding=1), image)


def test_kernel_info_names_and_describes_every_kernel():
    assert set(KERNEL_INFO) == set(KERNELS)
    for key, info in KERNEL_INFO.items():
        assert isinstance(info, KernelInfo), key
        assert isinstance(info.name, str)
        assert isinstance(info.description, str)
        assert info.name.strip(), key
        assert len(info.description.strip()) > 10, key
    names = [info.name for info in KERNEL_INFO.values()]
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("name", sorted(NOTES_KERNELS))
def test_named_kernels_are_read_only(name):
    kernel = KERNELS[name]
    assert not kernel.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        kernel[1, 1] = 42.0
    np.testing.assert_array_equal(KERNELS[name], NOTES_KERNELS[name])


def test_the_kernel_tables_cannot_be_changed():
    with pytest.raises(TypeError):
        KERNELS["identity"] = np.ones((3, 3))  # type: ignore[index]
    with pytest.raises(TypeError):
        KERNEL_INFO["identity"] = KernelInfo("x", "y")  # type: ignore[index]


# --- kernel_bank ----------------------------------------------------------------------------

def test_kernel_bank_stacks_named_kernels_in_order():
    bank = kernel_bank(["sobel_vertical", "identity"])
    assert bank.shape == (2, 3, 3)
    np.testing.assert_array_equal(bank[0], NOTES_KERNELS["sobel_vertical"])
    np.testing.assert_array_equal(bank[1], NOTES_KERNELS["identity"])


def test_kernel_bank_centres_a_3x3_kernel_in_a_larger_size():
    bank = kernel_bank(["sharpen"], size=5)
    expected = np.zeros((5, 5))
    expected[1:4, 1:4] = NOTES_KERNELS["sharpen"]
    np.testing.assert_array_equal(bank[0], expected)


def test_kernel_bank_returns_a_writable_copy():
    bank = kernel_bank(["identity"])
    bank[0, 1, 1] = 5.0
    assert KERNELS["identity"][1, 1] == 1.0


@pytest.mark.parametrize(
    ("names", "size", "message"),
    [
        (["sobel"], 3, "unknown kernel 'sobel'"),
        (["identity"], 2, "need kernel size >= 3"),
        ([], 3, "no kernel names given"),
    ],
)
def test_kernel_bank_rejects_bad_requests(names, size, message):
    with pytest.raises(ValueError, match=message):
        kernel_bank(names, size)
