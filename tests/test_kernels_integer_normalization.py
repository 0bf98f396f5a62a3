"""Quantized L2_NORMALIZATION (int8/uint8) against ai_edge_litert: bit-exact with the
reference kernels, within 1 LSB of the default ones; rows of zeros, long rows whose sum of
squares passes 2**29."""

import numpy as np
import pytest

from builder import single_op
from differential import compare, numlite_error
from quant_cases import LIMITS, compare_default, qt, random_scale, random_zp, values

SHAPES = [(4, 10), (2, 3, 7), (1, 300), (5, 1), (2, 40000)]


def l2_model(dtype, shape, scale, zp):
    return single_op("L2_NORMALIZATION", [qt(shape, dtype, scale, zp)],
                     [qt(shape, dtype, 1 / 128, 0 if dtype == "int8" else 128)], options={})


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("dtype", ("int8", "uint8"))
def test_l2_normalization(dtype, shape):
    rng = np.random.default_rng([len(dtype), SHAPES.index(shape)])
    for trial in range(3):
        zp = random_zp(rng, dtype)
        m = l2_model(dtype, shape, random_scale(rng), zp)
        x = values(rng, shape, dtype)
        if trial == 1:
            x[..., :] = zp                       # a zero row
        elif trial == 2:
            x[..., :] = LIMITS[dtype][0]         # the largest sum of squares
        compare(m, [x])
        compare_default(m, [x])


def test_l2_normalization_bad_output_refused():
    m = single_op("L2_NORMALIZATION", [qt((2, 3), "int8", 0.1)], [qt((2, 3), "int8", 0.1)],
                  options={})
    assert "output must be quantized" in numlite_error(m, [np.zeros((2, 3), np.int8)])
