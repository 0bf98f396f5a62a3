"""PAD, PADV2, MIRROR_PAD against ai_edge_litert."""

import numpy as np
import pytest

from builder import T, single_op
from differential import DEFAULT, REF, compare, litert_error, numlite_error

PADDINGS = [
    ((2, 3, 4, 5), [[0, 0], [1, 2], [2, 1], [0, 0]]),
    ((2, 3, 4, 5), [[1, 0], [0, 0], [3, 3], [1, 1]]),
    ((2, 3, 4, 5), [[0, 0], [0, 0], [0, 0], [0, 0]]),
    ((7,), [[2, 3]]),
    ((3, 4), [[0, 2], [1, 0]]),
    ((2, 3, 4), [[1, 1], [2, 2], [3, 3]]),
    ((1, 2, 1, 2, 3), [[0, 1], [1, 0], [2, 2], [0, 1], [1, 1]]),
    ((2, 0, 3), [[1, 0], [1, 1], [0, 2]]),
]


def padded(shape, pads):
    return [d + b + a for d, (b, a) in zip(shape, pads)]


def data(shape, dtype=np.float32, seed=0):
    rng = np.random.default_rng(seed)
    if np.dtype(dtype).kind == "f":
        return np.asarray(rng.standard_normal(shape), dtype)
    if dtype == np.bool_:
        return rng.random(shape) > 0.5
    return np.asarray(rng.integers(-100, 100, shape), dtype)


@pytest.mark.parametrize("resolver", (REF, DEFAULT))
@pytest.mark.parametrize("pad_type", (np.int32, np.int64))
@pytest.mark.parametrize("shape,pads", PADDINGS, ids=str)
def test_pad(shape, pads, pad_type, resolver):
    model = single_op("PAD", [T(list(shape)), T([len(shape), 2], pad_type, data=pads)],
                      [T(padded(shape, pads))])
    compare(model, [data(shape)], resolver=resolver)


@pytest.mark.parametrize("dtype", (np.int32, np.int64, np.int8, np.uint8, np.int16))
def test_pad_integers(dtype):
    shape, pads = PADDINGS[0]
    model = single_op("PAD", [T(list(shape), dtype), T([4, 2], np.int32, data=pads)],
                      [T(padded(shape, pads), dtype)])
    compare(model, [data(shape, dtype)])


@pytest.mark.parametrize("value_shape", ([], [1]))
@pytest.mark.parametrize("shape,pads", PADDINGS[:2] + PADDINGS[5:7], ids=str)
def test_padv2(shape, pads, value_shape):
    model = single_op("PADV2", [T(list(shape)), T([len(shape), 2], np.int32, data=pads),
                                T(value_shape, data=np.full(value_shape, -2.5, np.float32))],
                      [T(padded(shape, pads))])
    compare(model, [data(shape)])


@pytest.mark.parametrize("dtype", (np.float32, np.int32, np.int8))
def test_padv2_value_fed_at_run_time(dtype):
    shape, pads = PADDINGS[1]
    model = single_op("PADV2", [T(list(shape), dtype), T([4, 2], np.int32, data=pads),
                                T([], dtype)], [T(padded(shape, pads), dtype)])
    compare(model, [data(shape, dtype), np.asarray(7, dtype)])


def test_pad_paddings_fed_at_run_time():
    model = single_op("PAD", [T([2, 3, 4]), T([3, 2], np.int32)], [T([2, 3, 4])])
    for pads in ([[0, 1], [1, 1], [2, 0]], [[1, 1], [0, 0], [0, 3]]):
        compare(model, [data((2, 3, 4)), np.asarray(pads, np.int32)])


@pytest.mark.parametrize("shape,pads", [((2, 3), [[0, -1], [1, 1]]),
                                        ((1, 2, 1, 2, 1, 2), [[0, 1]] * 6)], ids=str)
def test_pad_refusals_match_litert(shape, pads):
    out = [max(d, 1) for d in padded(shape, pads)]
    model = single_op("PAD", [T(list(shape)), T([len(shape), 2], np.int32, data=pads)], [T(out)])
    x = data(shape)
    ours, theirs = numlite_error(model, [x]), litert_error(model, [x], REF)
    assert ours is not None and ours.splitlines()[0] in theirs


MIRROR = [
    ((2, 3, 4, 5), [[0, 0], [1, 2], [2, 3], [0, 0]]),
    ((2, 3, 4, 5), [[1, 1], [2, 2], [3, 3], [4, 4]]),
    ((2, 3, 4, 5), [[0, 0], [2, 0], [0, 0], [0, 4]]),
    ((6,), [[3, 5]]),
    ((4, 5), [[3, 0], [0, 4]]),
    ((2, 3, 4), [[0, 0], [0, 0], [0, 0]]),
]


@pytest.mark.parametrize("resolver", (REF, DEFAULT))
@pytest.mark.parametrize("shape,pads", MIRROR, ids=str)
@pytest.mark.parametrize("mode", ("REFLECT", "SYMMETRIC"))
def test_mirror_pad(mode, shape, pads, resolver):
    model = single_op("MIRROR_PAD", [T(list(shape)), T([len(shape), 2], np.int32, data=pads)],
                      [T(padded(shape, pads))], options=dict(mode=mode))
    compare(model, [data(shape)], resolver=resolver)


@pytest.mark.parametrize("mode", ("REFLECT", "SYMMETRIC"))
def test_mirror_pad_at_the_limit_and_beyond(mode):
    limit = 3 if mode == "REFLECT" else 4          # input dimension 4
    for pad, fails in ((limit, False), (limit + 1, True)):
        pads = [[0, 0], [pad, pad]]
        model = single_op("MIRROR_PAD", [T([2, 4]), T([2, 2], np.int64, data=pads)],
                          [T([2, 4 + 2 * pad])], options=dict(mode=mode))
        x = data((2, 4))
        if fails:
            ours, theirs = numlite_error(model, [x]), litert_error(model, [x])
            assert ours is not None and ours.splitlines()[0] in theirs
        else:
            compare(model, [x])


def test_mirror_pad_integers_and_run_time_paddings():
    model = single_op("MIRROR_PAD", [T([3, 4], np.int32), T([2, 2], np.int32)],
                      [T([3, 4], np.int32)], options=dict(mode="SYMMETRIC"))
    compare(model, [data((3, 4), np.int32), np.asarray([[1, 2], [3, 0]], np.int32)])
