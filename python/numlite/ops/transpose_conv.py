"""TRANSPOSE_CONV, float32: one sgemm to per-tap columns, then a col2im scatter-add per tap.

Inputs: ``output_shape`` (int32 ``[4]``), weights ``[Cout, kh, kw, Cin]``, input ``[N, H, W,
Cin]`` and an optional bias ``[Cout]``. Input pixel ``(y, x)`` spreads ``input[y, x] @
weights[:, i, j, :].T`` to output pixel ``(y * stride_h + i - pad_h, x * stride_w + j -
pad_w)``; contributions outside the output are dropped. The padding is the one a CONV_2D
with the same filter, strides and padding would need on an input of the *output's* size
(LiteRT: ComputePaddingHeightWidth on the output height and width, dilation 1).

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


@builtin("TRANSPOSE_CONV")
def prepare_transpose_conv(node):
    check_arity(node, (3, 4))
    shape_spec, f, x = node.inputs[:3]
    bias = node.inputs[3] if len(node.inputs) == 4 else None
    if shape_spec is None or f is None or x is None:
        raise KernelError("TRANSPOSE_CONV: missing output_shape, weights or input")
    for spec, what in ((x, "input"), (f, "weights"), (node.outputs[0], "output")):
        check_float(node, spec, what)
    check_rank(node, x, 4)
    check_rank(node, f, 4, "weights")
    cout, kh, kw, cin = f.shape
    batch, height, width, xin = x.shape
    if xin != cin:
        raise KernelError(f"TRANSPOSE_CONV: input channels {xin} do not match the weights' "
                          f"input channels {cin}")
    if kh <= 0 or kw <= 0:
        raise KernelError(f"TRANSPOSE_CONV: empty weights of shape {list(f.shape)}")
    if bias is not None:
        check_float(node, bias, "bias")
        if int(np.prod(bias.shape, dtype=np.int64)) != cout:
            raise KernelError(f"TRANSPOSE_CONV: bias has shape {list(bias.shape)}, expected "
                              f"[{cout}]")
    act = fused_activation(options_field(node, "fused_activation_function", 0), np.float32,
                           node.op_name)
    sh, sw = positive_option(node, "stride_h"), positive_option(node, "stride_w")
    padding = padding_option(node)
    finish = finisher(None if bias is None or bias.value is None else bias.value, act, cout)
    if shape_spec.shape is None or tuple(shape_spec.shape) != (4,):
        raise KernelError(f"TRANSPOSE_CONV: output_shape must be a 1-D tensor of 4 values, got "
                          f"shape {shape_spec.shape}")
    m_rows = batch * height * width

    def matrix_of(w):
        # [cout, kh, kw, cin] -> [cin, kh * kw * cout]
        return np.ascontiguousarray(np.asarray(w, np.float32).transpose(3, 1, 2, 0)
                                    .reshape(cin, kh * kw * cout))

    const_matrix = None if f.value is None else matrix_of(f.value)
    matmul = np.matmul

    def plan(requested):
        """run(x, w, b) for output shape ``requested`` (a list of 4 ints)."""
        out_n, out_h, out_w, out_c = (int(d) for d in requested)
        if out_n != batch or out_c != cout or out_h < 0 or out_w < 0:
            raise KernelError(f"TRANSPOSE_CONV: output_shape {list(requested)} does not fit "
                              f"an input of shape {list(x.shape)} and {cout} output channels")
        out_shape = (out_n, out_h, out_w, out_c)
        in_h, in_w = out_size(padding, out_h, kh, sh), out_size(padding, out_w, kw, sw)
        # LiteRT's reference kernel insists the output maps back onto the input
        if in_h != height:
            raise KernelError(f"computed_input_height != SizeOfDimension(input, 1) ({in_h} "
                              f"!= {height})")
        if in_w != width:
            raise KernelError(f"computed_input_width != SizeOfDimension(input, 2) ({in_w} "
                              f"!= {width})")
        pad_h = same_padding(out_h, kh, sh, 1, in_h)[0]
        pad_w = same_padding(out_w, kw, sw, 1, in_w)[0]
        if out_n * out_h * out_w * out_c == 0 or m_rows == 0 or cin == 0:
            def run_trivial(_s, w, a, b=None):
                return finish(np.zeros(out_shape, np.float32), b)
            return run_trivial, out_shape
        full_h = max((height - 1) * sh + kh, pad_h + out_h)
        full_w = max((width - 1) * sw + kw, pad_w + out_w)
        crop = (slice(None), slice(pad_h, pad_h + out_h), slice(pad_w, pad_w + out_w))
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
