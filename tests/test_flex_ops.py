"""Select TF ops (Flex): flexbuffer and NodeDef decoding, op-def defaults, and the AsString /
StringToNumber kernels, called directly through runtime.node.Node (no interpreter needed).

Expected strings and numbers are TensorFlow's (reference §4, and tf.strings.as_string /
tf.strings.to_number as run in TensorFlow 2.21 on x86-64 Linux).
"""

import struct
import types as pytypes

import numpy as np
import pytest

from builder import flex_custom_options, nodedef as build_nodedef, tf_type
from numlite.model import types as tt
from numlite.model.enums import BUILTIN_CODES
from numlite.ops import registry
from numlite.ops.flex import (flexbuffer, nodedef, opdefs, parse_flex_options, resolve,
                              string_ops)
from numlite.ops.flex.opdefs import DataType
from numlite.ops.registry import KernelError
from numlite.runtime.node import Node, TensorSpec

# ------------------------------------------------------------------------------ helpers

_TENSOR_TYPES = {np.dtype(np.float32): tt.FLOAT32, np.dtype(np.float16): tt.FLOAT16,
                 np.dtype(np.float64): tt.FLOAT64, np.dtype(np.int8): tt.INT8,
                 np.dtype(np.int16): tt.INT16, np.dtype(np.int32): tt.INT32,
                 np.dtype(np.int64): tt.INT64, np.dtype(np.uint8): tt.UINT8,
                 np.dtype(np.uint16): tt.UINT16, np.dtype(np.uint32): tt.UINT32,
                 np.dtype(np.uint64): tt.UINT64, np.dtype(np.bool_): tt.BOOL,
                 np.dtype(np.complex64): tt.COMPLEX64, np.dtype(np.complex128): tt.COMPLEX128,
                 np.dtype(object): tt.STRING}


def spec(index, dtype, shape):
    dtype = np.dtype(dtype)
    return TensorSpec(index, f"t{index}", _TENSOR_TYPES[dtype], dtype,
                      None if shape is None else tuple(shape), None, None,
                      None if shape is None else tuple(shape))


def flex_node(op, attrs, in_dtype, out_dtype, shape=(3,), *, options=None, code=None,
              n_inputs=1, n_outputs=1):
    """A Node for the Flex op ``op`` whose NodeDef holds exactly ``attrs``."""
    if options is None:
        options = flex_custom_options(op, build_nodedef(op, attrs))
    inputs = tuple(spec(i, in_dtype, shape) for i in range(n_inputs))
    outputs = tuple(spec(n_inputs + i, out_dtype, shape) for i in range(n_outputs))
    return Node(0, code or f"Flex{op}", 1, inputs, outputs, None, options, None)


def kernel_for(code):
    opcode = pytypes.SimpleNamespace(builtin_code=BUILTIN_CODES["CUSTOM"], custom_code=code)
    kernel = registry.lookup(opcode)
    assert kernel is not None, code
    return kernel


def prepare(node):
    return kernel_for(node.op_name).prepare(node)


def as_string(values, dtype, **attrs):
    """Run FlexAsString on ``values`` (numpy dtype ``dtype``); attrs as NodeDef attrs."""
    x = np.asarray(values, dtype=dtype)
    attrs = dict(attrs, T=tf_type(np.dtype(dtype) if np.dtype(dtype) != object else "string"))
    run, shapes = prepare(flex_node("AsString", attrs, x.dtype, object, x.shape))
    assert shapes == [x.shape]
    out = run(x)
    assert out.dtype == object and out.shape == x.shape
    return out.tolist()


def to_number(strings, out_dtype=np.float32, **attrs):
    x = np.array(strings, dtype=object)
    run, shapes = prepare(flex_node("StringToNumber", attrs, object, out_dtype, x.shape))
    assert shapes == [x.shape]
    out = run(x)
    assert out.dtype == np.dtype(out_dtype) and out.shape == x.shape
    return out


def bits(array):
    array = np.asarray(array)
    return array.view(np.dtype(f"u{array.itemsize}")).tolist()


# protobuf wire helpers for hand-made NodeDef/AttrValue bytes
def varint(value):
    value &= (1 << 64) - 1
    out = bytearray()
    while True:
        out.append(value & 0x7F | (0x80 if value > 0x7F else 0))
        value >>= 7
        if not value:
            return bytes(out)


def key(field, wire):
    return varint(field << 3 | wire)


def ld(field, data):
    return key(field, 2) + varint(len(data)) + data


def attr_entry(name, value_bytes):
    return ld(5, ld(1, name.encode()) + ld(2, value_bytes))


# ------------------------------------------------------------------------- flexbuffers

# reference §4.1: LiteRT's softplus_flex.bin custom options, rebuilt from its description
SOFTPLUS_NODEDEF = (b"\x12\x08Softplus" + b"\x1a\x00" + b"\x22\x0d/device:CPU:0"
                    + b"\x2a\x07" + b"\x0a\x01T\x12\x02\x30\x01" + b"\x32\x00")
SOFTPLUS_OPTIONS = (b"\x08Softplus\x00" + b"\x26" + SOFTPLUS_NODEDEF + b"\x00"
                    + bytes([0x02, 0x32, 0x29, 0x14, 0x14, 0x04, 0x28, 0x01]))

# custom options written by TensorFlow 2.21's converter (SELECT_TF_OPS)
CONVERTER_AS_STRING_F32 = bytes.fromhex(  # as_string(x, precision=2, width=8, fill='0')
    "08417353747269 6e67 00 64 1208 417353747269 6e67 1a00 2a0b 0a0466696c6c 120312 0130"
    "2a0f 0a09707265636973696f6e 12021802 2a0b 0a057769647468 12021808"
    "2a0e 0a0873686f7274657374 12022800 2a07 0a0154 12023001"
    "2a10 0a0a736369656e7469666963 12022800 3200 00 027067 1414 0428 01".replace(" ", ""))
CONVERTER_AS_STRING_I64 = bytes.fromhex(  # as_string(x) of int64: all attrs at their defaults
    "0841735374 72696e67 00 75 1208417353747269 6e67 1a00 2a07 0a0154 12023009"
    "2a0a 0a0466696c6c 12021200"
    "2a18 0a09707265636973696f6e 120b18ffffffffffffffffff01"
    "2a0e 0a0873686f7274657374 12022800"
    "2a14 0a057769647468 120b18ffffffffffffffffff01"
    "2a10 0a0a736369656e7469666963 12022800 3200 00 028178 1414 0428 01".replace(" ", ""))
CONVERTER_STRING_TO_NUMBER_I32 = bytes.fromhex(  # to_number(s, out_type=tf.int32)
    "0e537472696e67546f4e756d626572 00 24 120e537472696e67546f4e756d626572 1a00"
    "2a0e 0a086f75745f74797065 12023003 3200 00 023627 1414 0428 01".replace(" ", ""))

# written with flatbuffers' flexbuffers.Builder: a map of every scalar kind, a blob, a typed
# vector of ints (width 4), a fixed 3-float vector, a null and a mixed vector
MAP_FIXTURE = bytes.fromhex(
    "696e740075696e7400666c6f617400626f6f6c00737472000368c3a900626c6f6200020001696e74730000"
    "0002000000010000007011010078797a000000c03f00002040000060406e756c6c006d6978656400037477"
    "6f0003000000010000000c0000000000404006140e0a4f5e656f4b242a5f703d00000c000000010000000a"
    "00000061000000010000000000003ffbffffff640000003c00000000000000870000002c0100006c000000"
    "646a0e062e2a02140a56322601")
MAP_FIXTURE_VALUE = {"blob": b"\x00\x01", "bool": True, "float": 0.5, "int": -5,
                     "ints": [1, 70000], "mixed": [1, "two", 3.0], "null": None, "str": "hé",
                     "uint": 300, "xyz": [1.5, 2.5, 3.5]}


def test_softplus_example_layout():
    assert len(SOFTPLUS_NODEDEF) == 38 and len(SOFTPLUS_OPTIONS) == 58
    root = flexbuffer.root(SOFTPLUS_OPTIONS)
    assert root.type == flexbuffer.VECTOR and len(root) == 2
    name, data = root.as_vector()
    assert name.type == data.type == flexbuffer.STRING
    assert name.as_bytes() == b"Softplus" and name.as_str() == "Softplus"
    assert data.as_bytes() == SOFTPLUS_NODEDEF
    assert flexbuffer.loads(SOFTPLUS_OPTIONS, decode_strings=False) == [b"Softplus",
                                                                      SOFTPLUS_NODEDEF]
    # the test builder writes the same bytes as the converter
    assert flex_custom_options("Softplus", SOFTPLUS_NODEDEF) == SOFTPLUS_OPTIONS


def test_softplus_nodedef():
    name, nd = parse_flex_options(SOFTPLUS_OPTIONS)
    assert name == "Softplus"
    assert nd.op == "Softplus" and nd.name == "" and nd.inputs == ("",)
    assert nd.device == "/device:CPU:0"
    assert nd.attr == {"T": opdefs.DT_FLOAT}
    assert isinstance(nd.attr["T"], DataType) and repr(nd.attr["T"]) == "DT_FLOAT"
    assert str(nd.attr["T"]) == "float"


def test_converter_options_decode():
    _, nd = parse_flex_options(CONVERTER_AS_STRING_F32)
    assert nd.op == "AsString"
    assert nd.attr == {"fill": b"0", "precision": 2, "width": 8, "shortest": False,
                       "T": opdefs.DT_FLOAT, "scientific": False}
    _, nd = parse_flex_options(CONVERTER_AS_STRING_I64)
    assert nd.attr["precision"] == -1 and nd.attr["width"] == -1   # 10-byte varints
    assert nd.attr["T"] == opdefs.DT_INT64 and nd.attr["fill"] == b""
    _, nd = parse_flex_options(CONVERTER_STRING_TO_NUMBER_I32)
    assert nd.op == "StringToNumber" and nd.attr == {"out_type": opdefs.DT_INT32}


def test_map_and_scalars():
    assert flexbuffer.loads(MAP_FIXTURE) == MAP_FIXTURE_VALUE
    root = flexbuffer.root(MAP_FIXTURE)
    assert root.type == flexbuffer.MAP
    assert root.keys() == sorted(MAP_FIXTURE_VALUE)
    m = root.as_map()
    assert m["int"].as_int() == -5 and m["uint"].as_int() == 300
    assert m["float"].as_float() == 0.5 and m["bool"].as_bool() is True
    assert m["str"].as_str() == "hé" and m["blob"].as_bytes() == b"\x00\x01"
    assert m["ints"].type == flexbuffer.VECTOR_INT and m["xyz"].type == flexbuffer.VECTOR_FLOAT3
    assert m["null"].is_null and m["mixed"][1].as_str() == "two" and m["mixed"][-1].as_float() == 3
    with pytest.raises(ValueError, match="expected an integer, found STRING"):
        m["str"].as_int()
    with pytest.raises(IndexError):
        m["mixed"][3]


@pytest.mark.parametrize("data, value", [
    ("00000000000100000708", 2 ** 40),     # root width 8
    ("0000a0bf0e04", -1.25),              # float, width 4
    ("006801", False),
    ("02616200031401", "ab"),
])
def test_scalar_roots(data, value):
    got = flexbuffer.loads(bytes.fromhex(data))
    assert got == value and type(got) is type(value)


def test_round_trip_with_flatbuffers_builder():
    from flatbuffers import flexbuffers   # test extra
    samples = [
        {"a": 1, "b": -2.5, "c": True, "d": "x", "e": [1, 2, 3], "f": {"g": None},
         "big": 2 ** 62, "neg": -2 ** 40, "s": ["p", "qq"]},
        [1, "two", 3.0, [4, [5]], {"k": "v"}, None, False],
        {"long": ["a" * 300, "b" * 70000], "m": {"z": 1, "a": 2}},
        [], {}, "text", 7, 0.1, [0.1, 2 ** 40, -3],
    ]
    for value in samples:
        assert flexbuffer.loads(flexbuffers.Dumps(value)) == value


@pytest.mark.parametrize("data, message", [
    (b"", "too short"),
    (b"\x01", "too short"),
    (b"\x00\x04\x03", "invalid root width 3"),
    (b"\x00\x04\x08", "does not fit"),
    (b"\x00\xfc\x01", "unknown value type 63"),
    (b"\x05\x28\x01", "points before the start"),
    (b"\xff\x00\x01\x28\x01", "outside"),                   # vector length 255
    (b"\x10ab\x00\x03\x14\x01", "outside"),                 # string length 16
    (b"ab\x02\x10\x01", "no terminating NUL"),              # key
    (b"\x05\x0c\x01", "invalid width of 1 bytes"),          # 1-byte float
    (b"\x01\x00\x28\x02\x28\x01", "nested more than 64"),   # a vector containing itself
])
def test_malformed_flexbuffers(data, message):
    with pytest.raises(ValueError, match=message):
        flexbuffer.loads(data)


# ---------------------------------------------------------------------------- NodeDef

def test_nodedef_fields_and_unknown_fields():
    data = (ld(1, b"node") + ld(2, b"AsString") + ld(3, b"x:0") + ld(3, b"^ctrl")
            + ld(4, b"/cpu:0") + attr_entry("T", key(6, 0) + varint(3))
            + ld(6, ld(1, b"orig"))                                  # experimental_debug_info
            + ld(7, b"\x08\x01")                                     # experimental_type
            + key(20, 1) + b"\x01" * 8 + key(21, 5) + b"\x02" * 4    # fixed64, fixed32
            + key(22, 0) + varint(-7)                                # varint
            + key(23, 3) + key(1, 0) + b"\x05" + key(23, 4)          # a group
            + key(2, 0) + b"\x01")                                   # op with wrong wire type
    nd = nodedef.parse_nodedef(data)
    assert nd == nodedef.NodeDef("node", "AsString", ("x:0", "^ctrl"), "/cpu:0",
                                 {"T": opdefs.DT_INT32})


def test_attr_values():
    def attr(value_bytes):
        nd = nodedef.parse_nodedef(ld(2, b"Op") + attr_entry("a", value_bytes))
        assert nodedef.parse_attr_value(value_bytes) == nd.attr["a"]
        return nd.attr["a"]

    assert attr(ld(2, b"\x00bytes\xff")) == b"\x00bytes\xff"
    assert attr(key(3, 0) + varint(-1)) == -1
    assert attr(key(3, 0) + varint(2 ** 63 - 1)) == 2 ** 63 - 1
    assert attr(key(4, 5) + struct.pack("<f", 0.1)) == float(np.float32(0.1))
    assert attr(key(5, 0) + b"\x01") is True
    assert attr(key(6, 0) + varint(9)) == opdefs.DT_INT64
    assert attr(key(3, 0) + b"\x05" + key(5, 0) + b"\x00") is False   # oneof: last wins
    assert attr(b"") is None                                              # no value set
    # shapes
    assert attr(ld(7, ld(2, key(1, 0) + varint(2)) + ld(2, key(1, 0) + varint(-1)
                                                      + ld(2, b"batch")))) == ((2, -1),)
    assert attr(ld(7, key(3, 0) + b"\x01")) == nodedef.TensorShape(None)
    assert attr(ld(7, b"")) == nodedef.TensorShape(())
    # tensor, placeholder, func
    t = attr(ld(8, b"\x08\x01\x2a\x04abcd"))
    assert isinstance(t, nodedef.TensorProtoBytes) and t == b"\x08\x01\x2a\x04abcd"
    p = attr(ld(9, b"N"))
    assert isinstance(p, nodedef.Placeholder) and p == "N"
    f = attr(ld(10, ld(1, b"fn") + ld(2, ld(1, b"k") + ld(2, key(3, 0) + b"\x07"))))
    assert f == nodedef.NameAttrList("fn", {"k": 7})


def test_list_values_packed_and_unpacked():
    def lst(body):
        return nodedef.parse_attr_value(ld(1, body))

    assert lst(b"") == []
    assert lst(ld(3, varint(1) + varint(-2) + varint(3))) == [1, -2, 3]
    assert lst(key(3, 0) + varint(1) + key(3, 0) + varint(-2)) == [1, -2]
    assert lst(ld(3, varint(1)) + key(3, 0) + varint(2)) == [1, 2]        # mixed
    assert lst(ld(4, struct.pack("<2f", 0.5, -2))) == [0.5, -2.0]
    assert lst(key(4, 5) + struct.pack("<f", 1.5) + key(4, 5) + struct.pack("<f", 3)) == [1.5, 3]
    assert lst(ld(5, b"\x01\x00")) == [True, False]
    assert lst(key(5, 0) + b"\x01") == [True]
    types = lst(ld(6, b"\x01\x07") + key(6, 0) + b"\x09")
    assert types == [1, 7, 9] and all(isinstance(t, DataType) for t in types)
    assert lst(ld(2, b"a") + ld(2, b"") + ld(2, b"c")) == [b"a", b"", b"c"]
    assert lst(ld(7, ld(2, key(1, 0) + b"\x03")) + ld(7, key(3, 0) + b"\x01")) == [
        nodedef.TensorShape((3,)), nodedef.TensorShape(None)]


def test_nodedef_from_builder():
    data = build_nodedef("AsString", {"T": tf_type("float32"), "fill": "0", "width": 5,
                                      "precision": -1, "scientific": True},
                         name="n", device="/cpu:0", debug_info=True)
    nd = nodedef.parse_nodedef(data)
    assert (nd.name, nd.op, nd.device) == ("n", "AsString", "/cpu:0")
    assert nd.attr == {"T": opdefs.DT_FLOAT, "fill": b"0", "width": 5, "precision": -1,
                       "scientific": True}


@pytest.mark.parametrize("data", [None, b""])
def test_empty_nodedef(data):
    with pytest.raises(nodedef.NodeDefError) as info:
        nodedef.parse_nodedef(data)
    assert str(info.value) == "Cannot convert empty data into a valid NodeDef"


@pytest.mark.parametrize("data, detail", [
    (b"\x12\x08Soft", "claims 8 bytes"),
    (b"\x12", "truncated varint"),
    (b"\x18" + b"\xff" * 10 + b"\x01", "longer than 10 bytes"),
    (b"\x0e\x00", "invalid wire type 6"),
    (b"\x0f\x00", "invalid wire type 7"),
    (b"\x00\x01", "field number 0"),
    (b"\x12\x02\xff\xfe", "op name is not valid UTF-8"),
    (key(9, 3) + key(1, 0) + b"\x01", "not closed"),
    (key(9, 3) + key(8, 4), "closed by end-group 8"),
    (key(9, 4), "unexpected end-group"),
    (b"\x1d\x00\x00", "truncated fixed32"),
    (ld(5, ld(2, ld(1, ld(3, b"\x80")))), "truncated varint"),   # deep inside a list attr
])
def test_malformed_nodedef(data, detail):
    with pytest.raises(nodedef.NodeDefError) as info:
        nodedef.parse_nodedef(data)
    assert str(info.value) == "Failed to parse data into a valid NodeDef"
    assert detail in info.value.detail


# ------------------------------------------------------------------------------ op defs

def test_defaults_filled():
    assert opdefs.complete_attrs(opdefs.AS_STRING, {"T": DataType(1)}) == {
        "T": 1, "precision": -1, "scientific": False, "shortest": False, "width": -1,
        "fill": b""}
    attrs = opdefs.complete_attrs(opdefs.STRING_TO_NUMBER, {"_class": [b"x"]})
    assert attrs == {"out_type": opdefs.DT_FLOAT} and isinstance(attrs["out_type"], DataType)


@pytest.mark.parametrize("op_def, attrs, message", [
    (opdefs.AS_STRING, {}, "NodeDef missing attr 'T' from Op<name=AsString; signature="
                           "input:T -> output:string; attr=T:type,allowed=[DT_FLOAT, "),
    (opdefs.AS_STRING, {"T": DataType(1), "colour": 1}, "NodeDef mentions attr 'colour' not in "
                                                        "Op<name=AsString"),
    (opdefs.AS_STRING, {"T": DataType(1), "width": True},
     "AttrValue had value with type 'bool' when 'int' expected for attr 'width' of AsString"),
    (opdefs.AS_STRING, {"T": 1}, "AttrValue had value with type 'int' when 'type' expected"),
    (opdefs.AS_STRING, {"T": DataType(1), "fill": None},
     "AttrValue missing value with expected type 'string' for attr 'fill'"),
    (opdefs.AS_STRING, {"T": DataType(11)},
     "Value for attr 'T' of qint8 is not in the list of allowed values: float, double, int32, "
     "uint8, int16, int8, int64, bfloat16, uint16, half, uint32, uint64, complex64, complex128, "
     "bool, variant, string"),
    (opdefs.STRING_TO_NUMBER, {"out_type": DataType(6)},
     "Value for attr 'out_type' of int8 is not in the list of allowed values: float, double, "
     "int32, int64, uint32, uint64"),
])
def test_attr_validation(op_def, attrs, message):
    with pytest.raises(ValueError) as info:
        opdefs.complete_attrs(op_def, attrs)
    assert str(info.value).startswith(message)


def test_datatype_names():
    assert [opdefs.datatype_name(t) for t in (1, 2, 19, 14, 22, 23, 101)] == [
        "float", "double", "half", "bfloat16", "uint32", "uint64", "float_ref"]
    assert opdefs.datatype_name(99) == "unknown dtype enum (99)"
    assert opdefs.numpy_dtype(opdefs.DT_STRING) == np.dtype(object)
    assert opdefs.numpy_dtype(opdefs.DT_HALF) == np.float16
    assert opdefs.numpy_dtype(opdefs.DT_BFLOAT16) is None


# ---------------------------------------------------------------- registration / prepare

def test_every_flex_code_resolves():
    for code in ("FlexAsString", "FlexStringToNumber", "FlexSoftplus"):
        kernel = kernel_for(code)
        assert isinstance(kernel, registry.Kernel) and kernel.foldable
    assert resolve("FlexAnything").prepare.func.__name__ == "prepare_flex"


def test_unknown_flex_op_fails_at_prepare():
    node = Node(3, "FlexSoftplus", 1, (spec(0, np.float32, (2,)),),
                (spec(1, np.float32, (2,)),), None, SOFTPLUS_OPTIONS, None)
    with pytest.raises(KernelError) as info:
        prepare(node)
    assert str(info.value) == ("Select TensorFlow op 'Softplus' is not supported by numlite "
                               "(supported: AsString, StringToNumber)")


def test_nodedef_op_wins_over_custom_code():
    options = flex_custom_options("AsString", build_nodedef("Softplus", {"T": tf_type(1)}))
    with pytest.raises(KernelError, match="Select TensorFlow op 'Softplus' is not supported"):
        prepare(flex_node("AsString", None, np.float32, object, options=options))


def test_converter_options_prepare_and_run():
    node = flex_node("AsString", None, np.float32, object, (2,),
                     options=CONVERTER_AS_STRING_F32)
    run, shapes = prepare(node)
    assert shapes == [(2,)]
    assert run(np.array([1.5, -3.25], np.float32)).tolist() == [b"00001.50", b"-0003.25"]
    node = flex_node("StringToNumber", None, object, np.int32, (2,),
                     options=CONVERTER_STRING_TO_NUMBER_I32)
    run, _ = prepare(node)
    assert run(np.array([b" 12", b"-7 "], object)).tolist() == [12, -7]


def test_unknown_shape_passes_through():
    run, shapes = prepare(flex_node("AsString", {"T": tf_type("int32")}, np.int32, object, None))
    assert shapes == [None]
    assert run(np.array([[1, 2]], np.int32)).tolist() == [[b"1", b"2"]]


@pytest.mark.parametrize("options, message", [
    (None, "Cannot convert empty data into a valid NodeDef"),
    (b"", "Cannot convert empty data into a valid NodeDef"),
    (b"\x00\x04\x03", "Failed to parse data into a valid NodeDef"),
    (flex_custom_options("AsString", b"\x12\x08Soft"), "Failed to parse data into a valid NodeDef"),
    (flex_custom_options("AsString", b""), "Cannot convert empty data into a valid NodeDef"),
])
def test_bad_custom_options(options, message):
    node = flex_node("AsString", {}, np.float32, object)._replace(custom_options=options)
    with pytest.raises(KernelError) as info:
        prepare(node)
    assert str(info.value).startswith(message)


@pytest.mark.parametrize("op, attrs, in_dtype, out_dtype, message", [
    ("AsString", {"T": tf_type("float32")}, np.float32, np.float32,
     "AsString produces a string tensor but output tensor 't1' has type FLOAT32"),
    ("AsString", {"T": tf_type("float32")}, np.int32, object,
     "cannot compute AsString as input #0(zero-based) was expected to be a float tensor but is "
     "a INT32 tensor"),
    ("AsString", {}, np.float32, object, "NodeDef missing attr 'T'"),
    ("AsString", {"T": tf_type("bfloat16")}, np.float32, object,
     "AsString of bfloat16 tensors is not supported by numlite"),
    ("AsString", {"T": tf_type("int32"), "precision": 3}, np.int32, object,
     "precision not supported for datatype int32"),
    ("AsString", {"T": tf_type("int32"), "width": 2 ** 31}, np.int32, object,
     "Attr width has value 2147483648 out of range for an int32"),
    ("StringToNumber", {}, object, np.int32,
     "StringToNumber produces a float tensor but output tensor 't1' has type INT32"),
    ("StringToNumber", {"out_type": tf_type("int64")}, object, np.int32,
     "StringToNumber produces a int64 tensor but output tensor 't1' has type INT32"),
    ("StringToNumber", {}, np.float32, np.float32,
     "cannot compute StringToNumber as input #0(zero-based) was expected to be a string tensor"),
    ("StringToNumber", {"out_type": tf_type("int8")}, object, np.int8,
     "Value for attr 'out_type' of int8 is not in the list of allowed values"),
])
def test_prepare_errors(op, attrs, in_dtype, out_dtype, message):
    with pytest.raises(KernelError) as info:
        prepare(flex_node(op, attrs, in_dtype, out_dtype))
    assert str(info.value).startswith(message)


@pytest.mark.parametrize("n_inputs, n_outputs, message", [
    (2, 1, "AsString takes 1 input(s) but the node has 2"),
    (1, 2, "AsString takes 1 output(s) but the node has 2"),
])
def test_arity(n_inputs, n_outputs, message):
    node = flex_node("AsString", {"T": tf_type("float32")}, np.float32, object,
                     n_inputs=n_inputs, n_outputs=n_outputs)
    with pytest.raises(KernelError, match=message.replace("(", r"\(").replace(")", r"\)")):
        prepare(node)


# ---------------------------------------------------------------------------- AsString

NAN, INF = float("nan"), float("inf")


@pytest.mark.parametrize("values, dtype, attrs, expected", [
    # reference §4.3 facts
    ([1.0, 0.1, 1e10], np.float32, {}, [b"1.000000", b"0.100000", b"10000000000.000000"]),
    ([1234567.0, 1e-5], np.float32, {"shortest": True}, [b"1.23457e+06", b"1e-05"]),
    ([1.0], np.float32, {"scientific": True}, [b"1.000000e+00"]),
    ([-42], np.int32, {"width": 4}, [b" -42"]),
    ([-42], np.int32, {"width": 4, "fill": "-"}, [b"-42 "]),
    ([-42], np.int32, {"width": 4, "fill": "0"}, [b"-042"]),
    ([NAN, INF, -INF], np.float32, {}, [b"nan", b"inf", b"-inf"]),
    ([True, False], np.bool_, {}, [b"true", b"false"]),
    # more of TensorFlow 2.21's outputs
    ([-0.0, 1234567.0, 1e-5], np.float32, {}, [b"-0.000000", b"1234567.000000", b"0.000010"]),
    ([100.0, 0.0001], np.float32, {"shortest": True}, [b"100", b"0.0001"]),
    ([5], np.int32, {"width": 4}, [b"   5"]),
    ([-42, 5], np.int32, {"width": 4, "fill": "+"}, [b" -42", b"  +5"]),
    ([-42, 5], np.int32, {"width": 4, "fill": " "}, [b" -42", b"   5"]),
    ([-42, 5], np.int32, {"width": 4, "fill": "#"}, [b" -42", b"   5"]),
    ([5, 200], np.uint8, {"width": 4, "fill": "+"}, [b"   5", b" 200"]),   # no sign for %u
    ([5, 200], np.uint8, {"width": 4, "fill": " "}, [b"   5", b" 200"]),
    ([3], np.uint16, {"width": 3, "fill": "0"}, [b"003"]),
    ([1], np.int8, {"width": 3, "fill": "0"}, [b"001"]),
    ([0], np.int32, {"width": 0, "fill": "#"}, [b"0"]),
    ([2 ** 64 - 1], np.uint64, {}, [b"18446744073709551615"]),
    ([-2 ** 63], np.int64, {}, [b"-9223372036854775808"]),
    ([-128, 127], np.int8, {}, [b"-128", b"127"]),
    ([65535], np.uint32, {"fill": "-", "width": 7}, [b"65535  "]),
    ([True, False], np.bool_, {"width": 7, "fill": "0"}, [b"true", b"false"]),
    ([NAN, INF, -INF], np.float32, {"width": 6, "fill": "0"}, [b"   nan", b"   inf", b"  -inf"]),
    ([NAN, INF, -INF, 1.5], np.float32, {"fill": "+"}, [b"+nan", b"+inf", b"-inf", b"+1.500000"]),
    ([NAN, INF, 1.5], np.float32, {"fill": " "}, [b" nan", b" inf", b" 1.500000"]),
    ([NAN, INF], np.float64, {"fill": "-", "width": 5}, [b"nan  ", b"inf  "]),
    ([NAN, INF, 1.0], np.float32, {"fill": "#", "precision": 0}, [b"nan", b"inf", b"1."]),
    ([1.0, 100.0], np.float32, {"fill": "#", "shortest": True}, [b"1.00000", b"100.000"]),
    ([0.5, 1.5, 2.5], np.float32, {"precision": 0}, [b"0", b"2", b"2"]),
    ([1.0], np.float32, {"width": -5, "precision": -5}, [b"1.000000"]),
    ([1.0], np.float32, {"width": 0, "fill": "0"}, [b"1.000000"]),
    ([1.5], np.float16, {}, [b"1.500000"]),
    ([1.5], np.float16, {"precision": 2, "width": 7, "fill": "-"}, [b"1.50   "]),
    ([0.1], np.float64, {"precision": 30}, [b"0.100000000000000005551115123126"]),
    ([0.1], np.float64, {"precision": 30, "shortest": True},
     [b"0.100000000000000005551115123126"]),
    ([123.456], np.float64, {"shortest": True, "fill": "#", "width": 12}, [b"     123.456"]),
    ([123.456], np.float64, {"shortest": True, "fill": "+", "width": 12}, [b"    +123.456"]),
    ([123456.0], np.float64, {"shortest": True, "precision": 0, "fill": "#"}, [b"1.e+05"]),
    ([0.0], np.float64, {"shortest": True, "precision": 0}, [b"0"]),
    ([1e300], np.float64, {"precision": 3, "scientific": True}, [b"1.000e+300"]),
    # denormals are flushed to zero (TensorFlow runs kernels with FTZ/DAZ), except float16
    ([1e-40, -1e-40, 1.17549435e-38, 1.1754942e-38], np.float32,
     {"scientific": True, "precision": 10},
     [b"0.0000000000e+00", b"-0.0000000000e+00", b"1.1754943508e-38", b"0.0000000000e+00"]),
    ([1e-310, -1e-310, 2.2250738585072014e-308], np.float64, {"scientific": True, "precision": 10},
     [b"0.0000000000e+00", b"-0.0000000000e+00", b"2.2250738585e-308"]),
    ([6e-8, -6e-5, 6.1e-5], np.float16, {"scientific": True, "precision": 10},
     [b"5.9604644775e-08", b"-6.0021877289e-05", b"6.0975551605e-05"]),
    # complex: "(re,im)" with the same format for both parts
    ([1 + 2j], np.complex64, {}, [b"(1.000000,2.000000)"]),
    ([1 + 2j], np.complex128, {"precision": 2, "width": 6}, [b"(  1.00,  2.00)"]),
    ([1 + 1j], np.complex64, {"shortest": True}, [b"(1,1)"]),
    ([0.5 + 1j, complex(NAN, INF)], np.complex128, {"fill": "+"},
     [b"(+0.500000,+1.000000)", b"(+nan,+inf)"]),
    ([complex(1e-40, -1e-40)], np.complex64, {"scientific": True, "precision": 3},
     [b"(0.000e+00,-0.000e+00)"]),
    # strings: passed through unless width > 0, then "%*.*s" (precision truncates)
    ([b"ab", b""], object, {}, [b"ab", b""]),
    ([b"ab"], object, {"precision": 1}, [b"ab"]),
    ([b"ab"], object, {"width": 4}, [b"  ab"]),
    ([b"ab"], object, {"width": 4, "fill": "-"}, [b"ab  "]),
    ([b"ab"], object, {"width": 4, "fill": "0"}, [b"  ab"]),
    ([b"ab"], object, {"width": 4, "fill": "+"}, [b"  ab"]),
    ([b"abc"], object, {"width": 5, "precision": 1}, [b"    a"]),
    ([b"abc"], object, {"width": 5, "precision": 0}, [b"     "]),
    ([b"abc"], object, {"width": 5, "precision": 2, "fill": "-"}, [b"ab   "]),
    ([b"abc"], object, {"width": 1, "precision": 2}, [b"ab"]),
    ([b"abc"], object, {"width": 2}, [b"abc"]),
])
def test_as_string(values, dtype, attrs, expected):
    assert as_string(values, dtype, **attrs) == expected


def test_as_string_negative_nan():
    x = np.copysign(np.array([np.nan, np.nan], np.float32), [-1.0, 1.0]).astype(np.float32)
    assert np.signbit(x).tolist() == [True, False]
    assert as_string(x, np.float32) == [b"-nan", b"nan"]
    assert as_string(x, np.float32, fill="+", width=6) == [b"  -nan", b"  +nan"]


def test_as_string_shapes_and_layout():
    assert as_string(np.zeros((2, 0, 3), np.int32), np.int32) == [[], []]
    assert as_string(np.float32(2.5), np.float32) == b"2.500000"
    x = np.arange(12, dtype=np.int64).reshape(3, 4)[:, ::2]       # non-contiguous
    assert as_string(x, np.int64) == [[b"0", b"2"], [b"4", b"6"], [b"8", b"10"]]
    c = (np.arange(6) + 1j * np.arange(6)).astype(np.complex64)[::2]
    assert as_string(c, np.complex64, precision=0) == [b"(0,0)", b"(2,2)", b"(4,4)"]
    big = np.linspace(-1e6, 1e6, 1001, dtype=np.float32)
    assert as_string(big, np.float32, precision=3) == [b"%.3f" % v for v in big.tolist()]


@pytest.mark.parametrize("dtype, attrs, message", [
    (np.int32, {"precision": 2}, "precision not supported for datatype int32"),
    (np.int32, {"shortest": True}, "scientific and shortest format not supported for datatype "
                                   "int32"),
    (np.uint8, {"scientific": True}, "scientific and shortest format not supported for datatype "
                                     "uint8"),
    (np.bool_, {"precision": 2}, "precision not supported for datatype bool"),
    (np.bool_, {"scientific": True}, "scientific and shortest format not supported for datatype "
                                     "bool"),
    (np.float32, {"shortest": True, "scientific": True},
     "Cannot select both scientific and shortest notation"),
    (np.float32, {"fill": "ab"}, "Fill string must be one or fewer characters"),
    (np.float32, {"fill": "é"}, "Fill string must be one or fewer characters"),   # 2 bytes
    (np.float32, {"fill": "x"}, 'Fill argument not supported: "x"'),
    (object, {"fill": "x"}, 'Fill argument not supported: "x"'),
    (object, {"shortest": True, "scientific": True},
     "Cannot select both scientific and shortest notation"),
    # the order of the checks
    (np.int32, {"fill": "ab", "precision": 3}, "precision not supported for datatype int32"),
    (np.int32, {"precision": 2, "scientific": True},
     "scientific and shortest format not supported for datatype int32"),
    (np.int32, {"fill": "x", "scientific": True, "shortest": True},
     "scientific and shortest format not supported for datatype int32"),
    (np.float32, {"fill": "x", "scientific": True, "shortest": True},
     "Cannot select both scientific and shortest notation"),
    (np.float32, {"fill": "ab", "scientific": True, "shortest": True},
     "Fill string must be one or fewer characters"),
])
def test_as_string_errors(dtype, attrs, message):
    with pytest.raises(KernelError) as info:
        as_string([1], dtype, **attrs)
    assert str(info.value) == message


# ----------------------------------------------------------------------- StringToNumber

FLOAT_CASES = [
    # whitespace (ASCII only), signs
    (b"1", 1.0), (b" 1", 1.0), (b"1 ", 1.0), (b"\t1\n", 1.0), (b"\v1\f", 1.0), (b"\r1", 1.0),
    (b"  -2  ", -2.0), (b"+1", 1.0), (b"-1", -1.0), (b"-0", -0.0), (b"007", 7.0),
    # decimal forms
    (b"1.5", 1.5), (b".5", 0.5), (b"5.", 5.0), (b"-.5", -0.5), (b"+.5", 0.5), (b"1e3", 1000.0),
    (b"1E3", 1000.0), (b"1e-2", 0.01), (b"1e+5", 1e5), (b"1.e5", 1e5), (b"1E-0", 1.0),
    (b"0e99999999999", 0.0), (b"00000000000000000000000000000000001", 1.0),
    # hexadecimal floats
    (b"0x10", 16.0), (b"-0x10", -16.0), (b"+0x10", 16.0), (b"0X1p3", 8.0), (b"0x.8", 0.5),
    (b"0x1.8p1", 3.0), (b"0x1P-2", 0.25), (b"0x1e3", 483.0), (b"0X1.8", 1.5), (b" 0x1p1 ", 2.0),
    # infinities
    (b"inf", INF), (b"-inf", -INF), (b"+inf", INF), (b"Inf", INF), (b"inF", INF),
    (b"INFINITY", INF), (b"infinity", INF),
]
BAD_FLOATS = [b"", b" ", b"+-1", b"-+1", b"--1", b"- 1", b"1 2", b".", b"-.", b"e5", b"1e",
              b"1e+", b"abc", b"1d", b"1f", b"0b1", b"1,000", b"1_000", b"1.5e3.2", b"0x",
              b"0x10p", b"0xg", b"00x10", b"x10", b"0x-1", b"0x+1", b"infin", b"infinityx",
              b"nan(a-b)", b"\xc2\xa01", b"\x1c1", b"1\x00", b"\x001"]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_string_to_float(dtype):
    strings = [s for s, _ in FLOAT_CASES]
    expected = np.array([v for _, v in FLOAT_CASES], dtype)
    got = to_number(strings, dtype, out_type=tf_type(dtype))
    assert bits(got) == bits(expected)
    # one at a time too (the batch may take a different path)
    for s, v in FLOAT_CASES:
        assert bits(to_number([s], dtype, out_type=tf_type(dtype))) == bits(np.array([v], dtype))


def test_string_to_number_default_out_type_is_float():
    assert to_number([b"0.1"]).tolist() == [np.float32(0.1)]


@pytest.mark.parametrize("text, f32_bits, f64", [
    # overflow gives inf, underflow rounds (subnormals are kept)
    (b"1e40", 0x7F800000, 1e40), (b"-1e40", 0xFF800000, -1e40),
    (b"1e-50", 0x00000000, 1e-50), (b"-1e-50", 0x80000000, -1e-50),
    (b"1e400", 0x7F800000, INF), (b"1e-400", 0, 0.0), (b"-1e-400", 0x80000000, -0.0),
    (b"1e99999999999999999999", 0x7F800000, INF), (b"1e-99999999999999999999", 0, 0.0),
    (b"3.4028235e38", 0x7F7FFFFF, 3.4028235e38), (b"3.4028236e38", 0x7F800000, 3.4028236e38),
    (b"1" + b"0" * 400, 0x7F800000, INF), (b"1" + b"0" * 400 + b"e-400", 0x3F800000, 1.0),
    (b"1e-45", 0x00000001, 1e-45), (b"1.4e-45", 0x00000001, 1.4e-45), (b"7e-46", 0, 7e-46),
    (b"8e-46", 0x00000001, 8e-46),
    (b"0x1p200", 0x7F800000, 2.0 ** 200), (b"0x1p-200", 0, 2.0 ** -200),
    (b"0x1p2000", 0x7F800000, INF), (b"0x" + b"f" * 40, 0x7F800000, 2.0 ** 160),
    # float32 is rounded once, directly from the decimal (1 + 2**-24 is a float32 midpoint)
    (b"1.00000005960464477539062500000000000001", 0x3F800001, 1.0000000596046448),
    (b"1.000000059604644775390625", 0x3F800000, 1.0000000596046448),
    (b"1.00000005960464477539062499999999999999", 0x3F800000, 1.0000000596046448),
    (b"0x1.000001p0", 0x3F800000, 1.0000000596046448),
    (b"0x1.0000010000000000001p0", 0x3F800001, 1.0000000596046448),
    (b"0x1.000000ffffffffffffp0", 0x3F800000, 1.0000000596046448),
    (b"0x1.fffffffp0", 0x40000000, 1.9999999962747097),
    (b"340282356779733661637539395458142568448", 0x7F800000, 3.4028235677973366e38),
    (b"340282356779733661637539395458142568447.9", 0x7F7FFFFF, 3.4028235677973366e38),
    (b"-340282356779733661637539395458142568448.0000000001", 0xFF800000, -3.4028235677973366e38),
    (b"2147483648", 0x4F000000, 2147483648.0), (b"99999999999999999999999", 0x65A96816, 1e23),
])
def test_string_to_float_rounding(text, f32_bits, f64):
    assert bits(to_number([text], np.float32)) == [f32_bits]
    assert bits(to_number([text], np.float64, out_type=tf_type("float64"))) == bits(
        np.array([f64]))


@pytest.mark.parametrize("text, f32_bits, f64_bits", [
    (b"nan", 0x7FC00000, 0x7FF8000000000000), (b"NaN", 0x7FC00000, 0x7FF8000000000000),
    (b"+nan", 0x7FC00000, 0x7FF8000000000000), (b"-nan", 0xFFC00000, 0xFFF8000000000000),
    (b"nan()", 0x7FC00000, 0x7FF8000000000000), (b"nan(123)", 0x7FC0007B, 0x7FF800000000007B),
    (b"nan(0x7)", 0x7FC00007, 0x7FF8000000000007), (b"NAN(7)", 0x7FC00007, 0x7FF8000000000007),
    (b"nan(010)", 0x7FC00008, 0x7FF8000000000008), (b"nan(abc)", 0x7FC00000, 0x7FF8000000000000),
    (b"nan(12abc)", 0x7FC00000, 0x7FF8000000000000), (b"nan(_)", 0x7FC00000, 0x7FF8000000000000),
    (b"-nan(5)", 0xFFC00005, 0xFFF8000000000005),
    (b"nan(0x7fffff)", 0x7FFFFFFF, 0x7FF80000007FFFFF),
    (b"nan(0x400000)", 0x7FC00000, 0x7FF8000000400000),
    (b"nan(0xffffffffffffffffff)", 0x7FFFFFFF, 0x7FFFFFFFFFFFFFFF),
    (b"nan(99999999999999999999)", 0x7FFFFFFF, 0x7FFFFFFFFFFFFFFF),
    (b"nan(0x8000000000000)", 0x7FC00000, 0x7FF8000000000000),
])
def test_string_to_float_nan_payloads(text, f32_bits, f64_bits):
    assert bits(to_number([b" " + text + b" "], np.float32)) == [f32_bits]
    assert bits(to_number([text], np.float64, out_type=tf_type("float64"))) == [f64_bits]


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.int64, np.uint32,
                                   np.uint64])
@pytest.mark.parametrize("text", BAD_FLOATS, ids=repr)
def test_string_to_number_bad_strings(text, dtype):
    with pytest.raises(KernelError) as info:
        to_number([b"1", text], dtype, out_type=tf_type(dtype))
    shown = text.split(b"\0")[0].decode("utf-8", "backslashreplace")
    assert str(info.value) == ("StringToNumberOp could not correctly convert string: " + shown
                               + "\n\t (while executing 'StringToNumber' via Eager)")


def test_string_to_number_error_names_first_bad_element():
    with pytest.raises(KernelError, match="convert string: x\n"):
        to_number([b"1", b"x", b"y"])
    with pytest.raises(KernelError, match="convert string: 2147483648\n"):
        to_number([b"1", b"2147483648", b"y"], np.int32, out_type=tf_type("int32"))


INT_CASES = [b"1", b" 1", b"1 ", b"\t1\n", b"\v1\f", b"+1", b"-1", b"007", b"0", b"-0", b"+0",
             b"  -2  ", b"1\v", b"00000000000000000000000000000000001"]
BAD_INTS = [b"+", b"-", b" + 1", b"++1", b"+-1", b"1.5", b".5", b"5.", b"1e3", b"1e0", b"0x10",
            b"0x1", b"inf", b"nan", b"\xd9\xa1", b"1_000"]


@pytest.mark.parametrize("dtype", [np.int32, np.int64])
def test_string_to_int(dtype):
    got = to_number(INT_CASES, dtype, out_type=tf_type(dtype))
    assert got.tolist() == [1, 1, 1, 1, 1, 1, -1, 7, 0, 0, 0, -2, 1, 1]
    for text in BAD_INTS:
        with pytest.raises(KernelError, match="could not correctly convert string"):
            to_number([text], dtype, out_type=tf_type(dtype))


@pytest.mark.parametrize("dtype, good, bad", [
    (np.int32, [b"2147483647", b"+2147483647", b"-2147483648",
                b"-00000000000000000000000002147483648"],
     [b"2147483648", b"+2147483648", b"-2147483649", b"4294967295", b"9223372036854775807"]),
    (np.int64, [b"9223372036854775807", b"-9223372036854775808", b"4294967295", b"2147483648"],
     [b"9223372036854775808", b"-9223372036854775809", b"99999999999999999999999"]),
    (np.uint32, [b"4294967295", b"+5", b" 7 ", b"0"],
     [b"4294967296", b"-1", b"-0", b"-00", b"- 0", b"18446744073709551615"]),
    (np.uint64, [b"18446744073709551615", b"4294967296", b"+5"],
     [b"18446744073709551616", b"-1", b"-0"]),
])
def test_string_to_int_ranges(dtype, good, bad):
    got = to_number(good, dtype, out_type=tf_type(dtype))
    assert got.tolist() == [int(s) for s in good]
    for text in bad:
        with pytest.raises(KernelError, match="could not correctly convert string"):
            to_number([text], dtype, out_type=tf_type(dtype))


def test_string_to_number_shapes():
    assert to_number(np.empty((0, 2), object)).shape == (0, 2)
    got = to_number([[b"1", b"2"], [b"3", b"4.5"]], np.float64, out_type=tf_type("float64"))
    assert got.tolist() == [[1, 2], [3, 4.5]]
    assert to_number(np.array(b"12", object), np.int32, out_type=tf_type("int32")).tolist() == 12


def test_string_to_number_batches_mixed_forms():
    # a batch with hex/nan/underscores cannot take the plain-decimal fast path
    strings = [b"1.5", b"0x10", b"-nan", b" 2e3 ", b"inf"]
    got = to_number(strings, np.float64, out_type=tf_type("float64"))
    assert bits(got) == [0x3FF8000000000000, 0x4030000000000000, 0xFFF8000000000000,
                         0x409F400000000000, 0x7FF0000000000000]
    numbers = np.linspace(-1e5, 1e5, 2001)
    text = np.array([b"%.17g" % v for v in numbers.tolist()], object)
    assert to_number(text, np.float64, out_type=tf_type("float64")).tolist() == numbers.tolist()
    assert to_number(text).tolist() == numbers.astype(np.float32).tolist()


def test_as_string_to_number_round_trip():
    x = np.random.default_rng(1).standard_normal(500).astype(np.float32) * 1e3
    text = as_string(x, np.float32, scientific=True, precision=8)
    assert to_number(text).tolist() == x.tolist()


def test_library_helpers():
    assert string_ops.as_string(np.array([1.25]), opdefs.DT_DOUBLE, precision=1).tolist() == [
        b"1.2"]
    assert string_ops.string_to_number(np.array(["7"], object), opdefs.DT_INT64).tolist() == [7]
