"""Resource variables: VAR_HANDLE, ASSIGN_VARIABLE, READ_VARIABLE.

A variable lives in its interpreter's ``Runtime``: VAR_HANDLE maps
``(container, shared_name)`` to a resource id in ``runtime.resource_ids`` (new
ids in first-use order, as LiteRT's interpreter-wide map), so every subgraph and
signature of one interpreter that names a variable shares it, and two
interpreters never do. ``runtime.resources[id]`` holds ``(TensorType, value)``;
ASSIGN_VARIABLE replaces the value with a read-only copy of its input (the
shape and type may change), READ_VARIABLE hands that array on without a copy
(nothing writes into arrays; ``set_tensor`` copies read-only storage first).

The handle tensor holds the int32 resource id, as in LiteRT; ASSIGN/READ also
accept an INT32 id tensor. VAR_HANDLE is registered foldable: the id is
assigned when the node is prepared and its output is a constant, so the plan
keeps no step for it and the ops that use the handle bind the id at prepare.

READ_VARIABLE follows LiteRT's kernel: an output declared with a rank (say
``[2]``) has that static shape and receives the variable's first elements in
that shape, whatever shape the variable has now (the converter declares a
``tf.Variable(shape=[None])``'s reads with its initial shape, and LiteRT then
copies only that many values); an output declared as a scalar ``[]`` (scalar
or unknown rank) is dynamic and takes the variable's shape. Where LiteRT would
read past the end of a smaller variable, numlite raises instead.

``reset_all_variables()`` does not touch resource variables (LiteRT resets
only ``is_variable`` tensors).
"""

import numpy as np

from ..model import types
from .common import KernelError, expect_io, options_field
from .registry import builtin

_ID_TYPES = (types.RESOURCE, types.INT32)


def _size(shape):
    n = 1
    for d in shape:
        n *= int(d)
    return n


def resource_id_reader(node, spec, what="resource"):
    """``(known id or None, read(array) -> id)`` for a resource-id input (RESOURCE or INT32)."""
    if spec.type not in _ID_TYPES:
        raise KernelError(f"{node.op_name}: the {what} input is {types.type_name(spec.type)}, "
                          "expected RESOURCE or INT32")
    if spec.shape is not None and _size(spec.shape) != 1:
        raise KernelError(f"{node.op_name}: the {what} input has shape {list(spec.shape)}, "
                          "expected one element")
    known = None if spec.value is None else int(np.asarray(spec.value).reshape(-1)[0])

    def read(array):
        if array.size != 1:
            raise KernelError(f"{node.op_name}: the {what} input has {array.size} elements, "
                              "expected 1")
        return int(array.reshape(-1)[0])
    return known, read


def variable_name(runtime, resource_id):
    """'container/shared_name' of a resource id, for messages."""
    for (container, shared_name), rid in runtime.resource_ids.items():
        if rid == resource_id:
            return f"{container}/{shared_name}" if container else shared_name
    return "?"


@builtin("VAR_HANDLE")
def prepare_var_handle(node):
    """The resource id of (container, shared_name), created on first use."""
    expect_io(node, 0, 1)
    out = node.outputs[0]
    if out.type not in _ID_TYPES:
        raise KernelError(f"VAR_HANDLE: the output is {types.type_name(out.type)}, expected "
                          "RESOURCE")
    key = (options_field(node, "container", None) or "",
           options_field(node, "shared_name", None) or "")
    ids = node.runtime.resource_ids
    resource_id = ids.setdefault(key, len(ids))
    shape = tuple(out.shape) if out.shape is not None and _size(out.shape) == 1 else ()
    handle = np.full(shape, resource_id, dtype=np.int32)
    handle.flags.writeable = False

    def run():
        return handle
    return run, [shape]


@builtin("ASSIGN_VARIABLE", foldable=False)
def prepare_assign_variable(node):
    """Create the variable if needed and give it a copy of the value (any shape, any type)."""
    resource, value = expect_io(node, 2, 0)
    known, read_id = resource_id_reader(node, resource)
    variables = node.runtime.resources
    value_type = value.type

    def store(resource_id, array):
        array = np.array(array, copy=True)
        array.flags.writeable = False
        variables[resource_id] = (value_type, array)
        return ()

    if known is not None:
        def run(_, array):
            return store(known, array)
    else:
        def run(handle, array):
            return store(read_id(handle), array)
    return run, []


@builtin("READ_VARIABLE", foldable=False)
def prepare_read_variable(node):
    """The variable's value: in the declared shape, or in its own when declared ``[]``."""
    resource, = expect_io(node, 1, 1)
    known, read_id = resource_id_reader(node, resource)
    runtime = node.runtime
    variables = runtime.resources
    out = node.outputs[0]
    out_type = out.type
    declared = tuple(int(d) for d in out.shape) if out.shape else ()
    count = _size(declared)

    def fail(resource_id, value=None):
        name = f"resource variable {resource_id} ('{variable_name(runtime, resource_id)}')"
        if value is not None:
            return KernelError(f"READ_VARIABLE: {name} has shape {list(value.shape)} "
                               f"({value.size} elements) but the output tensor '{out.name}' is "
                               f"declared {list(declared)} ({count} elements)")
        if resource_id not in variables:
            return KernelError(f"READ_VARIABLE: {name} has no value: nothing has assigned it "
                               "yet (variable != nullptr was not true)")
        return KernelError(f"READ_VARIABLE: {name} holds "
                           f"{types.type_name(variables[resource_id][0])} but the output "
                           f"tensor '{out.name}' is {types.type_name(out_type)}")

    def read(resource_id):
        entry = variables.get(resource_id)
        if entry is None or entry[0] != out_type:
            raise fail(resource_id)
        value = entry[1]
        if not declared or value.shape == declared:
            return value
        if value.size < count:
            raise fail(resource_id, value)
        return value.reshape(-1)[:count].reshape(declared)     # LiteRT copies output->bytes

    if known is not None:
        def run(_):
            return read(known)
    else:
        def run(handle):
            return read(read_id(handle))
    return run, [declared if declared else None]
