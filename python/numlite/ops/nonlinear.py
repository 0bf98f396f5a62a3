"""ELU, LEAKY_RELU, HARD_SWISH, GELU, RELU_0_TO_1, PRELU (float32).

LiteRT's float formulas, evaluated in the same order in float32:
* HARD_SWISH ``x * min(6, max(0, x + 3)) / 6`` and LEAKY_RELU ``x > 0 ? x : alpha * x``
  and RELU_0_TO_1 (clamp to [0, 1], NaN propagates) are bit-exact;
* PRELU ``x >= 0 ? x : x * alpha`` with ``alpha`` broadcast into ``x``'s shape (LiteRT
  refuses an alpha that would grow the output); computed as ``max(x, 0) + min(x, 0) *
  alpha``, which is the same for finite alpha (np.where branches per element and is slow);
* ELU ``x < 0 ? expm1(x) : x``, computed as ``expm1(min(x, 0)) + max(x, 0)``;
* GELU ``0.5 * x * erfc(-x / sqrt(2))`` (the erfc form avoids the cancellation of
  ``1 + erf``), or with ``approximate`` ``0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715
  * x^3)))``. numpy has no erfc: ``_erfc_f32`` below is a float32 evaluation within 7 ulps
  of the correctly rounded erfc; tanh is numpy's float32 one. LiteRT's (Eigen's) float
  erfc and tanh are approximations too: results agree within 10 ulps (6.4e-7 relative),
  except for x < -4 where LiteRT's ``1 + tanh`` / ``erfc`` cancel: there both are within
  6e-7 absolute of 0.
The results may differ from LiteRT in the sign of a zero.
Quantized (int8/uint8/int16) variants are refused at prepare.
"""

import numpy as np

from .arithmetic import broadcast_shape
from .common import KernelError, clip_ufunc, expect_io, options_field, require_same_type
from .registry import builtin
from .support import FLOAT32, bit_select, check_type, refuse_quantized, zero_d


def _F(value):
    """A float32 constant as a 0-d array (numpy 2 handles those faster than numpy scalars
    as ufunc operands)."""
    return np.array(value, np.float32)


def _float_unary(node):
    (x,), out = expect_io(node, 1), node.outputs[0]
    require_same_type(node, x, out)
    check_type(node, x, (FLOAT32,))
    refuse_quantized(node)
    return x


@builtin("ELU")
def prepare_elu(node):
    x = _float_unary(node)
    zero = _F(0)

    def run(a):
        r = np.minimum(a, zero)
        np.expm1(r, out=r)
        return np.add(r, np.maximum(a, zero), out=r)
    return zero_d(run, x.shape), [x.shape]


@builtin("LEAKY_RELU")
def prepare_leaky_relu(node):
    x = _float_unary(node)
    alpha = _F(options_field(node, "alpha", 0.0))
    zero = _F(0)
    if 0 < alpha <= 1:
        # x > 0 ? x : alpha * x  is  max(x, alpha * x) here (also for -0, NaN and inf; not
        # for alpha 0, where inf * 0 is NaN)
        def run(a):
            t = np.multiply(a, alpha)
            return np.maximum(a, t, out=t)
    elif alpha > 1:
        def run(a):
            t = np.multiply(a, alpha)
            return np.minimum(a, t, out=t)
    else:
        def run(a):
            return np.where(a > zero, a, np.multiply(a, alpha))
    return zero_d(run, x.shape), [x.shape]


@builtin("HARD_SWISH")
def prepare_hard_swish(node):
    x = _float_unary(node)
    three, six, zero = _F(3), _F(6), _F(0)
    clip = clip_ufunc

    def run(a):
        t = np.add(a, three)
        clip(t, zero, six, out=t)
        np.multiply(a, t, out=t)
        return np.divide(t, six, out=t)
    return zero_d(run, x.shape), [x.shape]


@builtin("RELU_0_TO_1")
def prepare_relu_0_to_1(node):
    x = _float_unary(node)
    zero, one = _F(0), _F(1)
    clip = clip_ufunc

    def run(a):
        return clip(a, zero, one)
    return zero_d(run, x.shape), [x.shape]


# ---- GELU ------------------------------------------------------------------------------------

# erfc(z) for z >= 0 is t * exp(g(t) - z^2) with t = 2 / (2 + z), and g is smooth on
# t in (T0, 1]: a degree-10 polynomial in u = 2 (t - T0) / (1 - T0) - 1 in [-1, 1]
# (coefficients from a Chebyshev fit, 4000 nodes, against math.erfc over z in [0, 10.5];
# relative error 8e-9; all |c| < 0.58, so float32 Horner is well conditioned). Above
# z = 10.5 erfc < 1e-49 is 0 in float32. The exponent g - z^2 and exp are float64 (z^2
# exact there, so large z lose nothing), rounded once to float32 with the factor t.
_ERFC_T0 = 2.0 / 12.5
_ERFC_U_SCALE = _F(2.0 / (1.0 - _ERFC_T0))
_ERFC_U_SHIFT = _F(-2.0 * _ERFC_T0 / (1.0 - _ERFC_T0) - 1.0)
_ERFC_POLY = [_F(c) for c in reversed((
    -0.5631567884439691, 0.574609914675283, 0.01671626597390472, -0.030146480691597175,
    -0.0012331609412205005, 0.0038706995343901775, -0.0002566029381810602,
    -0.0005728473206350794, 0.0001325117461448538, 6.050910499658797e-05,
    -2.401771894041116e-05))]
_ERFC_MAX_Z = _F(10.5)
_TWO = _F(2)


class _Scratch:
    """Temporaries of one shape, allocated once per node: fresh large arrays on every run
    would page-fault (glibc returns freed blocks >= 128 KB to the OS)."""

    def __init__(self, shape, dtypes):
        self.arrays = [np.empty(shape, dtype) for dtype in dtypes]


def _erfc_f32(z, scratch):
    """erfc of the float32 array ``z`` (a new array)."""
    w, t, v, e = scratch.arrays
    np.abs(z, out=w)
    clip_ufunc(w, _F(0), _ERFC_MAX_Z, out=w)
    np.add(w, _TWO, out=t)
    np.divide(_TWO, t, out=t)                       # t = 2 / (2 + |z|)
    np.multiply(t, _ERFC_U_SCALE, out=v)
    v += _ERFC_U_SHIFT                              # u
    g = np.multiply(v, _ERFC_POLY[0])
    g += _ERFC_POLY[1]
    for c in _ERFC_POLY[2:]:
        g *= v
        g += c
    np.square(w, out=e, dtype=np.float64)           # z^2, exact in float64
    np.subtract(g, e, out=e)
    np.exp(e, out=e)
    np.multiply(e, t, out=g, casting="unsafe")      # erfc(|z|), rounded once
    np.subtract(_TWO, g, out=w)                     # erfc(-|z|)
    return bit_select(z < 0, w, g)


def _gelu_prepare(shape):
    scratch = _Scratch(shape, (np.float32, np.float32, np.float32, np.float64))
    minus_sqrt_half, half = _F(-np.sqrt(0.5)), _F(0.5)

    def run(a):
        z = np.multiply(a, minus_sqrt_half)         # LiteRT rounds x * -1/sqrt(2) in float
        e = _erfc_f32(z, scratch)
        h = np.multiply(a, half)
        return np.multiply(h, e, out=h)
    return run


_SQRT_2_OVER_PI = _F(np.sqrt(2.0 / np.pi))
_GELU_CUBIC = _F(0.044715)


def _gelu_approximate(a):
    t = np.multiply(a, _GELU_CUBIC)
    t *= a
    t *= a
    t += a
    t *= _SQRT_2_OVER_PI
    np.tanh(t, out=t)
    t += _F(1)
    h = np.multiply(a, _F(0.5))
    return np.multiply(h, t, out=h)


@builtin("GELU")
def prepare_gelu(node):
    x = _float_unary(node)
    if options_field(node, "approximate", False):
        return zero_d(_gelu_approximate, x.shape), [x.shape]
    shape = x.shape if x.shape != () else (1,)
    return zero_d(_gelu_prepare(shape), x.shape), [x.shape]


@builtin("PRELU")
def prepare_prelu(node):
    x, alpha = expect_io(node, 2)
    out = node.outputs[0]
    require_same_type(node, x, out)
    require_same_type(node, x, alpha, "input", "alpha")
    check_type(node, x, (FLOAT32,))
    refuse_quantized(node)
    shape = broadcast_shape(node, x.shape, alpha.shape)
    if shape != tuple(x.shape):
        raise KernelError(f"PRELU: alpha shape {list(alpha.shape)} does not broadcast into "
                          f"the input shape {list(x.shape)}")
    zero = _F(0)
    if alpha.value is not None and np.isfinite(alpha.value).all():
        def run(a, w):
            r = np.minimum(a, zero)
            r *= w
            return np.add(r, np.maximum(a, zero), out=r)
    else:       # (alpha * 0 would be NaN for an infinite alpha)
        def run(a, w):
            return np.where(a >= zero, a, np.multiply(a, w))
    return zero_d(run, shape), [shape]
