"""Write small .tflite models for tests (flatbuffers Builder + the `tflite` schema package).

A model is described with plain records and turned into bytes::

    from builder import T, Op, build_model, single_op

    model = build_model(
        tensors=[T([2, 3], np.float32, name="x"), T([3], np.float32, name="y"),
                 T([2, 3], np.float32, name="out")],
        ops=[Op("ADD", [0, 1], [2], options=dict(fused_activation_function="RELU"))],
        inputs=[0, 1], outputs=[2],
        signatures={"serving_default": ({"x": 0, "y": 1}, {"out": 2})})

    model = single_op("ADD", [T([2, 3], np.float32), T([3], np.float32, data=[1, 2, 3])],
                      [T([2, 3], np.float32)], options=dict(fused_activation_function="RELU6"))

Conventions (all of schema.fbs, reference §3):
* buffer 0 is the empty sentinel; each constant tensor (``data`` given) gets its own buffer,
  other tensors use buffer 0 (``own_buffers=True`` gives each of them an empty buffer of its
  own, as the converter does);
* dims given as ``-1``/``None`` become 1 in ``shape`` and -1 in ``shape_signature``;
* builtin ops write both ``builtin_code`` and ``deprecated_builtin_code = min(code, 127)``;
  custom ops write code 32 (CUSTOM) and ``custom_code``;
* ``options`` is a dict of the op's BuiltinOptions table fields in schema (snake_case) names;
  enum fields take names (``"RELU6"``, ``"SAME"``, ``"FLOAT32"``) or numbers, tensor-type fields
  also numpy dtypes;
* Flex ops: ``flex_op("AsString", dict(T=tf_type("float32"), precision=3))`` gives an Op whose
  custom options are the flexbuffer vector ``[op name, serialized NodeDef]``.

Only the test extra's packages (flatbuffers, tflite, numpy) are used.
"""

import dataclasses
import functools
import importlib
import inspect
import re
import struct
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import flatbuffers
import numpy as np
import tflite

__all__ = [
    "T", "TensorDef", "Op", "OpDef", "Subgraph", "SubgraphDef", "build_model", "single_op",
    "string_buffer", "tensor_type", "builtin_code", "options_type_name",
    "flex_custom_options", "nodedef", "tf_type", "flex_op", "TF_DTYPES",
]

# TensorType numbers (reference §3.3; the tflite 2.18 package lacks the newest ones).
TENSOR_TYPES = {
    "FLOAT32": 0, "FLOAT16": 1, "INT32": 2, "UINT8": 3, "INT64": 4, "STRING": 5, "BOOL": 6,
    "INT16": 7, "COMPLEX64": 8, "INT8": 9, "FLOAT64": 10, "COMPLEX128": 11, "UINT64": 12,
    "RESOURCE": 13, "VARIANT": 14, "UINT32": 15, "UINT16": 16, "INT4": 17, "BFLOAT16": 18,
    "INT2": 19, "UINT4": 20, "FLOAT8_E4M3FN": 21, "FLOAT8_E5M2": 22,
}
_NUMPY_TYPES = {
    np.dtype(np.float32): "FLOAT32", np.dtype(np.float16): "FLOAT16", np.dtype(np.int32): "INT32",
    np.dtype(np.uint8): "UINT8", np.dtype(np.int64): "INT64", np.dtype(np.bool_): "BOOL",
    np.dtype(np.int16): "INT16", np.dtype(np.complex64): "COMPLEX64", np.dtype(np.int8): "INT8",
    np.dtype(np.float64): "FLOAT64", np.dtype(np.complex128): "COMPLEX128",
    np.dtype(np.uint64): "UINT64", np.dtype(np.uint32): "UINT32", np.dtype(np.uint16): "UINT16",
}
_NUMPY_OF_TYPE = {name: dtype for dtype, name in _NUMPY_TYPES.items()}

_ACTIVATIONS = {"NONE": 0, "RELU": 1, "RELU_N1_TO_1": 2, "RELU6": 3, "TANH": 4, "SIGN_BIT": 5}
CUSTOM = 32
PLACEHOLDER_FOR_GREATER_OP_CODES = 127


def tensor_type(dtype) -> int:
    """TensorType number of a numpy dtype, a TensorType name ('string', 'int4', ...) or a number."""
    if isinstance(dtype, (int, np.integer)) and not isinstance(dtype, bool):
        return int(dtype)
    if isinstance(dtype, str) and dtype.upper() in TENSOR_TYPES:
        return TENSOR_TYPES[dtype.upper()]
    if dtype in (str, bytes, np.bytes_, np.str_, object):
        return TENSOR_TYPES["STRING"]
    try:
        return TENSOR_TYPES[_NUMPY_TYPES[np.dtype(dtype)]]
    except (KeyError, TypeError):
        raise ValueError(f"no TensorType for {dtype!r}") from None


def builtin_code(op) -> int:
    """BuiltinOperator number of an op name ('ADD') or number."""
    if isinstance(op, (int, np.integer)):
        return int(op)
    try:
        return getattr(tflite.BuiltinOperator, op.upper())
    except AttributeError:
        raise ValueError(f"unknown builtin operator {op!r}") from None


def string_buffer(strings) -> bytes:
    """The TFLite string tensor layout (reference §3.6): count, count+1 offsets, then the bytes."""
    items = [s.encode("utf-8") if isinstance(s, str) else bytes(s)
             for s in np.asarray(strings, dtype=object).reshape(-1)]
    offsets = [4 * (len(items) + 2)]
    for s in items:
        offsets.append(offsets[-1] + len(s))
    return struct.pack(f"<{len(items) + 2}i", len(items), *offsets) + b"".join(items)


# ----------------------------------------------------------------------------- records

@dataclasses.dataclass
class TensorDef:
    """One tensor. ``data`` makes it a constant (array-like, raw ``bytes``, or strings).

    ``quant``: dict(scales=[...], zero_points=[...], quantized_dimension=0, min=[...], max=[...]),
    any subset. ``buffer``: force a buffer index (e.g. to share one); normally left None.
    """
    shape: Sequence[Optional[int]]
    dtype: Any = np.float32
    data: Any = None
    name: Optional[str] = None
    quant: Optional[Dict[str, Any]] = None
    shape_signature: Optional[Sequence[int]] = None
    is_variable: bool = False
    has_rank: Optional[bool] = None
    buffer: Optional[int] = None
    #: SparsityParameters: dict(traversal_order=[...], block_map=[...], dim_metadata=[
    #: dict(format="DENSE", dense_size=n) or dict(format="SPARSE_CSR", segments=[...],
    #: indices=[...], index_type="int32"|"uint16"|"uint8"), ...]); ``data`` is then the
    #: compressed values
    sparsity: Optional[Dict[str, Any]] = None

    @property
    def type_number(self) -> int:
        return tensor_type(self.dtype)

    def dims(self) -> Tuple[List[int], Optional[List[int]]]:
        """(shape, shape_signature) as written: unknown dims are 1 in shape, -1 in the signature."""
        shape = [1 if d is None or d < 0 else int(d) for d in self.shape]
        signature = self.shape_signature
        if signature is None and any(d is None or d < 0 for d in self.shape):
            signature = [-1 if d is None or d < 0 else int(d) for d in self.shape]
        return shape, None if signature is None else [int(d) for d in signature]

    def data_bytes(self) -> Optional[bytes]:
        if self.data is None:
            return None
        if isinstance(self.data, (bytes, bytearray, memoryview)):
            return bytes(self.data)
        if self.type_number == TENSOR_TYPES["STRING"]:
            return string_buffer(self.data)
        name = next(k for k, v in TENSOR_TYPES.items() if v == self.type_number)
        if name not in _NUMPY_OF_TYPE:
            raise ValueError(f"give raw bytes as data for a {name} tensor")
        array = np.asarray(self.data, dtype=_NUMPY_OF_TYPE[name])
        return array.astype(array.dtype.newbyteorder("<"), copy=False).tobytes()


T = TensorDef


@dataclasses.dataclass
class OpDef:
    """One operator. ``op``: builtin name/number, or a custom code (any name that is not a
    builtin, or give ``custom_code``). ``inputs`` may hold -1 for an absent optional input.

    ``options``: dict of the BuiltinOptions fields (None = no options table at all; {} = the
    op's table with every field at its default). ``options_type``: the table's name when it
    cannot be derived from the op name (e.g. 'ReducerOptions' for SUM).
    """
    op: Union[str, int]
    inputs: Sequence[int]
    outputs: Sequence[int]
    options: Optional[Dict[str, Any]] = None
    custom_code: Optional[str] = None
    custom_options: Optional[bytes] = None
    version: int = 1
    options_type: Optional[str] = None
    intermediates: Optional[Sequence[int]] = None

    def is_custom(self) -> bool:
        if self.custom_code is not None:
            return True
        return isinstance(self.op, str) and not hasattr(tflite.BuiltinOperator, self.op.upper())

    def opcode_key(self):
        if self.is_custom():
            return (CUSTOM, self.custom_code if self.custom_code is not None else self.op,
                    self.version)
        return (builtin_code(self.op), None, self.version)


Op = OpDef


@dataclasses.dataclass
class SubgraphDef:
    tensors: Sequence[TensorDef]
    ops: Sequence[OpDef]
    inputs: Sequence[int]
    outputs: Sequence[int]
    name: Optional[str] = None


Subgraph = SubgraphDef


# ----------------------------------------------------------------------------- options

# Ops whose options table name is not the op name in CamelCase.
_OPTIONS_OVERRIDES = {
    "AVERAGE_POOL_2D": "Pool2DOptions", "MAX_POOL_2D": "Pool2DOptions",
    "L2_POOL_2D": "Pool2DOptions", "MEAN": "ReducerOptions", "SUM": "ReducerOptions",
    "REDUCE_PROD": "ReducerOptions", "REDUCE_MAX": "ReducerOptions",
    "REDUCE_MIN": "ReducerOptions", "REDUCE_ANY": "ReducerOptions",
    "REDUCE_ALL": "ReducerOptions", "L2_NORMALIZATION": "L2NormOptions",
    "UNIDIRECTIONAL_SEQUENCE_RNN": "SequenceRNNOptions", "LOG_SOFTMAX": "LogSoftmaxOptions",
    "MAXIMUM": "MaximumMinimumOptions", "MINIMUM": "MaximumMinimumOptions",
    "CALL": "CallOptions", "PADV2": "PadV2Options", "TOPK_V2": "TopKV2Options",
    "HASHTABLE_FIND": "HashtableFindOptions", "HASHTABLE_IMPORT": "HashtableImportOptions",
    "HASHTABLE_SIZE": "HashtableSizeOptions", "ATAN2": "ATan2Options",
    "EMBEDDING_LOOKUP_SPARSE": "EmbeddingLookupSparseOptions",
}
_OPTIONS_BY_FOLDED_NAME = {
    name[:-len("Options")].lower(): name
    for name, value in vars(tflite.BuiltinOptions).items()
    if name.endswith("Options") and isinstance(value, int)
}

# Enum-valued option fields: field name -> {name: number}
_ENUM_FIELDS = {
    "fused_activation_function": _ACTIVATIONS,
    "padding": {"SAME": 0, "VALID": 1},
    "weights_format": {"DEFAULT": 0, "SHUFFLED4x16INT8": 1},
    "combiner": {"SUM": 0, "MEAN": 1, "SQRTN": 2},
    "kernel_type": {"FULL": 0, "BASIC": 1},
    "mode": {"REFLECT": 0, "SYMMETRIC": 1},
    "reduce_function": {"UNSUPPORTED": 0, "ADD": 1, "MUL": 2, "MINIMUM": 3, "MAXIMUM": 4,
                        "ALL": 5, "ANY": 6},
}
_TYPE_FIELDS = {"in_data_type", "out_data_type", "out_type", "output_type", "idx_out_type",
                "key_dtype", "value_dtype", "quantized_bias_type"}


def options_type_name(op) -> Optional[str]:
    """Name of the BuiltinOptions table an op uses (e.g. 'AddOptions'), None if none is known."""
    name = op if isinstance(op, str) else tflite.opcode2name(op)
    name = name.upper()
    if name in _OPTIONS_OVERRIDES:
        return _OPTIONS_OVERRIDES[name]
    return _OPTIONS_BY_FOLDED_NAME.get(name.replace("_", "").lower())


def _camel(snake: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in snake.split("_"))


@functools.lru_cache(maxsize=None)
def _options_module(table: str):
    return importlib.import_module(f"tflite.{table}")


@functools.lru_cache(maxsize=None)
def _field_kind(table: str, field: str):
    """('scalar'|'string'|'vector'|'table', vector element flags) of an options field,
    read from the generated reader's source."""
    reader = getattr(getattr(_options_module(table), table), _camel(field), None)
    if reader is None:
        raise ValueError(f"{table} has no field {field!r}")
    source = inspect.getsource(reader)
    if "self._tab.String(" in source:
        return "string", None
    if "self._tab.Vector(" in source:
        flags = re.search(r"number_types\.(\w+Flags), a \+", source)
        if flags:
            return "vector", getattr(flatbuffers.number_types, flags.group(1))
        return "table", None
    if "Indirect" in source:
        return "table", None
    return "scalar", None


def _scalar_value(field: str, value):
    if isinstance(value, str):
        if field in _TYPE_FIELDS:
            return tensor_type(value)
        table = _ENUM_FIELDS.get(field)
        if table is None or value.upper() not in {k.upper() for k in table}:
            raise ValueError(f"cannot use {value!r} for option {field!r}")
        return {k.upper(): v for k, v in table.items()}[value.upper()]
    if field in _TYPE_FIELDS and not isinstance(value, (int, np.integer)):
        return tensor_type(value)
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    return float(value)


def _build_options(builder, table: str, options: Dict[str, Any]) -> int:
    module = _options_module(table)
    # vectors and strings first: nothing may be created while a table is open
    offsets = {}
    for field, value in options.items():
        kind, flags = _field_kind(table, field)
        if kind == "string":
            offsets[field] = builder.CreateString(value)
        elif kind == "vector":
            values = list(value)
            getattr(module, f"{table}Start{_camel(field)}Vector")(builder, len(values))
            for v in reversed(values):
                builder.Prepend(flags, flags.py_type(v))
            offsets[field] = builder.EndVector()
        elif kind == "table":
            raise ValueError(f"{table}.{field}: nested tables are not supported")
    getattr(module, f"{table}Start")(builder)
    for field, value in options.items():
        add = getattr(module, f"{table}Add{_camel(field)}")
        add(builder, offsets[field] if field in offsets else _scalar_value(field, value))
    return getattr(module, f"{table}End")(builder)


# ----------------------------------------------------------------------------- writer

def _int_vector(builder, values, flags=flatbuffers.number_types.Int32Flags):
    values = [int(v) for v in values]
    builder.StartVector(flags.bytewidth, len(values), flags.bytewidth)
    for v in reversed(values):
        builder.Prepend(flags, v)
    return builder.EndVector()


def _offset_vector(builder, offsets):
    builder.StartVector(4, len(offsets), 4)
    for off in reversed(offsets):
        builder.PrependUOffsetTRelative(off)
    return builder.EndVector()


def _byte_vector(builder, data: bytes, alignment: int = 16):
    """A [ubyte] vector whose first byte is ``alignment``-aligned (Buffer.data: force_align 16)."""
    builder.StartVector(1, len(data), alignment)
    builder.head = builder.head - len(data)
    builder.Bytes[builder.head:builder.head + len(data)] = data
    return builder.EndVector()


def _quantization(builder, quant):
    unknown = set(quant) - {"scales", "zero_points", "quantized_dimension", "min", "max"}
    if unknown:
        raise ValueError(f"unknown quantization keys {sorted(unknown)}")
    f32 = flatbuffers.number_types.Float32Flags
    i64 = flatbuffers.number_types.Int64Flags
    vectors = {}
    for key, flags in (("min", f32), ("max", f32), ("scales", f32), ("zero_points", i64)):
        if quant.get(key) is not None:
            values = np.atleast_1d(np.asarray(quant[key])).tolist()
            builder.StartVector(flags.bytewidth, len(values), flags.bytewidth)
            for v in reversed(values):
                builder.Prepend(flags, flags.py_type(v))
            vectors[key] = builder.EndVector()
    tflite.QuantizationParametersStart(builder)
    if "min" in vectors:
        tflite.QuantizationParametersAddMin(builder, vectors["min"])
    if "max" in vectors:
        tflite.QuantizationParametersAddMax(builder, vectors["max"])
    if "scales" in vectors:
        tflite.QuantizationParametersAddScale(builder, vectors["scales"])
    if "zero_points" in vectors:
        tflite.QuantizationParametersAddZeroPoint(builder, vectors["zero_points"])
    if quant.get("quantized_dimension"):
        tflite.QuantizationParametersAddQuantizedDimension(
            builder, int(quant["quantized_dimension"]))
    return tflite.QuantizationParametersEnd(builder)


_INDEX_VECTORS = {"int32": (1, "Int32Vector", flatbuffers.number_types.Int32Flags),
                  "uint16": (2, "Uint16Vector", flatbuffers.number_types.Uint16Flags),
                  "uint8": (3, "Uint8Vector", flatbuffers.number_types.Uint8Flags)}


def _index_vector(builder, values, kind):
    """A SparseIndexVector union member: (type number, table offset)."""
    number, table, flags = _INDEX_VECTORS[kind]
    values = [int(v) for v in values]
    getattr(tflite, f"{table}StartValuesVector")(builder, len(values))
    for v in reversed(values):
        builder.Prepend(flags, v)
    vector = builder.EndVector()
    getattr(tflite, f"{table}Start")(builder)
    getattr(tflite, f"{table}AddValues")(builder, vector)
    return number, getattr(tflite, f"{table}End")(builder)


def _sparsity(builder, sparsity):
    """A SparsityParameters table (see TensorDef.sparsity)."""
    dims = []
    for d in sparsity["dim_metadata"]:
        fmt = d.get("format", "DENSE")
        fmt = {"DENSE": 0, "SPARSE_CSR": 1}[fmt] if isinstance(fmt, str) else int(fmt)
        segments = indices = None
        if fmt == 1:
            kind = d.get("index_type", "int32")
            segments = _index_vector(builder, d["segments"], kind)
            indices = _index_vector(builder, d["indices"], kind)
        tflite.DimensionMetadataStart(builder)
        tflite.DimensionMetadataAddFormat(builder, fmt)
        if "dense_size" in d:
            tflite.DimensionMetadataAddDenseSize(builder, int(d["dense_size"]))
        if segments is not None:
            tflite.DimensionMetadataAddArraySegmentsType(builder, segments[0])
            tflite.DimensionMetadataAddArraySegments(builder, segments[1])
            tflite.DimensionMetadataAddArrayIndicesType(builder, indices[0])
            tflite.DimensionMetadataAddArrayIndices(builder, indices[1])
        dims.append(tflite.DimensionMetadataEnd(builder))
    order = _int_vector(builder, sparsity.get("traversal_order", []))
    block_map = _int_vector(builder, sparsity.get("block_map", [])) \
        if sparsity.get("block_map") else None
    dims_vec = _offset_vector(builder, dims)
    tflite.SparsityParametersStart(builder)
    tflite.SparsityParametersAddTraversalOrder(builder, order)
    if block_map is not None:
        tflite.SparsityParametersAddBlockMap(builder, block_map)
    tflite.SparsityParametersAddDimMetadata(builder, dims_vec)
    return tflite.SparsityParametersEnd(builder)


def _normalize_signature(key, value):
    """(inputs map, outputs map, subgraph index) from a 2- or 3-tuple or a dict."""
    if isinstance(value, dict):
        return dict(value["inputs"]), dict(value["outputs"]), int(value.get("subgraph", 0))
    if len(value) == 2:
        return dict(value[0]), dict(value[1]), 0
    if len(value) == 3:
        return dict(value[0]), dict(value[1]), int(value[2])
    raise ValueError(f"signature {key!r}: give (inputs, outputs[, subgraph index])")


def build_model(ops: Sequence[OpDef] = (), tensors: Sequence[TensorDef] = (),
                inputs: Sequence[int] = (), outputs: Sequence[int] = (),
                signatures: Optional[Dict[str, Any]] = None, *,
                subgraphs: Optional[Sequence[SubgraphDef]] = None,
                extra_subgraphs: Sequence[SubgraphDef] = (),
                name: Optional[str] = "main", description: str = "numlite test builder",
                version: int = 3, own_buffers: bool = False, legacy_opcodes: bool = False,
                external_buffers: bool = False, metadata: Optional[Dict[str, bytes]] = None,
                file_identifier: bytes = b"TFL3") -> bytes:
    """Serialize a model; returns the .tflite bytes.

    Either give one subgraph with ``ops``/``tensors``/``inputs``/``outputs`` (plus
    ``extra_subgraphs`` after it, e.g. CALL_ONCE init, IF/WHILE bodies), or all of them with
    ``subgraphs``. ``signatures``: {key: (inputs {name: tensor}, outputs {name: tensor}
    [, subgraph index])} written in the given order (the converter writes names sorted; keep
    them unsorted here to test that a reader sorts).

    ``legacy_opcodes``: write only deprecated_builtin_code (builtin_code=0), as pre-2.4 files do.
    ``external_buffers``: store constant data after the flatbuffer with Buffer.offset/size
    (the >2 GB layout) instead of in Buffer.data.
    """
    if subgraphs is None:
        subgraphs = [SubgraphDef(list(tensors), list(ops), list(inputs), list(outputs), name)]
        subgraphs += list(extra_subgraphs)
    elif ops or tensors or inputs or outputs or extra_subgraphs:
        raise ValueError("give either subgraphs= or one subgraph's ops/tensors/inputs/outputs")

    if not external_buffers:
        return _serialize(subgraphs, signatures, description, version, own_buffers,
                          legacy_opcodes, None, metadata, file_identifier)
    # Two passes: the offsets are file positions after the flatbuffer, whose size does not
    # depend on their values (offset/size are always written).
    first = _serialize(subgraphs, signatures, description, version, own_buffers,
                       legacy_opcodes, 0, metadata, file_identifier)
    return _serialize(subgraphs, signatures, description, version, own_buffers,
                      legacy_opcodes, len(first), metadata, file_identifier)


def _serialize(subgraphs, signatures, description, version, own_buffers, legacy_opcodes,
               external_base, metadata, file_identifier):
    builder = flatbuffers.Builder(1024)

    # buffers: 0 = sentinel, then constants (and empty per-tensor buffers if asked)
    buffer_data: List[Optional[bytes]] = [None]
    tensor_buffers: List[List[int]] = []
    for sg in subgraphs:
        indices = []
        for t in sg.tensors:
            data = t.data_bytes()
            if t.buffer is not None:
                indices.append(t.buffer)
                while len(buffer_data) <= t.buffer:
                    buffer_data.append(None)
                if data is not None:
                    buffer_data[t.buffer] = data
            elif data is not None or own_buffers:
                indices.append(len(buffer_data))
                buffer_data.append(data)
            else:
                indices.append(0)
        tensor_buffers.append(indices)
    metadata_buffers = {}
    for key, blob in (metadata or {}).items():
        metadata_buffers[key] = len(buffer_data)
        buffer_data.append(bytes(blob))

    # operator codes, deduplicated in first-use order
    opcode_keys: List[tuple] = []
    for sg in subgraphs:
        for op in sg.ops:
            if op.opcode_key() not in opcode_keys:
                opcode_keys.append(op.opcode_key())

    # external data layout (16-byte aligned after the flatbuffer)
    external = {}
    if external_base is not None:
        pos = external_base
        for i, data in enumerate(buffer_data):
            if data:
                pos = (pos + 15) // 16 * 16
                external[i] = (pos, len(data))
                pos += len(data)

    buffer_offsets = []
    for i, data in enumerate(buffer_data):
        data_off = _byte_vector(builder, data) if data and i not in external else None
        tflite.BufferStart(builder)
        if data_off is not None:
            tflite.BufferAddData(builder, data_off)
        if i in external:
            builder.ForceDefaults(True)
            tflite.BufferAddOffset(builder, external[i][0])
            tflite.BufferAddSize(builder, external[i][1])
            builder.ForceDefaults(False)
        buffer_offsets.append(tflite.BufferEnd(builder))

    opcode_offsets = []
    for code, custom, op_version in opcode_keys:
        custom_off = builder.CreateString(custom) if custom is not None else None
        tflite.OperatorCodeStart(builder)
        builder.ForceDefaults(True)
        tflite.OperatorCodeAddDeprecatedBuiltinCode(
            builder, min(code, PLACEHOLDER_FOR_GREATER_OP_CODES))
        if not legacy_opcodes:
            tflite.OperatorCodeAddBuiltinCode(builder, code)
        builder.ForceDefaults(False)
        if custom_off is not None:
            tflite.OperatorCodeAddCustomCode(builder, custom_off)
        tflite.OperatorCodeAddVersion(builder, op_version)
        opcode_offsets.append(tflite.OperatorCodeEnd(builder))

    subgraph_offsets = []
    for sg, buffers in zip(subgraphs, tensor_buffers):
        subgraph_offsets.append(_subgraph(builder, sg, buffers, opcode_keys))

    signature_offsets = []
    for key, value in (signatures or {}).items():
        ins, outs, index = _normalize_signature(key, value)
        maps = []
        for mapping in (ins, outs):
            entries = []
            for tname, tindex in mapping.items():
                name_off = builder.CreateString(tname)
                tflite.TensorMapStart(builder)
                tflite.TensorMapAddName(builder, name_off)
                tflite.TensorMapAddTensorIndex(builder, int(tindex))
                entries.append(tflite.TensorMapEnd(builder))
            maps.append(_offset_vector(builder, entries))
        key_off = builder.CreateString(key)
        tflite.SignatureDefStart(builder)
        tflite.SignatureDefAddInputs(builder, maps[0])
        tflite.SignatureDefAddOutputs(builder, maps[1])
        tflite.SignatureDefAddSignatureKey(builder, key_off)
        tflite.SignatureDefAddSubgraphIndex(builder, index)
        signature_offsets.append(tflite.SignatureDefEnd(builder))

    metadata_offsets = []
    for key, index in metadata_buffers.items():
        name_off = builder.CreateString(key)
        tflite.MetadataStart(builder)
        tflite.MetadataAddName(builder, name_off)
        tflite.MetadataAddBuffer(builder, index)
        metadata_offsets.append(tflite.MetadataEnd(builder))

    opcodes_vec = _offset_vector(builder, opcode_offsets)
    subgraphs_vec = _offset_vector(builder, subgraph_offsets)
    buffers_vec = _offset_vector(builder, buffer_offsets)
    signatures_vec = _offset_vector(builder, signature_offsets) if signatures else None
    metadata_vec = _offset_vector(builder, metadata_offsets) if metadata_offsets else None
    description_off = builder.CreateString(description) if description is not None else None

    tflite.ModelStart(builder)
    tflite.ModelAddVersion(builder, version)
    tflite.ModelAddOperatorCodes(builder, opcodes_vec)
    tflite.ModelAddSubgraphs(builder, subgraphs_vec)
    if description_off is not None:
        tflite.ModelAddDescription(builder, description_off)
    tflite.ModelAddBuffers(builder, buffers_vec)
    if metadata_vec is not None:
        tflite.ModelAddMetadata(builder, metadata_vec)
    if signatures_vec is not None:
        tflite.ModelAddSignatureDefs(builder, signatures_vec)
    builder.Finish(tflite.ModelEnd(builder), file_identifier=file_identifier)
    out = bytes(builder.Output())

    if external_base is None:
        return out
    blob = bytearray(out)
    for i, (pos, size) in external.items():
        blob.extend(b"\0" * (pos - len(blob)))
        blob.extend(buffer_data[i])
    return bytes(blob)


def _subgraph(builder, sg: SubgraphDef, buffers: List[int], opcode_keys) -> int:
    tensor_offsets = []
    for i, (t, buffer) in enumerate(zip(sg.tensors, buffers)):
        shape, signature = t.dims()
        shape_off = _int_vector(builder, shape)
        signature_off = _int_vector(builder, signature) if signature is not None else None
        name_off = builder.CreateString(t.name if t.name is not None else f"t{i}")
        quant_off = _quantization(builder, t.quant) if t.quant else None
        sparsity_off = _sparsity(builder, t.sparsity) if t.sparsity else None
        tflite.TensorStart(builder)
        tflite.TensorAddShape(builder, shape_off)
        tflite.TensorAddType(builder, t.type_number)
        tflite.TensorAddBuffer(builder, buffer)
        tflite.TensorAddName(builder, name_off)
        if quant_off is not None:
            tflite.TensorAddQuantization(builder, quant_off)
        if t.is_variable:
            tflite.TensorAddIsVariable(builder, True)
        if sparsity_off is not None:
            tflite.TensorAddSparsity(builder, sparsity_off)
        if signature_off is not None:
            tflite.TensorAddShapeSignature(builder, signature_off)
        if t.has_rank is not None:
            builder.ForceDefaults(True)
            tflite.TensorAddHasRank(builder, bool(t.has_rank))
            builder.ForceDefaults(False)
        tensor_offsets.append(tflite.TensorEnd(builder))

    operator_offsets = []
    for op in sg.ops:
        inputs_off = _int_vector(builder, op.inputs)
        outputs_off = _int_vector(builder, op.outputs)
        intermediates_off = (_int_vector(builder, op.intermediates)
                             if op.intermediates is not None else None)
        options_off = options_type = None
        if op.options is not None:
            table = op.options_type or options_type_name(op.op)
            if table is None:
                raise ValueError(f"{op.op}: no options table known; give options_type=")
            options_type = getattr(tflite.BuiltinOptions, table)
            options_off = _build_options(builder, table, op.options)
        custom_off = (_byte_vector(builder, bytes(op.custom_options), alignment=1)
                      if op.custom_options is not None else None)
        tflite.OperatorStart(builder)
        tflite.OperatorAddOpcodeIndex(builder, opcode_keys.index(op.opcode_key()))
        tflite.OperatorAddInputs(builder, inputs_off)
        tflite.OperatorAddOutputs(builder, outputs_off)
        if options_off is not None:
            tflite.OperatorAddBuiltinOptionsType(builder, options_type)
            tflite.OperatorAddBuiltinOptions(builder, options_off)
        if custom_off is not None:
            tflite.OperatorAddCustomOptions(builder, custom_off)
        if intermediates_off is not None:
            tflite.OperatorAddIntermediates(builder, intermediates_off)
        operator_offsets.append(tflite.OperatorEnd(builder))

    tensors_vec = _offset_vector(builder, tensor_offsets)
    inputs_vec = _int_vector(builder, sg.inputs)
    outputs_vec = _int_vector(builder, sg.outputs)
    operators_vec = _offset_vector(builder, operator_offsets)
    name_off = builder.CreateString(sg.name) if sg.name is not None else None
    tflite.SubGraphStart(builder)
    tflite.SubGraphAddTensors(builder, tensors_vec)
    tflite.SubGraphAddInputs(builder, inputs_vec)
    tflite.SubGraphAddOutputs(builder, outputs_vec)
    tflite.SubGraphAddOperators(builder, operators_vec)
    if name_off is not None:
        tflite.SubGraphAddName(builder, name_off)
    return tflite.SubGraphEnd(builder)


def single_op(op, input_defs: Sequence[Optional[TensorDef]], output_defs: Sequence[TensorDef],
              options: Optional[Dict[str, Any]] = None, *,
              signature: Optional[str] = "serving_default",
              custom_code: Optional[str] = None, custom_options: Optional[bytes] = None,
              version: int = 1, options_type: Optional[str] = None, **kw) -> bytes:
    """A one-operator model. ``input_defs`` entries that are None become absent optional
    inputs (-1); inputs with ``data`` are constants, the others are graph inputs. Unnamed
    tensors are called input_<i> / output_<i>; the signature (None for none) maps those names.
    Remaining keywords go to build_model."""
    tensors, op_inputs, graph_inputs = [], [], []
    for i, t in enumerate(input_defs):
        if t is None:
            op_inputs.append(-1)
            continue
        if t.name is None:
            t = dataclasses.replace(t, name=f"input_{i}")
        op_inputs.append(len(tensors))
        if t.data is None:
            graph_inputs.append(len(tensors))
        tensors.append(t)
    op_outputs = []
    for i, t in enumerate(output_defs):
        if t.name is None:
            t = dataclasses.replace(t, name=f"output_{i}")
        op_outputs.append(len(tensors))
        tensors.append(t)
    signatures = None
    if signature is not None:
        signatures = {signature: ({tensors[i].name: i for i in graph_inputs},
                                  {tensors[i].name: i for i in op_outputs})}
    operator = OpDef(op, op_inputs, op_outputs, options=options, custom_code=custom_code,
                     custom_options=custom_options, version=version, options_type=options_type)
    return build_model([operator], tensors, graph_inputs, op_outputs, signatures, **kw)


# ----------------------------------------------------------------------------- Flex ops

# TensorFlow DataType numbers (types.proto)
TF_DTYPES = {
    "float32": 1, "float64": 2, "int32": 3, "uint8": 4, "int16": 5, "int8": 6, "string": 7,
    "complex64": 8, "int64": 9, "bool": 10, "qint8": 11, "quint8": 12, "qint32": 13,
    "bfloat16": 14, "qint16": 15, "quint16": 16, "uint16": 17, "complex128": 18,
    "float16": 19, "resource": 20, "variant": 21, "uint32": 22, "uint64": 23,
}
_TF_ALIASES = {"float": "float32", "double": "float64", "half": "float16", "bytes": "string",
               "str": "string", "object": "string", "bool_": "bool"}


@dataclasses.dataclass(frozen=True)
class tf_type:
    """A `type` attr value: tf_type('float32'), tf_type(np.int64), tf_type('DT_DOUBLE'),
    tf_type(9)."""
    dtype: Any

    @property
    def number(self) -> int:
        d = self.dtype
        if isinstance(d, (int, np.integer)) and not isinstance(d, bool):
            return int(d)
        if isinstance(d, str):
            key = d.lower()
            key = key[3:] if key.startswith("dt_") else key
        elif d in (str, bytes, object):
            key = "string"
        else:
            key = np.dtype(d).name
        key = _TF_ALIASES.get(key, key)
        if key not in TF_DTYPES:
            raise ValueError(f"no TensorFlow DataType for {d!r}")
        return TF_DTYPES[key]


def _pb_varint(value: int) -> bytes:
    value &= (1 << 64) - 1  # negative int64 -> 10-byte two's complement
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _pb_key(field: int, wire: int) -> bytes:
    return _pb_varint(field << 3 | wire)


def _pb_bytes(field: int, data: bytes) -> bytes:
    return _pb_key(field, 2) + _pb_varint(len(data)) + data


def _pb_string(field: int, text) -> bytes:
    return _pb_bytes(field, text.encode("utf-8") if isinstance(text, str) else bytes(text))


def _attr_value(value) -> bytes:
    """Serialized AttrValue: bool -> b, int -> i, float -> f, str/bytes -> s, tf_type -> type,
    list/tuple of one kind -> list (packed)."""
    if isinstance(value, tf_type):
        return _pb_key(6, 0) + _pb_varint(value.number)
    if isinstance(value, (bool, np.bool_)):
        return _pb_key(5, 0) + _pb_varint(int(bool(value)))
    if isinstance(value, (int, np.integer)):
        return _pb_key(3, 0) + _pb_varint(int(value))
    if isinstance(value, (float, np.floating)):
        return _pb_key(4, 5) + struct.pack("<f", float(value))
    if isinstance(value, (str, bytes)):
        return _pb_string(2, value)
    if isinstance(value, (list, tuple)):
        items = list(value)
        if not items:
            return _pb_bytes(1, b"")
        if all(isinstance(v, tf_type) for v in items):
            body = _pb_bytes(6, b"".join(_pb_varint(v.number) for v in items))
        elif all(isinstance(v, (bool, np.bool_)) for v in items):
            body = _pb_bytes(5, b"".join(_pb_varint(int(bool(v))) for v in items))
        elif all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in items):
            body = _pb_bytes(3, b"".join(_pb_varint(int(v)) for v in items))
        elif all(isinstance(v, (float, np.floating, int)) for v in items):
            body = _pb_bytes(4, struct.pack(f"<{len(items)}f", *map(float, items)))
        elif all(isinstance(v, (str, bytes)) for v in items):
            body = b"".join(_pb_string(2, v) for v in items)
        else:
            raise ValueError(f"mixed list attr {value!r}")
        return _pb_bytes(1, body)
    raise ValueError(f"unsupported attr value {value!r}")


def nodedef(op: str, attrs: Optional[Dict[str, Any]] = None, *, name: Optional[str] = None,
            inputs: Sequence[str] = ("",), device: Optional[str] = None,
            debug_info: bool = False) -> bytes:
    """A serialized tensorflow NodeDef: op (field 2), attrs sorted by key (field 5), and like
    the converter's an empty input name (field 3) per entry of ``inputs``. Attributes left out
    must be filled from the op's defaults by the reader."""
    out = b""
    if name is not None:
        out += _pb_string(1, name)
    out += _pb_string(2, op)
    for text in inputs:
        out += _pb_string(3, text)
    if device is not None:
        out += _pb_string(4, device)
    for key in sorted(attrs or {}):
        entry = _pb_string(1, key) + _pb_bytes(2, _attr_value(attrs[key]))
        out += _pb_bytes(5, entry)
    if debug_info:
        out += _pb_bytes(6, _pb_string(1, op))
    return out


def _flex_width(n: int) -> int:
    """Smallest flexbuffer byte width (1, 2, 4, 8) that holds unsigned n."""
    for width in (1, 2, 4, 8):
        if n < 1 << (8 * width):
            return width
    raise ValueError(n)


_WIDTH_CODE = {1: 0, 2: 1, 4: 2, 8: 3}
_FBT_STRING, _FBT_VECTOR = 5, 10


def flex_custom_options(op_name: str, nodedef_bytes: bytes) -> bytes:
    """Flexbuffer vector of two strings [op name, serialized NodeDef]: the custom options the
    converter writes for a Flex op (same bytes as flexbuffers::Builder)."""
    buf = bytearray()
    strings = []  # (position of first byte, byte width of the size prefix)
    for text in (op_name.encode("utf-8"), bytes(nodedef_bytes)):
        width = _flex_width(len(text))
        buf.extend(b"\0" * (-len(buf) % width))
        buf.extend(len(text).to_bytes(width, "little"))
        strings.append((len(buf), width))
        buf.extend(text + b"\0")
    # the vector: length, then one relative offset per element, then the packed types
    for width in (1, 2, 4, 8):
        start = len(buf) + (-len(buf) % width)
        slots = [start + width * (1 + i) for i in range(len(strings))]
        if all(slot - pos < 1 << (8 * width) for slot, (pos, _) in zip(slots, strings)):
            break
    buf.extend(b"\0" * (start - len(buf)))
    buf.extend(len(strings).to_bytes(width, "little"))
    vector = len(buf)
    for slot, (pos, _) in zip(slots, strings):
        buf.extend((slot - pos).to_bytes(width, "little"))
    for _, string_width in strings:
        buf.append(_FBT_STRING << 2 | _WIDTH_CODE[string_width])
    # the root: offset back to the vector, its packed type, the root's byte width
    for root_width in (1, 2, 4, 8):
        root = len(buf) + (-len(buf) % root_width)
        if root - vector < 1 << (8 * root_width):
            break
    buf.extend(b"\0" * (root - len(buf)))
    buf.extend((root - vector).to_bytes(root_width, "little"))
    buf.append(_FBT_VECTOR << 2 | _WIDTH_CODE[width])
    buf.append(root_width)
    return bytes(buf)


def flex_op(tf_op: str, attrs: Optional[Dict[str, Any]], inputs: Sequence[int],
            outputs: Sequence[int], **nodedef_kw) -> OpDef:
    """An OpDef for the Select TF op ``tf_op`` (custom code 'Flex' + tf_op) with a NodeDef
    holding exactly ``attrs``."""
    options = flex_custom_options(tf_op, nodedef(tf_op, attrs, **nodedef_kw))
    return OpDef(f"Flex{tf_op}", list(inputs), list(outputs), custom_code=f"Flex{tf_op}",
                 custom_options=options)
