"""TensorType (schema) numbers -> TfLiteType (C API) codes, which Java's DataType uses."""

from ..model import types

C_TYPES = {
    types.FLOAT32: 1, types.FLOAT16: 10, types.INT32: 2, types.UINT8: 3, types.INT64: 4,
    types.STRING: 5, types.BOOL: 6, types.INT16: 7, types.COMPLEX64: 8, types.INT8: 9,
    types.FLOAT64: 11, types.COMPLEX128: 12, types.UINT64: 13, types.RESOURCE: 14,
    types.VARIANT: 15, types.UINT32: 16, types.UINT16: 17, types.INT4: 18, types.BFLOAT16: 19,
}

#: the TfLiteType codes Java's DataType has
JAVA_TYPES = {1: "FLOAT32", 2: "INT32", 3: "UINT8", 4: "INT64", 5: "STRING", 6: "BOOL",
              7: "INT16", 9: "INT8"}
