"""numlite: run TensorFlow Lite models with numpy, through the LiteRT Python API."""

from .interpreter import Interpreter, InterpreterWithCustomOps, OpResolverType, SignatureRunner

__all__ = ["Interpreter", "InterpreterWithCustomOps", "OpResolverType", "SignatureRunner"]
__version__ = "0.1.0"
