"""SLICE, STRIDED_SLICE, DYNAMIC_UPDATE_SLICE, REVERSE_V2, REVERSE_SEQUENCE.

STRIDED_SLICE follows LiteRT: the sparse spec (begin/end/strides plus the five masks) is
expanded into one entry per input axis (the ellipsis covers the axes no other entry names;
new-axis entries insert a 1 and consume no axis; trailing axes are taken whole). Per axis,
negative begin/end count from the end and are clamped to ``[0, dim]`` (``[-1, dim - 1]``
for a negative stride); begin_mask/end_mask take the whole range; ``offset`` makes
``end = begin + end`` (begin after begin_mask) and ignores end_mask; a shrink axis takes
the single element at ``begin`` (or 0 / dim - 1 under begin_mask; out of range is an
error) and drops the axis. The result is a numpy basic-indexing view, copied.
Begin/end/strides (int32 only, as in LiteRT) or SLICE's begin/size (int32/int64) not known
at prepare make the output dynamic. REVERSE_V2 takes int32 axes (LiteRT refuses int64).
REVERSE_SEQUENCE reverses the first ``seq_lengths[b]`` steps of each batch entry.

DYNAMIC_UPDATE_SLICE clamps the start indices so the update fits (XLA semantics).
All are data movement: any plain type; quantized tensors need the output's quantization.
"""

import numpy as np

from ..model import types
from .common import KernelError, expect_io, options_field, require_same_type
from .registry import builtin
from .support import ANY_DATA, INDEX_TYPES, INT32, check_type, known_ints, require_plain_copy


def _data_spec(node, x, out):
    require_same_type(node, x, out)
    check_type(node, x, ANY_DATA)
    require_plain_copy(node, x, out)


def _take(a, index, shape):
    """``a[index]`` as a fresh array of ``shape`` (a trailing Ellipsis keeps 0-d results arrays)."""
    return a[index + (Ellipsis,)].copy().reshape(shape)


# ---- SLICE -----------------------------------------------------------------------------------

def _slice_index(op_name, in_shape, begin, size):
    rank = len(in_shape)
    if len(begin) != rank or len(size) != rank:
        raise KernelError(f"{op_name}: begin {list(begin)} and size {list(size)} need "
                          f"{rank} entries")
    index, shape = [], []
    for d, b, s in zip(in_shape, begin, size):
        if s == -1:
            s = d - b
        if b < 0 or s < 0 or b + s > d:
            raise KernelError(f"{op_name}: begin {list(begin)} and size {list(size)} are out "
                              f"of range for shape {list(in_shape)}")
        index.append(slice(b, b + s))
        shape.append(s)
    return tuple(index), tuple(shape)


@builtin("SLICE")
def prepare_slice(node):
    x, begin_spec, size_spec = expect_io(node, 3)
    _data_spec(node, x, node.outputs[0])
    check_type(node, begin_spec, INDEX_TYPES, "begin")
    check_type(node, size_spec, INDEX_TYPES, "size")
    begin, size = known_ints(begin_spec), known_ints(size_spec)
    if begin is None or size is None:
        def run_dynamic(a, b, s):
            index, shape = _slice_index("SLICE", a.shape, b.reshape(-1).tolist(),
                                        s.reshape(-1).tolist())
            return _take(a, index, shape)
        return run_dynamic, [None]
    index, shape = _slice_index("SLICE", x.shape, begin, size)

    def run(a, _b=None, _s=None):
        return _take(a, index, shape)
    return run, [shape]


# ---- STRIDED_SLICE ---------------------------------------------------------------------------

def _bit(mask, i):
    return (mask >> i) & 1


def strided_slice_index(op_name, in_shape, begin, end, strides, masks):
    """(numpy index tuple, output shape) for LiteRT's STRIDED_SLICE."""
    begin_mask, end_mask, ellipsis_mask, new_axis_mask, shrink_mask, offset = masks
    n = len(begin)
    if len(end) != n or len(strides) != n:
        raise KernelError(f"{op_name}: begin, end and strides lengths differ "
                          f"({len(begin)}, {len(end)}, {len(strides)})")
    rank = len(in_shape)
    if sum(_bit(ellipsis_mask, i) for i in range(n)) > 1:
        raise KernelError(f"{op_name}: more than one ellipsis")
    consuming = sum(1 for i in range(n)
                    if not _bit(ellipsis_mask, i) and not _bit(new_axis_mask, i))
    if consuming > rank:
        raise KernelError(f"{op_name}: {consuming} sliced axes for an input of rank {rank}")
    index, shape = [], []
    axis = 0
    for i in range(n):
        if _bit(ellipsis_mask, i):
            covered = rank - consuming
            for _ in range(covered):
                index.append(slice(None))
                shape.append(in_shape[axis])
                axis += 1
            continue
        if _bit(new_axis_mask, i):
            index.append(None)
            shape.append(1)
            continue
        d = in_shape[axis]
        axis += 1
        s = strides[i]
        if s == 0:
            raise KernelError(f"{op_name}: stride 0 in {list(strides)}")
        b, e = begin[i], end[i]
        masked_begin, masked_end = _bit(begin_mask, i), _bit(end_mask, i)
        if offset:
            # end is relative to begin (after begin_mask); end_mask does not apply
            if masked_begin:
                b = 0 if s > 0 else d - 1
                masked_begin = False
            e = b + e
            masked_end = False
        if _bit(shrink_mask, i):
            start = b
            if masked_begin:
                start = 0 if s > 0 else d - 1
            start = start + d if start < 0 else start
            if not 0 <= start < d:
                raise KernelError(f"{op_name}: shrink index {b} is out of range for "
                                  f"dimension {axis - 1} of size {d}")
            index.append(start)
            continue
        low, high = (0, d) if s > 0 else (-1, d - 1)
        if masked_begin:
            start = low if s > 0 else high
        else:
            start = min(max(b + d if b < 0 else b, low), high)
        if masked_end:
            stop = high if s > 0 else low
        else:
            stop = min(max(e + d if e < 0 else e, low), high)
        size = max(0, -(-(stop - start) // s))
        if size == 0:
            index.append(slice(0, 0))       # (a start of -1 would mean the last element)
        else:
            index.append(slice(start, stop if stop >= 0 else None, s))
        shape.append(size)
    for d in in_shape[axis:]:
        index.append(slice(None))
        shape.append(d)
    return tuple(index), tuple(shape)


@builtin("STRIDED_SLICE")
def prepare_strided_slice(node):
    if len(node.inputs) != 4 or len(node.outputs) != 1 or None in node.inputs:
        raise KernelError(f"STRIDED_SLICE: expected 4 inputs and 1 output, got "
                          f"{len(node.inputs)} and {len(node.outputs)}")
    x, begin_spec, end_spec, strides_spec = node.inputs
    _data_spec(node, x, node.outputs[0])
    for spec, what in ((begin_spec, "begin"), (end_spec, "end"), (strides_spec, "strides")):
        check_type(node, spec, (INT32,), what)          # LiteRT refuses int64 here
        if len(spec.shape) != 1:
            raise KernelError(f"STRIDED_SLICE: {what} must be 1-D, got shape "
                              f"{list(spec.shape)}")
    masks = tuple(int(options_field(node, name, 0)) for name in
                  ("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask",
                   "shrink_axis_mask")) + (bool(options_field(node, "offset", False)),)
    begin, end, strides = known_ints(begin_spec), known_ints(end_spec), known_ints(strides_spec)
    if begin is None or end is None or strides is None:
        def run_dynamic(a, b, e, s):
            index, shape = strided_slice_index("STRIDED_SLICE", a.shape, b.tolist(), e.tolist(),
                                               s.tolist(), masks)
            return _take(a, index, shape)
        return run_dynamic, [None]
    index, shape = strided_slice_index("STRIDED_SLICE", x.shape, begin, end, strides, masks)

    def run(a, _b=None, _e=None, _s=None):
        return _take(a, index, shape)
    return run, [shape]


# ---- DYNAMIC_UPDATE_SLICE --------------------------------------------------------------------

@builtin("DYNAMIC_UPDATE_SLICE")
def prepare_dynamic_update_slice(node):
    x, update, start_spec = expect_io(node, 3)
    out = node.outputs[0]
    _data_spec(node, x, out)
    require_same_type(node, x, update, "operand", "update")
    require_plain_copy(node, update, out)
    check_type(node, start_spec, INDEX_TYPES, "start indices")
    rank = len(x.shape)
    if len(update.shape) != rank:
        raise KernelError(f"DYNAMIC_UPDATE_SLICE: update rank {len(update.shape)} differs from "
                          f"operand rank {rank}")
    if any(u > d for u, d in zip(update.shape, x.shape)):
        raise KernelError(f"DYNAMIC_UPDATE_SLICE: update shape {list(update.shape)} is larger "
                          f"than operand shape {list(x.shape)}")
    if tuple(start_spec.shape) != (rank,):
        raise KernelError(f"DYNAMIC_UPDATE_SLICE: start indices must have shape [{rank}], "
                          f"got {list(start_spec.shape)}")
    limits = np.array([d - u for d, u in zip(x.shape, update.shape)], np.int64)
    sizes = update.shape

    def run(a, u, starts):
        begin = np.clip(starts.astype(np.int64), 0, limits).tolist()
        r = a.copy()
        r[tuple(slice(b, b + n) for b, n in zip(begin, sizes))] = u
        return r
    return run, [x.shape]


# ---- REVERSE_V2 ------------------------------------------------------------------------------

def _reverse_axes(op_name, values, rank):
    axes = []
    for v in values:
        if not -rank <= v < rank:
            raise KernelError(f"{op_name}: axis {v} is out of range for rank {rank}")
        axes.append(v + rank if v < 0 else v)
    return tuple(sorted(set(axes)))


@builtin("REVERSE_V2")
def prepare_reverse_v2(node):
    x, axis_spec = expect_io(node, 2)
    _data_spec(node, x, node.outputs[0])
    if axis_spec.type != INT32:
        raise KernelError(f"Axis Type '{types.type_name(axis_spec.type)}' is not supported by "
                          "reverse.")
    values = known_ints(axis_spec)
    flip = np.flip
    if values is None:
        def run_dynamic(a, axis):
            return flip(a, _reverse_axes("REVERSE_V2", axis.reshape(-1).tolist(), a.ndim)).copy()
        return run_dynamic, [x.shape]
    axes = _reverse_axes("REVERSE_V2", values, len(x.shape))
    if not axes:
        def run_copy(a, _axis=None):
            return a.copy()
        return run_copy, [x.shape]

    def run(a, _axis=None):
        return flip(a, axes).copy()
    return run, [x.shape]


# ---- REVERSE_SEQUENCE ------------------------------------------------------------------------

@builtin("REVERSE_SEQUENCE")
def prepare_reverse_sequence(node):
    """Per batch entry b, the first ``seq_lengths[b]`` elements along ``seq_dim`` reversed."""
    x, lengths_spec = expect_io(node, 2)
    _data_spec(node, x, node.outputs[0])
    check_type(node, lengths_spec, INDEX_TYPES, "seq_lengths")
    rank = len(x.shape)
    seq_dim = int(options_field(node, "seq_dim", 0))
    batch_dim = int(options_field(node, "batch_dim", 0))
    if not (0 <= seq_dim < rank and 0 <= batch_dim < rank) or seq_dim == batch_dim:
        raise KernelError(f"REVERSE_SEQUENCE: seq_dim {seq_dim} and batch_dim {batch_dim} must "
                          f"be different axes of a rank-{rank} input")
    batch, steps = x.shape[batch_dim], x.shape[seq_dim]
    if tuple(lengths_spec.shape) != (batch,):
        raise KernelError(f"REVERSE_SEQUENCE: seq_lengths shape {list(lengths_spec.shape)} "
                          f"should be [{batch}]")
    # open grids for every axis; the seq axis index depends on (batch, step)
    grids = list(np.ix_(*[np.arange(d) for d in x.shape])) if 0 not in x.shape else None
    step = np.arange(steps)

    def run(a, lengths):
        if grids is None:
            return a.copy()
        n = lengths.astype(np.int64)
        if ((n < 0) | (n > steps)).any():
            raise KernelError(f"REVERSE_SEQUENCE: seq_lengths {n.tolist()} out of [0, {steps}]")
        n = n[:, None]
        source = np.where(step[None, :] < n, n - 1 - step[None, :], step[None, :])  # [b, t]
        shape = [1] * rank
        shape[batch_dim], shape[seq_dim] = batch, steps
        order = np.argsort([batch_dim, seq_dim])      # lay out [b, t] in axis order
        source = source.transpose(order).reshape(shape)
        index = list(grids)
        index[seq_dim] = source
        return a[tuple(index)]
    return run, [x.shape]
