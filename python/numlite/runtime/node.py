"""What a kernel's prepare() sees of its node and tensors."""

from typing import NamedTuple, Optional

import numpy as np


class TensorSpec(NamedTuple):
    """A tensor as known at prepare time."""
    index: int
    name: str
    type: int                      # TensorType number (model.types)
    dtype: np.dtype                # numpy storage dtype (object for strings)
    shape: Optional[tuple]         # current shape; None = unknown until run
    value: Optional[np.ndarray]    # known value (constant or folded), else None
    quantization: Optional[object]  # model.schema.Quantization or None
    shape_signature: Optional[tuple]


class Node(NamedTuple):
    """One operator at prepare time."""
    index: int                     # node number in its subgraph
    op_name: str                   # 'ADD', 'FlexAsString', ...
    version: int
    inputs: tuple                  # TensorSpec per input, None for an absent optional input
    outputs: tuple                 # TensorSpec per output (model's type, quantization, shape)
    options: Optional[tuple]       # builtin options namedtuple (model.options) or None
    custom_options: Optional[bytes]
    runtime: object                # the interpreter-wide runtime.Runtime (resources, subgraphs)
