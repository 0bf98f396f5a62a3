"""Elementwise math: EXP, LOG, SQRT, RSQRT, NEG, ABS, SIN, COS, SQUARE, FLOOR, CEIL, ROUND,
SIGN, ZEROS_LIKE, BUCKETIZE.

Each op takes LiteRT's set of plain types (quantized int8/int16 paths are refused at
prepare). Float results are numpy's float32 functions: the IEEE-exact ones (SQRT, RSQRT
as 1/sqrt, SQUARE, NEG, ABS, FLOOR, CEIL, ROUND half to even, SIGN) match LiteRT bit for
bit; EXP, LOG, SIN and COS are within a couple of ulps of LiteRT's libm/Eigen results.
Integer NEG and ABS wrap like C (-(-128) is -128 in int8).
ZEROS_LIKE only needs its input's shape. BUCKETIZE gives, per element, the number of
(sorted, float32) boundaries that are <= it, as int32 (NaN goes past the last bucket).
"""

import numpy as np

from .common import KernelError, expect_io, options_field, require_same_type, type_name
from .registry import builtin
from .support import (FLOAT16, FLOAT32, FLOAT64, INT8, INT16, INT32, INT64, check_type,
                      refuse_quantized, zero_d)

def _rsqrt(a):
    t = np.sqrt(a)
    return np.divide(t.dtype.type(1), t, out=t)


# op name -> (allowed TensorTypes, run)
_OPS = {
    "EXP": ((FLOAT32,), np.exp),
    "LOG": ((FLOAT32,), np.log),
    "SQRT": ((FLOAT32,), np.sqrt),
    "RSQRT": ((FLOAT32,), _rsqrt),
    "SQUARE": ((FLOAT32,), np.square),
    "SIN": ((FLOAT32, FLOAT16), np.sin),
    "COS": ((FLOAT32, FLOAT16), np.cos),
    "FLOOR": ((FLOAT32, FLOAT16), np.floor),
    "CEIL": ((FLOAT32, FLOAT16), np.ceil),
    "ROUND": ((FLOAT32, FLOAT16), np.rint),           # half to even, like LiteRT
    "NEG": ((FLOAT32, FLOAT16, INT8, INT16, INT32, INT64), np.negative),
    "ABS": ((FLOAT32, INT16, INT32), np.abs),
    "SIGN": ((FLOAT32, FLOAT64, INT32), np.sign),      # NaN stays NaN, as in LiteRT
}


def _prepare_unary(node):
    (x,), out = expect_io(node, 1), node.outputs[0]
    require_same_type(node, x, out)
    allowed, run = _OPS[node.op_name]
    check_type(node, x, allowed)
    refuse_quantized(node)
    return zero_d(run, x.shape), [x.shape]


for _name in _OPS:
    builtin(_name)(_prepare_unary)


@builtin("ZEROS_LIKE")
def prepare_zeros_like(node):
    (x,), out = expect_io(node, 1), node.outputs[0]
    require_same_type(node, x, out)
    check_type(node, x, (FLOAT32, INT32, INT64))
    refuse_quantized(node)
    shape, dtype = x.shape, x.dtype
    zeros = np.zeros

    def run(_a=None):
        return zeros(shape, dtype)
    return run, [shape]



@builtin("BUCKETIZE")
def prepare_bucketize(node):
    """The bucket of each element: how many boundaries are <= it (int32)."""
    (x,), out = expect_io(node, 1), node.outputs[0]
    check_type(node, x, (FLOAT32, FLOAT64, INT32, INT64))
    refuse_quantized(node)
    if out.type != INT32:
        raise KernelError(f"BUCKETIZE: output type {type_name(out)} is not INT32")
    boundaries = np.asarray(options_field(node, "boundaries", None) or (), np.float32)
    if boundaries.size > 1 and (boundaries[1:] < boundaries[:-1]).any():
        raise KernelError("Expected sorted boundaries")
    # compare in float64: exact for float32 boundaries against any input type but huge int64s
    edges = boundaries.astype(np.float64)
    searchsorted = np.searchsorted

    def run(a):
        return searchsorted(edges, a, side="right").astype(np.int32)
    return zero_d(run, x.shape), [x.shape]
