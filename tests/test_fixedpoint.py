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
from numlite.ops.fixedpoint import (multiply_by_quantized_multiplier, requantize,
                                    rounding_divide_by_pot, srdhm)
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


def test_activation_range_rounds_like_std_round():
    """RELU6 with output scale float32(12 + 2**-20): 6 / scale is the float32 just below 0.5,
    so Q(6) = zp + 0 (adding 0.5 in float32 would round it up to zp + 1)."""
    scale = float(np.float32(12) + np.float32(2.0 ** -20))
    model = single_op("ADD", [qt((64,), "int8", 1.0, 0), qt((64,), "int8", 1.0, 0)],
                      [qt((64,), "int8", scale, 0)],
                      options=dict(fused_activation_function="RELU6"))
    compare(model, [np.arange(-32, 32, dtype=np.int8) * 3, np.full(64, 100, np.int8)])
