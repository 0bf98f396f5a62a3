"""L2_NORMALIZATION on quantized int8/uint8 tensors, along the last axis, as LiteRT's
reference kernels compute it: with d = q - zp_in and S the row's sum of d**2,
(m, shift) = GetInvSqrtQuantizedMultiplierExp(S) (1/sqrt(S) in fixed point), then
int8: MBQM(d, m, shift + 7), uint8: 128 + MBQM_SmallerThanOneExp(128 d, m, shift),
clamped. The output is quantized with scale 1/128 and zero point 0 (int8) or 128 (uint8).
"""

import numpy as np

from ..model import types
from .common import KernelError, expect_io, quantized_node
from .fixedpoint import multiply_by_quantized_multiplier as mbqm
from .gemmlowp import inv_sqrt_multiplier
from .integer_params import LIMITS, check_types, params
from .registry import builtin


@builtin("L2_NORMALIZATION", when=quantized_node)
def prepare_l2_normalization(node):
    (x,), out = expect_io(node, 1), node.outputs[0]
    type_ = check_types(node, (types.INT8, types.UINT8), [x, out])
    if not x.shape:
        raise KernelError(f"{node.op_name}: input must have at least 1 dimension")
    zp_in = params(node, x)[1]
    s_out, zp_out = params(node, out, "output")
    want_zp = 0 if type_ == types.INT8 else 128
    if s_out != 1.0 / 128 or zp_out != want_zp:
        raise KernelError(f"{node.op_name}: output must be quantized with scale 1/128 and zero "
                          f"point {want_zp} (got {s_out}, {zp_out})")
    low, high = LIMITS[type_]
    dtype = out.dtype

    def run(a):
        d = a.astype(np.int64) - zp_in
        m, shift = inv_sqrt_multiplier(np.einsum("...i,...i->...", d, d)[..., None])
        if type_ == types.INT8:
            r = mbqm(d, m, shift + 7)
        else:
            r = 128 + mbqm(128 * d, m, shift)
        return np.clip(r, low, high).astype(dtype)
    return run, [x.shape]
