"""Tests for cnn_core.model_io: a model file round-trips exactly (a TinyCNN in the first
format, a ConvNet with its architecture), and every bad file is refused with a ValueError
that says what is wrong (never a crash, never unpickling).

Model files come from students' uploads on a shared hosted app, so each refusal below is a
file someone could upload: junk, a cut-off download, a hand-edited archive, a pickle, a zip
bomb, a file that is simply too big.
"""

import io
import re
import zipfile

import numpy as np
import pytest

from cnn_core import BlockSpec, ConvNet, NetworkSpec, TinyCNN
from cnn_core.model_io import MAX_ARRAY_BYTES, MAX_FILE_BYTES, load_model, save_model

UNPICKLED = []


def _record_unpickling(tag):
    """Runs only if a pickle in a model file is executed."""
    UNPICKLED.append(tag)
    return tag


class _Payload:
    def __reduce__(self):
        return (_record_unpickling, ("payload ran",))


@pytest.fixture
def model():
    model = TinyCNN(3, 3, (8, 8), 2, 10, seed=4)
    model.params["bias"] = np.random.default_rng(5).normal(size=10)
    return model


def _npz(**arrays):
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def _fields(model):
    return {**model.params, "image_shape": np.array(model.arch.image_shape),
            "pool_size": np.array([model.arch.pool_size])}


def _zip_of_members(members):
    """A hand-built .npz: member name -> raw .npy bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, raw in members.items():
            archive.writestr(f"{name}.npy", raw)
    return buffer.getvalue()


def _npy(array):
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


# --- Round trip -----------------------------------------------------------------------------

def test_save_then_load_gives_bit_identical_params_and_the_same_architecture(model):
    loaded = load_model(save_model(model))
    assert loaded.arch == model.arch
    assert set(loaded.params) == set(model.params)
    for name, value in model.params.items():
        assert loaded.params[name].dtype == np.float64
        np.testing.assert_array_equal(loaded.params[name], value, err_msg=name)
        assert loaded.params[name] is not value


def test_a_loaded_model_predicts_exactly_like_the_saved_one(model):
    images = np.random.default_rng(6).random((40, 8, 8))
    loaded = load_model(save_model(model))
    np.testing.assert_array_equal(loaded.forward(images)["logits"], model.forward(images)["logits"])
    np.testing.assert_array_equal(loaded.predict(images), model.predict(images))


def test_round_trip_keeps_a_non_default_architecture():
    model = TinyCNN(5, 4, (12, 10), 3, 7, seed=8)
    loaded = load_model(bytearray(save_model(model)))
    assert loaded.arch == model.arch
    np.testing.assert_array_equal(loaded.params["weights"], model.params["weights"])


# --- Refusals -------------------------------------------------------------------------------

def test_load_refuses_garbage_bytes():
    with pytest.raises(ValueError, match=r"not a readable \.npz model file"):
        load_model(b"this is not a model, it is a shopping list\n" * 20)


def test_load_refuses_an_empty_file():
    with pytest.raises(ValueError, match=r"not a readable \.npz"):
        load_model(b"")


def test_load_refuses_something_that_is_not_bytes():
    with pytest.raises(ValueError, match="bytes"):
        load_model("kernels.npy")


@pytest.mark.parametrize("keep", [0.1, 0.5, 0.9, 0.99])
def test_load_refuses_a_truncated_file(model, keep):
    data = save_model(model)
    with pytest.raises(ValueError, match=r"not a readable \.npz"):
        load_model(data[: int(len(data) * keep)])


def test_load_refuses_a_file_whose_array_bytes_were_corrupted(model):
    data = bytearray(save_model(model))
    data[200] ^= 0xFF  # inside the first array's data: the zip's CRC no longer matches
    with pytest.raises(ValueError, match="CRC"):
        load_model(bytes(data))


def test_load_refuses_a_file_with_a_missing_key(model):
    fields = _fields(model)
    del fields["bias"]
    with pytest.raises(ValueError, match=r"must hold exactly .*it holds image_shape, kernels, "
                                         r"pool_size, weights$"):
        load_model(_npz(**fields))


def test_load_refuses_a_file_with_an_extra_key(model):
    with pytest.raises(ValueError, match=r"it holds .*extra"):
        load_model(_npz(**_fields(model), extra=np.array([1.0])))


def test_load_refuses_weights_that_do_not_match_the_kernels(model):
    fields = _fields(model)
    fields["weights"] = fields["weights"][:-1]  # one feature short
    message = re.escape("weights has shape (26, 10), expected (27, 10)")
    with pytest.raises(ValueError, match=message):
        load_model(_npz(**fields))


def test_load_refuses_weights_that_do_not_match_the_image_shape(model):
    fields = _fields(model) | {"image_shape": np.array([5, 5])}
    with pytest.raises(ValueError, match=re.escape("expected (12, 10) for images (5, 5)")):
        load_model(_npz(**fields))


@pytest.mark.parametrize("name, value, message", [
    ("kernels", np.ones((3, 3, 2)), "square"),
    ("bias", np.ones((2, 5)), "bias must be 1D"),
    ("image_shape", np.array([8.0, 8.0]), "2 integers"),
    ("image_shape", np.array([8, 8, 1]), "2 integers"),
    ("image_shape", np.array([0, 8]), "out of range"),
    ("image_shape", np.array([10**6, 8]), "out of range"),
    ("pool_size", np.array(2), "1 integer"),
    ("pool_size", np.array([0]), "out of range"),
    ("kernels", np.full((3, 3, 3), "x"), "only numbers"),
])
def test_load_refuses_fields_of_the_wrong_shape_or_kind(model, name, value, message):
    with pytest.raises(ValueError, match=message):
        load_model(_npz(**(_fields(model) | {name: value})))


@pytest.mark.parametrize("name", ["kernels", "weights", "bias"])
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_load_refuses_nan_or_infinite_values(model, name, bad):
    fields = _fields(model)
    fields[name] = fields[name].copy()
    fields[name].flat[1] = bad
    with pytest.raises(ValueError, match=f"{name} contains NaN or infinity"):
        load_model(_npz(**fields))


def test_load_refuses_an_object_array_without_unpickling_it(model):
    fields = _fields(model) | {"kernels": np.array([_Payload()], dtype=object)}
    data = _npz(**fields)  # np.savez pickles object arrays
    UNPICKLED.clear()
    with pytest.raises(ValueError, match="pickled objects, which are refused"):
        load_model(data)
    assert UNPICKLED == []
    # the control: this file really does run code when unpickled
    with np.load(io.BytesIO(data), allow_pickle=True) as archive:
        archive["kernels"]
    assert UNPICKLED == ["payload ran"]


def test_load_refuses_a_zip_that_unpacks_to_more_than_the_limit(model):
    fields = _fields(model) | {"padding": np.zeros(50_000_000 // 8)}  # 50 MB of zeros
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **fields)
    data = buffer.getvalue()
    assert len(data) < 200_000  # a small upload ...
    with pytest.raises(ValueError, match=f"unpacks to 50,00.* the limit is {MAX_ARRAY_BYTES:,}"):
        load_model(data)  # ... refused before anything is decompressed


def test_load_refuses_a_file_over_the_size_limit(model):
    fields = _fields(model) | {"padding": np.random.default_rng(0).random(MAX_FILE_BYTES // 8)}
    data = _npz(**fields)
    assert len(data) > MAX_FILE_BYTES
    with pytest.raises(ValueError, match=f"bytes; the limit is {MAX_FILE_BYTES:,}"):
        load_model(data)


# --- Crafted files that a size check on the zip alone does not catch -------------------------

def test_load_refuses_an_array_header_that_declares_a_huge_shape(model):
    # numpy allocates the declared shape before reading: unchecked, this 200-byte member
    # raised MemoryError (10**16 floats), or silently reserved gigabytes for smaller claims
    members = {name: _npy(value) for name, value in _fields(model).items()}
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f8", "fortran_order": False, "shape": (10**16,)})
    members["weights"] = header.getvalue() + bytes(64)
    with pytest.raises(ValueError, match=r"'weights\.npy' declares shape \(10000000000000000,\)"):
        load_model(_zip_of_members(members))


def test_load_accepts_a_hand_built_archive_of_the_same_members(model):
    # the control for the test above: the hand-built zip itself is fine
    members = {name: _npy(value) for name, value in _fields(model).items()}
    np.testing.assert_array_equal(load_model(_zip_of_members(members)).params["weights"],
                                  model.params["weights"])


def test_load_refuses_a_npy_file_with_a_zip_appended(model):
    # zip allows leading bytes, so zipfile accepts this; np.load would return the leading
    # .npy array instead of an archive (this used to escape as a TypeError)
    with pytest.raises(ValueError, match="does not start like a zip archive"):
        load_model(_npy(np.arange(3)) + save_model(model))


def test_load_refuses_a_pickle_with_a_zip_appended(model):
    import pickle

    with pytest.raises(ValueError, match="not a readable"):
        load_model(pickle.dumps([1, 2, 3]) + save_model(model))


# --- ConvNet files: the architecture travels with the weights ---------------------------------

SPEC = NetworkSpec((12, 11), (BlockSpec(3, 3, padding=1, stride=1, pool="max", pool_size=2),
                              BlockSpec(4, 2, padding=0, stride=2, pool="avg", pool_size=3,
                                        bias=False)), 7)


@pytest.fixture
def convnet():
    model = ConvNet(SPEC, seed=3)
    model.params["block1.bias"] = np.random.default_rng(4).normal(size=3)
    return model


def _convnet_fields(model):
    with np.load(io.BytesIO(save_model(model))) as archive:
        return {key: archive[key] for key in archive.files}


def test_a_convnet_round_trips_with_its_architecture_and_bit_identical_params(convnet):
    loaded = load_model(save_model(convnet))
    assert isinstance(loaded, ConvNet) and loaded.spec == convnet.spec
    assert list(loaded.params) == list(convnet.params)
    for name, value in convnet.params.items():
        assert loaded.params[name].dtype == np.float64
        np.testing.assert_array_equal(loaded.params[name], value, err_msg=name)
    images = np.random.default_rng(5).random((10, 12, 11))
    np.testing.assert_array_equal(loaded.forward(images)["logits"],
                                  convnet.forward(images)["logits"])


@pytest.mark.parametrize("spec", [
    NetworkSpec((28, 28), (BlockSpec(8), BlockSpec(16)), 10),
    NetworkSpec((9, 9), (BlockSpec(2, 1, pool="none"), BlockSpec(3, 3, 2, 3, "max", 1),
                         BlockSpec(1, 2, 1, 1, "avg", 2, False)), 2),
])
def test_every_architecture_field_survives_the_round_trip(spec):
    assert load_model(save_model(ConvNet(spec))).spec == spec


def test_a_convnet_file_says_its_version_and_architecture_in_plain_integers(convnet):
    fields = _convnet_fields(convnet)
    assert fields["format_version"].tolist() == [2]
    assert fields["input_shape"].tolist() == [12, 11] and fields["n_classes"].tolist() == [7]
    # channels, kernel size, padding, stride, pool (0 none, 1 max, 2 avg), pool size, bias
    assert fields["blocks"].tolist() == [[3, 3, 1, 1, 1, 2, 1], [4, 2, 0, 2, 2, 3, 0]]


def test_a_tinycnn_is_still_saved_in_the_first_format_and_loads_as_a_tinycnn(model):
    with np.load(io.BytesIO(save_model(model))) as archive:
        assert sorted(archive.files) == ["bias", "image_shape", "kernels", "pool_size",
                                         "weights"]
    assert isinstance(load_model(save_model(model)), TinyCNN)


@pytest.mark.parametrize("name, value, message", [
    ("format_version", np.array([3]), "format version 3; this app reads version 2"),
    ("format_version", np.array([2.0]), "format_version must be integers"),
    ("format_version", np.array(2), "format_version must be integers of shape 1"),
    ("input_shape", np.array([12]), "input_shape must be integers of shape 2"),
    ("input_shape", np.array([12.0, 11.0]), "input_shape must be integers"),
    ("input_shape", np.array([0, 11]), "architecture is impossible: input height"),
    ("input_shape", np.array([10**9, 11]), "architecture is impossible: input height"),
    ("n_classes", np.array([1]), "architecture is impossible: n_classes"),
    ("n_classes", np.array([7, 7]), "n_classes must be integers of shape 1"),
    ("blocks", np.array([[3, 3, 1, 1, 1, 2]]), "blocks must be integers of shape any x 7"),
    ("blocks", np.zeros((0, 7), dtype=np.int64), "impossible: a network has 1 to 3 blocks"),
    ("blocks", np.ones((4, 7), dtype=np.int64), "impossible: a network has 1 to 3 blocks"),
    ("blocks", np.array([[3, 3, 1, 1, 5, 2, 1], [4, 2, 0, 2, 2, 3, 0]]), "pool code 5"),
    ("blocks", np.array([[3, 3, 1, 1, 1, 2, 2], [4, 2, 0, 2, 2, 3, 0]]), "bias 2"),
    ("blocks", np.array([[99, 3, 1, 1, 1, 2, 1], [4, 2, 0, 2, 2, 3, 0]]),
     "impossible: block 1: channels must be a whole number from 1 to 64, got 99"),
    ("blocks", np.array([[3, 3, 1, 1, 1, 2, 1], [4, 9, 0, 2, 2, 3, 0]]),
     "impossible: block 2: its 9x9 kernel does not fit the 6x6 map coming out of block 1"),
    ("blocks", np.array([[3, 3, 1, 1, 1, 2, 1], [4, 2, 0, 2, 2, 3, 1]]),
     r"must hold exactly .*block2\.bias"),  # a bias the file does not carry
    ("blocks", np.array([[3, 3, 1, 1, 1, 2, 1], [5, 2, 0, 2, 2, 3, 0]]),
     r"block2\.kernels has shape \(4, 3, 2, 2\), expected \(5, 3, 2, 2\)"),
    ("dense.weights", np.ones((9, 7)), r"dense\.weights has shape \(9, 7\), expected"),
    ("block1.kernels", np.full((3, 1, 3, 3), np.nan), r"block1\.kernels contains NaN"),
    ("block1.bias", np.array([1.0, 2.0, 3.0j]), "real numbers"),
])
def test_load_refuses_a_tampered_convnet_file_with_a_message_that_names_the_problem(
        convnet, name, value, message):
    with pytest.raises(ValueError, match=message):
        load_model(_npz(**(_convnet_fields(convnet) | {name: value})))


def test_load_refuses_a_convnet_file_with_a_missing_or_an_extra_array(convnet):
    fields = _convnet_fields(convnet)
    with pytest.raises(ValueError, match=r"it holds .*extra"):
        load_model(_npz(**fields, extra=np.zeros(1)))
    del fields["dense.bias"]
    with pytest.raises(ValueError, match="must hold exactly"):
        load_model(_npz(**fields))
    del fields["blocks"]
    with pytest.raises(ValueError, match="has a format version but no blocks"):
        load_model(_npz(**fields))


def test_a_convnet_file_with_an_object_array_is_refused_without_unpickling(convnet):
    data = _npz(**(_convnet_fields(convnet) | {"blocks": np.array([_Payload()], dtype=object)}))
    UNPICKLED.clear()
    with pytest.raises(ValueError, match="pickled objects, which are refused"):
        load_model(data)
    assert UNPICKLED == []
