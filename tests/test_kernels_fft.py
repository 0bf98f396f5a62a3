"""RFFT2D against ai_edge_litert: crop and zero-pad to fft_length, batch dimensions,
constant and run-time fft_length, LiteRT's power-of-two check."""

import numpy as np
import pytest

from builder import T, single_op
from differential import DEFAULT, REF, compare, litert_error, numlite_error

ATOL = RTOL = 1e-4


def rfft2d_model(in_shape, fft_length, const=True):
    fh, fw = fft_length
    out_shape = list(in_shape[:-2]) + [fh, fw // 2 + 1]
    length = T([2], np.int32, data=np.asarray(fft_length, np.int32) if const else None)
    return single_op("RFFT2D", [T(list(in_shape)), length], [T(out_shape, np.complex64)])


CASES = [
    ((4, 8), (4, 8)),               # exact
    ((1, 30, 1, 256), (1, 256)),    # tf.signal.stft's frames
    ((2, 3, 5, 6), (4, 8)),         # crop the rows, zero-pad the columns
    ((3, 16), (8, 4)),              # pad the rows, crop the columns
    ((2, 2, 7, 9), (16, 16)),
    ((5, 3), (2, 2)),
    ((5, 3), (1, 4)),
]


@pytest.mark.parametrize("resolver", (REF, DEFAULT))
@pytest.mark.parametrize("in_shape,fft_length", CASES, ids=str)
def test_rfft2d(in_shape, fft_length, resolver):
    x = np.asarray(np.random.default_rng(len(in_shape)).standard_normal(in_shape), np.float32)
    ours, _ = compare(rfft2d_model(in_shape, fft_length), [x], resolver=resolver,
                      rtol=RTOL, atol=ATOL)
    fh, fw = fft_length
    expected = np.fft.rfft2(x.astype(np.float64), s=(fh, fw))
    np.testing.assert_allclose(ours[0], expected, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("fft_length", [(2, 16), (8, 8), (4, 2)], ids=str)
def test_rfft2d_run_time_fft_length(fft_length):
    """fft_length fed at run time: the output shape follows its value."""
    x = np.asarray(np.random.default_rng(3).standard_normal((2, 4, 8)), np.float32)
    model = rfft2d_model((2, 4, 8), (4, 8), const=False)
    ours, _ = compare(model, [x, np.asarray(fft_length, np.int32)], rtol=RTOL, atol=ATOL)
    assert ours[0].shape == (2, fft_length[0], fft_length[1] // 2 + 1)


@pytest.mark.parametrize("fft_length", [(3, 8), (4, 6), (0, 4)], ids=str)
def test_rfft2d_refuses_non_power_of_two_like_litert(fft_length):
    model = single_op("RFFT2D", [T([4, 8]), T([2], np.int32, data=list(fft_length))],
                      [T([4, 5], np.complex64)])
    feeds = [np.ones((4, 8), np.float32)]
    ours, theirs = numlite_error(model, feeds), litert_error(model, feeds)
    assert theirs is not None and ours is not None
    assert ours.split(" (RFFT2D")[0] in theirs
    assert "Node number 0 (RFFT2D) failed to prepare." in ours


@pytest.mark.parametrize("inputs,output", [
    ([T([4, 8], np.float64), T([2], np.int32, data=[4, 8])], T([4, 5], np.complex64)),
    ([T([4, 8]), T([2], np.int64, data=[4, 8])], T([4, 5], np.complex64)),
    ([T([4, 8]), T([2], np.int32, data=[4, 8])], T([4, 5], np.float32)),
    ([T([8]), T([2], np.int32, data=[4, 8])], T([4, 5], np.complex64)),
    ([T([4, 8]), T([3], np.int32, data=[1, 4, 8])], T([4, 5], np.complex64)),
], ids=("float64 input", "int64 fft_length", "float32 output", "rank 1", "3 lengths"))
def test_rfft2d_bad_types_and_shapes_fail_at_prepare(inputs, output):
    """LiteRT refuses these too, except a non-COMPLEX64 output, whose type it overwrites;
    numlite keeps the model's output types, so it refuses that model."""
    model = single_op("RFFT2D", inputs, [output])
    feeds = [np.ones(inputs[0].shape, np.dtype(inputs[0].dtype))]
    error = numlite_error(model, feeds)
    assert error is not None and "Node number 0 (RFFT2D) failed to prepare." in error
    if np.dtype(output.dtype) == np.complex64:
        assert litert_error(model, feeds) is not None
