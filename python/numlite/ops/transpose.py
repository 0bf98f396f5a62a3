"""TRANSPOSE with the permutation from the second input (negative entries count from the end).

The output is a contiguous copy, as LiteRT writes it. An INT64 permutation is read
as int64 (LiteRT 2.x reads its bytes as int32, which only works by accident).
"""

import numpy as np

from ..model import types
from .common import KernelError, expect_io, require_same_type
from .registry import builtin


def _permutation(perm_value, rank):
    perm = [int(p) for p in np.asarray(perm_value).reshape(-1).tolist()]
    if len(perm) != rank:
        raise KernelError(f"TRANSPOSE: permutation {perm} does not have {rank} entries")
    if any(not -rank <= p < rank for p in perm):
        raise KernelError("Transpose op permutations array is out of bounds.")
    perm = [p + rank if p < 0 else p for p in perm]      # LiteRT accepts negative entries
    if sorted(perm) != list(range(rank)):
        raise KernelError(f"TRANSPOSE: {perm} is not a permutation")
    return tuple(perm)


@builtin("TRANSPOSE")
def prepare_transpose(node):
    x, perm_spec = expect_io(node, 2)
    out = node.outputs[0]
    require_same_type(node, x, out)
    if perm_spec.type not in (types.INT32, types.INT64):
        raise KernelError(f"TRANSPOSE: permutation type {types.type_name(perm_spec.type)} is "
                          "not INT32 or INT64")
    rank = len(x.shape)
    transpose, copy = np.transpose, np.ascontiguousarray
    if perm_spec.value is None and perm_spec.shape != (0,):
        def run_dynamic(a, perm_value):
            return copy(transpose(a, _permutation(perm_value, a.ndim)))
        return run_dynamic, [None]
    perm = _permutation(() if perm_spec.shape == (0,) else perm_spec.value, rank)
    shape = tuple(x.shape[p] for p in perm)
    if perm == tuple(range(rank)):
        def run(a, _perm=None):
            return a.copy()
    else:
        def run(a, _perm=None):
            return copy(transpose(a, perm))
    return run, [shape]
