"""numlite interpreters shared by Python threads.

LiteRT's interpreter is not thread-safe; numlite serialises every public call
on an interpreter lock, so one Interpreter or SignatureRunner may be shared by
threads. Each thread feeds distinct inputs (and different batch sizes, so
calls resize and re-allocate under each other) and checks every result.
"""

import sys
import threading
from pathlib import Path

import numpy as np
import pytest

import numlite
from builder import T, single_op

MODELS = Path(__file__).resolve().parent / "models"
THREADS = 8
CALLS = 200

# x [-1, 3] + y [3]: results are exact, so every call can be checked precisely
ADD = single_op("ADD", [T([None, 3], np.float32, name="x"), T([3], np.float32, name="y")],
                [T([None, 3], np.float32, name="out")], options={})


@pytest.fixture(autouse=True)
def frequent_switches():
    """Switch threads every 10 us instead of 5 ms so that races show up."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    yield
    sys.setswitchinterval(previous)


def run_threads(target, count=THREADS):
    """Start ``count`` threads on ``target(thread_index)`` together; re-raise the first error."""
    barrier = threading.Barrier(count)
    errors = []

    def body(t):
        try:
            barrier.wait(timeout=30)
            target(t)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append((t, e))
    threads = [threading.Thread(target=body, args=(t,), daemon=True) for t in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
        assert not thread.is_alive(), "a thread hung"
    if errors:
        t, e = errors[0]
        raise AssertionError(f"thread {t} failed ({len(errors)} threads failed)") from e


def _feeds(t, i):
    batch = 1 + (t + i) % 4                       # shapes change from call to call
    x = np.full((batch, 3), t * 1000 + i, np.float32) + np.arange(3, dtype=np.float32)
    y = np.array([t, i, -t - i], np.float32) / 8
    return x, y


def test_shared_signature_runner():
    interpreter = numlite.Interpreter(model_content=ADD)
    runner = interpreter.get_signature_runner()
    done = [0] * THREADS

    def work(t):
        for i in range(CALLS):
            x, y = _feeds(t, i)
            out = runner(x=x, y=y)
            assert list(out) == ["out"]
            np.testing.assert_array_equal(out["out"], x + y, err_msg=f"thread {t} call {i}")
            done[t] += 1
    run_threads(work)
    assert done == [CALLS] * THREADS


def test_shared_interpreter_own_runners():
    interpreter = numlite.Interpreter(model_path=str(MODELS / "multi_signature.tflite"))

    def work(t):
        add = interpreter.get_signature_runner("add")
        sub = interpreter.get_signature_runner("sub")
        for i in range(CALLS // 2):
            n = (t + i) % 5
            x = np.arange(n, dtype=np.float32) + t
            y = np.full(n, i, np.float32)
            np.testing.assert_array_equal(add(x=x, y=y)["sum"], x + y)
            m = np.full((2, 3), t * 100 + i, np.float32)
            s = np.array([1, 2, 3], np.float32) * t
            np.testing.assert_array_equal(sub(minuend=m, subtrahend=s)["difference"], m - s)
    run_threads(work)


def test_shared_runner_mlp_matches_sequential():
    data = (MODELS / "mlp.tflite").read_bytes()
    reference = numlite.Interpreter(model_content=data).get_signature_runner()
    rng = np.random.default_rng(5)
    inputs = [[rng.standard_normal((1 + (t + i) % 6, 8)).astype(np.float32)
               for i in range(CALLS // 4)] for t in range(THREADS)]
    expected = [[reference(features=x)["output_0"] for x in row] for row in inputs]
    runner = numlite.Interpreter(model_content=data).get_signature_runner()

    def work(t):
        for x, want in zip(inputs[t], expected[t]):
            got = runner(features=x)["output_0"]
            assert got.shape == want.shape
            np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)
    run_threads(work)


def test_details_read_while_running():
    """Readers of details/signatures never fail or see half-updated shapes."""
    interpreter = numlite.Interpreter(model_content=ADD)
    runner = interpreter.get_signature_runner()
    stop = threading.Event()

    def work(t):
        if t % 2:
            for i in range(CALLS):
                x, y = _feeds(t, i)
                np.testing.assert_array_equal(runner(x=x, y=y)["out"], x + y)
            return
        while not stop.is_set():
            x, y = interpreter.get_input_details()
            out, = interpreter.get_output_details()
            assert y["name"] == "y" and y["shape"].tolist() == [3]
            for d in (x, out):
                assert d["shape"].dtype == np.int32 and d["shape"].shape == (2,)
                assert d["shape"][1] == 3 and 1 <= d["shape"][0] <= 4
            for d in runner.get_output_details().values():
                assert d["shape"][0] in (1, 2, 3, 4)
            assert interpreter.get_signature_list() == {
                "serving_default": {"inputs": ["x", "y"], "outputs": ["out"]}}
            assert len(interpreter.get_tensor_details()) == 3

    def driver(t):
        try:
            work(t)
        finally:
            if t % 2:
                finished.append(t)
                if len(finished) == THREADS // 2:
                    stop.set()
    finished = []
    run_threads(driver)


def test_several_interpreters_in_parallel():
    data = (MODELS / "mlp.tflite").read_bytes()
    rng = np.random.default_rng(11)
    inputs = [rng.standard_normal((1 + t, 8)).astype(np.float32) for t in range(THREADS)]
    reference = numlite.Interpreter(model_content=data).get_signature_runner()
    expected = [reference(features=x)["output_0"] for x in inputs]

    def work(t):
        interpreter = numlite.Interpreter(model_content=data, num_threads=2)
        index = interpreter.get_input_details()[0]["index"]
        for i in range(CALLS // 4):
            x = inputs[t] if i % 2 else inputs[t][:1]
            interpreter.resize_tensor_input(index, list(x.shape))
            interpreter.allocate_tensors()
            interpreter.set_tensor(index, x)
            interpreter.invoke()
            got = interpreter.get_tensor(interpreter.get_output_details()[0]["index"])
            np.testing.assert_allclose(got, expected[t][:len(x)], rtol=1e-6, atol=1e-7)
    run_threads(work)


@pytest.mark.parametrize("name", ["encode_decode.tflite"])
def test_flex_runners_in_threads(name):
    path = Path(__file__).resolve().parent.parent / "examples" / "models" / name
    interpreter = numlite.Interpreter(model_path=str(path))
    encode = interpreter.get_signature_runner("encode")
    decode = interpreter.get_signature_runner("decode")

    def work(t):
        for i in range(CALLS // 4):
            x = np.arange(1 + (t + i) % 3, dtype=np.float32) + t * 10 + i
            text = encode(x=x)["encoded_result"]
            assert text.tolist() == [b"%f" % v for v in x.astype(np.float64)]
            np.testing.assert_array_equal(decode(x=text)["decoded_result"], x)
    run_threads(work)
