"""Broken model files must fail with a ValueError that says what is wrong.

tests/malformed/ is a committed corpus written by tools/gen_malformed_models.py
(one corruption per file, derived from a small valid model). Every file must
be refused at construction, from model_path and from model_content, with a
ValueError (never IndexError, struct.error, a hang or a crash) whose text
names the problem. A fuzz test then flips bits in and truncates valid models:
each mutant must load or raise ValueError, and a mutant that loads may only
raise ValueError/RuntimeError later.
"""

import importlib.util
import random
import re
import signal
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

import numlite

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "malformed"
INVALID = "The model is not a valid Flatbuffer buffer"


def _generator():
    spec = importlib.util.spec_from_file_location(
        "gen_malformed_models", ROOT / "tools" / "gen_malformed_models.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gen = _generator()

# file -> regular expression the ValueError text must match (searched, case-insensitive)
EXPECTED = {
    "empty.tflite": r"at least 7 bytes|empty|size 0",
    "three_bytes.tflite": r"at least 7 bytes",
    "truncated_header.tflite": INVALID + r".*outside the 12-byte model",
    "truncated_half.tflite": INVALID + r".*outside the \d+-byte model",
    "truncated_tail.tflite": INVALID + r".*outside the \d+-byte model",
    "bad_identifier.tflite": r"identifier 'TFL2', should be 'TFL3'",
    "root_offset_flip.tflite": INVALID + r".*(root|Model).*outside",
    "model_vtable_flip.tflite": INVALID + r".*Model vtable.*outside",
    "tensor_vtable_size_flip.tflite": INVALID + r".*tensors\[1\] vtable",
    "subgraphs_length_flip.tflite": INVALID + r".*subgraphs.*outside",
    "tensors_length_flip.tflite": INVALID + r".*tensors.*outside",
    "tensor_name_length_flip.tflite": INVALID + r".*tensor 2\b.*name.*outside",
    "shape_length_flip.tflite": INVALID + r".*tensor 3\b.*shape.*outside",
    "op_tensor_index_oob.tflite": r"operator 0 input tensor index 42 is out of range",
    "op_negative_tensor_index.tflite": r"operator 1 output tensor index -7 is out of range",
    "op_opcode_index_oob.tflite": r"operator 1 opcode index 9 is out of range",
    "tensor_buffer_index_oob.tflite": r"tensor 1\b.*buffer index 99 is out of range",
    "subgraph_input_index_oob.tflite": r"subgraph 0 input.*tensor index 50 is out of range",
    "subgraph_output_index_negative.tflite": r"subgraph 0 .*output tensor index -1 is out of range",
    "signature_tensor_index_oob.tflite": r"signature input tensor index 77 is out of range",
    "signature_subgraph_index_oob.tflite": r"signature 'serving_default' subgraph index 3 is "
                                           r"out of range",
    "unknown_tensor_type.tflite": r"tensor 3\b.*unknown type 99",
    "unknown_builtin_code.tflite": r"(operator|builtin)[ _]code 4000",
    "negative_shape_dim.tflite": r"tensor 0\b.*negative dimension in shape \[-5, 3\]",
    "absurd_shape.tflite": r"tensor 2\b.*absurd shape \[2147483647, 2147483647\]",
    "buffer_length_flip.tflite": INVALID + r".*buffers\[1\]\.data.*outside",
    "buffer_size_mismatch.tflite": r"tensor 1\b.*constant buffer of 8 bytes but its "
                                   r"shape \[3\] needs 12",
    "buffer_offset_past_end.tflite": r"^Constant buffer 1 specified an out of range offset\.",
    "buffer_size_past_end.tflite": r"^Constant buffer 1 specified an out of range offset\.",
    "string_offsets_broken.tflite": r"tensor 4 \(words\).*string.*offset",
    "string_offsets_decreasing.tflite": r"tensor 4 \(words\).*string.*offset",
    "string_count_huge.tflite": r"tensor 4 \(words\).*string.*268435456 strings",
}


@contextmanager
def deadline(seconds, what):
    """Fail instead of hanging (SIGALRM; pytest runs tests in the main thread)."""
    def expired(signum, frame):
        raise TimeoutError(f"{what} took more than {seconds} s")
    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_corpus_is_complete():
    on_disk = sorted(p.name for p in CORPUS.glob("*.tflite"))
    assert on_disk == sorted(EXPECTED), "tests/malformed/ and EXPECTED disagree; rerun " \
                                        "tools/gen_malformed_models.py"
    assert len(on_disk) >= 12


def test_generator_is_deterministic():
    first, second = gen.corpus(), gen.corpus()
    assert list(first) == list(second)
    for name in first:
        assert first[name][0] == second[name][0], name


def test_corpus_matches_generator():
    """The committed files are what tools/gen_malformed_models.py writes (rerun it when
    tests/builder.py changes its output)."""
    for name, (data, why) in gen.corpus().items():
        assert (CORPUS / name).read_bytes() == data, f"{name} ({why}) is stale"


def test_base_model_is_valid():
    interp = numlite.Interpreter(model_content=gen.base_model())
    runner = interp.get_signature_runner()
    out = runner(x=np.array([[1, 2, 3]], np.float32), idx=np.array([2, 0], np.int32))
    np.testing.assert_array_equal(out["y"], [[2, 4, 6]])
    assert out["picked"].tolist() == [b"gamma", b"alpha"]


@pytest.mark.parametrize("source", ["model_path", "model_content"])
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_malformed_file_raises_value_error(name, source):
    path = CORPUS / name
    arg = str(path) if source == "model_path" else path.read_bytes()
    if source == "model_content" and not arg:
        # b"" counts as "no model given" (truthiness, as in LiteRT)
        with pytest.raises(ValueError, match="`model_path` or `model_content` must be specified."):
            numlite.Interpreter(model_content=arg)
        return
    with deadline(10, name):
        try:
            numlite.Interpreter(**{source: arg})
        except ValueError as e:
            message = str(e)
        except Exception as e:  # noqa: BLE001 - the point is to name the wrong type
            pytest.fail(f"{name}: {type(e).__name__} instead of ValueError: {e}")
        else:
            pytest.fail(f"{name}: loaded without error")
    assert re.search(EXPECTED[name], message, re.IGNORECASE | re.DOTALL), \
        f"{name}: message {message!r} does not match {EXPECTED[name]!r}"


def test_huge_but_representable_shape():
    """A 2**39-element input (2 TiB of float32): refused at load (ValueError) or at
    allocate_tensors (RuntimeError, as LiteRT's arena allocation fails) -- never MemoryError."""
    from builder import T, single_op
    model = single_op("ADD", [T([1 << 20, 1 << 19], np.float32), T([1], np.float32, data=[1])],
                      [T([1 << 20, 1 << 19], np.float32)], options={})
    with deadline(10, "huge shape"):
        try:
            interp = numlite.Interpreter(model_content=model)
        except ValueError:
            return
        with pytest.raises(RuntimeError):
            interp.allocate_tensors()


@pytest.mark.parametrize("inputs,outputs", [([0, -1], [2]), ([-1, 1], [2]), ([0, 1], [-1])],
                         ids=["second input", "first input", "output"])
def test_absent_required_operand(inputs, outputs):
    """-1 (absent optional operand) where ADD needs a tensor loads, then fails to prepare:
    RuntimeError with LiteRT's text (compared live, up to a trailing newline)."""
    from ai_edge_litert import interpreter as litert
    from builder import Op, T, build_model
    model = build_model(tensors=[T([1, 3], np.float32, name=n) for n in "abc"],
                        ops=[Op("ADD", inputs, outputs, options={})], inputs=[0, 1], outputs=[2])
    texts = []
    for mod in (litert, numlite):
        interp = mod.Interpreter(model_content=model, experimental_op_resolver_type=(
            mod.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES))
        with pytest.raises(RuntimeError) as info:
            interp.allocate_tensors()
        texts.append(str(info.value).rstrip("\n"))
    assert texts[1] == texts[0]


# ----------------------------------------------------------------------------- fuzzing

def _mutants(data, count, seed):
    """Deterministic mutants: bit flips, byte overwrites with edge values, truncations."""
    rng = random.Random(seed)
    n = len(data)
    for i in range(count):
        kind = i % 5
        out = bytearray(data)
        if kind == 4:
            yield f"truncate to {rng.randrange(n)}", bytes(out[:rng.randrange(n)])
            continue
        if kind == 3:   # a whole little-endian word set to an edge value
            pos = rng.randrange(0, n - 4, 4)
            value = rng.choice([0, 1, 0x7F, 0xFF, 0x7FFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF,
                                n, n + 1, n - 4])
            out[pos:pos + 4] = value.to_bytes(4, "little")
            yield f"word at {pos} = {value:#x}", bytes(out)
            continue
        flips = []
        for _ in range(kind + 1):   # 1-3 bit flips, biased to the table-heavy start
            pos = rng.randrange(n) if rng.random() < 0.5 else rng.randrange(min(n, 256))
            bit = rng.randrange(8)
            out[pos] ^= 1 << bit
            flips.append(f"{pos}:{bit}")
        yield "flip " + ",".join(flips), bytes(out)


def _exercise(data):
    """Load a mutant and use it; returns the stage reached. Raises on a wrong exception type."""
    try:
        interp = numlite.Interpreter(model_content=data)
    except ValueError:
        return "rejected"
    for call in (interp.get_signature_list, interp._get_full_signature_list,
                 interp.get_input_details, interp.get_output_details,
                 interp.get_tensor_details, interp._get_ops_details, interp.num_subgraphs):
        try:
            call()
        except ValueError:
            pass
    try:
        interp.allocate_tensors()
    except (ValueError, RuntimeError):
        return "allocate failed"
    try:
        sizes = [int(np.prod(d["shape"], dtype=np.float64))
                 for d in interp.get_input_details() + interp.get_output_details()]
    except ValueError:
        return "details failed"
    if sum(sizes) > 1 << 24:
        return "allocated a huge tensor"   # don't touch it: that could exhaust the machine
    try:
        for d in interp.get_input_details():
            if d["dtype"] is np.bytes_:
                value = np.full(d["shape"], b"ab", dtype=object)
            else:
                value = np.ones(d["shape"], d["dtype"])
            interp.set_tensor(d["index"], value)
        interp.invoke()
        for d in interp.get_output_details():
            interp.get_tensor(d["index"])
    except (ValueError, RuntimeError):
        return "invoke failed"
    return "ran"


def _fuzz(data, count, seed):
    stages = {}
    start = time.monotonic()
    for what, mutant in _mutants(data, count, seed):
        with deadline(10, what):
            try:
                stage = _exercise(mutant)
            except (ValueError, RuntimeError):
                raise
            except Exception as e:  # noqa: BLE001
                pytest.fail(f"mutant ({what}): {type(e).__name__}: {e}")
        stages[stage] = stages.get(stage, 0) + 1
    elapsed = time.monotonic() - start
    assert elapsed < 30, f"{count} mutants took {elapsed:.1f} s"
    return stages


def test_fuzz_builder_model():
    stages = _fuzz(gen.base_model(), 200, seed=1234)
    assert sum(stages.values()) == 200
    assert stages.get("rejected", 0) > 50, stages   # most corruptions must be caught at load


def test_fuzz_converter_model():
    data = (ROOT / "examples" / "models" / "keras_dense.tflite").read_bytes()
    stages = _fuzz(data, 100, seed=99)
    assert sum(stages.values()) == 100
