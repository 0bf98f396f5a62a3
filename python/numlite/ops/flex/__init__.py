"""Select TensorFlow ops: custom ops whose code is "Flex" + a TensorFlow op name.

The converter stores such an op's custom options as a flexbuffer vector of two
strings, ``[op name, serialized NodeDef]``. At prepare time the kernel here
decodes the NodeDef, fills attrs that have defaults from the op definition,
checks them and binds the numpy implementation. Every "Flex*" code resolves to
a kernel, so an op numlite does not implement fails at prepare with a message
naming it instead of as an unresolved custom op.
"""

import functools

from ...model import types as tflite_types
from ..registry import Kernel, KernelError, custom_prefix
from . import flexbuffer, nodedef, opdefs, string_ops
from .nodedef import EMPTY_MESSAGE, PARSE_MESSAGE

FLEX_PREFIX = "Flex"


def parse_flex_options(custom_options):
    """(name, NodeDef) from a Flex op's custom options; raises KernelError when malformed."""
    if not custom_options:
        raise KernelError(EMPTY_MESSAGE)
    try:
        items = flexbuffer.root(custom_options).as_vector()
        if len(items) < 2:
            raise ValueError(f"flexbuffer vector has {len(items)} elements, expected 2 "
                             "(op name, NodeDef)")
        name = items[0].as_bytes().decode("utf-8", "replace")
        data = items[1].as_bytes()
    except ValueError as exc:
        raise KernelError(f"{PARSE_MESSAGE}: the custom options are not a Flex op's "
                          f"[name, NodeDef] vector ({exc})") from None
    try:
        return name, nodedef.parse_nodedef(data)
    except nodedef.NodeDefError as exc:
        raise KernelError(str(exc)) from None


def supported_ops():
    return sorted(_PREPARERS)


def _unsupported(op):
    return KernelError(f"Select TensorFlow op '{op}' is not supported by numlite "
                       f"(supported: {', '.join(supported_ops())})")


def _type_name(spec):
    return tflite_types.type_name(spec.type)


def _check_arity(node, op_def):
    for what, have, want in (("input", node.inputs, op_def.inputs),
                             ("output", node.outputs, op_def.outputs)):
        if len(have) != len(want):
            raise KernelError(f"{op_def.name} takes {len(want)} {what}(s) but the node has "
                              f"{len(have)}")
        for i, spec in enumerate(have):
            if spec is None:
                raise KernelError(f"{op_def.name} {what} #{i} ({want[i].name}) is missing")


def _check_input(op, spec, index, dtype):
    if spec.dtype != opdefs.numpy_dtype(dtype):
        raise KernelError(f"cannot compute {op} as input #{index}(zero-based) was expected to be "
                          f"a {opdefs.datatype_name(dtype)} tensor but is a {_type_name(spec)} "
                          "tensor")


def _check_output(op, spec, dtype):
    if spec.dtype != opdefs.numpy_dtype(dtype):
        raise KernelError(f"{op} produces a {opdefs.datatype_name(dtype)} tensor but output "
                          f"tensor '{spec.name}' has type {_type_name(spec)}")


def _prepare_as_string(node, attrs):
    dtype = attrs["T"]
    formatter = string_ops.AsStringFormatter(
        dtype, precision=attrs["precision"], scientific=attrs["scientific"],
        shortest=attrs["shortest"], width=attrs["width"], fill=attrs["fill"])
    _check_input("AsString", node.inputs[0], 0, dtype)
    _check_output("AsString", node.outputs[0], opdefs.DT_STRING)
    return formatter, [node.inputs[0].shape]


def _prepare_string_to_number(node, attrs):
    out_type = attrs["out_type"]
    _check_input("StringToNumber", node.inputs[0], 0, opdefs.DT_STRING)
    _check_output("StringToNumber", node.outputs[0], out_type)

    def run(strings):
        return string_ops.string_to_number(strings, out_type)
    return run, [node.inputs[0].shape]


_PREPARERS = {
    "AsString": _prepare_as_string,
    "StringToNumber": _prepare_string_to_number,
}


def _in_eager_context(run, op):
    """Run errors carry the Flex kernel's context line, as TensorFlow's Flex delegate adds it."""
    def flex_run(*inputs):
        try:
            return run(*inputs)
        except KernelError as exc:
            raise KernelError(f"{exc}\n\t (while executing '{op}' via Eager)") from None
    return flex_run


def prepare_flex(code, node):
    """prepare() for the Flex custom op ``code`` (e.g. "FlexAsString")."""
    op = code[len(FLEX_PREFIX):] if code.startswith(FLEX_PREFIX) else code
    if op not in _PREPARERS:
        raise _unsupported(op)
    _, node_def = parse_flex_options(node.custom_options)
    op = node_def.op
    if op not in _PREPARERS:
        raise _unsupported(op)
    op_def = opdefs.OP_DEFS[op]
    try:
        attrs = opdefs.complete_attrs(op_def, node_def.attr)
    except ValueError as exc:
        raise KernelError(str(exc)) from None
    _check_arity(node, op_def)
    run, shapes = _PREPARERS[op](node, attrs)
    return _in_eager_context(run, op), shapes


def resolve(code):
    """The Kernel for any custom code starting with "Flex"."""
    return Kernel(functools.partial(prepare_flex, code), True)


custom_prefix(FLEX_PREFIX, resolve)

__all__ = ["FLEX_PREFIX", "parse_flex_options", "prepare_flex", "resolve", "supported_ops",
           "flexbuffer", "nodedef", "opdefs", "string_ops"]
