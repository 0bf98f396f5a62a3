"""GATHER_ND, SCATTER_ND, EMBEDDING_LOOKUP, ONE_HOT against ai_edge_litert: index depths,
index dtypes, value dtypes, repeated scatter indices, out-of-range errors. All exact."""

import numpy as np
import pytest

from builder import T, single_op
from differential import compare, litert_error, numlite_error


def name(dtype):
    return dtype if isinstance(dtype, str) else np.dtype(dtype).name


def values(shape, dtype=np.float32):
    n = int(np.prod(shape))
    if dtype == "string":
        return np.array([b"v%d" % i for i in range(n)], dtype=object).reshape(shape)
    if np.dtype(dtype).kind == "b":
        return (np.arange(n) % 3 == 0).reshape(shape)
    return (np.arange(n).reshape(shape) % 100).astype(dtype)


def random_indices(rng, lead, dims, dtype=np.int32):
    cols = [rng.integers(0, d, size=lead) for d in dims]
    return np.stack(cols, axis=-1).astype(dtype) if cols else np.zeros(lead + (0,), dtype)


# ---- GATHER_ND -------------------------------------------------------------------------------

GATHER_ND = [((5,), (3, 1)), ((4, 3), (2, 2)), ((4, 3), (2, 1)), ((4, 3), (5, 2, 1)),
             ((2, 3, 4), (3, 2)), ((2, 3, 4), (2, 2, 3)), ((2, 3, 4, 5), (4, 1)), ((4, 3), (1,)),
             ((4, 3), (2,))]


@pytest.mark.parametrize("index_dtype", (np.int16, np.int32, np.int64), ids=name)
@pytest.mark.parametrize("pshape,ishape", GATHER_ND, ids=str)
def test_gather_nd(pshape, ishape, index_dtype):
    rng = np.random.default_rng(len(pshape) + len(ishape))
    idx = random_indices(rng, ishape[:-1], pshape[:ishape[-1]], index_dtype)
    out = list(ishape[:-1]) + list(pshape[ishape[-1]:])
    m = single_op("GATHER_ND", [T(list(pshape)), T(list(ishape), index_dtype)], [T(out)])
    compare(m, [values(pshape), idx])
    m = single_op("GATHER_ND", [T(list(pshape)), T(list(ishape), index_dtype, data=idx)],
                  [T(out)])
    compare(m, [values(pshape)])


@pytest.mark.parametrize("dtype", (np.float32, np.float16, np.int8, np.uint8, np.int16, np.int32,
                                   np.int64, np.bool_, "string"), ids=name)
def test_gather_nd_dtypes(dtype):
    idx = np.array([[1, 2], [0, 0], [3, 1]], np.int32)
    m = single_op("GATHER_ND", [T([4, 3], dtype), T([3, 2], np.int32)], [T([3], dtype)])
    compare(m, [values((4, 3), dtype), idx])


@pytest.mark.parametrize("bad", [[[0, 3]], [[4, 0]], [[-1, 0]]], ids=str)
def test_gather_nd_out_of_range_fails_at_invoke(bad):
    m = single_op("GATHER_ND", [T([4, 3]), T([1, 2], np.int32)], [T([1])])
    feeds = [values((4, 3)), np.array(bad, np.int32)]
    assert "failed to invoke" in litert_error(m, feeds)
    assert "Node number 0 (GATHER_ND) failed to invoke." in numlite_error(m, feeds)


# ---- SCATTER_ND ------------------------------------------------------------------------------

SCATTER = [((5,), (3, 1)), ((4, 3), (2, 2)), ((4, 3), (5, 1)), ((2, 3, 4), (3, 2)),
           ((2, 3, 4), (2, 2, 3)), ((6,), (10, 1))]


@pytest.mark.parametrize("dtype", (np.float32, np.int32, np.int64, np.int8, np.uint8),
                         ids=name)
@pytest.mark.parametrize("shape,ishape", SCATTER, ids=str)
def test_scatter_nd(shape, ishape, dtype):
    """Repeated indices (frequent here) add up."""
    rng = np.random.default_rng(len(shape) + len(ishape))
    idx = random_indices(rng, ishape[:-1], shape[:ishape[-1]])
    ushape = list(ishape[:-1]) + list(shape[ishape[-1]:])
    upd = (values(ushape, np.int32) % 7 + 1).astype(dtype)
    m = single_op("SCATTER_ND", [T(list(ishape), np.int32), T(ushape, dtype),
                                 T([len(shape)], np.int32, data=list(shape))],
                  [T(list(shape), dtype)])
    compare(m, [idx, upd])
    m = single_op("SCATTER_ND", [T(list(ishape), np.int32), T(ushape, dtype),
                                 T([len(shape)], np.int32)], [T(list(shape), dtype)])
    compare(m, [idx, upd, np.array(shape, np.int32)])


def test_scatter_nd_bool():
    idx = np.array([[0], [2], [0]], np.int32)
    m = single_op("SCATTER_ND", [T([3, 1], np.int32), T([3, 2], np.bool_),
                                 T([2], np.int32, data=[4, 2])], [T([4, 2], np.bool_)])
    compare(m, [idx, np.array([[True, False], [True, True], [False, False]])])


def test_scatter_nd_out_of_range_fails_at_invoke():
    m = single_op("SCATTER_ND", [T([2, 1], np.int32), T([2]), T([1], np.int32, data=[4])],
                  [T([4])])
    feeds = [np.array([[1], [4]], np.int32), np.ones(2, np.float32)]
    assert "failed to invoke" in litert_error(m, feeds)
    assert "Node number 0 (SCATTER_ND) failed to invoke." in numlite_error(m, feeds)


# ---- EMBEDDING_LOOKUP ------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", (np.float32, np.float16, np.float64, np.int16, np.int32,
                                   np.int64, np.bool_), ids=name)
@pytest.mark.parametrize("table", [(5, 3), (4, 2, 3), (6, 1)], ids=str)
def test_embedding_lookup(table, dtype):
    ids = np.array([3, 0, 0, 2, 1], np.int32) % table[0]
    m = single_op("EMBEDDING_LOOKUP", [T([5], np.int32), T(list(table), dtype)],
                  [T([5] + list(table[1:]), dtype)])
    compare(m, [ids, values(table, dtype)])


def test_embedding_lookup_needs_a_matrix():
    m = single_op("EMBEDDING_LOOKUP", [T([2], np.int32), T([6])], [T([2])])
    feeds = [np.array([1, 2], np.int32), values((6,))]
    text = "NumDimensions(value) >= 2 was not true."
    assert text in litert_error(m, feeds) and text in numlite_error(m, feeds)


def test_embedding_lookup_constant_table():
    table = values((7, 4))
    m = single_op("EMBEDDING_LOOKUP", [T([3], np.int32), T([7, 4], data=table)], [T([3, 4])])
    compare(m, [np.array([6, 0, 3], np.int32)])


@pytest.mark.parametrize("bad", ([5], [-1]), ids=str)
def test_embedding_lookup_out_of_range_fails_at_invoke(bad):
    m = single_op("EMBEDDING_LOOKUP", [T([1], np.int32), T([5, 2])], [T([1, 2])])
    feeds = [np.array(bad, np.int32), values((5, 2))]
    theirs, ours = litert_error(m, feeds), numlite_error(m, feeds)
    assert "Embedding Lookup: index out of bounds." in theirs
    assert theirs.split("Node number")[0] in ours
    assert "Node number 0 (EMBEDDING_LOOKUP) failed to invoke." in ours


def test_hybrid_embedding_lookup_is_refused():
    q = dict(scales=[0.5], zero_points=[0])
    m = single_op("EMBEDDING_LOOKUP", [T([1], np.int32), T([5, 2], np.int8, quant=q)],
                  [T([1, 2])])
    error = numlite_error(m, [np.array([1], np.int32), np.ones((5, 2), np.int8)])
    assert "Node number 0 (EMBEDDING_LOOKUP) failed to prepare." in error


# ---- ONE_HOT ---------------------------------------------------------------------------------

@pytest.mark.parametrize("index_dtype", (np.int32, np.int64), ids=name)
@pytest.mark.parametrize("ishape,depth,axis", [((4,), 3, -1), ((4,), 5, 0), ((2, 3), 4, -1),
                                               ((2, 3), 4, 1), ((2, 3), 2, 0), ((), 4, -1),
                                               ((2, 2, 2), 3, 2)], ids=str)
def test_one_hot(ishape, depth, axis, index_dtype):
    rng = np.random.default_rng(depth)
    idx = np.asarray(rng.integers(-1, depth + 1, size=ishape)).astype(index_dtype)  # some out
    out = list(ishape)
    out.insert(len(ishape) if axis == -1 else axis, depth)
    m = single_op("ONE_HOT", [T(list(ishape), index_dtype), T([], np.int32, data=depth),
                              T([], np.float32), T([], np.float32)], [T(out)],
                  options=dict(axis=axis))
    compare(m, [idx, np.asarray(2.5, np.float32), np.asarray(-1.0, np.float32)])


@pytest.mark.parametrize("dtype", (np.float32, np.int8, np.uint8, np.int32, np.int64, np.bool_),
                         ids=name)
def test_one_hot_dtypes(dtype):
    on, off = (np.asarray(True), np.asarray(False)) if dtype == np.bool_ else \
        (np.asarray(7, dtype), np.asarray(1, dtype))
    m = single_op("ONE_HOT", [T([3], np.int32), T([], np.int32, data=4), T([], dtype),
                              T([], dtype)], [T([3, 4], dtype)], options=dict(axis=-1))
    compare(m, [np.array([0, 3, 1], np.int32), on, off])
