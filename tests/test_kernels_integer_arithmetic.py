"""Quantized ADD, SUB, MUL, DIV, SQUARED_DIFFERENCE against ai_edge_litert: bit-exact with
the reference kernels, within 1 LSB of the default ones; broadcasting, every fused
activation, int8/uint8/int16 (general and power-of-two int16 scales), extreme values."""

import numpy as np
import pytest

from builder import single_op
from differential import compare, litert_error, numlite_error
from quant_cases import ACTIVATIONS, compare_default, qt, random_scale, random_zp, values

SHAPES = [((3, 4), (3, 4)), ((2, 3, 5), (5,)), ((2, 1, 5), (3, 1)), ((), (7,)),
          ((1, 2, 1, 3, 1, 2), (2, 1, 4, 1, 2, 1)), ((6,), ())]
OPS = ("ADD", "SUB", "MUL")


def model(op, dtype, shapes, scales, zps, activation="NONE", **options):
    out = np.broadcast_shapes(*shapes)
    if op != "SQUARED_DIFFERENCE":
        options["fused_activation_function"] = activation
    if op not in ("ADD", "SUB"):
        options.pop("pot_scale_int16", None)
    return single_op(op, [qt(shapes[0], dtype, scales[0], zps[0]),
                          qt(shapes[1], dtype, scales[1], zps[1])],
                     [qt(out, dtype, scales[2], zps[2])], options=options)


def random_case(rng, dtype, op):
    scales = [random_scale(rng) for _ in range(3)]
    if op == "MUL" and rng.random() < 0.5:      # an output scale near the product's
        scales[2] = float(np.float32(scales[0] * scales[1] * rng.uniform(0.5, 60)))
    return scales, [random_zp(rng, dtype) for _ in range(3)]


@pytest.mark.parametrize("shapes", SHAPES, ids=str)
@pytest.mark.parametrize("dtype", ("int8", "uint8", "int16"))
@pytest.mark.parametrize("op", OPS)
def test_broadcast_and_activations(op, dtype, shapes):
    rng = np.random.default_rng([OPS.index(op), len(str(shapes)), len(dtype)])
    for activation in ACTIVATIONS:
        scales, zps = random_case(rng, dtype, op)
        m = model(op, dtype, shapes, scales, zps, activation, pot_scale_int16=False)
        feeds = [values(rng, shapes[0], dtype), values(rng, shapes[1], dtype)]
        compare(m, feeds)
        compare_default(m, feeds)


@pytest.mark.parametrize("dtype", ("int8", "uint8", "int16"))
@pytest.mark.parametrize("op", OPS)
def test_all_value_pairs(op, dtype):
    """Every pair of 8-bit values (a 256 x 256 grid), a dense grid for int16."""
    rng = np.random.default_rng(OPS.index(op))
    if dtype == "int16":
        grid = np.linspace(-32768, 32767, 301).astype(np.int16)
    else:
        grid = np.arange(256).astype(np.uint8).view(np.int8 if dtype == "int8" else np.uint8)
    shapes = ((grid.size, 1), (grid.size,))
    for _ in range(3):
        scales, zps = random_case(rng, dtype, op)
        compare(model(op, dtype, shapes, scales, zps, pot_scale_int16=False),
                [grid.reshape(-1, 1), grid])


@pytest.mark.parametrize("exponents", [(-10, -10, -10), (-12, -10, -10), (-10, -14, -10)])
@pytest.mark.parametrize("op", ("ADD", "SUB"))
def test_int16_power_of_two_scales(op, exponents):
    """pot_scale_int16 (the option's default) with power-of-two scales: the legacy shift
    path, saturating."""
    rng = np.random.default_rng(-sum(exponents))
    scales = [2.0 ** e for e in exponents]
    for activation in ("NONE", "RELU"):
        m = model(op, "int16", ((4, 5), (4, 5)), scales, (0, 0, 0), activation)
        compare(m, [values(rng, (4, 5), "int16"), values(rng, (4, 5), "int16")])


@pytest.mark.parametrize("exponents", [(-9, -10, -10), (-12, -12, -10)])
def test_int16_power_of_two_scales_refused(exponents):
    m = model("ADD", "int16", ((3,), (3,)), [2.0 ** e for e in exponents], (0, 0, 0))
    feeds = [np.zeros(3, np.int16)] * 2
    assert "failed to prepare" in litert_error(m, feeds)
    assert "power-of-two" in numlite_error(m, feeds)


def test_int16_power_of_two_broadcast_refused():
    m = model("ADD", "int16", ((3, 4), (4,)), [2.0 ** -10] * 3, (0, 0, 0))
    assert "does not broadcast" in numlite_error(m, [np.zeros((3, 4), np.int16),
                                                     np.zeros(4, np.int16)])


@pytest.mark.parametrize("shapes", SHAPES[:4], ids=str)
def test_squared_difference_int8(shapes):
    rng = np.random.default_rng(len(str(shapes)))
    grid = np.arange(-128, 128).astype(np.int8)
    for _ in range(4):
        scales, zps = random_case(rng, "int8", "SQUARED_DIFFERENCE")
        scales[2] = float(np.float32(max(scales[:2]) ** 2 * rng.uniform(0.5, 300)))
        m = model("SQUARED_DIFFERENCE", "int8", shapes, scales, zps)
        compare(m, [values(rng, shapes[0], "int8"), values(rng, shapes[1], "int8")])
    m = model("SQUARED_DIFFERENCE", "int8", ((256, 1), (256,)), scales, zps)
    compare(m, [grid.reshape(-1, 1), grid])
    compare_default(m, [grid.reshape(-1, 1), grid])


@pytest.mark.parametrize("dtype", ("uint8", "int16"))
def test_squared_difference_other_types_refused(dtype):
    m = model("SQUARED_DIFFERENCE", dtype, ((3,), (3,)), [0.1] * 3, [0] * 3)
    feeds = [np.zeros(3, dtype)] * 2
    assert "SquaredDifference only supports" in litert_error(m, feeds)
    assert "quantized kernel does not support" in numlite_error(m, feeds)


def test_mixed_types_refused():
    m = single_op("ADD", [qt((3,), "int8", 0.1), qt((3,), "int16", 0.1)],
                  [qt((3,), "int8", 0.1)], options={})
    err = numlite_error(m, [np.zeros(3, np.int8), np.zeros(3, np.int16)])
    assert "INT8 x INT16 x INT8" in err and "failed to prepare" in err


def test_int16_zero_point_refused():
    m = model("ADD", "int16", ((3,), (3,)), [0.1] * 3, (5, 0, 0), pot_scale_int16=False)
    feeds = [np.zeros(3, np.int16)] * 2
    assert "failed to prepare" in litert_error(m, feeds)
    assert "zero point 0" in numlite_error(m, feeds)


@pytest.mark.parametrize("op, dtype", [(op, dtype) for op in OPS for dtype in ("int8", "uint8")]
                         + [("SQUARED_DIFFERENCE", "int8")])
def test_constant_scalar_operand(op, dtype):
    """A constant one-element operand (an epsilon, a scale) on either side, against every
    value of the other input."""
    rng = np.random.default_rng([len(op), len(dtype)])
    grid = np.arange(256).astype(np.uint8).view(np.int8 if dtype == "int8" else np.uint8)
    for first, const_shape in ((False, ()), (True, (1,)), (False, (1, 1))):
        scales, zps = random_case(rng, dtype, op)
        constant = values(rng, const_shape, dtype)
        specs = [qt(grid.shape, dtype, scales[0], zps[0]),
                 qt(const_shape, dtype, scales[1], zps[1], data=constant)]
        if first:
            specs.reverse()
        out = qt(np.broadcast_shapes(grid.shape, const_shape), dtype, scales[2], zps[2])
        options = {} if op == "SQUARED_DIFFERENCE" else {"fused_activation_function": "NONE"}
        compare(single_op(op, specs, [out], options=options), [grid])


def div_case(rng, dtype):
    """Scales and zero points of a quantized DIV (int16: nonzero zero points too, which
    LiteRT's DIV takes)."""
    scales = [random_scale(rng) for _ in range(3)]
    if rng.random() < 0.5:                      # an output scale near the quotient's
        scales[2] = float(np.float32(scales[0] / scales[1] * rng.uniform(0.02, 2.0)))
    zps = [int(z) for z in rng.integers(-300, 300, 3)] if dtype == "int16" else \
        [random_zp(rng, dtype) for _ in range(3)]
    return scales, zps


def divisors(rng, shape, dtype, zp):
    """Random values of ``dtype`` with the zero point moved off by one (a zero divisor
    fails)."""
    v = np.asarray(values(rng, shape, dtype))
    return np.where(v == zp, np.asarray(zp - 1 if zp > 0 else zp + 1, v.dtype), v)


@pytest.mark.parametrize("shapes", SHAPES, ids=str)
@pytest.mark.parametrize("dtype", ("int8", "uint8", "int16"))
def test_div_broadcast_and_activations(dtype, shapes):
    rng = np.random.default_rng([7, len(str(shapes)), len(dtype)])
    for activation in ACTIVATIONS:
        scales, zps = div_case(rng, dtype)
        m = model("DIV", dtype, shapes, scales, zps, activation)
        feeds = [values(rng, shapes[0], dtype), divisors(rng, shapes[1], dtype, zps[1])]
        compare(m, feeds)
        compare_default(m, feeds)


@pytest.mark.parametrize("dtype", ("int8", "uint8", "int16"))
def test_div_all_value_pairs(dtype):
    """Every dividend against every divisor but the zero point's (a 256 x 255 grid; a
    dense grid for int16). Small dividends over large divisors take LiteRT's x86 shifts
    beyond 31."""
    rng = np.random.default_rng(8)
    if dtype == "int16":
        grid = np.linspace(-32768, 32767, 301).astype(np.int16)
    else:
        grid = np.arange(256).astype(np.uint8).view(np.int8 if dtype == "int8" else np.uint8)
    for _ in range(4):
        scales, zps = div_case(rng, dtype)
        divisor = grid[grid != zps[1]]
        compare(model("DIV", dtype, ((grid.size, 1), (divisor.size,)), scales, zps),
                [grid.reshape(-1, 1), divisor])


def test_div_constant_divisor():
    """A constant scalar divisor (one row of the table) and a constant dividend."""
    rng = np.random.default_rng(9)
    for k in range(2):
        x = qt((4, 6), "int8", 0.05, 3)
        c = qt((), "int8", 0.02, -7, data=np.int8(40 - 90 * k))
        out = qt((4, 6), "int8", 0.1, 5)
        m = single_op("DIV", [x, c] if k == 0 else [c, x], [out],
                      options=dict(fused_activation_function="NONE"))
        feed = divisors(rng, (4, 6), "int8", 3)
        compare(m, [feed])


@pytest.mark.parametrize("dtype", ("int8", "uint8", "int16"))
def test_div_by_the_zero_point_fails_at_invoke(dtype):
    zp = 130 if dtype == "uint8" else 5
    m = model("DIV", dtype, ((3,), (3,)), (0.1, 0.1, 0.1), (0, zp, 0))
    feeds = [np.array([1, 2, 3], dtype), np.array([zp + 1, zp, zp - 1], dtype)]
    assert "data[i] != zero_point was not true." in litert_error(m, feeds)
    error = numlite_error(m, feeds)
    assert error is not None and "data[i] != zero_point was not true." in error
    assert "Node number 0 (DIV) failed to invoke." in error
