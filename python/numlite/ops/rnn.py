"""RNN and UNIDIRECTIONAL_SEQUENCE_RNN, float32: ``h = act(x . W^T + h . R^T + bias)``.

Inputs: input (RNN ``[batch, input]``; the sequence op ``[batch, time, input]``, or
``[time, batch, input]`` with time_major), weights ``[units, input]``, recurrent weights
``[units, units]``, bias ``[units]`` and the hidden state ``[batch, units]``, which must be a
variable tensor. The output is ``h`` (RNN) or every step's ``h`` (the sequence op). As in
lstm.py, the kernel writes the final ``h`` into the hidden-state input array in place: the
state is a variable tensor owned by the runtime and the interface has no state output.
``x . W^T`` for all steps is one sgemm; the loop runs over time steps only.
"""

import numpy as np

from .common import KernelError, options_field
from .lstm import activation, check_float_inputs, require_variable, to_time_major
from .registry import builtin

_F32 = np.float32


def _weights(node):
    if len(node.inputs) != 5 or len(node.outputs) != 1:
        raise KernelError(f"{node.op_name}: expected 5 inputs and 1 output, got "
                          f"{len(node.inputs)} and {len(node.outputs)}")
    check_float_inputs(node, range(4))
    x, w, r, b = node.inputs[:4]
    if None in (x, w, r, b):
        raise KernelError(f"{node.op_name}: missing input, weights, recurrent weights or bias")
    if len(w.shape) != 2 or tuple(r.shape) != (w.shape[0], w.shape[0]) \
            or int(np.prod(b.shape)) != w.shape[0]:
        raise KernelError(f"{node.op_name}: weights {list(w.shape)}, recurrent weights "
                          f"{list(r.shape)} and bias {list(b.shape)} do not fit together")
    units, n_input = w.shape
    if not x.shape or x.shape[-1] != n_input:
        raise KernelError(f"{node.op_name}: input shape {list(x.shape)} does not end with the "
                          f"weights' {n_input} input features")
    act = activation(options_field(node, "fused_activation_function", 0), node.op_name)

    def pack(wv, rv, bv):
        return (np.ascontiguousarray(np.asarray(wv, _F32).T),
                np.ascontiguousarray(np.asarray(rv, _F32).T),
                np.asarray(bv, _F32).reshape(units))
    packed = pack(w.value, r.value, b.value) \
        if all(s.value is not None for s in (w, r, b)) else None

    def weights(wv, rv, bv):
        return packed if packed is not None else pack(wv, rv, bv)
    return x, units, n_input, act, weights


def _loop(xs, h, wx, wr, bias, act, out):
    """Run the time-major ``xs [T, B, I]`` from ``h``; step outputs into ``out [T, B, U]``."""
    steps, batch = xs.shape[0], xs.shape[1]
    matmul, add = np.dot, np.add        # 2-D products: dot has less call overhead
    xw = matmul(xs.reshape(steps * batch, -1), wx).reshape(steps, batch, -1)
    add(xw, bias, out=xw)
    for t in range(steps):
        z = matmul(h, wr)
        h = act(add(z, xw[t], out=z), out[t])
    return h


@builtin("UNIDIRECTIONAL_SEQUENCE_RNN", foldable=False)
def prepare_unidirectional_sequence_rnn(node):
    x, units, _, act, weights = _weights(node)
    if len(x.shape) != 3:
        raise KernelError(f"{node.op_name}: input must have 3 dimensions, got {list(x.shape)}")
    time_major = bool(options_field(node, "time_major", False))
    steps, batch = (x.shape[0], x.shape[1]) if time_major else (x.shape[1], x.shape[0])
    state = require_variable(node, 4, "hidden_state")
    if tuple(state.shape) != (batch, units):
        raise KernelError(f"{node.op_name}: hidden state has shape {list(state.shape)}, "
                          f"expected {[batch, units]}")
    out_shape = (steps, batch, units) if time_major else (batch, steps, units)

    def run(a, w, r, b, h_state):
        out = np.empty((steps, batch, units), _F32)
        if steps:
            h = _loop(to_time_major(a, time_major), h_state.copy(), *weights(w, r, b), act, out)
            h_state[...] = h          # a variable tensor: updated in place (see module doc)
        return out if time_major else np.ascontiguousarray(out.transpose(1, 0, 2))
    return run, [out_shape]


@builtin("RNN", foldable=False)
def prepare_rnn(node):
    x, units, _, act, weights = _weights(node)
    if len(x.shape) != 2:
        raise KernelError(f"RNN: input must have 2 dimensions, got {list(x.shape)}")
    batch = x.shape[0]
    state = require_variable(node, 4, "hidden_state")
    if tuple(state.shape) != (batch, units):
        raise KernelError(f"RNN: hidden state has shape {list(state.shape)}, expected "
                          f"{[batch, units]}")

    def run(a, w, r, b, h_state):
        out = np.empty((1, batch, units), _F32)
        h_state[...] = _loop(a[None], h_state.copy(), *weights(w, r, b), act, out)
        return out[0]
    return run, [(batch, units)]
