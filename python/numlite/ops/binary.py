"""SQUARED_DIFFERENCE, POW, MAXIMUM, MINIMUM, FLOOR_DIV, FLOOR_MOD, ATAN2 (broadcasting) and
ADD_N (same-shape sum of any number of inputs).

LiteRT's semantics, kept exactly:
* MAXIMUM/MINIMUM are ``a > b ? a : b`` / ``a < b ? a : b`` on floats, so a NaN in ``a``
  gives ``b`` and a NaN in ``b`` gives NaN (the sign of a zero result may differ).
  Integer inputs compare raw values (also int8 with equal input/output quantization: max
  commutes with the affine map).
* FLOOR_DIV on floats is ``floor`` of the quotient computed in double (float32 division
  would round 1 / 0.1 up to 10), on integers floor division; FLOOR_MOD is ``fmod`` moved
  to the divisor's sign. A zero divisor fails at invoke ("Division by 0"): for integers
  in both ops, and in float FLOOR_DIV too (float FLOOR_MOD gives NaN).
* POW on int32 fails at invoke on a negative exponent; it is the double pow converted to
  int32, out-of-range results becoming INT32_MIN (LiteRT's behaviour on x86).
* ATAN2 needs equal input shapes (LiteRT does not broadcast it).
* ADD_N adds the inputs in order.
Other quantized inputs are refused at prepare.
"""

import numpy as np

from ..model import types
from .arithmetic import broadcast_shape
from .common import KernelError, expect_io, require_same_type
from .registry import builtin
from .support import (FLOAT16, FLOAT32, FLOAT64, INT8, INT16, INT32, INT64, UINT8, check_type,
                      refuse_quantized, same_quantization, zero_d)

_SUPPORTED = {
    "SQUARED_DIFFERENCE": (FLOAT32, INT32),
    "POW": (FLOAT32, INT32),
    "MAXIMUM": (FLOAT32, FLOAT16, INT8, UINT8, INT16, INT32, INT64),
    "MINIMUM": (FLOAT32, FLOAT16, INT8, UINT8, INT16, INT32, INT64),
    "FLOOR_DIV": (FLOAT32, INT8, INT16, INT32),
    "FLOOR_MOD": (FLOAT32, INT8, INT16, INT32, INT64),
    "ATAN2": (FLOAT32, FLOAT64),
}


def _binary(node):
    """(a, b, output shape) of a same-type broadcasting binary op."""
    a, b = expect_io(node, 2)
    out = node.outputs[0]
    require_same_type(node, a, b, "input 1", "input 2")
    require_same_type(node, a, out)
    check_type(node, a, _SUPPORTED[node.op_name])
    if node.op_name in ("MAXIMUM", "MINIMUM") and same_quantization(a, out) \
            and same_quantization(b, out):
        pass            # raw comparison of identically quantized values is exact
    else:
        refuse_quantized(node)
    return a, b, broadcast_shape(node, a.shape, b.shape)


def _squared_difference(a, b):
    d = np.subtract(a, b)
    return np.multiply(d, d, out=d)


@builtin("SQUARED_DIFFERENCE")
def prepare_squared_difference(node):
    _, _, shape = _binary(node)
    return zero_d(_squared_difference, shape), [shape]


_INT32_MIN = np.int32(-2 ** 31)


def _int_pow(a, b):
    """LiteRT's int32 POW: the double pow converted to int32, where a result out of range
    becomes INT32_MIN (x86's conversion of an out-of-range double)."""
    if (b < 0).any():
        raise KernelError("POW does not support negative value for int32.")
    r = np.power(a, b, dtype=np.float64)
    out = ~(np.abs(r) < 2.0 ** 31)
    if out.any():
        r[out] = _INT32_MIN
    return r.astype(np.int32)


@builtin("POW")
def prepare_pow(node):
    a, _, shape = _binary(node)
    return zero_d(np.power if a.type == FLOAT32 else _int_pow, shape), [shape]


def _float_max(a, b):
    """``a > b ? a : b``: fmax takes b for a NaN a, and maximum then keeps b's NaN (two fast
    passes; np.where branches per element and is several times slower)."""
    r = np.fmax(a, b)
    return np.maximum(r, b, out=r)


def _float_min(a, b):
    r = np.fmin(a, b)
    return np.minimum(r, b, out=r)


@builtin("MAXIMUM", "MINIMUM")
def prepare_maximum_minimum(node):
    a, _, shape = _binary(node)
    is_max = node.op_name == "MAXIMUM"
    if np.dtype(a.dtype).kind == "f":
        run = _float_max if is_max else _float_min
    else:
        run = np.maximum if is_max else np.minimum
    return zero_d(run, shape), [shape]


def _check_divisor(b):
    if not b.all():
        raise KernelError("Division by 0")


def _float_floor_div(a, b):
    _check_divisor(b)
    q = np.divide(a, b, dtype=np.float64)       # floor of the double quotient, like LiteRT
    return np.floor(q, out=q).astype(np.float32)


def _int_floor_div(a, b):
    _check_divisor(b)
    return np.floor_divide(a, b)


@builtin("FLOOR_DIV")
def prepare_floor_div(node):
    a, _, shape = _binary(node)
    return zero_d(_float_floor_div if a.type == FLOAT32 else _int_floor_div, shape), [shape]


def _floor_mod(a, b):
    r = np.fmod(a, b)
    # fmod has the dividend's sign; floor mod takes the divisor's
    fix = (r != 0) & ((r < 0) != (b < 0))
    if fix.any():
        r = np.where(fix, r + b, r)
    return r


def _int_floor_mod(a, b):
    _check_divisor(b)
    return _floor_mod(a, b)


@builtin("FLOOR_MOD")
def prepare_floor_mod(node):
    a, _, shape = _binary(node)
    return zero_d(_floor_mod if a.type == FLOAT32 else _int_floor_mod, shape), [shape]


@builtin("ATAN2")
def prepare_atan2(node):
    a, b, shape = _binary(node)
    if tuple(a.shape) != tuple(b.shape):
        raise KernelError(f"ATAN2: input shapes {list(a.shape)} and {list(b.shape)} differ "
                          "(LiteRT does not broadcast ATAN2)")
    return zero_d(np.arctan2, shape), [shape]


@builtin("ADD_N")
def prepare_add_n(node):
    if len(node.outputs) != 1 or None in node.inputs:
        raise KernelError("ADD_N: expected inputs and 1 output")
    if len(node.inputs) < 2:
        raise KernelError("num_inputs >= 2 was not true.")
    first, out = node.inputs[0], node.outputs[0]
    for spec in node.inputs:
        require_same_type(node, spec, out)
        if tuple(spec.shape) != tuple(first.shape):
            raise KernelError(f"ADD_N: input shapes {[list(s.shape) for s in node.inputs]} "
                              "differ")
    if first.type not in (types.FLOAT32, types.INT32):
        raise KernelError(f"AddN only supports FLOAT32|INT32 now, got "
                          f"{types.type_name(first.type)}.")
    refuse_quantized(node)
    shape = first.shape

    def run(*arrays):
        total = np.add(arrays[0], arrays[1])
        for x in arrays[2:]:
            np.add(total, x, out=total)
        return total
    return zero_d(run, shape), [shape]
