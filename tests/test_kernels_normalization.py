"""LOG_SOFTMAX, L2_NORMALIZATION, LOCAL_RESPONSE_NORMALIZATION against ai_edge_litert.

Row sums are numpy's (pairwise) where LiteRT adds sequentially: results agree within a few
ulps, or (LOG_SOFTMAX outputs near 0, which subtract two close numbers) 1e-6 absolute.
LOCAL_RESPONSE_NORMALIZATION is compared with the default kernels: LiteRT's reference
kernel sums the window [i - radius, i + radius) (its upper end excluded; radius 0 returns
the input unchanged), where TensorFlow, LiteRT's optimized kernel and numlite use the
symmetric [i - radius, i + radius].
"""

import numpy as np
import pytest

from builder import T, single_op
from differential import DEFAULT, REF, compare, litert_error, numlite_error, run_litert

SHAPES = [(1,), (7,), (3, 5), (2, 3, 4), (2, 1, 3, 40), (1, 2, 3, 2, 2), (1, 1000), (2, 0, 3),
          (3, 0)]
CASES = [(shape, resolver) for shape in SHAPES for resolver in (REF, DEFAULT)
         if resolver == REF or 0 not in shape]      # LiteRT's default kernels crash on empty rows


def model(op, shape, options=None):
    return single_op(op, [T(list(shape))], [T(list(shape))], options=options)


def data(shape, seed=0, scale=4.0):
    rng = np.random.default_rng(seed)
    return np.asarray(rng.standard_normal(shape) * scale, dtype=np.float32)


@pytest.mark.parametrize("shape,resolver", CASES, ids=str)
def test_log_softmax(shape, resolver):
    compare(model("LOG_SOFTMAX", shape), [data(shape, seed=len(shape), scale=5)],
            resolver=resolver, ulps=8, atol=1e-6)


def test_log_softmax_extremes():
    x = np.array([[0, 0, 0], [100, -100, 0], [-1e30, 0, 1e30], [88, 88, 88],
                  [1e-30, 0, -1e-30]], np.float32)
    compare(model("LOG_SOFTMAX", x.shape), [x], ulps=4, atol=1e-6)


@pytest.mark.parametrize("shape,resolver", CASES, ids=str)
def test_l2_normalization(shape, resolver):
    compare(model("L2_NORMALIZATION", shape, {}), [data(shape, seed=len(shape))],
            resolver=resolver, ulps=10)


def test_l2_normalization_tiny_rows_use_epsilon():
    x = np.array([[0, 0, 0], [1e-8, 0, -1e-8], [3e-7, 4e-7, 0], [3, 4, 0]], np.float32)
    ours, _ = compare(model("L2_NORMALIZATION", x.shape, {}), [x], ulps=2)
    assert ours[0][0].tolist() == [0, 0, 0]
    np.testing.assert_allclose(ours[0][2], [0.3, 0.4, 0], rtol=1e-6)


def test_l2_normalization_refuses_activation():
    m = model("L2_NORMALIZATION", (2, 3), dict(fused_activation_function="RELU"))
    feeds = [data((2, 3))]
    assert "params->activation != kTfLiteActNone" in litert_error(m, feeds)
    assert "Node number 0 (L2_NORMALIZATION) failed to prepare." in numlite_error(m, feeds)


LRN_OPTIONS = [dict(radius=2, bias=1.0, alpha=0.1, beta=0.5),
               dict(radius=0, bias=2.0, alpha=1.0, beta=0.75),
               dict(radius=5, bias=0.5, alpha=0.3, beta=1.0),
               dict(radius=1, bias=1.0, alpha=1e-4, beta=0.75),
               dict(radius=20, bias=1.0, alpha=0.05, beta=0.3)]


@pytest.mark.parametrize("shape", [(2, 3, 4, 9), (1, 1, 1, 1), (1, 5, 5, 16), (3, 2, 1, 3)],
                         ids=str)
@pytest.mark.parametrize("options", LRN_OPTIONS, ids=str)
def test_local_response_normalization(options, shape):
    x = data(shape, seed=len(str(options)))
    compare(model("LOCAL_RESPONSE_NORMALIZATION", shape, options), [x], resolver=DEFAULT,
            ulps=8, rtol=2e-6)


def test_lrn_reference_kernel_window_is_half_open():
    """The documented LiteRT reference-kernel quirk numlite does not follow."""
    x = np.array([1, 2, 3, 4], np.float32).reshape(1, 1, 1, 4)
    m = model("LOCAL_RESPONSE_NORMALIZATION", x.shape, dict(radius=1, bias=1.0, alpha=1.0,
                                                             beta=1.0))
    ref = run_litert(m, [x], REF)[0].reshape(-1)
    np.testing.assert_allclose(ref, [1 / 2, 2 / 6, 3 / 14, 4 / 26], rtol=1e-6)
    ours, _ = compare(m, [x], resolver=DEFAULT)
    np.testing.assert_allclose(ours[0].reshape(-1), [1 / 6, 2 / 15, 3 / 30, 4 / 26], rtol=1e-6)


@pytest.mark.parametrize("op,options", [("LOG_SOFTMAX", None), ("L2_NORMALIZATION", {}),
                                        ("LOCAL_RESPONSE_NORMALIZATION", LRN_OPTIONS[0])])
def test_quantized_inputs_are_refused(op, options):
    q = dict(scales=[0.05], zero_points=[3])
    m = single_op(op, [T([1, 1, 2, 4], np.int8, quant=q)], [T([1, 1, 2, 4], np.int8, quant=q)],
                  options=options)
    error = numlite_error(m, [np.zeros((1, 1, 2, 4), np.int8)])
    assert error is not None and f"Node number 0 ({op}) failed to prepare." in error
