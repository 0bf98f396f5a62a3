"""numlite's kernels. Importing this package registers every op with ``registry``."""

from . import registry
from . import (activations, arithmetic, cast, concatenation, fully_connected, gather,
               quantization, reshape, transpose)
from . import flex

__all__ = ["registry", "activations", "arithmetic", "cast", "concatenation", "fully_connected",
           "gather", "quantization", "reshape", "transpose", "flex"]
