"""Hybrid (dynamic-range) FULLY_CONNECTED, CONV_2D, DEPTHWISE_CONV_2D and BATCH_MATMUL:
int8 weights, float32 activations.

As LiteRT's hybrid kernels, each call quantizes the float input to int8 on the fly, one
scale per batch row (FULLY_CONNECTED: each row of the flattened input; BATCH_MATMUL: each
row of the left operand) or per batch image (the convolutions), multiplies by the int8 weights in integers (exactly, on BLAS:
integer_gemm.ExactGemm) and scales the sums back to float:

* symmetric (FULLY_CONNECTED and BATCH_MATMUL by default): ``r = max|x|``, scale ``r / 127``,
  ``q = clamp(round(x * (127 / r)), -127, 127)`` in float32, zero point 0;
* asymmetric (the convolutions; the others with ``asymmetric_quantize_inputs``): the
  range ``[min(x, 0), max(x, 0)]`` over 255 steps (double), zero point nudged into
  [-128, 127], ``q = clamp(round(zp + x / scale), -128, 127)`` in float32;
* an all-zero row gets scale 1 and zeros.

``out = float32(sum w * (q - zp)) * s_in[b] * s_w[c] + bias[c]`` (per-channel or broadcast
per-tensor filter scales), then the float fused activation (BATCH_MATMUL has neither bias
nor activation; its constant right operand is per-tensor or per output column). The float products are
LiteRT's; only their order may differ by a rounding. Filters must be constant and
per-channel for the convolutions (the converter's output).
"""

import numpy as np

from ..model import types
from .activations import fused_activation
from .common import KernelError, expect_io, is_quantized, options_field
from .integer_conv import conv_accumulator, conv_operands, depthwise_accumulator
from .integer_fully_connected import fc_geometry, fc_operands
from .integer_gemm import ExactGemm, channel_scales, constant_of, gemm_dtype
from .registry import builtin
from .shape import broadcast_dims

_F32 = np.float32
_PRED_HALF32 = np.nextafter(_F32(0.5), _F32(0.0))


def hybrid_node(node):
    """Registry predicate: float32 input, quantized int8 weights."""
    if len(node.inputs) < 2 or node.inputs[0] is None or node.inputs[1] is None:
        return False
    x, w = node.inputs[0], node.inputs[1]
    return x.type == types.FLOAT32 and w.type == types.INT8 and is_quantized(w)


def _round32(v):
    """std::round on a float32 array, in place."""
    v += np.copysign(_PRED_HALF32, v)
    return np.trunc(v, out=v)


def symmetric_quantize(rows):
    """(q float32 [B, K], scales float32 [B], zero points float64 [B]) of float32 rows."""
    r = np.maximum(np.abs(rows.min(axis=1)), np.abs(rows.max(axis=1))) if rows.shape[1] \
        else np.zeros(rows.shape[0], _F32)
    zero = r == 0
    safe = np.where(zero, _F32(1), r)
    q = _round32(rows * (_F32(127) / safe)[:, None])
    np.clip(q, -127, 127, out=q)
    q[zero] = 0
    return q, np.where(zero, _F32(1), safe / _F32(127)), np.zeros(rows.shape[0])


def asymmetric_quantize(rows):
    """As symmetric_quantize with LiteRT's asymmetric scheme (module docstring)."""
    if not rows.shape[1]:
        return rows.copy(), np.ones(rows.shape[0], _F32), np.zeros(rows.shape[0])
    rmin = np.minimum(rows.min(axis=1), 0).astype(np.float64)
    rmax = np.maximum(rows.max(axis=1), 0).astype(np.float64)
    flat = rmin == rmax
    scale = np.where(flat, 1.0, (rmax - rmin) / 255.0)
    from_min, from_max = -128.0 - rmin / scale, 127.0 - rmax / scale
    zp = np.where(128.0 + np.abs(rmin / scale) < 127.0 + np.abs(rmax / scale),
                  from_min, from_max)
    zp = np.clip(np.trunc(zp + np.copysign(np.nextafter(0.5, 0.0), zp)), -128, 127)
    zp[flat] = 0
    scale32 = scale.astype(_F32)
    q = rows * (_F32(1) / scale32)[:, None]
    q += zp.astype(_F32)[:, None]
    _round32(q)
    np.clip(q, -128, 127, out=q)
    q[flat] = 0
    return q, np.where(flat, _F32(1), scale32), zp


def _activation(node):
    return fused_activation(options_field(node, "fused_activation_function", 0), _F32,
                            node.op_name)


def _float_bias(node, bias, channels):
    if bias is None:
        return np.zeros(channels, _F32)
    if bias.type != types.FLOAT32:
        raise KernelError(f"{node.op_name}: a hybrid node needs a float32 bias")
    value = constant_of(node, bias, "bias").astype(_F32).reshape(-1)
    if value.size != channels:
        raise KernelError(f"{node.op_name}: bias has {value.size} elements, expected {channels}")
    return value


@builtin("FULLY_CONNECTED", when=hybrid_node)
def prepare_hybrid_fully_connected(node):
    x, w, bias, out = fc_operands(node)
    if out.type != types.FLOAT32:
        raise KernelError("FULLY_CONNECTED: a hybrid node needs a float32 output")
    batch, depth, units, out_shape = fc_geometry(node, x, w)
    weights = constant_of(node, w, "weights").astype(np.int64).T          # [depth, units]
    w_scales = channel_scales(node, w, units, 0, "weights")
    b = _float_bias(node, bias, units)
    quantize = asymmetric_quantize if options_field(node, "asymmetric_quantize_inputs",
                                                    False) else symmetric_quantize
    gemm = ExactGemm(weights, np.zeros(units, np.int64), 128)
    row_sums = weights.sum(axis=0).astype(np.float64)
    act = _activation(node)
    flat = (batch, depth)

    def run(a, _w=None, _b=None):
        q, scales, zps = quantize(a.reshape(flat))
        dot = gemm(q.astype(gemm.dtype, copy=False))
        dot -= zps[:, None] * row_sums
        r = dot.astype(_F32)
        r *= scales[:, None] * w_scales
        r += b
        return (r if act is None else act(r)).reshape(out_shape)
    return run, [out_shape]


def _prepare_hybrid_conv(node, channels, axis, accumulator):
    x, f, bias, out = conv_operands(node)
    if out.type != types.FLOAT32:
        raise KernelError(f"{node.op_name}: a hybrid node needs a float32 output")
    if np.size(f.quantization.scales) != channels:
        raise KernelError(f"{node.op_name}: hybrid filters must be quantized per channel")
    w_scales = channel_scales(node, f, channels, axis)
    b = _float_bias(node, bias, channels)
    filter_values = constant_of(node, f, "filter").astype(np.int64)
    # inputs quantized per image, zero point subtracted: |q - zp| <= 255, border 0
    accumulate, out_shape = accumulator(node, x, filter_values, np.zeros(channels, np.int64),
                                        0, 255)
    act = _activation(node)
    batch = x.shape[0]
    image = (batch, -1)
    broadcast = (batch,) + (1,) * (len(out_shape) - 1)

    def run(a, _w=None, _b=None):
        q, scales, zps = asymmetric_quantize(a.reshape(image))
        q -= zps.astype(_F32)[:, None]
        r = accumulate(q.reshape(a.shape)).astype(_F32)
        r *= w_scales
        r *= scales.reshape(broadcast)
        r += b
        return r if act is None else act(r)
    return run, [out_shape]


@builtin("CONV_2D", when=hybrid_node)
def prepare_hybrid_conv_2d(node):
    return _prepare_hybrid_conv(node, node.inputs[1].shape[0], 0, conv_accumulator)


@builtin("DEPTHWISE_CONV_2D", when=hybrid_node)
def prepare_hybrid_depthwise_conv_2d(node):
    return _prepare_hybrid_conv(node, node.inputs[1].shape[3], 3, depthwise_accumulator)


@builtin("BATCH_MATMUL", when=hybrid_node)
def prepare_hybrid_batch_matmul(node):
    x, y = expect_io(node, 2)
    if node.outputs[0].type != types.FLOAT32:
        raise KernelError("BATCH_MATMUL: a hybrid node needs a float32 output")
    if len(x.shape) < 2 or len(y.shape) < 2:
        raise KernelError(f"BATCH_MATMUL: operands must have rank 2 or more, got shapes "
                          f"{list(x.shape)} and {list(y.shape)}")
    adj_x = bool(options_field(node, "adj_x", False))
    adj_y = bool(options_field(node, "adj_y", False))
    rhs = constant_of(node, y, "rhs").astype(np.int64)
    rhs = np.swapaxes(rhs, -1, -2) if adj_y else rhs                       # [..., K, N]
    m, depth = (x.shape[-1], x.shape[-2]) if adj_x else (x.shape[-2], x.shape[-1])
    if rhs.shape[-2] != depth:
        raise KernelError(f"BATCH_MATMUL: inner dimensions differ: lhs {list(x.shape)} "
                          f"(adj_x={adj_x}) and rhs {list(y.shape)} (adj_y={adj_y})")
    n = rhs.shape[-1]
    shape = tuple(broadcast_dims("BATCH_MATMUL", x.shape[:-2], y.shape[:-2])) + (m, n)
    column_axis = len(y.shape) - (2 if adj_y else 1)
    w_scales = channel_scales(node, y, n, column_axis, "rhs")
    quantize = asymmetric_quantize if options_field(node, "asymmetric_quantize_inputs",
                                                    False) else symmetric_quantize
    dtype = gemm_dtype(depth * 255 * 128)
    weights = rhs.astype(dtype)
    column_sums = rhs.sum(axis=-2, keepdims=True).astype(np.float64)      # [..., 1, N]
    rows = (-1, depth)

    def run(a, _b=None):
        lhs = np.swapaxes(a, -1, -2) if adj_x else a
        q, scales, zps = quantize(np.ascontiguousarray(lhs).reshape(rows))
        lead = lhs.shape[:-1]
        dot = np.matmul(q.astype(dtype, copy=False).reshape(lhs.shape), weights,
                        dtype=np.float64 if dtype != np.int64 else np.int64)
        dot = dot - zps.reshape(lead)[..., None] * column_sums
        r = dot.astype(_F32)
        r *= scales.reshape(lead)[..., None] * w_scales
        return r
    return run, [shape]
