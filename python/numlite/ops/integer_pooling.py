"""AVERAGE_POOL_2D and MAX_POOL_2D on quantized int8/uint8/int16 NHWC tensors.

No requantization: LiteRT's integer pooling keeps the input's scale and zero point, so
input and output must be quantized alike (reference §5.8). AVERAGE sums the window's
cells inside the image and divides by their count rounding half away from zero (C++
truncating division of the sum +- count/2); MAX takes the largest cell inside the image.
The fused activation clamps to the output's quantized range. The window passes are
pooling.py's, on int64 (sums) or the input's own type (max).
"""

import numpy as np

from ..model import types
from .common import KernelError, options_field, quantized_node
from .integer_params import LIMITS, activation_bounds, check_types, params, require_zero_points
from .pooling import _pass, _valid_counts, pool_geometry
from .registry import builtin
from .support import same_quantization
from .windows import Padder, check_arity, check_rank


def _pool(kind):
    def prepare(node):
        check_arity(node, (1,))
        x, out = node.inputs[0], node.outputs[0]
        type_ = check_types(node, (types.INT8, types.UINT8, types.INT16), [x, out])
        check_rank(node, x, 4)
        require_zero_points(node, (x, out))
        scale, zp = params(node, out, "output")
        if not same_quantization(x, out):
            raise KernelError(f"{node.op_name}: input and output quantization differ; "
                              "integer pooling does not requantize")
        kernel, strides, pads, out_shape = pool_geometry(node, x)
        batch, ho, wo, channels = out_shape
        height, width = x.shape[1:3]
        low, high = activation_bounds(options_field(node, "fused_activation_function", 0),
                                      scale, zp, type_)
        dtype = out.dtype
        if batch * ho * wo * channels == 0:
            return (lambda a: np.zeros(out_shape, dtype)), [out_shape]
        (kh, kw), (sh, sw) = kernel, strides
        if kind == "max":
            padder = Padder(x.shape, pads, value=LIMITS[type_][0], dtype=dtype)

            def run(a):
                r = _pass(_pass(padder(a), 1, kh, sh, ho, np.maximum), 2, kw, sw, wo, np.maximum)
                return np.clip(r, low, high, out=r)
            return run, [out_shape]
        padder = Padder(x.shape, pads, value=0, dtype=np.int64)
        counts = (_valid_counts(height, kh, sh, pads[0][0], ho)[:, None, None]
                  * _valid_counts(width, kw, sw, pads[1][0], wo)[None, :, None]).astype(np.int64)
        half = counts // 2

        def run(a):
            acc = _pass(_pass(padder(a.astype(np.int64)), 1, kh, sh, ho, np.add), 2, kw, sw,
                        wo, np.add)
            r = np.sign(acc) * ((np.abs(acc) + half) // counts)   # half away from zero
            return np.clip(r, low, high).astype(dtype)
        return run, [out_shape]
    return prepare


builtin("AVERAGE_POOL_2D", when=quantized_node)(_pool("average"))
builtin("MAX_POOL_2D", when=quantized_node)(_pool("max"))
