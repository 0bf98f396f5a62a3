"""LESS, LESS_EQUAL, GREATER, GREATER_EQUAL, EQUAL, NOT_EQUAL on quantized tensors.

LiteRT compares 8-bit inputs, and int16 inputs of EQUAL/NOT_EQUAL, after rescaling, not
raw: each side becomes MBQM_SmallerThanOneExp((q - zp) << 8, QuantizeMultiplier(scale)),
so two raw values that a small scale maps to the same rescaled value compare equal (a
256 x 256 table for 8-bit inputs). Its int16 ordering comparisons take the raw values,
whatever the quantization: compare.py's plain kernel.
"""

import numpy as np

from ..model import types
from .arithmetic import broadcast_shape
from .common import KernelError, expect_io, quantized_node
from .compare import prepare_comparison as plain_comparison
from .fixedpoint import multiply_by_quantized_multiplier as mbqm, quantize_multiplier
from .integer_arithmetic import binary_kernel
from .integer_data import plain_node
from .integer_params import check_types, params
from .registry import builtin

_UFUNCS = {"LESS": np.less, "LESS_EQUAL": np.less_equal, "GREATER": np.greater,
           "GREATER_EQUAL": np.greater_equal, "EQUAL": np.equal, "NOT_EQUAL": np.not_equal}


def _rescaled(node):
    return quantized_node(node) and (node.inputs[0].type in (types.INT8, types.UINT8) or
                                     node.op_name in ("EQUAL", "NOT_EQUAL"))


def _int16(node):
    return quantized_node(node) and node.inputs[0].type == types.INT16 and not _rescaled(node)


@builtin(*_UFUNCS, when=_int16)
def prepare_raw_comparison(node):
    return plain_comparison(plain_node(node))


@builtin(*_UFUNCS, when=_rescaled)
def prepare_comparison(node):
    a, b = expect_io(node, 2)
    out = node.outputs[0]
    if out.type != types.BOOL:
        raise KernelError(f"{node.op_name}: output type {types.type_name(out.type)} is not "
                          "BOOL")
    type_ = check_types(node, (types.INT8, types.UINT8, types.INT16), [a, b])
    (s1, zp1), (s2, zp2) = params(node, a), params(node, b, "input 2")
    if not (0 < s1 < 1 and 0 < s2 < 1):
        raise KernelError(f"{node.op_name}: input scales must be in (0, 1) (got {s1}, {s2})")
    m1, sh1 = quantize_multiplier(s1)
    m2, sh2 = quantize_multiplier(s2)
    ufunc = _UFUNCS[node.op_name]

    def formula(q1, q2):
        return ufunc(mbqm((q1 - zp1) << 8, m1, sh1), mbqm((q2 - zp2) << 8, m2, sh2))
    return binary_kernel(type_, out, broadcast_shape(node, a.shape, b.shape), formula)
