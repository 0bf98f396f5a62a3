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

from .activations import fused_activation
from .common import KernelError, options_field
from .conv import finisher
from .registry import builtin
from .windows import (check_arity, check_float, check_rank, known_ints, out_size,
                      padding_option, positive_option, same_padding)


@builtin("CONV_3D_TRANSPOSE")
def prepare_conv_3d_transpose(node):
    check_arity(node, (3, 4))
    shape_spec, f, x = node.inputs[:3]
    bias = node.inputs[3] if len(node.inputs) == 4 else None
    if shape_spec is None or f is None or x is None:
        raise KernelError("CONV_3D_TRANSPOSE: missing output_shape, filter or input")
    for spec, what in ((x, "input"), (f, "filter"), (node.outputs[0], "output")):
        check_float(node, spec, what)
    check_rank(node, x, 5)
    check_rank(node, f, 5, "filter")
    kernel, (cout, cin) = tuple(f.shape[:3]), f.shape[3:]
    batch, sizes, xin = x.shape[0], tuple(x.shape[1:4]), x.shape[4]
    if xin != cin:
        raise KernelError(f"CONV_3D_TRANSPOSE: input channels {xin} do not match the filter's "
                          f"input channels {cin}")
    if min(kernel) <= 0:
        raise KernelError(f"CONV_3D_TRANSPOSE: empty filter of shape {list(f.shape)}")
    if bias is not None:
        check_float(node, bias, "bias")
        if int(np.prod(bias.shape, dtype=np.int64)) != cout:
            raise KernelError(f"CONV_3D_TRANSPOSE: bias has shape {list(bias.shape)}, "
                              f"expected [{cout}]")
    if shape_spec.shape is None or tuple(shape_spec.shape) != (5,):
        raise KernelError(f"CONV_3D_TRANSPOSE: output_shape must be a 1-D tensor of 5 values, "
                          f"got shape {shape_spec.shape}")
    act = fused_activation(options_field(node, "fused_activation_function", 0), np.float32,
                           node.op_name)
    strides = tuple(positive_option(node, f"stride_{a}") for a in "dhw")
    dilations = tuple(positive_option(node, f"dilation_{a}_factor") for a in "dhw")
    padding = padding_option(node)
    finish = finisher(None if bias is None or bias.value is None else bias.value, act, cout)
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
        out_n, *outs, out_c = (int(d) for d in requested)
        if out_n != batch or out_c != cout or min(outs) < 0:
            raise KernelError(f"CONV_3D_TRANSPOSE: output_shape {list(requested)} does not fit "
                              f"an input of shape {list(x.shape)} and {cout} output channels")
        out_shape = (out_n, *outs, out_c)
        computed = [out_size(padding, o, k, s, d)
                    for o, k, s, d in zip(outs, kernel, strides, dilations)]
        for axis, (c, n) in enumerate(zip(computed, sizes)):
            if c != n:      # LiteRT's check: the output must map back onto the input
                raise KernelError(f"unused_out_{('depth', 'height', 'width')[axis]} != "
                                  f"SizeOfDimension(input, {axis + 1}) ({c} != {n})")
        pads = [same_padding(o, k, s, d, c)[0]
                for o, k, s, d, c in zip(outs, kernel, strides, dilations, computed)]
        if 0 in out_shape or m_rows == 0 or cin == 0:
            def run_trivial(_s, w, a, b=None):
                return finish(np.zeros(out_shape, np.float32), b)
            return run_trivial, out_shape
        full = [max((n - 1) * s + (k - 1) * d + 1, p + o)
                for n, s, k, d, p, o in zip(sizes, strides, kernel, dilations, pads, outs)]
        crop = (slice(None),) + tuple(slice(p, p + o) for p, o in zip(pads, outs))
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
