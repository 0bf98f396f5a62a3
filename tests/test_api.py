"""numlite's Python API against ai_edge_litert's, live.

Every check runs the same calls on numlite.Interpreter and on
ai_edge_litert.interpreter.Interpreter (the drop-in target) and asserts the
same result: dicts key for key in the same order, numpy arrays with equal
values and dtypes, dtype entries the very same numpy type objects, and for
errors the same exception type and message text. Each error check uses fresh
interpreters, because LiteRT's error reporter accumulates texts across calls.

LiteRT runs with OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES where tensor
shapes or kernel errors are compared: its default XNNPACK delegate hides
intermediate tensors and reports its own errors. Where LiteRT cannot run a
model (Select TF ops) the expected texts come from the reference facts.
LiteRT's C++ source locations in error texts ("tflite/core/subgraph.cc:1268 ")
are not compared.
"""

import gc
import os
import pathlib
import re

import numpy as np
import pytest

import numlite
from ai_edge_litert import interpreter as litert
from builder import Op, T, build_model, single_op

ROOT = pathlib.Path(__file__).resolve().parent.parent
MODELS = ROOT / "tests" / "models"
EXAMPLES = ROOT / "examples" / "models"
IMPLS = (litert, numlite)

REFERENCE_HELD = """There is at least 1 reference to internal data
      in the interpreter in the form of a numpy array or slice. Be sure to
      only hold the function returned from tensor() if you are using raw
      data access."""


# ----------------------------------------------------------------------------- models

def _model(name):
    path = MODELS / name if (MODELS / name).exists() else EXAMPLES / name
    return path.read_bytes()


# ADD of two graph inputs with a dynamic batch: x [-1, 3] + y [3] -> out [-1, 3]
ADD = single_op("ADD", [T([None, 3], np.float32, name="x"), T([3], np.float32, name="y")],
                [T([None, 3], np.float32, name="out")], options={})
# ADD with a constant operand (tensor 1) and a fixed shape
ADD_CONST = single_op("ADD", [T([2, 3], np.float32, name="x"),
                              T([3], np.float32, data=[1, 2, 3], name="bias")],
                      [T([2, 3], np.float32, name="out")], options={})
# FULLY_CONNECTED x [-1, 3] . W[4, 3]^T + b, no signature
FC = single_op("FULLY_CONNECTED",
               [T([None, 3], np.float32, name="x"),
                T([4, 3], np.float32, data=np.arange(12).reshape(4, 3) / 10, name="weights"),
                T([4], np.float32, data=[1, -1, 0.5, 0], name="bias")],
               [T([None, 4], np.float32, name="y")],
               options=dict(fused_activation_function="RELU"), signature=None)
# strings: GATHER from a string input by int32 indices, 0-d GATHER, RESHAPE of a 0-d string
STRINGS = build_model(
    tensors=[T([None], np.bytes_, name="words"), T([None], np.int32, name="idx"),
             T([None], np.bytes_, name="picked"), T([], np.int32, name="i"),
             T([], np.bytes_, name="word"), T([], np.bytes_, name="scalar"),
             T([1], np.int32, data=[1], name="new_shape"), T([1], np.bytes_, name="vector")],
    ops=[Op("GATHER", [0, 1], [2], options=dict(axis=0)),
         Op("GATHER", [0, 3], [4], options=dict(axis=0)),
         Op("RESHAPE", [5, 6], [7], options=dict(new_shape=[1]))],
    inputs=[0, 1, 3, 5], outputs=[2, 4, 7],
    signatures={"strings": ({"words": 0, "idx": 1, "i": 3, "scalar": 5},
                            {"picked": 2, "word": 4, "vector": 7})})
# a variable tensor (is_variable) added to the input: reset_all_variables zeroes it
VARIABLE = build_model(
    tensors=[T([1, 3], np.float32, name="x"),
             T([1, 3], np.float32, name="state", is_variable=True),
             T([1, 3], np.float32, name="out")],
    ops=[Op("ADD", [0, 1], [2], options={})], inputs=[0], outputs=[2],
    signatures={"run": ({"x": 0}, {"out": 2})})
def _two_signature_model():
    """Two signatures written unsorted, with unsorted names, on two subgraphs of one file."""
    from builder import SubgraphDef
    first = SubgraphDef([T([2], np.float32, name="b_in"), T([2], np.float32, name="a_in"),
                         T([2], np.float32, name="total")],
                        [Op("ADD", [0, 1], [2], options={})], [0, 1], [2], "first")
    second = SubgraphDef([T([2], np.float32, name="p"), T([2], np.float32, name="q"),
                          T([2], np.float32, name="product")],
                         [Op("MUL", [0, 1], [2], options={})], [0, 1], [2], "second")
    return build_model(subgraphs=[first, second], signatures={
        "zeta": ({"b": 0, "a": 1}, {"total": 2}, 0),
        "alpha": ({"q": 1, "p": 0}, {"product": 2}, 1)})


TWO_SIGNATURES = _two_signature_model()

BUILT = {"add": ADD, "add_const": ADD_CONST, "fc": FC, "strings": STRINGS,
         "variable": VARIABLE, "two_signatures": TWO_SIGNATURES}
REQUIRED_FILES = ["mlp.tflite", "multi_signature.tflite", "dtypes.tflite", "strings.tflite",
                  "fp16_weights.tflite", "encode_decode.tflite", "keras_dense.tflite",
                  "encode_decode_concrete.tflite"]
# every committed model: converter-made test models and the seed models
FILES = sorted({p.name for p in MODELS.glob("*.tflite")}
               | {p.name for p in EXAMPLES.glob("*.tflite")} | set(REQUIRED_FILES))
ALL_MODELS = list(BUILT) + FILES


def model_bytes(name):
    return BUILT[name] if name in BUILT else _model(name)


# ----------------------------------------------------------------------------- comparison

def make(mod, model, delegates=False, **kw):
    """An interpreter of ``mod`` (litert or numlite) on model bytes or a model name."""
    if isinstance(model, str):
        model = model_bytes(model)
    if not delegates:
        kw.setdefault("experimental_op_resolver_type",
                      mod.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    return mod.Interpreter(model_content=model, **kw)


def assert_same(ours, theirs, path="result"):
    """Deep equality: same types, dict key order, array dtypes and values, type identity."""
    if isinstance(theirs, type):
        assert ours is theirs, f"{path}: {ours!r} is not {theirs!r}"
        return
    assert type(ours) is type(theirs), f"{path}: type {type(ours)} != {type(theirs)}"
    if isinstance(theirs, dict):
        assert list(ours) == list(theirs), f"{path}: keys {list(ours)} != {list(theirs)}"
        for key in theirs:
            assert_same(ours[key], theirs[key], f"{path}[{key!r}]")
    elif isinstance(theirs, (list, tuple)):
        assert len(ours) == len(theirs), f"{path}: length {len(ours)} != {len(theirs)}"
        for i, (a, b) in enumerate(zip(ours, theirs)):
            assert_same(a, b, f"{path}[{i}]")
    elif isinstance(theirs, np.ndarray):
        assert ours.dtype == theirs.dtype, f"{path}: dtype {ours.dtype} != {theirs.dtype}"
        assert ours.shape == theirs.shape, f"{path}: shape {ours.shape} != {theirs.shape}"
        if theirs.dtype == object:
            assert ours.tolist() == theirs.tolist(), f"{path}: {ours!r} != {theirs!r}"
        else:
            assert np.array_equal(ours, theirs, equal_nan=theirs.dtype.kind in "fc"), \
                f"{path}: {ours!r} != {theirs!r}"
    elif isinstance(theirs, float) and theirs != theirs:
        assert ours != ours, f"{path}: {ours!r} != nan"
    else:
        assert ours == theirs, f"{path}: {ours!r} != {theirs!r}"


# LiteRT's TF_LITE_ENSURE texts start with the C++ source location ("tflite/util.cc ",
# "tflite/core/subgraph.cc:1268 "); that part is version-specific and not compared.
_SOURCE_LOCATION = re.compile(r"(?<![\w/.])tflite/[\w/]+\.cc(:\d+)? ")


def outcome(action, mod):
    try:
        return "returned", action(mod)
    except Exception as e:  # noqa: BLE001 - the exception is the result being compared
        text = str(e)
        if mod is litert:
            text = _SOURCE_LOCATION.sub("", text)
        return "raised", (type(e), text)


def check(action):
    """Run ``action(mod)`` with LiteRT and with numlite; assert the same result or error."""
    theirs = outcome(action, litert)
    gc.collect()
    ours = outcome(action, numlite)
    if theirs[0] == "raised" or ours[0] == "raised":
        assert ours == theirs, f"\n numlite: {ours}\n  LiteRT: {theirs}"
    else:
        assert_same(ours[1], theirs[1])
    return ours[1]


def expect_error(action, kind, message):
    """numlite (and LiteRT where given) raise ``kind(message)``."""
    with pytest.raises(kind) as info:
        action(numlite)
    assert str(info.value) == message


# ----------------------------------------------------------------------------- details

@pytest.mark.parametrize("name", ALL_MODELS)
def test_details_match(name):
    def details(mod):
        interp = make(mod, name)
        out = {
            "inputs": interp.get_input_details(),
            "outputs": interp.get_output_details(),
            "subgraphs": interp.num_subgraphs(),
            "ops": interp._get_ops_details(),
            "signatures": interp.get_signature_list(),
            "full_signatures": interp._get_full_signature_list(),
        }
        out["tensors"] = [interp.get_tensor_details(i) for i in range(interp.num_subgraphs())]
        runners = {}
        for key in interp.get_signature_list():
            runner = interp.get_signature_runner(key)
            runners[key] = (runner.get_input_details(), runner.get_output_details())
        out["runners"] = runners
        return out
    check(details)


@pytest.mark.parametrize("name", ["add", "fc", "mlp.tflite", "multi_signature.tflite",
                                  "keras_dense.tflite", "fp16_weights.tflite"])
def test_details_after_resize_and_allocate(name):
    def details(mod):
        interp = make(mod, name)
        first = interp.get_input_details()[0]
        shape = [5 if d == -1 else int(s) for d, s in zip(first["shape_signature"], first["shape"])]
        interp.resize_tensor_input(first["index"], shape)
        before = interp.get_tensor_details()
        interp.allocate_tensors()
        return before, interp.get_tensor_details(), interp.get_output_details()
    check(details)


def test_detail_dtypes_are_numpy_types():
    interp = make(numlite, STRINGS)
    dtypes = {d["name"]: d["dtype"] for d in interp.get_tensor_details()}
    assert dtypes["words"] is np.bytes_ and dtypes["idx"] is np.int32
    detail = interp.get_input_details()[0]
    assert list(detail) == ["name", "index", "shape", "shape_signature", "dtype", "quantization",
                            "quantization_parameters", "sparsity_parameters"]
    assert list(detail["quantization_parameters"]) == ["scales", "zero_points",
                                                       "quantized_dimension", "block_size"]


def test_op_details():
    ops = check(lambda mod: make(mod, "fc")._get_ops_details())
    assert ops[0]["op_name"] == "FULLY_CONNECTED"
    check(lambda mod: make(mod, "mlp.tflite")._get_op_details(1))
    check(lambda mod: make(mod, "strings.tflite")._get_op_details(0))   # FlexAsString


@pytest.mark.parametrize("index", [1, 2, 7, -1])
def test_op_details_bad_index(index):
    check(lambda mod: make(mod, "add")._get_op_details(index))


@pytest.mark.parametrize("subgraph", [1, 2, 9, -1])
def test_tensor_details_subgraph_out_of_range(subgraph):
    check(lambda mod: make(mod, "multi_signature.tflite").get_tensor_details(subgraph))


def test_tensor_details_other_subgraph():
    check(lambda mod: make(mod, "multi_signature.tflite").get_tensor_details(1))


@pytest.mark.parametrize("index", [3, 4, 50, -1])
def test_get_tensor_details_bad_tensor_index(index):
    check(lambda mod: make(mod, "add")._get_tensor_details(index, 0))


def test_num_subgraphs():
    assert check(lambda mod: make(mod, "multi_signature.tflite").num_subgraphs()) == 2


def _dtype_cases():
    interp = numlite.Interpreter(model_content=_model("dtypes.tflite"))
    cases = []
    for key, sig in interp.get_signature_list().items():
        for name in sig["inputs"]:
            for dtype in (np.float32, np.float64, np.int32, np.int64, np.uint8, np.bool_,
                          np.int8, np.int16, np.uint16, np.uint32, np.uint64, np.float16,
                          np.complex64, np.bytes_, np.str_, object):
                cases.append((key, name, dtype))
    return cases


@pytest.mark.parametrize("key,name,dtype", _dtype_cases())
def test_runner_input_dtypes(key, name, dtype):
    """Each input of dtypes.tflite fed every numpy dtype: same result or same error."""
    def run(mod):
        runner = make(mod, "dtypes.tflite").get_signature_runner(key)
        feeds = {}
        for n, d in runner.get_input_details().items():
            shape = [2 if s == -1 else s for s in d["shape_signature"].tolist()]
            value = (np.arange(int(np.prod(shape))) % 2).reshape(shape)
            feeds[n] = value.astype(dtype if n == name else d["dtype"])
        return runner(**feeds)
    check(run)


# ----------------------------------------------------------------------------- constructor

@pytest.mark.parametrize("kwargs", [
    dict(num_threads=4.2), dict(num_threads=-1), dict(num_threads=0), dict(num_threads="2"),
    dict(num_threads=4), dict(num_threads=None), dict(num_threads=True),
], ids=lambda kw: repr(kw["num_threads"]))
def test_num_threads(kwargs):
    check(lambda mod: make(mod, "add", **kwargs).num_subgraphs())


def test_model_arguments():
    data = ADD
    check(lambda mod: mod.Interpreter())
    check(lambda mod: mod.Interpreter(model_content=b""))
    check(lambda mod: mod.Interpreter(model_path="", model_content=None))
    check(lambda mod: mod.Interpreter(model_path=str(MODELS / "mlp.tflite"), model_content=data))
    check(lambda mod: mod.Interpreter(model_content=data,
                                      experimental_op_resolver_type="test"))
    # resolver checked before the model arguments, num_threads before them too
    check(lambda mod: mod.Interpreter(experimental_op_resolver_type="test"))
    check(lambda mod: mod.Interpreter(num_threads=-1))


@pytest.mark.parametrize("resolver", ["AUTO", "BUILTIN", "BUILTIN_REF",
                                      "BUILTIN_WITHOUT_DEFAULT_DELEGATES"])
def test_op_resolver_types(resolver):
    def run(mod):
        interp = mod.Interpreter(model_content=ADD, experimental_op_resolver_type=getattr(
            mod.OpResolverType, resolver))
        interp.allocate_tensors()
        interp.set_tensor(0, np.ones((1, 3), np.float32))
        interp.set_tensor(1, np.arange(3, dtype=np.float32))
        interp.invoke()
        return interp.get_tensor(2)
    check(run)


def test_op_resolver_enum():
    assert [(m.name, m.value) for m in numlite.OpResolverType] == \
        [(m.name, m.value) for m in litert.OpResolverType]


def test_model_path_forms(tmp_path):
    path = tmp_path / "mlp.tflite"
    path.write_bytes(_model("mlp.tflite"))
    for arg in (str(path), path, os.fsencode(path)):
        check(lambda mod: mod.Interpreter(model_path=arg).get_signature_list())


@pytest.mark.parametrize("kind", [bytes, bytearray, memoryview])
def test_model_content_forms(kind):
    """LiteRT takes only bytes (TypeError otherwise); numlite also takes bytearray/memoryview."""
    interp = numlite.Interpreter(model_content=kind(_model("mlp.tflite")))
    ref = litert.Interpreter(model_content=_model("mlp.tflite"))
    assert_same(interp.get_tensor_details(), ref.get_tensor_details())
    out = interp.get_signature_runner()(features=np.ones((2, 8), np.float32))
    assert out["output_0"].shape == (2, 4)


def test_missing_file():
    name = "totally_invalid_file_name"
    with pytest.raises(ValueError) as theirs:
        litert.Interpreter(model_path=name)
    with pytest.raises(ValueError) as ours:
        numlite.Interpreter(model_path=name)
    assert str(ours.value) == str(theirs.value)


def test_missing_file_message_start():
    """The part of the text the LiteRT tests check."""
    with pytest.raises(ValueError, match=r"^Could not open 'totally_invalid_file_name'\."):
        numlite.Interpreter(model_path="totally_invalid_file_name")


def test_model_content_is_kept():
    interp = numlite.Interpreter(model_content=ADD)
    assert interp._model_content is ADD


# ----------------------------------------------------------------------------- set_tensor

SET_CASES = {
    "python float list": [[1.0, 2.0, 3.0]],
    "python int list": [[1, 2, 3]],
    "float64": np.zeros((1, 3)),
    "int32": np.zeros((1, 3), np.int32),
    "unicode": np.array([["a", "b", "c"]]),
    "bytes": np.array([[b"a", b"b", b"c"]]),
    "object": np.array([[b"a", "b", 1]], dtype=object),
    "None": None,
    "str": "abc",
    "rank 1": np.zeros(3, np.float32),
    "rank 3": np.zeros((1, 1, 3), np.float32),
    "0-d": np.float32(1),
    "dim 0": np.zeros((2, 3), np.float32),
    "dim 1": np.zeros((1, 4), np.float32),
    "ok": np.arange(3, dtype=np.float32).reshape(1, 3),
    "non-contiguous": np.arange(6, dtype=np.float32).reshape(3, 2).T[:1],
    "fortran": np.asfortranarray(np.arange(3, dtype=np.float32).reshape(1, 3)),
}


@pytest.mark.parametrize("case", list(SET_CASES))
def test_set_tensor(case):
    def run(mod):
        interp = make(mod, "add")
        interp.allocate_tensors()
        interp.set_tensor(0, SET_CASES[case])
        return interp.get_tensor(0)
    check(run)


def test_set_tensor_float_list_message():
    def run(mod):
        interp = make(mod, "add")
        interp.allocate_tensors()
        interp.set_tensor(0, [[1.0, 2.0, 3.0]])
    check(run)
    expect_error(run, ValueError, "Cannot set tensor: Got value of type FLOAT64 but expected "
                                  "type FLOAT32 for input 0, name: x ")


@pytest.mark.parametrize("index", [3, 99, -1])
def test_set_tensor_bad_index(index):
    def run(mod):
        interp = make(mod, "add")
        interp.allocate_tensors()
        interp.set_tensor(index, np.zeros((1, 3), np.float32))
    check(run)


def test_set_tensor_before_allocate():
    check(lambda mod: make(mod, "add").set_tensor(0, np.zeros((1, 3), np.float32)))


def test_set_tensor_after_resize_before_allocate():
    def run(mod):
        interp = make(mod, "add")
        interp.allocate_tensors()
        interp.resize_tensor_input(0, [4, 3])
        interp.set_tensor(0, np.zeros((4, 3), np.float32))
    check(run)


def test_set_constant_tensor_shape_check():
    def run(mod):
        interp = make(mod, "add_const")
        interp.allocate_tensors()
        interp.set_tensor(1, np.zeros(4, np.float32))
    check(run)


def test_set_intermediate_and_output():
    def run(mod):
        interp = make(mod, "mlp.tflite")
        interp.allocate_tensors()
        index = interp.get_output_details()[0]["index"]
        interp.set_tensor(index, np.full((1, 4), 7, np.float32))
        return interp.get_tensor(index)
    check(run)


# ----------------------------------------------------------------------------- get_tensor

def test_get_tensor_returns_copies():
    def run(mod):
        interp = make(mod, "add")
        interp.allocate_tensors()
        interp.set_tensor(0, np.ones((1, 3), np.float32))
        interp.set_tensor(1, np.arange(3, dtype=np.float32))
        interp.invoke()
        first = interp.get_tensor(2)
        first[...] = -5
        again = interp.get_tensor(2)
        inp = interp.get_tensor(0)
        inp[...] = 9
        interp.invoke()
        return first, again, interp.get_tensor(2), interp.get_tensor(0), \
            first.flags.owndata or first.base is not None, again.flags.writeable
    out = check(run)
    np.testing.assert_array_equal(out[1], [[1, 2, 3]])


def test_get_tensor_before_allocate():
    check(lambda mod: make(mod, "add").get_tensor(0))
    check(lambda mod: make(mod, "add").get_tensor(2))


def test_get_tensor_after_resize_before_allocate():
    """Resizing an allocated input frees its data until the next allocate_tensors()."""
    def run(mod):
        interp = _allocated_add(mod)
        interp.set_tensor(0, np.ones((1, 3), np.float32))
        interp.resize_tensor_input(0, [2, 3])
        return interp.get_tensor(0)
    check(run)


def test_get_constant_tensor():
    check(lambda mod: make(mod, "add_const").get_tensor(1))
    check(lambda mod: make(mod, "fc").get_tensor(1))


@pytest.mark.parametrize("args", [(3,), (99,), (-1,), (0, 1), (0, 5), (0, -1)])
def test_get_tensor_bad_index(args):
    check(lambda mod: make(mod, "add").get_tensor(*args))


def test_get_tensor_of_other_subgraph():
    def run(mod):
        interp = make(mod, "multi_signature.tflite")
        runner = interp.get_signature_runner("sub")
        runner(minuend=np.ones((2, 3), np.float32), subtrahend=np.arange(3, dtype=np.float32))
        return [interp.get_tensor(i, 1) for i in range(3)]
    check(run)


# ----------------------------------------------------------------------------- tensor()

def _allocated_add(mod):
    interp = make(mod, "add")
    interp.allocate_tensors()
    interp.set_tensor(1, np.arange(3, dtype=np.float32))
    return interp


def test_tensor_view_reads_and_writes():
    def run(mod):
        interp = _allocated_add(mod)
        view_fn = interp.tensor(0)
        assert callable(view_fn)
        view_fn()[...] = 2.0                      # writes through to the input
        interp.invoke()
        out = interp.tensor(2)()
        first = out.copy()
        interp.set_tensor(0, np.full((1, 3), 10, np.float32))
        del out
        interp.invoke()
        return first, interp.tensor(2)().copy(), interp.get_tensor(0)
    out = check(run)
    np.testing.assert_array_equal(out[0], [[2, 3, 4]])


def test_tensor_view_is_a_view():
    interp = _allocated_add(numlite)
    view = interp.tensor(0)()
    interp.set_tensor(0, np.full((1, 3), 4, np.float32))
    np.testing.assert_array_equal(view, [[4, 4, 4]])
    assert not view.flags.owndata


@pytest.mark.parametrize("call", ["invoke", "allocate_tensors", "resize_tensor_input"])
@pytest.mark.parametrize("hold", ["view", "slice"])
def test_holding_a_view_blocks(call, hold):
    def run(mod):
        interp = _allocated_add(mod)
        view = interp.tensor(0)()
        held = view if hold == "view" else view[0, 1:]
        del view
        args = (0, [2, 3]) if call == "resize_tensor_input" else ()
        try:
            getattr(interp, call)(*args)
        finally:
            del held
        return None
    check(run)
    expect_error(run, RuntimeError, REFERENCE_HELD)


def test_released_view_unblocks():
    def run(mod):
        interp = _allocated_add(mod)
        interp.set_tensor(0, np.full((1, 3), 2, np.float32))
        view = interp.tensor(0)()
        total = float(view.sum())
        del view
        interp.invoke()
        interp.resize_tensor_input(0, [2, 3])
        interp.allocate_tensors()
        return total, interp.get_tensor(2).shape
    check(run)


def test_held_view_allows_set_get_and_details():
    def run(mod):
        interp = _allocated_add(mod)
        view = interp.tensor(0)()
        interp.set_tensor(0, np.ones((1, 3), np.float32))
        return view.copy(), interp.get_tensor(0), interp.get_input_details(), \
            interp.get_signature_list()
    check(run)


def test_held_view_and_reset_all_variables():
    """LiteRT's reset_all_variables() does not check for held views."""
    def run(mod):
        interp = _allocated_add(mod)
        view = interp.tensor(0)()  # noqa: F841
        return interp.reset_all_variables()
    check(run)


def test_tensor_bad_index():
    """LiteRT checks the index when the returned function is called, not in tensor()."""
    def run(mod):
        interp = _allocated_add(mod)
        return interp.tensor(99)()
    check(run)


def test_tensor_bad_index_checked_on_call():
    def run(mod):
        interp = _allocated_add(mod)
        return callable(interp.tensor(99))
    check(run)


def test_tensor_before_allocate():
    check(lambda mod: make(mod, "add").tensor(0)())


# ----------------------------------------------------------------------------- invoke / allocate

def test_invoke_before_allocate():
    check(lambda mod: make(mod, "add").invoke())
    expect_error(lambda mod: make(mod, "add").invoke(), RuntimeError,
                 "Invoke called on model that is not ready.")


def test_invoke_after_resize_needs_allocate():
    def run(mod):
        interp = _allocated_add(mod)
        interp.resize_tensor_input(0, [2, 3])
        interp.invoke()
    check(run)


def test_resize_to_same_shape_keeps_ready():
    def run(mod):
        interp = _allocated_add(mod)
        interp.set_tensor(0, np.ones((1, 3), np.float32))
        interp.resize_tensor_input(0, [1, 3])
        interp.invoke()
        return interp.get_tensor(2)
    check(run)


def test_allocate_twice_keeps_inputs():
    def run(mod):
        interp = _allocated_add(mod)
        interp.set_tensor(0, np.full((1, 3), 3, np.float32))
        interp.allocate_tensors()
        interp.invoke()
        return interp.get_tensor(0), interp.get_tensor(2)
    check(run)


def test_invoke_returns_none_and_outputs_match():
    def run(mod):
        interp = make(mod, "fc")
        interp.resize_tensor_input(0, [3, 3])
        assert interp.allocate_tensors() is None
        interp.set_tensor(0, np.arange(9, dtype=np.float32).reshape(3, 3) - 4)
        assert interp.invoke() is None
        return interp.get_tensor(interp.get_output_details()[0]["index"])
    check(run)


def test_unresolved_custom_op():
    """A custom op nobody registered loads, then fails at allocate_tensors with LiteRT's text
    (the kernel message and the node line, no separator, no trailing newline)."""
    model = single_op("MyCustomOp", [T([1, 3], np.float32)], [T([1, 3], np.float32)])
    check(lambda mod: make(mod, model)._get_ops_details())
    check(lambda mod: make(mod, model).allocate_tensors())


def test_default_resolver_runs():
    """The default (AUTO, XNNPACK in LiteRT) resolver gives the same outputs."""
    def run(mod):
        interp = make(mod, "mlp.tflite", delegates=True, num_threads=2)
        interp.resize_tensor_input(0, [3, 8])
        interp.allocate_tensors()
        x = np.linspace(-1, 1, 24, dtype=np.float32).reshape(3, 8)
        interp.set_tensor(0, x)
        interp.invoke()
        return interp.get_tensor(interp.get_output_details()[0]["index"])
    theirs, ours = run(litert), run(numlite)
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


# ----------------------------------------------------------------------------- resize

RESIZES = {
    "grow batch": ([4, 3], False),
    "grow batch strict": ([4, 3], True),
    "zero batch": ([0, 3], False),
    "fixed dim non-strict": ([2, 5], False),
    "fixed dim strict": ([2, 5], True),
    "rank non-strict": ([2, 3, 1], False),
    "rank strict": ([2, 3, 1], True),
    "2-D shape": ([[2, 3]], False),
    "0-D shape": (3, False),
    "floats": ([2.7, 3.2], False),
    "int64 array": (np.array([2, 3], np.int64), False),
    "tuple": ((2, 3), False),
    "negative": ([-1, 3], False),
    "strings": (["a", 3], False),
}


@pytest.mark.parametrize("case", list(RESIZES))
def test_resize_tensor_input(case):
    shape, strict = RESIZES[case]

    def run(mod):
        interp = make(mod, "add")
        result = interp.resize_tensor_input(0, shape, strict=strict)
        return result, interp.get_input_details()[0]["shape"]
    check(run)


@pytest.mark.parametrize("case", ["grow batch", "zero batch", "grow batch strict"])
def test_resize_then_run(case):
    shape, strict = RESIZES[case]

    def run(mod):
        interp = make(mod, "add")
        interp.resize_tensor_input(0, shape, strict=strict)
        interp.allocate_tensors()
        interp.set_tensor(0, np.arange(np.prod(shape), dtype=np.float32).reshape(shape))
        interp.set_tensor(1, np.ones(3, np.float32))
        interp.invoke()
        return interp.get_tensor(2), interp.get_output_details()
    check(run)


def test_resize_strict_message():
    run = lambda mod: make(mod, "add").resize_tensor_input(0, [2, 5], strict=True)  # noqa: E731
    check(run)
    expect_error(run, RuntimeError,
                 "Attempting to resize dimension 1 of tensor 0 with value 3 to 5. "
                 "ResizeInputTensorStrict only allows mutating unknown dimensions identified "
                 "by -1.")


def test_resize_constant():
    check(lambda mod: make(mod, "add_const").resize_tensor_input(1, [4]))
    check(lambda mod: make(mod, "add_const").resize_tensor_input(1, [4], strict=True))
    expect_error(lambda mod: make(mod, "add_const").resize_tensor_input(1, [4]),
                 RuntimeError, "Attempting to resize a fixed-size tensor.")


def test_resize_constant_to_its_own_shape():
    check(lambda mod: make(mod, "add_const").resize_tensor_input(1, [3]))


@pytest.mark.parametrize("index", [3, 99, -1])
def test_resize_bad_index(index):
    check(lambda mod: make(mod, "add").resize_tensor_input(index, [2, 3]))


def test_resize_non_strict_bad_shape_fails_at_allocate():
    def run(mod):
        interp = make(mod, "add")
        interp.resize_tensor_input(0, [2, 5])
        interp.allocate_tensors()
    theirs, ours = outcome(run, litert), outcome(run, numlite)
    assert ours[0] == theirs[0] == "raised"
    assert ours[1][0] is theirs[1][0] is RuntimeError
    assert ours[1][1].rstrip("\n").endswith("Node number 0 (ADD) failed to prepare.")


# ----------------------------------------------------------------------------- signatures

def test_signature_lists():
    for name in ALL_MODELS:
        check(lambda mod: make(mod, name).get_signature_list())
        check(lambda mod: make(mod, name)._get_full_signature_list())


def test_signature_order_and_sorted_names():
    sigs = check(lambda mod: make(mod, "two_signatures").get_signature_list())
    assert list(sigs) == ["zeta", "alpha"]
    assert sigs["zeta"] == {"inputs": ["a", "b"], "outputs": ["total"]}
    full = check(lambda mod: make(mod, "two_signatures")._get_full_signature_list())
    assert full["alpha"] == {"inputs": {"p": 0, "q": 1}, "outputs": {"product": 2}}


@pytest.mark.parametrize("name", ["fc", "add", "multi_signature.tflite", "two_signatures"])
def test_get_signature_runner_none(name):
    """0 signatures and 2 signatures: ValueError; 1: that one."""
    check(lambda mod: make(mod, name).get_signature_runner()._subgraph_index)


@pytest.mark.parametrize("key", ["nope", "", "ADD", 0])
def test_get_signature_runner_unknown_key(key):
    check(lambda mod: make(mod, "multi_signature.tflite").get_signature_runner(key))


def test_signature_runner_constructor_errors():
    check(lambda mod: mod.SignatureRunner())
    check(lambda mod: mod.SignatureRunner(interpreter=make(mod, "add")))
    check(lambda mod: mod.SignatureRunner(interpreter=make(mod, "add"), signature_key="x"))
    check(lambda mod: mod.SignatureRunner(interpreter=make(mod, "add"),
                                          signature_key="serving_default")._subgraph_index)


def test_signature_runner_new_object_each_call():
    interp = make(numlite, "add")
    assert interp.get_signature_runner() is not interp.get_signature_runner()


RUNNER_CALLS = {
    "none": {},
    "one of two": {"x": np.ones((1, 3), np.float32)},
    "three": {"x": np.ones((1, 3), np.float32), "y": np.ones(3, np.float32),
              "z": np.ones(3, np.float32)},
    "unknown name": {"x": np.ones((1, 3), np.float32), "w": np.ones(3, np.float32)},
    "unknown first": {"w": np.ones(3, np.float32), "x": np.ones((1, 3), np.float32)},
    "python list": {"x": [[1.0, 2.0, 3.0]], "y": np.ones(3, np.float32)},
    "float64": {"x": np.ones((1, 3)), "y": np.ones(3, np.float32)},
    "int32": {"x": np.ones((1, 3), np.float32), "y": np.ones(3, np.int32)},
    "batch 5": {"x": np.ones((5, 3), np.float32), "y": np.arange(3, dtype=np.float32)},
    "batch 0": {"x": np.ones((0, 3), np.float32), "y": np.arange(3, dtype=np.float32)},
    "bad broadcast": {"x": np.ones((2, 4), np.float32), "y": np.ones(3, np.float32)},
    "ok": {"y": np.arange(3, dtype=np.float32), "x": np.ones((2, 3), np.float32)},
}


@pytest.mark.parametrize("case", list(RUNNER_CALLS))
def test_signature_runner_call(case):
    def run(mod):
        return make(mod, "add").get_signature_runner()(**RUNNER_CALLS[case])
    if case == "bad broadcast":   # kernel texts differ; type and node line must match
        theirs, ours = outcome(run, litert), outcome(run, numlite)
        assert ours[1][0] is theirs[1][0] is RuntimeError
        assert ours[1][1].rstrip("\n").endswith("Node number 0 (ADD) failed to prepare.")
        return
    check(run)


def test_signature_runner_details():
    for name in ("multi_signature.tflite", "two_signatures", "mlp.tflite", "strings"):
        def run(mod):
            interp = make(mod, name)
            return {key: (interp.get_signature_runner(key).get_input_details(),
                          interp.get_signature_runner(key).get_output_details())
                    for key in interp.get_signature_list()}
        check(run)


def test_signature_runner_details_after_call():
    def run(mod):
        interp = make(mod, "multi_signature.tflite")
        runner = interp.get_signature_runner("add")
        runner(x=np.ones(7, np.float32), y=np.ones(7, np.float32))
        return runner.get_input_details(), runner.get_output_details()
    check(run)


def test_signature_runner_on_other_subgraph_leaves_primary_alone():
    def run(mod):
        interp = make(mod, "multi_signature.tflite")
        out = interp.get_signature_runner("sub")(minuend=np.ones((2, 3), np.float32),
                                                 subtrahend=np.arange(3, dtype=np.float32))
        return out, interp.get_input_details()
    check(run)


def test_signature_runner_outputs_are_copies():
    def run(mod):
        runner = make(mod, "add").get_signature_runner()
        first = runner(x=np.ones((1, 3), np.float32), y=np.ones(3, np.float32))
        first["out"][...] = 0
        second = runner(x=np.full((1, 3), 2, np.float32), y=np.ones(3, np.float32))
        return first, second
    check(run)


# ----------------------------------------------------------------------------- variables

def test_reset_all_variables():
    def run(mod):
        interp = make(mod, "variable")
        interp.allocate_tensors()
        initial = interp.get_tensor(1)
        interp.set_tensor(1, np.full((1, 3), 5, np.float32))
        interp.set_tensor(0, np.ones((1, 3), np.float32))
        interp.invoke()
        before = interp.get_tensor(2)
        assert interp.reset_all_variables() is None
        after_reset = interp.get_tensor(1)
        interp.invoke()
        return initial, before, after_reset, interp.get_tensor(2)
    check(run)


def test_allocate_again_keeps_variables():
    """A second allocate_tensors() with nothing resized is a no-op in LiteRT."""
    def run(mod):
        interp = make(mod, "variable")
        interp.allocate_tensors()
        interp.set_tensor(1, np.full((1, 3), 5, np.float32))
        interp.allocate_tensors()
        return interp.get_tensor(1)
    check(run)


def test_reset_all_variables_without_variables_or_allocation():
    check(lambda mod: make(mod, "add").reset_all_variables())
    check(lambda mod: make(mod, "multi_signature.tflite").reset_all_variables())


# ----------------------------------------------------------------------------- strings

STRING_VALUES = {
    "object bytes": np.array([b"alpha", b"", b"g\x00mma"], dtype=object),
    "object str": np.array(["alpha", "b\u00e9ta", "\u03b3"], dtype=object),
    "object mixed": np.array(["alpha", b"beta", "gamma"], dtype=object),
    "bytes_": np.array([b"alpha", b"beta", b"x\x00"]),
    "unicode": np.array(["alpha", "b\u00e9ta", "\U0001F600"]),
}


@pytest.mark.parametrize("case", list(STRING_VALUES))
def test_string_tensors_in_and_out(case):
    def run(mod):
        interp = make(mod, "strings")
        runner = interp.get_signature_runner()
        out = runner(words=STRING_VALUES[case], idx=np.array([2, 0, 1, 2], np.int32),
                     i=np.array(1, np.int32), scalar=np.array(b"s"))
        return out
    out = check(run)
    assert out["picked"].dtype == object and isinstance(out["picked"][0], bytes)


@pytest.mark.parametrize("value", [np.array(b"abc"), np.array("h\u00e9llo"),
                                   np.array(b"ab\x00\x00cd" + bytes(3)), np.array(b"")],
                         ids=["bytes", "unicode", "nul padded", "empty"])
def test_zero_d_string(value):
    def run(mod):
        interp = make(mod, "strings")
        interp.resize_tensor_input(0, [2])
        interp.resize_tensor_input(1, [1])
        interp.allocate_tensors()
        interp.set_tensor(0, np.array([b"a", b"b"]))
        interp.set_tensor(1, np.array([0], np.int32))
        interp.set_tensor(3, np.array(1, np.int32))
        interp.set_tensor(5, value)
        interp.invoke()
        return interp.get_tensor(5), interp.get_tensor(7), interp.get_tensor(4)
    check(run)


def test_zero_d_object_string():
    """LiteRT copies the raw PyObject* bytes of a 0-d object array (garbage); numlite stores
    the element itself."""
    interp = make(numlite, "strings")
    interp.allocate_tensors()
    interp.set_tensor(5, np.array(b"xyz", dtype=object))
    assert interp.get_tensor(5).tolist() == b"xyz"
    interp.set_tensor(5, np.array("\u00e9", dtype=object))
    assert interp.get_tensor(5).tolist() == "\u00e9".encode()


@pytest.mark.parametrize("value", [["a", "b"], ("a", "b"), "ab", b"ab",
                                   np.array([1.0, 2.0]), np.array([1, 2], np.int32),
                                   np.array([[b"a", b"b"]]), np.array([b"a"]),
                                   np.array([True, False])],
                         ids=["list", "tuple", "str", "bytes", "float64", "int32", "rank 2",
                              "dim", "bool"])
def test_string_set_tensor_errors(value):
    def run(mod):
        interp = make(mod, "strings")
        interp.resize_tensor_input(0, [2])
        interp.allocate_tensors()
        interp.set_tensor(0, value)
        return interp.get_tensor(0)
    check(run)


@pytest.mark.parametrize("scalar", [np.bytes_(b"zz"), np.str_("zz")], ids=["bytes_", "str_"])
def test_string_runner_with_numpy_scalar(scalar):
    """A numpy scalar is not an ndarray: LiteRT names its type as tp_name ('numpy.bytes_')."""
    check(lambda mod: make(mod, "strings").get_signature_runner()(
        words=np.array([b"a", b"b"]), idx=np.array([1], np.int32), i=np.int32(0),
        scalar=scalar))


def test_string_runner_with_list():
    check(lambda mod: make(mod, "strings").get_signature_runner()(
        words=["a"], idx=np.array([0], np.int32), i=np.array(0, np.int32),
        scalar=np.array(b"s")))


def test_string_tensor_before_set():
    """LiteRT segfaults reading a string tensor that was allocated but never set; numlite
    gives empty strings of the tensor's shape."""
    interp = make(numlite, "strings")
    interp.resize_tensor_input(0, [2])
    interp.allocate_tensors()
    words, scalar = interp.get_tensor(0), interp.get_tensor(5)
    assert words.dtype == object and words.shape == (2,)
    assert scalar.dtype == object and scalar.shape == ()


# ----------------------------------------------------------------------------- Flex models

FLEX_PREPARE = ("Select TensorFlow op(s), included in the given model, is(are) not supported "
                "by this interpreter.")


def test_flex_model_loads_like_litert():
    """LiteRT without the Flex delegate loads Select-TF-op models (it fails only at
    allocate); details match."""
    for name in ("encode_decode.tflite", "strings.tflite"):
        check(lambda mod: make(mod, name)._get_ops_details())


def test_flex_model_runs_in_numlite():
    interp = numlite.Interpreter(model_path=str(EXAMPLES / "encode_decode.tflite"))
    encoded = interp.get_signature_runner("encode")(x=np.array([1, 2, 3], np.float32))
    assert_same(encoded, {"encoded_result": np.array([b"1.000000", b"2.000000", b"3.000000"],
                                                     dtype=object)})


def test_flex_model_errors_use_reference_texts():
    interp = numlite.Interpreter(model_path=str(EXAMPLES / "encode_decode.tflite"))
    decode = interp.get_signature_runner("decode")
    with pytest.raises(ValueError) as info:
        decode(x=np.array([1.0, 2.0]))
    assert str(info.value) == ("Cannot set tensor: Got value of type FLOAT64 but expected type "
                               "STRING for input 0, name: decode_x:0 ")
    with pytest.raises(AttributeError, match="'list' object has no attribute 'shape'"):
        decode(x=["1"])     # LiteRT reads value.shape
    with pytest.raises(ValueError, match=r"^Invalid Input name \(y\) for SignatureDef$"):
        decode(y=np.array([b"1"]))


# ----------------------------------------------------------------------------- module surface

def test_module_public_names():
    import numlite.interpreter as ours
    for name in ("Delegate", "load_delegate", "SignatureRunner", "OpResolverType",
                 "Interpreter", "InterpreterWithCustomOps"):
        assert hasattr(ours, name), name
    for name in ("Interpreter", "InterpreterWithCustomOps", "OpResolverType", "SignatureRunner"):
        assert getattr(numlite, name) is getattr(ours, name)


@pytest.mark.parametrize("cls", ["Interpreter", "SignatureRunner", "InterpreterWithCustomOps"])
def test_method_signatures(cls):
    """Same public methods with the same parameters and defaults (numlite may add private,
    keyword-only parameters)."""
    import inspect
    theirs, ours = getattr(litert, cls), getattr(numlite, cls)
    names = [n for n in dir(theirs) if not n.startswith("__") or n in ("__init__", "__call__")]
    for name in names:
        assert hasattr(ours, name), f"{cls}.{name} is missing"
        a, b = getattr(theirs, name), getattr(ours, name)
        if not callable(a):
            continue
        want = [(p.name, p.kind, repr(p.default)) for p in inspect.signature(a).parameters.values()]
        got = [(p.name, p.kind, repr(p.default)) for p in inspect.signature(b).parameters.values()
               if not (p.kind is p.KEYWORD_ONLY and p.name.startswith("_"))]
        assert got == want, f"{cls}.{name}"


def test_preserve_all_tensors_warning():
    import warnings

    def run(mod):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            mod.Interpreter(model_content=ADD, experimental_preserve_all_tensors=True)
            mod.Interpreter(model_content=ADD, experimental_preserve_all_tensors=True,
                            experimental_op_resolver_type=(
                                mod.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES))
        return [(w.category, str(w.message)) for w in caught]
    check(run)


def test_native_handle_and_properties():
    interp = make(numlite, "add")
    assert isinstance(interp._native_handle(), int)
    assert interp.experimental_compress_quantization_zero_points is False
    assert make(numlite, "add", experimental_compress_quantization_zero_points=True) \
        .experimental_compress_quantization_zero_points is True
