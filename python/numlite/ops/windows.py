"""Helpers of the spatial kernels (convolution, pooling, resize...); no ops are registered here.

* ``out_size`` / ``same_padding``: LiteRT's padding arithmetic (tflite/kernels/padding.h,
  reference python-api.md §5.7): effective filter ``(f - 1) * dilation + 1``; SAME gives
  ``ceil(in / stride)`` outputs, VALID ``(in + stride - eff) / stride`` (C division); the total
  padding ``max((out - 1) * stride + eff - in, 0)`` is split ``total // 2`` before and the rest
  after.
* ``Padder``: copies an NHWC (or NDHWC) input into a scratch buffer with a constant border,
  allocated once at prepare; the border is written once and never touched again.
* ``window_view``: the im2col matrix as a strided *view* ``[N, *out, *kernel, C]`` of the
  padded input; the matmul's reshape makes the one copy.
* ``model_tensor``: the model's Tensor record behind a TensorSpec (is_variable, sparsity),
  which the Node does not carry.
"""

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..model import types
from .common import KernelError, is_quantized, options_field, type_name

SAME, VALID = 0, 1
PADDING_NAMES = {SAME: "SAME", VALID: "VALID"}


def check_float(node, spec, what="input"):
    """KernelError unless ``spec`` is a plain (non-quantized) float32 tensor."""
    if spec.type != types.FLOAT32 or is_quantized(spec):
        raise KernelError(f"{node.op_name}: {what} type {type_name(spec)}"
                          f"{' (quantized)' if is_quantized(spec) else ''} is not supported; "
                          "numlite implements the float32 kernel only")


def check_rank(node, spec, rank, what="input"):
    if spec.shape is None or len(spec.shape) != rank:
        raise KernelError(f"{node.op_name}: {what} must have {rank} dimensions, got shape "
                          f"{None if spec.shape is None else list(spec.shape)}")


def check_arity(node, inputs, outputs=(1,)):
    """KernelError unless the node has one of the ``inputs`` counts and ``outputs`` counts."""
    if len(node.inputs) not in inputs or len(node.outputs) not in outputs:
        want = " or ".join(str(n) for n in inputs)
        raise KernelError(f"{node.op_name}: expected {want} inputs and "
                          f"{' or '.join(str(n) for n in outputs)} output(s), got "
                          f"{len(node.inputs)} and {len(node.outputs)}")


def padding_option(node):
    padding = options_field(node, "padding", SAME)
    if padding not in (SAME, VALID):
        raise KernelError(f"{node.op_name}: unknown padding {padding}")
    return padding


#: the TfLite*Params field names of the options, as LiteRT's checks print them
_PARAM_NAMES = {"stride_h": "stride_height", "stride_w": "stride_width",
                "stride_d": "stride_depth", "dilation_h_factor": "dilation_height_factor",
                "dilation_w_factor": "dilation_width_factor",
                "dilation_d_factor": "dilation_depth_factor"}


def positive_option(node, name, default=1):
    """An option that must be positive (strides, dilations, filter sizes), LiteRT's check."""
    value = options_field(node, name, default)
    if value is None or value <= 0:
        raise KernelError(f"params->{_PARAM_NAMES.get(name, name)} > 0 was not true.")
    return int(value)


def _c_div(a, b):
    """C's truncating integer division."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def out_size(padding, size, filt, stride, dilation=1):
    """Output extent of one spatial dimension (padding.h ComputeOutSize)."""
    eff = (filt - 1) * dilation + 1
    if padding == SAME:
        return _c_div(size + stride - 1, stride)
    return _c_div(size + stride - eff, stride)


def same_padding(size, filt, stride, dilation, out):
    """(before, after) padding of one dimension for ``out`` outputs (ComputePaddingWithOffset)."""
    eff = (filt - 1) * dilation + 1
    total = max((out - 1) * stride + eff - size, 0)
    return total // 2, total - total // 2


def spatial_plan(node, sizes, kernel, strides, dilations, padding):
    """Output sizes and per-dimension (before, after) paddings; KernelError on empty output."""
    outs, pads = [], []
    for size, k, s, d in zip(sizes, kernel, strides, dilations):
        o = out_size(padding, size, k, s, d)
        if o < 0:
            raise KernelError(f"{node.op_name}: a {k}-wide window (dilation {d}) does not fit "
                              f"in an input of size {size} with VALID padding")
        outs.append(o)
        pads.append(same_padding(size, k, s, d, o) if o > 0 else (0, 0))
    return tuple(outs), tuple(pads)


class Padder:
    """Copies an input of a fixed shape into a buffer with a constant border.

    ``pads`` is one (before, after) pair per spatial dimension (dimensions 1..n of
    ``shape``; the batch and channel dimensions are never padded). Calling the
    Padder returns the buffer (reused by every call: use it before the next call) or,
    without padding, the input itself -- unless ``copy`` is set, for callers that keep
    views of the buffer built at prepare.
    """

    def __init__(self, shape, pads, value=0.0, dtype=np.float32, channels=None, copy=False):
        self.pads = tuple(pads)
        self.shape = tuple(shape)
        self.needed = copy or any(b or a for b, a in self.pads)
        self.buffer = None
        self.interior = None
        if self.needed:
            padded = (shape[0],) + tuple(s + b + a for s, (b, a) in zip(shape[1:-1], self.pads)) \
                + (shape[-1] if channels is None else channels,)
            self.buffer = np.full(padded, value, dtype)
            index = (slice(None),) + tuple(slice(b, b + s) for s, (b, _) in
                                           zip(shape[1:-1], self.pads)) + (slice(None),)
            self.interior = self.buffer[index]

    def __call__(self, x):
        if not self.needed:
            return x
        self.interior[...] = x
        return self.buffer


def window_view(padded, outs, kernel, strides, dilations):
    """``[N, *outs, *kernel, C]`` strided view of a padded ``[N, *spatial, C]`` array.

    Element ``[n, o..., k..., c]`` is ``padded[n, o*stride + k*dilation ..., c]``.
    """
    st = padded.strides
    spatial = st[1:-1]
    shape = (padded.shape[0],) + tuple(outs) + tuple(kernel) + (padded.shape[-1],)
    strides = (st[0],) + tuple(s * k for s, k in zip(spatial, strides)) \
        + tuple(s * d for s, d in zip(spatial, dilations)) + (st[-1],)
    return as_strided(padded, shape, strides, writeable=False)


def known_ints(node, spec, what):
    """The integer value of a constant (or folded) input as a numpy int64 array, or None."""
    if spec is None:
        raise KernelError(f"{node.op_name}: missing {what} input")
    if spec.type not in (types.INT32, types.INT64):
        raise KernelError(f"{node.op_name}: {what} type {type_name(spec)} is not INT32 or "
                          "INT64")
    if spec.value is None:
        return None
    return np.asarray(spec.value).astype(np.int64)


def model_tensor(node, spec):
    """The model's Tensor record behind ``spec`` (for is_variable and sparsity), or None.

    A Node does not name its subgraph: the subgraph is the one whose operator number
    ``node.index`` has exactly this node's input tensors.
    """
    model = getattr(getattr(node, "runtime", None), "model", None)
    if model is None or spec is None:
        return None
    wanted = tuple(-1 if s is None else s.index for s in node.inputs)
    wanted_out = tuple(s.index for s in node.outputs)
    found = None
    for sub in model.subgraphs:
        ops = sub.operators
        if node.index < len(ops):
            op = ops[node.index]
            if tuple(op.inputs) == wanted and tuple(op.outputs) == wanted_out \
                    and spec.index < len(sub.tensors):
                tensor = sub.tensors[spec.index]
                if tensor.name == spec.name and tensor.type == spec.type:
                    if found is not None and found != tensor:
                        return None         # ambiguous: two subgraphs match
                    found = tensor
    return found


PLAIN_TYPES = (types.FLOAT32, types.FLOAT16, types.FLOAT64, types.INT8, types.UINT8, types.INT16,
          types.INT32, types.INT64, types.BOOL, types.UINT32, types.UINT16, types.UINT64)


def check_data(node, x, out):
    """A data-movement op's input/output check: a plain (unquantized) type, the same in and out."""
    if x is None:
        raise KernelError(f"{node.op_name}: missing input")
    if x.type not in PLAIN_TYPES:
        raise KernelError(f"{node.op_name}: input type {type_name(x)} is not supported")
    for spec in (x, out):
        if is_quantized(spec):
            raise KernelError(f"{node.op_name}: quantized tensors are not supported; numlite "
                              "implements the float and plain integer kernels only")
    if out.type != x.type:
        raise KernelError(f"{node.op_name}: output type {type_name(out)} does not match input "
                          f"type {type_name(x)}")
