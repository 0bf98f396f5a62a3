"""REAL, IMAG and COMPLEX_ABS against ai_edge_litert: complex64 and complex128 inputs of
several ranks, special values, and the RFFT2D -> COMPLEX_ABS chain of spectrograms."""

import numpy as np
import pytest

from builder import Op, T, build_model, single_op
from differential import DEFAULT, REF, compare, litert_error, numlite_error

PARTS = {np.complex64: np.float32, np.complex128: np.float64}


def complex_input(shape, dtype, seed):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(shape) * 10 + 1j * rng.standard_normal(shape) * 10).astype(dtype)


@pytest.mark.parametrize("resolver", (REF, DEFAULT))
@pytest.mark.parametrize("shape", [(7,), (2, 3, 5), (1, 30, 129), ()], ids=str)
@pytest.mark.parametrize("dtype", (np.complex64, np.complex128), ids=("c64", "c128"))
@pytest.mark.parametrize("op", ("REAL", "IMAG", "COMPLEX_ABS"))
def test_complex_parts(op, dtype, shape, resolver):
    x = complex_input(shape, dtype, len(shape))
    model = single_op(op, [T(list(shape), dtype)], [T(list(shape), PARTS[dtype])])
    # COMPLEX_ABS: LiteRT's hypot and numpy's may round differently in the last bits
    ours, _ = compare(model, [x], resolver=resolver, ulps=4 if op == "COMPLEX_ABS" else 0)
    expected = {"REAL": x.real, "IMAG": x.imag, "COMPLEX_ABS": np.abs(x)}[op]
    np.testing.assert_allclose(ours[0], expected, rtol=1e-6)


def test_complex_abs_special_values():
    """Infinities, NaN, huge parts (no overflow in the square), signed zeros."""
    big = np.float32(3e38)
    x = np.array([complex(np.inf, 1), complex(1, -np.inf), complex(np.nan, 0),
                  complex(big, big), complex(-0.0, 0.0), complex(-3, -4)], np.complex64)
    for op in ("COMPLEX_ABS", "REAL", "IMAG"):
        model = single_op(op, [T([6], np.complex64)], [T([6], np.float32)])
        compare(model, [x], ulps=4)


def test_rfft2d_then_complex_abs_real_imag():
    """The spectrogram chain: RFFT2D feeding COMPLEX_ABS, REAL and IMAG."""
    tensors = [T([2, 16]), T([2], np.int32, data=[2, 16]), T([2, 9], np.complex64),
               T([2, 9]), T([2, 9]), T([2, 9])]
    ops = [Op("RFFT2D", [0, 1], [2]), Op("COMPLEX_ABS", [2], [3]), Op("REAL", [2], [4]),
           Op("IMAG", [2], [5])]
    model = build_model(ops, tensors, [0], [3, 4, 5])
    x = np.asarray(np.random.default_rng(0).standard_normal((2, 16)), np.float32)
    for resolver in (REF, DEFAULT):
        compare(model, [x], resolver=resolver, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("in_type,out_type", [(np.float32, np.float32),
                                              (np.complex64, np.float64),
                                              (np.complex128, np.float32),
                                              (np.complex64, np.complex64)], ids=str)
@pytest.mark.parametrize("op", ("REAL", "IMAG", "COMPLEX_ABS"))
def test_bad_types_fail_at_prepare(op, in_type, out_type):
    model = single_op(op, [T([3], in_type)], [T([3], out_type)])
    feeds = [np.ones(3, in_type)]
    error = numlite_error(model, feeds)
    assert error is not None and f"Node number 0 ({op}) failed to prepare." in error
    assert litert_error(model, feeds) is not None
