"""RSQRT, SQRT, EXP, LOG, ABS and NEG on quantized int8/int16 tensors, as LiteRT computes
them.

EXP, LOG: LiteRT's table of the float32 function (integer_params.float_function_table);
int16 (zero points 0): its 513-entry interpolated table over the int16 range
(integer_params.int16_table), LOG sampled as the output's lowest value at and below 0.
int16 RSQRT is the same kind of table of 1.0f / sqrtf(v), sampled as 32767 steps at and
below 0.
ABS: zp_out + MBQM(|q - zp_in|, QuantizeMultiplier(float32(s_in / s_out))), clamped.
SQRT: zp_out + int(sqrtf(s_in * (q - zp_in)) / s_out) in float32, truncated toward zero
(not rounded), clamped; a value below the input zero point fails at invoke (RSQRT too).
NEG: LiteRT negates the raw integers (wrapping) whatever the quantization: the plain kernel.
RSQRT (int8): for v = q - zp_in > 0,
1/sqrt(v) as a fixed-point multiplier and shift (GetInvSqrtQuantizedMultiplierExp: v
normalised to [2**27, 2**29) by pairs of bits, five Newton-Raphson steps in Q3.28, times
sqrt(2)/2) applied to 1 << 20, then rescaled by 1 / (sqrt(s_in) s_out) (QuantizeMultiplier)
and 2**-20, plus zp_out, clamped; v = 0 gives the type's maximum. A value below the input
zero point fails at invoke, as in LiteRT. ABS and RSQRT are tables over the input domain.
"""

import math

import numpy as np

from ..model import types
from .common import KernelError, quantized_node
from .fixedpoint import quantize_multiplier, requantize, srdhm
from .gemmlowp import inv_sqrt_multiplier
from .integer_data import plain_node
from .integer_params import LIMITS, float32_ratio, float_function_table, int16_table_formula, \
    table_kernel, unary_specs
from .registry import builtin
from .unary import _prepare_unary

_SHIFT = 20


#: the quantized types these kernels take
_TYPES = (types.INT8, types.INT16)


def _root_kernel(x, out, type_, formula, zp_in, message):
    """table_kernel of ``formula`` that fails at invoke, with LiteRT's ``message``, on a
    value below the input zero point (a negative real value)."""
    def check(a):
        if a.size and a.min() < zp_in:
            raise KernelError(message)
    return table_kernel(x, out, type_, formula, check)


_RSQRT_MESSAGE = "Rsqrt is only defined for positive values"


@builtin("RSQRT", when=quantized_node)
def prepare_rsqrt(node):
    type_, (s_in, zp_in), (s_out, zp_out), x, out = unary_specs(node, _TYPES)
    if type_ == types.INT16:
        top = float(np.float32(32767) * np.float32(s_out))

        def inverse_root(v):
            """1.0f / sqrtf(v); at or below 0 the table's top, as LiteRT samples it."""
            with np.errstate(divide="ignore", invalid="ignore"):
                root = np.sqrt(v).astype(np.float32)
                return np.where(v <= 0, top, np.float32(1) / root)
        return _root_kernel(x, out, type_, int16_table_formula(inverse_root, s_in, s_out),
                            zp_in, _RSQRT_MESSAGE)
    m, shift = quantize_multiplier(1.0 / (math.sqrt(s_in) * s_out))
    low, high = LIMITS[type_]

    def formula(q):
        v = q - zp_in
        inv, inv_shift = inv_sqrt_multiplier(v)
        data = srdhm(np.left_shift(1, inv_shift + _SHIFT), inv)    # MBQM(1, inv, shift + 20)
        r = requantize(data, m, shift - _SHIFT, zp_out, low, high)
        return np.where(v == 0, high, r)
    return _root_kernel(x, out, type_, formula, zp_in, _RSQRT_MESSAGE)


@builtin("SQRT", when=quantized_node)
def prepare_sqrt(node):
    type_, (s_in, zp_in), (s_out, zp_out), x, out = unary_specs(node, _TYPES)
    low, high = LIMITS[type_]
    f32 = np.float32

    @np.errstate(invalid="ignore")          # values below zp_in never reach the table
    def formula(q):
        real = np.sqrt(f32(s_in) * (q - zp_in).astype(f32))
        return np.clip(np.trunc(real / f32(s_out)) + zp_out, low, high).astype(np.int64)
    return _root_kernel(x, out, type_, formula, zp_in, "Sqrt is only defined for "
                        "non-negative values")


@builtin("ABS", when=quantized_node)
def prepare_abs(node):
    type_, (s_in, zp_in), (s_out, zp_out), x, out = unary_specs(node, _TYPES)
    m, shift = quantize_multiplier(float32_ratio(s_in, s_out))
    low, high = LIMITS[type_]

    def formula(q):
        return requantize(np.abs(q - zp_in), m, shift, zp_out, low, high)
    return table_kernel(x, out, type_, formula)


@builtin("NEG", when=quantized_node)
def prepare_neg(node):
    return _prepare_unary(plain_node(node))


@builtin("EXP", "LOG", when=quantized_node)
def prepare_exp_log(node):
    type_, (s_in, zp_in), (s_out, zp_out), x, out = unary_specs(node, _TYPES)
    if type_ != types.INT16:
        return table_kernel(x, out, type_, float_function_table(
            type_, s_in, zp_in, s_out, zp_out, np.exp if node.op_name == "EXP" else np.log))
    if node.op_name == "EXP":
        function = np.exp
    else:
        bottom = float(np.float32(-32768) * np.float32(s_out))

        def function(v):
            """log, and the output's lowest value at or below 0 (LiteRT's sampling)"""
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.where(v <= 0, bottom, np.log(v))
    return table_kernel(x, out, type_, int16_table_formula(function, s_in, s_out))
