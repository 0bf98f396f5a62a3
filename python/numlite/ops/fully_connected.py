"""FULLY_CONNECTED, float32: out = x.reshape(-1, in) @ W.T + bias, then the fused activation.

Weights are [units, in]; the input may have any rank and is flattened to
[-1, in]; keep_num_dims keeps the input's leading dimensions. Constant weights
are transposed once at prepare into a contiguous [in, units] array. Sparse constant
weights (SparsityParameters, e.g. the 1x4 blocks of the converter's EXPERIMENTAL_SPARSITY)
are densified once at prepare and then multiply like dense ones. Hybrid (int8 weights,
float input) and quantized kernels are variants in hybrid.py and integer_fully_connected.py;
they share fc_operands and fc_geometry.
"""

import numpy as np

from ..model import types
from .activations import fused_activation
from .common import KernelError, is_quantized, options_field, type_name
from .densify import sparse_constant
from .registry import builtin
from .windows import model_tensor


def fc_operands(node):
    """(input, weights, bias or None, output) specs; arity, weights-format and
    fused-activation checks shared by the float, integer and hybrid kernels."""
    if len(node.inputs) not in (2, 3) or len(node.outputs) != 1:
        raise KernelError(f"FULLY_CONNECTED: expected 2 or 3 inputs and 1 output, got "
                          f"{len(node.inputs)} and {len(node.outputs)}")
    x, w = node.inputs[0], node.inputs[1]
    if x is None or w is None:
        raise KernelError("FULLY_CONNECTED: missing input or weights")
    if options_field(node, "weights_format", 0) != 0:
        raise KernelError("FULLY_CONNECTED: only the DEFAULT weights format is supported")
    if options_field(node, "fused_activation_function", 0) not in (0, 1, 2, 3):
        raise KernelError("params->activation == kTfLiteActNone || params->activation == "
                          "kTfLiteActRelu || params->activation == kTfLiteActReluN1To1 || "
                          "params->activation == kTfLiteActRelu6 was not true.")
    bias = node.inputs[2] if len(node.inputs) == 3 else None
    return x, w, bias, node.outputs[0]


def fc_geometry(node, x, w_shape):
    """(batch, depth, units, output shape): the input flattened to rows of the weights'
    depth, ``keep_num_dims`` keeping its leading dimensions."""
    if len(w_shape) != 2:
        raise KernelError(f"FULLY_CONNECTED: weights must be 2-D, got shape {list(w_shape)}")
    units, depth = w_shape
    if depth == 0:
        raise KernelError("FULLY_CONNECTED: weights have 0 input features")
    size = int(np.prod(x.shape, dtype=np.int64))
    if size % depth:
        raise KernelError(f"FULLY_CONNECTED: input of shape {list(x.shape)} does not divide "
                          f"into rows of {depth}")
    batch = size // depth
    if options_field(node, "keep_num_dims", False):
        if not x.shape or x.shape[-1] != depth:
            raise KernelError(f"FULLY_CONNECTED: keep_num_dims needs the input's last "
                              f"dimension ({list(x.shape)}) to equal {depth}")
        return batch, depth, units, tuple(x.shape[:-1]) + (units,)
    return batch, depth, units, (batch, units)


def _check_float(node, spec, what):
    if spec.type != types.FLOAT32 or is_quantized(spec):
        raise KernelError(f"FULLY_CONNECTED: {what} type {type_name(spec)}"
                          f"{' (quantized)' if is_quantized(spec) else ''} is not supported; "
                          "numlite implements the float32 kernel only (no hybrid or "
                          "quantized kernels)")


@builtin("FULLY_CONNECTED")
def prepare_fully_connected(node):
    x, w, bias, out = fc_operands(node)
    _check_float(node, x, "input")
    _check_float(node, w, "weights")
    _check_float(node, out, "output")
    if bias is not None:
        _check_float(node, bias, "bias")
    w_const = sparse_constant(node, w)
    if w_const is None:
        if w.value is None and getattr(model_tensor(node, w), "sparsity", None) is not None:
            raise KernelError("FULLY_CONNECTED: sparse weights must be a constant with stored "
                              "values")
        w_const = w.value
    w_shape = w.shape if w_const is None else w_const.shape
    batch, depth, units, out_shape = fc_geometry(node, x, w_shape)
    if bias is not None and int(np.prod(bias.shape, dtype=np.int64)) != units:
        raise KernelError(f"FULLY_CONNECTED: bias has {int(np.prod(bias.shape))} elements, "
                          f"expected {units}")
    flat = (batch, depth)
    act = fused_activation(options_field(node, "fused_activation_function", 0), np.float32,
                           "FULLY_CONNECTED")
    matmul, add = np.matmul, np.add
    if w_const is not None and (bias is None or bias.value is not None):
        # the usual case: constant weights (and bias) prepared once, one closure per call
        wt = np.ascontiguousarray(np.asarray(w_const, dtype=np.float32).T)
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
