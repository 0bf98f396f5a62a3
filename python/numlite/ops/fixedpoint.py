"""LiteRT's fixed-point requantization (reference §5.1, §5.2), vectorised over int64 arrays.

Every integer kernel requantizes through these two functions so that rounding, saturation
and C++'s truncating division are written once.
"""

import math

import numpy as np

_INT32_MIN = -2 ** 31


def quantize_multiplier(real):
    """LiteRT's QuantizeMultiplier: real ~= m * 2**(shift - 31) with m a Q31 int."""
    if real == 0.0:
        return 0, 0
    q, shift = math.frexp(real)
    q_fixed = int(math.floor(abs(q) * (1 << 31) + 0.5))   # round half away from zero
    q_fixed = q_fixed if q >= 0 else -q_fixed
    if q_fixed == 1 << 31:
        q_fixed //= 2
        shift += 1
    if shift < -31:
        shift, q_fixed = 0, 0
    return q_fixed, shift


def multiply_by_quantized_multiplier(x, multiplier, shift):
    """Double-rounding MultiplyByQuantizedMultiplier on an int64 array of int32 values.

    ``multiplier`` and ``shift`` are ints, or int64 arrays broadcasting against ``x``
    (one per channel)."""
    left, right = np.maximum(shift, 0), np.maximum(np.negative(shift), 0)
    a = (x << left).astype(np.int32).astype(np.int64)     # int32 wrap, as in C++
    # SaturatingRoundingDoublingHighMul(a, multiplier)
    ab = a * multiplier
    ab += np.where(ab >= 0, 1 << 30, 1 - (1 << 30))
    high = np.where(ab >= 0, ab >> 31, -((-ab) >> 31))      # C++ division truncates
    saturated = (a == _INT32_MIN) & (np.asarray(multiplier) == _INT32_MIN)
    if saturated.any():
        high = np.where(saturated, 2 ** 31 - 1, high)
    # RoundingDivideByPOT(high, right); right == 0 leaves high unchanged (mask 0)
    mask = (np.int64(1) << right) - 1
    threshold = (mask >> 1) + (high < 0)
    return (high >> right) + ((high & mask) > threshold)


def multiply_by_quantized_multiplier_int64(x, multiplier, shift):
    """MultiplyByQuantizedMultiplier for int64 accumulators (the 16x8 kernels, reference
    §5.2): the Q31 multiplier rounded to 16 bits, one rounding shift. ``multiplier`` and
    ``shift`` as in multiply_by_quantized_multiplier; the result wraps to int32 as in C++."""
    m = np.asarray(multiplier, np.int64)
    reduced = np.where(m < 0x7FFF0000, (m + (1 << 15)) >> 16, 0x7FFF)
    total = 15 - np.asarray(shift, np.int64)
    r = (x * reduced + (np.int64(1) << (total - 1))) >> total
    return r.astype(np.int32).astype(np.int64)
