"""RELU, RELU_N1_TO_1, RELU6, TANH, LOGISTIC, SOFTMAX against ai_edge_litert (float32)."""

import numpy as np
import pytest

from builder import T, single_op
from differential import DEFAULT, REF, compare

SHAPES = [(), (1,), (7,), (3, 5), (2, 3, 4), (2, 1, 3, 4), (1, 2, 3, 2, 2), (2, 0, 3)]
SPECIAL = np.array([0.0, -0.0, 1.0, -1.0, 6.0, 6.5, -6.0, 0.5, -0.5, np.inf, -np.inf, np.nan,
                    16.619047, 16.61905, 20.0, -9.0, -9.000001, -8.999999, -20.0, -87.0,
                    -88.5, -104.0, 88.0, 1e-8, -1e-8, 3e38, -3e38], np.float32)


def unary(op, shape, options=None, dtype=np.float32, quant=None):
    return single_op(op, [T(list(shape), dtype, quant=quant)], [T(list(shape), dtype, quant=quant)],
                     options=options)


def data(shape, seed=0, scale=4.0):
    rng = np.random.default_rng(seed)
    return np.asarray(rng.standard_normal(shape) * scale, dtype=np.float32)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("op", ("RELU", "RELU_N1_TO_1", "RELU6"))
def test_relu_family(op, shape):
    compare(unary(op, shape), [data(shape)])


@pytest.mark.parametrize("op", ("RELU", "RELU_N1_TO_1", "RELU6"))
def test_relu_family_special_values(op):
    compare(unary(op, SPECIAL.shape), [SPECIAL])


@pytest.mark.parametrize("resolver", (REF, DEFAULT))
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_tanh(shape, resolver):
    # numpy's tanh and LiteRT's differ by a few ulps at most
    compare(unary("TANH", shape), [data(shape, scale=3)], resolver=resolver, ulps=4)


@pytest.mark.parametrize("resolver", (REF, DEFAULT))
def test_tanh_special_values(resolver):
    compare(unary("TANH", SPECIAL.shape), [SPECIAL], resolver=resolver, ulps=4)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_logistic(shape):
    compare(unary("LOGISTIC", shape), [data(shape, scale=8)], ulps=4)


def test_logistic_dense_range_reference():
    """LiteRT's reference logistic: 1 above 16.619047, exp(x) below -9, 1/(1+exp(-x)) between;
    numlite follows the same cut-offs. exp differs by at most a few ulps (and in the
    subnormal range, where ulps are meaningless, by < 1e-44 absolute)."""
    x = np.concatenate([np.linspace(-110, 110, 40001, dtype=np.float32), SPECIAL])
    compare(unary("LOGISTIC", x.shape), [x], ulps=4, atol=1e-44)


def test_logistic_default_resolver():
    """XNNPACK's sigmoid is the true 1/(1+exp(-x)) everywhere, where the reference kernel (and
    numlite) switch to exp(x) below -9: relative difference up to exp(-9) = 1.2e-4 there."""
    x = np.linspace(-30, 30, 6001, dtype=np.float32)
    compare(unary("LOGISTIC", x.shape), [x], resolver=DEFAULT, rtol=1.3e-4, atol=1e-12)
    y = x[x >= -9]
    compare(unary("LOGISTIC", y.shape), [y], resolver=DEFAULT, rtol=1e-6)


@pytest.mark.parametrize("beta", (1.0, 0.5, 2.5, 0.0))
@pytest.mark.parametrize("shape", [(1,), (10,), (3, 7), (2, 3, 5), (2, 2, 3, 4), (2, 1, 2, 3, 9),
                                   (4, 1), (1, 1000)], ids=str)
def test_softmax(shape, beta):
    x = data(shape, seed=len(shape), scale=5)
    compare(unary("SOFTMAX", shape, options=dict(beta=beta)), [x], ulps=8, atol=1e-9)


def test_softmax_default_resolver():
    x = data((4, 33), scale=5)
    compare(unary("SOFTMAX", x.shape, options=dict(beta=1.0)), [x], resolver=DEFAULT,
            rtol=1e-6, atol=1e-9)


def test_softmax_large_and_equal_logits():
    x = np.array([[1e4, 1e4, -1e4, 0.0], [88.0, 89.0, 90.0, 91.0], [0, 0, 0, 0],
                  [-100, -100, -100, -99]], np.float32)
    compare(unary("SOFTMAX", x.shape, options=dict(beta=1.0)), [x], ulps=8, atol=1e-9)


@pytest.mark.parametrize("seed", range(20))
def test_softmax_random_shapes(seed):
    rng = np.random.default_rng(seed)
    shape = tuple(int(d) for d in rng.integers(1, 7, int(rng.integers(1, 6))))
    beta = float(np.float32(rng.uniform(0.05, 3.0)))
    x = np.asarray(rng.standard_normal(shape) * rng.uniform(0.1, 20), np.float32)
    compare(unary("SOFTMAX", shape, options=dict(beta=beta)), [x], ulps=8, atol=1e-9)
