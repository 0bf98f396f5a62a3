"""A small, bounds-checked FlexBuffers reader.

FlexBuffers is the schemaless format TFLite uses for custom-op options. A
buffer ends with its root: ``... <root value> <packed type> <root width>``.
Every value has a *type* (high six bits of a packed type byte) and a *bit
width* (low two bits: 1, 2, 4 or 8 bytes). Scalars (null, int, uint, float,
bool) live inline in their parent's slot; every other value lives earlier in
the buffer and the slot holds an unsigned distance back to it.

* string / blob: length (in the value's width) just before the bytes; strings
  are also NUL-terminated. key: a NUL-terminated string with no length.
* vector: length just before the first slot; after the ``n`` slots come ``n``
  packed type bytes, one per element.
* typed vector (int, uint, float, key, string, bool): like a vector with every
  element of one type and the vector's width, and no type bytes; the fixed
  typed vectors of 2, 3 or 4 elements store no length either.
* map: a vector of values, sorted by key, preceded (before its length) by the
  distance back to a typed vector of keys and that vector's byte width.

Everything read is checked against the buffer; malformed data raises
ValueError with a message that says what and where.
"""

import struct

# value types
NULL, INT, UINT, FLOAT, KEY, STRING, INDIRECT_INT, INDIRECT_UINT, INDIRECT_FLOAT, MAP, \
    VECTOR, VECTOR_INT, VECTOR_UINT, VECTOR_FLOAT, VECTOR_KEY, VECTOR_STRING_DEPRECATED, \
    VECTOR_INT2, VECTOR_UINT2, VECTOR_FLOAT2, VECTOR_INT3, VECTOR_UINT3, VECTOR_FLOAT3, \
    VECTOR_INT4, VECTOR_UINT4, VECTOR_FLOAT4, BLOB, BOOL = range(27)
VECTOR_BOOL = 36

TYPE_NAMES = {
    NULL: "NULL", INT: "INT", UINT: "UINT", FLOAT: "FLOAT", KEY: "KEY", STRING: "STRING",
    INDIRECT_INT: "INDIRECT_INT", INDIRECT_UINT: "INDIRECT_UINT",
    INDIRECT_FLOAT: "INDIRECT_FLOAT", MAP: "MAP", VECTOR: "VECTOR", VECTOR_INT: "VECTOR_INT",
    VECTOR_UINT: "VECTOR_UINT", VECTOR_FLOAT: "VECTOR_FLOAT", VECTOR_KEY: "VECTOR_KEY",
    VECTOR_STRING_DEPRECATED: "VECTOR_STRING_DEPRECATED", VECTOR_INT2: "VECTOR_INT2",
    VECTOR_UINT2: "VECTOR_UINT2", VECTOR_FLOAT2: "VECTOR_FLOAT2", VECTOR_INT3: "VECTOR_INT3",
    VECTOR_UINT3: "VECTOR_UINT3", VECTOR_FLOAT3: "VECTOR_FLOAT3", VECTOR_INT4: "VECTOR_INT4",
    VECTOR_UINT4: "VECTOR_UINT4", VECTOR_FLOAT4: "VECTOR_FLOAT4", BLOB: "BLOB", BOOL: "BOOL",
    VECTOR_BOOL: "VECTOR_BOOL",
}

_INLINE = frozenset((NULL, INT, UINT, FLOAT, BOOL))
# typed vectors: vector type -> element type
_TYPED = {VECTOR_INT: INT, VECTOR_UINT: UINT, VECTOR_FLOAT: FLOAT, VECTOR_KEY: KEY,
          VECTOR_STRING_DEPRECATED: STRING, VECTOR_BOOL: BOOL}
# fixed-length typed vectors: vector type -> (element type, length)
_FIXED = {VECTOR_INT2: (INT, 2), VECTOR_UINT2: (UINT, 2), VECTOR_FLOAT2: (FLOAT, 2),
          VECTOR_INT3: (INT, 3), VECTOR_UINT3: (UINT, 3), VECTOR_FLOAT3: (FLOAT, 3),
          VECTOR_INT4: (INT, 4), VECTOR_UINT4: (UINT, 4), VECTOR_FLOAT4: (FLOAT, 4)}
_VECTORS = frozenset((MAP, VECTOR)) | frozenset(_TYPED) | frozenset(_FIXED)

_UINT_FORMATS = {1: "<B", 2: "<H", 4: "<I", 8: "<Q"}
_INT_FORMATS = {1: "<b", 2: "<h", 4: "<i", 8: "<q"}
_FLOAT_FORMATS = {4: "<f", 8: "<d"}

#: how deep to_python() follows nested vectors and maps (guards against cycles)
MAX_DEPTH = 64


def type_name(value_type):
    return TYPE_NAMES.get(value_type, f"unknown type {value_type}")


class _Buffer:
    """The bytes plus checked little-endian reads."""

    __slots__ = ("data",)

    def __init__(self, data):
        self.data = bytes(data)

    def check(self, pos, size, what):
        if pos < 0 or size < 0 or pos + size > len(self.data):
            raise ValueError(f"flexbuffer: {what} at byte {pos} (+{size}) is outside the "
                             f"{len(self.data)}-byte buffer")

    def read(self, formats, pos, width, what):
        fmt = formats.get(width)
        if fmt is None:
            raise ValueError(f"flexbuffer: {what} at byte {pos} has an invalid width of "
                             f"{width} bytes")
        self.check(pos, width, what)
        return struct.unpack_from(fmt, self.data, pos)[0]

    def uint(self, pos, width, what="unsigned int"):
        return self.read(_UINT_FORMATS, pos, width, what)

    def back(self, pos, width, what):
        """Follow the unsigned distance stored at ``pos`` back to its target."""
        distance = self.uint(pos, width, f"offset to {what}")
        target = pos - distance
        if target < 0:
            raise ValueError(f"flexbuffer: offset {distance} at byte {pos} points before the "
                             f"start of the buffer ({what})")
        return target


def _unpack_type(packed, pos):
    value_type, width = packed >> 2, 1 << (packed & 3)
    if value_type not in TYPE_NAMES:
        raise ValueError(f"flexbuffer: unknown value type {value_type} "
                         f"(packed type byte 0x{packed:02x} at byte {pos})")
    return value_type, width


def root(data):
    """The root Ref of a flexbuffer."""
    buf = _Buffer(data)
    size = len(buf.data)
    if size < 3:
        raise ValueError(f"flexbuffer: {size} bytes is too short for a flexbuffer "
                         "(needs at least a root value, its type and its width)")
    root_width = buf.data[-1]
    if root_width not in _UINT_FORMATS:
        raise ValueError(f"flexbuffer: invalid root width {root_width} (must be 1, 2, 4 or 8)")
    pos = size - 2 - root_width
    if pos < 0:
        raise ValueError(f"flexbuffer: root width {root_width} does not fit in "
                         f"{size} bytes")
    value_type, width = _unpack_type(buf.data[-2], size - 2)
    return Ref(buf, pos, root_width, width, value_type)


def loads(data, decode_strings=True):
    """Decode a whole flexbuffer into Python values (see Ref.to_python)."""
    return root(data).to_python(decode_strings)


class Ref:
    """One value in a flexbuffer: a slot position, the slot's width, the value's width and type."""

    __slots__ = ("_buf", "_pos", "_parent_width", "_width", "type")

    def __init__(self, buf, pos, parent_width, width, value_type):
        self._buf = buf
        self._pos = pos
        self._parent_width = parent_width
        self._width = width
        self.type = value_type

    def __repr__(self):
        return f"<flexbuffer {type_name(self.type)} at byte {self._pos}>"

    @property
    def type_name(self):
        return type_name(self.type)

    @property
    def is_null(self):
        return self.type == NULL

    # -- scalars -------------------------------------------------------------------------
    def _expect(self, kinds, wanted):
        if self.type not in kinds:
            raise ValueError(f"flexbuffer: expected {wanted}, found {self.type_name} at byte "
                             f"{self._pos}")

    def _target(self):
        return self._buf.back(self._pos, self._parent_width, self.type_name)

    def as_int(self):
        """The value of an int, uint or bool (also their indirect forms)."""
        self._expect((INT, UINT, BOOL, INDIRECT_INT, INDIRECT_UINT), "an integer")
        if self.type == INT:
            return self._buf.read(_INT_FORMATS, self._pos, self._parent_width, "int")
        if self.type in (UINT, BOOL):
            return self._buf.uint(self._pos, self._parent_width, self.type_name.lower())
        target = self._target()
        formats = _INT_FORMATS if self.type == INDIRECT_INT else _UINT_FORMATS
        return self._buf.read(formats, target, self._width, self.type_name.lower())

    def as_float(self):
        """The value of a float (also indirect); ints are converted."""
        if self.type in (INT, UINT, INDIRECT_INT, INDIRECT_UINT):
            return float(self.as_int())
        self._expect((FLOAT, INDIRECT_FLOAT), "a float")
        if self.type == FLOAT:
            return self._buf.read(_FLOAT_FORMATS, self._pos, self._parent_width, "float")
        return self._buf.read(_FLOAT_FORMATS, self._target(), self._width, "indirect float")

    def as_bool(self):
        self._expect((BOOL, INT, UINT), "a bool")
        return self.as_int() != 0

    def as_bytes(self):
        """The bytes of a string, blob or key."""
        self._expect((STRING, BLOB, KEY), "a string or blob")
        target = self._target()
        data = self._buf.data
        if self.type == KEY:
            end = data.find(b"\0", target)
            if end < 0:
                raise ValueError(f"flexbuffer: key at byte {target} has no terminating NUL")
            return data[target:end]
        length = self._buf.uint(target - self._width, self._width,
                                f"{self.type_name.lower()} length")
        self._buf.check(target, length, f"{self.type_name.lower()} of {length} bytes")
        return data[target:target + length]

    def as_str(self):
        raw = self.as_bytes()
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValueError(f"flexbuffer: {self.type_name} at byte {self._pos} is not valid "
                             f"UTF-8: {exc}") from None

    # -- vectors and maps -----------------------------------------------------------------
    def _layout(self):
        """(first slot position, length, element width, element type or None)."""
        self._expect(_VECTORS, "a vector or map")
        start = self._target()
        width = self._width
        if self.type in _FIXED:
            elem_type, length = _FIXED[self.type]
        else:
            length = self._buf.uint(start - width, width, "vector length")
            elem_type = _TYPED.get(self.type)
        type_bytes = length if elem_type is None else 0
        self._buf.check(start, length * width + type_bytes,
                        f"{self.type_name.lower()} of {length} elements")
        return start, length, width, elem_type

    def __len__(self):
        if self.type in (STRING, BLOB, KEY):
            return len(self.as_bytes())
        return self._layout()[1]

    def _element(self, start, length, width, elem_type, index):
        pos = start + index * width
        if elem_type is not None:
            return Ref(self._buf, pos, width, width, elem_type)
        type_pos = start + length * width + index
        child_type, child_width = _unpack_type(self._buf.data[type_pos], type_pos)
        return Ref(self._buf, pos, width, child_width, child_type)

    def as_vector(self):
        """The elements of a vector, typed vector or map (map values in key order) as Refs."""
        start, length, width, elem_type = self._layout()
        return [self._element(start, length, width, elem_type, i) for i in range(length)]

    def __getitem__(self, index):
        start, length, width, elem_type = self._layout()
        if not -length <= index < length:
            raise IndexError(f"flexbuffer vector index {index} out of range (length {length})")
        return self._element(start, length, width, elem_type, index % length)

    def keys(self):
        """The keys of a map, as str."""
        self._expect((MAP,), "a map")
        start, length, width, _ = self._layout()
        keys_pos = start - 3 * width
        keys_start = self._buf.back(keys_pos, width, "map keys")
        keys_width = self._buf.uint(start - 2 * width, width, "map keys width")
        keys = Ref(self._buf, keys_pos, width, keys_width, VECTOR_KEY)
        refs = keys.as_vector()
        if len(refs) != length:
            raise ValueError(f"flexbuffer: map at byte {start} has {length} values but "
                             f"{len(refs)} keys (at byte {keys_start})")
        return [r.as_str() for r in refs]

    def as_map(self):
        """A map as a dict of str -> Ref (in the map's key order)."""
        return dict(zip(self.keys(), self.as_vector()))

    # -- everything ----------------------------------------------------------------------
    def to_python(self, decode_strings=True, _depth=0):
        """Plain Python: None, int, float, bool, str (bytes when decode_strings is False)
        for strings, bytes for blobs, str for keys, list for vectors, dict for maps."""
        t = self.type
        if t == NULL:
            return None
        if t in (INT, UINT, INDIRECT_INT, INDIRECT_UINT):
            return self.as_int()
        if t in (FLOAT, INDIRECT_FLOAT):
            return self.as_float()
        if t == BOOL:
            return self.as_bool()
        if t == KEY:
            return self.as_str()
        if t == STRING:
            return self.as_str() if decode_strings else self.as_bytes()
        if t == BLOB:
            return self.as_bytes()
        if _depth >= MAX_DEPTH:
            raise ValueError(f"flexbuffer: values nested more than {MAX_DEPTH} deep "
                             f"(at byte {self._pos})")
        if t == MAP:
            return {k: v.to_python(decode_strings, _depth + 1)
                    for k, v in self.as_map().items()}
        return [v.to_python(decode_strings, _depth + 1) for v in self.as_vector()]
