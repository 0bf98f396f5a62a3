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


class TapSum:
    """``tap_sum(a, wb)``: the ``[N, Ho, Wo, Cout]`` sums over the taps of ``w * a`` of a
    DEPTHWISE_CONV_2D node, computed in ``dtype`` with the input bordered by ``border``
    (the layout of the module docstring); ``wb = tap_sum.weights(w)`` is the filter
    broadcast for it. Shared by the float, integer and hybrid kernels (the integer ones
    sum exact integers in a float type, integer_gemm). Checks the filter against the
    input at construction."""

    def __init__(self, node, x_shape, filter_shape, dtype=_F32, border=0):
        one, kh, kw, cout = filter_shape
        batch, height, width, cin = x_shape
        if one != 1:
            raise KernelError(f"DEPTHWISE_CONV_2D: filter shape {list(filter_shape)} must "
                              "start with 1")
        if cin <= 0 or cout % cin:
            raise KernelError(f"DEPTHWISE_CONV_2D: filter channels {cout} are not a multiple "
                              f"of the input channels {cin}")
        if kh <= 0 or kw <= 0:
            raise KernelError(f"DEPTHWISE_CONV_2D: empty filter of shape "
                              f"{list(filter_shape)}")
        strides = (positive_option(node, "stride_h"), positive_option(node, "stride_w"))
        dilations = (positive_option(node, "dilation_h_factor"),
                     positive_option(node, "dilation_w_factor"))
        (ho, wo), ((pt, pb), (pl, pr)) = spatial_plan(node, (height, width), (kh, kw),
                                                      strides, dilations,
                                                      padding_option(node))
        self.out_shape = (batch, ho, wo, cout)
        self.dtype, self.kernel = np.dtype(dtype), (kh, kw, cout)
        self.empty = batch * ho * wo * cout == 0
        if self.empty:
            return
        multiplier = cout // cin
        (sh, sw), (dh, dw) = strides, dilations
        padded_h = height + pt + pb
        if sw == 1 or dw == 1:
            # Taps along the width are split as j = a * sw + b: "phase" b of the padded
            # input (its columns b, b + sw, ...) is stored contiguously, so every tap reads
            # whole contiguous rows of wo * cout values. With sw == 1 there is one phase
            # (and taps step by dw columns); with sw > 1 (dw == 1) tap (a, b) reads phase b
            # from column a, and the ka * sw - kw taps past the filter get zero weights.
            phases = sw
            ka = kw if sw == 1 else -(-kw // sw)
            step = dw if sw == 1 else 1
            cols = wo + (ka - 1) * step          # columns of each phase a tap can reach
            scratch = np.full((phases, batch, padded_h, cols, cout), border, dtype)
            self.fills = []                      # (target view, input columns) per phase
            for b in range(phases):
                first = max(0, -(-(pl - b) // phases))      # first phase column with data
                w0 = first * phases + b - pl                # its input column
                count = min(len(range(w0, width, phases)), cols - first) if w0 < width else 0
                if count <= 0:
                    continue
                target = scratch[b, :, pt:pt + height, first:first + count, :]
                if multiplier > 1:
                    target = target.reshape(batch, height, count, cin, multiplier)
                self.fills.append((target, slice(w0, w0 + (count - 1) * phases + 1, phases)))
            st = scratch.strides
            self.view = as_strided(scratch, (kh, ka, phases, batch, ho, wo * cout),
                                   (st[2] * dh, st[3] * step, st[0], st[1], st[2] * sh,
                                    st[4]), writeable=False)
            self.filter_layout = (ka, phases, wo)
            self.subscripts = "iabnhx,iabx->nhx"
        else:
            # stride and dilation both above 1 along the width (TensorFlow never emits
            # it): the plain strided view, whose inner loop is only cout long
            scratch = np.full((batch, padded_h, width + pl + pr, cout), border, dtype)
            interior = scratch[:, pt:pt + height, pl:pl + width, :]
            if multiplier > 1:
                interior = interior.reshape(batch, height, width, cin, multiplier)
            self.fills = [(interior, slice(None))]
            st = scratch.strides
            self.view = as_strided(scratch, (kh, kw, batch, ho, wo, cout),
                                   (st[1] * dh, st[2] * dw, st[0], st[1] * sh, st[2] * sw,
                                    st[3]), writeable=False)
            self.filter_layout = None
            self.subscripts = "ijnhwc,ijwc->nhwc"
        self.multiplier = multiplier

    def weights(self, w):
        """The filter ``[1, kh, kw, Cout]`` broadcast to the layout ``__call__`` reads."""
        kh, kw, cout = self.kernel
        w = np.asarray(w).reshape(kh, kw, cout).astype(self.dtype)
        if self.filter_layout is None:
            return np.ascontiguousarray(np.broadcast_to(
                w.reshape(kh, kw, 1, cout), (kh, kw, self.out_shape[2], cout)))
        ka, phases, wo = self.filter_layout
        full = np.zeros((kh, ka * phases, cout), self.dtype)
        full[:, :kw] = w
        return np.ascontiguousarray(np.broadcast_to(
            full.reshape(kh, ka, phases, 1, cout), (kh, ka, phases, wo, cout))
        ).reshape(kh, ka, phases, wo * cout)

    def __call__(self, a, wb):
        if self.empty:
            return np.zeros(self.out_shape, self.dtype)
        for target, columns in self.fills:
            source = a[:, :, columns, :]
            target[...] = source[..., None] if self.multiplier > 1 else source
        return np.einsum(self.subscripts, self.view, wb).reshape(self.out_shape)


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
    tap_sum = TapSum(node, x.shape, f.shape)
    cout = f.shape[3]
    if bias is not None:
        check_float(node, bias, "bias")
        if int(np.prod(bias.shape, dtype=np.int64)) != cout:
            raise KernelError(f"DEPTHWISE_CONV_2D: bias has shape {list(bias.shape)}, "
                              f"expected [{cout}]")
    act = fused_activation(options_field(node, "fused_activation_function", 0), np.float32,
                           node.op_name)
    out_shape = tap_sum.out_shape
    finish = finisher(None if bias is None or bias.value is None else bias.value, act, cout,
                      out_shape[0] * out_shape[1] * out_shape[2])
    if tap_sum.empty:
        def run_empty(a, _w=None, _b=None):
            return np.zeros(out_shape, np.float32)
        return run_empty, [out_shape]
    if f.value is not None:
        wb = tap_sum.weights(f.value)

        def run(a, _w=None, b=None):
            return finish(tap_sum(a, wb), b)
    else:
        def run(a, w, b=None):
            return finish(tap_sum(a, tap_sum.weights(w)), b)
    return run, [out_shape]
