"""Quantized activations against ai_edge_litert on every input value of the type (all 256
8-bit values, all 65536 int16 values): bit-exact with the reference kernels, within 1 LSB
of the default ones where those run the same algorithm."""

import numpy as np
import pytest

from builder import single_op
from differential import compare, litert_error, numlite_error
from quant_cases import LIMITS, all_values, compare_default, qt, random_scale, random_zp, values

EIGHT_BIT = ("int8", "uint8")


def unary_model(op, dtype, s_in, zp_in, s_out, zp_out, shape=None, **options):
    shape = shape if shape is not None else all_values(dtype).shape
    return single_op(op, [qt(shape, dtype, s_in, zp_in)], [qt(shape, dtype, s_out, zp_out)],
                     options=options or None)


def check_all_values(m, dtype, default=True):
    x = all_values(dtype)
    compare(m, [x])
    if default:
        compare_default(m, [x])


def random_params(rng, dtype, low=1e-3, high=0.2):
    return random_scale(rng, low, high), random_zp(rng, dtype), random_scale(rng), \
        random_zp(rng, dtype)


@pytest.mark.parametrize("dtype", ("int8", "uint8", "int16"))
@pytest.mark.parametrize("op", ("LOGISTIC", "TANH"))
def test_logistic_tanh(op, dtype):
    rng = np.random.default_rng(len(op) + len(dtype))
    for trial in range(4):
        s_in, zp_in, s_out, zp_out = random_params(rng, dtype, 1e-4 if dtype == "int16" else 1e-3)
        if dtype == "int16":
            s_out = 1 / 32768
            if trial < 2:           # power-of-two scales: LiteRT's other input rescaling
                s_in = 2.0 ** -(11 + trial)
        elif op == "LOGISTIC":
            s_out, zp_out = 1 / 256, LIMITS[dtype][0]
        # LiteRT's default int16 kernels for power-of-two scales use another algorithm
        check_all_values(unary_model(op, dtype, s_in, zp_in, s_out, zp_out), dtype,
                         default=dtype != "int16" or trial >= 2)


def test_logistic_tanh_odd_shapes():
    rng = np.random.default_rng(3)
    for op, dtype, shape in (("LOGISTIC", "int8", ()), ("TANH", "int16", (2, 0, 3)),
                             ("TANH", "uint8", (2, 3, 5, 7))):
        s_out = 1 / 32768 if dtype == "int16" else 1 / 256
        zp_out = LIMITS[dtype][0] if dtype != "int16" else 0
        m = unary_model(op, dtype, 0.05, random_zp(rng, dtype), s_out, zp_out, shape)
        compare(m, [values(rng, shape, dtype)])


@pytest.mark.parametrize("dtype", ("int8", "uint8", "int16"))
def test_logistic_tanh_bad_output_scale(dtype):
    for op in ("LOGISTIC", "TANH") if dtype == "int16" else ("LOGISTIC",):
        m = unary_model(op, dtype, 0.05, 0, 0.01, 0)
        x = all_values(dtype)
        assert "failed to prepare" in litert_error(m, [x])
        assert "output scale must be" in numlite_error(m, [x])


@pytest.mark.parametrize("dtype", ("int8", "uint8", "int16"))
def test_gelu(dtype):
    rng = np.random.default_rng(len(dtype))
    low, high = (1e-4, 1e-2) if dtype == "int16" else (1e-3, 0.1)
    for approximate in (False, True, False, True):
        s_in, zp_in, s_out, zp_out = random_params(rng, dtype, low, high)
        if dtype == "int16":
            s_out = random_scale(rng, low, high)
        m = unary_model("GELU", dtype, s_in, zp_in, s_out, zp_out, approximate=approximate)
        check_all_values(m, dtype)


@pytest.mark.parametrize("dtype", EIGHT_BIT)
def test_hard_swish(dtype):
    rng = np.random.default_rng(5 + len(dtype))
    for trial in range(8):
        s_in, zp_in, _, zp_out = random_params(rng, dtype)
        s_out = s_in * rng.uniform(0.2, 3)
        check_all_values(unary_model("HARD_SWISH", dtype, s_in, zp_in, s_out, zp_out), dtype)


@pytest.mark.parametrize("dtype", ("int8", "uint8", "int16"))
@pytest.mark.parametrize("op", ("RELU", "RELU6", "RELU_N1_TO_1", "RELU_0_TO_1", "LEAKY_RELU"))
def test_relu_family(op, dtype):
    rng = np.random.default_rng(len(op) * 3 + len(dtype))
    options = {}
    for _ in range(3):
        if op == "LEAKY_RELU":
            options = dict(alpha=float(rng.uniform(0.01, 0.9)))
        s_in, zp_in, s_out, zp_out = random_params(rng, dtype, 1e-4 if dtype == "int16" else 1e-3)
        m = unary_model(op, dtype, s_in, zp_in, s_out, zp_out, **options)
        if dtype == "int16" and op in ("RELU_N1_TO_1", "RELU_0_TO_1"):
            x = all_values(dtype)
            assert "Only float32, uint8, int8" in litert_error(m, [x])
            assert "quantized kernel does not support" in numlite_error(m, [x])
            return
        check_all_values(m, dtype)


@pytest.mark.parametrize("dtype", EIGHT_BIT)
def test_prelu(dtype):
    rng = np.random.default_rng(len(dtype) + 40)
    for x_shape, a_shape in (((2, 3, 4, 5), (5,)), ((256,), (1,)), ((3, 4), (3, 4)),
                             ((1, 2, 3), (2, 1))):
        s_in, zp_in, s_out, zp_out = random_params(rng, dtype)
        s_a, zp_a = random_scale(rng, 1e-3, 0.01), random_zp(rng, dtype)
        out_shape = np.broadcast_shapes(x_shape, a_shape)
        alpha = values(rng, a_shape, dtype, extremes=False)
        m = single_op("PRELU", [qt(x_shape, dtype, s_in, zp_in), qt(a_shape, dtype, s_a, zp_a,
                                                                     data=alpha)],
                      [qt(out_shape, dtype, s_out, zp_out)])
        x = all_values(dtype)[:256].reshape(x_shape) if x_shape == (256,) else \
            values(rng, x_shape, dtype)
        compare(m, [x])
        compare_default(m, [x])


def test_prelu_int16_refused():
    """LiteRT's int16 PRELU reads the int16 alpha buffer as int8 values: refused."""
    m = single_op("PRELU", [qt((3,), "int16", 0.01), qt((1,), "int16", 0.01, data=[300])],
                  [qt((3,), "int16", 0.01)])
    assert "quantized kernel does not support" in numlite_error(m, [np.zeros(3, np.int16)])


def test_int16_zero_point_refused():
    m = unary_model("RELU", "int16", 0.01, 3, 0.01, 0)
    x = all_values("int16")
    assert "failed to prepare" in litert_error(m, [x])
    assert "zero point 0" in numlite_error(m, [x])
