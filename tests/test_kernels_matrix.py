"""MATRIX_DIAG, MATRIX_SET_DIAG and BATCH_MATMUL against ai_edge_litert.

MATRIX_*: exact. BATCH_MATMUL: exact on small-integer operands (every partial sum is exact
in float32, whatever the summation order); on random operands numlite (BLAS) and LiteRT
(sequential float sums) agree within 1e-6 of the sum of |x_ik * y_kj|.
"""

import numpy as np
import pytest

from builder import T, single_op
from differential import DEFAULT, REF, compare, litert_error, numlite_error, run_litert, \
    run_numlite

DTYPES = (np.float32, np.int8, np.uint8, np.int16, np.int32, np.int64)
#: LiteRT 2.x accepts these for MATRIX_DIAG/MATRIX_SET_DIAG but writes garbage (it copies
#: them with the wrong element size); numlite's results are checked against numpy
OTHER_DTYPES = (np.float16, np.float64, np.bool_)


def name(dtype):
    return np.dtype(dtype).name


def values(shape, dtype=np.float32, offset=1):
    n = int(np.prod(shape))
    if np.dtype(dtype).kind == "b":
        return (np.arange(n) % 3 == 0).reshape(shape)
    return (np.arange(n).reshape(shape) % 50 + offset).astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES, ids=name)
@pytest.mark.parametrize("shape", [(1,), (4,), (2, 3), (2, 1, 3)], ids=str)
def test_matrix_diag(shape, dtype):
    m = single_op("MATRIX_DIAG", [T(list(shape), dtype)], [T(list(shape) + [shape[-1]], dtype)])
    compare(m, [values(shape, dtype)])


@pytest.mark.parametrize("dtype", DTYPES, ids=name)
@pytest.mark.parametrize("shape", [(2, 2), (2, 3), (4, 2), (3, 2, 4), (2, 1, 3, 3)], ids=str)
def test_matrix_set_diag(shape, dtype):
    dshape = list(shape[:-2]) + [min(shape[-2:])]
    m = single_op("MATRIX_SET_DIAG", [T(list(shape), dtype), T(dshape, dtype)],
                  [T(list(shape), dtype)])
    compare(m, [values(shape, dtype), values(dshape, dtype, offset=60)])


@pytest.mark.parametrize("dtype", OTHER_DTYPES, ids=name)
def test_matrix_diag_other_dtypes(dtype):
    x = values((2, 3), dtype)
    m = single_op("MATRIX_DIAG", [T([2, 3], dtype)], [T([2, 3, 3], dtype)])
    out = run_numlite(m, [x])[0]
    expected = np.zeros((2, 3, 3), dtype)
    for b in range(2):
        expected[b][np.diag_indices(3)] = x[b]
    assert out.dtype == np.dtype(dtype) and np.array_equal(out, expected)
    m = single_op("MATRIX_SET_DIAG", [T([3, 2], dtype), T([2], dtype)], [T([3, 2], dtype)])
    d = values((2,), dtype, offset=9)
    out = run_numlite(m, [values((3, 2), dtype), d])[0]
    assert out[0, 0] == d[0] and out[1, 1] == d[1] and out[2, 0] == values((3, 2), dtype)[2, 0]


# ---- BATCH_MATMUL ----------------------------------------------------------------------------

def matmul_model(x_shape, y_shape, adj_x=False, adj_y=False, const_y=None):
    return single_op("BATCH_MATMUL", [T(list(x_shape)), T(list(y_shape), data=const_y)],
                     [T([1])], options=dict(adj_x=adj_x, adj_y=adj_y))


def operand_shapes(batch_x, batch_y, m, k, n, adj_x, adj_y):
    return (tuple(batch_x) + ((k, m) if adj_x else (m, k)),
            tuple(batch_y) + ((n, k) if adj_y else (k, n)))


CASES = [((), (), 2, 3, 4), ((2,), (2,), 3, 4, 5), ((2,), (), 3, 4, 5), ((), (3,), 2, 5, 1),
         ((2, 1), (1, 3), 2, 3, 2), ((2, 3), (3,), 1, 7, 1), ((1, 2, 2), (2, 1, 2), 3, 2, 4),
         ((2, 1, 2), (1, 2, 1), 2, 2, 2), ((), (), 16, 64, 32), ((4,), (4,), 1, 1, 1),
         ((2,), (2,), 3, 0, 4)]
ADJ = [(False, False), (True, False), (False, True), (True, True)]


def small_ints(shape, seed):
    return np.asarray(np.random.default_rng(seed).integers(-8, 9, size=shape), np.float32)


@pytest.mark.parametrize("adj_x,adj_y", ADJ, ids=str)
@pytest.mark.parametrize("batch_x,batch_y,m,k,n", CASES, ids=str)
def test_batch_matmul_exact_on_small_integers(batch_x, batch_y, m, k, n, adj_x, adj_y):
    xs, ys = operand_shapes(batch_x, batch_y, m, k, n, adj_x, adj_y)
    x, y = small_ints(xs, 1), small_ints(ys, 2)
    compare(matmul_model(xs, ys, adj_x, adj_y), [x, y])
    compare(matmul_model(xs, ys, adj_x, adj_y, const_y=y), [x])


def assert_close_to_dot(ours, theirs, x, y, adj_x, adj_y):
    xa = np.abs(np.swapaxes(x, -1, -2) if adj_x else x).astype(np.float64)
    ya = np.abs(np.swapaxes(y, -1, -2) if adj_y else y).astype(np.float64)
    bound = 1e-6 * np.matmul(xa, ya) + 1e-30
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype == np.float32
    assert (np.abs(ours.astype(np.float64) - theirs) <= bound).all()


@pytest.mark.parametrize("resolver", (REF, DEFAULT))
@pytest.mark.parametrize("adj_x,adj_y", ADJ, ids=str)
@pytest.mark.parametrize("batch_x,batch_y,m,k,n", CASES, ids=str)
def test_batch_matmul_random(batch_x, batch_y, m, k, n, adj_x, adj_y, resolver):
    if resolver == DEFAULT and k == 0:
        return      # (nothing to sum; covered by the reference resolver)
    xs, ys = operand_shapes(batch_x, batch_y, m, k, n, adj_x, adj_y)
    rng = np.random.default_rng(m * 100 + k * 10 + n)
    x = np.asarray(rng.standard_normal(xs), np.float32)
    y = np.asarray(rng.standard_normal(ys), np.float32)
    model = matmul_model(xs, ys, adj_x, adj_y)
    ours, theirs = run_numlite(model, [x, y])[0], run_litert(model, [x, y], resolver)[0]
    assert_close_to_dot(ours, theirs, x, y, adj_x, adj_y)


def test_batch_matmul_attention_shapes():
    """[batch, heads, tokens, dim] x its own transpose, as MultiHeadAttention converts."""
    rng = np.random.default_rng(7)
    q = np.asarray(rng.standard_normal((2, 4, 9, 16)), np.float32)
    k = np.asarray(rng.standard_normal((2, 4, 9, 16)), np.float32)
    model = matmul_model(q.shape, k.shape, adj_y=True)
    ours, theirs = run_numlite(model, [q, k])[0], run_litert(model, [q, k])[0]
    assert_close_to_dot(ours, theirs, q, k, False, True)


@pytest.mark.parametrize("xs,ys", [((2, 3), (4, 5)), ((2, 2, 3), (3, 3, 4)), ((3,), (3, 2)),
                                   ((2, 1, 2, 1, 2, 2), (2, 2))], ids=str)
def test_batch_matmul_refuses_mismatched_shapes(xs, ys):
    m = matmul_model(xs, ys)
    feeds = [np.ones(xs, np.float32), np.ones(ys, np.float32)]
    assert litert_error(m, feeds) is not None
    assert "Node number 0 (BATCH_MATMUL) failed to prepare." in numlite_error(m, feeds)


def test_batch_matmul_quantized_and_hybrid_run():
    """int8 operands and the hybrid form (float lhs, int8 constant rhs) go to
    integer_batch_matmul.py and hybrid.py (more in test_kernels_integer_gemm.py)."""
    q = dict(scales=[0.5], zero_points=[0])
    lhs = np.arange(-3, 3, dtype=np.int8).reshape(2, 3)
    m = single_op("BATCH_MATMUL", [T([2, 3], np.int8, quant=q), T([3, 2], np.int8, quant=q)],
                  [T([2, 2], np.int8, quant=q)], options={})
    compare(m, [lhs, np.ones((3, 2), np.int8)])
    m = single_op("BATCH_MATMUL", [T([2, 3]), T([3, 2], np.int8, quant=q,
                                                data=np.ones((3, 2), np.int8))],
                  [T([2, 2])], options={})
    compare(m, [lhs.astype(np.float32)], atol=1e-6)