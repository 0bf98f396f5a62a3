"""Quantized comparisons against ai_edge_litert's reference kernels on every pair of 8-bit
values (a dense int16 grid): rescaled 8-bit values and int16 equality, raw int16 order."""

import numpy as np
import pytest

from builder import T, single_op
from differential import compare
from quant_cases import all_values, random_scale, random_zp, qt

OPS = ("LESS", "LESS_EQUAL", "GREATER", "GREATER_EQUAL", "EQUAL", "NOT_EQUAL")


def compare_model(op, dtype, n, scales, zps):
    return single_op(op, [qt((n, 1), dtype, scales[0], zps[0]),
                          qt((n,), dtype, scales[1], zps[1])],
                     [T([n, n], np.bool_)])


@pytest.mark.parametrize("dtype", ("int8", "uint8", "int16"))
@pytest.mark.parametrize("op", OPS)
def test_comparison(op, dtype):
    rng = np.random.default_rng([OPS.index(op), len(dtype)])
    x = all_values(dtype) if dtype != "int16" else np.arange(-300, 300).astype(np.int16)
    for same in (True, False, False):
        s1, zp1 = random_scale(rng, 1e-4, 0.5), random_zp(rng, dtype)
        s2, zp2 = (s1, zp1) if same else (random_scale(rng, 1e-4, 0.5), random_zp(rng, dtype))
        compare(compare_model(op, dtype, x.size, (s1, s2), (zp1, zp2)), [x.reshape(-1, 1), x])
