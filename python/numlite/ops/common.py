"""Helpers every kernel module shares: option lookup, type checks, the raw clip ufunc."""

import numpy as np

from ..model import types
from .registry import KernelError

__all__ = ["KernelError", "clip_ufunc", "row_tiling", "is_quantized", "quantized_node", "type_name", "require_same_type",
           "as_array", "options_field"]

try:                                    # the clip ufunc itself: np.clip adds ~2 us of wrappers
    from numpy._core.umath import clip as clip_ufunc            # numpy >= 2
except ImportError:                     # pragma: no cover
    try:
        from numpy.core.umath import clip as clip_ufunc         # numpy 1.17 - 1.26
    except ImportError:
        clip_ufunc = np.clip


def row_tiling(rows, channels, width=512):
    """The largest ``k`` dividing ``rows`` with ``k * channels`` at most about ``width``: a
    per-channel constant is applied to ``rows`` rows of ``channels`` values as ``k`` copies
    side by side over the rows viewed as ``[rows / k, k * channels]``. numpy loops over a
    broadcast operand one row at a time, and rows of a few channels cost several times more
    per element than long ones."""
    if not rows or channels >= width // 2:
        return 1
    k = width // channels
    while rows % k:
        k -= 1
    return k


def is_quantized(spec):
    """True when a tensor carries quantization scales."""
    q = spec.quantization
    return q is not None and q.scales is not None and q.scales.size > 0


_INTEGER_QUANTIZED = (types.INT8, types.UINT8, types.INT16)


def quantized_node(node):
    """Registry predicate (``builtin(..., when=quantized_node)``): the node's first input is
    an int8/uint8/int16 tensor with quantization scales, so the integer kernel serves it."""
    x = node.inputs[0] if node.inputs else None
    return x is not None and x.type in _INTEGER_QUANTIZED and is_quantized(x)


def type_name(spec):
    return types.type_name(spec.type)


def require_same_type(node, a, b, what_a="input", what_b="output"):
    if a.type != b.type:
        raise KernelError(f"{node.op_name}: {what_a} type {type_name(a)} does not match "
                          f"{what_b} type {type_name(b)}")


def as_array(run):
    """Wrap ``run`` so a numpy scalar result (ufuncs on 0-d arrays) comes back as a 0-d array."""
    def run_0d(*arrays):
        return np.asarray(run(*arrays))
    return run_0d


def options_field(node, name, default):
    """An option's value, or ``default`` when the node has no options table."""
    options = node.options
    return default if options is None else getattr(options, name, default)


def expect_io(node, inputs, outputs=1):
    """Check the node's arity (absent optional inputs count as missing); return its input specs."""
    if len(node.inputs) != inputs or len(node.outputs) != outputs:
        raise KernelError(f"{node.op_name}: expected {inputs} input(s) and {outputs} output(s), "
                          f"got {len(node.inputs)} and {len(node.outputs)}")
    if None in node.inputs:
        raise KernelError(f"Tensor at index {node.inputs.index(None)} was optional but was "
                          "expected\n")
    return node.inputs


def normalize_axis(node, axis, rank, what="axis"):
    """``axis`` in [-rank, rank) made non-negative, or a KernelError naming the op."""
    if not -rank <= axis < rank:
        raise KernelError(f"{node.op_name}: {what} {axis} is out of range for rank {rank}")
    return axis + rank if axis < 0 else axis
