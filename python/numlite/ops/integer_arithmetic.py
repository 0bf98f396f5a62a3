"""ADD, SUB, MUL, DIV, SQUARED_DIFFERENCE on quantized int8/uint8/int16 tensors,
broadcasting.

LiteRT's integer formulas (reference §5.4, §5.5), with q' = q - zero_point:
* ADD/SUB: both inputs are rescaled to twice the larger input scale after a left shift
  (20 bits, 15 for int16), added/subtracted, rescaled to the output; int16 with
  power-of-two scales and ``pot_scale_int16`` set (the option's default) takes the legacy
  path instead: one input shifted right onto the other's scale, saturating int16 add.
* MUL: zp_out + MBQM(q1' * q2', QuantizeMultiplier(float32(s1 * s2 / s_out))).
* SQUARED_DIFFERENCE (int8): inputs rescaled after a 7-bit shift, their difference squared,
  rescaled by (2 max(s1, s2))**2 / (2**14 s_out).
* DIV: the divisor's reciprocal in fixed point (GetReciprocal: normalised,
  gemmlowp's 1/(1+x)), the dividend shifted left by its redundant sign bits, multiplied
  (SaturatingRoundingDoublingHighMul), then multiplied by QuantizeMultiplier(float32(s1 /
  float32(s2 * s_out))) and divided by a power of two (see prepare_div for the shifts
  beyond 31 that LiteRT's x86-64 build computes). A divisor equal to its zero point
  fails at invoke, as in LiteRT.
Results are clamped to the fused activation's range. The 8-bit kernels are one lookup in
a 256 x 256 table of the formula; int16 evaluates it on int64 arrays, ADD/SUB looking each
input's rescaling up in a table of its 65536 values.
"""

import numpy as np

from ..model import types
from .arithmetic import broadcast_shape
from .common import KernelError, as_array, expect_io, options_field, quantized_node
from .fixedpoint import Requantizer, multiply_by_quantized_multiplier as mbqm, \
    quantize_multiplier, rounding_divide_by_pot, srdhm
from .gemmlowp import count_leading_zeros32, one_over_one_plus_x
from .integer_params import activation_bounds, binary_table, check_types, domain, params, \
    require_zero_points, unary_table
from .registry import builtin

_EIGHT_BIT = (types.INT8, types.UINT8)
_ALL = (types.INT8, types.UINT8, types.INT16)


def checked_log2(scale):
    """LiteRT's CheckedLog2: (rounded log2 of ``scale``, whether it is a power of two)
    in float32 math."""
    log2 = np.float32(np.log(np.float32(scale))) * np.float32(1.0 / np.log(np.float32(2.0)))
    rounded = np.float32(np.trunc(log2 + np.copysign(np.float32(0.5), log2)))
    return int(rounded), bool(abs(log2 - rounded) < np.float32(1e-3))


def _specs(node, allowed):
    a, b = expect_io(node, 2)
    out = node.outputs[0]
    type_ = check_types(node, allowed, [a, b, out])
    shape = broadcast_shape(node, a.shape, b.shape)
    return type_, (a, b, out), shape


def _constant_scalar_kernel(type_, out, shape, formula, operands):
    """run(a, b) as one 256-entry lookup when one of the ``operands`` specs is a constant
    single value and the other has the output's shape (an epsilon, a scale); else None."""
    for k, spec in enumerate(operands):
        if spec.value is not None and np.size(spec.value) == 1 and \
                tuple(operands[1 - k].shape) == tuple(shape):
            c = np.int64(np.asarray(spec.value).reshape(-1)[0])
            if k == 0:
                lookup = unary_table(type_, out.dtype, lambda q: formula(c, q))
                return lambda a, b: lookup(b)
            lookup = unary_table(type_, out.dtype, lambda q: formula(q, c))
            return lambda a, b: lookup(a)
    return None


def binary_kernel(type_, out, shape, formula, operands=()):
    """The run closure: a table lookup for 8-bit types (a row of it for a constant scalar
    among the input specs ``operands``), ``formula`` on int64 otherwise."""
    if type_ in _EIGHT_BIT:
        run = _constant_scalar_kernel(type_, out, shape, formula, operands) or \
            binary_table(type_, out.dtype, formula)
    else:
        dtype = out.dtype

        def run(a, b):
            return formula(a.astype(np.int64), b.astype(np.int64)).astype(dtype)
    return (as_array(run) if shape == () else run), [shape]


def _pot_add_sub(node, specs, bounds, sign):
    """The legacy int16 path for power-of-two scales, or None when it does not apply."""
    if not options_field(node, "pot_scale_int16", True):
        return None
    logs = [checked_log2(params(node, s)[0]) for s in specs]
    if not all(pot for _, pot in logs):
        return None
    if tuple(specs[0].shape) != tuple(specs[1].shape):
        # LiteRT's reference kernel aborts the process on this combination
        raise KernelError(f"{node.op_name}: the int16 power-of-two path does not broadcast "
                          f"(shapes {list(specs[0].shape)} and {list(specs[1].shape)})")
    shift1, shift2 = logs[0][0] - logs[2][0], logs[1][0] - logs[2][0]
    if shift1 > 0 or shift2 > 0 or (shift1 and shift2):
        raise KernelError(f"{node.op_name}: int16 power-of-two scales need one input on the "
                          f"output's scale and the other on a finer one (shifts {shift1}, "
                          f"{shift2})")
    low, high = bounds

    def formula(q1, q2):
        # RoundingDivideByPOT of the shifted input, then a saturating int16 add/subtract
        q1 = rounding_divide_by_pot(q1, -shift1)
        q2 = rounding_divide_by_pot(q2, -shift2)
        return np.clip(q1 + sign * q2, low, high)
    return formula


def _add_sub(node, sign):
    type_, specs, shape = _specs(node, _ALL)
    require_zero_points(node, specs)
    (s1, zp1), (s2, zp2), (so, zpo) = (params(node, s) for s in specs)
    bounds = activation_bounds(options_field(node, "fused_activation_function", 0), so, zpo,
                               type_)
    if type_ == types.INT16:
        formula = _pot_add_sub(node, specs, bounds, sign)
        if formula is not None:
            return binary_kernel(type_, specs[2], shape, formula, specs[:2])
    left = 15 if type_ == types.INT16 else 20
    twice_max = 2.0 * max(s1, s2)
    m1, sh1 = quantize_multiplier(s1 / twice_max)
    m2, sh2 = quantize_multiplier(s2 / twice_max)
    mo, sho = quantize_multiplier(twice_max / ((1 << left) * so))
    low, high = bounds

    def rescale1(q):
        return mbqm((q - zp1) << left, m1, sh1)

    def rescale2(q):
        return sign * mbqm((q - zp2) << left, m2, sh2)

    output = Requantizer(mo, sho, zpo, low, high)
    if type_ != types.INT16:
        return binary_kernel(type_, specs[2], shape,
                             lambda q1, q2: output(rescale1(q1) + rescale2(q2)), specs[:2])
    # int16: each input's rescaling is a table over its 65536 values; they are below 2**29
    # in magnitude (a 16-bit value << 15, times at most 1/2), so the sum fits in int32
    table1, table2 = (rescale(domain(type_)).astype(np.int32) for rescale in (rescale1, rescale2))
    dtype, uint16 = specs[2].dtype, np.uint16
    take1, take2 = table1.take, table2.take        # take beats fancy indexing here

    def run(a, b):
        total, second = take1(a.view(uint16)), take2(b.view(uint16))
        if total.shape == second.shape:
            total += second
        else:                           # broadcasting
            total = total + second
        return output(total).astype(dtype)
    return (as_array(run) if shape == () else run), [shape]


@builtin("ADD", when=quantized_node)
def prepare_add(node):
    return _add_sub(node, 1)


@builtin("SUB", when=quantized_node)
def prepare_sub(node):
    return _add_sub(node, -1)


@builtin("MUL", when=quantized_node)
def prepare_mul(node):
    type_, specs, shape = _specs(node, _ALL)
    require_zero_points(node, specs)
    (s1, zp1), (s2, zp2), (so, zpo) = (params(node, s) for s in specs)
    real = np.float32(s1) * np.float32(s2) / np.float32(so)      # float32 math, as LiteRT
    m, sh = quantize_multiplier(float(real))
    low, high = activation_bounds(options_field(node, "fused_activation_function", 0), so, zpo,
                                  type_)

    finish = Requantizer(m, sh, zpo, low, high)

    def formula(q1, q2):
        return finish((q1 - zp1) * (q2 - zp2))
    return binary_kernel(type_, specs[2], shape, formula, specs[:2])


@builtin("SQUARED_DIFFERENCE", when=quantized_node)
def prepare_squared_difference(node):
    type_, specs, shape = _specs(node, (types.INT8,))
    (s1, zp1), (s2, zp2), (so, zpo) = (params(node, s) for s in specs)
    left = 7
    twice_max = 2.0 * max(s1, s2)
    m1, sh1 = quantize_multiplier(s1 / twice_max)
    m2, sh2 = quantize_multiplier(s2 / twice_max)
    mo, sho = quantize_multiplier(twice_max * twice_max / ((1 << 2 * left) * so))

    finish = Requantizer(mo, sho, zpo, -128, 127)

    def formula(q1, q2):
        d = mbqm((q1 - zp1) << left, m1, sh1) - mbqm((q2 - zp2) << left, m2, sh2)
        return finish(d * d)
    return binary_kernel(type_, specs[2], shape, formula, specs[:2])


def count_leading_sign_bits(x):
    """CountLeadingSignBits of int32 values in an int64 array (31 for 0)."""
    return count_leading_zeros32(np.where(x < 0, ~x, x)) - 1


def _reciprocal(d):
    """GetReciprocal(d, 31) of positive int32 values: (raw, bits over unit) with 1/d =
    raw * 2**(bits - 31), raw the Q0.31 1/(1+x) of d normalised to [1, 2)."""
    zeros = count_leading_zeros32(d)
    return one_over_one_plus_x((d << zeros) - (1 << 31)), 31 - zeros


def x86_rounding_divide_by_pot(x, exponent):
    """gemmlowp's RoundingDivideByPOT for int32 values and per-element exponents >= 0 as
    LiteRT's x86-64 build computes it: exponents of 32 and more are C++ undefined
    behaviour there, and the machine shifts the 64-bit mask ``(1ll << e) - 1`` by
    e mod 64 (then truncated to int32) and the int32 value by e mod 32. For e <= 31 this
    is the defined rounding division."""
    mask = ((np.int64(1) << (exponent & 63)) - 1) & 0xFFFFFFFF
    mask = np.where(mask >= 1 << 31, mask - (1 << 32), mask)         # int32 truncation
    threshold = (mask >> 1) + (x < 0)
    return (x >> (exponent & 31)) + ((x & mask) > threshold)


@builtin("DIV", when=quantized_node)
def prepare_div(node):
    """LiteRT's DivElementwise: a negative divisor flips both signs, the positive divisor's
    reciprocal comes from GetReciprocal, the dividend is shifted left by its redundant
    sign bits and multiplied by it (SaturatingRoundingDoublingHighMul), and the quotient
    is multiplied by the output multiplier and divided by 2**(headroom + bits - shift).
    That exponent reaches 32 and more for small dividends over large divisors, where the
    C++ shift is undefined; numlite follows what ai-edge-litert's x86-64 build computes
    (x86_rounding_divide_by_pot), so its results are LiteRT's, not the exact quotient."""
    type_, specs, shape = _specs(node, _ALL)
    (s1, zp1), (s2, zp2), (so, zpo) = (params(node, s) for s in specs)
    real = np.float32(s1) / (np.float32(s2) * np.float32(so))    # float32 math, as LiteRT
    m, sh = quantize_multiplier(float(real))
    low, high = activation_bounds(options_field(node, "fused_activation_function", 0), so, zpo,
                                  type_)

    def formula(q1, q2):
        n, d = q1 - zp1, q2 - zp2
        d = np.where(d == 0, 1, d)                  # zero divisors fail at run
        n, d = np.where(d < 0, -n, n), np.abs(d)
        inverse, bits = _reciprocal(d)
        headroom = count_leading_sign_bits(n)
        quotient = srdhm(n << headroom, inverse)
        r = x86_rounding_divide_by_pot(srdhm(quotient, m), headroom + bits - sh)
        return np.clip(r + zpo, low, high)
    run, shapes = binary_kernel(type_, specs[2], shape, formula, specs[:2])
    zero = specs[1].dtype.type(zp2)

    def run_checked(a, b):
        if (b == zero).any():
            raise KernelError("data[i] != zero_point was not true.")    # LiteRT's text
        return run(a, b)
    return run_checked, shapes
