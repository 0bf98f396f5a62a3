"""BATCH_MATMUL (float32): ``x @ y`` over broadcast batch dimensions, with ``adj_x``/``adj_y``
transposing the last two axes of an operand first.

np.matmul runs each product on BLAS (transposed operands are passed as strided views,
which BLAS takes without a copy; a constant ``y`` is laid out for it once at prepare).
BLAS sums in its own order, so results match LiteRT's sequential float sums to rounding
(a few ulps of the sum of |x*y|). Quantized and hybrid (int8 weights) variants are refused.
"""

import numpy as np

from .common import KernelError, expect_io, options_field, require_same_type
from .registry import builtin
from .shape import broadcast_dims
from .support import FLOAT32, check_type, refuse_quantized


def matmul_geometry(node, x, y):
    """(adj_x, adj_y, inner depth, output shape) of a BATCH_MATMUL node, checking the
    operand ranks (2 to 5), the inner dimensions and the batch broadcast."""
    if len(x.shape) < 2 or len(y.shape) < 2 or len(x.shape) > 5 or len(y.shape) > 5:
        raise KernelError(f"BATCH_MATMUL: operand ranks must be 2 to 5, got shapes "
                          f"{list(x.shape)} and {list(y.shape)}")
    adj_x = bool(options_field(node, "adj_x", False))
    adj_y = bool(options_field(node, "adj_y", False))
    m, kx = (x.shape[-1], x.shape[-2]) if adj_x else (x.shape[-2], x.shape[-1])
    ky, n = (y.shape[-1], y.shape[-2]) if adj_y else (y.shape[-2], y.shape[-1])
    if kx != ky:
        raise KernelError(f"BATCH_MATMUL: inner dimensions differ: lhs {list(x.shape)} "
                          f"(adj_x={adj_x}) and rhs {list(y.shape)} (adj_y={adj_y})")
    batch = broadcast_dims("BATCH_MATMUL", x.shape[:-2], y.shape[:-2])
    return adj_x, adj_y, kx, tuple(batch) + (m, n)


@builtin("BATCH_MATMUL")
def prepare_batch_matmul(node):
    x, y = expect_io(node, 2)
    out = node.outputs[0]
    require_same_type(node, x, y, "lhs", "rhs")
    require_same_type(node, x, out)
    check_type(node, x, (FLOAT32,))
    refuse_quantized(node)
    adj_x, adj_y, _, shape = matmul_geometry(node, x, y)
    matmul, swap = np.matmul, np.swapaxes

    if y.value is not None:
        rhs = np.ascontiguousarray(swap(y.value, -1, -2) if adj_y else y.value)
        if adj_x:
            def run_const(a, _b=None):
                return matmul(swap(a, -1, -2), rhs)
        else:
            def run_const(a, _b=None):
                return matmul(a, rhs)
        return run_const, [shape]

    if adj_x and adj_y:
        def run(a, b):
            return matmul(swap(a, -1, -2), swap(b, -1, -2))
    elif adj_x:
        def run(a, b):
            return matmul(swap(a, -1, -2), b)
    elif adj_y:
        def run(a, b):
            return matmul(a, swap(b, -1, -2))
    else:
        run = matmul
    return run, [shape]
