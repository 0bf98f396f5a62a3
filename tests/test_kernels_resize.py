"""RESIZE_BILINEAR and RESIZE_NEAREST_NEIGHBOR against ai_edge_litert."""

import numpy as np
import pytest

from builder import T, single_op
from differential import DEFAULT, REF, compare, litert_error, numlite_error

TOL = dict(rtol=1e-5, atol=1e-5)
FLAGS = [(False, False), (True, False), (False, True)]
SIZES = [(10, 14), (3, 4), (8, 11), (1, 1), (5, 7), (15, 2), (2, 21)]


def resize_model(op, in_shape, size, align, half, dtype=np.float32, size_input=False):
    out = [in_shape[0], size[0], size[1], in_shape[3]]
    return single_op(op, [T(list(in_shape), dtype),
                          T([2], np.int32, data=None if size_input else list(size))],
                     [T(out, dtype)], options=dict(align_corners=align, half_pixel_centers=half))


def data(shape, seed=0):
    return np.asarray(np.random.default_rng(seed).standard_normal(shape), np.float32)


@pytest.mark.parametrize("resolver", (REF, DEFAULT))
@pytest.mark.parametrize("size", SIZES, ids=str)
@pytest.mark.parametrize("align,half", FLAGS)
def test_resize_bilinear(align, half, size, resolver):
    model = resize_model("RESIZE_BILINEAR", (2, 5, 7, 3), size, align, half)
    compare(model, [data((2, 5, 7, 3))], resolver=resolver, **TOL)


@pytest.mark.parametrize("resolver", (REF, DEFAULT))
@pytest.mark.parametrize("size", SIZES, ids=str)
@pytest.mark.parametrize("align,half", FLAGS + [(True, True)])
def test_resize_nearest_neighbor(align, half, size, resolver):
    model = resize_model("RESIZE_NEAREST_NEIGHBOR", (2, 5, 7, 3), size, align, half)
    compare(model, [data((2, 5, 7, 3))], resolver=resolver)


@pytest.mark.parametrize("in_hw,size", [((1, 1), (4, 3)), ((6, 6), (12, 12)), ((7, 5), (3, 2)),
                                        ((4, 4), (4, 4))], ids=str)
@pytest.mark.parametrize("op", ("RESIZE_BILINEAR", "RESIZE_NEAREST_NEIGHBOR"))
@pytest.mark.parametrize("align,half", FLAGS)
def test_resize_other_input_sizes(op, align, half, in_hw, size):
    shape = (1, in_hw[0], in_hw[1], 2)
    compare(resize_model(op, shape, size, align, half), [data(shape, 1)], **TOL)


@pytest.mark.parametrize("dtype", (np.int32, np.int8, np.uint8))
def test_resize_nearest_neighbor_integers(dtype):
    x = np.arange(2 * 4 * 5 * 3).reshape(2, 4, 5, 3).astype(dtype)
    compare(resize_model("RESIZE_NEAREST_NEIGHBOR", x.shape, (7, 9), False, True, dtype), [x])


@pytest.mark.parametrize("op", ("RESIZE_BILINEAR", "RESIZE_NEAREST_NEIGHBOR"))
def test_resize_size_fed_at_run_time(op):
    model = resize_model(op, (1, 5, 7, 3), (1, 1), False, True, size_input=True)
    for size in ((9, 4), (3, 12)):
        compare(model, [data((1, 5, 7, 3)), np.asarray(size, np.int32)], **TOL)


def test_resize_bilinear_refuses_align_corners_with_half_pixel_centers():
    model = resize_model("RESIZE_BILINEAR", (1, 5, 7, 3), (10, 14), True, True)
    x = data((1, 5, 7, 3))
    ours, theirs = numlite_error(model, [x]), litert_error(model, [x], REF)
    assert ours.splitlines()[0] in theirs
    # (LiteRT's default XNNPACK delegate runs it; its reference kernel refuses it)
