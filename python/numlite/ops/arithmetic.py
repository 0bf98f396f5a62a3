"""ADD, SUB, MUL, DIV: elementwise with numpy broadcasting and a fused activation.

Float32 and the plain integer types (quantized tensors: integer_arithmetic.py). Integer
DIV truncates toward zero like C++ and fails at invoke on a zero divisor, as LiteRT does.
"""

import numpy as np

from ..model import types
from .activations import with_activation
from .common import (KernelError, as_array, expect_io, is_quantized, options_field,
                     require_same_type, type_name)
from .registry import builtin

_SUPPORTED = {
    "ADD": (types.FLOAT32, types.INT32, types.INT64),
    "SUB": (types.FLOAT32, types.INT32, types.INT64),
    "MUL": (types.FLOAT32, types.INT32, types.INT64, types.COMPLEX64),
    "DIV": (types.FLOAT32, types.INT32),
}


def broadcast_shape(node, a, b):
    """The output shape of a broadcasting binary op (numpy/LiteRT rules), or KernelError."""
    rank = max(len(a), len(b))
    pa = (1,) * (rank - len(a)) + tuple(a)
    pb = (1,) * (rank - len(b)) + tuple(b)
    out = []
    for da, db in zip(pa, pb):
        if da != db and da != 1 and db != 1:
            raise KernelError(f"{node.op_name}: cannot broadcast shapes {list(a)} and {list(b)}")
        out.append(db if da == 1 else da)
    return tuple(out)


def _binary_specs(node):
    a, b = expect_io(node, 2)
    out = node.outputs[0]
    require_same_type(node, a, b, "input 1", "input 2")
    require_same_type(node, a, out, "input", "output")
    allowed = _SUPPORTED[node.op_name]
    if a.type not in allowed or any(is_quantized(s) for s in (a, b, out)):
        raise KernelError(f"{node.op_name}: type {type_name(a)}"
                          f"{' (quantized)' if is_quantized(a) or is_quantized(out) else ''} "
                          "is not supported by numlite's kernel (supported: "
                          f"{', '.join(types.type_name(t) for t in allowed)})")
    return a, b, out


def _truncating_divide(a, b):
    """C++ integer division: quotient truncated toward zero; raises on a zero divisor."""
    if not b.all():
        raise KernelError("data[i] != zero_point was not true.")    # LiteRT's text
    # a - fmod(a, b) is an exact multiple of b (no overflow: it moves toward zero)
    return np.floor_divide(np.subtract(a, np.fmod(a, b)), b)


def _prepare(node, compute):
    a, b, out = _binary_specs(node)
    shape = broadcast_shape(node, a.shape, b.shape)
    code = options_field(node, "fused_activation_function", 0)
    if a.type == types.COMPLEX64 and code != 0:
        raise KernelError("Activation is not allowed for COMPLEX64 input.")
    if shape == ():
        # ufuncs give numpy scalars for 0-d operands: make them arrays (also for out=)
        compute = as_array(compute)
    return with_activation(compute, code, out.dtype, node.op_name), [shape]


@builtin("ADD")
def prepare_add(node):
    return _prepare(node, np.add)


@builtin("SUB")
def prepare_sub(node):
    return _prepare(node, np.subtract)


@builtin("MUL")
def prepare_mul(node):
    return _prepare(node, np.multiply)


@builtin("DIV")
def prepare_div(node):
    if node.inputs and node.inputs[0] is not None and node.inputs[0].type == types.FLOAT32:
        return _prepare(node, np.divide)
    return _prepare(node, _truncating_divide)
