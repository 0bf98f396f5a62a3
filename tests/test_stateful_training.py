"""On-device training (tests/models/stateful/training.tflite) and TensorFlow checkpoints.

The model (tools/gen_stateful_models.py) has signatures train / infer / save /
restore over shared resource variables initialised by CALL_ONCE. train and
infer are compared step by step with ai_edge_litert on the same batches; save
and restore use the Select TF ops Save/Restore, which no pip LiteRT can run,
so they are checked against TensorFlow instead: training_tf.ckpt was written by
TensorFlow's own Save kernel and training_expected.json holds what TensorFlow
computed (losses, weights, infer outputs).
"""

import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import numlite
from ai_edge_litert import interpreter as litert
from differential import assert_same
from numlite.model import types
from numlite.ops import checkpoint

ROOT = pathlib.Path(__file__).resolve().parent.parent
MODELS = ROOT / "tests" / "models" / "stateful"
MODEL = (MODELS / "training.tflite").read_bytes()
TF_CKPT = MODELS / "training_tf.ckpt"
EXPECTED = json.loads((MODELS / "training_expected.json").read_text())
WEIGHTS = ("w1", "b1", "w2", "b2")
CENTERS = np.array([[2, 0, 0, 1], [0, 2, 1, 0], [-1, -1, 2, 2]], np.float32)
# Adam on 16-sample batches: float32 rounding differences (summation order) stay tiny
TOLERANCE = dict(rtol=1e-5, atol=1e-6)


def synthetic_batch(rng, batch):
    """The generator's data: three Gaussian blobs in 4-D, one-hot labels."""
    labels = rng.integers(0, 3, size=batch)
    x = CENTERS[labels] + rng.normal(scale=0.7, size=(batch, 4)).astype(np.float32)
    return x.astype(np.float32), np.eye(3, dtype=np.float32)[labels]


def path_tensor(path):
    return np.array(str(path).encode(), dtype=object)


def litert_interpreter():
    return litert.Interpreter(model_content=MODEL,
                              experimental_op_resolver_type=litert.OpResolverType.BUILTIN_REF)


def test_signatures():
    interpreter = numlite.Interpreter(model_content=MODEL)
    assert interpreter.get_signature_list() == litert_interpreter().get_signature_list()


def test_train_steps_match_litert_and_loss_goes_down():
    ours = numlite.Interpreter(model_content=MODEL)
    theirs = litert_interpreter()
    rng = np.random.default_rng(11)
    probe = synthetic_batch(np.random.default_rng(12), 5)[0]
    losses = []
    for step, batch in enumerate([16, 16, 8, 32, 16, 1, 16, 16, 24, 16, 16, 16]):
        x, y = synthetic_batch(rng, batch)
        got = ours.get_signature_runner("train")(x=x, y=y)["loss"]
        want = theirs.get_signature_runner("train")(x=x, y=y)["loss"]
        assert_same(got, want, **TOLERANCE, what=f"loss of step {step}")
        losses.append(float(got))
        if step % 4 == 3:           # infer between steps sees the same weights
            for name, value in ours.get_signature_runner("infer")(x=probe).items():
                expected = theirs.get_signature_runner("infer")(x=probe)[name]
                assert_same(value, expected, **TOLERANCE, what=f"infer {name} after {step}")
    assert np.mean(losses[-4:]) < 0.5 * np.mean(losses[:4]), losses


def test_train_matches_tensorflow_losses():
    interpreter = numlite.Interpreter(model_content=MODEL)
    rng = np.random.default_rng(EXPECTED["data_seed"])
    train = interpreter.get_signature_runner("train")
    for step, expected in enumerate(EXPECTED["tf_losses"]):
        x, y = synthetic_batch(rng, EXPECTED["batch"])
        np.testing.assert_allclose(train(x=x, y=y)["loss"], expected, rtol=1e-5,
                                   err_msg=f"step {step}")


def test_save_then_restore_in_a_fresh_interpreter(tmp_path):
    trained = numlite.Interpreter(model_content=MODEL)
    rng = np.random.default_rng(21)
    for _ in range(6):
        trained.get_signature_runner("train")(**dict(zip("xy", synthetic_batch(rng, 16))))
    probe = synthetic_batch(rng, 7)[0]
    expected = trained.get_signature_runner("infer")(x=probe)
    path = tmp_path / "weights.ckpt"
    out = trained.get_signature_runner("save")(checkpoint_path=path_tensor(path))
    assert out["checkpoint_path"].item() == str(path).encode()
    assert path.exists()

    fresh = numlite.Interpreter(model_content=MODEL)
    untrained = fresh.get_signature_runner("infer")(x=probe)
    assert not np.allclose(untrained["logits"], expected["logits"])
    restored = fresh.get_signature_runner("restore")(checkpoint_path=path_tensor(path))
    assert sorted(restored) == sorted(WEIGHTS)
    after = fresh.get_signature_runner("infer")(x=probe)
    for name in expected:
        np.testing.assert_array_equal(after[name], expected[name])
    # the restored weights train on from there, exactly as the saved interpreter does
    x, y = synthetic_batch(rng, 16)
    np.testing.assert_array_equal(fresh.get_signature_runner("train")(x=x, y=y)["loss"],
                                  trained.get_signature_runner("train")(x=x, y=y)["loss"])


def test_restore_a_checkpoint_written_by_tensorflow(tmp_path):
    interpreter = numlite.Interpreter(model_content=MODEL)
    restored = interpreter.get_signature_runner("restore")(checkpoint_path=path_tensor(TF_CKPT))
    for name in WEIGHTS:
        np.testing.assert_array_equal(restored[name], np.array(EXPECTED["weights"][name],
                                                               np.float32))
    result = interpreter.get_signature_runner("infer")(x=np.array(EXPECTED["probe"], np.float32))
    np.testing.assert_allclose(result["logits"], EXPECTED["tf_logits"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(result["probabilities"], EXPECTED["tf_probabilities"],
                               rtol=1e-5, atol=1e-7)
    # saving the same weights writes the bytes TensorFlow's Save wrote
    path = tmp_path / "again.ckpt"
    interpreter.get_signature_runner("save")(checkpoint_path=path_tensor(path))
    assert path.read_bytes() == TF_CKPT.read_bytes()


def test_restore_errors(tmp_path):
    interpreter = numlite.Interpreter(model_content=MODEL)
    restore = interpreter.get_signature_runner("restore")
    with pytest.raises(RuntimeError, match="Failed to find any matching files for "
                                           ".*missing.ckpt"):
        restore(checkpoint_path=path_tensor(tmp_path / "missing.ckpt"))
    other = tmp_path / "other.ckpt"
    checkpoint.write_checkpoint(str(other), [(b"unrelated", types.FLOAT32, np.ones(2, "f4"))])
    with pytest.raises(RuntimeError, match='Tensor name "[wb][12]" not found in checkpoint'):
        restore(checkpoint_path=path_tensor(other))
    junk = tmp_path / "junk.ckpt"
    junk.write_bytes(b"not a checkpoint" * 8)
    with pytest.raises(RuntimeError, match="bad magic number"):
        restore(checkpoint_path=path_tensor(junk))


def test_example_shows_the_loss_going_down():
    proc = subprocess.run([sys.executable, str(ROOT / "examples" / "python" /
                                               "on_device_training.py"), "--steps", "15"],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    losses = [float(line.split()[-1]) for line in proc.stdout.splitlines()
              if line.startswith("step")]
    assert len(losses) == 4 and losses[-1] < 0.5 * losses[0], proc.stdout
    assert "Its accuracy after restore" in proc.stdout


def test_java_example_shows_the_loss_going_down(tmp_path):
    """examples/java/OnDeviceTraining.java, compiled against numlite's Java API and run by the
    numlite-java launcher, trains, saves and restores (it throws if restore loses weights)."""
    from numlite import jvm
    api = jvm.runtime_classpath()
    source = ROOT / "examples" / "java" / "OnDeviceTraining.java"
    subprocess.run(["javac", "-cp", api, "-d", str(tmp_path), str(source)], check=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "python")}
    proc = subprocess.run([sys.executable, "-m", "numlite.jvm.launcher", "-cp",
                           os.pathsep.join([api, str(tmp_path)]), "OnDeviceTraining",
                           str(ROOT / "tests" / "models" / "stateful" / "training.tflite"), "15"],
                          capture_output=True, text=True, timeout=180, env=env, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    losses = [float(line.split()[-1]) for line in proc.stdout.splitlines()
              if line.startswith("step")]
    assert len(losses) == 4 and losses[-1] < 0.5 * losses[0], proc.stdout
    assert "Its accuracy after restore" in proc.stdout


def test_checkpoint_path_ends_at_a_nul_byte(tmp_path):
    """TFLite's Java API stores a String with a terminating NUL: the file API sees the path
    up to it, as C's would."""
    interpreter = numlite.Interpreter(model_content=MODEL)
    path = tmp_path / "nul.ckpt"
    raw = np.array(str(path).encode() + b"\0", dtype=object)
    interpreter.get_signature_runner("save")(checkpoint_path=raw)
    assert path.exists()
    fresh = numlite.Interpreter(model_content=MODEL)
    restored = fresh.get_signature_runner("restore")(checkpoint_path=raw)
    saved = interpreter.get_signature_runner("restore")(checkpoint_path=path_tensor(path))
    for name in WEIGHTS:
        np.testing.assert_array_equal(restored[name], saved[name])


# ----------------------------------------------------------------------------- the format

CASES = {
    b"f32": (types.FLOAT32, np.arange(12, dtype=np.float32).reshape(3, 4) / 7),
    b"scalar": (types.FLOAT32, np.array(-2.5, np.float32)),
    b"f64": (types.FLOAT64, np.array([1e300, -0.0, np.pi])),
    b"f16": (types.FLOAT16, np.array([1.5, -65504, 6e-8], np.float16)),
    b"i8": (types.INT8, np.array([-128, 0, 127], np.int8)),
    b"u8": (types.UINT8, np.array([0, 255], np.uint8)),
    b"i16": (types.INT16, np.array([-32768, 5], np.int16)),
    b"i32": (types.INT32, np.array([[-2**31, 2**31 - 1]], np.int32)),
    b"i64": (types.INT64, np.array([-2**63, 2**40, 0], np.int64)),
    b"bool": (types.BOOL, np.array([[True], [False]])),
    b"str": (types.STRING, np.array([b"a", b"", b"\x00\xff\xfe"], dtype=object)),
    b"c64": (types.COMPLEX64, np.array([1 + 2j, -3j], np.complex64)),
    b"empty": (types.FLOAT32, np.zeros((0, 2), np.float32)),
    b"weird \x00\xff name": (types.INT32, np.array([7], np.int32)),
    b"big": (types.FLOAT32, np.random.default_rng(0).normal(size=(200, 400)).astype("f4")),
}


def test_checkpoint_round_trip_every_dtype(tmp_path):
    path = tmp_path / "all.ckpt"
    checkpoint.write_checkpoint(str(path), [(k, t, a) for k, (t, a) in CASES.items()])
    for name, (tensor_type, array) in CASES.items():
        got = checkpoint.restore_tensor(str(path).encode(), name,
                                        checkpoint._DT_OF_TYPE[tensor_type])
        assert got.dtype == array.dtype and got.shape == array.shape, name
        if array.dtype == object:
            assert got.tolist() == array.tolist()
        else:
            np.testing.assert_array_equal(got, array)


def test_checkpoint_damage_is_detected(tmp_path):
    path = tmp_path / "w.ckpt"
    checkpoint.write_checkpoint(str(path), [(b"w", types.FLOAT32, np.ones(8, np.float32))])
    data = bytearray(path.read_bytes())
    data[40] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(Exception, match="checksum mismatch"):
        checkpoint.restore_tensor(str(path).encode(), b"w", checkpoint.DT_FLOAT)
    with pytest.raises(Exception, match="is float, expected int32"):
        good = tmp_path / "good.ckpt"
        checkpoint.write_checkpoint(str(good), [(b"w", types.FLOAT32, np.ones(2, "f4"))])
        checkpoint.restore_tensor(str(good).encode(), b"w", checkpoint.DT_INT32)


def test_checkpoint_file_pattern(tmp_path):
    checkpoint.write_checkpoint(str(tmp_path / "model-0001.ckpt"),
                                [(b"v", types.INT64, np.array([3], np.int64))])
    got = checkpoint.restore_tensor(str(tmp_path / "model-*.ckpt").encode(), b"v",
                                    checkpoint.DT_INT64)
    np.testing.assert_array_equal(got, [3])
