"""SELECT, SELECT_V2 and WHERE against ai_edge_litert: condition shapes (same, rank one,
broadcast), value dtypes, constants, data-dependent WHERE output. All exact."""

import numpy as np
import pytest

from builder import T, single_op
from differential import compare, compare_dynamic, litert_error, numlite_error

DTYPES = (np.float32, np.float16, np.float64, np.int8, np.uint8, np.int16, np.int32, np.int64,
          np.bool_)


def values(shape, dtype, rng):
    dtype = np.dtype(dtype)
    if dtype.kind == "b":
        return np.asarray(rng.random(shape) < 0.5)
    return np.asarray(rng.integers(-50, 50, size=shape)).astype(dtype) if dtype.kind != "u" \
        else np.asarray(rng.integers(0, 200, size=shape)).astype(dtype)


def select(op, cond_shape, x_shape, y_shape, dtype=np.float32, const_y=None):
    if op == "SELECT":
        out = x_shape
    else:
        out = np.broadcast_shapes(cond_shape, x_shape, y_shape)
    return single_op(op, [T(list(cond_shape), np.bool_), T(list(x_shape), dtype),
                          T(list(y_shape), dtype, data=const_y)], [T(list(out), dtype)])


def feeds(cond_shape, x_shape, y_shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    return [values(cond_shape, np.bool_, rng), values(x_shape, dtype, rng),
            values(y_shape, dtype, rng)]


SELECT_SHAPES = [((), (), ()), ((5,), (5,), (5,)), ((2, 3), (2, 3), (2, 3)),
                 ((2,), (2, 3), (2, 3)), ((3,), (3, 2, 2), (3, 2, 2)), ((1,), (1, 4), (1, 4)),
                 ((2, 0), (2, 0), (2, 0)), ((2, 3, 4, 5), (2, 3, 4, 5), (2, 3, 4, 5))]
SELECT_V2_SHAPES = SELECT_SHAPES + [
    ((), (2, 3), (2, 3)), ((2, 3), (), ()), ((3,), (2, 3), (1,)), ((2, 1), (1, 3), (2, 3)),
    ((1, 4, 1), (3, 1, 2), (1, 1)), ((2, 1, 3, 1, 2), (1, 4, 1, 5, 1), (2, 4, 3, 5, 2)),
    ((0, 3), (3,), ())]


@pytest.mark.parametrize("shapes", SELECT_SHAPES, ids=str)
def test_select(shapes):
    compare(select("SELECT", *shapes), feeds(*shapes, np.float32, seed=len(str(shapes))))


def broadcastable(shapes):
    try:
        np.broadcast_shapes(*shapes)
        return True
    except ValueError:          # SELECT's rank-one conditions
        return False


@pytest.mark.parametrize("shapes", [s for s in SELECT_V2_SHAPES if broadcastable(s)], ids=str)
def test_select_v2(shapes):
    compare(select("SELECT_V2", *shapes), feeds(*shapes, np.float32, seed=len(str(shapes))))


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("op", ("SELECT", "SELECT_V2"))
def test_dtypes(op, dtype):
    shapes = ((2, 3), (2, 3), (2, 3))
    compare(select(op, *shapes, dtype=dtype), feeds(*shapes, dtype, seed=3))


@pytest.mark.parametrize("op", ("SELECT", "SELECT_V2"))
def test_constant_branch(op):
    rng = np.random.default_rng(4)
    y = values((4, 3), np.float32, rng)
    m = select(op, (4, 3), (4, 3), (4, 3), const_y=y)
    compare(m, feeds((4, 3), (4, 3), (4, 3), np.float32)[:2])


@pytest.mark.parametrize("shapes", [((3,), (2, 3), (2, 3)), ((2, 3), (2, 3), (3,))], ids=str)
def test_select_v1_refuses_broadcasting(shapes):
    m = select("SELECT", *shapes)
    f = feeds(*shapes, np.float32)
    assert litert_error(m, f) is not None
    assert "Node number 0 (SELECT) failed to prepare." in numlite_error(m, f)


def test_select_needs_bool_condition():
    m = single_op("SELECT_V2", [T([3], np.int32), T([3]), T([3])], [T([3])])
    f = [np.ones(3, np.int32), np.ones(3, np.float32), np.ones(3, np.float32)]
    assert litert_error(m, f) is not None
    assert "Node number 0 (SELECT_V2) failed to prepare." in numlite_error(m, f)


WHERE_DTYPES = (np.bool_, np.float32, np.int8, np.uint8, np.int32, np.int64)


@pytest.mark.parametrize("shape", [(1,), (7,), (3, 5), (2, 3, 4), (2, 1, 3, 2), (4, 0)],
                         ids=str)
@pytest.mark.parametrize("dtype", WHERE_DTYPES, ids=lambda d: np.dtype(d).name)
def test_where(dtype, shape):
    rng = np.random.default_rng(len(shape))
    x = values(shape, dtype, rng)
    if np.dtype(dtype).kind != "b":
        x[rng.random(shape) < 0.5] = 0
    m = single_op("WHERE", [T(list(shape), dtype)], [T([1, len(shape)], np.int64)])
    compare_dynamic(m, [x])


def test_where_all_true():
    m = single_op("WHERE", [T([3, 4], np.bool_)], [T([1, 2], np.int64)])
    ours, _ = compare(m, [np.full((3, 4), True)])
    assert ours[0].shape == (12, 2)


@pytest.mark.parametrize("shape", [(3, 4), (4, 0)], ids=str)
def test_where_nothing_true(shape):
    m = single_op("WHERE", [T(list(shape), np.bool_)], [T([1, 2], np.int64)])
    ours, _ = compare_dynamic(m, [np.zeros(shape, np.bool_)])
    assert ours[0].shape == (0, 2)


def test_where_of_a_constant_is_folded():
    x = np.array([[0, 1, 0], [2, 0, 3]], np.float32)
    m = single_op("WHERE", [T([2, 3], data=x)], [T([1, 2], np.int64)])
    ours, _ = compare(m, [])
    assert ours[0].tolist() == [[0, 1], [1, 0], [1, 2]]


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("op", ("SELECT", "SELECT_V2"))
def test_large_selections(op, dtype):
    """Large outputs pick raw bits without branches: NaN payloads, -0.0 and broadcasting
    must come through unchanged."""
    rng = np.random.default_rng(11)
    if op == "SELECT":
        shapes = ((40, 33), (40, 33), (40, 33))
    else:
        shapes = ((40, 1), (40, 33), (33,))
    f = feeds(*shapes, dtype, seed=5)
    if np.dtype(dtype).kind == "f":
        f[1].reshape(-1)[:4] = [np.nan, -0.0, np.inf, -np.inf]
    ours, theirs = compare(select(op, *shapes, dtype=dtype), f)
    assert np.array_equal(ours[0].view(np.uint8), theirs[0].view(np.uint8))
    rows = single_op("SELECT", [T([40], np.bool_), T([40, 33], dtype), T([40, 33], dtype)],
                     [T([40, 33], dtype)])
    compare(rows, [rng.random(40) < 0.5, f[1] if op == "SELECT" else
                   np.broadcast_to(f[1], (40, 33)).copy(), values((40, 33), dtype, rng)])
