"""LiteRT's fixed-point requantization (reference §5.1, §5.2), vectorised over int64 arrays:
QuantizeMultiplier, SaturatingRoundingDoublingHighMul, RoundingDivideByPOT and their fusion
MultiplyByQuantizedMultiplier.

Every integer kernel requantizes through these functions so that rounding, saturation and
C++'s truncating division are written once.
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


def srdhm(a, b, bits=32):
    """SaturatingRoundingDoublingHighMul of ``bits``-bit raws. The C++ form truncates
    (ab + nudge) / 2**(bits-1) with nudge 2**(bits-2) for ab >= 0 and 1 - 2**(bits-2)
    below; for ab < 0 that is ceil((ab + 1 - 2**(bits-2)) / 2**(bits-1)) =
    floor((ab + 2**(bits-2)) / 2**(bits-1)), so one arithmetic shift serves both signs.
    The one saturating case is a == b == the most negative value."""
    low = -(1 << (bits - 1))
    high = (np.multiply(a, b, dtype=np.int64) + (1 << (bits - 2))) >> (bits - 1)
    overflow = (a == low) & (b == low)
    return np.where(overflow, -low - 1, high) if np.any(overflow) else high


def rounding_divide_by_pot(x, exponent):
    """RoundingDivideByPOT: x / 2**exponent rounded half away from zero (int exponent)."""
    if exponent <= 0:
        return x
    mask = (1 << exponent) - 1
    return (x >> exponent) + ((x & mask) > (mask >> 1) + (x < 0))


def rounding_divide_by_pot_each(x, exponent):
    """RoundingDivideByPOT with per-element exponents >= 0 (arrays)."""
    mask = (np.int64(1) << exponent) - 1
    return (x >> exponent) + ((x & mask) > (mask >> 1) + (x < 0))


def multiply_by_quantized_multiplier(x, multiplier, shift):
    """Double-rounding MultiplyByQuantizedMultiplier on an int64 (or int32) array of int32
    values; returns a new int64 array (callers may finish in place). ``multiplier`` and
    ``shift`` are ints, or int64 arrays broadcasting against ``x`` (one per channel).

    It is rounding_divide_by_pot(srdhm(a, m), r) with a = x << max(shift, 0) wrapped to
    int32 and r = max(-shift, 0), fused into one multiply, one add and two shifts: with
    p = a*m, srdhm is floor((p + 2**30) / 2**31) (see srdhm), RoundingDivideByPOT is
    floor((v + 2**(r-1) - [v < 0]) / 2**r), and floor((floor(y / A) + c) / B) =
    floor((y + c A) / (A B)) for integer c, so the result is
    floor((p + 2**30 + (2**(r-1) - [p < -2**30]) 2**31) / 2**(31+r)) (v < 0 iff
    p < -2**30). The saturating a == m == INT32_MIN case is p = 2**62 - 2**31, which the
    same formula maps to srdhm's INT32_MAX. |p| <= 2**62 and r <= 31 (LiteRT's bound on
    RoundingDivideByPOT) keep it in int64.
    """
    left, right = np.maximum(shift, 0), np.maximum(np.negative(shift), 0)
    multiplier = np.asarray(multiplier, np.int64)
    if x.dtype == np.int32 and not np.any(left):
        a = x                                              # already int32 values
    else:
        a = (x << left).astype(np.int32)                   # int32 wrap, as in C++
    p = a * multiplier                                     # int64
    if np.any(multiplier == _INT32_MIN):
        p -= ((a == _INT32_MIN) & (multiplier == _INT32_MIN)) * np.int64(1 << 31)
    if not np.any(right):
        p += 1 << 30
        p >>= 31
        return p
    negative = p < -(1 << 30)
    if not np.all(right > 0):
        negative &= right > 0
    p += (((np.int64(1) << right) >> 1) << 31) + (1 << 30)   # 2**(r-1) 2**31 + 2**30
    p >>= 31
    p -= negative
    p >>= right
    return p


def requantize(x, multiplier, shift, zp, low, high, multiply=None):
    """clamp(zp + MultiplyByQuantizedMultiplier(x, multiplier, shift), low, high), the
    integer kernels' output step, finished in place on MBQM's new array (0-d for a
    numpy scalar). ``multiply``: another MBQM form (multiply_by_quantized_multiplier_int64)."""
    r = np.asarray((multiply or multiply_by_quantized_multiplier)(x, multiplier, shift))
    r += zp
    return np.clip(r, low, high, out=r)


def multiply_by_quantized_multiplier_int64(x, multiplier, shift):
    """MultiplyByQuantizedMultiplier for int64 accumulators (the 16x8 kernels, reference
    §5.2): the Q31 multiplier rounded to 16 bits, one rounding shift. ``multiplier`` and
    ``shift`` as in multiply_by_quantized_multiplier; the result wraps to int32 as in C++."""
    m = np.asarray(multiplier, np.int64)
    reduced = np.where(m < 0x7FFF0000, (m + (1 << 15)) >> 16, 0x7FFF)
    total = 15 - np.asarray(shift, np.int64)
    r = (x * reduced + (np.int64(1) << (total - 1))) >> total
    return r.astype(np.int32).astype(np.int64)
