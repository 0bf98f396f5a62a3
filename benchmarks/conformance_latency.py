"""Invoke latency of numlite against ai-edge-litert over the model corpora (issues 5, 6).

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .venv/bin/python benchmarks/conformance_latency.py
    ... benchmarks/conformance_latency.py --corpus quantized

Every signature of tests/models/conformance/ (or tests/models/quantized/; inputs as
tests/test_conformance.py / tests/test_quantized.py feed them, seed 0) runs in numlite and
in ai-edge-litert with its default kernels at num_threads=1 and num_threads=2, in the same
run. The figure is the latency of ``invoke()`` for signatures of subgraph 0 and of a
SignatureRunner call otherwise (marked ``call``): the minimum over rounds in which the
three runtimes are timed in turn (latency.py). Ratios are numlite / LiteRT; the geometric
means are over the architecture models (the files that are not ``ops_*``: every quantized
model) and over every case numlite runs.
"""

import argparse
import os
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import numlite  # noqa: E402
from latency import geometric_mean, interleaved, runtime_callables  # noqa: E402
import test_conformance  # noqa: E402
import test_quantized  # noqa: E402


def corpus_cases(corpus):
    """(directory, [(case id, file, key)], make_inputs(file, key, details, seed), the input
    details of a LiteRT interpreter for (file, key))."""
    if corpus == "quantized":
        module = test_quantized
        counts = {name: sum(n == name for n, _ in module.CASES) for name, _ in module.CASES}
        cases = [(module.case_id(name) + (f"/{key}" if counts[name] > 1 else ""), name, key)
                 for name, key in module.CASES]

        def details(interpreter, key):
            return module.Runner(interpreter, key).input_details()
    else:
        module = test_conformance
        cases = module.CASES

        def details(interpreter, key):
            return interpreter.get_signature_runner(key).get_input_details()
    return module.CORPUS, cases, module.make_inputs, details


def measure(makers, content, key, inputs, repeat):
    """({label: seconds or None}, kind 'invoke'|'call', {label: error text}): the runtimes
    timed in interleaved rounds on invoke when every runtime has it, else on a call."""
    callables, errors = {}, {}
    for label, make in makers.items():
        try:
            invoke, call = runtime_callables(make, content, key, inputs)
        except Exception as error:  # noqa: BLE001  (numlite may lack a kernel)
            invoke = call = None
            errors[label] = f"{type(error).__name__}: {str(error).strip().splitlines()[0][:60]}"
        if invoke is None and call is None and label not in errors:
            try:  # runtime_callables swallowed the error: get its text
                make(content).get_signature_runner(key)(**inputs)
                errors[label] = "refused"
            except Exception as error:  # noqa: BLE001
                errors[label] = (f"{type(error).__name__}: "
                                 f"{str(error).strip().splitlines()[0][:100]}")
        callables[label] = (invoke, call)
    working = {label: fns for label, fns in callables.items() if label not in errors}
    kind = "invoke" if all(fns[0] is not None for fns in working.values()) else "call"
    chosen = {label: fns[0] if kind == "invoke" else fns[1] for label, fns in working.items()}
    timings = dict(zip(chosen, interleaved(list(chosen.values()), repeat)))
    return {label: timings.get(label) for label in makers}, kind, errors


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30,
                        help="interleaved rounds per case (the figure is their minimum)")
    parser.add_argument("--only", nargs="*", help="case ids containing one of these strings")
    parser.add_argument("--corpus", choices=("conformance", "quantized"), default="conformance",
                        help="tests/models/conformance (float) or tests/models/quantized")
    args = parser.parse_args()
    for variable in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if variable in os.environ:
            print(f"warning: {variable} is set; run with env -u {variable} for full BLAS speed",
                  file=sys.stderr)
    from ai_edge_litert.interpreter import Interpreter as LiteRT

    makers = {
        "numlite": lambda c: numlite.Interpreter(model_content=c),
        "litert1": lambda c: LiteRT(model_content=c, num_threads=1),
        "litert2": lambda c: LiteRT(model_content=c, num_threads=2),
    }
    print(f"{'case':48s} {'numlite':>10s} {'litert t1':>10s} {'litert t2':>10s} "
          f"{'ratio t1':>8s} {'ratio t2':>8s}  kind")
    ratios = {"arch1": [], "arch2": [], "all1": [], "all2": []}
    failures = []
    corpus, cases, make_inputs, input_details = corpus_cases(args.corpus)
    for case_id, name, key in cases:
        if args.only and not any(part in case_id for part in args.only):
            continue
        content = (corpus / name).read_bytes()
        inputs = make_inputs(name, key, input_details(LiteRT(model_content=content), key), 0)
        row, kind, errors = measure(makers, content, key, inputs, args.repeat)
        ours = row["numlite"]
        if ours is None:
            failures.append((case_id, errors.get("numlite", "refused")))
        cells = [f"{row[label] * 1e3:8.3f}ms" if row[label] else f"{'-':>10s}"
                 for label in makers]
        for threads in (1, 2):
            theirs = row[f"litert{threads}"]
            ratio = ours / theirs if ours and theirs else None
            cells.append(f"{ratio:8.2f}" if ratio else f"{'-':>8s}")
            if ratio:
                ratios[f"all{threads}"].append(ratio)
                if not name.startswith("ops_"):
                    ratios[f"arch{threads}"].append(ratio)
        print(f"{case_id:48s} {' '.join(cells)}  {kind if ours else 'numlite fails'}",
              flush=True)
    print()
    for scope, label in (("arch", "architecture models"), ("all", "all cases numlite runs")):
        for threads in (1, 2):
            values = ratios[f"{scope}{threads}"]
            geo = geometric_mean(values)
            text = f"{geo:.2f}" if geo else "-"
            print(f"geometric mean numlite/litert num_threads={threads}, {label} "
                  f"({len(values)}): {text}")
    if failures:
        print(f"\nnumlite cannot run {len(failures)} cases:")
        for case_id, error in failures:
            print(f"  {case_id}: {error}")


if __name__ == "__main__":
    main()
