"""PACK, UNPACK, SPLIT, SPLIT_V.

* PACK stacks ``values_count`` same-shape inputs along a new axis ``axis``; UNPACK is the
  inverse into ``num`` outputs.
* SPLIT cuts input 1 into ``num_splits`` equal parts along the scalar axis of input 0;
  SPLIT_V along input 2 with the sizes of input 1, where one size may be -1 (the rest).
Outputs are fresh contiguous arrays. Any plain type; quantized tensors need the output's
quantization (values are copied raw).
"""

import numpy as np

from .common import KernelError, normalize_axis, options_field, require_same_type
from .registry import builtin
from .support import ANY_DATA, INDEX_TYPES, INT32, check_type, known_ints, require_plain_copy


def _io(node, inputs=None, outputs=None):
    if (inputs is not None and len(node.inputs) != inputs) or \
            (outputs is not None and len(node.outputs) != outputs) or None in node.inputs:
        raise KernelError(f"{node.op_name}: expected {inputs or 'some'} input(s) and "
                          f"{outputs or 'some'} output(s), got {len(node.inputs)} and "
                          f"{len(node.outputs)}")


@builtin("PACK")
def prepare_pack(node):
    _io(node, outputs=1)
    if not node.inputs:
        raise KernelError("PACK: no inputs")
    out = node.outputs[0]
    first = node.inputs[0]
    count = options_field(node, "values_count", len(node.inputs))
    if count != len(node.inputs):
        raise KernelError(f"PACK: values_count {count} but {len(node.inputs)} inputs")
    for spec in node.inputs:
        require_same_type(node, spec, out)
        require_plain_copy(node, spec, out)
        if tuple(spec.shape) != tuple(first.shape):
            raise KernelError(f"PACK: input shapes {[list(s.shape) for s in node.inputs]} "
                              "differ")
    check_type(node, out, ANY_DATA, "output")
    rank = len(first.shape)
    axis = normalize_axis(node, options_field(node, "axis", 0), rank + 1)
    shape = tuple(first.shape[:axis]) + (len(node.inputs),) + tuple(first.shape[axis:])
    stack = np.stack

    def run(*arrays):
        return stack(arrays, axis=axis)
    return run, [shape]


@builtin("UNPACK")
def prepare_unpack(node):
    _io(node, inputs=1)
    x = node.inputs[0]
    rank = len(x.shape)
    if rank == 0:
        raise KernelError("UNPACK: input must have at least 1 dimension")
    if 0 in x.shape:
        raise KernelError("NumElements(input) > 0 was not true.")       # LiteRT's rule
    axis = normalize_axis(node, options_field(node, "axis", 0), rank)
    num = options_field(node, "num", len(node.outputs))
    if num != x.shape[axis] or len(node.outputs) != num:
        raise KernelError(f"UNPACK: num {num} and {len(node.outputs)} outputs for dimension "
                          f"{x.shape[axis]}")
    for spec in node.outputs:
        require_same_type(node, x, spec)
        require_plain_copy(node, x, spec)
    check_type(node, x, ANY_DATA)
    shape = tuple(x.shape[:axis]) + tuple(x.shape[axis + 1:])
    before = (slice(None),) * axis

    def run(a):
        return tuple(a[before + (i, Ellipsis)].copy() for i in range(num))
    if num == 1:
        def run_one(a):
            return (a.reshape(shape).copy(),)
        return _single(run_one), [shape]
    return run, [shape] * num


def _single(run):
    """The runtime expects a plain array (not a tuple) from a node with one output."""
    def run_first(*arrays):
        return run(*arrays)[0]
    return run_first


def _split_parts(node, x, axis, sizes):
    """A run splitting along ``axis`` into pieces of ``sizes``, and the output shapes."""
    bounds = np.cumsum([0] + list(sizes)).tolist()
    before = (slice(None),) * axis
    pieces = [before + (slice(lo, hi), Ellipsis) for lo, hi in zip(bounds[:-1], bounds[1:])]
    shapes = [tuple(x.shape[:axis]) + (n,) + tuple(x.shape[axis + 1:]) for n in sizes]

    def run(a):
        return tuple(a[p].copy() for p in pieces)
    if len(sizes) == 1:
        return _single(run), shapes
    return run, shapes


def _split_axis(node, spec, rank):
    check_type(node, spec, (INT32,) if node.op_name == "SPLIT" else INDEX_TYPES, "axis")
    values = known_ints(spec)
    if values is None or len(values) != 1:
        raise KernelError(f"{node.op_name}: the axis must be a constant scalar")
    return normalize_axis(node, values[0], rank)


def _check_outputs(node, x):
    for spec in node.outputs:
        require_same_type(node, x, spec)
        require_plain_copy(node, x, spec)
    check_type(node, x, ANY_DATA)


@builtin("SPLIT")
def prepare_split(node):
    _io(node, inputs=2)
    axis_spec, x = node.inputs
    _check_outputs(node, x)
    axis = _split_axis(node, axis_spec, len(x.shape))
    num = options_field(node, "num_splits", len(node.outputs))
    if num != len(node.outputs) or num <= 0 or x.shape[axis] % num:
        raise KernelError(f"SPLIT: cannot split dimension {x.shape[axis]} into {num} equal "
                          f"parts for {len(node.outputs)} outputs")
    run, shapes = _split_parts(node, x, axis, [x.shape[axis] // num] * num)

    def run_split(_axis, a):
        return run(a)
    return run_split, shapes


@builtin("SPLIT_V")
def prepare_split_v(node):
    _io(node, inputs=3)
    x, sizes_spec, axis_spec = node.inputs
    _check_outputs(node, x)
    check_type(node, sizes_spec, INDEX_TYPES, "size_splits")
    axis = _split_axis(node, axis_spec, len(x.shape))
    sizes = known_ints(sizes_spec)
    if sizes is None:
        raise KernelError("SPLIT_V: size_splits must be constant")
    num = options_field(node, "num_splits", len(node.outputs))
    if len(sizes) != num or num != len(node.outputs):
        raise KernelError(f"SPLIT_V: {len(sizes)} sizes, num_splits {num} and "
                          f"{len(node.outputs)} outputs")
    dim = x.shape[axis]
    unknown = [i for i, s in enumerate(sizes) if s == -1]
    if len(unknown) > 1 or any(s < -1 for s in sizes):
        raise KernelError(f"SPLIT_V: invalid size_splits {sizes}")
    if unknown:
        sizes[unknown[0]] = dim - (sum(sizes) + 1)
    if sum(sizes) != dim or any(s < 0 for s in sizes):
        raise KernelError(f"SPLIT_V: size_splits {sizes} do not add up to dimension {dim}")
    run, shapes = _split_parts(node, x, axis, sizes)

    def run_split_v(a, _sizes=None, _axis=None):
        return run(a)
    return run_split_v, shapes
