"""TOPK_V2 and UNIQUE.

* TOPK_V2: the ``k`` largest values along the last axis, in descending order, with their
  int32 indices (LiteRT refuses int64 ones); equal values keep ascending index order, as
  in LiteRT. ``k`` not known at prepare makes both outputs dynamic.
* UNIQUE: the distinct values of a 1-D tensor in order of first appearance, and for each
  element the position of its value there (int32 or int64). The first output's length
  depends on the data.
"""

import numpy as np

from ..model import types
from .common import KernelError, options_field, require_same_type
from .registry import builtin
from .support import (FLOAT32, INDEX_TYPES, INT8, INT16, INT32, INT64, UINT8, check_type,
                      known_ints, require_plain_copy)

_VALUE_TYPES = (FLOAT32, INT8, UINT8, INT16, INT32, INT64)


def _descending_order(a):
    """Indices sorting the last axis in descending order, ties by ascending index (a stable
    ascending sort of the reversed rows, read backwards: no negation, so integer minima and
    -0.0 need no care)."""
    n = a.shape[-1]
    order = np.argsort(a[..., ::-1], axis=-1, kind="stable")[..., ::-1]
    return (n - 1) - order


@builtin("TOPK_V2")
def prepare_topk_v2(node):
    if len(node.inputs) != 2 or len(node.outputs) != 2 or None in node.inputs:
        raise KernelError("TOPK_V2: expected 2 inputs and 2 outputs")
    x, k_spec = node.inputs
    values_out, indices_out = node.outputs
    require_same_type(node, x, values_out)
    check_type(node, x, _VALUE_TYPES)
    require_plain_copy(node, x, values_out)
    check_type(node, k_spec, (INT32,), "k")
    if indices_out.type != INT32:
        raise KernelError(f"Output index type {types.type_name(indices_out.type)} is currently "
                          "not supported by TopK.")
    if len(x.shape) < 1:
        raise KernelError("TOPK_V2: input must have at least 1 dimension")
    n = x.shape[-1]
    index_dtype = indices_out.dtype

    def top(a, k):
        if not 0 <= k <= a.shape[-1]:
            raise KernelError(f"TOPK_V2: k {k} is out of range for a last dimension of "
                              f"{a.shape[-1]}")
        order = _descending_order(a)[..., :k]
        return np.take_along_axis(a, order, axis=-1), order.astype(index_dtype)

    k = known_ints(k_spec)
    if k is None:
        def run_dynamic(a, k_value):
            return top(a, int(k_value.reshape(-1)[0]))
        return run_dynamic, [None, None]
    if len(k) != 1:
        raise KernelError(f"TOPK_V2: k must be a scalar, got {len(k)} values")
    k = k[0]
    if not 0 <= k <= n:
        raise KernelError(f"TOPK_V2: k {k} is out of range for a last dimension of {n}")
    shape = tuple(x.shape[:-1]) + (k,)

    def run(a, _k=None):
        return top(a, k)
    return run, [shape, shape]


@builtin("UNIQUE")
def prepare_unique(node):
    if len(node.inputs) != 1 or len(node.outputs) != 2 or None in node.inputs:
        raise KernelError("UNIQUE: expected 1 input and 2 outputs")
    (x,) = node.inputs
    y_out, idx_out = node.outputs
    require_same_type(node, x, y_out)
    check_type(node, x, _VALUE_TYPES)
    require_plain_copy(node, x, y_out)
    check_type(node, idx_out, INDEX_TYPES, "index output")
    idx_type = options_field(node, "idx_out_type", idx_out.type)
    if idx_type != idx_out.type:
        raise KernelError(f"UNIQUE: idx_out_type {types.type_name(idx_type)} does not match the "
                          f"index output type {types.type_name(idx_out.type)}")
    if len(x.shape) != 1:
        raise KernelError(f"UNIQUE: input must be 1-D, got shape {list(x.shape)}")
    index_dtype = idx_out.dtype

    def run(a):
        values, first, inverse = np.unique(a, return_index=True, return_inverse=True)
        order = np.argsort(first, kind="stable")        # sorted -> first-appearance order
        rank = np.empty_like(order)
        rank[order] = np.arange(order.size)
        return a[first[order]], rank[inverse.reshape(-1)].astype(index_dtype)
    return run, [None, x.shape]
