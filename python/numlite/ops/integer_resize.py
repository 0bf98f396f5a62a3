"""RESIZE_BILINEAR on quantized tensors, input and output quantized alike: LiteRT's integer
interpolation (ResizeBilinearInteger) for int8/int16, its float one for uint8.

uint8: the four corners weighted in float32 as the float kernel computes its weights
(resize.bilinear_axis), q00 (1 - dy)(1 - dx) + q10 dy (1 - dx) + q01 (1 - dy) dx + q11 dy dx
summed in that order, rounded half away from zero.

Per axis, in 10-bit fixed point: scale = (1024 in + out/2) / out (with align_corners
(1024 (in - 1) + (out - 1)/2) / (out - 1)); the source of output o is v = o * scale, or
o * scale + scale/2 - 512 with half_pixel_centers; lo = max(v / 1024, 0) and
hi = min((v + 1023) / 1024, in - 1) (C division), weights 1024 - (v - 1024 lo) on lo and
v - 1024 lo on hi. The four weighted corners sum to a 20-bit fraction, rounded half away
from zero. The sum is separable (exact integers), so it is a lerp along the height then
along the width, as in the float kernel.
"""

import numpy as np

from ..model import types
from .common import KernelError, options_field, quantized_node
from .integer_params import check_types
from .registry import builtin
from .resize import _resize, bilinear_axis
from .support import require_plain_copy


def _c_div(a, b):
    return np.where(a >= 0, a // b, -((-a) // b))


def integer_axis(size_in, size_out, align_corners, half_pixel):
    """(lo, hi, weight of lo, weight of hi) of one axis, weights in 1/1024."""
    if align_corners and size_out > 1:
        scale = ((1 << 10) * (size_in - 1) + (size_out - 1) // 2) // (size_out - 1)
    else:
        scale = ((1 << 10) * size_in + size_out // 2) // size_out
    v = np.arange(size_out, dtype=np.int64) * scale
    if half_pixel:
        v += scale // 2 - (1 << 9)
    lo = np.maximum(_c_div(v, 1 << 10), 0)
    hi = np.minimum(_c_div(v + (1 << 10) - 1, 1 << 10), size_in - 1)
    w_hi = v - (lo << 10)
    return lo, hi, (1 << 10) - w_hi, w_hi


@builtin("RESIZE_BILINEAR", when=quantized_node)
def prepare_resize_bilinear(node):
    x, out = node.inputs[0], node.outputs[0]
    type_ = check_types(node, (types.INT8, types.UINT8, types.INT16), [x, out])
    require_plain_copy(node, x, out)
    align = bool(options_field(node, "align_corners", False))
    half = bool(options_field(node, "half_pixel_centers", False))
    if align and half:
        raise KernelError("If half_pixel_centers is True, align_corners must be False.")
    height, width = x.shape[1], x.shape[2]
    dtype = out.dtype
    take = np.take

    def lerp(a, axis, lo, hi, w_lo, w_hi, shape):
        return take(a, lo, axis=axis) * w_lo.reshape(shape) + \
            take(a, hi, axis=axis) * w_hi.reshape(shape)

    def make_float(new_h, new_w):
        ly, hy, fy, gy = bilinear_axis(height, new_h, align, half)
        lx, hx, fx, gx = bilinear_axis(width, new_w, align, half)
        fy, gy = fy.reshape(-1, 1, 1), gy.reshape(-1, 1, 1)
        fx, gx = fx.reshape(-1, 1), gx.reshape(-1, 1)

        def run(a):
            a = a.astype(np.float32)
            top, bottom = take(a, ly, axis=1), take(a, hy, axis=1)
            r = take(top, lx, axis=2) * gy * gx
            r += take(bottom, lx, axis=2) * fy * gx
            r += take(top, hx, axis=2) * gy * fx
            r += take(bottom, hx, axis=2) * fy * fx
            whole = np.floor(r)
            return (whole + (r - whole >= 0.5)).astype(dtype)     # std::round, r >= 0
        return run

    def make(new_h, new_w):
        ly, hy, gy, fy = integer_axis(height, new_h, align, half)
        lx, hx, gx, fx = integer_axis(width, new_w, align, half)

        def run(a):
            r = lerp(lerp(a.astype(np.int64), 1, ly, hy, gy, fy, (-1, 1, 1)), 2, lx, hx, gx,
                     fx, (-1, 1))
            r = np.where(r > 0, (r + (1 << 19)) >> 20, -((-r + (1 << 19)) >> 20))
            return r.astype(dtype)
        return run
    return _resize(node, make_float if type_ == types.UINT8 else make)
