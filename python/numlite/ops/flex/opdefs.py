"""TensorFlow DataTypes and the op definitions of the supported Select TF ops.

The converter serializes a NodeDef as the graph held it, so attrs that still
have their default value may be missing; TensorFlow's Flex kernel fills them
from the op definition before running the op. ``complete_attrs`` does the same
here and checks every attr against its definition.
"""

from typing import NamedTuple, Optional

import numpy as np

# DataType enum values (tensorflow/core/framework/types.proto)
DT_INVALID, DT_FLOAT, DT_DOUBLE, DT_INT32, DT_UINT8, DT_INT16, DT_INT8, DT_STRING, \
    DT_COMPLEX64, DT_INT64, DT_BOOL, DT_QINT8, DT_QUINT8, DT_QINT32, DT_BFLOAT16, DT_QINT16, \
    DT_QUINT16, DT_UINT16, DT_COMPLEX128, DT_HALF, DT_RESOURCE, DT_VARIANT, DT_UINT32, \
    DT_UINT64 = range(24)

#: DataTypeString texts (used in TensorFlow's error messages)
_NAMES = ("INVALID", "float", "double", "int32", "uint8", "int16", "int8", "string",
          "complex64", "int64", "bool", "qint8", "quint8", "qint32", "bfloat16", "qint16",
          "quint16", "uint16", "complex128", "half", "resource", "variant", "uint32", "uint64")
_ENUM_NAMES = ("DT_INVALID", "DT_FLOAT", "DT_DOUBLE", "DT_INT32", "DT_UINT8", "DT_INT16",
               "DT_INT8", "DT_STRING", "DT_COMPLEX64", "DT_INT64", "DT_BOOL", "DT_QINT8",
               "DT_QUINT8", "DT_QINT32", "DT_BFLOAT16", "DT_QINT16", "DT_QUINT16", "DT_UINT16",
               "DT_COMPLEX128", "DT_HALF", "DT_RESOURCE", "DT_VARIANT", "DT_UINT32",
               "DT_UINT64")


class DataType(int):
    """A DataType enum value; ``str()`` is TensorFlow's DataTypeString, ``repr()`` the enum name."""

    @property
    def enum_name(self):
        if 0 <= self < len(_ENUM_NAMES):
            return _ENUM_NAMES[self]
        return f"DataType({int(self)})"

    def __repr__(self):
        return self.enum_name

    def __str__(self):
        return datatype_name(self)


def datatype_name(dtype):
    """TensorFlow's DataTypeString: 'float', 'int32', ..."""
    dtype = int(dtype)
    if 0 <= dtype < len(_NAMES):
        return _NAMES[dtype]
    if 100 < dtype < 100 + len(_NAMES):
        return _NAMES[dtype - 100] + "_ref"
    return f"unknown dtype enum ({dtype})"


#: DataType -> numpy dtype of a numlite tensor holding it (strings are object arrays of bytes)
NUMPY_DTYPES = {
    DT_FLOAT: np.dtype(np.float32), DT_DOUBLE: np.dtype(np.float64),
    DT_HALF: np.dtype(np.float16), DT_INT8: np.dtype(np.int8), DT_INT16: np.dtype(np.int16),
    DT_INT32: np.dtype(np.int32), DT_INT64: np.dtype(np.int64), DT_UINT8: np.dtype(np.uint8),
    DT_UINT16: np.dtype(np.uint16), DT_UINT32: np.dtype(np.uint32),
    DT_UINT64: np.dtype(np.uint64), DT_BOOL: np.dtype(np.bool_),
    DT_COMPLEX64: np.dtype(np.complex64), DT_COMPLEX128: np.dtype(np.complex128),
    DT_STRING: np.dtype(object),
}


def numpy_dtype(dtype):
    """The numpy dtype for a DataType, or None when numlite has no tensors of it."""
    return NUMPY_DTYPES.get(int(dtype))


REQUIRED = object()


class AttrDef(NamedTuple):
    name: str
    kind: str                         # 'type', 'int', 'bool', 'string' or 'float'
    default: object = REQUIRED
    allowed: Optional[tuple] = None   # allowed DataTypes for a 'type' attr


class ArgDef(NamedTuple):
    name: str
    type: object                      # a DataType, or the name of the 'type' attr giving it


class OpDef(NamedTuple):
    name: str
    inputs: tuple
    outputs: tuple
    attrs: tuple

    def attr(self, name):
        for a in self.attrs:
            if a.name == name:
                return a
        return None

    def summary(self):
        """A one-line description in the spirit of TensorFlow's SummarizeOpDef."""
        def arg(a):
            return f"{a.name}:{a.type if isinstance(a.type, str) else datatype_name(a.type)}"

        def attr(a):
            text = f"{a.name}:{a.kind}"
            if a.default is not REQUIRED:
                if a.kind == "string":
                    shown = '"' + a.default.decode("utf-8", "backslashreplace") + '"'
                elif a.kind == "bool":
                    shown = "true" if a.default else "false"
                else:
                    shown = repr(a.default)
                text += f",default={shown}"
            if a.allowed:
                text += ",allowed=[" + ", ".join(_ENUM_NAMES[t] for t in a.allowed) + "]"
            return text

        signature = ", ".join(map(arg, self.inputs)) + " -> " + ", ".join(map(arg, self.outputs))
        attrs = "; ".join("attr=" + attr(a) for a in self.attrs)
        return f"Op<name={self.name}; signature={signature}; {attrs}>"


_REAL_NUMBER_TYPES = (DT_FLOAT, DT_DOUBLE, DT_INT32, DT_UINT8, DT_INT16, DT_INT8, DT_INT64,
                      DT_BFLOAT16, DT_UINT16, DT_HALF, DT_UINT32, DT_UINT64)

AS_STRING = OpDef(
    "AsString",
    inputs=(ArgDef("input", "T"),),
    outputs=(ArgDef("output", DataType(DT_STRING)),),
    attrs=(
        AttrDef("T", "type", allowed=tuple(DataType(t) for t in _REAL_NUMBER_TYPES + (
            DT_COMPLEX64, DT_COMPLEX128, DT_BOOL, DT_VARIANT, DT_STRING))),
        AttrDef("precision", "int", -1),
        AttrDef("scientific", "bool", False),
        AttrDef("shortest", "bool", False),
        AttrDef("width", "int", -1),
        AttrDef("fill", "string", b""),
    ))

STRING_TO_NUMBER = OpDef(
    "StringToNumber",
    inputs=(ArgDef("string_tensor", DataType(DT_STRING)),),
    outputs=(ArgDef("output", "out_type"),),
    attrs=(
        AttrDef("out_type", "type", DataType(DT_FLOAT), allowed=tuple(DataType(t) for t in (
            DT_FLOAT, DT_DOUBLE, DT_INT32, DT_INT64, DT_UINT32, DT_UINT64))),
    ))

OP_DEFS = {op.name: op for op in (AS_STRING, STRING_TO_NUMBER)}


def _kind_of(value):
    if isinstance(value, DataType):
        return "type"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, bytes):
        return "string"
    if isinstance(value, list):
        return "list"
    if value is None:
        return "none"
    return type(value).__name__


def complete_attrs(op_def, attrs):
    """The op's attrs with defaults filled in, checked against the op definition.

    Attrs whose names start with '_' are internal and ignored, as in TensorFlow.
    Raises ValueError with a TensorFlow-like message when an attr is missing,
    unknown, of the wrong kind or not an allowed type.
    """
    for name in attrs:
        if not name.startswith("_") and op_def.attr(name) is None:
            raise ValueError(f"NodeDef mentions attr '{name}' not in {op_def.summary()}")
    result = {}
    for spec in op_def.attrs:
        value = attrs.get(spec.name, spec.default)
        if value is REQUIRED:
            raise ValueError(f"NodeDef missing attr '{spec.name}' from {op_def.summary()}")
        kind = _kind_of(value)
        if kind == "float" and spec.kind == "float":
            value = float(value)
        elif kind != spec.kind:
            if value is None:
                raise ValueError(f"AttrValue missing value with expected type '{spec.kind}' "
                                 f"for attr '{spec.name}' of {op_def.name}")
            raise ValueError(f"AttrValue had value with type '{kind}' when '{spec.kind}' "
                             f"expected for attr '{spec.name}' of {op_def.name}")
        if spec.allowed is not None and value not in spec.allowed:
            raise ValueError(f"Value for attr '{spec.name}' of {datatype_name(value)} is not in "
                             "the list of allowed values: "
                             + ", ".join(datatype_name(t) for t in spec.allowed))
        result[spec.name] = value
    return result
