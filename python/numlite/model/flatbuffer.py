"""A bounds-checked FlatBuffers table reader.

Every read is checked against the buffer size, so a truncated or corrupted
model raises a ValueError naming what was being read instead of an IndexError
(or a hang on an absurd vector length) somewhere deep inside the loader.
"""

import struct

import numpy as np

_U16 = struct.Struct("<H")
_I32 = struct.Struct("<i")
_U32 = struct.Struct("<I")

_SCALARS = {code: struct.Struct("<" + code) for code in "bB?hHiIqQfd"}
_NUMPY = {"b": "<i1", "B": "<u1", "?": "?", "h": "<i2", "H": "<u2", "i": "<i4",
          "I": "<u4", "q": "<i8", "Q": "<u8", "f": "<f4", "d": "<f8"}

INVALID = "The model is not a valid Flatbuffer buffer"


def malformed(detail):
    return ValueError(f"{INVALID}: {detail}")


class Buffer:
    """The raw bytes of a model plus checked primitive reads."""

    __slots__ = ("data", "size")

    def __init__(self, data):
        self.data = data
        self.size = len(data)

    def check(self, pos, length, what):
        if pos < 0 or length < 0 or pos + length > self.size:
            raise malformed(f"{what} at offset {pos} (+{length} bytes) lies outside the "
                            f"{self.size}-byte model")

    def u16(self, pos, what):
        self.check(pos, 2, what)
        return _U16.unpack_from(self.data, pos)[0]

    def i32(self, pos, what):
        self.check(pos, 4, what)
        return _I32.unpack_from(self.data, pos)[0]

    def u32(self, pos, what):
        self.check(pos, 4, what)
        return _U32.unpack_from(self.data, pos)[0]

    def root(self, what):
        return Table(self, self.u32(0, "root offset"), what)


class Table:
    """One FlatBuffers table: fields are looked up by id through its vtable."""

    __slots__ = ("buf", "pos", "vtable", "nfields", "what")

    def __init__(self, buf, pos, what):
        self.buf = buf
        self.pos = pos
        self.what = what
        vtable = pos - buf.i32(pos, f"{what} table")
        vt_size = buf.u16(vtable, f"{what} vtable")
        if vt_size < 4 or vt_size % 2:
            raise malformed(f"{what} has a vtable of impossible size {vt_size}")
        buf.check(vtable, vt_size, f"{what} vtable")
        buf.check(pos, buf.u16(vtable + 2, f"{what} vtable"), f"{what} table")
        self.vtable = vtable
        self.nfields = (vt_size - 4) // 2

    def _offset(self, fid):
        if fid >= self.nfields:
            return 0
        return _U16.unpack_from(self.buf.data, self.vtable + 4 + 2 * fid)[0]

    def has(self, fid):
        return self._offset(fid) != 0

    def scalar(self, fid, code, default):
        off = self._offset(fid)
        if not off:
            return default
        fmt = _SCALARS[code]
        self.buf.check(self.pos + off, fmt.size, f"{self.what} field {fid}")
        return fmt.unpack_from(self.buf.data, self.pos + off)[0]

    def _target(self, fid, what):
        off = self._offset(fid)
        if not off:
            return None
        at = self.pos + off
        return at + self.buf.u32(at, what)

    def table(self, fid, what):
        pos = self._target(fid, what)
        return None if pos is None else Table(self.buf, pos, what)

    def _vector(self, fid, elem_size, what):
        """(start, length) of a vector field, or None when absent."""
        pos = self._target(fid, what)
        if pos is None:
            return None
        length = self.buf.u32(pos, f"{what} length")
        self.buf.check(pos + 4, length * elem_size, what)
        return pos + 4, length

    def numbers(self, fid, code, what):
        """A scalar vector as a read-only numpy view (empty array when absent)."""
        dtype = np.dtype(_NUMPY[code])
        vec = self._vector(fid, dtype.itemsize, what)
        if vec is None:
            return None
        start, length = vec
        arr = np.frombuffer(self.buf.data, dtype=dtype, count=length, offset=start)
        arr.flags.writeable = False
        return arr

    def ints(self, fid, what, code="i"):
        arr = self.numbers(fid, code, what)
        return None if arr is None else tuple(int(v) for v in arr)

    def raw(self, fid, what):
        """A [ubyte] vector as a zero-copy read-only uint8 array, or None."""
        return self.numbers(fid, "B", what)

    def string(self, fid, what):
        vec = self._vector(fid, 1, what)
        if vec is None:
            return None
        start, length = vec
        return bytes(self.buf.data[start:start + length]).decode("utf-8", "replace")

    def tables(self, fid, what):
        vec = self._vector(fid, 4, what)
        if vec is None:
            return []
        start, length = vec
        out = []
        for i in range(length):
            at = start + 4 * i
            out.append(Table(self.buf, at + self.buf.u32(at, what), f"{what}[{i}]"))
        return out
