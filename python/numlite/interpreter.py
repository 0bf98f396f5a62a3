"""The ai_edge_litert-compatible Python API: Interpreter, SignatureRunner, OpResolverType.

Names, arguments, dict keys, exception types and texts follow
ai_edge_litert.interpreter (see docs/ARCHITECTURE.md). Unlike LiteRT, every
public call holds the interpreter's lock, so threads may share one instance.
"""

import enum
import os
import warnings
import weakref

import numpy as np

from .model import load_model, types
from .runtime import Runtime
from .model.strings import to_string_array
from .runtime.subgraph import empty_value

__all__ = ["Interpreter", "InterpreterWithCustomOps", "OpResolverType", "SignatureRunner",
           "Delegate", "load_delegate"]


@enum.unique
class OpResolverType(enum.Enum):
    AUTO = 0
    BUILTIN = 1
    BUILTIN_REF = 2
    BUILTIN_WITHOUT_DEFAULT_DELEGATES = 3


_RESOLVER_IDS = {OpResolverType.AUTO: 1, OpResolverType.BUILTIN: 1,
                 OpResolverType.BUILTIN_REF: 2, OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES: 3}

_REFERENCE_HELD = """There is at least 1 reference to internal data
      in the interpreter in the form of a numpy array or slice. Be sure to
      only hold the function returned from tensor() if you are using raw
      data access."""


class Delegate:
    """Delegates are native plug-ins; numlite has none to load."""

    def __init__(self, library, options=None):
        raise ValueError(f"Failed to load delegate from {library}\nnumlite runs models in numpy "
                         "and cannot load native delegates.")


def load_delegate(library, options=None):
    return Delegate(library, options)


class _ViewOwner:
    """Base object of arrays returned by tensor(): alive while any view or slice of it is."""

    __slots__ = ("__array_interface__", "array", "__weakref__")

    def __init__(self, array):
        self.array = array
        self.__array_interface__ = array.__array_interface__


class Interpreter:
    """Interpreter interface for running TensorFlow Lite models with numpy."""

    def __init__(self, model_path=None, model_content=None, experimental_delegates=None,
                 num_threads=None, experimental_op_resolver_type=OpResolverType.AUTO,
                 experimental_preserve_all_tensors=False,
                 experimental_disable_delegate_clustering=False,
                 experimental_default_delegate_latest_features=False,
                 experimental_compress_quantization_zero_points=False,
                 experimental_disable_delegate_node_fusion=False,
                 experimental_force_delegate_node_profiling=False,
                 *, _custom_kernels=None):
        if experimental_preserve_all_tensors and experimental_op_resolver_type in (
                OpResolverType.AUTO, OpResolverType.BUILTIN):
            warnings.warn(
                "Warning: Enabling `experimental_preserve_all_tensors` with the BUILTIN or AUTO "
                "op resolver is intended for debugging purposes only. Be aware that this can "
                "significantly increase memory usage by storing all intermediate tensors. If you "
                "encounter memory problems or are not actively debugging, consider disabling this "
                "option.")
        if _RESOLVER_IDS.get(experimental_op_resolver_type) is None:
            raise ValueError("Unrecognized passed in op resolver type: {}".format(
                experimental_op_resolver_type))
        if num_threads is not None:
            if not isinstance(num_threads, int):
                raise ValueError("type of num_threads should be int")
            if num_threads < 1:
                raise ValueError("num_threads should >= 1")
        if model_path and not model_content:
            model = load_model(os.fsdecode(os.fspath(model_path)))
        elif model_content and not model_path:
            if isinstance(model_content, str):
                raise TypeError("model_content must be bytes, bytearray or memoryview, not str")
            self._model_content = model_content
            model = load_model(model_content)
        elif not model_path and not model_content:
            raise ValueError("`model_path` or `model_content` must be specified.")
        else:
            raise ValueError("Can't both provide `model_path` and `model_content`")
        for delegate in experimental_delegates or ():
            raise ValueError(f"numlite cannot apply the native delegate {delegate!r}")
        self._num_threads = int(num_threads or 1)
        self._op_resolver_type = experimental_op_resolver_type
        self._compress_zero_points = experimental_compress_quantization_zero_points
        self._runtime = Runtime(model, _custom_kernels)
        self._model = model
        self._views = weakref.WeakSet()
        self._signature_defs = self.get_signature_list()

    # ---- safety of raw views ------------------------------------------------
    def _safe_to_run(self):
        return not self._views

    def _ensure_safe(self):
        if not self._safe_to_run():
            raise RuntimeError(_REFERENCE_HELD)

    @property
    def experimental_compress_quantization_zero_points(self):
        return self._compress_zero_points

    # ---- lifecycle ----------------------------------------------------------
    def allocate_tensors(self):
        self._ensure_safe()
        with self._runtime.lock:
            self._runtime.subgraph(0).allocate()

    def invoke(self):
        self._ensure_safe()
        with self._runtime.lock:
            self._runtime.subgraph(0).invoke()

    def reset_all_variables(self):
        with self._runtime.lock:
            for sub in self._runtime.built_subgraphs():
                sub.reset_variables()

    def num_subgraphs(self):
        return len(self._model.subgraphs)

    def _native_handle(self):
        return id(self._runtime)

    # ---- details ------------------------------------------------------------
    def _subgraph_checked(self, subgraph_index):
        n = len(self._model.subgraphs)
        if not 0 <= subgraph_index < n:
            raise ValueError(f"Invalid subgraph index {subgraph_index} exceeds max subgraph index "
                             f"{n}")
        return self._runtime.subgraph(subgraph_index)

    @staticmethod
    def _tensor_checked(sub, tensor_index):
        n = len(sub.sg.tensors)
        if not 0 <= tensor_index < n:
            raise ValueError(f"Invalid tensor index {tensor_index} exceeds max tensor index {n}")
        return sub.sg.tensors[tensor_index]

    def _get_tensor_details(self, tensor_index, subgraph_index):
        sub = self._subgraph_checked(subgraph_index)
        tensor = self._tensor_checked(sub, tensor_index)
        shape = np.array(sub.shape_of(tensor_index), dtype=np.int32)
        signature = tensor.shape_signature
        q = tensor.quantization
        scales = q.scales if q is not None else np.zeros(0, np.float32)
        zero_points = q.zero_points if q is not None else np.zeros(0, np.int64)
        legacy = (float(scales[0]), int(zero_points[0])) if scales.size == 1 else (0.0, 0)
        return {
            "name": tensor.name,
            "index": int(tensor_index),
            "shape": shape,
            "shape_signature": np.array(signature, dtype=np.int32) if signature else shape.copy(),
            "dtype": types.DETAIL_DTYPES[tensor.type],
            "quantization": legacy,
            "quantization_parameters": {
                "scales": np.array(scales, dtype=np.float32),
                "zero_points": np.array(zero_points, dtype=np.int32),
                "quantized_dimension": int(q.quantized_dimension) if q is not None else 0,
                "block_size": 0,
            },
            "sparsity_parameters": _sparsity_details(tensor.sparsity),
        }

    def get_input_details(self):
        return [self._get_tensor_details(i, 0) for i in self._model.subgraphs[0].inputs]

    def get_output_details(self):
        return [self._get_tensor_details(i, 0) for i in self._model.subgraphs[0].outputs]

    def get_tensor_details(self, subgraph_index=0):
        n = len(self._model.subgraphs)
        if not 0 <= subgraph_index < n:
            raise ValueError(f"subgraph_index is out of range: {subgraph_index} for the model, "
                             f"which has {n} subgraphs.")
        details = []
        for i in range(len(self._model.subgraphs[subgraph_index].tensors)):
            try:
                details.append(self._get_tensor_details(i, subgraph_index))
            except ValueError:
                pass
        return details

    def _get_op_details(self, op_index):
        sg = self._model.subgraphs[0]
        if not 0 <= op_index < len(sg.operators):
            raise ValueError("Invalid node index")
        op = sg.operators[op_index]
        dtype = lambda i: types.DETAIL_DTYPES[sg.tensors[i].type]  # noqa: E731
        return {
            "index": int(op_index),
            "op_name": self._model.operator_codes[op.opcode_index].name,
            "inputs": np.array(op.inputs, dtype=np.int32),
            "outputs": np.array(op.outputs, dtype=np.int32),
            "operand_types": [dtype(i) for i in op.inputs if i != -1],
            "result_types": [dtype(i) for i in op.outputs if i != -1],
        }

    def _get_ops_details(self):
        return [self._get_op_details(i) for i in range(len(self._model.subgraphs[0].operators))]

    # ---- data access --------------------------------------------------------
    def set_tensor(self, tensor_index, value):
        with self._runtime.lock:
            _set_tensor(self._runtime.subgraph(0), tensor_index, value)

    def get_tensor(self, tensor_index, subgraph_index=0):
        with self._runtime.lock:
            sub = self._subgraph_checked(subgraph_index)
            return _get_tensor(sub, tensor_index)

    def tensor(self, tensor_index):
        sub = self._runtime.subgraph(0)

        def view():
            self._tensor_checked(sub, tensor_index)
            value = sub.values[tensor_index]
            if value is None:
                raise ValueError("Tensor data is null. Run allocate_tensors() first")
            owner = _ViewOwner(value)
            self._views.add(owner)
            return np.asarray(owner)
        return view

    def resize_tensor_input(self, input_index, tensor_size, strict=False):
        self._ensure_safe()
        tensor_size = np.array(tensor_size, dtype=np.int32)
        with self._runtime.lock:
            _resize(self._runtime.subgraph(0), input_index, tensor_size, strict)

    # ---- signatures ---------------------------------------------------------
    def get_signature_list(self):
        return {s.key: {"inputs": list(s.inputs), "outputs": list(s.outputs)}
                for s in self._model.signature_defs}

    def _get_full_signature_list(self):
        return {s.key: {"inputs": dict(s.inputs), "outputs": dict(s.outputs)}
                for s in self._model.signature_defs}

    def get_signature_runner(self, signature_key=None):
        if signature_key is None:
            if len(self._signature_defs) != 1:
                raise ValueError(
                    "SignatureDef signature_key is None and model has {0} Signatures. None is only "
                    "allowed when the model has 1 SignatureDef".format(len(self._signature_defs)))
            signature_key = next(iter(self._signature_defs))
        return SignatureRunner(interpreter=self, signature_key=signature_key)


class InterpreterWithCustomOps(Interpreter):
    """Interpreter with extra custom-op kernels.

    ``custom_op_registerers`` holds callables; each is called with a
    ``register(code, prepare, foldable=False)`` function and registers kernels
    for custom op codes (see numlite.ops.registry for ``prepare``). Strings
    name native symbols in LiteRT and cannot be resolved here.
    """

    def __init__(self, custom_op_registerers=None, **kwargs):
        from .ops.registry import Kernel
        kernels = {}

        def register(code, prepare, foldable=False):
            kernels[code] = Kernel(prepare, foldable)
        for registerer in custom_op_registerers or ():
            if isinstance(registerer, str):
                raise ValueError(f"Looking up symbol '{registerer}' failed with error "
                                 "'numlite cannot load native op registerers'.")
            registerer(register)
        self._custom_op_registerers = list(custom_op_registerers or ())
        super().__init__(_custom_kernels=kernels, **kwargs)


class SignatureRunner:
    """Runs one SignatureDef: resize, allocate, set inputs, invoke, return copies."""

    def __init__(self, interpreter=None, signature_key=None):
        if not interpreter:
            raise ValueError("None interpreter provided.")
        if not signature_key:
            raise ValueError("None signature_key provided.")
        self._interpreter = interpreter
        self._signature_key = signature_key
        for sig in interpreter._model.signature_defs:
            if sig.key == signature_key:
                break
        else:
            raise ValueError(f'Invalid signature_key provided: "{signature_key}".')
        self._inputs = sig.inputs
        self._outputs = tuple(sig.outputs.items())
        self._subgraph_index = sig.subgraph_index
        self._runtime = interpreter._runtime

    def __call__(self, **kwargs):
        if len(kwargs) != len(self._inputs):
            raise ValueError(
                "Invalid number of inputs provided for running a SignatureDef, expected %s vs "
                "provided %s" % (len(self._inputs), len(kwargs)))
        with self._runtime.lock:
            sub = self._runtime.subgraph(self._subgraph_index)
            indices = []
            for name, value in kwargs.items():
                index = self._inputs.get(name)
                if index is None:
                    raise ValueError("Invalid Input name (%s) for SignatureDef" % name)
                if value.shape != sub.shapes[index] or not sub.ready:
                    sub.resize_input(index, value.shape)
                indices.append(index)
            if not sub.ready:
                sub.allocate()
            for index, value in zip(indices, kwargs.values()):
                _set_tensor(sub, index, value)
            sub.invoke()
            return {name: _get_tensor(sub, index) for name, index in self._outputs}

    def get_input_details(self):
        get = self._interpreter._get_tensor_details
        return {name: get(i, self._subgraph_index) for name, i in self._inputs.items()}

    def get_output_details(self):
        get = self._interpreter._get_tensor_details
        return {name: get(i, self._subgraph_index) for name, i in self._outputs}


# ---- shared helpers of Interpreter and SignatureRunner -------------------------

def _c_type_name(cls):
    """A type's name as CPython's tp_name gives it (what LiteRT's C++ messages print)."""
    static = not cls.__flags__ & (1 << 9)           # Py_TPFLAGS_HEAPTYPE
    if static and cls.__module__ != "builtins":
        return f"{cls.__module__}.{cls.__qualname__}"
    return cls.__qualname__


def _sparsity_details(sparsity):
    if sparsity is None:
        return {}
    out = {"traversal_order": np.array(sparsity.traversal_order, dtype=np.int32)}
    if sparsity.block_map:
        out["block_map"] = np.array(sparsity.block_map, dtype=np.int32)
    dims = []
    for d in sparsity.dim_metadata:
        if d.format == 0:
            dims.append({"format": 0, "dense_size": int(d.dense_size)})
        else:
            dims.append({"format": 1, "array_segments": np.asarray(d.array_segments, np.int32),
                         "array_indices": np.asarray(d.array_indices, np.int32)})
    out["dim_metadata"] = dims
    return out


def _resize(sub, index, dims, strict):
    if dims.ndim != 1:
        raise ValueError(f"Shape should be 1D instead of {dims.ndim}.")
    sub.resize_input(index, dims, strict)


def _set_tensor(sub, index, value):
    tensor = Interpreter._tensor_checked(sub, index)
    try:
        array = np.asarray(value)
    except Exception:
        raise ValueError("Failed to convert value into readable tensor.") from None
    got = types.type_of_array(array)
    if got != tensor.type:
        raise ValueError("Cannot set tensor: Got value of type %s but expected type %s for input "
                         "%d, name: %s " % (types.type_name(got), types.type_name(tensor.type),
                                            index, tensor.name))
    shape = sub.shapes[index]
    if shape is None:
        shape = sub.shape_of(index)
    if array.ndim != len(shape):
        raise ValueError("Cannot set tensor: Dimension mismatch. Got %d but expected %d for "
                         "input %d." % (array.ndim, len(shape), index))
    for d, (got_dim, want) in enumerate(zip(array.shape, shape)):
        if got_dim != want:
            raise ValueError("Cannot set tensor: Dimension mismatch. Got %d but expected %d for "
                             "dimension %d of input %d." % (got_dim, want, d, index))
    if tensor.type == types.STRING:
        if not isinstance(value, np.ndarray):
            raise ValueError("Passed in value type is not a numpy array, got type %s."
                             % _c_type_name(type(value)))
        sub.values[index] = to_string_array(value)
        return
    target = sub.values[index]
    if target is None and sub.ready:        # an intermediate or output: LiteRT's arena has it
        target = sub.values[index] = empty_value(shape, sub.dtypes[index])
    if target is None or target.shape != shape:
        raise ValueError("Cannot set tensor: Tensor is unallocated. Try calling "
                         "allocate_tensors() first")
    if not target.flags.writeable:       # a constant: give it storage of its own
        target = sub.values[index] = target.copy()
    np.copyto(target, array)


def _get_tensor(sub, index):
    Interpreter._tensor_checked(sub, index)
    value = sub.values[index]
    if value is None:
        if sub.ready and sub.shapes[index] is not None:
            return empty_value(sub.shapes[index], sub.dtypes[index])
        raise ValueError("Tensor data is null. Run allocate_tensors() first")
    if not sub.ready and sub.shapes[index] is not None and value.shape != sub.shapes[index]:
        raise ValueError("Tensor data is null. Run allocate_tensors() first")   # resized
    return value.copy()

