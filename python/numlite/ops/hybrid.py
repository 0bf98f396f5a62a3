"""Hybrid (dynamic-range) FULLY_CONNECTED, CONV_2D, DEPTHWISE_CONV_2D, BATCH_MATMUL and
UNIDIRECTIONAL_SEQUENCE_LSTM: int8 weights, float32 activations.

As LiteRT's hybrid kernels, each call quantizes the float input to int8 on the fly, one
scale per batch row (FULLY_CONNECTED: each row of the flattened input; BATCH_MATMUL: each
row of the left operand; the LSTM: each batch row of the input, of the output state and
of the projected output, at every time step) or per batch image (the convolutions),
multiplies by the int8 weights in integers (exactly, on BLAS: exact_weights)
and scales the sums back to float:

* symmetric (the others by default): ``r = max|x|``, scale ``r / 127``,
  ``q = clamp(round(x * (127 / r)), -127, 127)`` in float32, zero point 0;
* asymmetric (the convolutions; the others with ``asymmetric_quantize_inputs``): the
  range ``[min(x, 0), max(x, 0)]`` over 255 steps (double), zero point nudged into
  [-128, 127], ``q = clamp(round(zp + x / scale), -128, 127)`` in float32;
* an all-zero row gets scale 1 and zeros.

``out = float32(sum w * (q - zp)) * s_in[b] * s_w[c] + bias[c]`` (per-channel or broadcast
per-tensor filter scales), then the float fused activation (BATCH_MATMUL has neither bias
nor activation; its constant right operand is per-tensor or per output column; the LSTM
is lstm.py's float step around these products). The float products are LiteRT's; only
their order may differ by a rounding. Filters must be constant and per-channel for the
convolutions (the converter's output).
"""

import math
from typing import NamedTuple

import numpy as np

from ..model import types
from . import lstm
from .activations import fused_activation
from .common import KernelError, clip_ufunc, expect_io, is_quantized, options_field
from .fully_connected import fc_geometry, fc_operands
from .integer_conv import conv_accumulator, conv_operands, depthwise_accumulator
from .integer_gemm import channel_scales, constant_of, gemm_dtype
from .registry import builtin
from .shape import broadcast_dims

_F32 = np.float32
#: the reductions as ufunc methods: ndarray.min/max/any add a Python layer (~0.3 us each)
_row_min, _row_max, _any = np.minimum.reduce, np.maximum.reduce, np.logical_or.reduce
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
    """(q float32 [B, K], scales float32 [B]) of float32 rows; q's zero point is 0."""
    batch = rows.shape[0]
    if not rows.shape[1]:
        return rows.copy(), np.ones(batch, _F32)
    r = np.maximum(np.abs(_row_min(rows, axis=1)), np.abs(_row_max(rows, axis=1)))
    zero = r == 0
    any_zero = _any(zero)
    if any_zero:
        r[zero] = 1                            # the rows are all 0: q stays 0
    q = _round32(rows * (_F32(127) / r)[:, None])
    clip_ufunc(q, _F32(-127), _F32(127), out=q)
    scales = r / _F32(127)
    if any_zero:
        scales[zero] = 1
    return q, scales


_HALF_BELOW = np.nextafter(0.5, 0.0)


def _row_parameters(low, high):
    """(scale, zero point) as Python floats of one row with float64 minimum ``low`` <= 0
    and maximum ``high`` >= 0, ``low < high``: the row form of _batch_parameters, for the
    one-row calls of the LSTM steps (Python float arithmetic is the same IEEE double)."""
    scale = (high - low) / 255.0
    lowest, highest = low / scale, high / scale
    zp = -128.0 - lowest if 128.0 - lowest < 127.0 + highest else 127.0 - highest
    zp = math.trunc(zp + math.copysign(_HALF_BELOW, zp))
    return scale, float(min(max(zp, -128), 127))


#: per (minimum, maximum) row of _batch_parameters: the zero point candidates
#: -128 - low / scale and 127 - high / scale, and their errors 128 + |low / scale| and
#: 127 + |high / scale| (low <= 0 <= high)
_ZP_BASE = np.array([[-128.0], [127.0]])
_ERROR_BASE = np.array([[128.0], [127.0]])
_ERROR_SIGN = np.array([[-1.0], [1.0]])
#: clamps of the [2, B] row extremes: min(minimum, 0) and max(maximum, 0)
_EXTREME_LOW = np.array([[-np.inf], [0.0]])
_EXTREME_HIGH = np.array([[0.0], [np.inf]])


def _batch_parameters(extremes):
    """(scales, zero points) float64 [B] of rows with minimums ``extremes[0]`` <= 0 and
    maximums ``extremes[1]`` >= 0 (a [2, B] float64 array, overwritten), min < max: the
    zero point candidate with the smaller error, rounded half away."""
    scale = extremes[1] - extremes[0]
    scale /= 255.0
    extremes /= scale
    errors = extremes * _ERROR_SIGN
    errors += _ERROR_BASE
    np.subtract(_ZP_BASE, extremes, out=extremes)       # a - b is exactly -(b - a)
    zp = np.where(errors[0] < errors[1], extremes[0], extremes[1])
    zp += np.copysign(_HALF_BELOW, zp)
    return scale, clip_ufunc(np.trunc(zp, out=zp), -128.0, 127.0, out=zp)


def asymmetric_quantize(rows):
    """As symmetric_quantize with LiteRT's asymmetric scheme (module docstring): the
    quantized rows less their zero points (in [-255, 255]), and the scales."""
    batch = rows.shape[0]
    if not rows.shape[1]:
        return rows.copy(), np.ones(batch, _F32)
    if batch == 1:
        low = min(float(_row_min(rows, axis=None)), 0.0)
        high = max(float(_row_max(rows, axis=None)), 0.0)
        if low == high:
            return np.zeros_like(rows), np.ones(1, _F32)
        scale, zp = _row_parameters(low, high)
        scale32, zp = _F32(scale), _F32(zp)
        q = rows * (_F32(1) / scale32)
        q += zp
        _round32(q)
        clip_ufunc(q, _F32(-128), _F32(127), out=q)
        q -= zp
        return q, np.array([scale32])
    extremes = np.array((_row_min(rows, axis=1), _row_max(rows, axis=1)), np.float64)
    clip_ufunc(extremes, _EXTREME_LOW, _EXTREME_HIGH, out=extremes)
    flat = extremes[0] == extremes[1]
    any_flat = _any(flat)
    if any_flat:
        extremes[1, flat] = 255.0              # any nonzero range; the rows are zeroed below
    scale, zp = _batch_parameters(extremes)
    scale32, zp = scale.astype(_F32), zp.astype(_F32)[:, None]
    q = rows * (_F32(1) / scale32)[:, None]
    q += zp
    _round32(q)
    clip_ufunc(q, _F32(-128), _F32(127), out=q)
    q -= zp
    if any_flat:
        q[flat], scale32[flat] = 0, 1
    return q, scale32


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


def exact_weights(values):
    """Integer weights [..., K, N] in the narrowest type whose products with quantized
    inputs less their zero point (|q - zp| <= 255) sum exactly (integer_gemm.gemm_dtype)."""
    values = np.asarray(values, np.int64)
    w_max = int(np.abs(values).max()) if values.size else 0
    return np.ascontiguousarray(values.astype(gemm_dtype(values.shape[-2] * 255 * w_max)))


def scaled_product(q, weights):
    """float32 of the exact ``q @ weights`` for quantized float32 rows less their zero
    points ``q`` [B, K]: the integer sum LiteRT forms as sum w q - zp sum w, rounded to
    float32 once."""
    return np.matmul(q.astype(weights.dtype, copy=False), weights).astype(_F32, copy=False)


@builtin("FULLY_CONNECTED", when=hybrid_node)
def prepare_hybrid_fully_connected(node):
    x, w, bias, out = fc_operands(node)
    if out.type != types.FLOAT32:
        raise KernelError("FULLY_CONNECTED: a hybrid node needs a float32 output")
    batch, depth, units, out_shape = fc_geometry(node, x, w.shape)
    weights = constant_of(node, w, "weights").astype(np.int64).T          # [depth, units]
    w_scales = channel_scales(node, w, units, 0, "weights")
    b = _float_bias(node, bias, units)
    quantize = asymmetric_quantize if options_field(node, "asymmetric_quantize_inputs",
                                                    False) else symmetric_quantize
    weights = exact_weights(weights)
    act = _activation(node)
    flat = (batch, depth)

    def run(a, _w=None, _b=None):
        q, scales = quantize(a.reshape(flat))
        r = scaled_product(q, weights)
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
    accumulate, out_shape, _ = accumulator(node, x, filter_values, 0, 255)
    act = _activation(node)
    batch = x.shape[0]
    image = (batch, -1)
    broadcast = (batch,) + (1,) * (len(out_shape) - 1)

    def run(a, _w=None, _b=None):
        q, scales = asymmetric_quantize(a.reshape(image))
        r = np.multiply(accumulate(q.reshape(a.shape)), w_scales, dtype=_F32)
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
    weights = exact_weights(rhs)
    rows = (-1, depth)

    def run(a, _b=None):
        lhs = np.swapaxes(a, -1, -2) if adj_x else a
        q, scales = quantize(np.ascontiguousarray(lhs).reshape(rows))
        lead = lhs.shape[:-1]
        r = np.matmul(q.astype(weights.dtype, copy=False).reshape(lhs.shape),
                      weights).astype(_F32, copy=False)
        r *= scales.reshape(lead)[..., None] * w_scales
        return r
    return run, [shape]


# ---- UNIDIRECTIONAL_SEQUENCE_LSTM ------------------------------------------------------------

class HybridMatrix(NamedTuple):
    """A packed int8 weight matrix of the hybrid LSTM: integer values [K, N] in the exact
    GEMM type (exact_weights) and the float32 scale of each column."""
    values: np.ndarray
    scales: np.ndarray


def hybrid_product(quantize):
    """``matmul(a, matrix)`` for lstm.run_direction: each row of the float32 ``a``
    quantized on its own (LiteRT quantizes the input, the output state and the projected
    output per batch row and time step), multiplied exactly, scaled back to float32."""
    def matmul(a, matrix):
        q, scales = quantize(np.ascontiguousarray(a, _F32))
        r = scaled_product(q, matrix.values)
        r *= scales[:, None] * matrix.scales
        return r
    return matmul


def hybrid_lstm_node(node):
    """Registry predicate: float32 input, quantized int8 input-to-forget weights."""
    if len(node.inputs) < 3 or node.inputs[0] is None or node.inputs[2] is None:
        return False
    x, w = node.inputs[0], node.inputs[2]
    return x.type == types.FLOAT32 and w.type == types.INT8 and is_quantized(w)


#: weights whose products are hybrid; the peephole (cell-to-gate) weights are dequantized
_PRODUCT_WEIGHTS = ("x_i", "x_f", "x_c", "x_o", "h_i", "h_f", "h_c", "h_o", "proj")
_PEEPHOLE_WEIGHTS = ("p_i", "p_f", "p_o")


@builtin("UNIDIRECTIONAL_SEQUENCE_LSTM", when=hybrid_lstm_node, foldable=False)
def prepare_hybrid_unidirectional_sequence_lstm(node):
    """The float kernel (lstm.py) with int8 weights: the node is validated and packed by
    lstm's _Direction on float32 stand-ins holding the integer weight values (the peephole
    weights dequantized), then run_direction runs with HybridMatrix products."""
    lstm.check_unidirectional(node)
    positions = dict(lstm._UNI)
    positions.update({k: None for k in lstm._AUX})
    inputs, scales = list(node.inputs), {}
    for name in _PRODUCT_WEIGHTS + _PEEPHOLE_WEIGHTS:
        spec = inputs[positions[name]]
        if spec is None:
            continue
        if spec.type != types.INT8 or not is_quantized(spec) or \
                np.size(spec.quantization.scales) != 1:
            raise KernelError(f"UNIDIRECTIONAL_SEQUENCE_LSTM: hybrid weights must be int8 "
                              f"with one scale, got {spec.type} for {name}")
        scale = _F32(spec.quantization.scales[0])
        value = constant_of(node, spec, name).astype(_F32)
        if name in _PEEPHOLE_WEIGHTS:
            value = value * scale             # LiteRT recovers the cell weights as floats
        scales[name] = scale
        inputs[positions[name]] = spec._replace(type=types.FLOAT32, dtype=np.dtype(_F32),
                                                value=value, quantization=None)
    stand_in = node._replace(inputs=tuple(inputs))
    d = lstm._Direction(stand_in, positions)
    x = node.inputs[0]
    lstm.check_float_inputs(node, [0])
    time_major = bool(options_field(node, "time_major", False))
    steps, batch = lstm._sequence_input(node, x, time_major, d.n_input)
    lstm._state(node, 18, "output_state", (batch, d.n_output))
    lstm._state(node, 19, "cell_state", (batch, d.n_cell))
    act = lstm.activation(options_field(node, "fused_activation_function", 4), node.op_name)
    cell_clip = lstm._clip_option(node, "cell_clip")
    proj_clip = lstm._clip_option(node, "proj_clip")
    out_shape = (steps, batch, d.n_output) if time_major else (batch, steps, d.n_output)

    def matrix(packed, names):
        """HybridMatrix of a packed [K, gates * N] matrix whose gate blocks are ``names``."""
        values = packed.astype(np.int64)
        block = values.shape[1] // len(names)
        column_scales = np.repeat(np.array([scales[n] for n in names], _F32), block)
        return HybridMatrix(exact_weights(values), column_scales)
    w = dict(d.packed)
    w["wx"] = matrix(w["wx"], ["x_" + g for g in d.gates])
    w["wh"] = matrix(w["wh"], ["h_" + g for g in d.gates])
    if w["proj"] is not None:
        w["proj"] = matrix(w["proj"], ["proj"])
    w["matmul"] = hybrid_product(asymmetric_quantize if options_field(
        node, "asymmetric_quantize_inputs", False) else symmetric_quantize)

    def run(*arrays):
        a, h_state, c_state = arrays[0], arrays[18], arrays[19]
        out = np.empty((steps, batch, d.n_output), _F32)
        if steps == 0:
            return out if time_major else out.transpose(1, 0, 2).copy()
        h, c = lstm.run_direction(d, w, lstm.to_time_major(a, time_major), None,
                                  h_state.copy(), c_state.copy(), act, cell_clip, proj_clip,
                                  False, out, 0)
        h_state[...] = h              # variable tensors: updated in place (as lstm.py)
        c_state[...] = c
        return out if time_major else np.ascontiguousarray(out.transpose(1, 0, 2))
    return run, [out_shape]
