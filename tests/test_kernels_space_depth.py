"""DEPTH_TO_SPACE, SPACE_TO_DEPTH, SPACE_TO_BATCH_ND, BATCH_TO_SPACE_ND against ai_edge_litert."""

import numpy as np
import pytest

from builder import T, single_op
from differential import DEFAULT, REF, compare, litert_error, numlite_error


def data(shape, dtype=np.float32, seed=0):
    rng = np.random.default_rng(seed)
    if np.dtype(dtype).kind == "f":
        return np.asarray(rng.standard_normal(shape), dtype)
    return np.asarray(rng.integers(-100, 100, shape), dtype)


@pytest.mark.parametrize("resolver", (REF, DEFAULT))
@pytest.mark.parametrize("shape,block", [((2, 4, 6, 8), 1), ((2, 4, 6, 8), 2), ((1, 3, 2, 27), 3),
                                         ((1, 1, 1, 16), 4), ((3, 2, 5, 12), 2)], ids=str)
def test_depth_to_space(shape, block, resolver):
    n, h, w, c = shape
    model = single_op("DEPTH_TO_SPACE", [T(list(shape))],
                      [T([n, h * block, w * block, c // (block * block)])],
                      options=dict(block_size=block))
    compare(model, [data(shape)], resolver=resolver)


@pytest.mark.parametrize("resolver", (REF, DEFAULT))
@pytest.mark.parametrize("shape,block", [((2, 4, 6, 8), 1), ((2, 4, 6, 8), 2), ((1, 6, 3, 2), 3),
                                         ((1, 4, 4, 1), 4), ((3, 2, 10, 3), 2)], ids=str)
def test_space_to_depth(shape, block, resolver):
    n, h, w, c = shape
    model = single_op("SPACE_TO_DEPTH", [T(list(shape))],
                      [T([n, h // block, w // block, c * block * block])],
                      options=dict(block_size=block))
    compare(model, [data(shape)], resolver=resolver)


@pytest.mark.parametrize("dtype", (np.int32, np.int64, np.int8, np.uint8))
def test_depth_space_integers(dtype):
    x = data((1, 2, 2, 8), dtype)
    compare(single_op("DEPTH_TO_SPACE", [T([1, 2, 2, 8], dtype)], [T([1, 4, 4, 2], dtype)],
                      options=dict(block_size=2)), [x])
    compare(single_op("SPACE_TO_DEPTH", [T([1, 2, 2, 8], dtype)], [T([1, 1, 1, 32], dtype)],
                      options=dict(block_size=2)), [x])


@pytest.mark.parametrize("op,shape,block", [("DEPTH_TO_SPACE", (1, 2, 2, 8), 3),
                                            ("DEPTH_TO_SPACE", (1, 2, 2, 8), 0),
                                            ("SPACE_TO_DEPTH", (1, 4, 6, 2), 3),
                                            ("SPACE_TO_DEPTH", (1, 4, 4, 2), 0)], ids=str)
def test_depth_space_refusals(op, shape, block):
    model = single_op(op, [T(list(shape))], [T(list(shape))], options=dict(block_size=block))
    x = data(shape)
    assert numlite_error(model, [x]) is not None and litert_error(model, [x]) is not None


def s2b_shape(shape, block, pads):
    m = len(block)
    padded = [s + a + b for s, (a, b) in zip(shape[1:1 + m], pads)]
    return [shape[0] * int(np.prod(block))] + [p // b for p, b in zip(padded, block)] \
        + list(shape[1 + m:])


ND_CASES = [
    ((2, 4, 6, 3), (2, 3), ((0, 0), (0, 0))),
    ((1, 5, 4, 2), (2, 2), ((1, 0), (0, 2))),
    ((3, 5, 2), (2,), ((0, 1),)),
    ((2, 3, 3, 1), (3, 1), ((0, 3), (1, 1))),
    ((1, 2, 2, 4), (1, 1), ((0, 0), (0, 0))),
    ((2, 1, 7, 2), (1, 4), ((0, 0), (1, 0))),
]


@pytest.mark.parametrize("resolver", (REF, DEFAULT))
@pytest.mark.parametrize("shape,block,pads", ND_CASES, ids=str)
def test_space_to_batch_nd(shape, block, pads, resolver):
    model = single_op("SPACE_TO_BATCH_ND",
                      [T(list(shape)), T([len(block)], np.int32, data=block),
                       T([len(block), 2], np.int32, data=pads)], [T(s2b_shape(shape, block, pads))])
    compare(model, [data(shape)], resolver=resolver)


@pytest.mark.parametrize("resolver", (REF, DEFAULT))
@pytest.mark.parametrize("shape,block,crops", ND_CASES, ids=str)
def test_batch_to_space_nd(shape, block, crops, resolver):
    # the inverse of the SPACE_TO_BATCH_ND case: crops undo the paddings
    batched = s2b_shape(shape, block, crops)
    model = single_op("BATCH_TO_SPACE_ND",
                      [T(batched), T([len(block)], np.int32, data=block),
                       T([len(block), 2], np.int32, data=crops)], [T(list(shape))])
    compare(model, [data(batched)], resolver=resolver)


def test_space_batch_round_trip_with_run_time_blocks():
    block, pads = np.asarray([2, 2], np.int32), np.asarray([[0, 2], [1, 1]], np.int32)
    s2b = single_op("SPACE_TO_BATCH_ND", [T([1, 4, 4, 2]), T([2], np.int32), T([2, 2], np.int32)],
                    [T([4, 3, 3, 2])])
    ours, _ = compare(s2b, [data((1, 4, 4, 2)), block, pads])
    b2s = single_op("BATCH_TO_SPACE_ND", [T([4, 3, 3, 2]), T([2], np.int32), T([2, 2], np.int32)],
                    [T([1, 4, 4, 2])])
    back, _ = compare(b2s, [ours[0], block, pads])
    np.testing.assert_array_equal(back[0], data((1, 4, 4, 2)))


@pytest.mark.parametrize("dtype", (np.int32, np.int64, np.uint8))
def test_space_batch_integers(dtype):
    shape, block, pads = ND_CASES[1]
    model = single_op("SPACE_TO_BATCH_ND",
                      [T(list(shape), dtype), T([2], np.int32, data=block),
                       T([2, 2], np.int32, data=pads)], [T(s2b_shape(shape, block, pads), dtype)])
    compare(model, [data(shape, dtype)])


@pytest.mark.parametrize("op,shape,block,pairs", [
    ("SPACE_TO_BATCH_ND", (1, 5, 4, 2), (2, 2), ((0, 0), (0, 0))),      # not divisible
    ("BATCH_TO_SPACE_ND", (3, 5, 4, 2), (2, 2), ((0, 0), (0, 0))),      # batch not divisible
    ("SPACE_TO_BATCH_ND", (1, 2, 4, 4, 2), (1, 2, 2), ((0, 0),) * 3),   # rank 5
], ids=str)
def test_space_batch_refusals(op, shape, block, pairs):
    model = single_op(op, [T(list(shape)), T([len(block)], np.int32, data=block),
                           T([len(block), 2], np.int32, data=pairs)], [T(list(shape))])
    x = data(shape)
    assert numlite_error(model, [x]) is not None and litert_error(model, [x]) is not None
