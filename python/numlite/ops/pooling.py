"""AVERAGE_POOL_2D, MAX_POOL_2D, L2_POOL_2D, float32, NHWC.

Windows of ``filter_height x filter_width`` at the given strides, SAME or VALID padding
(windows.py). As in LiteRT, padded cells never count: AVERAGE divides the window sum by
the number of input cells inside the window, L2 is ``sqrt(sum of squares / that count)``,
MAX ignores them (and, like LiteRT's reference ``std::max`` loop, NaN inputs). The fused
activation clamps the result.

Max and sum over a rectangle are separable, so a pool is two 1-D passes: along the height
(one strided ufunc call per filter row, or one reduction over a sliding-window view for
tall filters), then along the width; a window covering the whole image is one reduction.
The input is copied into a scratch buffer with a 0 (sums) or -inf (max) border only when
padding is needed. No loop over pixels or channels.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .activations import fused_activation
from .common import KernelError, options_field
from .registry import builtin
from .windows import (Padder, check_arity, check_float, check_rank, padding_option,
                      positive_option, spatial_plan)

#: filters wider than this reduce over a sliding-window view instead of a ufunc per tap
_LOOP_TAPS = 16


def _pass(a, axis, k, stride, count, ufunc):
    """``ufunc`` over windows of ``k`` along ``axis`` every ``stride``, ``count`` windows;
    always a fresh array."""
    if k > _LOOP_TAPS:
        view = sliding_window_view(a, k, axis=axis)
        index = [slice(None)] * a.ndim
        index[axis] = slice(0, (count - 1) * stride + 1, stride)
        return ufunc.reduce(view[tuple(index)], axis=-1)
    taps = []
    for t in range(k):
        index = [slice(None)] * a.ndim
        index[axis] = slice(t, t + (count - 1) * stride + 1, stride)
        taps.append(a[tuple(index)])
    if k == 1:
        return taps[0].copy()
    acc = ufunc(taps[0], taps[1])
    for tap in taps[2:]:
        ufunc(acc, tap, out=acc)
    return acc


def _valid_counts(size, k, stride, pad, count):
    """Per output position, how many of the window's ``k`` cells lie inside the input."""
    start = np.arange(count) * stride - pad
    return (np.minimum(start + k, size) - np.maximum(start, 0)).astype(np.float32)


def pool_geometry(node, x):
    """(filter (h, w), strides, pads, output shape) of a 2-D pooling node on NHWC ``x``."""
    batch, height, width, channels = x.shape
    kernel = (positive_option(node, "filter_height"), positive_option(node, "filter_width"))
    strides = (positive_option(node, "stride_h"), positive_option(node, "stride_w"))
    (ho, wo), pads = spatial_plan(node, (height, width), kernel, strides, (1, 1),
                                  padding_option(node))
    return kernel, strides, pads, (batch, ho, wo, channels)


def _pool(kind):
    def prepare(node):
        check_arity(node, (1,))
        x, out = node.inputs[0], node.outputs[0]
        if x is None:
            raise KernelError(f"{node.op_name}: missing input")
        check_float(node, x)
        check_float(node, out, "output")
        check_rank(node, x, 4)
        kernel, strides, pads, out_shape = pool_geometry(node, x)
        batch, ho, wo, channels = out_shape
        height, width = x.shape[1:3]
        act = fused_activation(options_field(node, "fused_activation_function", 0),
                               np.float32, node.op_name)
        if batch * ho * wo * channels == 0:
            def run_empty(a):
                return np.zeros(out_shape, np.float32)
            return run_empty, [out_shape]
        (kh, kw), (sh, sw) = kernel, strides
        padder = Padder(x.shape, pads, value=-np.inf if kind == "max" else 0.0)
        ufunc = np.fmax if kind == "max" else np.add
        divisor = None
        if kind != "max":
            divisor = (_valid_counts(height, kh, sh, pads[0][0], ho)[:, None, None]
                       * _valid_counts(width, kw, sw, pads[1][0], wo)[None, :, None])
        square, divide, sqrt = np.square, np.divide, np.sqrt

        whole = ho == 1 and wo == 1 and kh >= height and kw >= width
        reduce = ufunc.reduce

        def run(a):
            if kind == "l2":
                a = square(a)
            if whole:           # one window over the whole image (global pooling)
                r = reduce(a, axis=(1, 2), keepdims=True)
            else:               # rows first: their inner loops run over whole W * C rows
                p = padder(a)
                r = _pass(_pass(p, 1, kh, sh, ho, ufunc), 2, kw, sw, wo, ufunc)
            if divisor is not None:
                divide(r, divisor, out=r)
                if kind == "l2":
                    sqrt(r, out=r)
            return r if act is None else act(r)
        return run, [out_shape]
    return prepare


builtin("AVERAGE_POOL_2D")(_pool("average"))
builtin("MAX_POOL_2D")(_pool("max"))
builtin("L2_POOL_2D")(_pool("l2"))
