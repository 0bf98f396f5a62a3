"""CONCATENATION along ``axis`` (negative counts from the end).

LiteRT refuses any fused activation other than NONE at prepare, and so does
numlite. Quantized int8/uint8/int16 inputs are accepted only when every input
shares the output's scale and zero point (a plain copy); requantizing inputs
is not implemented.
"""

import numpy as np

from ..model import types
from .common import KernelError, is_quantized, normalize_axis, options_field, require_same_type
from .registry import builtin
from .support import same_quantization


_SUPPORTED = (types.FLOAT32, types.FLOAT16, types.INT8, types.UINT8, types.INT16, types.INT32,
              types.UINT32, types.INT64, types.BOOL)


@builtin("CONCATENATION")
def prepare_concatenation(node):
    if not node.inputs or len(node.outputs) != 1 or None in node.inputs:
        raise KernelError("CONCATENATION: expected at least 1 input and 1 output")
    first, out = node.inputs[0], node.outputs[0]
    for spec in node.inputs:
        require_same_type(node, spec, out)
    if out.type not in _SUPPORTED:
        raise KernelError(f"CONCATENATION: type {types.type_name(out.type)} is not supported")
    activation = options_field(node, "fused_activation_function", 0)
    if activation != 0:
        raise KernelError(f"params->activation != kTfLiteActNone ({activation} != 0)")
    if any(is_quantized(s) for s in node.inputs) or is_quantized(out):
        if not all(is_quantized(s) for s in node.inputs) or not is_quantized(out) or \
                not all(same_quantization(s, out) for s in node.inputs):
            raise KernelError("CONCATENATION: quantized inputs with scales or zero points "
                              "different from the output's are not supported")
    rank = len(first.shape)
    axis = normalize_axis(node, options_field(node, "axis", 0), rank)
    total = 0
    for spec in node.inputs:
        shape = spec.shape
        if len(shape) != rank or any(d != e for i, (d, e) in enumerate(zip(shape, first.shape))
                                     if i != axis):
            raise KernelError(f"CONCATENATION: input shapes {[list(s.shape) for s in node.inputs]}"
                              f" do not match outside axis {axis}")
        total += shape[axis]
    out_shape = tuple(first.shape[:axis]) + (total,) + tuple(first.shape[axis + 1:])
    concatenate = np.concatenate

    def run(*arrays):
        return concatenate(arrays, axis=axis)
    return run, [out_shape]
