"""Regenerate tests/models/conformance/: the float conformance corpus (issue 5).

Dev tool: needs tensorflow-cpu (with its Keras 3), tf-keras (Keras 2: the converter fuses
only a Keras 2 LSTM into UNIDIRECTIONAL_SEQUENCE_LSTM; install it with
``pip install --no-deps tf-keras==<tensorflow version>``) and ai-edge-litert. The tests
only read the files it writes.

    python tools/gen_conformance_models.py [--out DIR] [--only NAME ...] [--check]

Two kinds of files:

* real architectures, converted the way users convert them (Keras ``from_keras_model`` or
  a SavedModel): MobileNetV1/V2/V3Small, a reduced EfficientNet (B0's blocks: swish,
  squeeze-excite), ResNet50-style bottleneck stacks, a U-Net, a 1-D audio CNN, LSTM/GRU/
  bidirectional text models, a Transformer encoder, a detection head with NMS, and image
  preprocessing. Input sizes and widths are small so the files stay small.
* ``ops_*.tflite``: one signature per op and attribute combination (a tf.Module whose
  tf.functions each call one TensorFlow op), for the other float builtin ops the converter
  emits; the cases whose op LiteRT's reference resolver lacks go to ``ops_*_noref.tflite``
  (LiteRT refuses a whole file for one unknown op).

Weights are random from fixed seeds: Keras initialisers under ``set_random_seed``, biases
and normalisation parameters drawn again (Keras starts them at 0/1), and every
BatchNormalization's moving statistics set to the batch statistics of a random input batch
(so activations stay O(1) however deep the network is: errors then mean what they say).
Regenerating gives the same bytes.

Writes, beside the models:
  inputs.json   per file and signature, each input's concrete shape and value range: the
                tests and benchmarks feed exactly these (integer inputs must stay in range:
                token ids, indices; some float ops need a domain: LOG, SQRT, POW...)
  README.md     each file's description, size, signatures and ops (every subgraph)
--check runs every signature in ai-edge-litert on those inputs (finite outputs expected).
"""

import collections
import os
import pathlib
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")  # plain Eigen kernels: reproducible stats

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402

TOOLS = pathlib.Path(__file__).resolve().parent
ROOT = TOOLS.parent
sys.path.insert(0, str(TOOLS))
sys.path.insert(0, str(ROOT / "tests"))

import corpus_cli  # noqa: E402
import gen_seed_models as seed  # noqa: E402
import gen_test_models as corpus  # noqa: E402
from corpus_feeds import feed, random_feed  # noqa: E402  (tests/)
from gen_test_models import concrete, convert_module, spec  # noqa: E402

OUT = ROOT / "tests" / "models" / "conformance"
MAX_BYTES = 1536 * 1024
MAX_TOTAL = 12 * 1024 * 1024
L = keras.layers

MODELS = {}


#: ``@model(name, description)`` registers a builder returning (tflite bytes,
#: {signature: {input: feed spec}})
model = corpus_cli.registrar(MODELS)


# ----------------------------------------------------------------------------- weights

def _leaf(variable):
    return getattr(variable, "path", variable.name).split("/")[-1].split(":")[0]


def randomize_parameters(keras_model, seed_value):
    """Draw biases/betas N(0, 0.1) and gammas U(0.5, 1.5); keep the seeded initialisers'
    kernels. (Keras starts biases at 0 and gammas at 1, which would hide bias handling.)"""
    rng = np.random.default_rng(seed_value)
    for variable in keras_model.weights:
        leaf = _leaf(variable)
        shape = tuple(variable.shape)
        if leaf in ("bias", "beta"):
            variable.assign(rng.normal(0.0, 0.1, shape).astype(np.float32))
        elif leaf == "gamma":
            variable.assign(rng.uniform(0.5, 1.5, shape).astype(np.float32))


def calibrate_batch_norm(keras_model, batch):
    """Set every BatchNormalization's moving mean/variance to the statistics of ``batch``
    (one training-mode call with momentum 0), rounded to 12 significant bits."""
    layers = [layer for layer in keras_model._flatten_layers(include_self=False)
              if isinstance(layer, L.BatchNormalization)]
    momenta = [layer.momentum for layer in layers]
    for layer in layers:
        layer.momentum = 0.0
    keras_model(batch, training=True)
    for layer, momentum in zip(layers, momenta):
        layer.momentum = momentum
        for variable in (layer.moving_mean, layer.moving_variance):
            value = np.asarray(variable.numpy(), np.float32)
            mantissa, exponent = np.frexp(value)
            variable.assign(np.ldexp(np.round(mantissa * 4096) / 4096, exponent)
                            .astype(np.float32))


def prepare_keras(keras_model, seed_value, feeds):
    """Random parameters and calibrated BatchNorm for a Keras 3 model with inputs ``feeds``."""
    randomize_parameters(keras_model, seed_value)
    rng = np.random.default_rng(seed_value + 1000)
    batch = {name: random_feed(dict(entry, shape=[8] + entry["shape"][1:]), np.float32, rng)
             for name, entry in feeds.items()}
    batch = [batch[tensor.name] for tensor in keras_model.inputs]
    calibrate_batch_norm(keras_model, batch if isinstance(keras_model.input, list) else batch[0])


def convert_keras(keras_model, **settings):
    converter = tf.lite.TFLiteConverter.from_keras_model(keras_model)
    for key, value in settings.items():
        setattr(converter, key, value)
    return converter.convert()


def fresh(seed_value):
    """Same layer names and the same initial weights on every run."""
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed_value)


# ----------------------------------------------------------------------------- architectures

def image_input(size):
    return keras.Input((size, size, 3), name="image")


def image_feeds(size, low=-1.0, high=1.0, channels=3, name="image"):
    return {name: feed([1, size, size, channels], low, high)}


@model("mobilenet_v1.tflite",
       "keras.applications.MobileNet(alpha=0.25), 96x96x3, 10 classes, dynamic batch")
def mobilenet_v1():
    fresh(11)
    feeds = image_feeds(96)
    net = keras.applications.MobileNet(input_tensor=image_input(96), alpha=0.25, weights=None,
                                       classes=10, name="mobilenet_v1")
    prepare_keras(net, 11, feeds)
    return convert_keras(net), {"serving_default": feeds}


@model("mobilenet_v2.tflite",
       "keras.applications.MobileNetV2(alpha=0.25), 96x96x3, 10 classes, dynamic batch")
def mobilenet_v2():
    net, feeds = mobilenet_v2_net()
    return convert_keras(net), {"serving_default": feeds}


def mobilenet_v2_net(size=96):
    """(Keras model, feeds) of mobilenet_v2.tflite (other input sizes for other corpora)."""
    fresh(12)
    feeds = image_feeds(size)
    net = keras.applications.MobileNetV2(input_tensor=image_input(size), alpha=0.25,
                                         weights=None, classes=10, name="mobilenet_v2")
    prepare_keras(net, 12, feeds)
    return net, feeds


@model("mobilenet_v3_small.tflite",
       "keras.applications.MobileNetV3Small(alpha=0.35) with its preprocessing (Rescaling), "
       "hard-swish and squeeze-excite, 96x96x3 in [0, 255], 10 classes, dynamic batch")
def mobilenet_v3_small():
    net, feeds = mobilenet_v3_small_net()
    return convert_keras(net), {"serving_default": feeds}


def mobilenet_v3_small_net(size=96):
    """(Keras model, feeds) of mobilenet_v3_small.tflite."""
    fresh(13)
    feeds = image_feeds(size, 0.0, 255.0)
    net = keras.applications.MobileNetV3Small(input_tensor=image_input(size), alpha=0.35,
                                              weights=None, classes=10,
                                              name="mobilenet_v3_small")
    prepare_keras(net, 13, feeds)
    return net, feeds


@model("efficientnet_reduced.tflite",
       "keras.applications EfficientNet builder with B0's 16 MBConv blocks (swish, "
       "squeeze-excite, stochastic depth off at inference) at width 0.25, with its "
       "Rescaling/Normalization preprocessing, 64x64x3 in [0, 255], 10 classes")
def efficientnet_reduced():
    from keras.src.applications import efficientnet

    fresh(14)
    feeds = image_feeds(64, 0.0, 255.0)
    net = efficientnet.EfficientNet(0.25, 1.0, 64, weights=None, input_tensor=image_input(64),
                                    classes=10, name="efficientnet_reduced")
    prepare_keras(net, 14, feeds)
    return convert_keras(net), {"serving_default": feeds}


@model("resnet_blocks.tflite",
       "keras.applications ResNet builder (ResNet50's stem and v1 bottleneck blocks with "
       "projection shortcuts) with 3 stacks of 2 blocks (16/32/64 filters), 64x64x3, "
       "10 classes")
def resnet_blocks():
    net, feeds = resnet_blocks_net()
    return convert_keras(net), {"serving_default": feeds}


def resnet_blocks_net(size=64):
    """(Keras model, feeds) of resnet_blocks.tflite."""
    from keras.src.applications import resnet

    def stack_fn(x):
        x = resnet.stack_residual_blocks_v1(x, 16, 2, stride1=1, name="conv2")
        x = resnet.stack_residual_blocks_v1(x, 32, 2, name="conv3")
        return resnet.stack_residual_blocks_v1(x, 64, 2, name="conv4")

    fresh(15)
    feeds = image_feeds(size)
    net = resnet.ResNet(stack_fn, False, True, weights=None, input_tensor=image_input(size),
                        classes=10, name="resnet_blocks")
    prepare_keras(net, 15, feeds)
    return net, feeds


@model("unet.tflite",
       "U-Net: 3 encoder levels (Conv-BN-ReLU x2, MaxPool), decoder with Conv2DTranspose, "
       "UpSampling2D bilinear and UpSampling2D nearest, skip concatenations, sigmoid mask; "
       "64x64x3")
def unet():
    fresh(16)
    feeds = image_feeds(64)

    def conv_block(x, filters, name):
        for i in (1, 2):
            x = L.Conv2D(filters, 3, padding="same", use_bias=False, name=f"{name}_conv{i}")(x)
            x = L.BatchNormalization(name=f"{name}_bn{i}")(x)
            x = L.ReLU(name=f"{name}_relu{i}")(x)
        return x

    image = keras.Input((64, 64, 3), name="image")
    e1 = conv_block(image, 8, "enc1")
    e2 = conv_block(L.MaxPooling2D(name="pool1")(e1), 16, "enc2")
    e3 = conv_block(L.MaxPooling2D(name="pool2")(e2), 32, "enc3")
    bottom = conv_block(L.MaxPooling2D(name="pool3")(e3), 32, "bottom")
    d3 = L.Conv2DTranspose(32, 2, strides=2, name="up3_transpose")(bottom)
    d3 = conv_block(L.Concatenate(name="skip3")([d3, e3]), 32, "dec3")
    d2 = L.UpSampling2D(interpolation="bilinear", name="up2_bilinear")(d3)
    d2 = conv_block(L.Concatenate(name="skip2")([d2, e2]), 16, "dec2")
    d1 = L.UpSampling2D(interpolation="nearest", name="up1_nearest")(d2)
    d1 = conv_block(L.Concatenate(name="skip1")([d1, e1]), 8, "dec1")
    mask = L.Conv2D(2, 1, activation="sigmoid", name="mask")(d1)
    net = keras.Model(image, mask, name="unet")
    prepare_keras(net, 16, feeds)
    return convert_keras(net), {"serving_default": feeds}


@model("audio_cnn.tflite",
       "1-D CNN on a raw waveform (1 s at 4 kHz): Conv1D strided, MaxPooling1D, causal "
       "dilated Conv1D, BatchNorm, SeparableConv1D, AveragePooling1D, PReLU, GlobalMaxPooling1D, "
       "Dense softmax (8 classes)")
def audio_cnn():
    net, feeds = audio_cnn_net()
    return convert_keras(net), {"serving_default": feeds}


def audio_cnn_net():
    """(Keras model, feeds) of audio_cnn.tflite."""
    fresh(17)
    feeds = {"waveform": feed([1, 4000, 1], -1.0, 1.0)}
    wave = keras.Input((4000, 1), name="waveform")
    x = L.Conv1D(16, 9, strides=4, activation="relu", name="frontend")(wave)
    x = L.MaxPooling1D(4, name="pool1")(x)
    x = L.Conv1D(24, 5, dilation_rate=2, padding="causal", use_bias=False, name="dilated")(x)
    x = L.BatchNormalization(name="bn")(x)
    x = L.Activation("relu", name="relu")(x)
    x = L.SeparableConv1D(32, 3, padding="same", activation="relu", name="separable")(x)
    x = L.AveragePooling1D(2, name="pool2")(x)
    x = L.Conv1D(32, 3, padding="same", name="conv3")(x)
    x = L.PReLU(shared_axes=[1], name="prelu")(x)
    x = L.GlobalMaxPooling1D(name="global_pool")(x)
    probabilities = L.Dense(8, activation="softmax", name="classes")(x)
    net = keras.Model(wave, probabilities, name="audio_cnn")
    prepare_keras(net, 17, feeds)
    return net, feeds


class Spectrogram(tf.Module):
    """Keyword-spotting front end: STFT (256-sample Hann frames, hop 128), magnitude,
    20 mel bands, log; then a 3x3 conv, global pooling and a 6-class softmax."""

    def __init__(self):
        super().__init__()
        rng = np.random.default_rng(28)
        self.mel = tf.signal.linear_to_mel_weight_matrix(20, 129, 4000.0, 20.0, 2000.0)
        self.conv_w = _const(rng, [3, 3, 1, 8])
        self.conv_b = _const(rng, [8], 0.1)
        self.dense_w = _const(rng, [8, 6])

    @tf.function(input_signature=[spec([1, 4000])])
    def classify(self, waveform):
        stft = tf.signal.stft(waveform, frame_length=256, frame_step=128, fft_length=256)
        log_mel = tf.math.log(tf.tensordot(tf.abs(stft), self.mel, 1) + 1e-6)
        x = tf.nn.relu(tf.nn.conv2d(log_mel[..., tf.newaxis], self.conv_w, 1, "SAME")
                       + self.conv_b)
        logits = tf.matmul(tf.reduce_mean(x, axis=[1, 2]), self.dense_w)
        return {"log_mel": log_mel, "probabilities": tf.nn.softmax(logits),
                "real": tf.math.real(stft)[:, :4, :8], "imag": tf.math.imag(stft)[:, :4, :8]}


@model("audio_spectrogram.tflite",
       "Keyword-spotting model (tf.Module): tf.signal.stft (frames by GATHER, Hann window, "
       "RFFT2D), COMPLEX_ABS, REAL/IMAG, mel matrix, LOG, conv, mean, softmax; "
       "1 s at 4 kHz in [-1, 1]")
def audio_spectrogram():
    module = Spectrogram()
    content = convert_module(module, concrete(module, "classify"))
    return content, {"classify": {"waveform": feed([1, 4000], -1.0, 1.0)}}


TEXT_LEN, VOCAB = 24, 200


def _text_model(keras_module, rnn_layers, seed_value, name, width=16):
    """Embedding (``width`` features) -> rnn layers -> Dense softmax, batch 1 (a dynamic
    batch makes the converter fail on TensorList ops)."""
    tokens = keras_module.Input((TEXT_LEN,), batch_size=1, dtype="int32", name="tokens")
    x = keras_module.layers.Embedding(VOCAB, width, name="embedding")(tokens)
    for layer in rnn_layers:
        x = layer(x)
    probabilities = keras_module.layers.Dense(4, activation="softmax", name="classes")(x)
    net = keras_module.Model(tokens, probabilities, name=name)
    randomize_parameters(net, seed_value)
    return net


TEXT_FEEDS = {"serving_default": {"tokens": feed([1, TEXT_LEN], 0, VOCAB)}}


def _tf_keras():
    try:
        import tf_keras
    except ImportError:
        raise SystemExit("the LSTM models need tf-keras (Keras 2): "
                         f"pip install --no-deps tf-keras=={tf.__version__}") from None
    tf_keras.backend.clear_session()
    return tf_keras


@model("lstm_text.tflite",
       "Keras 2 (tf-keras) text classifier: Embedding -> LSTM(32, return_sequences) -> "
       "LSTM(16) -> Dense softmax; the converter fuses each LSTM into "
       "UNIDIRECTIONAL_SEQUENCE_LSTM. 24 int32 tokens < 200, batch 1")
def lstm_text():
    return convert_keras(lstm_text_net()), TEXT_FEEDS


def lstm_text_net():
    """The tf-keras model of lstm_text.tflite (its feeds: TEXT_FEEDS)."""
    k2 = _tf_keras()
    k2.utils.set_random_seed(18)
    return _text_model(k2, [k2.layers.LSTM(32, return_sequences=True, name="lstm1"),
                            k2.layers.LSTM(16, name="lstm2")], 18, "lstm_text")


@model("bilstm_text.tflite",
       "Keras 2 (tf-keras) Bidirectional(LSTM(16), concat) over an Embedding, then "
       "Dense softmax: forward and backward UNIDIRECTIONAL_SEQUENCE_LSTM with REVERSE_V2. "
       "24 int32 tokens < 200, batch 1")
def bilstm_text():
    k2 = _tf_keras()
    k2.utils.set_random_seed(19)
    net = _text_model(k2, [k2.layers.Bidirectional(k2.layers.LSTM(16), name="bilstm")], 19,
                      "bilstm_text")
    return convert_keras(net), TEXT_FEEDS


@model("gru_text.tflite",
       "Keras 3 text classifier: Embedding -> GRU(24) -> Dense softmax; the converter "
       "writes the recurrence as a WHILE loop (cond/body subgraphs). 24 int32 tokens < 200, "
       "batch 1")
def gru_text():
    fresh(20)
    net = _text_model(keras, [L.GRU(24, name="gru")], 20, "gru_text")
    return convert_keras(net), TEXT_FEEDS


@model("lstm_keras3_text.tflite",
       "Keras 3 Embedding -> LSTM(16) -> Dense softmax: with Keras 3 the converter does not "
       "fuse the LSTM; it becomes a WHILE loop. 24 int32 tokens < 200, batch 1")
def lstm_keras3_text():
    fresh(21)
    net = _text_model(keras, [L.LSTM(16, name="lstm")], 21, "lstm_keras3_text")
    return convert_keras(net), TEXT_FEEDS


@model("gru_unrolled_text.tflite",
       "Keras 3 Embedding -> GRU(16, unroll=True) -> Dense softmax: the recurrence unrolled "
       "into straight-line ops (no WHILE). 12 int32 tokens < 200, batch 1")
def gru_unrolled_text():
    fresh(22)
    tokens = keras.Input((12,), batch_size=1, dtype="int32", name="tokens")
    x = L.Embedding(VOCAB, 16, name="embedding")(tokens)
    x = L.GRU(16, unroll=True, name="gru")(x)
    net = keras.Model(tokens, L.Dense(4, activation="softmax", name="classes")(x))
    randomize_parameters(net, 22)
    return convert_keras(net), {"serving_default": {"tokens": feed([1, 12], 0, VOCAB)}}


@model("transformer_encoder.tflite",
       "Keras 3 Transformer encoder: token + position Embedding, 2 blocks of "
       "MultiHeadAttention (4 heads x 8; the second causal) + residual + LayerNormalization "
       "+ GELU feed-forward (exact and tanh-approximate), mean pooling, Dense softmax. "
       "16 int32 tokens < 200, batch 1")
def transformer_encoder():
    net, feeds = transformer_encoder_net()
    return convert_keras(net), {"serving_default": feeds}


def transformer_encoder_net():
    """(Keras model, feeds) of transformer_encoder.tflite."""
    fresh(23)
    length, width = 16, 32
    tokens = keras.Input((length,), batch_size=1, dtype="int32", name="tokens")
    positions = keras.ops.arange(length)
    x = L.Embedding(VOCAB, width, name="token_embedding")(tokens)
    x = x + L.Embedding(length, width, name="position_embedding")(positions)
    for block, approximate in ((1, False), (2, True)):
        attention = L.MultiHeadAttention(4, 8, name=f"attention{block}")(
            x, x, use_causal_mask=block == 2)
        x = L.LayerNormalization(epsilon=1e-5, name=f"norm{block}a")(x + attention)
        hidden = L.Dense(64, name=f"ff{block}_in")(x)
        hidden = L.Activation(lambda t, a=approximate: keras.activations.gelu(t, a),
                              name=f"gelu{block}")(hidden)
        x = L.LayerNormalization(epsilon=1e-5, name=f"norm{block}b")(
            x + L.Dense(width, name=f"ff{block}_out")(hidden))
    x = L.GlobalAveragePooling1D(name="pool")(x)
    probabilities = L.Dense(3, activation="softmax", name="classes")(x)
    net = keras.Model(tokens, probabilities, name="transformer_encoder")
    randomize_parameters(net, 23)
    for variable in net.weights:
        if _leaf(variable) == "embeddings":
            variable.assign(np.random.default_rng(24).normal(
                0, 1, tuple(variable.shape)).astype(np.float32))
    return net, {"tokens": feed([1, length], 0, VOCAB)}


def _const(rng, shape, scale=None):
    """Seeded weights: N(0, 1/fan_in) unless ``scale`` is given."""
    if scale is None:
        scale = 1.0 / np.sqrt(np.prod(shape[:-1]))
    return tf.constant((rng.standard_normal(shape) * scale).astype(np.float32))


class DetectionHead(tf.Module):
    """SSD-style head: 3x3 conv box/class predictors over an 8x8x16 feature map, 3 anchors
    per cell, 4 classes; box decoding, per-box class scores, top-k, hard and soft NMS."""

    ANCHORS, CLASSES, CELLS = 3, 4, 8

    def __init__(self):
        super().__init__()
        rng = np.random.default_rng(25)
        a, c, n = self.ANCHORS, self.CLASSES, self.CELLS
        self.box_w = _const(rng, [3, 3, 16, a * 4])
        self.box_b = _const(rng, [a * 4], 0.1)
        self.cls_w = _const(rng, [3, 3, 16, a * c])
        self.cls_b = _const(rng, [a * c], 0.5)
        centers = (np.arange(n) + 0.5) / n
        cy, cx = np.meshgrid(centers, centers, indexing="ij")
        sizes = np.array([0.15, 0.3, 0.5])
        anchors = np.stack([np.repeat(cy.reshape(-1), a), np.repeat(cx.reshape(-1), a),
                            np.tile(sizes, n * n), np.tile(sizes * 0.8, n * n)], axis=1)
        self.anchors = tf.constant(anchors.astype(np.float32))

    @tf.function(input_signature=[spec([1, 8, 8, 16])])
    def detect(self, features):
        c = self.CLASSES
        deltas = tf.nn.conv2d(features, self.box_w, 1, "SAME") + self.box_b
        logits = tf.nn.conv2d(features, self.cls_w, 1, "SAME") + self.cls_b
        deltas = tf.reshape(deltas, [-1, 4]) * 0.2
        logits = tf.reshape(logits, [-1, c])
        center = self.anchors[:, :2] + deltas[:, :2] * self.anchors[:, 2:]
        size = self.anchors[:, 2:] * tf.exp(deltas[:, 2:])
        boxes = tf.concat([center - size / 2, center + size / 2], axis=1)
        probabilities = tf.sigmoid(logits)
        scores = tf.reduce_max(probabilities, axis=1)
        classes = tf.argmax(probabilities, axis=1, output_type=tf.int32)
        top_scores, top_index = tf.math.top_k(scores, k=10)
        selected, valid = tf.image.non_max_suppression_padded(
            boxes, scores, max_output_size=8, iou_threshold=0.5, score_threshold=0.4,
            pad_to_max_output_size=True)
        soft_selected, soft_scores = tf.image.non_max_suppression_with_scores(
            boxes, scores, max_output_size=8, iou_threshold=0.5, score_threshold=0.3,
            soft_nms_sigma=0.5)
        return {"boxes": boxes, "classes": classes, "top_scores": top_scores,
                "top_index": top_index, "nms_index": selected, "nms_count": valid,
                "nms_boxes": tf.gather(boxes, selected),
                "soft_nms_index": soft_selected, "soft_nms_scores": soft_scores}

    @tf.function(input_signature=[spec([None, 4]), spec([None])])
    def nms(self, boxes, scores):
        selected = tf.image.non_max_suppression(boxes, scores, max_output_size=6,
                                                iou_threshold=0.3)
        padded, valid = tf.image.non_max_suppression_padded(
            boxes, scores, max_output_size=6, iou_threshold=0.6, pad_to_max_output_size=True)
        hard, hard_scores = tf.image.non_max_suppression_with_scores(
            boxes, scores, max_output_size=6, iou_threshold=0.4, score_threshold=0.2)
        return {"selected": selected, "padded": padded, "padded_count": valid,
                "hard": hard, "hard_scores": hard_scores}


@model("detection_head.tflite",
       "SSD-style detection head (tf.Module): conv predictors, RESHAPE, box decoding, "
       "CONCATENATION, LOGISTIC, ARG_MAX, TOPK_V2, NON_MAX_SUPPRESSION_V4 (padded) and _V5 "
       "(soft NMS with scores); signature `nms` runs the three tf.image NMS calls on given "
       "boxes (corner pairs in either order) and scores")
def detection_head():
    module = DetectionHead()
    content = convert_module(module, concrete(module, "detect", "nms"))
    return content, {"detect": {"features": feed([1, 8, 8, 16])},
                     "nms": {"boxes": feed([40, 4], 0.0, 1.0),
                             "scores": feed([40], 0.0, 1.0)}}


class Preprocessing(tf.Module):
    """Image preprocessing inside the model: resize, pad, normalise, rearrange."""

    def __init__(self):
        super().__init__()
        rng = np.random.default_rng(26)
        self.filters = _const(rng, [3, 3, 3, 8])

    @tf.function(input_signature=[spec([1, 24, 32, 3])])
    def resize(self, image):
        v1 = tf.compat.v1.image
        return {
            "half_pixel": tf.image.resize(image, [36, 48]),
            "align_corners": v1.resize_bilinear(image, [37, 49], align_corners=True),
            "legacy": v1.resize_bilinear(image, [40, 40]),
            "down": tf.image.resize(image, [10, 13]),
            "nearest_half_pixel": tf.image.resize(image, [48, 64], method="nearest"),
            "nearest_align_corners": v1.resize_nearest_neighbor(image, [17, 23],
                                                                align_corners=True),
            "nearest_legacy": v1.resize_nearest_neighbor(image, [30, 20]),
        }

    @tf.function(input_signature=[spec([1, 24, 32, 3])])
    def classify(self, image):
        """uint8-range image -> bilinear 32x32 -> [-1, 1] -> reflect-pad conv -> features."""
        x = tf.image.resize(image, [32, 32]) / 127.5 - 1.0
        x = tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]], mode="REFLECT")
        x = tf.nn.relu(tf.nn.conv2d(x, self.filters, 1, "VALID"))
        return {"features": tf.nn.space_to_depth(x, 4)}

    @tf.function(input_signature=[spec([1, 6, 8, 4])])
    def pad(self, image):
        return {
            "zeros": tf.pad(image, [[0, 0], [1, 2], [3, 0], [0, 0]]),
            "constant": tf.pad(image, [[0, 0], [2, 2], [1, 1], [0, 1]], constant_values=-1.5),
            "reflect": tf.pad(image, [[0, 0], [2, 1], [3, 3], [0, 0]], mode="REFLECT"),
            "symmetric": tf.pad(image, [[0, 0], [3, 0], [1, 4], [1, 1]], mode="SYMMETRIC"),
        }

    @tf.function(input_signature=[spec([2, 8, 12, 8])])
    def rearrange(self, x):
        return {
            "depth_to_space": tf.nn.depth_to_space(x, 2),
            "space_to_depth": tf.nn.space_to_depth(x, 4),
            "space_to_batch": tf.space_to_batch_nd(x, [2, 3], [[1, 1], [0, 3]]),
            "batch_to_space": tf.batch_to_space(tf.reshape(x, [8, 4, 6, 8]), [2, 2],
                                                [[1, 0], [2, 1]]),
        }


@model("image_preprocessing.tflite",
       "Image preprocessing inside the model (tf.Module): bilinear and nearest resizes with "
       "half_pixel_centers / align_corners / neither, up and down; a resize + normalise + "
       "REFLECT pad + conv + SPACE_TO_DEPTH pipeline; PAD, PADV2, MIRROR_PAD; "
       "DEPTH_TO_SPACE, SPACE_TO_DEPTH, SPACE_TO_BATCH_ND, BATCH_TO_SPACE_ND")
def image_preprocessing():
    module = Preprocessing()
    content = convert_module(module, concrete(module, "resize", "classify", "pad",
                                              "rearrange"))
    pixels = feed([1, 24, 32, 3], 0.0, 255.0)
    return content, {"resize": {"image": pixels}, "classify": {"image": pixels},
                     "pad": {"image": feed([1, 6, 8, 4])},
                     "rearrange": {"x": feed([2, 8, 12, 8])}}


@model("sparse_weights.tflite",
       "Keras Conv2D -> Dense -> Dense whose kernels are ~90% zeros, converted with "
       "Optimize.EXPERIMENTAL_SPARSITY: weights stored sparse (block sparsity metadata); "
       "DENSIFY expands the conv filter, FULLY_CONNECTED reads its sparse weights directly")
def sparse_weights():
    fresh(27)
    x = keras.Input((8, 8, 16), name="features")
    h = L.Conv2D(32, 3, padding="same", activation="relu", name="conv")(x)
    h = L.Flatten(name="flatten")(L.MaxPooling2D(4, name="pool")(h))
    h = L.Dense(64, activation="relu", name="hidden")(h)
    y = L.Dense(16, name="logits")(h)
    net = keras.Model(x, y, name="sparse_weights")
    randomize_parameters(net, 27)
    rng = np.random.default_rng(27)
    for layer in (net.get_layer("conv"), net.get_layer("hidden"), net.get_layer("logits")):
        kernel = layer.kernel.numpy()
        keep = rng.random(kernel.shape[:-2] + (kernel.shape[-2] // 4, kernel.shape[-1])) < 0.1
        layer.kernel.assign(kernel * np.repeat(keep, 4, axis=-2))
    content = convert_keras(net, optimizations=[tf.lite.Optimize.EXPERIMENTAL_SPARSITY])
    return content, {"serving_default": {"features": feed([1, 8, 8, 16])}}


# ----------------------------------------------------------------------------- single ops

def op_family(cases):
    """A tf.Module with one signature per case (name, [input specs], fn, {input: feed}).

    ``fn``'s argument names become the signature's input names; it returns one tensor
    (output ``output_0``) or a dict. The tests feed 2 for every unknown dimension."""
    module = tf.Module()
    signatures, feeds = {}, {}
    for name, specs, fn, ranges in cases:
        function = tf.function(fn, input_signature=specs)
        setattr(module, name, function)
        signatures[name] = function.get_concrete_function()
        arg_names = fn.__code__.co_varnames[:fn.__code__.co_argcount]
        feeds[name] = {arg: dict(ranges.get(arg, {}),
                                 shape=[2 if d is None else d for d in s.shape])
                       for arg, s in zip(arg_names, specs)}
    return convert_module(module, signatures), feeds


def case(name, specs, fn, **ranges):
    """One signature. ``ranges`` maps an input name to ``(low, high)`` or
    ``(low, high, integers)``, the arguments of ``feed`` after the shape."""
    feeds = {}
    for input_name, args in ranges.items():
        entry = feed([], *args)
        del entry["shape"]
        feeds[input_name] = entry
    return name, specs, fn, feeds


F = tf.float32
I32 = tf.int32
POSITIVE = (0.05, 4.0)


def _conv_cases():
    rng = np.random.default_rng(30)
    w = lambda *shape: _const(rng, list(shape))  # noqa: E731
    b = lambda n: _const(rng, [n], 0.1)  # noqa: E731
    x4 = [spec([1, 11, 13, 6])]
    k3, k5, kg, k1 = w(3, 3, 6, 8), w(5, 3, 6, 4), w(3, 3, 3, 8), w(1, 1, 6, 12)
    b8, b4, b12 = b(8), b(4), b(12)
    dw1, dw2, dw3 = w(3, 3, 6, 1), w(3, 3, 6, 2), w(5, 5, 6, 1)
    bdw = b(12)
    tw, tw2, bt = w(3, 3, 5, 6), w(4, 4, 4, 6), b(5)
    k3d, k3d2, b3d = w(3, 3, 3, 4, 6), w(2, 3, 2, 4, 5), b(6)
    t3d = w(3, 3, 3, 5, 4)
    conv = tf.nn.conv2d
    return [
        case("conv2d_valid", x4, lambda x: conv(x, k3, 1, "VALID") + b8),
        case("conv2d_same_stride2_relu", x4, lambda x: tf.nn.relu(conv(x, k3, 2, "SAME") + b8)),
        case("conv2d_same_stride_2x1_relu6", x4,
             lambda x: tf.nn.relu6(conv(x, k5, [1, 2, 1, 1], "SAME") + b4)),
        case("conv2d_dilation2_same_tanh", x4,
             lambda x: tf.tanh(conv(x, k3, 1, "SAME", dilations=2) + b8)),
        case("conv2d_dilation_2x3_valid", x4,
             lambda x: conv(x, k5, 1, "VALID", dilations=[1, 2, 3, 1])),
        case("conv2d_groups2", x4, lambda x: conv(x, kg, 1, "SAME") + b8),
        case("conv2d_1x1_stride2", x4, lambda x: conv(x, k1, 2, "VALID") + b12),
        case("conv2d_explicit_padding", x4,
             lambda x: conv(x, k3, 1, [[0, 0], [2, 1], [0, 3], [0, 0]])),
        case("depthwise_same", x4,
             lambda x: tf.nn.depthwise_conv2d(x, dw1, [1, 1, 1, 1], "SAME")),
        case("depthwise_multiplier2_valid_stride2_relu6", x4,
             lambda x: tf.nn.relu6(tf.nn.depthwise_conv2d(x, dw2, [1, 2, 2, 1], "VALID")
                                   + bdw)),
        case("depthwise_dilation2_same", x4,
             lambda x: tf.nn.depthwise_conv2d(x, dw3, [1, 1, 1, 1], "SAME", dilations=[2, 2])),
        case("transpose_conv_same_stride2", x4,
             lambda x: tf.nn.conv2d_transpose(x, tw, [1, 22, 26, 5], 2, "SAME") + bt),
        case("transpose_conv_valid_stride2", x4,
             lambda x: tf.nn.conv2d_transpose(x, tw, [1, 23, 27, 5], 2, "VALID")),
        case("transpose_conv_same_stride1", x4,
             lambda x: tf.nn.relu(tf.nn.conv2d_transpose(x, tw, [1, 11, 13, 5], 1, "SAME"))),
        case("transpose_conv_kernel4_stride3", [spec([1, 5, 6, 6])],
             lambda x: tf.nn.conv2d_transpose(x, tw2, [1, 16, 19, 4], 3, "VALID")),
        case("conv3d_same", [spec([1, 5, 6, 7, 4])],
             lambda x: tf.nn.conv3d(x, k3d, [1, 1, 1, 1, 1], "SAME") + b3d),
        case("conv3d_valid_stride2", [spec([1, 6, 7, 8, 4])],
             lambda x: tf.nn.conv3d(x, k3d2, [1, 2, 1, 2, 1], "VALID")),
        case("conv3d_transpose_same_stride2", [spec([1, 3, 4, 5, 4])],
             lambda x: tf.nn.conv3d_transpose(x, t3d, [1, 6, 8, 10, 5], [1, 2, 2, 2, 1],
                                              "SAME")),
    ]


def _pool_cases():
    x4 = [spec([1, 11, 13, 5])]
    return [
        case("average_pool_2x2_valid", x4, lambda x: tf.nn.avg_pool2d(x, 2, 2, "VALID")),
        case("average_pool_3x3_same_stride1", x4, lambda x: tf.nn.avg_pool2d(x, 3, 1, "SAME")),
        case("average_pool_3x2_same_stride2_relu", x4,
             lambda x: tf.nn.relu(tf.nn.avg_pool2d(x, [3, 2], 2, "SAME"))),
        case("max_pool_2x2_valid", x4, lambda x: tf.nn.max_pool2d(x, 2, 2, "VALID")),
        case("max_pool_3x3_same_stride2", x4, lambda x: tf.nn.max_pool2d(x, 3, 2, "SAME")),
        case("max_pool_2x4_valid_stride_1x3", x4,
             lambda x: tf.nn.max_pool2d(x, [2, 4], [1, 3], "VALID")),
        case("global_average", x4, lambda x: tf.reduce_mean(x, axis=[1, 2])),
    ]


def _unary_cases():
    x = [spec([2, 3, 5])]
    x4 = [spec([1, 4, 5, 8])]
    return [
        case("abs", x, lambda x: tf.abs(x)),
        case("ceil", x, lambda x: tf.math.ceil(x * 3.0)),
        case("floor", x, lambda x: tf.math.floor(x * 3.0)),
        case("round", x, lambda x: tf.round(x * 3.0)),
        case("cos", x, lambda x: tf.cos(x), x=(-6.0, 6.0)),
        case("sin", x, lambda x: tf.sin(x), x=(-6.0, 6.0)),
        case("exp", x, lambda x: tf.exp(x), x=(-5.0, 5.0)),
        case("log", x, lambda x: tf.math.log(x), x=POSITIVE),
        case("neg", x, lambda x: -x),
        case("rsqrt", x, lambda x: tf.math.rsqrt(x), x=POSITIVE),
        case("sqrt", x, lambda x: tf.sqrt(x), x=(0.0, 4.0)),
        case("square", x, lambda x: tf.square(x)),
        case("sign", x, lambda x: tf.sign(x), x=(-2, 3, True)),
        case("elu", x, lambda x: tf.nn.elu(x)),
        case("leaky_relu_0_2", x, lambda x: tf.nn.leaky_relu(x, 0.2)),
        case("leaky_relu_0_01", x, lambda x: tf.nn.leaky_relu(x, 0.01)),
        case("relu", x, lambda x: tf.nn.relu(x)),
        case("relu6", x, lambda x: tf.nn.relu6(x * 4.0)),
        case("relu_n1_to_1", x, lambda x: tf.minimum(tf.maximum(x, -1.0), 1.0)),
        case("hard_swish", x, lambda x: x * tf.nn.relu6(x + 3.0) / 6.0, x=(-5.0, 5.0)),
        case("gelu_exact", x, lambda x: tf.nn.gelu(x, approximate=False)),
        case("gelu_tanh", x, lambda x: tf.nn.gelu(x, approximate=True)),
        case("logistic", x, lambda x: tf.sigmoid(x * 4.0)),
        case("tanh", x, lambda x: tf.tanh(x * 2.0)),
        case("softmax_last_axis", x, lambda x: tf.nn.softmax(x * 3.0)),
        case("softmax_4d", x4, lambda x: tf.nn.softmax(x)),
        case("log_softmax", x, lambda x: tf.nn.log_softmax(x * 3.0)),
        case("l2_normalize", x, lambda x: tf.math.l2_normalize(x, axis=-1)),
        case("lrn_defaults", x4, lambda x: tf.nn.local_response_normalization(x)),
        case("lrn_radius2", x4,
             lambda x: tf.nn.local_response_normalization(x, 2, bias=2.0, alpha=0.1, beta=0.75)),
        case("cumsum_axis1", x, lambda x: tf.cumsum(x, axis=1)),
        case("cumsum_exclusive_reverse", x,
             lambda x: tf.cumsum(x, axis=-1, exclusive=True, reverse=True)),
        case("zeros_like", [spec([None, 3])], lambda x: tf.zeros_like(x) + 0.0),
        case("cast_float_to_int32", x, lambda x: tf.cast(x * 10.0, tf.int32)),
    ]


def _binary_cases():
    x, y = spec([2, 3, 5]), spec([2, 3, 5])
    row = spec([5])
    xi, yi = spec([2, 6], I32), spec([2, 6], I32)
    cond = spec([2, 3, 5], tf.bool)
    return [
        case("add_broadcast_relu", [x, spec([3, 1])], lambda x, y: tf.nn.relu(x + y)),
        case("mul_broadcast_4d", [spec([2, 1, 4, 3]), spec([3, 1, 3])], lambda x, y: x * y),
        case("div_broadcast", [x, row], lambda x, y: x / y, y=(0.5, 2.0)),
        case("sub_broadcast_5d", [spec([2, 1, 3, 1, 2]), spec([1, 4, 1, 2, 2])],
             lambda x, y: x - y),
        case("pow", [x, y], lambda x, y: tf.pow(x, y), x=(0.1, 3.0), y=(-2.0, 2.0)),
        case("pow_int", [xi, yi], lambda x, y: tf.pow(x, y), x=(-3, 4), y=(0, 4)),
        case("maximum", [x, y], lambda x, y: tf.maximum(x, y)),
        case("minimum_broadcast", [x, row], lambda x, y: tf.minimum(x, y)),
        case("floor_div", [x, y], lambda x, y: tf.math.floordiv(x, y), y=(0.3, 2.0)),
        case("floor_div_negative", [x, y], lambda x, y: tf.math.floordiv(x, y),
             y=(-2.0, -0.3)),
        case("floor_mod", [x, y], lambda x, y: tf.math.floormod(x, y), y=(0.3, 2.0)),
        case("floor_mod_negative", [x, y], lambda x, y: tf.math.floormod(x, y),
             y=(-2.0, -0.3)),
        case("floor_div_int", [xi, yi], lambda x, y: tf.math.floordiv(x, y),
             x=(-20, 20), y=(1, 6)),
        case("floor_mod_int", [xi, yi], lambda x, y: tf.math.floormod(x, y),
             x=(-20, 20), y=(-6, -1)),
        case("squared_difference", [x, row], lambda x, y: tf.math.squared_difference(x, y)),
        case("atan2", [x, y], lambda x, y: tf.atan2(x, y)),
        case("add_n", [x, y, spec([2, 3, 5])], lambda x, y, z: tf.add_n([x, y, z])),
        case("equal", [x, y], lambda x, y: tf.equal(x, y), x=(-2, 2, True), y=(-2, 2, True)),
        case("not_equal", [x, row], lambda x, y: tf.not_equal(x, y),
             x=(-2, 2, True), y=(-2, 2, True)),
        case("less", [x, y], lambda x, y: tf.less(x, y)),
        case("less_equal", [x, y], lambda x, y: tf.less_equal(x, y),
             x=(-2, 2, True), y=(-2, 2, True)),
        case("greater", [x, row], lambda x, y: tf.greater(x, y)),
        case("greater_equal_int", [xi, yi], lambda x, y: tf.greater_equal(x, y)),
        case("logical_ops", [cond, spec([5], tf.bool)],
             lambda a, b: {"and": tf.logical_and(a, b), "or": tf.logical_or(a, b),
                           "not": tf.logical_not(a)}),
        case("select_v2_broadcast", [spec([3, 1], tf.bool), x, row],
             lambda c, x, y: tf.where(c, x, y)),
        case("select", [cond, x, y], lambda c, x, y: tf.compat.v1.where(c, x, y)),
    ]


def _reduce_cases():
    x = [spec([3, 4, 5])]
    b = [spec([3, 4, 5], tf.bool)]
    return [
        case("mean_axis1", x, lambda x: tf.reduce_mean(x, axis=1)),
        case("mean_axes02_keepdims", x, lambda x: tf.reduce_mean(x, axis=[0, 2], keepdims=True)),
        case("sum_last", x, lambda x: tf.reduce_sum(x, axis=-1)),
        case("sum_all_keepdims", x, lambda x: tf.reduce_sum(x, axis=[0, 1, 2], keepdims=True)),
        case("max_axis0", x, lambda x: tf.reduce_max(x, axis=0)),
        case("max_axes12_keepdims", x, lambda x: tf.reduce_max(x, axis=[1, 2], keepdims=True)),
        case("min_last", x, lambda x: tf.reduce_min(x, axis=-1)),
        case("prod_axis1", x, lambda x: tf.reduce_prod(x, axis=1)),
        case("prod_axes01_keepdims", x,
             lambda x: tf.reduce_prod(x, axis=[0, 1], keepdims=True), x=(0.5, 1.5)),
        case("any_axis1", b, lambda x: tf.reduce_any(x, axis=1)),
        case("all_last_keepdims", b, lambda x: tf.reduce_all(x, axis=-1, keepdims=True)),
        case("argmax_last", x, lambda x: tf.argmax(x, axis=-1)),
        case("argmax_axis0_int32", x, lambda x: tf.argmax(x, axis=0, output_type=tf.int32)),
        case("argmin_axis1", x, lambda x: tf.argmin(x, axis=1)),
        case("argmin_int_input", [spec([4, 6], I32)],
             lambda x: tf.argmin(x, axis=1, output_type=tf.int32), x=(-50, 50)),
        case("top_k_1", x, lambda x: tf.math.top_k(x, k=1)),
        case("top_k_3", x, lambda x: tf.math.top_k(x, k=3)),
        case("top_k_int", [spec([4, 9], I32)], lambda x: tf.math.top_k(x, k=4),
             x=(-1000, 1000)),
    ]


def _shape_cases():
    x = spec([3, 4, 5])
    x4 = spec([2, 3, 4, 5])
    rng = np.random.default_rng(32)
    nd_index = tf.constant(rng.integers(0, 3, [4, 2]).astype(np.int32))
    return [
        case("slice", [x], lambda x: tf.slice(x, [1, 0, 2], [2, -1, 3])),
        case("strided_slice_masks", [x4], lambda x: x[:, 1:, ::2, -3:]),
        case("strided_slice_shrink_new_axis", [x4], lambda x: x[1, tf.newaxis, :, 2]),
        case("strided_slice_negative_stride", [x], lambda x: x[::-1, 3:0:-2, ...]),
        case("strided_slice_ellipsis", [x4], lambda x: x[..., 1:4:2]),
        case("split_3", [spec([2, 6, 4])], lambda x: tf.split(x, 3, axis=1)),
        case("split_v", [spec([2, 7, 4])], lambda x: tf.split(x, [1, 4, -1], axis=1)),
        case("unstack_axis1", [x], lambda x: tf.unstack(x, axis=1)),
        case("stack_axis0", [x, spec([3, 4, 5])], lambda x, y: tf.stack([x, y], axis=0)),
        case("stack_last", [spec([3, 4]), spec([3, 4]), spec([3, 4])],
             lambda x, y, z: tf.stack([x, y, z], axis=-1)),
        case("concat_4d_axis3", [x4, spec([2, 3, 4, 2])],
             lambda x, y: tf.concat([x, y, x], axis=3)),
        case("tile", [spec([2, 3])], lambda x: tf.tile(x, [3, 2])),
        case("tile_4d", [spec([1, 2, 1, 3])], lambda x: tf.tile(x, [2, 1, 3, 1])),
        case("broadcast_to", [spec([3, 1])], lambda x: tf.broadcast_to(x, [2, 3, 4])),
        case("reverse_axis1", [x], lambda x: tf.reverse(x, [1])),
        case("reverse_axes12", [x], lambda x: tf.reverse(x, [1, 2])),
        case("reverse_sequence", [x, spec([3], tf.int64)],
             lambda x, lengths: tf.reverse_sequence(x, lengths, seq_axis=1, batch_axis=0),
             lengths=(0, 5)),
        case("transpose_4d", [x4], lambda x: tf.transpose(x, [0, 3, 1, 2])),
        case("transpose_5d", [spec([2, 3, 1, 4, 2])], lambda x: tf.transpose(x, [4, 2, 0, 3, 1])),
        case("squeeze_all", [spec([1, 3, 1, 4])], lambda x: tf.squeeze(x)),
        case("expand_dims_negative", [x], lambda x: tf.expand_dims(x, -2)),
        case("gather_axis1_2d_indices", [x, spec([2, 2], I32)],
             lambda x, i: tf.gather(x, i, axis=1), i=(0, 4)),
        case("gather_batch_dims1", [x, spec([3, 2], I32)],
             lambda x, i: tf.gather(x, i, axis=1, batch_dims=1), i=(0, 4)),
        case("gather_nd_const", [x], lambda x: tf.gather_nd(x, nd_index)),
        case("gather_nd", [x, spec([2, 3, 3], I32)], lambda x, i: tf.gather_nd(x, i),
             i=(0, 3)),
        case("scatter_nd", [spec([4, 1], I32), spec([4, 5])],
             lambda i, u: tf.scatter_nd(i, u, [6, 5]), i=(0, 6)),
        case("one_hot", [spec([2, 3], I32)], lambda i: tf.one_hot(i, 5), i=(-1, 6)),
        case("one_hot_axis0_values", [spec([4], I32)],
             lambda i: tf.one_hot(i, 3, on_value=2.5, off_value=-1.0, axis=0), i=(0, 3)),
        case("fill", [spec([], F)], lambda v: tf.fill([2, 3], v)),
        case("range", [spec([], F), spec([], F)], lambda start, delta: tf.range(start, 10.0,
                                                                                 delta),
             start=(-3.0, 0.0), delta=(0.5, 2.0)),
        case("shape_dynamic", [spec([None, 3, None])], lambda x: tf.shape(x)),
        case("pad_dynamic_paddings", [spec([2, 3]), spec([2, 2], I32)],
             lambda x, p: tf.pad(x, p), p=(0, 3)),
        case("matrix_diag", [spec([2, 4])], lambda x: tf.linalg.diag(x)),
        case("matrix_set_diag", [spec([2, 4, 4]), spec([2, 4])],
             lambda x, d: tf.linalg.set_diag(x, d)),
        case("segment_sum", [spec([5, 3])],
             lambda x: tf.math.segment_sum(x, tf.constant([0, 0, 1, 2, 2]))),
        case("unsorted_segment_sum", [spec([6, 2]), spec([6], I32)],
             lambda x, s: tf.math.unsorted_segment_sum(x, s, 4), s=(0, 4)),
        case("unsorted_segment_max", [spec([6, 2]), spec([6], I32)],
             lambda x, s: tf.math.unsorted_segment_max(x, s, 4), s=(0, 4)),
        case("unsorted_segment_min", [spec([6, 2]), spec([6], I32)],
             lambda x, s: tf.math.unsorted_segment_min(x, s, 4), s=(0, 4)),
        case("unsorted_segment_prod", [spec([6, 2]), spec([6], I32)],
             lambda x, s: tf.math.unsorted_segment_prod(x, s, 4), s=(0, 4)),
        case("where_condition", [spec([3, 4])], lambda x: tf.where(x > 0.0)),
        case("unique", [spec([10])], lambda x: tf.unique(x), x=(-3, 3, True)),
        case("bucketize", [spec([3, 4])],
             lambda x: tf.raw_ops.Bucketize(input=x, boundaries=[-1.0, 0.0, 0.5, 2.0])),
        case("broadcast_args", [spec([2], I32), spec([3], I32)],
             lambda s, t: tf.broadcast_dynamic_shape(s, t), s=(1, 2), t=(1, 4)),
    ]


def _matmul_cases():
    rng = np.random.default_rng(33)
    w = _const(rng, [6, 4])
    return [
        case("batch_matmul", [spec([2, 3, 6]), spec([2, 6, 4])], lambda a, b: tf.matmul(a, b)),
        case("batch_matmul_adj_x", [spec([2, 6, 3]), spec([2, 6, 4])],
             lambda a, b: tf.matmul(a, b, adjoint_a=True)),
        case("batch_matmul_adj_y", [spec([2, 3, 6]), spec([2, 4, 6])],
             lambda a, b: tf.matmul(a, b, adjoint_b=True)),
        case("batch_matmul_broadcast", [spec([2, 1, 3, 6]), spec([4, 6, 5])],
             lambda a, b: tf.matmul(a, b)),
        case("einsum_bhqd_bhkd", [spec([1, 2, 5, 4]), spec([1, 2, 7, 4])],
             lambda q, k: tf.einsum("bhqd,bhkd->bhqk", q, k)),
        case("fully_connected_no_bias", [spec([3, 6])], lambda x: tf.matmul(x, w)),
        case("fully_connected_keep_dims", [spec([2, 3, 6])],
             lambda x: tf.tensordot(x, w, axes=1)),
    ]


FAMILIES = {
    "ops_conv.tflite": ("CONV_2D (paddings, strides, dilations, groups, fused activations), "
                        "DEPTHWISE_CONV_2D (multipliers), TRANSPOSE_CONV, CONV_3D, "
                        "CONV_3D_TRANSPOSE", _conv_cases),
    "ops_pool.tflite": ("AVERAGE_POOL_2D and MAX_POOL_2D (filter sizes, strides, paddings), "
                        "global average pooling", _pool_cases),
    "ops_unary.tflite": ("elementwise unary math, activations, normalisations and CUMSUM",
                         _unary_cases),
    "ops_binary.tflite": ("binary arithmetic with broadcasting, comparisons, logical ops, "
                          "SELECT/SELECT_V2", _binary_cases),
    "ops_reduce.tflite": ("reductions (axes, keep_dims), ARG_MAX/ARG_MIN, TOPK_V2",
                          _reduce_cases),
    "ops_shape.tflite": ("slicing, splitting, stacking, tiling, reversing, gather/scatter, "
                         "one-hot, segments, dynamic-shape ops", _shape_cases),
    "ops_matmul.tflite": ("BATCH_MATMUL (adjoints, broadcasting), einsum, FULLY_CONNECTED",
                          _matmul_cases),
}


def ref_missing_op(content):
    """The first op LiteRT's reference resolver (BUILTIN_REF) has no kernel for, or None."""
    import re

    from ai_edge_litert import interpreter as litert

    try:
        litert.Interpreter(model_content=content,
                           experimental_op_resolver_type=litert.OpResolverType.BUILTIN_REF)
    except ValueError as error:
        found = re.search(r"builtin opcode '(\w+)'", str(error))
        if found:
            return found.group(1)
        raise
    return None


_SPLITS = {}


def split_family(name):
    """(file for the cases LiteRT BUILTIN_REF can run, file for the others or None).

    LiteRT resolves every op of a model when it loads it, so one op its reference resolver
    lacks (CEIL, SEGMENT_SUM...) would keep the reference kernels from checking all the
    other signatures of the file: those cases go to ``<family>_noref.tflite``, which the
    tests compare with LiteRT's default kernels only."""
    if name not in _SPLITS:
        ref_cases, noref_cases = list(FAMILIES[name][1]()), []
        while True:
            content, feeds = op_family(ref_cases)
            op = ref_missing_op(content)
            if op is None:
                break
            subgraph_of = corpus._subgraph_of_signature(content)
            ops = seed.ops_by_subgraph(content)
            moving = {key for key, index in subgraph_of.items() if op in ops[index]}
            noref_cases += [c for c in ref_cases if c[0] in moving]
            ref_cases = [c for c in ref_cases if c[0] not in moving]
        _SPLITS[name] = ((content, feeds), op_family(noref_cases) if noref_cases else None)
    return _SPLITS[name]


def _register_families():
    for name, (description, _) in FAMILIES.items():
        text = "Single-op signatures (tf.Module, one TensorFlow op each): " + description
        model(name, text)(lambda name=name: split_family(name)[0])
        model(name.replace(".tflite", "_noref.tflite"),
              text + "; the cases whose op LiteRT's reference resolver (BUILTIN_REF) lacks, "
              "compared with LiteRT's default kernels only")(
            lambda name=name: split_family(name)[1])


_register_families()


# ----------------------------------------------------------------------------- report

def signature_details(content):
    """{signature: {"inputs"/"outputs": {name: (dtype, shape signature)}}} from LiteRT."""
    return corpus.describe(content)[0]


def check_in_litert(content, feeds, seed_value=0):
    """Run every signature in ai-edge-litert on the manifest's inputs; problems as text."""
    from ai_edge_litert.interpreter import Interpreter

    problems = []
    interpreter = Interpreter(model_content=content)
    rng = np.random.default_rng(seed_value)
    for key in interpreter.get_signature_list():
        runner = interpreter.get_signature_runner(key)
        details = runner.get_input_details()
        inputs = {name: random_feed(feeds[key][name], details[name]["dtype"], rng)
                  for name in details}
        try:
            outputs = runner(**inputs)
        except Exception as error:  # noqa: BLE001
            problems.append(f"{key}: LiteRT fails: {error}")
            continue
        for name, value in outputs.items():
            if value.dtype.kind == "f" and not np.isfinite(value).all():
                problems.append(f"{key}: output {name} is not finite")
    return problems


def summarize_ops(texts):
    """'OP(options) xN' for each distinct operator text, in first-seen order."""
    counts = collections.Counter(texts)
    return [f"{text} x{counts[text]}" if counts[text] > 1 else text
            for text in dict.fromkeys(texts)]


def readme(entries):
    total = sum(size for _, _, size, _ in entries)
    all_ops = sorted({op for *_, info in entries for op in info["op_names"]})
    lines = [
        "# tests/models/conformance",
        "",
        "Float conformance corpus (issue 5), written by `tools/gen_conformance_models.py` "
        f"(tensorflow-cpu {tf.__version__} with Keras {keras.__version__}, and tf-keras for "
        "the fused LSTMs; dev tools: the tests never import tensorflow). "
        "`tests/test_conformance.py` runs every signature in numlite and ai-edge-litert on "
        "the inputs `inputs.json` describes and compares the outputs. Random weights from "
        "fixed seeds (BatchNorm statistics calibrated on a random batch); regenerating gives "
        f"the same bytes. {len(entries)} files, {total} bytes in all. Shapes are shape "
        "signatures (-1 = unknown). Op lists cover every subgraph (ai-edge-litert's "
        "`_get_ops_details()` lists subgraph 0 only); `xN` counts repeats; options equal to "
        "0/false are not shown (padding is named; MIRROR_PAD without `mode` is REFLECT).",
        "",
        "`*_noref.tflite` hold the single-op cases whose op LiteRT's reference resolver "
        "(BUILTIN_REF) lacks: it refuses a whole file for one such op, so they are kept apart "
        "and compared with LiteRT's default kernels only.",
        "",
        f"Ops in the corpus ({len(all_ops)}): " + ", ".join(all_ops) + ".",
        "",
    ]
    for name, description, size, info in entries:
        lines += [f"## {name}", "", f"{description}. {size} bytes.", ""]
        for key, io in info["signatures"].items():
            ins = ", ".join(corpus._fmt_tensor(n, *v) for n, v in io["inputs"].items())
            outs = ", ".join(corpus._fmt_tensor(n, *v) for n, v in io["outputs"].items())
            index = info["sig_subgraph"][key]
            lines.append(f"* `{key}` (subgraph {index}): {ins} -> {outs}")
            lines.append(f"  * ops: {', '.join(summarize_ops(info['ops'][index])) or '(none)'}")
        for index in range(len(info["ops"])):
            if index not in info["sig_subgraph"].values():
                lines.append(f"* subgraph {index} (no signature): ops "
                             f"{', '.join(summarize_ops(info['ops'][index]))}")
        lines.append("")
    return "\n".join(lines)


_PADDED = ("CONV_2D", "DEPTHWISE_CONV_2D", "TRANSPOSE_CONV", "CONV_3D", "CONV_3D_TRANSPOSE",
           "AVERAGE_POOL_2D", "MAX_POOL_2D", "L2_POOL_2D")


def _with_padding_names(text):
    """gen_test_models' option texts omit zero fields: name the padding (0 = SAME)."""
    name = text.split("(")[0]
    if name not in _PADDED:
        return text
    if "padding=1" in text:
        return text.replace("padding=1", "padding=VALID")
    return text.replace("(", "(padding=SAME, ", 1) if "(" in text else f"{text}(padding=SAME)"


def describe_model(content):
    signatures, ops, sig_subgraph, _ = corpus.describe(content)
    ops = [[_with_padding_names(text) for text in subgraph] for subgraph in ops]
    return {"signatures": signatures, "ops": ops, "sig_subgraph": sig_subgraph,
            "op_names": seed.ops_of(content)}


def main(argv=None):
    parser = corpus_cli.command_line(__doc__, OUT)
    parser.add_argument("--check", action="store_true",
                        help="run every signature in ai-edge-litert on the manifest inputs")
    args = corpus_cli.parse(parser, argv)
    manifest = corpus_cli.load_manifest(args.out)
    entries, failures = [], []
    for name, (build, description) in MODELS.items():
        if args.only and name not in args.only:
            continue
        built = build()
        if built is None:  # a family with no _noref cases
            (args.out / name).unlink(missing_ok=True)
            manifest.pop(name, None)
            continue
        content, feeds = built
        content = bytes(content)
        if len(content) > MAX_BYTES:
            failures.append(f"{name}: {len(content)} bytes > {MAX_BYTES}")
        (args.out / name).write_bytes(content)
        manifest[name] = feeds
        info = describe_model(content)
        expected = {key: sorted(io["inputs"]) for key, io in info["signatures"].items()}
        if expected != {key: sorted(inputs) for key, inputs in feeds.items()}:
            failures.append(f"{name}: feeds {feeds} do not match the signatures' inputs "
                            f"{expected}")
        entries.append((name, description, len(content), info))
        print(f"{name}: {len(content)} bytes, ops {info['op_names']}")
        for key, io in info["signatures"].items():
            print(f"  {key}: {io['inputs']} -> {io['outputs']}")
        if args.check:
            failures += [f"{name}: {p}" for p in check_in_litert(content, feeds)]
    corpus_cli.save_manifest(args.out, manifest, MODELS)
    total = sum(size for _, _, size, _ in entries)
    if not args.only and total > MAX_TOTAL:
        failures.append(f"corpus: {total} bytes > {MAX_TOTAL}")
    return corpus_cli.finish(args, lambda: readme(entries), failures)


if __name__ == "__main__":
    sys.exit(main())
