"""REAL, IMAG and COMPLEX_ABS: the float parts and the modulus of a complex tensor.

complex64 gives float32 and complex128 gives float64, element by element, shape kept
(LiteRT's kernels accept exactly these two pairs). COMPLEX_ABS is ``hypot(re, im)``, which
never overflows in the intermediate square.
"""

import numpy as np

from ..model import types
from .common import KernelError, expect_io, type_name
from .registry import builtin

#: complex input type -> the float type of its parts
_PART_TYPE = {types.COMPLEX64: types.FLOAT32, types.COMPLEX128: types.FLOAT64}


def _check(node):
    (x,), out = expect_io(node, 1), node.outputs[0]
    if x.type not in _PART_TYPE:
        raise KernelError(f"{node.op_name}: input type {type_name(x)} is not supported; "
                          "expected COMPLEX64 or COMPLEX128")
    if out.type != _PART_TYPE[x.type]:
        raise KernelError(f"{node.op_name}: output type {type_name(out)} does not match input "
                          f"type {type_name(x)} (expected "
                          f"{types.type_name(_PART_TYPE[x.type])})")
    return x


#: op -> run: the parts are copied out of the complex array (np.real and np.imag give views)
_RUNS = {"REAL": lambda a: np.real(a).copy(),
         "IMAG": lambda a: np.imag(a).copy(),
         "COMPLEX_ABS": lambda a: np.asarray(np.abs(a))}


@builtin(*_RUNS)
def prepare_complex_part(node):
    x = _check(node)
    return _RUNS[node.op_name], [x.shape]
