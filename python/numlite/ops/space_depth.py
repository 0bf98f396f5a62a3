"""DEPTH_TO_SPACE, SPACE_TO_DEPTH, SPACE_TO_BATCH_ND, BATCH_TO_SPACE_ND: one reshape-transpose.

All are pure data movement (float32 and plain integer/bool types; quantized tensors are
refused as in the other families of this issue), each one ``reshape -> transpose ->
reshape`` (plus a pad or a crop):

* DEPTH_TO_SPACE (NHWC, block b, TensorFlow's DCR order): ``[N, H, W, b, b, C/b^2]`` ->
  ``[N, H, b, W, b, C/b^2]``; SPACE_TO_DEPTH is its inverse.
* SPACE_TO_BATCH_ND: input ``[B, s_1..s_M, rest]`` with ``M = rank - 2`` (LiteRT takes ranks
  3 and 4), block_shape ``[M]``, paddings ``[M, 2]``: pad, split each padded ``s_i`` into
  ``(s_i / b_i, b_i)``, move the ``b_i`` in front of the batch. BATCH_TO_SPACE_ND undoes it
  and crops with ``crops [M, 2]``.

Block shapes, paddings and crops are normally constants (output shape known at prepare);
otherwise they are read at each invoke.
"""

import numpy as np

from .common import KernelError, options_field
from .registry import builtin
from .windows import check_arity, check_data, check_rank, known_ints

def _block_size(node):
    block = options_field(node, "block_size", 0)
    if block is None or block < 1:
        raise KernelError(f"{node.op_name}: block_size must be at least 1, got {block}")
    return int(block)


@builtin("DEPTH_TO_SPACE")
def prepare_depth_to_space(node):
    check_arity(node, (1,))
    x, out = node.inputs[0], node.outputs[0]
    check_data(node, x, out)
    check_rank(node, x, 4)
    b = _block_size(node)
    n, h, w, c = x.shape
    if c % (b * b):
        raise KernelError(f"DEPTH_TO_SPACE: input depth {c} is not a multiple of block_size^2 "
                          f"({b * b})")
    split = (n, h, w, b, b, c // (b * b))
    shape = (n, h * b, w * b, c // (b * b))

    def run(a):
        return a.reshape(split).transpose(0, 1, 3, 2, 4, 5).reshape(shape)
    return run, [shape]


@builtin("SPACE_TO_DEPTH")
def prepare_space_to_depth(node):
    check_arity(node, (1,))
    x, out = node.inputs[0], node.outputs[0]
    check_data(node, x, out)
    check_rank(node, x, 4)
    b = _block_size(node)
    n, h, w, c = x.shape
    if h % b or w % b:
        raise KernelError(f"SPACE_TO_DEPTH: input height {h} and width {w} must be multiples "
                          f"of block_size {b}")
    split = (n, h // b, b, w // b, b, c)
    shape = (n, h // b, w // b, b * b * c)

    def run(a):
        return a.reshape(split).transpose(0, 1, 3, 2, 4, 5).reshape(shape)
    return run, [shape]


def _nd_inputs(node, what):
    check_arity(node, (3,))
    x, block, pairs = node.inputs
    check_data(node, x, node.outputs[0])
    if x.shape is None or len(x.shape) not in (3, 4):
        raise KernelError(f"{node.op_name}: input must have 3 or 4 dimensions, got shape "
                          f"{None if x.shape is None else list(x.shape)}")
    m = len(x.shape) - 2
    if block is None or pairs is None:
        raise KernelError(f"{node.op_name}: missing block_shape or {what}")
    if tuple(block.shape) != (m,):
        raise KernelError(f"{node.op_name}: block_shape must have shape [{m}], got "
                          f"{list(block.shape)}")
    if tuple(pairs.shape) != (m, 2):
        raise KernelError(f"{node.op_name}: {what} must have shape [{m}, 2], got "
                          f"{list(pairs.shape)}")
    return x, block, pairs, m


def _nd_prepare(node, x, block, pairs, what, make):
    """``make(block tuple, pairs tuple) -> (run, shape)`` for constant or run-time values."""
    bv, pv = known_ints(node, block, "block_shape"), known_ints(node, pairs, what)
    if bv is not None and pv is not None:
        run, shape = make(tuple(bv.tolist()), tuple(map(tuple, pv.tolist())))
        return run, [shape]
    cache = {}

    def run_dynamic(a, b, p):
        key = (tuple(np.asarray(b).reshape(-1).tolist()),
               tuple(map(tuple, np.asarray(p).reshape(-1, 2).tolist())))
        if key not in cache:
            cache.clear()
            cache[key] = make(*key)[0]
        return cache[key](a, b, p)
    return run_dynamic, [None]


def _check_blocks(op, blocks, pairs, what):
    if any(b < 1 for b in blocks):
        raise KernelError(f"{op}: block_shape {list(blocks)} must be positive")
    if any(v < 0 for pair in pairs for v in pair):
        raise KernelError(f"{op}: {what} {[list(p) for p in pairs]} must not be negative")


@builtin("SPACE_TO_BATCH_ND")
def prepare_space_to_batch_nd(node):
    x, block, paddings, m = _nd_inputs(node, "paddings")
    shape_in = x.shape

    def make(blocks, pads):
        _check_blocks("SPACE_TO_BATCH_ND", blocks, pads, "paddings")
        padded = [s + b + a for s, (b, a) in zip(shape_in[1:1 + m], pads)]
        for size, b in zip(padded, blocks):
            if size % b:
                raise KernelError(f"SPACE_TO_BATCH_ND: padded spatial size {size} is not a "
                                  f"multiple of block size {b}")
        batch, rest = shape_in[0], tuple(shape_in[1 + m:])
        split = (batch,) + tuple(d for s, b in zip(padded, blocks) for d in (s // b, b)) + rest
        order = tuple(2 + 2 * i for i in range(m)) + (0,) + tuple(1 + 2 * i for i in range(m)) \
            + tuple(range(1 + 2 * m, 1 + 2 * m + len(rest)))
        shape = (batch * int(np.prod(blocks)),) + tuple(s // b for s, b in zip(padded, blocks)) \
            + rest
        pad_width = ((0, 0),) + tuple(pads) + ((0, 0),) * len(rest)
        interior = (slice(None),) + tuple(slice(b, b + s) for s, (b, _) in
                                          zip(shape_in[1:1 + m], pads))
        needs_pad = any(b or a for b, a in pads)

        def run(a, _b=None, _p=None):
            if needs_pad:
                p = np.zeros(tuple(s + b + e for s, (b, e) in zip(a.shape, pad_width)), a.dtype)
                p[interior] = a
                a = p
            return np.ascontiguousarray(a.reshape(split).transpose(order)).reshape(shape)
        return run, shape
    return _nd_prepare(node, x, block, paddings, "paddings", make)


@builtin("BATCH_TO_SPACE_ND")
def prepare_batch_to_space_nd(node):
    x, block, crops, m = _nd_inputs(node, "crops")
    shape_in = x.shape

    def make(blocks, cuts):
        _check_blocks("BATCH_TO_SPACE_ND", blocks, cuts, "crops")
        total = int(np.prod(blocks))
        if shape_in[0] % total:
            raise KernelError(f"BATCH_TO_SPACE_ND: batch {shape_in[0]} is not a multiple of "
                              f"the block size product {total}")
        batch, spatial, rest = shape_in[0] // total, shape_in[1:1 + m], tuple(shape_in[1 + m:])
        full = [s * b for s, b in zip(spatial, blocks)]
        for size, (b, a) in zip(full, cuts):
            if b + a > size:
                raise KernelError(f"BATCH_TO_SPACE_ND: crops {[list(c) for c in cuts]} are "
                                  f"larger than the output size {full}")
        split = tuple(blocks) + (batch,) + tuple(spatial) + rest
        order = (m,) + tuple(d for i in range(m) for d in (m + 1 + i, i)) \
            + tuple(range(2 * m + 1, 2 * m + 1 + len(rest)))
        merged = (batch,) + tuple(full) + rest
        crop = (slice(None),) + tuple(slice(b, s - a) for s, (b, a) in zip(full, cuts))
        shape = (batch,) + tuple(s - b - a for s, (b, a) in zip(full, cuts)) + rest

        def run(a, _b=None, _c=None):
            r = a.reshape(split).transpose(order).reshape(merged)
            return np.ascontiguousarray(r[crop])
        return run, shape
    return _nd_prepare(node, x, block, crops, "crops", make)
