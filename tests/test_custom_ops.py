"""Custom ops from Python: InterpreterWithCustomOps registers user kernels by custom code.

A registerer is a callable that receives ``register(code, prepare, foldable=False)``
(ai_edge_litert's ``custom_op_registerers`` take native symbol names instead, which
numlite cannot load: those are refused with LiteRT's message). Outputs are checked
against the numpy formula the kernel stands for; the unregistered case against LiteRT.
"""

import struct

import numpy as np
import pytest

import numlite
from ai_edge_litert import interpreter as litert
from builder import Op, T, build_model, single_op
from numlite.ops.common import KernelError

SCALE = 0.5
# The custom op "ScaledAtan2": out = scale * atan2(y, x), scale a float32 in custom_options.
MODEL = single_op("ScaledAtan2", [T([2, 3], np.float32, name="y"), T([2, 3], np.float32, name="x")],
                  [T([2, 3], np.float32, name="angle")],
                  custom_options=struct.pack("<f", SCALE))


def scaled_atan2(register):
    """The user's registerer: one kernel, reading its attribute from custom_options."""
    def prepare(node):
        y, x = node.inputs
        if y.type != x.type or y.dtype != np.float32:
            raise KernelError("ScaledAtan2: inputs must both be float32")
        if y.shape != x.shape:
            raise KernelError(f"ScaledAtan2: shapes {list(y.shape)} and {list(x.shape)} differ")
        (scale,) = struct.unpack("<f", bytes(node.custom_options))
        scale = np.float32(scale)

        def run(a, b):
            return (scale * np.arctan2(a, b)).astype(np.float32)
        return run, [y.shape]
    register("ScaledAtan2", prepare)


def test_registered_kernel_runs_in_signatures_and_the_invoke_api():
    interpreter = numlite.InterpreterWithCustomOps(custom_op_registerers=[scaled_atan2],
                                                   model_content=MODEL)
    rng = np.random.default_rng(0)
    y, x = rng.standard_normal((2, 2, 3)).astype(np.float32)
    expected = (np.float32(SCALE) * np.arctan2(y, x)).astype(np.float32)
    got = interpreter.get_signature_runner()(y=y, x=x)["angle"]
    np.testing.assert_array_equal(got, expected)

    interpreter.allocate_tensors()
    interpreter.set_tensor(interpreter.get_input_details()[0]["index"], y)
    interpreter.set_tensor(interpreter.get_input_details()[1]["index"], x)
    interpreter.invoke()
    np.testing.assert_array_equal(
        interpreter.get_tensor(interpreter.get_output_details()[0]["index"]), expected)
    assert interpreter._get_ops_details()[0]["op_name"] == "ScaledAtan2"


def test_resizing_prepares_the_custom_kernel_again():
    interpreter = numlite.InterpreterWithCustomOps(custom_op_registerers=[scaled_atan2],
                                                   model_content=MODEL)
    y = np.linspace(-2, 2, 20, dtype=np.float32).reshape(4, 5)
    x = np.ones((4, 5), np.float32)
    got = interpreter.get_signature_runner()(y=y, x=x)["angle"]
    np.testing.assert_allclose(got, SCALE * np.arctan2(y, x), rtol=1e-6)
    bad = interpreter.get_signature_runner()
    with pytest.raises(RuntimeError, match=r"ScaledAtan2: shapes \[4, 5\] and \[4, 1\] differ\n"
                                           r"Node number 0 \(ScaledAtan2\) failed to prepare"):
        bad(y=y, x=np.ones((4, 1), np.float32))


def test_foldable_kernel_runs_once_on_constant_inputs():
    """Registered with foldable=True, a pure kernel on constant inputs runs at prepare only."""
    calls = []

    def registerer(register):
        def prepare(node):
            def run(a):
                calls.append(1)
                return a * np.float32(3)
            return run, [node.inputs[0].shape]
        register("Triple", prepare, foldable=True)

    const = np.arange(4, dtype=np.float32)
    model = build_model(
        ops=[Op("Triple", [0], [1]), Op("ADD", [1, 2], [3], {})],
        tensors=[T([4], np.float32, data=const), T([4], np.float32),
                 T([4], np.float32, name="x"), T([4], np.float32, name="out")],
        inputs=[2], outputs=[3], signatures={"run": ({"x": 2}, {"out": 3})})
    runner = numlite.InterpreterWithCustomOps(custom_op_registerers=[registerer],
                                              model_content=model).get_signature_runner("run")
    for k in range(3):
        x = np.full(4, k, np.float32)
        np.testing.assert_array_equal(runner(x=x)["out"], const * 3 + x)
    assert len(calls) == 1


def test_registrations_belong_to_their_interpreter():
    """A plain Interpreter does not see another interpreter's kernels: it fails as LiteRT."""
    numlite.InterpreterWithCustomOps(custom_op_registerers=[scaled_atan2], model_content=MODEL)
    errors = []
    for module in (numlite, litert):
        with pytest.raises(RuntimeError) as info:
            module.Interpreter(model_content=MODEL).allocate_tensors()
        errors.append(str(info.value))
    assert errors[0] == errors[1]
    assert "Encountered unresolved custom op: ScaledAtan2" in errors[0]


def test_kernel_errors_at_invoke_carry_the_node_line():
    def registerer(register):
        def prepare(node):
            def run(a, b):
                raise KernelError("ScaledAtan2: refused at run time")
            return run, [node.inputs[0].shape]
        register("ScaledAtan2", prepare)

    interpreter = numlite.InterpreterWithCustomOps(custom_op_registerers=[registerer],
                                                   model_content=MODEL)
    with pytest.raises(RuntimeError, match=r"refused at run time\n"
                                           r"Node number 0 \(ScaledAtan2\) failed to invoke"):
        interpreter.get_signature_runner()(y=np.zeros((2, 3), np.float32),
                                           x=np.zeros((2, 3), np.float32))


def test_native_registerer_names_are_refused_like_litert():
    with pytest.raises(ValueError, match="Looking up symbol 'TF_AwesomeOp' failed"):
        numlite.InterpreterWithCustomOps(custom_op_registerers=["TF_AwesomeOp"],
                                         model_content=MODEL)
