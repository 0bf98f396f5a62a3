"""Inputs and outputs of the Python API for every signature of a model corpus.

    python -m numlite.jvm.golden MODELS_DIR OUT_DIR

Writes, for each ``<model>.tflite`` and each signature that runs in the Python API,
``OUT_DIR/<model>/<signature>/`` with ``index.txt`` (one line per tensor:
``input|output <name> <TfLiteType code> <d0,d1,...> <file>``) and one raw file per tensor: native
byte order, strings in TFLite's layout (int32 count, offsets, bytes). When MODELS_DIR holds
``stateful/training.tflite``, ``OUT_DIR/sequences/training/NN_<signature>/`` holds the
on-device training flow of ``training_sequence`` in the same format, one folder per call. The JUnit tests run the
same inputs through the Java API and compare. ``make_inputs`` is shared with the pytest
cross-language tests.
"""

import pathlib
import sys

import numpy as np

from ..interpreter import Interpreter
from ..model.strings import encode_strings
from .dtypes import JAVA_TYPES

__all__ = ["make_inputs", "signature_cases", "tensor_bytes", "training_sequence", "write_case",
           "main"]

def _concrete_shape(details, unknown=2):
    signature = details.get("shape_signature")
    shape = details["shape"]
    if signature is not None and len(signature) == len(shape):
        return tuple(unknown if d < 0 else int(d) for d in signature)
    return tuple(int(d) for d in shape)


def make_inputs(input_details, rng, unknown=2):
    """Random inputs for a signature's input details (small values, numeric strings)."""
    values = {}
    for name, d in sorted(input_details.items()):
        shape = _concrete_shape(d, unknown)
        dtype = d["dtype"]
        if dtype in (np.bytes_, np.object_, np.str_):
            flat = [b"%d" % v for v in rng.integers(-50, 50, int(np.prod(shape)))]
            values[name] = np.array(flat, dtype=object).reshape(shape)
        elif dtype == np.bool_:
            values[name] = rng.integers(0, 2, shape).astype(np.bool_)
        elif np.issubdtype(dtype, np.floating):
            values[name] = rng.standard_normal(shape).astype(dtype)
        elif np.issubdtype(dtype, np.integer):
            values[name] = rng.integers(0, 2, shape).astype(dtype)
        else:
            raise TypeError(f"no random inputs for {dtype}")
    return values


def tensor_bytes(value):
    """The bytes of a value as the Java side sees tensor data."""
    value = np.asarray(value)
    if value.dtype == object or value.dtype.kind in "SU":
        return encode_strings(np.asarray(value, dtype=object))
    return np.ascontiguousarray(value).tobytes()


def signature_cases(model_path, seeds=(0,)):
    """(key, inputs, outputs, input details, output details) per signature and seed that runs."""
    interpreter = Interpreter(model_path=str(model_path))
    for key in interpreter.get_signature_list():
        runner = interpreter.get_signature_runner(key)
        in_details = runner.get_input_details()
        out_details = runner.get_output_details()
        for seed in seeds:
            rng = np.random.default_rng(seed)
            try:
                inputs = make_inputs(in_details, rng)
                outputs = runner(**inputs)
            except Exception as e:  # noqa: BLE001 - kernels not written yet, bad random data
                yield key, None, e, in_details, out_details
                continue
            yield key, inputs, outputs, in_details, out_details


def _c_type(value):
    """TfLiteType code of an output/input value (0 when Java has no DataType for it)."""
    if value.dtype == object or value.dtype.kind in "SU":
        return 5
    return {np.dtype(np.float32): 1, np.dtype(np.int32): 2, np.dtype(np.uint8): 3,
            np.dtype(np.int64): 4, np.dtype(np.bool_): 6, np.dtype(np.int16): 7,
            np.dtype(np.int8): 9}.get(value.dtype, 0)


def write_case(folder, model_name, key, inputs, outputs):
    """One signature call as ``folder/index.txt`` plus one raw file per tensor."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = [f"model {model_name}", f"signature {key}"]
    usable = True
    for kind, values in (("input", inputs), ("output", outputs)):
        for i, (name, value) in enumerate(sorted(values.items())):
            value = np.asarray(value)
            usable = usable and _c_type(value) in JAVA_TYPES
            file = f"{kind}{i}.bin"
            (folder / file).write_bytes(tensor_bytes(value))
            dims = ",".join(str(d) for d in value.shape) or "-"
            lines.append(f"{kind} {name} {_c_type(value)} {dims} {file}")
    if not usable:
        lines.append("unsupported-type")
    (folder / "index.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def training_sequence(model_path, steps=12, batch=16, seed=0):
    """The on-device training flow as the Python API runs it: [(signature, inputs, outputs)]
    for ``infer`` on a probe batch, ``steps`` ``train`` calls, then ``infer`` again.

    Labels follow a fixed random linear rule of x, so the loss must go down; the JUnit
    TrainingTest replays this sequence and then saves and restores from Java.
    """
    interpreter = Interpreter(model_path=str(model_path))
    rng = np.random.default_rng(seed)
    rule = rng.standard_normal((4, 3))

    def labelled(n):
        x = rng.standard_normal((n, 4)).astype(np.float32)
        return {"x": x, "y": np.eye(3, dtype=np.float32)[np.argmax(x @ rule, axis=1)]}

    probe = {"x": labelled(8)["x"]}
    calls = [("infer", probe)] + [("train", labelled(batch)) for _ in range(steps)]
    calls.append(("infer", probe))
    return [(key, inputs, interpreter.get_signature_runner(key)(**inputs))
            for key, inputs in calls]


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    models, out = pathlib.Path(argv[0]), pathlib.Path(argv[1])
    out.mkdir(parents=True, exist_ok=True)
    written = skipped = 0
    for model in sorted(models.glob("*.tflite")) if models.is_dir() else []:
        try:
            cases = list(signature_cases(model))
        except Exception as e:  # noqa: BLE001
            print(f"golden: {model.name}: {type(e).__name__}: {e}", file=sys.stderr)
            skipped += 1
            continue
        for key, inputs, outputs, _, _ in cases:
            if inputs is None:
                reason = str(outputs).splitlines()[0] if str(outputs) else type(outputs).__name__
                print(f"golden: {model.name} [{key}]: {reason}", file=sys.stderr)
                skipped += 1
                continue
            write_case(out / model.stem / key, model.name, key, inputs, outputs)
            written += 1
    training = models / "stateful" / "training.tflite"
    if training.exists():
        for step, (key, inputs, outputs) in enumerate(training_sequence(training)):
            write_case(out / "sequences" / "training" / f"{step:02d}_{key}",
                       "stateful/training.tflite", key, inputs, outputs)
    print(f"golden: {written} signatures written to {out}, {skipped} skipped", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
