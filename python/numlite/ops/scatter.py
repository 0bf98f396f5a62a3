"""GATHER_ND, SCATTER_ND, EMBEDDING_LOOKUP, ONE_HOT: index-driven data movement.

* GATHER_ND: ``indices[..., k]`` address the first k axes of ``params``; the output is
  ``indices.shape[:-1] + params.shape[k:]``. An index out of range (negative included)
  fails at invoke.
* SCATTER_ND: zeros of ``shape`` with ``updates`` added at ``indices`` (repeated indices
  add up); out-of-range indices fail at invoke. ``shape`` not known at prepare makes the
  output dynamic.
* EMBEDDING_LOOKUP: rows of ``value`` (rank >= 2) picked by the 1-D int32 ``ids``;
  out-of-range ids fail at invoke. Hybrid lookups (quantized table, float output) are refused.
* ONE_HOT: ``on_value`` where ``indices == i`` along the new axis ``axis`` (-1: last),
  ``off_value`` elsewhere (out-of-range indices give a row of ``off_value``).
"""

import numpy as np

from ..model import types
from .common import KernelError, expect_io, options_field, require_same_type
from .registry import builtin
from .support import (ANY_DATA, BOOL, FLOAT32, INDEX_TYPES, INT8, INT16, INT32, INT64, UINT8,
                      check_type, count, known_ints, refuse_quantized, require_plain_copy)

_UNSIGNED = {np.dtype(np.int16): np.uint16, np.dtype(np.int32): np.uint32,
             np.dtype(np.int64): np.uint64}


def _flattener(dims, index_dtype, message):
    """``flat(idx)``: the row-major positions of the index rows ``idx`` ([n, k]) in ``dims``,
    or KernelError(``message``) for any index out of range (negative ones included: they
    are huge as unsigned)."""
    k = len(dims)
    unsigned = _UNSIGNED[np.dtype(index_dtype)]
    limits = np.array(dims, unsigned)
    strides = np.cumprod((list(dims[1:]) + [1])[::-1])[::-1].astype(np.int64)

    def flat(idx):
        if k == 0:
            return np.zeros(idx.shape[0], np.int64)
        if idx.size and (idx.view(unsigned) >= limits).any():
            raise KernelError(message)
        if k == 1:
            return idx[:, 0]
        return idx @ strides
    return flat


@builtin("GATHER_ND")
def prepare_gather_nd(node):
    params, indices = expect_io(node, 2)
    out = node.outputs[0]
    require_same_type(node, params, out, "params", "output")
    check_type(node, params, ANY_DATA, "params")
    require_plain_copy(node, params, out)
    check_type(node, indices, (types.INT16, INT32, INT64), "indices")
    if len(indices.shape) < 1:
        raise KernelError("GATHER_ND: indices must have at least 1 dimension")
    k = indices.shape[-1]
    if k > len(params.shape):
        raise KernelError(f"GATHER_ND: index depth {k} exceeds params rank "
                          f"{len(params.shape)}")
    dims = tuple(params.shape[:k])
    inner = tuple(params.shape[k:])
    shape = tuple(indices.shape[:-1]) + inner
    rows = (count(dims),) + inner
    flat = _flattener(dims, indices.dtype, "gather_nd index out of bounds")

    def run(p, idx):
        return p.reshape(rows)[flat(idx.reshape(-1, k))].reshape(shape)
    return run, [shape]


@builtin("SCATTER_ND")
def prepare_scatter_nd(node):
    indices, updates, shape_spec = expect_io(node, 3)
    out = node.outputs[0]
    require_same_type(node, updates, out, "updates", "output")
    check_type(node, updates, (FLOAT32, INT8, UINT8, INT32, INT64, BOOL), "updates")
    refuse_quantized(node, updates, out)
    check_type(node, indices, (INT32,), "indices")
    check_type(node, shape_spec, (INT32,), "shape")
    if len(indices.shape) < 1:
        raise KernelError("SCATTER_ND: indices must have at least 1 dimension")
    k = indices.shape[-1]
    lead = tuple(indices.shape[:-1])
    dtype = out.dtype

    def check(target):
        target = tuple(target)
        if any(d < 0 for d in target) or k > len(target) or \
                tuple(updates.shape) != lead + target[k:]:
            raise KernelError(f"SCATTER_ND: updates shape {list(updates.shape)} does not "
                              f"match indices shape {list(indices.shape)} and shape "
                              f"{list(target)}")
        return target

    def scatter(idx, upd, target, flat=None):
        dims, inner = target[:k], target[k:]
        flat = flat or _flattener(dims, indices.dtype, "scatter_nd index out of bounds")
        positions = flat(idx.reshape(-1, k))
        r = np.zeros((count(dims), count(inner)), dtype)
        np.add.at(r, positions, upd.reshape(len(positions), -1))
        return r.reshape(target)

    target = known_ints(shape_spec)
    if target is None:
        def run_dynamic(idx, upd, s):
            return scatter(idx, upd, check(s.tolist()))
        return run_dynamic, [None]
    target = check(target)
    flat = _flattener(target[:k], indices.dtype, "scatter_nd index out of bounds")

    def run(idx, upd, _s=None):
        return scatter(idx, upd, target, flat)
    return run, [target]


@builtin("EMBEDDING_LOOKUP")
def prepare_embedding_lookup(node):
    ids, value = expect_io(node, 2)
    out = node.outputs[0]
    check_type(node, ids, (INT32,), "ids")
    if len(ids.shape) != 1:
        raise KernelError(f"EMBEDDING_LOOKUP: ids must be 1-D, got shape {list(ids.shape)}")
    if out.type != value.type:
        raise KernelError(f"EMBEDDING_LOOKUP: hybrid lookup ({types.type_name(value.type)} "
                          f"table, {types.type_name(out.type)} output) is not supported")
    check_type(node, value, ANY_DATA, "value")
    require_plain_copy(node, value, out)
    if len(value.shape) < 2:
        raise KernelError("NumDimensions(value) >= 2 was not true.")        # LiteRT's rule
    rows = value.shape[0]
    shape = (ids.shape[0],) + tuple(value.shape[1:])

    def run(i, v):
        if i.size and i.view(np.uint32).max() >= rows:
            bad = int(i[(i < 0) | (i >= rows)][0])
            raise KernelError(f"Embedding Lookup: index out of bounds. Got {bad}, and bounds "
                              f"are [0, {rows - 1}]")
        return v[i]
    return run, [shape]


@builtin("ONE_HOT")
def prepare_one_hot(node):
    indices, depth_spec, on_spec, off_spec = expect_io(node, 4)
    out = node.outputs[0]
    check_type(node, indices, INDEX_TYPES, "indices")
    check_type(node, depth_spec, (INT32,), "depth")
    for spec, what in ((on_spec, "on_value"), (off_spec, "off_value")):
        require_same_type(node, spec, out, what, "output")
    check_type(node, out, (FLOAT32, INT8, UINT8, INT16, INT32, INT64, BOOL), "output")
    refuse_quantized(node, out)
    rank = len(indices.shape)
    axis = options_field(node, "axis", -1)
    if axis == -1:
        axis = rank
    if not 0 <= axis <= rank:
        raise KernelError(f"ONE_HOT: axis {options_field(node, 'axis', -1)} is out of range "
                          f"for output rank {rank + 1}")
    dtype = out.dtype

    def one_hot(idx, depth, on, off):
        if depth < 0:
            raise KernelError(f"ONE_HOT: negative depth {depth}")
        hot = np.expand_dims(idx, axis) == np.arange(depth).reshape(
            (depth,) + (1,) * (rank - axis))
        return np.where(hot, on.reshape(()), off.reshape(())).astype(dtype, copy=False)

    depth = known_ints(depth_spec)
    if depth is None:
        def run_dynamic(idx, d, on, off):
            return one_hot(idx, int(d.reshape(-1)[0]), on, off)
        return run_dynamic, [None]
    depth = depth[0]
    if depth < 0:
        raise KernelError(f"ONE_HOT: negative depth {depth}")
    shape = tuple(indices.shape[:axis]) + (depth,) + tuple(indices.shape[axis:])

    def run(idx, _d, on, off):
        return one_hot(idx, depth, on, off)
    return run, [shape]
