"""Data-movement ops on quantized tensors: the plain kernels on the raw integers.

Moving values without arithmetic commutes with the affine quantization, so these ops run
their plain (unquantized) kernels on the raw values when input and output are quantized
alike (LiteRT copies the bytes too). MAXIMUM, MINIMUM and int16 CONCATENATION LiteRT
computes on the raw values whatever the quantization. Where an op pads, LiteRT pads with
the output's zero point (the quantized 0.0): PAD, PADV2 without a constant,
SPACE_TO_BATCH_ND; their padded cells are found once at prepare (the plain kernel run on
ones) and refilled after each run. uint8 CONCATENATION of inputs quantized unlike the
output requantizes them as LiteRT's ConcatenationWithScaling does, in float32:
round(q * s + (-zp * s)) + zp_out with s = s_in * (1 / s_out), clamped.
"""

import numpy as np

from ..model import types
from .binary import prepare_maximum_minimum
from .common import KernelError, quantized_node
from .concatenation import prepare_concatenation
from .integer_params import params
from .pad import prepare_mirror_pad, prepare_pad, prepare_padv2
from .registry import builtin
from .resize import prepare_resize_nearest_neighbor
from .space_depth import prepare_batch_to_space_nd, prepare_depth_to_space, \
    prepare_space_to_batch_nd, prepare_space_to_depth
from .support import require_plain_copy, same_quantization


def plain_node(node):
    """The node with its tensors' quantization removed, for a plain kernel."""
    def strip(spec):
        return spec if spec is None else spec._replace(quantization=None)
    return node._replace(inputs=tuple(map(strip, node.inputs)),
                         outputs=tuple(map(strip, node.outputs)))


def _passthrough(plain_prepare):
    def prepare(node):
        require_plain_copy(node, node.inputs[0], node.outputs[0])
        return plain_prepare(plain_node(node))
    return prepare


def _zero_point_padding(plain_prepare):
    def prepare(node):
        x, out = node.inputs[0], node.outputs[0]
        require_plain_copy(node, x, out)
        run, shapes = plain_prepare(plain_node(node))
        zp = params(node, out, "output")[1]
        if zp == 0:
            return run, shapes
        others = [spec.value for spec in node.inputs[1:]]
        if shapes[0] is None or any(v is None for v in others):
            raise KernelError(f"{node.op_name}: padding with a nonzero zero point needs "
                              "constant paddings")
        padded = run(np.ones(x.shape, x.dtype), *others) == 0
        if not padded.any():
            return run, shapes

        def run_filled(a, *rest):
            r = run(a, *rest)
            r[padded] = zp
            return r
        return run_filled, shapes
    return prepare


for _name, _prepare in (("DEPTH_TO_SPACE", prepare_depth_to_space),
                        ("SPACE_TO_DEPTH", prepare_space_to_depth),
                        ("BATCH_TO_SPACE_ND", prepare_batch_to_space_nd),
                        ("MIRROR_PAD", prepare_mirror_pad),
                        ("RESIZE_NEAREST_NEIGHBOR", prepare_resize_nearest_neighbor)):
    builtin(_name, when=quantized_node)(_passthrough(_prepare))
builtin("MAXIMUM", "MINIMUM", when=quantized_node)(
    lambda node: prepare_maximum_minimum(plain_node(node)))
builtin("PAD", when=quantized_node)(_zero_point_padding(prepare_pad))
builtin("SPACE_TO_BATCH_ND", when=quantized_node)(_zero_point_padding(prepare_space_to_batch_nd))


@builtin("PADV2", when=quantized_node)
def prepare_quantized_padv2(node):
    if len(node.inputs) == 3 and node.inputs[2] is not None:
        # LiteRT pads with the constant's raw value
        return _passthrough(prepare_padv2)(node)
    return _zero_point_padding(prepare_padv2)(node)


def _int16_concat(node):
    return quantized_node(node) and node.outputs[0].type == types.INT16


# LiteRT copies int16 values raw whatever the inputs' quantization
builtin("CONCATENATION", when=_int16_concat)(
    lambda node: prepare_concatenation(plain_node(node)))


def _requantizing_concat(node):
    """uint8 inputs quantized unlike the output."""
    out = node.outputs[0]
    return out.type == types.UINT8 and quantized_node(node) and \
        not all(same_quantization(spec, out) for spec in node.inputs)


@builtin("CONCATENATION", when=_requantizing_concat)
def prepare_requantizing_concatenation(node):
    out = node.outputs[0]
    s_out, zp_out = params(node, out, "output")
    inverse = np.float32(1.0) / np.float32(s_out)
    maps = []
    for spec in node.inputs:
        if spec is None or spec.type != types.UINT8:
            raise KernelError("CONCATENATION: every input must be uint8 like the output")
        s_in, zp_in = params(node, spec)
        scale = np.float32(s_in) * inverse
        bias = np.float32(-zp_in) * scale
        q = np.arange(256, dtype=np.float32) * scale + bias
        table = np.clip(np.trunc(q + np.copysign(np.float32(0.5), q)) + zp_out, 0, 255)
        maps.append(None if same_quantization(spec, out) else table.astype(np.uint8))
    run, shapes = prepare_concatenation(plain_node(node))

    def run_requantized(*arrays):
        return run(*[a if t is None else t[a] for a, t in zip(arrays, maps)])
    return run_requantized, shapes
