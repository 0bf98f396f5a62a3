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
    """Double-rounding MultiplyByQuantizedMultiplier on an int64 (or int32) array of int32
    values; returns int64.

    ``multiplier`` and ``shift`` are ints, or int64 arrays broadcasting against ``x``
    (one per channel). Both roundings reduce to shifts:

    * SaturatingRoundingDoublingHighMul(a, m) = trunc((a*m + nudge) / 2**31) with nudge
      2**30 for a*m >= 0 and 1 - 2**30 below is floor((a*m + 2**30) / 2**31) for either
      sign (write a*m = -(k * 2**31 + r), 0 <= r < 2**31: both give -k - [r > 2**30]);
      the one saturating case is a == m == INT32_MIN;
    * RoundingDivideByPOT(v, e) rounds v / 2**e half away from zero:
      floor((v + 2**(e-1) - [v < 0]) / 2**e) for e > 0, v itself for e == 0.
    """
    left, right = np.maximum(shift, 0), np.maximum(np.negative(shift), 0)
    multiplier = np.asarray(multiplier, np.int64)
    if x.dtype == np.int32 and not np.any(left):
        a = x                                              # already int32 values
    else:
        a = (x << left).astype(np.int32)                   # int32 wrap, as in C++
    high = a * multiplier                                  # int64
    high += 1 << 30
    high >>= 31
    if np.any(multiplier == _INT32_MIN):
        high = np.where((a == _INT32_MIN) & (multiplier == _INT32_MIN), 2 ** 31 - 1, high)
    if not np.any(right):
        return high
    if np.all(right > 0):
        high -= high < 0
        high += (np.int64(1) << right) >> 1
    else:
        high += ((np.int64(1) << right) >> 1) - ((high < 0) & (right > 0))
    high >>= right
    return high


def multiply_by_quantized_multiplier_int64(x, multiplier, shift):
    """MultiplyByQuantizedMultiplier for int64 accumulators (the 16x8 kernels, reference
    §5.2): the Q31 multiplier rounded to 16 bits, one rounding shift. ``multiplier`` and
    ``shift`` as in multiply_by_quantized_multiplier; the result wraps to int32 as in C++."""
    m = np.asarray(multiplier, np.int64)
    reduced = np.where(m < 0x7FFF0000, (m + (1 << 15)) >> 16, 0x7FFF)
    total = 15 - np.asarray(shift, np.int64)
    r = (x * reduced + (np.int64(1) << (total - 1))) >> total
    return r.astype(np.int32).astype(np.int64)
