"""Python API vs the Java API (org.tensorflow.lite.Interpreter through JPype), byte for byte.

The JVM is started in this process with numlite's Java classes (numlite.jvm.start_jvm). For
every model of the test corpus, every signature and several random inputs, the outputs of
Python's SignatureRunner must equal those of Java's runSignature (arrays and direct
ByteBuffers) and, for signatures of the primary subgraph, of Interpreter.run /
runForMultipleInputsOutputs.
"""

import pathlib
import shutil

import numpy as np
import pytest

import jpype  # noqa: F401  (java extra: fails loudly when missing)

assert shutil.which("java"), "a JDK is needed (make test installs Debian's default-jdk-headless)"

from numlite import Interpreter  # noqa: E402
from numlite.jvm import golden  # noqa: E402

MODELS = pathlib.Path(__file__).resolve().parent / "models"
SEEDS = (0, 1, 2)

_JAVA_DTYPES = {np.dtype(np.float32): "float", np.dtype(np.int32): "int",
                np.dtype(np.int64): "long", np.dtype(np.uint8): "byte",
                np.dtype(np.int8): "byte", np.dtype(np.int16): "short",
                np.dtype(np.bool_): "boolean"}


@pytest.fixture(scope="module")
def java():
    from numlite import jvm
    jvm.start_jvm()
    from jpype import JClass
    return {
        "Interpreter": JClass("org.tensorflow.lite.Interpreter"),
        "File": JClass("java.io.File"),
        "HashMap": JClass("java.util.HashMap"),
        "ByteBuffer": JClass("java.nio.ByteBuffer"),
        "ByteOrder": JClass("java.nio.ByteOrder"),
    }


def _cases():
    for model in sorted(MODELS.glob("*.tflite")):
        interpreter = Interpreter(model_path=str(model))
        for key in interpreter.get_signature_list():
            yield pytest.param(model, key, id=f"{model.stem}-{key}")


def _is_java_type(value):
    value = np.asarray(value)
    return value.dtype == object or value.dtype in _JAVA_DTYPES


def _to_java(value):
    """A numpy value as the Java object a Java caller would pass (arrays, boxed scalars)."""
    from jpype import JArray, JBoolean, JByte, JFloat, JInt, JLong, JObject, JShort
    value = np.asarray(value)
    if value.dtype == object:
        if value.ndim == 0:
            return JArray(JByte)(np.frombuffer(bytes(value.item()), np.int8))

        def rows(a):
            if a.ndim == 1:
                out = JArray(JArray(JByte))(len(a))
                for i, s in enumerate(a):
                    out[i] = JArray(JByte)(np.frombuffer(bytes(s), np.int8))
                return out
            out = JArray(JArray(JByte), a.ndim)(len(a))
            for i, sub in enumerate(a):
                out[i] = rows(sub)
            return out
        return rows(value)
    if value.ndim == 0:
        boxed = {np.dtype(np.float32): ("java.lang.Float", JFloat),
                 np.dtype(np.int32): ("java.lang.Integer", JInt),
                 np.dtype(np.int64): ("java.lang.Long", JLong),
                 np.dtype(np.int16): ("java.lang.Short", JShort),
                 np.dtype(np.uint8): ("java.lang.Byte", JByte),
                 np.dtype(np.int8): ("java.lang.Byte", JByte),
                 np.dtype(np.bool_): ("java.lang.Boolean", JBoolean)}[value.dtype]
        item = value.item()
        if value.dtype == np.uint8:
            item = int(np.int8(np.uint8(item).view(np.int8)))
        return JObject(item, boxed[0])
    if value.dtype == np.uint8:
        value = value.view(np.int8)
    return JArray.of(np.ascontiguousarray(value))


def _direct(java, data):
    buf = java["ByteBuffer"].allocateDirect(max(len(data), 1)).order(
        java["ByteOrder"].nativeOrder())
    if data:
        np.asarray(buf)[:len(data)] = np.frombuffer(data, np.int8)
    return buf


def _buffer_bytes(buf, n):
    return np.asarray(buf).view(np.uint8)[:n].tobytes()


def _empty_output(value):
    from jpype import JArray
    value = np.asarray(value)
    if value.dtype == np.uint8:
        return JArray.of(np.zeros(value.shape, np.int8))
    return JArray.of(np.zeros(value.shape, value.dtype))


def _array_bytes(jarray, value):
    value = np.asarray(value)
    got = np.array(jarray)
    if value.dtype == np.uint8:
        got = got.astype(np.int8).view(np.uint8)
    return np.ascontiguousarray(got.astype(value.dtype, copy=False)).tobytes()


@pytest.mark.parametrize("model,key", list(_cases()))
def test_python_and_java_agree(java, model, key):
    jmodel = java["File"](str(model))
    compared = 0
    for k, inputs, outputs, _, _ in golden.signature_cases(model, seeds=SEEDS):
        if k != key:
            continue
        if inputs is None:
            continue            # the Python API rejects these random inputs: nothing to compare
        if not all(_is_java_type(v) for v in inputs.values()):
            continue
        java_outputs = {n: v for n, v in outputs.items() if _is_java_type(v)}
        if not java_outputs:
            continue
        expected = {n: golden.tensor_bytes(v) for n, v in java_outputs.items()}

        # 1. runSignature, Java arrays in, direct ByteBuffers out
        it = java["Interpreter"](jmodel)
        try:
            jin = java["HashMap"]()
            for n, v in inputs.items():
                jin.put(n, _to_java(v))
            jout = java["HashMap"]()
            buffers = {n: _direct(java, b"\0" * len(expected[n])) for n in java_outputs}
            for n, b in buffers.items():
                jout.put(n, b)
            it.runSignature(jin, jout, key)
            for n in java_outputs:
                assert buffers[n].position() == len(expected[n])
                assert _buffer_bytes(buffers[n], len(expected[n])) == expected[n], (key, n)

            # 2. runSignature, direct ByteBuffers in (shapes already set), arrays out
            jin = java["HashMap"]()
            for n, v in inputs.items():
                jin.put(n, _direct(java, golden.tensor_bytes(v)))
            jout = java["HashMap"]()
            arrays = {}
            for n, v in java_outputs.items():
                if np.asarray(v).dtype != object and np.asarray(v).ndim > 0:
                    arrays[n] = _empty_output(v)
                    jout.put(n, arrays[n])
            it.runSignature(jin, jout, key)
            for n, a in arrays.items():
                assert _array_bytes(a, java_outputs[n]) == expected[n], (key, n)

            # 3. Interpreter.run / runForMultipleInputsOutputs on the primary subgraph
            names = sorted(inputs)
            first = it.getInputTensorFromSignature(names[0], key)
            if (first.index() >= 0 and it.getInputTensorCount() == len(names)
                    and it.getOutputTensorCount() == len(outputs)
                    and all(np.asarray(v).ndim > 0 for v in java_outputs.values())):
                positions = {}
                for i in range(it.getInputTensorCount()):
                    positions[int(it.getInputTensor(i).index())] = i
                from jpype import JArray, JObject
                jinputs = JArray(JObject)(len(names))
                for n in names:
                    idx = int(it.getInputTensorFromSignature(n, key).index())
                    jinputs[positions[idx]] = _to_java(inputs[n])
                out_positions = {int(it.getOutputTensor(i).index()): i
                                 for i in range(it.getOutputTensorCount())}
                jout = java["HashMap"]()
                bufs = {}
                for n in java_outputs:
                    idx = int(it.getOutputTensorFromSignature(n, key).index())
                    bufs[n] = _direct(java, b"\0" * len(expected[n]))
                    jout.put(JObject(out_positions[idx], "java.lang.Integer"), bufs[n])
                it.runForMultipleInputsOutputs(jinputs, jout)
                for n in java_outputs:
                    assert _buffer_bytes(bufs[n], len(expected[n])) == expected[n], (key, n)
            compared += 1
        finally:
            it.close()
    if compared == 0:
        # Java's DataType has no FLOAT64/FLOAT16: such a signature cannot be fed from Java
        runner = Interpreter(model_path=str(model)).get_signature_runner(key)
        kinds = {np.dtype(d["dtype"]) for d in runner.get_input_details().values()}
        assert kinds - set(_JAVA_DTYPES) - {np.dtype(np.bytes_)}, \
            f"{model.name}[{key}]: nothing compared although Java can represent every input"


def _quantized_models():
    """Every corpus model with quantized tensors (tests/models and its subfolders)."""
    for model in sorted(MODELS.rglob("*.tflite")):
        details = Interpreter(model_path=str(model)).get_tensor_details()
        if any(d["quantization"] != (0.0, 0) for d in details):
            yield pytest.param(model, id=str(model.relative_to(MODELS)))


@pytest.mark.parametrize("model", list(_quantized_models()))
def test_java_quantization_params_match_python(java, model):
    """Tensor.quantizationParams() of every signature input and output equals the Python
    details' 'quantization' (LiteRT's legacy per-tensor pair: (0, 0) when per-channel)."""
    interpreter = Interpreter(model_path=str(model))
    with java["Interpreter"](java["File"](str(model))) as jinterpreter:
        for key in interpreter.get_signature_list():
            runner = interpreter.get_signature_runner(key)
            for kind, details in (("Input", runner.get_input_details()),
                                  ("Output", runner.get_output_details())):
                get = getattr(jinterpreter, f"get{kind}TensorFromSignature")
                for name, d in details.items():
                    params = get(name, key).quantizationParams()
                    scale, zero_point = d["quantization"]
                    assert float(params.getScale()) == np.float32(scale), (key, name)
                    assert int(params.getZeroPoint()) == zero_point, (key, name)
