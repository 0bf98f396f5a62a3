"""Quantized AVERAGE_POOL_2D and MAX_POOL_2D against ai_edge_litert: bit-exact with the
reference kernels, within 1 LSB of the default ones; SAME/VALID padding, strides, odd
shapes, global windows, every fused activation, int8/uint8/int16."""

import numpy as np
import pytest

from builder import single_op
from differential import compare, numlite_error
from quant_cases import ACTIVATIONS, compare_default, qt, random_scale, random_zp, values

CASES = [  # input shape, filter (h, w), strides (h, w), padding
    ((1, 7, 9, 3), (3, 3), (2, 2), "SAME"), ((2, 8, 8, 5), (2, 2), (2, 2), "VALID"),
    ((1, 5, 6, 2), (3, 2), (1, 1), "SAME"), ((1, 6, 6, 4), (6, 6), (1, 1), "VALID"),
    ((3, 4, 11, 1), (4, 5), (3, 2), "SAME"), ((1, 3, 3, 2), (5, 5), (1, 1), "SAME"),
    ((1, 20, 3, 2), (19, 1), (1, 1), "VALID"),
]


def pooled_shape(shape, filt, strides, padding):
    sizes = [-(-n // s) if padding == "SAME" else (n - f) // s + 1
             for n, f, s in zip(shape[1:3], filt, strides)]
    return (shape[0], *sizes, shape[3])


def pool_model(op, dtype, shape, filt, strides, padding, scale, zp, activation="NONE"):
    out = pooled_shape(shape, filt, strides, padding)
    options = dict(filter_height=filt[0], filter_width=filt[1], stride_h=strides[0],
                   stride_w=strides[1], padding=padding, fused_activation_function=activation)
    return single_op(op, [qt(shape, dtype, scale, zp)], [qt(out, dtype, scale, zp)],
                     options=options)


@pytest.mark.parametrize("case", CASES, ids=str)
@pytest.mark.parametrize("dtype", ("int8", "uint8", "int16"))
@pytest.mark.parametrize("op", ("AVERAGE_POOL_2D", "MAX_POOL_2D"))
def test_pool(op, dtype, case):
    rng = np.random.default_rng([len(op), len(dtype), CASES.index(case)])
    for activation in ACTIVATIONS:
        scale = random_scale(rng, 0.005, 0.05)
        m = pool_model(op, dtype, *case, scale, random_zp(rng, dtype), activation)
        x = values(rng, case[0], dtype)
        compare(m, [x])
        compare_default(m, [x])


@pytest.mark.parametrize("dtype", ("int8", "int16"))
def test_average_rounds_half_away_from_zero(dtype):
    """Window sums that are exact halves, positive and negative."""
    x = np.array([1, 2, -1, -2, 3, 4, -3, -4, 0, 1, 0, -1], np.int64).reshape(1, 1, 12, 1)
    x = x.astype(np.int16 if dtype == "int16" else np.int8)
    compare(pool_model("AVERAGE_POOL_2D", dtype, x.shape, (1, 2), (1, 2), "VALID", 0.1, 0),
            [x])


def test_requantizing_pool_refused():
    m = single_op("MAX_POOL_2D", [qt((1, 4, 4, 1), "int8", 0.1, 0)],
                  [qt((1, 2, 2, 1), "int8", 0.2, 0)],
                  options=dict(filter_height=2, filter_width=2, stride_h=2, stride_w=2,
                               padding="VALID"))
    assert "does not requantize" in numlite_error(m, [np.zeros((1, 4, 4, 1), np.int8)])
