"""Quantized MEAN (int8/uint8/int16), SUM (uint8) and REDUCE_PROD (int8/int16) against
ai_edge_litert: bit-exact with the reference kernels, within 1 LSB of the default ones;
global pooling over H, W, other axes, keep_dims, equal and different input/output
quantization."""

import numpy as np
import pytest

from builder import T, single_op
from differential import DEFAULT, compare, numlite_error, run_litert
from quant_cases import compare_default, qt, random_scale, random_zp, values

CASES = [((2, 5, 7, 3), (1, 2), True), ((2, 5, 7, 3), (2, 1), False), ((3, 40), (1,), False),
         ((3, 4, 5), (0, -1), True), ((2, 3, 4), (2,), True), ((1, 300, 2), (1,), False),
         ((4, 6), (0, 1), False), ((5,), (), False), ((1, 9, 9, 16), (1, 2), True)]


def reduce_model(op, dtype, shape, axes, keep, scales, zps):
    rank = len(shape)
    resolved = {a % rank for a in axes}
    out = [1 if i in resolved else d for i, d in enumerate(shape)] if keep else \
        [d for i, d in enumerate(shape) if i not in resolved]
    return single_op(op, [qt(shape, dtype, scales[0], zps[0]),
                          T([len(axes)], np.int32, data=list(axes))],
                     [qt(out, dtype, scales[1], zps[1])], options=dict(keep_dims=keep))


@pytest.mark.parametrize("case", CASES, ids=str)
@pytest.mark.parametrize("dtype", ("int8", "uint8", "int16"))
def test_mean(dtype, case):
    rng = np.random.default_rng([len(dtype), CASES.index(case)])
    for same in (True, False, False):
        s_in, zp_in = random_scale(rng, 1e-3, 0.1), random_zp(rng, dtype)
        s_out, zp_out = (s_in, zp_in) if same else (random_scale(rng, 1e-3, 0.1),
                                                     random_zp(rng, dtype))
        m = reduce_model("MEAN", dtype, *case, (s_in, s_out), (zp_in, zp_out))
        x = values(rng, case[0], dtype)
        compare(m, [x])
        compare_default(m, [x])


@pytest.mark.parametrize("case", CASES[:7], ids=str)
def test_sum_uint8(case):
    rng = np.random.default_rng(CASES.index(case))
    n = int(np.prod([case[0][a] for a in case[1]]))
    for _ in range(3):
        s_in = random_scale(rng, 1e-3, 0.1)
        scales = (s_in, s_in * rng.uniform(0.5, 1.5) * np.sqrt(n))
        m = reduce_model("SUM", "uint8", *case, scales, (random_zp(rng, "uint8"),
                                                          random_zp(rng, "uint8")))
        x = values(rng, case[0], "uint8")
        compare(m, [x])
        compare_default(m, [x])


@pytest.mark.parametrize("dtype", ("int8", "int16"))
def test_sum_int8_int16_refused(dtype):
    """LiteRT 2.3's int8/int16 SUM kernels misread the values; numlite refuses them."""
    m = reduce_model("SUM", dtype, (2, 3), (1,), False, (0.1, 0.2), (0, 0))
    err = numlite_error(m, [np.zeros((2, 3), dtype)])
    assert "quantized kernel does not support" in err and "failed to prepare" in err


def test_dynamic_axes_refused():
    m = single_op("MEAN", [qt((2, 3), "int8", 0.1), T([1], np.int32)],
                  [qt((2,), "int8", 0.1)], options=dict(keep_dims=False))
    err = numlite_error(m, [np.zeros((2, 3), np.int8), np.array([1], np.int32)])
    assert "need constant axes" in err


@pytest.mark.parametrize("case", CASES[:8], ids=str)
@pytest.mark.parametrize("dtype", ("int8", "int16"))
def test_reduce_prod(dtype, case):
    """Real values around 1 in magnitude (so the products of up to 300 stay in range, and
    saturate for a few), input and output scales apart."""
    rng = np.random.default_rng([len(dtype), CASES.index(case), 5])
    limit = 127 if dtype == "int8" else 32767
    for _ in range(3):
        zp_in = random_zp(rng, dtype)
        s_in = float(np.float32(rng.uniform(1.2, 2.5) / limit))
        s_out = float(np.float32(rng.uniform(0.5, 4.0) / limit))
        m = reduce_model("REDUCE_PROD", dtype, *case, (s_in, s_out),
                         (zp_in, random_zp(rng, dtype)))
        # |q - zp_in| mostly near 1 / s_in, some small and some sign changes
        magnitude = rng.uniform(0.7, 1.05, case[0]) / s_in
        q = np.round(zp_in + magnitude * rng.choice([-1, 1], case[0]))
        q = np.clip(q, -limit - 1, limit).astype(dtype)
        compare(m, [q])
        if case[1]:
            compare_default(m, [q])
        else:       # LiteRT's default kernel copies the input when no axis is reduced
            assert np.array_equal(run_litert(m, [q], DEFAULT)[0], q)


def test_reduce_prod_uint8_refused():
    """LiteRT refuses uint8 REDUCE_PROD ("Unsupported quantized data type"), numlite too."""
    m = reduce_model("REDUCE_PROD", "uint8", (2, 3), (1,), False, (0.1, 0.2), (128, 128))
    err = numlite_error(m, [np.zeros((2, 3), np.uint8)])
    assert "quantized kernel does not support" in err and "failed to prepare" in err


def test_reduce_prod_of_nothing():
    """An empty output is empty; reducing an empty axis into values is refused (LiteRT
    returns uninitialised memory there, different from run to run)."""
    m = reduce_model("REDUCE_PROD", "int8", (2, 0, 3), (0,), False, (0.02, 0.03), (3, -2))
    compare(m, [np.zeros((2, 0, 3), np.int8)])
    m = reduce_model("REDUCE_PROD", "int8", (2, 0, 3), (1,), False, (0.02, 0.03), (3, -2))
    err = numlite_error(m, [np.zeros((2, 0, 3), np.int8)])
    assert "reduction over no elements" in err and "failed to prepare" in err
