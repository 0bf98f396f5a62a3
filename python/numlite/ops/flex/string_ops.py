"""Kernels for the Select TF string ops AsString and StringToNumber.

Both follow TensorFlow's CPU kernels as observed in TensorFlow 2.21:

AsString formats each element with C printf: ``%<fill><width>.<precision><conv>``
(``fill`` is a printf flag: one of `` +-0#``), floats promoted to double,
``f``/``e``/``g`` for default/scientific/shortest, ``d``/``u`` for integers,
``true``/``false`` for bools, ``(<re>,<im>)`` for complex numbers. Python's
``%`` operator formats finite values exactly as glibc does; the differences
handled here are glibc's ``nan``/``inf`` rendering (sign of NaN kept, ``0``
flag ignored), ``+``/`` `` being no-ops for unsigned conversions, and
TensorFlow running its kernels with denormals flushed to zero (float32,
float64 and complex inputs that are subnormal print as a signed zero).

StringToNumber parses each string like absl::SimpleAtof/SimpleAtod (floats)
and SimpleAtoi (integers): surrounding ASCII whitespace is ignored, one
optional sign, decimal or ``0x`` hexadecimal floats, ``inf``/``infinity``/
``nan``/``nan(chars)`` in any case, correct rounding (float32 directly from
the decimal value), overflow to infinity; integers are decimal digits only and
out-of-range values fail.
"""

import math
import re
from fractions import Fraction

import numpy as np

from ..registry import KernelError
from .opdefs import (DT_BOOL, DT_BFLOAT16, DT_COMPLEX128, DT_COMPLEX64, DT_DOUBLE, DT_FLOAT,
                     DT_HALF, DT_INT16, DT_INT32, DT_INT64, DT_INT8, DT_STRING, DT_UINT16,
                     DT_UINT32, DT_UINT64, DT_UINT8, datatype_name, numpy_dtype)

_INT32_MIN, _INT32_MAX = -(1 << 31), (1 << 31) - 1

# -- AsString --------------------------------------------------------------------------------

_FLOAT_TYPES = frozenset((DT_HALF, DT_BFLOAT16, DT_FLOAT, DT_DOUBLE))
_COMPLEX_TYPES = frozenset((DT_COMPLEX64, DT_COMPLEX128))
_SIGNED_TYPES = frozenset((DT_INT8, DT_INT16, DT_INT32, DT_INT64))
_UNSIGNED_TYPES = frozenset((DT_UINT8, DT_UINT16, DT_UINT32, DT_UINT64))
# types whose kernel accepts precision / scientific / shortest
_FORMATTED_TYPES = _FLOAT_TYPES | _COMPLEX_TYPES | {DT_STRING}
_FILL_FLAGS = (b" ", b"+", b"-", b"0", b"#")
_TRUE_FALSE = np.array([b"false", b"true"], dtype=object)


def _int32_attr(name, value):
    if not _INT32_MIN <= value <= _INT32_MAX:
        raise KernelError(f"Attr {name} has value {value} out of range for an int32")
    return value


def _join_format(fmt, values, per_item=1):
    """``[(fmt % v).encode() for v in values]`` in one formatting call (``fmt`` may take
    ``per_item`` consecutive values)."""
    if not values:
        return []
    text = "\0".join([fmt] * (len(values) // per_item)) % tuple(values)
    return text.encode("ascii").split(b"\0")


def _flush_denormals(flat):
    """TensorFlow runs kernels with denormals treated as zero: subnormals become signed zeros."""
    tiny = np.finfo(flat.dtype).tiny
    subnormal = (flat != 0) & (np.abs(flat) < tiny)
    if subnormal.any():
        flat = np.where(subnormal, np.copysign(flat.dtype.type(0), flat), flat)
    return flat


class AsStringFormatter:
    """AsString for one set of attrs; call it with an array of the input type."""

    def __init__(self, dtype, precision=-1, scientific=False, shortest=False, width=-1,
                 fill=b""):
        dtype = int(dtype)
        precision = _int32_attr("precision", precision)
        width = _int32_attr("width", width)
        if isinstance(fill, str):
            fill = fill.encode("utf-8")
        name = datatype_name(dtype)
        # the kernel's checks, in its order
        if dtype not in _FORMATTED_TYPES:
            if scientific or shortest:
                raise KernelError("scientific and shortest format not supported for datatype "
                                  f"{name}")
            if precision >= 0:
                raise KernelError(f"precision not supported for datatype {name}")
        if len(fill) > 1:
            raise KernelError("Fill string must be one or fewer characters")
        if scientific and shortest:
            raise KernelError("Cannot select both scientific and shortest notation")
        if fill and fill not in _FILL_FLAGS:
            raise KernelError("Fill argument not supported: \""
                              + fill.decode("utf-8", "backslashreplace") + "\"")
        if numpy_dtype(dtype) is None or dtype not in (
                _FLOAT_TYPES | _COMPLEX_TYPES | _SIGNED_TYPES | _UNSIGNED_TYPES
                | {DT_BOOL, DT_STRING}):
            raise KernelError(f"AsString of {name} tensors is not supported by numlite")

        self.dtype = dtype
        self.flag = fill.decode("ascii")
        self.width = max(width, 0)
        self.precision = precision
        if dtype in _UNSIGNED_TYPES and self.flag in ("+", " "):
            flag = ""          # sign flags do nothing for %u
        else:
            flag = self.flag
        spec = "%" + flag + (str(self.width) if self.width > 0 else "")
        if precision >= 0:
            spec += f".{precision}"
        if dtype in _FLOAT_TYPES or dtype in _COMPLEX_TYPES:
            spec += "g" if shortest else "e" if scientific else "f"
        else:
            spec += "d"
        self.format = spec

        if dtype == DT_BOOL:
            self._convert = self._bools
        elif dtype == DT_STRING:
            self._convert = self._strings
        elif dtype in _FLOAT_TYPES:
            self._convert = self._floats
        elif dtype in _COMPLEX_TYPES:
            self._convert = self._complex
        else:
            self._convert = self._ints

    def __call__(self, array):
        array = np.asarray(array)
        out = np.empty(array.shape, dtype=object)
        flat = array.reshape(-1)
        if flat.size:
            out.reshape(-1)[:] = self._convert(flat)
        return out

    # one glibc-style rendering of a double, for the cases Python's % renders differently
    def _one(self, value):
        if math.isfinite(value):
            return (self.format % value).encode("ascii")
        body = "nan" if value != value else "inf"
        if math.copysign(1.0, value) < 0:
            body = "-" + body
        elif self.flag in ("+", " "):
            body = self.flag + body
        if self.width > len(body):
            body = body.ljust(self.width) if self.flag == "-" else body.rjust(self.width)
        return body.encode("ascii")

    def _bools(self, flat):
        return _TRUE_FALSE[flat.astype(np.intp)]

    def _ints(self, flat):
        return _join_format(self.format, flat.tolist())

    def _floats(self, flat):
        if flat.dtype != np.float16:
            flat = _flush_denormals(flat)
        values = flat.tolist()        # exact doubles (float16/float32 promote exactly)
        out = _join_format(self.format, values)
        for i in np.flatnonzero(~np.isfinite(flat)).tolist():
            out[i] = self._one(values[i])
        return out

    def _complex(self, flat):
        flat = np.ascontiguousarray(flat)
        parts = _flush_denormals(flat.view(flat.real.dtype)).tolist()   # re, im, re, im...
        out = _join_format(f"({self.format},{self.format})", parts, 2)
        bad = ~(np.isfinite(flat.real) & np.isfinite(flat.imag))
        for i in np.flatnonzero(bad).tolist():
            out[i] = b"(" + self._one(parts[2 * i]) + b"," + self._one(parts[2 * i + 1]) + b")"
        return out

    def _strings(self, flat):
        if self.width <= 0:
            return list(flat)
        out = []
        for s in flat.tolist():
            s = bytes(s)
            if self.precision >= 0:
                s = s[:self.precision]
            out.append(s.ljust(self.width) if self.flag == "-" else s.rjust(self.width))
        return out


def as_string(array, dtype, **attrs):
    """Convenience: AsString of ``array`` (of DataType ``dtype``) with the given attrs."""
    return AsStringFormatter(dtype, **attrs)(array)


# -- StringToNumber ----------------------------------------------------------------------

_INT_RE = re.compile(rb"[+-]?[0-9]+")
_UINT_RE = re.compile(rb"\+?[0-9]+")
_FLOAT_RE = re.compile(rb"""
    (?P<sign>[+-]?)
    (?:
        (?P<dec>(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:e[+-]?[0-9]+)?)
      | 0x(?P<hex>(?P<hm>[0-9a-f]+\.?[0-9a-f]*|\.[0-9a-f]+)(?:p(?P<hexp>[+-]?[0-9]+))?)
      | (?P<inf>inf(?:inity)?)
      | nan(?:\((?P<payload>[0-9a-z_]*)\))?
    )""", re.VERBOSE | re.IGNORECASE)

_INT_RANGES = {
    DT_INT32: (_INT32_MIN, _INT32_MAX, _INT_RE),
    DT_INT64: (-(1 << 63), (1 << 63) - 1, _INT_RE),
    DT_UINT32: (0, (1 << 32) - 1, _UINT_RE),
    DT_UINT64: (0, (1 << 64) - 1, _UINT_RE),
}
# midpoint between float32's largest finite value and 2**128 (where rounding goes to inf)
_FLOAT32_OVERFLOW_MID = float(2 ** 128 - 2 ** 103)


def _byte_strings(flat):
    items = flat.tolist()
    if all(type(s) is bytes for s in items):
        return items
    return [s.encode("utf-8") if isinstance(s, str) else bytes(s) for s in items]


def conversion_error(raw):
    """TensorFlow's message; like TensorFlow's C-string status it stops at a NUL byte."""
    text = bytes(raw).split(b"\0", 1)[0].decode("utf-8", "backslashreplace")
    return KernelError(f"StringToNumberOp could not correctly convert string: {text}")


def _nan_payload(chars):
    """glibc's n-char-sequence payload: strtoull base 0 over all of it, else 0."""
    if not chars:
        return 0
    text = chars.decode("ascii").lower()
    if text.startswith("0x"):
        digits, base, allowed = text[2:], 16, "0123456789abcdef"
    elif text.startswith("0"):
        digits, base, allowed = text, 8, "01234567"
    else:
        digits, base, allowed = text, 10, "0123456789"
    if not digits or any(c not in allowed for c in digits):
        return 0
    return min(int(digits, base), (1 << 64) - 1)


def _exact_value(match):
    """The exact rational value of a matched finite decimal or hex literal."""
    sign = -1 if match.group("sign") == b"-" else 1
    if match.group("dec") is not None:
        return sign * Fraction(match.group("dec").decode("ascii"))
    mantissa = match.group("hm").decode("ascii")
    int_part, _, frac_part = mantissa.partition(".")
    exponent = int(match.group("hexp") or 0) - 4 * len(frac_part)
    value = Fraction(int((int_part + frac_part) or "0", 16))
    return sign * (value * 2 ** exponent if exponent >= 0 else value / 2 ** -exponent)


def _round_float32(doubles, texts):
    """Round parsed doubles to float32 as a direct decimal->float32 conversion would.

    A double that is not exactly halfway between two float32 values rounds to
    the same float32 as the exact value of the text did; only exact halfway
    doubles need the text (``texts[i]``) to break the tie.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        f = doubles.astype(np.float32)
        back = f.astype(np.float64)
        other = np.nextafter(f, np.where(doubles > back, np.float32(np.inf),
                                         np.float32(-np.inf)).astype(np.float32))
        mid = (back + other.astype(np.float64)) / 2
    finite = np.isfinite(doubles)
    tie = finite & (doubles != back) & (doubles == mid)
    tie |= finite & np.isinf(f) & (np.abs(doubles) == _FLOAT32_OVERFLOW_MID)
    for i in np.flatnonzero(tie).tolist():
        m = _FLOAT_RE.fullmatch(texts[i].strip())
        if m is None or (m.group("dec") is None and m.group("hex") is None):
            continue
        exact = _exact_value(m)
        midpoint = Fraction(float(doubles[i]))
        if exact == midpoint:
            continue                   # a true tie: numpy already rounded half to even
        if np.isinf(f[i]):
            other_i = np.float32(np.copysign(np.finfo(np.float32).max, doubles[i]))
        else:
            other_i = other[i]
        lo, hi = sorted((f[i], other_i))
        f[i] = hi if exact > midpoint else lo
    return f


# characters that Python's float() treats differently from absl (underscores, inf/nan, hex)
_NOT_FAST = (b"_", b"n", b"N", b"x", b"X")


def _parse_doubles_fast(items):
    """Python's float() agrees with absl on strings without _NOT_FAST characters
    (same ASCII whitespace, signs, digits, '.', exponents); None when not applicable."""
    joined = b"".join(items)
    if any(c in joined for c in _NOT_FAST):
        return None
    try:
        return np.fromiter(map(float, items), dtype=np.float64, count=len(items))
    except ValueError:
        return None


def _parse_doubles(items):
    """Parse each string; returns (doubles, NaN fix-ups as (index, negative, payload))."""
    doubles = np.empty(len(items), dtype=np.float64)
    nans = []
    fullmatch = _FLOAT_RE.fullmatch
    for i, raw in enumerate(items):
        m = fullmatch(raw.strip())
        if m is None:
            raise conversion_error(raw)
        if m.group("dec") is not None:
            doubles[i] = float(m.group(0))
        elif m.group("hex") is not None:
            try:
                doubles[i] = float.fromhex(m.group(0).decode("ascii"))
            except OverflowError:
                doubles[i] = -math.inf if m.group("sign") == b"-" else math.inf
        elif m.group("inf") is not None:
            doubles[i] = -math.inf if m.group("sign") == b"-" else math.inf
        else:
            doubles[i] = 0.0
            nans.append((i, m.group("sign") == b"-", _nan_payload(m.group("payload"))))
    return doubles, nans


def _parse_floats(flat, dtype):
    items = _byte_strings(flat)
    doubles, nans = _parse_doubles_fast(items), []
    if doubles is None:
        doubles, nans = _parse_doubles(items)
    if dtype == np.float32:
        out = _round_float32(doubles, items)
        bits, sign, quiet, mask = np.uint32, 1 << 31, 0x7FC00000, (1 << 22) - 1
    else:
        out = doubles
        bits, sign, quiet, mask = np.uint64, 1 << 63, 0x7FF8000000000000, (1 << 51) - 1
    if nans:
        view = out.view(bits)
        for i, negative, payload in nans:
            view[i] = (sign if negative else 0) | quiet | (payload & mask)
    return out


def _parse_ints(flat, dtype):
    lo, hi, pattern = _INT_RANGES[dtype]
    fullmatch = pattern.fullmatch
    values = []
    for raw in _byte_strings(flat):
        text = raw.strip()
        if fullmatch(text) is None:
            raise conversion_error(raw)
        value = int(text)
        if not lo <= value <= hi:
            raise conversion_error(raw)
        values.append(value)
    return np.array(values, dtype=numpy_dtype(dtype))


def string_to_number(array, out_type=DT_FLOAT):
    """StringToNumber of an array of bytes to DataType ``out_type`` (float, double, int32,
    int64, uint32 or uint64)."""
    out_type = int(out_type)
    dtype = numpy_dtype(out_type)
    if out_type not in (DT_FLOAT, DT_DOUBLE) and out_type not in _INT_RANGES:
        raise KernelError(f"StringToNumber to {datatype_name(out_type)} is not supported")
    array = np.asarray(array, dtype=object)
    flat = array.reshape(-1)
    if out_type in (DT_FLOAT, DT_DOUBLE):
        out = _parse_floats(flat, dtype)
    else:
        out = _parse_ints(flat, out_type)
    return out.astype(dtype, copy=False).reshape(array.shape)
