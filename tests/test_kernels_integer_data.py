"""Quantized data movement against ai_edge_litert's reference kernels, bit for bit: ops that
only move raw integers (their plain kernels), the zero point as padding value, uint8
CONCATENATION requantizing its inputs, and int8/int16 RESIZE_BILINEAR's integer
interpolation. Also the pass-through ops whose plain kernels already accept quantized
tensors, so that a regression there shows here."""

import numpy as np
import pytest

from builder import T, single_op
from differential import compare, litert_error, numlite_error
from quant_cases import DTYPES, compare_default, qt, random_zp, values

I32 = np.int32


def cases(dtype, zp):
    def x(shape):
        return qt(shape, dtype, 0.05, zp)
    yield "RESHAPE", [x((2, 3, 4)), T([2], I32, data=[6, 4])], [x((6, 4))], dict(new_shape=[6, 4])
    yield "TRANSPOSE", [x((2, 3, 4)), T([3], I32, data=[2, 0, 1])], [x((4, 2, 3))], None
    yield "STRIDED_SLICE", [x((4, 6)), T([2], I32, data=[1, 0]), T([2], I32, data=[3, 6]),
                            T([2], I32, data=[1, 2])], [x((2, 3))], {}
    yield "SLICE", [x((4, 6)), T([2], I32, data=[1, 2]), T([2], I32, data=[2, 3])], \
        [x((2, 3))], {}
    yield "GATHER", [x((4, 6)), T([3], I32, data=[3, 0, 2])], [x((3, 6))], dict(axis=0)
    yield "SPLIT", [T([], I32, data=1), x((2, 6))], [x((2, 3)), x((2, 3))], dict(num_splits=2)
    yield "PACK", [x((2, 3)), x((2, 3))], [x((2, 2, 3))], dict(values_count=2, axis=1)
    yield "UNPACK", [x((2, 3))], [x((3,)), x((3,))], dict(num=2, axis=0)
    yield "REDUCE_MAX", [x((3, 5)), T([1], I32, data=[1])], [x((3,))], dict(keep_dims=False)
    yield "MAXIMUM", [x((3, 5)), x((5,))], [x((3, 5))], None
    if dtype != "int16":       # LiteRT's ARG_MAX refuses int16
        yield "ARG_MAX", [x((3, 5)), T([1], I32, data=[1])], [T([3], I32)], \
            dict(output_type="INT32")
    yield "EXPAND_DIMS", [x((3, 5)), T([], I32, data=1)], [x((3, 1, 5))], {}
    yield "TILE", [x((2, 3)), T([2], I32, data=[2, 2])], [x((4, 6))], {}
    yield "CONCATENATION", [x((3, 5)), x((2, 5))], [x((5, 5))], dict(axis=0)
    yield "BATCH_TO_SPACE_ND", [x((4, 2, 2, 2)), T([2], I32, data=[2, 2]),
                                T([2, 2], I32, data=[[0, 1], [1, 0]])], [x((1, 3, 3, 2))], {}
    yield "SPACE_TO_BATCH_ND", [x((1, 3, 3, 2)), T([2], I32, data=[2, 2]),
                                T([2, 2], I32, data=[[1, 0], [0, 1]])], [x((4, 2, 2, 2))], {}
    yield "MIRROR_PAD", [x((3, 5)), T([2, 2], I32, data=[[1, 1], [2, 2]])], [x((5, 9))], \
        dict(mode="REFLECT")
    yield "PAD", [x((3, 5)), T([2, 2], I32, data=[[1, 2], [2, 0]])], [x((6, 7))], {}
    yield "PADV2", [x((3, 5)), T([2, 2], I32, data=[[1, 1], [0, 2]]),
                    qt((), dtype, 0.05, zp, data=np.array(7, DTYPES[dtype]))], [x((5, 7))], {}
    yield "PADV2", [x((2, 2)), T([2, 2], I32, data=[[1, 1], [1, 1]])], [x((4, 4))], {}
    yield "RESIZE_NEAREST_NEIGHBOR", [x((1, 3, 4, 2)), T([2], I32, data=[6, 7])], \
        [x((1, 6, 7, 2))], dict(align_corners=False, half_pixel_centers=True)
    if dtype != "int16":       # LiteRT's SPACE_TO_DEPTH / DEPTH_TO_SPACE take 8-bit only
        yield "SPACE_TO_DEPTH", [x((1, 4, 4, 2))], [x((1, 2, 2, 8))], dict(block_size=2)
        yield "DEPTH_TO_SPACE", [x((1, 2, 2, 8))], [x((1, 4, 4, 2))], dict(block_size=2)


def feeds_for(rng, inputs, dtype):
    return [values(rng, t.shape, dtype) for t in inputs if t.data is None]


@pytest.mark.parametrize("dtype", ("int8", "uint8", "int16"))
def test_data_movement(dtype):
    rng = np.random.default_rng(len(dtype))
    for zp in {0, random_zp(rng, dtype)}:
        for op, inputs, outputs, options in cases(dtype, zp):
            m = single_op(op, inputs, outputs, options=options)
            compare(m, feeds_for(rng, inputs, dtype))


@pytest.mark.parametrize("dtype", ("int8", "uint8", "int16"))
@pytest.mark.parametrize("op", ("MAXIMUM", "MINIMUM"))
def test_maximum_minimum_compare_raw_values(op, dtype):
    """LiteRT takes the raw maximum/minimum whatever the three quantizations."""
    rng = np.random.default_rng(len(op) + len(dtype))
    m = single_op(op, [qt((4, 5), dtype, 0.05, random_zp(rng, dtype)),
                       qt((5,), dtype, 0.02, random_zp(rng, dtype))],
                  [qt((4, 5), dtype, 0.1, random_zp(rng, dtype))])
    compare(m, [values(rng, (4, 5), dtype), values(rng, (5,), dtype)])


def test_padding_needs_same_quantization():
    m = single_op("PAD", [qt((2, 2), "int8", 0.1, 3), T([2, 2], I32, data=[[1, 1], [1, 1]])],
                  [qt((4, 4), "int8", 0.2, 3)], options={})
    assert "quantization differ" in numlite_error(m, [np.zeros((2, 2), np.int8)])


def test_concatenation_requantizes_uint8():
    rng = np.random.default_rng(7)
    for _ in range(4):
        scales = [float(np.float32(rng.uniform(0.01, 0.2))) for _ in range(3)]
        zps = [int(rng.integers(0, 256)) for _ in range(3)]
        m = single_op("CONCATENATION", [qt((2, 3), "uint8", scales[0], zps[0]),
                                        qt((2, 4), "uint8", scales[1], zps[1])],
                      [qt((2, 7), "uint8", scales[2], zps[2])], options=dict(axis=1))
        compare(m, [values(rng, (2, 3), "uint8"), values(rng, (2, 4), "uint8")])


def test_concatenation_int16_copies_raw_values():
    """LiteRT copies int16 inputs raw even when their scales differ from the output's."""
    rng = np.random.default_rng(8)
    m = single_op("CONCATENATION", [qt((2, 3), "int16", 0.001), qt((2, 4), "int16", 0.003)],
                  [qt((2, 7), "int16", 0.002)], options=dict(axis=1))
    compare(m, [values(rng, (2, 3), "int16"), values(rng, (2, 4), "int16")])


def test_concatenation_int8_requantizing_refused():
    m = single_op("CONCATENATION", [qt((2, 3), "int8", 0.1), qt((2, 4), "int8", 0.2)],
                  [qt((2, 7), "int8", 0.1)], options=dict(axis=1))
    feeds = [np.zeros((2, 3), np.int8), np.zeros((2, 4), np.int8)]
    assert "failed to prepare" in litert_error(m, feeds)
    assert "different from the output" in numlite_error(m, feeds)


RESIZES = [((1, 3, 4, 2), (6, 7)), ((2, 5, 5, 3), (3, 2)), ((1, 1, 4, 1), (5, 9)),
           ((1, 4, 4, 2), (4, 4))]


@pytest.mark.parametrize("shapes", RESIZES, ids=str)
@pytest.mark.parametrize("dtype", ("int8", "uint8", "int16"))
def test_resize_bilinear(dtype, shapes):
    rng = np.random.default_rng([len(dtype), RESIZES.index(shapes)])
    shape, size = shapes
    for align, half in ((False, False), (True, False), (False, True)):
        zp = random_zp(rng, dtype)
        m = single_op("RESIZE_BILINEAR", [qt(shape, dtype, 0.05, zp),
                                          T([2], I32, data=list(size))],
                      [qt((shape[0], *size, shape[3]), dtype, 0.05, zp)],
                      options=dict(align_corners=align, half_pixel_centers=half))
        x = values(rng, shape, dtype)
        compare(m, [x])
        compare_default(m, [x])
