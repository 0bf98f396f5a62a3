"""QUANTIZE and DEQUANTIZE (per-tensor and per-channel affine quantization).

QUANTIZE float32 -> int8/uint8/int16:
    q = clamp(int32(round_half_away_from_zero(float32(x) / float32(scale))) + zero_point)
QUANTIZE of a quantized input requantizes with LiteRT's fixed-point multiplier:
    q = clamp(MultiplyByQuantizedMultiplier(x - zp_in, QuantizeMultiplier(s_in / s_out)) + zp_out)
DEQUANTIZE int8/uint8/int16 -> float32: float32(double(scale) * (q - zero_point));
float16 -> float32 is a plain widening (fp16 weights).
"""

import numpy as np

from ..model import types
from .common import KernelError, clip_ufunc, expect_io, is_quantized
from .fixedpoint import multiply_by_quantized_multiplier, quantize_multiplier
from .registry import builtin

_QUANTIZED_OUT = {types.INT8: (-128, 127), types.UINT8: (0, 255), types.INT16: (-32768, 32767)}


def _params(node, spec, what):
    """(scales float32, zero points int64, axis or None) broadcastable against the tensor."""
    if not is_quantized(spec):
        raise KernelError(f"{node.op_name}: {what} tensor has no quantization parameters")
    q = spec.quantization
    scales = np.asarray(q.scales, dtype=np.float32).reshape(-1)
    zps = np.asarray(q.zero_points, dtype=np.int64).reshape(-1)
    if zps.size == 0:
        zps = np.zeros(1, np.int64)
    count = max(scales.size, zps.size)
    if count == 1:
        return scales[0], zps[0], None
    rank = len(spec.shape)
    axis = q.quantized_dimension
    if not 0 <= axis < rank or spec.shape[axis] != count or \
            scales.size not in (1, count) or zps.size not in (1, count):
        raise KernelError(f"{node.op_name}: {what} has {scales.size} scales and {zps.size} "
                          f"zero points for quantized dimension {axis} of shape "
                          f"{list(spec.shape)}")
    shape = [1] * rank
    shape[axis] = count
    return (np.broadcast_to(scales, (count,)).reshape(shape),
            np.broadcast_to(zps, (count,)).reshape(shape), axis)


def _check_io(node):
    return expect_io(node, 1)[0], node.outputs[0]


# ---- QUANTIZE --------------------------------------------------------------------------------

#: the largest float32 below 0.5: trunc(v + copysign(_PRED_HALF, v)) rounds half away from
#: zero exactly in float32 arithmetic (0.49999997 stays 0, 0.5 goes to 1, 2**23 + 1 stays)
_PRED_HALF = np.nextafter(np.float32(0.5), np.float32(0.0))


def _prepare_float_quantize(x, out, scale, zp):
    qmin, qmax = _QUANTIZED_OUT[out.type]
    dtype = out.dtype
    scale = np.asarray(scale, np.float32)
    zp = np.asarray(zp)
    zp32 = zp.astype(np.float32)
    # clamping v to [qmin - zp, qmax - zp] (integers) before rounding keeps the result in range
    lo_v = (qmin - zp).astype(np.float32)
    hi_v = (qmax - zp).astype(np.float32)
    # A rounded value outside int32 (or NaN) is undefined in C++; LiteRT's x86 builds turn it
    # into INT32_MIN before adding the zero point in wrapping int32 arithmetic, so it ends at
    # qmin, or at qmax when the zero point is negative. Reproduce that (slow path, rare).
    wild = np.where(zp < 0, hi_v, lo_v).astype(np.float32)
    limit = np.float32(2.0 ** 31)
    # one BLAS pass screens for them: a sum of squares below 2**62 has every |v| < 2**31
    # (NaN and overflow fail the test; the exact mask then decides)
    screen = np.float32(2.0 ** 62)
    copysign, trunc, clip, dot = np.copysign, np.trunc, clip_ufunc, np.dot

    def run(a):
        v = np.divide(a, scale)
        flat = v.reshape(-1)
        if not dot(flat, flat) < screen:
            bad = ~(np.abs(v) < limit)
            clip(v, lo_v, hi_v, out=v)
            v[bad] = np.broadcast_to(wild, v.shape)[bad]
        else:
            clip(v, lo_v, hi_v, out=v)
        v += copysign(_PRED_HALF, v)
        trunc(v, out=v)
        return np.add(v, zp32, out=np.empty(v.shape, dtype), casting="unsafe")
    return run, [x.shape]


#: requantization pairs LiteRT's QUANTIZE accepts (input type -> output types)
_REQUANTIZE = {
    types.INT8: (types.INT8, types.UINT8, types.INT16),
    types.UINT8: (types.INT8, types.UINT8, types.INT16),
    types.INT16: (types.INT8, types.INT16, types.INT32),
    types.INT32: (types.INT8, types.INT16),
}
_LIMITS = {**_QUANTIZED_OUT, types.INT32: (-2 ** 31, 2 ** 31 - 1)}


@builtin("QUANTIZE")
def prepare_quantize(node):
    x, out = _check_io(node)
    if x.type == types.FLOAT32:
        if out.type not in _QUANTIZED_OUT:
            raise KernelError(f"QUANTIZE: output type {types.type_name(out.type)} is not "
                              "supported (INT8, UINT8 or INT16)")
        scale, zp, _ = _params(node, out, "output")
        return _prepare_float_quantize(x, out, scale, zp)
    if x.type not in _REQUANTIZE:
        raise KernelError(f"QUANTIZE: input type {types.type_name(x.type)} is not supported")
    if out.type not in _REQUANTIZE[x.type]:
        raise KernelError(f"QUANTIZE: requantizing {types.type_name(x.type)} to "
                          f"{types.type_name(out.type)} is not supported")
    scale, zp, axis = _params(node, out, "output")
    in_scale, in_zp, in_axis = _params(node, x, "input")
    if in_axis is not None or axis is not None:
        raise KernelError("QUANTIZE: per-channel requantization is not supported")
    if x.type == types.INT16 and out.type == types.INT16 and (int(in_zp) or int(zp)):
        raise KernelError(f"QUANTIZE: int16 zero points must be 0 (got {int(in_zp)} and "
                          f"{int(zp)})")
    qmin, qmax = _LIMITS[out.type]
    dtype = out.dtype
    multiplier, shift = quantize_multiplier(float(in_scale) / float(scale))
    in_zp, out_zp = int(in_zp), int(zp)

    def requantize(a):
        r = multiply_by_quantized_multiplier(a.astype(np.int64) - in_zp, multiplier, shift)
        r += out_zp
        np.clip(r, qmin, qmax, out=r)
        return r.astype(dtype)
    return requantize, [x.shape]


# ---- DEQUANTIZE ------------------------------------------------------------------------------

@builtin("DEQUANTIZE")
def prepare_dequantize(node):
    x, out = _check_io(node)
    if out.type != types.FLOAT32:
        raise KernelError(f"DEQUANTIZE: output type {types.type_name(out.type)} is not FLOAT32")
    if x.type == types.FLOAT16:
        def widen(a):
            return a.astype(np.float32)
        return widen, [x.shape]
    if x.type not in (types.INT8, types.UINT8, types.INT16):
        raise KernelError(f"DEQUANTIZE: input type {types.type_name(x.type)} is not supported")
    scale, zp, axis = _params(node, x, "input")
    if x.type == types.INT16 and (axis is not None or np.any(zp != 0)):
        raise KernelError("DEQUANTIZE: int16 input needs one scale and zero point 0")
    # |q - zp| < 2**24: exact in float32, so the float32 product is the correctly rounded
    # double product (one rounding), i.e. float32(double(scale) * (q - zp)).
    scale32 = np.asarray(scale, np.float32)
    zp32 = np.asarray(zp, np.float32)

    def run(a):
        d = a.astype(np.float32)
        d -= zp32
        d *= scale32
        return d
    return run, [x.shape]
