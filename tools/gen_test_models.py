"""Regenerate tests/models/: a small converter-made test corpus.

Dev tool: needs tensorflow-cpu and ai-edge-litert; the tests only read the files it writes.

    python tools/gen_test_models.py [--out DIR] [--only NAME ...]

Every model uses random weights from fixed seeds and is small (< 100 KB). The corpus only
uses the ops numlite's runtime supports (ALLOWED_OPS below); the script fails if the
converter emits anything else. It also writes
  README.md                 each file's signatures (names, dtypes, shapes) and ops
  strings_expected.json     outputs of strings.tflite computed by TensorFlow's own kernels
                            (no pip runtime ships the Flex delegate, so the tests cannot ask
                            ai-edge-litert for them)
"""

import json
import os
import pathlib
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

TOOLS = pathlib.Path(__file__).resolve().parent
ROOT = TOOLS.parent
sys.path.insert(0, str(TOOLS))
sys.path.insert(0, str(ROOT / "tests"))

import corpus_cli  # noqa: E402
import gen_seed_models as seed  # noqa: E402

ALLOWED_OPS = {
    "ADD", "SUB", "MUL", "DIV", "FULLY_CONNECTED", "RELU", "RELU6", "LOGISTIC", "TANH",
    "SOFTMAX", "RESHAPE", "SQUEEZE", "EXPAND_DIMS", "CONCATENATION", "TRANSPOSE", "GATHER",
    "CAST", "QUANTIZE", "DEQUANTIZE", "FlexAsString", "FlexStringToNumber",
}
MAX_BYTES = 100 * 1024

MODELS = {}


model = corpus_cli.registrar(MODELS)


def spec(shape, dtype=tf.float32):
    return tf.TensorSpec(shape=shape, dtype=dtype)


def convert_module(module, signatures, select_tf_ops=False, **settings):
    """SavedModel with ``signatures`` -> TFLite, as in the guide's "From Saved Model"."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "saved_model")
        tf.saved_model.save(module, path, signatures=signatures)
        converter = tf.lite.TFLiteConverter.from_saved_model(path)
        if select_tf_ops:
            converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS,
                                                   tf.lite.OpsSet.SELECT_TF_OPS]
        for key, value in settings.items():
            target = converter
            *path_parts, last = key.split(".")
            for part in path_parts:
                target = getattr(target, part)
            setattr(target, last, value)
        return converter.convert()


def concrete(module, *names):
    return {name: getattr(module, name).get_concrete_function() for name in names}


def randomize(keras_model, seed_value):
    """Replace every weight (biases included, which Keras starts at zero and the converter
    would then drop) with seeded normal values."""
    rng = np.random.default_rng(seed_value)
    keras_model.set_weights([(rng.standard_normal(w.shape) * 0.5).astype(w.dtype)
                             for w in keras_model.get_weights()])


# ----------------------------------------------------------------------------- models

@model("mlp.tflite", "Keras MLP, dynamic batch: Dense(16, relu) -> Dense(4, softmax)")
def mlp():
    tf.keras.backend.clear_session()  # layer/model name counters: same names on every run
    tf.keras.utils.set_random_seed(1)
    keras_model = tf.keras.Sequential([
        tf.keras.Input(shape=(8,), name="features"),
        tf.keras.layers.Dense(16, activation="relu", name="hidden"),
        tf.keras.layers.Dense(4, activation="softmax", name="probabilities"),
    ])
    randomize(keras_model, 1)
    return tf.lite.TFLiteConverter.from_keras_model(keras_model).convert()


class MultiSignature(tf.Module):
    @tf.function(input_signature=[spec([None]), spec([None])])
    def add(self, x, y):
        return {"sum": x + y}

    @tf.function(input_signature=[spec([2, 3]), spec([3])])
    def sub(self, minuend, subtrahend):
        return {"difference": minuend - subtrahend}


@model("multi_signature.tflite",
       "tf.Module with signatures add (x, y: [None] -> sum) and sub ([2,3] - [3] -> difference)")
def multi_signature():
    module = MultiSignature()
    return convert_module(module, concrete(module, "add", "sub"))


class Dtypes(tf.Module):
    @tf.function(input_signature=[spec([None, 3], tf.int32), spec([3], tf.int32)])
    def int32_ops(self, a, b):
        return {"sum": a + b, "difference": a - b, "product": a * b,
                "as_float": tf.cast(a, tf.float32)}

    @tf.function(input_signature=[spec([None], tf.int64), spec([None], tf.int64)])
    def int64_ops(self, a, b):
        return {"sum": a + b, "product": a * b,
                "stacked": tf.concat([tf.expand_dims(a, 0), tf.expand_dims(b, 0)], axis=0),
                "as_int32": tf.cast(a, tf.int32)}

    @tf.function(input_signature=[spec([None, 2], tf.uint8), spec([None], tf.int32)])
    def uint8_ops(self, pixels, index):
        return {"as_int32": tf.cast(pixels, tf.int32),
                "as_float": tf.cast(pixels, tf.float32),
                "transposed": tf.transpose(pixels),
                "gathered": tf.gather(pixels, index, axis=0),
                "flat": tf.reshape(pixels, [-1])}

    @tf.function(input_signature=[spec([None, 1, 4], tf.bool), spec([2], tf.int32)])
    def bool_ops(self, mask, index):
        squeezed = tf.squeeze(mask, axis=1)
        return {"squeezed": squeezed,
                "as_float": tf.cast(mask, tf.float32),
                "as_int32": tf.cast(squeezed, tf.int32),
                "joined": tf.concat([squeezed, squeezed], axis=1),
                "picked": tf.gather(squeezed, index, axis=1),
                "expanded": tf.expand_dims(squeezed, -1)}

    @tf.function(input_signature=[spec([None], tf.float32)])
    def float_casts(self, x):
        return {"to_int32": tf.cast(x, tf.int32), "to_int64": tf.cast(x, tf.int64),
                "to_uint8": tf.cast(x, tf.uint8), "to_bool": tf.cast(x, tf.bool)}


@model("dtypes.tflite",
       "tf.Module over int32, int64, uint8, bool and float32 casts, with unknown dims")
def dtypes():
    module = Dtypes()
    return convert_module(module, concrete(
        module, "int32_ops", "int64_ops", "uint8_ops", "bool_ops", "float_casts"))


class Strings(tf.Module):
    @tf.function(input_signature=[spec([None])])
    def as_string_default(self, x):
        return {"text": tf.strings.as_string(x)}

    @tf.function(input_signature=[spec([None])])
    def as_string_padded(self, x):
        return {"text": tf.strings.as_string(x, precision=3, width=10, fill="0")}

    @tf.function(input_signature=[spec([None], tf.float64)])
    def as_string_scientific(self, x):
        return {"text": tf.strings.as_string(x, precision=2, scientific=True)}

    @tf.function(input_signature=[spec([None])])
    def as_string_shortest(self, x):
        return {"text": tf.strings.as_string(x, shortest=True, width=12)}

    @tf.function(input_signature=[spec([None, 2], tf.int32), spec([None], tf.int64),
                                  spec([None], tf.bool)])
    def as_string_ints(self, i32, i64, flags):
        return {"i32": tf.strings.as_string(i32, width=5, fill="-"),
                "i64": tf.strings.as_string(i64),
                "flags": tf.strings.as_string(flags)}

    @tf.function(input_signature=[spec([None], tf.string)])
    def to_number(self, text):
        return {"float32": tf.strings.to_number(text),
                "float64": tf.strings.to_number(text, out_type=tf.float64)}

    @tf.function(input_signature=[spec([None, None], tf.string)])
    def to_int32(self, text):
        return {"int32": tf.strings.to_number(text, out_type=tf.int32)}

    @tf.function(input_signature=[spec([None], tf.string)])
    def to_int64(self, text):
        return {"int64": tf.strings.to_number(text, out_type=tf.int64)}

    @tf.function(input_signature=[spec([], tf.string), spec([], tf.float32)])
    def scalar(self, text, value):
        return {"number": tf.strings.to_number(text, out_type=tf.float64),
                "text": tf.strings.as_string(value, precision=1)}


STRING_SIGNATURES = ("as_string_default", "as_string_padded", "as_string_scientific",
                     "as_string_shortest", "as_string_ints", "to_number", "to_int32", "to_int64",
                     "scalar")


@model("strings.tflite",
       "Select TF ops AsString (non-default attrs) and StringToNumber (float32/64, int32/64), "
       "0-d string signature")
def strings():
    module = Strings()
    return convert_module(module, concrete(module, *STRING_SIGNATURES), select_tf_ops=True)


@model("fp16_weights.tflite",
       "Dense model converted with float16 weights: DEQUANTIZE float16 -> float32 feeds "
       "FULLY_CONNECTED")
def fp16_weights():
    tf.keras.backend.clear_session()  # layer/model name counters: same names on every run
    tf.keras.utils.set_random_seed(2)
    keras_model = tf.keras.Sequential([
        tf.keras.Input(shape=(6,), name="x"),
        tf.keras.layers.Dense(8, activation="tanh", name="dense"),
        tf.keras.layers.Dense(3, name="logits"),
    ])
    randomize(keras_model, 2)
    converter = tf.lite.TFLiteConverter.from_keras_model(keras_model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.target_spec.supported_types = [tf.float16]
    return converter.convert()


class QuantizeIO(tf.Module):
    @tf.function(input_signature=[spec([None, 4])])
    def fake_quant(self, x):
        return {"y": tf.quantization.fake_quant_with_min_max_args(x, min=-2.0, max=6.0,
                                                                  num_bits=8)}


@model("quantize_io.tflite",
       "FakeQuant(min=-2, max=6) converted to QUANTIZE (float32 -> uint8) + DEQUANTIZE "
       "(uint8 -> float32)")
def quantize_io():
    module = QuantizeIO()
    return convert_module(module, concrete(module, "fake_quant"))


class Arithmetic(tf.Module):
    @tf.function(input_signature=[spec([None, 4]), spec([4])])
    def broadcast(self, x, y):
        return {"add_relu": tf.nn.relu(x + y), "sub_relu6": tf.nn.relu6(x - y),
                "mul": x * y, "div": x / y}

    @tf.function(input_signature=[spec([2, 1, 3]), spec([1, 4, 1])])
    def broadcast_both(self, a, b):
        return {"sum": a + b, "product": tf.nn.relu(a * b), "quotient": tf.nn.relu(a / b),
                "difference": b - a}

    @tf.function(input_signature=[spec([None, 3])])
    def constants(self, x):
        w = tf.constant([[0.5, -1.0, 2.0]])
        return {"scaled": x * w + 1.0, "halved": x / 2.0, "shifted": 3.0 - x}


@model("arithmetic.tflite",
       "ADD/SUB/MUL/DIV with broadcasting, fused RELU/RELU6 and constant operands")
def arithmetic():
    module = Arithmetic()
    return convert_module(module, concrete(module, "broadcast", "broadcast_both", "constants"))


class Activations(tf.Module):
    @tf.function(input_signature=[spec([None, 5])])
    def activations(self, x):
        return {"relu": tf.nn.relu(x), "relu6": tf.nn.relu6(x), "sigmoid": tf.sigmoid(x),
                "tanh": tf.tanh(x), "softmax": tf.nn.softmax(x)}

    @tf.function(input_signature=[spec([2, None, 3])])
    def softmax_3d(self, x):
        return {"softmax": tf.nn.softmax(x), "sharp": tf.nn.softmax(x * 4.0)}


@model("activations.tflite", "RELU, RELU6, LOGISTIC, TANH, SOFTMAX (2-D and 3-D)")
def activations():
    module = Activations()
    return convert_module(module, concrete(module, "activations", "softmax_3d"))


class ShapeOps(tf.Module):
    def __init__(self):
        super().__init__()
        rng = np.random.default_rng(3)
        self.table = tf.constant(rng.standard_normal((10, 4)).astype(np.float32))

    @tf.function(input_signature=[spec([2, 3, 4])])
    def static(self, x):
        return {"reshaped": tf.reshape(x, [6, 4]),
                "transposed": tf.transpose(x, [2, 0, 1]),
                "concatenated": tf.concat([x, x * 2.0], axis=1),
                "gathered": tf.gather(x, [3, 0, 0], axis=2)}

    @tf.function(input_signature=[spec([None, 1, None])])
    def dynamic(self, x):
        squeezed = tf.squeeze(x, axis=1)
        return {"squeezed": squeezed, "expanded": tf.expand_dims(squeezed, 0),
                "transposed": tf.transpose(squeezed)}

    @tf.function(input_signature=[spec([None], tf.int32)])
    def embedding(self, ids):
        return {"rows": tf.gather(self.table, ids)}

    @tf.function(input_signature=[spec([None, 4], tf.int32), spec([None, 2], tf.int32)])
    def int_gather(self, params, index):
        return {"gathered": tf.gather(params, index, axis=1),
                "per_row": tf.gather(params, index, axis=1, batch_dims=1),
                "joined": tf.concat([params, params, params], axis=0)}


@model("shape_ops.tflite",
       "RESHAPE, TRANSPOSE, CONCATENATION, GATHER (constant table, axis, batch_dims, int32), "
       "SQUEEZE, EXPAND_DIMS")
def shape_ops():
    module = ShapeOps()
    return convert_module(module, concrete(module, "static", "dynamic", "embedding",
                                           "int_gather"))


@model("fully_connected.tflite",
       "Keras Dense on a rank-3 input (FULLY_CONNECTED keep_num_dims) and on a rank-2 input, "
       "with biases")
def fully_connected():
    tf.keras.backend.clear_session()  # layer/model name counters: same names on every run
    tf.keras.utils.set_random_seed(4)
    # a static batch: with an unknown batch the converter reshapes through SHAPE/PACK/REDUCE_PROD
    sequence = tf.keras.Input(shape=(3, 5), batch_size=2, name="sequence")
    features = tf.keras.Input(shape=(7,), name="features")
    per_step = tf.keras.layers.Dense(6, activation="relu", name="per_step")(sequence)
    head = tf.keras.layers.Dense(2, activation="sigmoid", name="head")(features)
    keras_model = tf.keras.Model([sequence, features], {"per_step": per_step, "head": head})
    randomize(keras_model, 4)
    return tf.lite.TFLiteConverter.from_keras_model(keras_model).convert()


# ----------------------------------------------------------------------------- oracle

F32_VALUES = [0.0, -0.0, 1.0, -2.5, 0.1, 123.456, 1e10, 1e-5, 1234567.0, -7.25e-3,
              float("inf"), float("-inf"), float("nan")]
# TensorFlow's CPU kernels run with denormals flushed to zero: these show it.
F32_SUBNORMAL = [1e-40, -1e-45]
F64_SUBNORMAL = [5e-324, 1e-310]
STRING_CASES = {
    "as_string_default": [dict(x=np.array(F32_VALUES + F32_SUBNORMAL, np.float32)),
                          dict(x=np.array([1, 2, 3], np.float32)),
                          dict(x=np.zeros([0], np.float32))],
    "as_string_padded": [dict(x=np.array(F32_VALUES + [-123456.789, 99999.9999], np.float32))],
    "as_string_scientific": [dict(x=np.array(F32_VALUES + [1e300, -9.995e-7] + F64_SUBNORMAL,
                                             np.float64))],
    "as_string_shortest": [dict(x=np.array(F32_VALUES + [3.0e38, 1.2e-38, 100000.0, 1e6]
                                           + F32_SUBNORMAL, np.float32))],
    "as_string_ints": [dict(i32=np.array([[0, -42], [123456, 2147483647], [-2147483648, 7]],
                                         np.int32),
                            i64=np.array([0, -1, 9223372036854775807, -9223372036854775808],
                                         np.int64),
                            flags=np.array([True, False, True]))],
    "to_number": [dict(text=np.array([b"1", b"-2.5", b" 3.25 ", b"1e3", b"0.1", b"-0",
                                      b"inf", b"-Infinity", b"nan", b"1e39", b"1e-50",
                                      b"1e-40", b"1e-310", b"0x1p3", b"+7", b".5", b"5.",
                                      b"123456789.123456789", b"\t8\n"], object)),
                  dict(text=np.array([b"1.000000", b"2.000000", b"3.000000"], object)),
                  dict(text=np.array([b"abc"], object)),
                  dict(text=np.array([b""], object)),
                  dict(text=np.array([b"1.5x"], object)),
                  dict(text=np.array([b"1,5"], object))],
    "to_int32": [dict(text=np.array([[b"0", b"-42"], [b" 17 ", b"+5"],
                                     [b"2147483647", b"-2147483648"], [b"007", b"-0"]], object)),
                 dict(text=np.array([[b"2147483648"]], object)),
                 dict(text=np.array([[b"1.5"]], object)),
                 dict(text=np.array([[b"0x10"]], object)),
                 dict(text=np.array([[b"1e3"]], object)),
                 dict(text=np.zeros([2, 0], object))],
    "to_int64": [dict(text=np.array([b"9223372036854775807", b"-9223372036854775808",
                                     b"2147483648", b" -12 "], object)),
                 dict(text=np.array([b"9223372036854775808"], object))],
    "scalar": [dict(text=np.array(b"2.75", object), value=np.array(3.14159, np.float32)),
               dict(text=np.array(b"-1e-3", object), value=np.array(-0.05, np.float32)),
               dict(text=np.array(b"0.25", object), value=np.array(0.25, np.float32))],
}


def _json_value(array):
    array = np.asarray(array)
    if array.dtype == object or array.dtype.kind == "S":
        flat = [bytes(v).decode("latin-1") for v in array.reshape(-1)]
        dtype = "string"
    else:
        flat = array.reshape(-1).tolist()
        dtype = array.dtype.name
        if array.dtype.kind == "f":
            flat = [v if np.isfinite(v) else repr(float(v)) for v in flat]
    return {"dtype": dtype, "shape": list(array.shape), "values": flat}


def string_oracle(content):
    """Run STRING_CASES through TensorFlow's kernels (what the Flex delegate does)."""
    cases = []
    for key, feeds in STRING_CASES.items():
        for inputs in feeds:
            case = {"signature": key, "inputs": {k: _json_value(v) for k, v in inputs.items()}}
            try:
                outputs = seed.run_flex_signature(content, key, **inputs)
                case["outputs"] = {k: _json_value(v) for k, v in sorted(outputs.items())}
            except tf.errors.OpError as error:
                case["error"] = error.message
            cases.append(case)
    return cases


# ----------------------------------------------------------------------------- report

def describe(content):
    """{signature: {inputs/outputs: {name: (dtype, shape_signature)}}, plus ops per subgraph."""
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_content=content)
    signatures = {}
    for key in interpreter.get_signature_list():
        runner = interpreter.get_signature_runner(key)
        signatures[key] = {
            side: {name: (d["dtype"].__name__ if d["dtype"] is not np.bytes_ else "string",
                          d["shape_signature"].tolist())
                   for name, d in sorted(details.items())}
            for side, details in (("inputs", runner.get_input_details()),
                                  ("outputs", runner.get_output_details()))}
    return signatures, describe_ops(content), _subgraph_of_signature(content), subgraph_io(content)


def _subgraph_of_signature(content):
    import tflite

    m = tflite.Model.GetRootAs(content, 0)
    return {m.SignatureDefs(i).SignatureKey().decode(): m.SignatureDefs(i).SubgraphIndex()
            for i in range(m.SignatureDefsLength())}


def _snake(camel):
    return "".join("_" + c.lower() if c.isupper() else c for c in camel).lstrip("_")


_ACTIVATION_NAMES = {0: "NONE", 1: "RELU", 2: "RELU_N1_TO_1", 3: "RELU6", 4: "TANH", 5: "SIGN_BIT"}


def _options_text(op):
    """The non-default fields of an operator's BuiltinOptions table, e.g. 'axis=1'."""
    import tflite

    kind = op.BuiltinOptionsType()
    if not kind:
        return None
    name = {v: k for k, v in vars(tflite.BuiltinOptions).items() if isinstance(v, int)}[kind]
    cls = getattr(tflite, name)
    table = cls()
    raw = op.BuiltinOptions()
    table.Init(raw.Bytes, raw.Pos)
    fields = []
    for method in sorted(vars(cls)):
        if (not method[0].isupper() or method.startswith(("GetRoot", "Init"))
                or method.endswith(("AsNumpy", "Length", "IsNone", "BufferHasIdentifier"))):
            continue
        if f"{method}Length" in vars(cls):
            value = getattr(table, f"{method}AsNumpy")()
            value = [] if isinstance(value, int) else value.tolist()
        else:
            value = getattr(table, method)()
        field = _snake(method)
        if field == "pot_scale_int16":
            continue  # int16-only, always true from the converter
        if field == "fused_activation_function":
            value = _ACTIVATION_NAMES.get(value, value)
            if value == "NONE":
                continue
        elif value in (0, False, []) and field not in ("axis", "beta"):
            continue
        fields.append(f"{field}={value}")
    return ", ".join(fields)


def describe_ops(content):
    """[[text per operator] per subgraph]: op name with its options, quantization, attrs."""
    import tflite

    model = tflite.Model.GetRootAs(content, 0)
    names = seed.ops_by_subgraph(content)
    flex = {(s, o): nodedef for s, o, _, _, nodedef in seed.flex_nodes(content)}
    types = {v: k.lower() for k, v in vars(tflite.TensorType).items() if isinstance(v, int)}
    result = []
    for s in range(model.SubgraphsLength()):
        subgraph = model.Subgraphs(s)
        texts = []
        for o in range(subgraph.OperatorsLength()):
            op = subgraph.Operators(o)
            details = []
            if (s, o) in flex:
                for key, value in sorted(flex[(s, o)].attr.items()):
                    v = seed._attr_value(value)
                    if value.WhichOneof("value") == "type":
                        v = tf.dtypes.as_dtype(v).name
                    details.append(f"{key}={v!r}" if isinstance(v, (bytes, str)) else f"{key}={v}")
            else:
                text = _options_text(op)
                if text is None:
                    details.append("no options table")
                elif text:
                    details.append(text)
            if names[s][o] in ("CAST", "QUANTIZE", "DEQUANTIZE"):
                src = subgraph.Tensors(op.Inputs(0))
                dst = subgraph.Tensors(op.Outputs(0))
                const = " const" if model.Buffers(src.Buffer()).DataLength() else ""
                details.insert(0, f"{types[src.Type()]}{const} -> {types[dst.Type()]}")
                for tensor in (src, dst):
                    q = tensor.Quantization()
                    if q is not None and q.ScaleLength():
                        details.append(f"scale={q.ScaleAsNumpy().tolist()} "
                                       f"zero_point={q.ZeroPointAsNumpy().tolist()}")
                        break
            texts.append(f"{names[s][o]}({'; '.join(details)})" if details else names[s][o])
        result.append(texts)
    return result


def subgraph_io(content):
    """[(input tensor names, output tensor names) per subgraph], in subgraph order."""
    import tflite

    model = tflite.Model.GetRootAs(content, 0)
    out = []
    for s in range(model.SubgraphsLength()):
        sg = model.Subgraphs(s)
        out.append(([sg.Tensors(i).Name().decode() for i in sg.InputsAsNumpy()],
                    [sg.Tensors(i).Name().decode() for i in sg.OutputsAsNumpy()]))
    return out


def _fmt_tensor(name, dtype, shape):
    return f"`{name}` {dtype}{shape}"


def readme(entries):
    lines = [
        "# tests/models",
        "",
        "Converter-made test models, written by `tools/gen_test_models.py` (tensorflow-cpu "
        f"{tf.__version__}, a dev tool: the tests never import tensorflow). Random weights "
        "from fixed seeds; regenerating gives the same bytes. Shapes are shape signatures "
        "(-1 = unknown). Only these ops occur: " + ", ".join(sorted(ALLOWED_OPS)) + ".",
        "",
        "`strings_expected.json`: outputs (or TensorFlow's error text) of `strings.tflite` for "
        "fixed inputs, computed with TensorFlow's own AsString/StringToNumber kernels from the "
        "NodeDefs in the file, as the Flex delegate would (ai-edge-litert and tf.lite in TF "
        "2.21 ship no Flex delegate and refuse the model). Strings are stored latin-1 decoded; "
        "non-finite floats as 'nan'/'inf'/'-inf'.",
        "",
    ]
    for name, description, size, (signatures, ops, sig_subgraph, io_names) in entries:
        lines += [f"## {name}", "", f"{description}. {size} bytes.", ""]
        for key, io in signatures.items():
            ins = ", ".join(_fmt_tensor(n, *v) for n, v in io["inputs"].items())
            outs = ", ".join(_fmt_tensor(n, *v) for n, v in io["outputs"].items())
            index = sig_subgraph[key]
            lines.append(f"* signature `{key}` (subgraph {index}): {ins} -> {outs}")
            lines.append(f"  * ops: {', '.join(ops[index]) or '(none)'}")
            lines.append(f"  * subgraph inputs {io_names[index][0]}, outputs {io_names[index][1]}")
        extra = [i for i in range(len(ops)) if i not in sig_subgraph.values()]
        for index in extra:
            lines.append(f"* subgraph {index} (no signature): ops {', '.join(ops[index])}")
        lines.append("")
    lines += [
        "## Notes",
        "",
        "* Signature input/output names are sorted; the subgraph's own input/output order "
        "can differ (see `as_string_ints`, `scalar`).",
        "* The converter writes no options table for CAST, RESHAPE (shape comes from the "
        "second input), TRANSPOSE, RELU/RELU6/LOGISTIC/TANH, QUANTIZE/DEQUANTIZE.",
        "* Flex NodeDefs carry every attribute, defaults included, plus one empty `input` "
        "entry and `experimental_debug_info`; the generator sorts their attr entries so the "
        "bytes are reproducible (protobuf map order is random per run).",
        "* TensorFlow's kernels run with denormals flushed to zero: in `strings_expected.json`, "
        "AsString prints subnormal inputs as 0 (`1e-40` shortest -> `0`, `-1e-45` -> `-0`, "
        "float64 `5e-324` scientific -> `0.00e+00`), while StringToNumber still returns "
        "subnormals (`\"1e-40\"` -> float32 9.99995e-41).",
        "",
    ]
    return "\n".join(lines)


def main(argv=None):
    args = corpus_cli.parse(corpus_cli.command_line(__doc__, ROOT / "tests" / "models"), argv)
    entries, failures = [], []
    for name, (build, description) in MODELS.items():
        if args.only and name not in args.only:
            continue
        content = seed.canonical_flex_nodedefs(build())
        used = set(seed.ops_of(content))
        if used - ALLOWED_OPS:
            failures.append(f"{name}: unsupported ops {sorted(used - ALLOWED_OPS)}")
        if len(content) > MAX_BYTES:
            failures.append(f"{name}: {len(content)} bytes > {MAX_BYTES}")
        (args.out / name).write_bytes(content)
        info = describe(content)
        entries.append((name, description, len(content), info))
        print(f"{name}: {len(content)} bytes, ops {sorted(used)}")
        for key, io in info[0].items():
            print(f"  {key}: {io['inputs']} -> {io['outputs']}")
        if name == "strings.tflite":
            oracle = string_oracle(content)
            (args.out / "strings_expected.json").write_text(
                "[\n" + ",\n".join(json.dumps(case) for case in oracle) + "\n]\n")
            for case in oracle:
                print(f"  {case['signature']}: {case.get('outputs', case.get('error'))}")
    return corpus_cli.finish(args, lambda: readme(entries), failures)


if __name__ == "__main__":
    sys.exit(main())
