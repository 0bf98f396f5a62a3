"""PACK, UNPACK, SPLIT, SPLIT_V against ai_edge_litert: axes (negative too), counts, dtypes,
errors. All exact."""

import numpy as np
import pytest

from builder import T, single_op
from differential import compare, litert_error, numlite_error

DTYPES = (np.float32, np.int8, np.uint8, np.int16, np.int32, np.int64)


def name(dtype):
    return np.dtype(dtype).name


def values(shape, dtype=np.float32, offset=0):
    return (np.arange(int(np.prod(shape))).reshape(shape) + offset).astype(dtype)


@pytest.mark.parametrize("shape,count,axis", [((), 3, 0), ((4,), 2, 0), ((4,), 3, 1),
                                              ((4,), 2, -1), ((2, 3), 4, 1), ((2, 3), 2, -3),
                                              ((2, 3, 4), 1, 3), ((2, 0), 2, 1)], ids=str)
def test_pack(shape, count, axis):
    out = list(shape)
    out.insert(axis if axis >= 0 else len(shape) + 1 + axis, count)
    m = single_op("PACK", [T(list(shape)) for _ in range(count)], [T(out)],
                  options=dict(values_count=count, axis=axis))
    compare(m, [values(shape, offset=10 * i) for i in range(count)])


@pytest.mark.parametrize("dtype", DTYPES, ids=name)
def test_pack_dtypes(dtype):
    m = single_op("PACK", [T([2, 3], dtype)] * 2, [T([2, 2, 3], dtype)],
                  options=dict(values_count=2, axis=1))
    compare(m, [values((2, 3), dtype), values((2, 3), dtype, offset=6)])


def test_pack_refuses_mismatched_shapes():
    m = single_op("PACK", [T([2, 3]), T([3, 2])], [T([2, 2, 3])],
                  options=dict(values_count=2, axis=0))
    feeds = [values((2, 3)), values((3, 2))]
    assert litert_error(m, feeds) is not None
    assert "Node number 0 (PACK) failed to prepare." in numlite_error(m, feeds)


@pytest.mark.parametrize("shape,axis", [((3,), 0), ((2, 3), 0), ((2, 3), 1), ((2, 3), -1),
                                        ((2, 3, 4), 1), ((1, 2, 3), 0)], ids=str)
def test_unpack(shape, axis):
    num = shape[axis]
    rest = [d for i, d in enumerate(shape) if i != (axis % len(shape))]
    m = single_op("UNPACK", [T(list(shape))], [T(rest) for _ in range(num)],
                  options=dict(num=num, axis=axis))
    compare(m, [values(shape)])


def test_unpack_refuses_empty_input():
    m = single_op("UNPACK", [T([4, 2, 0])], [T([4, 0])] * 2, options=dict(num=2, axis=1))
    feeds = [np.zeros((4, 2, 0), np.float32)]
    assert "NumElements(input) > 0 was not true." in litert_error(m, feeds)
    assert "NumElements(input) > 0 was not true." in numlite_error(m, feeds)


@pytest.mark.parametrize("dtype", (np.float32, np.float16, np.int8, np.uint8, np.int16,
                                   np.int32, np.bool_), ids=name)
def test_unpack_dtypes(dtype):
    m = single_op("UNPACK", [T([3, 2], dtype)], [T([2], dtype)] * 3, options=dict(num=3, axis=0))
    compare(m, [values((3, 2), dtype)])


@pytest.mark.parametrize("shape,axis,num", [((6,), 0, 3), ((6,), 0, 1), ((4, 6), 1, 2),
                                            ((4, 6), -1, 6), ((4, 6), 0, 4), ((2, 4, 3), 1, 2),
                                            ((2, 4, 3), -2, 4)], ids=str)
def test_split(shape, axis, num):
    a = axis % len(shape)
    piece = [d // num if i == a else d for i, d in enumerate(shape)]
    m = single_op("SPLIT", [T([], np.int32, data=axis), T(list(shape))],
                  [T(piece) for _ in range(num)], options=dict(num_splits=num))
    compare(m, [values(shape)])


@pytest.mark.parametrize("dtype", DTYPES, ids=name)
def test_split_dtypes(dtype):
    m = single_op("SPLIT", [T([], np.int32, data=1), T([2, 4], dtype)], [T([2, 2], dtype)] * 2,
                  options=dict(num_splits=2))
    compare(m, [values((2, 4), dtype)])


def test_split_refuses_uneven_parts():
    m = single_op("SPLIT", [T([], np.int32, data=1), T([2, 5])], [T([2, 2])] * 2,
                  options=dict(num_splits=2))
    feeds = [values((2, 5))]
    assert litert_error(m, feeds) is not None
    assert "Node number 0 (SPLIT) failed to prepare." in numlite_error(m, feeds)


@pytest.mark.parametrize("sizes_dtype", (np.int32, np.int64), ids=name)
@pytest.mark.parametrize("shape,axis,sizes", [((6,), 0, [1, 2, 3]), ((6,), 0, [6]),
                                              ((4, 6), 1, [2, -1]), ((4, 6), -1, [0, 6, 0]),
                                              ((4, 6), 0, [-1, 1]), ((2, 5, 3), 1, [1, 1, 1, 2])],
                         ids=str)
def test_split_v(shape, axis, sizes, sizes_dtype):
    a = axis % len(shape)
    known = [s for s in sizes if s != -1]
    full = [shape[a] - sum(known) if s == -1 else s for s in sizes]
    outs = [T([n if i == a else d for i, d in enumerate(shape)]) for n in full]
    m = single_op("SPLIT_V", [T(list(shape)), T([len(sizes)], sizes_dtype, data=sizes),
                              T([], np.int32, data=axis)], outs,
                  options=dict(num_splits=len(sizes)))
    compare(m, [values(shape)])


def test_split_v_refuses_bad_sizes():
    m = single_op("SPLIT_V", [T([6]), T([2], np.int32, data=[2, 3]), T([], np.int32, data=0)],
                  [T([2]), T([3])], options=dict(num_splits=2))
    feeds = [values((6,))]
    assert litert_error(m, feeds) is not None
    assert "Node number 0 (SPLIT_V) failed to prepare." in numlite_error(m, feeds)
