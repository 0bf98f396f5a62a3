"""Integer FULLY_CONNECTED, CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV and BATCH_MATMUL
(int8, legacy uint8, int16x8) and their hybrid (int8 weights, float activations) forms,
against ai_edge_litert: bit-exact with its reference kernels (BUILTIN_REF) for the integer
kernels, within float tolerance for the hybrid ones. Per-channel and per-tensor weights,
every fused activation, odd shapes, zero points, int32 and int64 biases.
"""

import numpy as np
import pytest

from builder import T, single_op
from ai_edge_litert import interpreter as litert  # noqa: E402  (test extra)
from differential import (REF, _feed, assert_same, compare, litert_error,
                          numlite_error, run_numlite)

ACTIVATIONS = ("NONE", "RELU", "RELU_N1_TO_1", "RELU6")
#: activation type -> (numpy dtype, weight dtype, bias dtype)
KINDS = {"int8": (np.int8, np.int8, np.int32), "uint8": (np.uint8, np.uint8, np.int32),
         "int16": (np.int16, np.int8, np.int64), "int16_b32": (np.int16, np.int8, np.int32)}


def quant(scales, zero_points, axis=0):
    return dict(scales=[float(s) for s in np.atleast_1d(scales)],
                zero_points=[int(z) for z in np.atleast_1d(zero_points)],
                quantized_dimension=axis)


def random_q(rng, shape, dtype):
    info = np.iinfo(dtype)
    return rng.integers(info.min, int(info.max) + 1, size=shape).astype(dtype)


class Params:
    """Random quantization parameters of one kernel kind: input/output scales and zero
    points, weights (per-channel along ``axis`` or per-tensor) and a bias whose scale is
    s_in * s_w, as converters write them."""

    def __init__(self, kind, rng, w_shape, channels, axis, per_channel):
        self.x_dtype, self.w_dtype, self.b_dtype = KINDS[kind]
        self.rng = rng
        sixteen = self.x_dtype == np.int16
        zp_range = {np.int8: (-128, 128), np.uint8: (0, 256), np.int16: (0, 1)}[self.x_dtype]
        self.s_in = np.float32(rng.uniform(0.002, 0.05) / (64 if sixteen else 1))
        self.zp_in = int(rng.integers(*zp_range))
        self.s_out = np.float32(rng.uniform(0.02, 0.3) / (64 if sixteen else 1))
        self.zp_out = int(rng.integers(*zp_range))
        n = channels if per_channel else 1
        self.s_w = rng.uniform(0.002, 0.02, n).astype(np.float32)
        self.zp_w = 0 if per_channel or self.w_dtype == np.int8 else \
            int(rng.integers(100, 156))
        self.w_axis = axis
        self.w = random_q(rng, w_shape, self.w_dtype)
        bias_scale = (self.s_in * np.broadcast_to(self.s_w, (channels,))).astype(np.float32)
        self.b = np.round(rng.normal(0, 2.0, channels) / bias_scale).astype(self.b_dtype)
        self.b_scale = bias_scale if per_channel else bias_scale[:1]

    def x_def(self, shape, data=None):
        return T(list(shape), self.x_dtype, data=data, quant=quant(self.s_in, self.zp_in))

    def w_def(self):
        return T(list(self.w.shape), self.w_dtype, data=self.w,
                 quant=quant(self.s_w, [self.zp_w] * len(self.s_w), self.w_axis))

    def b_def(self):
        return T([len(self.b)], self.b_dtype, data=self.b,
                 quant=quant(self.b_scale, [0] * len(self.b_scale), 0))

    def out_def(self, shape):
        return T(list(shape), self.x_dtype, quant=quant(self.s_out, self.zp_out))

    def x(self, shape):
        return random_q(self.rng, shape, self.x_dtype)


# ---- FULLY_CONNECTED -------------------------------------------------------------------------

def fc_model(p, in_shape, units, activation="NONE", bias=True, keep_num_dims=False):
    depth = p.w.shape[1]
    batch = int(np.prod(in_shape)) // depth
    out_shape = list(in_shape[:-1]) + [units] if keep_num_dims else [batch, units]
    inputs = [p.x_def(in_shape), p.w_def()] + ([p.b_def()] if bias else [None])
    options = dict(fused_activation_function=activation, keep_num_dims=keep_num_dims)
    if p.x_dtype == np.int16 and p.b_dtype == np.int32:
        options["quantized_bias_type"] = "INT32"      # else LiteRT reads the bias as int64
    return single_op("FULLY_CONNECTED", inputs, [p.out_def(out_shape)], options=options)


FC_SHAPES = [((1, 8), 4), ((3, 17), 5), ((2, 3, 20), 7), ((5, 64), 33), ((1, 300), 10)]


#: (kind, per-channel weights): uint8 weights are per-tensor only (LiteRT's legacy kernels)
WEIGHTINGS = [("int8", False), ("int8", True), ("uint8", False), ("int16", False),
              ("int16", True), ("int16_b32", True)]


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("kind, per_channel", WEIGHTINGS,
                         ids=[f"{k}-{'per_channel' if c else 'per_tensor'}"
                              for k, c in WEIGHTINGS])
def test_fully_connected(kind, per_channel, activation):
    for i, (in_shape, units) in enumerate(FC_SHAPES):
        rng = np.random.default_rng(i + 7 * len(activation))
        depth = in_shape[-1]
        p = Params(kind, rng, (units, depth), units, 0, per_channel)
        model = fc_model(p, in_shape, units, activation, bias=i != 1,
                         keep_num_dims=len(in_shape) == 3)
        compare(model, [p.x(in_shape)], resolver=REF)


# ---- CONV_2D / DEPTHWISE_CONV_2D -------------------------------------------------------------

def conv_model(p, op, in_shape, out_shape, activation, padding, strides, dilations, bias=True):
    options = dict(padding=padding, stride_h=strides[0], stride_w=strides[1],
                   dilation_h_factor=dilations[0], dilation_w_factor=dilations[1],
                   fused_activation_function=activation)
    if op == "DEPTHWISE_CONV_2D":
        options["depth_multiplier"] = p.w.shape[3] // in_shape[3]
    elif p.x_dtype == np.int16 and p.b_dtype == np.int32:
        options["quantized_bias_type"] = "INT32"      # else LiteRT reads the bias as int64
    inputs = [p.x_def(in_shape), p.w_def()] + ([p.b_def()] if bias else [])
    return single_op(op, inputs, [p.out_def(out_shape)], options=options)


def out_extent(size, k, stride, dilation, padding):
    eff = (k - 1) * dilation + 1
    return -(-size // stride) if padding == "SAME" else (size - eff) // stride + 1


#: (input shape, (kh, kw), output channels, groups, padding, strides, dilations)
CONV_CASES = [
    ((1, 7, 9, 3), (3, 3), 5, 1, "SAME", (1, 1), (1, 1)),
    ((2, 8, 8, 4), (3, 2), 6, 1, "VALID", (2, 1), (1, 1)),
    ((1, 9, 7, 6), (3, 3), 4, 2, "SAME", (2, 2), (1, 1)),
    ((1, 10, 10, 5), (3, 3), 7, 1, "SAME", (1, 1), (2, 2)),
    ((1, 5, 6, 8), (1, 1), 9, 1, "VALID", (1, 1), (1, 1)),
    ((1, 6, 6, 3), (1, 1), 4, 1, "SAME", (2, 2), (1, 1)),
    ((1, 12, 12, 40), (3, 3), 16, 1, "SAME", (1, 1), (1, 1)),    # depth 360: float64 GEMM
]


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("kind, per_channel", WEIGHTINGS,
                         ids=[f"{k}-{'per_channel' if c else 'per_tensor'}"
                              for k, c in WEIGHTINGS])
def test_conv_2d(kind, per_channel, activation):
    for i, (in_shape, (kh, kw), cout, groups, padding, strides, dil) in enumerate(CONV_CASES):
        rng = np.random.default_rng(100 + i + 7 * len(activation))
        p = Params(kind, rng, (cout, kh, kw, in_shape[3] // groups), cout, 0, per_channel)
        out_shape = (in_shape[0], out_extent(in_shape[1], kh, strides[0], dil[0], padding),
                     out_extent(in_shape[2], kw, strides[1], dil[1], padding), cout)
        model = conv_model(p, "CONV_2D", in_shape, out_shape, activation, padding, strides,
                           dil)
        compare(model, [p.x(in_shape)], resolver=REF)


#: (input shape, (kh, kw), multiplier, padding, strides, dilations)
DEPTHWISE_CASES = [
    ((1, 7, 9, 3), (3, 3), 1, "SAME", (1, 1), (1, 1)),
    ((2, 8, 8, 4), (3, 3), 2, "VALID", (2, 2), (1, 1)),
    ((1, 9, 7, 5), (5, 3), 1, "SAME", (2, 1), (1, 1)),
    ((1, 10, 10, 2), (3, 3), 3, "SAME", (1, 1), (2, 2)),
    ((1, 1, 16, 6), (1, 5), 1, "SAME", (1, 1), (1, 1)),
]


#: an int16 DEPTHWISE_CONV_2D needs an int64 bias (see test_refusals)
DEPTHWISE_WEIGHTINGS = [w for w in WEIGHTINGS if w[0] != "int16_b32"]


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("kind, per_channel", DEPTHWISE_WEIGHTINGS,
                         ids=[f"{k}-{'per_channel' if c else 'per_tensor'}"
                              for k, c in DEPTHWISE_WEIGHTINGS])
def test_depthwise_conv_2d(kind, per_channel, activation):
    for i, (in_shape, (kh, kw), mult, padding, strides, dil) in enumerate(DEPTHWISE_CASES):
        rng = np.random.default_rng(200 + i + 7 * len(activation))
        cout = in_shape[3] * mult
        p = Params(kind, rng, (1, kh, kw, cout), cout, 3, per_channel)
        out_shape = (in_shape[0], out_extent(in_shape[1], kh, strides[0], dil[0], padding),
                     out_extent(in_shape[2], kw, strides[1], dil[1], padding), cout)
        model = conv_model(p, "DEPTHWISE_CONV_2D", in_shape, out_shape, activation, padding,
                           strides, dil, bias=i != 4)
        compare(model, [p.x(in_shape)], resolver=REF)


def refused_models():
    """Models LiteRT refuses at prepare: (id, model, feed)."""
    rng = np.random.default_rng(5)
    in_shape = (1, 5, 5, 3)
    p = Params("int8", rng, (4, 3, 3, 3), 4, 0, True)
    yield "conv_without_bias", conv_model(p, "CONV_2D", in_shape, (1, 5, 5, 4), "NONE", "SAME",
                                          (1, 1), (1, 1), bias=False), p.x(in_shape)
    p = Params("int16_b32", rng, (1, 3, 3, 3), 3, 3, True)
    yield "int16_depthwise_int32_bias", conv_model(
        p, "DEPTHWISE_CONV_2D", in_shape, (1, 5, 5, 3), "NONE", "SAME", (1, 1), (1, 1)), \
        p.x(in_shape)
    p = Params("uint8", rng, (4, 3, 3, 3), 4, 0, False)
    p.b_scale = p.b_scale * 50           # far from s_in * s_w: LiteRT's sanity check fails
    yield "uint8_bias_scale", conv_model(p, "CONV_2D", in_shape, (1, 5, 5, 4), "NONE", "SAME",
                                         (1, 1), (1, 1)), p.x(in_shape)


@pytest.mark.parametrize("case", list(refused_models()), ids=lambda c: c[0])
def test_refusals(case):
    _, model, x = case
    theirs = litert_error(model, [x])
    assert theirs is not None and "failed to prepare" in theirs
    ours = numlite_error(model, [x])
    assert ours is not None and "failed to prepare" in ours, ours


# ---- hybrid (int8 weights, float activations) ------------------------------------------------

def hybrid_tolerance(x, w, s_w):
    """float32 rounding of the rescaled integer sums: a few eps of sum |x| |w| s_w."""
    return float(8 * np.finfo(np.float32).eps * np.abs(x).max() * np.abs(w).max() * 128
                 * float(np.max(s_w)) * np.prod(w.shape[1:]) + 1e-6)


def compare_optimized(model, feeds, atol):
    """numlite vs LiteRT's optimized kernels without XNNPACK (BUILTIN_WITHOUT_DEFAULT_
    DELEGATES). The default resolver's XNNPACK quantizes hybrid inputs its own way (always
    asymmetric, per pixel for 1x1 convolutions), so its results are another computation."""
    kind = litert.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES
    theirs = _feed(litert.Interpreter(model_content=model, experimental_op_resolver_type=kind),
                   feeds)
    for i, (a, e) in enumerate(zip(run_numlite(model, feeds), theirs)):
        assert_same(a, e, atol=atol, what=f"output {i} vs LiteRT optimized")


def hybrid_weights(rng, shape, channels, axis):
    """Symmetric int8 weights in [-127, 127] (the quantization spec; LiteRT's SSE hybrid
    kernels go wrong on -128)."""
    w = rng.integers(-127, 128, size=shape).astype(np.int8)
    s_w = rng.uniform(0.002, 0.02, channels).astype(np.float32)
    return w, s_w, T(list(shape), np.int8, data=w, quant=quant(s_w, [0] * channels, axis))


@pytest.mark.parametrize("activation", ("NONE", "RELU", "RELU6"))
@pytest.mark.parametrize("asymmetric", (False, True), ids=("symmetric", "asymmetric"))
def test_hybrid_fully_connected(asymmetric, activation):
    for i, (in_shape, units) in enumerate(FC_SHAPES):
        rng = np.random.default_rng(300 + i)
        depth = in_shape[-1]
        w, s_w, w_def = hybrid_weights(rng, (units, depth), units, 0)
        b = rng.normal(0, 0.5, units).astype(np.float32)
        batch = int(np.prod(in_shape)) // depth
        model = single_op("FULLY_CONNECTED", [T(list(in_shape), np.float32), w_def,
                                              T([units], np.float32, data=b)],
                          [T([batch, units], np.float32)],
                          options=dict(fused_activation_function=activation,
                                       asymmetric_quantize_inputs=asymmetric))
        x = rng.normal(0.3, 1.0, in_shape).astype(np.float32)
        if batch > 1:
            x.reshape(-1, depth)[1] = 0.0         # an all-zero row: scale 1
        compare(model, [x], resolver=REF, atol=hybrid_tolerance(x, w, s_w))
        compare_optimized(model, [x], atol=hybrid_tolerance(x, w, s_w))


@pytest.mark.parametrize("op", ("CONV_2D", "DEPTHWISE_CONV_2D"))
def test_hybrid_convolutions(op):
    for i, (in_shape, (kh, kw), padding, strides) in enumerate([
            ((1, 7, 9, 3), (3, 3), "SAME", (1, 1)), ((2, 8, 8, 4), (3, 3), "VALID", (2, 2)),
            ((1, 6, 5, 6), (1, 1), "SAME", (1, 1))]):
        rng = np.random.default_rng(400 + i)
        cin = in_shape[3]
        cout, shape, axis = (5, (5, kh, kw, cin), 0) if op == "CONV_2D" else \
            (cin * 2, (1, kh, kw, cin * 2), 3)
        w, s_w, w_def = hybrid_weights(rng, shape, cout, axis)
        b = rng.normal(0, 0.5, cout).astype(np.float32)
        out_shape = (in_shape[0], out_extent(in_shape[1], kh, strides[0], 1, padding),
                     out_extent(in_shape[2], kw, strides[1], 1, padding), cout)
        options = dict(padding=padding, stride_h=strides[0], stride_w=strides[1],
                       fused_activation_function="RELU6" if i == 1 else "NONE")
        if op == "DEPTHWISE_CONV_2D":
            options["depth_multiplier"] = 2
        model = single_op(op, [T(list(in_shape), np.float32), w_def,
                               T([cout], np.float32, data=b)],
                          [T(list(out_shape), np.float32)], options=options)
        x = rng.normal(0.2, 1.0, in_shape).astype(np.float32)
        compare(model, [x], resolver=REF, atol=hybrid_tolerance(x, w, s_w))
        compare_optimized(model, [x], atol=hybrid_tolerance(x, w, s_w))


# ---- BATCH_MATMUL ----------------------------------------------------------------------------

#: (lhs shape, rhs shape, adj_x, adj_y)
MATMUL_CASES = [((2, 3, 5), (2, 5, 4), False, False), ((1, 4, 6), (3, 4, 2), True, False),
                ((2, 1, 3, 7), (5, 7), False, True), ((3, 8), (8, 300), False, False),
                ((2, 2, 4, 300), (2, 2, 300, 3), False, False)]


@pytest.mark.parametrize("kind", ("int8", "int16"))
def test_batch_matmul(kind):
    dtype = KINDS[kind][0]
    for i, (x_shape, y_shape, adj_x, adj_y) in enumerate(MATMUL_CASES):
        rng = np.random.default_rng(500 + i)
        zps = [0, 0, 0] if kind == "int16" else [int(z) for z in rng.integers(-128, 128, 3)]
        scales = rng.uniform(0.01, 0.1, 3).astype(np.float32) / (64 if kind == "int16" else 1)
        depth = x_shape[-2] if adj_x else x_shape[-1]
        scales[2] *= np.sqrt(depth) * (64 if kind == "int16" else 8)
        m = x_shape[-1] if adj_x else x_shape[-2]
        n = y_shape[-2] if adj_y else y_shape[-1]
        batch = np.broadcast_shapes(x_shape[:-2], y_shape[:-2])
        out_shape = list(batch) + [m, n]
        model = single_op("BATCH_MATMUL",
                          [T(list(x_shape), dtype, quant=quant(scales[0], zps[0])),
                           T(list(y_shape), dtype, quant=quant(scales[1], zps[1]))],
                          [T(out_shape, dtype, quant=quant(scales[2], zps[2]))],
                          options=dict(adj_x=adj_x, adj_y=adj_y))
        compare(model, [random_q(rng, x_shape, dtype), random_q(rng, y_shape, dtype)],
                resolver=REF)


# ---- TRANSPOSE_CONV --------------------------------------------------------------------------

#: (input shape, (kh, kw), output channels, padding, strides, output size)
TRANSPOSE_CASES = [((1, 4, 5, 3), (3, 3), 4, "SAME", (2, 2), (8, 10)),
                   ((2, 3, 3, 2), (2, 2), 5, "VALID", (2, 2), (6, 6)),
                   ((1, 5, 4, 4), (3, 2), 3, "VALID", (1, 2), (7, 8)),
                   ((1, 4, 4, 6), (4, 4), 2, "SAME", (2, 2), (8, 8))]


@pytest.mark.parametrize("activation", ("NONE", "RELU6"))
@pytest.mark.parametrize("kind, per_channel", WEIGHTINGS,
                         ids=[f"{k}-{'per_channel' if c else 'per_tensor'}"
                              for k, c in WEIGHTINGS])
def test_transpose_conv(kind, per_channel, activation):
    for i, (in_shape, (kh, kw), cout, padding, strides, (oh, ow)) in \
            enumerate(TRANSPOSE_CASES):
        rng = np.random.default_rng(600 + i + len(activation))
        p = Params(kind, rng, (cout, kh, kw, in_shape[3]), cout, 0, per_channel)
        out_shape = [in_shape[0], oh, ow, cout]
        options = dict(padding=padding, stride_h=strides[0], stride_w=strides[1],
                       fused_activation_function=activation)
        if p.x_dtype == np.int16 and p.b_dtype == np.int32:
            options["quantized_bias_type"] = "INT32"
        inputs = [T([4], np.int32, data=np.array(out_shape, np.int32)), p.w_def(),
                  p.x_def(in_shape)] + ([p.b_def()] if i != 1 else [])
        model = single_op("TRANSPOSE_CONV", inputs, [p.out_def(out_shape)], options=options)
        compare(model, [p.x(in_shape)], resolver=REF)


# ---- LiteRT's default kernels (optimized + XNNPACK): within 1 LSB ----------------------------

def within_one_lsb(model, feeds):
    ours = run_numlite(model, feeds)
    theirs = _feed(litert.Interpreter(model_content=model,
                                      experimental_op_resolver_type=litert.OpResolverType.AUTO),
                   feeds)
    for a, e in zip(ours, theirs):
        assert a.dtype == e.dtype and a.shape == e.shape
        diff = np.abs(a.astype(np.int64) - e.astype(np.int64))
        assert diff.max(initial=0) <= 1, f"differs by up to {diff.max()} LSB"


@pytest.mark.parametrize("kind", ("int8", "uint8"))
def test_default_kernels_within_one_lsb(kind):
    per_channel = kind == "int8"
    for i, (in_shape, units) in enumerate(FC_SHAPES):
        rng = np.random.default_rng(700 + i)
        p = Params(kind, rng, (units, in_shape[-1]), units, 0, per_channel)
        within_one_lsb(fc_model(p, in_shape, units, "RELU", keep_num_dims=len(in_shape) == 3),
                       [p.x(in_shape)])
    for i, (in_shape, (kh, kw), cout, groups, padding, strides, dil) in enumerate(CONV_CASES):
        if groups > 1:
            continue                # LiteRT's default kernels have no grouped convolution
        rng = np.random.default_rng(800 + i)
        p = Params(kind, rng, (cout, kh, kw, in_shape[3]), cout, 0, per_channel)
        out_shape = (in_shape[0], out_extent(in_shape[1], kh, strides[0], dil[0], padding),
                     out_extent(in_shape[2], kw, strides[1], dil[1], padding), cout)
        within_one_lsb(conv_model(p, "CONV_2D", in_shape, out_shape, "NONE", padding, strides,
                                  dil), [p.x(in_shape)])
    for i, (in_shape, (kh, kw), mult, padding, strides, dil) in enumerate(DEPTHWISE_CASES):
        rng = np.random.default_rng(900 + i)
        cout = in_shape[3] * mult
        p = Params(kind, rng, (1, kh, kw, cout), cout, 3, per_channel)
        out_shape = (in_shape[0], out_extent(in_shape[1], kh, strides[0], dil[0], padding),
                     out_extent(in_shape[2], kw, strides[1], dil[1], padding), cout)
        within_one_lsb(conv_model(p, "DEPTHWISE_CONV_2D", in_shape, out_shape, "RELU6",
                                  padding, strides, dil), [p.x(in_shape)])


@pytest.mark.parametrize("asymmetric", (False, True), ids=("symmetric", "asymmetric"))
@pytest.mark.parametrize("per_channel", (False, True), ids=("per_tensor", "per_channel"))
def test_hybrid_batch_matmul(per_channel, asymmetric):
    """(Not the rank-4 case with two batch dimensions on both sides: there LiteRT's hybrid
    kernel is 10x farther from the float product than numlite, its row scales apparently
    misindexed; test_hybrid_batch_matmul_rank4_differs keeps an eye on it.)"""
    for i, (x_shape, y_shape, adj_x, adj_y) in enumerate(MATMUL_CASES[:4]):
        rng = np.random.default_rng(1000 + i)
        n = y_shape[-2] if adj_y else y_shape[-1]
        count = n if per_channel else 1
        w = rng.integers(-127, 128, size=y_shape).astype(np.int8)
        s_w = rng.uniform(0.002, 0.02, count).astype(np.float32)
        axis = len(y_shape) - (2 if adj_y else 1)
        m = x_shape[-1] if adj_x else x_shape[-2]
        out_shape = list(np.broadcast_shapes(x_shape[:-2], y_shape[:-2])) + [m, n]
        model = single_op("BATCH_MATMUL", [
            T(list(x_shape), np.float32),
            T(list(y_shape), np.int8, data=w, quant=quant(s_w, [0] * count, axis))],
            [T(out_shape, np.float32)],
            options=dict(adj_x=adj_x, adj_y=adj_y, asymmetric_quantize_inputs=asymmetric))
        x = rng.normal(0.3, 1.0, x_shape).astype(np.float32)
        depth = x_shape[-2] if adj_x else x_shape[-1]
        tol = float(8 * np.finfo(np.float32).eps * np.abs(x).max() * 127 * 128 * s_w.max()
                    * depth + 1e-6)
        compare(model, [x], resolver=REF, atol=tol)
        compare_optimized(model, [x], atol=tol)


def test_hybrid_batch_matmul_rank4_differs():
    """LiteRT's hybrid BATCH_MATMUL with batch dimensions [2, 2] on both operands is far
    from the float product x @ (w * s_w); numlite's stays within its quantization error."""
    rng = np.random.default_rng(1)
    x_shape, y_shape = (2, 2, 4, 30), (2, 2, 30, 3)
    w = rng.integers(-127, 128, size=y_shape).astype(np.int8)
    model = single_op("BATCH_MATMUL", [
        T(list(x_shape), np.float32),
        T(list(y_shape), np.int8, data=w, quant=quant(0.01, 0))], [T([2, 2, 4, 3], np.float32)])
    x = rng.normal(0.3, 1.0, x_shape).astype(np.float32)
    exact = x @ (w.astype(np.float32) * np.float32(0.01))
    ours, theirs = run_numlite(model, [x])[0], _feed(litert.Interpreter(
        model_content=model, experimental_op_resolver_type=litert.OpResolverType.BUILTIN_REF),
        [x])[0]
    # symmetric per-row quantization rounds each input by at most half a step (max|x| / 127)
    half_step = 0.5 * np.abs(x).max() / 127
    quantization_error = half_step * np.abs(w.astype(np.float64)).sum(axis=-2).max() * 0.01 \
        + 1e-5
    assert np.abs(ours - exact).max() <= quantization_error
    assert np.abs(theirs - exact).max() > quantization_error


# ---- hybrid UNIDIRECTIONAL_SEQUENCE_LSTM -----------------------------------------------------

def hybrid_lstm_model(batch, steps, n_input, n_cell, *, cifg=False, peephole=False,
                      projection=False, layer_norm=False, asymmetric=False, seed=0):
    """test_kernels_recurrent's LSTM with its weight matrices and peephole weights quantized
    to int8 (one scale each, as the converter's dynamic-range quantization writes them)."""
    from test_kernels_recurrent import lstm_direction, model_with_state, weights

    rng = np.random.default_rng(seed)
    n_output = n_cell - 1 if projection else n_cell
    shape = [batch, steps, n_input]
    direction = lstm_direction(rng, n_input, n_cell, n_output, cifg, peephole, projection,
                               projection)
    quantized = list(range(8)) + [8, 9, 10, 15]      # matrices, peepholes, projection
    for k in quantized:
        t = direction[k]
        if t is not None:
            scale = np.float32(np.abs(t.data).max() / 127)
            q = np.clip(np.round(t.data / scale), -127, 127).astype(np.int8)
            direction[k] = T(list(t.shape), np.int8, data=q, quant=quant(scale, 0))
    defs = [T(shape)] + direction + [
        T([batch, n_output], is_variable=True, name="output_state"),
        T([batch, n_cell], is_variable=True, name="cell_state")]
    defs += [T([n_cell], data=weights(rng, n_cell, 1.0) + 1) if layer_norm
             and not (cifg and g == "i") else None for g in "ifco"]
    model = model_with_state("UNIDIRECTIONAL_SEQUENCE_LSTM", defs,
                             [T([batch, steps, n_output])],
                             dict(fused_activation_function="TANH",
                                  asymmetric_quantize_inputs=asymmetric))
    return model, shape


HYBRID_LSTM_CASES = [dict(), dict(asymmetric=True), dict(cifg=True, peephole=True),
                     dict(projection=True, asymmetric=True), dict(layer_norm=True)]


@pytest.mark.parametrize("case", HYBRID_LSTM_CASES, ids=str)
def test_hybrid_lstm(case):
    from differential import RESET, compare_sequence

    model, shape = hybrid_lstm_model(2, 6, 5, 8, seed=len(str(case)), **case)
    rng = np.random.default_rng(3)
    feeds = [[rng.standard_normal(shape).astype(np.float32)] for _ in range(3)]
    compare_sequence(model, feeds + [RESET, feeds[0]], resolver=REF, rtol=1e-5, atol=2e-6)


def test_batch_matmul_int8_to_int32():
    """int8 operands and an int32 output: LiteRT's raw products (zero points ignored)."""
    for i, (x_shape, y_shape, adj_x, adj_y) in enumerate(MATMUL_CASES):
        rng = np.random.default_rng(1100 + i)
        m = x_shape[-1] if adj_x else x_shape[-2]
        n = y_shape[-2] if adj_y else y_shape[-1]
        out_shape = list(np.broadcast_shapes(x_shape[:-2], y_shape[:-2])) + [m, n]
        model = single_op("BATCH_MATMUL",
                          [T(list(x_shape), np.int8, quant=quant(0.05, 3)),
                           T(list(y_shape), np.int8, quant=quant(0.02, -2))],
                          [T(out_shape, np.int32)], options=dict(adj_x=adj_x, adj_y=adj_y))
        compare(model, [random_q(rng, x_shape, np.int8), random_q(rng, y_shape, np.int8)],
                resolver=REF)


def test_exact_gemm_picks_an_exact_type():
    """ExactGemm (integer_gemm.py) against Python's integers: float32 up to 2**24, float64 up
    to 2**53, int64 beyond, with the offset counted in the bound."""
    from numlite.ops.integer_gemm import ExactGemm

    rng = np.random.default_rng(13)
    weights = rng.integers(-128, 128, (300, 7))
    offset = rng.integers(-2 ** 20, 2 ** 20, 7)
    for magnitude, dtype in ((128, np.float32), (2 ** 20, np.float64), (2 ** 40, np.int64)):
        columns = rng.integers(-magnitude, magnitude + 1, (5, 300))
        columns[0] = magnitude                      # the extreme row
        gemm = ExactGemm(weights, offset, magnitude)
        assert gemm.dtype == dtype
        got = gemm(columns.astype(gemm.dtype))
        exact = [[sum(int(a) * int(b) for a, b in zip(row, col)) + int(o)
                  for col, o in zip(weights.T, offset)] for row in columns]
        assert [[int(v) for v in row] for row in got] == exact
    assert ExactGemm(weights, [2 ** 53], 1).dtype == np.int64      # the offset counts
