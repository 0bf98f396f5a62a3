"""MATRIX_DIAG and MATRIX_SET_DIAG (any plain type; raw copies).

* MATRIX_DIAG: ``[..., n]`` -> ``[..., n, n]`` with the input on the main diagonal, zeros
  elsewhere.
* MATRIX_SET_DIAG: ``[..., m, n]`` with its main diagonal replaced by ``diag`` of shape
  ``[..., min(m, n)]``.
"""

import numpy as np

from .common import KernelError, expect_io, require_same_type
from .registry import builtin
from .support import ANY_DATA, check_type, require_plain_copy


@builtin("MATRIX_DIAG")
def prepare_matrix_diag(node):
    (x,), out = expect_io(node, 1), node.outputs[0]
    require_same_type(node, x, out)
    check_type(node, x, ANY_DATA)
    require_plain_copy(node, x, out)
    if len(x.shape) < 1:
        raise KernelError("MATRIX_DIAG: input must have at least 1 dimension")
    n = x.shape[-1]
    shape = tuple(x.shape) + (n,)
    dtype = out.dtype
    i = np.arange(n)

    def run(a):
        r = np.zeros(shape, dtype) if dtype != object else np.full(shape, b"", dtype=object)
        r[..., i, i] = a
        return r
    return run, [shape]


@builtin("MATRIX_SET_DIAG")
def prepare_matrix_set_diag(node):
    x, diag = expect_io(node, 2)
    out = node.outputs[0]
    require_same_type(node, x, out)
    require_same_type(node, x, diag, "input", "diagonal")
    check_type(node, x, ANY_DATA)
    require_plain_copy(node, x, out)
    require_plain_copy(node, diag, out)
    if len(x.shape) < 2:
        raise KernelError("MATRIX_SET_DIAG: input must have at least 2 dimensions")
    m, n = x.shape[-2:]
    expected = tuple(x.shape[:-2]) + (min(m, n),)
    if tuple(diag.shape) != expected:
        raise KernelError(f"MATRIX_SET_DIAG: diagonal shape {list(diag.shape)} should be "
                          f"{list(expected)}")
    i = np.arange(min(m, n))

    def run(a, d):
        r = a.copy()
        r[..., i, i] = d
        return r
    return run, [tuple(x.shape)]
