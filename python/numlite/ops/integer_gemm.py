"""Helpers of the integer and hybrid matrix kernels (FULLY_CONNECTED, convolutions,
BATCH_MATMUL); no ops are registered here.

Exact integer GEMM on float BLAS
--------------------------------
An integer product ``sum_k a[m, k] * b[k, n]`` is computed as a float matmul. Every
product ``a * b`` and every partial sum is an integer whose magnitude is at most
``bound = depth * max|a| * max|b|``. A binary floating-point format with a p-bit
significand represents every integer of magnitude <= 2**p exactly, and the sum or product
of two exactly represented values whose exact result is such an integer is computed
exactly (IEEE rounding of an exactly representable result is the identity). So when
``bound <= 2**p`` no operation of the matmul rounds, whatever order or blocking BLAS
uses, and the float result is the exact integer sum: float32 (p = 24) up to 2**24,
float64 (p = 53) up to 2**53. The kernels multiply the inputs as they are (the input zero
point folded into a per-channel offset) or minus a zero point: |a| <= 128 for int8, 255
for uint8 or int8 minus a zero point, 32768 for int16; |b| <= 128 for int8 weights, 255
for uint8 weights minus their zero point. int8 x int8 stays exact in float32 up to a depth
of 1024 (3x3 convolutions over 113 channels, every depthwise window) and in float64 up to
5e11; int16 x int8 in float64 up to 2e9. ``gemm_dtype`` picks the narrowest exact type for
a bound, checked at prepare; beyond 2**53 the kernels fall back to int64 arithmetic
(numpy's matmul, exact but slow). The exact sums are then kept as int32 when the bound
(offsets, i.e. biases and zero-point terms, included) is below 2**31, as LiteRT keeps them
(and the fixed-point requantization takes int32 without a conversion), else as float64 or
int64 (accumulator_type).

Requantization
--------------
``fixed_point_requantizer``: LiteRT's MultiplyByQuantizedMultiplier per output channel
(reference §5.2, the conv kernels); ``float_requantizer``: ``int32(round(double(acc) *
double(s_in) * double(s_w) / double(s_out)))`` (§5.6, the reference FULLY_CONNECTED
kernels). Both add the output zero point and clamp to the fused activation's range
(§5.3).
"""

import numpy as np

from ..model import types
from .activations import ACT_NONE
from .common import KernelError, clip_ufunc, is_quantized, options_field, type_name
from .fixedpoint import (FloatRequantizer, Requantizer,
                         multiply_by_quantized_multiplier_int64, quantize_multiplier)
from .integer_params import LIMITS, activation_bounds

_EXACT_FLOAT32 = 2 ** 24
_EXACT_FLOAT64 = 2 ** 53


def gemm_dtype(bound):
    """The narrowest dtype whose matmul sums integers of magnitude <= ``bound`` exactly
    (see the module docstring), int64 beyond float64's 2**53."""
    if bound <= _EXACT_FLOAT32:
        return np.dtype(np.float32)
    if bound <= _EXACT_FLOAT64:
        return np.dtype(np.float64)
    return np.dtype(np.int64)


def magnitude(spec, zero_point=0):
    """The largest |q - zero_point| a tensor of ``spec``'s type can hold (its constant value's
    largest when it has one)."""
    if spec.value is not None:
        value = np.asarray(spec.value, np.int64)
        return int(np.abs(value - zero_point).max()) if value.size else 0
    low, high = LIMITS.get(spec.type, (-2 ** 31, 2 ** 31 - 1))
    return max(abs(low - zero_point), abs(high - zero_point))


# ---- quantization parameters -----------------------------------------------------------------

def scales_of(node, spec, what):
    """float32 scales of a quantized tensor (a KernelError if it has none)."""
    if not is_quantized(spec):
        raise KernelError(f"{node.op_name}: {what} tensor ({type_name(spec)}) has no "
                          "quantization parameters")
    return np.asarray(spec.quantization.scales, np.float32).reshape(-1)


def zero_point_of(spec):
    """The (first) zero point of a quantized tensor, 0 when none is stored."""
    zps = spec.quantization.zero_points if spec.quantization is not None else None
    return 0 if zps is None or np.size(zps) == 0 else int(np.asarray(zps).reshape(-1)[0])


def channel_scales(node, spec, channels, axis, what="filter"):
    """``channels`` float32 filter scales: per-channel along ``axis`` or one broadcast
    (LiteRT's PopulateConvolutionQuantizationParams)."""
    scales = scales_of(node, spec, what)
    if scales.size == 1:
        return np.repeat(scales, channels)
    q = spec.quantization
    if q.quantized_dimension != axis:
        raise KernelError(f"{node.op_name}: per-channel {what} must be quantized along "
                          f"dimension {axis}, not {q.quantized_dimension}")
    if scales.size != channels:
        raise KernelError(f"{node.op_name}: {what} has {scales.size} scales for {channels} "
                          "channels")
    return scales


#: the largest double below 0.5: trunc(v + copysign(_PRED_HALF, v)) is std::round(v)
_PRED_HALF = np.nextafter(0.5, 0.0)


def activation_limits(node, out):
    """[low, high] of the fused activation on a quantized output (reference §5.3)."""
    return activation_bounds(options_field(node, "fused_activation_function", ACT_NONE),
                             scales_of(node, out, "output")[0], zero_point_of(out), out.type)


# ---- requantization --------------------------------------------------------------------------

def float_requantizer(effective, out_zp, low, high, dtype, offset):
    """``requant(g)`` for raw exact GEMM sums ``g`` (channels last; ExactGemm.product)
    without their per-channel ``offset``: clamp(int32(round(double(g + offset) *
    effective)) + zp, low, high) as ``dtype``, one ``effective`` scale per channel. The sum
    g + offset is exact in float64 (ExactGemm keeps it below 2**53). Clamping the rounded
    value to [low - zp, high - zp] before adding zp is the same: integers, no overflow;
    a value beyond int32 clamps there as its int32 saturation would. Rounding half away
    from zero is trunc(v + copysign(0.5-, v)); the result is written to ``dtype`` directly
    (exact: an integer in range)."""
    effective = np.asarray(effective, np.float64)
    offset = np.asarray(offset, np.float64)
    lo, hi = float(low - out_zp), float(high - out_zp)
    zp, dtype = float(out_zp), np.dtype(dtype)

    def requant(g):
        v = np.add(g, offset, dtype=np.float64)
        v *= effective
        v += np.copysign(_PRED_HALF, v)
        np.trunc(v, out=v)
        clip_ufunc(v, lo, hi, out=v)
        return np.add(v, zp, out=np.empty(v.shape, dtype), casting="unsafe")
    return requant


def quantized_multipliers(effective):
    """(multipliers, shifts) int64 arrays of QuantizeMultiplier over ``effective`` scales."""
    pairs = [quantize_multiplier(float(e)) for e in np.asarray(effective, np.float64)]
    return (np.array([m for m, _ in pairs], np.int64), np.array([s for _, s in pairs], np.int64))


def fixed_point_requantizer(effective, out_zp, low, high, dtype, wide=False, offset=None,
                            bound=None):
    """``requant(acc)`` for exact integer accumulators (float or int64 arrays, channels
    last): MultiplyByQuantizedMultiplier(acc, QuantizeMultiplier(effective[c])) + zp,
    clamped to [low, high], as ``dtype``; ``wide``: the int64-accumulator form of the 16x8
    kernels. With ``offset`` (per channel) the accumulators come without it (raw GEMM
    results of magnitude <= ``bound``) and ``requant`` adds it: in float64 when
    FloatRequantizer.fits, else in int64."""
    multipliers, shifts = quantized_multipliers(effective)
    if not wide and offset is not None and FloatRequantizer.fits(multipliers, shifts, offset,
                                                                 out_zp, bound, dtype):
        return FloatRequantizer(multipliers, shifts, offset, out_zp, low, high, dtype)
    if np.all(multipliers == multipliers[:1]) and np.all(shifts == shifts[:1]):
        multipliers, shifts = int(multipliers[0]), int(shifts[0])   # scalar: cheaper
    finish = Requantizer(multipliers, shifts, out_zp, low, high,
                         multiply_by_quantized_multiplier_int64 if wide else None)
    if offset is not None:
        offset = np.asarray(offset, np.int64)

        def requant_offset(acc):
            return finish(acc.astype(np.int64) + offset).astype(dtype)
        return requant_offset

    def requant(acc):
        return finish(acc if acc.dtype == np.int32 else acc.astype(np.int64)).astype(dtype)
    return requant


def int16_bias_type(node):
    """The bias type LiteRT reads for an int16 FULLY_CONNECTED / CONV_2D / TRANSPOSE_CONV:
    the one the options' quantized_bias_type names, int64 unless it says INT32."""
    return types.INT32 if options_field(node, "quantized_bias_type", 0) == types.INT32 \
        else types.INT64


def effective_scales(input_scale, filter_scales, output_scale):
    """double(s_in) * double(s_w[c]) / double(s_out), LiteRT's per-channel evaluation order."""
    return (np.float64(input_scale) * np.asarray(filter_scales, np.float64)
            / np.float64(output_scale))


def constant_of(node, spec, what):
    """A constant input's value; integer kernels need constant weights and biases."""
    if spec.value is None:
        raise KernelError(f"{node.op_name}: the quantized kernel needs a constant {what} "
                          "tensor")
    return np.asarray(spec.value)


def check_bias(node, bias, channels, allowed):
    """The constant bias as int64 [channels] (zeros when absent), type in ``allowed``."""
    if bias is None:
        return np.zeros(channels, np.int64)
    if bias.type not in allowed:
        raise KernelError(f"{node.op_name}: bias type {type_name(bias)} is not supported "
                          f"here ({' or '.join(types.type_name(t) for t in allowed)})")
    value = constant_of(node, bias, "bias").astype(np.int64).reshape(-1)
    if value.size != channels:
        raise KernelError(f"{node.op_name}: bias has {value.size} elements, expected "
                          f"{channels}")
    return value


class ExactGemm:
    """``gemm(columns)`` = ``columns @ weights + offset`` computed exactly.

    ``weights`` is the constant integer [..., K, N] matrix (zero point already subtracted;
    leading dimensions batch the matmul), ``offset`` an integer array broadcasting against
    the result (bias, folded zero-point terms; all zeros: not added), ``input_magnitude``
    the largest |value| the columns can hold. ``dtype`` is the type the caller must give
    the columns in (see the module docstring: the bound is checked here, once). ``bound``
    is the largest |result|, ``acc_type`` the result's type (accumulator_type(bound)).
    """

    def __init__(self, weights, offset, input_magnitude):
        weights = np.asarray(weights, np.int64)
        offset = np.asarray(offset, np.int64)
        depth = weights.shape[-2]
        w_max = int(np.abs(weights).max()) if weights.size else 0
        product_bound = depth * int(input_magnitude) * w_max
        self.bound = product_bound + (int(np.abs(offset).max()) if offset.size else 0)
        self.acc_type = accumulator_type(self.bound)
        self.dtype = np.dtype(np.int64) if self.acc_type == np.int64 else \
            gemm_dtype(product_bound)
        self.weights = np.ascontiguousarray(weights.astype(self.dtype))
        self.offset = offset.astype(self.acc_type) if offset.any() else None

    def product(self, columns):
        """``columns @ weights`` in ``dtype``, without the offset (exact integers)."""
        return np.matmul(columns, self.weights)

    def __call__(self, columns):
        r = np.matmul(columns, self.weights)
        if r.dtype != self.acc_type:
            r = r.astype(self.acc_type)            # exact: integer values within range
        if self.offset is not None:
            r += self.offset
        return r


def accumulator_type(bound):
    """The type exact integer accumulators up to ``bound`` are kept in: int32 (what LiteRT
    uses, and what the fixed-point requantization takes without a conversion) up to
    2**31 - 1, then float64 up to 2**53, then int64."""
    if bound < 2 ** 31:
        return np.dtype(np.int32)
    return np.dtype(np.float64) if bound <= _EXACT_FLOAT64 else np.dtype(np.int64)
