"""numlite: run TensorFlow Lite models with numpy, through the LiteRT Python API."""

from .interpreter import (Delegate, Interpreter, InterpreterWithCustomOps, OpResolverType,
                          SignatureRunner, load_delegate)

__all__ = ["Delegate", "Interpreter", "InterpreterWithCustomOps", "OpResolverType",
           "SignatureRunner", "load_delegate"]
__version__ = "0.1.0"
