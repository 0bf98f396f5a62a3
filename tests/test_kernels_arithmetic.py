"""ADD, SUB, MUL, DIV against ai_edge_litert: shapes, broadcasting, dtypes, fused activations."""

import numpy as np
import pytest

from builder import T, single_op
from differential import DEFAULT, compare, litert_error, numlite_error

OPS = ("ADD", "SUB", "MUL", "DIV")
ACTIVATIONS = ("NONE", "RELU", "RELU_N1_TO_1", "RELU6", "TANH", "SIGN_BIT")
DTYPES = {"ADD": (np.float32, np.int32, np.int64), "SUB": (np.float32, np.int32, np.int64),
          "MUL": (np.float32, np.int32, np.int64), "DIV": (np.float32, np.int32)}
BROADCASTS = [
    ((), ()), ((5,), ()), ((), (4,)), ((7,), (7,)), ((2, 3), (3,)), ((2, 3), (2, 1)),
    ((1, 3), (4, 1)), ((2, 3, 4), (1, 3, 1)), ((2, 1, 4, 1), (3, 1, 5)),
    ((1, 2, 1, 3, 1, 2), (2, 1, 4, 1, 2, 1)), ((3, 0, 2), (1, 2)), ((2, 3, 4, 5), (2, 3, 4, 5)),
]
CASES = [(op, np.dtype(dt).name) for op in OPS for dt in DTYPES[op]]


def values(rng, shape, dtype, op, divisor=False):
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        x = np.asarray(rng.standard_normal(shape) * 4, dtype=dtype)
        if divisor:
            x[np.abs(x) < 0.1] = 0.5
        return x
    high = 1000 if op in ("ADD", "SUB") else 40
    x = np.asarray(rng.integers(-high, high, size=shape), dtype=dtype)
    if divisor:
        x[x == 0] = 3
    return x


def model(op, dtype, shape_a, shape_b, activation="NONE", const_b=None):
    out_shape = np.broadcast_shapes(shape_a, shape_b)
    b = T(list(shape_b), dtype, data=const_b)
    return single_op(op, [T(list(shape_a), dtype), b], [T(list(out_shape), dtype)],
                     options=dict(fused_activation_function=activation))


@pytest.mark.parametrize("shapes", BROADCASTS, ids=str)
@pytest.mark.parametrize("op,dtype", CASES)
def test_broadcast(op, dtype, shapes):
    rng = np.random.default_rng(len(str(shapes)))
    a = values(rng, shapes[0], dtype, op)
    b = values(rng, shapes[1], dtype, op, divisor=op == "DIV")
    compare(model(op, dtype, *shapes), [a, b])


def random_broadcast_pair(seed):
    """Two shapes of rank 0-6 that broadcast together (dims 1-4, some set to 1 on one side)."""
    rng = np.random.default_rng(seed)
    rank = int(rng.integers(0, 7))
    out = rng.integers(1, 5, rank)
    a, b = out.copy(), out.copy()
    a[rng.random(rank) < 0.3] = 1
    b[rng.random(rank) < 0.3] = 1
    a = a[int(rng.integers(0, rank + 1)):] if rng.random() < 0.4 else a
    b = b[int(rng.integers(0, rank + 1)):] if rng.random() < 0.4 else b
    return tuple(int(d) for d in a), tuple(int(d) for d in b)


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("op", OPS)
def test_random_broadcasts(op, seed):
    shape_a, shape_b = random_broadcast_pair(seed)
    dtype = DTYPES[op][seed % len(DTYPES[op])]
    activation = ACTIVATIONS[seed % 4]
    rng = np.random.default_rng(seed)
    a = values(rng, shape_a, dtype, op)
    b = values(rng, shape_b, dtype, op, divisor=op == "DIV")
    compare(model(op, dtype, shape_a, shape_b, activation), [a, b])


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("op,dtype", CASES)
def test_fused_activation(op, dtype, activation):
    rng = np.random.default_rng(7)
    a = values(rng, (3, 4, 5), dtype, op)
    b = values(rng, (4, 1), dtype, op, divisor=op == "DIV")
    if np.dtype(dtype).kind == "f":
        a[0, 0, :] = [-1.0, 0.0, 1.0, 6.0, -0.5]      # values on the clamp bounds
    compare(model(op, dtype, (3, 4, 5), (4, 1), activation), [a, b])


@pytest.mark.parametrize("activation", ("NONE", "RELU6"))
@pytest.mark.parametrize("op,dtype", CASES)
def test_constant_operand(op, dtype, activation):
    """A constant second operand (the kernel sees it at prepare; folding must not matter)."""
    rng = np.random.default_rng(3)
    b = values(rng, (1, 5), dtype, op, divisor=op == "DIV")
    a = values(rng, (4, 5), dtype, op)
    compare(model(op, dtype, (4, 5), (1, 5), activation, const_b=b), [a])


@pytest.mark.parametrize("op", OPS)
def test_float_exact_against_default_resolver(op):
    """Single IEEE operations: numlite is bit-exact with the default (XNNPACK) kernels too."""
    rng = np.random.default_rng(11)
    a = values(rng, (2, 8, 8, 3), np.float32, op)
    b = values(rng, (8, 1, 3), np.float32, op, divisor=True)
    compare(model(op, np.float32, (2, 8, 8, 3), (8, 1, 3), "RELU"), [a, b], resolver=DEFAULT)


def test_int_div_truncates_toward_zero():
    a = np.array([-7, -7, 7, 7, 0, 100, -100, 5, -2147483647, 1], np.int32)
    b = np.array([2, -2, 2, -2, 3, 7, 7, 1, 2, -1], np.int32)
    ours, _ = compare(model("DIV", np.int32, (10,), (10,)), [a, b])
    assert ours[0].tolist() == [-3, 3, 3, -3, 0, 14, -14, 5, -1073741823, -1]


def test_int_div_by_zero_fails_at_invoke():
    m = model("DIV", np.int32, (3,), (3,))
    feeds = [np.array([1, 2, 3], np.int32), np.array([1, 0, 1], np.int32)]
    assert "failed to invoke" in litert_error(m, feeds)
    error = numlite_error(m, feeds)
    assert error is not None and "data[i] != zero_point was not true." in error
    assert "Node number 0 (DIV) failed to invoke." in error


@pytest.mark.parametrize("op", ("ADD", "MUL"))
def test_integer_overflow_wraps(op):
    a = np.array([2 ** 31 - 1, -2 ** 31, 65536], np.int32)
    b = np.array([1, -1, 65536], np.int32)
    compare(model(op, np.int32, (3,), (3,)), [a, b])


def test_mul_complex64():
    rng = np.random.default_rng(5)
    a = (rng.standard_normal((3, 4)) + 1j * rng.standard_normal((3, 4))).astype(np.complex64)
    b = (rng.standard_normal((4,)) + 1j * rng.standard_normal((4,))).astype(np.complex64)
    # re = ac - bd may cancel: compare with an absolute bound of the operands' magnitude
    compare(model("MUL", np.complex64, (3, 4), (4,)), [a, b], ulps=2, atol=1e-6 * 16)


def test_mul_complex64_refuses_activation():
    m = model("MUL", np.complex64, (2,), (2,), "RELU")
    feeds = [np.ones(2, np.complex64)] * 2
    assert "Activation is not allowed for COMPLEX64 input." in litert_error(m, feeds)
    assert "Activation is not allowed for COMPLEX64 input." in numlite_error(m, feeds)


def test_nan_propagates_through_activation():
    a = np.array([np.nan, 1.0, -np.nan, 3.0], np.float32)
    b = np.array([1.0, np.nan, 0.0, 0.0], np.float32)
    for activation in ACTIVATIONS:
        compare(model("ADD", np.float32, (4,), (4,), activation), [a, b])


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_float_overflow_is_ieee_like_the_default_resolver():
    """Overflow gives inf, as LiteRT's default kernels do (its reference kernels clamp the
    result to +-FLT_MAX through the NONE activation range; numlite does not)."""
    a = np.array([3e38, -3e38, 1.0, np.inf], np.float32)
    b = np.array([3e38, -3e38, 0.0, 1.0], np.float32)
    m = model("ADD", np.float32, (4,), (4,))
    ours, _ = compare(m, [a, b], resolver=DEFAULT)
    assert ours[0].tolist() == [np.inf, -np.inf, 1.0, np.inf]


def test_mismatched_types_are_refused():
    m = single_op("ADD", [T([4], np.float32), T([4], np.int32)], [T([4], np.float32)],
                  options=dict(fused_activation_function="NONE"))
    error = numlite_error(m, [np.zeros(4, np.float32), np.zeros(4, np.int32)])
    assert error is not None and "failed to prepare" in error


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("op,dtype", CASES)
def test_scalar_operands(op, dtype, activation):
    """0-d operands: numpy ufuncs give scalars there; the kernels must still return arrays."""
    a = np.asarray(-7, dtype)
    b = np.asarray(2, dtype)
    ours, _ = compare(model(op, dtype, (), (), activation), [a, b])
    assert isinstance(ours[0], np.ndarray)
