"""SLICE, STRIDED_SLICE, DYNAMIC_UPDATE_SLICE, REVERSE_V2 against ai_edge_litert. All exact.

STRIDED_SLICE: typical converter patterns, every mask, negative strides and indices, and
400 random specs. LiteRT reads out of bounds (or crashes) on some specs TensorFlow rejects:
shrink indices out of range, ``offset`` ends beyond the dimension, and ``offset`` combined
with end_mask/shrink_axis_mask or empty results; the random specs stay clear of those, and
numlite refuses out-of-range shrink indices at prepare.
"""

import numpy as np
import pytest

from builder import T, single_op
from differential import compare, compare_dynamic, litert_error, numlite_error, run_numlite

DTYPES = (np.float32, np.float16, np.float64, np.int8, np.uint8, np.int16, np.int32, np.int64,
          np.bool_, "string")


def name(dtype):
    return dtype if isinstance(dtype, str) else np.dtype(dtype).name


def values(shape, dtype=np.float32):
    n = int(np.prod(shape))
    if dtype == "string":
        return np.array([b"v%d" % i for i in range(n)], dtype=object).reshape(shape)
    if np.dtype(dtype).kind == "b":
        return (np.arange(n) % 3 == 0).reshape(shape)
    return np.arange(n).reshape(shape).astype(dtype)


# ---- SLICE -----------------------------------------------------------------------------------

SLICES = [((5,), [1], [3]), ((5,), [0], [-1]), ((5,), [5], [0]), ((3, 4), [1, 0], [2, -1]),
          ((3, 4), [0, 2], [3, 2]), ((2, 3, 4), [1, 1, 1], [1, 2, 3]),
          ((2, 3, 4, 5), [0, 1, 2, 3], [-1, -1, 2, 1]), ((1, 2, 3, 4, 5), [0, 0, 1, 1, 1],
                                                         [1, 2, 2, 2, -1])]


@pytest.mark.parametrize("index_dtype", (np.int32, np.int64), ids=name)
@pytest.mark.parametrize("shape,begin,size", SLICES, ids=str)
def test_slice(shape, begin, size, index_dtype):
    x = values(shape)
    out = [d - b if s == -1 else s for d, b, s in zip(shape, begin, size)]
    m = single_op("SLICE", [T(list(shape)), T([len(begin)], index_dtype, data=begin),
                            T([len(size)], index_dtype, data=size)], [T(out)])
    compare_dynamic(m, [x])
    m = single_op("SLICE", [T(list(shape)), T([len(begin)], index_dtype),
                            T([len(size)], index_dtype)], [T(out)])
    compare_dynamic(m, [x, np.array(begin, index_dtype), np.array(size, index_dtype)])


@pytest.mark.parametrize("dtype", DTYPES, ids=name)
def test_slice_dtypes(dtype):
    m = single_op("SLICE", [T([3, 4], dtype), T([2], np.int32, data=[1, 1]),
                            T([2], np.int32, data=[2, 2])], [T([2, 2], dtype)])
    compare(m, [values((3, 4), dtype)])


@pytest.mark.parametrize("begin,size", [([0, 3], [1, 2]), ([-1, 0], [1, 1]), ([0, 0], [4, 1]),
                                        ([0, 0], [1, -2])], ids=str)
def test_slice_out_of_range_fails(begin, size):
    m = single_op("SLICE", [T([3, 4]), T([2], np.int32, data=begin),
                            T([2], np.int32, data=size)], [T([1])])
    feeds = [values((3, 4))]
    assert litert_error(m, feeds) is not None
    assert "Node number 0 (SLICE) failed to prepare." in numlite_error(m, feeds)


# ---- STRIDED_SLICE ---------------------------------------------------------------------------

def strided(shape, begin, end, strides, dtype=np.float32, const=True, **masks):
    n = len(begin)
    consts = [np.array(v, np.int32) for v in (begin, end, strides)]
    return single_op("STRIDED_SLICE", [T(list(shape), dtype)] +
                     [T([n], np.int32, data=c if const else None) for c in consts],
                     [T([1], dtype)], options=masks)


PATTERNS = [  # shape, begin, end, strides, masks       (python equivalent)
    ((4, 6), [0, 1], [0, 3], [1, 1], dict(begin_mask=1, end_mask=1)),          # x[:, 1:3]
    ((4, 6), [0, -1], [0, 0], [1, 1], dict(shrink_axis_mask=2, begin_mask=1, end_mask=1)),
    ((2, 3, 4), [0], [0], [1], dict(ellipsis_mask=1)),                         # x[...]
    ((2, 3, 4), [0, 0], [0, 1], [1, 1], dict(ellipsis_mask=1, shrink_axis_mask=2)),  # x[..., 0]
    ((2, 3, 4), [0, 0], [0, 0], [1, 1], dict(begin_mask=1, end_mask=1, new_axis_mask=2)),
    ((2, 3, 4), [0, 0, 0], [0, 0, 0], [1, 1, 1], dict(new_axis_mask=1, ellipsis_mask=2,
                                                       begin_mask=4, end_mask=4)),
    ((7,), [0], [0], [-1], dict(begin_mask=1, end_mask=1)),                     # x[::-1]
    ((7,), [1], [-1], [2], {}),                                                 # x[1:-1:2]
    ((7,), [-2], [-8], [-2], {}),                                               # x[-2::-2]
    ((3, 5), [2, 4], [0, 0], [-1, -2], dict(end_mask=3)),                      # x[2::-1, 4::-2]
    ((3, 5), [10, -10], [-10, 10], [-1, 1], {}),                                # clamping
    ((2, 3, 4, 5), [1, 0, 1, 0], [2, 3, 3, 5], [1, 1, 1, 2], {}),
    ((2, 3, 4, 5), [0, 1], [1, 2], [1, 1], dict(shrink_axis_mask=3)),          # x[0, 1]
    ((2, 3), [1, 2], [2, 3], [1, 1], dict(shrink_axis_mask=3)),                # a 0-d result
    ((1, 4, 4, 3), [0, 0, 0, 0], [1, 4, 4, 3], [1, 2, 2, 1], {}),               # spatial stride
    ((3, 4), [1, 1], [1, 2], [1, 1], dict(offset=True)),                        # x[1:2, 1:3]
    ((3, 4), [0, 2], [3, 2], [1, 1], dict(offset=True)),
    ((3, 4), [0, 1], [2, 3], [1, 1], dict(offset=True, begin_mask=1)),
    ((2, 3, 4), [1, 0, 1], [1, 3, 2], [1, 1, 2], dict(offset=True)),
    ((3, 4), [5, 5], [6, 6], [1, 1], {}),                                       # empty
    ((3, 4), [0, 3], [3, 1], [1, 1], {}),                                       # empty
    ((2, 3, 4), [0, 0, 0], [0, 0, 0], [1, 1, 1], dict(new_axis_mask=7)),       # only new axes
]


@pytest.mark.parametrize("shape,begin,end,strides,masks", PATTERNS, ids=str)
def test_strided_slice_patterns(shape, begin, end, strides, masks):
    x = values(shape)
    compare_dynamic(strided(shape, begin, end, strides, **masks), [x])
    compare_dynamic(strided(shape, begin, end, strides, const=False, **masks),
                    [x] + [np.array(v, np.int32) for v in (begin, end, strides)])


def random_spec(seed):
    """A spec inside what LiteRT handles: no offset, shrink indices in range."""
    rng = np.random.default_rng(seed)
    rank = int(rng.integers(1, 5))
    shape = tuple(int(d) for d in rng.integers(1, 5, rank))
    n = int(rng.integers(1, rank + 1))
    begin = rng.integers(-6, 6, n).tolist()
    end = rng.integers(-6, 6, n).tolist()
    strides = [int(v) for v in rng.choice([-3, -2, -1, 1, 1, 2, 3], n)]
    masks = dict(begin_mask=int(rng.integers(0, 2 ** n)), end_mask=int(rng.integers(0, 2 ** n)))
    if rng.random() < 0.5:
        shrink = int(rng.integers(0, 2 ** n))
        masks["shrink_axis_mask"] = shrink
        for i in range(n):
            if (shrink >> i) & 1:
                strides[i] = abs(strides[i])
                begin[i] = int(rng.integers(-shape[i], shape[i]))
    elif rng.random() < 0.4:
        masks["new_axis_mask"] = int(rng.integers(0, 2 ** n))
    if rng.random() < 0.3:
        masks["ellipsis_mask"] = 1 << int(rng.integers(0, n))
        masks.pop("shrink_axis_mask", None)
    return shape, begin, end, strides, masks


@pytest.mark.parametrize("chunk", range(8))
def test_strided_slice_random(chunk):
    for seed in range(chunk * 50, chunk * 50 + 50):
        shape, begin, end, strides, masks = random_spec(seed)
        compare_dynamic(strided(shape, begin, end, strides, **masks), [values(shape)])


@pytest.mark.parametrize("dtype", DTYPES, ids=name)
def test_strided_slice_dtypes(dtype):
    m = strided((3, 4), [2, 0], [0, 4], [-1, 2], dtype=dtype, end_mask=1)
    compare(m, [values((3, 4), dtype)])


def test_strided_slice_refuses_int64_indices():
    consts = [np.array(v, np.int64) for v in ([1, 0], [3, 4], [1, 3])]
    m = single_op("STRIDED_SLICE", [T([3, 4])] + [T([2], np.int64, data=c) for c in consts],
                  [T([2, 2])], options={})
    feeds = [values((3, 4))]
    assert "op_context.begin->type != kTfLiteInt32" in litert_error(m, feeds)
    assert "Node number 0 (STRIDED_SLICE) failed to prepare." in numlite_error(m, feeds)


def test_strided_slice_refuses_zero_stride_and_bad_shrink():
    feeds = [values((3, 4))]
    m = strided((3, 4), [0, 0], [3, 4], [1, 0])
    assert litert_error(m, feeds) is not None
    assert "Node number 0 (STRIDED_SLICE) failed to prepare." in numlite_error(m, feeds)
    m = strided((3, 4), [5, 0], [6, 4], [1, 1], shrink_axis_mask=1)
    assert "Node number 0 (STRIDED_SLICE) failed to prepare." in numlite_error(m, feeds)


# ---- DYNAMIC_UPDATE_SLICE --------------------------------------------------------------------

DUS = [((5,), (2,), [1]), ((5,), (2,), [4]), ((5,), (2,), [-3]), ((4, 5), (2, 3), [1, 1]),
       ((4, 5), (4, 5), [1, 1]), ((4, 5), (1, 2), [3, 9]), ((2, 3, 4), (1, 3, 2), [1, 0, 2]),
       ((2, 3, 4), (2, 0, 2), [0, 1, 1])]


@pytest.mark.parametrize("index_dtype", (np.int32, np.int64), ids=name)
@pytest.mark.parametrize("shape,update_shape,start", DUS, ids=str)
def test_dynamic_update_slice(shape, update_shape, start, index_dtype):
    """Start indices are clamped so the update fits."""
    m = single_op("DYNAMIC_UPDATE_SLICE", [T(list(shape)), T(list(update_shape)),
                                           T([len(start)], index_dtype)], [T(list(shape))])
    compare(m, [values(shape), -1 - values(update_shape), np.array(start, index_dtype)])


@pytest.mark.parametrize("dtype", DTYPES[:-1], ids=name)
def test_dynamic_update_slice_dtypes(dtype):
    m = single_op("DYNAMIC_UPDATE_SLICE", [T([3, 4], dtype), T([2, 2], dtype),
                                           T([2], np.int32, data=[1, 1])], [T([3, 4], dtype)])
    upd = values((2, 2), dtype)[::-1].copy()
    compare(m, [values((3, 4), dtype), upd])


# ---- REVERSE_V2 ------------------------------------------------------------------------------

REVERSES = [((5,), [0]), ((5,), [-1]), ((3, 4), [0]), ((3, 4), [1]), ((2, 3, 4), [1]),
            ((2, 3, 4), [-1]), ((2, 3, 4, 5), [2]), ((2, 3, 4, 5), [0])]
# (LiteRT crashes reversing an empty tensor)


@pytest.mark.parametrize("shape,axes", REVERSES, ids=str)
def test_reverse_v2(shape, axes):
    axis_dtype = np.int32
    x = values(shape)
    m = single_op("REVERSE_V2", [T(list(shape)), T([len(axes)], axis_dtype,
                                                   data=np.array(axes, axis_dtype))],
                  [T(list(shape))])
    compare(m, [x])
    m = single_op("REVERSE_V2", [T(list(shape)), T([len(axes)], axis_dtype)], [T(list(shape))])
    compare(m, [x, np.array(axes, axis_dtype)])


def test_reverse_v2_refuses_int64_axes():
    m = single_op("REVERSE_V2", [T([3, 4]), T([1], np.int64, data=[1])], [T([3, 4])])
    feeds = [values((3, 4))]
    text = "Axis Type 'INT64' is not supported by reverse."
    assert text in litert_error(m, feeds) and text in numlite_error(m, feeds)


def test_reverse_v2_empty():
    m = single_op("REVERSE_V2", [T([2, 0, 3]), T([1], np.int32, data=[0])], [T([2, 0, 3])])
    out = run_numlite(m, [np.zeros((2, 0, 3), np.float32)])[0]
    assert out.shape == (2, 0, 3)


@pytest.mark.parametrize("dtype", (np.float32, np.float16, np.int8, np.uint8, np.int16, np.int32,
                                   np.int64, np.bool_), ids=name)
def test_reverse_v2_dtypes(dtype):
    m = single_op("REVERSE_V2", [T([3, 4], dtype), T([1], np.int32, data=[1])], [T([3, 4], dtype)])
    compare(m, [values((3, 4), dtype)])


# ---- REVERSE_SEQUENCE ------------------------------------------------------------------------

@pytest.mark.parametrize("lengths_dtype", (np.int32, np.int64), ids=name)
@pytest.mark.parametrize("shape,seq_dim,batch_dim", [((3, 5), 1, 0), ((5, 3), 0, 1),
                                                      ((2, 4, 3), 1, 0), ((4, 2, 3), 0, 2),
                                                      ((2, 3, 4, 2), 2, 1)], ids=str)
def test_reverse_sequence(shape, seq_dim, batch_dim, lengths_dtype):
    rng = np.random.default_rng(len(shape) + seq_dim)
    lengths = np.asarray(rng.integers(0, shape[seq_dim] + 1, size=shape[batch_dim]),
                         lengths_dtype)
    m = single_op("REVERSE_SEQUENCE", [T(list(shape)), T([shape[batch_dim]], lengths_dtype)],
                  [T(list(shape))], options=dict(seq_dim=seq_dim, batch_dim=batch_dim))
    compare(m, [values(shape), lengths])


@pytest.mark.parametrize("dtype", (np.float32, np.int16, np.int32, np.int64, np.uint8),
                         ids=name)
def test_reverse_sequence_dtypes(dtype):
    m = single_op("REVERSE_SEQUENCE", [T([2, 4], dtype), T([2], np.int32, data=[3, 4])],
                  [T([2, 4], dtype)], options=dict(seq_dim=1, batch_dim=0))
    compare(m, [values((2, 4), dtype)])


# ---- BUCKETIZE (an elementwise op; with REVERSE_SEQUENCE for the converter's shape cases) ---

@pytest.mark.parametrize("dtype", (np.float32, np.float64, np.int32, np.int64), ids=name)
@pytest.mark.parametrize("boundaries", [[-1.0, 0.0, 0.5, 2.0], [0.0], [], [1.0, 1.0, 3.0]],
                         ids=str)
def test_bucketize(boundaries, dtype):
    rng = np.random.default_rng(len(boundaries))
    x = np.asarray(rng.standard_normal((3, 5)) * 2, dtype) if np.dtype(dtype).kind == "f" \
        else np.asarray(rng.integers(-3, 4, (3, 5)), dtype)
    if np.dtype(dtype).kind == "f":
        x.reshape(-1)[:4] = [-1.0, 0.0, 0.5, 2.0]          # on the boundaries
    m = single_op("BUCKETIZE", [T([3, 5], dtype)], [T([3, 5], np.int32)],
                  options=dict(boundaries=boundaries))
    compare(m, [x])
