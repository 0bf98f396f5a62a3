"""SQUARED_DIFFERENCE, POW, MAXIMUM, MINIMUM, FLOOR_DIV, FLOOR_MOD, ATAN2, ADD_N against
ai_edge_litert: broadcasting, dtypes, NaN/inf, integer edge cases and errors.

Bit-exact everywhere except POW and ATAN2 (numpy's float32 powf/atan2f against libm:
within 2 ulps).
"""

import numpy as np
import pytest

from builder import T, single_op
from differential import DEFAULT, compare, litert_error, numlite_error

DTYPES = {
    "SQUARED_DIFFERENCE": (np.float32, np.int32),
    "POW": (np.float32, np.int32),
    "MAXIMUM": (np.float32, np.float16, np.int8, np.uint8, np.int16, np.int32, np.int64),
    "MINIMUM": (np.float32, np.float16, np.int8, np.uint8, np.int16, np.int32, np.int64),
    "FLOOR_DIV": (np.float32, np.int8, np.int16, np.int32),
    "FLOOR_MOD": (np.float32, np.int8, np.int16, np.int32, np.int64),
    "ATAN2": (np.float32, np.float64),
}
ULPS = {"POW": 2, "ATAN2": 2}
BROADCASTS = [((), ()), ((5,), ()), ((), (4,)), ((7,), (7,)), ((2, 3), (3,)), ((2, 3), (2, 1)),
              ((1, 3), (4, 1)), ((2, 3, 4), (1, 3, 1)), ((2, 1, 4, 1), (3, 1, 5)),
              ((1, 2, 1, 3, 1, 2), (2, 1, 4, 1, 2, 1)), ((3, 0, 2), (1, 2))]
CASES = [(op, np.dtype(dt).name) for op in DTYPES for dt in DTYPES[op]]
SAME_SHAPES = [((), ()), ((7,), (7,)), ((2, 3, 4), (2, 3, 4)), ((3, 0, 2), (3, 0, 2))]


def values(op, shape, dtype, rng, second=False):
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        x = np.asarray(rng.standard_normal(shape) * 4)
        if op == "POW":
            x = np.abs(x) + 0.1 if not second else x
        if op in ("FLOOR_DIV", "FLOOR_MOD") and second:
            x[np.abs(x) < 0.1] = 0.75
        return np.asarray(x, dtype)
    if op == "POW":
        return np.asarray(rng.integers(0, 6 if second else 9, size=shape)).astype(dtype)
    info = np.iinfo(dtype)
    low, high = max(info.min, -1000), min(info.max, 1000)
    x = np.asarray(rng.integers(low, high, size=shape, endpoint=True)).astype(dtype)
    if op in ("FLOOR_DIV", "FLOOR_MOD") and second:
        x[x == 0] = 7
    return x


def model(op, dtype, shape_a, shape_b, const_b=None):
    out = np.broadcast_shapes(shape_a, shape_b)
    return single_op(op, [T(list(shape_a), dtype), T(list(shape_b), dtype, data=const_b)],
                     [T(list(out), dtype)])


@pytest.mark.parametrize("shapes", BROADCASTS, ids=str)
@pytest.mark.parametrize("op,dtype", [c for c in CASES if c[0] != "ATAN2"])
def test_broadcast(op, dtype, shapes):
    rng = np.random.default_rng(len(str(shapes)))
    a = values(op, shapes[0], dtype, rng)
    b = values(op, shapes[1], dtype, rng, second=True)
    compare(model(op, dtype, *shapes), [a, b], ulps=ULPS.get(op, 0))


@pytest.mark.parametrize("shapes", SAME_SHAPES, ids=str)
@pytest.mark.parametrize("dtype", DTYPES["ATAN2"], ids=lambda d: d.__name__)
def test_atan2(dtype, shapes):
    rng = np.random.default_rng(len(str(shapes)))
    a, b = values("ATAN2", shapes[0], dtype, rng), values("ATAN2", shapes[1], dtype, rng)
    compare(model("ATAN2", dtype, *shapes), [a, b], ulps=ULPS["ATAN2"])


@pytest.mark.parametrize("shapes", [((2, 3), (3,)), ((3,), ())], ids=str)
def test_atan2_does_not_broadcast(shapes):
    m = model("ATAN2", np.float32, *shapes)
    feeds = [np.ones(shapes[0], np.float32), np.ones(shapes[1], np.float32)]
    assert "NumDimensions(a) != tflite::NumDimensions(b)" in litert_error(m, feeds)
    assert "Node number 0 (ATAN2) failed to prepare." in numlite_error(m, feeds)


@pytest.mark.parametrize("op,dtype", CASES)
def test_constant_second_operand(op, dtype):
    rng = np.random.default_rng(4)
    shape_b = (5, 6) if op == "ATAN2" else (1, 6)
    b = values(op, shape_b, dtype, rng, second=True)
    a = values(op, (5, 6), dtype, rng)
    compare(model(op, dtype, (5, 6), shape_b, const_b=b), [a], ulps=ULPS.get(op, 0))


SPECIAL = np.array([0.0, -0.0, 1.0, -1.0, 2.5, -2.5, 7.0, -7.0, 0.1, -0.1, 1e-30, 3e38, -3e38,
                    np.inf, -np.inf, np.nan], np.float32)


@pytest.mark.parametrize("op", ("SQUARED_DIFFERENCE", "POW", "MAXIMUM", "MINIMUM", "FLOOR_DIV",
                                "FLOOR_MOD", "ATAN2"))
def test_float_special_values(op):
    """Every pair of special values (NaN, infinities, zeros of both signs, huge, tiny)."""
    a = np.repeat(SPECIAL, SPECIAL.size)
    b = np.tile(SPECIAL, SPECIAL.size)
    if op == "FLOOR_DIV":                          # a zero divisor is an error (below)
        a, b = a[b != 0], b[b != 0]
    compare(model(op, np.float32, a.shape, b.shape), [a, b], ulps=ULPS.get(op, 0))


def test_maximum_minimum_nan_is_asymmetric():
    """LiteRT: ``a > b ? a : b``: NaN in the first operand gives the second operand."""
    a = np.array([np.nan, 1.0, np.nan, -0.0], np.float32)
    b = np.array([1.0, np.nan, np.nan, 0.0], np.float32)
    ours, _ = compare(model("MAXIMUM", np.float32, (4,), (4,)), [a, b])
    assert ours[0][0] == 1.0 and np.isnan(ours[0][1])
    ours, _ = compare(model("MINIMUM", np.float32, (4,), (4,)), [a, b])
    assert ours[0][0] == 1.0 and np.isnan(ours[0][1])


@pytest.mark.parametrize("op", ("MAXIMUM", "MINIMUM", "SQUARED_DIFFERENCE"))
def test_default_resolver(op):
    rng = np.random.default_rng(9)
    a = values(op, (2, 8, 8, 3), np.float32, rng)
    b = values(op, (8, 1, 3), np.float32, rng, second=True)
    compare(model(op, np.float32, a.shape, b.shape), [a, b], resolver=DEFAULT)


def test_float_floor_div_is_floor_of_double_quotient():
    a = np.array([1.0, -1.0, 7.0, -7.0, 0.3, 5.0, 1e10], np.float32)
    b = np.array([0.1, 0.1, 2.0, 2.0, 0.1, -0.5, 3.0], np.float32)
    ours, _ = compare(model("FLOOR_DIV", np.float32, (7,), (7,)), [a, b])
    assert ours[0][0] == 9.0            # floor(1 / 0.1) in float32 would be 10


@pytest.mark.parametrize("op,dtype", [(op, dt) for op in ("FLOOR_DIV", "FLOOR_MOD")
                                      for dt in DTYPES[op] if dt != np.float32])
def test_integer_signs(op, dtype):
    a = np.array([7, -7, 7, -7, 0, 1, -1, 13, -13], dtype)
    b = np.array([2, 2, -2, -2, 3, -5, 5, 13, 1], dtype)
    compare(model(op, dtype, (9,), (9,)), [a, b])


@pytest.mark.parametrize("op,dtype", [("FLOOR_DIV", np.int32), ("FLOOR_MOD", np.int32),
                                      ("FLOOR_DIV", np.float32), ("FLOOR_MOD", np.int64)])
def test_division_by_zero_fails_at_invoke(op, dtype):
    m = model(op, dtype, (3,), (3,))
    feeds = [np.array([1, 2, 3], dtype), np.array([1, 0, 1], dtype)]
    assert "Division by 0" in litert_error(m, feeds)
    error = numlite_error(m, feeds)
    assert error is not None and "Division by 0" in error
    assert f"Node number 0 ({op}) failed to invoke." in error


def test_int_pow_overflow_and_negative_exponents():
    a = np.array([2, -3, 7, 0, 1, -1, 10], np.int32)
    b = np.array([31, 5, 12, 0, 100, 7, 10], np.int32)
    ours, _ = compare(model("POW", np.int32, (7,), (7,)), [a, b])
    assert ours[0].tolist() == [-2 ** 31, -243, -2 ** 31, 1, 1, -1, -2 ** 31]
    feeds = [a, np.array([1, 1, 1, 1, 1, -1, 1], np.int32)]
    m = model("POW", np.int32, (7,), (7,))
    text = "POW does not support negative value for int32."
    assert text in litert_error(m, feeds)
    error = numlite_error(m, feeds)
    assert text in error and "Node number 0 (POW) failed to invoke." in error


@pytest.mark.parametrize("dtype", (np.int8, np.int32, np.int64))
def test_integer_extremes(dtype):
    info = np.iinfo(dtype)
    # (not min % -1: LiteRT dies of SIGFPE on it for int32/int64)
    a = np.array([info.min, info.max, info.min, info.max, -1, 0], dtype)
    b = np.array([info.max, info.min, 1, 1, info.min, info.max], dtype)
    for op in ("MAXIMUM", "MINIMUM", "FLOOR_MOD"):
        compare(model(op, dtype, (6,), (6,)), [a, b])
    if dtype == np.int32:
        compare(model("SQUARED_DIFFERENCE", dtype, (6,), (6,)), [a, b])


def test_maximum_keeps_identical_quantization():
    q = dict(scales=[0.5], zero_points=[-3])
    m = single_op("MAXIMUM", [T([5], np.int8, quant=q), T([5], np.int8, quant=q)],
                  [T([5], np.int8, quant=q)])
    a = np.array([-128, -3, 0, 5, 127], np.int8)
    b = np.array([127, -4, 1, 5, -128], np.int8)
    compare(m, [a, b])


@pytest.mark.parametrize("op", ("POW", "FLOOR_DIV", "FLOOR_MOD"))
def test_quantized_inputs_are_refused(op):
    # (quantized SQUARED_DIFFERENCE, MAXIMUM, MINIMUM: test_kernels_integer_*.py)
    qa, qo = dict(scales=[0.5], zero_points=[0]), dict(scales=[0.25], zero_points=[1])
    m = single_op(op, [T([4], np.int8, quant=qa), T([4], np.int8, quant=qa)],
                  [T([4], np.int8, quant=qo)])
    error = numlite_error(m, [np.ones(4, np.int8)] * 2)
    assert error is not None and f"Node number 0 ({op}) failed to prepare." in error


@pytest.mark.parametrize("op,dtype", [("POW", np.int64), ("ATAN2", np.int32),
                                      ("SQUARED_DIFFERENCE", np.int64), ("MAXIMUM", np.bool_)])
def test_unsupported_types_fail(op, dtype):
    m = model(op, dtype, (3,), (3,))
    feeds = [np.ones(3, dtype)] * 2
    assert litert_error(m, feeds) is not None
    assert f"Node number 0 ({op}) failed to prepare." in numlite_error(m, feeds)


def add_n(shape, count, dtype=np.float32):
    return single_op("ADD_N", [T(list(shape), dtype) for _ in range(count)],
                     [T(list(shape), dtype)])


@pytest.mark.parametrize("count", (2, 3, 7))
@pytest.mark.parametrize("shape", [(), (5,), (2, 3, 4), (0, 3)], ids=str)
@pytest.mark.parametrize("dtype", (np.float32, np.int32), ids=lambda d: d.__name__)
def test_add_n(dtype, shape, count):
    rng = np.random.default_rng(count)
    feeds = [values("ADD_N", shape, dtype, rng) for _ in range(count)]
    if np.dtype(dtype).kind == "f":
        feeds[0] = feeds[0] * np.float32(1e7)      # summation order shows in the rounding
    compare(add_n(shape, count, dtype), feeds)


def test_add_n_refuses_other_types_shapes_and_one_input():
    m = add_n((3,), 1)
    feeds = [np.ones(3, np.float32)]
    assert "num_inputs >= 2 was not true." in litert_error(m, feeds)
    assert "num_inputs >= 2 was not true." in numlite_error(m, feeds)
    m = add_n((3,), 2, np.int64)
    feeds = [np.ones(3, np.int64)] * 2
    assert "AddN only supports FLOAT32|INT32 now, got INT64." in litert_error(m, feeds)
    assert "AddN only supports FLOAT32|INT32 now, got INT64." in numlite_error(m, feeds)
    m = single_op("ADD_N", [T([3]), T([2])], [T([3])])
    assert "Node number 0 (ADD_N) failed to prepare." in numlite_error(
        m, [np.ones(3, np.float32), np.ones(2, np.float32)])
