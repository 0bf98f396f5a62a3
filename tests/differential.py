"""Differential-test helpers: run one model in numlite and in ai_edge_litert and compare.

``compare(model, feeds)`` runs ``model`` (bytes) in both interpreters with the
same inputs and checks every output: dtype and shape equal, integers/bools/
strings equal, floats equal up to ``ulps`` units in the last place or ``rtol``
relative (``atol`` absolute) error, with NaN where the reference has NaN.
"""

import numpy as np
import pytest

import numlite

from ai_edge_litert import interpreter as litert  # noqa: E402  (test extra; fails loudly if missing)

REF = "ref"            # OpResolverType.BUILTIN_REF: LiteRT's reference kernels
DEFAULT = "default"    # OpResolverType.AUTO: optimized kernels + XNNPACK


def _feed(interp, feeds):
    details = interp.get_input_details()
    assert len(details) == len(feeds), f"model has {len(details)} inputs, got {len(feeds)} feeds"
    for d, x in zip(details, feeds):
        if tuple(d["shape"]) != np.shape(x):
            interp.resize_tensor_input(d["index"], list(np.shape(x)))
    interp.allocate_tensors()
    for d, x in zip(interp.get_input_details(), feeds):
        interp.set_tensor(d["index"], x)
    interp.invoke()
    return [interp.get_tensor(d["index"]) for d in interp.get_output_details()]


def run_numlite(model, feeds):
    """Outputs of ``model`` run by numlite."""
    return _feed(numlite.Interpreter(model_content=model), feeds)


def run_litert(model, feeds, resolver=REF):
    """Outputs of ``model`` run by ai_edge_litert with the reference or default kernels."""
    kind = litert.OpResolverType.BUILTIN_REF if resolver == REF else litert.OpResolverType.AUTO
    interp = litert.Interpreter(model_content=model, experimental_op_resolver_type=kind)
    return _feed(interp, feeds)


def ulp_distance(a, b):
    """Units in the last place between two float arrays of the same dtype (inf-safe)."""
    a = np.asarray(a)
    b = np.asarray(b)
    itype = {2: np.int16, 4: np.int32, 8: np.int64}[a.dtype.itemsize]

    def ordered(x):
        i = x.view(itype).astype(np.int64)
        return np.where(i < 0, np.iinfo(itype).min - i, i)
    return np.abs(ordered(a) - ordered(b))


def assert_same(actual, expected, ulps=0, rtol=0.0, atol=0.0, what="output"):
    """Check one output against the reference value."""
    actual = np.asarray(actual)
    expected = np.asarray(expected)
    assert actual.dtype == expected.dtype, f"{what}: dtype {actual.dtype} != {expected.dtype}"
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    if expected.dtype.kind not in "fc":
        if expected.dtype == object:
            assert actual.tolist() == expected.tolist(), f"{what}: {actual} != {expected}"
        else:
            mismatch = actual != expected
            assert not mismatch.any(), (
                f"{what}: {int(mismatch.sum())} of {mismatch.size} differ; first at "
                f"{np.argwhere(mismatch)[0].tolist()}: {actual[mismatch][:8]} != "
                f"{expected[mismatch][:8]}")
        return
    if expected.dtype.kind == "c":
        assert_same(actual.real, expected.real, ulps, rtol, atol, what + ".real")
        assert_same(actual.imag, expected.imag, ulps, rtol, atol, what + ".imag")
        return
    nan_a, nan_e = np.isnan(actual), np.isnan(expected)
    assert (nan_a == nan_e).all(), f"{what}: NaN positions differ"
    a, e = actual[~nan_e], expected[~nan_e]
    exact = a == e
    if exact.all():
        return
    with np.errstate(all="ignore"):
        err = np.abs(a.astype(np.float64) - e.astype(np.float64))
        ok = exact | (err <= atol) | (err <= rtol * np.abs(e.astype(np.float64)))
    if ulps:
        ok |= ulp_distance(a, e) <= ulps
    ok &= np.isfinite(a) == np.isfinite(e)
    if not ok.all():
        bad = ~ok
        raise AssertionError(
            f"{what}: {int(bad.sum())} of {bad.size} values differ beyond ulps={ulps} "
            f"rtol={rtol} atol={atol}: numlite {a[bad][:6]} vs reference {e[bad][:6]} "
            f"(max abs error {err[bad].max():.3g})")


def compare(model, feeds, resolver=REF, ulps=0, rtol=0.0, atol=0.0):
    """Run ``model`` in numlite and LiteRT on ``feeds``; assert equal outputs; return them."""
    ours = run_numlite(model, feeds)
    theirs = run_litert(model, feeds, resolver)
    assert len(ours) == len(theirs)
    for i, (a, e) in enumerate(zip(ours, theirs)):
        assert_same(a, e, ulps=ulps, rtol=rtol, atol=atol, what=f"output {i}")
    return ours, theirs


def litert_error(model, feeds, resolver=REF):
    """The exception text LiteRT raises for ``model`` on ``feeds`` (None if it runs)."""
    try:
        run_litert(model, feeds, resolver)
    except (RuntimeError, ValueError) as e:
        return str(e)
    return None


def numlite_error(model, feeds):
    """The exception text numlite raises for ``model`` on ``feeds`` (None if it runs)."""
    try:
        run_numlite(model, feeds)
    except (RuntimeError, ValueError) as e:
        return str(e)
    return None


def _litert_outputs_allowing_empty(model, feeds, resolver):
    """LiteRT's outputs, with ``("empty", shape)`` for an output it holds no data for: its
    get_tensor raises "Invalid tensor size." on a zero-element dynamic output, whose
    shape still shows in get_output_details."""
    kind = litert.OpResolverType.BUILTIN_REF if resolver == REF else litert.OpResolverType.AUTO
    interp = litert.Interpreter(model_content=model, experimental_op_resolver_type=kind)
    details = interp.get_input_details()
    for d, x in zip(details, feeds):
        if tuple(d["shape"]) != np.shape(x):
            interp.resize_tensor_input(d["index"], list(np.shape(x)))
    interp.allocate_tensors()
    for d, x in zip(interp.get_input_details(), feeds):
        interp.set_tensor(d["index"], x)
    interp.invoke()
    outputs = []
    for d in interp.get_output_details():
        try:
            outputs.append(interp.get_tensor(d["index"]))
        except ValueError as e:
            if "Invalid tensor size" not in str(e):
                raise
            outputs.append(("empty", tuple(int(n) for n in d["shape"]), d["dtype"]))
    return outputs


def compare_dynamic(model, feeds, resolver=REF, ulps=0, rtol=0.0, atol=0.0):
    """``compare`` for models whose outputs may be empty at run time (data-dependent shapes):
    an empty LiteRT output is checked by shape and dtype. Returns (ours, theirs)."""
    ours = run_numlite(model, feeds)
    theirs = _litert_outputs_allowing_empty(model, feeds, resolver)
    assert len(ours) == len(theirs)
    for i, (a, e) in enumerate(zip(ours, theirs)):
        if isinstance(e, tuple):
            a = np.asarray(a)
            assert a.size == 0 and a.shape == e[1], f"output {i}: {a.shape} != empty {e[1]}"
            assert a.dtype == np.dtype(e[2]), f"output {i}: dtype {a.dtype} != {e[2]}"
        else:
            assert_same(a, e, ulps=ulps, rtol=rtol, atol=atol, what=f"output {i}")
    return ours, theirs


RESET = "reset"        # a compare_sequence step: reset_all_variables() on both interpreters


def compare_sequence(model, steps, resolver=REF, ulps=0, rtol=0.0, atol=0.0):
    """Run ``steps`` on one numlite and one LiteRT interpreter and compare after each step.

    Each step is a list of feeds (set, invoke, compare every output) or ``RESET``
    (``reset_all_variables`` on both). State kept between invokes, such as the variable
    tensors of recurrent ops or a kernel's scratch buffers, is exercised this way.
    Returns numlite's outputs of every invoke.
    """
    kind = litert.OpResolverType.BUILTIN_REF if resolver == REF else litert.OpResolverType.AUTO
    ours = numlite.Interpreter(model_content=model)
    theirs = litert.Interpreter(model_content=model, experimental_op_resolver_type=kind)
    results = []
    for n, step in enumerate(steps):
        if isinstance(step, str) and step == RESET:
            ours.reset_all_variables()
            theirs.reset_all_variables()
            continue
        a, e = _feed(ours, step), _feed(theirs, step)
        assert len(a) == len(e)
        for i, (x, y) in enumerate(zip(a, e)):
            assert_same(x, y, ulps=ulps, rtol=rtol, atol=atol, what=f"step {n} output {i}")
        results.append(a)
    return results
