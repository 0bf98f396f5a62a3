"""On-device training with numlite: train, infer, save and restore signatures.

The model (tests/models/stateful/training.tflite, made by
tools/gen_stateful_models.py) is the TensorFlow Lite on-device training pattern:
a tf.Module whose signatures share resource variables. `train` runs one Adam
step on a batch and returns the loss, `infer` gives logits and probabilities,
`save` writes the weights to a checkpoint file (TensorFlow's Save format) and
`restore` reads them back. The variables' initial values come from the
SavedModel initializer, which the interpreter runs once, whichever signature
is called first.

    python examples/python/on_device_training.py [MODEL] [--steps N]
"""

import argparse
import pathlib
import tempfile

import numpy as np

from numlite import Interpreter

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
MODEL = ROOT / "tests" / "models" / "stateful" / "training.tflite"
CENTERS = np.array([[2, 0, 0, 1], [0, 2, 1, 0], [-1, -1, 2, 2]], np.float32)


def batch(rng, size):
    """Synthetic data: three Gaussian blobs in 4-D with one-hot labels."""
    labels = rng.integers(0, 3, size=size)
    x = CENTERS[labels] + rng.normal(scale=0.7, size=(size, 4)).astype(np.float32)
    return x.astype(np.float32), np.eye(3, dtype=np.float32)[labels]


def accuracy(interpreter, x, y):
    probabilities = interpreter.get_signature_runner("infer")(x=x)["probabilities"]
    return float(np.mean(probabilities.argmax(axis=1) == y.argmax(axis=1)))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", default=str(MODEL))
    parser.add_argument("--steps", type=int, default=30)
    args = parser.parse_args(argv)

    interpreter = Interpreter(model_path=args.model)
    print("Signatures:", interpreter.get_signature_list())
    train = interpreter.get_signature_runner("train")

    rng = np.random.default_rng(0)
    test_x, test_y = batch(np.random.default_rng(1), 200)
    print(f"Accuracy before training: {accuracy(interpreter, test_x, test_y):.2f}")
    for step in range(1, args.steps + 1):
        x, y = batch(rng, 32)
        loss = train(x=x, y=y)["loss"]
        if step == 1 or step % 5 == 0:
            print(f"step {step:3d}  loss {float(loss):.4f}")
    trained_accuracy = accuracy(interpreter, test_x, test_y)
    print(f"Accuracy after training: {trained_accuracy:.2f}")

    with tempfile.TemporaryDirectory() as tmp:
        checkpoint = str(pathlib.Path(tmp) / "model.ckpt")
        # The checkpoint path is a scalar string tensor.
        interpreter.get_signature_runner("save")(
            checkpoint_path=np.array(checkpoint, dtype=np.bytes_))
        print("Saved the weights to", checkpoint)

        fresh = Interpreter(model_path=args.model)
        print(f"A fresh interpreter's accuracy: {accuracy(fresh, test_x, test_y):.2f}")
        restored = fresh.get_signature_runner("restore")(
            checkpoint_path=np.array(checkpoint, dtype=np.bytes_))
        print("Restored:", {name: value.shape for name, value in sorted(restored.items())})
        restored_accuracy = accuracy(fresh, test_x, test_y)
        print(f"Its accuracy after restore: {restored_accuracy:.2f}")
    assert restored_accuracy == trained_accuracy


if __name__ == "__main__":
    main()
