"""Helpers of the elementwise, reduction, shape and index kernels (no ops registered here).

Type checks with LiteRT-like messages, the refusal of quantized tensors, reading
constant integer inputs (shapes, axes, begins) at prepare, and wrapping ufuncs so
0-d results stay arrays.
"""

import numpy as np

from ..model import types
from .common import KernelError, is_quantized, type_name

FLOAT32, FLOAT16, FLOAT64 = types.FLOAT32, types.FLOAT16, types.FLOAT64
INT8, UINT8, INT16, INT32, INT64 = types.INT8, types.UINT8, types.INT16, types.INT32, types.INT64
BOOL, STRING = types.BOOL, types.STRING

#: every plain (non-quantized, non-resource) storage type a data-movement op can copy
ANY_DATA = (types.FLOAT32, types.FLOAT16, types.FLOAT64, types.INT8, types.UINT8, types.INT16,
            types.UINT16, types.INT32, types.UINT32, types.INT64, types.UINT64, types.BOOL,
            types.STRING, types.COMPLEX64, types.COMPLEX128)
INDEX_TYPES = (types.INT32, types.INT64)


def check_type(node, spec, allowed, what="input"):
    """KernelError unless ``spec`` has one of the ``allowed`` TensorTypes."""
    if spec.type not in allowed:
        raise KernelError(f"{node.op_name}: {what} type {type_name(spec)} is not supported "
                          f"(supported: {', '.join(types.type_name(t) for t in allowed)})")


def refuse_quantized(node, *specs):
    """KernelError when any of ``specs`` (default: every input and output) is quantized.

    numlite implements the float and plain-integer kernels of these ops; LiteRT's
    quantized paths rescale, and an unscaled result would be silently wrong.
    """
    specs = specs or tuple(s for s in node.inputs + node.outputs if s is not None)
    for spec in specs:
        if spec is not None and is_quantized(spec):
            raise KernelError(f"{node.op_name}: quantized {type_name(spec)} tensors are not "
                              "supported; numlite implements the float and plain integer "
                              "kernels only")


def same_quantization(a, b):
    """True when two specs carry equal quantization (or neither is quantized)."""
    qa, qb = is_quantized(a), is_quantized(b)
    if not qa and not qb:
        return True
    if qa != qb:
        return False
    return (np.array_equal(np.asarray(a.quantization.scales, np.float32),
                           np.asarray(b.quantization.scales, np.float32))
            and np.array_equal(np.asarray(a.quantization.zero_points, np.int64),
                               np.asarray(b.quantization.zero_points, np.int64)))


def require_plain_copy(node, src, dst):
    """Data movement keeps raw values: a quantized input needs the output's exact quantization
    (LiteRT copies the bytes too)."""
    if not same_quantization(src, dst):
        raise KernelError(f"{node.op_name}: input and output quantization differ; requantizing "
                          "is not supported")


def known_ints(spec):
    """The values of a constant integer tensor as a list of Python ints, or None if unknown."""
    if spec is None:
        return None
    if spec.value is None:
        if spec.shape is not None and 0 in spec.shape:
            return []
        return None
    return [int(v) for v in np.asarray(spec.value).reshape(-1).tolist()]


def count(shape):
    return int(np.prod(shape, dtype=np.int64))


def zero_d(run, shape):
    """``run`` itself, or for a 0-d ``shape`` ``run`` on 1-element views of its (all 0-d)
    inputs, reshaped back: numpy ufuncs give scalars for 0-d operands and refuse ``out=``
    scalars, so elementwise kernels are written for arrays of rank >= 1."""
    if tuple(shape) != ():
        return run

    def run_0d(*arrays):
        return run(*[a if a is None else a.reshape(1) for a in arrays]).reshape(())
    return run_0d


_UNSIGNED_OF_SIZE = {1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}
_BIT_SELECT_FROM = 512


def bit_select(cond, a, b):
    """``np.where(cond, a, b)`` for numeric/bool arrays of one dtype, without branches.

    np.where branches per element and crawls on irregular conditions (3-8 ns an element);
    this is ``b ^ ((a ^ b) & mask)`` on the raw bits, with ``mask`` all ones where
    ``cond``: exact for every value (NaN payloads and signed zeros included), and it
    broadcasts like np.where. Small selections (where np.where's fewer calls win) and
    non-numeric dtypes go to np.where.
    """
    if max(cond.size, a.size, b.size) < _BIT_SELECT_FROM or a.dtype.kind not in "biuf":
        return np.where(cond, a, b)
    itype = _UNSIGNED_OF_SIZE[a.dtype.itemsize]
    bi = b.view(itype)
    mask = cond.astype(itype)
    np.negative(mask, out=mask)
    r = np.bitwise_and(np.bitwise_xor(a.view(itype), bi), mask)
    np.bitwise_xor(r, bi, out=r)
    return r.view(a.dtype)
