"""LOG_SOFTMAX, L2_NORMALIZATION, LOCAL_RESPONSE_NORMALIZATION over the last axis (float32).

* LOG_SOFTMAX: ``(x - max) - log(sum(exp(x - max)))`` per row.
* L2_NORMALIZATION: ``x / max(sqrt(sum(x^2)), 1e-6)`` per row; LiteRT allows only the NONE
  fused activation (checked at prepare).
* LOCAL_RESPONSE_NORMALIZATION: ``x * (bias + alpha * sum(x_j^2, |j - i| <= radius))^-beta``;
  window sums are differences of a float64 running sum of squares.
Sums are numpy's (pairwise) where LiteRT adds sequentially in float32: results agree to a
few ulps. Quantized inputs are refused.
"""

import numpy as np

from .common import KernelError, expect_io, options_field, require_same_type
from .registry import builtin
from .support import FLOAT32, check_type, refuse_quantized

_F = np.float32


def _float_rows(node, min_rank=1):
    (x,), out = expect_io(node, 1), node.outputs[0]
    require_same_type(node, x, out)
    check_type(node, x, (FLOAT32,))
    refuse_quantized(node)
    if len(x.shape) < min_rank:
        raise KernelError(f"{node.op_name}: input must have at least {min_rank} dimension(s), "
                          f"got shape {list(x.shape)}")
    return x


def _empty(shape):
    def run(_a):
        return np.empty(shape, np.float32)
    return run


@builtin("LOG_SOFTMAX")
def prepare_log_softmax(node):
    x = _float_rows(node)
    shape = x.shape
    if 0 in shape:
        return _empty(shape), [shape]
    last = len(shape) - 1

    def run(a):
        shifted = np.subtract(a, a.max(axis=last, keepdims=True))
        e = np.exp(shifted)
        log_sum = np.log(e.sum(axis=last, keepdims=True))
        return np.subtract(shifted, log_sum, out=shifted)
    return run, [shape]


_L2_EPSILON = _F(1e-6)


@builtin("L2_NORMALIZATION")
def prepare_l2_normalization(node):
    x = _float_rows(node)
    activation = options_field(node, "fused_activation_function", 0)
    if activation != 0:
        raise KernelError(f"L2_NORMALIZATION: fused activation {activation} is not supported "
                          "(LiteRT supports NONE only)")
    shape = x.shape
    if 0 in shape:
        return _empty(shape), [shape]
    eps = _L2_EPSILON

    def run(a):
        norm = np.sqrt(np.einsum("...i,...i->...", a, a)[..., None])
        np.maximum(norm, eps, out=norm)
        return np.divide(a, norm)
    return run, [shape]


@builtin("LOCAL_RESPONSE_NORMALIZATION")
def prepare_local_response_normalization(node):
    x = _float_rows(node)
    if len(x.shape) != 4:
        raise KernelError("LOCAL_RESPONSE_NORMALIZATION: input must be 4-D, got shape "
                          f"{list(x.shape)}")
    radius = int(options_field(node, "radius", 0))
    bias = _F(options_field(node, "bias", 0.0))
    alpha = _F(options_field(node, "alpha", 0.0))
    beta = _F(options_field(node, "beta", 0.0))
    shape = x.shape
    depth = shape[-1]
    if 0 in shape:
        return _empty(shape), [shape]
    # window [i - radius, i + radius] clipped to the depth: indices into the running sum
    i = np.arange(depth)
    hi = np.minimum(i + radius, depth - 1) + 1
    lo = np.clip(i - radius, 0, depth)
    neg_beta = -beta

    def run(a):
        sq = np.square(a, dtype=np.float64)
        running = np.zeros(shape[:-1] + (depth + 1,), np.float64)
        np.cumsum(sq, axis=-1, out=running[..., 1:])
        window = (running[..., hi] - running[..., lo]).astype(np.float32)
        np.multiply(window, alpha, out=window)
        np.add(window, bias, out=window)
        np.power(window, neg_beta, out=window)
        return np.multiply(a, window, out=window)
    return run, [shape]
