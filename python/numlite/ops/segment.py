"""SEGMENT_SUM and UNSORTED_SEGMENT_SUM/PROD/MAX/MIN (float32, int32).

Rows of ``data`` (slices along the leading ``segment_ids.ndim`` axes) are combined into
output row ``segment_ids[i]``:
* SEGMENT_SUM: ids must start at 0 and rise by 0 or 1 (LiteRT's rule, checked at invoke);
  ``max(id) + 1`` output rows (data dependent unless the ids are constant).
* UNSORTED_SEGMENT_*: ``num_segments`` output rows; ids may be in any order; ids out of
  ``[0, num_segments)`` fail at invoke. Empty segments hold the reduction's identity:
  0 (sum), 1 (prod), the type's lowest (max) or highest (min) value, as in LiteRT.
Sums and products are accumulated in input order.
"""

import numpy as np

from .common import KernelError, expect_io, require_same_type
from .registry import builtin
from .support import FLOAT32, INT32, check_type, known_ints, refuse_quantized

_UFUNCS = {"SEGMENT_SUM": np.add, "UNSORTED_SEGMENT_SUM": np.add,
           "UNSORTED_SEGMENT_PROD": np.multiply, "UNSORTED_SEGMENT_MAX": np.maximum,
           "UNSORTED_SEGMENT_MIN": np.minimum}


def _identity(op_name, dtype):
    dtype = np.dtype(dtype)
    info = np.finfo(dtype) if dtype.kind == "f" else np.iinfo(dtype)
    return {"UNSORTED_SEGMENT_PROD": 1, "UNSORTED_SEGMENT_MAX": info.min,
            "UNSORTED_SEGMENT_MIN": info.max}.get(op_name, 0)


def _segment_specs(node, inputs):
    specs = expect_io(node, inputs)
    data, ids = specs[0], specs[1]
    out = node.outputs[0]
    require_same_type(node, data, out)
    check_type(node, data, (FLOAT32, INT32))
    refuse_quantized(node, data, out)
    check_type(node, ids, (INT32,), "segment_ids")
    k = len(ids.shape)
    if tuple(data.shape[:k]) != tuple(ids.shape):
        raise KernelError(f"{node.op_name}: segment_ids shape {list(ids.shape)} is not a prefix "
                          f"of data shape {list(data.shape)}")
    return specs, k


def _combiner(op_name, data_shape, k, dtype):
    ufunc = _UFUNCS[op_name]
    identity = np.dtype(dtype).type(_identity(op_name, dtype))
    inner = tuple(data_shape[k:])

    def combine(d, ids, segments):
        flat_ids = ids.reshape(-1)
        r = np.full((segments,) + inner, identity, dtype)
        ufunc.at(r, flat_ids, d.reshape(flat_ids.shape + inner))
        return r
    return combine


@builtin("SEGMENT_SUM")
def prepare_segment_sum(node):
    (data, ids), k = _segment_specs(node, 2)
    combine = _combiner("SEGMENT_SUM", data.shape, k, data.dtype)

    def segments_of(i):
        # LiteRT's rules (checked at invoke): ids start at 0 and go up by 0 or 1
        flat = i.reshape(-1)
        if not flat.size:
            return 0
        if flat[0] != 0:
            raise KernelError(f"current_segment_id != 0 ({int(flat[0])} != 0)")
        delta = np.diff(flat)
        if ((delta != 0) & (delta != 1)).any():
            raise KernelError("delta == 0 || delta == 1 was not true.")
        return int(flat[-1]) + 1

    def run(d, i):
        return combine(d, i, segments_of(i))
    known = known_ints(ids)
    if known is None:
        return run, [None]
    try:
        segments = segments_of(np.array(known, np.int64))
    except KernelError:
        return run, [None]          # LiteRT reports bad constant ids at invoke too
    return run, [(segments,) + tuple(data.shape[k:])]


@builtin("UNSORTED_SEGMENT_SUM", "UNSORTED_SEGMENT_PROD", "UNSORTED_SEGMENT_MAX",
         "UNSORTED_SEGMENT_MIN")
def prepare_unsorted_segment(node):
    (data, ids, num_spec), k = _segment_specs(node, 3)
    check_type(node, num_spec, (INT32,), "num_segments")
    combine = _combiner(node.op_name, data.shape, k, data.dtype)
    op_name = node.op_name

    def run_with(d, i, segments):
        if i.size and (i.view(np.uint32).max() >= segments):
            raise KernelError(f"{op_name}: segment id out of range [0, {segments})")
        return combine(d, i, segments)

    num = known_ints(num_spec)
    if num is None:
        def run_dynamic(d, i, n):
            return run_with(d, i, int(n.reshape(-1)[0]))
        return run_dynamic, [None]
    if len(num) != 1 or num[0] < 0:
        raise KernelError(f"{op_name}: num_segments must be one non-negative value")
    segments = num[0]

    def run(d, i, _n=None):
        return run_with(d, i, segments)
    return run, [(segments,) + tuple(data.shape[k:])]
