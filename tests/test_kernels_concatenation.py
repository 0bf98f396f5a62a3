"""CONCATENATION against ai_edge_litert: axes (negative too), input counts, dtypes, constants."""

import numpy as np
import pytest

from builder import T, single_op
from differential import compare, litert_error, numlite_error

DTYPES = (np.float32, np.float16, np.int8, np.uint8, np.int16, np.int32, np.uint32, np.int64,
          np.bool_)


def values(shape, dtype, seed):
    rng = np.random.default_rng(seed)
    x = rng.integers(-100, 100, size=shape)
    return (x > 0) if dtype == np.bool_ else x.astype(dtype)


def concat_model(shapes, axis, dtype=np.float32, constants=(), activation="NONE"):
    rank = len(shapes[0])
    a = axis + rank if axis < 0 else axis
    out = list(shapes[0])
    out[a] = sum(s[a] for s in shapes)
    inputs = [T(list(s), dtype, data=values(s, dtype, i) if i in constants else None)
              for i, s in enumerate(shapes)]
    return single_op("CONCATENATION", inputs, [T(out, dtype)],
                     options=dict(axis=axis, fused_activation_function=activation))


CASES = [
    ([(2, 3), (4, 3)], 0), ([(2, 3), (2, 5)], 1), ([(2, 3), (2, 5)], -1), ([(2, 3), (4, 3)], -2),
    ([(5,), (1,), (3,)], 0), ([(1, 2, 3), (1, 2, 3), (1, 2, 3), (1, 2, 3)], 1),
    ([(2, 3, 4), (2, 3, 1)], 2), ([(2, 0, 4), (2, 3, 4)], 1), ([(2, 3)], 0),
    ([(1, 2, 3, 4, 5, 6), (1, 2, 3, 4, 5, 2)], 5), ([(1, 2, 3, 4, 5, 6), (2, 2, 3, 4, 5, 6)], -6),
    ([(2, 2, 2, 2), (2, 2, 3, 2), (2, 2, 1, 2)], -2),
]


@pytest.mark.parametrize("shapes,axis", CASES, ids=str)
def test_concatenation(shapes, axis):
    feeds = [values(s, np.float32, i) for i, s in enumerate(shapes)]
    compare(concat_model(shapes, axis), feeds)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("shapes,axis", CASES[:4], ids=str)
def test_concatenation_dtypes(shapes, axis, dtype):
    feeds = [values(s, dtype, i) for i, s in enumerate(shapes)]
    compare(concat_model(shapes, axis, dtype), feeds)


def test_concatenation_with_constant_inputs():
    shapes = [(2, 3), (2, 2), (2, 1)]
    model = concat_model(shapes, 1, constants=(1,))
    compare(model, [values(shapes[0], np.float32, 0), values(shapes[2], np.float32, 2)])


def test_concatenation_quantized_same_params():
    q = dict(scales=[0.25], zero_points=[3])
    model = single_op("CONCATENATION", [T([2, 2], np.int8, quant=q), T([2, 3], np.int8, quant=q)],
                      [T([2, 5], np.int8, quant=q)], options=dict(axis=1))
    compare(model, [values((2, 2), np.int8, 0), values((2, 3), np.int8, 1)])


@pytest.mark.parametrize("activation", ("RELU", "RELU6", "RELU_N1_TO_1", "TANH"))
def test_fused_activation_is_refused_like_litert(activation):
    model = concat_model([(2, 3), (2, 3)], 0, activation=activation)
    feeds = [values((2, 3), np.float32, 0), values((2, 3), np.float32, 1)]
    for error in (litert_error(model, feeds), numlite_error(model, feeds)):
        assert error is not None and "params->activation != kTfLiteActNone" in error
        assert "Node number 0 (CONCATENATION) failed to prepare." in error


@pytest.mark.parametrize("shapes,axis", [([(2, 3), (3, 3)], 1), ([(2, 3), (2, 3, 1)], 0),
                                         ([(2, 3), (2, 3)], 2), ([(2, 3), (2, 3)], -3)], ids=str)
def test_bad_shapes_or_axis_fail_at_prepare(shapes, axis):
    inputs = [T(list(s)) for s in shapes]
    model = single_op("CONCATENATION", inputs, [T([1])], options=dict(axis=axis))
    feeds = [values(s, np.float32, i) for i, s in enumerate(shapes)]
    assert "failed to prepare" in litert_error(model, feeds)
    assert "Node number 0 (CONCATENATION) failed to prepare." in numlite_error(model, feeds)
