"""Subgraph calls and control flow: WHILE, IF, CALL and CALL_ONCE.

The called subgraphs run through ``Subgraph.call`` (runtime/subgraph.py): the
caller's arrays are bound to the callee's inputs without a copy, the callee
re-prepares only when an input shape changed, and its output arrays become the
node's outputs. Kernels never write into arrays, so nothing is copied between
subgraphs.

At prepare time the callees are prepared for the node's input shapes (as LiteRT
does), so a broken body fails at ``allocate_tensors``. The node's outputs get
static shapes when the callees' outputs are static: for WHILE, when the body
gives back the shapes it was given; for IF, when both branches agree. Otherwise
they are dynamic (known after each run), which lets loop variables change shape
from one iteration to the next.

None of these kernels is foldable: a body may read or assign resource variables,
and CALL_ONCE exists for its side effect.
"""

from ..model import types
from .common import KernelError, options_field
from .registry import builtin


def _callee(node, index, what):
    """The runtime Subgraph ``index`` named by the node's options."""
    count = len(node.runtime.model.subgraphs)
    if not 0 <= index < count:
        raise KernelError(f"{node.op_name}: {what} subgraph index {index} is out of range "
                          f"(the model has {count} subgraphs)")
    return node.runtime.subgraph(index)


def _name(sub):
    return f"subgraph {sub.index} ({sub.sg.name})" if sub.sg.name else f"subgraph {sub.index}"


def _check_arity(node, sub, inputs, outputs, what):
    if len(sub.inputs) != len(inputs):
        raise KernelError(f"{node.op_name}: the {what} {_name(sub)} has {len(sub.inputs)} inputs "
                          f"but the node passes {len(inputs)}")
    if outputs is not None and len(sub.outputs) != len(outputs):
        raise KernelError(f"{node.op_name}: the {what} {_name(sub)} has {len(sub.outputs)} "
                          f"outputs but the node has {len(outputs)}")


def _check_types(node, specs, tensor_indices, sub, what, kind):
    """Each spec's type equals the callee tensor's (LiteRT's TF_LITE_ENSURE_TYPES_EQ)."""
    for i, (spec, t) in enumerate(zip(specs, tensor_indices)):
        tensor = sub.sg.tensors[t]
        if spec.type != tensor.type:
            raise KernelError(f"{node.op_name}: {kind} {i} is {types.type_name(spec.type)} but "
                              f"{what} {_name(sub)} {kind} {i} ({tensor.name}) is "
                              f"{types.type_name(tensor.type)}")


def _prepare_callee(node, sub, shapes, what):
    """Prepare ``sub`` for input ``shapes``; returns its output shapes (None = dynamic)."""
    try:
        for index, shape in zip(sub.inputs, shapes):
            sub.resize_input(index, shape)
        sub.allocate()
    except RuntimeError as e:
        raise KernelError(f"{str(e).rstrip()}\n{node.op_name}: preparing the {what} "
                          f"{_name(sub)} failed") from None
    return [sub.shapes[o] for o in sub.outputs]


# ---------------------------------------------------------------------------- WHILE

@builtin("WHILE", foldable=False)
def prepare_while(node):
    """Loop variables in, ``while cond(vars): vars = body(vars)``, loop variables out."""
    if None in node.inputs:
        raise KernelError("WHILE: an input is absent")
    if len(node.inputs) != len(node.outputs):
        raise KernelError(f"WHILE: {len(node.inputs)} inputs but {len(node.outputs)} outputs")
    cond = _callee(node, options_field(node, "cond_subgraph_index", 0), "cond")
    body = _callee(node, options_field(node, "body_subgraph_index", 0), "body")
    _check_arity(node, cond, node.inputs, None, "cond")
    if len(cond.outputs) != 1:
        raise KernelError(f"WHILE: the cond {_name(cond)} has {len(cond.outputs)} outputs, "
                          "expected 1")
    _check_arity(node, body, node.inputs, node.outputs, "body")
    _check_types(node, node.inputs, cond.inputs, cond, "cond", "input")
    _check_types(node, node.inputs, body.inputs, body, "body", "input")
    _check_types(node, node.outputs, body.outputs, body, "body", "output")
    cond_out = cond.sg.tensors[cond.outputs[0]]
    if cond_out.type != types.BOOL:
        raise KernelError(f"WHILE: the cond {_name(cond)} output is "
                          f"{types.type_name(cond_out.type)}, expected BOOL")

    shapes = [spec.shape for spec in node.inputs]
    cond_shape, = _prepare_callee(node, cond, shapes, "cond")
    if cond_shape is not None and _size(cond_shape) != 1:
        raise KernelError(f"WHILE: the cond output has shape {list(cond_shape)}, expected one "
                          "element")
    body_shapes = _prepare_callee(node, body, shapes, "body")
    static = all(s is not None and tuple(s) == tuple(i) for s, i in zip(body_shapes, shapes))
    cond_call, body_call = cond.call, body.call
    cond_what = f"WHILE: the cond {_name(cond)} output"

    def run(*arrays):
        while True:
            flag = cond_call(arrays)[0]
            if flag.size != 1:
                raise KernelError(f"{cond_what} has {flag.size} elements, expected 1")
            if not flag.item():
                return tuple(arrays)
            arrays = body_call(arrays)

    return _results(run, len(node.outputs)), (shapes if static else [None] * len(shapes))


def _results(run, count):
    """``run`` returning a list of outputs, as the runtime wants it: one array when the
    node has one output, else a sequence."""
    if count != 1:
        return run

    def single(*arrays):
        return run(*arrays)[0]
    return single


def _size(shape):
    n = 1
    for d in shape:
        n *= int(d)
    return n


# ---------------------------------------------------------------------------- IF

@builtin("IF", foldable=False)
def prepare_if(node):
    """Input 0 (a one-element BOOL) picks then/else; the other inputs are the branch's."""
    if not node.inputs or None in node.inputs:
        raise KernelError("IF: the condition input is missing" if not node.inputs
                          else "IF: an input is absent")
    cond = node.inputs[0]
    if cond.type != types.BOOL:
        raise KernelError(f"IF: the condition is {types.type_name(cond.type)}, expected BOOL")
    if cond.shape is not None and _size(cond.shape) != 1:
        raise KernelError(f"IF: the condition has shape {list(cond.shape)}, expected one "
                          "element")
    args = node.inputs[1:]
    then = _callee(node, options_field(node, "then_subgraph_index", 0), "then")
    other = _callee(node, options_field(node, "else_subgraph_index", 0), "else")
    shapes = [spec.shape for spec in args]
    results = []
    for sub, what in ((then, "then"), (other, "else")):
        _check_arity(node, sub, args, node.outputs, what)
        _check_types(node, args, sub.inputs, sub, what, "input")
        _check_types(node, node.outputs, sub.outputs, sub, what, "output")
        results.append(_prepare_callee(node, sub, shapes, what))
    then_shapes, else_shapes = results
    static = all(a is not None and b is not None and tuple(a) == tuple(b)
                 for a, b in zip(then_shapes, else_shapes))
    then_call, else_call = then.call, other.call

    def run(flag, *arrays):
        if flag.size != 1:
            raise KernelError(f"IF: the condition has {flag.size} elements, expected 1")
        return (then_call if flag.item() else else_call)(arrays)

    return _results(run, len(node.outputs)), \
        (list(then_shapes) if static else [None] * len(node.outputs))


# ---------------------------------------------------------------------------- CALL

@builtin("CALL", foldable=False)
def prepare_call(node):
    """Run CallOptions.subgraph on the inputs; its outputs are the node's."""
    if None in node.inputs:
        raise KernelError("CALL: an input is absent")
    sub = _callee(node, options_field(node, "subgraph", 0), "called")
    _check_arity(node, sub, node.inputs, node.outputs, "called")
    _check_types(node, node.inputs, sub.inputs, sub, "called", "input")
    _check_types(node, node.outputs, sub.outputs, sub, "called", "output")
    shapes = _prepare_callee(node, sub, [spec.shape for spec in node.inputs], "called")
    call = sub.call

    return _results(lambda *arrays: call(arrays), len(node.outputs)), shapes


# ---------------------------------------------------------------------------- CALL_ONCE

@builtin("CALL_ONCE", foldable=False)
def prepare_call_once(node):
    """Run the init subgraph the first time any CALL_ONCE naming it runs, once per interpreter.

    The converter puts CALL_ONCE(SavedModel initializer) first in every entry
    function, so whichever signature runs first initializes the variables and
    tables the others share. A failed init is not marked done and runs again
    on the next call, as in LiteRT.
    """
    if node.inputs or node.outputs:
        raise KernelError(f"CALL_ONCE: expected 0 inputs and 0 outputs, got "
                          f"{len(node.inputs)} and {len(node.outputs)}")
    index = options_field(node, "init_subgraph_index", 0)
    runtime = node.runtime
    init = _callee(node, index, "init")
    if init.busy:
        raise KernelError(f"CALL_ONCE: the init {_name(init)} is the subgraph being prepared")
    if init.inputs or init.outputs:
        raise KernelError(f"CALL_ONCE: the init {_name(init)} has {len(init.inputs)} inputs and "
                          f"{len(init.outputs)} outputs, expected none")
    done = runtime.initialized

    def run():
        if index not in done:
            init.call(())
            done.add(index)
        return ()

    return run, []
