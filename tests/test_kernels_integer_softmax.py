"""Quantized SOFTMAX and LOG_SOFTMAX against ai_edge_litert: bit-exact with the reference
kernels (gemmlowp fixed point for 8-bit inputs, int16 table interpolation), and with the
default kernels where they agree (not int8 -> int16 SOFTMAX, whose default kernel offsets
the output differently)."""

import numpy as np
import pytest

from builder import single_op
from differential import compare, numlite_error
from quant_cases import LIMITS, compare_default, qt, random_scale, random_zp, values

# (3, 30, 4), (4, 10): more rows than the kernel computes one by one as Python ints
SHAPES = [(4, 10), (2, 3, 7), (1, 300), (5, 1), (16,), (3, 30, 4)]
PAIRS = [("int8", "int8"), ("uint8", "uint8"), ("int8", "int16"), ("int16", "int16")]


def softmax_model(dtype, out_dtype, shape, scale, zp, beta):
    out_scale, out_zp = (1 / 32768, 0) if out_dtype == "int16" else (1 / 256,
                                                                      LIMITS[out_dtype][0])
    return single_op("SOFTMAX", [qt(shape, dtype, scale, zp)],
                     [qt(shape, out_dtype, out_scale, out_zp)], options=dict(beta=beta))


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("dtype,out_dtype", PAIRS)
def test_softmax(dtype, out_dtype, shape):
    rng = np.random.default_rng([len(dtype), len(out_dtype), SHAPES.index(shape)])
    for beta in (1.0, 0.5, 2.3):
        scale = random_scale(rng, 1e-4, 0.01) if dtype == "int16" else random_scale(rng, 5e-3, 0.5)
        m = softmax_model(dtype, out_dtype, shape, scale, random_zp(rng, dtype), beta)
        x = values(rng, shape, dtype)
        compare(m, [x])
        if (dtype, out_dtype) != ("int8", "int16"):
            compare_default(m, [x])


@pytest.mark.parametrize("dtype", ("int8", "int16"))
def test_softmax_constant_rows(dtype):
    """Equal values in a row, and rows of extreme values."""
    low, high = LIMITS[dtype]
    x = np.array([[0] * 6, [high] * 6, [low] * 6, [low, high, low, high, low, high]],
                 dtype=np.int8 if dtype == "int8" else np.int16)
    compare(softmax_model(dtype, dtype, x.shape, 0.05 if dtype == "int8" else 0.001, 0, 1.0),
            [x])


def test_softmax_bad_output_quantization_refused():
    m = single_op("SOFTMAX", [qt((2, 3), "int8", 0.1)], [qt((2, 3), "int8", 1 / 256, 0)],
                  options=dict(beta=1.0))
    assert "output must be quantized" in numlite_error(m, [np.zeros((2, 3), np.int8)])


def test_softmax_type_pair_refused():
    m = single_op("SOFTMAX", [qt((2, 3), "int16", 0.1)], [qt((2, 3), "int8", 1 / 256, -128)],
                  options=dict(beta=1.0))
    assert "is not supported" in numlite_error(m, [np.zeros((2, 3), np.int16)])


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("dtype", ("int8", "uint8"))
def test_log_softmax(dtype, shape):
    rng = np.random.default_rng([len(dtype), SHAPES.index(shape), 9])
    for _ in range(3):
        m = single_op("LOG_SOFTMAX", [qt(shape, dtype, random_scale(rng, 1e-3, 0.5),
                                         random_zp(rng, dtype))],
                      [qt(shape, dtype, 16 / 256, LIMITS[dtype][1])])
        x = values(rng, shape, dtype)
        compare(m, [x])
        compare_default(m, [x])


def test_log_softmax_bad_output_quantization_refused():
    m = single_op("LOG_SOFTMAX", [qt((2, 3), "int8", 0.1)], [qt((2, 3), "int8", 1 / 256, -128)])
    assert "output must be quantized" in numlite_error(m, [np.zeros((2, 3), np.int8)])
