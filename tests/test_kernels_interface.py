"""The kernel contract (ops/registry.py), checked on hand-made nodes without an interpreter.

For each case: prepare gives (run, shapes) with one tuple of ints per output (or None for a
dynamic one); run on read-only inputs (a write into an input would raise) returns an ndarray of
exactly the output tensor's dtype and the predicted shape; known-value inputs (spec.value) give
the same result as run-time ones; running twice gives the same result.
"""

import numpy as np
import pytest

import numlite.ops  # noqa: F401  (registers the kernels)
from numlite.model import types
from numlite.model.enums import BUILTIN_CODES
from numlite.model.options import _CLASSES
from numlite.model.options_table import BUILTIN_OPTIONS
from numlite.model.schema import OperatorCode, Quantization
from numlite.ops import registry
from numlite.ops.registry import KernelError
from numlite.runtime.node import Node, TensorSpec

_OPTION_INDEX = {name: index for index, (name, _) in BUILTIN_OPTIONS.items()}


def spec(index, dtype, shape, value=None, quant=None, type_=None):
    ttype = type_ if type_ is not None else types._FROM_NUMPY[np.dtype(dtype)]
    q = None
    if quant is not None:
        scales, zps, axis = quant
        q = Quantization(np.asarray(scales, np.float32), np.asarray(zps, np.int64), axis, None,
                         None, 0)
    if value is not None:
        value = np.asarray(value, types.STORAGE_DTYPES[ttype])
        value.flags.writeable = False
    return TensorSpec(index, f"t{index}", ttype, types.STORAGE_DTYPES[ttype],
                      None if shape is None else tuple(shape), value, q, None)


def node(op, inputs, outputs, options_table=None, **options):
    opts = None
    if options_table is not None:
        cls, fields = _CLASSES[_OPTION_INDEX[options_table]]
        values = {f[1]: (() if f[2].startswith("[") else f[3]) for f in fields}
        values.update(options)
        opts = cls(**values)
    return Node(0, op, 1, tuple(inputs), tuple(outputs), opts, None, None)


def prepare(n):
    kernel = registry.lookup(OperatorCode(BUILTIN_CODES[n.op_name], None, 1))
    assert kernel is not None, n.op_name
    return kernel.prepare(n)


def readonly(x):
    x = np.array(x)
    x.flags.writeable = False
    return x


def sample(dtype, shape, seed=0):
    rng = np.random.default_rng(seed)
    dtype = np.dtype(dtype)
    if dtype == object:
        return np.array([b"s%d" % i for i in range(int(np.prod(shape)))],
                        dtype=object).reshape(shape)
    if dtype.kind == "b":
        return rng.random(shape) > 0.5
    if dtype.kind in "iu":
        return rng.integers(0, 3, shape).astype(dtype)
    return np.asarray(rng.standard_normal(shape) * 3, dtype=dtype)


F32 = np.float32
Q8 = ([0.5], [1], 0)
CASES = {
    "add_relu": lambda: node("ADD", [spec(0, F32, (2, 3)), spec(1, F32, (3,))],
                             [spec(2, F32, (2, 3))], "AddOptions", fused_activation_function=1),
    "add_scalar_relu6": lambda: node("ADD", [spec(0, F32, ()), spec(1, F32, ())],
                                     [spec(2, F32, ())], "AddOptions",
                                     fused_activation_function=3),
    "sub_int64": lambda: node("SUB", [spec(0, np.int64, (4, 1)), spec(1, np.int64, (3,))],
                              [spec(2, np.int64, (4, 3))], "SubOptions"),
    "mul_int32_relu": lambda: node("MUL", [spec(0, np.int32, (2, 2)), spec(1, np.int32, (2, 2))],
                                   [spec(2, np.int32, (2, 2))], "MulOptions",
                                   fused_activation_function=1),
    "div_int32": lambda: node("DIV", [spec(0, np.int32, (5,)),
                                      spec(1, np.int32, (1,), value=[2])],
                              [spec(2, np.int32, (5,))], "DivOptions"),
    "div_no_options": lambda: node("DIV", [spec(0, F32, (5,)), spec(1, F32, (5,))],
                                   [spec(2, F32, (5,))]),
    "relu": lambda: node("RELU", [spec(0, F32, (3, 4))], [spec(1, F32, (3, 4))]),
    "relu6_scalar": lambda: node("RELU6", [spec(0, F32, ())], [spec(1, F32, ())]),
    "tanh_scalar": lambda: node("TANH", [spec(0, F32, ())], [spec(1, F32, ())]),
    "logistic": lambda: node("LOGISTIC", [spec(0, F32, (2, 5))], [spec(1, F32, (2, 5))]),
    "logistic_scalar": lambda: node("LOGISTIC", [spec(0, F32, ())], [spec(1, F32, ())]),
    "softmax": lambda: node("SOFTMAX", [spec(0, F32, (2, 3, 4))], [spec(1, F32, (2, 3, 4))],
                            "SoftmaxOptions", beta=0.7),
    "fc_const": lambda: node("FULLY_CONNECTED",
                             [spec(0, F32, (2, 3, 4)), spec(1, F32, (5, 4), sample(F32, (5, 4))),
                              spec(2, F32, (5,), sample(F32, (5,)))],
                             [spec(3, F32, (2, 3, 5))], "FullyConnectedOptions",
                             keep_num_dims=True, fused_activation_function=1),
    "fc_dynamic": lambda: node("FULLY_CONNECTED",
                               [spec(0, F32, (6, 4)), spec(1, F32, (5, 4)), None],
                               [spec(3, F32, (6, 5))], "FullyConnectedOptions"),
    "reshape_const": lambda: node("RESHAPE", [spec(0, F32, (2, 6)),
                                              spec(1, np.int32, (2,), [-1, 4])],
                                  [spec(2, F32, (3, 4))], "ReshapeOptions"),
    "reshape_dynamic": lambda: node("RESHAPE", [spec(0, F32, (2, 6)), spec(1, np.int32, (2,))],
                                    [spec(2, F32, (3, 4))], "ReshapeOptions"),
    "squeeze": lambda: node("SQUEEZE", [spec(0, np.int8, (1, 3, 1))], [spec(1, np.int8, (3,))],
                            "SqueezeOptions"),
    "expand_dims": lambda: node("EXPAND_DIMS", [spec(0, F32, (3,)), spec(1, np.int64, (), -1)],
                                [spec(2, F32, (3, 1))]),
    "concat": lambda: node("CONCATENATION", [spec(0, F32, (2, 1)), spec(1, F32, (2, 3))],
                           [spec(2, F32, (2, 4))], "ConcatenationOptions", axis=-1),
    "transpose": lambda: node("TRANSPOSE", [spec(0, np.bool_, (2, 3, 4)),
                                            spec(1, np.int32, (3,), [2, 0, 1])],
                              [spec(2, np.bool_, (4, 2, 3))]),
    "gather_batch": lambda: node("GATHER", [spec(0, F32, (2, 3, 4)), spec(1, np.int32, (2, 2))],
                                 [spec(2, F32, (2, 3, 2))], "GatherOptions", axis=2,
                                 batch_dims=1),
    "gather_string": lambda: node("GATHER", [spec(0, object, (4,), type_=types.STRING),
                                             spec(1, np.int64, ())],
                                  [spec(2, object, (), type_=types.STRING)], "GatherOptions"),
    "cast_f_to_u8": lambda: node("CAST", [spec(0, F32, (4,))], [spec(1, np.uint8, (4,))]),
    "cast_scalar": lambda: node("CAST", [spec(0, F32, ())], [spec(1, np.int64, ())]),
    "cast_c_to_bool": lambda: node("CAST", [spec(0, np.complex64, (3,))],
                                   [spec(1, np.bool_, (3,))]),
    "quantize": lambda: node("QUANTIZE", [spec(0, F32, (3, 2))],
                             [spec(1, np.int8, (3, 2), quant=([0.1, 0.2], [0, 1], 1))]),
    "requantize": lambda: node("QUANTIZE", [spec(0, np.uint8, (5,), quant=Q8)],
                               [spec(1, np.int8, (5,), quant=([0.25], [-3], 0))]),
    "dequantize": lambda: node("DEQUANTIZE", [spec(0, np.int8, (2, 3), quant=Q8)],
                               [spec(1, F32, (2, 3))]),
    "dequantize_fp16": lambda: node("DEQUANTIZE", [spec(0, np.float16, (4,))],
                                    [spec(1, F32, (4,))]),
}


def inputs_for(n):
    arrays = []
    for i, s in enumerate(n.inputs):
        if s is None:
            arrays.append(None)
        elif s.value is not None:
            arrays.append(s.value)
        elif n.op_name == "RESHAPE" and i == 1:
            arrays.append(readonly(np.array([-1, 4], np.int32)))
        elif n.op_name == "GATHER" and i == 1:
            limit = n.inputs[0].shape[n.options.axis]
            arrays.append(readonly(np.arange(int(np.prod(s.shape)), dtype=s.dtype)
                                   .reshape(s.shape) % limit))
        elif n.op_name == "DIV" and i == 1:
            arrays.append(readonly(np.full(s.shape, 2, s.dtype)))
        else:
            arrays.append(readonly(sample(s.dtype, s.shape, seed=i)))
    return arrays


@pytest.mark.parametrize("name", sorted(CASES))
def test_kernel_contract(name):
    n = CASES[name]()
    run, shapes = prepare(n)
    assert isinstance(shapes, list) and len(shapes) == len(n.outputs)
    for shape in shapes:
        assert shape is None or (type(shape) is tuple and all(type(d) is int for d in shape))
    arrays = inputs_for(n)
    first = run(*arrays)
    second = run(*arrays)
    outs = (first,) if len(n.outputs) == 1 else first
    for out, spec_, shape in zip(outs, n.outputs, shapes):
        assert isinstance(out, np.ndarray), type(out)
        assert out.dtype == spec_.dtype, (out.dtype, spec_.dtype)
        if shape is not None:
            assert out.shape == shape
    if first.dtype == object:
        assert first.tolist() == second.tolist()
    else:
        assert np.array_equal(first, second, equal_nan=first.dtype.kind == "f")


@pytest.mark.parametrize("name", ["add_relu", "fc_const", "concat", "gather_batch", "transpose",
                                  "cast_f_to_u8", "quantize", "dequantize", "softmax"])
def test_result_does_not_alias_inputs(name):
    n = CASES[name]()
    run, _ = prepare(n)
    arrays = inputs_for(n)
    out = run(*arrays)
    for a in arrays:
        if a is not None:
            assert not np.shares_memory(out, a)


def test_known_values_match_runtime_values():
    """A constant second operand seen at prepare gives the same result as a run-time one."""
    b = sample(F32, (3,), seed=5)
    const = node("MUL", [spec(0, F32, (2, 3)), spec(1, F32, (3,), b)], [spec(2, F32, (2, 3))],
                 "MulOptions", fused_activation_function=2)
    dyn = node("MUL", [spec(0, F32, (2, 3)), spec(1, F32, (3,))], [spec(2, F32, (2, 3))],
               "MulOptions", fused_activation_function=2)
    a = readonly(sample(F32, (2, 3)))
    assert np.array_equal(prepare(const)[0](a, readonly(b)), prepare(dyn)[0](a, readonly(b)))


@pytest.mark.parametrize("bad", [
    lambda: node("ADD", [spec(0, np.int8, (2,), quant=Q8), spec(1, np.int8, (2,), quant=Q8)],
                 [spec(2, np.int16, (2,), quant=Q8)], "AddOptions"),
    lambda: node("ADD", [spec(0, F32, (2,)), spec(1, F32, (3,))], [spec(2, F32, (3,))],
                 "AddOptions"),
    lambda: node("SOFTMAX", [spec(0, np.uint8, (2,), quant=Q8)],
                 [spec(1, np.uint8, (2,), quant=Q8)], "SoftmaxOptions"),
    lambda: node("LOGISTIC", [spec(0, np.int8, (2,), quant=Q8)],
                 [spec(1, np.int8, (2,), quant=Q8)]),
    lambda: node("FULLY_CONNECTED", [spec(0, F32, (2, 4)),
                                     spec(1, np.int8, (3, 4), np.ones((3, 4)), quant=Q8), None],
                 [spec(3, np.int8, (2, 3), quant=Q8)], "FullyConnectedOptions"),
    lambda: node("QUANTIZE", [spec(0, F32, (2,))], [spec(1, np.int8, (2,))]),
    lambda: node("CAST", [spec(0, np.uint64, (2,))], [spec(1, F32, (2,))]),
    lambda: node("GATHER", [spec(0, np.float64, (2,)), spec(1, np.int32, (1,))],
                 [spec(2, np.float64, (1,))], "GatherOptions"),
], ids=["add_int8_to_int16", "add_shapes", "softmax_uint8", "logistic_int8", "fc_hybrid",
        "quantize_no_params", "cast_uint64", "gather_float64"])
def test_refusals_raise_kernel_error(bad):
    with pytest.raises(KernelError):
        prepare(bad())
