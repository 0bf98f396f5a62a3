"""numlite.ops.fixedpoint against a literal transcription of the reference's §5.2 (Python
ints, C++ truncating division, explicit nudges), and the §5.3 activation range's rounding
against ai_edge_litert.

MultiplyByQuantizedMultiplier fuses SaturatingRoundingDoublingHighMul and RoundingDivideByPOT
into shifts; these cases cover both signs, every shift LiteRT produces (-31..+7), per-channel
multipliers and shifts, the saturating INT32_MIN * INT32_MIN case and exact rounding ties.
"""

import numpy as np
import pytest

from builder import single_op
from differential import compare
from numlite.ops.fixedpoint import (FloatRequantizer, multiply_by_quantized_multiplier,
                                    requantize, rounding_divide_by_pot, srdhm)
from quant_cases import qt

MIN, MAX = -2 ** 31, 2 ** 31 - 1
SPECIALS = [MIN, MIN + 1, -2 ** 30 - 1, -2 ** 30, -1, 0, 1, 2 ** 30, MAX - 1, MAX]


def _trunc_div(n, d):
    q = abs(n) // abs(d)
    return q if (n >= 0) == (d > 0) else -q


def ref_srdhm(a, b):
    if a == MIN and b == MIN:
        return MAX
    ab = a * b
    nudge = (1 << 30) if ab >= 0 else 1 - (1 << 30)
    return _trunc_div(ab + nudge, 1 << 31)


def ref_rdbpot(x, e):
    mask = (1 << e) - 1
    threshold = (mask >> 1) + (1 if x < 0 else 0)
    return (x >> e) + (1 if x & mask > threshold else 0)


def ref_mbqm(x, m, shift):
    left, right = max(shift, 0), max(-shift, 0)
    wrapped = (x * (1 << left) + 2 ** 31) % 2 ** 32 - 2 ** 31        # int32(x << left)
    return ref_rdbpot(ref_srdhm(wrapped, m), right)


@pytest.mark.parametrize("seed", range(4))
def test_mbqm_matches_the_reference(seed):
    rng = np.random.default_rng(seed)
    for trial in range(60):
        shift = int(rng.integers(-31, 8))
        m = int(rng.choice(SPECIALS + [int(rng.integers(2 ** 30, 2 ** 31))] * 6
                           + [int(rng.integers(MIN, 0))]))
        xs = np.concatenate([np.array(SPECIALS, np.int64), rng.integers(MIN, 2 ** 31, 60),
                             rng.integers(-2 ** 16, 2 ** 16, 30)])
        want = [ref_mbqm(int(v), m, shift) for v in xs]
        for x in (xs, xs.astype(np.int32)):
            assert multiply_by_quantized_multiplier(x, m, shift).tolist() == want, (m, shift)


def test_mbqm_per_channel_matches_the_reference():
    rng = np.random.default_rng(7)
    ms = rng.integers(2 ** 30, 2 ** 31, 12)
    ms[:2] = [MIN, MAX]
    shifts = rng.integers(-31, 6, 12)
    shifts[2] = 0
    xs = rng.integers(MIN, 2 ** 31, (40, 12))
    xs[0], xs[1] = MIN, rng.integers(-300, 300, 12)
    got = multiply_by_quantized_multiplier(xs, ms, shifts)
    want = [[ref_mbqm(int(xs[i, j]), int(ms[j]), int(shifts[j])) for j in range(12)]
            for i in range(40)]
    assert got.tolist() == want


def test_mbqm_rounding_ties():
    """x * 2**30 lands exactly on (and one off) the halfway points of every right shift."""
    rng = np.random.default_rng(3)
    for right in range(1, 31):
        halves = rng.integers(-2 ** 19, 2 ** 19, 20) * (1 << right) + (1 << (right - 1))
        halves = np.concatenate([halves, -halves])
        xs = np.concatenate([2 * halves, 2 * halves + 1, 2 * halves - 1])
        xs = xs[(xs >= MIN) & (xs <= MAX)]
        want = [ref_mbqm(int(v), 1 << 30, -right) for v in xs]
        assert multiply_by_quantized_multiplier(xs, 1 << 30, -right).tolist() == want


def test_srdhm_and_rdbpot_match_the_reference():
    rng = np.random.default_rng(11)
    a = np.concatenate([np.repeat(SPECIALS, len(SPECIALS)), rng.integers(MIN, 2 ** 31, 500)])
    b = np.concatenate([np.tile(SPECIALS, len(SPECIALS)), rng.integers(MIN, 2 ** 31, 500)])
    assert srdhm(a, b).tolist() == [ref_srdhm(int(x), int(y)) for x, y in zip(a, b)]
    for e in (0, 1, 5, 31):
        assert rounding_divide_by_pot(a, e).tolist() == [ref_rdbpot(int(x), e) for x in a]


def test_requantize_clamps_after_the_zero_point():
    x = np.array([-2 ** 20, -5, 0, 5, 2 ** 20], np.int64)
    got = requantize(x, 1 << 30, -3, 10, -128, 127)
    want = [min(127, max(-128, 10 + ref_mbqm(int(v), 1 << 30, -3))) for v in x]
    assert got.tolist() == want
    assert requantize(np.int64(40), 1 << 30, 0, 1, -128, 127).tolist() == 21    # 0-d input


def ref_requantize(x, m, shift, zp, low, high):
    return min(high, max(low, zp + ref_mbqm(x, m, shift)))


FLOAT_TYPES = [(np.int8, -128, 127), (np.uint8, 0, 255), (np.int16, -32768, 32767)]


@pytest.mark.parametrize("dtype,type_low,type_high", FLOAT_TYPES)
@pytest.mark.parametrize("seed", range(3))
def test_float_requantizer_matches_the_reference(dtype, type_low, type_high, seed):
    """The float64 form against the literal reference: per-channel and per-tensor
    multipliers with every right shift ``fits`` admits (0 included), offsets, zero points
    and activation ranges (RELU-type ones skip the sign test), accumulators small and far
    beyond 2**53 / m up to int32's limit (rounded products that must still clamp alike),
    rounding ties,
    float32, float64 and int inputs."""
    rng = np.random.default_rng([seed, type_high])
    tried = 0
    for trial in range(60):
        channels = int(rng.integers(1, 7))
        shifts = rng.integers(-14, 1, channels) if trial % 2 else np.repeat(
            rng.integers(-14, 1), channels)
        ms = rng.integers(2 ** 30, 2 ** 31, channels)
        ms[0] = rng.choice([2 ** 30, 2 ** 31 - 1, int(ms[0])])
        zp = int(rng.integers(type_low, type_high + 1))
        low = zp if trial % 3 == 0 else int(rng.integers(type_low, zp + 1))
        high = int(rng.integers(max(low, zp), type_high + 1))
        offset = rng.integers(-2 ** 18, 2 ** 18, channels)
        bound = int(rng.choice([2 ** 12, 2 ** 16, 2 ** 24, 2 ** 31 - 2 ** 18 - 1]))
        if not FloatRequantizer.fits(ms, shifts, offset, zp, bound, dtype):
            continue
        tried += 1
        g = rng.integers(-bound, bound + 1, (33, channels))
        g[0] = bound
        g[1] = -bound
        # ties: x M + 1/2 on an integer, and one step either side, at x > 0 and x < 0
        for row, j in zip(range(2, 30, 3), range(channels)):
            r = -int(shifts[j])
            x = ((int(rng.integers(-200, 200)) * 2 ** (32 + r) + 2 ** (30 + r)) // int(ms[j]))
            g[row:row + 3, j] = np.clip(np.array([x - 1, x, x + 1]) - offset[j], -bound, bound)
        want = [[ref_requantize(int(g[i, j] + offset[j]), int(ms[j]), int(shifts[j]), zp, low,
                                high) for j in range(channels)] for i in range(g.shape[0])]
        requant = FloatRequantizer(ms, shifts, offset, zp, low, high, dtype)
        inputs = [g.astype(np.float64), g] + ([g.astype(np.float32)] if bound <= 2 ** 24
                                              else [])
        for acc in inputs:
            got = requant(acc.reshape(3, 11, channels))
            assert got.dtype == dtype
            assert got.reshape(-1, channels).tolist() == want, (ms, shifts, zp, low, high)
    assert tried >= 10


def test_float_requantizer_fits_only_exact_cases():
    """Accumulators that may leave int32, left shifts, wide outputs, large offsets and
    right shifts too long for the clamp margin are left to the int64 Requantizer."""
    m = np.array([2 ** 31 - 1])
    assert FloatRequantizer.fits(m, [-3], [0], 0, 2 ** 30, np.int8)
    assert FloatRequantizer.fits(m, [-3], [2 ** 18], 0, 2 ** 30, np.int8)
    assert not FloatRequantizer.fits(m, [-3], [0], 0, 2 ** 31, np.int8)
    assert not FloatRequantizer.fits(m, [1], [0], 0, 2 ** 10, np.int8)
    assert not FloatRequantizer.fits(m, [-3], [0], 0, 2 ** 10, np.int32)
    assert not FloatRequantizer.fits(m, [-3], [2 ** 21], 0, 2 ** 10, np.int8)
    assert FloatRequantizer.fits(m, [-12], [0], 0, 2 ** 10, np.int8)
    assert not FloatRequantizer.fits(m, [-13], [0], 0, 2 ** 10, np.int8)
    assert not FloatRequantizer.fits(m, [-5], [0], 0, 2 ** 10, np.int16)


def test_activation_range_rounds_like_std_round():
    """RELU6 with output scale float32(12 + 2**-20): 6 / scale is the float32 just below 0.5,
    so Q(6) = zp + 0 (adding 0.5 in float32 would round it up to zp + 1)."""
    scale = float(np.float32(12) + np.float32(2.0 ** -20))
    model = single_op("ADD", [qt((64,), "int8", 1.0, 0), qt((64,), "int8", 1.0, 0)],
                      [qt((64,), "int8", scale, 0)],
                      options=dict(fused_activation_function="RELU6"))
    compare(model, [np.arange(-32, 32, dtype=np.int8) * 3, np.full(64, 100, np.int8)])
