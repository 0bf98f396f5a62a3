"""SELECT, SELECT_V2 (``condition ? x : y``) and WHERE (coordinates of true/nonzero elements).

* SELECT: ``x`` and ``y`` have one shape; ``condition`` has that shape too, or is 1-D
  selecting whole slices along the first dimension (LiteRT's "rank one" select).
* SELECT_V2: the three inputs broadcast together (numpy rules).
* WHERE: an int64 ``[count, rank]`` matrix of the coordinates where the input is true or
  nonzero, in row-major order; its shape depends on the data.
Values are copied raw (large selections pick raw bits, branch-free: see
``support.bit_select``): quantized x/y need the output's quantization.
"""

import numpy as np

from ..model import types
from .arithmetic import broadcast_shape
from .common import KernelError, expect_io, require_same_type
from .registry import builtin
from .support import (BOOL, FLOAT16, FLOAT32, FLOAT64, INT8, INT16, INT32, INT64, UINT8,
                      bit_select, check_type, require_plain_copy)

_VALUES = (FLOAT32, FLOAT16, FLOAT64, INT8, UINT8, INT16, INT32, INT64, BOOL)


def _select_specs(node):
    cond, x, y = expect_io(node, 3)
    out = node.outputs[0]
    if cond.type != BOOL:
        raise KernelError(f"{node.op_name}: condition type {types.type_name(cond.type)} is not "
                          "BOOL")
    require_same_type(node, x, y, "input x", "input y")
    require_same_type(node, x, out)
    check_type(node, x, _VALUES)
    require_plain_copy(node, x, out)
    require_plain_copy(node, y, out)
    return cond, x, y


def _where(c, a, b):
    return np.where(c, a, b)


@builtin("SELECT")
def prepare_select(node):
    cond, x, y = _select_specs(node)
    if tuple(x.shape) != tuple(y.shape):
        raise KernelError(f"SELECT: x shape {list(x.shape)} and y shape {list(y.shape)} differ")
    shape = tuple(x.shape)
    if tuple(cond.shape) == shape:
        return (bit_select if shape != () else _where), [shape]
    if len(cond.shape) == 1 and len(shape) >= 1 and cond.shape[0] == shape[0]:
        rows = (shape[0],) + (1,) * (len(shape) - 1)

        def run(c, a, b):
            return bit_select(c.reshape(rows), a, b)
        return run, [shape]
    raise KernelError(f"SELECT: condition shape {list(cond.shape)} must equal the input shape "
                      f"{list(shape)} or be 1-D of its first dimension")


@builtin("SELECT_V2")
def prepare_select_v2(node):
    cond, x, y = _select_specs(node)
    shape = broadcast_shape(node, broadcast_shape(node, cond.shape, x.shape), y.shape)
    if min(len(cond.shape), len(x.shape), len(y.shape)) == 0:
        return _where, [shape]          # (bit_select views its inputs: no 0-d ones)
    return bit_select, [shape]


@builtin("WHERE")
def prepare_where(node):
    (x,), out = expect_io(node, 1), node.outputs[0]
    check_type(node, x, (BOOL, FLOAT32, INT8, UINT8, INT32, INT64))
    if out.type != INT64:
        raise KernelError(f"WHERE: output type {types.type_name(out.type)} is not INT64")
    argwhere = np.argwhere

    def run(a):
        return argwhere(a).astype(np.int64, copy=False)
    return run, [None]
