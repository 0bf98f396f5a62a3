"""CONV_3D_TRANSPOSE against ai_edge_litert: paddings, strides, dilations, bias, fused
activations, run-time output_shape and filter, and the errors at prepare."""

import numpy as np
import pytest

from builder import T, single_op
from differential import DEFAULT, REF, compare, litert_error, numlite_error

ATOL = RTOL = 1e-4


def model_for(in_shape, kernel, cout, out_spatial, padding="SAME", strides=(1, 1, 1),
              dilations=(1, 1, 1), bias="const", activation="NONE", filter_const=True,
              shape_const=True, seed=0):
    rng = np.random.default_rng(seed)
    cin = in_shape[-1]
    w = np.asarray(rng.standard_normal(tuple(kernel) + (cout, cin)), np.float32)
    b = np.asarray(rng.standard_normal(cout), np.float32)
    out_shape = [in_shape[0], *out_spatial, cout]
    inputs = [T([5], np.int32, data=np.asarray(out_shape, np.int32) if shape_const else None),
              T(list(w.shape), data=w if filter_const else None), T(list(in_shape))]
    if bias == "const":
        inputs.append(T([cout], data=b))
    elif bias == "input":
        inputs.append(T([cout]))
    elif bias == "absent":
        inputs.append(None)
    options = dict(padding=padding, stride_d=strides[0], stride_h=strides[1],
                   stride_w=strides[2], dilation_d_factor=dilations[0],
                   dilation_h_factor=dilations[1], dilation_w_factor=dilations[2],
                   fused_activation_function=activation)
    model = single_op("CONV_3D_TRANSPOSE", inputs, [T(out_shape)], options=options,
                      options_type="Conv3DOptions")
    feeds = []
    if not shape_const:
        feeds.append(np.asarray(out_shape, np.int32))
    if not filter_const:
        feeds.append(w)
    feeds.append(np.asarray(rng.standard_normal(in_shape), np.float32))
    if bias == "input":
        feeds.append(b)
    return model, feeds


def spatial_out(in_shape, kernel, strides, dilations, padding):
    """The output sizes a CONV_3D of the same geometry maps back onto the input."""
    if padding == "SAME":
        return [n * s for n, s in zip(in_shape[1:4], strides)]
    return [(n - 1) * s + (k - 1) * d + 1
            for n, k, s, d in zip(in_shape[1:4], kernel, strides, dilations)]


CASES = [
    # (input shape, kernel, cout, padding, strides, dilations)
    ((1, 3, 4, 5, 4), (3, 3, 3), 5, "SAME", (2, 2, 2), (1, 1, 1)),     # the corpus case
    ((2, 2, 3, 3, 3), (2, 2, 2), 4, "SAME", (2, 2, 2), (1, 1, 1)),     # stride = kernel
    ((1, 3, 3, 4, 2), (3, 2, 3), 3, "VALID", (1, 2, 3), (1, 1, 1)),
    ((1, 4, 3, 3, 2), (2, 3, 2), 2, "VALID", (2, 1, 1), (2, 1, 2)),    # dilations
    ((1, 3, 4, 2, 3), (3, 3, 1), 2, "SAME", (1, 1, 1), (1, 2, 1)),
    ((1, 2, 2, 2, 1), (1, 1, 1), 3, "VALID", (1, 1, 1), (1, 1, 1)),    # pointwise
    ((1, 2, 3, 2, 2), (4, 1, 2), 2, "SAME", (3, 2, 1), (1, 1, 1)),     # kernel > stride
]


@pytest.mark.parametrize("resolver", (REF, DEFAULT))
@pytest.mark.parametrize("case", CASES, ids=str)
def test_geometry(case, resolver):
    in_shape, kernel, cout, padding, strides, dilations = case
    outs = spatial_out(in_shape, kernel, strides, dilations, padding)
    model, feeds = model_for(in_shape, kernel, cout, outs, padding, strides, dilations,
                             seed=len(str(case)))
    ours, _ = compare(model, feeds, resolver=resolver, rtol=RTOL, atol=ATOL)
    assert ours[0].shape == (in_shape[0], *outs, cout)


@pytest.mark.parametrize("activation", ("NONE", "RELU", "RELU_N1_TO_1", "RELU6"))
@pytest.mark.parametrize("bias", ("const", "input", "absent", "missing"))
def test_bias_and_activation(bias, activation):
    in_shape, kernel = (1, 2, 3, 3, 3), (3, 3, 3)
    model, feeds = model_for(in_shape, kernel, 4, [4, 6, 6], "SAME", (2, 2, 2), bias=bias,
                             activation=activation, seed=5)
    compare(model, feeds, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("shape_const,filter_const", [(False, True), (True, False),
                                                      (False, False)])
def test_run_time_output_shape_and_filter(shape_const, filter_const):
    model, feeds = model_for((1, 3, 2, 3, 2), (2, 3, 3), 3, [6, 4, 6], "SAME", (2, 2, 2),
                             filter_const=filter_const, shape_const=shape_const, seed=7)
    compare(model, feeds, rtol=RTOL, atol=ATOL)


def test_output_shape_smaller_than_the_spread():
    """SAME with output sizes that leave part of the spread outside: it is dropped."""
    model, feeds = model_for((1, 3, 3, 3, 2), (3, 3, 3), 2, [5, 6, 5], "SAME", (2, 2, 2),
                             seed=8)
    compare(model, feeds, rtol=RTOL, atol=ATOL)


def _error_model(**change):
    spec = dict(out=[1, 4, 4, 4, 3], filt=(2, 2, 2, 3, 2), x=(1, 2, 2, 2, 2), xtype=np.float32,
                stype=np.int32, bias=None)
    spec.update(change)
    inputs = [T([len(spec["out"])], spec["stype"], data=spec["out"]),
              T(list(spec["filt"]), data=np.ones(spec["filt"], np.float32)),
              T(list(spec["x"]), spec["xtype"])]
    if spec["bias"] is not None:
        inputs.append(T([spec["bias"]], data=np.ones(spec["bias"], np.float32)))
    model = single_op("CONV_3D_TRANSPOSE", inputs, [T(list(spec["out"]))],
                      options=dict(padding="SAME", stride_d=2, stride_h=2, stride_w=2),
                      options_type="Conv3DOptions")
    return model, [np.ones(spec["x"], spec["xtype"])]


@pytest.mark.parametrize("change", [
    dict(xtype=np.int32), dict(stype=np.float32), dict(filt=(2, 2, 2, 3, 5)),
    dict(x=(1, 2, 2, 2)), dict(filt=(2, 2, 3, 2)), dict(out=[1, 4, 4, 4, 7]),
    dict(out=[1, 4, 4, 4]), dict(bias=5),
], ids=("int32 input", "float output_shape", "channel mismatch", "rank 4 input",
        "rank 4 filter", "output channels", "4 output dims", "bias size"))
def test_bad_models_fail_at_prepare(change):
    model, feeds = _error_model(**change)
    error = numlite_error(model, feeds)
    assert error is not None and "Node number 0 (CONV_3D_TRANSPOSE) failed to prepare." in error
    assert litert_error(model, feeds) is not None


@pytest.mark.parametrize("out", [[1, 5, 4, 4, 3], [1, 4, 8, 4, 3], [1, 4, 4, 1, 3],
                                 [1, 0, 4, 4, 3]], ids=str)
def test_output_shape_must_map_back_onto_the_input(out):
    """LiteRT checks that a CONV_3D on output_shape would give the input's sizes."""
    model, feeds = _error_model(out=out)
    ours, theirs = numlite_error(model, feeds), litert_error(model, feeds)
    assert theirs is not None and ours is not None
    assert ours.splitlines()[0] in theirs


def test_error_models_base_runs():
    """The unchanged base of the error models runs in both (so the refusals above are the
    changes' doing)."""
    model, feeds = _error_model()
    compare(model, feeds, rtol=RTOL, atol=ATOL)
