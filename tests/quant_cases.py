"""Helpers of the integer-kernel tests: quantized tensor records, random quantization
parameters and values that cover each type's whole range."""

import numpy as np

from builder import T

DTYPES = {"int8": np.int8, "uint8": np.uint8, "int16": np.int16}
LIMITS = {"int8": (-128, 127), "uint8": (0, 255), "int16": (-32768, 32767)}
ACTIVATIONS = ("NONE", "RELU", "RELU_N1_TO_1", "RELU6")


def qt(shape, dtype, scale, zp=0, data=None):
    """A per-tensor quantized tensor record."""
    return T(list(shape), DTYPES[dtype], data=data,
             quant=dict(scales=[float(scale)], zero_points=[int(zp)]))


def random_zp(rng, dtype):
    """A random zero point (0 for int16, which LiteRT quantizes symmetrically)."""
    if dtype == "int16":
        return 0
    low, high = LIMITS[dtype]
    return int(rng.integers(low, high + 1))


def random_scale(rng, low=1e-3, high=0.5):
    return float(np.float32(np.exp(rng.uniform(np.log(low), np.log(high)))))


def values(rng, shape, dtype, extremes=True):
    """Random values of ``dtype`` over its whole range; with ``extremes`` the first
    elements are the type's limits and zero."""
    low, high = LIMITS[dtype]
    x = rng.integers(low, high + 1, size=shape).astype(DTYPES[dtype])
    flat = x.reshape(-1)
    if extremes and flat.size >= 3:
        flat[:3] = (low, high, 0 if dtype != "uint8" else 128)
    return x


def all_values(dtype):
    """Every value of an 8-bit or 16-bit type, in order."""
    low, high = LIMITS[dtype]
    return np.arange(low, high + 1).astype(DTYPES[dtype])


def compare_default(model, feeds, lsb=1):
    """numlite within ``lsb`` of LiteRT's default (optimized + XNNPACK) kernels, which
    round some integer paths differently from the reference kernels."""
    from differential import DEFAULT, run_litert, run_numlite
    ours, theirs = run_numlite(model, feeds), run_litert(model, feeds, DEFAULT)
    for i, (a, e) in enumerate(zip(ours, theirs)):
        assert a.dtype == e.dtype and a.shape == e.shape, f"output {i}: {a.dtype}{a.shape}"
        diff = np.abs(a.astype(np.int64) - e.astype(np.int64))
        assert diff.size == 0 or diff.max() <= lsb, \
            f"output {i}: {int((diff > lsb).sum())} values differ by up to {diff.max()}"
