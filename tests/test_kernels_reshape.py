"""RESHAPE, SQUEEZE, EXPAND_DIMS against ai_edge_litert."""

import numpy as np
import pytest

from builder import T, single_op
from differential import compare, litert_error, numlite_error

DTYPES = (np.float32, np.int8, np.int32, np.int64, np.bool_, np.float16, np.uint8)


def arange(shape, dtype=np.float32):
    x = np.arange(int(np.prod(shape))).reshape(shape)
    return (x % 2 == 0) if dtype == np.bool_ else x.astype(dtype)


RESHAPES = [
    ((2, 3, 4), [6, 4]), ((2, 3, 4), [-1]), ((2, 3, 4), [4, -1, 2]), ((24,), [2, 3, 2, 2]),
    ((1,), []), ((), [1, 1]), ((2, 3), [3, 2]), ((1, 1, 5), [5]), ((2, 3, 4), [1, 2, 1, 3, 4]),
    ((0, 3), [-1, 3]), ((0, 3), [-1, 0]), ((2, 0, 5), [-1, 0]), ((0, 6), [-1, 2, 0]),
    ((4, 6), [-1, 6]),
]


# (options: [] means "no shape" there; the scalar case is the legacy [0] test)
@pytest.mark.parametrize("in_shape,new_shape,source", [
    (i, n, s) for i, n in RESHAPES for s in ("const_tensor", "options", "both")
    if not (s == "options" and n == [])], ids=str)
def test_reshape(in_shape, new_shape, source):
    inputs = [T(list(in_shape))]
    if source in ("const_tensor", "both"):
        inputs.append(T([len(new_shape)], np.int32, data=np.array(new_shape, np.int32)))
    options = dict(new_shape=new_shape if source == "options" else [7, 7, 7])
    model = single_op("RESHAPE", inputs, [T([1])], options=options)
    compare(model, [arange(in_shape)])


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
def test_reshape_dtypes(dtype):
    model = single_op("RESHAPE", [T([2, 6], dtype), T([3], np.int32, data=[3, -1, 2])],
                      [T([3, 2, 2], dtype)], options={})
    compare(model, [arange((2, 6), dtype)])


def test_reshape_strings():
    x = np.array([[b"a", b"bc"], [b"", b"def"]], dtype=object)
    model = single_op("RESHAPE", [T([2, 2], "string"), T([1], np.int32, data=[4])],
                      [T([4], "string")], options={})
    compare(model, [x])


@pytest.mark.parametrize("new_shape", [[4, -1, 2], [24], [2, 12], [-1], [1, 1, 24]], ids=str)
def test_reshape_dynamic_shape_input(new_shape):
    """The shape is a graph input: the output shape is known only at invoke."""
    model = single_op("RESHAPE", [T([2, 3, 4]), T([len(new_shape)], np.int32)], [T([1])],
                      options={})
    compare(model, [arange((2, 3, 4)), np.array(new_shape, np.int32)])


def test_reshape_legacy_zero_means_scalar():
    model = single_op("RESHAPE", [T([1])], [T([])], options=dict(new_shape=[0]))
    ours, _ = compare(model, [np.array([3.5], np.float32)])
    assert ours[0].shape == ()


def test_reshape_empty_shape_tensor_means_scalar():
    model = single_op("RESHAPE", [T([1, 1]), T([0], np.int32, data=np.zeros(0, np.int32))],
                      [T([])], options={})
    ours, _ = compare(model, [np.array([[2.0]], np.float32)])
    assert ours[0].shape == ()


def test_reshape_int64_shape_tensor_falls_back_to_options():
    """Only a 1-D int32 shape tensor counts; otherwise ReshapeOptions.new_shape is used."""
    model = single_op("RESHAPE", [T([2, 3, 4]), T([2], np.int64, data=[6, 4])], [T([4, 6])],
                      options=dict(new_shape=[4, 6]))
    ours, _ = compare(model, [arange((2, 3, 4))])
    assert ours[0].shape == (4, 6)


@pytest.mark.parametrize("new_shape", [[5, 5], [-1, -1, 2], [7, -1]], ids=str)
def test_reshape_bad_shape_fails_at_prepare(new_shape):
    model = single_op("RESHAPE", [T([2, 3, 4]), T([len(new_shape)], np.int32, data=new_shape)],
                      [T([1])], options={})
    feeds = [arange((2, 3, 4))]
    assert "failed to prepare" in litert_error(model, feeds)
    assert "Node number 0 (RESHAPE) failed to prepare." in numlite_error(model, feeds)


def test_reshape_dynamic_bad_shape_fails_at_invoke():
    model = single_op("RESHAPE", [T([2, 3, 4]), T([2], np.int32)], [T([1])], options={})
    feeds = [arange((2, 3, 4)), np.array([5, 5], np.int32)]
    assert "failed" in litert_error(model, feeds)
    assert "Node number 0 (RESHAPE) failed to invoke." in numlite_error(model, feeds)


SQUEEZES = [
    ((1, 2, 1, 3, 1), []), ((1, 2, 1, 3, 1), [0]), ((1, 2, 1, 3, 1), [-1, 2]),
    ((1, 2, 1, 3, 1), [0, 2, 4]), ((1, 1, 1), []), ((1,), []), ((2, 3), []), ((1, 2, 1), [0, -3]),
    ((3, 1, 1, 1, 1, 1, 2), [-2, 1]),
]


@pytest.mark.parametrize("dtype", (np.float32, np.int8, np.bool_), ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("in_shape,dims", SQUEEZES, ids=str)
def test_squeeze(in_shape, dims, dtype):
    model = single_op("SQUEEZE", [T(list(in_shape), dtype)], [T([1], dtype)],
                      options=dict(squeeze_dims=dims))
    compare(model, [arange(in_shape, dtype)])


@pytest.mark.parametrize("dims", [[1], [3], [-4]], ids=str)
def test_squeeze_bad_dims_fail_at_prepare(dims):
    model = single_op("SQUEEZE", [T([1, 2, 1])], [T([2])], options=dict(squeeze_dims=dims))
    feeds = [arange((1, 2, 1))]
    assert "failed to prepare" in litert_error(model, feeds)
    assert "Node number 0 (SQUEEZE) failed to prepare." in numlite_error(model, feeds)


EXPANDS = [((2, 3), 0), ((2, 3), 1), ((2, 3), 2), ((2, 3), -1), ((2, 3), -3), ((), 0), ((), -1),
           ((4,), 1), ((1, 2, 3, 4), -2)]


@pytest.mark.parametrize("axis_type", (np.int32, np.int64), ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("axis_kind", ("const_scalar", "const_vector", "input"))
@pytest.mark.parametrize("in_shape,axis", EXPANDS, ids=str)
def test_expand_dims(in_shape, axis, axis_kind, axis_type):
    if axis_kind == "const_scalar":
        axis_def = T([], axis_type, data=np.array(axis, axis_type))
    elif axis_kind == "const_vector":
        axis_def = T([1], axis_type, data=np.array([axis], axis_type))
    else:
        axis_def = T([], axis_type)
    model = single_op("EXPAND_DIMS", [T(list(in_shape)), axis_def], [T([1])])
    feeds = [arange(in_shape)]
    if axis_kind == "input":
        feeds.append(np.array(axis, axis_type))
    compare(model, feeds)


@pytest.mark.parametrize("axis", [[3], [-4], [0, 1]], ids=str)
def test_expand_dims_bad_axis_fails_at_prepare(axis):
    model = single_op("EXPAND_DIMS", [T([2, 3]), T([len(axis)], np.int32, data=axis)],
                      [T([2, 3, 1])])
    feeds = [arange((2, 3))]
    assert "failed to prepare" in litert_error(model, feeds)
    assert "Node number 0 (EXPAND_DIMS) failed to prepare." in numlite_error(model, feeds)
