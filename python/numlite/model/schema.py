"""Plain immutable objects a loaded model is made of.

Nothing from the flatbuffer survives past the loader: these hold Python
values, tuples and read-only numpy views into the model bytes.
"""

from typing import NamedTuple, Optional

import numpy as np


class Quantization(NamedTuple):
    scales: np.ndarray            # float32, may be empty (= not quantized)
    zero_points: np.ndarray       # int64 as stored in the file
    quantized_dimension: int
    min: Optional[np.ndarray]
    max: Optional[np.ndarray]
    details_type: int             # 0 = none, 1 custom, 2 blockwise, 3 multi-axis


class DimensionMetadata(NamedTuple):
    format: int                   # 0 DENSE, 1 SPARSE_CSR
    dense_size: int
    array_segments: Optional[np.ndarray]
    array_indices: Optional[np.ndarray]


class Sparsity(NamedTuple):
    traversal_order: tuple
    block_map: tuple
    dim_metadata: tuple


class Tensor(NamedTuple):
    index: int
    name: str
    type: int                     # TensorType number
    shape: tuple
    shape_signature: Optional[tuple]
    buffer: int
    quantization: Optional[Quantization]
    is_variable: bool
    sparsity: Optional[Sparsity]
    has_rank: bool


class OperatorCode(NamedTuple):
    builtin_code: int             # effective code: max(builtin_code, deprecated_builtin_code)
    custom_code: Optional[str]
    version: int

    @property
    def name(self):
        from .enums import BUILTIN_OPERATORS, BUILTIN_CODES
        if self.builtin_code == BUILTIN_CODES["CUSTOM"]:
            return self.custom_code or "UnknownCustomOp"
        return BUILTIN_OPERATORS[self.builtin_code]


class Operator(NamedTuple):
    index: int
    opcode_index: int
    inputs: tuple                 # -1 marks an absent optional input
    outputs: tuple
    intermediates: tuple
    options_type: int             # BuiltinOptions union index (or 1000 + BuiltinOptions2 index)
    options: Optional[tuple]      # a namedtuple of the options table, or None
    custom_options: Optional[bytes]
    custom_options_format: int
    mutating_variable_inputs: tuple


class SubGraph(NamedTuple):
    index: int
    name: str
    tensors: tuple
    inputs: tuple
    outputs: tuple
    operators: tuple


class SignatureDef(NamedTuple):
    key: str
    subgraph_index: int
    inputs: dict                  # name -> tensor index, names sorted
    outputs: dict


class Model(NamedTuple):
    version: int
    description: str
    operator_codes: tuple
    subgraphs: tuple
    buffers: tuple                # read-only uint8 arrays (empty for buffer 0 / activations)
    signature_defs: tuple
    metadata: dict                # name -> read-only uint8 array
    source: object                # the bytes / mmap the views point into (kept alive)
