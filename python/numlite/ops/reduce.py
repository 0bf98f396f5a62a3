"""MEAN, SUM, REDUCE_PROD, REDUCE_MAX, REDUCE_MIN, REDUCE_ANY, REDUCE_ALL (axes from the
second input, ``keep_dims`` option), ARG_MAX, ARG_MIN and CUMSUM.

LiteRT's reference kernels accumulate in the tensor's type, element by element in
row-major order. numlite keeps that order for float sums and products (so results are
bit-exact, not just close): the reduced axes are moved to the front, the array is viewed
as ``(reduced, kept)`` and reduced along axis 0, which numpy does row by row (a full
reduction, ``kept == 1``, uses a running ``accumulate``). MEAN divides the float sum by
the count in float32; integer MEAN truncates toward zero like C++.

* Axes: int32 (LiteRT refuses int64), scalar or 1-D, negative counted from the end, repeats ignored; an
  empty axis list copies the input. Axes not known at prepare make the output dynamic.
* REDUCE_MAX/REDUCE_MIN start from the type's lowest/highest value and keep it unless an
  element is greater/smaller: NaN is skipped, an all-NaN or empty slice (and, for floats,
  -inf/+inf) gives -FLT_MAX/FLT_MAX. SUM/PROD of nothing is 0/1.
* Bool SUM/REDUCE_MAX are "any", bool REDUCE_PROD/REDUCE_MIN "all" (C++ bool arithmetic).
* ARG_MAX/ARG_MIN: first index of the extreme value; NaN values are skipped (an all-NaN
  slice gives 0).
* CUMSUM: ``exclusive`` shifts in a 0, ``reverse`` runs from the end.
Quantized MEAN/SUM/PROD (int8/uint8/int16) are refused; quantized MAX/MIN and ARG_MAX/MIN
on raw int8/uint8 values are exact and allowed when input and output quantization agree.
"""

import numpy as np

from ..model import types
from .common import KernelError, expect_io, normalize_axis, options_field, require_same_type
from .registry import builtin
from .support import (BOOL, FLOAT32, INT8, INT16, INT32, INT64, UINT8, check_type, known_ints,
                      refuse_quantized, require_plain_copy)

_TYPES = {
    "MEAN": (FLOAT32, INT32, INT64),
    "SUM": (FLOAT32, INT32, INT64, BOOL),
    "REDUCE_PROD": (FLOAT32, INT32, INT64, BOOL),
    "REDUCE_MAX": (FLOAT32, INT8, UINT8, INT16, INT32, INT64, BOOL),
    "REDUCE_MIN": (FLOAT32, INT8, UINT8, INT16, INT32, INT64, BOOL),
    "REDUCE_ANY": (BOOL,),
    "REDUCE_ALL": (BOOL,),
}


def resolve_axes(op_name, values, rank):
    """Sorted unique non-negative axes, or KernelError."""
    axes = set()
    for a in values:
        if not -rank <= a < rank:
            raise KernelError(f"{op_name}: axis {a} is out of range for rank {rank}")
        axes.add(a + rank if a < 0 else a)
    return tuple(sorted(axes))


def _reduced_shape(shape, axes, keep_dims):
    if keep_dims:
        return tuple(1 if i in axes else d for i, d in enumerate(shape))
    return tuple(d for i, d in enumerate(shape) if i not in axes)


def _sequential(ufunc, dtype, identity):
    """reduce(x, axes) adding/multiplying in row-major order, like LiteRT's reference loop."""
    def reduce(a, axes, kept_shape):
        rank = a.ndim
        if not axes:
            return a.copy()
        lead = axes + tuple(i for i in range(rank) if i not in axes)
        moved = a.transpose(lead) if lead != tuple(range(rank)) else a
        reduced = int(np.prod([a.shape[i] for i in axes], dtype=np.int64))
        if reduced == 0:
            return np.full(kept_shape, identity, dtype)
        flat = np.ascontiguousarray(moved).reshape(reduced, -1)
        if flat.shape[1] == 1:
            r = ufunc.accumulate(flat[:, 0], dtype=dtype)[-1:]
        else:
            r = ufunc.reduce(flat, axis=0, dtype=dtype)
        return r.reshape(kept_shape)
    return reduce


def _plain(ufunc, dtype, identity):
    """reduce(x, axes) for order-independent reductions (integers, bools)."""
    def reduce(a, axes, kept_shape):
        if not axes:
            return a.copy()
        if 0 in a.shape:
            return np.full(kept_shape, identity, dtype)
        return np.asarray(ufunc.reduce(a, axis=axes, dtype=dtype)).reshape(kept_shape)
    return reduce


def _extreme(is_max, dtype):
    """REDUCE_MAX/REDUCE_MIN from LiteRT's initial value (the type's lowest/highest), which
    only a greater/smaller element replaces: NaN never does (fmax/fmin skip it), and floats
    stay within +-FLT_MAX (the max of [-inf] is -FLT_MAX)."""
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        ufunc = np.fmax if is_max else np.fmin
        identity = np.finfo(dtype).min if is_max else np.finfo(dtype).max
    elif dtype.kind == "b":
        ufunc = np.logical_or if is_max else np.logical_and
        identity = not is_max
    else:
        ufunc = np.maximum if is_max else np.minimum
        identity = np.iinfo(dtype).min if is_max else np.iinfo(dtype).max
    identity = dtype.type(identity)

    def reduce(a, axes, kept_shape):
        if not axes:
            return a.copy()
        return np.asarray(ufunc.reduce(a, axis=axes, initial=identity)).reshape(kept_shape)
    return reduce


def _mean(dtype):
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        total = _sequential(np.add, dtype, 0)

        def reduce(a, axes, kept_shape):
            if not axes:
                return a.copy()
            n = dtype.type(int(np.prod([a.shape[i] for i in axes], dtype=np.int64)))
            s = total(a, axes, kept_shape)
            return np.divide(s, n, out=s) if s.ndim else np.asarray(s / n, dtype)
        return reduce

    def reduce_int(a, axes, kept_shape):
        if not axes:
            return a.copy()
        n = int(np.prod([a.shape[i] for i in axes], dtype=np.int64))
        if n == 0:
            return np.zeros(kept_shape, dtype)
        s = np.sum(a, axis=axes, dtype=np.int64).reshape(kept_shape)
        q = np.abs(s) // n                      # truncation toward zero
        return np.where(s < 0, -q, q).astype(dtype)
    return reduce_int


def _reducer(op_name, dtype):
    dtype = np.dtype(dtype)
    if op_name == "MEAN":
        return _mean(dtype)
    if op_name in ("REDUCE_MAX", "REDUCE_MIN"):
        return _extreme(op_name == "REDUCE_MAX", dtype)
    if op_name == "REDUCE_ANY" or (op_name == "SUM" and dtype.kind == "b"):
        return _plain(np.logical_or, bool, False)
    if op_name == "REDUCE_ALL" or (op_name == "REDUCE_PROD" and dtype.kind == "b"):
        return _plain(np.logical_and, bool, True)
    ufunc, identity = (np.add, 0) if op_name == "SUM" else (np.multiply, 1)
    if dtype.kind == "f":
        return _sequential(ufunc, dtype, identity)
    return _plain(ufunc, dtype, identity)


@builtin(*_TYPES)
def prepare_reduce(node):
    x, axis_spec = expect_io(node, 2)
    out = node.outputs[0]
    require_same_type(node, x, out)
    check_type(node, x, _TYPES[node.op_name])
    if node.op_name in ("REDUCE_MAX", "REDUCE_MIN"):
        require_plain_copy(node, x, out)
    else:
        refuse_quantized(node, x, out)
    check_type(node, axis_spec, (INT32,), "axis")
    keep_dims = bool(options_field(node, "keep_dims", False))
    reduce = _reducer(node.op_name, x.dtype)
    rank = len(x.shape)
    op_name = node.op_name
    values = known_ints(axis_spec)
    if values is None:
        def run_dynamic(a, axis_value):
            axes = resolve_axes(op_name, np.asarray(axis_value).reshape(-1).tolist(), a.ndim)
            return reduce(a, axes, _reduced_shape(a.shape, axes, keep_dims))
        return run_dynamic, [None]
    axes = resolve_axes(op_name, values, rank)
    shape = _reduced_shape(x.shape, axes, keep_dims)

    def run(a, _axis=None):
        return reduce(a, axes, shape)
    return run, [shape]


# ---- ARG_MAX / ARG_MIN ------------------------------------------------------------------------

@builtin("ARG_MAX", "ARG_MIN")
def prepare_arg_max_min(node):
    x, axis_spec = expect_io(node, 2)
    out = node.outputs[0]
    check_type(node, x, (FLOAT32, INT8, UINT8, INT16, INT32, INT64, BOOL))
    check_type(node, axis_spec, (INT32, INT64), "axis")
    output_type = options_field(node, "output_type", out.type)
    if out.type not in (INT32, INT64) or output_type != out.type:
        raise KernelError(f"{node.op_name}: output type {types.type_name(out.type)} must be "
                          f"INT32 or INT64 and match output_type "
                          f"{types.type_name(output_type)}")
    if x.type in (FLOAT32, INT16, INT32, INT64):
        refuse_quantized(node, x)
    values = known_ints(axis_spec)
    if values is None or len(values) != 1:
        raise KernelError(f"{node.op_name}: the axis must be a constant with one value")
    rank = len(x.shape)
    axis = normalize_axis(node, values[0], rank)
    if x.shape[axis] == 0:
        raise KernelError(f"{node.op_name}: cannot reduce an empty axis")
    shape = tuple(d for i, d in enumerate(x.shape) if i != axis)
    out_dtype = out.dtype
    is_max = node.op_name == "ARG_MAX"
    pick = np.argmax if is_max else np.argmin
    if x.type != FLOAT32:
        def run(a, _axis=None):
            return np.asarray(pick(a, axis=axis)).astype(out_dtype, copy=False)
        return run, [shape]
    extreme = np.fmax if is_max else np.fmin

    def run_float(a, _axis=None):
        r = pick(a, axis=axis)
        # numpy picks the first NaN of a slice holding one: look at the picked values only
        if np.isnan(np.take_along_axis(a, np.expand_dims(r, axis), axis=axis)).any():
            # NaN is never taken: the first index equal to the NaN-skipping extreme (none
            # when all are NaN: index 0)
            best = extreme.reduce(a, axis=axis, keepdims=True)
            r = np.argmax(a == best, axis=axis)
        return np.asarray(r).astype(out_dtype, copy=False)
    return run_float, [shape]


# ---- CUMSUM ----------------------------------------------------------------------------------

@builtin("CUMSUM")
def prepare_cumsum(node):
    x, axis_spec = expect_io(node, 2)
    out = node.outputs[0]
    require_same_type(node, x, out)
    check_type(node, x, (FLOAT32, INT32, INT64))
    refuse_quantized(node, x, out)
    check_type(node, axis_spec, (INT32,), "axis")
    values = known_ints(axis_spec)
    if values is None or len(values) != 1:
        raise KernelError("CUMSUM: the axis must be a constant scalar")
    rank = len(x.shape)
    if rank == 0:
        raise KernelError("CUMSUM: input must have at least 1 dimension")
    axis = normalize_axis(node, values[0], rank)
    exclusive = bool(options_field(node, "exclusive", False))
    reverse = bool(options_field(node, "reverse", False))
    shape = x.shape
    dtype = x.dtype
    flip = (slice(None),) * axis + (slice(None, None, -1),)
    head = (slice(None),) * axis + (slice(0, 1),)
    body = (slice(None),) * axis + (slice(1, None),)
    upto = (slice(None),) * axis + (slice(0, -1),)

    def run(a, _axis=None):
        src = a[flip] if reverse else a
        if exclusive:
            r = np.empty(shape, dtype)
            r[head] = 0
            np.cumsum(src[upto], axis=axis, dtype=dtype, out=r[body])
        else:
            r = np.cumsum(src, axis=axis, dtype=dtype)
        return np.ascontiguousarray(r[flip]) if reverse else r
    return run, [shape]
