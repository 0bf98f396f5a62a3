"""CONV_3D_TRANSPOSE, float32: one sgemm to per-tap columns, then a strided scatter-add per tap.

Inputs: ``output_shape`` (int32 ``[5]``), filter ``[kd, kh, kw, Cout, Cin]``, input ``[N, D,
H, W, Cin]`` and an optional bias ``[Cout]``; Conv3DOptions give padding, strides, dilations
and the fused activation. Input voxel ``p`` (per spatial axis) spreads ``input[p] @
filter[t].T`` to output voxel ``p * stride + t * dilation - pad`` for every tap ``t``;
contributions outside the output are dropped. ``pad`` is the one a CONV_3D with the same
filter, strides, dilations and padding would use on an input of the *output's* size
(LiteRT: ComputePadding3DValues on output_shape), and like LiteRT that CONV_3D's output
size must be the input's.

``run``: ``cols = input.reshape(M, Cin) @ F`` with ``F`` the ``[Cin, taps * Cout]`` matrix
(made once at prepare for a constant filter), then one strided ``add`` per tap (``kd * kh *
kw`` of them) into a zeroed canvas that covers every contribution, then the crop, bias and
activation. No loop over voxels or channels.
"""

import numpy as np

from .registry import builtin
from .transpose_conv import (output_shape_kernel, transpose_finisher, transpose_geometry,
                             transpose_operands, zeros_run)
from .windows import padding_option, positive_option


@builtin("CONV_3D_TRANSPOSE")
def prepare_conv_3d_transpose(node):
    shape_spec, f, x, bias = transpose_operands(node, 5, "filter")
    kernel, (cout, cin) = tuple(f.shape[:3]), f.shape[3:]
    batch, sizes, xin = x.shape[0], tuple(x.shape[1:4]), x.shape[4]
    finish = transpose_finisher(node, f.shape, kernel, cin, cout, bias, xin)
    strides = tuple(positive_option(node, f"stride_{a}") for a in "dhw")
    dilations = tuple(positive_option(node, f"dilation_{a}_factor") for a in "dhw")
    padding = padding_option(node)
    taps = int(np.prod(kernel))
    m_rows = batch * int(np.prod(sizes))

    def matrix_of(w):
        # [kd, kh, kw, cout, cin] -> [cin, kd * kh * kw * cout]
        return np.ascontiguousarray(np.asarray(w, np.float32).transpose(4, 0, 1, 2, 3)
                                    .reshape(cin, taps * cout))

    const_matrix = None if f.value is None else matrix_of(f.value)
    matmul, add = np.matmul, np.add

    def plan(requested):
        """run(s, w, x, b) for output shape ``requested`` (5 ints)."""
        out_shape, full, crop = transpose_geometry(
            node, requested, x, cout, kernel, strides, dilations, padding,
            ("unused_out_depth", "unused_out_height", "unused_out_width"))
        if 0 in out_shape or m_rows == 0 or cin == 0:
            return zeros_run(out_shape, finish), out_shape
        spread = [(t, (slice(None),) + tuple(
                      slice(i * d, i * d + (n - 1) * s + 1, s)
                      for i, d, n, s in zip(np.unravel_index(t, kernel), dilations, sizes,
                                            strides)))
                  for t in range(taps)]

        def run(_s, w, a, b=None):
            wm = const_matrix if const_matrix is not None else matrix_of(w)
            cols = matmul(a.reshape(m_rows, cin), wm).reshape(batch, *sizes, taps, cout)
            canvas = np.zeros((batch, *full, cout), np.float32)
            for t, where in spread:
                target = canvas[where]
                add(target, cols[:, :, :, :, t], out=target)
            return finish(np.ascontiguousarray(canvas[crop]), b)
        return run, out_shape
    return output_shape_kernel(node, shape_spec, plan)
