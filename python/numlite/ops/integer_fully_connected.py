"""FULLY_CONNECTED on quantized tensors: int8, uint8 (legacy) and int16x8 (int16
activations, int8 weights, int32 or int64 bias).

``acc[b, c] = sum_d (w[c, d] - zp_w) * (x[b, d] - zp_in) + bias[c]`` (per-channel weights
have zero point 0), exactly, on BLAS (integer_gemm.ExactGemm: the input zero point is
folded into a constant per-channel offset, so ``x`` goes to the matmul as it is). The
requantization is the one of LiteRT's reference kernels (reference §5.6): ``out =
clamp(int32(round(double(acc) * (double(s_in) * double(s_w[c]) / double(s_out)))) +
zp_out)``, the activation's range (§5.3) as the clamp. (LiteRT's optimized int8 kernel uses
the fixed-point multiplier instead and can differ from this by 1.) Weights and bias must be
constant; the shapes follow the float kernel (input flattened to rows of the weights'
depth, ``keep_num_dims`` keeps its leading dimensions).
"""

import numpy as np

from ..model import types
from .common import KernelError, quantized_node, type_name
from .fully_connected import fc_geometry, fc_operands
from .integer_gemm import (ExactGemm, activation_limits, channel_scales, check_bias,
                           constant_of, effective_scales, float_requantizer, int16_bias_type,
                           magnitude, scales_of, zero_point_of)
from .registry import builtin

#: input type -> (weight type, bias types); the output type is the input's
_SUPPORTED = {types.INT8: (types.INT8, (types.INT32,)),
              types.UINT8: (types.UINT8, (types.INT32,)),
              types.INT16: (types.INT8, None)}        # int16: see quantized_bias_type


@builtin("FULLY_CONNECTED", when=quantized_node)
def prepare_integer_fully_connected(node):
    x, w, bias, out = fc_operands(node)
    weight_type, bias_types = _SUPPORTED[x.type]
    if w.type != weight_type or out.type != x.type:
        raise KernelError(f"FULLY_CONNECTED: {type_name(x)} input needs "
                          f"{types.type_name(weight_type)} weights and a {type_name(x)} "
                          f"output, got {type_name(w)} and {type_name(out)}")
    batch, depth, units, out_shape = fc_geometry(node, x, w.shape)
    w_scales = channel_scales(node, w, units, 0, "weights")
    per_channel = scales_of(node, w, "weights").size > 1
    zp_in, zp_w, zp_out = zero_point_of(x), zero_point_of(w), zero_point_of(out)
    if per_channel:
        zp_w = 0                       # LiteRT: per-channel weights are symmetric
    if x.type == types.INT16 and (zp_in or zp_out):
        raise KernelError(f"FULLY_CONNECTED: int16 zero points must be 0 (input {zp_in}, "
                          f"output {zp_out})")
    weights = constant_of(node, w, "weights").astype(np.int64).T - zp_w     # [depth, units]
    if x.type == types.INT16:
        bias_types = (int16_bias_type(node),)
    b = check_bias(node, bias, units, bias_types)
    offset = b - zp_in * weights.sum(axis=0)
    gemm = ExactGemm(weights, offset, magnitude(x))
    low, high = activation_limits(node, out)
    requant = float_requantizer(
        effective_scales(scales_of(node, x, "input")[0], w_scales,
                         scales_of(node, out, "output")[0]), zp_out, low, high, out.dtype,
        offset)
    flat, dtype, product = (batch, depth), gemm.dtype, gemm.product

    def run(a, _w=None, _b=None):
        return requant(product(a.reshape(flat).astype(dtype))).reshape(out_shape)
    return run, [out_shape]
