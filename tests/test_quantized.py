"""Quantized-model corpus (tests/models/quantized/, issue 6) against ai_edge_litert.

Every model there (written by tools/gen_quant_models.py) runs in numlite and in LiteRT on
``len(SEEDS)`` random inputs drawn as ``inputs.json`` says (helpers of test_conformance):

* integer models (full-integer int8, 16x8, legacy uint8, with integer or float inputs and
  outputs): bit-exact with LiteRT's reference kernels (BUILTIN_REF). LiteRT's default
  kernels (AUTO: optimized kernels and XNNPACK) round their requantizations differently,
  at most 1 LSB per op (test_kernels_integer_gemm), but deep models carry that along:
  LiteRT's own reference and default kernels differ by up to 38 output steps on
  mobilenet_v2_int8 (10 on resnet_blocks_int8, 2 on mobilenet_v3_small and the
  transformer). So numlite's outputs may be at most ``DEFAULT_LSB`` output quantization
  step farther from the default kernels' than the reference kernels' are (integer outputs:
  LSBs; float outputs: steps of the DEQUANTIZE that makes them);
* dynamic-range and float16 models: compared with the reference kernels and with the
  optimized ones without XNNPACK (BUILTIN_WITHOUT_DEFAULT_DELEGATES): the default
  resolver's XNNPACK quantizes the inputs of hybrid ops its own way (always asymmetric,
  per pixel for 1x1 convolutions), a different computation. Outputs agree within
  ``ATOL``/``RTOL``, except where ``END_TO_END_ATOL`` says otherwise: a hybrid op quantizes
  its float input on the fly, so a float rounding difference upstream (BLAS summation order
  in a float op) can move one quantized input by a step, which the following layers carry
  to the outputs (mobilenet_v2_dynamic, seed 2: 3e-3 on its probabilities, where the other
  seeds agree to 1e-7). ``test_float_models_layer_by_layer`` checks every op within float
  tolerance on LiteRT's own intermediate tensors as inputs.

The tensor details (``quantization``, ``quantization_parameters``) of every tensor, and the
input and output details, must equal LiteRT's.

A case numlite cannot run yet FAILS unless ``EXPECTED_MISSING`` lists it; a reason
``"missing: OP, OP"`` must name exactly the ops whose numlite kernel refuses the model's
node at prepare (``refused_ops``), and a listed case that passes fails ("remove it").
``python tests/test_quantized.py`` prints each case's status and the EXPECTED_MISSING that
matches the current kernels.
"""

import json
import pathlib

import numpy as np
import pytest

import numlite
from numlite.ops import registry

from ai_edge_litert import interpreter as litert  # noqa: E402  (test extra)
from corpus_feeds import random_feed
from differential import assert_same
from test_conformance import RESOLVERS, missing_entry, missing_ops, run_expected

CORPUS = pathlib.Path(__file__).resolve().parent / "models" / "quantized"
MANIFEST = json.loads((CORPUS / "inputs.json").read_text())
SEEDS = (0, 1, 2)
#: float models (dynamic range, float16 weights): tolerance as in test_conformance
ATOL = RTOL = 1e-4
#: end-to-end absolute tolerance of float models where ATOL does not hold (module docstring)
END_TO_END_ATOL = {"mobilenet_v2_dynamic": 1e-2}
#: integer models vs LiteRT's default kernels: output quantization steps beyond the
#: reference kernels' distance to them
DEFAULT_LSB = 1

# Case ids: the file's stem. Reasons "missing: A, B" are checked against refused_ops.
EXPECTED_MISSING = {}


def is_float_model(name):
    return "_dynamic" in name or "_float16" in name


def float_tolerance(name):
    """0 for an integer model, else the absolute tolerance of its end-to-end outputs."""
    if not is_float_model(name):
        return 0.0
    return END_TO_END_ATOL.get(case_id(name), ATOL)


def cases():
    """[(file name, signature key)]; "" is the key of a model without signatures."""
    return [(name, key) for name in sorted(MANIFEST) for key in sorted(MANIFEST[name])]


CASES = cases()


def case_id(name):
    return name[:-len(".tflite")]


class Runner:
    """One signature (or, for key "", the whole model through tensor indices) of an
    interpreter as ``runner(**inputs) -> {output name: array}``."""

    def __init__(self, interpreter, key):
        self.interpreter = interpreter
        self.signature = interpreter.get_signature_runner(key) if key else None
        if self.signature is None:
            interpreter.allocate_tensors()

    def input_details(self):
        if self.signature is not None:
            return self.signature.get_input_details()
        return {d["name"]: d for d in self.interpreter.get_input_details()}

    def __call__(self, **inputs):
        if self.signature is not None:
            return self.signature(**inputs)
        for d in self.interpreter.get_input_details():
            self.interpreter.set_tensor(d["index"], inputs[d["name"]])
        self.interpreter.invoke()
        return {d["name"]: self.interpreter.get_tensor(d["index"])
                for d in self.interpreter.get_output_details()}


#: resolvers of the float (dynamic-range, float16) models
FLOAT_RESOLVERS = {"ref": RESOLVERS["ref"],
                   "optimized": litert.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES}


def resolvers(name):
    return FLOAT_RESOLVERS if is_float_model(name) else RESOLVERS


def litert_interpreter(content, kind):
    return litert.Interpreter(model_content=content, experimental_op_resolver_type=kind)


def make_inputs(name, key, details, seed):
    rng = np.random.default_rng(seed)
    feeds = MANIFEST[name][key]
    return {input_name: random_feed(feeds[input_name], details[input_name]["dtype"], rng)
            for input_name in sorted(details)}


def output_steps(interpreter, key):
    """{output name: quantization step}: the output's own scale, or for a float output made
    by DEQUANTIZE the scale of that op's input."""
    tensors = {d["index"]: d for d in interpreter.get_tensor_details()}
    producer = {}
    for op in interpreter._get_ops_details():
        for o in op["outputs"]:
            producer[o] = op
    if key:
        outputs = interpreter.get_signature_runner(key).get_output_details()
    else:
        outputs = {d["name"]: d for d in interpreter.get_output_details()}
    steps = {}
    for name, d in outputs.items():
        scale = d["quantization"][0]
        op = producer.get(d["index"])
        if scale == 0.0 and op is not None and op["op_name"] == "DEQUANTIZE":
            scale = tensors[op["inputs"][0]]["quantization"][0]
        steps[name] = scale
    return steps


def compare_outputs(actual, expected, label, float_model, steps, what, reference=None):
    """Check numlite's outputs against LiteRT resolver ``label``'s; ``reference`` holds the
    reference kernels' outputs (the default kernels' bound is relative to them)."""
    assert sorted(actual) == sorted(expected), f"output names {sorted(actual)} != " \
                                               f"{sorted(expected)}"
    for output, value in expected.items():
        where = f"{what}, output {output!r} vs LiteRT {label}"
        if float_model:
            assert_same(actual[output], value, rtol=RTOL, atol=max(ATOL, float_model),
                        what=where)
        elif label == "ref":
            assert_same(actual[output], value, what=where)
        else:
            # in output quantization steps (a few float32 ulps over for DEQUANTIZE outputs)
            step = steps[output] * 1.0001 if value.dtype.kind == "f" else 1
            ours = np.abs(actual[output].astype(np.float64) - value) / step
            theirs = np.abs(reference[output].astype(np.float64) - value) / step
            assert actual[output].dtype == value.dtype
            excess = ours - np.floor(theirs + 0.5)
            assert excess.max(initial=0) <= DEFAULT_LSB, (
                f"{where}: {int((excess > DEFAULT_LSB).sum())} of {excess.size} values are "
                f"more than {DEFAULT_LSB} step(s) farther from it than LiteRT's reference "
                f"kernels (up to {ours.max():.0f} steps; reference: {theirs.max():.0f})")


def run_case(name, key):
    content = (CORPUS / name).read_bytes()
    ours = Runner(numlite.Interpreter(model_content=content), key)
    theirs = {label: Runner(litert_interpreter(content, kind), key)
              for label, kind in resolvers(name).items()}
    steps = output_steps(theirs["ref"].interpreter, key)
    details = theirs["ref"].input_details()
    for seed in SEEDS:
        inputs = make_inputs(name, key, details, seed)
        actual = ours(**inputs)
        expected = {label: runner(**inputs) for label, runner in theirs.items()}
        for label, outputs in expected.items():
            compare_outputs(actual, outputs, label, float_tolerance(name), steps,
                            f"seed {seed}", reference=expected["ref"])


def refused_ops(name, key):
    """Sorted names of the ops whose numlite kernel is missing or refuses the model's node
    at prepare, every node prepared on the tensor shapes LiteRT's reference interpreter
    has after running the case's first input."""
    refused = set(missing_ops(name, key, CORPUS))
    content = (CORPUS / name).read_bytes()
    reference = Runner(litert_interpreter(content, RESOLVERS["ref"]), key)
    reference(**make_inputs(name, key, reference.input_details(), SEEDS[0]))
    shapes = {d["index"]: tuple(int(n) for n in d["shape"])
              for d in reference.interpreter.get_tensor_details()}
    runtime = numlite.Interpreter(model_content=content)._runtime
    sub = runtime.subgraph(0)
    sub._folded = set()
    for op in sub.sg.operators:
        code = runtime.model.operator_codes[op.opcode_index]
        kernel = registry.lookup(code)
        if kernel is None:
            continue
        try:
            sub.prepare_node(op, kernel, [shapes.get(i) if i >= 0 else None
                                          for i in op.inputs], "prepare")
        except RuntimeError:
            refused.add(code.name)
    return sorted(refused)


# ---- tests -----------------------------------------------------------------------------------

def test_manifest_covers_the_corpus():
    files = sorted(path.name for path in CORPUS.glob("*.tflite"))
    assert files == sorted(MANIFEST), "inputs.json and the .tflite files disagree"
    for name in files:
        interpreter = litert.Interpreter(model_path=str(CORPUS / name))
        signatures = interpreter.get_signature_list()
        if not signatures:
            assert list(MANIFEST[name]) == [""], name
            names = sorted(d["name"] for d in interpreter.get_input_details())
            assert names == sorted(MANIFEST[name][""]), name
            continue
        assert sorted(signatures) == sorted(MANIFEST[name]), name
        for key, io in signatures.items():
            assert sorted(io["inputs"]) == sorted(MANIFEST[name][key]), f"{name} {key}"


def test_expected_missing_names_real_cases():
    ids = {case_id(name) for name, _ in CASES}
    assert not set(EXPECTED_MISSING) - ids
    assert not set(END_TO_END_ATOL) - ids


def _same_details(ours, theirs, what):
    assert ours["name"] == theirs["name"], what
    assert ours["quantization"] == theirs["quantization"], (
        f"{what}: quantization {ours['quantization']} != {theirs['quantization']}")
    a, e = ours["quantization_parameters"], theirs["quantization_parameters"]
    assert sorted(a) == sorted(e), f"{what}: keys {sorted(a)} != {sorted(e)}"
    for field in ("scales", "zero_points"):
        assert a[field].dtype == e[field].dtype, f"{what}: {field} dtype"
        assert a[field].tolist() == e[field].tolist(), f"{what}: {field}"
    assert a["quantized_dimension"] == e["quantized_dimension"], f"{what}: quantized_dimension"


@pytest.mark.parametrize("name", sorted(MANIFEST), ids=case_id)
def test_quantization_details(name):
    ours = numlite.Interpreter(model_path=str(CORPUS / name))
    theirs = litert.Interpreter(model_path=str(CORPUS / name))
    for method in ("get_input_details", "get_output_details", "get_tensor_details"):
        a, e = getattr(ours, method)(), getattr(theirs, method)()
        assert len(a) == len(e), method
        for x, y in zip(a, e):
            _same_details(x, y, f"{method} {y['name']!r}")


@pytest.mark.parametrize("name, key", CASES, ids=[case_id(name) for name, _ in CASES])
def test_quantized(name, key):
    run_expected(case_id(name), EXPECTED_MISSING.get(case_id(name)),
                 lambda: refused_ops(name, key), lambda: run_case(name, key))


FLOAT_CASES = [(name, key) for name, key in CASES if is_float_model(name)]


@pytest.mark.parametrize("name, key", FLOAT_CASES, ids=[case_id(n) for n, _ in FLOAT_CASES])
def test_float_models_layer_by_layer(name, key):
    """Every op of numlite's plan, run on LiteRT's (reference kernels) intermediate tensors,
    gives LiteRT's output within float tolerance (relative to the output's magnitude).
    Stateful ops (variable inputs: the LSTM's state, which LiteRT holds at its final value
    after the run) are checked end to end only."""
    content = (CORPUS / name).read_bytes()
    reference = litert.Interpreter(model_content=content,
                                   experimental_op_resolver_type=RESOLVERS["ref"],
                                   experimental_preserve_all_tensors=True)
    runner = Runner(reference, key)
    ours = numlite.Interpreter(model_content=content)
    ours.allocate_tensors()
    sub = ours._runtime.subgraph(0)
    checked = 0
    for seed in SEEDS:
        runner(**make_inputs(name, key, runner.input_details(), seed))
        for run, op in sub.plan:
            if any(i >= 0 and sub.sg.tensors[i].is_variable for i in op.inputs):
                continue
            args = [None if i < 0 else sub.values[i] if sub.constants[i] is not None
                    else reference.get_tensor(i) for i in op.inputs]
            results = run(*args)
            results = results if len(op.outputs) > 1 else (results,)
            for o, value in zip(op.outputs, results):
                expected = reference.get_tensor(o)
                scale = float(np.abs(expected).max(initial=0.0)) if expected.dtype.kind == "f" \
                    else 0.0
                assert_same(value, expected, rtol=RTOL, atol=ATOL * (1.0 + scale),
                            what=f"seed {seed}, op {op.index} output {o}")
                checked += 1
    assert checked


def main():
    print("EXPECTED_MISSING = {")
    for name, key in CASES:
        try:
            run_case(name, key)
            continue
        except Exception as error:  # noqa: BLE001
            problem = f"{type(error).__name__}: {str(error).strip()}"
        print(missing_entry(case_id(name), refused_ops(name, key), problem))
    print("}")


if __name__ == "__main__":
    main()
