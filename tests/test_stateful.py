"""Stateful signatures on builder-made models, differential against ai_edge_litert.

WHILE / IF / CALL_ONCE, resource variables (VAR_HANDLE, READ_VARIABLE,
ASSIGN_VARIABLE) and hash tables (HASHTABLE, HASHTABLE_IMPORT, HASHTABLE_FIND,
HASHTABLE_SIZE) in models written with tests/builder.py from ops numlite already
has (ADD, SUB, MUL, CAST, CONCATENATION): loop conditions are ``CAST(n - i) ->
bool``. A sequence of signature calls runs on one numlite and one LiteRT
interpreter and every call's outputs must match; state (variables, tables, the
initializer) therefore has to evolve identically. LiteRT's reference kernels
(BUILTIN_REF) are the oracle except for hash tables, which only its default
resolver registers.

Converter-made models are in test_stateful_models.py, the training model and the
checkpoint format in test_stateful_training.py.
"""

import numpy as np
import pytest

import numlite
from ai_edge_litert import interpreter as litert
from builder import Op, Subgraph, T, build_model
from differential import assert_same, compare

REF = litert.OpResolverType.BUILTIN_REF
AUTO = litert.OpResolverType.AUTO
F32, I32, I64 = np.float32, np.int32, np.int64


# ----------------------------------------------------------------------------- helpers

def run_calls(model, calls, resolver=REF, ulps=0):
    """Run ``calls`` [(signature key, {name: array})] in order on one numlite and one LiteRT
    interpreter; assert every call gives the same outputs; return numlite's outputs."""
    ours = numlite.Interpreter(model_content=model)
    theirs = litert.Interpreter(model_content=model, experimental_op_resolver_type=resolver)
    results = []
    for step, (key, feeds) in enumerate(calls):
        got = ours.get_signature_runner(key)(**feeds)
        want = theirs.get_signature_runner(key)(**feeds)
        assert sorted(got) == sorted(want), f"call {step} ({key}): output names differ"
        for name in want:
            assert_same(got[name], want[name], ulps=ulps, what=f"call {step} ({key}) {name}")
        results.append(got)
    return results


def both_fail(model, key, feeds, resolver=REF):
    """Both interpreters refuse the call; returns (numlite's, LiteRT's) messages."""
    texts = []
    for make in (lambda: numlite.Interpreter(model_content=model),
                 lambda: litert.Interpreter(model_content=model,
                                            experimental_op_resolver_type=resolver)):
        with pytest.raises((RuntimeError, ValueError)) as info:
            make().get_signature_runner(key)(**feeds)
        texts.append(str(info.value))
    return texts


def cast_bool(src, dst):
    return Op("CAST", [src], [dst], options=dict(in_data_type="INT32", out_data_type="BOOL"))


def add(a, b, out):
    return Op("ADD", [a, b], [out], options={})


def sub(a, b, out):
    return Op("SUB", [a, b], [out], options={})


def mul(a, b, out):
    return Op("MUL", [a, b], [out], options={})


def while_op(inputs, outputs, cond, body):
    return Op("WHILE", inputs, outputs,
              options=dict(cond_subgraph_index=cond, body_subgraph_index=body))


def counter_cond(extra):
    """cond(i, n, *extra): n - i != 0.  ``extra`` = TensorDefs of the other loop variables."""
    tensors = [T([], I32, name="i"), T([], I32, name="n"), *extra,
               T([], I32, name="left"), T([], np.bool_, name="go")]
    left = len(tensors) - 2
    return Subgraph(tensors, [sub(1, 0, left), cast_bool(left, left + 1)],
                    list(range(2 + len(extra))), [left + 1], name="cond")


# ----------------------------------------------------------------------------- WHILE

def counted_loop_model():
    """loop(n, x): acc = x; repeat n times: acc = acc * 1.5 + x_const; also returns i and n."""
    main = Subgraph(
        [T([], I32, name="n"), T([None], F32, name="x"), T([], I32, data=0, name="zero"),
         T([], I32, name="i_out"), T([], I32, name="n_out"), T([None], F32, name="acc"),
         T([None], F32, name="acc_times_2"), T([], F32, data=2.0, name="two")],
        [while_op([2, 0, 1], [3, 4, 5], cond=1, body=2), mul(5, 7, 6)],
        [0, 1], [3, 4, 5, 6], name="main")
    body = Subgraph(
        [T([], I32, name="i"), T([], I32, name="n"), T([None], F32, name="acc"),
         T([], I32, data=1, name="one"), T([], I32, name="i1"), T([], F32, data=1.5),
         T([None], F32, name="scaled"), T([], F32, data=0.25), T([None], F32, name="acc1")],
        [add(0, 3, 4), mul(2, 5, 6), add(6, 7, 8)],
        [0, 1, 2], [4, 1, 8], name="body")
    return build_model(subgraphs=[main, counter_cond([T([None], F32, name="acc")]), body],
                       signatures={"loop": ({"n": 0, "x": 1},
                                            {"i": 3, "n": 4, "acc": 5, "acc_times_2": 6}, 0)})


def test_while_counted_loop_matches_litert():
    rng = np.random.default_rng(0)
    calls = []
    for n, size in [(0, 3), (1, 3), (5, 3), (20, 7), (3, 1), (0, 0), (7, 2)]:
        calls.append(("loop", {"n": np.array(n, I32),
                               "x": rng.normal(size=size).astype(F32)}))
    results = run_calls(counted_loop_model(), calls)
    assert [int(r["i"]) for r in results] == [0, 1, 5, 20, 3, 0, 7]
    # zero iterations: the loop forwards its inputs
    np.testing.assert_array_equal(results[0]["acc"], calls[0][1]["x"])


def test_while_through_invoke_api_and_resize():
    model = counted_loop_model()
    for n, size in [(4, 5), (0, 2), (9, 1)]:
        x = np.linspace(-1, 1, size).astype(F32)
        compare(model, [np.array(n, I32), x])


def growing_loop_model():
    """grow(n, x): repeat n times: acc = concat(acc, [acc[0] * 2]) -- one longer per
    iteration; then tail = acc + 1 on the dynamic-shaped result."""
    main = Subgraph(
        [T([], I32, name="n"), T([None], F32, name="x"), T([], I32, data=0),
         T([], I32, name="i_out"), T([], I32, name="n_out"), T([None], F32, name="acc"),
         T([], F32, data=1.0), T([None], F32, name="plus_one")],
        [while_op([2, 0, 1], [3, 4, 5], cond=1, body=2), add(5, 6, 7)],
        [0, 1], [5, 7, 3], name="main")
    body = Subgraph(
        [T([], I32, name="i"), T([], I32, name="n"), T([None], F32, name="acc"),
         T([], I32, data=1), T([], I32, name="i1"), T([None], F32, name="doubled"),
         T([None], F32, name="grown"), T([], F32, data=2.0),
         T([1], I32, data=[0], name="first"), T([1], F32, name="head")],
        [add(0, 3, 4), Op("GATHER", [2, 8], [9], options=dict(axis=0)), mul(9, 7, 5),
         Op("CONCATENATION", [2, 5], [6], options=dict(axis=0))],
        [0, 1, 2], [4, 1, 6], name="body")
    return build_model(subgraphs=[main, counter_cond([T([None], F32, name="acc")]), body],
                       signatures={"grow": ({"n": 0, "x": 1},
                                            {"acc": 5, "plus_one": 7, "i": 3}, 0)})


def test_while_body_changes_shapes_every_iteration():
    calls = [("grow", {"n": np.array(n, I32), "x": np.array(x, F32)})
             for n, x in [(3, [1.0, 2.0]), (0, [5.0]), (6, [0.5]), (2, [1, 2, 3, 4]),
                          (3, [1.0, 2.0])]]
    results = run_calls(growing_loop_model(), calls)
    assert [r["acc"].shape for r in results] == [(5,), (1,), (7,), (6,), (5,)]
    np.testing.assert_array_equal(results[2]["acc"], [0.5, 1, 1, 1, 1, 1, 1])


def nested_loop_model():
    """nest(n, x): for i in range(n): for j in range(i): acc = acc + x_step; acc += 0.5."""
    main = Subgraph(
        [T([], I32, name="n"), T([None], F32, name="x"), T([], I32, data=0),
         T([], I32), T([], I32), T([None], F32, name="acc")],
        [while_op([2, 0, 1], [3, 4, 5], cond=1, body=2)],
        [0, 1], [5], name="main")
    outer_body = Subgraph(
        [T([], I32, name="i"), T([], I32, name="n"), T([None], F32, name="acc"),
         T([], I32, data=0, name="j0"), T([], I32, name="j_out"), T([], I32, name="i_out"),
         T([None], F32, name="inner_acc"), T([], I32, data=1), T([], I32, name="i1"),
         T([], F32, data=0.5), T([None], F32, name="acc1")],
        # inner loop variables (j, i, acc): j counts up to i
        [while_op([3, 0, 2], [4, 5, 6], cond=3, body=4), add(0, 7, 8), add(6, 9, 10)],
        [0, 1, 2], [8, 1, 10], name="outer_body")
    inner_body = Subgraph(
        [T([], I32, name="j"), T([], I32, name="i"), T([None], F32, name="acc"),
         T([], I32, data=1), T([], I32, name="j1"), T([], F32, data=3.0),
         T([None], F32, name="acc1")],
        [add(0, 3, 4), add(2, 5, 6)],
        [0, 1, 2], [4, 1, 6], name="inner_body")
    return build_model(
        subgraphs=[main, counter_cond([T([None], F32)]), outer_body,
                   counter_cond([T([None], F32)]), inner_body],
        signatures={"nest": ({"n": 0, "x": 1}, {"acc": 5}, 0)})


def test_nested_while_loops():
    calls = [("nest", {"n": np.array(n, I32), "x": np.arange(k, dtype=F32)})
             for n, k in [(0, 2), (1, 2), (4, 3), (6, 1), (4, 3)]]
    results = run_calls(nested_loop_model(), calls)
    # sum_{i<n} (3 i) + 0.5 n added to x
    np.testing.assert_array_equal(results[2]["acc"], np.arange(3) + 3 * 6 + 2.0)


def test_while_prepare_errors():
    body = Subgraph([T([], I32), T([], I32)], [add(0, 0, 1)], [0], [1], name="body")
    bad_cond = Subgraph([T([], I32), T([], I32)], [add(0, 0, 1)], [0], [1], name="int_cond")
    main = Subgraph([T([], I32, name="a"), T([], I32, name="b")],
                    [while_op([0], [1], cond=1, body=2)], [0], [1], name="main")
    model = build_model(subgraphs=[main, bad_cond, body],
                        signatures={"run": ({"a": 0}, {"b": 1}, 0)})
    ours, _ = both_fail(model, "run", {"a": np.array(1, I32)})
    assert "expected BOOL" in ours and "Node number 0 (WHILE) failed to prepare" in ours


def test_recursive_body_fails_at_prepare():
    main = Subgraph([T([], I32, name="i"), T([], I32, name="n"), T([], I32), T([], I32)],
                    [while_op([0, 1], [2, 3], cond=1, body=0)], [0, 1], [2, 3], name="main")
    model = build_model(subgraphs=[main, counter_cond([])],
                        signatures={"run": ({"i": 0, "n": 1}, {"a": 2, "b": 3}, 0)})
    interpreter = numlite.Interpreter(model_content=model)
    with pytest.raises(RuntimeError, match="recursive calls are not supported"):
        interpreter.get_signature_runner("run")(i=np.array(0, I32), n=np.array(1, I32))


# ----------------------------------------------------------------------------- IF

def branch_model():
    """pick(flag, x, y): IF(flag) then x + y else x - y; shape(flag, x, y): IF(flag)
    then concat(x, y) else x (the else branch forwards its input: different shapes)."""
    main = Subgraph(
        [T([], np.bool_, name="flag"), T([None], F32, name="x"), T([None], F32, name="y"),
         T([None], F32, name="picked"), T([None], F32, name="shaped"), T([], F32, data=10.0),
         T([None], F32, name="shaped_plus")],
        [Op("IF", [0, 1, 2], [3], options=dict(then_subgraph_index=1, else_subgraph_index=2)),
         Op("IF", [0, 1, 2], [4], options=dict(then_subgraph_index=3, else_subgraph_index=4)),
         add(4, 5, 6)],
        [0, 1, 2], [3, 4, 6], name="main")
    two_in = [T([None], F32, name="a"), T([None], F32, name="b"), T([None], F32, name="out")]
    return build_model(
        subgraphs=[main,
                   Subgraph(list(two_in), [add(0, 1, 2)], [0, 1], [2], name="then_add"),
                   Subgraph(list(two_in), [sub(0, 1, 2)], [0, 1], [2], name="else_sub"),
                   Subgraph(list(two_in), [Op("CONCATENATION", [0, 1], [2],
                                              options=dict(axis=0))], [0, 1], [2],
                            name="then_concat"),
                   Subgraph(list(two_in[:2]), [], [0, 1], [0], name="else_forward")],
        signatures={"pick": ({"flag": 0, "x": 1, "y": 2},
                             {"picked": 3, "shaped": 4, "shaped_plus": 6}, 0)})


def test_if_branches_and_dynamic_shapes():
    rng = np.random.default_rng(1)
    calls = []
    # (LiteRT 2.3 fails "Invalid tensor size" reading an empty dynamic output once the
    # tensor held data before, so the empty case comes first)
    for flag, size in [(False, 0), (True, 3), (False, 3), (True, 1), (False, 5), (True, 4)]:
        x, y = rng.normal(size=(2, size)).astype(F32)
        calls.append(("pick", {"flag": np.array(flag), "x": x, "y": y}))
    results = run_calls(branch_model(), calls)
    assert results[1]["shaped"].shape == (6,) and results[2]["shaped"].shape == (3,)
    np.testing.assert_array_equal(results[2]["shaped"], calls[2][1]["x"])


def test_if_requires_bool_condition():
    main = Subgraph([T([], I32, name="c"), T([1], F32, name="x"), T([1], F32, name="y")],
                    [Op("IF", [0, 1], [2], options=dict(then_subgraph_index=1,
                                                        else_subgraph_index=1))],
                    [0, 1], [2], name="main")
    branch = Subgraph([T([1], F32), T([1], F32)], [add(0, 0, 1)], [0], [1], name="branch")
    model = build_model(subgraphs=[main, branch],
                        signatures={"run": ({"c": 0, "x": 1}, {"y": 2}, 0)})
    ours, _ = both_fail(model, "run", {"c": np.array(1, I32), "x": np.ones(1, F32)})
    assert "expected BOOL" in ours


def test_call_runs_a_subgraph():
    """CALL (LiteRT 2.x has no kernel for it any more; numlite keeps one)."""
    main = Subgraph([T([2], F32, name="x"), T([2], F32, name="y"), T([2], F32, name="z")],
                    [Op("CALL", [0], [1], options=dict(subgraph=1)),
                     Op("CALL", [1], [2], options=dict(subgraph=1))],
                    [0], [1, 2], name="main")
    double = Subgraph([T([2], F32), T([2], F32)], [add(0, 0, 1)], [0], [1], name="double")
    model = build_model(subgraphs=[main, double],
                        signatures={"run": ({"x": 0}, {"y": 1, "z": 2}, 0)})
    out = numlite.Interpreter(model_content=model).get_signature_runner("run")(
        x=np.array([1, -2], F32))
    np.testing.assert_array_equal(out["y"], [2, -4])
    np.testing.assert_array_equal(out["z"], [4, -8])


def test_call_once_prepare_errors():
    """CALL_ONCE naming its own subgraph, or an init subgraph with inputs, fails at prepare."""
    own = Subgraph([T([1], F32, name="x"), T([1], F32, name="y")],
                   [Op("CALL_ONCE", [], [], options=dict(init_subgraph_index=0)),
                    add(0, 0, 1)], [0], [1], name="main")
    model = build_model(subgraphs=[own], signatures={"run": ({"x": 0}, {"y": 1}, 0)})
    ours, _ = both_fail(model, "run", {"x": f32(1)})
    assert "Node number 0 (CALL_ONCE) failed to prepare" in ours
    main = Subgraph([T([1], F32, name="x"), T([1], F32, name="y")],
                    [Op("CALL_ONCE", [], [], options=dict(init_subgraph_index=1)),
                     add(0, 0, 1)], [0], [1], name="main")
    init = Subgraph([T([1], F32), T([1], F32)], [add(0, 0, 1)], [0], [1], name="init")
    model = build_model(subgraphs=[main, init], signatures={"run": ({"x": 0}, {"y": 1}, 0)})
    ours, _ = both_fail(model, "run", {"x": f32(1)})
    assert "has 1 inputs and 1 outputs, expected none" in ours


# ----------------------------------------------------------------------------- variables

def variables_model():
    """Signatures over shared variables, initialised by CALL_ONCE(init):
    add(x): acc = acc + x; count += 1; returns both.  get(): acc, count.
    set(v): acc = v (any shape).  other(x): the variable ('c', 'acc') -- another container.
    Reads of 'acc' are declared [] (LiteRT: dynamic), so they follow its shape changes."""
    def handle(name, container=None, out=0):
        options = dict(shared_name=name)
        if container:
            options["container"] = container
        return Op("VAR_HANDLE", [], [out], options=options)

    res = dict(dtype="resource")
    init = Subgraph(
        [T([], **res), T([2], F32, data=[10, 20]), T([], **res), T([], I32, data=0),
         T([], **res), T([1], F32, data=[100])],
        [handle("acc", out=0), Op("ASSIGN_VARIABLE", [0, 1], []),
         handle("count", out=2), Op("ASSIGN_VARIABLE", [2, 3], []),
         handle("acc", "c", out=4), Op("ASSIGN_VARIABLE", [4, 5], [])],
        [], [], name="init")
    once = Op("CALL_ONCE", [], [], options=dict(init_subgraph_index=1))
    add_sg = Subgraph(
        [T([None], F32, name="x"), T([], **res), T([], F32, name="old"),
         T([None], F32, name="acc"), T([], **res), T([], I32, name="count_old"),
         T([], I32, data=1), T([], I32, name="count")],
        [once, handle("acc", out=1), Op("READ_VARIABLE", [1], [2]), add(2, 0, 3),
         Op("ASSIGN_VARIABLE", [1, 3], []), handle("count", out=4),
         Op("READ_VARIABLE", [4], [5]), add(5, 6, 7), Op("ASSIGN_VARIABLE", [4, 7], [])],
        [0], [3, 7], name="add")
    get_sg = Subgraph(
        [T([], **res), T([], F32, name="acc"), T([], **res), T([], I32, name="count")],
        [once, handle("count", out=2), handle("acc", out=0), Op("READ_VARIABLE", [0], [1]),
         Op("READ_VARIABLE", [2], [3])],
        [], [1, 3], name="get")
    set_sg = Subgraph(
        [T([None], F32, name="v"), T([], **res)],
        [once, handle("acc", out=1), Op("ASSIGN_VARIABLE", [1, 0], [])],
        [0], [], name="set")
    other_sg = Subgraph(
        [T([None], F32, name="x"), T([], **res), T([1], F32, name="old"),
         T([None], F32, name="sum")],
        [once, handle("acc", "c", out=1), Op("READ_VARIABLE", [1], [2]), add(2, 0, 3),
         Op("ASSIGN_VARIABLE", [1, 3], [])],
        [0], [3], name="other")
    return build_model(
        subgraphs=[add_sg, init, get_sg, set_sg, other_sg],
        signatures={"add": ({"x": 0}, {"acc": 3, "count": 7}, 0),
                    "get": ({}, {"acc": 1, "count": 3}, 2),
                    "set": ({"v": 0}, {}, 3),
                    "other": ({"x": 0}, {"sum": 3}, 4)})


def f32(*values):
    return np.array(values, F32)


def test_variables_shared_across_signatures_and_initialised_once():
    calls = [("get", {}), ("add", {"x": f32(1, 2)}), ("add", {"x": f32(0.5, 0.25)}),
             ("other", {"x": f32(1)}), ("get", {}), ("set", {"v": f32(1, 2, 3)}),
             ("get", {}), ("add", {"x": f32(1, 1, 1)}), ("set", {"v": f32(7, 8)}),
             ("other", {"x": f32(2)}), ("get", {})]
    results = run_calls(variables_model(), calls)
    np.testing.assert_array_equal(results[2]["acc"], [11.5, 22.25])
    assert int(results[2]["count"]) == 2
    np.testing.assert_array_equal(results[3]["sum"], [101])     # container 'c' is separate
    assert results[6]["acc"].shape == (3,)                      # the variable changed shape
    np.testing.assert_array_equal(results[7]["acc"], [2, 3, 4])
    np.testing.assert_array_equal(results[9]["sum"], [103])
    assert int(results[10]["count"]) == 3


def test_initializer_runs_once_whichever_signature_is_first():
    model = variables_model()
    for first in ("get", "set", "other", "add"):
        feeds = {"get": {}, "set": {"v": f32(5, 5)}, "other": {"x": f32(1)},
                 "add": {"x": f32(1, 1)}}[first]
        run_calls(model, [(first, feeds), ("add", {"x": f32(1, 1)}), ("get", {}),
                          (first, feeds), ("get", {})])


def test_variables_are_per_interpreter():
    model = variables_model()
    a = numlite.Interpreter(model_content=model)
    b = numlite.Interpreter(model_content=model)
    a.get_signature_runner("add")(x=f32(5, 5))
    a.get_signature_runner("add")(x=f32(5, 5))
    np.testing.assert_array_equal(a.get_signature_runner("get")()["acc"], [20, 30])
    np.testing.assert_array_equal(b.get_signature_runner("get")()["acc"], [10, 20])


def test_reset_all_variables_leaves_resource_variables():
    model = variables_model()
    ours = numlite.Interpreter(model_content=model)
    theirs = litert.Interpreter(model_content=model, experimental_op_resolver_type=REF)
    for interpreter in (ours, theirs):
        interpreter.get_signature_runner("add")(x=f32(1, 1))
        interpreter.reset_all_variables()
    got = ours.get_signature_runner("get")()
    want = theirs.get_signature_runner("get")()
    for name in want:
        assert_same(got[name], want[name], what=name)
    np.testing.assert_array_equal(got["acc"], [11, 21])


def declared_read_model(declared):
    """write(v): variable = v; read(): the variable read into a tensor declared ``declared``."""
    res = dict(dtype="resource")
    write = Subgraph([T([None], F32, name="v"), T([], **res)],
                     [Op("VAR_HANDLE", [], [1], options=dict(shared_name="v")),
                      Op("ASSIGN_VARIABLE", [1, 0], [])], [0], [], name="write")
    read = Subgraph([T([], **res), T(declared, F32, name="value"), T([], F32, data=1.0),
                     T(declared, F32, name="plus_one")],
                    [Op("VAR_HANDLE", [], [0], options=dict(shared_name="v")),
                     Op("READ_VARIABLE", [0], [1]), add(1, 2, 3)], [], [1, 3], name="read")
    return build_model(subgraphs=[write, read],
                       signatures={"write": ({"v": 0}, {}, 0),
                                   "read": ({}, {"value": 1, "plus_one": 3}, 1)})


def test_read_variable_declared_shape_is_static_as_in_litert():
    """A read declared [3] gets the first 3 values of a longer variable (LiteRT copies the
    declared byte count); declared [] follows the variable's shape."""
    v = f32(1, 2, 3, 4, 5)
    results = run_calls(declared_read_model([3]), [("write", {"v": f32(7, 8, 9)}),
                                                   ("read", {}), ("write", {"v": v}),
                                                   ("read", {})])
    np.testing.assert_array_equal(results[3]["value"], [1, 2, 3])
    results = run_calls(declared_read_model([]), [("write", {"v": v}), ("read", {}),
                                                  ("write", {"v": f32(6)}), ("read", {})])
    np.testing.assert_array_equal(results[1]["plus_one"], v + 1)
    np.testing.assert_array_equal(results[3]["value"], [6])


def test_read_variable_smaller_than_declared_fails():
    """LiteRT would copy past the end of the variable's buffer; numlite refuses."""
    interpreter = numlite.Interpreter(model_content=declared_read_model([3]))
    interpreter.get_signature_runner("write")(v=f32(1, 2))
    with pytest.raises(RuntimeError, match=r"has shape \[2\] \(2 elements\) but the output "
                                           r"tensor 'value' is declared \[3\]"):
        interpreter.get_signature_runner("read")()


def test_read_of_unassigned_variable_fails():
    main = Subgraph([T([1], F32, name="x"), T([], "resource"), T([1], F32, name="v"),
                     T([1], F32, name="y")],
                    [Op("VAR_HANDLE", [], [1], options=dict(shared_name="never")),
                     Op("READ_VARIABLE", [1], [2]), add(0, 2, 3)],
                    [0], [3], name="main")
    model = build_model(subgraphs=[main], signatures={"run": ({"x": 0}, {"y": 3}, 0)})
    ours, theirs = both_fail(model, "run", {"x": f32(1)})
    assert "variable != nullptr was not true" in theirs
    assert "'never'" in ours and "Node number 1 (READ_VARIABLE) failed to invoke" in ours


def test_read_variable_type_must_match():
    main = Subgraph([T([1], F32, name="x"), T([], "resource"), T([1], I32, name="v")],
                    [Op("VAR_HANDLE", [], [1], options=dict(shared_name="v")),
                     Op("ASSIGN_VARIABLE", [1, 0], []), Op("READ_VARIABLE", [1], [2])],
                    [0], [2], name="main")
    model = build_model(subgraphs=[main], signatures={"run": ({"x": 0}, {"v": 2}, 0)})
    ours, _ = both_fail(model, "run", {"x": f32(1)})
    assert "holds FLOAT32" in ours and "INT32" in ours


def test_set_tensor_on_a_read_does_not_change_the_variable():
    """READ_VARIABLE hands on the variable's own read-only array: set_tensor on that output
    tensor must write a copy, not the variable (as in LiteRT, where they are two buffers)."""
    model = variables_model()
    ours = numlite.Interpreter(model_content=model)
    theirs = litert.Interpreter(model_content=model, experimental_op_resolver_type=REF)
    for interpreter in (ours, theirs):
        interpreter.get_signature_runner("add")(x=f32(1, 1))
        interpreter.set_tensor(2, f32(999, 999))        # tensor 2 of 'add': READ_VARIABLE's
    got = ours.get_signature_runner("get")()
    want = theirs.get_signature_runner("get")()
    assert_same(got["acc"], want["acc"])
    np.testing.assert_array_equal(got["acc"], [11, 21])


# ----------------------------------------------------------------------------- hash tables

def hashtable_model(import_in_signature=False):
    """Tables 1 (string -> int64) and 2 (int64 -> string) imported by the CALL_ONCE init;
    ids(words) / words(ids) / sizes() look them up."""
    res = dict(dtype="resource")

    def table(table_id, key, value, out):
        return Op("HASHTABLE", [], [out], options=dict(table_id=table_id, key_dtype=key,
                                                        value_dtype=value))

    init = Subgraph(
        [T([1], **res), T([5], "string", data=["a", "bb", "", "a", "ccc"]),
         T([5], I64, data=[1, 2, 3, 4, 5]),
         T([1], **res), T([4], I64, data=[7, -1, 1 << 40, 7]),
         T([4], "string", data=["seven", "minus", "big", "again"])],
        [table(1, "string", "int64", 0), Op("HASHTABLE_IMPORT", [0, 1, 2], []),
         table(2, "int64", "string", 3), Op("HASHTABLE_IMPORT", [3, 4, 5], [])],
        [], [], name="init")
    once = Op("CALL_ONCE", [], [], options=dict(init_subgraph_index=1))
    ids_ops = [once, table(1, "string", "int64", 1), Op("HASHTABLE_FIND", [1, 0, 2], [3]),
               Op("HASHTABLE_SIZE", [1], [4])]
    ids_tensors = [T([None], "string", name="words"), T([1], **res),
                   T([], I64, data=-1, name="default"), T([None], I64, name="ids"),
                   T([1], I64, name="size")]
    if import_in_signature:    # the converter may leave an import here too: a no-op
        ids_tensors += [T([1], "string", data=["zzz"]), T([1], I64, data=[99])]
        ids_ops.insert(2, Op("HASHTABLE_IMPORT", [1, 5, 6], []))
    ids_sg = Subgraph(ids_tensors, ids_ops, [0], [3, 4], name="ids")
    words_sg = Subgraph(
        [T([None, None], I64, name="ids"), T([1], **res),
         T([2], "string", data=["?", "unused"], name="default"),
         T([None, None], "string", name="words")],
        [once, table(2, "int64", "string", 1), Op("HASHTABLE_FIND", [1, 0, 2], [3])],
        [0], [3], name="words")
    return build_model(subgraphs=[ids_sg, init, words_sg],
                       signatures={"ids": ({"words": 0}, {"ids": 3, "size": 4}, 0),
                                   "words": ({"ids": 0}, {"words": 3}, 2)})


def words(*items):
    return np.array([w.encode() for w in items], dtype=object)


@pytest.mark.parametrize("import_in_signature", [False, True])
def test_hashtable_lookups_match_litert(import_in_signature):
    calls = [("words", {"ids": np.array([[7, 8], [-1, 1 << 40]], I64)}),
             ("ids", {"words": words("a", "bb", "", "zzz", "ccc", "A")}),
             ("words", {"ids": np.zeros((0, 3), I64)}),
             ("ids", {"words": words()}),
             ("ids", {"words": words("ccc")})]
    results = run_calls(hashtable_model(import_in_signature), calls, resolver=AUTO)
    assert results[0]["words"].tolist() == [[b"seven", b"?"], [b"minus", b"big"]]
    # duplicate keys: the first import wins ('a' -> 1, 7 -> 'seven')
    assert results[1]["ids"].tolist() == [1, 2, 3, -1, 5, -1]
    assert results[1]["size"].tolist() == [4]


def test_hashtable_find_before_import_fails():
    main = Subgraph([T([None], I64, name="k"), T([1], "resource"),
                     T([], "string", data=["?"]), T([None], "string", name="v")],
                    [Op("HASHTABLE", [], [1], options=dict(table_id=3, key_dtype="int64",
                                                           value_dtype="string")),
                     Op("HASHTABLE_FIND", [1, 0, 2], [3])],
                    [0], [3], name="main")
    model = build_model(subgraphs=[main], signatures={"run": ({"k": 0}, {"v": 3}, 0)})
    ours, theirs = both_fail(model, "run", {"k": np.array([1], I64)}, resolver=AUTO)
    assert "hashtable need to be initialized before using" in theirs
    assert "hashtable need to be initialized before using" in ours


@pytest.mark.parametrize("key, value", [("int64", "int64"), ("string", "string"),
                                        ("int32", "string"), ("string", "float32")])
def test_hashtable_type_pairs_like_litert(key, value):
    main = Subgraph([T([1], I32, name="x"), T([1], "resource"), T([1], I32, name="y")],
                    [Op("HASHTABLE", [], [1], options=dict(table_id=1, key_dtype=key,
                                                           value_dtype=value)),
                     add(0, 0, 2)],
                    [0], [2], name="main")
    model = build_model(subgraphs=[main], signatures={"run": ({"x": 0}, {"y": 2}, 0)})
    ours, theirs = both_fail(model, "run", {"x": np.ones(1, I32)}, resolver=AUTO)
    assert "was not true" in theirs and "failed to prepare" in theirs
    assert "INT64 -> STRING or STRING -> INT64" in ours and "failed to prepare" in ours
