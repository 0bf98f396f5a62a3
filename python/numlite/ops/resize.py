"""RESIZE_BILINEAR (float32) and RESIZE_NEAREST_NEIGHBOR (any plain type), NHWC.

The second input is ``size = [new_height, new_width]`` (int32). Per axis, in float32 as
LiteRT computes it: ``scale = in / out``, or ``(in - 1) / (out - 1)`` with align_corners
(and out > 1); the source coordinate of output ``o`` is ``o * scale``, or ``(o + 0.5) *
scale - 0.5`` with half_pixel_centers (bilinear).

* Bilinear: ``lo = max(floor(v), 0)``, ``hi = min(ceil(v), in - 1)``, weight ``f = v - lo``
  on ``hi`` and ``1 - f`` on ``lo``; separable, so it is two gathers and a lerp along the
  height, then the same along the width. align_corners and half_pixel_centers together
  are refused, as LiteRT does.
* Nearest: ``min(floor((o + offset) * scale), in - 1)`` with ``offset = 0.5`` for
  half_pixel_centers (else 0), ``round`` (half away from zero) instead of ``floor`` with
  align_corners, then ``max(., 0)`` with half_pixel_centers; two gathers.

Index and weight vectors are computed once per output size (at prepare when ``size`` is
constant). No loop over pixels or channels.
"""

import numpy as np

from ..model import types
from .common import KernelError, is_quantized, options_field, type_name
from .registry import builtin
from .windows import check_arity, check_float, check_rank, known_ints

_F32 = np.float32


def _scale(size_in, size_out, align_corners):
    if align_corners and size_out > 1:
        return _F32(size_in - 1) / _F32(size_out - 1)
    return _F32(size_in) / _F32(size_out)


def bilinear_axis(size_in, size_out, align_corners, half_pixel):
    """(lo, hi, weight of hi, weight of lo) for one axis; the weights are float32 vectors."""
    scale = _scale(size_in, size_out, align_corners)
    o = np.arange(size_out, dtype=_F32)
    v = (o + _F32(0.5)) * scale - _F32(0.5) if half_pixel else o * scale
    lo = np.maximum(np.floor(v), 0).astype(np.intp)
    hi = np.minimum(np.ceil(v).astype(np.intp), size_in - 1)
    frac = (v - lo.astype(_F32)).astype(_F32)
    return lo, hi, frac, (_F32(1) - frac).astype(_F32)


def nearest_axis(size_in, size_out, align_corners, half_pixel):
    scale = _scale(size_in, size_out, align_corners)
    v = (np.arange(size_out, dtype=_F32) + _F32(0.5 if half_pixel else 0.0)) * scale
    if align_corners:
        index = np.floor(np.abs(v) + _F32(0.5)) * np.sign(v)     # round half away from zero
    else:
        index = np.floor(v)
    index = np.minimum(index.astype(np.int64), size_in - 1)
    if half_pixel:
        index = np.maximum(index, 0)
    return index.astype(np.intp)


def _size_input(node):
    check_arity(node, (2,))
    x, size = node.inputs
    if x is None or size is None:
        raise KernelError(f"{node.op_name}: missing input or size")
    check_rank(node, x, 4)
    if size.type != types.INT32:
        raise KernelError(f"{node.op_name}: size type {type_name(size)} is not INT32")
    if size.shape is None or tuple(size.shape) != (2,):
        raise KernelError(f"{node.op_name}: size must be a 1-D tensor of 2 values, got shape "
                          f"{size.shape}")
    return x, size


def _resize(node, make):
    """Shared prepare: ``make(out_h, out_w) -> run(a)`` for a known or run-time size."""
    x, size = _size_input(node)
    batch, height, width, channels = x.shape

    def checked(new_h, new_w):
        if new_h <= 0 or new_w <= 0:
            raise KernelError(f"{node.op_name}: output size [{new_h}, {new_w}] must be positive")
        return (batch, new_h, new_w, channels)

    value = known_ints(node, size, "size")
    if value is not None:
        out_shape = checked(int(value[0]), int(value[1]))
        inner = make(out_shape[1], out_shape[2])

        def run(a, _size=None):
            return inner(a)
        return run, [out_shape]

    cache = {}

    def run_dynamic(a, s):
        key = tuple(int(d) for d in s.reshape(-1))
        if key not in cache:
            checked(*key)
            cache.clear()
            cache[key] = make(*key)
        return cache[key](a)
    return run_dynamic, [None]


@builtin("RESIZE_BILINEAR")
def prepare_resize_bilinear(node):
    x = node.inputs[0] if node.inputs else None
    if x is not None:
        check_float(node, x)
        check_float(node, node.outputs[0], "output")
    align = bool(options_field(node, "align_corners", False))
    half = bool(options_field(node, "half_pixel_centers", False))
    if align and half:
        raise KernelError("If half_pixel_centers is True, align_corners must be False.")
    height, width, channels = x.shape[1:] if x is not None and len(x.shape) == 4 else (0, 0, 1)
    take, multiply, add = np.take, np.multiply, np.add

    def lerp(a, axis, lo, hi, f_hi, f_lo):
        r = take(a, lo, axis=axis)
        multiply(r, f_lo, out=r)
        t = take(a, hi, axis=axis)
        multiply(t, f_hi, out=t)
        return add(r, t, out=r)

    def make(new_h, new_w):
        ly, hy, fy, gy = bilinear_axis(height, new_h, align, half)
        lx, hx, fx, gx = bilinear_axis(width, new_w, align, half)
        same_h, same_w = new_h == height and not half, new_w == width and not half
        fy, gy = fy.reshape(-1, 1), gy.reshape(-1, 1)
        # along the width, rows are [W * C]: element indices and weights repeated over the
        # channels, so numpy's loops run over whole rows, not over the (few) channels
        lx, hx = ((i.reshape(-1, 1) * channels + np.arange(channels)).reshape(-1)
                  for i in (lx, hx))
        fx, gx = (np.repeat(f, channels) for f in (fx, gx))

        def run(a):
            if a.size == 0:
                return np.zeros(a.shape[:1] + (new_h, new_w) + a.shape[3:], np.float32)
            rows = a.reshape(a.shape[0], height, width * channels)
            r = rows if same_h else lerp(rows, 1, ly, hy, fy, gy)
            r = r if same_w else lerp(r, 2, lx, hx, fx, gx)
            return (r.copy() if r is rows else r).reshape(a.shape[0], new_h, new_w, channels)
        return run
    return _resize(node, make)


@builtin("RESIZE_NEAREST_NEIGHBOR")
def prepare_resize_nearest_neighbor(node):
    x = node.inputs[0] if node.inputs else None
    if x is not None:
        if x.dtype == object or x.type not in (types.FLOAT32, types.INT8, types.UINT8,
                                               types.INT16, types.INT32, types.INT64,
                                               types.FLOAT16):
            raise KernelError(f"{node.op_name}: input type {type_name(x)} is not supported")
        for spec in (x, node.outputs[0]):
            if is_quantized(spec):
                raise KernelError(f"{node.op_name}: quantized tensors are not supported; "
                                  "numlite implements the float and plain integer kernels")
        if node.outputs[0].type != x.type:
            raise KernelError(f"{node.op_name}: output type {type_name(node.outputs[0])} does "
                              f"not match input type {type_name(x)}")
    align = bool(options_field(node, "align_corners", False))
    half = bool(options_field(node, "half_pixel_centers", False))
    height, width = (x.shape[1], x.shape[2]) if x is not None and x.shape else (0, 0)
    take = np.take

    def make(new_h, new_w):
        iy = nearest_axis(height, new_h, align, half)
        ix = nearest_axis(width, new_w, align, half)

        def run(a):
            if a.size == 0:
                return np.zeros(a.shape[:1] + (new_h, new_w) + a.shape[3:], a.dtype)
            return take(take(a, iy, axis=1), ix, axis=2)
        return run
    return _resize(node, make)
