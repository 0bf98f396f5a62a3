"""The "Signatures in TensorFlow Lite" guide on numlite, and signature runners vs LiteRT.

The seed models (examples/models/) hold the guide's three conversions: the
SavedModel with `encode`/`decode` (Select TF ops AsString/StringToNumber), the
Keras Dense model, and the same functions converted as concrete functions.
LiteRT without a Flex delegate cannot run the first and last, so their outputs
are checked against the guide's printed results; models LiteRT can run (mlp,
multi_signature, keras_dense, fp16_weights) are compared live on random inputs
of several batch sizes, through signature runners that resize automatically.
"""

import pathlib
import subprocess
import sys

import numpy as np
import pytest

import numlite
from ai_edge_litert import interpreter as litert

ROOT = pathlib.Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "models"
MODELS = ROOT / "tests" / "models"

# What the guide prints (its rendering adds a space before the last brace).
CODING_SIGNATURES = ("{'decode': {'inputs': ['x'], 'outputs': ['decoded_result']}, "
                     "'encode': {'inputs': ['x'], 'outputs': ['encoded_result']}}")
KERAS_SIGNATURES = "{'serving_default': {'inputs': ['keras_tensor'], 'outputs': ['output_0']}}"
SEED_SIGNATURES = {
    "encode_decode.tflite": CODING_SIGNATURES,
    "keras_dense.tflite": KERAS_SIGNATURES,
    "encode_decode_concrete.tflite": CODING_SIGNATURES,
}
CODING_MODELS = ["encode_decode.tflite", "encode_decode_concrete.tflite"]


def _path(name):
    return EXAMPLES / name if (EXAMPLES / name).exists() else MODELS / name


# ----------------------------------------------------------------------------- the guide

@pytest.mark.parametrize("name", list(SEED_SIGNATURES))
def test_seed_signature_lists(name):
    interpreter = numlite.Interpreter(model_path=str(_path(name)))
    assert str(interpreter.get_signature_list()) == SEED_SIGNATURES[name]


@pytest.mark.parametrize("name", list(SEED_SIGNATURES))
def test_seed_signature_lists_match_litert(name):
    ours = numlite.Interpreter(model_path=str(_path(name)))
    theirs = litert.Interpreter(model_path=str(_path(name)))
    assert repr(ours.get_signature_list()) == repr(theirs.get_signature_list())
    assert repr(ours._get_full_signature_list()) == repr(theirs._get_full_signature_list())


@pytest.mark.parametrize("name", CODING_MODELS)
def test_guide_run_signatures(name):
    with open(_path(name), "rb") as f:
        tflite_model = f.read()
    interpreter = numlite.Interpreter(model_content=tflite_model)
    assert str(interpreter.get_signature_list()) == CODING_SIGNATURES
    encode = interpreter.get_signature_runner("encode")
    decode = interpreter.get_signature_runner("decode")
    encoded = encode(x=np.array([1, 2, 3], dtype=np.float32))
    assert repr(encoded) == ("{'encoded_result': array([b'1.000000', b'2.000000', "
                             "b'3.000000'], dtype=object)}")
    expected = np.array([b"1.000000", b"2.000000", b"3.000000"], dtype=object)
    assert encoded["encoded_result"].dtype == object
    np.testing.assert_array_equal(encoded["encoded_result"], expected)
    decoded = decode(x=encoded["encoded_result"])
    assert repr(decoded) == "{'decoded_result': array([1., 2., 3.], dtype=float32)}"
    assert decoded["decoded_result"].dtype == np.float32


def test_guide_example_script():
    """examples/python/signatures.py prints what the guide prints."""
    proc = subprocess.run([sys.executable, str(ROOT / "examples" / "python" / "signatures.py")],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines == [
        "== From Saved Model ==", CODING_SIGNATURES,
        "== From Keras Model ==", KERAS_SIGNATURES,
        "== From Concrete Functions ==", CODING_SIGNATURES,
        "== Run Signatures ==",
        "Signature: " + CODING_SIGNATURES,
        "Input: [1. 2. 3.]",
        "Encoded result: {'encoded_result': array([b'1.000000', b'2.000000', b'3.000000'], "
        "dtype=object)}",
        "Decoded result: {'decoded_result': array([1., 2., 3.], dtype=float32)}",
    ]


@pytest.mark.parametrize("name", CODING_MODELS)
def test_encode_decode_round_trip(name):
    interpreter = numlite.Interpreter(model_path=str(_path(name)))
    encode = interpreter.get_signature_runner("encode")
    decode = interpreter.get_signature_runner("decode")
    rng = np.random.default_rng(7)
    for n in (1, 5, 0, 17, 2):
        x = np.round(rng.uniform(-1000, 1000, n), 3).astype(np.float32)
        text = encode(x=x)["encoded_result"]
        assert text.shape == (n,) and text.dtype == object
        assert text.tolist() == [b"%f" % v for v in x.astype(np.float64)]
        back = decode(x=text)["decoded_result"]
        assert back.dtype == np.float32 and back.shape == (n,)
        np.testing.assert_allclose(back, x, rtol=1e-6, atol=1e-6)
    # strings of every kind numpy offers, and decode with its own output again
    for words in (np.array(["1.5", "-2", " 3e2 "]), np.array([b"1.5", b"-2", b" 3e2 "]),
                  np.array(["1.5", b"-2", " 3e2 "], dtype=object)):
        np.testing.assert_array_equal(decode(x=words)["decoded_result"],
                                      np.array([1.5, -2, 300], np.float32))


@pytest.mark.parametrize("name", CODING_MODELS)
def test_coding_runner_errors(name):
    interpreter = numlite.Interpreter(model_path=str(_path(name)))
    encode = interpreter.get_signature_runner("encode")
    decode = interpreter.get_signature_runner("decode")
    with pytest.raises(ValueError, match=r"^Cannot set tensor: Got value of type FLOAT64 but "
                                         r"expected type FLOAT32 for input 0, name: \S+ $"):
        encode(x=np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match=r"^Cannot set tensor: Got value of type FLOAT32 but "
                                         r"expected type STRING for input 0, name: \S+ $"):
        decode(x=np.array([1.0], np.float32))
    with pytest.raises(ValueError, match=r"^Invalid number of inputs provided for running a "
                                         r"SignatureDef, expected 1 vs provided 2$"):
        encode(x=np.ones(1, np.float32), y=np.ones(1, np.float32))
    with pytest.raises(ValueError, match=r"^Invalid Input name \(y\) for SignatureDef$"):
        decode(y=np.array([b"1"]))
    with pytest.raises(AttributeError):
        encode(x=[1.0, 2.0])      # LiteRT reads value.shape
    with pytest.raises(RuntimeError, match="could not correctly convert string: abc"):
        decode(x=np.array([b"abc"]))
    # the runners still work after errors
    assert decode(x=np.array([b"4"]))["decoded_result"].tolist() == [4.0]


def test_several_signatures_share_one_interpreter():
    interpreter = numlite.Interpreter(model_path=str(_path("encode_decode.tflite")))
    runners = {key: interpreter.get_signature_runner(key) for key in ("encode", "decode")}
    again = interpreter.get_signature_runner("encode")
    for n in (3, 1, 4):
        x = np.arange(n, dtype=np.float32) * 1.5
        text = runners["encode"](x=x)["encoded_result"]
        assert again(x=x)["encoded_result"].tolist() == text.tolist()
        np.testing.assert_array_equal(runners["decode"](x=text)["decoded_result"], x)
    # numlite does not copy LiteRT's refusal to allocate/invoke while a runner is alive
    # (subgraph 0 is `decode`, the first signature in the file, last run with 4 strings)
    assert interpreter.get_input_details()[0]["shape"].tolist() == [4]
    interpreter.resize_tensor_input(interpreter.get_input_details()[0]["index"], [1])
    interpreter.allocate_tensors()
    interpreter.set_tensor(interpreter.get_input_details()[0]["index"], np.array([b"2.5"]))
    interpreter.invoke()
    out = interpreter.get_tensor(interpreter.get_output_details()[0]["index"])
    assert out.tolist() == [2.5]
    assert runners["decode"](x=np.array([b"7"]))["decoded_result"].tolist() == [7.0]


def test_keras_dense_signature():
    interpreter = numlite.Interpreter(model_path=str(_path("keras_dense.tflite")))
    assert interpreter.get_signature_list() == {
        "serving_default": {"inputs": ["keras_tensor"], "outputs": ["output_0"]}}
    runner = interpreter.get_signature_runner()
    details = runner.get_input_details()["keras_tensor"]
    assert details["shape_signature"].tolist() == [-1, 4]
    out = runner(keras_tensor=np.ones((3, 4), np.float32))
    assert list(out) == ["output_0"] and out["output_0"].shape == (3, 1)
    assert (out["output_0"] >= 0).all()      # relu


# ----------------------------------------------------------------------------- vs LiteRT

def _input(rng, detail, batch):
    shape = [batch if d == -1 else d for d in detail["shape_signature"].tolist()]
    dtype = np.dtype(detail["dtype"])
    if dtype.kind in "iu":    # small non-negative: valid gather indices, no overflow
        return rng.integers(0, max(1, min(batch, 2)), shape).astype(dtype)
    if dtype.kind == "b":
        return rng.integers(0, 2, shape).astype(bool)
    return rng.standard_normal(shape).astype(dtype)


LIVE = {
    "mlp.tflite": [1, 3, 16, 0, 2],
    "keras_dense.tflite": [1, 7, 2, 0, 5],
    "multi_signature.tflite": [1, 4, 9, 0, 3],
    "fp16_weights.tflite": [1, 8, 2, 5],
    "dtypes.tflite": [1, 3, 2],
}


@pytest.mark.parametrize("delegates", [False, True], ids=["no-delegates", "default"])
@pytest.mark.parametrize("name", list(LIVE))
def test_runner_outputs_match_litert(name, delegates):
    data = _path(name).read_bytes()
    kw = {} if delegates else {"experimental_op_resolver_type":
                               litert.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES}
    theirs = litert.Interpreter(model_content=data, **kw)
    if not delegates:
        kw = {"experimental_op_resolver_type":
              numlite.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES}
    ours = numlite.Interpreter(model_content=data, **kw)
    assert ours.get_signature_list() == theirs.get_signature_list()
    rng = np.random.default_rng(len(name))
    runners = {key: (ours.get_signature_runner(key), theirs.get_signature_runner(key))
               for key in theirs.get_signature_list()}
    for batch in LIVE[name]:
        for key, (our_runner, their_runner) in runners.items():
            feeds = {n: _input(rng, d, batch)
                     for n, d in their_runner.get_input_details().items()}
            expected = their_runner(**feeds)
            got = our_runner(**{n: v.copy() for n, v in feeds.items()})
            assert list(got) == list(expected)
            for out_name in expected:
                assert got[out_name].dtype == expected[out_name].dtype
                assert got[out_name].shape == expected[out_name].shape, (key, batch, out_name)
                np.testing.assert_allclose(got[out_name], expected[out_name],
                                           rtol=2e-5, atol=2e-6, err_msg=f"{key} batch {batch}")
            # details after the call (shapes follow the resized inputs)
            for ours_d, theirs_d in ((our_runner.get_input_details(),
                                      their_runner.get_input_details()),
                                     (our_runner.get_output_details(),
                                      their_runner.get_output_details())):
                assert list(ours_d) == list(theirs_d)
                for n in theirs_d:
                    assert ours_d[n]["shape"].tolist() == theirs_d[n]["shape"].tolist()
                    assert ours_d[n]["index"] == theirs_d[n]["index"]


def test_runner_and_interpreter_api_agree():
    """A runner call and the interpreter-level API give the same result on subgraph 0."""
    data = _path("mlp.tflite").read_bytes()
    interpreter = numlite.Interpreter(model_content=data)
    x = np.random.default_rng(3).standard_normal((6, 8)).astype(np.float32)
    by_runner = interpreter.get_signature_runner()(features=x)["output_0"]
    interpreter.resize_tensor_input(0, [6, 8])
    interpreter.allocate_tensors()
    interpreter.set_tensor(0, x)
    interpreter.invoke()
    by_api = interpreter.get_tensor(interpreter.get_output_details()[0]["index"])
    np.testing.assert_array_equal(by_runner, by_api)
    np.testing.assert_allclose(by_api.sum(axis=1), 1, rtol=1e-5)   # softmax rows


def test_multi_signature_alternating_shapes():
    data = _path("multi_signature.tflite").read_bytes()
    ours = numlite.Interpreter(model_content=data)
    add, sub = ours.get_signature_runner("add"), ours.get_signature_runner("sub")
    for n in (2, 5, 1, 0, 5):
        x = np.arange(n, dtype=np.float32)
        np.testing.assert_array_equal(add(x=x, y=x * 2)["sum"], x * 3)
        d = sub(minuend=np.full((2, 3), n, np.float32), subtrahend=np.arange(3, dtype=np.float32))
        np.testing.assert_array_equal(d["difference"], n - np.arange(3) * np.ones((2, 1)))
    # the fixed-shape signature resizes like LiteRT (non-strict), e.g. to [4, 3]
    theirs = litert.Interpreter(model_content=data).get_signature_runner("sub")
    feeds = dict(minuend=np.ones((4, 3), np.float32), subtrahend=np.ones(3, np.float32))
    np.testing.assert_array_equal(sub(**feeds)["difference"], theirs(**feeds)["difference"])
