"""Binary transport: arrays cross as little-endian bytes plus a shape, never JSON lists."""

from __future__ import annotations

import numpy as np
import pytest

from gmm_widgets.widgets._transport import (
    array_from_json,
    array_to_json,
    decode_array,
    encode_array,
    pack_message,
    remove_buffers,
    tree_from_json,
    tree_to_json,
)


def test_float_arrays_travel_as_little_endian_float32_bytes():
    enc = encode_array(np.array([[1.0, -2.5], [3.0, 4.0]]))
    assert enc["shape"] == [2, 2]
    assert enc["dtype"] == "float32"
    assert isinstance(enc["buffer"], memoryview)
    raw = bytes(enc["buffer"])
    assert len(raw) == 16
    assert raw[:4] == b"\x00\x00\x80\x3f"  # 1.0f, little-endian
    assert np.frombuffer(raw, "<f4").tolist() == [1.0, -2.5, 3.0, 4.0]


def test_big_endian_and_non_contiguous_input_is_normalised():
    a = np.arange(12, dtype=">f8").reshape(3, 4)[:, ::2]
    enc = encode_array(a)
    assert np.frombuffer(bytes(enc["buffer"]), "<f4").tolist() == a.ravel().tolist()


@pytest.mark.parametrize(
    ("values", "wire"),
    [
        (np.array([1, -2, 3], dtype=np.int64), "int32"),
        (np.array([True, False]), "uint8"),
        (np.array([0.5], dtype=np.float16), "float32"),
    ],
)
def test_wire_dtypes(values, wire):
    enc = encode_array(values)
    assert enc["dtype"] == wire
    np.testing.assert_array_equal(decode_array(enc), values.astype(decode_array(enc).dtype))


def test_explicit_float64_and_round_trip_keeps_inf_and_nan():
    a = np.array([np.pi, -np.inf, np.nan])
    back = decode_array(encode_array(a, "float64"))
    assert back[0] == np.pi
    assert back[1] == -np.inf
    assert np.isnan(back[2])


def test_decode_accepts_bytes_from_the_browser_and_checks_the_size():
    buf = np.array([1, 2, 3, 4, 5, 6], dtype="<f4").tobytes()
    out = decode_array({"shape": [3, 2], "dtype": "float32", "buffer": buf})
    assert out.shape == (3, 2)
    assert out.flags.writeable
    with pytest.raises(ValueError, match="needs 8"):
        decode_array({"shape": [4, 2], "dtype": "float32", "buffer": buf})
    with pytest.raises(ValueError, match="unsupported dtype"):
        decode_array({"shape": [1], "dtype": "complex64", "buffer": b"\0" * 8})
    with pytest.raises(ValueError, match="not an encoded array"):
        decode_array({"shape": [1]})


def test_errors_for_unsendable_arrays():
    with pytest.raises(TypeError, match="cannot send"):
        encode_array(np.array(["a", "b"]))
    with pytest.raises(OverflowError):
        encode_array(np.array([2**40]))
    with pytest.raises(ValueError, match="dtype must be"):
        encode_array(np.zeros(2), "float16")


def test_empty_arrays():
    enc = encode_array(np.zeros((0, 3)))
    assert enc["shape"] == [0, 3]
    assert decode_array(enc).shape == (0, 3)


def test_trait_serializers_handle_none():
    assert array_to_json(None) is None
    assert array_from_json(None) is None
    assert array_from_json(array_to_json(np.ones(3))).tolist() == [1, 1, 1]


def test_tree_serialization_encodes_nested_arrays_and_scalars():
    tree = {"a": np.zeros((2, 2)), "b": [np.ones(1), "x"], "k": np.int64(3), "s": "full"}
    j = tree_to_json(tree)
    assert isinstance(j["a"]["buffer"], memoryview)
    assert j["k"] == 3 and type(j["k"]) is int
    back = tree_from_json(j)
    assert back["a"].shape == (2, 2)
    assert back["b"][0].tolist() == [1.0]
    assert back["s"] == "full"


def test_pack_message_separates_buffers_like_ipywidgets():
    content, buffers = pack_message("frames", start=4, frames={"w": np.array([0.25, 0.75])})
    assert content["type"] == "frames"
    assert content["state"]["start"] == 4
    assert content["state"]["frames"]["w"] == {"shape": [2], "dtype": "float32"}
    assert content["buffer_paths"] == [["frames", "w", "buffer"]]
    assert np.frombuffer(bytes(buffers[0]), "<f4").tolist() == [0.25, 0.75]


def test_remove_buffers_in_lists():
    state, paths, buffers = remove_buffers({"l": [b"ab", {"c": bytearray(b"x")}]})
    assert state == {"l": [None, {}]}
    assert paths == [["l", 0], ["l", 1, "c"]]
    assert [bytes(b) for b in buffers] == [b"ab", b"x"]
