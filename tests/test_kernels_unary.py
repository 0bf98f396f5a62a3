"""EXP, LOG, SQRT, RSQRT, NEG, ABS, SIN, COS, SQUARE, FLOOR, CEIL, ROUND, SIGN, ZEROS_LIKE
against ai_edge_litert.

Exact (bit-identical) ops: SQRT, RSQRT, SQUARE, NEG, ABS, FLOOR, CEIL, ROUND, SIGN,
ZEROS_LIKE. EXP, LOG, SIN, COS: within 2 ulps of LiteRT's reference kernels (libm/Eigen vs
numpy's SIMD float32 functions) and of the default kernels. CEIL and ROUND are not in
LiteRT's reference op set: they are compared with the default resolver.
"""

import numpy as np
import pytest

from builder import T, single_op
from differential import DEFAULT, compare, litert_error, numlite_error, run_numlite

SHAPES = [(), (1,), (7,), (3, 5), (2, 3, 4), (2, 1, 3, 4), (1, 2, 3, 2, 2), (2, 0, 3)]
SPECIAL = np.array([0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 3.5, 1e-8, -1e-8,
                    np.inf, -np.inf, np.nan, 3e38, -3e38, 88.7, 89.0, -87.0, -104.0, 1e-40,
                    -1e-40, 12345.678, -0.49999997, 0.50000006, 8388607.5, 4194303.5],
                   np.float32)
#: LiteRT's default (XNNPACK) kernels flush subnormal inputs and results to zero
NORMAL = SPECIAL[(np.abs(SPECIAL) >= np.finfo(np.float32).tiny) | (SPECIAL == 0) |
                 np.isnan(SPECIAL)]

EXACT = ("SQRT", "RSQRT", "SQUARE", "NEG", "ABS", "FLOOR", "SIGN")
CLOSE = ("EXP", "LOG", "SIN", "COS")
DEFAULT_ONLY = ("CEIL", "ROUND")
ULPS = 2


def unary(op, shape, dtype=np.float32, quant=None):
    return single_op(op, [T(list(shape), dtype, quant=quant)],
                     [T(list(shape), dtype, quant=quant)])


def data(op, shape, seed=0, dtype=np.float32):
    rng = np.random.default_rng(seed)
    dtype = np.dtype(dtype)
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        return rng.integers(info.min, info.max, size=shape, endpoint=True).astype(dtype)
    x = rng.standard_normal(shape) * 4
    if op in ("LOG", "SQRT", "RSQRT"):
        x = np.abs(x) * 3
    elif op == "EXP":
        x = x * 5
    elif op in ("SIN", "COS"):
        x = x * 10
    return np.asarray(x, dtype=dtype)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("op", EXACT + CLOSE)
def test_float32_shapes(op, shape):
    compare(unary(op, shape), [data(op, shape, seed=len(shape))],
            ulps=ULPS if op in CLOSE else 0)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("op", DEFAULT_ONLY)
def test_float32_shapes_default_only_ops(op, shape):
    compare(unary(op, shape), [data(op, shape, seed=len(shape))], resolver=DEFAULT)


@pytest.mark.parametrize("op", EXACT + CLOSE + DEFAULT_ONLY)
def test_special_values(op):
    if op in DEFAULT_ONLY:
        compare(unary(op, NORMAL.shape), [NORMAL], resolver=DEFAULT)
    else:
        compare(unary(op, SPECIAL.shape), [SPECIAL], ulps=ULPS if op in CLOSE else 0,
                atol=1e-44 if op == "EXP" else 0)


@pytest.mark.parametrize("op", CLOSE)
def test_dense_ranges(op):
    lows = {"EXP": -100.0, "LOG": 1e-30, "SIN": -200.0, "COS": -200.0}
    highs = {"EXP": 88.0, "LOG": 1e30, "SIN": 200.0, "COS": 200.0}
    if op == "LOG":
        x = np.geomspace(lows[op], highs[op], 20001).astype(np.float32)
    else:
        x = np.linspace(lows[op], highs[op], 20001, dtype=np.float32)
    compare(unary(op, x.shape), [x], ulps=ULPS, atol=1e-44)
    # XNNPACK's approximations: 2e-6 relative or (log, sin, cos near their zeros) 4e-7
    # absolute; its exp is good to 1e-5 relative only, and worse towards underflow
    if op == "EXP":
        compare(unary(op, x.shape), [x], resolver=DEFAULT, rtol=1e-5, atol=1e-30)
    else:
        compare(unary(op, x.shape), [x], resolver=DEFAULT, rtol=2e-6, atol=4e-7)


@pytest.mark.parametrize("op", ("SQUARE", "NEG", "ABS", "FLOOR", "CEIL", "ROUND", "SIGN"))
def test_exact_ops_on_default_resolver(op):
    """(Not SQRT: XNNPACK's sqrt is approximate, 1 ulp off, and wrong near FLT_MAX.)"""
    compare(unary(op, NORMAL.shape), [NORMAL], resolver=DEFAULT)


def test_round_half_to_even():
    x = np.array([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.49999997, 2.5000002], np.float32)
    ours, _ = compare(unary("ROUND", x.shape), [x], resolver=DEFAULT)
    assert ours[0].tolist() == [0, 2, 2, -0.0, -2, -2, 0, 3]


def test_sign_keeps_nan_and_zero():
    x = np.array([np.nan, -0.0, 0.0, -3.0, 1e-40, np.inf], np.float32)
    ours, theirs = compare(unary("SIGN", x.shape), [x])
    assert np.array_equal(np.signbit(ours[0]), np.signbit(theirs[0]))


@pytest.mark.parametrize("op,dtype", [("NEG", np.int8), ("NEG", np.int16), ("NEG", np.int32),
                                      ("NEG", np.int64), ("ABS", np.int16), ("ABS", np.int32),
                                      ("SIGN", np.int32), ("SIGN", np.float64),
                                      ("NEG", np.float16), ("SIN", np.float16),
                                      ("COS", np.float16), ("FLOOR", np.float16)])
def test_other_dtypes(op, dtype):
    x = data(op, (4, 9), seed=3, dtype=dtype)
    if np.dtype(dtype).kind in "iu":
        info = np.iinfo(dtype)
        x.reshape(-1)[:3] = [info.min, info.max, 0]          # wrap-around: -(-128) is -128
    compare(unary(op, x.shape, dtype), [x])


@pytest.mark.parametrize("op", ("CEIL", "ROUND"))
def test_float16_default_only_ops(op):
    x = data(op, (5, 7), dtype=np.float16)
    compare(unary(op, x.shape, np.float16), [x], resolver=DEFAULT)


@pytest.mark.parametrize("shape", [(), (3,), (2, 0), (2, 3, 4)], ids=str)
@pytest.mark.parametrize("dtype", (np.float32, np.int32, np.int64), ids=lambda d: d.__name__)
def test_zeros_like(shape, dtype):
    x = np.full(shape, 7, dtype)
    ours, _ = compare(unary("ZEROS_LIKE", shape, dtype), [x])
    assert not ours[0].any()


@pytest.mark.parametrize("op,dtype", [("EXP", np.int32), ("LOG", np.int32), ("SQRT", np.int64),
                                      ("ABS", np.int64), ("SIN", np.int32), ("SQUARE", np.int32),
                                      ("FLOOR", np.int32), ("NEG", np.bool_),
                                      ("ZEROS_LIKE", np.bool_)])
def test_unsupported_types_fail(op, dtype):
    x = np.ones((3,), dtype)
    m = unary(op, (3,), dtype)
    assert litert_error(m, [x]) is not None
    error = numlite_error(m, [x])
    assert error is not None and f"Node number 0 ({op}) failed to prepare." in error


@pytest.mark.parametrize("op", ("SIN", "COS"))   # others: integer_elementwise
def test_quantized_inputs_are_refused(op):
    q = dict(scales=[0.05], zero_points=[3])
    m = unary(op, (4,), np.int8, quant=q)
    error = numlite_error(m, [np.zeros(4, np.int8)])
    assert error is not None and f"Node number 0 ({op}) failed to prepare." in error


def test_scalar_results_are_arrays():
    out = run_numlite(unary("RSQRT", ()), [np.asarray(4.0, np.float32)])[0]
    assert isinstance(out, np.ndarray) and out.shape == () and out == 0.5
