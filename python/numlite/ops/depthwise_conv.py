"""DEPTHWISE_CONV_2D, float32: one einsum over a strided tap view, then bias and activation.

Input ``[N, H, W, Cin]``, filter ``[1, kh, kw, Cout]`` with ``Cout = Cin * multiplier``
(output channel ``c * multiplier + m`` sees input channel ``c``), optional bias ``[Cout]``;
padding, strides and dilations as CONV_2D (windows.py).

Depthwise convolution moves more bytes than it computes, so the layout is chosen for
numpy's inner loops: the input is copied once into a zero-bordered scratch buffer with
``Cout`` channels (channels repeated ``multiplier`` times in the same copy), the taps are a
``[kh, kw, N, Ho, Wo, Cout]`` strided view of it, and the filter is broadcast once at
prepare to ``[kh, kw, Wo, Cout]`` so that, with stride_w 1, every operand's ``(Wo, Cout)``
block is contiguous and einsum's fused multiply-accumulate loop runs over whole rows (a
per-channel ``[Cout]`` filter would cut the inner loop to ``Cout`` elements). The taps are
summed in filter order, as LiteRT's reference kernel does.
"""

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .activations import fused_activation
from .common import KernelError, options_field
from .conv import finisher
from .registry import builtin
from .windows import (check_arity, check_float, check_rank, padding_option, positive_option,
                      spatial_plan)


@builtin("DEPTHWISE_CONV_2D")
def prepare_depthwise_conv_2d(node):
    check_arity(node, (2, 3))
    x, f = node.inputs[0], node.inputs[1]
    bias = node.inputs[2] if len(node.inputs) == 3 else None
    if None in node.inputs:         # LiteRT: an absent (-1) bias fails; two inputs are fine
        raise KernelError(f"Tensor at index {node.inputs.index(None)} was optional but was "
                          "expected")
    for spec, what in ((x, "input"), (f, "filter"), (node.outputs[0], "output")):
        check_float(node, spec, what)
    check_rank(node, x, 4)
    check_rank(node, f, 4, "filter")
    one, kh, kw, cout = f.shape
    batch, height, width, cin = x.shape
    if one != 1:
        raise KernelError(f"DEPTHWISE_CONV_2D: filter shape {list(f.shape)} must start with 1")
    if cin <= 0 or cout % cin:
        raise KernelError(f"DEPTHWISE_CONV_2D: filter channels {cout} are not a multiple of "
                          f"the input channels {cin}")
    if kh <= 0 or kw <= 0:
        raise KernelError(f"DEPTHWISE_CONV_2D: empty filter of shape {list(f.shape)}")
    multiplier = cout // cin
    if bias is not None:
        check_float(node, bias, "bias")
        if int(np.prod(bias.shape, dtype=np.int64)) != cout:
            raise KernelError(f"DEPTHWISE_CONV_2D: bias has shape {list(bias.shape)}, "
                              f"expected [{cout}]")
    act = fused_activation(options_field(node, "fused_activation_function", 0), np.float32,
                           node.op_name)
    strides = (positive_option(node, "stride_h"), positive_option(node, "stride_w"))
    dilations = (positive_option(node, "dilation_h_factor"),
                 positive_option(node, "dilation_w_factor"))
    (ho, wo), pads = spatial_plan(node, (height, width), (kh, kw), strides, dilations,
                                  padding_option(node))
    out_shape = (batch, ho, wo, cout)
    finish = finisher(None if bias is None or bias.value is None else bias.value, act, cout)
    if batch * ho * wo * cout == 0:
        def run_empty(a, _w=None, _b=None):
            return np.zeros(out_shape, np.float32)
        return run_empty, [out_shape]

    (pt, pb), (pl, pr) = pads
    scratch = None
    if pt or pb or pl or pr or multiplier > 1:
        scratch = np.zeros((batch, height + pt + pb, width + pl + pr, cout), np.float32)
        interior = scratch[:, pt:pt + height, pl:pl + width, :]
        if multiplier > 1:
            interior = interior.reshape(batch, height, width, cin, multiplier)

    sh, sw = strides
    dh, dw = dilations

    def taps(a):
        if scratch is None:
            p = a
        else:
            if multiplier > 1:
                interior[...] = a[..., None]
            else:
                interior[...] = a
            p = scratch
        s = p.strides
        return as_strided(p, (kh, kw, batch, ho, wo, cout),
                          (s[1] * dh, s[2] * dw, s[0], s[1] * sh, s[2] * sw, s[3]),
                          writeable=False)

    def broadcast_filter(w):
        return np.ascontiguousarray(np.broadcast_to(
            np.asarray(w, np.float32).reshape(kh, kw, 1, cout), (kh, kw, wo, cout)))

    einsum = np.einsum
    if f.value is not None:
        wb = broadcast_filter(f.value)

        def run(a, _w=None, b=None):
            return finish(einsum("ijnhwc,ijwc->nhwc", taps(a), wb), b)
    else:
        def run(a, w, b=None):
            return finish(einsum("ijnhwc,ijwc->nhwc", taps(a), broadcast_filter(w)), b)
    return run, [out_shape]
