"""AVERAGE_POOL_2D, MAX_POOL_2D, L2_POOL_2D (float32) against ai_edge_litert."""

import numpy as np
import pytest

from builder import T, single_op
from differential import DEFAULT, REF, compare, compare_sequence, litert_error, numlite_error

TOL = dict(rtol=1e-5, atol=1e-5)
OPS = ("AVERAGE_POOL_2D", "MAX_POOL_2D", "L2_POOL_2D")


def out_dim(padding, size, k, stride):
    return -(-size // stride) if padding == "SAME" else (size - k) // stride + 1


# (input shape, (filter_h, filter_w), padding, (stride_h, stride_w), activation)
CASES = [
    ((1, 8, 8, 3), (2, 2), "VALID", (2, 2), "NONE"),
    ((2, 7, 9, 3), (3, 3), "SAME", (1, 1), "NONE"),
    ((1, 7, 9, 2), (3, 2), "SAME", (2, 2), "RELU"),
    ((1, 9, 7, 4), (2, 3), "VALID", (2, 1), "RELU6"),
    ((1, 7, 9, 2), (7, 9), "VALID", (1, 1), "NONE"),       # global pool
    ((1, 7, 9, 2), (7, 9), "SAME", (1, 1), "RELU_N1_TO_1"),
    ((1, 11, 10, 3), (5, 5), "SAME", (3, 3), "NONE"),
    ((1, 6, 6, 2), (1, 1), "VALID", (2, 2), "NONE"),       # subsampling only
    ((1, 5, 4, 2), (3, 3), "SAME", (4, 4), "NONE"),        # stride above filter
    ((1, 20, 21, 2), (19, 20), "SAME", (2, 3), "NONE"),    # wide filters: window reductions
    ((1, 3, 3, 1), (3, 3), "VALID", (1, 1), "NONE"),
]


def pool_model(op, in_shape, kernel, padding, strides, act):
    out = [in_shape[0], out_dim(padding, in_shape[1], kernel[0], strides[0]),
           out_dim(padding, in_shape[2], kernel[1], strides[1]), in_shape[3]]
    return single_op(op, [T(list(in_shape))], [T(out)], options=dict(
        padding=padding, stride_h=strides[0], stride_w=strides[1], filter_height=kernel[0],
        filter_width=kernel[1], fused_activation_function=act))


@pytest.mark.parametrize("resolver", (REF, DEFAULT))
@pytest.mark.parametrize("case", CASES, ids=str)
@pytest.mark.parametrize("op", OPS)
def test_pool(op, case, resolver):
    rng = np.random.default_rng(len(str(case)))
    x = np.asarray(rng.standard_normal(case[0]) * 3, np.float32)
    compare(pool_model(op, *case), [x], resolver=resolver, **TOL)


@pytest.mark.parametrize("op", OPS)
def test_pool_invokes_again(op):
    rng = np.random.default_rng(1)
    model = pool_model(op, (1, 6, 7, 3), (3, 3), "SAME", (2, 2), "NONE")
    steps = [[np.asarray(rng.standard_normal((1, 6, 7, 3)), np.float32)] for _ in range(3)]
    compare_sequence(model, steps, **TOL)


def test_max_pool_padding_never_wins():
    # all-negative input: the SAME border must not contribute (LiteRT skips padded cells)
    x = -np.arange(1, 1 + 2 * 5 * 5, dtype=np.float32).reshape(2, 5, 5, 1)
    compare(pool_model("MAX_POOL_2D", (2, 5, 5, 1), (3, 3), "SAME", (1, 1), "NONE"), [x])


@pytest.mark.parametrize("field", ("stride_h", "stride_w", "filter_height", "filter_width"))
@pytest.mark.parametrize("op", OPS)
def test_pool_refuses_zero_strides_and_filters(op, field):
    options = dict(padding="SAME", stride_h=1, stride_w=1, filter_height=2, filter_width=2)
    options[field] = 0
    model = single_op(op, [T([1, 4, 4, 1])], [T([1, 4, 4, 1])], options=options)
    x = np.zeros((1, 4, 4, 1), np.float32)
    ours = numlite_error(model, [x])
    assert ours is not None
    if field.startswith("stride"):
        assert ours.splitlines()[0] in litert_error(model, [x])
    # (LiteRT runs a zero-sized filter and returns an empty tensor; numlite refuses it)


@pytest.mark.parametrize("resolver", (REF, DEFAULT))
@pytest.mark.parametrize("seed", range(20))
@pytest.mark.parametrize("op", OPS)
def test_pool_random_configurations(op, seed, resolver):
    rng = np.random.default_rng(seed)
    padding = str(rng.choice(["SAME", "VALID"]))
    while True:
        h, w = (int(v) for v in rng.integers(1, 12, 2))
        kh, kw = (int(v) for v in rng.integers(1, 7, 2))
        sh, sw = (int(v) for v in rng.integers(1, 4, 2))
        if out_dim(padding, h, kh, sh) >= 1 and out_dim(padding, w, kw, sw) >= 1:
            break
    shape = (int(rng.integers(1, 3)), h, w, int(rng.integers(1, 5)))
    x = np.asarray(rng.standard_normal(shape) * 3, np.float32)
    compare(pool_model(op, shape, (kh, kw), padding, (sh, sw), "NONE"), [x], resolver=resolver,
            **TOL)
