"""FULLY_CONNECTED (float32) against ai_edge_litert: ranks, bias, keep_num_dims, activations."""

import numpy as np
import pytest

from builder import T, single_op
from differential import DEFAULT, REF, compare, litert_error, numlite_error

ACTIVATIONS = ("NONE", "RELU", "RELU_N1_TO_1", "RELU6")


def fc_model(in_shape, units, depth, bias="const", keep_num_dims=False, activation="NONE",
             weights="const", rng=None, weights_value=None, bias_value=None):
    rng = rng or np.random.default_rng(0)
    w = weights_value if weights_value is not None else \
        np.asarray(rng.standard_normal((units, depth)), np.float32)
    b = bias_value if bias_value is not None else np.asarray(rng.standard_normal(units), np.float32)
    size = int(np.prod(in_shape))
    out_shape = list(in_shape[:-1]) + [units] if keep_num_dims else [size // depth, units]
    inputs = [T(list(in_shape), np.float32),
              T([units, depth], np.float32, data=w if weights == "const" else None)]
    if bias == "const":
        inputs.append(T([units], np.float32, data=b))
    elif bias == "input":
        inputs.append(T([units], np.float32))
    elif bias == "absent":
        inputs.append(None)
    model = single_op("FULLY_CONNECTED", inputs, [T(out_shape, np.float32)],
                      options=dict(fused_activation_function=activation,
                                   keep_num_dims=keep_num_dims))
    return model, w, b


def tolerance(x, w, b):
    """An absolute error bound for float32 dot products of length depth: a few eps times the
    sum of |terms| (summation order differs between BLAS and LiteRT)."""
    mag = np.abs(x.reshape(-1, w.shape[1]).astype(np.float64)) @ np.abs(w.T.astype(np.float64))
    top = mag.max() if mag.size else 0.0
    return float(4 * w.shape[1] * np.finfo(np.float32).eps * (top + np.abs(b).max()))


def feeds_for(in_shape, w, b, weights, bias, rng):
    x = np.asarray(rng.standard_normal(in_shape), np.float32)
    feeds = [x]
    if weights == "input":
        feeds.append(w)
    if bias == "input":
        feeds.append(b)
    return x, feeds


SHAPES = [((1, 8), 4, 8), ((3, 8), 5, 8), ((8,), 3, 8), ((2, 3, 8), 6, 8), ((2, 2, 2, 16), 7, 16),
          ((4, 6), 1, 12), ((5, 33), 17, 33), ((1, 1), 1, 1), ((64, 128), 96, 128),
          ((2, 0, 8), 3, 8)]


@pytest.mark.parametrize("bias", ("const", "absent", "input", "missing"))
@pytest.mark.parametrize("in_shape,units,depth", SHAPES, ids=str)
def test_shapes_and_bias(in_shape, units, depth, bias):
    rng = np.random.default_rng(units * depth)
    model, w, b = fc_model(in_shape, units, depth, bias=bias, rng=rng)
    x, feeds = feeds_for(in_shape, w, b, "const", bias, rng)
    compare(model, feeds, atol=tolerance(x, w, b if bias in ("const", "input") else 0 * b))


@pytest.mark.parametrize("keep_num_dims", (False, True))
@pytest.mark.parametrize("in_shape", [(6, 4), (2, 3, 4), (1, 2, 3, 4), (4,)], ids=str)
def test_keep_num_dims(in_shape, keep_num_dims):
    rng = np.random.default_rng(1)
    model, w, b = fc_model(in_shape, 5, 4, keep_num_dims=keep_num_dims, rng=rng)
    x, feeds = feeds_for(in_shape, w, b, "const", "const", rng)
    ours, _ = compare(model, feeds, atol=tolerance(x, w, b))
    expected = in_shape[:-1] + (5,) if keep_num_dims else (int(np.prod(in_shape)) // 4, 5)
    assert ours[0].shape == expected


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("weights,bias", [("const", "const"), ("const", "absent"),
                                          ("input", "const"), ("input", "input"),
                                          ("input", "absent")])
def test_activation_and_dynamic_weights(weights, bias, activation):
    rng = np.random.default_rng(2)
    model, w, b = fc_model((3, 10), 9, 10, bias=bias, weights=weights, activation=activation,
                           rng=rng)
    x, feeds = feeds_for((3, 10), w, b, weights, bias, rng)
    compare(model, feeds, atol=tolerance(x, w, b))


@pytest.mark.parametrize("activation", ("TANH", "SIGN_BIT"))
def test_unsupported_activation_is_refused_at_prepare(activation):
    """LiteRT's float kernel only takes clamp activations; TANH/SIGN_BIT fail at prepare."""
    model, _, _ = fc_model((2, 4), 3, 4, activation=activation)
    feeds = [np.ones((2, 4), np.float32)]
    for error in (litert_error(model, feeds), numlite_error(model, feeds)):
        assert error is not None and "kTfLiteActRelu6 was not true." in error
        assert "Node number 0 (FULLY_CONNECTED) failed to prepare." in error


def test_flattens_leading_dims_into_batch():
    """Input [2, 3, 4] with weights [5, 6]: 24 elements make 4 rows of 6."""
    rng = np.random.default_rng(3)
    model, w, b = fc_model((2, 3, 4), 5, 6, rng=rng)
    x, feeds = feeds_for((2, 3, 4), w, b, "const", "const", rng)
    ours, _ = compare(model, feeds, atol=tolerance(x, w, b))
    assert ours[0].shape == (4, 5)


def test_default_resolver():
    rng = np.random.default_rng(4)
    model, w, b = fc_model((16, 64), 32, 64, activation="RELU", rng=rng)
    x, feeds = feeds_for((16, 64), w, b, "const", "const", rng)
    compare(model, feeds, resolver=DEFAULT, atol=tolerance(x, w, b))


def test_exact_on_exact_products():
    """Small integers: every partial sum is exact, so any summation order gives the same bits."""
    rng = np.random.default_rng(5)
    w = rng.integers(-8, 8, (6, 10)).astype(np.float32)
    b = rng.integers(-8, 8, 6).astype(np.float32)
    model, _, _ = fc_model((4, 10), 6, 10, weights_value=w, bias_value=b, rng=rng)
    x = rng.integers(-8, 8, (4, 10)).astype(np.float32)
    for resolver in (REF, DEFAULT):
        compare(model, [x], resolver=resolver)


def test_repeated_invokes_do_not_accumulate():
    """Bias is added into a fresh matmul result each time, never into the constant."""
    import numlite
    rng = np.random.default_rng(6)
    model, w, b = fc_model((2, 4), 3, 4, activation="RELU6", rng=rng)
    interp = numlite.Interpreter(model_content=model)
    interp.allocate_tensors()
    x = np.asarray(rng.standard_normal((2, 4)), np.float32)
    results = []
    for _ in range(3):
        interp.set_tensor(interp.get_input_details()[0]["index"], x)
        interp.invoke()
        results.append(interp.get_tensor(interp.get_output_details()[0]["index"]))
    assert all(np.array_equal(results[0], r) for r in results)


def test_mismatched_input_size_is_refused():
    model, _, _ = fc_model((3, 5), 4, 5)
    model_bad = single_op("FULLY_CONNECTED",
                          [T([3, 7], np.float32),
                           T([4, 5], np.float32, data=np.ones((4, 5), np.float32))],
                          [T([3, 4], np.float32)], options=dict(fused_activation_function="NONE"))
    error = numlite_error(model_bad, [np.ones((3, 7), np.float32)])
    assert error is not None and "Node number 0 (FULLY_CONNECTED) failed to prepare." in error
    del model


def test_hybrid_weights_run():
    """int8 weights with a float input: the hybrid kernel (hybrid.py; more in
    test_kernels_integer_gemm.py)."""
    q = dict(scales=[0.1], zero_points=[0])
    model = single_op("FULLY_CONNECTED",
                      [T([2, 4], np.float32),
                       T([3, 4], np.int8, data=np.arange(12, dtype=np.int8).reshape(3, 4) - 6,
                         quant=q)],
                      [T([2, 3], np.float32)], options=dict(fused_activation_function="NONE"))
    compare(model, [np.linspace(-1, 1, 8, dtype=np.float32).reshape(2, 4)], atol=1e-6)


@pytest.mark.parametrize("seed", range(20))
def test_random_shapes(seed):
    rng = np.random.default_rng(seed)
    depth, units = int(rng.integers(1, 40)), int(rng.integers(1, 40))
    lead = tuple(int(d) for d in rng.integers(1, 4, int(rng.integers(0, 3))))
    in_shape = lead + (depth,)
    keep = bool(seed % 2)
    bias = "absent" if seed % 3 == 0 else "const"
    model, w, b = fc_model(in_shape, units, depth, keep_num_dims=keep,
                           activation=ACTIVATIONS[seed % 4], bias=bias, rng=rng)
    x, feeds = feeds_for(in_shape, w, b, "const", "const", rng)
    compare(model, feeds, atol=tolerance(x, w, b))


# ---- sparse constant weights (SparsityParameters), densified once at prepare --------------

SPARSE_WEIGHTS = [
    # (units, depth, traversal order, block_map, block sizes, formats, zero pattern block)
    (8, 16, (0, 1, 2), (1,), (4,), ("DENSE", "SPARSE_CSR", "DENSE"), (1, 4)),   # converter's 1x4
    (5, 12, (0, 1, 2), (1,), (4,), ("DENSE", "SPARSE_CSR", "DENSE"), (1, 4)),
    (6, 10, (0, 1), (), (), ("DENSE", "SPARSE_CSR"), None),                       # plain CSR
]


def sparse_fc_model(units, depth, order, block_map, block_sizes, formats, block, batch,
                    activation, bias, seed):
    from test_kernels_densify import encode, sparse_dense
    dense = sparse_dense((units, depth), 0.3, seed, block=block)
    values, sparsity = encode(dense, list(order), list(block_map), list(block_sizes), formats)
    b = np.asarray(np.random.default_rng(seed).standard_normal(units), np.float32)
    inputs = [T([batch, depth], np.float32),
              T([units, depth], np.float32, data=values, sparsity=sparsity),
              T([units], np.float32, data=b) if bias else None]
    model = single_op("FULLY_CONNECTED", inputs, [T([batch, units], np.float32)],
                      options=dict(fused_activation_function=activation))
    return model, dense, b if bias else 0 * b


@pytest.mark.parametrize("activation,bias,batch", [("NONE", True, 1), ("RELU", True, 3),
                                                   ("RELU6", False, 2)])
@pytest.mark.parametrize("case", SPARSE_WEIGHTS, ids=str)
def test_sparse_weights(case, activation, bias, batch):
    """Against LiteRT's reference kernels (its sparse FULLY_CONNECTED) and x @ dense.T + b.
    LiteRT's default kernels (XNNPACK) give values unrelated to the weights on these
    one-op models, so they are not the oracle here; the conformance model sparse_weights
    checks both resolvers on the converter's own output."""
    units, depth = case[:2]
    model, dense, b = sparse_fc_model(*case, batch, activation, bias, seed=units * depth)
    rng = np.random.default_rng(batch)
    x = np.asarray(rng.standard_normal((batch, depth)), np.float32)
    ours, _ = compare(model, [x], resolver=REF, atol=tolerance(x, dense, b))
    y = x @ dense.T + b
    if activation != "NONE":
        y = np.clip(y, 0, 6 if activation == "RELU6" else None)
    np.testing.assert_allclose(ours[0], y, atol=tolerance(x, dense, b))


def test_sparse_weights_with_bad_structure_are_refused_at_prepare():
    """A block size that does not divide the weights' depth is a KernelError at prepare."""
    from test_kernels_densify import encode, sparse_dense
    dense = sparse_dense((4, 8), 0.5, 3, block=(1, 4))
    values, sparsity = encode(dense, [0, 1, 2], [1], [4], ("DENSE", "SPARSE_CSR", "DENSE"))
    sparsity["dim_metadata"][2]["dense_size"] = 3
    model = single_op("FULLY_CONNECTED",
                      [T([2, 8], np.float32), T([4, 8], np.float32, data=values,
                                                sparsity=sparsity)],
                      [T([2, 4], np.float32)], options=dict(fused_activation_function="NONE"))
    error = numlite_error(model, [np.ones((2, 8), np.float32)])
    assert error is not None and "block size 3 does not divide" in error
    assert "Node number 0 (FULLY_CONNECTED) failed to prepare." in error
