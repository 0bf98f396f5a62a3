"""CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV, CONV_3D (float32) against ai_edge_litert.

Weights are scaled by 1/sqrt(fan-in) so outputs stay O(1) and float32 summation-order
differences stay far below the 1e-5 relative / 1e-5 absolute bound.
"""

import numpy as np
import pytest

from builder import T, single_op
from differential import DEFAULT, REF, compare, compare_sequence, litert_error, numlite_error

TOL = dict(rtol=1e-5, atol=1e-5)
BOTH = (REF, DEFAULT)


def rand(rng, shape, scale=1.0):
    return np.asarray(rng.standard_normal(shape) * scale, np.float32)


def out_dim(padding, size, k, stride, dilation=1):
    eff = (k - 1) * dilation + 1
    return -(-size // stride) if padding == "SAME" else (size - eff) // stride + 1


# ---- CONV_2D ----------------------------------------------------------------------------------

# (input shape, (cout, kh, kw, filter_in), padding, (stride_h, stride_w), (dil_h, dil_w), act)
CONV_CASES = [
    ((1, 7, 9, 4), (6, 3, 3, 4), "SAME", (1, 1), (1, 1), "NONE"),
    ((2, 7, 9, 4), (6, 3, 3, 4), "VALID", (1, 1), (1, 1), "RELU"),
    ((1, 8, 8, 3), (5, 3, 3, 3), "SAME", (2, 2), (1, 1), "RELU6"),
    ((1, 9, 7, 3), (5, 3, 2, 3), "SAME", (2, 3), (1, 1), "RELU_N1_TO_1"),
    ((1, 11, 10, 2), (4, 3, 3, 2), "VALID", (1, 1), (2, 3), "NONE"),
    ((1, 11, 10, 2), (4, 3, 3, 2), "SAME", (1, 1), (2, 2), "NONE"),
    ((1, 12, 12, 2), (4, 3, 3, 2), "SAME", (2, 2), (2, 2), "RELU"),
    ((1, 6, 6, 8), (8, 1, 1, 8), "SAME", (1, 1), (1, 1), "NONE"),       # pointwise
    ((2, 7, 7, 8), (5, 1, 1, 8), "VALID", (2, 2), (1, 1), "RELU6"),     # strided pointwise
    ((1, 5, 5, 3), (4, 5, 5, 3), "SAME", (1, 1), (1, 1), "NONE"),       # filter as big as the input
    ((1, 5, 6, 3), (4, 5, 6, 3), "VALID", (1, 1), (1, 1), "NONE"),      # 1x1 output
    ((1, 8, 8, 8), (8, 3, 3, 2), "SAME", (1, 1), (1, 1), "NONE"),       # 4 groups
    ((1, 8, 8, 6), (9, 3, 3, 2), "VALID", (2, 1), (1, 1), "RELU"),      # 3 groups
    ((1, 9, 9, 4), (4, 3, 3, 1), "SAME", (1, 1), (2, 2), "NONE"),       # channel-wise groups
    ((1, 1, 1, 3), (2, 3, 3, 3), "SAME", (1, 1), (1, 1), "NONE"),       # 1x1 image, SAME
    ((3, 4, 5, 1), (2, 2, 2, 1), "SAME", (3, 3), (1, 1), "NONE"),       # stride above filter
    ((1, 3, 3, 2), (2, 4, 4, 2), "VALID", (1, 1), (1, 1), "NONE"),      # window larger: empty
]


def conv_model(in_shape, fshape, padding, strides, dilations, act, rng, filter_input=False,
               bias_input=False):
    w = rand(rng, fshape, 1 / np.sqrt(np.prod(fshape[1:])))
    b = rand(rng, fshape[0], 0.5)
    out = [in_shape[0], out_dim(padding, in_shape[1], fshape[1], strides[0], dilations[0]),
           out_dim(padding, in_shape[2], fshape[2], strides[1], dilations[1]), fshape[0]]
    out = [max(d, 0) for d in out]
    inputs = [T(list(in_shape)), T(list(fshape), data=None if filter_input else w),
              T([fshape[0]], data=None if bias_input else b)]
    model = single_op("CONV_2D", inputs, [T(out)], options=dict(
        padding=padding, stride_h=strides[0], stride_w=strides[1],
        dilation_h_factor=dilations[0], dilation_w_factor=dilations[1],
        fused_activation_function=act))
    return model, w, b


@pytest.mark.parametrize("resolver", BOTH)
@pytest.mark.parametrize("case", CONV_CASES, ids=str)
def test_conv_2d(case, resolver):
    rng = np.random.default_rng(len(str(case)))
    in_shape = case[0]
    model, _, _ = conv_model(*case, rng)
    ours, _ = compare(model, [rand(rng, in_shape)], resolver=resolver, **TOL)
    assert ours[0].flags.c_contiguous


@pytest.mark.parametrize("resolver", BOTH)
def test_conv_2d_filter_and_bias_fed_at_run_time(resolver):
    rng = np.random.default_rng(3)
    model, w, b = conv_model((1, 6, 7, 4), (8, 3, 3, 2), "SAME", (1, 2), (1, 1), "RELU", rng,
                             filter_input=True, bias_input=True)
    compare(model, [rand(rng, (1, 6, 7, 4)), w, b], resolver=resolver, **TOL)


def test_conv_2d_large_im2col_in_bands():
    # a 9.4 MB im2col matrix: numlite multiplies it band by band
    rng = np.random.default_rng(4)
    model, _, _ = conv_model((1, 64, 64, 64), (16, 3, 3, 64), "SAME", (1, 1), (1, 1), "NONE",
                             rng)
    compare(model, [rand(rng, (1, 64, 64, 64))], resolver=DEFAULT, **TOL)


@pytest.mark.parametrize("resolver", BOTH)
def test_conv_and_depthwise_invoke_again_with_new_data(resolver):
    # the padded scratch buffers are reused from one invoke to the next
    rng = np.random.default_rng(5)
    for model, shape in (
            (conv_model((1, 5, 5, 2), (3, 3, 3, 2), "SAME", (1, 1), (1, 1), "NONE", rng)[0],
             (1, 5, 5, 2)),
            (depthwise_model((1, 5, 5, 2), 3, 3, 2, "SAME", (1, 1), (1, 1), "NONE", rng)[0],
             (1, 5, 5, 2))):
        steps = [[rand(rng, shape)] for _ in range(3)]
        outputs = compare_sequence(model, steps, resolver=resolver, **TOL)
        assert not np.allclose(outputs[0][0], outputs[1][0])


def test_conv_2d_without_bias_fails_like_litert():
    rng = np.random.default_rng(6)
    w = rand(rng, (2, 3, 3, 2))
    x = rand(rng, (1, 4, 4, 2))
    opts = dict(padding="SAME", stride_h=1, stride_w=1)
    for inputs in ([T([1, 4, 4, 2]), T([2, 3, 3, 2], data=w)],
                   [T([1, 4, 4, 2]), T([2, 3, 3, 2], data=w), None]):
        model = single_op("CONV_2D", inputs, [T([1, 4, 4, 2])], options=opts)
        theirs, ours = litert_error(model, [x]), numlite_error(model, [x])
        assert theirs is not None and ours is not None
        assert ours.splitlines()[0] in theirs
        assert "Node number 0 (CONV_2D) failed to prepare." in ours


@pytest.mark.parametrize("fshape", [(4, 3, 3, 4), (6, 3, 3, 7), (5, 3, 3, 3)])
def test_conv_2d_channel_mismatch_fails(fshape):
    rng = np.random.default_rng(7)
    model = single_op("CONV_2D", [T([1, 5, 5, 6]), T(list(fshape), data=rand(rng, fshape)),
                                  T([fshape[0]], data=rand(rng, fshape[0]))],
                      [T([1, 5, 5, fshape[0]])], options=dict(padding="SAME", stride_h=1,
                                                              stride_w=1))
    x = rand(rng, (1, 5, 5, 6))
    assert numlite_error(model, [x]) is not None
    assert litert_error(model, [x]) is not None


# ---- DEPTHWISE_CONV_2D ------------------------------------------------------------------------

# (input shape, kh, kw, multiplier, padding, strides, dilations, act)
DEPTHWISE_CASES = [
    ((1, 7, 9, 4), 3, 3, 1, "SAME", (1, 1), (1, 1), "NONE"),
    ((2, 8, 8, 3), 3, 3, 1, "SAME", (2, 2), (1, 1), "RELU6"),
    ((1, 9, 7, 2), 3, 3, 2, "VALID", (1, 1), (1, 1), "RELU"),
    ((1, 8, 9, 3), 5, 5, 1, "SAME", (1, 1), (1, 1), "NONE"),
    ((1, 10, 11, 2), 3, 3, 3, "SAME", (2, 3), (1, 1), "NONE"),
    ((1, 11, 11, 4), 3, 3, 1, "SAME", (1, 1), (2, 2), "RELU_N1_TO_1"),
    ((1, 11, 12, 2), 3, 2, 2, "VALID", (1, 2), (3, 2), "NONE"),
    ((1, 6, 6, 1), 3, 3, 4, "SAME", (1, 1), (1, 1), "NONE"),          # one input channel
    ((1, 4, 4, 8), 1, 1, 1, "VALID", (1, 1), (1, 1), "NONE"),          # 1x1
    ((1, 14, 14, 16), 3, 3, 1, "SAME", (1, 1), (1, 1), "RELU6"),
    ((1, 2, 3, 3), 3, 3, 1, "VALID", (1, 1), (1, 1), "NONE"),          # empty output
]


def depthwise_model(in_shape, kh, kw, multiplier, padding, strides, dilations, act, rng,
                    bias="const", filter_input=False):
    cout = in_shape[3] * multiplier
    w = rand(rng, (1, kh, kw, cout), 1 / np.sqrt(kh * kw))
    b = rand(rng, cout, 0.5)
    out = [in_shape[0], max(out_dim(padding, in_shape[1], kh, strides[0], dilations[0]), 0),
           max(out_dim(padding, in_shape[2], kw, strides[1], dilations[1]), 0), cout]
    inputs = [T(list(in_shape)), T([1, kh, kw, cout], data=None if filter_input else w)]
    if bias == "const":
        inputs.append(T([cout], data=b))
    model = single_op("DEPTHWISE_CONV_2D", inputs, [T(out)], options=dict(
        padding=padding, stride_h=strides[0], stride_w=strides[1], depth_multiplier=multiplier,
        dilation_h_factor=dilations[0], dilation_w_factor=dilations[1],
        fused_activation_function=act))
    return model, w, b


@pytest.mark.parametrize("resolver", BOTH)
@pytest.mark.parametrize("case", DEPTHWISE_CASES, ids=str)
def test_depthwise_conv_2d(case, resolver):
    rng = np.random.default_rng(len(str(case)))
    model, _, _ = depthwise_model(*case, rng)
    compare(model, [rand(rng, case[0])], resolver=resolver, **TOL)


def test_depthwise_conv_2d_without_bias():
    # two inputs: LiteRT's reference kernel runs it (its XNNPACK delegate crashes on it)
    rng = np.random.default_rng(8)
    model, _, _ = depthwise_model((1, 6, 7, 3), 3, 3, 2, "SAME", (1, 1), (1, 1), "NONE", rng,
                                  bias="none")
    compare(model, [rand(rng, (1, 6, 7, 3))], resolver=REF, **TOL)


def test_depthwise_conv_2d_absent_bias_fails_like_litert():
    rng = np.random.default_rng(9)
    w = rand(rng, (1, 3, 3, 2))
    model = single_op("DEPTHWISE_CONV_2D", [T([1, 4, 4, 2]), T([1, 3, 3, 2], data=w), None],
                      [T([1, 4, 4, 2])], options=dict(padding="SAME", stride_h=1, stride_w=1,
                                                      depth_multiplier=1))
    x = rand(rng, (1, 4, 4, 2))
    theirs, ours = litert_error(model, [x]), numlite_error(model, [x])
    assert ours.splitlines()[0] in theirs


@pytest.mark.parametrize("option", (0, 1, 3))
def test_depthwise_conv_2d_multiplier_comes_from_shapes(option):
    # LiteRT's reference kernel derives the multiplier from the filter (6 / 2 = 3) and ignores
    # a wrong depth_multiplier option
    rng = np.random.default_rng(10)
    w = rand(rng, (1, 3, 3, 6))
    model = single_op("DEPTHWISE_CONV_2D", [T([1, 5, 5, 2]), T([1, 3, 3, 6], data=w),
                                            T([6], data=rand(rng, 6))],
                      [T([1, 5, 5, 6])], options=dict(padding="SAME", stride_h=1, stride_w=1,
                                                      depth_multiplier=option))
    compare(model, [rand(rng, (1, 5, 5, 2))], resolver=REF, **TOL)


@pytest.mark.parametrize("resolver", BOTH)
def test_depthwise_conv_2d_filter_fed_at_run_time(resolver):
    rng = np.random.default_rng(11)
    model, w, _ = depthwise_model((1, 6, 6, 3), 3, 3, 2, "SAME", (2, 1), (1, 1), "RELU", rng,
                                  filter_input=True)
    compare(model, [rand(rng, (1, 6, 6, 3)), w], resolver=resolver, **TOL)


# ---- TRANSPOSE_CONV ---------------------------------------------------------------------------

# (input shape, (cout, kh, kw), padding, strides, output height/width, act)
TRANSPOSE_CASES = [
    ((1, 4, 5, 3), (6, 3, 3), "SAME", (1, 1), (4, 5), "NONE"),
    ((1, 4, 5, 3), (6, 3, 3), "SAME", (2, 2), (8, 10), "NONE"),
    ((2, 4, 5, 3), (6, 3, 3), "SAME", (2, 2), (7, 9), "RELU"),
    ((1, 4, 5, 3), (6, 3, 3), "VALID", (1, 1), (6, 7), "NONE"),
    ((1, 4, 5, 3), (6, 3, 3), "VALID", (2, 2), (9, 11), "RELU6"),
    ((1, 4, 5, 3), (6, 3, 3), "VALID", (2, 2), (10, 12), "NONE"),   # output beyond the taps
    ((1, 4, 5, 3), (4, 3, 2), "SAME", (2, 3), (8, 15), "NONE"),
    ((1, 4, 5, 3), (4, 2, 2), "SAME", (2, 2), (8, 10), "NONE"),      # up-sampling: no overlap
    ((1, 4, 5, 3), (4, 2, 2), "VALID", (2, 2), (8, 10), "NONE"),
    ((1, 3, 3, 2), (3, 4, 4), "SAME", (2, 2), (6, 6), "NONE"),
    ((1, 3, 3, 2), (3, 1, 1), "VALID", (3, 3), (7, 7), "NONE"),      # stride above filter
    ((1, 5, 4, 8), (2, 5, 3), "SAME", (1, 1), (5, 4), "RELU_N1_TO_1"),
]


def transpose_model(in_shape, kernel, padding, strides, out_hw, act, rng, bias="const",
                    shape_input=False, weights_input=False):
    cout, kh, kw = kernel
    cin = in_shape[3]
    w = rand(rng, (cout, kh, kw, cin), 1 / np.sqrt(kh * kw * cin))
    b = rand(rng, cout, 0.5)
    out_shape = [in_shape[0], out_hw[0], out_hw[1], cout]
    inputs = [T([4], np.int32, data=None if shape_input else out_shape),
              T([cout, kh, kw, cin], data=None if weights_input else w), T(list(in_shape))]
    if bias == "const":
        inputs.append(T([cout], data=b))
    elif bias == "absent":
        inputs.append(None)
    model = single_op("TRANSPOSE_CONV", inputs, [T(out_shape)], options=dict(
        padding=padding, stride_h=strides[0], stride_w=strides[1],
        fused_activation_function=act))
    return model, np.asarray(out_shape, np.int32), w


@pytest.mark.parametrize("resolver", BOTH)
@pytest.mark.parametrize("case", TRANSPOSE_CASES, ids=str)
def test_transpose_conv(case, resolver):
    rng = np.random.default_rng(len(str(case)))
    model, _, _ = transpose_model(*case, rng)
    compare(model, [rand(rng, case[0])], resolver=resolver, **TOL)


@pytest.mark.parametrize("resolver", BOTH)
@pytest.mark.parametrize("bias", ("none", "absent"))
def test_transpose_conv_without_bias(bias, resolver):
    rng = np.random.default_rng(12)
    model, _, _ = transpose_model((1, 4, 5, 3), (6, 3, 3), "SAME", (2, 2), (8, 10), "NONE", rng,
                                  bias=bias)
    compare(model, [rand(rng, (1, 4, 5, 3))], resolver=resolver, **TOL)


@pytest.mark.parametrize("resolver", BOTH)
def test_transpose_conv_shape_and_weights_fed_at_run_time(resolver):
    rng = np.random.default_rng(13)
    model, shape, w = transpose_model((1, 4, 5, 3), (6, 3, 3), "SAME", (2, 2), (7, 10), "NONE",
                                      rng, shape_input=True, weights_input=True)
    compare(model, [shape, w, rand(rng, (1, 4, 5, 3))], resolver=resolver, **TOL)


@pytest.mark.parametrize("padding,out_hw", [("SAME", (9, 10)), ("SAME", (4, 5)),
                                            ("VALID", (8, 10))])
def test_transpose_conv_output_that_does_not_map_back_fails(padding, out_hw):
    rng = np.random.default_rng(14)
    model, _, _ = transpose_model((1, 4, 5, 3), (6, 3, 3), padding, (2, 2), out_hw, "NONE", rng)
    x = rand(rng, (1, 4, 5, 3))
    theirs, ours = litert_error(model, [x], REF), numlite_error(model, [x])
    assert theirs is not None and ours is not None
    assert ours.splitlines()[0] in theirs


# ---- CONV_3D ----------------------------------------------------------------------------------

# (input shape, (kd, kh, kw, cout), padding, strides, dilations, act)
CONV3D_CASES = [
    ((1, 4, 5, 6, 3), (2, 3, 3, 4), "SAME", (1, 1, 1), (1, 1, 1), "NONE"),
    ((2, 5, 5, 4, 2), (3, 3, 2, 3), "VALID", (1, 1, 1), (1, 1, 1), "RELU"),
    ((1, 6, 7, 7, 2), (3, 3, 3, 2), "SAME", (2, 2, 3), (1, 1, 1), "RELU6"),
    ((1, 7, 7, 7, 2), (2, 3, 3, 3), "VALID", (1, 2, 1), (2, 1, 2), "NONE"),
    ((1, 3, 4, 4, 4), (1, 1, 1, 5), "SAME", (1, 1, 1), (1, 1, 1), "NONE"),
]


@pytest.mark.parametrize("bias", ("const", "none", "absent"))
@pytest.mark.parametrize("resolver", BOTH)
@pytest.mark.parametrize("case", CONV3D_CASES, ids=str)
def test_conv_3d(case, resolver, bias):
    rng = np.random.default_rng(len(str(case)))
    in_shape, (kd, kh, kw, cout), padding, strides, dilations, act = case
    cin = in_shape[4]
    w = rand(rng, (kd, kh, kw, cin, cout), 1 / np.sqrt(kd * kh * kw * cin))
    out = [in_shape[0]] + [out_dim(padding, s, k, st, d) for s, k, st, d in
                           zip(in_shape[1:4], (kd, kh, kw), strides, dilations)] + [cout]
    inputs = [T(list(in_shape)), T([kd, kh, kw, cin, cout], data=w)]
    if bias == "const":
        inputs.append(T([cout], data=rand(rng, cout, 0.5)))
    elif bias == "absent":
        inputs.append(None)
    model = single_op("CONV_3D", inputs, [T(out)], options=dict(
        padding=padding, stride_d=strides[0], stride_h=strides[1], stride_w=strides[2],
        dilation_d_factor=dilations[0], dilation_h_factor=dilations[1],
        dilation_w_factor=dilations[2], fused_activation_function=act))
    compare(model, [rand(rng, in_shape)], resolver=resolver, **TOL)


def test_quantized_conv_runs():
    """An int8 CONV_2D goes to the integer kernel (integer_conv.py; more in
    test_kernels_integer_gemm.py), bit-exact with LiteRT's reference kernel."""
    rng = np.random.default_rng(15)
    q = dict(scales=[0.1], zero_points=[0])
    model = single_op("CONV_2D", [T([1, 4, 4, 2], np.int8, quant=q),
                                  T([2, 3, 3, 2], np.int8, data=np.ones((2, 3, 3, 2)), quant=q),
                                  T([2], np.int32, data=[0, 0], quant=dict(scales=[0.01],
                                                                          zero_points=[0]))],
                      [T([1, 4, 4, 2], np.int8, quant=q)],
                      options=dict(padding="SAME", stride_h=1, stride_w=1))
    compare(model, [rng.integers(-128, 128, (1, 4, 4, 2)).astype(np.int8)], resolver=REF)


# ---- random sweeps ------------------------------------------------------------------------------

def random_window(rng, spatial_max=11):
    """(size, kernel, stride, dilation, padding) per spatial dimension with a valid output."""
    padding = str(rng.choice(["SAME", "VALID"]))
    dims = []
    for _ in range(2):
        while True:
            size, k = int(rng.integers(1, spatial_max + 1)), int(rng.integers(1, 6))
            stride, dilation = int(rng.integers(1, 4)), int(rng.integers(1, 4))
            if out_dim(padding, size, k, stride, dilation) >= 1:
                break
        dims.append((size, k, stride, dilation))
    return padding, dims


@pytest.mark.parametrize("resolver", BOTH)
@pytest.mark.parametrize("seed", range(24))
def test_conv_2d_random_configurations(seed, resolver):
    rng = np.random.default_rng(100 + seed)
    padding, ((h, kh, sh, dh), (w, kw, sw, dw)) = random_window(rng)
    groups = int(rng.choice([1, 1, 1, 2, 3]))
    fin, og = int(rng.integers(1, 5)), int(rng.integers(1, 4))
    batch = int(rng.integers(1, 3))
    act = str(rng.choice(["NONE", "RELU", "RELU6", "RELU_N1_TO_1"]))
    case = ((batch, h, w, fin * groups), (og * groups, kh, kw, fin), padding, (sh, sw),
            (dh, dw), act)
    model, _, _ = conv_model(*case, rng)
    compare(model, [rand(rng, case[0])], resolver=resolver, **TOL)


@pytest.mark.parametrize("resolver", BOTH)
@pytest.mark.parametrize("seed", range(24))
def test_depthwise_conv_2d_random_configurations(seed, resolver):
    rng = np.random.default_rng(200 + seed)
    padding, ((h, kh, sh, dh), (w, kw, sw, dw)) = random_window(rng)
    case = ((int(rng.integers(1, 3)), h, w, int(rng.integers(1, 6))), kh, kw,
            int(rng.integers(1, 4)), padding, (sh, sw), (dh, dw),
            str(rng.choice(["NONE", "RELU", "RELU6"])))
    model, _, _ = depthwise_model(*case, rng)
    compare(model, [rand(rng, case[0])], resolver=resolver, **TOL)


@pytest.mark.parametrize("resolver", BOTH)
@pytest.mark.parametrize("seed", range(16))
def test_transpose_conv_random_configurations(seed, resolver):
    rng = np.random.default_rng(300 + seed)
    padding = str(rng.choice(["SAME", "VALID"]))
    h, w = int(rng.integers(1, 7)), int(rng.integers(1, 7))
    kh, kw = int(rng.integers(1, 5)), int(rng.integers(1, 5))
    sh, sw = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    # an output size that maps back onto the input (LiteRT's check)
    out = []
    for size, k, s in ((h, kh, sh), (w, kw, sw)):
        options = [o for o in range(1, size * s + k + 2) if out_dim(padding, o, k, s) == size]
        out.append(int(rng.choice(options)))
    case = ((int(rng.integers(1, 3)), h, w, int(rng.integers(1, 5))),
            (int(rng.integers(1, 5)), kh, kw), padding, (sh, sw), tuple(out), "NONE")
    model, _, _ = transpose_model(*case, rng)
    compare(model, [rand(rng, case[0])], resolver=resolver, **TOL)


@pytest.mark.parametrize("padding", ("SAME", "VALID"))
@pytest.mark.parametrize("op", ("CONV_2D", "DEPTHWISE_CONV_2D"))
def test_convolutions_take_non_contiguous_inputs(op, padding):
    # a strided view (as a slicing kernel may return) reaching run(): no C order assumed
    from numlite.model.enums import BUILTIN_CODES
    from numlite.model.options import default_options
    from numlite.ops import registry
    from numlite.runtime.node import Node, TensorSpec
    rng = np.random.default_rng(20)
    out_c = 4 if op == "CONV_2D" else 3
    w = rand(rng, (4, 3, 3, 3) if op == "CONV_2D" else (1, 3, 3, 3), 0.3)
    bias = rand(rng, out_c)
    options = default_options(1 if op == "CONV_2D" else 2)._replace(
        padding=0 if padding == "SAME" else 1, stride_h=1, stride_w=1)

    def spec(i, shape, value=None):
        return TensorSpec(i, f"t{i}", 0, np.dtype(np.float32), shape, value, None, None)
    out_hw = (6, 5) if padding == "SAME" else (4, 3)
    node = Node(0, op, 1, (spec(0, (1, 6, 5, 3)), spec(1, w.shape, w), spec(2, (out_c,), bias)),
                (spec(3, (1,) + out_hw + (out_c,)),), options, None, None)
    run, _ = registry._BUILTIN[BUILTIN_CODES[op]].prepare(node)
    view = rand(rng, (1, 6, 10, 3))[:, :, ::2]
    assert not view.flags.c_contiguous
    np.testing.assert_array_equal(run(view, w, bias), run(np.ascontiguousarray(view), w, bias))
