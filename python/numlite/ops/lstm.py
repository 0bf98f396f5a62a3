"""UNIDIRECTIONAL_SEQUENCE_LSTM and BIDIRECTIONAL_SEQUENCE_LSTM, float32.

One LSTM step, per gate ``x`` in (input, forget, cell, output), as LiteRT's float kernel
(lstm_eval) defines it::

    z_x = W_x . input + R_x . h_prev [+ A_x . aux_input] [+ P_x * c]   (peephole: i, f on
                                                                        c_prev, o on c_new)
    without layer norm: z_x += bias_x
    with layer norm:    z_x = normalize(z_x) * L_x + bias_x   (mean/stddev over the cells,
                                                               variance + 1e-8)
    i, f, o = sigmoid(z_i, z_f, z_o)  (CIFG: no input-gate tensors and i = 1 - f)
    g = act(z_c);  c = f * c_prev + i * g,  clipped to +-cell_clip when cell_clip > 0
    h = o * act(c);  with projection: h = W_proj . h (+ b_proj), clipped to +-proj_clip

``act`` is the fused activation option (TANH in converted models; NONE, RELU,
RELU_N1_TO_1 and RELU6 also work). ``input @ W`` is done for all time steps in one sgemm
before the time loop; each step is one ``h @ R`` sgemm and a few vector ops on ``[batch,
gates * cells]`` arrays. The Python loop runs over time steps only.

State: the output (``h``) and cell (``c``) state inputs must be variable tensors (LiteRT
refuses others with ``output_state != nullptr``). The kernel interface has no outputs for
them, so run() writes the final ``h`` and ``c`` **into those input arrays in place** -- the
one exception to "kernels never write into their inputs", allowed only for ``is_variable``
tensors, whose storage the runtime owns, allocates at allocate_tensors and zeroes at
reset_all_variables. These kernels are registered as not foldable.

Integer LSTMs and diagonal_recurrent_tensors are refused; the hybrid (int8 weights)
UNIDIRECTIONAL_SEQUENCE_LSTM is hybrid.py's, which runs run_direction with its own
weight products.
"""

import numpy as np

from ..model import types
from .activations import ACT_NAMES
from .common import KernelError, clip_ufunc, is_quantized, options_field, type_name
from .registry import builtin
from .windows import model_tensor

_F32 = np.float32
_ONE = np.array(1.0, _F32)          # 0-d arrays: faster ufunc operands than numpy scalars
_LN_EPSILON = _F32(1e-8)


# ---- shared helpers (also used by rnn.py) ---------------------------------------------------

def require_variable(node, position, name):
    """The spec of state input ``position``; KernelError unless it is a variable tensor."""
    spec = node.inputs[position] if position < len(node.inputs) else None
    tensor = model_tensor(node, spec)
    if spec is None or tensor is None or not tensor.is_variable:
        raise KernelError(f"{name} != nullptr was not true.")
    if spec.type != types.FLOAT32 or is_quantized(spec):
        raise KernelError(f"{node.op_name}: state type {type_name(spec)} is not supported; "
                          "numlite implements the float32 kernel only")
    return spec


def check_float_inputs(node, positions, outputs=True):
    for i in positions:
        spec = node.inputs[i] if i < len(node.inputs) else None
        if spec is not None and (spec.type != types.FLOAT32 or is_quantized(spec)):
            raise KernelError(f"{node.op_name}: input {i} has type {type_name(spec)}"
                              f"{' (quantized)' if is_quantized(spec) else ''}; numlite "
                              "implements the float32 kernel only (no hybrid or integer "
                              "kernels)")
    if outputs:
        for spec in node.outputs:
            if spec.type != types.FLOAT32 or is_quantized(spec):
                raise KernelError(f"{node.op_name}: output type {type_name(spec)} is not "
                                  "supported; numlite implements the float32 kernel only")


def _identity(x, out):
    if out is not x:
        np.copyto(out, x)
    return out


def activation(code, op_name):
    """``f(x, out) -> out``: the recurrent ops' fused activation of ``x`` written into ``out``
    (which may be ``x``)."""
    if code == 0:
        return _identity
    bounds = {1: (0, np.inf), 2: (-1, 1), 3: (0, 6)}.get(code)
    if bounds is not None:
        low, high = np.array(bounds[0], _F32), np.array(bounds[1], _F32)
        return lambda x, out: clip_ufunc(x, low, high, out=out)
    if code == 4:
        return np.tanh
    name = ACT_NAMES[code] if 0 <= code < len(ACT_NAMES) else str(code)
    raise KernelError(f"{op_name}: activation {name} is not supported")


def to_time_major(x, time_major):
    """``[T, B, ...]`` view of a sequence given batch-major (``[B, T, ...]``) or time-major."""
    return x if time_major else x.swapaxes(0, 1)


# ---- one direction ---------------------------------------------------------------------------

# input positions of one direction's tensors, in UNIDIRECTIONAL_SEQUENCE_LSTM numbering
_NAMES = ("x_i", "x_f", "x_c", "x_o", "h_i", "h_f", "h_c", "h_o", "p_i", "p_f", "p_o",
          "b_i", "b_f", "b_c", "b_o", "proj", "proj_b")
_LN = ("ln_i", "ln_f", "ln_c", "ln_o")
_AUX = ("a_i", "a_f", "a_c", "a_o")


class _Direction:
    """One direction's tensor specs and (when all are constant) its packed weights."""

    def __init__(self, node, positions):
        """``positions``: name -> input index (or None) for _NAMES, _LN and _AUX."""
        self.node = node
        self.positions = positions
        spec = {k: (node.inputs[i] if i is not None and i < len(node.inputs) else None)
                for k, i in positions.items()}
        self.spec = spec
        for k in ("x_f", "x_c", "x_o", "h_f", "h_c", "h_o", "b_f", "b_c", "b_o"):
            if spec[k] is None:
                raise KernelError(f"{node.op_name}: missing required tensor {k} (input "
                                  f"{positions[k]})")
        self.cifg = spec["x_i"] is None
        if self.cifg and (spec["h_i"] is not None or spec["b_i"] is not None):
            raise KernelError(f"{node.op_name}: CIFG LSTM (no input-to-input weights) must not "
                              "have recurrent-to-input weights or an input gate bias")
        if not self.cifg and (spec["h_i"] is None or spec["b_i"] is None):
            raise KernelError(f"{node.op_name}: the input gate needs recurrent-to-input "
                              "weights and a bias")
        # the sigmoid gates first, the cell gate last: one block of sigmoids per step
        self.gates = ("f", "o", "c") if self.cifg else ("i", "f", "o", "c")
        self.n_cell, self.n_input = _dims(node, spec["x_f"], 2, "input-to-forget weights")
        n_cell2, self.n_output = _dims(node, spec["h_f"], 2, "recurrent-to-forget weights")
        if n_cell2 != self.n_cell:
            raise KernelError(f"{node.op_name}: recurrent weights have {n_cell2} cells, "
                              f"expected {self.n_cell}")
        for g in self.gates:
            _expect(node, spec["x_" + g], (self.n_cell, self.n_input), "input weights")
            _expect(node, spec["h_" + g], (self.n_cell, self.n_output), "recurrent weights")
            _expect(node, spec["b_" + g], (self.n_cell,), "gate bias")
        self.peephole = spec["p_f"] is not None or spec["p_o"] is not None
        if self.peephole:
            for g in ("f", "o") + (() if self.cifg else ("i",)):
                if spec["p_" + g] is None:
                    raise KernelError(f"{node.op_name}: peephole weights must be given for "
                                      "every gate")
                _expect(node, spec["p_" + g], (self.n_cell,), "peephole weights")
        self.layer_norm = any(spec[k] is not None for k in _LN)
        if self.layer_norm:
            for g in self.gates:
                if spec["ln_" + g] is None:
                    raise KernelError(f"{node.op_name}: layer norm coefficients must be given "
                                      "for every gate")
                _expect(node, spec["ln_" + g], (self.n_cell,), "layer norm coefficients")
        if spec["proj"] is not None:
            _expect(node, spec["proj"], (self.n_output, self.n_cell), "projection weights")
            if spec["proj_b"] is not None:
                _expect(node, spec["proj_b"], (self.n_output,), "projection bias")
        elif self.n_output != self.n_cell:
            raise KernelError(f"{node.op_name}: without projection the output size "
                              f"{self.n_output} must equal the cell count {self.n_cell}")
        self.aux = any(spec.get(k) is not None for k in _AUX)
        self.n_aux = None
        if self.aux:
            for g in self.gates:
                if spec["a_" + g] is None:
                    raise KernelError(f"{node.op_name}: aux input weights must be given for "
                                      "every gate")
            self.n_aux = spec["a_f"].shape[1] if len(spec["a_f"].shape) == 2 else -1
            for g in self.gates:
                _expect(node, spec["a_" + g], (self.n_cell, self.n_aux), "aux input weights")
        used = [i for i in positions.values() if i is not None and i < len(node.inputs)]
        check_float_inputs(node, used, outputs=False)
        constant = all(node.inputs[i] is None or node.inputs[i].value is not None for i in used)
        self.packed = self.pack({k: None if s is None else s.value for k, s in spec.items()}) \
            if constant else None

    def pack(self, v):
        """Weights arranged for the sgemms: gates side by side along the last axis, in
        ``self.gates`` order. The sigmoid gates' weights, biases and peepholes are negated
        (exact in floating point), so their pre-activations come out as ``-z`` and the
        sigmoid ``1 / (1 + exp(-z))`` needs no negation pass per step; layer norm
        coefficients multiply the normalized ``-z`` and stay as they are."""
        g = self.gates

        def f32(a, k=None):
            a = np.asarray(a, _F32)
            return -a if k in ("i", "f", "o") else a
        packed = {
            "wx": np.ascontiguousarray(np.concatenate([f32(v["x_" + k], k) for k in g]).T),
            "wh": np.ascontiguousarray(np.concatenate([f32(v["h_" + k], k) for k in g]).T),
            "bias": np.concatenate([f32(v["b_" + k], k).reshape(-1) for k in g]),
            "wa": None if not self.aux else np.ascontiguousarray(
                np.concatenate([f32(v["a_" + k], k) for k in g]).T),
            "peep": None if not self.peephole else {
                k: f32(v["p_" + k], k).reshape(-1) for k in ("i", "f", "o")
                if v.get("p_" + k) is not None},
            "ln": None if not self.layer_norm else [f32(v["ln_" + k]).reshape(-1) for k in g],
            "proj": None if v["proj"] is None else np.ascontiguousarray(f32(v["proj"]).T),
            "proj_b": None if v["proj_b"] is None else f32(v["proj_b"]).reshape(-1),
        }
        return packed

    def weights(self, arrays):
        if self.packed is not None:
            return self.packed
        return self.pack({k: (arrays[i] if i is not None and i < len(arrays) else None)
                          for k, i in self.positions.items()})


def _dims(node, spec, rank, what):
    if spec.shape is None or len(spec.shape) != rank:
        raise KernelError(f"{node.op_name}: {what} must have {rank} dimensions, got shape "
                          f"{spec.shape}")
    return spec.shape


def _expect(node, spec, shape, what):
    if spec is not None and tuple(spec.shape) != tuple(shape):
        raise KernelError(f"{node.op_name}: {what} have shape {list(spec.shape)}, expected "
                          f"{list(shape)}")


def _normalize(z):
    """LiteRT's MeanStddevNormalization over the last axis, in place."""
    mean = z.mean(axis=-1, keepdims=True, dtype=_F32)
    np.subtract(z, mean, out=z)
    var = np.square(z).mean(axis=-1, keepdims=True, dtype=_F32)
    np.add(var, _LN_EPSILON, out=var)
    np.sqrt(var, out=var)
    return np.divide(z, var, out=z)


def _sigmoid_of_negated(z):
    """``1 / (1 + exp(z))`` in place: the sigmoid of the gate whose negated pre-activation
    ``z`` is (see _Direction.pack; exp overflow gives the right limit 0)."""
    np.exp(z, out=z)
    np.add(z, _ONE, out=z)
    return np.divide(_ONE, z, out=z)


def _layer_norm(z, coefficients, bias):
    _normalize(z)
    np.multiply(z, coefficients, out=z)
    np.add(z, bias, out=z)


def run_direction(d, w, xs, aux, h, c, act, cell_clip, proj_clip, reverse, out, out_offset):
    """Run one direction over the time-major sequence ``xs [T, B, I]``.

    Writes each step's ``h`` into ``out[t, :, out_offset:out_offset + n_output]`` and returns
    the final (h, c). ``c`` must be an array the caller owns (updated in place); ``h`` is
    returned as a view of ``out`` (the caller copies it into state).
    """
    steps, batch = xs.shape[0], xs.shape[1]
    n = d.n_cell
    ng = len(d.gates)
    # np.dot (every product is 2-D; less call overhead than matmul) unless w carries the
    # hybrid kernel's product (hybrid.py)
    matmul, multiply, add = w.get("matmul", np.dot), np.multiply, np.add
    xw = matmul(xs.reshape(steps * batch, -1), w["wx"]).reshape(steps, batch, ng * n)
    if aux is not None:
        add(xw, matmul(aux.reshape(steps * batch, -1), w["wa"]).reshape(steps, batch, ng * n),
            out=xw)
    ln = w["ln"]
    if ln is None:
        add(xw, w["bias"], out=xw)
    biases = None if ln is None else [w["bias"][k * n:(k + 1) * n] for k in range(ng)]
    peep = w["peep"]
    proj, proj_b = w["proj"], w["proj_b"]
    wh = w["wh"]
    gate = {g: slice(k * n, (k + 1) * n) for k, g in enumerate(d.gates)}
    fs, os_, cs = gate["f"], gate["o"], gate["c"]
    sig = slice(0, (ng - 1) * n)        # the sigmoid gates, stored negated
    # with a peephole or layer norm the output gate needs the new c first
    late_o = peep is not None or ln is not None
    early = [g for g in d.gates[:-1] if not late_o or g != "o"]
    first_sig = slice(0, len(early) * n) if late_o else sig
    n_out = d.n_output
    cols = slice(out_offset, out_offset + n_out)
    order = range(steps - 1, -1, -1) if reverse else range(steps)
    for t in order:
        z = matmul(h, wh)
        add(z, xw[t], out=z)
        if peep is not None:
            for g in early:
                add(z[:, gate[g]], multiply(peep[g], c), out=z[:, gate[g]])
        if ln is not None:
            for g in early + ["c"]:
                k = d.gates.index(g)
                _layer_norm(z[:, gate[g]], ln[k], biases[k])
        _sigmoid_of_negated(z[:, first_sig])
        g = act(z[:, cs], z[:, cs])
        f = z[:, fs]
        i = np.subtract(_ONE, f) if d.cifg else z[:, gate["i"]]
        multiply(i, g, out=i)
        multiply(f, c, out=c)
        add(c, i, out=c)
        if cell_clip > 0:
            clip_ufunc(c, -cell_clip, cell_clip, out=c)
        o = z[:, os_]
        if late_o:
            if peep is not None:
                add(o, multiply(peep["o"], c), out=o)
            if ln is not None:
                k = d.gates.index("o")
                _layer_norm(o, ln[k], biases[k])
            _sigmoid_of_negated(o)
        if act is _identity:
            # LiteRT applies activation NONE by leaving its scratch untouched, and that
            # scratch holds the cell gate: the output is o * g, not o * c
            h = out[t, :, cols] if proj is None else np.empty((batch, n), _F32)
            multiply(o, g, out=h)
        elif proj is None:
            h = act(c, out[t, :, cols])
            multiply(h, o, out=h)
        else:
            h = act(c, np.empty((batch, n), _F32))
            multiply(h, o, out=h)
        if proj is not None:
            h = matmul(h, proj)
            if proj_b is not None:
                add(h, proj_b, out=h)
            if proj_clip > 0:
                clip_ufunc(h, -proj_clip, proj_clip, out=h)
            out[t, :, cols] = h
    return h, c


def _clip_option(node, name):
    value = _F32(options_field(node, name, 0.0) or 0.0)
    if value < 0:
        raise KernelError(f"{node.op_name}: {name} must not be negative, got {value}")
    return value


def _state(node, position, name, shape):
    spec = require_variable(node, position, name)
    if tuple(spec.shape) != tuple(shape):
        raise KernelError(f"{node.op_name}: {name} has shape {list(spec.shape)}, expected "
                          f"{list(shape)}")
    return spec


def _sequence_input(node, spec, time_major, n_input, what="input"):
    if spec is None or spec.shape is None or len(spec.shape) != 3:
        raise KernelError(f"{node.op_name}: {what} must have 3 dimensions, got shape "
                          f"{None if spec is None else spec.shape}")
    steps, batch = (spec.shape[0], spec.shape[1]) if time_major else \
        (spec.shape[1], spec.shape[0])
    if n_input is not None and spec.shape[2] != n_input:
        raise KernelError(f"{node.op_name}: {what} has {spec.shape[2]} features, the weights "
                          f"expect {n_input}")
    return steps, batch


# ---- UNIDIRECTIONAL_SEQUENCE_LSTM -------------------------------------------------------------

_UNI = dict(zip(_NAMES, range(1, 18)), ln_i=20, ln_f=21, ln_c=22, ln_o=23)


def check_unidirectional(node):
    """The arity and options every UNIDIRECTIONAL_SEQUENCE_LSTM kernel (float, hybrid) needs."""
    if len(node.inputs) not in (20, 24) or len(node.outputs) != 1:
        raise KernelError(f"UNIDIRECTIONAL_SEQUENCE_LSTM: expected 20 or 24 inputs and 1 "
                          f"output, got {len(node.inputs)} and {len(node.outputs)}")
    if options_field(node, "diagonal_recurrent_tensors", False):
        raise KernelError("UNIDIRECTIONAL_SEQUENCE_LSTM: diagonal_recurrent_tensors is not "
                          "supported")


@builtin("UNIDIRECTIONAL_SEQUENCE_LSTM", foldable=False)
def prepare_unidirectional_sequence_lstm(node):
    check_unidirectional(node)
    x = node.inputs[0]
    check_float_inputs(node, [0])
    positions = dict(_UNI)
    positions.update({k: None for k in _AUX})
    d = _Direction(node, positions)
    time_major = bool(options_field(node, "time_major", False))
    steps, batch = _sequence_input(node, x, time_major, d.n_input)
    _state(node, 18, "output_state", (batch, d.n_output))
    _state(node, 19, "cell_state", (batch, d.n_cell))
    act = activation(options_field(node, "fused_activation_function", 4), node.op_name)
    cell_clip, proj_clip = _clip_option(node, "cell_clip"), _clip_option(node, "proj_clip")
    out_shape = (steps, batch, d.n_output) if time_major else (batch, steps, d.n_output)

    def run(*arrays):
        a, h_state, c_state = arrays[0], arrays[18], arrays[19]
        out = np.empty((steps, batch, d.n_output), _F32)
        if steps == 0:
            return out if time_major else out.transpose(1, 0, 2).copy()
        h, c = run_direction(d, d.weights(arrays), to_time_major(a, time_major), None,
                             h_state.copy(), c_state.copy(), act, cell_clip, proj_clip,
                             False, out, 0)
        h_state[...] = h              # variable tensors: updated in place (see module doc)
        c_state[...] = c
        return out if time_major else np.ascontiguousarray(out.transpose(1, 0, 2))
    return run, [out_shape]


# ---- BIDIRECTIONAL_SEQUENCE_LSTM --------------------------------------------------------------

_FW = dict(zip(_NAMES, range(1, 18)), a_i=40, a_f=41, a_c=42, a_o=43)
_BW = dict(zip(_NAMES, range(18, 35)), a_i=44, a_f=45, a_c=46, a_o=47)


@builtin("BIDIRECTIONAL_SEQUENCE_LSTM", foldable=False)
def prepare_bidirectional_sequence_lstm(node):
    if len(node.inputs) != 48 or len(node.outputs) not in (1, 2):
        raise KernelError(f"BIDIRECTIONAL_SEQUENCE_LSTM: expected 48 inputs and 1 or 2 "
                          f"outputs, got {len(node.inputs)} and {len(node.outputs)}")
    merge = bool(options_field(node, "merge_outputs", False))
    if len(node.outputs) != (1 if merge else 2):
        raise KernelError(f"BIDIRECTIONAL_SEQUENCE_LSTM: {'merged' if merge else 'separate'} "
                          f"outputs need {1 if merge else 2} output tensors, got "
                          f"{len(node.outputs)}")
    check_float_inputs(node, [0, 39])
    fw_pos = dict(_FW)
    bw_pos = dict(_BW)
    for pos in (fw_pos, bw_pos):
        pos.update({k: None for k in _LN})
    fw = _Direction(node, fw_pos)
    bw = _Direction(node, bw_pos)
    time_major = bool(options_field(node, "time_major", True))
    x, aux = node.inputs[0], node.inputs[39]
    steps, batch = _sequence_input(node, x, time_major, fw.n_input)
    # LiteRT's linking: an aux input without aux weights is the backward cell's input
    # (stacked bidirectional layers); with aux weights both cells add its contribution
    if fw.aux != bw.aux:
        raise KernelError("BIDIRECTIONAL_SEQUENCE_LSTM: aux weights must be given for both "
                          "directions or for neither")
    if fw.aux and aux is None:
        raise KernelError("BIDIRECTIONAL_SEQUENCE_LSTM: aux weights need an aux input")
    bw_takes_aux = aux is not None and not fw.aux
    if aux is not None:
        a_steps, a_batch = _sequence_input(node, aux, time_major,
                                           fw.n_aux if fw.aux else None, "aux input")
        if (a_steps, a_batch) != (steps, batch):
            raise KernelError("BIDIRECTIONAL_SEQUENCE_LSTM: aux input and input differ in "
                              "time steps or batch")
        if bw_takes_aux and aux.shape[2] != bw.n_input:
            raise KernelError(f"BIDIRECTIONAL_SEQUENCE_LSTM: aux input has {aux.shape[2]} "
                              f"features, the backward weights expect {bw.n_input}")
    elif bw.n_input != fw.n_input:
        raise KernelError("BIDIRECTIONAL_SEQUENCE_LSTM: backward weights expect "
                          f"{bw.n_input} input features, the input has {fw.n_input}")
    _state(node, 35, "fw_activation_state", (batch, fw.n_output))
    _state(node, 36, "fw_cell_state", (batch, fw.n_cell))
    _state(node, 37, "bw_activation_state", (batch, bw.n_output))
    _state(node, 38, "bw_cell_state", (batch, bw.n_cell))
    act = activation(options_field(node, "fused_activation_function", 4), node.op_name)
    cell_clip, proj_clip = _clip_option(node, "cell_clip"), _clip_option(node, "proj_clip")
    widths = (fw.n_output + bw.n_output,) if merge else (fw.n_output, bw.n_output)
    shapes = [(steps, batch, n) if time_major else (batch, steps, n) for n in widths]

    def run(*arrays):
        a, aux_a = to_time_major(arrays[0], time_major), arrays[39]
        aux_a = None if aux_a is None else to_time_major(aux_a, time_major)
        outs = [np.empty((steps, batch, n), _F32) for n in widths]
        if steps:
            states = arrays[35:39]
            fw_out, bw_out = (outs[0], outs[0]) if merge else outs
            h, c = run_direction(fw, fw.weights(arrays), a, aux_a if fw.aux else None,
                                 states[0].copy(), states[1].copy(), act, cell_clip,
                                 proj_clip, False, fw_out, 0)
            states[0][...] = h        # variable tensors: updated in place (see module doc)
            states[1][...] = c
            h, c = run_direction(bw, bw.weights(arrays), aux_a if bw_takes_aux else a,
                                 aux_a if bw.aux else None, states[2].copy(),
                                 states[3].copy(), act, cell_clip, proj_clip, True, bw_out,
                                 fw.n_output if merge else 0)
            states[2][...] = h
            states[3][...] = c
        if not time_major:
            outs = [np.ascontiguousarray(o.transpose(1, 0, 2)) for o in outs]
        return outs[0] if merge else tuple(outs)
    return run, shapes
