"""RFFT2D: the 2-D FFT of the last two dimensions of a real float32 tensor.

Inputs: the signal ``[..., M, N]`` and ``fft_length`` (int32 ``[2]`` = ``[fh, fw]``);
output complex64 ``[..., fh, fw / 2 + 1]``, the non-negative frequencies of the last
dimension. Like LiteRT, the signal is cropped to ``fh x fw`` when larger and zero-padded
when smaller, and both lengths must be powers of two. numpy's pocketfft runs in float64
(LiteRT's fft2d library computes in double too), then the result is rounded to complex64.
"""

import numpy as np

from ..model import types
from .common import KernelError, type_name
from .registry import builtin
from .windows import check_arity, known_ints


def _output_shape(x_shape, lengths):
    if lengths.shape != (2,):
        raise KernelError(f"RFFT2D: fft_length must hold 2 values, got {lengths.tolist()}")
    fh, fw = (int(n) for n in lengths)
    for i, n in enumerate((fh, fw)):
        if n <= 0 or n & (n - 1):       # LiteRT's check and text
            raise KernelError(f"IsPowerOfTwo(fft_length_data[{i}]) was not true. (RFFT2D: "
                              f"fft_length {lengths.tolist()} must be powers of two)")
    return tuple(x_shape[:-2]) + (fh, fw // 2 + 1)


@builtin("RFFT2D")
def prepare_rfft2d(node):
    check_arity(node, (2,))
    x, length, out = node.inputs[0], node.inputs[1], node.outputs[0]
    if x is None or length is None:
        raise KernelError("RFFT2D: missing input or fft_length")
    if x.type != types.FLOAT32:
        raise KernelError(f"RFFT2D: input type {type_name(x)} is not supported; expected FLOAT32")
    if length.type != types.INT32:
        raise KernelError(f"RFFT2D: fft_length type {type_name(length)} is not INT32")
    if out.type != types.COMPLEX64:
        raise KernelError(f"RFFT2D: output type {type_name(out)} is not COMPLEX64")
    if x.shape is None or len(x.shape) < 2:
        raise KernelError(f"RFFT2D: input must have at least 2 dimensions, got shape "
                          f"{None if x.shape is None else list(x.shape)}")
    if length.shape is None or tuple(length.shape) != (2,):
        raise KernelError(f"RFFT2D: fft_length must be a 1-D tensor of 2 values, got shape "
                          f"{length.shape}")
    rfft2 = np.fft.rfft2
    float64, complex64 = np.float64, np.complex64

    def run(a, n):
        fh, fw = int(n[0]), int(n[1])
        # rfft2's s= crops or zero-pads each axis to the requested length
        return rfft2(a.astype(float64), s=(fh, fw)).astype(complex64)

    lengths = known_ints(node, length, "fft_length")
    if lengths is not None:
        return run, [_output_shape(x.shape, lengths)]

    def run_dynamic(a, n):
        _output_shape(a.shape, np.asarray(n, np.int64).reshape(-1))
        return run(a, n)
    return run_dynamic, [None]
