"""CONV_2D and DEPTHWISE_CONV_2D on quantized tensors: int8 (per-channel or per-tensor
filters), legacy uint8 (per-tensor, filter zero point) and int16x8 (int16 activations,
int8 filters, int32 or int64 bias).

``acc[c] = sum over taps inside the image of (w - zp_w) * (x - zp_in) + bias[c]``: the
input is copied once into a scratch buffer bordered with ``zp_in`` (a padded tap then
contributes ``w * 0``) held in the exact GEMM type (integer_gemm), and the input zero
point is folded into a constant per-channel offset ``bias - zp_in * sum(w)``. CONV_2D
multiplies the im2col view (windows.window_view) by the filter matrix on BLAS (grouped
convolutions as one batched matmul); DEPTHWISE_CONV_2D adds ``kh * kw`` strided tap slices
times their per-channel weights. Requantization (reference §5.7): int8/uint8 through
LiteRT's fixed-point multiplier per channel (``QuantizeMultiplier(double(s_in) *
double(s_w[c]) / double(s_out))``; uint8's single multiplier from the float32 product
``s_in * s_w``, as GetQuantizedConvolutionMultipler computes it); int16 with an int64
bias through the int64-accumulator form (multiplier rounded to 16 bits, reference §5.2),
with an int32 bias (CONV_2D whose options say so) through the usual int32 form. CONV_2D needs a
bias (LiteRT: ``has_bias``); an int16 DEPTHWISE_CONV_2D needs an int64 one. Filters and
biases must be constant.
"""

import numpy as np

from ..model import types
from .common import KernelError, options_field, quantized_node, type_name
from .integer_gemm import (ExactGemm, activation_limits, channel_scales, check_bias,
                           constant_of, effective_scales, fixed_point_requantizer, gemm_dtype,
                           int16_bias_type, magnitude, scales_of, zero_point_of)
from .registry import builtin
from .windows import (Padder, check_arity, check_rank, padding_option, positive_option,
                      spatial_plan, window_view)

#: input type -> filter type; the output type is the input's
_FILTER_TYPE = {types.INT8: types.INT8, types.UINT8: types.UINT8, types.INT16: types.INT8}


class ConvQuantization:
    """The checked quantization of a convolution node (filter channels along ``axis``)."""

    def __init__(self, node, x, f, bias, out, channels, axis):
        if x.type not in _FILTER_TYPE or f.type != _FILTER_TYPE[x.type] or out.type != x.type:
            raise KernelError(f"{node.op_name}: {type_name(x)} input with {type_name(f)} "
                              f"filter and {type_name(out)} output is not supported")
        self.zp_in, self.zp_out = zero_point_of(x), zero_point_of(out)
        per_channel = scales_of(node, f, "filter").size > 1
        self.zp_w = 0 if per_channel or x.type != types.UINT8 else zero_point_of(f)
        if x.type == types.INT16:
            if self.zp_in or self.zp_out:
                raise KernelError(f"{node.op_name}: int16 zero points must be 0 (input "
                                  f"{self.zp_in}, output {self.zp_out})")
            # DEPTHWISE_CONV_2D insists on int64; the others read what the options name
            bias_types = (types.INT64 if node.op_name == "DEPTHWISE_CONV_2D"
                          else int16_bias_type(node),)
        else:
            bias_types = (types.INT32,)
        self.bias = check_bias(node, bias, channels, bias_types)
        self.filter = constant_of(node, f, "filter").astype(np.int64) - self.zp_w
        s_in, s_out = scales_of(node, x, "input")[0], scales_of(node, out, "output")[0]
        s_w = channel_scales(node, f, channels, axis)
        low, high = activation_limits(node, out)
        if x.type == types.UINT8:
            # GetQuantizedConvolutionMultipler: float32 product, bias scale sanity check
            product = np.float32(s_in * s_w[0])
            if bias is not None:
                b_scales = scales_of(node, bias, "bias")
                b_scale = float(b_scales[0]) if b_scales.size == 1 else 0.0
                if abs(float(product) - b_scale) / float(s_out) > 0.02:
                    raise KernelError("scale_diff / output_scale <= 0.02 was not true.")
            effective = np.repeat(np.float64(product) / np.float64(s_out), channels)
        else:
            effective = effective_scales(s_in, s_w, s_out)
        # LiteRT's 16x8 kernels with an int32 bias accumulate in int32 (the usual multiply)
        self.requant = fixed_point_requantizer(effective, self.zp_out, low, high, out.dtype,
                                               wide=bias_types == (types.INT64,))


def _window(node, x):
    """(strides, dilations, padding) options of a 2-D window op."""
    return ((positive_option(node, "stride_h"), positive_option(node, "stride_w")),
            (positive_option(node, "dilation_h_factor"),
             positive_option(node, "dilation_w_factor")),
            padding_option(node))


def _operands(node):
    check_arity(node, (2, 3))
    x, f = node.inputs[0], node.inputs[1]
    bias = node.inputs[2] if len(node.inputs) == 3 else None
    if x is None or f is None:
        raise KernelError(f"{node.op_name}: missing input or filter")
    check_rank(node, x, 4)
    check_rank(node, f, 4, "filter")
    return x, f, bias, node.outputs[0]


@builtin("CONV_2D", when=quantized_node)
def prepare_integer_conv_2d(node):
    x, f, bias, out = _operands(node)
    if bias is None:
        raise KernelError("has_bias was not true.")     # as LiteRT's CONV_2D
    cout, kh, kw, fin = f.shape
    batch, height, width, cin = x.shape
    if fin <= 0 or cin % fin or kh <= 0 or kw <= 0:
        raise KernelError(f"CONV_2D: filter of shape {list(f.shape)} does not fit an input "
                          f"with {cin} channels")
    groups = cin // fin
    if cout % groups:
        raise KernelError(f"CONV_2D: output channels {cout} are not a multiple of the "
                          f"{groups} groups")
    q = ConvQuantization(node, x, f, bias, out, cout, 0)
    strides, dilations, padding = _window(node, x)
    outs, pads = spatial_plan(node, (height, width), (kh, kw), strides, dilations, padding)
    out_shape = (batch,) + outs + (cout,)
    m_rows, og, depth = batch * outs[0] * outs[1], cout // groups, kh * kw * fin
    # [cout, kh, kw, fin] -> [groups, kh * kw * fin, og]
    matrix = q.filter.reshape(groups, og, depth).transpose(0, 2, 1)
    offset = q.bias.reshape(groups, 1, og) - q.zp_in * matrix.sum(axis=1, keepdims=True)
    gemm = ExactGemm(matrix, offset, magnitude(x))
    padder = Padder(x.shape, pads, value=q.zp_in, dtype=gemm.dtype)
    requant = q.requant

    def padded(a):
        """The input in the GEMM type, bordered with zp_in when the padding needs it."""
        return padder(a) if padder.needed else a.astype(gemm.dtype)

    if m_rows == 0 or cout == 0:
        def run_empty(a, _w=None, _b=None):
            return np.zeros(out_shape, out.dtype)
        return run_empty, [out_shape]

    if groups == 1:
        pointwise = kh == kw == 1 and strides == (1, 1) and padder.buffer is None

        def columns(a):
            if pointwise:
                return a.reshape(m_rows, cin).astype(gemm.dtype)
            return window_view(padded(a), outs, (kh, kw), strides, dilations).reshape(
                m_rows, depth)

        def run(a, _w=None, _b=None):
            return requant(gemm(columns(a))[0]).reshape(out_shape)
        return run, [out_shape]

    def run_grouped(a, _w=None, _b=None):
        view = window_view(padded(a), outs, (kh, kw), strides, dilations)
        # [N, Ho, Wo, kh, kw, G, fin] -> [G, M, kh * kw * fin]
        view = view.reshape(batch, outs[0], outs[1], kh, kw, groups, fin)
        cols = view.transpose(5, 0, 1, 2, 3, 4, 6).reshape(groups, m_rows, depth)
        acc = gemm(cols).transpose(1, 0, 2).reshape(m_rows, cout)
        return requant(acc).reshape(out_shape)
    return run_grouped, [out_shape]


@builtin("DEPTHWISE_CONV_2D", when=quantized_node)
def prepare_integer_depthwise_conv_2d(node):
    x, f, bias, out = _operands(node)
    one, kh, kw, cout = f.shape
    batch, height, width, cin = x.shape
    if one != 1 or cin <= 0 or cout % cin or kh <= 0 or kw <= 0:
        raise KernelError(f"DEPTHWISE_CONV_2D: filter of shape {list(f.shape)} does not fit "
                          f"an input with {cin} channels")
    multiplier = cout // cin
    q = ConvQuantization(node, x, f, bias, out, cout, 3)
    strides, dilations, padding = _window(node, x)
    (ho, wo), ((pt, pb), (pl, pr)) = spatial_plan(node, (height, width), (kh, kw), strides,
                                                  dilations, padding)
    out_shape = (batch, ho, wo, cout)
    weights = q.filter.reshape(kh * kw, cout)
    offset = (q.bias - q.zp_in * weights.sum(axis=0)).astype(np.float64)
    w_max = int(np.abs(weights).max()) if weights.size else 0
    dtype = gemm_dtype(kh * kw * magnitude(x) * w_max)
    if dtype == np.int64 or int(np.abs(offset).max(initial=0)) + kh * kw * magnitude(x) * \
            w_max > 2 ** 53:
        raise KernelError("DEPTHWISE_CONV_2D: accumulators beyond 2**53 are not supported")
    w = weights.astype(dtype)
    # scratch input with the border at zp_in and each channel repeated multiplier times
    scratch = np.full((batch, height + pt + pb, width + pl + pr, cout), q.zp_in, dtype)
    interior = scratch[:, pt:pt + height, pl:pl + width, :].reshape(
        batch, height, width, cin, multiplier)
    sh, sw = strides
    dh, dw = dilations
    taps = [(t, (slice(None), slice(i * dh, i * dh + (ho - 1) * sh + 1, sh),
                 slice(j * dw, j * dw + (wo - 1) * sw + 1, sw), slice(None)))
            for t, (i, j) in enumerate((i, j) for i in range(kh) for j in range(kw))]
    requant = q.requant
    if batch * ho * wo * cout == 0:
        def run_empty(a, _w=None, _b=None):
            return np.zeros(out_shape, out.dtype)
        return run_empty, [out_shape]
    multiply = np.multiply

    def run(a, _w=None, _b=None):
        interior[...] = a[..., None]
        acc = np.empty(out_shape, dtype)
        term = np.empty(out_shape, dtype)
        for t, where in taps:
            if t == 0:
                multiply(scratch[where], w[0], out=acc)
            else:
                acc += multiply(scratch[where], w[t], out=term)
        return requant(np.add(acc, offset, dtype=np.float64))
    return run, [out_shape]
