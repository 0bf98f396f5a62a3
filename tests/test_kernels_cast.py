"""CAST against ai_edge_litert: every supported type pair, with edge values.

LiteRT's float -> integer casts truncate and saturate (NaN -> the maximum);
integer -> integer casts wrap.
"""

import numpy as np
import pytest

from builder import T, single_op
from differential import compare, litert_error, numlite_error

# float -> float16 overflow gives inf (as in LiteRT); numpy warns about it unless the
# runtime silences floating-point warnings around invoke
pytestmark = pytest.mark.filterwarnings("ignore:overflow encountered in cast:RuntimeWarning")

TYPES = ("float32", "float16", "float64", "int8", "uint8", "int16", "uint16", "int32", "uint32",
         "int64", "bool", "complex64")

FLOATS = [0.0, -0.0, 0.5, -0.5, 0.99, -0.99, 1.7, -1.7, 2.5, 127.9, 128.0, 200.0, 255.5, 256.0,
          300.7, -1.0, -128.9, -129.5, -300.0, 32767.5, 32768.0, -32769.0, 40000.0, 65535.9,
          65536.0, -40000.0, 70000.0, 2147483520.0, 2147483648.0, -2147483904.0, 3e9, -3e9,
          4294967296.0, 9.2233715e18, 9.223372e18, -9.223373e18, 1e19, -1e19, 1e30, -1e30,
          np.inf, -np.inf, np.nan, 1e-30]
INTS = [0, 1, -1, 2, 127, 128, 255, 256, -128, -129, 32767, 32768, -32769, 65535, 65536,
        2 ** 31 - 1, -2 ** 31, 2 ** 32 - 1, 2 ** 40 + 5, -2 ** 40, 2 ** 53 + 1, 2 ** 63 - 1,
        -2 ** 63]


def edge_values(dtype):
    dtype = np.dtype(dtype)
    if dtype.kind == "b":
        return np.array([True, False, True], dtype=bool)
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        return np.array([v for v in INTS if info.min <= v <= info.max], dtype=dtype)
    with np.errstate(over="ignore"):
        values = np.array(FLOATS, dtype=np.float64).astype(dtype)
    if dtype.kind == "c":
        values = values + np.array([1j, -2j] * (len(values) // 2), dtype=dtype)
        values[:3] = [0j, 1j, -0.5j]
    return values


def cast_model(src, dst, shape):
    return single_op("CAST", [T(list(shape), src)], [T(list(shape), dst)],
                     options=dict(in_data_type=src.upper(), out_data_type=dst.upper()))


@pytest.mark.parametrize("dst", TYPES)
@pytest.mark.parametrize("src", TYPES)
def test_cast_edge_values(src, dst):
    x = edge_values(src)
    compare(cast_model(src, dst, x.shape), [x])


@pytest.mark.parametrize("src,dst", [("float32", "int32"), ("int32", "float32"),
                                     ("float32", "uint8"), ("int64", "int8"),
                                     ("bool", "float32"), ("float16", "int16")])
@pytest.mark.parametrize("shape", [(), (0,), (3, 4), (2, 1, 3, 2)], ids=str)
def test_cast_shapes(src, dst, shape):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape) * 300
    x = (x > 0) if src == "bool" else np.asarray(x, dtype=src)
    compare(cast_model(src, dst, shape), [x])


def test_float_to_int_saturates_and_truncates():
    x = np.array([-1.9, 1.9, 300.0, -300.0, np.nan, np.inf], np.float32)
    ours, _ = compare(cast_model("float32", "uint8", x.shape), [x])
    assert ours[0].tolist() == [0, 1, 255, 0, 255, 255]
    ours, _ = compare(cast_model("float32", "int32", x.shape), [x])
    assert ours[0].tolist() == [-1, 1, 300, -300, 2 ** 31 - 1, 2 ** 31 - 1]


@pytest.mark.parametrize("other", ("float32", "int32"))
def test_uint64_is_refused(other):
    for src, dst in (("uint64", other), (other, "uint64")):
        m = cast_model(src, dst, (2,))
        feeds = [np.zeros(2, src)]
        assert "failed to" in litert_error(m, feeds)
        error = numlite_error(m, feeds)
        assert error is not None and "Node number 0 (CAST) failed to prepare." in error
