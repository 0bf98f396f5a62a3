"""LESS, LESS_EQUAL, GREATER, GREATER_EQUAL, EQUAL, NOT_EQUAL: broadcasting, bool output.

Types as in LiteRT: float32, float16, int16, int32, int64; EQUAL and NOT_EQUAL also bool
and string. int8/uint8 only when both inputs carry the same quantization (LiteRT rescales
both sides, which then keeps the raw order; it aborts on unquantized int8 comparisons).
NaN compares false (not-equal true), as in C.
"""

import numpy as np

from .arithmetic import broadcast_shape
from .common import (KernelError, as_array, expect_io, require_same_type,
                     type_name)
from .registry import builtin
from .support import (BOOL, FLOAT16, FLOAT32, INT8, INT16, INT32, INT64, STRING, UINT8,
                      check_type, refuse_quantized)

_ORDERED = (FLOAT32, FLOAT16, INT8, UINT8, INT16, INT32, INT64)
_EQUALITY = _ORDERED + (BOOL, STRING)

_UFUNCS = {"LESS": np.less, "LESS_EQUAL": np.less_equal, "GREATER": np.greater,
           "GREATER_EQUAL": np.greater_equal, "EQUAL": np.equal, "NOT_EQUAL": np.not_equal}


def _string_compare(ufunc):
    def run(a, b):
        return np.asarray(ufunc(a, b), dtype=bool)
    return run


@builtin(*_UFUNCS)
def prepare_comparison(node):
    a, b = expect_io(node, 2)
    out = node.outputs[0]
    require_same_type(node, a, b, "input 1", "input 2")
    if out.type != BOOL:
        raise KernelError(f"{node.op_name}: output type {type_name(out)} is not BOOL")
    check_type(node, a, _EQUALITY if node.op_name in ("EQUAL", "NOT_EQUAL") else _ORDERED)
    if a.type in (INT8, UINT8):
        # quantized 8-bit inputs go to integer_compare (rescaled, as LiteRT compares them)
        raise KernelError(f"{node.op_name}: {type_name(a)} inputs need quantization "
                          "parameters")
    refuse_quantized(node, a, b)
    shape = broadcast_shape(node, a.shape, b.shape)
    ufunc = _UFUNCS[node.op_name]
    run = _string_compare(ufunc) if a.type == STRING else ufunc
    # 0-d operands: ufuncs give numpy scalars; as_array makes them arrays in one step
    return (as_array(run) if shape == () else run), [shape]
