"""Quantized RSQRT, SQRT, EXP, LOG, ABS and NEG (int8/int16) against ai_edge_litert on every
value: bit-exact with the reference kernels, within 1 LSB of the default ones."""

import numpy as np
import pytest

from builder import single_op
from differential import compare, litert_error, numlite_error
from quant_cases import all_values, compare_default, qt, random_scale, random_zp


def unary_model(op, dtype, shape, s_in, zp_in, s_out, zp_out):
    return single_op(op, [qt(shape, dtype, s_in, zp_in)], [qt(shape, dtype, s_out, zp_out)])


def test_rsqrt_int8():
    rng = np.random.default_rng(4)
    for trial in range(8):
        zp_in = random_zp(rng, "int8") if trial % 2 else -128
        x = all_values("int8")
        x = x[x >= zp_in]               # LiteRT fails on values below the zero point
        m = unary_model("RSQRT", "int8", x.shape, random_scale(rng, 1e-4, 0.5), zp_in,
                        random_scale(rng, 1e-3, 0.5), random_zp(rng, "int8"))
        compare(m, [x])
        compare_default(m, [x])


@pytest.mark.parametrize("dtype", ("int8", "int16"))
@pytest.mark.parametrize("op,message", [("RSQRT", "only defined for positive values"),
                                        ("SQRT", "only defined for non-negative values")])
def test_negative_input_fails_at_invoke(op, message, dtype):
    m = unary_model(op, dtype, (3,), 0.1, 0, 0.1, 0)
    x = np.array([4, -1, 9], dtype)
    assert message in litert_error(m, [x])
    err = numlite_error(m, [x])
    assert message in err and "failed to invoke" in err


@pytest.mark.parametrize("dtype", ("int8", "int16"))
@pytest.mark.parametrize("op", ("ABS", "NEG"))
def test_abs_neg(op, dtype):
    rng = np.random.default_rng(len(op) + len(dtype))
    x = all_values(dtype)
    for same in (True, False, False):
        s_in, zp_in = random_scale(rng), random_zp(rng, dtype)
        s_out, zp_out = (s_in, zp_in) if same else (random_scale(rng), random_zp(rng, dtype))
        m = unary_model(op, dtype, x.shape, s_in, zp_in, s_out, zp_out)
        compare(m, [x])
        compare_default(m, [x])


@pytest.mark.parametrize("op", ("EXP", "LOG"))
def test_exp_log_int8(op):
    """Every int8 value, with overflowing EXP results and LOG of values <= 0."""
    rng = np.random.default_rng(len(op))
    x = all_values("int8")
    for high in (0.05, 0.5):
        m = unary_model(op, "int8", x.shape, random_scale(rng, 1e-3, high),
                        random_zp(rng, "int8"), random_scale(rng), random_zp(rng, "int8"))
        compare(m, [x])
        compare_default(m, [x])


INT16_SCALES = ((1e-4, 2e-3), (1e-3, 1e-3), (4e-4, 5e-2))


@pytest.mark.parametrize("op", ("EXP", "LOG", "RSQRT", "SQRT"))
def test_int16_tables(op):
    """Every int16 value (the non-negative ones for the roots, which fail below 0): EXP,
    LOG and RSQRT through LiteRT's interpolated table (LOG and RSQRT sample the output's
    end at and below 0, the interval next to 0 interpolating from it), SQRT by formula."""
    rng = np.random.default_rng(len(op))
    x = all_values("int16")
    if op in ("RSQRT", "SQRT"):
        x = x[x >= 0]
    for s_in, s_out in INT16_SCALES:
        m = unary_model(op, "int16", x.shape, s_in * rng.uniform(0.8, 1.2), 0, s_out, 0)
        compare(m, [x])
        compare_default(m, [x])


@pytest.mark.parametrize("op", ("EXP", "LOG", "RSQRT", "SQRT"))
def test_int16_zero_points_refused(op):
    m = unary_model(op, "int16", (3,), 0.001, 5, 0.001, 0)
    assert "!= 0 (5 != 0)" in litert_error(m, [np.ones(3, np.int16) * 9])
    assert "need zero point 0" in numlite_error(m, [np.ones(3, np.int16) * 9])


def test_sqrt_int8():
    """Every int8 value at or above the input zero point; output zero points that make
    results negative (LiteRT truncates toward zero, it does not round)."""
    rng = np.random.default_rng(17)
    for trial in range(8):
        zp_in = int(rng.integers(-128, 20))
        x = all_values("int8")
        x = np.where(x < zp_in, np.int8(zp_in), x)
        zp_out = int(rng.integers(-128, -60)) if trial % 2 else random_zp(rng, "int8")
        m = unary_model("SQRT", "int8", x.shape, random_scale(rng, 1e-3, 0.3), zp_in,
                        random_scale(rng, 1e-3, 0.3), zp_out)
        compare(m, [x])
        compare_default(m, [x])
