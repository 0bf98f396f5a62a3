"""Regenerate tests/models/stateful/: converter-made models with state and control flow.

Dev tool: needs tensorflow-cpu and ai-edge-litert; the tests only read the files it writes.

    python tools/gen_stateful_models.py [--out DIR] [--only NAME ...]

Models (all tf.Module SavedModels through TFLiteConverter.from_saved_model, resource
variables enabled):

  training.tflite    a dense classifier with signatures train / infer / save / restore
                     (on-device training: variables initialised by CALL_ONCE, Adam written
                     out with tf ops, save/restore through the Select TF ops Save/Restore)
  hashtable.tflite   two tf.lookup.StaticHashTables initialised from constants, and a call
                     counter variable that shows the initializer ran once
  variables.tflite   variables whose shape changes, shared by three signatures
  while_loop.tflite  counted loops, a loop whose variable grows every iteration
  if_else.tflite     if/else with equal and with different branch output shapes
  nested.tflite      while in while with an if inside, an if holding a while

Keras 3 variables are not usable here: the converter emits no initializer for them
(no CALL_ONCE; LiteRT then fails "variable != nullptr"), so the classifier is written
with tf.Variable and tf ops, and the loss is Keras' CategoricalCrossentropy. ReLU is
``tf.maximum(x, 0)``: ``tf.nn.relu``'s gradient becomes FlexReluGrad, which no pip
runtime can run.

It also writes
  README.md                    each file's signatures, ops per subgraph
  training_tf.ckpt             a checkpoint written by TensorFlow's own Save kernel (the
                               training module's `save` in TF eager after TF_STEPS steps)
  training_expected.json       what TensorFlow's `infer` gives with those weights, the
                               batches' seed, and the per-step losses TensorFlow computed
The generator also checks that TensorFlow's Restore reads a checkpoint written by
numlite's FlexSave kernel (numlite is imported from python/).
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
sys.path.insert(0, str(ROOT / "python"))

import corpus_cli  # noqa: E402
import gen_seed_models as seed  # noqa: E402
import gen_test_models as corpus  # noqa: E402

MAX_BYTES = 100 * 1024
MODELS = {}

_seed_attr_value = seed._attr_value


def _attr_value(value):
    """gen_seed_models' attr reader, plus list attrs (Save's T) for the README."""
    if value.WhichOneof("value") == "list":
        types = [tf.dtypes.as_dtype(t).name for t in value.list.type]
        return "[" + ", ".join(types) + "]" if types else str(list(value.list.s))
    return _seed_attr_value(value)


seed._attr_value = _attr_value

FEATURES, HIDDEN, CLASSES = 4, 8, 3
TF_STEPS = 5
DATA_SEED = 42


model = corpus_cli.registrar(MODELS)


def spec(shape, dtype=tf.float32):
    return tf.TensorSpec(shape=shape, dtype=dtype)


def convert(module, names, select_tf_ops=False):
    """SavedModel with the signatures ``names`` -> TFLite (resource variables on)."""
    signatures = {name: getattr(module, name).get_concrete_function() for name in names}
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "saved_model")
        tf.saved_model.save(module, path, signatures=signatures)
        converter = tf.lite.TFLiteConverter.from_saved_model(path)
        converter.experimental_enable_resource_variables = True
        if select_tf_ops:
            converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS,
                                                   tf.lite.OpsSet.SELECT_TF_OPS]
        return converter.convert()


# ----------------------------------------------------------------------------- training

def synthetic_batch(rng, batch):
    """Three Gaussian blobs in 4-D: (features float32[batch, 4], one-hot float32[batch, 3])."""
    labels = rng.integers(0, CLASSES, size=batch)
    centers = np.array([[2, 0, 0, 1], [0, 2, 1, 0], [-1, -1, 2, 2]], np.float32)
    x = centers[labels] + rng.normal(scale=0.7, size=(batch, FEATURES)).astype(np.float32)
    return x.astype(np.float32), np.eye(CLASSES, dtype=np.float32)[labels]


class Trainer(tf.Module):
    """A Dense(8, relu) -> Dense(3) classifier trained with Adam (written out) on softmax CE."""

    WEIGHTS = ("w1", "b1", "w2", "b2")

    def __init__(self):
        super().__init__()
        rng = np.random.default_rng(7)
        init = {"w1": rng.normal(size=(FEATURES, HIDDEN)) * 0.5, "b1": np.zeros(HIDDEN),
                "w2": rng.normal(size=(HIDDEN, CLASSES)) * 0.5, "b2": np.zeros(CLASSES)}
        for name in self.WEIGHTS:
            value = init[name].astype(np.float32)
            setattr(self, name, tf.Variable(value, name=name))
            setattr(self, f"m_{name}", tf.Variable(np.zeros_like(value), name=f"m_{name}"))
            setattr(self, f"v_{name}", tf.Variable(np.zeros_like(value), name=f"v_{name}"))
        self.step = tf.Variable(0.0, name="step")
        self.loss_fn = tf.keras.losses.CategoricalCrossentropy(from_logits=True)

    def weights(self):
        return [getattr(self, name) for name in self.WEIGHTS]

    def logits(self, x):
        hidden = tf.maximum(tf.matmul(x, self.w1) + self.b1, 0.0)
        return tf.matmul(hidden, self.w2) + self.b2

    @tf.function(input_signature=[spec([None, FEATURES]), spec([None, CLASSES])])
    def train(self, x, y):
        with tf.GradientTape() as tape:
            loss = self.loss_fn(y, self.logits(x))
        grads = tape.gradient(loss, self.weights())
        lr, beta1, beta2, eps = 0.05, 0.9, 0.999, 1e-7
        step = self.step.assign_add(1.0)
        scale = lr * tf.sqrt(1.0 - tf.pow(beta2, step)) / (1.0 - tf.pow(beta1, step))
        for name, grad in zip(self.WEIGHTS, grads):
            m, v = getattr(self, f"m_{name}"), getattr(self, f"v_{name}")
            m.assign(beta1 * m + (1.0 - beta1) * grad)
            v.assign(beta2 * v + (1.0 - beta2) * tf.square(grad))
            getattr(self, name).assign_sub(scale * m / (tf.sqrt(v) + eps))
        return {"loss": loss}

    @tf.function(input_signature=[spec([None, FEATURES])])
    def infer(self, x):
        logits = self.logits(x)
        return {"logits": logits, "probabilities": tf.nn.softmax(logits)}

    @tf.function(input_signature=[spec([], tf.string)])
    def save(self, checkpoint_path):
        tf.raw_ops.Save(filename=checkpoint_path, tensor_names=list(self.WEIGHTS),
                        data=[tf.identity(w) for w in self.weights()], name="save")
        return {"checkpoint_path": checkpoint_path}

    @tf.function(input_signature=[spec([], tf.string)])
    def restore(self, checkpoint_path):
        restored = {}
        for name, variable in zip(self.WEIGHTS, self.weights()):
            value = tf.raw_ops.Restore(file_pattern=checkpoint_path, tensor_name=name,
                                       dt=tf.float32, name="restore")
            value = tf.reshape(value, variable.shape)
            variable.assign(value)
            restored[name] = value
        return restored


def training_oracle(out):
    """Train in TF eager: per-step losses, a TF-written checkpoint, infer after it."""
    trainer = Trainer()
    rng = np.random.default_rng(DATA_SEED)
    losses = []
    for _ in range(TF_STEPS):
        x, y = synthetic_batch(rng, 16)
        losses.append(float(trainer.train(tf.constant(x), tf.constant(y))["loss"]))
    ckpt = out / "training_tf.ckpt"
    trainer.save(tf.constant(str(ckpt)))
    probe = synthetic_batch(np.random.default_rng(DATA_SEED + 1), 6)[0]
    result = trainer.infer(tf.constant(probe))
    return {
        "data_seed": DATA_SEED, "batch": 16, "steps": TF_STEPS,
        "tf_losses": losses,
        "probe_seed": DATA_SEED + 1, "probe": probe.tolist(),
        "tf_logits": result["logits"].numpy().tolist(),
        "tf_probabilities": result["probabilities"].numpy().tolist(),
        "weights": {name: getattr(trainer, name).numpy().tolist() for name in Trainer.WEIGHTS},
    }


def check_numlite_checkpoint_in_tf(content):
    """TensorFlow's Restore must read what numlite's FlexSave writes."""
    import numlite

    interpreter = numlite.Interpreter(model_content=content)
    rng = np.random.default_rng(3)
    x, y = synthetic_batch(rng, 8)
    interpreter.get_signature_runner("train")(x=x, y=y)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "numlite.ckpt")
        interpreter.get_signature_runner("save")(checkpoint_path=np.array(path.encode(),
                                                                          dtype=object))
        for name in Trainer.WEIGHTS:
            ours = interpreter.get_signature_runner("restore")(
                checkpoint_path=np.array(path.encode(), dtype=object))[name]
            theirs = tf.raw_ops.Restore(file_pattern=path, tensor_name=name,
                                        dt=tf.float32).numpy()
            if not np.array_equal(ours, theirs):
                raise AssertionError(f"TF reads {name} from numlite's checkpoint as {theirs}, "
                                     f"numlite wrote {ours}")
        reader = tf.compat.v1.train.NewCheckpointReader(path)
        names = sorted(reader.get_variable_to_shape_map())
        if names != sorted(Trainer.WEIGHTS):
            raise AssertionError(f"TF's checkpoint reader lists {names}")
    print("  TensorFlow's Restore reads numlite's checkpoint: ok")


@model("training.tflite",
       "On-device training: Dense(8, relu) -> Dense(3) with signatures train (Adam step on "
       "softmax cross-entropy, returns loss), infer, save and restore (Select TF ops "
       "Save/Restore with a checkpoint path string)")
def training():
    return convert(Trainer(), ["train", "infer", "save", "restore"], select_tf_ops=True)


# ----------------------------------------------------------------------------- hash tables

class Tables(tf.Module):
    def __init__(self):
        super().__init__()
        words = tf.constant(["the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", ""])
        ids = tf.constant([1, 2, 3, 4, 5, 6, 7, 8, 0], tf.int64)
        self.vocab = tf.lookup.StaticHashTable(
            tf.lookup.KeyValueTensorInitializer(words, ids), default_value=-1)
        self.names = tf.lookup.StaticHashTable(
            tf.lookup.KeyValueTensorInitializer(
                tf.constant([10, 20, 30, -5, 1 << 40], tf.int64),
                tf.constant(["ten", "twenty", "thirty", "minus five", "big"])),
            default_value="<unk>")
        self.calls = tf.Variable(tf.constant(0, tf.int64), name="calls")

    @tf.function(input_signature=[spec([None], tf.string)])
    def lookup(self, words):
        return {"ids": self.vocab.lookup(words), "size": self.vocab.size(),
                "calls": self.calls.assign_add(1)}

    @tf.function(input_signature=[spec([None, None], tf.int64)])
    def reverse(self, ids):
        return {"names": self.names.lookup(ids), "calls": self.calls.assign_add(1)}

    @tf.function(input_signature=[])
    def count(self):
        return {"calls": self.calls.read_value(), "names_size": self.names.size()}


@model("hashtable.tflite",
       "tf.lookup.StaticHashTable string->int64 (the empty string is a key) and "
       "int64->string, initialised from constants by the SavedModel initializer (CALL_ONCE), "
       "plus an int64 variable counting calls across signatures lookup/reverse/count")
def hashtable():
    return convert(Tables(), ["lookup", "reverse", "count"])


# ----------------------------------------------------------------------------- variables

class Variables(tf.Module):
    def __init__(self):
        super().__init__()
        self.history = tf.Variable([1.0, 2.0], shape=tf.TensorShape([None]), name="history")
        self.anything = tf.Variable([[0.5]], shape=tf.TensorShape(None), name="anything")
        self.total = tf.Variable(0.0, name="total")

    @tf.function(input_signature=[spec([None])])
    def append(self, x):
        self.history.assign(tf.concat([self.history, x], 0))
        self.total.assign_add(tf.reduce_sum(x))
        return {"history": self.history.read_value(), "total": self.total.read_value()}

    @tf.function(input_signature=[spec([None, None])])
    def replace(self, x):
        old = self.anything.read_value()
        self.anything.assign(x * 2.0)
        return {"old": old, "new": self.anything.read_value()}

    @tf.function(input_signature=[])
    def peek(self):
        return {"history": self.history.read_value(), "anything": self.anything.read_value(),
                "total": self.total.read_value()}


@model("variables.tflite",
       "Resource variables shared by signatures append/replace/peek: a [None] variable "
       "growing by concatenation, one of unknown rank replaced by any shape, a scalar sum")
def variables():
    return convert(Variables(), ["append", "replace", "peek"])


# ----------------------------------------------------------------------------- control flow

class Loops(tf.Module):
    @tf.function(input_signature=[spec([], tf.int32), spec([None])])
    def accumulate(self, n, x):
        i = tf.constant(0)
        acc = tf.zeros_like(x)
        while i < n:
            acc = acc + x * tf.cast(i, tf.float32)
            i += 1
        return {"acc": acc, "iterations": i}

    @tf.function(input_signature=[spec([], tf.int32), spec([None])])
    def grow(self, n, x):
        i = tf.constant(0)
        acc = x
        while i < n:
            tf.autograph.experimental.set_loop_options(
                shape_invariants=[(acc, tf.TensorShape([None]))])
            acc = tf.concat([acc, acc[-1:] * 2.0 + 1.0], 0)
            i += 1
        return {"acc": acc}

    @tf.function(input_signature=[spec([None, 3])])
    def until_small(self, x):
        steps = tf.constant(0)
        while tf.reduce_max(tf.abs(x)) > 1.0:
            x = x * 0.5
            steps += 1
        return {"x": x, "steps": steps}


@model("while_loop.tflite",
       "WHILE: counted loop accumulating a tensor, a loop whose variable grows every "
       "iteration (shape [None] invariant), a data-dependent loop halving until small")
def while_loop():
    return convert(Loops(), ["accumulate", "grow", "until_small"])


class Branches(tf.Module):
    @tf.function(input_signature=[spec([]), spec([None])])
    def branch(self, c, x):
        if c > 0:
            y = x * 2.0 + c
        else:
            y = x - 1.0
        return {"y": y}

    @tf.function(input_signature=[spec([], tf.bool), spec([None])])
    def reshape_branch(self, flag, x):
        if flag:
            y = tf.concat([x, x], 0)
        else:
            y = x[:1] * 3.0
        return {"y": y}


@model("if_else.tflite",
       "IF: branches with the same output shape, and branches giving different shapes "
       "(concat vs slice)")
def if_else():
    return convert(Branches(), ["branch", "reshape_branch"])


class Nested(tf.Module):
    @tf.function(input_signature=[spec([], tf.int32), spec([None])])
    def nested_loops(self, n, x):
        i = tf.constant(0)
        acc = tf.zeros_like(x)
        while i < n:
            j = tf.constant(0)
            while j < i:
                if j % 2 == 0:
                    acc = acc + x
                else:
                    acc = acc - 0.5 * x
                j += 1
            i += 1
        return {"acc": acc}

    @tf.function(input_signature=[spec([], tf.bool), spec([], tf.int32), spec([None])])
    def if_with_loop(self, flag, n, x):
        if flag:
            i = tf.constant(0)
            y = x
            while i < n:
                y = y * 1.5 + 1.0
                i += 1
        else:
            y = -x
        return {"y": y}


@model("nested.tflite",
       "Nested control flow: while in while with an if in the inner body; an if whose "
       "then-branch holds a while")
def nested():
    return convert(Nested(), ["nested_loops", "if_with_loop"])


# ----------------------------------------------------------------------------- report

def readme(entries):
    lines = [
        "# tests/models/stateful",
        "",
        "Converter-made models with state and control flow, written by "
        f"`tools/gen_stateful_models.py` (tensorflow-cpu {tf.__version__}, a dev tool: the "
        "tests never import tensorflow). Shapes are shape signatures (-1 = unknown).",
        "",
        "`training_tf.ckpt` is a checkpoint written by TensorFlow's own Save kernel (the "
        "`save` function in TF eager after training "
        f"{TF_STEPS} steps); `training_expected.json` holds TensorFlow's losses for those "
        "steps, the trained weights and `infer` on a probe batch with them.",
        "",
    ]
    for name, description, size, (signatures, ops, sig_subgraph, io_names) in entries:
        lines += [f"## {name}", "", f"{description}. {size} bytes.", ""]
        for key, io in signatures.items():
            ins = ", ".join(corpus._fmt_tensor(n, *v) for n, v in io["inputs"].items())
            outs = ", ".join(corpus._fmt_tensor(n, *v) for n, v in io["outputs"].items())
            index = sig_subgraph[key]
            lines.append(f"* signature `{key}` (subgraph {index}): {ins} -> {outs}")
            lines.append(f"  * ops: {', '.join(ops[index]) or '(none)'}")
        extra = [i for i in range(len(ops)) if i not in sig_subgraph.values()]
        for index in extra:
            lines.append(f"* subgraph {index} (no signature): ops "
                         f"{', '.join(ops[index]) or '(none)'}")
        op_names = sorted({name for sub in seed.ops_by_subgraph(entry_content[name])
                           for name in sub})
        lines += ["", f"Ops: {', '.join(op_names)}.", ""]
    return "\n".join(lines)


entry_content = {}


def main(argv=None):
    parser = corpus_cli.command_line(
        __doc__, ROOT / "tests" / "models" / "stateful",
        "generate only these files (no README; function names and table ids may differ "
        "from a full run)")
    args = corpus_cli.parse(parser, argv)
    entries, failures = [], []
    for name, (build, description) in MODELS.items():
        if args.only and name not in args.only:
            continue
        content = seed.canonical_flex_nodedefs(build())
        entry_content[name] = content
        if len(content) > MAX_BYTES:
            failures.append(f"{name}: {len(content)} bytes > {MAX_BYTES}")
        (args.out / name).write_bytes(content)
        info = corpus.describe(content)
        entries.append((name, description, len(content), info))
        print(f"{name}: {len(content)} bytes, ops {seed.ops_of(content)}")
        for key, io in info[0].items():
            print(f"  {key}: {io['inputs']} -> {io['outputs']}")
    # TensorFlow's oracles run last: the objects they create advance TF's name counters,
    # which would change the names (and hash-table ids) in models built after them
    if "training.tflite" in entry_content:
        expected = training_oracle(args.out)
        (args.out / "training_expected.json").write_text(json.dumps(expected, indent=1) + "\n")
        print(f"training.tflite: TF losses {expected['tf_losses']}")
        try:
            check_numlite_checkpoint_in_tf(entry_content["training.tflite"])
        except Exception as error:  # noqa: BLE001  (report, keep generating)
            failures.append(f"training.tflite: numlite checkpoint check: {error!r}")
    return corpus_cli.finish(args, lambda: readme(entries), failures)


if __name__ == "__main__":
    sys.exit(main())
