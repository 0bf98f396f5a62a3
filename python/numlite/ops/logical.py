"""LOGICAL_AND, LOGICAL_OR (broadcasting) and LOGICAL_NOT, on bool tensors only (as LiteRT)."""

import numpy as np

from .arithmetic import broadcast_shape
from .common import KernelError, as_array, expect_io, require_same_type
from .registry import builtin
from .support import BOOL


def _require_bool(node, specs):
    for spec in specs:
        if spec.type != BOOL:
            raise KernelError("Logical ops only support bool type.")


@builtin("LOGICAL_AND", "LOGICAL_OR")
def prepare_logical_binary(node):
    a, b = expect_io(node, 2)
    out = node.outputs[0]
    _require_bool(node, (a, b, out))
    shape = broadcast_shape(node, a.shape, b.shape)
    ufunc = np.logical_and if node.op_name == "LOGICAL_AND" else np.logical_or
    # 0-d operands: ufuncs give numpy scalars; as_array makes them arrays in one step
    return (as_array(ufunc) if shape == () else ufunc), [shape]


@builtin("LOGICAL_NOT")
def prepare_logical_not(node):
    (x,), out = expect_io(node, 1), node.outputs[0]
    require_same_type(node, x, out)
    _require_bool(node, (x,))
    return (as_array(np.logical_not) if x.shape == () else np.logical_not), [x.shape]
