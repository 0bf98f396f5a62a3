"""The kernel contract (ops/registry.py) for the integer kernels, on hand-made nodes: run on
read-only inputs gives an ndarray of the output's dtype and predicted shape (0-d included),
never a view of an input, the same on a second run."""

import numpy as np
import pytest

from test_kernels_interface import node, prepare, readonly, spec

I8, U8, I16, I32 = np.int8, np.uint8, np.int16, np.int32
QA = ([0.05], [3], 0)
QB = ([0.02], [-7], 0)
QU = ([0.05], [130], 0)
Q16 = ([0.001], [0], 0)
LOGISTIC_OUT = ([1 / 256], [-128], 0)
SOFTMAX_OUT = ([1 / 256], [-128], 0)

CASES = {
    "add_scalar": lambda: node("ADD", [spec(0, I8, (), quant=QA), spec(1, I8, (), quant=QB)],
                               [spec(2, I8, (), quant=QA)], "AddOptions"),
    "mul_int16": lambda: node("MUL", [spec(0, I16, (2, 3), quant=Q16),
                                      spec(1, I16, (3,), quant=Q16)],
                              [spec(2, I16, (2, 3), quant=Q16)], "MulOptions"),
    "div_broadcast": lambda: node("DIV", [spec(0, I8, (2, 3), quant=QA),
                                          spec(1, I8, (3,), quant=QB)],
                                  [spec(2, I8, (2, 3), quant=QA)], "DivOptions"),
    "logistic_scalar": lambda: node("LOGISTIC", [spec(0, I8, (), quant=QA)],
                                    [spec(1, I8, (), quant=LOGISTIC_OUT)]),
    "tanh_int16": lambda: node("TANH", [spec(0, I16, (4,), quant=Q16)],
                               [spec(1, I16, (4,), quant=([1 / 32768], [0], 0))]),
    "prelu_scalar": lambda: node("PRELU", [spec(0, I8, (), quant=QA), spec(1, I8, (), quant=QB)],
                                 [spec(2, I8, (), quant=QA)]),
    "less_scalar": lambda: node("LESS", [spec(0, I8, (), quant=QA), spec(1, I8, (), quant=QB)],
                                [spec(2, np.bool_, ())]),
    "mean": lambda: node("MEAN", [spec(0, I8, (2, 3, 4), quant=QA),
                                  spec(1, I32, (1,), [1])],
                         [spec(2, I8, (2, 4), quant=QB)], "ReducerOptions", keep_dims=False),
    "reduce_prod": lambda: node("REDUCE_PROD", [spec(0, I16, (2, 3, 4), quant=Q16),
                                                spec(1, I32, (2,), [1, -1])],
                                [spec(2, I16, (2, 1, 1), quant=Q16)], "ReducerOptions",
                                keep_dims=True),
    "sqrt": lambda: node("SQRT", [spec(0, I8, (2, 3), quant=([0.05], [-128], 0))],
                         [spec(1, I8, (2, 3), quant=QA)]),
    "average_pool": lambda: node("AVERAGE_POOL_2D", [spec(0, I8, (1, 4, 4, 2), quant=QA)],
                                 [spec(1, I8, (1, 2, 2, 2), quant=QA)], "Pool2DOptions",
                                 padding=1, stride_w=2, stride_h=2, filter_width=2,
                                 filter_height=2),
    "max_pool_1x1": lambda: node("MAX_POOL_2D", [spec(0, I16, (1, 3, 3, 1), quant=Q16)],
                                 [spec(1, I16, (1, 3, 3, 1), quant=Q16)], "Pool2DOptions",
                                 padding=1, stride_w=1, stride_h=1, filter_width=1,
                                 filter_height=1),
    "softmax": lambda: node("SOFTMAX", [spec(0, I8, (2, 5), quant=QA)],
                            [spec(1, I8, (2, 5), quant=SOFTMAX_OUT)], "SoftmaxOptions", beta=1.0),
    "pad_zero_point": lambda: node("PAD", [spec(0, I8, (2, 2), quant=QA),
                                           spec(1, I32, (2, 2), [[1, 0], [0, 1]])],
                                   [spec(2, I8, (3, 3), quant=QA)], "PadOptions"),
    "concat_uint8": lambda: node("CONCATENATION", [spec(0, U8, (2, 1), quant=QU),
                                                   spec(1, U8, (2, 2), quant=([0.1], [0], 0))],
                                 [spec(2, U8, (2, 3), quant=QU)], "ConcatenationOptions",
                                 axis=1),
    "resize_bilinear": lambda: node("RESIZE_BILINEAR", [spec(0, I8, (1, 2, 2, 1), quant=QA),
                                                        spec(1, I32, (2,), [3, 3])],
                                    [spec(2, I8, (1, 3, 3, 1), quant=QA)],
                                    "ResizeBilinearOptions"),
    "l2_normalization": lambda: node("L2_NORMALIZATION", [spec(0, U8, (2, 3), quant=QU)],
                                     [spec(1, U8, (2, 3), quant=([1 / 128], [128], 0))],
                                     "L2NormOptions"),
    "neg": lambda: node("NEG", [spec(0, I8, (3,), quant=QA)], [spec(1, I8, (3,), quant=QB)]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_integer_kernel_contract(name):
    n = CASES[name]()
    run, shapes = prepare(n)
    rng = np.random.default_rng(len(name))
    arrays = [None if s is None else readonly(
        s.value if s.value is not None else
        rng.integers(np.iinfo(s.dtype).min, np.iinfo(s.dtype).max, s.shape, endpoint=True)
        .astype(s.dtype)) for s in n.inputs]
    first, second = run(*arrays), run(*arrays)
    out = n.outputs[0]
    assert isinstance(first, np.ndarray) and first.dtype == out.dtype
    assert first.shape == shapes[0] == tuple(out.shape)
    assert np.array_equal(first, second)
    for a in arrays:
        assert not np.shares_memory(first, a)
