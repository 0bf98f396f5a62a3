"""MEAN, SUM, REDUCE_PROD, REDUCE_MAX, REDUCE_MIN, REDUCE_ANY, REDUCE_ALL (axes from the
second input, ``keep_dims`` option), ARG_MAX, ARG_MIN and CUMSUM.

LiteRT's reference kernels accumulate in the tensor's type, element by element in
row-major order. numlite keeps that order (bit-exact results) where it is cheap: float
SUM/MEAN over leading axes (global pooling over H, W of a batch of one; axis 0) view the
input as ``(reduced, kept)`` rows that numpy adds in turn, and float REDUCE_PROD always
multiplies in that order. Other float SUM/MEANs (the last axis of a LayerNorm, full
reductions) add in float64 and round once: at least as accurate as LiteRT's float32
running sum, and within its rounding error (n * 2^-24 * sum|x|) of it, at a fraction of
the cost of reordering the data (nor do they overflow where a float32 running sum
would). Integer MEAN truncates toward zero like C++.

* Axes: int32 (LiteRT refuses int64), scalar or 1-D, negative counted from the end,
  repeats ignored; an empty axis list copies the input. Axes not known at prepare make
  the output dynamic.
* REDUCE_MAX/REDUCE_MIN start from the type's lowest/highest value and keep it unless an
  element is greater/smaller: NaN is skipped, an all-NaN or empty slice (and, for floats,
  -inf/+inf) gives -FLT_MAX/FLT_MAX. SUM/PROD of nothing is 0/1.
* Bool SUM/REDUCE_MAX are "any", bool REDUCE_PROD/REDUCE_MIN "all" (C++ bool arithmetic).
* ARG_MAX/ARG_MIN: first index of the extreme value; NaN values are skipped (an all-NaN
  slice gives 0).
* CUMSUM: ``exclusive`` shifts in a 0, ``reverse`` runs from the end.
Quantized MEAN/SUM/PROD (int8/uint8/int16) are refused. On raw int8/uint8 values REDUCE_MAX/
REDUCE_MIN (input and output quantized alike) and ARG_MAX/ARG_MIN (positive scale keeps the
order) are exact, so quantized tensors are accepted there.
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


# A reducer is ``make(in_shape, axes, out_shape) -> run(a)``: everything that depends only on
# shapes is worked out once, when the axes are known (at prepare for constant axes).

def _count(shape, axes):
    return int(np.prod([shape[i] for i in axes], dtype=np.int64))


def _leading(in_shape, axes):
    """(reduced, kept) element counts when the reduced axes come before every kept axis of
    size > 1 (so ``a.reshape(reduced, kept)`` is a view and rows are reduced in order), else
    None."""
    kept_axes = [i for i, d in enumerate(in_shape) if i not in axes and d != 1]
    reduced_axes = [i for i in axes if in_shape[i] != 1]
    if kept_axes and reduced_axes and max(reduced_axes) > min(kept_axes):
        return None
    return _count(in_shape, axes), _count(in_shape, kept_axes)


def _trivial(make):
    """Wrap ``make`` with the cases every reducer shares: no axes (a copy) and nothing to
    reduce (the identity)."""
    def make_checked(in_shape, axes, out_shape, identity, dtype):
        if not axes:
            return lambda a: a.copy()
        if _count(in_shape, axes) == 0:
            return lambda a: np.full(out_shape, identity, dtype)
        return make(in_shape, axes, out_shape)
    return make_checked


def _float_sum(dtype, mean=False):
    """SUM/MEAN of floats. Reduced axes leading (a global pool over H, W with batch 1, or
    axis 0): rows added in order, as LiteRT's reference loop does: bit-exact. Otherwise
    summed in float64 (numpy's pairwise order) and rounded once: at least as accurate as
    LiteRT's float32 running sum, and within its rounding error of it."""
    dtype = np.dtype(dtype)

    @_trivial
    def make(in_shape, axes, out_shape):
        n = _count(in_shape, axes)
        plan = _leading(in_shape, axes)
        if plan is not None and plan[1] > 1:
            rows = plan
            if mean:
                count = dtype.type(n)

                def run(a):
                    s = np.add.reduce(a.reshape(rows), axis=0)
                    return np.divide(s, count, out=s).reshape(out_shape)
            else:
                def run(a):
                    return np.add.reduce(a.reshape(rows), axis=0).reshape(out_shape)
            return run
        def run_wide(a):
            s = np.asarray(np.add.reduce(a, axis=axes, dtype=np.float64))
            if mean:
                s = s / n
            return s.astype(dtype).reshape(out_shape)
        return run_wide
    empty = np.nan if mean else 0              # the mean of nothing is 0 / 0
    return lambda in_shape, axes, out_shape: make(in_shape, axes, out_shape, empty, dtype)


def _float_prod(dtype):
    """REDUCE_PROD of floats multiplied in LiteRT's order (row-major over the reduced axes):
    the reduced axes moved to the front, rows multiplied in turn (a running ``accumulate``
    when nothing is kept). Bit-exact, overflow to inf included."""
    dtype = np.dtype(dtype)

    @_trivial
    def make(in_shape, axes, out_shape):
        rank = len(in_shape)
        lead = axes + tuple(i for i in range(rank) if i not in axes)
        n = _count(in_shape, axes)
        kept = _count(in_shape, lead[len(axes):])

        def run(a):
            flat = np.ascontiguousarray(a.transpose(lead)).reshape(n, kept)
            if kept == 1:
                return np.multiply.accumulate(flat[:, 0])[-1:].reshape(out_shape)
            return np.multiply.reduce(flat, axis=0).reshape(out_shape)
        return run
    return lambda in_shape, axes, out_shape: make(in_shape, axes, out_shape, 1, dtype)


def _plain(ufunc, dtype, identity):
    """Order-independent reductions (integers, bools); numpy's reduce with the op's dtype
    (so integer sums and products wrap like LiteRT's)."""
    dtype = np.dtype(dtype)

    @_trivial
    def make(in_shape, axes, out_shape):
        def run(a):
            return np.asarray(ufunc.reduce(a, axis=axes, dtype=dtype)).reshape(out_shape)
        return run
    return lambda in_shape, axes, out_shape: make(in_shape, axes, out_shape, identity, dtype)


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

    @_trivial
    def make(in_shape, axes, out_shape):
        def run(a):
            return np.asarray(ufunc.reduce(a, axis=axes, initial=identity)).reshape(out_shape)
        return run
    return lambda in_shape, axes, out_shape: make(in_shape, axes, out_shape, identity, dtype)


def _int_mean(dtype):
    """Integer MEAN: the int64 sum divided with truncation toward zero (C++ division)."""
    dtype = np.dtype(dtype)

    @_trivial
    def make(in_shape, axes, out_shape):
        n = _count(in_shape, axes)

        def run(a):
            s = np.sum(a, axis=axes, dtype=np.int64).reshape(out_shape)
            q = np.abs(s) // n
            return np.where(s < 0, -q, q).astype(dtype)
        return run
    return lambda in_shape, axes, out_shape: make(in_shape, axes, out_shape, 0, dtype)


def _reducer(op_name, dtype):
    dtype = np.dtype(dtype)
    if op_name == "MEAN":
        return _float_sum(dtype, mean=True) if dtype.kind == "f" else _int_mean(dtype)
    if op_name in ("REDUCE_MAX", "REDUCE_MIN"):
        return _extreme(op_name == "REDUCE_MAX", dtype)
    if op_name == "REDUCE_ANY" or (op_name == "SUM" and dtype.kind == "b"):
        return _plain(np.logical_or, bool, False)
    if op_name == "REDUCE_ALL" or (op_name == "REDUCE_PROD" and dtype.kind == "b"):
        return _plain(np.logical_and, bool, True)
    if dtype.kind == "f":
        return _float_sum(dtype) if op_name == "SUM" else _float_prod(dtype)
    ufunc, identity = (np.add, 0) if op_name == "SUM" else (np.multiply, 1)
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
    make = _reducer(node.op_name, x.dtype)
    op_name = node.op_name
    values = known_ints(axis_spec)
    if values is None:
        def run_dynamic(a, axis_value):
            axes = resolve_axes(op_name, np.asarray(axis_value).reshape(-1).tolist(), a.ndim)
            return make(a.shape, axes, _reduced_shape(a.shape, axes, keep_dims))(a)
        return run_dynamic, [None]
    axes = resolve_axes(op_name, values, len(x.shape))
    shape = _reduced_shape(x.shape, axes, keep_dims)
    reduce = make(tuple(x.shape), axes, shape)

    def run(a, _axis=None):
        return reduce(a)
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
