"""RELU, RELU_N1_TO_1, RELU6, LOGISTIC, TANH, SOFTMAX, and the fused-activation helper.

A fused activation (ADD, SUB, MUL, DIV, FULLY_CONNECTED) is a clamp, as in LiteRT's
CalculateActivationRange: RELU [0, max], RELU_N1_TO_1 [-1, 1], RELU6 [0, 6]; the other
codes (NONE, TANH, SIGN_BIT) leave values unchanged (FULLY_CONNECTED refuses TANH and
SIGN_BIT at prepare, CONCATENATION anything but NONE, as LiteRT does). Integer outputs
are clamped with the same bounds. Float results are not clamped to +-FLT_MAX (LiteRT's
reference kernels do that through the NONE range; its default XNNPACK kernels do not).
"""

import numpy as np

from ..model import types
from .common import (KernelError, as_array, clip_ufunc, expect_io, is_quantized, options_field,
                     require_same_type, type_name)
from .registry import builtin

ACT_NONE, ACT_RELU, ACT_RELU_N1_TO_1, ACT_RELU6, ACT_TANH, ACT_SIGN_BIT = range(6)
ACT_NAMES = ("NONE", "RELU", "RELU_N1_TO_1", "RELU6", "TANH", "SIGN_BIT")


# ---- fused activations ---------------------------------------------------------------------

def activation_range(code, dtype):
    """(low, high) clamp bounds as 0-d arrays of ``dtype`` for a fused activation, or None.

    RELU's open upper end is +inf for floats and the type's maximum for integers, so every
    activation is one clip (much faster than maximum/minimum with a scalar operand
    in current numpy, and NaN-propagating like LiteRT's std::min/std::max clamp). The
    bounds are 0-d arrays: numpy 2 handles those faster than numpy scalars as operands.
    """
    dtype = np.dtype(dtype)
    if code == ACT_RELU:
        low, high = 0, (np.inf if dtype.kind == "f" else np.iinfo(dtype).max)
    elif code == ACT_RELU6:
        low, high = 0, 6
    elif code == ACT_RELU_N1_TO_1:
        low, high = -1, 1
    else:
        return None
    if dtype.kind == "u" and low < 0:
        low = 0
    return np.array(low, dtype), np.array(high, dtype)


def _check_activation(code, dtype, op_name):
    """True when ``code`` clamps (RELU, RELU_N1_TO_1, RELU6); False for a no-op code."""
    if code is None or code in (ACT_NONE, ACT_TANH, ACT_SIGN_BIT):
        return False
    if not 0 <= code < len(ACT_NAMES):
        raise KernelError(f"{op_name}: unknown fused activation function {code}")
    if np.dtype(dtype).kind not in "fiu":
        raise KernelError(f"{op_name}: fused activation {ACT_NAMES[code]} on "
                          f"{np.dtype(dtype)} is not supported")
    return True


def fused_activation(code, dtype, op_name="op"):
    """An in-place ``f(array) -> array`` applying fused activation ``code``, or None for none.

    ``f`` writes into its argument: only call it on an array the kernel just allocated.
    """
    if not _check_activation(code, dtype, op_name):
        return None
    low, high = activation_range(code, dtype)
    clip = clip_ufunc

    def clamp(x):
        return clip(x, low, high, out=x)
    return clamp


def with_activation(compute, code, dtype, op_name="op"):
    """``compute`` followed by fused activation ``code`` applied in place, in one frame.

    ``compute`` must return a freshly allocated array (never an input).
    """
    if not _check_activation(code, dtype, op_name):
        return compute
    low, high = activation_range(code, dtype)
    clip = clip_ufunc

    def run(*arrays):
        r = compute(*arrays)
        return clip(r, low, high, out=r)
    return run


# ---- activation ops ------------------------------------------------------------------------

def _float_unary(node):
    """Common checks of a one-input float32 activation; returns (input spec, output spec)."""
    (x,), out = expect_io(node, 1), node.outputs[0]
    if x.type != types.FLOAT32 or is_quantized(x):
        raise KernelError(f"{node.op_name}: input type {type_name(x)}"
                          f"{' (quantized)' if is_quantized(x) else ''} is not supported; "
                          "numlite implements the float32 kernel only")
    require_same_type(node, x, out)
    return x, out


def _clamp_op(code):
    def prepare(node):
        x, _ = _float_unary(node)
        low, high = activation_range(code, np.float32)
        clip = clip_ufunc
        if x.shape == ():
            def run(a):
                return np.asarray(clip(a, low, high))
        else:
            def run(a):
                return clip(a, low, high)
        return run, [x.shape]
    return prepare


builtin("RELU")(_clamp_op(ACT_RELU))
builtin("RELU_N1_TO_1")(_clamp_op(ACT_RELU_N1_TO_1))
builtin("RELU6")(_clamp_op(ACT_RELU6))


@builtin("TANH")
def prepare_tanh(node):
    x, _ = _float_unary(node)
    return (as_array(np.tanh) if x.shape == () else np.tanh), [x.shape]


# LiteRT's float logistic (reference kernel): 1 for x > 16.619047164916992, exp(x) for
# x < -9, else 1 / (1 + exp(-x)); the cut-offs keep exp() from overflowing. numlite
# evaluates 1 / (1 + exp(-x)) everywhere (exp's overflow is silenced by invoke's errstate)
# and patches the lower end when present. Above 16.64, exp(-x) < 2^-24 and 1 + exp(-x)
# rounds to 1, so the upper end needs no patch; between the two, 1 / (1 + exp(-x)) is
# 1 - 2^-23 at worst, 2 ulps from LiteRT's 1.
_LOGISTIC_LOWER = np.array(-9.0, np.float32)      # 0-d arrays: faster operands than scalars
_ONE = np.array(1.0, np.float32)


def _logistic(x):
    t = np.negative(x)
    np.exp(t, out=t)
    np.add(t, _ONE, out=t)
    np.divide(_ONE, t, out=t)
    low = np.less(x, _LOGISTIC_LOWER)
    if np.count_nonzero(low):
        t[low] = np.exp(x[low])
    return t


@builtin("LOGISTIC")
def prepare_logistic(node):
    x, _ = _float_unary(node)
    if x.shape == ():
        return (lambda a: _logistic(a.reshape(1)).reshape(())), [x.shape]
    return _logistic, [x.shape]


@builtin("SOFTMAX")
def prepare_softmax(node):
    x, _ = _float_unary(node)
    if len(x.shape) < 1:
        raise KernelError("SOFTMAX: input must have at least 1 dimension")
    beta = np.array(options_field(node, "beta", 0.0), np.float32)
    shape = x.shape
    if 0 in shape:
        return (lambda a: np.empty(shape, np.float32)), [shape]
    one = beta == np.float32(1.0)
    last = len(shape) - 1

    def run(a):
        e = np.subtract(a, a.max(axis=last, keepdims=True))
        if not one:
            np.multiply(e, beta, out=e)
        np.exp(e, out=e)
        return np.divide(e, e.sum(axis=last, keepdims=True), out=e)
    return run, [shape]
