"""DENSIFY against ai_edge_litert: CSR and block-sparse constants, several index widths.

The sparse constants are encoded here (a plain recursive encoder of the schema's
SparsityParameters) from random dense arrays with many zeros.
"""

import numpy as np
import pytest

from builder import T, Op, build_model, single_op
from differential import DEFAULT, REF, compare, litert_error, numlite_error


def encode(dense, order, block_map, block_sizes, formats, index_type="int32"):
    """(values, sparsity dict) of ``dense`` traversed in ``order`` with the given blocks."""
    rank = dense.ndim
    split, outer, inner = [], [], []
    for d, size in enumerate(dense.shape):
        if d in block_map:
            b = block_sizes[block_map.index(d)]
            outer.append(len(split))
            split += [size // b, b]
        else:
            outer.append(len(split))
            split.append(size)
    for d in block_map:
        inner.append(outer[d] + 1)
    expanded = dense.reshape(split).transpose(outer + inner)
    arr = expanded.transpose(order)
    n = rank + len(block_map)
    segments = [[0] for _ in range(n)]
    indices = [[] for _ in range(n)]
    values = []

    def visit(sub, level):
        if level == n:
            values.append(sub)
            return
        for i in range(sub.shape[0]):
            if formats[level] == "SPARSE_CSR":
                if not np.any(sub[i]):
                    continue
                indices[level].append(i)
            visit(sub[i], level + 1)
        if formats[level] == "SPARSE_CSR":
            segments[level].append(len(indices[level]))

    visit(arr, 0)
    dims = []
    for level in range(n):
        if formats[level] == "DENSE":
            dims.append(dict(format="DENSE", dense_size=arr.shape[level]))
        else:
            dims.append(dict(format="SPARSE_CSR", segments=segments[level],
                             indices=indices[level], index_type=index_type))
    sparsity = dict(traversal_order=list(order), block_map=list(block_map), dim_metadata=dims)
    return np.asarray(values, dense.dtype), sparsity


def sparse_dense(shape, density, seed, dtype=np.float32, block=None):
    rng = np.random.default_rng(seed)
    if block is None:
        mask = rng.random(shape) < density
    else:       # whole blocks zero or not
        coarse = rng.random([s // b for s, b in zip(shape, block)]) < density
        mask = np.kron(coarse, np.ones(block, bool)) if len(shape) == 2 else coarse
    values = rng.standard_normal(shape) * 3 if np.dtype(dtype).kind == "f" else \
        rng.integers(-100, 100, shape)
    return np.where(mask, values, 0).astype(dtype)


CASES = [
    # (dense shape, order, block_map, block sizes, formats, block)
    ((4, 6), (0, 1), (), (), ("DENSE", "SPARSE_CSR"), None),
    ((5, 7), (0, 1), (), (), ("SPARSE_CSR", "SPARSE_CSR"), None),
    ((6, 4), (1, 0), (), (), ("DENSE", "SPARSE_CSR"), None),                # column-major
    ((4, 8), (0, 1, 2), (1,), (4,), ("DENSE", "SPARSE_CSR", "DENSE"), (1, 4)),   # 1x4 blocks
    ((4, 8), (0, 1, 2, 3), (0, 1), (2, 2), ("DENSE", "SPARSE_CSR", "DENSE", "DENSE"), (2, 2)),
    ((3, 4, 5), (0, 1, 2), (), (), ("DENSE", "SPARSE_CSR", "SPARSE_CSR"), None),
    ((3, 4, 5), (0, 1, 2), (), (), ("DENSE", "DENSE", "SPARSE_CSR"), None),
    ((8,), (0,), (), (), ("SPARSE_CSR",), None),
]


def densify_then_add(shape, values, sparsity, dtype=np.float32):
    """DENSIFY feeding ADD(x, dense): how converted models use it (LiteRT's XNNPACK delegate
    takes the densified constant as static weights and cannot run a lone DENSIFY)."""
    tensors = [T(list(shape), dtype, data=values, sparsity=sparsity, name="sparse"),
               T(list(shape), dtype, name="dense"), T(list(shape), dtype, name="x"),
               T(list(shape), dtype, name="out")]
    return build_model([Op("DENSIFY", [0], [1]), Op("ADD", [2, 1], [3], options={})],
                       tensors, [2], [3])


@pytest.mark.parametrize("case", CASES, ids=str)
def test_densify(case):
    shape, order, block_map, block_sizes, formats, block = case
    dense = sparse_dense(shape, 0.4, len(str(case)), block=block)
    values, sparsity = encode(dense, list(order), list(block_map), list(block_sizes), formats)
    model = single_op("DENSIFY", [T(list(shape), data=values, sparsity=sparsity)],
                      [T(list(shape))])
    ours, _ = compare(model, [], resolver=REF)
    np.testing.assert_array_equal(ours[0], dense)
    x = np.asarray(np.random.default_rng(1).standard_normal(shape), np.float32)
    for resolver in (REF, DEFAULT):
        ours, _ = compare(densify_then_add(shape, values, sparsity), [x], resolver=resolver)
        np.testing.assert_array_equal(ours[0], x + dense)


@pytest.mark.parametrize("index_type", ("uint8", "uint16", "int32"))
@pytest.mark.parametrize("dtype", (np.float32, np.float16, np.int8))
def test_densify_types(dtype, index_type):
    dense = sparse_dense((5, 6), 0.3, 7, dtype)
    values, sparsity = encode(dense, [0, 1], [], [], ("DENSE", "SPARSE_CSR"), index_type)
    model = single_op("DENSIFY", [T([5, 6], dtype, data=values, sparsity=sparsity)],
                      [T([5, 6], dtype)])
    ours, _ = compare(model, [])
    np.testing.assert_array_equal(ours[0], dense)


def test_densify_refuses_non_constant_input_like_litert():
    # an all-zero sparse tensor stores no values: its buffer is empty, so it is not a constant
    dense = np.zeros((3, 4), np.float32)
    values, sparsity = encode(dense, [0, 1], [], [], ("DENSE", "SPARSE_CSR"))
    assert values.size == 0
    model = single_op("DENSIFY", [T([3, 4], data=np.zeros(0, np.float32), sparsity=sparsity)],
                      [T([3, 4])])
    ours, theirs = numlite_error(model, []), litert_error(model, [])
    assert ours.splitlines()[0] in theirs
