"""The flat plan of runtime/subgraph.py: shape-only folding, step kinds, error and resize paths.

Outputs are compared with ai_edge_litert on the same model and inputs; the folding checks
look at numlite's plan (which operators are left to run at invoke).
"""

import numpy as np
from ai_edge_litert import interpreter as litert

import numlite
from builder import Op, T, build_model
from differential import assert_same, compare, litert_error, numlite_error


def _flatten_model():
    """x [None, 2, 3] -> SHAPE -> STRIDED_SLICE (batch) -> PACK [batch, 6] -> RESHAPE(x)
    -> ADD 1: the chain Keras writes for Flatten/Reshape with a dynamic batch."""
    tensors = [
        T([None, 2, 3], name="x"),
        T([3], np.int32, name="shape"),
        T([1], np.int32, data=[0], name="begin"),
        T([1], np.int32, data=[1], name="end"),
        T([1], np.int32, data=[1], name="stride"),
        T([], np.int32, name="batch"),
        T([], np.int32, data=np.int32(6), name="six"),
        T([2], np.int32, name="dims"),
        T([None, 6], name="flat"),
        T([], data=np.float32(1.0), name="one"),
        T([None, 6], name="out"),
    ]
    ops = [Op("SHAPE", [0], [1], options=dict(out_type=np.int32)),
           Op("STRIDED_SLICE", [1, 2, 3, 4], [5], options=dict(shrink_axis_mask=1)),
           Op("PACK", [5, 6], [7], options=dict(values_count=2, axis=0)),
           Op("RESHAPE", [0, 7], [8]),
           Op("ADD", [8, 9], [10])]
    return build_model(tensors=tensors, ops=ops, inputs=[0], outputs=[10])


def _planned_ops(interp):
    sub = interp._runtime.subgraph(0)
    codes = sub.model.operator_codes
    return [codes[op.opcode_index].name for _, op in sub.plan]


def test_shape_chain_is_folded_and_follows_resizes():
    """SHAPE of a run-time input with a static shape folds at prepare (with the ops it
    feeds); resizing the input re-folds it with the new shape."""
    model = _flatten_model()
    ours = numlite.Interpreter(model_content=model)
    theirs = litert.Interpreter(model_content=model)
    for batch in (1, 4, 2):
        x = np.arange(batch * 6, dtype=np.float32).reshape(batch, 2, 3)
        for interp in (ours, theirs):
            interp.resize_tensor_input(interp.get_input_details()[0]["index"], x.shape)
            interp.allocate_tensors()
            interp.set_tensor(interp.get_input_details()[0]["index"], x)
            interp.invoke()
        assert _planned_ops(ours) == ["RESHAPE", "ADD"]
        out = ours.get_output_details()[0]["index"]
        assert_same(ours.get_tensor(out), theirs.get_tensor(theirs.get_output_details()[0]
                                                            ["index"]))
        assert ours.get_tensor(out).shape == (batch, 6)


def test_step_kinds():
    """One-input, several-input, several-output and zero-input steps in one plan:
    x -> NEG; (neg, x) -> ADD; SPLIT(axis, add) -> two halves; FILL(dims, value)
    with constant operands is folded, so a zero-input node is exercised by its
    ADD consumer."""
    tensors = [
        T([2, 4], name="x"),
        T([2, 4], name="neg"),
        T([2, 4], name="sum"),
        T([], np.int32, data=np.int32(1), name="axis"),
        T([2, 2], name="left"),
        T([2, 2], name="right"),
        T([2], np.int32, data=[2, 2], name="dims"),
        T([], data=np.float32(0.5), name="half"),
        T([2, 2], name="filled"),
        T([2, 2], name="out"),
    ]
    ops = [Op("NEG", [0], [1]),
           Op("ADD", [1, 0], [2]),
           Op("SPLIT", [3, 2], [4, 5], options=dict(num_splits=2)),
           Op("FILL", [6, 7], [8]),
           Op("MUL", [5, 8], [9])]
    model = build_model(tensors=tensors, ops=ops, inputs=[0], outputs=[4, 9])
    x = np.array([[1, -2, 3, -4], [5, 6, -7, 8]], np.float32)
    compare(model, [x])


def test_invoke_error_names_the_failing_node():
    """A kernel failing at invoke is reported with its node number, as LiteRT does."""
    tensors = [T([3], name="x"), T([3], name="y"), T([1], np.int32, name="i"),
               T([1], name="g")]
    ops = [Op("NEG", [0], [1]), Op("GATHER", [1, 2], [3], options=dict(axis=0))]
    model = build_model(tensors=tensors, ops=ops, inputs=[0, 2], outputs=[3])
    feeds = [np.ones(3, np.float32), np.array([7], np.int32)]
    line = "Node number 1 (GATHER) failed to invoke."
    assert line in litert_error(model, feeds)
    assert line in numlite_error(model, feeds)


def test_cancelled_invoke_stops_before_the_next_operator():
    """The runtime's ``cancelled`` flag (Java's setCancelled) stops invoke between operators
    with LiteRT's message; clearing it lets the next invoke run."""
    tensors = [T([3], name="x"), T([3], name="y"), T([3], name="z")]
    model = build_model(tensors=tensors, ops=[Op("NEG", [0], [1]), Op("NEG", [1], [2])],
                        inputs=[0], outputs=[2])
    interp = numlite.Interpreter(model_content=model)
    interp.allocate_tensors()
    interp.set_tensor(interp.get_input_details()[0]["index"], np.ones(3, np.float32))
    interp._runtime.cancelled = True
    try:
        interp.invoke()
    except RuntimeError as error:
        assert str(error) == "Client requested cancel during Invoke()"
    else:
        raise AssertionError("a cancelled invoke must fail")
    interp._runtime.cancelled = False
    interp.invoke()
    assert interp.get_tensor(interp.get_output_details()[0]["index"]).tolist() == [1, 1, 1]
