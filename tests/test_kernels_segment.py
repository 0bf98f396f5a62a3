"""SEGMENT_SUM, UNSORTED_SEGMENT_SUM/PROD/MAX/MIN against ai_edge_litert: id layouts, empty
segments, multi-dimensional ids, errors. Exact (sums of small integers in float32 are exact;
random floats agree to the ulp: both add in input order).

SEGMENT_SUM is not in LiteRT's reference op set: it is compared with the default kernels.
"""

import numpy as np
import pytest

from builder import T, single_op
from differential import DEFAULT, compare, litert_error, numlite_error

UNSORTED = ("UNSORTED_SEGMENT_SUM", "UNSORTED_SEGMENT_PROD", "UNSORTED_SEGMENT_MAX",
            "UNSORTED_SEGMENT_MIN")


def name(dtype):
    return np.dtype(dtype).name


def data(shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    if np.dtype(dtype).kind == "f":
        return np.asarray(rng.standard_normal(shape) * 3, dtype)
    return np.asarray(rng.integers(-9, 10, size=shape)).astype(dtype)


@pytest.mark.parametrize("dtype", (np.float32, np.int32), ids=name)
@pytest.mark.parametrize("ids", [[0, 0, 1, 2], [0, 1, 1, 1], [0, 0, 0, 0], [0, 1, 2, 3]],
                         ids=str)
def test_segment_sum(ids, dtype):
    rows = max(ids) + 1
    x = data((4, 3), dtype, seed=len(ids))
    m = single_op("SEGMENT_SUM", [T([4, 3], dtype), T([4], np.int32, data=ids)],
                  [T([rows, 3], dtype)])
    compare(m, [x], resolver=DEFAULT)
    m = single_op("SEGMENT_SUM", [T([4, 3], dtype), T([4], np.int32)], [T([rows, 3], dtype)])
    compare(m, [x, np.array(ids, np.int32)], resolver=DEFAULT)


@pytest.mark.parametrize("const", (True, False))
@pytest.mark.parametrize("ids", [[0, 2, 2, 3], [1, 1, 2, 2], [0, 1, 0, 1]], ids=str)
def test_segment_sum_id_rules(ids, const):
    """LiteRT's SEGMENT_SUM wants ids from 0 rising by 0 or 1, and says so at invoke."""
    idt = T([4], np.int32, data=ids if const else None)
    m = single_op("SEGMENT_SUM", [T([4, 2]), idt], [T([4, 2])])
    feeds = [data((4, 2), np.float32)] + ([] if const else [np.array(ids, np.int32)])
    theirs, ours = litert_error(m, feeds, DEFAULT), numlite_error(m, feeds)
    assert theirs is not None and ours is not None
    assert theirs.split("Node number")[0].split(" ", 1)[1] in ours
    assert "Node number 0 (SEGMENT_SUM) failed to invoke." in ours


@pytest.mark.parametrize("dtype", (np.float32, np.int32), ids=name)
@pytest.mark.parametrize("op", UNSORTED)
def test_unsorted_segment(op, dtype):
    rng = np.random.default_rng(len(op))
    for shape, ids_shape, segments in (((6,), (6,), 4), ((6, 3), (6,), 8), ((4, 2, 3), (4, 2), 5),
                                       ((5, 2), (5,), 1), ((3,), (3,), 3)):
        ids = np.asarray(rng.integers(0, segments, size=ids_shape)).astype(np.int32)
        x = data(shape, dtype, seed=segments)
        if op == "UNSORTED_SEGMENT_PROD" and dtype == np.float32:
            x = np.asarray(rng.uniform(0.5, 2.0, shape), np.float32)
        out = [segments] + list(shape[len(ids_shape):])
        m = single_op(op, [T(list(shape), dtype), T(list(ids_shape), np.int32),
                           T([], np.int32, data=segments)], [T(out, dtype)])
        compare(m, [x, ids])          # segments without ids hold the identity


def test_unsorted_segment_num_segments_from_input():
    m = single_op("UNSORTED_SEGMENT_SUM", [T([4]), T([4], np.int32), T([], np.int32)], [T([3])])
    compare(m, [data((4,), np.float32), np.array([2, 0, 2, 1], np.int32),
                np.asarray(3, np.int32)])


@pytest.mark.parametrize("op", UNSORTED)
def test_unsorted_segment_out_of_range_ids_fail(op):
    m = single_op(op, [T([4]), T([4], np.int32), T([], np.int32, data=3)], [T([3])])
    feeds = [data((4,), np.float32), np.array([0, 1, 3, 1], np.int32)]
    error = numlite_error(m, feeds)
    assert error is not None and f"Node number 0 ({op}) failed to invoke." in error
