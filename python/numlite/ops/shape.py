"""SHAPE, RANK, FILL, RANGE, BROADCAST_TO, BROADCAST_ARGS, TILE.

* SHAPE and RANK only look at the input's shape, known at prepare: their ``run`` ignores
  its argument and returns a copy of the value computed there. They are registered
  ``shape_only``, so the runtime folds them whenever the input's shape is static.
* FILL, BROADCAST_TO and TILE take their output shape (dims, shape, multiples: int32 or
  int64) from an input; when that input is not known at prepare the output is dynamic.
* RANGE: ``start, start + delta, ...`` accumulated one addition at a time (as LiteRT does:
  float results differ from ``start + i * delta``), ``ceil(|limit - start| / |delta|)``
  elements; a zero delta or a delta pointing away from ``limit`` fails at invoke.
* BROADCAST_ARGS: the broadcast of two shape vectors.
Data movement keeps raw values (quantized tensors need the output's quantization).
"""

import numpy as np

from ..model import types
from .common import KernelError, expect_io, options_field, require_same_type
from .registry import builtin
from .support import (ANY_DATA, FLOAT32, INDEX_TYPES, INT32, INT64, check_type, count,
                      known_ints, require_plain_copy)


@builtin("SHAPE", shape_only=True)
def prepare_shape(node):
    (x,), out = expect_io(node, 1), node.outputs[0]
    out_type = options_field(node, "out_type", out.type)
    if out.type not in INDEX_TYPES or out_type not in (out.type, 0):
        raise KernelError(f"SHAPE: output type {types.type_name(out.type)} must be INT32 or "
                          f"INT64 and match out_type {types.type_name(out_type)}")
    value = np.array(x.shape, dtype=out.dtype)

    def run(_x=None):
        return value.copy()
    return run, [value.shape]


@builtin("RANK", shape_only=True)
def prepare_rank(node):
    (x,), out = expect_io(node, 1), node.outputs[0]
    if out.type != INT32:
        raise KernelError(f"RANK: output type {types.type_name(out.type)} is not INT32")
    value = np.array(len(x.shape), dtype=np.int32)

    def run(_x=None):
        return value.copy()
    return run, [()]


def _shape_vector(node, spec, what):
    """A 1-D int32/int64 shape-like input: its values if known, else None."""
    check_type(node, spec, INDEX_TYPES, what)
    if len(spec.shape) != 1:
        raise KernelError(f"{node.op_name}: {what} must be 1-D, got shape {list(spec.shape)}")
    return known_ints(spec)


def _check_dims(op_name, dims):
    if any(d < 0 for d in dims):
        raise KernelError(f"{op_name}: negative dimension in {list(dims)}")
    return tuple(dims)


@builtin("FILL")
def prepare_fill(node):
    dims_spec, value_spec = expect_io(node, 2)
    out = node.outputs[0]
    require_same_type(node, value_spec, out, "value", "output")
    check_type(node, value_spec, ANY_DATA, "value")
    require_plain_copy(node, value_spec, out)
    if len(value_spec.shape) != 0:
        raise KernelError(f"FILL: value must be a scalar, got shape {list(value_spec.shape)}")
    dims = _shape_vector(node, dims_spec, "dims")
    dtype = out.dtype
    full = np.full
    if dims is None:
        def run_dynamic(d, v):
            return full(_check_dims("FILL", d.tolist()), v, dtype)
        return run_dynamic, [None]
    shape = _check_dims("FILL", dims)

    def run(_d, v):
        return full(shape, v, dtype)
    return run, [shape]


def _range_count(start, limit, delta, is_int):
    if delta == 0:
        raise KernelError("!std::equal_to<T>()(delta, 0) was not true.")
    if not ((start >= limit and delta < 0) or (start <= limit and delta > 0)):
        raise KernelError("(start >= limit && delta < 0) || (start <= limit && delta > 0) was "
                          "not true.")
    if is_int:
        return int((abs(int(limit) - int(start)) + abs(int(delta)) - 1) // abs(int(delta)))
    with np.errstate(all="ignore"):
        return int(np.ceil(np.abs((limit - start) / delta)))


def _range_values(start, limit, delta, dtype):
    n = _range_count(start, limit, delta, dtype.kind != "f")
    if dtype.kind != "f":
        return np.arange(n, dtype=dtype) * dtype.type(delta) + dtype.type(start)
    steps = np.full(n, delta, dtype)
    if n:
        steps[0] = start
    return np.add.accumulate(steps, dtype=dtype)


@builtin("RANGE")
def prepare_range(node):
    start, limit, delta = expect_io(node, 3)
    out = node.outputs[0]
    for spec, what in ((start, "start"), (limit, "limit"), (delta, "delta")):
        require_same_type(node, spec, out, what, "output")
        if count(spec.shape) != 1 and len(spec.shape) != 0:
            raise KernelError(f"RANGE: {what} must be a scalar, got shape {list(spec.shape)}")
    check_type(node, out, (INT32, INT64, FLOAT32), "output")
    dtype = np.dtype(out.dtype)

    def run(s, l, d):
        return _range_values(s.reshape(-1)[0], l.reshape(-1)[0], d.reshape(-1)[0], dtype)
    if all(spec.value is not None for spec in (start, limit, delta)):
        scalars = [np.asarray(spec.value).reshape(-1)[0] for spec in (start, limit, delta)]
        try:
            shape = (_range_count(*scalars, dtype.kind != "f"),)
        except KernelError:
            return run, [None]          # the error belongs to invoke, as in LiteRT
        return run, [shape]
    return run, [None]


def broadcast_dims(op_name, a, b):
    rank = max(len(a), len(b))
    pa = [1] * (rank - len(a)) + list(a)
    pb = [1] * (rank - len(b)) + list(b)
    out = []
    for da, db in zip(pa, pb):
        if da != db and da != 1 and db != 1:
            raise KernelError(f"{op_name}: shapes {list(a)} and {list(b)} are not "
                              "broadcastable")
        out.append(db if da == 1 else da)
    return tuple(out)


@builtin("BROADCAST_ARGS")
def prepare_broadcast_args(node):
    a, b = expect_io(node, 2)
    out = node.outputs[0]
    for spec, what in ((a, "s0"), (b, "s1")):
        require_same_type(node, spec, out, what, "output")
        _shape_vector(node, spec, what)
    dtype = out.dtype

    def run(x, y):
        return np.array(broadcast_dims("BROADCAST_ARGS", x.tolist(), y.tolist()), dtype)
    known_a, known_b = known_ints(a), known_ints(b)
    if known_a is not None and known_b is not None:
        shape = (len(broadcast_dims("BROADCAST_ARGS", known_a, known_b)),)
    else:
        shape = (max(a.shape[0], b.shape[0]),)
    return run, [shape]


def _broadcast_to_shape(op_name, in_shape, target):
    target = _check_dims(op_name, target)
    if len(target) < len(in_shape) or len(target) > 8:
        raise KernelError(f"{op_name}: cannot broadcast shape {list(in_shape)} to "
                          f"{list(target)}")
    padded = (1,) * (len(target) - len(in_shape)) + tuple(in_shape)
    for d, t in zip(padded, target):
        if d != t and d != 1:
            raise KernelError(f"{op_name}: cannot broadcast shape {list(in_shape)} to "
                              f"{list(target)}")
    return target


@builtin("BROADCAST_TO")
def prepare_broadcast_to(node):
    x, shape_spec = expect_io(node, 2)
    out = node.outputs[0]
    require_same_type(node, x, out)
    check_type(node, x, ANY_DATA)
    require_plain_copy(node, x, out)
    target = _shape_vector(node, shape_spec, "shape")
    if target is None:
        def run_dynamic(a, s):
            shape = _broadcast_to_shape("BROADCAST_TO", a.shape, s.tolist())
            return np.array(np.broadcast_to(a, shape))
        return run_dynamic, [None]
    shape = _broadcast_to_shape("BROADCAST_TO", x.shape, target)

    def run(a, _s=None):
        return np.array(np.broadcast_to(a, shape))
    return run, [shape]


def _multiples(op_name, values, rank):
    if len(values) != rank:
        raise KernelError(f"{op_name}: {len(values)} multiples for an input of rank {rank}")
    if any(m < 0 for m in values):
        raise KernelError(f"{op_name}: negative multiple in {list(values)}")
    return tuple(values)


@builtin("TILE")
def prepare_tile(node):
    x, multiples_spec = expect_io(node, 2)
    out = node.outputs[0]
    require_same_type(node, x, out)
    check_type(node, x, ANY_DATA)
    require_plain_copy(node, x, out)
    values = _shape_vector(node, multiples_spec, "multiples")
    rank = len(x.shape)
    tile = np.tile
    if values is None:
        def run_dynamic(a, m):
            return tile(a, _multiples("TILE", m.tolist(), a.ndim))
        return run_dynamic, [None]
    reps = _multiples("TILE", values, rank)
    shape = tuple(d * m for d, m in zip(x.shape, reps))

    def run(a, _m=None):
        return tile(a, reps)
    return run, [shape]
