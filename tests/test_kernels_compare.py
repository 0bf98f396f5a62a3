"""LESS, LESS_EQUAL, GREATER, GREATER_EQUAL, EQUAL, NOT_EQUAL, LOGICAL_AND, LOGICAL_OR,
LOGICAL_NOT against ai_edge_litert: broadcasting, dtypes (strings and bools for equality),
NaN and signed zeros, identically quantized int8, refusals. All exact."""

import numpy as np
import pytest

from builder import T, single_op
from differential import DEFAULT, compare, litert_error, numlite_error, run_numlite

COMPARISONS = ("LESS", "LESS_EQUAL", "GREATER", "GREATER_EQUAL", "EQUAL", "NOT_EQUAL")
ORDERED = (np.float32, np.float16, np.int16, np.int32, np.int64)
BROADCASTS = [((), ()), ((5,), ()), ((), (4,)), ((7,), (7,)), ((2, 3), (3,)), ((2, 3), (2, 1)),
              ((1, 3), (4, 1)), ((2, 1, 4, 1), (3, 1, 5)), ((1, 2, 1, 3, 1, 2), (2, 1, 4, 1, 2, 1)),
              ((3, 0, 2), (1, 2))]


def values(shape, dtype, rng):
    dtype = np.dtype(dtype)
    if dtype.kind == "b":
        return np.asarray(rng.random(shape) < 0.5)
    # few distinct values, so equal pairs are frequent
    return np.asarray(rng.integers(-3, 4, size=shape)).astype(dtype)


def model(op, dtype, shape_a, shape_b, out_dtype=np.bool_, const_b=None, quant=None):
    out = np.broadcast_shapes(shape_a, shape_b)
    return single_op(op, [T(list(shape_a), dtype, quant=quant),
                          T(list(shape_b), dtype, data=const_b, quant=quant)],
                     [T(list(out), out_dtype)])


# LiteRT 2.x's NOT_EQUAL on int16 answers True everywhere (a LiteRT bug); numlite computes
# a != b there (checked against numpy below)
CASES = [(op, dt) for op in COMPARISONS for dt in ORDERED
         if not (op == "NOT_EQUAL" and dt == np.int16)]


@pytest.mark.parametrize("shapes", BROADCASTS, ids=str)
@pytest.mark.parametrize("op,dtype", CASES, ids=str)
def test_comparisons(op, dtype, shapes):
    rng = np.random.default_rng(len(str(shapes)))
    compare(model(op, dtype, *shapes), [values(shapes[0], dtype, rng),
                                        values(shapes[1], dtype, rng)])


def test_int16_not_equal_against_numpy():
    rng = np.random.default_rng(0)
    a, b = values((3, 4), np.int16, rng), values((4,), np.int16, rng)
    out = run_numlite(model("NOT_EQUAL", np.int16, (3, 4), (4,)), [a, b])[0]
    assert out.dtype == np.bool_ and np.array_equal(out, a != b)


@pytest.mark.parametrize("op", COMPARISONS)
def test_float_special_values(op):
    special = np.array([0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, np.nan, 1e-45, 3e38], np.float32)
    a, b = np.repeat(special, special.size), np.tile(special, special.size)
    compare(model(op, np.float32, a.shape, b.shape), [a, b])
    compare(model(op, np.float32, a.shape, b.shape), [a, b], resolver=DEFAULT)


@pytest.mark.parametrize("op", COMPARISONS)
def test_constant_operand_and_integer_extremes(op):
    info = np.iinfo(np.int64)
    a = np.array([[info.min, info.max, 0, -1], [5, 6, 7, 8]], np.int64)
    b = np.array([[info.max, info.max, 0, info.min]], np.int64)
    compare(model(op, np.int64, a.shape, b.shape, const_b=b), [a])


@pytest.mark.parametrize("op", ("EQUAL", "NOT_EQUAL"))
def test_equality_on_bool_and_strings(op):
    rng = np.random.default_rng(2)
    compare(model(op, np.bool_, (3, 4), (4,)), [values((3, 4), np.bool_, rng),
                                               values((4,), np.bool_, rng)])
    a = np.array([[b"", b"a", b"abc"], [b"x\x00y", b"b", b"abd"]], dtype=object)
    b = np.array([b"", b"b", b"abc"], dtype=object)
    compare(model(op, "string", (2, 3), (3,)), [a, b])


@pytest.mark.parametrize("op", ("LESS", "GREATER_EQUAL", "EQUAL"))
def test_identically_quantized_int8(op):
    q = dict(scales=[0.25], zero_points=[5])
    a = np.array([-128, -1, 0, 5, 127, 3], np.int8)
    b = np.array([127, -1, 1, 5, -128, 2], np.int8)
    compare(model(op, np.int8, (6,), (6,), quant=q), [a, b])


def test_plain_int8_is_refused():
    # (LiteRT aborts the process on an unquantized int8 comparison; numlite refuses it;
    # quantized ones are test_kernels_integer_compare.py's)
    m = model("LESS", np.int8, (3,), (3,))
    assert "Node number 0 (LESS) failed to prepare." in numlite_error(m, [np.ones(3, np.int8)] * 2)


@pytest.mark.parametrize("op,dtype", [("LESS", np.bool_), ("GREATER", "string")])
def test_unsupported_types_fail(op, dtype):
    m = model(op, dtype, (2,), (2,))
    feeds = ([np.array([True, False])] * 2 if dtype == np.bool_
             else [np.array([b"a", b"b"], dtype=object)] * 2)
    assert litert_error(m, feeds) is not None
    assert f"Node number 0 ({op}) failed to prepare." in numlite_error(m, feeds)


@pytest.mark.parametrize("shapes", BROADCASTS, ids=str)
@pytest.mark.parametrize("op", ("LOGICAL_AND", "LOGICAL_OR"))
def test_logical_binary(op, shapes):
    rng = np.random.default_rng(len(str(shapes)))
    compare(model(op, np.bool_, *shapes), [values(shapes[0], np.bool_, rng),
                                           values(shapes[1], np.bool_, rng)])


@pytest.mark.parametrize("shape", [(), (1,), (7,), (3, 5), (2, 3, 4), (2, 0)], ids=str)
def test_logical_not(shape):
    rng = np.random.default_rng(len(shape))
    m = single_op("LOGICAL_NOT", [T(list(shape), np.bool_)], [T(list(shape), np.bool_)])
    ours, _ = compare(m, [values(shape, np.bool_, rng)])
    assert isinstance(ours[0], np.ndarray)


@pytest.mark.parametrize("op", ("LOGICAL_AND", "LOGICAL_OR", "LOGICAL_NOT"))
def test_logical_ops_need_bools(op):
    arity = 1 if op == "LOGICAL_NOT" else 2
    m = single_op(op, [T([3], np.int32)] * arity, [T([3], np.int32 if arity == 1 else np.bool_)])
    feeds = [np.ones(3, np.int32)] * arity
    assert litert_error(m, feeds) is not None
    error = numlite_error(m, feeds)
    assert f"Node number 0 ({op}) failed to prepare." in error
