"""TRANSPOSE_CONV, float32: one sgemm to per-tap columns, then a col2im scatter-add per tap.

Inputs: ``output_shape`` (int32 ``[4]``), weights ``[Cout, kh, kw, Cin]``, input ``[N, H, W,
Cin]`` and an optional bias ``[Cout]``. Input pixel ``(y, x)`` spreads ``input[y, x] @
weights[:, i, j, :].T`` to output pixel ``(y * stride_h + i - pad_h, x * stride_w + j -
pad_w)``; contributions outside the output are dropped. The padding is the one a CONV_2D
with the same filter, strides and padding would need on an input of the *output's* size
(LiteRT: ComputePaddingHeightWidth on the output height and width, dilation 1).
CONV_3D_TRANSPOSE (conv3d_transpose.py) shares the checks, geometry and output_shape
handling below.

``run``: ``cols = input.reshape(M, Cin) @ W`` with ``W`` the constant ``[Cin, kh * kw *
Cout]`` matrix made at prepare, then ``kh * kw`` strided adds into a zeroed full-size
canvas, then the crop. When the stride equals the filter size (the usual 2x up-sampling
layer) the taps do not overlap and the canvas is one transpose of ``cols``. No loop over
pixels or channels.
"""

import numpy as np

from .activations import fused_activation
from .common import KernelError, options_field
from .conv import finisher
from .registry import builtin
from .windows import (check_arity, check_float, check_rank, known_ints, out_size,
                      padding_option, positive_option, same_padding)


def transpose_operands(node, rank, filter_name):
    """(output_shape spec, filter, input, bias or None) of a TRANSPOSE_CONV or
    CONV_3D_TRANSPOSE node: arity, float32, rank and output_shape checks."""
    check_arity(node, (3, 4))
    shape_spec, f, x = node.inputs[:3]
    bias = node.inputs[3] if len(node.inputs) == 4 else None
    if shape_spec is None or f is None or x is None:
        raise KernelError(f"{node.op_name}: missing output_shape, {filter_name} or input")
    for spec, what in ((x, "input"), (f, filter_name), (node.outputs[0], "output")):
        check_float(node, spec, what)
    check_rank(node, x, rank)
    check_rank(node, f, rank, filter_name)
    if shape_spec.shape is None or tuple(shape_spec.shape) != (rank,):
        raise KernelError(f"{node.op_name}: output_shape must be a 1-D tensor of {rank} "
                          f"values, got shape {shape_spec.shape}")
    return shape_spec, f, x, bias


def transpose_finisher(node, filter_shape, kernel, cin, cout, bias, xin):
    """``finish(canvas, bias)`` (bias, then the fused activation) after checking the input
    channels, the filter's taps and the bias size."""
    if xin != cin:
        raise KernelError(f"{node.op_name}: input channels {xin} do not match the filter's "
                          f"input channels {cin}")
    if min(kernel) <= 0:
        raise KernelError(f"{node.op_name}: empty filter of shape {list(filter_shape)}")
    if bias is not None:
        check_float(node, bias, "bias")
        if int(np.prod(bias.shape, dtype=np.int64)) != cout:
            raise KernelError(f"{node.op_name}: bias has shape {list(bias.shape)}, expected "
                              f"[{cout}]")
    act = fused_activation(options_field(node, "fused_activation_function", 0), np.float32,
                           node.op_name)
    return finisher(None if bias is None or bias.value is None else bias.value, act, cout)


def transpose_geometry(node, requested, x, cout, kernel, strides, dilations, padding, labels):
    """(output shape, pads, canvas extent, crop) for output_shape ``requested``. The pads are
    the ones a convolution with the same filter, strides, dilations and padding would use
    on an input of the output's size, and like LiteRT that convolution must give back the
    input's size (``labels`` name the sizes in LiteRT's message). The canvas covers every
    tap's contribution and the padded output; the crop cuts the output out of it."""
    out_n, *outs, out_c = (int(d) for d in requested)
    sizes = x.shape[1:-1]
    if out_n != x.shape[0] or out_c != cout or min(outs) < 0:
        raise KernelError(f"{node.op_name}: output_shape {list(requested)} does not fit an "
                          f"input of shape {list(x.shape)} and {cout} output channels")
    computed = [out_size(padding, o, k, s, d)
                for o, k, s, d in zip(outs, kernel, strides, dilations)]
    for axis, (label, c, n) in enumerate(zip(labels, computed, sizes)):
        if c != n:
            raise KernelError(f"{label} != SizeOfDimension(input, {axis + 1}) ({c} != {n})")
    pads = [same_padding(o, k, s, d, c)[0]
            for o, k, s, d, c in zip(outs, kernel, strides, dilations, computed)]
    full = [max((n - 1) * s + (k - 1) * d + 1, p + o)
            for n, s, k, d, p, o in zip(sizes, strides, kernel, dilations, pads, outs)]
    crop = (slice(None),) + tuple(slice(p, p + o) for p, o in zip(pads, outs))
    return (out_n, *outs, out_c), full, crop


def zeros_run(out_shape, finish):
    """run for an empty output or input: the bias and activation of zeros."""
    def run_trivial(_s, w, a, b=None):
        return finish(np.zeros(out_shape, np.float32), b)
    return run_trivial


def output_shape_kernel(node, shape_spec, plan):
    """(run, output shapes) from ``plan(requested) -> (run, out_shape)``: planned once for a
    constant output_shape, else at run for each new value."""
    requested = known_ints(node, shape_spec, "output_shape")
    if requested is not None:
        run, out_shape = plan(requested.tolist())
        return run, [out_shape]
    cache = {}

    def run_dynamic(s, w, a, b=None):
        key = tuple(int(d) for d in np.asarray(s).reshape(-1))
        if key not in cache:
            cache.clear()
            cache[key] = plan(list(key))[0]
        return cache[key](s, w, a, b)
    return run_dynamic, [None]


@builtin("TRANSPOSE_CONV")
def prepare_transpose_conv(node):
    shape_spec, f, x, bias = transpose_operands(node, 4, "weights")
    cout, kh, kw, cin = f.shape
    batch, height, width, xin = x.shape
    finish = transpose_finisher(node, f.shape, (kh, kw), cin, cout, bias, xin)
    sh, sw = positive_option(node, "stride_h"), positive_option(node, "stride_w")
    padding = padding_option(node)
    m_rows = batch * height * width

    def matrix_of(w):
        # [cout, kh, kw, cin] -> [cin, kh * kw * cout]
        return np.ascontiguousarray(np.asarray(w, np.float32).transpose(3, 1, 2, 0)
                                    .reshape(cin, kh * kw * cout))

    const_matrix = None if f.value is None else matrix_of(f.value)
    matmul = np.matmul

    def plan(requested):
        """run(s, w, x, b) for output shape ``requested`` (4 ints)."""
        out_shape, (full_h, full_w), crop = transpose_geometry(
            node, requested, x, cout, (kh, kw), (sh, sw), (1, 1), padding,
            ("computed_input_height", "computed_input_width"))
        if 0 in out_shape or m_rows == 0 or cin == 0:
            return zeros_run(out_shape, finish), out_shape
        tiled = sh == kh and sw == kw and full_h == height * kh and full_w == width * kw

        def columns(a, w):
            wm = const_matrix if const_matrix is not None else matrix_of(w)
            return matmul(a.reshape(m_rows, cin), wm).reshape(batch, height, width, kh, kw,
                                                               cout)
        if tiled:
            def run(_s, w, a, b=None):
                canvas = columns(a, w).transpose(0, 1, 3, 2, 4, 5).reshape(
                    batch, full_h, full_w, cout)
                return finish(np.ascontiguousarray(canvas[crop]), b)
            return run, out_shape

        taps = [(i, j, (slice(None), slice(i, i + (height - 1) * sh + 1, sh),
                        slice(j, j + (width - 1) * sw + 1, sw)))
                for i in range(kh) for j in range(kw)]
        add = np.add

        def run(_s, w, a, b=None):
            cols = columns(a, w)
            canvas = np.zeros((batch, full_h, full_w, cout), np.float32)
            for i, j, where in taps:
                target = canvas[where]
                add(target, cols[:, :, :, i, j], out=target)
            return finish(np.ascontiguousarray(canvas[crop]), b)
        return run, out_shape
    return output_shape_kernel(node, shape_spec, plan)
