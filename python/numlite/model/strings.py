"""The TFLite string tensor layout (string_util.h): int32 count, count+1 offsets, then bytes."""

import struct

import numpy as np


def decode_strings(data, shape, what="string tensor"):
    """Decode a string buffer into an object array of bytes with ``shape``."""
    raw = bytes(data)
    if len(raw) < 4:
        raise ValueError(f"{what}: string buffer of {len(raw)} bytes is too short")
    count = struct.unpack_from("<i", raw, 0)[0]
    if count < 0 or 4 * (count + 2) > len(raw):
        raise ValueError(f"{what}: string buffer claims {count} strings in {len(raw)} bytes")
    offsets = struct.unpack_from(f"<{count + 1}i", raw, 4)
    if any(b < a for a, b in zip(offsets, offsets[1:])) or (count and offsets[0] < 4 * (count + 2)) \
            or offsets[-1] > len(raw):
        raise ValueError(f"{what}: string buffer has offsets outside its {len(raw)} bytes")
    out = np.empty(count, dtype=object)
    for i in range(count):
        out[i] = raw[offsets[i]:offsets[i + 1]]
    expected = int(np.prod(shape, dtype=np.int64))
    if count == expected:
        return out.reshape(shape)
    raise ValueError(f"{what}: string buffer holds {count} strings but the shape "
                     f"{list(shape)} needs {expected}")


def encode_strings(array):
    """Encode an object array of bytes into the TFLite string buffer layout."""
    items = [bytes(s) for s in np.asarray(array, dtype=object).reshape(-1)]
    header = 4 * (len(items) + 2)
    offsets = [header]
    for s in items:
        offsets.append(offsets[-1] + len(s))
    return struct.pack(f"<{len(items) + 2}i", len(items), *offsets) + b"".join(items)


def to_string_array(array):
    """Turn an ndarray of dtype object, bytes_ or str_ into an object array of bytes."""
    if array.ndim == 0:
        # LiteRT copies the raw element bytes of a 0-d array (NUL padding included)
        item = array.item() if array.dtype.kind == "O" else array.tobytes()
        return np.array(_as_bytes(item) if array.dtype.kind == "O" else item, dtype=object)
    out = np.empty(array.shape, dtype=object)
    flat = out.reshape(-1)
    for i, item in enumerate(array.reshape(-1).tolist()):
        flat[i] = _as_bytes(item)
    return out


def _as_bytes(item):
    if isinstance(item, bytes):
        return item
    if isinstance(item, str):
        return item.encode("utf-8")
    return bytes(item) if isinstance(item, (bytearray, memoryview)) else str(item).encode("utf-8")
