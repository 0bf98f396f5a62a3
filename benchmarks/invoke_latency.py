"""Invoke latency of numlite against ai-edge-litert, same models, same inputs, same run.

Run with the OpenBLAS overrides unset (`make bench` does) so numpy's BLAS runs
at full speed. Prints, per model, the latency of `invoke()` and of a SignatureRunner
call for both runtimes (timed in interleaved rounds, the minimum: latency.py) and the
numlite/LiteRT ratio. Flex
models cannot run in ai-edge-litert: only numlite's figure is shown for them.
"""

import argparse
import pathlib
import sys

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import numlite  # noqa: E402
from builder import TensorDef, single_op  # noqa: E402
from latency import interleaved, random_inputs, runtime_callables  # noqa: E402


def one_op_model():
    f32 = np.float32
    return single_op("ADD", [TensorDef([1, 8], f32), TensorDef([1, 8], f32)],
                     [TensorDef([1, 8], f32)], signature="add")


def models():
    yield "one-op ADD [1,8]", one_op_model()
    for path in sorted((ROOT / "examples" / "models").glob("*.tflite")):
        yield f"examples/{path.name}", path.read_bytes()
    for path in sorted((ROOT / "tests" / "models").glob("*.tflite")):
        yield f"tests/{path.name}", path.read_bytes()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--number", type=int, default=200)
    args = parser.parse_args()
    from ai_edge_litert.interpreter import Interpreter as LiteRT
    rng = np.random.default_rng(0)
    makers = {
        "numlite": lambda c: numlite.Interpreter(model_content=c),
        "litert": lambda c: LiteRT(model_content=c, num_threads=1),
    }
    print(f"{'model / signature':45s} {'numlite invoke':>14s} {'litert invoke':>13s} "
          f"{'numlite call':>12s} {'litert call':>11s} {'ratio':>6s}")
    ratios = []
    for name, content in models():
        probe = numlite.Interpreter(model_content=content)
        for key in probe.get_signature_list():
            inputs = random_inputs(probe.get_signature_runner(key).get_input_details(), rng)
            fns = [fn for label in ("numlite", "litert")
                   for fn in runtime_callables(makers[label], content, key, inputs)]
            live = [fn for fn in fns if fn is not None]
            times = iter(interleaved(live, args.repeat, args.number))
            figures = [None if fn is None else next(times) for fn in fns]
            ours, theirs = figures[:2], figures[2:]
            fmt = lambda t: "-" if t is None else f"{t * 1e6:9.1f} us"  # noqa: E731
            ratio = ours[1] / theirs[1] if theirs[1] else None
            if ratio:
                ratios.append(ratio)
            print(f"{name + ' / ' + key:45s} {fmt(ours[0]):>14s} {fmt(theirs[0]):>13s} "
                  f"{fmt(ours[1]):>12s} {fmt(theirs[1]):>11s} "
                  f"{'-' if ratio is None else f'{ratio:6.2f}'}")
    if ratios:
        geo = float(np.exp(np.mean(np.log(ratios))))
        print(f"geometric mean numlite/litert (signature call): {geo:.2f}")


if __name__ == "__main__":
    main()
