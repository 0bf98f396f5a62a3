"""PAD, PADV2 (rank up to 5, as LiteRT), MIRROR_PAD: float32 and plain integer/bool tensors.

``paddings`` is an int32/int64 ``[rank, 2]`` tensor of (before, after) counts, usually
constant (then the output shape is known at prepare; otherwise it is worked out at each
invoke). PAD fills with 0, PADV2 with its third input (a one-element tensor of the input's
type). MIRROR_PAD mirrors the input: REFLECT without repeating the edge (paddings at most
``dim - 1``), SYMMETRIC repeating it (at most ``dim``). Quantized tensors are refused (their
PAD fills with the zero point).
"""

import numpy as np

from .common import KernelError, options_field, type_name
from .registry import builtin
from .windows import check_arity, check_data, known_ints

_MAX_RANK = 5
def _pairs(node, value, rank, limit=None):
    """The paddings as a tuple of (before, after) pairs, checked."""
    value = np.asarray(value)
    if value.shape != (rank, 2):
        raise KernelError(f"{node.op_name}: paddings must have shape [{rank}, 2], got "
                          f"{list(value.shape)}")
    pairs = tuple((int(b), int(a)) for b, a in value.reshape(rank, 2))
    if any(b < 0 or a < 0 for b, a in pairs):
        raise KernelError("Pad value has to be greater than equal to 0.")   # LiteRT's text
    if limit is not None:
        limit(pairs)
    return pairs


def _padded_shape(shape, pairs):
    return tuple(d + b + a for d, (b, a) in zip(shape, pairs))


def _prepare(node, make, limit=None):
    """``make(pairs) -> run`` for constant or run-time paddings."""
    x, paddings = node.inputs[0], node.inputs[1]
    rank = len(x.shape)
    if paddings is None:
        raise KernelError(f"{node.op_name}: missing paddings")
    value = known_ints(node, paddings, "paddings")
    if value is not None:
        pairs = _pairs(node, value, rank, limit)
        return make(pairs), [_padded_shape(x.shape, pairs)]
    cache = {}

    def run_dynamic(a, p, *rest):
        key = _pairs(node, p, a.ndim, limit)
        if key not in cache:
            cache.clear()
            cache[key] = make(key)
        return cache[key](a, p, *rest)
    return run_dynamic, [None]


def _constant_pad(node, fill_of):
    x, out = node.inputs[0], node.outputs[0]
    check_data(node, x, out)
    if len(x.shape) > _MAX_RANK:        # LiteRT's reference kernel (XNNPACK takes rank 6)
        raise KernelError("op_context.dims <= reference_ops::PadKernelMaxDimensionCount() was "
                          "not true.")
    dtype = x.dtype

    def make(pairs):
        shape = _padded_shape(x.shape, pairs)
        interior = tuple(slice(b, b + d) for d, (b, _) in zip(x.shape, pairs))

        def run(a, _p=None, c=None):
            r = np.empty(shape, dtype)
            r.fill(fill_of(c))
            r[interior] = a
            return r
        return run
    return _prepare(node, make)


@builtin("PAD")
def prepare_pad(node):
    check_arity(node, (2,))
    return _constant_pad(node, lambda _c: 0)


@builtin("PADV2")
def prepare_padv2(node):
    check_arity(node, (2, 3))
    constant = node.inputs[2] if len(node.inputs) == 3 else None
    x = node.inputs[0]
    if constant is None:
        return _constant_pad(node, lambda _c: 0)
    if x is not None and constant.type != x.type:
        raise KernelError(f"PADV2: constant_values type {type_name(constant)} does not match "
                          f"input type {type_name(x)}")
    if int(np.prod(constant.shape, dtype=np.int64)) != 1:
        raise KernelError(f"PADV2: constant_values must hold one value, got shape "
                          f"{list(constant.shape)}")
    if constant.value is not None:
        fill = np.asarray(constant.value).reshape(-1)[0]
        return _constant_pad(node, lambda _c: fill)
    return _constant_pad(node, lambda c: c.reshape(-1)[0])


_MODES = {0: "reflect", 1: "symmetric"}


@builtin("MIRROR_PAD")
def prepare_mirror_pad(node):
    check_arity(node, (2,))
    x, out = node.inputs[0], node.outputs[0]
    check_data(node, x, out)
    mode = options_field(node, "mode", 0)
    if mode not in _MODES:
        raise KernelError(f"MIRROR_PAD: unknown mode {mode}")
    extra = 1 if mode == 0 else 0          # REFLECT does not repeat the edge

    def limit(pairs):
        for axis, (d, (b, a)) in enumerate(zip(x.shape, pairs)):
            if max(b, a) > d - extra:      # LiteRT's text
                raise KernelError(
                    "MirrorPad paddings must be no greater than the input dimension size minus "
                    f"the mode offset. Dimension {axis} has input size {d}, mode offset "
                    f"{extra}, max padding {d - extra}, left padding {b}, and right padding {a}.")

    def make(pairs):
        shape = _padded_shape(x.shape, pairs)
        if not any(b or a for b, a in pairs):
            def run_copy(a, _p=None):
                return a.copy()
            return run_copy
        # one gather per padded axis, with the mirrored source index of every output
        # position (np.pad's reflect/symmetric modes cost tens of microseconds per call)
        gathers = [(axis, _mirror_index(d, b, a, extra))
                   for axis, (d, (b, a)) in enumerate(zip(x.shape, pairs)) if b or a]
        take = np.take

        def run(a, _p=None):
            if a.size == 0:
                return np.zeros(shape, a.dtype)
            for axis, index in gathers:
                a = take(a, index, axis=axis)
            return a
        return run
    return _prepare(node, make, limit)


def _mirror_index(size, before, after, extra):
    """Source index of each position of a mirrored axis: REFLECT (``extra`` 1) skips the
    edge, SYMMETRIC (0) repeats it; the paddings are at most ``size - extra``."""
    p = np.arange(-before, size + after)
    p = np.where(p < 0, -p - 1 + extra, p)
    return np.where(p >= size, 2 * size - 1 - extra - p, p).astype(np.intp)
