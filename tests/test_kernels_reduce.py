"""MEAN, SUM, REDUCE_PROD, REDUCE_MAX, REDUCE_MIN, REDUCE_ANY, REDUCE_ALL, ARG_MAX, ARG_MIN,
CUMSUM against ai_edge_litert.

Bit-exact with LiteRT's reference kernels, except float SUM/MEAN over axes that are not
leading: numlite adds those in float64 and rounds once, so it differs from LiteRT's float32
running sum by at most that sum's own rounding error, n * 2^-24 * sum(|x|) (checked with
that bound; leading-axes reductions, e.g. global pooling, are checked bit-exact). The
default kernels sum in yet another order: MEAN/SUM there are compared within 1e-5 of the
sum of magnitudes.
"""

import numpy as np
import pytest

from builder import T, single_op
from differential import (DEFAULT, assert_same, compare, litert_error, numlite_error, run_litert,
                          run_numlite)

REDUCERS = ("MEAN", "SUM", "REDUCE_PROD", "REDUCE_MAX", "REDUCE_MIN")
DTYPES = {
    "MEAN": (np.float32, np.int32, np.int64),
    "SUM": (np.float32, np.int32, np.int64, np.bool_),
    "REDUCE_PROD": (np.float32, np.int32, np.int64, np.bool_),
    "REDUCE_MAX": (np.float32, np.int8, np.uint8, np.int16, np.int32, np.int64, np.bool_),
    "REDUCE_MIN": (np.float32, np.int8, np.uint8, np.int16, np.int32, np.int64, np.bool_),
    "REDUCE_ANY": (np.bool_,),
    "REDUCE_ALL": (np.bool_,),
}
AXES = [  # input shape, axes
    ((5,), [0]), ((5,), [-1]), ((3, 4), [0]), ((3, 4), [1]), ((3, 4), [0, 1]), ((3, 4), [-1, 0]),
    ((2, 3, 4), [1]), ((2, 3, 4), [0, 2]), ((2, 3, 4), [2, 2, -1]), ((1, 7, 7, 5), [1, 2]),
    ((2, 3, 4, 5), [0, 3]), ((2, 3, 4, 5), [1, 2, 3]), ((2, 1, 3, 1, 2), [1, 3, 4]),
    ((3, 4), []), ((2, 0, 3), [1]), ((2, 0, 3), [0]), ((60, 50), [0, 1]), ((300,), [0]),
]


def values(op, shape, dtype, rng):
    dtype = np.dtype(dtype)
    if dtype.kind == "b":
        return np.asarray(rng.random(shape) < (0.85 if op in ("REDUCE_ALL", "REDUCE_PROD",
                                                              "REDUCE_MIN") else 0.15))
    if dtype.kind == "f":
        x = rng.standard_normal(shape) * 3
        if op == "REDUCE_PROD":
            x = rng.uniform(0.5, 1.8, shape) * np.sign(x)
        return np.asarray(x, dtype)
    info = np.iinfo(dtype)
    if op == "REDUCE_PROD":
        return np.asarray(rng.integers(-3, 4, size=shape)).astype(dtype)
    return np.asarray(rng.integers(max(info.min, -10 ** 6), min(info.max, 10 ** 6), size=shape,
                                   endpoint=True)).astype(dtype)


def reduce_model(op, shape, axes, dtype=np.float32, keep_dims=False, const_axes=True,
                 axis_dtype=np.int32):
    axes_def = T([len(axes)], axis_dtype, data=np.array(axes, axis_dtype) if const_axes else None)
    return single_op(op, [T(list(shape), dtype), axes_def], [T([1], dtype)],
                     options=dict(keep_dims=keep_dims))


CASES = [(op, np.dtype(dt).name) for op in DTYPES for dt in DTYPES[op]]


def leading(shape, axes):
    """Whether the reduced axes come before every kept axis of size > 1 (and something of
    size > 1 is kept): numlite then adds in LiteRT's order."""
    axes = {a % len(shape) for a in axes}
    kept = [i for i, d in enumerate(shape) if i not in axes and d != 1]
    reduced = [i for i in axes if shape[i] != 1]
    return bool(kept) and (not reduced or max(reduced) < min(kept))


def compare_float_sum(model, x, axes, mean, keep_dims=False):
    """Exact for leading axes, else within LiteRT's own rounding bound of its running sum."""
    ours, theirs = run_numlite(model, [x])[0], run_litert(model, [x])[0]
    axes = tuple(sorted({a % x.ndim for a in axes}))
    if not axes or leading(x.shape, axes):
        assert_same(ours, theirs)
        return
    n = int(np.prod([x.shape[a] for a in axes]))
    bound = n * 2.0 ** -24 * np.abs(x.astype(np.float64)).sum(axis=axes, keepdims=keep_dims)
    if mean:
        bound = bound / max(n, 1)
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
    nan = np.isnan(theirs)
    assert (np.isnan(ours) == nan).all()
    err = np.abs(ours.astype(np.float64) - theirs)[~nan]
    ulp = np.spacing(np.abs(theirs[~nan])).astype(np.float64)
    assert (err <= np.asarray(bound)[~nan] + ulp).all(), (ours, theirs, bound)


@pytest.mark.parametrize("keep_dims", (False, True))
@pytest.mark.parametrize("shape,axes", AXES, ids=str)
@pytest.mark.parametrize("op,dtype", CASES)
def test_reduce(op, dtype, shape, axes, keep_dims):
    x = values(op, shape, dtype, np.random.default_rng(len(shape) + len(axes)))
    m = reduce_model(op, shape, axes, dtype, keep_dims)
    if op in ("SUM", "MEAN") and dtype == "float32":
        compare_float_sum(m, x, axes, op == "MEAN", keep_dims)
    else:
        compare(m, [x])


@pytest.mark.parametrize("op", REDUCERS + ("REDUCE_ANY", "REDUCE_ALL"))
def test_axes_from_a_graph_input(op):
    """Axes not known at prepare: the output shape is found at invoke."""
    dtype = DTYPES[op][0]
    x = values(op, (2, 3, 4), dtype, np.random.default_rng(1))
    for axes, keep in (([1], False), ([0, 2], True), ([-1], False), ([0], True)):
        m = reduce_model(op, (2, 3, 4), axes, dtype, keep, const_axes=False)
        if op in ("SUM", "MEAN") and axes != [0]:
            ours, theirs = run_numlite(m, [x, np.array(axes, np.int32)])[0], \
                run_litert(m, [x, np.array(axes, np.int32)])[0]
            assert_same(ours, theirs, ulps=2, atol=1e-6)
        else:
            compare(m, [x, np.array(axes, np.int32)])


@pytest.mark.parametrize("op", ("SUM", "MEAN", "REDUCE_MAX"))
def test_int64_axes_are_refused(op):
    x = values(op, (3, 4, 5), np.float32, np.random.default_rng(2))
    m = reduce_model(op, (3, 4, 5), [0, -1], axis_dtype=np.int64)
    assert "op_context.axis->type != kTfLiteInt32" in litert_error(m, [x])
    assert f"Node number 0 ({op}) failed to prepare." in numlite_error(m, [x])


@pytest.mark.parametrize("op", ("MEAN", "SUM"))
def test_float_sums_against_litert_rounding(op):
    """Values of very different magnitudes: the summation order shows. Leading axes ([0],
    [0, 1] and a global pool) are bit-exact; the rest stay within LiteRT's own error."""
    rng = np.random.default_rng(5)
    x = np.asarray(rng.standard_normal((4, 300, 3)) * 10.0 ** rng.integers(-4, 6, (4, 300, 3)),
                   np.float32)
    for axes in ([0], [0, 1], [1], [0, 1, 2], [2], [0, 2]):
        compare_float_sum(reduce_model(op, x.shape, axes), x, axes, op == "MEAN")
    pool = np.asarray(rng.standard_normal((1, 7, 7, 64)) *
                      10.0 ** rng.integers(-4, 6, (1, 7, 7, 64)), np.float32)
    compare(reduce_model(op, pool.shape, [1, 2], keep_dims=True), [pool])


@pytest.mark.parametrize("op", ("MEAN", "SUM"))
def test_default_resolver(op):
    x = values(op, (2, 9, 9, 16), np.float32, np.random.default_rng(6))
    for axes in ([1, 2], [3], [0, 1, 2, 3]):
        m = reduce_model(op, x.shape, axes, keep_dims=True)
        ours, theirs = run_numlite(m, [x])[0], run_litert(m, [x], DEFAULT)[0]
        scale = np.abs(x).sum(axis=tuple(axes), keepdims=True)
        if op == "MEAN":
            scale = scale / np.prod([x.shape[a] for a in axes])
        assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
        assert (np.abs(ours - theirs) <= 1e-5 * scale).all()


@pytest.mark.parametrize("op", ("REDUCE_MAX", "REDUCE_MIN", "SUM", "MEAN", "REDUCE_PROD"))
def test_float_special_values(op):
    x = np.array([[np.nan, 1.0, -2.0], [np.nan, np.nan, np.nan], [np.inf, -np.inf, 0.0],
                  [-0.0, -0.0, -0.0], [3e38, 3e38, -1.0], [np.nan, -np.inf, np.nan]], np.float32)
    compare(reduce_model(op, x.shape, [0]), [x])
    if op in ("SUM", "MEAN"):
        # (a float64 sum does not overflow where LiteRT's float32 running sum does: skip the
        # 3e38 row across the non-leading axis)
        x = np.delete(x, 4, axis=0)
    compare(reduce_model(op, x.shape, [1]), [x])


@pytest.mark.parametrize("op", ("REDUCE_MAX", "REDUCE_MIN", "SUM", "REDUCE_PROD", "MEAN"))
def test_empty_reduction(op):
    m = reduce_model(op, (2, 0, 3), [1])
    compare(m, [np.zeros((2, 0, 3), np.float32)])


def test_integer_mean_truncates_toward_zero():
    x = np.array([[-7, 0, 0], [7, 0, 0], [-2, -2, 1], [2 ** 30, 2 ** 30, 2 ** 30]], np.int32)
    ours, _ = compare(reduce_model("MEAN", x.shape, [1], np.int32), [x])
    assert ours[0].tolist() == [-2, 2, -1, 2 ** 30]


def test_integer_sum_and_prod_wrap():
    x = np.array([[2 ** 31 - 1, 1, 1], [2 ** 16, 2 ** 16, 3]], np.int32)
    compare(reduce_model("SUM", x.shape, [1], np.int32), [x])
    compare(reduce_model("REDUCE_PROD", x.shape, [1], np.int32), [x])


def test_scalar_result():
    x = values("SUM", (3, 4), np.float32, np.random.default_rng(8))
    ours, _ = compare(reduce_model("SUM", x.shape, [0, 1]), [x])
    assert ours[0].shape == ()


def test_max_keeps_identical_quantization():
    q = dict(scales=[0.5], zero_points=[-3])
    m = single_op("REDUCE_MAX", [T([2, 3], np.int8, quant=q), T([1], np.int32, data=[1])],
                  [T([2], np.int8, quant=q)], options=dict(keep_dims=False))
    compare(m, [np.array([[-128, 5, 3], [0, -1, 127]], np.int8)])


@pytest.mark.parametrize("op", ("SUM",))       # quantized MEAN: integer_reduce
def test_quantized_mean_sum_are_refused(op):
    q = dict(scales=[0.5], zero_points=[-3])
    m = single_op(op, [T([2, 3], np.int8, quant=q), T([1], np.int32, data=[1])],
                  [T([2], np.int8, quant=q)], options=dict(keep_dims=False))
    assert f"Node number 0 ({op}) failed to prepare." in numlite_error(m, [np.ones((2, 3),
                                                                                  np.int8)])


@pytest.mark.parametrize("axes", ([2], [-3], [0, 5]), ids=str)
def test_out_of_range_axes_fail(axes):
    m = reduce_model("SUM", (2, 3), axes)
    feeds = [np.ones((2, 3), np.float32)]
    assert litert_error(m, feeds) is not None
    assert "Node number 0 (SUM) failed to" in numlite_error(m, feeds)


# ---- ARG_MAX / ARG_MIN ------------------------------------------------------------------------

ARG_DTYPES = (np.float32, np.int8, np.uint8, np.int32, np.bool_)


def arg_model(op, shape, axis, dtype=np.float32, out_type=np.int32, axis_dtype=np.int32):
    return single_op(op, [T(list(shape), dtype), T([1], axis_dtype, data=[axis])],
                     [T([1], out_type)], options=dict(output_type=out_type))


@pytest.mark.parametrize("out_type", (np.int32, np.int64), ids=lambda d: d.__name__)
@pytest.mark.parametrize("dtype", ARG_DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("op", ("ARG_MAX", "ARG_MIN"))
def test_arg_max_min(op, dtype, out_type):
    rng = np.random.default_rng(3)
    for shape, axis in (((7,), 0), ((3, 5), 1), ((3, 5), 0), ((2, 3, 4), -1), ((2, 3, 4), 1),
                        ((1, 4, 4, 6), 3), ((4, 1), 1)):
        x = values("REDUCE_MAX", shape, dtype, rng)
        if np.dtype(dtype).kind != "b":
            x = (x % 5).astype(dtype)               # many ties: the first index wins
        compare(arg_model(op, shape, axis, dtype, out_type), [x])


@pytest.mark.parametrize("op", ("ARG_MAX", "ARG_MIN"))
def test_arg_max_min_nan_and_inf(op):
    x = np.array([[np.nan, 1.0, 2.0], [1.0, np.nan, 2.0], [np.inf, np.nan, np.inf],
                  [-np.inf, -np.inf, np.nan], [np.nan, np.nan, np.nan], [2.0, np.nan, -1.0],
                  [np.nan, -np.inf, -np.inf], [np.nan, np.inf, np.inf], [3.0, 1.0, np.nan]],
                 np.float32)
    compare(arg_model(op, x.shape, 1), [x])
    compare(arg_model(op, x.shape, 0), [x])
    compare(arg_model(op, x.shape, 1), [x], resolver=DEFAULT)


def test_arg_max_int64_axis():
    x = values("REDUCE_MAX", (3, 4), np.float32, np.random.default_rng(4))
    compare(arg_model("ARG_MAX", x.shape, 1, axis_dtype=np.int64), [x])


def test_arg_max_output_type_must_match():
    m = single_op("ARG_MAX", [T([3, 4]), T([1], np.int32, data=[1])], [T([3], np.int32)],
                  options=dict(output_type=np.int64))
    assert "Node number 0 (ARG_MAX) failed to prepare." in numlite_error(
        m, [np.ones((3, 4), np.float32)])


# ---- CUMSUM ----------------------------------------------------------------------------------

@pytest.mark.parametrize("exclusive,reverse", [(False, False), (True, False), (False, True),
                                               (True, True)])
@pytest.mark.parametrize("dtype", (np.float32, np.int32, np.int64), ids=lambda d: d.__name__)
def test_cumsum(dtype, exclusive, reverse):
    rng = np.random.default_rng(5)
    for shape, axis in (((7,), 0), ((3, 5), 1), ((3, 5), 0), ((2, 3, 4), -1), ((2, 3, 4), 1),
                        ((2, 1, 3, 300), 3), ((2, 0, 3), 1), ((1,), 0)):
        x = values("SUM", shape, dtype, rng)
        m = single_op("CUMSUM", [T(list(shape), dtype), T([], np.int32, data=axis)],
                      [T(list(shape), dtype)],
                      options=dict(exclusive=exclusive, reverse=reverse))
        compare(m, [x])
