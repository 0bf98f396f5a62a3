"""Micro-benchmark of the spatial and recurrent kernels: numlite vs ai-edge-litert, one op each.

Each case is a single-op model (tests/builder.py); both runtimes get the same input and
the median latency of ``invoke()`` is printed with the numlite/LiteRT ratio, for LiteRT at
num_threads=1 and 2 (its default XNNPACK delegate). numpy's BLAS uses its default thread
count. Run it with the OpenBLAS overrides unset::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .venv/bin/python benchmarks/conv_kernels.py
"""

import argparse
import math
import pathlib
import statistics
import sys
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import numlite  # noqa: E402
from builder import T, Op, build_model, single_op  # noqa: E402


def _w(rng, shape, fan_in):
    return np.asarray(rng.standard_normal(shape) / math.sqrt(fan_in), np.float32)


def cases():
    rng = np.random.default_rng(0)
    same = dict(padding="SAME", stride_h=1, stride_w=1)
    yield "CONV_2D 3x3 56x56x64->64", (1, 56, 56, 64), single_op(
        "CONV_2D", [T([1, 56, 56, 64]), T([64, 3, 3, 64], data=_w(rng, (64, 3, 3, 64), 576)),
                    T([64], data=np.zeros(64, np.float32))], [T([1, 56, 56, 64])],
        options=dict(same, fused_activation_function="RELU6"))
    yield "CONV_2D 3x3 s2 224x224x3->32", (1, 224, 224, 3), single_op(
        "CONV_2D", [T([1, 224, 224, 3]), T([32, 3, 3, 3], data=_w(rng, (32, 3, 3, 3), 27)),
                    T([32], data=np.zeros(32, np.float32))], [T([1, 112, 112, 32])],
        options=dict(padding="SAME", stride_h=2, stride_w=2))
    yield "CONV_2D 1x1 28x28x96->32", (1, 28, 28, 96), single_op(
        "CONV_2D", [T([1, 28, 28, 96]), T([32, 1, 1, 96], data=_w(rng, (32, 1, 1, 96), 96)),
                    T([32], data=np.zeros(32, np.float32))], [T([1, 28, 28, 32])],
        options=same)
    yield "DEPTHWISE 3x3 56x56x144", (1, 56, 56, 144), single_op(
        "DEPTHWISE_CONV_2D", [T([1, 56, 56, 144]),
                              T([1, 3, 3, 144], data=_w(rng, (1, 3, 3, 144), 9)),
                              T([144], data=np.zeros(144, np.float32))], [T([1, 56, 56, 144])],
        options=dict(same, depth_multiplier=1, fused_activation_function="RELU6"))
    yield "DEPTHWISE 3x3 s2 112x112x96", (1, 112, 112, 96), single_op(
        "DEPTHWISE_CONV_2D", [T([1, 112, 112, 96]),
                              T([1, 3, 3, 96], data=_w(rng, (1, 3, 3, 96), 9)),
                              T([96], data=np.zeros(96, np.float32))], [T([1, 56, 56, 96])],
        options=dict(padding="SAME", stride_h=2, stride_w=2, depth_multiplier=1))
    yield "TRANSPOSE_CONV 3x3 s2 28x28x64->32", (1, 28, 28, 64), single_op(
        "TRANSPOSE_CONV", [T([4], np.int32, data=[1, 56, 56, 32]),
                           T([32, 3, 3, 64], data=_w(rng, (32, 3, 3, 64), 576)),
                           T([1, 28, 28, 64]), T([32], data=np.zeros(32, np.float32))],
        [T([1, 56, 56, 32])], options=dict(padding="SAME", stride_h=2, stride_w=2))
    yield "MAX_POOL 3x3 s2 112x112x64", (1, 112, 112, 64), single_op(
        "MAX_POOL_2D", [T([1, 112, 112, 64])], [T([1, 56, 56, 64])],
        options=dict(padding="SAME", stride_h=2, stride_w=2, filter_height=3, filter_width=3))
    yield "AVERAGE_POOL 7x7 global 7x7x1280", (1, 7, 7, 1280), single_op(
        "AVERAGE_POOL_2D", [T([1, 7, 7, 1280])], [T([1, 1, 1, 1280])],
        options=dict(padding="VALID", stride_h=1, stride_w=1, filter_height=7, filter_width=7))
    yield "RESIZE_BILINEAR 28x28x64 -> 56x56", (1, 28, 28, 64), single_op(
        "RESIZE_BILINEAR", [T([1, 28, 28, 64]), T([2], np.int32, data=[56, 56])],
        [T([1, 56, 56, 64])], options=dict(half_pixel_centers=True))
    yield "PAD 56x56x64 by 1", (1, 56, 56, 64), single_op(
        "PAD", [T([1, 56, 56, 64]), T([4, 2], np.int32, data=[[0, 0], [1, 1], [1, 1], [0, 0]])],
        [T([1, 58, 58, 64])])
    n_in, n_cell, steps = 32, 64, 20
    tensors = [T([1, steps, n_in])]
    tensors += [T([n_cell, n_in], data=_w(rng, (n_cell, n_in), n_in)) for _ in range(4)]
    tensors += [T([n_cell, n_cell], data=_w(rng, (n_cell, n_cell), n_cell)) for _ in range(4)]
    tensors += [T([n_cell], data=np.zeros(n_cell, np.float32)) for _ in range(4)]
    tensors += [T([1, n_cell], is_variable=True), T([1, n_cell], is_variable=True),
                T([1, steps, n_cell])]
    # input, 4 + 4 weights, no peepholes, 4 biases, no projection, the two state tensors
    inputs = [0, 1, 2, 3, 4, 5, 6, 7, 8, -1, -1, -1, 9, 10, 11, 12, -1, -1, 13, 14]
    yield f"UNIDIRECTIONAL_SEQUENCE_LSTM T={steps} {n_in}->{n_cell}", (1, steps, n_in), \
        build_model([Op("UNIDIRECTIONAL_SEQUENCE_LSTM", inputs, [15],
                        options=dict(fused_activation_function="TANH"))],
                    tensors, [0], [15], own_buffers=True)


def timed(fn, repeat):
    fn()
    fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def invoker(interp, x):
    interp.allocate_tensors()
    interp.set_tensor(interp.get_input_details()[0]["index"], x)
    return interp.invoke


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args(argv)
    from ai_edge_litert import interpreter as litert
    rows = []
    print(f"{'case':42s} {'numlite ms':>10s} {'LiteRT 1t':>10s} {'ratio':>6s} "
          f"{'LiteRT 2t':>10s} {'ratio':>6s}")
    for name, shape, model in cases():
        x = np.asarray(np.random.default_rng(1).standard_normal(shape), np.float32)
        ours = timed(invoker(numlite.Interpreter(model_content=model), x), args.repeat)
        theirs = [timed(invoker(litert.Interpreter(model_content=model, num_threads=n), x),
                        args.repeat) for n in (1, 2)]
        rows.append((ours, theirs))
        print(f"{name:42s} {ours * 1e3:10.3f} {theirs[0] * 1e3:10.3f} "
              f"{ours / theirs[0]:6.2f} {theirs[1] * 1e3:10.3f} {ours / theirs[1]:6.2f}")
    for k, label in ((0, "1 thread"), (1, "2 threads")):
        geo = math.exp(statistics.mean(math.log(o / t[k]) for o, t in rows))
        print(f"geometric mean ratio vs LiteRT {label}: {geo:.2f}")


if __name__ == "__main__":
    main()
