"""Read a .tflite flatbuffer once into the plain objects of schema.py, validating as it goes.

Field ids follow schema.fbs (vtable slot = 4 + 2 * id). Every index the
runtime will later follow (tensors, buffers, opcodes, subgraphs) is checked
here, so a bad model fails at load time with a ValueError.
"""

import mmap
import os

import numpy as np

from . import types
from .enums import BUILTIN_OPERATORS
from .flatbuffer import Buffer, malformed
from .options import OPTIONS_2_BASE, parse_options
from .strings import decode_strings
from .schema import (DimensionMetadata, Model, Operator, OperatorCode, Quantization,
                     SignatureDef, Sparsity, SubGraph, Tensor)

IDENTIFIER = b"TFL3"
#: no tensor may hold more elements than this (2**40): anything larger is a corrupt shape
MAX_ELEMENTS = 1 << 40


def load_model(source):
    """Load a model from a path (str/PathLike) or from bytes, bytearray or memoryview."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = memoryview(source).cast("B") if isinstance(source, memoryview) else source
        return parse_model(data)
    path = os.fspath(source)
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
    except OSError:
        raise ValueError(f"Could not open '{path}'.The model allocation is null/empty") from None
    return parse_model(data)


def parse_model(data):
    if len(data) < 8:
        raise ValueError("Model provided must have at least 7 bytes to hold identifier.")
    ident = bytes(data[4:8])
    if ident != IDENTIFIER:
        shown = ident.decode("latin-1")
        raise ValueError(f"Model provided has model identifier '{shown}', should be 'TFL3'")
    buf = Buffer(data)
    root = buf.root("Model")
    buffers = tuple(_buffer(t, i, buf) for i, t in enumerate(root.tables(4, "buffers")))
    if not buffers:
        buffers = (_EMPTY,)
    codes = tuple(_opcode(t) for t in root.tables(1, "operator_codes"))
    subgraph_tables = root.tables(2, "subgraphs")
    if not subgraph_tables:
        raise malformed("the model has no subgraphs")
    subgraphs = tuple(_subgraph(t, i, codes, buffers, len(subgraph_tables))
                      for i, t in enumerate(subgraph_tables))
    signatures = tuple(_signature(t, subgraphs) for t in root.tables(7, "signature_defs"))
    metadata = {}
    for t in root.tables(6, "metadata"):
        index = t.scalar(1, "I", 0)
        _check_index(index, len(buffers), "metadata buffer")
        metadata[t.string(0, "metadata name") or ""] = buffers[index]
    return Model(version=root.scalar(0, "I", 0), description=root.string(3, "description") or "",
                 operator_codes=codes, subgraphs=subgraphs, buffers=buffers,
                 signature_defs=signatures, metadata=metadata, source=data)


_EMPTY = np.zeros(0, np.uint8)
_EMPTY.flags.writeable = False


def _check_index(value, limit, what, allow_missing=False):
    if allow_missing and value == -1:
        return
    if not 0 <= value < limit:
        raise malformed(f"{what} index {value} is out of range (the model has {limit})")


def _buffer(t, index, buf):
    data = t.raw(0, f"buffers[{index}].data")
    if data is not None and data.size:
        return data
    offset, size = t.scalar(1, "Q", 0), t.scalar(2, "Q", 0)
    if offset > 1:
        if offset + size > buf.size:
            raise ValueError(f"Constant buffer {index} specified an out of range offset.")
        view = np.frombuffer(buf.data, np.uint8, count=size, offset=offset)
        view.flags.writeable = False
        return view
    return _EMPTY


def _opcode(t):
    deprecated = t.scalar(0, "b", 0)
    builtin = t.scalar(3, "i", 0)
    code = max(builtin, deprecated)
    if not 0 <= code < len(BUILTIN_OPERATORS):
        raise malformed(f"operator code {code} is not a known builtin operator")
    return OperatorCode(code, t.string(1, "custom_code"), t.scalar(2, "i", 1))


def _quantization(t, what):
    if t is None:
        return None
    scales = t.numbers(2, "f", f"{what}.scale")
    zero_points = t.numbers(3, "q", f"{what}.zero_point")
    return Quantization(
        scales=np.zeros(0, np.float32) if scales is None else scales,
        zero_points=np.zeros(0, np.int64) if zero_points is None else zero_points,
        quantized_dimension=t.scalar(6, "i", 0),
        min=t.numbers(0, "f", f"{what}.min"), max=t.numbers(1, "f", f"{what}.max"),
        details_type=t.scalar(4, "B", 0))


_INDEX_VECTORS = {1: "i", 2: "H", 3: "B"}   # SparseIndexVector union -> element type


def _index_vector(t, type_fid, what):
    kind = t.scalar(type_fid, "B", 0)
    if kind == 0:
        return None
    if kind not in _INDEX_VECTORS:
        raise malformed(f"{what} has unknown index vector type {kind}")
    inner = t.table(type_fid + 1, what)
    arr = None if inner is None else inner.numbers(0, _INDEX_VECTORS[kind], what)
    return None if arr is None else arr.astype(np.int32)


def _sparsity(t, what):
    if t is None:
        return None
    dims = []
    for i, d in enumerate(t.tables(2, f"{what}.dim_metadata")):
        dims.append(DimensionMetadata(
            format=d.scalar(0, "b", 0), dense_size=d.scalar(1, "i", 0),
            array_segments=_index_vector(d, 2, f"{what}.dim_metadata[{i}].array_segments"),
            array_indices=_index_vector(d, 4, f"{what}.dim_metadata[{i}].array_indices")))
    return Sparsity(traversal_order=t.ints(0, f"{what}.traversal_order") or (),
                    block_map=t.ints(1, f"{what}.block_map") or (), dim_metadata=tuple(dims))


def _tensor(t, index, sub, buffers):
    name = t.string(3, f"subgraph {sub} tensor {index} name") or ""
    what = f"subgraph {sub} tensor {index} ({name})"
    shape = t.ints(0, f"{what} shape") or ()
    signature = t.ints(7, f"{what} shape_signature")
    ttype = t.scalar(1, "b", 0)
    if not 0 <= ttype < len(types.TYPE_NAMES):
        raise malformed(f"{what} has unknown type {ttype}")
    if any(d < 0 for d in shape):
        raise malformed(f"{what} has a negative dimension in shape {list(shape)}")
    if signature is not None and (len(signature) != len(shape) or any(d < -1 for d in signature)):
        raise malformed(f"{what} has shape_signature {list(signature)} that does not match "
                        f"shape {list(shape)}")
    if int(np.prod(shape, dtype=np.float64)) > MAX_ELEMENTS:
        raise malformed(f"{what} has an absurd shape {list(shape)}")
    buffer = t.scalar(2, "I", 0)
    _check_index(buffer, len(buffers), f"{what} buffer")
    quantization = _quantization(t.table(4, f"{what} quantization"), what)
    _check_quantization(quantization, shape, what)
    sparsity = _sparsity(t.table(6, f"{what} sparsity"), what)
    if sparsity is None:
        _check_buffer_size(buffers[buffer], ttype, shape, what)
    if ttype == types.STRING and buffers[buffer].size:
        decode_strings(buffers[buffer], shape, what)
    return Tensor(index=index, name=name, type=ttype, shape=shape,
                  shape_signature=signature, buffer=buffer,
                  quantization=quantization, is_variable=t.scalar(5, "?", False), sparsity=sparsity,
                  has_rank=t.scalar(8, "?", False))


def _check_quantization(q, shape, what):
    if q is None or not q.scales.size:
        return
    n = q.scales.size
    if q.zero_points.size != n:
        raise malformed(f"{what} has {n} quantization scales but {q.zero_points.size} zero points")
    if n > 1 and not (0 <= q.quantized_dimension < len(shape)
                      and shape[q.quantized_dimension] == n):
        raise malformed(f"{what} has {n} per-channel scales along dimension "
                        f"{q.quantized_dimension} of shape {list(shape)}")


_PACKED = {types.INT4: 2, types.UINT4: 2, types.INT2: 4}


def _check_buffer_size(data, ttype, shape, what):
    """A constant buffer must hold exactly the tensor's elements (strings are checked when decoded)."""
    if not data.size or ttype in (types.STRING, types.RESOURCE, types.VARIANT):
        return
    count = int(np.prod(shape, dtype=np.int64))
    if ttype in _PACKED:
        expected = -(-count // _PACKED[ttype])
    else:
        expected = count * types.STORAGE_DTYPES[ttype].itemsize
    if data.size != expected:
        raise malformed(f"{what} has a constant buffer of {data.size} bytes but its shape "
                        f"{list(shape)} needs {expected}")


def _operator(t, index, sub, codes, ntensors, nsubgraphs):
    what = f"subgraph {sub} operator {index}"
    opcode_index = t.scalar(0, "I", 0)
    _check_index(opcode_index, len(codes), f"{what} opcode")
    inputs = t.ints(1, f"{what} inputs") or ()
    outputs = t.ints(2, f"{what} outputs") or ()
    intermediates = t.ints(8, f"{what} intermediates") or ()
    for i in inputs:
        _check_index(i, ntensors, f"{what} input tensor", allow_missing=True)
    for i in outputs + intermediates:
        _check_index(i, ntensors, f"{what} output tensor", allow_missing=True)
    options_type = t.scalar(3, "B", 0)
    table = t.table(4, f"{what} builtin_options") if options_type else None
    if not options_type and t.scalar(11, "B", 0):
        options_type = OPTIONS_2_BASE + t.scalar(11, "B", 0)
        table = t.table(12, f"{what} builtin_options_2")
    options = parse_options(options_type, table)
    for field, value in zip(options._fields if options else (), options or ()):
        if field.endswith("subgraph_index"):
            _check_index(value, nsubgraphs, f"{what} {field}")
    custom = t.raw(5, f"{what} custom_options")
    large_offset, large_size = t.scalar(9, "Q", 0), t.scalar(10, "Q", 0)
    if custom is None and large_offset > 1:
        data = t.buf
        if large_offset + large_size > data.size:
            raise malformed(f"{what} custom options offset {large_offset} lies past the end")
        custom = np.frombuffer(data.data, np.uint8, count=large_size, offset=large_offset)
    mutating = t.numbers(7, "?", f"{what} mutating_variable_inputs")
    return Operator(index=index, opcode_index=opcode_index, inputs=inputs, outputs=outputs,
                    intermediates=intermediates, options_type=options_type, options=options,
                    custom_options=None if custom is None else bytes(custom),
                    custom_options_format=t.scalar(6, "b", 0),
                    mutating_variable_inputs=() if mutating is None else tuple(mutating.tolist()))


def _subgraph(t, index, codes, buffers, nsubgraphs):
    tensors = tuple(_tensor(tt, i, index, buffers) for i, tt in enumerate(t.tables(0, "tensors")))
    inputs = t.ints(1, f"subgraph {index} inputs") or ()
    outputs = t.ints(2, f"subgraph {index} outputs") or ()
    for i in inputs + outputs:
        _check_index(i, len(tensors), f"subgraph {index} input/output tensor")
    operators = tuple(_operator(ot, i, index, codes, len(tensors), nsubgraphs)
                      for i, ot in enumerate(t.tables(3, f"subgraph {index} operators")))
    return SubGraph(index=index, name=t.string(4, "subgraph name") or "", tensors=tensors,
                    inputs=inputs, outputs=outputs, operators=operators)


def _tensor_map(tables, subgraph, what):
    entries = {}
    for t in tables:
        tensor = t.scalar(1, "I", 0)
        _check_index(tensor, len(subgraph.tensors), f"{what} tensor")
        entries[t.string(0, f"{what} name") or ""] = tensor
    return dict(sorted(entries.items()))


def _signature(t, subgraphs):
    key = t.string(2, "signature_key") or ""
    index = t.scalar(4, "I", 0)
    _check_index(index, len(subgraphs), f"signature '{key}' subgraph")
    sub = subgraphs[index]
    return SignatureDef(key=key, subgraph_index=index,
                        inputs=_tensor_map(t.tables(0, "signature inputs"), sub, "signature input"),
                        outputs=_tensor_map(t.tables(1, "signature outputs"), sub,
                                            "signature output"))
