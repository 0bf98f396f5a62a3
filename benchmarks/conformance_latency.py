"""Invoke latency of numlite against ai-edge-litert over the model corpora (issues 5, 6).

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .venv/bin/python benchmarks/conformance_latency.py
    ... benchmarks/conformance_latency.py --corpus quantized

Every signature of tests/models/conformance/ (or tests/models/quantized/; inputs as
tests/test_conformance.py / tests/test_quantized.py feed them, seed 0) runs in numlite and in ai-edge-litert with its default kernels at
num_threads=1 and num_threads=2, in the same run. The figure is the median latency of
``invoke()`` for signatures of subgraph 0 and of a SignatureRunner call otherwise (marked
``call``). Ratios are numlite / LiteRT; the geometric means are over the architecture
models (the files that are not ``ops_*``: every quantized model) and over every case
numlite runs.
"""

import argparse
import os
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import numlite  # noqa: E402
from latency import bench_runtime, geometric_mean  # noqa: E402
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


def measure(make, content, key, inputs, repeat):
    """(seconds, 'invoke'|'call') or (None, error text)."""
    try:
        invoke, call = bench_runtime(make, content, key, inputs, repeat)
    except Exception as error:  # noqa: BLE001  (numlite may lack a kernel)
        return None, f"{type(error).__name__}: {str(error).strip().splitlines()[0][:60]}"
    if invoke is not None:
        return invoke, "invoke"
    if call is not None:
        return call, "call"
    try:  # bench_runtime swallowed the error: get its text
        make(content).get_signature_runner(key)(**inputs)
    except Exception as error:  # noqa: BLE001
        return None, f"{type(error).__name__}: {str(error).strip().splitlines()[0][:100]}"
    return None, "refused"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="samples per figure (median)")
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
        figures = {label: measure(make, content, key, inputs, args.repeat)
                   for label, make in makers.items()}
        ours, kind = figures["numlite"]
        if ours is None:
            failures.append((case_id, kind))
        cells, row = [], {}
        for label in makers:
            seconds, _ = figures[label]
            cells.append(f"{seconds * 1e3:8.3f}ms" if seconds else f"{'-':>10s}")
            row[label] = seconds
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
