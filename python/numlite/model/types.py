"""TensorType numbers, their names and numpy dtypes (schema.fbs, TfLiteTypeGetName)."""

import numpy as np

FLOAT32, FLOAT16, INT32, UINT8, INT64, STRING, BOOL, INT16, COMPLEX64, INT8, FLOAT64, \
    COMPLEX128, UINT64, RESOURCE, VARIANT, UINT32, UINT16, INT4, BFLOAT16, INT2, UINT4, \
    FLOAT8_E4M3FN, FLOAT8_E5M2 = range(23)

#: TfLiteTypeGetName texts, indexed by TensorType (used verbatim in error messages)
TYPE_NAMES = ("FLOAT32", "FLOAT16", "INT32", "UINT8", "INT64", "STRING", "BOOL", "INT16",
              "COMPLEX64", "INT8", "FLOAT64", "COMPLEX128", "UINT64", "RESOURCE", "VARIANT",
              "UINT32", "UINT16", "INT4", "BFLOAT16", "INT2", "UINT4", "FLOAT8_E4M3FN",
              "FLOAT8_E5M2")

#: numpy dtype used to hold each tensor type's values (object for strings, resources, variants)
_STORAGE = {
    FLOAT32: np.float32, FLOAT16: np.float16, INT32: np.int32, UINT8: np.uint8,
    INT64: np.int64, STRING: np.object_, BOOL: np.bool_, INT16: np.int16,
    COMPLEX64: np.complex64, INT8: np.int8, FLOAT64: np.float64, COMPLEX128: np.complex128,
    UINT64: np.uint64, RESOURCE: np.object_, VARIANT: np.object_, UINT32: np.uint32,
    UINT16: np.uint16, INT4: np.int8, INT2: np.int8, UINT4: np.uint8,
    FLOAT8_E4M3FN: np.int8, FLOAT8_E5M2: np.int8,
}
STORAGE_DTYPES = {t: np.dtype(d) for t, d in _STORAGE.items()}

#: what the details dicts report as 'dtype' (a numpy scalar type)
DETAIL_DTYPES = {**_STORAGE, STRING: np.bytes_}

#: numpy dtype -> TensorType for values handed to set_tensor
_FROM_NUMPY = {np.dtype(d): t for t, d in _STORAGE.items()
               if t in (FLOAT32, FLOAT16, INT32, UINT8, INT64, BOOL, INT16, COMPLEX64, INT8,
                        FLOAT64, COMPLEX128, UINT64, UINT32, UINT16)}


def type_of_array(array):
    """TensorType a numpy array would have (TfLiteTypeFromPyType); None = NOTYPE."""
    if array.dtype.kind in "OSU":
        return STRING
    return _FROM_NUMPY.get(array.dtype)


def type_name(tensor_type):
    if tensor_type is None:
        return "NOTYPE"
    return TYPE_NAMES[tensor_type] if 0 <= tensor_type < len(TYPE_NAMES) else "Unknown type"
