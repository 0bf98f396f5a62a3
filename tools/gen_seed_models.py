"""Regenerate examples/models/ with the three conversions of the TFLite "Signatures" guide.

Dev tool: needs tensorflow-cpu (and ai-edge-litert to print the signature lists);
numlite itself, its tests and benchmarks never import tensorflow.

    python tools/gen_seed_models.py [--out DIR] [--check]

Writes
  encode_decode.tflite           tf.Module saved with signatures {encode, decode},
                                 converted from the SavedModel with SELECT_TF_OPS
                                 (custom ops FlexAsString, FlexStringToNumber)
  keras_dense.tflite             Sequential Dense(2, relu, name='x'), Dense(1, relu,
                                 name='output') via from_keras_model (fixed seed)
  encode_decode_concrete.tflite  the same two tf.functions via from_concrete_functions

--check also prints the guide's "Run Signatures" results computed with TensorFlow's own
kernels (no pip runtime here ships the Flex delegate). tools/gen_test_models.py reuses the
helpers below (Flex NodeDef canonicalisation, Flex reference runs, op listing).
"""

import argparse
import os
import pathlib
import sys
import tempfile

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
SEED = 1234


class Model(tf.Module):
    """The guide's encode/decode model, unchanged."""

    @tf.function(input_signature=[tf.TensorSpec(shape=[None], dtype=tf.float32)])
    def encode(self, x):
        result = tf.strings.as_string(x)
        return {"encoded_result": result}

    @tf.function(input_signature=[tf.TensorSpec(shape=[None], dtype=tf.string)])
    def decode(self, x):
        result = tf.strings.to_number(x)
        return {"decoded_result": result}


SELECT_OPS = [
    tf.lite.OpsSet.TFLITE_BUILTINS,  # enable TensorFlow Lite ops.
    tf.lite.OpsSet.SELECT_TF_OPS,  # enable TensorFlow ops.
]


def from_saved_model():
    model = Model()
    with tempfile.TemporaryDirectory() as tmp:
        saved_model_path = os.path.join(tmp, "coding")
        tf.saved_model.save(
            model,
            saved_model_path,
            signatures={
                "encode": model.encode.get_concrete_function(),
                "decode": model.decode.get_concrete_function(),
            },
        )
        converter = tf.lite.TFLiteConverter.from_saved_model(saved_model_path)
        converter.target_spec.supported_ops = SELECT_OPS
        return converter.convert()


def from_keras_model():
    tf.keras.backend.clear_session()  # layer/model name counters: same names on every run
    tf.keras.utils.set_random_seed(SEED)
    keras_model = tf.keras.Sequential(
        [
            tf.keras.layers.Dense(2, input_dim=4, activation="relu", name="x"),
            tf.keras.layers.Dense(1, activation="relu", name="output"),
        ]
    )
    converter = tf.lite.TFLiteConverter.from_keras_model(keras_model)
    return converter.convert()


def from_concrete_functions():
    model = Model()
    converter = tf.lite.TFLiteConverter.from_concrete_functions(
        [model.encode.get_concrete_function(), model.decode.get_concrete_function()], model
    )
    converter.target_spec.supported_ops = SELECT_OPS
    return converter.convert()


# --- deterministic Flex NodeDefs -------------------------------------------------------
# The converter serialises each Flex op's NodeDef with protobuf's default (non-deterministic)
# map order, so the attr entries come out in a different order on every run. Sorting them by
# key (as C++ protobuf's deterministic serialisation does) changes no byte count and no meaning,
# and makes regenerated models byte-identical.


def _varint(buf, pos):
    value = shift = 0
    while True:
        byte = buf[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, pos


def _proto_fields(buf):
    """Split a serialized protobuf message into (field number, raw bytes of the whole field)."""
    fields, pos = [], 0
    while pos < len(buf):
        start = pos
        key, pos = _varint(buf, pos)
        wire = key & 7
        if wire == 0:
            _, pos = _varint(buf, pos)
        elif wire == 1:
            pos += 8
        elif wire == 2:
            size, pos = _varint(buf, pos)
            pos += size
        elif wire == 5:
            pos += 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        fields.append((key >> 3, buf[start:pos]))
    return fields


def _attr_key(field):
    """Key of a NodeDef.attr map entry (field 5): the entry's field 1."""
    _, pos = _varint(field, 0)
    _, pos = _varint(field, pos)  # entry length
    for number, raw in _proto_fields(field[pos:]):
        if number == 1:
            _, p = _varint(raw, 0)
            size, p = _varint(raw, p)
            return raw[p:p + size]
    return b""


def sort_nodedef_attrs(nodedef):
    """The NodeDef bytes with the attr map entries sorted by key (same length, same meaning)."""
    fields = _proto_fields(nodedef)
    attrs = sorted((raw for number, raw in fields if number == 5), key=_attr_key)
    out, it = [], iter(attrs)
    for number, raw in fields:
        out.append(next(it) if number == 5 else raw)
    return b"".join(out)


def canonical_flex_nodedefs(content):
    """Rewrite every Flex op's NodeDef in ``content`` with its attrs sorted; returns new bytes."""
    import tflite
    from flatbuffers import flexbuffers

    data = bytearray(content)
    model = tflite.Model.GetRootAs(content, 0)
    for s in range(model.SubgraphsLength()):
        subgraph = model.Subgraphs(s)
        for o in range(subgraph.OperatorsLength()):
            op = subgraph.Operators(o)
            code = model.OperatorCodes(op.OpcodeIndex()).CustomCode()
            if not code or not code.startswith(b"Flex") or op.CustomOptionsLength() == 0:
                continue
            # position of the custom_options bytes inside the file
            field = op._tab.Offset(14)  # Operator field 5 (custom_options): vtable slot 4 + 2*5
            start = op._tab.Vector(field)
            options = content[start:start + op.CustomOptionsLength()]
            root = flexbuffers.GetRoot(options).AsVector
            nodedef = root[1].AsStringBytes
            at = options.find(nodedef)
            assert at >= 0 and options.find(nodedef, at + 1) < 0
            data[start + at:start + at + len(nodedef)] = sort_nodedef_attrs(nodedef)
    return bytes(data)


# --- reference outputs for Flex-only signatures ---------------------------------------
# Neither ai-edge-litert 2.3 nor tf.lite.Interpreter in TF 2.21 ships the Flex delegate, so
# they refuse to run these models. The Flex delegate runs each node as a TensorFlow eager op
# built from the NodeDef in the custom options; this does the same with TensorFlow's own
# kernels, which makes it the oracle for numlite's Select TF ops.


def flex_nodes(content):
    """[(subgraph index, op index, custom code, NodeDef proto)] for every Flex op."""
    import tflite
    from flatbuffers import flexbuffers
    from tensorflow.core.framework import node_def_pb2

    model = tflite.Model.GetRootAs(content, 0)
    found = []
    for s in range(model.SubgraphsLength()):
        subgraph = model.Subgraphs(s)
        for o in range(subgraph.OperatorsLength()):
            op = subgraph.Operators(o)
            code = model.OperatorCodes(op.OpcodeIndex()).CustomCode()
            if code and code.startswith(b"Flex"):
                root = flexbuffers.GetRoot(op.CustomOptionsAsNumpy().tobytes()).AsVector
                nodedef = node_def_pb2.NodeDef.FromString(root[1].AsStringBytes)
                found.append((s, o, code.decode(), root[0].AsString, nodedef))
    return found


def _attr_value(value):
    kind = value.WhichOneof("value")
    if kind == "list":
        raise NotImplementedError("list attrs")
    return getattr(value, kind)


_NUMPY_TYPES = {0: np.float32, 1: np.float16, 2: np.int32, 3: np.uint8, 4: np.int64, 6: np.bool_,
                7: np.int16, 9: np.int8, 10: np.float64}


def _constant(model, tensor):
    """A constant tensor's value (numbers and strings), None for non-constants."""
    buffer = model.Buffers(tensor.Buffer())
    if buffer is None or buffer.DataLength() == 0:
        return None
    data = buffer.DataAsNumpy().tobytes()
    shape = tensor.ShapeAsNumpy().tolist() if tensor.ShapeLength() else []
    if tensor.Type() == 5:  # STRING
        count = int.from_bytes(data[:4], "little")
        offsets = np.frombuffer(data, "<i4", count + 1, 4)
        items = [data[offsets[i]:offsets[i + 1]] for i in range(count)]
        return np.array(items, dtype=object).reshape(shape)
    return np.frombuffer(data, _NUMPY_TYPES[tensor.Type()]).reshape(shape)


def run_flex_signature(content, signature_key, **inputs):
    """Run one signature whose operators are all Flex ops, with TensorFlow eager kernels."""
    import tflite
    from tensorflow.python.eager import context, execute

    model = tflite.Model.GetRootAs(content, 0)
    for i in range(model.SignatureDefsLength()):
        sig = model.SignatureDefs(i)
        if sig.SignatureKey().decode() == signature_key:
            break
    else:
        raise KeyError(signature_key)
    subgraph = model.Subgraphs(sig.SubgraphIndex())
    values = {}
    for j in range(sig.InputsLength()):
        tmap = sig.Inputs(j)
        values[tmap.TensorIndex()] = tf.constant(inputs[tmap.Name().decode()])
    for t in range(subgraph.TensorsLength()):
        constant = _constant(model, subgraph.Tensors(t))
        if constant is not None:
            values[t] = tf.constant(constant)
    for o in range(subgraph.OperatorsLength()):
        op = subgraph.Operators(o)
        if any(t not in values for t in op.InputsAsNumpy()):
            continue  # belongs to another signature sharing this subgraph
        code = model.OperatorCodes(op.OpcodeIndex()).CustomCode()
        if not code or not code.startswith(b"Flex"):
            raise NotImplementedError(f"{signature_key}: op {o} is not a Flex op")
        nodedef = [n for s, k, _, _, n in flex_nodes(content)
                   if s == sig.SubgraphIndex() and k == o][0]
        attrs = []
        for name, value in nodedef.attr.items():
            attrs += [name, _attr_value(value)]
        outs = execute.execute(nodedef.op.encode(), op.OutputsLength(),
                               [values[t] for t in op.InputsAsNumpy()], tuple(attrs),
                               context.context())
        for t, out in zip(op.OutputsAsNumpy(), outs):
            values[t] = out
    result = {}
    for j in range(sig.OutputsLength()):
        tmap = sig.Outputs(j)
        result[tmap.Name().decode()] = values[tmap.TensorIndex()].numpy()
    return result


def ops_by_subgraph(content):
    """[[op name per operator] per subgraph]: builtin names (effective code = max(builtin_code,
    deprecated_builtin_code)) or custom codes. (ai_edge_litert's _get_ops_details only lists
    subgraph 0.)"""
    import flatbuffers
    import tflite

    model = tflite.Model.GetRootAs(content, 0)
    names = {v: k for k, v in vars(tflite.BuiltinOperator).items() if isinstance(v, int)}
    codes = []
    for i in range(model.OperatorCodesLength()):
        oc = model.OperatorCodes(i)
        field = oc._tab.Offset(10)  # raw builtin_code (the tflite reader's BuiltinCode() guesses)
        raw = oc._tab.Get(flatbuffers.number_types.Int32Flags, field + oc._tab.Pos) if field else 0
        code = max(raw, oc.DeprecatedBuiltinCode())
        custom = oc.CustomCode()
        codes.append(custom.decode() if code == 32 and custom else names.get(code, str(code)))
    result = []
    for s in range(model.SubgraphsLength()):
        subgraph = model.Subgraphs(s)
        result.append([codes[subgraph.Operators(o).OpcodeIndex()]
                       for o in range(subgraph.OperatorsLength())])
    return result


def ops_of(content):
    """Sorted names of the ops used anywhere in a model."""
    return sorted({name for ops in ops_by_subgraph(content) for name in ops})


MODELS = {
    "encode_decode.tflite": from_saved_model,
    "keras_dense.tflite": from_keras_model,
    "encode_decode_concrete.tflite": from_concrete_functions,
}


def signature_list(content):
    """The signature list as ai_edge_litert reports it (it loads Flex models, cannot run them)."""
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError:  # pragma: no cover - optional in this dev tool
        return tf.lite.Interpreter(model_content=content).get_signature_list()
    return Interpreter(model_content=content).get_signature_list()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=pathlib.Path, default=ROOT / "examples" / "models")
    parser.add_argument("--check", action="store_true",
                        help="also run encode/decode with TensorFlow's kernels, print results")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, convert in MODELS.items():
        content = canonical_flex_nodedefs(convert())
        (args.out / name).write_bytes(content)
        print(f"{name}: {len(content)} bytes; signatures {signature_list(content)}")
    if args.check:
        check(args.out)
    return 0


def check(out):
    """Print the TensorFlow-kernel results of the seed guide's "Run Signatures" step."""
    for name in ("encode_decode.tflite", "encode_decode_concrete.tflite"):
        content = (out / name).read_bytes()
        for _, _, code, op, nodedef in flex_nodes(content):
            attrs = {k: _attr_value(v) for k, v in sorted(nodedef.attr.items())}
            print(f"{name}: {code} NodeDef op={op} attrs={attrs}")
        try:
            encoded = run_flex_signature(content, "encode", x=np.array([1, 2, 3], np.float32))
        except KeyError:
            print(f"{name}: no signature 'encode'")
            continue
        print(f"{name}: encode(x=[1, 2, 3]) -> {encoded}")
        decoded = run_flex_signature(content, "decode", x=encoded["encoded_result"])
        print(f"{name}: decode(x=encoded_result) -> {decoded}")


if __name__ == "__main__":
    sys.exit(main())
