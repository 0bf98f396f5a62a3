"""Quantized activations: LOGISTIC, TANH, GELU, HARD_SWISH, RELU, RELU6, RELU_N1_TO_1,
RELU_0_TO_1, LEAKY_RELU, PRELU (int8/uint8, and int16 where LiteRT has it right).

Every one of them maps one input value to one output value, so each is a table over the
input type's whole domain (256 or 65536 entries) built at prepare from LiteRT's integer
formula, and runs as one lookup:
* 8-bit LOGISTIC, TANH, GELU: LiteRT's own table of the float32 function
  (``LUTPopulate``): round(f(s_in * (q - zp_in)) * (1 / s_out)) + zp_out, clamped.
* int16 GELU: LiteRT's 513-entry int16 table of the function over the input's range
  (LUTPopulateInt16, float32 arithmetic), linearly interpolated.
* int16 LOGISTIC, TANH: LiteRT's fixed-point interpolation in a 256-entry table of
  sigmoid(i / 24) in 0.16 format (tanh(x) = 2 sigmoid(2x) - 1), after rescaling the input
  to 1/4096 (power-of-two scales) or 1/(3 * 4096) (other scales).
* HARD_SWISH: gemmlowp 16-bit fixed point (reference_ops::HardSwish).
* RELU family, LEAKY_RELU: zp_out + MBQM(q - zp_in, QuantizeMultiplier(float32 ratio of
  scales)) per sign, clamped.
"""

import math

import numpy as np

from ..model import types
from .arithmetic import broadcast_shape
from .common import KernelError, expect_io, options_field, quantized_node
from .fixedpoint import multiply_by_quantized_multiplier as mbqm, quantize_multiplier, \
    requantize, rounding_divide_by_pot, srdhm
from .gemmlowp import saturating_shift_left
from .integer_arithmetic import binary_kernel, checked_log2
from .integer_params import LIMITS, check_types, clamp_bounds, float32_ratio, \
    float_function_table, int16_table_formula, params, table_kernel, unary_specs
from .registry import builtin

_EIGHT_BIT = (types.INT8, types.UINT8)
_ALL = (types.INT8, types.UINT8, types.INT16)


# ---- float functions of the 8-bit tables ------------------------------------------------------

def _sigmoid(x):
    return (1.0 / (1.0 + np.exp(-x).astype(np.float32).astype(np.float64)))


def _gelu(x):
    return 0.5 * x * np.vectorize(math.erfc)(x * -math.sqrt(0.5))


def _gelu_approximate(x):
    return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


# ---- int16 LOGISTIC / TANH ---------------------------------------------------------------------

#: LiteRT's table of sigmoid(i / 24), i = 0..255, in unsigned 0.16 fixed point: the
#: rounded value, one more at the entries below (measured against LiteRT's outputs)
_SIGMOID_TABLE = np.minimum(np.round(65536.0 / (1.0 + np.exp(-np.arange(256) / 24.0))),
                            65535).astype(np.int64)
_SIGMOID_TABLE[[4, 8, 12, 14, 15, 16, 17, 19, 20, 21, 22, 25, 27, 28, 29, 30, 31, 33, 34, 35,
                37, 39, 40, 41, 43, 44, 45, 46, 49, 50, 54, 62, 63, 64, 66, 82, 86, 93, 100,
                103, 112, 116, 135, 255]] += 1


def _int16_input_scaling(node, s_in, s_out):
    """(multiplier, left shift) taking int16 input to the tables' 1/4096 scale (3 x that
    for non power-of-two scales, which the table's [-10.7, 10.7] range needs)."""
    log2, pot = checked_log2(s_in)
    left = 12 + log2
    if pot and left in (0, 1):
        multiplier, left = 3 << left, 0
    else:
        real = s_in * 4096.0 * 3.0
        left = 0
        while real <= 32767.0 / 2.0 and left <= 30:
            left += 1
            real *= 2.0
        multiplier = int(real)
    out_log2, out_pot = checked_log2(s_out)
    if not out_pot or out_log2 != -15:
        raise KernelError(f"{node.op_name}: int16 output scale must be 1/32768 (got {s_out})")
    return multiplier, left


def _rescaled_int16(q, multiplier, left):
    rounding = (1 << (left - 1)) if left > 0 else 0
    return (q * multiplier + rounding) >> left


def _int16_sigmoid_formula(multiplier, left, logistic):
    """LiteRT's int16 LOGISTIC/TANH: the rescaled |x| indexes the table (9 fraction bits
    for sigmoid(x), 8 for tanh(x) = 2 sigmoid(2x) - 1), interpolated linearly, saturated
    past the end, mirrored for negative x and rounded back to Q0.15."""
    bits, saturated = (9, 0x7FFF << 10) if logistic else (8, 0xFFFF << 8)
    if logistic:
        positive, negative, final = 1 << 9, (1 << 25) + (1 << 9) - 1, 10
    else:
        positive, negative, final = (1 << 7) - (1 << 23), (1 << 23) + (1 << 7) - 1, 8

    def formula(q):
        x = _rescaled_int16(q, multiplier, left)
        ax = np.abs(x)
        uh = np.minimum(ax >> bits, 254)
        ua, ub = _SIGMOID_TABLE[uh], _SIGMOID_TABLE[uh + 1]
        r = np.where(ax >> bits >= 255, saturated,
                     (ua << bits) + (ax & ((1 << bits) - 1)) * (ub - ua))
        return np.where(x >= 0, r + positive, negative - r) >> final
    return formula


@builtin("LOGISTIC", "TANH", when=quantized_node)
def prepare_logistic_tanh(node):
    type_, (s_in, zp_in), (s_out, zp_out), x, out = unary_specs(node, _ALL)
    is_logistic = node.op_name == "LOGISTIC"
    if type_ == types.INT16:
        formula = _int16_sigmoid_formula(*_int16_input_scaling(node, s_in, s_out), is_logistic)
    else:
        if is_logistic and s_out != 1.0 / 256:
            raise KernelError(f"LOGISTIC: 8-bit output scale must be 1/256 (got {s_out})")
        formula = float_function_table(type_, s_in, zp_in, s_out, zp_out,
                                       _sigmoid if is_logistic else np.tanh)
    return table_kernel(x, out, type_, formula)


@builtin("GELU", when=quantized_node)
def prepare_gelu(node):
    type_, (s_in, zp_in), (s_out, zp_out), x, out = unary_specs(node, _ALL)
    function = _gelu_approximate if options_field(node, "approximate", False) else _gelu
    if type_ != types.INT16:
        formula = float_function_table(type_, s_in, zp_in, s_out, zp_out, function)
    else:
        formula = int16_table_formula(function, s_in, s_out)
    return table_kernel(x, out, type_, formula)


# ---- HARD_SWISH --------------------------------------------------------------------------------

def _int16_multiplier(real):
    """QuantizeMultiplier rounded to a Q15 multiplier (DownScaleInt32ToInt16Multiplier)."""
    m, exponent = quantize_multiplier(real)
    m16 = 32767 if m >= 2 ** 31 - 1 - (1 << 15) else (m + (1 << 15)) >> 16
    return m16, exponent


def _wrap16(x):
    return x.astype(np.int16).astype(np.int64)


@builtin("HARD_SWISH", when=quantized_node)
def prepare_hard_swish(node):
    type_, (s_in, zp_in), (s_out, zp_out), x, out = unary_specs(node, _EIGHT_BIT)
    hires = np.float32(1.0 / 128.0) * np.float32(s_in)
    out_m, out_exp = _int16_multiplier(float(hires / np.float32(s_out)))
    relu_m, relu_exp = _int16_multiplier(float(hires / np.float32(3.0 / 32768.0)))
    if out_exp > 0:
        raise KernelError(f"HARD_SWISH: output scale {s_out} is too small for input scale "
                          f"{s_in}")
    low, high = LIMITS[type_]

    def formula(q):
        v = (q - zp_in) * 128
        preshift = srdhm(v, out_m, 16)
        r = v
        if relu_exp > 0:
            r = saturating_shift_left(r, relu_exp - 1, 16)
        r = srdhm(r, relu_m, 16)
        if relu_exp > 0:
            r = saturating_shift_left(r, 1, 16)
        r = rounding_divide_by_pot(r, -relu_exp)
        r = (r + (1 << 15)) >> 1
        product = r * preshift                  # SaturatingDoublingHighMul, truncating
        product = np.where(product >= 0, product >> 15, -((-product) >> 15))
        return np.clip(_wrap16(rounding_divide_by_pot(product, -out_exp) + zp_out), low, high)
    return table_kernel(x, out, type_, formula)


# ---- RELU family and LEAKY_RELU -------------------------------------------------------------

def _relu_op(low_real, high_real, allowed=_ALL):
    def prepare(node):
        type_, (s_in, zp_in), (s_out, zp_out), x, out = unary_specs(node, allowed)
        m, shift = quantize_multiplier(float32_ratio(s_in, s_out))
        low, high = clamp_bounds(low_real, high_real, s_out, zp_out, type_)

        def formula(q):
            return requantize(q - zp_in, m, shift, zp_out, low, high)
        return table_kernel(x, out, type_, formula)
    return prepare


builtin("RELU", when=quantized_node)(_relu_op(0.0, None))
builtin("RELU6", when=quantized_node)(_relu_op(0.0, 6.0))
builtin("RELU_N1_TO_1", when=quantized_node)(_relu_op(-1.0, 1.0, _EIGHT_BIT))
builtin("RELU_0_TO_1", when=quantized_node)(_relu_op(0.0, 1.0, _EIGHT_BIT))


@builtin("LEAKY_RELU", when=quantized_node)
def prepare_leaky_relu(node):
    type_, (s_in, zp_in), (s_out, zp_out), x, out = unary_specs(node, _ALL)
    alpha = np.float32(options_field(node, "alpha", 0.0))
    m_id, sh_id = quantize_multiplier(float32_ratio(s_in, s_out))
    m_alpha, sh_alpha = quantize_multiplier(float(np.float32(s_in) * alpha / np.float32(s_out)))
    low, high = LIMITS[type_]

    def formula(q):
        v = q - zp_in
        r = np.where(v >= 0, mbqm(v, m_id, sh_id), mbqm(v, m_alpha, sh_alpha))
        return np.clip(r + zp_out, low, high)
    return table_kernel(x, out, type_, formula)


@builtin("PRELU", when=quantized_node)
def prepare_prelu(node):
    x, alpha = expect_io(node, 2)
    out = node.outputs[0]
    # not int16: LiteRT's int16 PRELU reads the alpha tensor's bytes as int8 values
    type_ = check_types(node, _EIGHT_BIT, [x, alpha, out])
    (s_in, zp_in), (s_alpha, zp_alpha) = params(node, x), params(node, alpha, "alpha")
    s_out, zp_out = params(node, out, "output")
    shape = broadcast_shape(node, x.shape, alpha.shape)
    m1, sh1 = quantize_multiplier(float32_ratio(s_in, s_out))
    m2, sh2 = quantize_multiplier(float(np.float32(s_in) * np.float32(s_alpha)
                                        / np.float32(s_out)))
    low, high = LIMITS[type_]

    def formula(q, a):
        v = q - zp_in
        negative = mbqm(v * (a - zp_alpha), m2, sh2)
        r = np.where(v >= 0, mbqm(np.broadcast_to(v, negative.shape), m1, sh1), negative)
        return np.clip(r + zp_out, low, high)
    return binary_kernel(type_, out, shape, formula)
