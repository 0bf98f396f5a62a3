"""Select TF ops Save and Restore: TensorFlow's V1 checkpoint format, in numpy.

On-device training models save and restore their weights with
``tf.raw_ops.Save`` / ``tf.raw_ops.Restore``, which the converter keeps as the
Flex ops FlexSave / FlexRestore (a checkpoint path string tensor in, the file
written or read). This module writes and reads the files TensorFlow's own
kernels do, so checkpoints move freely between TensorFlow and numlite:

* the file is a table in LevelDB's SSTable layout (TensorFlow's
  ``lib/io/table``): data blocks of prefix-compressed sorted keys with restart
  points, a 5-byte trailer per block (compression type 0, masked CRC-32C), an
  empty metaindex block, an index block and a 48-byte footer ending in the magic
  number 0xdb4775248b80fb57;
* key ``""`` holds a ``SavedTensorSlices`` message whose ``meta`` lists every
  tensor (name, shape, DataType, slices); each slice's data is under the key
  OrderedCode(0, name, rank, (start, length) per dimension) as a
  ``SavedTensorSlices.data`` message whose ``TensorProto`` carries the values in
  the typed repeated field (``float_val``, ``int64_val``, ...).

Save writes whole tensors (one full slice each, -1 lengths); Restore also
assembles tensors saved as several slices, accepts ``tensor_content`` data and
a glob ``file_pattern`` naming one file. Snappy-compressed blocks are refused.
Both kernels are registered for their exact Flex codes (before the generic
``Flex`` prefix resolver) and are not foldable: they touch the file system.
"""

import glob
import os
import struct
import tempfile

import numpy as np

from ..model import types
from .common import KernelError
from .flex import parse_flex_options
from .registry import custom

# ------------------------------------------------------------------------------ CRC-32C


def _crc_table():
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
        table.append(crc)
    return table


_CRC_TABLE = _crc_table()


def _crc_bytes(crc, data):
    """The table-driven CRC-32C register after ``data`` (no pre/post inversion)."""
    table = _CRC_TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc


def _apply(columns, value):
    """A 32x32 GF(2) matrix (the images of the 32 bits) applied to ``value``."""
    result, bit = 0, 0
    while value:
        if value & 1:
            result ^= columns[bit]
        value >>= 1
        bit += 1
    return result


_LANE = 1024                 # bytes per lane of the vectorised CRC
_LANE_MIN = 64 * 1024        # below this the plain loop is faster


def _lane_shift_tables():
    """Byte tables of "advance the register over _LANE zero bytes" (a linear map)."""
    zero = [_CRC_TABLE[(1 << j) & 0xFF] ^ ((1 << j) >> 8) for j in range(32)]
    shift = [1 << j for j in range(32)]
    n = _LANE
    while n:                 # shift = zero ** _LANE by squaring
        if n & 1:
            shift = [_apply(zero, c) for c in shift]
        zero = [_apply(zero, c) for c in zero]
        n >>= 1
    return [[_apply(shift, b << (8 * k)) for b in range(256)] for k in range(4)]


_SHIFT_TABLES = None


def crc32c(data):
    """CRC-32C (Castagnoli) of ``data``; long inputs run as 1 KiB lanes in numpy."""
    global _SHIFT_TABLES
    data = memoryview(data).cast("B")
    if len(data) < _LANE_MIN:
        return _crc_bytes(0xFFFFFFFF, data) ^ 0xFFFFFFFF
    if _SHIFT_TABLES is None:
        _SHIFT_TABLES = _lane_shift_tables()
    t0, t1, t2, t3 = _SHIFT_TABLES
    lanes = len(data) // _LANE
    columns = np.frombuffer(data, np.uint8, lanes * _LANE).reshape(lanes, _LANE).T.copy()
    table = np.array(_CRC_TABLE, np.uint32)
    registers = np.zeros(lanes, np.uint32)
    for column in columns:    # every lane's register from 0, in step
        registers = table[(registers ^ column) & 0xFF] ^ (registers >> 8)
    crc = 0xFFFFFFFF
    for register in registers.tolist():   # crc(A + B) = shift(crc(A), |B|) ^ crc0(B)
        crc = (t0[crc & 0xFF] ^ t1[(crc >> 8) & 0xFF] ^ t2[(crc >> 16) & 0xFF]
               ^ t3[crc >> 24] ^ register)
    return _crc_bytes(crc, data[lanes * _LANE:]) ^ 0xFFFFFFFF


def _masked_crc(data):
    crc = crc32c(data)
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


# ------------------------------------------------------------------------------ protobuf

def _varint(value):
    value &= (1 << 64) - 1
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _read_varint(data, pos, end):
    result = shift = 0
    while True:
        if pos >= end or shift > 63:
            raise ValueError("truncated or overlong varint")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, pos
        shift += 7


def _signed64(value):
    return value - (1 << 64) if value >= 1 << 63 else value


def _field(number, payload):
    """A length-delimited field."""
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _int_field(number, value):
    return _varint(number << 3) + _varint(value)


def _fields(data, start=0, end=None):
    """(field number, wire type, value) of a message: ints for varints, bytes otherwise."""
    end = len(data) if end is None else end
    pos = start
    while pos < end:
        key, pos = _read_varint(data, pos, end)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _read_varint(data, pos, end)
        elif wire == 1:
            value, pos = bytes(data[pos:pos + 8]), pos + 8
        elif wire == 2:
            size, pos = _read_varint(data, pos, end)
            value, pos = bytes(data[pos:pos + size]), pos + size
        elif wire == 5:
            value, pos = bytes(data[pos:pos + 4]), pos + 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        if pos > end:
            raise ValueError("truncated protobuf message")
        yield number, wire, value


# DataType numbers (tensorflow/core/framework/types.proto) and the numpy dtypes they hold
DT_FLOAT, DT_DOUBLE, DT_INT32, DT_UINT8, DT_INT16, DT_INT8, DT_STRING, DT_COMPLEX64, \
    DT_INT64, DT_BOOL = range(1, 11)
DT_UINT16, DT_COMPLEX128, DT_HALF = 17, 18, 19
DT_UINT32, DT_UINT64 = 22, 23

_DT_OF_TYPE = {
    types.FLOAT32: DT_FLOAT, types.FLOAT64: DT_DOUBLE, types.INT32: DT_INT32,
    types.UINT8: DT_UINT8, types.INT16: DT_INT16, types.INT8: DT_INT8, types.STRING: DT_STRING,
    types.COMPLEX64: DT_COMPLEX64, types.INT64: DT_INT64, types.BOOL: DT_BOOL,
    types.UINT16: DT_UINT16, types.COMPLEX128: DT_COMPLEX128, types.FLOAT16: DT_HALF,
    types.UINT32: DT_UINT32, types.UINT64: DT_UINT64,
}
_NUMPY_OF_DT = {
    DT_FLOAT: np.float32, DT_DOUBLE: np.float64, DT_INT32: np.int32, DT_UINT8: np.uint8,
    DT_INT16: np.int16, DT_INT8: np.int8, DT_STRING: object, DT_COMPLEX64: np.complex64,
    DT_INT64: np.int64, DT_BOOL: np.bool_, DT_UINT16: np.uint16, DT_COMPLEX128: np.complex128,
    DT_HALF: np.float16, DT_UINT32: np.uint32, DT_UINT64: np.uint64,
}
_DT_NAMES = {DT_FLOAT: "float", DT_DOUBLE: "double", DT_INT32: "int32", DT_UINT8: "uint8",
             DT_INT16: "int16", DT_INT8: "int8", DT_STRING: "string",
             DT_COMPLEX64: "complex64", DT_INT64: "int64", DT_BOOL: "bool",
             DT_UINT16: "uint16", DT_COMPLEX128: "complex128", DT_HALF: "half",
             DT_UINT32: "uint32", DT_UINT64: "uint64"}

# TensorProto fields holding values, by DataType (what TensorFlow's Save fills)
_F_CONTENT, _F_FLOAT, _F_DOUBLE, _F_INT, _F_STRING, _F_SCOMPLEX, _F_INT64, _F_BOOL, \
    _F_DCOMPLEX, _F_HALF, _F_UINT32, _F_UINT64 = 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 16, 17
_VALUE_FIELD = {
    DT_FLOAT: _F_FLOAT, DT_DOUBLE: _F_DOUBLE, DT_INT32: _F_INT, DT_UINT8: _F_INT,
    DT_INT16: _F_INT, DT_INT8: _F_INT, DT_UINT16: _F_INT, DT_STRING: _F_STRING,
    DT_COMPLEX64: _F_SCOMPLEX, DT_INT64: _F_INT64, DT_BOOL: _F_BOOL,
    DT_COMPLEX128: _F_DCOMPLEX, DT_HALF: _F_HALF, DT_UINT32: _F_UINT32, DT_UINT64: _F_UINT64,
}


def dt_name(dt):
    return _DT_NAMES.get(dt, f"DataType {dt}")


def _tensor_values(dt, array):
    """The TensorProto bytes TensorFlow's Save writes for ``array`` (values only)."""
    flat = array.reshape(-1)
    number = _VALUE_FIELD[dt]
    if dt == DT_STRING:
        return b"".join(_field(number, bytes(item)) for item in flat.tolist())
    if not flat.size:
        return b""
    if dt in (DT_FLOAT, DT_COMPLEX64):
        payload = flat.astype("<c8" if dt == DT_COMPLEX64 else "<f4").tobytes()
    elif dt in (DT_DOUBLE, DT_COMPLEX128):
        payload = flat.astype("<c16" if dt == DT_COMPLEX128 else "<f8").tobytes()
    elif dt == DT_HALF:
        payload = b"".join(_varint(v) for v in flat.view(np.uint16).tolist())
    elif dt == DT_BOOL:
        payload = bytes(flat.astype(np.uint8).tolist())
    else:
        payload = b"".join(_varint(int(v)) for v in flat.tolist())
    return _field(number, payload)


def _shape_proto(shape):
    return b"".join(_field(2, _int_field(1, d) if d else b"") for d in shape)


def _full_slice_proto(rank):
    return _field(1, b"") * rank


def _decode_values(dt, proto, count, what):
    """A flat numpy array of ``count`` values from a TensorProto's bytes."""
    dtype = np.dtype(_NUMPY_OF_DT[dt])
    wanted = _VALUE_FIELD[dt]
    content, items = None, []
    for number, wire, value in _fields(proto):
        if number == _F_CONTENT and wire == 2:
            content = value
        elif number == wanted:
            items.append((wire, value))
    if content is not None:
        if dt == DT_STRING:
            raise ValueError(f"{what}: string data in tensor_content")
        out = np.frombuffer(content, dtype=dtype.newbyteorder("<")).astype(dtype)
    elif dt == DT_STRING:
        out = np.empty(len(items), dtype=object)
        for i, (_, value) in enumerate(items):
            out[i] = value
    elif dt in (DT_FLOAT, DT_DOUBLE, DT_COMPLEX64, DT_COMPLEX128):
        base = "<f4" if dt in (DT_FLOAT, DT_COMPLEX64) else "<f8"
        raw = b"".join(value if wire != 0 else b"" for wire, value in items)
        out = np.frombuffer(raw, dtype=base).astype(np.float32 if base == "<f4" else np.float64)
        if dt in (DT_COMPLEX64, DT_COMPLEX128):
            out = out.view(dtype) if out.size % 2 == 0 else out
        out = out.astype(dtype)
    else:
        ints = []
        for wire, value in items:
            if wire == 0:
                ints.append(value)
            else:
                pos = 0
                while pos < len(value):
                    v, pos = _read_varint(value, pos, len(value))
                    ints.append(v)
        if dt == DT_HALF:
            out = np.array(ints, dtype=np.uint16).view(np.float16)
        elif dt in (DT_UINT32, DT_UINT64, DT_BOOL):
            out = np.array(ints, dtype=np.uint64).astype(dtype)
        else:   # int32 fields are sign-extended int64 varints
            out = np.array([_signed64(v) for v in ints], dtype=np.int64).astype(dtype)
    if out.size == 1 and count > 1:        # TensorFlow stores a repeated value once
        out = np.full(count, out[0], dtype=dtype)
    if out.size != count:
        raise ValueError(f"{what}: the checkpoint holds {out.size} values, expected {count}")
    return out


# ------------------------------------------------------------------------------ OrderedCode

def _num_increasing(value):
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big") if value else b""
    return bytes([len(raw)]) + raw


_ESCAPES = {0x00: b"\x00\xff", 0xFF: b"\xff\x00"}


def _string_increasing(text):
    if b"\x00" in text or b"\xff" in text:
        text = b"".join(_ESCAPES.get(byte, bytes([byte])) for byte in text)
    return text + b"\x00\x01"


_HEADER_BITS = ((0, 0), (0x80, 0), (0xC0, 0), (0xE0, 0), (0xF0, 0), (0xF8, 0), (0xFC, 0),
                (0xFE, 0), (0xFF, 0), (0xFF, 0x80), (0xFF, 0xC0))


def _signed_increasing(value):
    magnitude = ~value if value < 0 else value
    length = 1
    while magnitude >= 1 << (7 * length - 1):
        length += 1
    raw = bytearray((value & ((1 << (8 * length)) - 1)).to_bytes(length, "big"))
    raw[0] ^= _HEADER_BITS[length][0]
    if length > 1:
        raw[1] ^= _HEADER_BITS[length][1]
    return bytes(raw)


def slice_key(name, extents):
    """The table key of tensor ``name``'s slice [(start, length or -1) per dimension]."""
    key = _num_increasing(0) + _string_increasing(name) + _num_increasing(len(extents))
    for start, length in extents:
        key += _signed_increasing(start) + _signed_increasing(length)
    return key


# ------------------------------------------------------------------------------ SSTable

_MAGIC = 0xDB4775248B80FB57
_BLOCK_SIZE = 262144
_RESTART_INTERVAL = 16


class _BlockBuilder:
    """One block: prefix-compressed entries, restart offsets, their count."""

    def __init__(self, restart_interval=_RESTART_INTERVAL):
        self.interval = restart_interval
        self.buffer = bytearray()
        self.restarts = [0]
        self.count = 0
        self.last = b""

    def add(self, key, value):
        shared = 0
        if self.count % self.interval == 0:
            if self.count:
                self.restarts.append(len(self.buffer))
        else:
            limit = min(len(self.last), len(key))
            while shared < limit and self.last[shared] == key[shared]:
                shared += 1
        self.buffer += _varint(shared) + _varint(len(key) - shared) + _varint(len(value))
        self.buffer += key[shared:] + value
        self.last = key
        self.count += 1

    def size_estimate(self):
        return len(self.buffer) + 4 * len(self.restarts) + 4

    def finish(self):
        return bytes(self.buffer + b"".join(struct.pack("<I", r) for r in self.restarts)
                     + struct.pack("<I", len(self.restarts)))


def _block(entries, restart_interval=_RESTART_INTERVAL):
    builder = _BlockBuilder(restart_interval)
    for key, value in entries:
        builder.add(key, value)
    return builder.finish()


def _separator(start, limit):
    """LevelDB's shortest key k with start <= k < limit (bytewise)."""
    shared = 0
    while shared < min(len(start), len(limit)) and start[shared] == limit[shared]:
        shared += 1
    if shared < min(len(start), len(limit)):
        byte = start[shared]
        if byte < 0xFF and byte + 1 < limit[shared]:
            return start[:shared] + bytes([byte + 1])
    return start


def _successor(key):
    """LevelDB's shortest key >= ``key``."""
    for i, byte in enumerate(key):
        if byte != 0xFF:
            return key[:i] + bytes([byte + 1])
    return key


def write_table(entries):
    """SSTable bytes for ``entries`` [(key, value)] in sorted key order."""
    out = bytearray()

    def emit(block):
        handle = _varint(len(out)) + _varint(len(block))
        out.extend(block + b"\x00" + struct.pack("<I", _masked_crc(block + b"\x00")))
        return handle

    blocks, builder = [], _BlockBuilder()     # [(block bytes, first key, last key)]
    first = None
    for key, value in entries:
        if first is None:
            first = key
        builder.add(key, value)
        if builder.size_estimate() >= _BLOCK_SIZE:   # as LevelDB's TableBuilder::Add
            blocks.append((builder.finish(), first, key))
            builder, first = _BlockBuilder(), None
    if builder.count:
        blocks.append((builder.finish(), first, builder.last))
    index = []
    for i, (block, _, last) in enumerate(blocks):
        handle = emit(block)
        key = _successor(last) if i + 1 == len(blocks) else _separator(last, blocks[i + 1][1])
        index.append((key, handle))
    metaindex = emit(_block([]))
    index_handle = emit(_block(index, restart_interval=1))   # LevelDB: 1 for the index
    out.extend((metaindex + index_handle).ljust(40, b"\x00") + struct.pack("<Q", _MAGIC))
    return bytes(out)


def _read_block(data, handle_bytes, what):
    offset, pos = _read_varint(handle_bytes, 0, len(handle_bytes))
    size, pos = _read_varint(handle_bytes, pos, len(handle_bytes))
    if offset + size + 5 > len(data):
        raise ValueError(f"{what}: a block lies outside the file")
    block = data[offset:offset + size]
    kind = data[offset + size]
    stored = struct.unpack_from("<I", data, offset + size + 1)[0]
    if _masked_crc(bytes(block) + bytes([kind])) != stored:
        raise ValueError(f"{what}: block checksum mismatch")
    if kind != 0:
        raise ValueError(f"{what}: compressed blocks (type {kind}) are not supported")
    return bytes(block)


def _block_entries(block, what):
    if len(block) < 4:
        raise ValueError(f"{what}: block too short")
    restarts = struct.unpack_from("<I", block, len(block) - 4)[0]
    end = len(block) - 4 - 4 * restarts
    if end < 0:
        raise ValueError(f"{what}: bad restart count")
    pos, key = 0, b""
    while pos < end:
        shared, pos = _read_varint(block, pos, end)
        unshared, pos = _read_varint(block, pos, end)
        size, pos = _read_varint(block, pos, end)
        if shared > len(key) or pos + unshared + size > end:
            raise ValueError(f"{what}: corrupt block entry")
        key = key[:shared] + block[pos:pos + unshared]
        pos += unshared
        yield key, block[pos:pos + size]
        pos += size


def read_table(data, what="checkpoint"):
    """{key: value} of an SSTable's bytes (checksums verified)."""
    if len(data) < 48 or struct.unpack_from("<Q", data, len(data) - 8)[0] != _MAGIC:
        raise ValueError(f"{what}: not an SSTable-based checkpoint (bad magic number)")
    footer = bytes(data[len(data) - 48:len(data) - 8])
    pos = 0
    for _ in range(2):                  # skip the metaindex block's handle
        _, pos = _read_varint(footer, pos, 40)
    start = pos
    for _ in range(2):
        _, pos = _read_varint(footer, pos, 40)
    table = {}
    for _, handle in _block_entries(_read_block(data, footer[start:pos], what), what):
        for key, value in _block_entries(_read_block(data, handle, what), what):
            table[key] = value
    return table


# ------------------------------------------------------------------------------ V1 checkpoints

def write_checkpoint(path, tensors):
    """Write ``tensors`` [(name bytes, TensorType, array)] as TensorFlow's Save does."""
    metas, entries = [], []
    for name, tensor_type, array in sorted(tensors, key=lambda t: t[0]):
        dt = _DT_OF_TYPE.get(tensor_type)
        if dt is None:
            raise KernelError(f"Save: tensors of type {types.type_name(tensor_type)} cannot be "
                              "saved")
        shape = array.shape
        metas.append(_field(1, _field(1, name) + _field(2, _shape_proto(shape))
                            + _int_field(3, dt) + _field(4, _full_slice_proto(len(shape)))))
        saved_slice = (_field(1, name) + _field(2, _full_slice_proto(len(shape)))
                       + _field(3, _tensor_values(dt, array)))
        entries.append((slice_key(name, [(0, -1)] * len(shape)), _field(2, saved_slice)))
    versions = _field(2, _int_field(1, 1))
    meta = _field(1, b"".join(metas) + versions)
    entries.sort(key=lambda e: e[0])
    content = write_table([(b"", meta)] + entries)
    directory = os.path.dirname(os.path.abspath(path))
    handle, temp = tempfile.mkstemp(prefix=os.path.basename(path) + ".tempstate",
                                    dir=directory)
    try:
        with os.fdopen(handle, "wb") as f:
            f.write(content)
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise


def _parse_slice(proto):
    extents = []
    for number, _, extent in _fields(proto):
        if number != 1:
            continue
        start, length = 0, -1
        for n, _, v in _fields(extent):
            if n == 1:
                start = _signed64(v)
            elif n == 2:
                length = _signed64(v)
        extents.append((start, length))
    return extents


def read_checkpoint_meta(data, what):
    """{name: (DataType, shape, [slice extents])} from a V1 checkpoint's bytes."""
    table = read_table(data, what)
    if b"" not in table:
        raise ValueError(f"{what}: no tensor metadata (not a V1 checkpoint)")
    tensors = {}
    for number, _, meta in _fields(table[b""]):
        if number != 1:
            continue
        for n, _, tensor in _fields(meta):
            if n != 1:
                continue
            name, dt, shape, slices = b"", 0, (), []
            for f, _, v in _fields(tensor):
                if f == 1:
                    name = v
                elif f == 2:
                    dims = []
                    for g, _, dim in _fields(v):
                        if g == 2:
                            size = 0
                            for h, _, x in _fields(dim):
                                if h == 1:
                                    size = _signed64(x)
                            dims.append(size)
                    shape = tuple(dims)
                elif f == 3:
                    dt = v
                elif f == 4:
                    slices.append(_parse_slice(v))
            tensors[name] = (dt, shape, slices)
    return table, tensors


def file_path(raw):
    """A path string tensor's bytes as the C file API sees them: up to the first NUL byte
    (TFLite's Java API stores a String with a terminating NUL)."""
    return raw.split(b"\0", 1)[0].decode("utf-8", "surrogateescape")


def restore_tensor(path_pattern, name, dt):
    """The array ``name`` of DataType ``dt`` from the V1 checkpoint matching ``path_pattern``."""
    pattern = file_path(path_pattern)
    paths = sorted(glob.glob(pattern)) if glob.has_magic(pattern) else [pattern]
    paths = [p for p in paths if os.path.isfile(p)]
    if not paths:
        raise KernelError(f"Unsuccessful TensorSliceReader constructor: Failed to find any "
                          f"matching files for {pattern}")
    for path in paths:
        with open(path, "rb") as f:
            data = f.read()
        try:
            table, tensors = read_checkpoint_meta(data, path)
        except ValueError as error:
            raise KernelError(f"Unable to open table file {path}: {error}") from None
        if name not in tensors:
            continue
        saved_dt, shape, slices = tensors[name]
        if saved_dt != dt:
            raise KernelError(f"Save/Restore: tensor {name.decode(errors='replace')!r} in "
                              f"{path} is {dt_name(saved_dt)}, expected {dt_name(dt)}")
        dtype = np.dtype(_NUMPY_OF_DT[dt])
        out = np.zeros(shape, dtype=dtype) if dtype != object else np.full(shape, b"", object)
        covered = np.zeros(shape, dtype=bool)
        for extents in slices:
            extents = extents or [(0, -1)] * len(shape)
            region = tuple(slice(0, size) if length < 0 else slice(start, start + length)
                           for (start, length), size in zip(extents, shape))
            sub_shape = tuple(r.stop - r.start for r in region)
            key = slice_key(name, extents)
            if key not in table:
                raise KernelError(f"{path}: the data of tensor {name.decode(errors='replace')!r}"
                                  f" is missing")
            proto = b""
            for number, _, saved in _fields(table[key]):
                if number == 2:
                    for f, _, v in _fields(saved):
                        if f == 3:
                            proto = v
            try:
                values = _decode_values(dt, proto, int(np.prod(sub_shape, dtype=np.int64)),
                                        path)
            except ValueError as error:
                raise KernelError(str(error)) from None
            out[region] = values.reshape(sub_shape)
            covered[region] = True
        if not covered.all():
            raise KernelError(f"{path}: the checkpoint holds only part of tensor "
                              f"{name.decode(errors='replace')!r} (Error copying slice data)")
        return out
    raise KernelError(f"Tensor name \"{name.decode(errors='replace')}\" not found in checkpoint "
                      f"files {pattern}")


# ------------------------------------------------------------------------------ kernels

def _in_eager(op, run):
    def flex_run(*arrays):
        try:
            return run(*arrays)
        except KernelError as error:
            raise KernelError(f"{error}\n\t (while executing '{op}' via Eager)") from None
        except OSError as error:
            raise KernelError(f"{error}\n\t (while executing '{op}' via Eager)") from None
    return flex_run


def _scalar_string(array, what):
    if array.size != 1:
        raise KernelError(f"{what} must be a single string, got {array.size} strings")
    value = array.reshape(-1)[0]
    return value if isinstance(value, bytes) else str(value).encode()


@custom("FlexSave", foldable=False)
def prepare_save(node):
    """Save(filename, tensor_names, data...): write the tensors to one V1 checkpoint file."""
    _, node_def = parse_flex_options(node.custom_options)
    if node_def.op != "Save":
        raise KernelError(f"FlexSave: the NodeDef is a {node_def.op!r} op")
    if len(node.inputs) < 2 or None in node.inputs or node.outputs:
        raise KernelError(f"Save takes filename, tensor_names and the tensors, no outputs; the "
                          f"node has {len(node.inputs)} inputs and {len(node.outputs)} outputs")
    filename, names, *data = node.inputs
    for i, spec in enumerate((filename, names)):
        if spec.type != types.STRING:
            raise KernelError(f"cannot compute Save as input #{i}(zero-based) was expected to be "
                              f"a string tensor but is a {types.type_name(spec.type)} tensor")
    for spec in data:
        if spec.type not in _DT_OF_TYPE:
            raise KernelError(f"Save: cannot save a {types.type_name(spec.type)} tensor "
                              f"('{spec.name}')")
    data_types = [spec.type for spec in data]

    def run(path, tensor_names, *arrays):
        target = _scalar_string(path, "Save: filename")
        if tensor_names.size != len(arrays):
            raise KernelError(f"Expected tensor_names to have {len(arrays)} elements, got "
                              f"{tensor_names.size}")
        items = [(bytes(n), t, a) for n, t, a in zip(tensor_names.reshape(-1).tolist(),
                                                       data_types, arrays)]
        write_checkpoint(file_path(target), items)
        return ()
    return _in_eager("Save", run), []


@custom("FlexRestore", foldable=False)
def prepare_restore(node):
    """Restore(file_pattern, tensor_name) -> the tensor of type ``dt`` (shape from the file)."""
    _, node_def = parse_flex_options(node.custom_options)
    if node_def.op != "Restore":
        raise KernelError(f"FlexRestore: the NodeDef is a {node_def.op!r} op")
    if len(node.inputs) != 2 or None in node.inputs or len(node.outputs) != 1:
        raise KernelError(f"Restore takes 2 inputs and gives 1 output; the node has "
                          f"{len(node.inputs)} and {len(node.outputs)}")
    for i, spec in enumerate(node.inputs):
        if spec.type != types.STRING:
            raise KernelError(f"cannot compute Restore as input #{i}(zero-based) was expected "
                              f"to be a string tensor but is a {types.type_name(spec.type)} "
                              "tensor")
    dt = node_def.attr.get("dt")
    if dt is None:
        raise KernelError("Restore: the NodeDef has no 'dt' attr")
    dt = int(dt)
    out = node.outputs[0]
    if _DT_OF_TYPE.get(out.type) != dt:
        raise KernelError(f"Restore produces a {dt_name(dt)} tensor but output tensor "
                          f"'{out.name}' has type {types.type_name(out.type)}")

    def run(pattern, tensor_name):
        return restore_tensor(_scalar_string(pattern, "Restore: file_pattern"),
                              _scalar_string(tensor_name, "Restore: tensor_name"), dt)
    return _in_eager("Restore", run), [None]
