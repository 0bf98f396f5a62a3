"""CAST between the numeric types and bool, with LiteRT's conversions.

* float -> integer truncates toward zero and saturates: values beyond the
  target's range become its min/max, NaN becomes the max (what LiteRT does;
  numpy's astype would wrap or give INT_MIN).
* integer -> integer wraps (two's complement), like numpy's astype.
* anything -> bool is ``x != 0``; complex -> real or bool uses the real part only.
UINT64 is not supported (LiteRT refuses it too).
"""

import numpy as np

from ..model import types
from .common import KernelError, expect_io
from .registry import builtin

_CASTABLE = (types.FLOAT32, types.FLOAT16, types.FLOAT64, types.INT8, types.UINT8, types.INT16,
             types.UINT16, types.INT32, types.UINT32, types.INT64, types.BOOL, types.COMPLEX64,
             types.COMPLEX128)

_TWO_63 = np.float64(2.0 ** 63)
_BELOW_TWO_63 = np.nextafter(_TWO_63, np.float64(0.0))
_INT64_MAX = np.int64(2 ** 63 - 1)


def _float_to_int(src, dst):
    """A saturating, truncating float -> integer cast from ``src`` to ``dst``.

    Values strictly between min - 1 and max + 1 truncate into range, where astype is exact;
    two reductions find out whether anything (NaN included) falls outside.
    """
    info = np.iinfo(dst)
    below, above = float(info.min) - 1.0, float(info.max) + 1.0
    saturate = _saturating_cast(src, dst)

    def run(a):
        if a.size and below < a.min() and a.max() < above:
            return a.astype(dst)
        return saturate(a)
    return run


def _saturating_cast(src, dst):
    info = np.iinfo(dst)
    if dst.itemsize <= 2 and src.itemsize <= 4:
        # the bounds are exact in float32; compute in float32 (float16 input widened)
        low, high = np.float32(info.min), np.float32(info.max)

        def run(a):
            t = np.fmin(a, high, dtype=np.float32)      # NaN -> high (fmin ignores NaN)
            return np.fmax(t, low, out=t).astype(dst)
        return run
    if dst.itemsize <= 4:
        low, high = np.float64(info.min), np.float64(info.max)

        def run(a):
            t = np.fmin(a, high, dtype=np.float64)
            return np.fmax(t, low, out=t).astype(dst)
        return run
    # int64: 2**63 - 1 has no double; clamp below 2**63 then patch the top
    low = np.float64(info.min)

    def run(a):
        t = np.fmin(a, _BELOW_TWO_63, dtype=np.float64)
        r = np.fmax(t, low, out=t).astype(dst)
        top = ~(a < _TWO_63)            # >= 2**63 or NaN
        if top.any():
            r[top] = _INT64_MAX
        return r
    return run


@builtin("CAST")
def prepare_cast(node):
    (x,), out = expect_io(node, 1), node.outputs[0]
    for spec, what in ((x, "input"), (out, "output")):
        if spec.type not in _CASTABLE:
            raise KernelError(f"Type {types.type_name(spec.type)} is unsupported by op Cast.")
    src, dst = np.dtype(x.dtype), np.dtype(out.dtype)
    if dst.kind in "iu" and src.kind in "fc":
        convert = _float_to_int(np.dtype(src.char.lower()) if src.kind == "c" else src, dst)
        if src.kind == "c":
            def run(a):
                return convert(a.real)
        else:
            run = convert
    elif src.kind == "c" and dst.kind == "f":
        def run(a):
            return a.real.astype(dst)
    elif src.kind == "c" and dst.kind == "b":
        def run(a):
            return a.real != 0          # LiteRT looks at the real part only
    else:
        def run(a):
            return a.astype(dst)
    if x.shape == ():
        vector_run = run

        def run(a):
            return vector_run(a.reshape(1)).reshape(())
    return run, [x.shape]
