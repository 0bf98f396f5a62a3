"""Converter-made stateful models (tests/models/stateful/) against ai_edge_litert.

The models come from tools/gen_stateful_models.py (tf.Module SavedModels through
the converter): StaticHashTables with their initializer, resource variables
whose shape changes, WHILE / IF and nested control flow. Each test runs one
sequence of signature calls on a numlite and a LiteRT interpreter and compares
every output, so shared state must evolve the same way in both.
"""

import pathlib

import numpy as np
import pytest

import numlite
from ai_edge_litert import interpreter as litert
from test_stateful import AUTO, REF, run_calls

MODELS = pathlib.Path(__file__).resolve().parent / "models" / "stateful"
F32, I32, I64 = np.float32, np.int32, np.int64


def load(name):
    return (MODELS / name).read_bytes()


def scalar(array):
    return np.asarray(array).reshape(-1)[0].item()


def strings(*items):
    return np.array([s.encode() for s in items], dtype=object)


# ----------------------------------------------------------------------------- hash tables

def test_hashtable_model_lookups_and_single_initialization():
    model = load("hashtable.tflite")
    calls = [("count", {}),
             ("lookup", {"words": strings("the", "fox", "cat", "", "lazy", "THE")}),
             ("reverse", {"ids": np.array([[10, 11], [30, -5], [1 << 40, 0]], I64)}),
             ("lookup", {"words": strings()}),
             ("reverse", {"ids": np.zeros((0, 2), I64)}),
             ("lookup", {"words": strings("dog")}),
             ("count", {})]
    results = run_calls(model, calls, resolver=AUTO)
    assert results[1]["ids"].tolist() == [1, 4, -1, 0, 7, -1]      # default -1 when missing
    assert scalar(results[1]["size"]) == 9
    assert results[2]["names"].tolist() == [[b"ten", b"<unk>"], [b"thirty", b"minus five"],
                                            [b"big", b"<unk>"]]
    # the call counter is a variable the initializer sets to 0: had the initializer run
    # again for a later signature, the count would have restarted
    assert [scalar(r["calls"]) for r in results] == [0, 1, 2, 3, 4, 5, 5]
    assert scalar(results[-1]["names_size"]) == 5


def test_hashtable_initializer_runs_once_per_interpreter():
    model = load("hashtable.tflite")
    interpreter = numlite.Interpreter(model_content=model)
    runtime = interpreter._runtime
    init_calls = []
    for index in range(len(runtime.model.subgraphs)):
        sub = runtime.subgraph(index)
        original = sub.call

        def counted(arrays, original=original, index=index):
            init_calls.append(index)
            return original(arrays)
        sub.call = counted
    for key in ("reverse", "count", "lookup", "reverse"):
        feeds = {"reverse": {"ids": np.array([[10]], I64)}, "count": {},
                 "lookup": {"words": strings("fox")}}[key]
        interpreter.get_signature_runner(key)(**feeds)
    assert len(init_calls) == 1 and runtime.initialized == {init_calls[0]}
    other = numlite.Interpreter(model_content=model)            # its own tables and counter
    assert scalar(other.get_signature_runner("count")()["calls"]) == 0


# ----------------------------------------------------------------------------- variables

def test_variables_model_shape_changes_match_litert():
    """history (tf shape [None]) grows; its reads are declared [2] by the converter, so
    LiteRT (and numlite) return its first two values; 'anything' is replaced by any shape."""
    model = load("variables.tflite")
    calls = [("peek", {}), ("append", {"x": np.array([3, 4, 5], F32)}), ("peek", {}),
             ("replace", {"x": np.ones((1, 1), F32)}),
             ("replace", {"x": np.arange(6, dtype=F32).reshape(2, 3)}), ("peek", {}),
             ("append", {"x": np.zeros(0, F32)}), ("append", {"x": np.array([-1], F32)}),
             ("peek", {})]
    results = run_calls(model, calls)
    assert float(results[-1]["total"]) == 11.0


# ----------------------------------------------------------------------------- WHILE

def test_while_loop_model_accumulate_many_inputs():
    rng = np.random.default_rng(3)
    calls = [("accumulate", {"n": np.array(n, I32), "x": rng.normal(size=k).astype(F32)})
             for n, k in [(0, 3), (1, 3), (2, 1), (7, 4), (30, 2), (5, 0), (3, 9), (-2, 2)]]
    results = run_calls(load("while_loop.tflite"), calls)
    assert [int(r["iterations"]) for r in results] == [0, 1, 2, 7, 30, 5, 3, 0]


def test_while_loop_model_growing_variable():
    calls = [("grow", {"n": np.array(n, I32), "x": np.array(x, F32)})
             for n, x in [(0, [1.0]), (1, [1.0]), (4, [0.5, 2.0]), (10, [-1.0]),
                          (3, [1, 2, 3])]]
    results = run_calls(load("while_loop.tflite"), calls)
    assert [r["acc"].shape for r in results] == [(1,), (2,), (6,), (11,), (6,)]


def test_while_loop_model_data_dependent_iterations():
    rng = np.random.default_rng(4)
    calls = [("until_small", {"x": (rng.normal(size=(b, 3)) * scale).astype(F32)})
             for b, scale in [(1, 0.1), (2, 5.0), (4, 1000.0), (3, 1e-3), (1, 1e6)]]
    results = run_calls(load("while_loop.tflite"), calls)
    assert int(results[4]["steps"]) > 15


# ----------------------------------------------------------------------------- IF, nested

def test_if_else_model():
    rng = np.random.default_rng(5)
    calls = []
    for c, k in [(1.5, 3), (-2.0, 3), (0.0, 1), (3.0, 6), (-0.5, 2)]:
        calls.append(("branch", {"c": np.array(c, F32), "x": rng.normal(size=k).astype(F32)}))
    for flag, k in [(True, 2), (False, 4), (True, 1), (False, 1), (True, 5)]:
        calls.append(("reshape_branch", {"flag": np.array(flag),
                                         "x": rng.normal(size=k).astype(F32)}))
    results = run_calls(load("if_else.tflite"), calls)
    assert [r["y"].shape for r in results[5:]] == [(4,), (1,), (2,), (1,), (10,)]


def test_nested_model():
    rng = np.random.default_rng(6)
    calls = [("nested_loops", {"n": np.array(n, I32), "x": rng.normal(size=k).astype(F32)})
             for n, k in [(0, 2), (1, 2), (2, 3), (5, 3), (8, 1), (3, 4)]]
    calls += [("if_with_loop", {"flag": np.array(flag), "n": np.array(n, I32),
                                "x": rng.normal(size=k).astype(F32)})
              for flag, n, k in [(True, 0, 2), (True, 3, 2), (False, 3, 2), (True, 6, 5),
                                 (False, 0, 1)]]
    run_calls(load("nested.tflite"), calls)


@pytest.mark.parametrize("name", ["while_loop.tflite", "if_else.tflite", "nested.tflite"])
def test_control_flow_models_through_the_invoke_api(name):
    """The same models through allocate_tensors / set_tensor / invoke on subgraph 0."""
    model = load(name)
    ours = numlite.Interpreter(model_content=model)
    theirs = litert.Interpreter(model_content=model, experimental_op_resolver_type=REF)
    rng = np.random.default_rng(7)
    for _ in range(3):
        feeds = []
        for detail in theirs.get_input_details():
            shape = [rng.integers(1, 4) if d == -1 else d for d in detail["shape_signature"]]
            if detail["dtype"] == np.bool_:
                feeds.append(np.array(rng.integers(0, 2), bool).reshape(shape))
            elif detail["dtype"] == np.int32:
                feeds.append(rng.integers(0, 5, size=shape).astype(I32))
            else:
                feeds.append(rng.normal(size=shape).astype(F32))
        outputs = []
        for interpreter in (ours, theirs):
            for detail, x in zip(interpreter.get_input_details(), feeds):
                interpreter.resize_tensor_input(detail["index"], list(x.shape))
            interpreter.allocate_tensors()
            for detail, x in zip(interpreter.get_input_details(), feeds):
                interpreter.set_tensor(detail["index"], x)
            interpreter.invoke()
            outputs.append([interpreter.get_tensor(d["index"])
                            for d in interpreter.get_output_details()])
        for got, want in zip(*outputs):
            np.testing.assert_array_equal(got, want)
