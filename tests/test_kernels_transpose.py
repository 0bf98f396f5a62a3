"""TRANSPOSE against ai_edge_litert: ranks 0-6, negative permutations, dtypes, dynamic perms."""

import numpy as np
import pytest

from builder import T, single_op
from differential import compare, litert_error, numlite_error, run_numlite

DTYPES = (np.float32, np.float16, np.float64, np.int8, np.uint8, np.int16, np.int32, np.uint32,
          np.int64, np.bool_, np.complex64)

CASES = [
    ((3,), [0]), ((2, 3), [1, 0]), ((2, 3), [0, 1]), ((2, 3, 4), [2, 0, 1]),
    ((2, 3, 4), [1, 2, 0]), ((2, 3, 4), [-1, 0, 1]), ((2, 3, 4, 5), [0, 3, 1, 2]),
    ((2, 3, 4, 5), [3, 2, 1, 0]), ((1, 2, 3, 2, 2), [4, 2, 0, 3, 1]),
    ((2, 1, 3, 1, 2, 2), [5, 4, 3, 2, 1, 0]), ((2, 0, 3), [2, 1, 0]),
]


def arange(shape, dtype=np.float32):
    x = np.arange(int(np.prod(shape))).reshape(shape)
    return (x % 3 == 0) if dtype == np.bool_ else x.astype(dtype)


def model(shape, perm, dtype=np.float32, perm_type=np.int32, const=True):
    perm_def = T([len(perm)], perm_type, data=np.array(perm, perm_type) if const else None)
    return single_op("TRANSPOSE", [T(list(shape), dtype), perm_def], [T([1], dtype)],
                     options={})


@pytest.mark.parametrize("shape,perm", CASES, ids=str)
def test_transpose(shape, perm):
    compare(model(shape, perm), [arange(shape)])


@pytest.mark.parametrize("shape,perm", CASES, ids=str)
def test_transpose_int64_perm(shape, perm):
    """numlite reads an INT64 permutation as int64. (ai_edge_litert 2.3 reinterprets its bytes
    as int32, so only e.g. [1, 0] comes out right there: not a behaviour to copy.)"""
    x = arange(shape)
    out = run_numlite(model(shape, perm, perm_type=np.int64), [x])[0]
    expected = np.transpose(x, [p % max(len(shape), 1) for p in perm]) if perm else x
    assert out.shape == expected.shape and np.array_equal(out, expected)


@pytest.mark.parametrize("shape,perm", CASES[1:8], ids=str)
def test_transpose_dynamic_perm(shape, perm):
    compare(model(shape, perm, const=False), [arange(shape), np.array(perm, np.int32)])


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
def test_transpose_dtypes(dtype):
    compare(model((2, 3, 4), [2, 0, 1], dtype), [arange((2, 3, 4), dtype)])


def test_transpose_strings():
    x = np.array([[b"a", b"bc", b""], [b"d", b"ef", b"g"]], dtype=object)
    m = single_op("TRANSPOSE", [T([2, 3], "string"), T([2], np.int32, data=[1, 0])],
                  [T([3, 2], "string")], options={})
    error = litert_error(m, [x])
    ours = run_numlite(m, [x])[0]
    assert ours.tolist() == x.T.tolist()
    if error is None:      # LiteRT transposes strings too in some versions
        compare(m, [x])


def test_transpose_scalar():
    """A 0-d input with an empty permutation is copied. (ai_edge_litert 2.3 returns an
    uninitialised value there, so this is checked against numpy only.)"""
    out = run_numlite(model((), []), [np.array(2.5, np.float32)])[0]
    assert out.shape == () and out == np.float32(2.5)


def test_output_is_contiguous():
    out = run_numlite(model((2, 3, 4), [2, 0, 1]), [arange((2, 3, 4))])[0]
    assert out.flags.c_contiguous


@pytest.mark.parametrize("perm", [[0, 2], [0, 1, 2], [-3, 0]], ids=str)
def test_bad_permutation_fails_at_prepare(perm):
    m = model((2, 3), perm)
    feeds = [arange((2, 3))]
    assert "failed to prepare" in litert_error(m, feeds)
    assert "Node number 0 (TRANSPOSE) failed to prepare." in numlite_error(m, feeds)
