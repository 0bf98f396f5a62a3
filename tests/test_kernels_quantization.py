"""QUANTIZE and DEQUANTIZE against ai_edge_litert's reference kernels, bit-exact.

QUANTIZE float32 -> int8/uint8/int16 is round-half-away-from-zero of float32(x)/float32(scale)
plus the zero point, clamped (per tensor or per channel); QUANTIZE of a quantized input
requantizes with the fixed-point multiplier; DEQUANTIZE is float32(double(scale) * (q - zp)).
"""

import numpy as np
import pytest

from builder import T, single_op
from differential import compare, litert_error, numlite_error, run_numlite

LIMITS = {"int8": (-128, 127), "uint8": (0, 255), "int16": (-32768, 32767),
          "int32": (-2 ** 31, 2 ** 31 - 1)}


def quant(scales, zero_points, axis=0):
    return dict(scales=list(np.atleast_1d(scales)), zero_points=list(np.atleast_1d(zero_points)),
                quantized_dimension=axis)


def quantize_model(shape, src, dst, in_q=None, out_q=None):
    return single_op("QUANTIZE", [T(list(shape), src, quant=in_q)],
                     [T(list(shape), dst, quant=out_q)], options={})


def dequantize_model(shape, src, q=None, const=None):
    return single_op("DEQUANTIZE", [T(list(shape), src, quant=q, data=const)],
                     [T(list(shape), np.float32)], options={})


def zero_point(rng, dtype):
    if dtype == "uint8":
        return int(rng.integers(0, 256))
    if dtype == "int16":
        return 0
    return int(rng.integers(-128, 128))


# ---- QUANTIZE float -> int -------------------------------------------------------------------

@pytest.mark.parametrize("trial", range(6))
@pytest.mark.parametrize("dst", ("int8", "uint8", "int16"))
def test_quantize_per_tensor(dst, trial):
    rng = np.random.default_rng(trial)
    scale = np.float32(rng.uniform(1e-4, 0.3))
    zp = zero_point(rng, dst) if dst != "int16" else int(rng.integers(-5, 5))
    x = np.asarray(rng.standard_normal(2000) * 40 * scale * (1 + trial), np.float32)
    # exact ties in float32 arithmetic: (k + 0.5) * scale when it divides back exactly
    ties = (np.arange(-300, 300) + 0.5).astype(np.float32) * np.float32(0.5)
    m = quantize_model(x.shape, np.float32, dst, out_q=quant(scale, zp))
    compare(m, [np.concatenate([x, ties])])


@pytest.mark.parametrize("dst", ("int8", "uint8", "int16"))
def test_quantize_rounds_half_away_from_zero(dst):
    x = np.array([0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 0.49999997, -0.49999997, 3.5, 100.5],
                 np.float32)
    m = quantize_model(x.shape, np.float32, dst, out_q=quant(1.0, 0))
    ours, _ = compare(m, [x])
    expected = np.clip([1, -1, 2, -2, 3, -3, 0, 0, 4, 101], *LIMITS[dst])
    assert ours[0].tolist() == expected.tolist()


@pytest.mark.parametrize("zp", (0, 3, -5))
@pytest.mark.parametrize("dst", ("int8", "uint8", "int16"))
def test_quantize_out_of_range_values(dst, zp):
    """Saturation; and for values beyond int32 (and NaN), the reference kernel's x86 result."""
    if dst == "uint8":
        zp = abs(zp) + 128
    x = np.array([126.5, 127.5, 128.0, -128.5, -129.0, 1e3, -1e3, 2.1e9, -2.1e9, 3e9, -3e9,
                  1e30, -1e30, np.inf, -np.inf, np.nan], np.float32)
    compare(quantize_model(x.shape, np.float32, dst, out_q=quant(1.0, zp)), [x])


@pytest.mark.parametrize("axis", (0, 1, 2, -1))
@pytest.mark.parametrize("dst", ("int8", "uint8", "int16"))
def test_quantize_per_channel(dst, axis):
    rng = np.random.default_rng(axis + 10)
    shape = (3, 4, 5)
    axis = axis % 3
    n = shape[axis]
    scales = rng.uniform(0.01, 0.1, n).astype(np.float32)
    zps = [zero_point(rng, dst) for _ in range(n)]
    x = np.asarray(rng.standard_normal(shape) * 4, np.float32)
    compare(quantize_model(shape, np.float32, dst, out_q=quant(scales, zps, axis)), [x])


# ---- QUANTIZE requantization -------------------------------------------------------------------

PAIRS = [("int8", "int8"), ("int8", "uint8"), ("int8", "int16"), ("uint8", "int8"),
         ("uint8", "uint8"), ("uint8", "int16"), ("int16", "int8"), ("int16", "int16"),
         ("int16", "int32"), ("int32", "int8"), ("int32", "int16")]


@pytest.mark.parametrize("ratio", (1.0, 0.37, 2.9, 1 / 3, 128.0, 0.0039))
@pytest.mark.parametrize("src,dst", PAIRS)
def test_requantize(src, dst, ratio):
    rng = np.random.default_rng(int(ratio * 1000))
    s_in = np.float32(rng.uniform(0.001, 0.2))
    s_out = np.float32(s_in * ratio)
    zin = zero_point(rng, src) if src in ("int8", "uint8") else 0
    zout = zero_point(rng, dst) if dst in ("int8", "uint8") else 0
    lo, hi = LIMITS[src]
    if src == "int32":
        lo, hi = -2 ** 20, 2 ** 20
    x = np.concatenate([rng.integers(lo, hi, 1000, endpoint=True),
                        [lo, hi, zin, zin + 1, zin - 1]]).clip(lo, hi).astype(src)
    m = quantize_model(x.shape, src, dst, in_q=quant(s_in, zin), out_q=quant(s_out, zout))
    compare(m, [x])


@pytest.mark.parametrize("src,dst", [("int8", "int32"), ("uint8", "int32"), ("int16", "uint8"),
                                     ("int32", "uint8"), ("int32", "int32")])
def test_unsupported_requantize_pairs_are_refused(src, dst):
    m = quantize_model((4,), src, dst, in_q=quant(0.5, 0), out_q=quant(0.25, 0))
    feeds = [np.zeros(4, src)]
    assert "failed to prepare" in litert_error(m, feeds)
    assert "Node number 0 (QUANTIZE) failed to prepare." in numlite_error(m, feeds)


# ---- DEQUANTIZE ------------------------------------------------------------------------------

@pytest.mark.parametrize("const", (False, True))
@pytest.mark.parametrize("src", ("int8", "uint8", "int16"))
def test_dequantize_per_tensor(src, const):
    rng = np.random.default_rng(1)
    scale = np.float32(rng.uniform(1e-4, 2.0))
    zp = zero_point(rng, src)
    lo, hi = LIMITS[src]
    x = np.concatenate([rng.integers(lo, hi, 500, endpoint=True), [lo, hi, zp]]).astype(src)
    m = dequantize_model(x.shape, src, quant(scale, zp), const=x if const else None)
    compare(m, [] if const else [x])


@pytest.mark.parametrize("const", (False, True))
@pytest.mark.parametrize("axis", (0, 1, 2))
@pytest.mark.parametrize("src", ("int8", "uint8"))
def test_dequantize_per_channel(src, axis, const):
    rng = np.random.default_rng(axis)
    shape = (3, 4, 5)
    n = shape[axis]
    scales = rng.uniform(1e-3, 1.0, n).astype(np.float32)
    zps = [zero_point(rng, src) if src == "uint8" else 0 for _ in range(n)]
    lo, hi = LIMITS[src]
    x = rng.integers(lo, hi, shape, endpoint=True).astype(src)
    m = dequantize_model(shape, src, quant(scales, zps, axis), const=x if const else None)
    compare(m, [] if const else [x])


@pytest.mark.parametrize("const", (False, True))
def test_dequantize_float16(const):
    rng = np.random.default_rng(2)
    x = np.concatenate([rng.standard_normal(300) * 100,
                        [65504, -65504, 6e-8, np.inf, -np.inf, np.nan, 0.0]]).astype(np.float16)
    m = dequantize_model(x.shape, np.float16, const=x if const else None)
    compare(m, [] if const else [x])


def test_dequantize_float16_constant_is_folded_once():
    """fp16 weights: DEQUANTIZE of a constant gives the same float32 values on every invoke."""
    import numlite
    w = np.array([[1.5, -2.25], [65504, 1e-3]], np.float16)
    m = dequantize_model(w.shape, np.float16, const=w)
    interp = numlite.Interpreter(model_content=m)
    interp.allocate_tensors()
    out = interp.get_output_details()[0]["index"]
    for _ in range(2):
        interp.invoke()
        assert np.array_equal(interp.get_tensor(out), w.astype(np.float32))


@pytest.mark.parametrize("src,q", [("int16", quant(0.5, 3)), ("int32", quant(0.5, 0)),
                                   ("int16", quant([0.5, 0.25], [0, 0]))])
def test_dequantize_refusals_match_litert(src, q):
    shape = (2, 2)
    m = dequantize_model(shape, src, q)
    feeds = [np.zeros(shape, src)]
    assert "failed to" in litert_error(m, feeds)
    assert numlite_error(m, feeds) is not None


def test_quantize_dequantize_round_trip():
    x = np.linspace(-3, 3, 97, dtype=np.float32)
    q = quant(np.float32(6 / 255), -1)
    qm = quantize_model(x.shape, np.float32, "int8", out_q=q)
    ours_q = run_numlite(qm, [x])[0]
    dm = dequantize_model(x.shape, "int8", q)
    ours, _ = compare(dm, [ours_q])
    assert np.abs(ours[0] - x).max() <= 6 / 255 / 2 + 1e-6


def test_quantize_every_tie_and_its_neighbours_int16():
    """Every k + 0.5 in int16 range, and the floats just below and above it."""
    ties = np.arange(-32768, 32768, dtype=np.float32) + np.float32(0.5)
    x = np.concatenate([ties, np.nextafter(ties, np.float32(np.inf)),
                        np.nextafter(ties, np.float32(-np.inf))])
    compare(quantize_model(x.shape, np.float32, "int16", out_q=quant(1.0, 0)), [x])
    rng = np.random.default_rng(0)
    bits = rng.integers(0, 2 ** 32, 100000, dtype=np.int64).astype(np.uint32)
    y = bits.view(np.float32)
    y = y[np.isfinite(y) & (np.abs(y) < 40000)]
    compare(quantize_model(y.shape, np.float32, "int16", out_q=quant(1.0, -7)), [y])
