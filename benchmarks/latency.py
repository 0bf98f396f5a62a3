"""Timing helpers shared by the latency benchmarks (invoke_latency.py, conformance_latency.py).

Run the benchmarks with the OpenBLAS overrides unset (`env -u OPENBLAS_CORETYPE
-u OPENBLAS_L2_SIZE`, as `make bench` does) so numpy's BLAS runs at full speed.
"""

import statistics
import time

import numpy as np


def timed(fn, repeat, number=None, budget=0.05):
    """Median seconds per call of ``fn`` over ``repeat`` samples of ``number`` calls each,
    after one warm-up call. ``number=None`` picks it so one sample takes about ``budget``
    seconds (at least one call)."""
    fn()
    if number is None:
        start = time.perf_counter()
        fn()
        once = time.perf_counter() - start
        number = max(1, min(1000, int(budget / max(once, 1e-9))))
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter() - start) / number)
    return statistics.median(samples)


def random_inputs(details, rng):
    """Random values for a signature's input details (unknown dims become 1)."""
    values = {}
    for name, d in details.items():
        shape = [max(1, int(s)) for s in d["shape"]]
        dtype = d["dtype"]
        if dtype == np.bytes_:
            values[name] = np.array([str(v).encode() for v in rng.standard_normal(
                int(np.prod(shape)))], dtype=object).reshape(shape)
        elif np.issubdtype(dtype, np.floating):
            values[name] = rng.standard_normal(shape).astype(dtype)
        elif dtype == np.bool_:
            values[name] = rng.random(shape) > 0.5
        else:
            values[name] = rng.integers(0, 3, shape).astype(dtype)
    return values


def bench_runtime(make, content, key, inputs, repeat, number=None):
    """(invoke latency, SignatureRunner call latency) of ``make(content)`` on signature
    ``key``; invoke only for subgraph 0's signature (or key "": a model without
    signatures), (None, None) if the runtime refuses the model."""
    if key == "":       # a model without signatures: the tensor-index API (invoke only)
        interpreter = make(content)
        interpreter.allocate_tensors()
        for d in interpreter.get_input_details():
            interpreter.set_tensor(d["index"], inputs[d["name"]])
        interpreter.invoke()
        return timed(interpreter.invoke, repeat, number), None
    try:
        runner = make(content).get_signature_runner(key)
        runner(**inputs)
    except (RuntimeError, ValueError):
        return None, None
    call = timed(lambda: runner(**inputs), repeat, number)
    if runner._subgraph_index != 0:
        return None, call
    interpreter = make(content)     # a fresh one: LiteRT refuses invoke while a runner lives
    signature = interpreter._get_full_signature_list()[key]["inputs"]
    for name, index in signature.items():
        interpreter.resize_tensor_input(index, inputs[name].shape)
    interpreter.allocate_tensors()
    for name, index in signature.items():
        interpreter.set_tensor(index, inputs[name])
    return timed(interpreter.invoke, repeat, number), call


def geometric_mean(values):
    values = [v for v in values if v]
    return float(np.exp(np.mean(np.log(values)))) if values else None
