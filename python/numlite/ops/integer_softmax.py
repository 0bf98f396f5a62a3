"""SOFTMAX on quantized tensors, along the last axis, as LiteRT's reference kernels do it.

* int8/uint8 input (int8, uint8 or int16 output): gemmlowp fixed point. Differences to the
  row maximum are scaled by beta * s_in into Q5.26 (multiplier capped at 2**31 - 1),
  exponentiated (exp_on_negative_values) when not below the radius that still fits,
  summed in Q12.19; the sum's reciprocal (one_over_one_plus_x after normalising) scales
  each exp to the output, offset by the type's minimum. Differences below the radius give
  the type's minimum.
* int16: exp and 1/(1+x) come from 513-entry int16 tables of the double functions
  (with LiteRT's bias correction of the interpolation midpoints), looked up with linear
  interpolation; differences are scaled by beta * s_in / (10 / 65535) so that [-10, 0]
  spans the exp table.
Outputs must be quantized with scale 1/256 (1/32768 for int16) and the type's minimum
(0 for int16) as zero point. Everything that depends on one difference to the row maximum
(256 or 65536 of them) is a table built at prepare; per row remain the sum and reciprocal.

LOG_SOFTMAX (int8/uint8; output scale 16/256, zero point the type's maximum): the same
Q12.19 sum of exps, its log (log_x_for_x_greater_than_or_equal_to_1) in Q5.26 subtracted
from each scaled difference and shifted to Q4.3 plus the zero point; differences at or
below max(radius - 1, (log sum - 2**31) scaled back to input units) give the type's minimum.
"""

import math

import numpy as np

from ..model import types
from .common import KernelError, expect_io, options_field, quantized_node
from .fixedpoint import multiply_by_quantized_multiplier as mbqm, quantize_multiplier, \
    requantize, rounding_divide_by_pot, srdhm
from .gemmlowp import count_leading_zeros32, exp_on_negative_values, log_x_for_x_at_least_1, \
    one_over_one_plus_x
from .integer_params import LIMITS, int16_lookup, int16_table, params
from .registry import builtin

_OUTPUTS = {types.INT8: (types.INT8, types.INT16), types.UINT8: (types.UINT8,),
            types.INT16: (types.INT16,)}
_SCALED_DIFF_BITS = 5
_ACCUMULATION_BITS = 12
#: up to this many rows the per-row reciprocal is computed on Python ints
_SCALAR_ROWS = 8


def _check_output(node, out, type_):
    scale, zp = params(node, out, "output")
    want_scale = 1.0 / 32768 if type_ == types.INT16 else 1.0 / 256
    want_zp = 0 if type_ in (types.INT16, types.UINT8) else -128
    if zp != want_zp or abs(scale - want_scale) > 0.001 * want_scale:
        raise KernelError(f"{node.op_name}: output must be quantized with scale {want_scale} "
                          f"and zero point {want_zp} (got {scale}, {zp})")


def _input_scaling(beta, s_in):
    """(multiplier, left shift, diff_min) of PreprocessSoftmaxScaling / CalculateInputRadius."""
    real = min(beta * s_in * (1 << (31 - _SCALED_DIFF_BITS)), 2.0 ** 31 - 1.0)
    multiplier, left = quantize_multiplier(real)
    radius = ((1 << _SCALED_DIFF_BITS) - 1) * (1 << (31 - _SCALED_DIFF_BITS)) / (1 << left)
    return multiplier, left, -math.floor(radius)


def _difference_tables(multiplier, left, diff_min):
    """Per difference d = max - q in 0..255 (8-bit inputs): whether it counts, its scaled
    value in Q5.26, exp of that in Q0.31 and its Q12.19 share of the row's sum."""
    diff = -np.arange(256, dtype=np.int64)
    used = diff >= diff_min
    scaled = srdhm(np.where(used, diff, 0) << left, multiplier)
    exps = exp_on_negative_values(scaled, _SCALED_DIFF_BITS)
    shares = np.where(used, rounding_divide_by_pot(exps, _ACCUMULATION_BITS), 0)
    return used, scaled, exps, shares


def _eight_bit(beta, s_in, out_type):
    multiplier, left, diff_min = _input_scaling(beta, s_in)
    used, _, exps, shares = _difference_tables(multiplier, left, diff_min)
    # a difference that does not count gives the minimum: an exp of 0 does too
    exps = np.where(used, exps, 0)
    out_min, out_max = LIMITS[out_type]
    span, out_min = np.int64(out_max - out_min), np.int64(out_min)
    out_bits = 16 if out_type == types.INT16 else 8
    # exps and the row's reciprocal are >= 0 and never INT32_MIN: srdhm without saturation,
    # and RoundingDivideByPOT of a value >= 0 by an exponent >= 1 is (x + 2**(e-1)) >> e
    exponent_base = _ACCUMULATION_BITS + 31 - out_bits
    half_unit, one = np.int64(1 << 30), np.int64(1)
    take_exp, take_share = exps.take, shares.take

    def reciprocal(total):
        """(Q0.31 reciprocal, output exponent) of a row's Q12.19 sum of exps (>= 1 and
        < 2**31), a Python int or an int64 array."""
        headroom = count_leading_zeros32(total)
        shifted = ((total << headroom) & 0xFFFFFFFF) - (1 << 31)    # int32 wrap of - 1.0
        return one_over_one_plus_x(shifted), exponent_base - headroom

    def softmax(a):
        d = a.max(axis=-1, keepdims=True) - a
        total = take_share(d).sum(axis=-1, keepdims=True)
        if total.size <= _SCALAR_ROWS:
            rows = [reciprocal(t) for t in total.ravel().tolist()]
            scale = np.array([s for s, _ in rows], np.int64).reshape(total.shape)
            exponent = np.array([e for _, e in rows], np.int64).reshape(total.shape)
        else:
            scale, exponent = reciprocal(total)
        r = take_exp(d)
        r *= scale
        r += half_unit
        r >>= 31
        r += one << (exponent - 1)
        r >>= exponent
        np.minimum(r, span, out=r)
        r += out_min
        return r
    return softmax


_EXP_TABLE = int16_table(np.exp, -10.0, 0.0, -1.0, 1.0)
_RECIPROCAL_TABLE = int16_table(lambda x: 1.0 / (1.0 + x), 0.0, 1.0, -1.0, 1.0)


def _int16(beta, s_in):
    multiplier, shift = quantize_multiplier(s_in * beta / (10.0 / 65535.0))
    # exp of each difference max - q in 0..65535
    scaled = requantize(-np.arange(65536, dtype=np.int64), multiplier, shift, 32767, -32768,
                        32767)
    exp_of_difference = int16_lookup(scaled, _EXP_TABLE)

    def softmax(a):
        exps = exp_of_difference[a.max(axis=-1, keepdims=True) - a]
        total = exps.sum(axis=-1, keepdims=True)
        headroom = count_leading_zeros32(total)
        shifted = ((total << (headroom - 1)) + (1 << 13)) >> 14
        x = np.clip(shifted - ((1 << 15) + (1 << 16)), -32768, 32767)
        reciprocal = int16_lookup(x, _RECIPROCAL_TABLE)
        right = 31 - headroom
        r = (exps * reciprocal + (np.int64(1) << (right - 1))) >> right
        return np.clip(r, 0, 32767)
    return softmax


@builtin("SOFTMAX", when=quantized_node)
def prepare_softmax(node):
    (x,), out = expect_io(node, 1), node.outputs[0]
    if out.type not in _OUTPUTS.get(x.type, ()):
        raise KernelError(f"{node.op_name}: quantized {types.type_name(x.type)} input with "
                          f"{types.type_name(out.type)} output is not supported")
    if not x.shape:
        raise KernelError(f"{node.op_name}: input must have at least 1 dimension")
    s_in, zp_in = params(node, x)
    if x.type == types.INT16 and zp_in:
        raise KernelError(f"{node.op_name}: int16 input needs zero point 0")
    _check_output(node, out, out.type)
    beta = float(np.float32(options_field(node, "beta", 1.0)))
    softmax = _int16(beta, s_in) if x.type == types.INT16 else _eight_bit(beta, s_in, out.type)
    dtype = out.dtype

    def run(a):
        return softmax(a.astype(np.int64)).astype(dtype)
    return run, [x.shape]


_LOG_OUTPUT_BITS = 4


@builtin("LOG_SOFTMAX", when=quantized_node)
def prepare_log_softmax(node):
    (x,), out = expect_io(node, 1), node.outputs[0]
    if x.type not in (types.INT8, types.UINT8) or out.type != x.type:
        raise KernelError(f"{node.op_name}: quantized {types.type_name(x.type)} input with "
                          f"{types.type_name(out.type)} output is not supported")
    if not x.shape:
        raise KernelError(f"{node.op_name}: input must have at least 1 dimension")
    s_in, _ = params(node, x)
    s_out, zp_out = params(node, out, "output")
    out_min, out_max = LIMITS[out.type]
    if s_out != 16.0 / 256 or zp_out != out_max:
        raise KernelError(f"{node.op_name}: output must be quantized with scale 16/256 and "
                          f"zero point {out_max} (got {s_out}, {zp_out})")
    multiplier, left, diff_min = _input_scaling(1.0, s_in)
    reverse, reverse_shift = quantize_multiplier((1 << (31 - left)) / multiplier)
    _, scaled, _, shares = _difference_tables(multiplier, left, diff_min)
    dtype = out.dtype

    def run(a):
        d = a.max(axis=-1, keepdims=True).astype(np.int64) - a
        total = shares[d].sum(axis=-1, keepdims=True)
        log_sum = log_x_for_x_at_least_1(total, _ACCUMULATION_BITS, _SCALED_DIFF_BITS)
        adjusted = np.maximum(diff_min - 1, mbqm(log_sum - 2 ** 31, reverse, reverse_shift))
        r = rounding_divide_by_pot(scaled[d] - log_sum,
                                   31 - _SCALED_DIFF_BITS - _LOG_OUTPUT_BITS)
        r = np.clip(r + out_max, out_min, out_max)
        return np.where(-d > adjusted, r, out_min).astype(dtype)
    return run, [x.shape]
