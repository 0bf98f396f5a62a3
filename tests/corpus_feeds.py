"""The feed specs of the corpora's ``inputs.json`` (written by tools/gen_conformance_models.py
and gen_quant_models.py) and the one rule turning a spec into an input array, shared by
the generators and the tests. numpy only."""

import numpy as np


def feed(shape, low=None, high=None, integers=False):
    """How the tests fill one input: uniform in [low, high) (integer-valued if ``integers``
    or for integer dtypes), standard normal for floats without a range."""
    entry = {"shape": list(shape)}
    if low is not None:
        entry["range"] = [low, high]
    if integers:
        entry["integers"] = True
    return entry


def random_feed(entry, dtype, rng):
    """One input as ``entry`` describes it: uniform in ``range`` (integer-valued when
    ``integers`` or for integer dtypes; [0, 3) by default for those), else N(0, 1)."""
    shape = entry["shape"]
    low, high = entry.get("range", (None, None))
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return rng.random(shape) < 0.5
    if dtype.kind in "iu":
        return rng.integers(0 if low is None else low, 3 if high is None else high,
                            size=shape).astype(dtype)
    if entry.get("integers"):
        return rng.integers(low, high, size=shape).astype(dtype)
    if low is None:
        return rng.standard_normal(shape).astype(dtype)
    return rng.uniform(low, high, size=shape).astype(dtype)
