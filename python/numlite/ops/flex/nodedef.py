"""A tiny protobuf wire-format reader for TensorFlow's NodeDef.

Only what a Select TF op's custom options carry is decoded: the op name, node
name, inputs, device and the attr map. Attr values become plain Python values:

====================  =========================================================
AttrValue field       Python value
====================  =========================================================
``s`` (bytes)         ``bytes``
``i`` (int64)         ``int``
``f`` (float)         ``float`` (the float32 value)
``b`` (bool)          ``bool``
``type`` (DataType)   ``DataType`` (an ``int`` subclass, ``repr`` = ``DT_...``)
``shape``             ``TensorShape`` (``dims`` tuple, ``None`` = unknown rank)
``tensor``            ``TensorProtoBytes`` (the serialized TensorProto)
``placeholder``       ``Placeholder`` (a ``str`` subclass)
``func``              ``NameAttrList`` (name, attrs dict)
``list``              ``list`` of the above
(no value set)        ``None``
====================  =========================================================

Wire format: each field is a varint key ``field_number << 3 | wire_type``
followed by a varint (0), 8 bytes (1), a varint length and that many bytes (2)
or 4 bytes (5). Unknown fields, and known fields sent with an unexpected wire
type, are skipped as protobuf does; repeated scalars may be packed or not.
"""

import struct
from typing import NamedTuple, Optional

from .opdefs import DataType

VARINT, FIXED64, LENGTH, START_GROUP, END_GROUP, FIXED32 = range(6)

EMPTY_MESSAGE = "Cannot convert empty data into a valid NodeDef"
PARSE_MESSAGE = "Failed to parse data into a valid NodeDef"

#: protobuf's default recursion limit for nested messages
MAX_DEPTH = 100


class NodeDefError(ValueError):
    """The data is not a valid NodeDef (the message is TensorFlow's; details in ``detail``)."""

    def __init__(self, message, detail=None):
        super().__init__(message)
        self.detail = detail


class _WireError(ValueError):
    pass


class TensorShape(NamedTuple):
    """A TensorShapeProto: ``dims`` (-1 = unknown size), or ``None`` for unknown rank."""
    dims: Optional[tuple]


class NameAttrList(NamedTuple):
    """A function reference: a name and its attrs."""
    name: str
    attr: dict


class Placeholder(str):
    """An attr value that names an attr of the enclosing function."""

    def __repr__(self):
        return f"Placeholder({str.__repr__(self)})"


class TensorProtoBytes(bytes):
    """A serialized TensorProto, kept as bytes."""

    def __repr__(self):
        return f"TensorProtoBytes({bytes.__repr__(self)})"


class NodeDef(NamedTuple):
    name: str
    op: str
    inputs: tuple
    device: str
    attr: dict


# -- wire-level reading ------------------------------------------------------------------
def _varint(data, pos, end):
    result = shift = 0
    for i in range(10):
        if pos >= end:
            raise _WireError(f"truncated varint at byte {pos}")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result & 0xFFFFFFFFFFFFFFFF, pos
        shift += 7
    raise _WireError(f"varint longer than 10 bytes ending at byte {pos}")


def _skip_group(data, pos, end, number, depth):
    while True:
        if depth > MAX_DEPTH:
            raise _WireError("groups nested too deeply")
        if pos >= end:
            raise _WireError(f"group {number} is not closed")
        key, pos = _varint(data, pos, end)
        field, wire = key >> 3, key & 7
        if wire == END_GROUP:
            if field != number:
                raise _WireError(f"group {number} closed by end-group {field}")
            return pos
        pos = _skip_value(data, pos, end, field, wire, depth + 1)[1]


def _skip_value(data, pos, end, field, wire, depth):
    """Read one value; returns (value, new position). Lengths come back as (start, stop)."""
    if wire == VARINT:
        return _varint(data, pos, end)
    if wire == FIXED64:
        if pos + 8 > end:
            raise _WireError(f"truncated fixed64 field {field} at byte {pos}")
        return data[pos:pos + 8], pos + 8
    if wire == FIXED32:
        if pos + 4 > end:
            raise _WireError(f"truncated fixed32 field {field} at byte {pos}")
        return data[pos:pos + 4], pos + 4
    if wire == LENGTH:
        length, pos = _varint(data, pos, end)
        if length > end - pos:
            raise _WireError(f"field {field} claims {length} bytes at byte {pos} but only "
                             f"{end - pos} remain")
        return (pos, pos + length), pos + length
    if wire == START_GROUP:
        return None, _skip_group(data, pos, end, field, depth)
    raise _WireError(f"invalid wire type {wire} for field {field} at byte {pos}")


def _fields(data, start, end, depth=0):
    """Yield (field number, wire type, value) for each field of a message."""
    if depth > MAX_DEPTH:
        raise _WireError(f"messages nested more than {MAX_DEPTH} deep")
    pos = start
    while pos < end:
        key, pos = _varint(data, pos, end)
        field, wire = key >> 3, key & 7
        if field == 0:
            raise _WireError(f"field number 0 at byte {pos}")
        if wire == END_GROUP:
            raise _WireError(f"unexpected end-group for field {field} at byte {pos}")
        value, pos = _skip_value(data, pos, end, field, wire, depth)
        yield field, wire, value


def _int64(value):
    return value - (1 << 64) if value >= 1 << 63 else value


def _int32(value):
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value >= 1 << 31 else value


def _string(data, span, what):
    try:
        return data[span[0]:span[1]].decode("utf-8")
    except UnicodeDecodeError:
        raise _WireError(f"{what} is not valid UTF-8") from None


def _packed_varints(data, span):
    pos, end = span
    values = []
    while pos < end:
        value, pos = _varint(data, pos, end)
        values.append(value)
    return values


def _packed_floats(data, span):
    start, end = span
    if (end - start) % 4:
        raise _WireError(f"packed float list of {end - start} bytes is not a multiple of 4")
    return list(struct.unpack_from(f"<{(end - start) // 4}f", data, start))


# -- messages ----------------------------------------------------------------------------
def _shape(data, span, depth):
    dims, unknown_rank = [], False
    for field, wire, value in _fields(data, *span, depth):
        if field == 2 and wire == LENGTH:                       # dim
            size = 0
            for f, w, v in _fields(data, *value, depth + 1):
                if f == 1 and w == VARINT:
                    size = _int64(v)
                elif f == 2 and w == LENGTH:
                    _string(data, v, "dimension name")
            dims.append(size)
        elif field == 3 and wire == VARINT:                     # unknown_rank
            unknown_rank = value != 0
    return TensorShape(None if unknown_rank else tuple(dims))


def _name_attr_list(data, span, depth):
    name, attrs = "", {}
    for field, wire, value in _fields(data, *span, depth):
        if field == 1 and wire == LENGTH:
            name = _string(data, value, "function name")
        elif field == 2 and wire == LENGTH:
            key, attr = _attr_entry(data, value, depth + 1)
            attrs[key] = attr
    return NameAttrList(name, attrs)


def _list_value(data, span, depth):
    parts = {n: [] for n in range(2, 10)}
    for field, wire, value in _fields(data, *span, depth):
        if field == 2 and wire == LENGTH:                       # s
            parts[2].append(data[value[0]:value[1]])
        elif field in (3, 5, 6):                                # i, b, type
            if wire == LENGTH:
                raw = _packed_varints(data, value)
            elif wire == VARINT:
                raw = [value]
            else:
                continue
            if field == 3:
                parts[3].extend(_int64(v) for v in raw)
            elif field == 5:
                parts[5].extend(v != 0 for v in raw)
            else:
                parts[6].extend(DataType(_int32(v)) for v in raw)
        elif field == 4:                                        # f
            if wire == LENGTH:
                parts[4].extend(_packed_floats(data, value))
            elif wire == FIXED32:
                parts[4].append(struct.unpack("<f", value)[0])
        elif field == 7 and wire == LENGTH:                     # shape
            parts[7].append(_shape(data, value, depth + 1))
        elif field == 8 and wire == LENGTH:                     # tensor
            parts[8].append(TensorProtoBytes(data[value[0]:value[1]]))
        elif field == 9 and wire == LENGTH:                     # func
            parts[9].append(_name_attr_list(data, value, depth + 1))
    return [v for n in range(2, 10) for v in parts[n]]


def _attr_value(data, span, depth):
    result = None
    for field, wire, value in _fields(data, *span, depth):
        if field == 1 and wire == LENGTH:
            result = _list_value(data, value, depth + 1)
        elif field == 2 and wire == LENGTH:
            result = data[value[0]:value[1]]
        elif field == 3 and wire == VARINT:
            result = _int64(value)
        elif field == 4 and wire == FIXED32:
            result = struct.unpack("<f", value)[0]
        elif field == 5 and wire == VARINT:
            result = value != 0
        elif field == 6 and wire == VARINT:
            result = DataType(_int32(value))
        elif field == 7 and wire == LENGTH:
            result = _shape(data, value, depth + 1)
        elif field == 8 and wire == LENGTH:
            result = TensorProtoBytes(data[value[0]:value[1]])
        elif field == 9 and wire == LENGTH:
            result = Placeholder(_string(data, value, "placeholder"))
        elif field == 10 and wire == LENGTH:
            result = _name_attr_list(data, value, depth + 1)
    return result


def _attr_entry(data, span, depth):
    key, value = "", None
    for field, wire, item in _fields(data, *span, depth):
        if field == 1 and wire == LENGTH:
            key = _string(data, item, "attr name")
        elif field == 2 and wire == LENGTH:
            value = _attr_value(data, item, depth + 1)
    return key, value


def parse_attr_value(data):
    """Decode one serialized AttrValue into a Python value (see the module doc)."""
    data = bytes(data)
    try:
        return _attr_value(data, (0, len(data)), 0)
    except _WireError as exc:
        raise ValueError(f"Failed to parse an AttrValue: {exc}") from None


def parse_nodedef(data):
    """Decode a serialized NodeDef; raises NodeDefError with TensorFlow's message."""
    if data is None or len(data) == 0:
        raise NodeDefError(EMPTY_MESSAGE)
    data = bytes(data)
    name = op = device = ""
    inputs, attrs = [], {}
    try:
        for field, wire, value in _fields(data, 0, len(data)):
            if wire != LENGTH:
                continue
            if field == 1:
                name = _string(data, value, "node name")
            elif field == 2:
                op = _string(data, value, "op name")
            elif field == 3:
                inputs.append(_string(data, value, "input name"))
            elif field == 4:
                device = _string(data, value, "device")
            elif field == 5:
                key, attr = _attr_entry(data, value, 1)
                attrs[key] = attr
    except _WireError as exc:
        raise NodeDefError(PARSE_MESSAGE, str(exc)) from None
    return NodeDef(name, op, tuple(inputs), device, attrs)
