"""SHAPE, RANK, FILL, RANGE, BROADCAST_TO, BROADCAST_ARGS, TILE against ai_edge_litert:
dtypes, constant and graph-input shape operands (dynamic outputs), errors. All exact.
BROADCAST_TO exists in LiteRT from op version 2 (as the converter writes it)."""

import numpy as np
import pytest

from builder import Op, T, build_model, single_op
from differential import (DEFAULT, compare, compare_dynamic, litert_error, numlite_error,
                          run_numlite)

DATA_DTYPES = (np.float32, np.float16, np.float64, np.int8, np.uint8, np.int16, np.int32,
               np.int64, np.bool_, "string")


def name(dtype):
    return dtype if isinstance(dtype, str) else np.dtype(dtype).name


def values(shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    if dtype == "string":
        return np.array([b"s%d" % rng.integers(100) for _ in range(int(np.prod(shape)))],
                        dtype=object).reshape(shape)
    dtype = np.dtype(dtype)
    if dtype.kind == "b":
        return np.asarray(rng.random(shape) < 0.5)
    return np.asarray(rng.integers(0, 100, size=shape)).astype(dtype)


# ---- SHAPE / RANK ------------------------------------------------------------------------------

@pytest.mark.parametrize("out_type", (np.int32, np.int64), ids=lambda d: d.__name__)
@pytest.mark.parametrize("shape", [(3,), (2, 0), (2, 3, 4, 5, 6)], ids=str)
def test_shape(shape, out_type):
    m = single_op("SHAPE", [T(list(shape))], [T([len(shape)], out_type)],
                  options=dict(out_type=out_type))
    ours, _ = compare(m, [np.zeros(shape, np.float32)])
    assert ours[0].tolist() == list(shape)


def test_shape_of_a_scalar():
    """An empty vector (LiteRT's get_tensor refuses to return it: "Invalid tensor size.")."""
    m = single_op("SHAPE", [T([])], [T([0], np.int32)], options=dict(out_type=np.int32))
    compare_dynamic(m, [np.zeros((), np.float32)])


@pytest.mark.parametrize("dtype", DATA_DTYPES, ids=name)
def test_shape_and_rank_of_any_type(dtype):
    x = values((2, 3), dtype)
    compare(single_op("SHAPE", [T([2, 3], dtype)], [T([2], np.int32)],
                      options=dict(out_type=np.int32)), [x])
    compare(single_op("RANK", [T([2, 3], dtype)], [T([], np.int32)]), [x])


def test_shape_follows_resized_input():
    m = single_op("SHAPE", [T([None, 3])], [T([2], np.int32)], options=dict(out_type=np.int32))
    for rows in (1, 4, 0):
        ours, _ = compare(m, [np.zeros((rows, 3), np.float32)])
        assert ours[0].tolist() == [rows, 3]


@pytest.mark.parametrize("shape", [(), (4,), (2, 3, 1, 5)], ids=str)
def test_rank(shape):
    m = single_op("RANK", [T(list(shape))], [T([], np.int32)])
    ours, _ = compare(m, [np.zeros(shape, np.float32)])
    assert ours[0].shape == () and ours[0] == len(shape)


def test_shape_feeding_reshape_and_fill():
    """SHAPE -> FILL: the dims come from another op at run time."""
    m = build_model(tensors=[T([2, 3], name="x"), T([2], np.int32, name="s"),
                             T([], data=np.float32(1.5), name="v"), T([2, 3], name="out")],
                    ops=[Op("SHAPE", [0], [1], options=dict(out_type=np.int32)),
                         Op("FILL", [1, 2], [3])],
                    inputs=[0], outputs=[3])
    ours, _ = compare(m, [np.zeros((2, 3), np.float32)])
    assert (ours[0] == 1.5).all()


# ---- FILL ------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DATA_DTYPES[:-1], ids=name)
def test_fill_dtypes(dtype):
    m = single_op("FILL", [T([3], np.int32, data=[2, 1, 3]), T([], dtype)], [T([2, 1, 3], dtype)])
    compare(m, [values((), dtype, seed=3)])


def test_fill_strings():
    """LiteRT 2.x fills string tensors with garbage bytes (it copies the value's raw bytes);
    numlite repeats the string."""
    m = single_op("FILL", [T([2], np.int32, data=[2, 3]), T([], "string")], [T([2, 3], "string")])
    out = run_numlite(m, [np.array(b"abc", dtype=object)])[0]
    assert out.shape == (2, 3) and out.tolist() == [[b"abc"] * 3] * 2


@pytest.mark.parametrize("dims_dtype", (np.int32, np.int64), ids=lambda d: d.__name__)
@pytest.mark.parametrize("dims", [[], [0], [4], [2, 3], [1, 2, 0, 3]], ids=str)
def test_fill_dims_from_input(dims, dims_dtype):
    m = single_op("FILL", [T([len(dims)], dims_dtype), T([])], [T([1])])
    compare_dynamic(m, [np.array(dims, dims_dtype), np.asarray(-2.5, np.float32)])


def test_fill_refuses_negative_dims_and_non_scalar_values():
    m = single_op("FILL", [T([2], np.int32), T([])], [T([1])])
    feeds = [np.array([2, -1], np.int32), np.asarray(1.0, np.float32)]
    assert litert_error(m, feeds) is not None
    assert "Node number 0 (FILL) failed to" in numlite_error(m, feeds)
    m = single_op("FILL", [T([2], np.int32, data=[2, 2]), T([1])], [T([2, 2])])
    feeds = [np.ones(1, np.float32)]
    assert litert_error(m, feeds) is not None
    assert "Node number 0 (FILL) failed to prepare." in numlite_error(m, feeds)


# ---- RANGE -----------------------------------------------------------------------------------

RANGES = {
    np.int32: [(0, 10, 1), (5, 1, -2), (-7, 8, 3), (0, 1, 5), (2, -2, -1), (10, 0, -3)],
    np.int64: [(0, 10, 3), (2 ** 40, 2 ** 40 + 5, 2), (3, -4, -2)],
    np.float32: [(0.0, 1.0, 0.1), (0.1, 100.3, 0.7), (5.0, -3.0, -0.25), (1.0, 2.0, 0.3),
                 (-1e3, 1e3, 13.7), (0.0, 1e-3, 1e-5)],
}
RANGE_CASES = [(dt, r) for dt in RANGES for r in RANGES[dt]]


def range_model(dtype, const=None):
    const = const or (None, None, None)
    return single_op("RANGE", [T([], dtype, data=c) for c in const], [T([1], dtype)])


@pytest.mark.parametrize("dtype,bounds", RANGE_CASES, ids=str)
def test_range(dtype, bounds):
    feeds = [np.asarray(v, dtype) for v in bounds]
    compare(range_model(dtype), feeds)
    ours, _ = compare(range_model(dtype, const=feeds), [])      # folded at prepare
    if np.dtype(dtype).kind == "f":
        accumulated = np.add.accumulate(np.array([bounds[0]] + [bounds[2]] * (ours[0].size - 1),
                                                 dtype), dtype=dtype)
        assert np.array_equal(ours[0], accumulated)


@pytest.mark.parametrize("bounds", [(1, 5, -1), (5, 1, 1), (1, 5, 0)], ids=str)
def test_range_errors_at_invoke(bounds):
    feeds = [np.asarray(v, np.int32) for v in bounds]
    for m, f in ((range_model(np.int32), feeds), (range_model(np.int32, const=feeds), [])):
        theirs = litert_error(m, f)
        ours = numlite_error(m, f)
        assert theirs is not None and ours is not None
        assert theirs.split("Node number")[0].split(" ", 1)[1] in ours     # (no file:line)
        assert "Node number 0 (RANGE) failed to invoke." in ours


def test_empty_range():
    compare_dynamic(range_model(np.int32), [np.asarray(v, np.int32) for v in (3, 3, 1)])


# ---- BROADCAST_TO / BROADCAST_ARGS ---------------------------------------------------------------

BROADCAST_TO = [((), [3]), ((1,), [4]), ((3,), [2, 3]), ((2, 1), [2, 5]), ((1, 3, 1), [4, 3, 2]),
                ((2, 3), [2, 3]), ((1, 1), [2, 0]), ((3, 1, 2), [2, 2, 3, 4, 2]), ((1,), [])]


@pytest.mark.parametrize("in_shape,target", [c for c in BROADCAST_TO if c[1]], ids=str)
def test_broadcast_to(in_shape, target):
    x = values(in_shape, np.float32, seed=len(target))
    m = single_op("BROADCAST_TO", [T(list(in_shape)), T([len(target)], np.int32, data=target)],
                  [T(target)], version=2)
    compare(m, [x])
    if 0 not in target:
        compare(m, [x], resolver=DEFAULT)
    m = single_op("BROADCAST_TO", [T(list(in_shape)), T([len(target)], np.int64)], [T([1])],
                  version=2)
    compare_dynamic(m, [x, np.array(target, np.int64)])


@pytest.mark.parametrize("dtype", DATA_DTYPES[:-1], ids=name)
def test_broadcast_to_dtypes(dtype):
    m = single_op("BROADCAST_TO", [T([1, 3], dtype), T([3], np.int32, data=[2, 2, 3])],
                  [T([2, 2, 3], dtype)], version=2)
    compare(m, [values((1, 3), dtype, seed=2)])


@pytest.mark.parametrize("in_shape,target", [((3,), [2, 4]), ((2, 3), [3]), ((2,), [-1, 2])],
                         ids=str)
def test_broadcast_to_refuses_bad_targets(in_shape, target):
    m = single_op("BROADCAST_TO", [T(list(in_shape)), T([len(target)], np.int32, data=target)],
                  [T([1])], version=2)
    feeds = [np.zeros(in_shape, np.float32)]
    assert litert_error(m, feeds) is not None
    assert "Node number 0 (BROADCAST_TO) failed to prepare." in numlite_error(m, feeds)


@pytest.mark.parametrize("dtype", (np.int32, np.int64), ids=lambda d: d.__name__)
@pytest.mark.parametrize("a,b", [([2, 1], [4, 1, 3]), ([5], [5]), ([], [2, 3]), ([1, 7], [3, 1]),
                                 ([0, 1], [1, 4])], ids=str)
def test_broadcast_args(a, b, dtype):
    m = single_op("BROADCAST_ARGS", [T([len(a)], dtype, data=np.array(a, dtype)),
                                     T([len(b)], dtype)], [T([1], dtype)])
    compare(m, [np.array(b, dtype)])


def test_broadcast_args_refuses_incompatible_shapes():
    """(LiteRT aborts the process here.)"""
    m = single_op("BROADCAST_ARGS", [T([2], np.int32), T([2], np.int32)], [T([2], np.int32)])
    feeds = [np.array([2, 3], np.int32), np.array([4, 3], np.int32)]
    assert "Node number 0 (BROADCAST_ARGS) failed to invoke." in numlite_error(m, feeds)


# ---- TILE ------------------------------------------------------------------------------------

TILES = [((3,), [2]), ((2, 3), [1, 1]), ((2, 3), [2, 3]), ((1, 2, 1), [3, 1, 4]),
         ((2, 1, 2, 1), [1, 2, 1, 3]), ((2, 3), [0, 2]), ((0, 3), [2, 2])]


@pytest.mark.parametrize("mult_dtype", (np.int32, np.int64), ids=lambda d: d.__name__)
@pytest.mark.parametrize("shape,multiples", TILES, ids=str)
def test_tile(shape, multiples, mult_dtype):
    x = values(shape, np.float32, seed=len(multiples))
    m = single_op("TILE", [T(list(shape)), T([len(multiples)], mult_dtype,
                                             data=np.array(multiples, mult_dtype))], [T([1])])
    compare(m, [x])
    m = single_op("TILE", [T(list(shape)), T([len(multiples)], mult_dtype)], [T([1])])
    compare_dynamic(m, [x, np.array(multiples, mult_dtype)])


@pytest.mark.parametrize("dtype", DATA_DTYPES, ids=name)
def test_tile_dtypes(dtype):
    m = single_op("TILE", [T([2, 2], dtype), T([2], np.int32, data=[2, 3])], [T([4, 6], dtype)])
    compare(m, [values((2, 2), dtype, seed=5)])


def test_tile_refuses_wrong_multiples():
    m = single_op("TILE", [T([2, 2]), T([3], np.int32, data=[1, 2, 3])], [T([1])])
    feeds = [np.zeros((2, 2), np.float32)]
    assert litert_error(m, feeds) is not None
    assert "Node number 0 (TILE) failed to prepare." in numlite_error(m, feeds)


@pytest.mark.parametrize("batch", (1, 3, 5))
def test_dynamic_batch_reshape_pattern(batch):
    """The converter's pattern for a dynamic batch: SHAPE -> STRIDED_SLICE (shrink) -> PACK
    -> RESHAPE, then a reduction and a broadcast back (new shapes at every resize)."""
    tensors = [T([None, 4], name="x"), T([2], np.int32, name="shape"),
               T([1], np.int32, data=[0], name="begin"), T([1], np.int32, data=[1], name="end"),
               T([1], np.int32, data=[1], name="stride"), T([], np.int32, name="batch"),
               T([], np.int32, data=np.int32(2), name="two"), T([3], np.int32, name="packed"),
               T([None, 2, 2], name="reshaped"), T([1], np.int32, data=[2], name="axis"),
               T([None, 2, 1], name="mean"), T([None, 2, 2], name="centered")]
    ops = [Op("SHAPE", [0], [1], options=dict(out_type=np.int32)),
           Op("STRIDED_SLICE", [1, 2, 3, 4], [5], options=dict(shrink_axis_mask=1)),
           Op("PACK", [5, 6, 6], [7], options=dict(values_count=3, axis=0)),
           Op("RESHAPE", [0, 7], [8], options=dict(new_shape=[])),
           Op("MEAN", [8, 9], [10], options=dict(keep_dims=True)),
           Op("SQUARED_DIFFERENCE", [8, 10], [11])]
    m = build_model(tensors=tensors, ops=ops, inputs=[0], outputs=[11, 7])
    x = values((batch, 4), np.float32, seed=batch)
    ours, _ = compare(m, [x])
    assert ours[1].tolist() == [batch, 2, 2]
