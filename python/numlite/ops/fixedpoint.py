"""LiteRT's fixed-point requantization (reference §5.1, §5.2), vectorised over int64 arrays:
QuantizeMultiplier, SaturatingRoundingDoublingHighMul, RoundingDivideByPOT and their fusion
MultiplyByQuantizedMultiplier.

Every integer kernel requantizes through these functions so that rounding, saturation and
C++'s truncating division are written once.
"""

import math

import numpy as np

from .common import clip_ufunc, row_tiling

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


class Requantizer:
    """``clamp(zp + MultiplyByQuantizedMultiplier(x, multiplier, shift), low, high)`` with
    everything that does not depend on ``x`` worked out once (in a kernel's prepare).
    ``multiplier`` and ``shift`` are ints, or int64 arrays broadcasting against ``x`` (one
    per channel); ``multiply``: another MBQM form (multiply_by_quantized_multiplier_int64).

    MBQM is rounding_divide_by_pot(srdhm(a, m), r) with a = x << max(shift, 0) wrapped to
    int32 and r = max(-shift, 0), fused into one multiply, one add and two shifts: with
    p = a*m, srdhm is floor((p + 2**30) / 2**31) (see srdhm), RoundingDivideByPOT is
    floor((v + 2**(r-1) - [v < 0]) / 2**r), and floor((floor(y / A) + c) / B) =
    floor((y + c A) / (A B)) for integer c, so the result is
    floor((p + 2**30 + (2**(r-1) - [p < -2**30]) 2**31) / 2**(31+r)) (v < 0 iff
    p < -2**30), computed as q = p + 2**30, ((q + 2**(r-1) 2**31) >> 31) + (q >> 63), >> r
    (q >> 63 is -[q < 0]: same-type int64 ops, no bool array). The zero point is folded
    into the nudge as zp 2**(31+r) when that cannot overflow. The saturating a == m ==
    INT32_MIN case is p = 2**62 - 2**31, which the same formula maps to srdhm's INT32_MAX.
    |p| <= 2**62 and r <= 31 (LiteRT's bound on RoundingDivideByPOT) keep it in int64.
    """

    def __init__(self, multiplier, shift, zp=0, low=None, high=None, multiply=None):
        self.multiply = multiply
        self.raw = (multiplier, shift)
        left, right = np.maximum(shift, 0), np.maximum(np.negative(shift), 0)
        self.left = left if np.any(left) else None
        self.multiplier = np.asarray(multiplier, np.int64)
        self.saturating = bool(np.any(self.multiplier == _INT32_MIN))
        self.right = right if np.any(right) else None
        self.gate = None if self.right is None or np.all(right > 0) else right > 0
        # with a right shift the 2**30 is added first, for the sign test
        self.nudge = np.asarray((((np.int64(1) << right) >> 1) << 31)
                                + (0 if self.right is not None else 1 << 30), np.int64)
        total = right + 31
        self.gate64 = None if self.gate is None else np.where(self.gate, -1, 0).astype(np.int64)
        self.zp = np.int64(zp)
        # |p| <= 2**62 (the saturating p is 2**62 - 2**31): p + nudge + zp * 2**(31 + r)
        # stays in int64 for all but huge zero points or shifts
        fold = 2 ** 62 + 2 ** 30 + int(np.max(self.nudge)) + abs(int(zp)) * 2 ** int(
            np.max(total)) < 2 ** 63
        self.nudge_zp = self.nudge + (np.int64(zp) << total) if fold else self.nudge
        self.zp_after = 0 if fold else self.zp
        self.clamp = low is not None
        self.low, self.high = np.int64(low or 0), np.int64(high or 0)

    def mbqm(self, x):
        """MultiplyByQuantizedMultiplier on an int64 (or int32) array of int32 values; a
        new int64 array."""
        return self._fixed(x, self.nudge, 0)

    def _fixed(self, x, nudge, zp):
        """mbqm(x) + zp, with ``nudge`` the rounding nudge plus zp * 2**(31 + r)."""
        if x.dtype == np.int32 and self.left is None:
            a = x                                          # already int32 values
        else:
            a = (x << (0 if self.left is None else self.left)).astype(np.int32)  # C++ wrap
        p = a * self.multiplier                            # int64
        if self.saturating:
            p -= ((a == _INT32_MIN) & (self.multiplier == _INT32_MIN)) * np.int64(1 << 31)
        if self.right is None:
            p += nudge
            p >>= 31
        else:
            p += 1 << 30
            sign = p >> 63                                 # -[p < -2**30], same-type ops
            if self.gate is not None:
                sign &= self.gate64
            p += nudge
            p >>= 31
            p += sign
            p >>= self.right
        if zp:
            p += zp
        return p

    def __call__(self, x):
        if self.multiply:
            r = np.asarray(self.multiply(x, *self.raw))
            r += self.zp
        else:
            r = np.asarray(self._fixed(x, self.nudge_zp, self.zp_after))
        if self.clamp:
            np.minimum(r, self.high, out=r)
            np.maximum(r, self.low, out=r)
        return r


def multiply_by_quantized_multiplier(x, multiplier, shift):
    """Double-rounding MultiplyByQuantizedMultiplier (see Requantizer) for one-off uses;
    kernels build a Requantizer at prepare."""
    return Requantizer(multiplier, shift).mbqm(x)


def requantize(x, multiplier, shift, zp, low, high, multiply=None):
    """clamp(zp + MultiplyByQuantizedMultiplier(x, multiplier, shift), low, high) once
    (0-d for a numpy scalar); kernels build a Requantizer at prepare."""
    return Requantizer(multiplier, shift, zp, low, high, multiply)(x)


def multiply_by_quantized_multiplier_int64(x, multiplier, shift):
    """MultiplyByQuantizedMultiplier for int64 accumulators (the 16x8 kernels, reference
    §5.2): the Q31 multiplier rounded to 16 bits, one rounding shift. ``multiplier`` and
    ``shift`` as in multiply_by_quantized_multiplier; the result wraps to int32 as in C++."""
    m = np.asarray(multiplier, np.int64)
    reduced = np.where(m < 0x7FFF0000, (m + (1 << 15)) >> 16, 0x7FFF)
    total = 15 - np.asarray(shift, np.int64)
    r = (x * reduced + (np.int64(1) << (total - 1))) >> total
    return r.astype(np.int32).astype(np.int64)


#: the integers float64 holds exactly
_EXACT_FLOAT64 = 2 ** 53


class FloatRequantizer:
    """``clamp(zp + MultiplyByQuantizedMultiplier(g + offset[c], m[c], shift[c]), low,
    high)`` as an 8- or 16-bit ``dtype`` for accumulators ``g`` holding exact integers
    (float32/float64 GEMM results, channels last), in float64 with five to seven passes
    where Requantizer needs about twelve in int64 (integer conversion, offset, its own
    passes).

    Requantizer's formula divided by 2**(31+r) (no left shift: ``shift <= 0``, r = -shift)
    reads, with M = m 2**-(31+r) and d = 2**-(r+1) (d = 0 when r = 0: srdhm alone),
    MBQM(x) = floor(x M + 1/2 + d) when x m >= -2**30, i.e. x M >= -d, and
    floor(x M + 1/2 - d) below. Every term is an integer multiple of 2**-(31+r); float64
    holds such a value exactly while that integer is below 2**53 in magnitude, and then
    products, sums and comparisons of them do not round. The kernel computes
    z = g M + K with K = offset M + zp + u + 1/2 + d (u = -(the type's minimum) moves the
    clamp range to [low + u, high + u] within [0, 2**bits)); x M < -d is z < zp + u + 1/2,
    and after z -= 2d there the floor of z clamped to that range is the truncating cast to
    the unsigned type of that width; XOR with the sign bit makes it two's complement. The
    sign test is skipped when no channel has d or when low >= zp (a RELU-type clamp):
    x M < 0 gives a result <= zp under either formula, clamped to low.

    Exactness (``fits``, per channel, at prepare): K is exact and |K| < 2**(21-r) when
    |offset| m + c 2**(31+r) < 2**52 (c: K's integer part |zp| + u + 2, at least
    2**bits + 2). Then for |g| m < 2**53 g M is exact and z is the correctly rounded value
    of x M + K: exact while that is below 2**53 in units of 2**-(31+r), and beyond it
    |x M| >= 2**(22-r) - c, so the exact and the rounded z lie on the same side outside the
    clamp range. For larger |g|, g M is rounded (relative error 2**-53) but
    |g M| >= 2**(22-r) > 2 |K|: z and the exact value both exceed 2**(21-r) - 1 > 2**bits
    in magnitude with g's sign, and clamp alike. So g needs no bound beyond x being an
    int32 (the C++ accumulator's type).
    """

    def __init__(self, multipliers, shifts, offset, zp, low, high, dtype):
        multipliers, shifts, offset = np.broadcast_arrays(
            np.asarray(multipliers, np.int64), np.asarray(shifts, np.int64),
            np.asarray(offset, np.int64))
        right = -shifts
        scale = multipliers * np.exp2(-(31.0 + right))
        delta = np.where(right > 0, np.exp2(-(right + 1.0)), 0.0)
        self.dtype = np.dtype(dtype)
        bits = 8 * self.dtype.itemsize
        self.unsigned = np.dtype(f"uint{bits}")
        shift_up = 1 << (bits - 1) if self.dtype.kind == "i" else 0
        self.sign_bit = shift_up
        self.constant = offset * scale + (zp + shift_up + 0.5) + delta
        self.scale, self.channels = scale, scale.size
        self.signed_rounding = bool(np.any(delta)) and low < zp
        self.threshold, self.step = float(zp + shift_up) + 0.5, 2 * delta
        self.low, self.high = float(low + shift_up), float(high + shift_up)
        self.layouts = {}

    @staticmethod
    def fits(multipliers, shifts, offset, zp, bound, dtype):
        """True when the float64 form is exact (class docstring) for accumulators of
        magnitude <= ``bound``: any, as long as x = g + offset stays an int32 (beyond,
        LiteRT's int32 accumulator wraps, which Requantizer reproduces)."""
        multipliers, shifts, offset = (np.asarray(v, np.int64).reshape(-1)
                                       for v in (multipliers, shifts, offset))
        if np.dtype(dtype).itemsize not in (1, 2) or np.any(shifts > 0) or np.any(
                multipliers < 0):
            return False
        if int(bound) + int(np.abs(offset).max(initial=0)) >= 2 ** 31:
            return False
        constant = abs(int(zp)) + 2 ** (8 * np.dtype(dtype).itemsize) + 2
        largest = [abs(int(o)) * int(m) + constant * 2 ** (31 + int(r))
                   for m, r, o in zip(*np.broadcast_arrays(multipliers, -shifts, offset))]
        return max(largest, default=0) < _EXACT_FLOAT64 // 2

    def _layout(self, shape):
        """(rows shape, scale, constant, step) for accumulators of ``shape``: the
        per-channel constants tiled over [..., C] viewed as [rows / k, k C]
        (common.row_tiling)."""
        c = self.channels
        rows = int(np.prod(shape)) // c if c else 0
        k = row_tiling(rows, c)
        layout = ((rows // k, k * c),) + tuple(
            np.tile(np.broadcast_to(v, (c,)), k) for v in (self.scale, self.constant,
                                                            self.step))
        self.layouts[shape] = layout
        return layout

    def __call__(self, g):
        layout = self.layouts.get(g.shape) or self._layout(g.shape)
        rows, scale, constant, step = layout
        z = np.multiply(g.reshape(rows), scale)
        z += constant
        if self.signed_rounding:
            z -= np.less(z, self.threshold) * step
        clip_ufunc(z, self.low, self.high, out=z)
        u = z.astype(self.unsigned)
        if self.sign_bit:
            u ^= self.unsigned.type(self.sign_bit)
        return u.view(self.dtype).reshape(g.shape)
