"""Model loading: .tflite bytes -> validated, immutable plain objects."""

from .loader import load_model, parse_model
from .schema import Model, Operator, OperatorCode, SignatureDef, SubGraph, Tensor

__all__ = ["load_model", "parse_model", "Model", "Operator", "OperatorCode", "SignatureDef",
           "SubGraph", "Tensor"]
