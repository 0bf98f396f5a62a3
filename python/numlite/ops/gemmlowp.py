"""gemmlowp's fixed-point arithmetic (which LiteRT's integer kernels use), vectorised over
int64 arrays holding int32 (or int16) raw values. No ops registered here.

A FixedPoint<int32, I> value is raw / 2**(31 - I). Multiplying two of them is
SaturatingRoundingDoublingHighMul of the raws; adding is adding the raws. The constants
below are the functions' values in Q0.31 (and Q2.29), rounded to nearest, as in gemmlowp.
"""

import math

import numpy as np

from .common import clip_ufunc
from .fixedpoint import rounding_divide_by_pot, srdhm


def saturating_shift_left(x, exponent, bits=32):
    """SaturatingRoundingMultiplyByPOT with a positive exponent (a Python int or an int64
    array)."""
    limit = 1 << (bits - 1)
    v = x << exponent
    if isinstance(v, int):
        return min(max(v, -limit), limit - 1)
    return clip_ufunc(v, -limit, limit - 1)


_ONE = 2 ** 31 - 1


def _q31(value):
    return int(round(value * 2 ** 31))


def _exp_on_quarter_interval(a):
    """exp(a) for a in [-1/4, 0), Q0.31 in and out: Taylor series around -1/8."""
    x = a + (1 << 28)
    x2 = srdhm(x, x)
    x3 = srdhm(x2, x)
    x4 = srdhm(x2, x2)
    x4_over_4 = rounding_divide_by_pot(x4, 2)
    poly = rounding_divide_by_pot(srdhm(x4_over_4 + x3, _q31(1.0 / 3.0)) + x2, 1)
    constant = _q31(math.exp(-1.0 / 8.0))
    return constant + srdhm(constant, x + poly)


def exp_on_negative_values(a, integer_bits):
    """exp(a) in Q0.31 for a <= 0 given as FixedPoint<int32, integer_bits> raws."""
    fractional = 31 - integer_bits
    quarter = 1 << (fractional - 2)
    a_mod = (a & (quarter - 1)) - quarter
    result = _exp_on_quarter_interval(saturating_shift_left(a_mod, integer_bits))
    remainder = a_mod - a
    for exponent in range(-2, 5):
        if integer_bits > exponent:
            multiplier = _q31(math.exp(-2.0 ** exponent))
            bit = (remainder & (1 << (fractional + exponent))) != 0
            result = np.where(bit, srdhm(result, multiplier), result)
    if integer_bits > 5:
        result = np.where(a < -(1 << (36 - integer_bits)), 0, result)
    return np.where(a == 0, _ONE, result)


def _unsaturated_high_mul(a, b):
    """srdhm for operands that are never both INT32_MIN (no saturation to check); Python
    ints or int64 arrays of int32 values."""
    return (a * b + (1 << 30)) >> 31


def one_over_one_plus_x(a):
    """1 / (1 + a) for a in [0, 1), Q0.31 in and out: Newton-Raphson from 48/17 - 32/17 d.
    For int32 ``a`` the half denominator lies in [-1, 2**31) and 2**29 - d x above
    -2**31, so no product here saturates. ``a``: a Python int (a kernel's few row sums
    cost less as ints than as numpy calls) or an int64 array."""
    total = a + _ONE                    # RoundingHalfSum(a, 1): (sum +- 1) / 2, truncated
    half_denominator = (total + (total >= 0)) >> 1
    x = _unsaturated_high_mul(half_denominator, -1010580540)
    x += 1515870810                                                     # Q2.29
    for _ in range(3):
        one_minus = (1 << 29) - _unsaturated_high_mul(half_denominator, x)
        x = x + saturating_shift_left(_unsaturated_high_mul(x, one_minus), 2)
    return saturating_shift_left(x, 1)


def _saturating_add(a, b):
    return np.clip(a + b, -2 ** 31, 2 ** 31 - 1)


def log_x_for_x_at_least_1(x, input_bits, output_bits):
    """log(x) for x >= 1 given as FixedPoint<int32, input_bits> raws, as
    FixedPoint<int32, output_bits> raws (LiteRT's log_x_for_x_greater_than_or_equal_to_1:
    x = 2**k r with r normalised around 1, log r from a rational approximation)."""
    accum_bits = output_bits + 1
    quarter = rounding_divide_by_pot(np.int64(1 << 29), accum_bits)     # 1/4 in Q(accum)
    sqrt_sqrt_half = _q31(2 ** -0.25)
    sqrt_half = _q31(math.sqrt(0.5))
    root = 2 ** 0.25
    alpha_n, alpha_d = _q31(11.0 / 240.0 * root), _q31(root / 20.0)
    alpha_i, alpha_f = _q31(2.0 / root - root), _q31(root / 4.0)
    headroom_a = count_leading_zeros32(x)
    r_a = saturating_shift_left_by(srdhm(saturating_shift_left_by(x, headroom_a - 1),
                                         sqrt_half), 1)
    pow2_a = _saturating_add(saturating_shift_left(input_bits - headroom_a, 31 - accum_bits),
                             quarter)
    z_b = srdhm(x, sqrt_half)
    headroom_b = count_leading_zeros32(z_b) - 1
    r_b = saturating_shift_left_by(x, headroom_b)
    pow2_b = np.clip(saturating_shift_left(input_bits - headroom_b, 31 - accum_bits) - quarter,
                     -2 ** 31, 2 ** 31 - 1)
    r = np.minimum(r_a, r_b)
    pow2 = np.maximum(pow2_a, pow2_b)
    total = r + sqrt_sqrt_half                      # RoundingHalfSum(r, sqrt_sqrt_half)
    p = np.where(total >= 0, (total + 1) >> 1, -((1 - total) >> 1))
    q = 2 * (r - sqrt_sqrt_half)
    square = srdhm(q, q)
    num = srdhm(q, r) + srdhm(srdhm(q, square), alpha_n)
    denominator = srdhm(p, alpha_i + q + srdhm(alpha_d, square)) + srdhm(alpha_f, q)
    reciprocal = one_over_one_plus_x(denominator)
    result = srdhm(pow2, _q31(math.log(2.0))) + srdhm(rounding_divide_by_pot(num, accum_bits),
                                                       reciprocal)
    return saturating_shift_left(result, accum_bits - output_bits)


def saturating_shift_left_by(x, exponent):
    """SaturatingRoundingMultiplyByPOTParam with per-element exponents >= 0."""
    return np.clip(x << exponent, -2 ** 31, 2 ** 31 - 1)


def inv_sqrt_multiplier(v):
    """GetInvSqrtQuantizedMultiplierExp: (multiplier, left shift) of 1/sqrt(v) for int64
    arrays of int32 values v >= 0 (v <= 1 gives (2**31 - 1, 0)): v is brought below 2**29
    by quarters, normalised to [2**27, 2**29) by pairs of bits, then five Newton-Raphson
    steps in Q3.28 and a factor sqrt(2)/2."""
    small = v <= 1
    v = np.where(small, 2, v)
    _, bit_length = np.frexp(v.astype(np.float64))
    quarters = np.maximum(bit_length.astype(np.int64) - 28, 0) // 2
    v = v >> (2 * quarters)
    pairs = (count_leading_zeros32(v) - 1) // 2 - 1
    shift = 11 + quarters - pairs
    v = v << (2 * pairs)
    half_input = rounding_divide_by_pot(v >> 1, 1)
    x = np.full(v.shape, 1 << 28, np.int64)                  # 1.0 in Q3.28
    for _ in range(5):
        x3 = saturating_shift_left(srdhm(srdhm(x, x), x), 6)
        x = saturating_shift_left(srdhm((1 << 28) + (1 << 27), x) - srdhm(half_input, x3), 3)
    x = srdhm(x, _q31(math.sqrt(0.5)))
    x = (x << np.maximum(-shift, 0)).astype(np.int32).astype(np.int64)    # int32 wrap
    return np.where(small, 2 ** 31 - 1, x), np.where(small, 0, -np.maximum(shift, 0))


def count_leading_zeros32(x):
    """Leading zero bits of positive int32 values (as uint32): a Python int or arrays."""
    if isinstance(x, int):
        return 32 - x.bit_length()
    _, bit_length = np.frexp(np.asarray(x, np.float64))     # exact below 2**53
    return 32 - bit_length.astype(np.int64)
