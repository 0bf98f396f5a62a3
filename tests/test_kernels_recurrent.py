"""UNIDIRECTIONAL_SEQUENCE_LSTM, BIDIRECTIONAL_SEQUENCE_LSTM, UNIDIRECTIONAL_SEQUENCE_RNN, RNN
(float32) against ai_edge_litert.

The state inputs are variable tensors (not graph inputs), as the converter writes them:
each test invokes several times on one interpreter (the state carries over), then
reset_all_variables and invokes again, comparing every output with LiteRT's.
"""

import numpy as np
import pytest

import numlite
from builder import T, Op, build_model
from differential import DEFAULT, REF, RESET, compare_sequence, numlite_error

TOL = dict(rtol=1e-5, atol=2e-6)


def model_with_state(op, input_defs, output_defs, options):
    """A one-op model: inputs with data are constants, ``is_variable`` ones are state, the
    rest graph inputs; None entries are absent optional inputs."""
    tensors, op_inputs, graph_inputs = [], [], []
    for i, t in enumerate(input_defs):
        if t is None:
            op_inputs.append(-1)
            continue
        if t.name is None:
            t.name = f"input_{i}"
        op_inputs.append(len(tensors))
        if t.data is None and not t.is_variable:
            graph_inputs.append(len(tensors))
        tensors.append(t)
    outputs = []
    for i, t in enumerate(output_defs):
        t.name = t.name or f"output_{i}"
        outputs.append(len(tensors))
        tensors.append(t)
    return build_model([Op(op, op_inputs, outputs, options=options)], tensors, graph_inputs,
                       outputs, own_buffers=True)


def weights(rng, shape, scale=0.4):
    return np.asarray(rng.uniform(-scale, scale, shape), np.float32)


def lstm_direction(rng, n_input, n_cell, n_output, cifg=False, peephole=False,
                   projection=False, proj_bias=False):
    """The 17 tensors of one LSTM direction (None = absent)."""
    gates = [None if cifg and g == "i" else g for g in "ifco"]
    defs = []
    defs += [None if g is None else T([n_cell, n_input], data=weights(rng, (n_cell, n_input)))
             for g in gates]
    defs += [None if g is None else T([n_cell, n_output], data=weights(rng, (n_cell, n_output)))
             for g in gates]
    defs += [T([n_cell], data=weights(rng, n_cell)) if peephole and g not in (None, "c")
             else None for g in ("i" if not cifg else None, "f", "o")]
    defs += [None if g is None else T([n_cell], data=weights(rng, n_cell, 1.0)) for g in gates]
    defs.append(T([n_output, n_cell], data=weights(rng, (n_output, n_cell)))
                if projection else None)
    defs.append(T([n_output], data=weights(rng, n_output)) if projection and proj_bias else None)
    return defs


def uni_lstm_model(batch, steps, n_input, n_cell, *, cifg=False, peephole=False,
                   layer_norm=False, projection=False, proj_bias=False, time_major=False,
                   cell_clip=0.0, proj_clip=0.0, activation="TANH", seed=0, n_inputs=24):
    rng = np.random.default_rng(seed)
    n_output = n_cell - 1 if projection else n_cell
    shape = [steps, batch, n_input] if time_major else [batch, steps, n_input]
    defs = [T(shape)] + lstm_direction(rng, n_input, n_cell, n_output, cifg, peephole,
                                       projection, proj_bias)
    defs += [T([batch, n_output], is_variable=True, name="output_state"),
             T([batch, n_cell], is_variable=True, name="cell_state")]
    if n_inputs == 24:
        defs += [T([n_cell], data=weights(rng, n_cell, 1.0) + 1) if layer_norm
                 and not (cifg and g == "i") else None for g in "ifco"]
    out = [steps, batch, n_output] if time_major else [batch, steps, n_output]
    model = model_with_state("UNIDIRECTIONAL_SEQUENCE_LSTM", defs, [T(out)], dict(
        fused_activation_function=activation, cell_clip=cell_clip, proj_clip=proj_clip,
        time_major=time_major))
    return model, shape


def sequence_steps(shape, count=3, seed=1, scale=1.0):
    rng = np.random.default_rng(seed)
    feeds = [[np.asarray(rng.standard_normal(shape) * scale, np.float32)] for _ in range(count)]
    return feeds + [RESET, feeds[0]]


LSTM_CASES = [
    dict(),
    dict(time_major=True),
    dict(cifg=True),
    dict(peephole=True),
    dict(cifg=True, peephole=True),
    dict(projection=True),
    dict(projection=True, proj_bias=True, proj_clip=0.3),
    dict(cell_clip=0.5),
    dict(layer_norm=True),
    dict(layer_norm=True, cifg=True, peephole=True, projection=True, proj_bias=True),
    dict(activation="RELU"),
    dict(activation="NONE", cell_clip=2.0),
    dict(n_inputs=20),
]


@pytest.mark.parametrize("resolver", (REF, DEFAULT))
@pytest.mark.parametrize("case", LSTM_CASES, ids=str)
def test_unidirectional_sequence_lstm(case, resolver):
    model, shape = uni_lstm_model(2, 5, 3, 4, seed=len(str(case)), **case)
    compare_sequence(model, sequence_steps(shape), resolver=resolver, **TOL)


@pytest.mark.parametrize("batch,steps,n_input,n_cell", [(1, 1, 1, 1), (3, 7, 5, 8),
                                                         (1, 12, 16, 32)])
def test_unidirectional_sequence_lstm_sizes(batch, steps, n_input, n_cell):
    model, shape = uni_lstm_model(batch, steps, n_input, n_cell, peephole=True)
    compare_sequence(model, sequence_steps(shape), **TOL)


def test_lstm_state_is_a_variable_tensor_updated_in_place():
    model, shape = uni_lstm_model(2, 4, 3, 4)
    interp = numlite.Interpreter(model_content=model)
    interp.allocate_tensors()
    details = {d["name"]: d["index"] for d in interp.get_tensor_details()}
    x = np.ones(shape, np.float32)
    interp.set_tensor(interp.get_input_details()[0]["index"], x)
    interp.invoke()
    first = interp.get_tensor(interp.get_output_details()[0]["index"])
    state = interp.get_tensor(details["output_state"])
    np.testing.assert_array_equal(state, first[:, -1])          # h of the last step
    assert np.abs(interp.get_tensor(details["cell_state"])).sum() > 0
    interp.invoke()
    assert not np.array_equal(interp.get_tensor(interp.get_output_details()[0]["index"]),
                              first)
    interp.reset_all_variables()
    assert not interp.get_tensor(details["output_state"]).any()
    interp.invoke()
    np.testing.assert_array_equal(interp.get_tensor(interp.get_output_details()[0]["index"]),
                                  first)


def test_lstm_state_that_is_not_variable_is_refused():
    model, shape = uni_lstm_model(1, 2, 3, 4)
    # the same op with plain graph-input states
    rng = np.random.default_rng(0)
    defs = [T([1, 2, 3])] + lstm_direction(rng, 3, 4, 4) + [T([1, 4]), T([1, 4])] + [None] * 4
    model = model_with_state("UNIDIRECTIONAL_SEQUENCE_LSTM", defs, [T([1, 2, 4])],
                             dict(fused_activation_function="TANH"))
    x = np.zeros((1, 2, 3), np.float32)
    error = numlite_error(model, [x, np.zeros((1, 4), np.float32), np.zeros((1, 4), np.float32)])
    assert "output_state != nullptr was not true." in error


def bi_lstm_model(batch, steps, n_input, n_cell, *, merge=False, time_major=True, aux=None,
                  cifg=False, peephole=False, projection=False, seed=0):
    """aux: None, 'input' (aux input feeds the backward cell) or 'weights' (aux weights)."""
    rng = np.random.default_rng(seed)
    n_fw_out = n_cell - 1 if projection else n_cell
    n_bw_cell = n_cell          # LiteRT checks both directions against the forward n_cell
    n_bw_out = n_bw_cell - 1 if projection else n_bw_cell
    n_aux = 2
    shape = [steps, batch, n_input] if time_major else [batch, steps, n_input]
    aux_shape = [steps, batch, n_aux if aux == "weights" else n_input] if time_major else \
        [batch, steps, n_aux if aux == "weights" else n_input]
    defs = [T(shape)]
    defs += lstm_direction(rng, n_input, n_cell, n_fw_out, cifg, peephole, projection, True)
    defs += lstm_direction(rng, n_input, n_bw_cell, n_bw_out, cifg, peephole, projection, True)
    defs += [T([batch, n_fw_out], is_variable=True), T([batch, n_cell], is_variable=True),
             T([batch, n_bw_out], is_variable=True), T([batch, n_bw_cell], is_variable=True)]
    defs.append(T(aux_shape, name="aux") if aux else None)
    for cells in (n_cell, n_bw_cell):
        defs += [T([cells, n_aux], data=weights(rng, (cells, n_aux)))
                 if aux == "weights" and not (cifg and g == "i") else None for g in "ifco"]
    out_len = lambda n: [steps, batch, n] if time_major else [batch, steps, n]   # noqa: E731
    outs = [T(out_len(n_fw_out + n_bw_out))] if merge else [T(out_len(n_fw_out)),
                                                             T(out_len(n_bw_out))]
    model = model_with_state("BIDIRECTIONAL_SEQUENCE_LSTM", defs, outs, dict(
        fused_activation_function="TANH", merge_outputs=merge, time_major=time_major))
    return model, shape, aux_shape if aux else None


BI_CASES = [
    dict(),
    dict(merge=True),
    dict(time_major=False),
    dict(time_major=False, peephole=True),
    dict(cifg=True, projection=True),
    dict(aux="input"),
    dict(aux="weights", merge=True),
    dict(aux="weights", time_major=False, cifg=True),
]


@pytest.mark.parametrize("resolver", (REF, DEFAULT))
@pytest.mark.parametrize("case", BI_CASES, ids=str)
def test_bidirectional_sequence_lstm(case, resolver):
    model, shape, aux_shape = bi_lstm_model(2, 4, 3, 3, seed=len(str(case)), **case)
    rng = np.random.default_rng(2)
    feeds = []
    for _ in range(2):
        step = [np.asarray(rng.standard_normal(shape), np.float32)]
        if aux_shape:
            step.append(np.asarray(rng.standard_normal(aux_shape), np.float32))
        feeds.append(step)
    compare_sequence(model, feeds + [RESET, feeds[0]], resolver=resolver, **TOL)


@pytest.mark.parametrize("peephole", (False, True))
def test_bidirectional_sequence_lstm_merged_batch_major(peephole):
    # LiteRT 2.3 writes the merged batch-major output wrongly for batch > 0 (garbage that
    # changes from run to run in the forward half): compare with its separate outputs
    case = dict(time_major=False, peephole=peephole, seed=5)
    merged, shape, _ = bi_lstm_model(2, 4, 3, 3, merge=True, **case)
    separate, _, _ = bi_lstm_model(2, 4, 3, 3, merge=False, **case)
    rng = np.random.default_rng(3)
    steps = [[np.asarray(rng.standard_normal(shape), np.float32)] for _ in range(2)]
    expected = compare_sequence(separate, steps, **TOL)
    interp = numlite.Interpreter(model_content=merged)
    interp.allocate_tensors()
    for step, (fw, bw) in zip(steps, expected):
        interp.set_tensor(interp.get_input_details()[0]["index"], step[0])
        interp.invoke()
        out = interp.get_tensor(interp.get_output_details()[0]["index"])
        np.testing.assert_array_equal(out, np.concatenate([fw, bw], axis=-1))


def rnn_model(op, batch, steps, n_input, units, time_major=False, activation="TANH", seed=0):
    rng = np.random.default_rng(seed)
    if op == "RNN":
        shape, out = [batch, n_input], [batch, units]
        options = dict(fused_activation_function=activation)
    else:
        shape = [steps, batch, n_input] if time_major else [batch, steps, n_input]
        out = [steps, batch, units] if time_major else [batch, steps, units]
        options = dict(fused_activation_function=activation, time_major=time_major)
    defs = [T(shape), T([units, n_input], data=weights(rng, (units, n_input), 0.6)),
            T([units, units], data=weights(rng, (units, units), 0.6)),
            T([units], data=weights(rng, units)), T([batch, units], is_variable=True)]
    return model_with_state(op, defs, [T(out)], options), shape


@pytest.mark.parametrize("resolver", (REF, DEFAULT))
@pytest.mark.parametrize("activation", ("TANH", "RELU", "RELU6", "RELU_N1_TO_1", "NONE"))
@pytest.mark.parametrize("time_major", (False, True))
def test_unidirectional_sequence_rnn(time_major, activation, resolver):
    model, shape = rnn_model("UNIDIRECTIONAL_SEQUENCE_RNN", 2, 5, 3, 4, time_major, activation)
    compare_sequence(model, sequence_steps(shape), resolver=resolver, **TOL)


@pytest.mark.parametrize("resolver", (REF, DEFAULT))
@pytest.mark.parametrize("activation", ("TANH", "RELU", "NONE"))
@pytest.mark.parametrize("batch,n_input,units", [(1, 3, 4), (3, 6, 2)])
def test_rnn(batch, n_input, units, activation, resolver):
    model, shape = rnn_model("RNN", batch, 1, n_input, units, activation=activation)
    compare_sequence(model, sequence_steps(shape, count=4), resolver=resolver, **TOL)
