"""DEPTHWISE_CONV_2D, float32: one einsum over a strided tap view, then bias and activation.

Input ``[N, H, W, Cin]``, filter ``[1, kh, kw, Cout]`` with ``Cout = Cin * multiplier``
(output channel ``c * multiplier + m`` sees input channel ``c``), optional bias ``[Cout]``;
padding, strides and dilations as CONV_2D (windows.py).

Depthwise convolution moves more bytes than it computes, so the layout is chosen for
numpy's inner loops: one einsum sums the taps (in filter order, as LiteRT's reference
kernel does) over a strided view of the input, and every operand's innermost run is a
whole contiguous output row of ``Wo * Cout`` values (a per-channel ``[Cout]`` filter would
cut numpy's inner loop to ``Cout`` elements and double the time). To get there:

* the filter is broadcast once at prepare to ``[kh, kw, Wo * Cout]``;
* the input is copied once into a zero-bordered scratch buffer with ``Cout`` channels
  (channels repeated ``multiplier`` times in the same copy), whose strided tap view is
  built once at prepare (a view per call costs more than the copy on small layers);
* with stride_w > 1 the scratch holds the ``stride_w`` column phases of the padded input
  separately (phase ``b`` = columns ``b, b + stride_w, ...``), so tap ``j = a * stride_w + b``
  reads phase ``b`` from column ``a`` contiguously; taps past the filter get zero weights.

A Python loop runs over nothing but the few column phases when filling the scratch.
(Stride and dilation both above 1 along the width, which TensorFlow never emits, use the
plain ``[kh, kw, N, Ho, Wo, Cout]`` view.) LiteRT's reference kernel takes the multiplier
from the shapes and ignores the depth_multiplier option, as numlite does; a two-input
node (no bias) runs, an absent ``-1`` bias is refused as LiteRT refuses it.
"""

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .activations import fused_activation
from .common import KernelError, options_field
from .conv import finisher
from .registry import builtin
from .windows import (check_arity, check_float, check_rank, padding_option, positive_option,
                      spatial_plan)

_F32 = np.float32


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
    finish = finisher(None if bias is None or bias.value is None else bias.value, act, cout,
                      batch * ho * wo)
    if batch * ho * wo * cout == 0:
        def run_empty(a, _w=None, _b=None):
            return np.zeros(out_shape, np.float32)
        return run_empty, [out_shape]

    (pt, pb), (pl, pr) = pads
    sh, sw = strides
    dh, dw = dilations
    padded_h = height + pt + pb
    einsum = np.einsum

    if sw == 1 or dw == 1:
        # Taps along the width are split as j = a * sw + b: "phase" b of the padded input
        # (its columns b, b + sw, ...) is stored contiguously, so every tap reads whole
        # contiguous rows of wo * cout values. With sw == 1 there is one phase (and taps
        # step by dw columns); with sw > 1 (dw == 1) tap (a, b) reads phase b from column
        # a, and the ka * sw - kw taps past the filter get zero weights.
        phases = sw
        ka = kw if sw == 1 else -(-kw // sw)
        step = dw if sw == 1 else 1
        cols = wo + (ka - 1) * step          # columns of each phase a tap can reach
        scratch = np.zeros((phases, batch, padded_h, cols, cout), _F32)
        fills = []                           # (target view, input column slice) per phase
        for b in range(phases):
            first = max(0, -(-(pl - b) // phases))          # first phase column with data
            w0 = first * phases + b - pl                    # its input column
            count = min(len(range(w0, width, phases)), cols - first) if w0 < width else 0
            if count <= 0:
                continue
            target = scratch[b, :, pt:pt + height, first:first + count, :]
            if multiplier > 1:
                target = target.reshape(batch, height, count, cin, multiplier)
            fills.append((target, slice(w0, w0 + (count - 1) * phases + 1, phases)))
        st = scratch.strides
        view = as_strided(scratch, (kh, ka, phases, batch, ho, wo * cout),
                          (st[2] * dh, st[3] * step, st[0], st[1], st[2] * sh, st[4]),
                          writeable=False)

        def taps(a):
            for target, columns in fills:
                source = a[:, :, columns, :]
                target[...] = source[..., None] if multiplier > 1 else source
            return view

        def broadcast_filter(w):
            w = np.asarray(w, _F32).reshape(kh, kw, cout)
            full = np.zeros((kh, ka * phases, cout), _F32)
            full[:, :kw] = w
            return np.ascontiguousarray(np.broadcast_to(
                full.reshape(kh, ka, phases, 1, cout), (kh, ka, phases, wo, cout))
            ).reshape(kh, ka, phases, wo * cout)
        subscripts = "iabnhx,iabx->nhx"
    else:
        # stride and dilation both above 1 along the width (TensorFlow never emits it):
        # the plain strided view, whose inner loop is only cout long
        scratch = np.zeros((batch, padded_h, width + pl + pr, cout), _F32)
        interior = scratch[:, pt:pt + height, pl:pl + width, :]
        if multiplier > 1:
            interior = interior.reshape(batch, height, width, cin, multiplier)
        st = scratch.strides
        view = as_strided(scratch, (kh, kw, batch, ho, wo, cout),
                          (st[1] * dh, st[2] * dw, st[0], st[1] * sh, st[2] * sw, st[3]),
                          writeable=False)

        def taps(a):
            interior[...] = a[..., None] if multiplier > 1 else a
            return view

        def broadcast_filter(w):
            return np.ascontiguousarray(np.broadcast_to(
                np.asarray(w, _F32).reshape(kh, kw, 1, cout), (kh, kw, wo, cout)))
        subscripts = "ijnhwc,ijwc->nhwc"

    if f.value is not None:
        wb = broadcast_filter(f.value)

        def run(a, _w=None, b=None):
            return finish(einsum(subscripts, taps(a), wb).reshape(out_shape), b)
    else:
        def run(a, w, b=None):
            return finish(einsum(subscripts, taps(a), broadcast_filter(w)).reshape(out_shape),
                          b)
    return run, [out_shape]
