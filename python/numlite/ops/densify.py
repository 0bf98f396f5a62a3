"""DENSIFY: a constant sparse tensor (schema SparsityParameters) to its dense form.

The input is a constant whose buffer holds only the stored values; its Tensor record
carries ``sparsity``: ``traversal_order`` over ``rank + len(block_map)`` dimensions (the
original ones, then one per blocked dimension ``block_map[j]``), and per traversed
dimension a DENSE (``dense_size``) or SPARSE_CSR (``array_segments``, ``array_indices``)
description. Walking the levels in traversal order, a DENSE level of size ``s`` turns
each parent position ``p`` into ``p * s + i`` for ``i < s``; a SPARSE_CSR level turns it into
the positions ``segments[p] .. segments[p + 1] - 1`` with coordinates ``indices[k]``. The
last level's positions index the stored values. A blocked dimension's coordinate is
``block index * block size + index in block``.

The walk is vectorised level by level (numpy repeat/cumsum), never element by element;
the kernel is pure, so the runtime folds it once at prepare. Float32, float16 and plain
int8 values are supported; quantized tensors are refused.
"""

import numpy as np

from ..model import types
from .common import KernelError, is_quantized, type_name
from .registry import builtin
from .windows import check_arity, model_tensor

DENSE, SPARSE_CSR = 0, 1


def densify(values, shape, sparsity, op_name="DENSIFY"):
    """The dense array of ``shape`` described by ``sparsity`` and the stored ``values``."""
    rank = len(shape)
    order = [int(d) for d in sparsity.traversal_order]
    block_map = [int(d) for d in sparsity.block_map]
    dims = sparsity.dim_metadata
    n = rank + len(block_map)
    if sorted(order) != list(range(n)) or len(dims) != n:
        raise KernelError(f"{op_name}: traversal_order {order} and {len(dims)} dim_metadata "
                          f"do not describe {rank} dimensions with {len(block_map)} blocks")
    if any(not 0 <= b < rank for b in block_map) or len(set(block_map)) != len(block_map):
        raise KernelError(f"{op_name}: bad block_map {block_map}")
    level_of = {d: level for level, d in enumerate(order)}
    block_size = {}
    for j, d in enumerate(block_map):
        size = int(dims[level_of[rank + j]].dense_size)
        if size <= 0 or shape[d] % size:
            raise KernelError(f"{op_name}: block size {size} does not divide dimension {d} "
                              f"of shape {list(shape)}")
        block_size[d] = size
    extent = [shape[d] // block_size.get(d, 1) for d in range(rank)] + \
        [block_size[d] for d in block_map]

    pos = np.zeros(1, np.int64)
    coords = {}
    for level, d in enumerate(order):
        meta = dims[level]
        if meta.format == DENSE:
            size = int(meta.dense_size)
            if size != extent[d]:
                raise KernelError(f"{op_name}: dense dimension {d} has dense_size {size}, "
                                  f"expected {extent[d]}")
            parent = np.repeat(np.arange(pos.size), size)
            index = np.tile(np.arange(size, dtype=np.int64), pos.size)
            pos = pos[parent] * size + index
        elif meta.format == SPARSE_CSR:
            segments, indices = meta.array_segments, meta.array_indices
            if segments is None or indices is None:
                raise KernelError(f"{op_name}: sparse dimension {d} lacks segments or indices")
            segments = np.asarray(segments, np.int64)
            indices = np.asarray(indices, np.int64)
            if pos.size and (pos.max() + 1 >= segments.size):
                raise KernelError(f"{op_name}: sparse dimension {d}: segments too short")
            starts, ends = segments[pos], segments[pos + 1]
            counts = ends - starts
            if (counts < 0).any() or (ends > indices.size).any():
                raise KernelError(f"{op_name}: sparse dimension {d}: bad segments")
            parent = np.repeat(np.arange(pos.size), counts)
            first = np.cumsum(counts) - counts
            pos = starts[parent] + (np.arange(parent.size) - first[parent])
            index = indices[pos]
            if index.size and (index.min() < 0 or index.max() >= extent[d]):
                raise KernelError(f"{op_name}: sparse dimension {d}: index out of range")
        else:
            raise KernelError(f"{op_name}: unknown dimension format {meta.format}")
        coords = {k: c[parent] for k, c in coords.items()}
        coords[d] = index
    if pos.size and pos.max() >= values.size:
        raise KernelError(f"{op_name}: the sparse structure addresses {int(pos.max()) + 1} "
                          f"values, the buffer holds {values.size}")
    full = []
    for d in range(rank):
        c = coords[d]
        if d in block_size:
            c = c * block_size[d] + coords[rank + block_map.index(d)]
        full.append(c)
    dense = np.zeros(shape, values.dtype)
    dense[tuple(full)] = values[pos]
    return dense


def sparse_constant(node, spec):
    """The read-only dense value of ``spec`` when it is a constant sparse tensor (its model
    Tensor carries SparsityParameters), else None: kernels that read sparse weights directly
    (FULLY_CONNECTED) densify them once at prepare with this."""
    if spec is None or spec.value is None:
        return None
    tensor = model_tensor(node, spec)
    if tensor is None or tensor.sparsity is None:
        return None
    dense = densify(np.asarray(spec.value).reshape(-1), tuple(tensor.shape), tensor.sparsity,
                    node.op_name)
    dense.flags.writeable = False
    return dense


@builtin("DENSIFY")
def prepare_densify(node):
    check_arity(node, (1,))
    x, out = node.inputs[0], node.outputs[0]
    if x is None:
        raise KernelError("DENSIFY: missing input")
    if x.type not in (types.FLOAT32, types.FLOAT16, types.INT8) or is_quantized(x) \
            or is_quantized(out):
        raise KernelError(f"DENSIFY: input type {type_name(x)}"
                          f"{' (quantized)' if is_quantized(x) else ''} is not supported; "
                          "numlite densifies float32, float16 and plain int8 tensors")
    if out.type != x.type:
        raise KernelError(f"DENSIFY: output type {type_name(out)} does not match input type "
                          f"{type_name(x)}")
    if x.value is None:     # also an all-zero tensor: no stored values, an empty buffer
        raise KernelError("IsConstantTensor(op_context.input) was not true.")   # LiteRT's text
    dense = sparse_constant(node, x)
    if dense is None:
        raise KernelError("DENSIFY: the input must be a constant sparse tensor")
    shape = dense.shape

    def run(_a):
        return dense
    return run, [shape]
