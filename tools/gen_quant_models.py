"""Regenerate tests/models/quantized/: the quantized-model corpus (issue 6).

Dev tool: needs tensorflow-cpu, tf-keras (for the fused LSTM) and ai-edge-litert, like
tools/gen_conformance_models.py, whose Keras architectures it converts again with the
post-training quantization settings users use:

* full-integer int8 (``Optimize.DEFAULT`` + a representative dataset +
  ``TFLITE_BUILTINS_INT8``), with int8 inputs/outputs or with float ones (the converter then
  puts QUANTIZE/DEQUANTIZE at the edges);
* 16x8 (``EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8``: int16 activations,
  int8 weights, int64 biases);
* dynamic range (``Optimize.DEFAULT`` alone: int8 weights, float activations, hybrid
  kernels that quantize their float input on the fly);
* float16 weights (``supported_types = [tf.float16]``: DEQUANTIZE of fp16 constants);
* legacy uint8 (a TF1 graph with FakeQuant nodes converted with ``inference_type=uint8``).

    python tools/gen_quant_models.py [--out DIR] [--only NAME ...]

The representative datasets are drawn from fixed seeds, so regenerating gives the same
bytes. Writes, beside the models, ``inputs.json`` (per file and signature, each input's
shape and value range; integer inputs cover the quantized image of the float range) and
``README.md`` (per model its ops with their input and output types).
"""

import os
import pathlib
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

TOOLS = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(TOOLS))

import corpus_cli  # noqa: E402
import gen_conformance_models as conformance  # noqa: E402
import gen_seed_models as seed  # noqa: E402
from corpus_feeds import feed, random_feed  # noqa: E402  (tests/, on the path)

OUT = TOOLS.parent / "tests" / "models" / "quantized"
MAX_BYTES = 600 * 1024
CALIBRATION_SAMPLES = 16

MODELS = {}


#: ``@model(name, description)`` registers a builder returning (tflite bytes,
#: {input name: feed spec}) (one signature, serving_default)
model = corpus_cli.registrar(MODELS)


# ----------------------------------------------------------------------------- conversion

def representative(keras_model, feeds, seed_value):
    """A deterministic representative dataset: CALIBRATION_SAMPLES draws of the feeds."""
    names = [tensor.name for tensor in keras_model.inputs]
    dtypes = {tensor.name: tensor.dtype for tensor in keras_model.inputs}

    def dataset():
        rng = np.random.default_rng(seed_value)
        for _ in range(CALIBRATION_SAMPLES):
            yield [random_feed(feeds[name], np.dtype(str(dtypes[name]).split(".")[-1]), rng)
                   for name in names]
    return dataset


INT8 = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
INT16X8 = [tf.lite.OpsSet.EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8]


def convert(keras_model, feeds, kind, io=None, seed_value=0):
    """Convert ``keras_model`` with the quantization ``kind`` ("int8", "16x8", "dynamic",
    "float16"); ``io`` is the inference input/output type of the integer kinds (None:
    float32)."""
    converter = tf.lite.TFLiteConverter.from_keras_model(keras_model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    if kind in ("int8", "16x8"):
        converter.representative_dataset = representative(keras_model, feeds, seed_value)
        converter.target_spec.supported_ops = INT8 if kind == "int8" else INT16X8
        if io is not None:
            converter.inference_input_type = io
            converter.inference_output_type = io
    elif kind == "float16":
        converter.target_spec.supported_types = [tf.float16]
    elif kind != "dynamic":
        raise ValueError(kind)
    return converter.convert()


def integer_feeds(content, feeds):
    """The feeds with each integer-quantized input's range replaced by the quantized image
    of its float range (token ids and other plain integer inputs keep theirs)."""
    from ai_edge_litert.interpreter import Interpreter

    result = {}
    details = Interpreter(model_content=content).get_signature_runner().get_input_details()
    for name, entry in feeds.items():
        d = details[name]
        scale, zero_point = d["quantization"]
        if np.dtype(d["dtype"]).kind not in "iu" or scale == 0.0:
            result[name] = entry
            continue
        info = np.iinfo(d["dtype"])
        low, high = entry.get("range", (-3.0, 3.0))
        q_low = max(int(info.min), int(np.floor(low / scale)) + zero_point)
        q_high = min(int(info.max) + 1, int(np.ceil(high / scale)) + zero_point + 1)
        result[name] = feed(entry["shape"], q_low, q_high)
    return result


def quantized(builder, kind, io=None, seed_value=0, **net_args):
    """Builder of a quantized conversion of ``builder(**net_args)`` (a conformance *_net)."""
    def build():
        net, feeds = builder(**net_args)
        content = convert(net, feeds, kind, io, seed_value)
        return content, integer_feeds(content, feeds)
    return build


def register_keras(name, description, builder, kind, io=None, **net_args):
    model(name, description)(quantized(builder, kind, io, **net_args))


# ----------------------------------------------------------------------------- corpus

register_keras("mobilenet_v2_int8.tflite",
               "MobileNetV2(alpha=0.25) of the conformance corpus at 64x64x3, full-integer "
               "int8 with int8 input and output", conformance.mobilenet_v2_net, "int8",
               tf.int8, size=64)
register_keras("mobilenet_v3_small_int8_float_io.tflite",
               "MobileNetV3Small(alpha=0.35) with its Rescaling preprocessing, hard-swish and "
               "squeeze-excite, at 64x64x3 in [0, 255], full-integer int8 with float input "
               "and output", conformance.mobilenet_v3_small_net, "int8", size=64)
register_keras("resnet_blocks_int8.tflite",
               "ResNet50-style bottleneck stacks of the conformance corpus at 32x32x3, "
               "full-integer int8 with int8 input and output", conformance.resnet_blocks_net,
               "int8", tf.int8, size=32)
register_keras("resnet_blocks_16x8.tflite",
               "ResNet bottleneck stacks at 32x32x3, 16x8 (int16 activations, int8 weights, "
               "int64 biases) with int16 input and output", conformance.resnet_blocks_net,
               "16x8", tf.int16, size=32)
register_keras("audio_cnn_int8.tflite",
               "1-D CNN on a 4000-sample waveform (strided, dilated causal and separable "
               "Conv1D, pooling, PReLU, softmax), full-integer int8 with int8 input and output",
               conformance.audio_cnn_net, "int8", tf.int8)
register_keras("audio_cnn_int8_float_io.tflite",
               "the 1-D CNN, full-integer int8 with float input and output",
               conformance.audio_cnn_net, "int8")
register_keras("transformer_encoder_int8.tflite",
               "Transformer encoder of the conformance corpus (2 blocks: MultiHeadAttention, "
               "LayerNormalization, GELU feed-forward), full-integer int8; int32 tokens in, "
               "float probabilities out", conformance.transformer_encoder_net, "int8")
register_keras("mobilenet_v2_dynamic.tflite",
               "MobileNetV2(alpha=0.25) at 64x64x3, dynamic-range quantization (int8 weights, "
               "float activations)", conformance.mobilenet_v2_net, "dynamic", size=64)
register_keras("transformer_encoder_dynamic.tflite",
               "the Transformer encoder, dynamic-range quantization (hybrid FULLY_CONNECTED "
               "and BATCH_MATMUL with int8 weights)", conformance.transformer_encoder_net,
               "dynamic")
register_keras("audio_cnn_float16.tflite",
               "the 1-D CNN with float16 weights (DEQUANTIZE float16 -> float32 before each "
               "weight use)", conformance.audio_cnn_net, "float16")


@model("lstm_text_dynamic.tflite",
       "tf-keras text classifier: Embedding(200, 64) -> LSTM(64, return_sequences) -> "
       "LSTM(48) -> Dense softmax, dynamic-range quantization: hybrid "
       "UNIDIRECTIONAL_SEQUENCE_LSTM (int8 weights, float activations and state; the "
       "converter quantizes only weight tensors of more than 1024 elements, so the "
       "conformance corpus' smaller LSTMs stay float). 24 int32 tokens < 200, batch 1")
def lstm_text_dynamic():
    k2 = conformance._tf_keras()
    k2.utils.set_random_seed(42)
    net = conformance._text_model(k2, [k2.layers.LSTM(64, return_sequences=True, name="lstm1"),
                                       k2.layers.LSTM(48, name="lstm2")], 42,
                                  "lstm_text_dynamic", width=64)
    feeds = conformance.TEXT_FEEDS["serving_default"]
    return convert(net, feeds, "dynamic"), feeds


@model("mixed_dense_16x8.tflite",
       "Keras MLP on 3-D input (Dense on [1, 6, 20] -> FULLY_CONNECTED keep_num_dims, "
       "Dense relu6, matmul of two activations) in 16x8 with float input and output")
def mixed_dense_16x8():
    conformance.fresh(31)
    L = conformance.L
    keras = conformance.keras
    x = keras.Input((6, 20), name="features")
    h = L.Dense(24, activation="relu", name="dense1")(x)
    h = L.Dense(12, activation="relu6", name="dense2")(h)
    scores = L.Dot(axes=2, name="gram")([h, h])
    out = L.Dense(5, name="head")(L.Flatten(name="flat")(scores))
    net = keras.Model(x, out, name="mixed_dense")
    feeds = {"features": feed([1, 6, 20], -2.0, 2.0)}
    conformance.prepare_keras(net, 31, feeds)
    content = convert(net, feeds, "16x8")
    return content, integer_feeds(content, feeds)


# ----------------------------------------------------------------------------- legacy uint8

@model("legacy_uint8.tflite",
       "TF1 graph with FakeQuant nodes (quantization-aware training style), converted with "
       "tf.compat.v1 TFLiteConverter inference_type=uint8: uint8 CONV_2D, DEPTHWISE_CONV_2D, "
       "FULLY_CONNECTED with per-tensor weights and the uint8 input and output of the "
       "legacy quantization scheme")
def legacy_uint8():
    v1 = tf.compat.v1
    rng = np.random.default_rng(41)
    graph = tf.Graph()
    with graph.as_default():
        image = v1.placeholder(tf.float32, [1, 12, 12, 3], name="image")

        def fq(t, low, high):
            return tf.quantization.fake_quant_with_min_max_args(t, low, high)

        def weights(shape, bound):
            w = rng.uniform(-bound, bound, shape).astype(np.float32)
            return fq(tf.constant(w), -bound, bound)

        x = fq(image, -1.0, 1.0)
        x = tf.nn.conv2d(x, weights([3, 3, 3, 8], 0.5), 2, "SAME")
        x = fq(tf.nn.relu6(x + tf.constant(rng.uniform(-0.2, 0.2, 8).astype(np.float32))),
               0.0, 6.0)
        x = tf.nn.depthwise_conv2d(x, weights([3, 3, 8, 1], 0.6), [1, 1, 1, 1], "VALID")
        x = fq(tf.nn.relu(x + tf.constant(rng.uniform(-0.2, 0.2, 8).astype(np.float32))),
               0.0, 4.0)
        x = tf.reshape(x, [1, 4 * 4 * 8])
        x = tf.matmul(x, weights([128, 10], 0.2))
        x = x + tf.constant(rng.uniform(-0.3, 0.3, 10).astype(np.float32))
        logits = tf.identity(fq(x, -8.0, 8.0), name="logits")
        with v1.Session(graph=graph) as session:
            converter = v1.lite.TFLiteConverter.from_session(session, [image], [logits])
            converter.inference_type = tf.uint8
            converter.quantized_input_stats = {"image": (127.5, 127.5)}
            content = converter.convert()
    return content, {"image": feed([1, 12, 12, 3], 0, 256)}


# ----------------------------------------------------------------------------- report

def op_types(content):
    """[[op text per operator] per subgraph]: 'NAME(input types -> output types)' with
    'const' for constant inputs, 'per-channel' for per-channel quantized ones."""
    import tflite

    model_ = tflite.Model.GetRootAs(content, 0)
    names = seed.ops_by_subgraph(content)
    type_names = {v: k.lower() for k, v in vars(tflite.TensorType).items()
                  if isinstance(v, int)}

    def text(subgraph, index):
        if index < 0:
            return "-"
        tensor = subgraph.Tensors(index)
        words = [type_names[tensor.Type()]]
        if model_.Buffers(tensor.Buffer()).DataLength():
            words.append("const")
        q = tensor.Quantization()
        if q is not None and q.ScaleLength() > 1:
            words.append("per-channel")
        return " ".join(words)

    result = []
    for s in range(model_.SubgraphsLength()):
        subgraph = model_.Subgraphs(s)
        texts = []
        for o in range(subgraph.OperatorsLength()):
            op = subgraph.Operators(o)
            ins = ", ".join(text(subgraph, op.Inputs(i)) for i in range(op.InputsLength()))
            outs = ", ".join(text(subgraph, op.Outputs(i)) for i in range(op.OutputsLength()))
            texts.append(f"{names[s][o]}({ins} -> {outs})")
        result.append(texts)
    return result


def readme(entries):
    total = sum(size for _, _, size, _, _ in entries)
    all_ops = sorted({op for *_, ops in entries for op in ops})
    lines = [
        "# tests/models/quantized",
        "",
        "Quantized-model corpus (issue 6), written by `tools/gen_quant_models.py` "
        f"(tensorflow-cpu {tf.__version__}; the tests never import tensorflow) from the Keras "
        "architectures of `tools/gen_conformance_models.py`, converted with post-training "
        "quantization (representative datasets from fixed seeds; regenerating gives the same "
        "bytes). `tests/test_quantized.py` runs each model in numlite and ai-edge-litert on the "
        f"inputs `inputs.json` describes. {len(entries)} files, {total} bytes in all.",
        "",
        f"Ops in the corpus ({len(all_ops)}): " + ", ".join(all_ops) + ".",
        "",
        "Op lists give each operator's input and output tensor types (`const`: constant "
        "tensor, `per-channel`: per-channel quantization, `-`: absent optional input); "
        "`xN` counts repeats.",
        "",
    ]
    for name, description, size, signatures, _ in entries:
        lines += [f"## {name}", "", f"{description}. {size} bytes.", ""]
        info = conformance.signature_details(MODEL_BYTES[name])
        for key, io in info.items():
            ins = ", ".join(conformance.corpus._fmt_tensor(n, *v) for n, v in io["inputs"].items())
            outs = ", ".join(conformance.corpus._fmt_tensor(n, *v)
                             for n, v in io["outputs"].items())
            lines.append(f"* `{key}`: {ins} -> {outs}")
        for index, texts in enumerate(signatures):
            lines.append(f"* subgraph {index} ops:")
            lines += [f"  * {t}" for t in conformance.summarize_ops(texts)]
        lines.append("")
    return "\n".join(lines)


MODEL_BYTES = {}


def main(argv=None):
    args = corpus_cli.parse(corpus_cli.command_line(__doc__, OUT), argv)
    manifest = corpus_cli.load_manifest(args.out)
    entries, failures = [], []
    for name, (build, description) in MODELS.items():
        if args.only and name not in args.only:
            continue
        content, feeds = build()
        content = bytes(content)
        MODEL_BYTES[name] = content
        if len(content) > MAX_BYTES:
            failures.append(f"{name}: {len(content)} bytes > {MAX_BYTES}")
        (args.out / name).write_bytes(content)
        # a model without signatures (the TF1 converter writes none) is keyed ""
        keys = list(conformance.signature_details(content)) or [""]
        manifest[name] = {keys[0]: feeds}
        ops = op_types(content)
        entries.append((name, description, len(content), ops, seed.ops_of(content)))
        print(f"{name}: {len(content)} bytes, ops {seed.ops_of(content)}", flush=True)
        failures += [f"{name}: {p}" for p in
                     conformance.check_in_litert(content, manifest[name])]
    corpus_cli.save_manifest(args.out, manifest, MODELS)
    return corpus_cli.finish(args, lambda: readme(entries), failures)


if __name__ == "__main__":
    sys.exit(main())
