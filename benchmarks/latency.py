"""Timing helpers shared by the latency benchmarks (invoke_latency.py, conformance_latency.py).

Run the benchmarks with the OpenBLAS overrides unset (`env -u OPENBLAS_CORETYPE
-u OPENBLAS_L2_SIZE`, as `make bench` does) so numpy's BLAS runs at full speed.

The runtimes compared on one case are timed in interleaved rounds (a sample of each per
round), and each figure is the minimum over the rounds: on a shared machine the same
invoke loop can run up to twice as slow for seconds at a time, and interleaving gives
every runtime the same conditions while the minimum is the figure least disturbed by
other load (as timeit advises).
"""

import time

import numpy as np


def interleaved(fns, repeat, number=None, budget=0.02):
    """Seconds per call of each zero-argument callable in ``fns``: the minimum over
    ``repeat`` rounds, each round timing ``number`` calls of every callable in turn, after
    one warm-up call each. ``number=None`` picks it per callable so one sample takes about
    ``budget`` seconds (at least one call)."""
    numbers = []
    for fn in fns:
        fn()
        if number is None:
            start = time.perf_counter()
            fn()
            once = time.perf_counter() - start
            numbers.append(max(1, min(1000, int(budget / max(once, 1e-9)))))
        else:
            numbers.append(number)
    best = [float("inf")] * len(fns)
    for _ in range(repeat):
        for k, (fn, count) in enumerate(zip(fns, numbers)):
            start = time.perf_counter()
            for _ in range(count):
                fn()
            best[k] = min(best[k], (time.perf_counter() - start) / count)
    return best


def timed(fn, repeat, number=None):
    """interleaved() of one callable."""
    return interleaved([fn], repeat, number)[0]


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


def runtime_callables(make, content, key, inputs):
    """(invoke, call): zero-argument callables running ``make(content)`` on signature
    ``key`` with ``inputs``, through ``invoke()`` (only for subgraph 0's signature, or key
    "": a model without signatures, then ``call`` is None) and through a SignatureRunner
    call; (None, None) if the runtime refuses the model."""
    if key == "":       # a model without signatures: the tensor-index API (invoke only)
        interpreter = make(content)
        interpreter.allocate_tensors()
        for d in interpreter.get_input_details():
            interpreter.set_tensor(d["index"], inputs[d["name"]])
        interpreter.invoke()
        return interpreter.invoke, None
    try:
        runner = make(content).get_signature_runner(key)
        runner(**inputs)
    except (RuntimeError, ValueError):
        return None, None

    def call():
        return runner(**inputs)
    if runner._subgraph_index != 0:
        return None, call
    interpreter = make(content)     # a fresh one: LiteRT refuses invoke while a runner lives
    signature = interpreter._get_full_signature_list()[key]["inputs"]
    for name, index in signature.items():
        interpreter.resize_tensor_input(index, inputs[name].shape)
    interpreter.allocate_tensors()
    for name, index in signature.items():
        interpreter.set_tensor(index, inputs[name])
    return interpreter.invoke, call


def geometric_mean(values):
    values = [v for v in values if v]
    return float(np.exp(np.mean(np.log(values)))) if values else None
