"""TOPK_V2 and UNIQUE against ai_edge_litert: ties, dtypes, k from an input, dynamic sizes.
All exact."""

import numpy as np
import pytest

from builder import T, single_op
from differential import compare, compare_dynamic, litert_error, numlite_error

DTYPES = (np.float32, np.int8, np.uint8, np.int16, np.int32, np.int64)


def name(dtype):
    return np.dtype(dtype).name


def topk(shape, k, dtype=np.float32, const_k=True, index_dtype=np.int32):
    out = list(shape[:-1]) + [k]
    return single_op("TOPK_V2", [T(list(shape), dtype),
                                 T([], np.int32, data=np.int32(k) if const_k else None)],
                     [T(out, dtype), T(out, index_dtype)])


@pytest.mark.parametrize("shape,k", [((5,), 2), ((5,), 5), ((5,), 0), ((3, 7), 3),
                                     ((2, 3, 10), 4), ((1, 100), 10), ((4, 1), 1)], ids=str)
@pytest.mark.parametrize("dtype", DTYPES, ids=name)
def test_topk(dtype, shape, k):
    rng = np.random.default_rng(k + len(shape))
    info = np.iinfo(dtype) if np.dtype(dtype).kind in "iu" else None
    x = np.asarray(rng.integers(-5, 6, size=shape) if info is None or info.min < 0 else
                   rng.integers(0, 6, size=shape)).astype(dtype)       # ties everywhere
    compare_dynamic(topk(shape, k, dtype), [x])
    compare_dynamic(topk(shape, k, dtype, const_k=False), [x, np.asarray(k, np.int32)])


def test_topk_float_specials_and_extremes():
    x = np.array([[-0.0, 0.0, 3e38, -3e38, np.inf, -np.inf, 1e-45, 1.0]], np.float32)
    compare(topk(x.shape, 8), [x])
    info = np.iinfo(np.int32)
    y = np.array([[info.min, info.max, 0, -1, info.min, info.max]], np.int32)
    compare(topk(y.shape, 6, np.int32), [y])


def test_topk_refuses_int64_indices():
    x = np.array([[3.0, 1.0, 4.0, 1.0, 5.0]], np.float32)
    m = topk(x.shape, 3, index_dtype=np.int64)
    assert "is currently not supported by TopK." in litert_error(m, [x])
    assert "Output index type INT64 is currently not supported by TopK." in numlite_error(m, [x])


def test_topk_refuses_k_larger_than_the_axis():
    m = topk((2, 3), 4)
    feeds = [np.zeros((2, 3), np.float32)]
    assert litert_error(m, feeds) is not None
    assert "Node number 0 (TOPK_V2) failed to prepare." in numlite_error(m, feeds)


@pytest.mark.parametrize("idx_dtype", (np.int32, np.int64), ids=name)
@pytest.mark.parametrize("dtype", DTYPES, ids=name)
def test_unique(dtype, idx_dtype):
    rng = np.random.default_rng(3)
    for n in (1, 6, 50):
        x = np.asarray(rng.integers(0, 8, size=n)).astype(dtype)
        m = single_op("UNIQUE", [T([n], dtype)], [T([n], dtype), T([n], idx_dtype)],
                      options=dict(idx_out_type=idx_dtype))
        compare_dynamic(m, [x])


def test_unique_float_signed_zero_and_order():
    x = np.array([2.5, -1.0, 2.5, 0.0, 7.0, -1.0, 0.0], np.float32)
    m = single_op("UNIQUE", [T([7])], [T([7]), T([7], np.int32)],
                  options=dict(idx_out_type=np.int32))
    ours, _ = compare_dynamic(m, [x])
    assert ours[0].tolist() == [2.5, -1.0, 0.0, 7.0]
    assert ours[1].tolist() == [0, 1, 0, 2, 3, 1, 2]
