"""MEAN (int8/uint8/int16), SUM (uint8) and REDUCE_PROD (int8/int16) on quantized tensors
with constant axes.

With d = sum over the reduced axes of (q - zp_in) and n the number of reduced elements,
LiteRT's reference kernels compute zp_out + MBQM(d, m, shift), clamped, where (m, shift)
is QuantizeMultiplier(s_in / s_out) for SUM and, for MEAN, that multiplier divided by n
with as many bits kept as int32 allows (m << b) / n, shift - b, b = min(floor(log2 n), 32,
31 + shift). Global average pooling (MEAN over H, W) is the same formula.

REDUCE_PROD (QuantizedReduceProd) multiplies the (q - zp_in) of each output's n elements
in the input's row-major order, rescaling after every multiplication and once more at the
end by QuantizeMultiplier(s_in / s_out**(1/n)) through the int64-accumulator
MultiplyByQuantizedMultiplier, so the n scalings make s_in**n / s_out; then zp_out and the
type's range.
"""

import numpy as np

from ..model import types
from .common import KernelError, expect_io, options_field, quantized_node
from .fixedpoint import Requantizer, multiply_by_quantized_multiplier_int64, \
    quantize_multiplier
from .integer_params import LIMITS, check_types, params, require_zero_points
from .reduce import _reduced_shape, resolve_axes
from .registry import builtin
from .support import INT32, check_type, known_ints


#: LiteRT 2.3's int8 and int16 SUM kernels misread their input (int8 values as uint8):
#: only uint8 SUM is served
#: reductions whose sums span fewer values look the result up in a table of every sum
_TABLE_LIMIT = 1 << 18
_MEAN_TYPES = (types.INT8, types.UINT8, types.INT16)
_SUM_TYPES = (types.UINT8,)
#: LiteRT refuses uint8 REDUCE_PROD ("Unsupported quantized data type")
_PROD_TYPES = (types.INT8, types.INT16)


def _specs(node, allowed):
    x, axis_spec = expect_io(node, 2)
    out = node.outputs[0]
    type_ = check_types(node, allowed, [x, out])
    require_zero_points(node, (x, out))
    check_type(node, axis_spec, (INT32,), "axis")
    values = known_ints(axis_spec)
    if values is None:
        raise KernelError(f"{node.op_name}: quantized reductions need constant axes")
    axes = resolve_axes(node.op_name, values, len(x.shape))
    shape = _reduced_shape(x.shape, axes, bool(options_field(node, "keep_dims", False)))
    n = int(np.prod([x.shape[a] for a in axes], dtype=np.int64))
    return type_, x, out, axes, shape, n


def _divided_multiplier(m, shift, n):
    """The multiplier of s_in / (n s_out) from that of s_in / s_out, keeping as many bits
    of the division as int32 allows."""
    bits = min(int(n).bit_length() - 1, 32, 31 + shift)
    return int((m << bits) // n), shift - bits


def _kernel(node, mean):
    type_, x, out, axes, shape, n = _specs(node, _MEAN_TYPES if mean else _SUM_TYPES)
    (s_in, zp_in), (s_out, zp_out) = params(node, x), params(node, out, "output")
    if n == 0:
        raise KernelError(f"{node.op_name}: quantized reduction over no elements")
    low, high = LIMITS[type_]
    dtype = out.dtype
    m, shift = quantize_multiplier(s_in / s_out)
    if mean:
        m, shift = _divided_multiplier(m, shift, n)
    requantize = Requantizer(m, shift, zp_out, low, high)
    reduce, int64 = np.add.reduce, np.int64
    if n * (high - low) < _TABLE_LIMIT:
        # the result depends on the sum alone: a table over every possible sum
        table = requantize(np.arange(n * low, n * high + 1, dtype=int64) - zp_in * n) \
            .astype(dtype)
        first = int64(n * low)

        def run_table(a, _axis=None):
            total = reduce(a, axis=axes, dtype=int64)
            total -= first
            return table.take(total).reshape(shape)
        return run_table, [shape]
    offset = int64(zp_in * n)

    def run(a, _axis=None):
        total = reduce(a, axis=axes, dtype=int64).reshape(shape)
        total -= offset
        return requantize(total).astype(dtype)
    return run, [shape]


@builtin("MEAN", when=quantized_node)
def prepare_mean(node):
    return _kernel(node, True)


@builtin("SUM", when=quantized_node)
def prepare_sum(node):
    return _kernel(node, False)


@builtin("REDUCE_PROD", when=quantized_node)
def prepare_reduce_prod(node):
    type_, x, out, axes, shape, n = _specs(node, _PROD_TYPES)
    (s_in, zp_in), (s_out, zp_out) = params(node, x), params(node, out, "output")
    size = int(np.prod(x.shape, dtype=np.int64))
    if size == 0 and int(np.prod(shape, dtype=np.int64)) == 0:
        return (lambda a, _axis=None: np.zeros(shape, out.dtype)), [shape]
    if n == 0:          # LiteRT returns uninitialised memory there
        raise KernelError("REDUCE_PROD: quantized reduction over no elements")
    m, shift = quantize_multiplier(s_in / s_out ** (1.0 / n))
    low, high = LIMITS[type_]
    # the reduced axes last, in their order: each row holds one output's elements in the
    # input's row-major order
    order = [a for a in range(len(x.shape)) if a not in axes] + list(axes)
    rows, dtype = size // n, out.dtype

    def scale(v):
        return multiply_by_quantized_multiplier_int64(v, m, shift)

    def run(a, _axis=None):
        v = a.transpose(order).reshape(rows, n).astype(np.int64)
        v -= zp_in
        product = v[:, 0]
        for k in range(1, n):
            product = scale(product * v[:, k])
        r = scale(product)
        r += zp_out
        return np.clip(r, low, high).astype(dtype).reshape(shape)
    return run, [shape]
