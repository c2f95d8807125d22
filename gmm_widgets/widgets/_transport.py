"""Binary transport of NumPy arrays between the kernel and the browser.

An array travels as ``{"shape": [...], "dtype": "float32", "buffer": <memoryview>}``
whose buffer holds little-endian values. ipywidgets lifts every ``memoryview``/``bytes``
out of the JSON state and sends it as a binary frame of the message, so arrays never
become JSON lists of numbers. The JS side (``js/src/lib/codecs.js``) decodes them with
a ``DataView``.

Floating-point arrays are sent as float32 (half the bytes of float64, ample for
drawing), integer arrays as int32 and boolean arrays as uint8.

Use :data:`array_serialization` for a trait holding one array and
:data:`tree_serialization` for a trait holding a dict (or list) of arrays::

    data = traitlets.Instance(np.ndarray, allow_none=True).tag(
        sync=True, **array_serialization
    )
    frames = traitlets.Dict().tag(sync=True, **tree_serialization)

For custom messages (``widget.send``), :func:`pack_message` separates the buffers the
same way ipywidgets does for state messages; ``unpackMessage`` in ``codecs.js`` puts
them back.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = [
    "DTYPES",
    "array_from_json",
    "array_serialization",
    "array_to_json",
    "decode_array",
    "encode_array",
    "pack_message",
    "remove_buffers",
    "tree_from_json",
    "tree_serialization",
    "tree_to_json",
]

#: Wire dtypes and their little-endian NumPy equivalents.
DTYPES: dict[str, np.dtype] = {
    "float32": np.dtype("<f4"),
    "float64": np.dtype("<f8"),
    "int32": np.dtype("<i4"),
    "uint8": np.dtype("u1"),
}

_BINARY = (memoryview, bytes, bytearray)


def _wire_dtype(arr: np.ndarray) -> str:
    kind = arr.dtype.kind
    if kind == "f":
        return "float32"
    if kind in "iu":
        return "int32"
    if kind == "b":
        return "uint8"
    raise TypeError(f"cannot send an array of dtype {arr.dtype} to the browser.")


def encode_array(arr: Any, dtype: str | None = None) -> dict[str, Any]:
    """Encode an array for the browser.

    Parameters
    ----------
    arr : array-like
        Numeric or boolean array of any shape.
    dtype : {"float32", "float64", "int32", "uint8"}, optional
        Wire dtype. By default float32 for floating point, int32 for integers and uint8
        for booleans.

    Returns
    -------
    dict
        ``{"shape": list of int, "dtype": str, "buffer": memoryview}``; the buffer
        holds the C-ordered little-endian values.
    """
    a = np.asarray(arr)
    name = dtype or _wire_dtype(a)
    if name not in DTYPES:
        raise ValueError(f"dtype must be one of {sorted(DTYPES)}, got {name!r}.")
    if name == "int32" and a.size and (a.min() < -(2**31) or a.max() >= 2**31):
        raise OverflowError("integer array does not fit in int32.")
    wire = np.ascontiguousarray(a, dtype=DTYPES[name])
    # A flat uint8 view: a byte-format memoryview without copying (empty arrays too).
    raw = wire.reshape(-1).view(np.uint8).data
    return {"shape": list(wire.shape), "dtype": name, "buffer": raw}


def decode_array(obj: Mapping[str, Any]) -> np.ndarray:
    """Decode ``{"shape", "dtype", "buffer"}`` (from the browser) into an array.

    Parameters
    ----------
    obj : mapping
        ``buffer`` may be a memoryview, bytes or bytearray of little-endian values.

    Returns
    -------
    ndarray
        A writable array of the given shape, in native byte order.
    """
    try:
        shape = tuple(int(s) for s in obj["shape"])
        name = obj["dtype"]
        buffer = obj["buffer"]
    except (KeyError, TypeError) as exc:
        raise ValueError(f"not an encoded array (needs shape, dtype, buffer): {exc}") from exc
    if name not in DTYPES:
        raise ValueError(f"unsupported dtype {name!r}; expected one of {sorted(DTYPES)}.")
    dt = DTYPES[name]
    raw = np.frombuffer(buffer, dtype=dt)
    expected = int(np.prod(shape, dtype=np.int64))
    if raw.size != expected:
        raise ValueError(
            f"buffer holds {raw.size} values of {name} but shape {shape} needs {expected}."
        )
    return raw.reshape(shape).astype(dt.newbyteorder("="), copy=True)


def _is_encoded(obj: Any) -> bool:
    return isinstance(obj, Mapping) and {"shape", "dtype", "buffer"} <= obj.keys()


def array_to_json(value: Any, widget: Any = None) -> dict[str, Any] | None:
    """ipywidgets ``to_json`` serializer for a trait holding one array (or None)."""
    return None if value is None else encode_array(value)


def array_from_json(value: Any, widget: Any = None) -> np.ndarray | None:
    """ipywidgets ``from_json`` deserializer for a trait holding one array (or None)."""
    return None if value is None else decode_array(value)


def tree_to_json(value: Any, widget: Any = None) -> Any:
    """Serialize nested dicts/lists, encoding every ndarray inside.

    NumPy scalars become Python scalars; strings, numbers, booleans and None pass as
    they are.
    """
    if isinstance(value, np.ndarray):
        return encode_array(value)
    if isinstance(value, Mapping):
        return {str(k): tree_to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [tree_to_json(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def tree_from_json(value: Any, widget: Any = None) -> Any:
    """Inverse of :func:`tree_to_json`: decode every encoded array in a nested value."""
    if _is_encoded(value):
        return decode_array(value)
    if isinstance(value, Mapping):
        return {k: tree_from_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [tree_from_json(v) for v in value]
    return value


#: Serializers for a trait holding one ndarray.
array_serialization: dict[str, Any] = {"to_json": array_to_json, "from_json": array_from_json}
#: Serializers for a trait holding a dict or list with ndarrays inside.
tree_serialization: dict[str, Any] = {"to_json": tree_to_json, "from_json": tree_from_json}


def remove_buffers(state: Any) -> tuple[Any, list[list[str | int]], list[memoryview]]:
    """Take the binary buffers out of a JSON-able state, as ipywidgets does.

    Parameters
    ----------
    state : dict or list
        Output of :func:`tree_to_json`.

    Returns
    -------
    state : dict or list
        A copy without the buffers (removed from dicts, ``None`` in lists).
    buffer_paths : list of list
        For each buffer, the keys/indices that lead to its place.
    buffers : list of memoryview
    """
    paths: list[list[str | int]] = []
    buffers: list[memoryview] = []

    def walk(obj: Any, path: list[str | int]) -> Any:
        if isinstance(obj, _BINARY):
            paths.append(path)
            buffers.append(memoryview(obj))
            return None
        if isinstance(obj, Mapping):
            out = {}
            for k, v in obj.items():
                if isinstance(v, _BINARY):
                    paths.append([*path, k])
                    buffers.append(memoryview(v))
                else:
                    out[k] = walk(v, [*path, k])
            return out
        if isinstance(obj, (list, tuple)):
            return [walk(v, [*path, i]) for i, v in enumerate(obj)]
        return obj

    return walk(state, []), paths, buffers


def pack_message(msg_type: str, **payload: Any) -> tuple[dict[str, Any], list[memoryview]]:
    """Build a custom message whose arrays travel as binary buffers.

    Parameters
    ----------
    msg_type : str
        The message's ``type`` field, which the view dispatches on.
    **payload
        Values to send; ndarrays anywhere inside are encoded.

    Returns
    -------
    content : dict
        ``{"type": msg_type, "state": ..., "buffer_paths": [...]}``.
    buffers : list of memoryview
        Pass both to ``widget.send(content, buffers)``.
    """
    state, paths, buffers = remove_buffers(tree_to_json(payload))
    return {"type": msg_type, "state": state, "buffer_paths": paths}, buffers
