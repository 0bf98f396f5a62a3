"""BATCH_MATMUL on quantized tensors: int8 and int16 (zero points 0) operands, the
output of the operands' type; or int8 operands with an int32 output, which LiteRT fills
with the raw products ``x @ y`` (zero points and scales ignored).

``acc = (x - zp_x) @ (y - zp_y)`` over broadcast batch dimensions (``adj_x``/``adj_y``
transpose the last two axes of an operand first), computed exactly on BLAS in the type
integer_gemm.gemm_dtype picks for ``depth * max|x - zp_x| * max|y - zp_y|``; then LiteRT's
requantization: ``QuantizeMultiplier(s_x * s_y / s_out)`` with the scale product and
quotient in float32 (batch_matmul.cc), MultiplyByQuantizedMultiplier (the int64 form for
int16), plus the output zero point, clamped to the type's range.
"""

import numpy as np

from ..model import types
from .batch_matmul import matmul_geometry
from .common import KernelError, expect_io, quantized_node, type_name
from .integer_gemm import fixed_point_requantizer, gemm_dtype, magnitude, scales_of, zero_point_of
from .integer_params import LIMITS
from .registry import builtin


@builtin("BATCH_MATMUL", when=quantized_node)
def prepare_integer_batch_matmul(node):
    x, y = expect_io(node, 2)
    out = node.outputs[0]
    raw = x.type == types.INT8 and out.type == types.INT32
    if x.type not in (types.INT8, types.INT16) or y.type != x.type or \
            out.type not in (x.type, types.INT32) or (out.type == types.INT32 and not raw):
        raise KernelError(f"BATCH_MATMUL: quantized operands {type_name(x)} and "
                          f"{type_name(y)} with a {type_name(out)} output are not supported")
    adj_x, adj_y, kx, shape = matmul_geometry(node, x, y)
    if raw:                            # LiteRT ignores the quantization here
        zp_x = zp_y = 0
        requant = None
    else:
        zp_x, zp_y, zp_out = zero_point_of(x), zero_point_of(y), zero_point_of(out)
        if x.type == types.INT16 and (zp_x or zp_y or zp_out):
            raise KernelError("BATCH_MATMUL: int16 zero points must be 0")
        s_x, s_y = scales_of(node, x, "lhs")[0], scales_of(node, y, "rhs")[0]
        real = float(np.float32(s_x * s_y) / scales_of(node, out, "output")[0])
    bound = kx * magnitude(x, zp_x) * magnitude(y, zp_y)
    dtype = gemm_dtype(bound)                                             # int64 beyond 2**53
    if not raw:
        requant = fixed_point_requantizer(np.array([real]), zp_out, *LIMITS[out.type],
                                          out.dtype, wide=x.type == types.INT16,
                                          offset=np.zeros(1, np.int64), bound=bound)
    swap = np.swapaxes

    def operand(a, zp, adjoint):
        v = a.astype(dtype)
        if zp:
            v -= dtype.type(zp)
        return swap(v, -1, -2) if adjoint else v

    def product(a, b):
        return np.matmul(operand(a, zp_x, adj_x), operand(b, zp_y, adj_y))

    if raw:
        def run_raw(a, b):
            return product(a, b).astype(np.int32)
        return run_raw, [shape]

    def run(a, b):
        return requant(product(a, b))
    return run, [shape]
