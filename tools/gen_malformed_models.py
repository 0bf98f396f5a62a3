"""Generate tests/malformed/*.tflite: a corpus of broken model files.

Every file is derived deterministically from one small valid model written
with tests/builder.py (ADD of an input and a constant, GATHER from a constant
string tensor, one SignatureDef). Most corruptions patch bytes at positions
found with the `tflite` package's reader (a field, a vector element, a vector
length, a vtable), so each file is broken in exactly one known way.

    python tools/gen_malformed_models.py            # rewrite tests/malformed/
    python tools/gen_malformed_models.py --check    # also report what numlite and
                                                    # ai_edge_litert say about each file

The expectations (exception type and message) live in tests/test_malformed.py.
Needs the test extra (flatbuffers, tflite, numpy); --check also ai_edge_litert.
"""

import argparse
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import tflite

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "malformed"
sys.path.insert(0, str(ROOT / "tests"))

from builder import Op, T, build_model  # noqa: E402

# tensor indices of the base model
X, W, Y, IDX, WORDS, PICKED = range(6)


def base_model(**kw):
    """The valid model every corruption starts from (under 1 KiB)."""
    signatures = kw.pop("signatures", {"serving_default": ({"x": X, "idx": IDX},
                                                           {"y": Y, "picked": PICKED})})
    return build_model(
        tensors=[T([1, 3], np.float32, name="x"),
                 T([3], np.float32, data=[1, 2, 3], name="w"),
                 T([1, 3], np.float32, name="y"),
                 T([2], np.int32, name="idx"),
                 T([3], np.bytes_, data=[b"alpha", b"beta", b"gamma"], name="words"),
                 T([2], np.bytes_, name="picked")],
        ops=[Op("ADD", [X, W], [Y], options={}),
             Op("GATHER", [WORDS, IDX], [PICKED], options=dict(axis=0))],
        inputs=[X, IDX], outputs=[Y, PICKED], signatures=signatures, **kw)


# ----------------------------------------------------------------------------- locating bytes

class Locator:
    """Byte positions inside a model, found with the tflite reader."""

    def __init__(self, data):
        self.data = bytes(data)
        self.model = tflite.Model.GetRootAsModel(self.data, 0)

    @staticmethod
    def field(obj, fid):
        """Position of a present scalar/offset field of a table."""
        off = obj._tab.Offset(4 + 2 * fid)
        assert off, f"field {fid} of {type(obj).__name__} is absent"
        return obj._tab.Pos + off

    @staticmethod
    def vector(obj, fid):
        """Position of the first element of a present vector field (its length is 4 before)."""
        off = obj._tab.Offset(4 + 2 * fid)
        assert off, f"vector {fid} of {type(obj).__name__} is absent"
        return obj._tab.Vector(off)

    @staticmethod
    def vtable(obj):
        pos = obj._tab.Pos
        return pos - struct.unpack_from("<i", obj._tab.Bytes, pos)[0]

    def subgraph(self, i=0):
        return self.model.Subgraphs(i)

    def tensor(self, i, sg=0):
        return self.subgraph(sg).Tensors(i)

    def operator(self, i, sg=0):
        return self.subgraph(sg).Operators(i)


def patch(data, pos, fmt, value):
    out = bytearray(data)
    struct.pack_into("<" + fmt, out, pos, value)
    return bytes(out)


def flip(data, pos, mask):
    out = bytearray(data)
    out[pos] ^= mask
    return bytes(out)


# ----------------------------------------------------------------------------- the corpus

def corpus():
    """{file name: (bytes, what is wrong)} in a fixed order."""
    base = base_model()
    loc = Locator(base)
    files = {}

    def add(name, data, why):
        assert data != base, name
        files[name] = (data, why)

    # --- too short / not a TFLite flatbuffer
    add("empty.tflite", b"", "empty file")
    add("three_bytes.tflite", base[:3], "3 bytes: no room for the root offset and identifier")
    add("truncated_header.tflite", base[:12], "cut inside the model table's vtable")
    add("truncated_half.tflite", base[:len(base) // 2], "cut in the middle")
    add("truncated_tail.tflite", base[:len(base) - 40], "last 40 bytes (buffer data) cut off")
    add("bad_identifier.tflite", base[:4] + b"TFL2" + base[8:], "identifier TFL2 instead of TFL3")

    # --- bit flips at chosen spots
    add("root_offset_flip.tflite", flip(base, 3, 0x40),
        "bit 30 of the root offset flipped: points 1 GiB past the end")
    model_table = loc.model._tab.Pos
    add("model_vtable_flip.tflite", flip(base, model_table + 2, 0x10),
        "the model table's vtable offset flipped: vtable outside the file")
    add("tensor_vtable_size_flip.tflite", flip(base, loc.vtable(loc.tensor(W)) + 1, 0x7f),
        "a tensor's vtable size flipped to an impossible value")
    add("subgraphs_length_flip.tflite", flip(base, loc.vector(loc.model, 2) - 4 + 3, 0x7f),
        "the subgraphs vector length flipped to ~2**31: vector runs past the end")
    add("tensors_length_flip.tflite",
        flip(base, loc.vector(loc.subgraph(), 0) - 4 + 2, 0x01),
        "the tensors vector length flipped (6 -> 65542): vector runs past the end")
    add("tensor_name_length_flip.tflite",
        flip(base, loc.vector(loc.tensor(Y), 3) - 4 + 3, 0x10),
        "a tensor name's length flipped: string runs past the end")
    add("shape_length_flip.tflite",
        patch(base, loc.vector(loc.tensor(IDX), 0) - 4, "I", 0x40000000),
        "a shape vector's length set to 2**30: vector runs past the end")

    # --- indices out of range
    add("op_tensor_index_oob.tflite",
        patch(base, loc.vector(loc.operator(0), 1) + 4, "i", 42),
        "ADD's second input is tensor 42 of 6")
    add("op_negative_tensor_index.tflite",
        patch(base, loc.vector(loc.operator(1), 2), "i", -7),
        "GATHER's output is tensor -7")
    add("op_opcode_index_oob.tflite", patch(base, loc.field(loc.operator(1), 0), "I", 9),
        "GATHER's opcode_index is 9 of 2 operator codes")
    add("tensor_buffer_index_oob.tflite", patch(base, loc.field(loc.tensor(W), 2), "I", 99),
        "tensor w uses buffer 99 of 3")
    add("subgraph_input_index_oob.tflite",
        patch(base, loc.vector(loc.subgraph(), 1), "i", 50),
        "the subgraph's first input is tensor 50 of 6")
    add("subgraph_output_index_negative.tflite",
        patch(base, loc.vector(loc.subgraph(), 2) + 4, "i", -1),
        "the subgraph's second output is tensor -1")
    sig = loc.model.SignatureDefs(0)
    add("signature_tensor_index_oob.tflite",
        patch(base, loc.field(sig.Inputs(1), 1), "I", 77),
        "a SignatureDef input maps to tensor 77 of 6")
    add("signature_subgraph_index_oob.tflite",
        base_model(signatures={"serving_default": ({"x": X, "idx": IDX},
                                                   {"y": Y, "picked": PICKED}, 3)}),
        "the SignatureDef names subgraph 3 of 1")
    add("unknown_tensor_type.tflite", patch(base, loc.field(loc.tensor(IDX), 1), "b", 99),
        "tensor idx has TensorType 99")
    add("unknown_builtin_code.tflite",
        patch(base, loc.field(loc.model.OperatorCodes(1), 3), "i", 4000),
        "an operator code is builtin 4000")

    # --- shapes
    add("negative_shape_dim.tflite", patch(base, loc.vector(loc.tensor(X), 0), "i", -5),
        "tensor x has shape [-5, 3]")
    y_shape = loc.vector(loc.tensor(Y), 0)
    add("absurd_shape.tflite",
        patch(patch(base, y_shape, "i", 0x7fffffff), y_shape + 4, "i", 0x7fffffff),
        "tensor y has shape [2**31-1, 2**31-1] (2**62 elements)")

    # --- constant data
    w_data = loc.vector(loc.model.Buffers(1), 0)
    add("buffer_length_flip.tflite", patch(base, w_data - 4, "I", 0x00100000),
        "the constant buffer of w claims 1 MiB: vector runs past the end")
    add("buffer_size_mismatch.tflite", patch(base, w_data - 4, "I", 8),
        "the constant buffer of w holds 8 bytes for a [3] float32 tensor")
    external = base_model(external_buffers=True)
    ext = Locator(external)
    w_offset = ext.field(ext.model.Buffers(1), 1)
    add("buffer_offset_past_end.tflite", patch(external, w_offset, "Q", len(external) + 4096),
        "buffer 1 (w) is stored outside the flatbuffer at an offset past the end of the file")
    add("buffer_size_past_end.tflite",
        patch(external, ext.field(ext.model.Buffers(1), 2), "Q", 1 << 40),
        "buffer 1 (w) claims 2**40 bytes at its offset")
    words = loc.vector(loc.model.Buffers(2), 0)   # int32 count, 4 offsets, then the bytes
    add("string_offsets_broken.tflite", patch(base, words + 8, "i", 5000),
        "the constant string tensor's second offset points past its buffer")
    add("string_offsets_decreasing.tflite", patch(base, words + 12, "i", 21),
        "the constant string tensor's offsets decrease")
    add("string_count_huge.tflite", patch(base, words, "i", 0x10000000),
        "the constant string tensor claims 2**28 strings")
    return files


def write(files):
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.tflite"):
        if old.name not in files:
            old.unlink()
    for name, (data, _) in files.items():
        (OUT / name).write_bytes(data)
    print(f"wrote {len(files)} files to {OUT.relative_to(ROOT)}")


_CHECK = r"""
import sys
kind, path = sys.argv[1], sys.argv[2]
if kind == "litert":
    from ai_edge_litert.interpreter import Interpreter
else:
    from numlite import Interpreter
try:
    it = Interpreter(model_path=path)
    stage = "load"
    it.allocate_tensors()
    stage = "allocate"
    it.invoke()
    print("OK (loads, allocates and invokes)")
except Exception as e:
    where = "at load" if "stage" not in dir() else "after " + stage
    print(f"{type(e).__name__} {where}: {str(e)!r}"[:300])
"""


def check(files):
    """Show what numlite and LiteRT do with each file (each in a subprocess: LiteRT may crash)."""
    for name, (_, why) in files.items():
        print(f"{name}: {why}")
        for kind in ("numlite", "litert"):
            proc = subprocess.run([sys.executable, "-c", _CHECK, kind, str(OUT / name)],
                                  capture_output=True, text=True, timeout=120)
            text = proc.stdout.strip() or f"crashed (exit {proc.returncode})"
            print(f"    {kind:8s} {text}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="run numlite and ai_edge_litert on every file and print the results")
    args = parser.parse_args()
    files = corpus()
    write(files)
    if args.check:
        check(files)


if __name__ == "__main__":
    main()
