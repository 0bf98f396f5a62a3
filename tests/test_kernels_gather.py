"""GATHER against ai_edge_litert: axis, batch_dims, index dtypes, params dtypes, strings, errors."""

import numpy as np
import pytest

from builder import T, single_op
from differential import compare, litert_error, numlite_error

DTYPES = (np.float32, np.float16, np.int8, np.uint8, np.int16, np.int32, np.int64, np.bool_)


def params_of(shape, dtype=np.float32):
    x = np.arange(int(np.prod(shape))).reshape(shape)
    return (x % 3 == 0) if dtype == np.bool_ else (x - 7).astype(dtype)


def indices_of(shape, limit, dtype=np.int32, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, limit, size=shape).astype(dtype)


def gather_model(pshape, ishape, axis=0, batch_dims=0, dtype=np.float32, idx_dtype=np.int32,
                 const_indices=None):
    return single_op("GATHER", [T(list(pshape), dtype),
                                T(list(ishape), idx_dtype, data=const_indices)],
                     [T([1], dtype)], options=dict(axis=axis, batch_dims=batch_dims))


CASES = [  # params shape, indices shape, axis, batch_dims
    ((5,), (3,), 0, 0), ((5,), (), 0, 0), ((5, 3), (2,), 0, 0), ((5, 3), (2,), 1, 0),
    ((5, 3), (2, 4), -1, 0), ((5, 3), (4, 2), -2, 0), ((2, 3, 4), (3,), 1, 0),
    ((2, 3, 4), (2, 2), 2, 0), ((2, 3, 4), (), 2, 0), ((2, 3, 4, 5), (6,), 3, 0),
    ((2, 3, 4), (2, 5), 1, 1), ((2, 3, 4), (2, 5), 2, 1), ((2, 3, 4), (2, 3, 2), 2, 2),
    ((2, 3, 4), (2, 3), 2, -1), ((2, 3, 4, 5), (2, 2, 3), 2, 1), ((3, 2, 4), (3, 2, 2), -1, 2),
    ((5, 3), (0,), 0, 0), ((4, 0, 2), (3,), 0, 0),
]


@pytest.mark.parametrize("idx_dtype", (np.int32, np.int64), ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("pshape,ishape,axis,batch_dims", CASES, ids=str)
def test_gather(pshape, ishape, axis, batch_dims, idx_dtype):
    limit = pshape[axis]
    idx = indices_of(ishape, limit, idx_dtype, seed=len(pshape) + len(ishape))
    compare(gather_model(pshape, ishape, axis, batch_dims, idx_dtype=idx_dtype),
            [params_of(pshape), idx])


@pytest.mark.parametrize("pshape,ishape,axis,batch_dims", CASES[:12], ids=str)
def test_gather_constant_indices(pshape, ishape, axis, batch_dims):
    idx = indices_of(ishape, pshape[axis], seed=3)
    compare(gather_model(pshape, ishape, axis, batch_dims, const_indices=idx),
            [params_of(pshape)])


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
def test_gather_dtypes(dtype):
    idx = np.array([[3, 0], [1, 1]], np.int32)
    compare(gather_model((4, 3), (2, 2), axis=0, dtype=dtype), [params_of((4, 3), dtype), idx])


def test_gather_int16_indices():
    compare(gather_model((5, 2), (3,), idx_dtype=np.int16),
            [params_of((5, 2)), np.array([4, 0, 2], np.int16)])


@pytest.mark.parametrize("ishape", [(3,), (2, 2), ()], ids=str)
def test_gather_strings(ishape):
    params = np.array([b"zero", b"", b"two", b"three\x00x"], dtype=object)
    idx = indices_of(ishape, 4, seed=1)
    model = single_op("GATHER", [T([4], "string"), T(list(ishape), np.int32)], [T([1], "string")],
                      options=dict(axis=0))
    compare(model, [params, idx])


def test_gather_strings_need_1d_params():
    model = single_op("GATHER", [T([2, 2], "string"), T([1], np.int32)], [T([1], "string")],
                      options=dict(axis=0))
    feeds = [np.array([[b"a", b"b"], [b"c", b"d"]], dtype=object), np.array([1], np.int32)]
    for error in (litert_error(model, feeds), numlite_error(model, feeds)):
        assert error is not None and "NumDimensions(input) != 1 (2 != 1)" in error


@pytest.mark.parametrize("bad", [[0, 5], [5], [-1], [2, -3], [2 ** 31 - 1]], ids=str)
@pytest.mark.parametrize("axis", (0, 1))
def test_out_of_range_index_fails_at_invoke(bad, axis):
    pshape = (5, 5)
    model = gather_model(pshape, (len(bad),), axis=axis)
    feeds = [params_of(pshape), np.array(bad, np.int32)]
    theirs, ours = litert_error(model, feeds), numlite_error(model, feeds)
    assert "gather index out of bounds" in theirs
    assert ours is not None and "gather index out of bounds" in ours
    assert "Node number 0 (GATHER) failed to invoke." in ours


@pytest.mark.parametrize("bad", (5, -1), ids=str)
@pytest.mark.parametrize("axis", (0, 1))
def test_out_of_range_scalar_index_fails_at_invoke(bad, axis):
    pshape = (5, 5)
    model = gather_model(pshape, (), axis=axis)
    feeds = [params_of(pshape), np.array(bad, np.int32)]
    theirs, ours = litert_error(model, feeds), numlite_error(model, feeds)
    assert "gather index out of bounds" in theirs
    assert ours is not None and "gather index out of bounds" in ours


def test_out_of_range_constant_index_fails_at_invoke():
    model = gather_model((3,), (1,), const_indices=np.array([3], np.int32))
    feeds = [params_of((3,))]
    assert "failed to invoke" in litert_error(model, feeds)
    assert "Node number 0 (GATHER) failed to invoke." in numlite_error(model, feeds)


@pytest.mark.parametrize("axis,batch_dims,ishape", [(2, 0, (1,)), (-3, 0, (1,)), (0, 1, (2, 1)),
                                                    (1, 1, (3, 1)), (1, 3, (2, 1))], ids=str)
def test_bad_attributes_fail_at_prepare(axis, batch_dims, ishape):
    model = gather_model((2, 3), ishape, axis=axis, batch_dims=batch_dims)
    feeds = [params_of((2, 3)), np.zeros(ishape, np.int32)]
    assert "failed to prepare" in litert_error(model, feeds)
    assert "Node number 0 (GATHER) failed to prepare." in numlite_error(model, feeds)


@pytest.mark.parametrize("seed", range(30))
def test_gather_random(seed):
    rng = np.random.default_rng(seed)
    prank = int(rng.integers(1, 5))
    pshape = tuple(int(d) for d in rng.integers(1, 5, prank))
    axis = int(rng.integers(0, prank))
    batch_dims = int(rng.integers(0, axis + 1))
    extra = rng.integers(1, 4, int(rng.integers(0, 3)))
    ishape = pshape[:batch_dims] + tuple(int(d) for d in extra)
    idx = indices_of(ishape, pshape[axis], np.int64 if seed % 2 else np.int32, seed)
    model = gather_model(pshape, ishape, axis - prank if seed % 3 == 0 else axis, batch_dims,
                         idx_dtype=idx.dtype)
    compare(model, [params_of(pshape), idx])
