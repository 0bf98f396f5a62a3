"""CONV_2D, DEPTHWISE_CONV_2D and TRANSPOSE_CONV on quantized tensors: int8 (per-channel
or per-tensor filters), legacy uint8 (per-tensor, filter zero point) and int16x8 (int16
activations, int8 filters, int32 or int64 bias).

``acc[c] = sum over taps inside the image of (w - zp_w) * (x - zp_in) + bias[c]``: the
input is copied once into a scratch buffer bordered with ``zp_in`` (a padded tap then
contributes ``w * 0``) held in the exact GEMM type (integer_gemm), and the input zero
point is folded into a constant per-channel offset ``bias - zp_in * sum(w)`` that the
requantization adds (fixedpoint.FloatRequantizer, on the raw GEMM sums). CONV_2D
multiplies the im2col view (windows.window_view, built once over that buffer) by the
filter matrix on BLAS (grouped convolutions as one batched matmul); DEPTHWISE_CONV_2D sums
the taps with the float kernel's TapSum (one einsum over a strided view).

Requantization (reference §5.7): int8/uint8 through LiteRT's fixed-point multiplier per
channel (``QuantizeMultiplier(double(s_in) * double(s_w[c]) / double(s_out))``; uint8's
single multiplier from the float32 product ``s_in * s_w``, as
GetQuantizedConvolutionMultipler computes it); int16 with an int64 bias through the
int64-accumulator form (multiplier rounded to 16 bits, reference §5.2), with an int32 bias
(CONV_2D whose options say so) through the usual int32 form. CONV_2D needs a bias
(LiteRT: ``has_bias``); an int16 DEPTHWISE_CONV_2D needs an int64 one. Filters and
biases must be constant.
"""

import numpy as np

from ..model import types
from .common import KernelError, quantized_node, type_name
from .depthwise_conv import TapSum
from .integer_gemm import (ExactGemm, accumulator_type, activation_limits, channel_scales,
                           check_bias, constant_of, effective_scales, fixed_point_requantizer,
                           gemm_dtype, int16_bias_type, magnitude, scales_of, zero_point_of)
from .registry import builtin
from .windows import (Padder, check_arity, check_rank, out_size, padding_option,
                      positive_option, same_padding, spatial_plan, window_view)

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
        self.requant_args = (effective, self.zp_out, low, high, out.dtype,
                             bias_types == (types.INT64,))

    def requantizer(self, offset=None, bound=None):
        """integer_gemm.fixed_point_requantizer for this node's output (accumulators
        without ``offset``, of magnitude <= ``bound``, when it is given)."""
        return fixed_point_requantizer(*self.requant_args, offset=offset, bound=bound)


def _window(node):
    """(strides, dilations, padding) options of a 2-D window op."""
    return ((positive_option(node, "stride_h"), positive_option(node, "stride_w")),
            (positive_option(node, "dilation_h_factor"),
             positive_option(node, "dilation_w_factor")),
            padding_option(node))


def conv_operands(node):
    """(input, filter, bias or None, output) of a 2-D convolution node, ranks checked."""
    check_arity(node, (2, 3))
    x, f = node.inputs[0], node.inputs[1]
    bias = node.inputs[2] if len(node.inputs) == 3 else None
    if x is None or f is None:
        raise KernelError(f"{node.op_name}: missing input or filter")
    check_rank(node, x, 4)
    check_rank(node, f, 4, "filter")
    return x, f, bias, node.outputs[0]


def conv_accumulator(node, x, filter_values, pad_value, x_magnitude):
    """(accumulate, output shape, bound) of CONV_2D: ``accumulate(a)`` is the [N, Ho, Wo,
    Cout] array of ``sum over taps of w * a``, ``a`` bordered by ``pad_value``, as exact
    integers of magnitude <= ``bound`` in the GEMM type (integer_gemm); ``filter_values``
    is the integer [Cout, kh, kw, fin] filter, ``x_magnitude`` the largest |a|."""
    cout, kh, kw, fin = filter_values.shape
    batch, height, width, cin = x.shape
    if fin <= 0 or cin % fin or kh <= 0 or kw <= 0:
        raise KernelError(f"CONV_2D: filter of shape {list(filter_values.shape)} does not "
                          f"fit an input with {cin} channels")
    groups = cin // fin
    if cout % groups:
        raise KernelError(f"CONV_2D: output channels {cout} are not a multiple of the "
                          f"{groups} groups")
    strides, dilations, padding = _window(node)
    outs, pads = spatial_plan(node, (height, width), (kh, kw), strides, dilations, padding)
    out_shape = (batch,) + outs + (cout,)
    m_rows, og, depth = batch * outs[0] * outs[1], cout // groups, kh * kw * fin
    # [cout, kh, kw, fin] -> [groups, kh * kw * fin, og]
    matrix = filter_values.reshape(groups, og, depth).transpose(0, 2, 1)
    gemm = ExactGemm(matrix, np.zeros(1, np.int64), x_magnitude)
    product = gemm.product
    if m_rows == 0 or cout == 0:
        def accumulate_empty(a):
            return np.zeros(out_shape, gemm.dtype)
        return accumulate_empty, out_shape, gemm.bound
    if groups == 1 and kh == kw == 1 and strides == (1, 1) and not any(map(any, pads)):
        def accumulate_pointwise(a):
            return product(a.reshape(m_rows, cin).astype(gemm.dtype)).reshape(out_shape)
        return accumulate_pointwise, out_shape, gemm.bound
    # the input is copied into a bordered buffer (in the GEMM type) whose window view is
    # built once here
    padder = Padder(x.shape, pads, value=pad_value, dtype=gemm.dtype, copy=True)
    view = window_view(padder.buffer, outs, (kh, kw), strides, dilations)
    if groups == 1:
        def accumulate(a):
            padder(a)
            return product(view.reshape(m_rows, depth)).reshape(out_shape)
        return accumulate, out_shape, gemm.bound
    # [N, Ho, Wo, kh, kw, G, fin] -> [G, M, kh * kw * fin]
    grouped = view.reshape(batch, outs[0], outs[1], kh, kw, groups, fin).transpose(
        5, 0, 1, 2, 3, 4, 6)

    def accumulate_grouped(a):
        padder(a)
        cols = grouped.reshape(groups, m_rows, depth)
        return product(cols).transpose(1, 0, 2).reshape(out_shape)
    return accumulate_grouped, out_shape, gemm.bound


def depthwise_accumulator(node, x, filter_values, pad_value, x_magnitude):
    """(accumulate, output shape, bound) of DEPTHWISE_CONV_2D, as conv_accumulator; the
    filter is the integer [1, kh, kw, Cout] array (Cout = Cin * multiplier). The taps are
    summed by the float kernel's TapSum in the exact type for the bound."""
    kh, kw = filter_values.shape[1:3]
    w_max = int(np.abs(filter_values).max()) if filter_values.size else 0
    bound = kh * kw * x_magnitude * w_max
    tap_sum = TapSum(node, x.shape, filter_values.shape, gemm_dtype(bound), pad_value)
    weights = tap_sum.weights(filter_values)

    def accumulate(a):
        return tap_sum(a, weights)
    return accumulate, tap_sum.out_shape, bound


@builtin("CONV_2D", when=quantized_node)
def prepare_integer_conv_2d(node):
    x, f, bias, out = conv_operands(node)
    if bias is None:
        raise KernelError("has_bias was not true.")     # as LiteRT's CONV_2D
    q = ConvQuantization(node, x, f, bias, out, f.shape[0], 0)
    accumulate, out_shape, bound = conv_accumulator(node, x, q.filter, q.zp_in, magnitude(x))
    requant = q.requantizer(q.bias - q.zp_in * q.filter.sum(axis=(1, 2, 3)), bound)

    def run(a, _w=None, _b=None):
        return requant(accumulate(a))
    return run, [out_shape]


@builtin("DEPTHWISE_CONV_2D", when=quantized_node)
def prepare_integer_depthwise_conv_2d(node):
    x, f, bias, out = conv_operands(node)
    q = ConvQuantization(node, x, f, bias, out, f.shape[3], 3)
    accumulate, out_shape, bound = depthwise_accumulator(node, x, q.filter, q.zp_in,
                                                         magnitude(x))
    requant = q.requantizer(q.bias - q.zp_in * q.filter.sum(axis=(0, 1, 2)), bound)

    def run(a, _w=None, _b=None):
        return requant(accumulate(a))
    return run, [out_shape]


def _quantized_transpose_node(node):
    """Registry predicate: TRANSPOSE_CONV's data input (the third) is quantized."""
    return len(node.inputs) > 2 and quantized_node(node._replace(inputs=node.inputs[2:]))


@builtin("TRANSPOSE_CONV", when=_quantized_transpose_node)
def prepare_integer_transpose_conv(node):
    """Input pixel ``(y, x)`` adds ``(x - zp_in) * w[:, i, j, :]`` to output pixel
    ``(y * stride + i - pad, ...)`` (contributions outside the output dropped), exactly:
    one exact GEMM to per-tap columns, a scatter-add per tap in the GEMM's accumulator type
    (its bound counts the kh * kw overlapping taps), then bias and the per-channel
    requantization."""
    check_arity(node, (3, 4))
    shape_spec, f, x = node.inputs[:3]
    bias = node.inputs[3] if len(node.inputs) == 4 else None
    out = node.outputs[0]
    if shape_spec is None or f is None:
        raise KernelError("TRANSPOSE_CONV: missing output_shape or weights")
    check_rank(node, x, 4)
    check_rank(node, f, 4, "weights")
    cout, kh, kw, cin = f.shape
    batch, height, width, xin = x.shape
    if xin != cin or kh <= 0 or kw <= 0:
        raise KernelError(f"TRANSPOSE_CONV: weights of shape {list(f.shape)} do not fit an "
                          f"input with {xin} channels")
    if shape_spec.value is None:
        raise KernelError("TRANSPOSE_CONV: the quantized kernel needs a constant output_shape")
    out_n, out_h, out_w, out_c = (int(d) for d in np.asarray(shape_spec.value).reshape(-1))
    if out_n != batch or out_c != cout:
        raise KernelError(f"TRANSPOSE_CONV: output_shape {[out_n, out_h, out_w, out_c]} does "
                          f"not fit an input of shape {list(x.shape)}")
    q = ConvQuantization(node, x, f, bias, out, cout, 0)
    sh, sw = positive_option(node, "stride_h"), positive_option(node, "stride_w")
    padding = padding_option(node)
    if out_size(padding, out_h, kh, sh) != height or out_size(padding, out_w, kw, sw) != width:
        raise KernelError(f"TRANSPOSE_CONV: output_shape {[out_n, out_h, out_w, out_c]} does "
                          f"not map back onto the input of shape {list(x.shape)}")
    pad_h = same_padding(out_h, kh, sh, 1, height)[0]
    pad_w = same_padding(out_w, kw, sw, 1, width)[0]
    # [cout, kh, kw, cin] -> [cin, kh * kw * cout]
    matrix = q.filter.transpose(3, 1, 2, 0).reshape(cin, kh * kw * cout)
    # an output sums up to kh * kw of the columns: the bound counts them as a larger input
    gemm = ExactGemm(matrix, np.zeros(1, np.int64), magnitude(x, q.zp_in) * kh * kw)
    acc_type = accumulator_type(gemm.bound + int(np.abs(q.bias).max(initial=0)))
    out_shape = (out_n, out_h, out_w, out_c)
    full_h = max((height - 1) * sh + kh, pad_h + out_h)
    full_w = max((width - 1) * sw + kw, pad_w + out_w)
    crop = (slice(None), slice(pad_h, pad_h + out_h), slice(pad_w, pad_w + out_w))
    taps = [(i, j, (slice(None), slice(i, i + (height - 1) * sh + 1, sh),
                    slice(j, j + (width - 1) * sw + 1, sw)))
            for i in range(kh) for j in range(kw)]
    bias_values = q.bias.astype(acc_type)
    requant, zp_in, m_rows = q.requantizer(), q.zp_in, batch * height * width
    add = np.add

    def run(_s, _w, a, _b=None):
        xs = a.reshape(m_rows, cin).astype(gemm.dtype)
        if zp_in:
            xs -= gemm.dtype.type(zp_in)
        cols = gemm(xs).astype(acc_type, copy=False).reshape(batch, height, width, kh, kw,
                                                             cout)
        canvas = np.zeros((batch, full_h, full_w, cout), acc_type)
        for i, j, where in taps:
            target = canvas[where]
            add(target, cols[:, :, :, i, j], out=target)
        acc = canvas[crop]
        acc += bias_values
        return requant(acc)
    return run, [out_shape]
