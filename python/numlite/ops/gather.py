"""GATHER: params.take(indices) along ``axis`` with ``batch_dims`` leading batch dimensions.

Out-of-range (including negative) indices fail at invoke, as in LiteRT.
Params float32/float16/int8/uint8/int16/int32/int64/bool, or 1-D strings (LiteRT's
set); indices int16, int32 or int64.
"""

import numpy as np

from ..model import types
from .common import KernelError, expect_io, normalize_axis, options_field, require_same_type
from .registry import builtin

_UNSIGNED = {np.dtype(np.int32): np.uint32, np.dtype(np.int64): np.uint64,
             np.dtype(np.int16): np.uint16}


_SUPPORTED = (types.FLOAT32, types.FLOAT16, types.INT8, types.UINT8, types.INT16, types.INT32,
              types.INT64, types.BOOL, types.STRING)


def _out_of_range(indices):
    """LiteRT's invoke-time texts for bad indices."""
    if (indices < 0).any():
        return KernelError("indices_has_only_positive_elements was not true.gather index out "
                           "of bounds")
    return KernelError("gather index out of bounds")


@builtin("GATHER")
def prepare_gather(node):
    params, indices = expect_io(node, 2)
    out = node.outputs[0]
    require_same_type(node, params, out, "params", "output")
    if params.type not in _SUPPORTED:
        raise KernelError(f"Type '{types.type_name(params.type)}' is not supported by gather.")
    if indices.type not in (types.INT32, types.INT64, types.INT16):
        raise KernelError(f"GATHER: indices type {types.type_name(indices.type)} is not "
                          "INT32 or INT64")
    prank, irank = len(params.shape), len(indices.shape)
    axis = normalize_axis(node, options_field(node, "axis", 0), prank)
    batch_dims = options_field(node, "batch_dims", 0)
    if batch_dims < 0:
        batch_dims += irank
    if not 0 <= batch_dims <= irank or batch_dims > axis:
        raise KernelError(f"GATHER: batch_dims {options_field(node, 'batch_dims', 0)} is out "
                          f"of range (indices rank {irank}, axis {axis})")
    if tuple(params.shape[:batch_dims]) != tuple(indices.shape[:batch_dims]):
        raise KernelError(f"GATHER: params shape {list(params.shape)} and indices shape "
                          f"{list(indices.shape)} differ in the batch dimensions")
    if params.type == types.STRING and prank != 1:
        raise KernelError(f"NumDimensions(input) != 1 ({prank} != 1)")
    limit = params.shape[axis]
    out_shape = tuple(params.shape[:axis]) + tuple(indices.shape[batch_dims:]) + \
        tuple(params.shape[axis + 1:])
    unsigned = _UNSIGNED[np.dtype(indices.dtype)]
    take = np.take

    def check(idx):
        # one pass: negative indices become huge as unsigned
        if idx.size and idx.view(unsigned).max() >= limit:
            raise _out_of_range(idx)

    if batch_dims == 0 and irank == 0 and params.type != types.STRING:
        # one index (an RNN loop's time step): plain indexing, several times cheaper
        lead = (slice(None),) * axis

        def run_index(p, idx):
            i = int(idx)
            if not 0 <= i < limit:
                raise _out_of_range(idx)
            return np.array(p[lead + (i,)])
        return run_index, [out_shape]
    if batch_dims == 0 and out_shape == ():
        # np.take gives a scalar (bytes for strings) here; keep a 0-d array of params' dtype
        def run_0d(p, idx):
            check(idx)
            return take(p, idx.reshape(1), axis=axis).reshape(())
        return run_0d, [out_shape]
    if batch_dims == 0:
        def run(p, idx):
            check(idx)
            return take(p, idx, axis=axis)
        return run, [out_shape]

    batch = int(np.prod(params.shape[:batch_dims], dtype=np.int64))
    outer = int(np.prod(params.shape[batch_dims:axis], dtype=np.int64))
    inner = int(np.prod(params.shape[axis + 1:], dtype=np.int64))
    count = int(np.prod(indices.shape[batch_dims:], dtype=np.int64))
    rows = np.arange(batch).reshape(batch, 1)

    def run_batched(p, idx):
        check(idx)
        p3 = p.reshape(batch, outer, limit, inner)
        # advanced indices split by a slice go first: (batch, count, outer, inner)
        g = p3[rows, :, idx.reshape(batch, count), :]
        return np.ascontiguousarray(g.transpose(0, 2, 1, 3)).reshape(out_shape)
    return run_batched, [out_shape]
