"""FULLY_CONNECTED, float32: out = x.reshape(-1, in) @ W.T + bias, then the fused activation.

Weights are [units, in]; the input may have any rank and is flattened to
[-1, in]; keep_num_dims keeps the input's leading dimensions. Constant weights
are transposed once at prepare into a contiguous [in, units] array. Hybrid
(int8 weights, float input) and quantized kernels are not implemented.
"""

import numpy as np

from ..model import types
from .activations import fused_activation
from .common import KernelError, is_quantized, options_field, type_name
from .registry import builtin


def _check_float(node, spec, what):
    if spec.type != types.FLOAT32 or is_quantized(spec):
        raise KernelError(f"FULLY_CONNECTED: {what} type {type_name(spec)}"
                          f"{' (quantized)' if is_quantized(spec) else ''} is not supported; "
                          "numlite implements the float32 kernel only (no hybrid or "
                          "quantized kernels)")


@builtin("FULLY_CONNECTED")
def prepare_fully_connected(node):
    if len(node.inputs) not in (2, 3) or len(node.outputs) != 1:
        raise KernelError(f"FULLY_CONNECTED: expected 2 or 3 inputs and 1 output, got "
                          f"{len(node.inputs)} and {len(node.outputs)}")
    x, w = node.inputs[0], node.inputs[1]
    bias = node.inputs[2] if len(node.inputs) == 3 else None
    out = node.outputs[0]
    if x is None or w is None:
        raise KernelError("FULLY_CONNECTED: missing input or weights")
    _check_float(node, x, "input")
    _check_float(node, w, "weights")
    _check_float(node, out, "output")
    if bias is not None:
        _check_float(node, bias, "bias")
    if options_field(node, "weights_format", 0) != 0:
        raise KernelError("FULLY_CONNECTED: only the DEFAULT weights format is supported")
    if len(w.shape) != 2:
        raise KernelError(f"FULLY_CONNECTED: weights must be 2-D, got shape {list(w.shape)}")
    units, depth = w.shape
    if bias is not None and int(np.prod(bias.shape, dtype=np.int64)) != units:
        raise KernelError(f"FULLY_CONNECTED: bias has {int(np.prod(bias.shape))} elements, "
                          f"expected {units}")
    size = int(np.prod(x.shape, dtype=np.int64))
    if depth == 0:
        raise KernelError("FULLY_CONNECTED: weights have 0 input features")
    if size % depth:
        raise KernelError(f"FULLY_CONNECTED: input of shape {list(x.shape)} does not divide "
                          f"into rows of {depth}")
    batch = size // depth
    if options_field(node, "keep_num_dims", False):
        if not x.shape or x.shape[-1] != depth:
            raise KernelError(f"FULLY_CONNECTED: keep_num_dims needs the input's last "
                              f"dimension ({list(x.shape)}) to equal {depth}")
        out_shape = tuple(x.shape[:-1]) + (units,)
    else:
        out_shape = (batch, units)
    flat = (batch, depth)
    code = options_field(node, "fused_activation_function", 0)
    if code not in (0, 1, 2, 3):
        raise KernelError("params->activation == kTfLiteActNone || params->activation == "
                          "kTfLiteActRelu || params->activation == kTfLiteActReluN1To1 || "
                          "params->activation == kTfLiteActRelu6 was not true.")
    act = fused_activation(code, np.float32, "FULLY_CONNECTED")
    matmul, add = np.matmul, np.add
    if w.value is not None and (bias is None or bias.value is not None):
        # the usual case: constant weights (and bias) prepared once, one closure per call
        wt = np.ascontiguousarray(np.asarray(w.value, dtype=np.float32).T)
        b = None if bias is None else \
            np.ascontiguousarray(np.asarray(bias.value, dtype=np.float32).reshape(units))

        dot = np.dot                # 2-D products: less call overhead than matmul
        if b is None and act is None:
            def run(a, _w=None, _b=None):
                return dot(a.reshape(flat), wt).reshape(out_shape)
        elif act is None:
            def run(a, _w=None, _b=None):
                r = dot(a.reshape(flat), wt)
                return add(r, b, out=r).reshape(out_shape)
        elif b is None:
            def run(a, _w=None, _b=None):
                return act(dot(a.reshape(flat), wt)).reshape(out_shape)
        else:
            def run(a, _w=None, _b=None):
                r = dot(a.reshape(flat), wt)
                return act(add(r, b, out=r)).reshape(out_shape)
        return run, [out_shape]

    def run(a, weights, b=None):
        r = matmul(a.reshape(flat), weights.T)
        if b is not None:
            add(r, b.reshape(units), out=r)
        if act is not None:
            act(r)
        return r.reshape(out_shape)
    return run, [out_shape]
