"""Quantization parameters as the integer kernels use them (no ops registered here).

Per-tensor scale and zero point with LiteRT's checks, the integer limits of each type,
the fused-activation clamp range of reference §5.3, and lookup tables: every integer
kernel whose result depends on one 8-bit or 16-bit value (or on a pair of 8-bit values)
evaluates its exact integer formula once over the whole input domain at prepare, and
runs as one table lookup.
"""

import numpy as np

from ..model import types
from .activations import ACT_RELU, ACT_RELU6, ACT_RELU_N1_TO_1
from .common import KernelError, as_array, expect_io, is_quantized, type_name

LIMITS = {types.INT8: (-128, 127), types.UINT8: (0, 255), types.INT16: (-32768, 32767)}
_UNSIGNED = {types.INT8: np.uint8, types.UINT8: np.uint8, types.INT16: np.uint16}


def check_types(node, allowed, specs):
    """KernelError unless every spec has the first one's type, one of ``allowed``."""
    first = specs[0]
    for spec in specs:
        if spec.type != first.type or spec.type not in allowed:
            raise KernelError(f"{node.op_name}: quantized kernel does not support "
                              f"{' x '.join(type_name(s) for s in specs)} (supported: "
                              f"{', '.join(types.type_name(t) for t in allowed)}, all alike)")
    return first.type


def params(node, spec, what="input"):
    """(scale as a Python float of the float32 value, zero point) of a per-tensor
    quantized tensor; KernelError for a missing or per-channel quantization."""
    if not is_quantized(spec):
        raise KernelError(f"{node.op_name}: {what} tensor is not quantized")
    q = spec.quantization
    zps = np.asarray(q.zero_points).reshape(-1)
    if q.scales.size != 1 or zps.size > 1:
        raise KernelError(f"{node.op_name}: {what} tensor has per-channel quantization; "
                          "the kernel needs one scale and zero point")
    zp = int(zps[0]) if zps.size else 0
    if spec.type in LIMITS and not LIMITS[spec.type][0] <= zp <= LIMITS[spec.type][1]:
        raise KernelError(f"{node.op_name}: {what} zero point {zp} is out of range")
    return float(np.float32(q.scales[0])), zp


def require_zero_points(node, specs, what="int16 tensors"):
    """LiteRT's symmetric int16 quantization: zero point 0."""
    for spec in specs:
        if spec.type == types.INT16 and params(node, spec)[1] != 0:
            raise KernelError(f"{node.op_name}: {what} need zero point 0")


def float32_ratio(a, b):
    """a / b in float32 (LiteRT divides the float scales before widening to double)."""
    return float(np.float32(a) / np.float32(b))


#: the largest float32 below 0.5: trunc(v + copysign(_PRED_HALF32, v)) is std::round(v)
#: (adding 0.5 itself would round 0.49999997 + 0.5 up to 1 in float32)
_PRED_HALF32 = np.nextafter(np.float32(0.5), np.float32(0.0))


def quantize_value(value, scale, zp):
    """zp + int32(round_half_away(float32(value) / float32(scale))) (float32 math)."""
    v = np.float32(value) / np.float32(scale)
    return zp + int(np.trunc(v + np.copysign(_PRED_HALF32, v)))


def clamp_bounds(low_real, high_real, scale, zp, type_):
    """(low, high): the real interval [low_real, high_real] (None: unbounded) quantized
    with ``scale, zp``, within the type's limits."""
    low, high = LIMITS[type_]
    if low_real is not None:
        low = max(low, quantize_value(low_real, scale, zp))
    if high_real is not None:
        high = min(high, quantize_value(high_real, scale, zp))
    return low, high


#: fused activation code -> its real interval; other codes do not clamp
_ACTIVATION_INTERVALS = {ACT_RELU: (0.0, None), ACT_RELU6: (0.0, 6.0),
                         ACT_RELU_N1_TO_1: (-1.0, 1.0)}


def activation_bounds(code, scale, zp, type_):
    """(low, high) of a fused activation on an output quantized with ``scale, zp``
    (LiteRT's CalculateActivationRangeQuantized, reference §5.3)."""
    return clamp_bounds(*_ACTIVATION_INTERVALS.get(code, (None, None)), scale, zp, type_)


def float_function_table(type_, s_in, zp_in, s_out, zp_out, function):
    """LiteRT's LUTPopulate for 8-bit types: a formula (for ``unary_table``) sampling the
    float32 ``function`` (evaluated in float64, rounded to float32) at every dequantized
    input: round(f(s_in * (q - zp_in)) * (1 / s_out)) + zp_out, clamped."""
    low, high = LIMITS[type_]
    inverse = np.float32(1.0) / np.float32(s_out)

    @np.errstate(all="ignore")          # log(0) and log(-1) are handled as LiteRT does
    def formula(q):
        x = np.float32(s_in) * (q - zp_in).astype(np.float32)
        y = (function(x.astype(np.float64)).astype(np.float32) * inverse).astype(np.float32)
        y = np.trunc(y + np.copysign(np.float32(0.5), y)) + np.float32(zp_out)
        # clamped in float, NaN (log of a negative value) to the minimum
        return np.where(np.isnan(y), low, np.clip(y, low, high)).astype(np.int64)
    return formula


def domain(type_):
    """Every value of an 8/16-bit type as int64, ordered by its unsigned bit pattern
    (so ``table[a.view(unsigned)]`` looks ``a`` up)."""
    unsigned = _UNSIGNED[type_]
    return np.arange(np.iinfo(unsigned).max + 1, dtype=np.int64).astype(unsigned) \
        .view(types.STORAGE_DTYPES[type_]).astype(np.int64)


def unary_specs(node, allowed):
    """(type, (s_in, zp_in), (s_out, zp_out), input spec, output spec) of a one-input
    integer kernel, types checked (``allowed``, input and output alike) and int16 zero
    points required to be 0."""
    (x,), out = expect_io(node, 1), node.outputs[0]
    type_ = check_types(node, allowed, [x, out])
    require_zero_points(node, (x, out))
    return type_, params(node, x), params(node, out, "output"), x, out


def table_kernel(x, out, type_, formula, check=None):
    """(run, shapes) of a one-input kernel that is a unary_table of ``formula``;
    ``check(a)``, when given, runs first (an invoke-time refusal of some inputs)."""
    lookup = unary_table(type_, out.dtype, formula)
    if check is None:
        run = lookup
    else:
        def run(a):
            check(a)
            return lookup(a)
    return (as_array(run) if x.shape == () else run), [x.shape]


def unary_table(type_, out_dtype, formula):
    """``run(a)`` = ``formula`` evaluated through a table over the whole domain of
    ``type_``; ``formula`` maps an int64 array to results already in the output range."""
    table = np.asarray(formula(domain(type_))).astype(out_dtype)
    take, unsigned = table.take, _UNSIGNED[type_]

    def run(a):
        return take(a.view(unsigned))
    return run


def binary_table(type_, out_dtype, formula):
    """``run(a, b)`` (broadcasting) for 8-bit ``a`` and ``b`` via a 256 x 256 table of
    ``formula(a, b)``."""
    values = domain(type_)
    table = np.asarray(formula(values[:, None], values[None, :])).astype(out_dtype).reshape(-1)
    take, uint8, uint16 = table.take, np.uint8, np.uint16

    def run(a, b):
        index = a.view(uint8).astype(uint16)
        index <<= 8
        b = b.view(uint8)
        if b.shape == index.shape:
            index |= b
        else:                           # broadcasting
            index = index | b
        return take(index)
    return run


def int16_table(function, low, high, out_low, out_high, dtype=np.float64):
    """LiteRT's 513-entry int16 table of ``function`` (gen_lut / LUTPopulateInt16), in
    ``dtype`` arithmetic: 512 samples on [low, high) scaled so that [out_low, out_high]
    spans the int16 range, each corrected by half the error of linear interpolation at its
    interval's midpoint, plus the value at ``high``."""
    def rnd(v):
        return np.trunc(v + np.copysign(dtype(0.5), v))
    steps = 512
    step = (dtype(high) - dtype(low)) / dtype(steps)
    scale = dtype(65536.0) / (dtype(out_high) - dtype(out_low))
    i = np.arange(steps, dtype=dtype)

    def f(x):
        return np.asarray(function(np.asarray(x, dtype).astype(np.float64))).astype(dtype)
    val = f(dtype(low) + i * step)
    mid = f(dtype(low) + i * step + step / dtype(2))
    nxt = f(dtype(low) + (i + dtype(1)) * step)
    interpolated = rnd((nxt * scale + rnd(val * scale)) / dtype(2))
    bias = rnd((interpolated - rnd(mid * scale)) / dtype(2))
    last = rnd(f(np.array([high])) * scale)
    return np.clip(np.append(rnd(val * scale) - bias, last), -32768, 32767).astype(np.int64)


def int16_range(scale):
    """[scale * -32768, scale * 32767] in float32: the real range of a zero-point-0 int16
    tensor, the bounds LiteRT's int16 tables take."""
    return (float(np.float32(scale) * np.float32(-32768)),
            float(np.float32(scale) * np.float32(32767)))


def int16_table_formula(function, s_in, s_out):
    """A ``formula`` for unary_table: LiteRT's interpolated int16 table of the float32
    ``function`` (applied to float64 arrays of float32 inputs) over the zero-point-0
    ranges of scales ``s_in`` and ``s_out``."""
    table = int16_table(function, *int16_range(s_in), *int16_range(s_out), np.float32)

    def formula(q):
        return int16_lookup(q, table)
    return formula


def int16_lookup(value, table):
    """Linear interpolation in a 513-entry table at int16 ``value`` (int64 arrays)."""
    index = 256 + (value >> 7)
    offset = value & 0x7F
    base = table[index]
    slope = table[index + 1] - base
    return (base + ((slope * offset + 64) >> 7)).astype(np.int16).astype(np.int64)
