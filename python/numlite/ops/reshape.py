"""RESHAPE, SQUEEZE, EXPAND_DIMS: new views of the same data (no copy when contiguous).

RESHAPE takes its new shape from the second input when that is a 1-D int32
tensor, else from ReshapeOptions.new_shape (a legacy [0] there means a scalar).
One -1 is inferred. A shape input not known at prepare makes the output
dynamic: its shape is worked out at each invoke.
"""

import numpy as np

from ..model import types
from .common import KernelError, expect_io, require_same_type
from .registry import builtin


def _element_count(shape):
    return int(np.prod(shape, dtype=np.int64))


def resolve_shape(op_name, requested, count, input_shape):
    """The concrete shape for a requested shape with at most one -1 (LiteRT's rules)."""
    dims = [int(d) for d in requested]
    stretch = -1
    known = 1
    for i, d in enumerate(dims):
        if d == -1:
            if stretch != -1:
                raise KernelError(f"{op_name}: new shape {dims} has more than one -1")
            stretch = i
        else:
            if d < 0:
                raise KernelError(f"{op_name}: new shape {dims} has a negative dimension")
            known *= d
    if stretch != -1:
        if known == 0:
            if count != 0:
                raise KernelError(f"{op_name}: cannot infer the -1 of {dims} for an input of "
                                  f"shape {list(input_shape)}")
            # LiteRT's rule when both sides are empty: the ratio of the nonzero dimensions
            # (input [0, 3] to [-1, 0] gives [3, 0])
            nonzero_in = _element_count([d for d in input_shape if d])
            nonzero_out = _element_count([d for i, d in enumerate(dims) if d and i != stretch])
            dims[stretch] = nonzero_in // nonzero_out
        else:
            dims[stretch] = count // known
        known *= dims[stretch]
    if known != count:
        raise KernelError(f"{op_name}: cannot reshape an input of shape {list(input_shape)} "
                          f"({count} elements) into {dims} ({known} elements)")
    return tuple(dims)


def _shape_from_tensor(spec):
    """Whether RESHAPE reads its shape from input 2 (a 1-D int32 tensor)."""
    return spec is not None and spec.type == types.INT32 and spec.shape is not None \
        and len(spec.shape) == 1


@builtin("RESHAPE")
def prepare_reshape(node):
    if len(node.inputs) not in (1, 2) or len(node.outputs) != 1 or node.inputs[0] is None:
        raise KernelError(f"RESHAPE: expected 1 or 2 inputs and 1 output, got "
                          f"{len(node.inputs)} and {len(node.outputs)}")
    x, out = node.inputs[0], node.outputs[0]
    require_same_type(node, x, out)
    count = _element_count(x.shape)
    shape_input = node.inputs[1] if len(node.inputs) == 2 else None
    if _shape_from_tensor(shape_input):
        if shape_input.value is None and shape_input.shape != (0,):
            def run_dynamic(a, new_shape):
                return a.reshape(resolve_shape("RESHAPE", new_shape.tolist(), a.size, a.shape))
            return run_dynamic, [None]
        requested = [] if shape_input.shape == (0,) else \
            np.asarray(shape_input.value).reshape(-1).tolist()
    else:
        requested = list(node.options.new_shape) if node.options is not None else []
        if len(requested) == 1 and requested[0] == 0:
            requested = []      # legacy models write [0] for a scalar
    shape = resolve_shape("RESHAPE", requested, count, x.shape)

    def run(a, _shape=None):
        return a.reshape(shape)
    return run, [shape]


@builtin("SQUEEZE")
def prepare_squeeze(node):
    (x,), out = expect_io(node, 1), node.outputs[0]
    require_same_type(node, x, out)
    rank = len(x.shape)
    dims = list(node.options.squeeze_dims) if node.options is not None else []
    if not dims:
        drop = {i for i, d in enumerate(x.shape) if d == 1}
    else:
        drop = set()
        for d in dims:
            axis = d + rank if d < 0 else d
            if not 0 <= axis < rank or x.shape[axis] != 1:
                raise KernelError(f"SQUEEZE: cannot squeeze dimension {d} of shape "
                                  f"{list(x.shape)}")
            drop.add(axis)
    shape = tuple(d for i, d in enumerate(x.shape) if i not in drop)

    def run(a):
        return a.reshape(shape)
    return run, [shape]


def _expand_axis(axis_value, rank):
    values = np.asarray(axis_value).reshape(-1)
    if values.size != 1:
        raise KernelError(f"EXPAND_DIMS: axis must hold one value, got {values.size}")
    axis = int(values[0])
    if axis < 0:
        axis += rank + 1
    if not 0 <= axis <= rank:
        raise KernelError(f"EXPAND_DIMS: axis {int(values[0])} is out of range for rank {rank}")
    return axis


@builtin("EXPAND_DIMS")
def prepare_expand_dims(node):
    x, axis_spec = expect_io(node, 2)
    out = node.outputs[0]
    require_same_type(node, x, out)
    if axis_spec.type not in (types.INT32, types.INT64):
        raise KernelError(f"EXPAND_DIMS: axis type {types.type_name(axis_spec.type)} is not "
                          "INT32 or INT64")
    rank = len(x.shape)
    if axis_spec.value is None:
        def run_dynamic(a, axis_value):
            axis = _expand_axis(axis_value, a.ndim)
            return a.reshape(a.shape[:axis] + (1,) + a.shape[axis:])
        return run_dynamic, [None]
    axis = _expand_axis(axis_spec.value, rank)
    shape = tuple(x.shape[:axis]) + (1,) + tuple(x.shape[axis:])

    def run(a, _axis=None):
        return a.reshape(shape)
    return run, [shape]
