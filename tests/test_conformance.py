"""Float conformance corpus (tests/models/conformance/, issue 5) against ai_edge_litert.

Every signature of every model there (written by tools/gen_conformance_models.py) runs
through the signature runner of numlite and of LiteRT with its reference kernels
(BUILTIN_REF) and with its default kernels (AUTO: optimized + XNNPACK), on
``len(SEEDS)`` random inputs drawn as ``inputs.json`` says (shapes, value ranges).
(``*_noref.tflite`` files hold the single-op cases whose op the reference resolver lacks,
CEIL, ELU, ROUND, SEGMENT_SUM: LiteRT refuses the whole file with BUILTIN_REF, so those
are compared with the default kernels only; a test checks that this split is exact.)
Outputs must have the same dtypes and shapes; integers and booleans must be equal;
floats must agree within ``ATOL`` absolute or ``RTOL`` relative error.

A case numlite cannot run yet FAILS, unless it is listed in ``EXPECTED_MISSING`` with
the reason; then it is reported as xfail with that reason. The list must stay accurate:
a listed case that passes fails ("remove it"), and a reason of the form
``"missing: OP, OP"`` must name exactly the ops of that case that numlite has no kernel
for. ``python tests/test_conformance.py`` prints each case's status and the maximum
errors observed, and the EXPECTED_MISSING that matches the current kernels.
"""

import json
import pathlib

import numpy as np
import pytest

import numlite
from numlite.model.loader import load_model
from numlite.ops import registry

from ai_edge_litert import interpreter as litert  # noqa: E402  (test extra)
from corpus_feeds import random_feed
from differential import assert_same

CORPUS = pathlib.Path(__file__).resolve().parent / "models" / "conformance"
MANIFEST = json.loads((CORPUS / "inputs.json").read_text())
SEEDS = (0, 1, 2, 3, 4)
ATOL = RTOL = 1e-4

# Case ids: the file's stem, plus "/signature" for files with several signatures.
# Reasons "missing: A, B" are checked against numlite's registry; other reasons are free text.
EXPECTED_MISSING = {
}


def cases():
    """[(case id, file name, signature key)] for the whole corpus, sorted."""
    found = []
    for name in sorted(MANIFEST):
        signatures = sorted(MANIFEST[name])
        for key in signatures:
            stem = name[:-len(".tflite")]
            found.append((stem if len(signatures) == 1 else f"{stem}/{key}", name, key))
    return found


CASES = cases()
CASE_IDS = {(name, key): case_id for case_id, name, key in CASES}

# Cases where LiteRT's reference kernel disagrees with its own default kernel (and with the
# op's definition): numlite is compared with the default kernel only, and
# test_reference_disagreement_is_real checks that the disagreement still exists.
REF_DISAGREES = {
    "ops_unary/lrn_defaults": "LOCAL_RESPONSE_NORMALIZATION: the BUILTIN_REF kernel's window "
                              "sums differ from x / (bias + alpha * sum over |j-i| <= radius of "
                              "x_j^2)^beta, which the default kernel and TensorFlow compute",
    "ops_unary/lrn_radius2": "LOCAL_RESPONSE_NORMALIZATION: as lrn_defaults",
}


def make_inputs(name, key, details, seed):
    """The inputs of case (name, key) for ``seed``: {input name: array}."""
    rng = np.random.default_rng(seed)
    feeds = MANIFEST[name][key]
    return {input_name: random_feed(feeds[input_name], details[input_name]["dtype"], rng)
            for input_name in sorted(details)}


def litert_runner(content, key, resolver):
    interpreter = litert.Interpreter(model_content=content,
                                     experimental_op_resolver_type=resolver)
    return interpreter.get_signature_runner(key)


RESOLVERS = {"ref": litert.OpResolverType.BUILTIN_REF, "default": litert.OpResolverType.AUTO}


def resolvers(name, key=None):
    """The LiteRT resolvers case (name, key) is compared with (see the module docstring)."""
    if name.endswith("_noref.tflite") or CASE_IDS.get((name, key)) in REF_DISAGREES:
        return ["default"]
    return ["ref", "default"]


def missing_ops(name, key, corpus=CORPUS):
    """Sorted names of the ops of signature ``key`` (its subgraph and every subgraph its
    control-flow ops call; subgraph 0 for a model without signatures) that numlite has no
    kernel for."""
    model = load_model(corpus / name)
    start = next((s.subgraph_index for s in model.signature_defs if s.key == key), 0)
    seen, todo, missing = set(), [start], set()
    while todo:
        index = todo.pop()
        if index in seen:
            continue
        seen.add(index)
        for op in model.subgraphs[index].operators:
            opcode = model.operator_codes[op.opcode_index]
            if registry.lookup(opcode) is None:
                missing.add(opcode.name)
            if op.options is not None:
                todo += [value for field, value in op.options._asdict().items()
                         if field.endswith("subgraph_index")]
    return sorted(missing)


def run_case(name, key, errors=None):
    """Run case (name, key) on every seed; raise AssertionError (or numlite's error) on the
    first difference. ``errors`` collects {resolver: record_error's slot}."""
    content = (CORPUS / name).read_bytes()
    ours = numlite.Interpreter(model_content=content).get_signature_runner(key)
    theirs = {label: litert_runner(content, key, RESOLVERS[label])
              for label in resolvers(name, key)}
    details = theirs["default"].get_input_details()
    for label in theirs:
        if errors is not None:
            errors.setdefault(label, [0.0, 0.0])
    for seed in SEEDS:
        inputs = make_inputs(name, key, details, seed)
        expected = {label: runner(**inputs) for label, runner in theirs.items()}
        actual = ours(**inputs)
        for label, reference in expected.items():
            assert sorted(actual) == sorted(reference), (
                f"output names {sorted(actual)} != {sorted(reference)}")
            for output, value in reference.items():
                what = f"seed {seed}, output {output!r} vs LiteRT {label}"
                assert_same(actual[output], value, rtol=RTOL, atol=ATOL, what=what)
                if errors is not None and value.dtype.kind == "f":
                    record_error(errors.setdefault(label, [0.0, 0.0]), actual[output], value)


def record_error(slot, actual, expected):
    """slot = [max absolute error, smallest t with |a - e| <= t * (1 + |e|) everywhere]
    (t is the tolerance that would pass as both atol and rtol)."""
    finite = np.isfinite(expected)
    if not finite.any():
        return
    a = np.asarray(actual, np.float64)[finite]
    e = np.asarray(expected, np.float64)[finite]
    err = np.abs(a - e)
    slot[0] = max(slot[0], float(err.max()))
    slot[1] = max(slot[1], float((err / (1.0 + np.abs(e))).max()))


def test_manifest_covers_the_corpus():
    files = sorted(path.name for path in CORPUS.glob("*.tflite"))
    assert files == sorted(MANIFEST), "inputs.json and the .tflite files disagree"
    for name in files:
        signatures = litert.Interpreter(model_path=str(CORPUS / name)).get_signature_list()
        assert sorted(signatures) == sorted(MANIFEST[name]), name
        for key, io in signatures.items():
            assert sorted(io["inputs"]) == sorted(MANIFEST[name][key]), f"{name} {key}"


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_reference_resolver_split_is_exact(name):
    """BUILTIN_REF loads every file except the *_noref ones, and refuses those."""
    try:
        litert.Interpreter(model_path=str(CORPUS / name),
                           experimental_op_resolver_type=RESOLVERS["ref"])
        refused = None
    except ValueError as error:
        refused = str(error)
    if "ref" in resolvers(name):
        assert refused is None, f"LiteRT BUILTIN_REF refuses {name}: {refused}"
    else:
        assert refused is not None and "Didn't find op" in refused, (
            f"LiteRT BUILTIN_REF loads {name}: move its cases back to the main family file")


def test_expected_missing_names_real_cases():
    ids = {case_id for case_id, _, _ in CASES}
    assert not set(EXPECTED_MISSING) - ids, "EXPECTED_MISSING lists unknown cases"
    assert not set(REF_DISAGREES) - ids, "REF_DISAGREES lists unknown cases"


@pytest.mark.parametrize("case_id", sorted(REF_DISAGREES))
def test_reference_disagreement_is_real(case_id):
    """LiteRT BUILTIN_REF and AUTO still disagree beyond the tolerance on these cases."""
    name, key = next((n, k) for c, n, k in CASES if c == case_id)
    content = (CORPUS / name).read_bytes()
    ref, default = (litert_runner(content, key, RESOLVERS[label]) for label in ("ref", "default"))
    inputs = make_inputs(name, key, default.get_input_details(), SEEDS[0])
    expected, other = default(**inputs), ref(**inputs)
    with pytest.raises(AssertionError):
        for output, value in expected.items():
            assert_same(other[output], value, rtol=RTOL, atol=ATOL)


def run_expected(case_id, reason, lacking, run):
    """``run()`` a corpus case against its EXPECTED_MISSING ``reason`` (None: must pass): a
    "missing: A, B" reason must name exactly the ops ``lacking()`` returns, a listed case
    must fail (an xfail carrying the error) and an unlisted one pass."""
    if reason is not None and reason.startswith("missing: "):
        listed = sorted(op.strip() for op in reason[len("missing: "):].split(","))
        assert listed == lacking(), (
            f"EXPECTED_MISSING[{case_id!r}] is stale: numlite now lacks {lacking()}")
    try:
        run()
    except Exception as error:  # noqa: BLE001  (any failure counts)
        if reason is None:
            raise
        detail = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
        pytest.xfail(f"{reason} ({type(error).__name__}: {detail[:200]})")
    assert reason is None, f"{case_id} passes now: remove it from EXPECTED_MISSING"


@pytest.mark.parametrize("name, key", [(n, k) for _, n, k in CASES],
                         ids=[case_id for case_id, _, _ in CASES])
def test_conformance(name, key):
    case_id = next(c for c, n, k in CASES if (n, k) == (name, key))
    run_expected(case_id, EXPECTED_MISSING.get(case_id), lambda: missing_ops(name, key),
                 lambda: run_case(name, key))


def status():
    """{case id: (None or error text, {resolver: record_error's slot}, missing ops)}."""
    report = {}
    for case_id, name, key in CASES:
        errors = {}
        try:
            run_case(name, key, errors)
            problem = None
        except Exception as error:  # noqa: BLE001
            problem = f"{type(error).__name__}: {str(error).strip()}"
        report[case_id] = (problem, errors, missing_ops(name, key))
    return report


def missing_entry(case_id, missing, problem):
    """The EXPECTED_MISSING line of a failing case: its missing ops, else its error."""
    reason = ("missing: " + ", ".join(missing) if missing
              else problem.splitlines()[0][:90].replace('"', "'"))
    return f'    "{case_id}": "{reason}",'


def main():
    report = status()
    worst = {"ref": [0.0, 0.0], "default": [0.0, 0.0]}
    print("abs: max absolute error; tol: smallest t with |numlite - litert| <= t * (1 + |litert|)")
    print(f"{'case':55s} {'status':6s} {'ref abs':>9s} {'ref tol':>9s} "
          f"{'dflt abs':>9s} {'dflt tol':>9s}")
    for case_id, (problem, errors, _) in report.items():
        cells = []
        for label in ("ref", "default"):
            if label not in errors:
                cells += [f"{'-':>9s}"] * 2
                continue
            abs_err, rel_err = errors[label]
            cells += [f"{abs_err:9.2e}", f"{rel_err:9.2e}"]
            if problem is None:
                worst[label] = [max(worst[label][0], abs_err), max(worst[label][1], rel_err)]
        print(f"{case_id:55s} {'ok' if problem is None else 'FAIL':6s} {' '.join(cells)}")
    passed = sum(problem is None for problem, _, _ in report.values())
    print(f"\n{passed} of {len(report)} cases pass; max errors of passing cases: "
          f"ref abs {worst['ref'][0]:.3g} tol {worst['ref'][1]:.3g}, "
          f"default abs {worst['default'][0]:.3g} tol {worst['default'][1]:.3g}")
    print("\nEXPECTED_MISSING = {")
    for case_id, (problem, _, missing) in report.items():
        if problem is None:
            continue
        print(missing_entry(case_id, missing, problem))
    print("}")


if __name__ == "__main__":
    main()
