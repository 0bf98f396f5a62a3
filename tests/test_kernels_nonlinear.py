"""ELU, LEAKY_RELU, HARD_SWISH, GELU, RELU_0_TO_1, PRELU against ai_edge_litert (float32).

Bit-exact with the reference kernels: LEAKY_RELU, HARD_SWISH, RELU_0_TO_1, PRELU.
GELU: within 10 ulps of the reference (Eigen's float erfc/tanh approximations against
numlite's float32 erfc, within 7 ulps of exact, and numpy's tanh), or 1e-6 absolute where
the result is tiny (x < -4: LiteRT's tanh/erfc cancellation error reaches 6e-7 there).
ELU is not in LiteRT's reference op set: compared with the default kernels (expm1, 4 ulps).
"""

import numpy as np
import pytest

from builder import T, single_op
from differential import DEFAULT, REF, compare, litert_error, numlite_error

SHAPES = [(), (1,), (7,), (3, 5), (2, 3, 4), (2, 1, 3, 4), (1, 2, 3, 2, 2), (2, 0, 3)]
SPECIAL = np.array([0.0, -0.0, 1.0, -1.0, 3.0, -3.0, 6.0, -6.0, 2.9999998, -3.0000002, 0.5,
                    -0.5, np.inf, -np.inf, np.nan, 3e38, -3e38, 1e-8, -1e-8, 20.0, -20.0,
                    -87.0, 88.0], np.float32)
DENSE = np.linspace(-12, 12, 24001, dtype=np.float32)


def unary(op, shape, options=None):
    return single_op(op, [T(list(shape))], [T(list(shape))], options=options)


def data(shape, seed=0, scale=4.0):
    rng = np.random.default_rng(seed)
    return np.asarray(rng.standard_normal(shape) * scale, dtype=np.float32)


EXACT = [("HARD_SWISH", None), ("RELU_0_TO_1", None), ("LEAKY_RELU", dict(alpha=0.2)),
         ("LEAKY_RELU", dict(alpha=0.0)), ("LEAKY_RELU", dict(alpha=1.0)),
         ("LEAKY_RELU", dict(alpha=1.7)), ("LEAKY_RELU", dict(alpha=-0.3))]
GELU_TOLERANCE = dict(ulps=10, atol=1e-6)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("op,options", EXACT, ids=str)
def test_exact_ops(op, options, shape):
    compare(unary(op, shape, options), [data(shape, seed=len(shape))])


@pytest.mark.parametrize("resolver", (REF, DEFAULT))
@pytest.mark.parametrize("op,options", EXACT, ids=str)
def test_exact_ops_dense_and_special(op, options, resolver):
    x = np.concatenate([DENSE, SPECIAL])
    if resolver == DEFAULT and op == "HARD_SWISH":
        # XNNPACK evaluates another formula: 1e-7 absolute, and overflows to NaN at +-inf
        compare(unary(op, DENSE.shape, options), [DENSE], resolver=resolver, ulps=2, atol=1e-7)
    else:
        compare(unary(op, x.shape, options), [x], resolver=resolver)


@pytest.mark.parametrize("approximate", (False, True))
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_gelu(shape, approximate):
    compare(unary("GELU", shape, dict(approximate=approximate)), [data(shape, seed=len(shape))],
            **GELU_TOLERANCE)


@pytest.mark.parametrize("resolver", (REF, DEFAULT))
@pytest.mark.parametrize("approximate", (False, True))
def test_gelu_dense_and_special(approximate, resolver):
    x = np.concatenate([DENSE, SPECIAL, data((5000,), scale=30)])
    compare(unary("GELU", x.shape, dict(approximate=approximate)), [x], resolver=resolver,
            **GELU_TOLERANCE)


def test_gelu_without_options_is_exact_form():
    x = np.linspace(-5, 5, 101, dtype=np.float32)
    compare(unary("GELU", x.shape, None), [x], **GELU_TOLERANCE)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_elu(shape):
    compare(unary("ELU", shape), [data(shape, seed=len(shape))], resolver=DEFAULT, ulps=4)


def test_elu_dense_and_special():
    x = np.concatenate([DENSE, SPECIAL])
    compare(unary("ELU", x.shape), [x], resolver=DEFAULT, ulps=4)


def prelu(x_shape, alpha_shape, const_alpha=None):
    out = np.broadcast_shapes(x_shape, alpha_shape)
    return single_op("PRELU", [T(list(x_shape)), T(list(alpha_shape), data=const_alpha)],
                     [T(list(out))])


@pytest.mark.parametrize("x_shape,alpha_shape", [
    ((2, 3), (3,)), ((1, 4, 4, 3), (1, 1, 3)), ((1, 4, 4, 3), (3,)), ((2, 5), (2, 5)),
    ((7,), ()), ((2, 3, 4), (1, 1, 1)), ((2, 3, 4, 5), (3, 1, 5)), ((3, 4), (1, 4)),
], ids=str)
def test_prelu(x_shape, alpha_shape):
    rng = np.random.default_rng(1)
    x = data(x_shape)
    x.reshape(-1)[:2] = [-0.0, 0.0]
    alpha = np.asarray(rng.uniform(-1, 2, alpha_shape), np.float32)
    compare(prelu(x_shape, alpha_shape), [x, alpha])
    compare(prelu(x_shape, alpha_shape, const_alpha=alpha), [x])


def test_prelu_alpha_may_not_grow_the_output():
    m = prelu((3, 1), (1, 4))
    feeds = [data((3, 1)), data((1, 4))]
    assert "failed to prepare" in litert_error(m, feeds)
    assert "Node number 0 (PRELU) failed to prepare." in numlite_error(m, feeds)


def test_prelu_special_values():
    x = SPECIAL.reshape(1, -1)
    alpha = np.full((1, x.shape[1]), 0.25, np.float32)
    compare(prelu(x.shape, alpha.shape), [x, alpha])


@pytest.mark.parametrize("op,options", [("ELU", None), ("HARD_SWISH", None), ("GELU", {}),
                                        ("LEAKY_RELU", dict(alpha=0.1)), ("RELU_0_TO_1", None)])
def test_quantized_and_integer_inputs_are_refused(op, options):
    if op == "ELU":     # the others' quantized kernels: test_kernels_integer_activations.py
        q = dict(scales=[0.05], zero_points=[3])
        m = single_op(op, [T([4], np.int8, quant=q)], [T([4], np.int8, quant=q)],
                      options=options)
        error = numlite_error(m, [np.zeros(4, np.int8)])
        assert error is not None and f"Node number 0 ({op}) failed to prepare." in error
    m = single_op(op, [T([4], np.int32)], [T([4], np.int32)], options=options)
    error = numlite_error(m, [np.zeros(4, np.int32)])
    assert error is not None and f"Node number 0 ({op}) failed to prepare." in error
