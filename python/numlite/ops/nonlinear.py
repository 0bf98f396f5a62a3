"""ELU, LEAKY_RELU, HARD_SWISH, GELU, RELU_0_TO_1, PRELU (float32).

LiteRT's float formulas, evaluated in the same order in float32:
* HARD_SWISH ``x * min(6, max(0, x + 3)) / 6`` and LEAKY_RELU ``x > 0 ? x : alpha * x``
  and RELU_0_TO_1 (clamp to [0, 1], NaN propagates) are bit-exact;
* PRELU ``x >= 0 ? x : x * alpha`` with ``alpha`` broadcast into ``x``'s shape (LiteRT
  refuses an alpha that would grow the output);
* ELU ``x < 0 ? expm1(x) : x``;
* GELU ``0.5 * x * erfc(-x / sqrt(2))`` (the erfc form avoids the cancellation of
  ``1 + erf``), or with ``approximate`` ``0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715
  * x^3)))``. numpy has no erfc: ``_erfc`` below is accurate to ~1e-12 relative in float64,
  and tanh is numpy's float64 one, so both are correctly rounded to float32 (nearly always).
  LiteRT's (Eigen's) float erfc and tanh are approximations: results agree within ~10 ulps,
  except where ``1 + tanh`` or ``erfc`` cancels (x < -4, outputs below 1e-6 in magnitude),
  where LiteRT's own error reaches ~5e-7 absolute.
Quantized (int8/uint8/int16) variants are refused at prepare.
"""

import numpy as np
from numpy.polynomial import chebyshev

from .arithmetic import broadcast_shape
from .common import KernelError, clip_ufunc, expect_io, options_field, require_same_type
from .registry import builtin
from .support import FLOAT32, check_type, refuse_quantized, zero_d

_F = np.float32


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
        return np.where(a < zero, np.expm1(a), a)
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

# erfc(z) for z >= 0 is t * exp(-z^2 + g(t)) with t = 2 / (2 + z); g is smooth on t in (0, 1]
# and is a Chebyshev series in u = 2 (t - T0) / (1 - T0) - 1. Coefficients fitted (degree 16,
# 4000 Chebyshev nodes) against math.erfc over z in [0, 10.5]; max relative error 1.3e-12.
# Above z = 10.5 erfc < 1e-49 is 0 in float32.
_ERFC_T0 = 2.0 / 12.5
_ERFC_COEFFS = np.array([
    -0.55531095615809, 0.554135747312222, 0.007669392760474102, -0.006495137545408798,
    -0.00017890037696902485, 0.0001877726380950668, -1.8477900128731905e-06,
    -6.82346616231225e-06, 5.661519437163808e-07, 2.3636369152447645e-07,
    -4.690960727377127e-08, -5.541419598113672e-09, 2.7335964996272475e-09,
    -7.80437174602587e-11, -1.1460838050318388e-10, 1.8840291618302773e-11,
    2.5755106180870276e-12])


def _erfc(z):
    """erfc of a float64 array (a new float64 array)."""
    a = np.minimum(np.abs(z), 10.5)
    t = 2.0 / (2.0 + a)
    u = (t - _ERFC_T0) * (2.0 / (1.0 - _ERFC_T0)) - 1.0
    g = chebyshev.chebval(u, _ERFC_COEFFS)
    r = t * np.exp(g - a * a)
    r[np.abs(z) > 10.5] = 0.0
    negative = z < 0
    r[negative] = 2.0 - r[negative]
    r[np.isnan(z)] = np.nan
    return r


def _gelu(a):
    z = np.multiply(a, _F(-np.sqrt(0.5)))
    e = _erfc(z.astype(np.float64)).astype(np.float32)
    h = np.multiply(a, _F(0.5))
    return np.multiply(h, e, out=h)


_SQRT_2_OVER_PI = _F(np.sqrt(2.0 / np.pi))
_GELU_CUBIC = _F(0.044715)


def _gelu_approximate(a):
    t = np.multiply(a, _GELU_CUBIC)
    np.multiply(t, a, out=t)
    np.multiply(t, a, out=t)
    np.add(a, t, out=t)
    np.multiply(t, _SQRT_2_OVER_PI, out=t)
    t = np.tanh(t, dtype=np.float64).astype(np.float32)     # correctly rounded tanh
    np.add(t, _F(1), out=t)
    h = np.multiply(a, _F(0.5))
    return np.multiply(h, t, out=h)


@builtin("GELU")
def prepare_gelu(node):
    x = _float_unary(node)
    run = _gelu_approximate if options_field(node, "approximate", False) else _gelu
    return zero_d(run, x.shape), [x.shape]


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

    def run(a, w):
        return np.where(a >= zero, a, np.multiply(a, w))
    return zero_d(run, shape), [shape]
