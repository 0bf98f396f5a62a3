"""One subgraph at run time: tensor storage, prepare (a flat plan) and invoke.

prepare() walks the operators once with the current input shapes: it looks
up each kernel, lets it infer output shapes, folds pure operators whose
inputs are all known (constants, shapes of known tensors), and keeps the rest
as a flat list of ``(run, op)`` steps, written out as one function by
program.compile_plan. invoke() only runs that function. Operators
whose input shapes are unknown until run time (data-dependent outputs
upstream) get a _Deferred step that re-prepares itself only when the shapes
it sees change.
"""


import numpy as np

from ..model import types
from ..ops import registry
from ..ops.registry import KernelError
from .node import Node, TensorSpec
from .program import Cancelled, compile_plan
from ..model.strings import decode_strings

#: float overflow, 0/0 and narrowing casts are defined results in TFLite, not warnings
_QUIET = dict(all="ignore")


def node_error(op_index, op_name, stage, detail):
    """LiteRT's error-reporter text: the kernel's message, then the node line.

    LiteRT concatenates reported messages as they are (some end in a newline or a
    space); a message ending in neither gets a newline so the node line stands apart.
    """
    detail = str(detail)
    if detail and not detail[-1].isspace():
        detail += "\n"
    return RuntimeError(f"{detail}Node number {op_index} ({op_name}) failed to {stage}.")


def constant_value(tensor, buffers):
    """The read-only numpy value of a tensor with a constant buffer, else None."""
    data = buffers[tensor.buffer]
    if not data.size:
        return None
    if tensor.type == types.STRING:
        return decode_strings(data, tensor.shape, f"tensor {tensor.index} ({tensor.name})")
    dtype = types.STORAGE_DTYPES[tensor.type]
    if tensor.sparsity is not None:
        return np.frombuffer(data, dtype=dtype, count=data.size // dtype.itemsize)
    if tensor.type in (types.INT4, types.UINT4, types.INT2):
        raise ValueError(f"tensor {tensor.index} ({tensor.name}): packed {types.type_name(tensor.type)}"
                         " constants are not supported yet")
    value = np.frombuffer(data, dtype=dtype).reshape(tensor.shape)
    return value


def empty_value(shape, dtype):
    """Fresh storage as allocate_tensors leaves it: zeros, or empty strings."""
    if dtype == object:
        return np.full(shape, b"", dtype=object)
    return np.zeros(shape, dtype)


class _Deferred:
    """A step whose input shapes are only known at run time; re-prepares on shape change."""

    __slots__ = ("subgraph", "op", "kernel", "key", "run")

    def __init__(self, subgraph, op, kernel):
        self.subgraph, self.op, self.kernel = subgraph, op, kernel
        self.key, self.run = None, None

    def __call__(self, *arrays):
        key = tuple(None if a is None else a.shape for a in arrays)
        if key != self.key:
            shapes = [None if a is None else a.shape for a in arrays]
            self.run, _ = self.subgraph.prepare_node(self.op, self.kernel, shapes, "invoke")
            self.key = key
        return self.run(*arrays)


class Subgraph:
    def __init__(self, runtime, index):
        self.runtime = runtime
        self.model = runtime.model
        self.sg = sg = runtime.model.subgraphs[index]
        self.index = index
        n = len(sg.tensors)
        # one spare slot at the end stays None: input index -1 reads it
        self.values = [None] * (n + 1)
        self.constants = [None] * n
        produced = {o for op in sg.operators for o in op.outputs} | set(sg.inputs)
        for t in sg.tensors:
            value = constant_value(t, self.model.buffers)
            if value is None and t.index not in produced and not t.is_variable \
                    and 0 in t.shape and t.type != types.RESOURCE:
                value = empty_value(t.shape, types.STORAGE_DTYPES[t.type])   # an empty constant
            self.constants[t.index] = value
            self.values[t.index] = value
        self.shapes = [t.shape for t in sg.tensors]
        self.dtypes = [types.STORAGE_DTYPES[t.type] for t in sg.tensors]
        self.inputs = sg.inputs
        self.outputs = sg.outputs
        self.plan = None
        self.ready = False
        #: True while this subgraph prepares or invokes: preparing, invoking or calling it
        #: again then (recursion through control flow, a CALL_ONCE of its own subgraph) fails
        self.busy = False

    # ---- shapes and storage -------------------------------------------------
    def resize_input(self, index, dims, strict=False):
        """Set an input's dims (LiteRT's ResizeInputTensor[Strict]); marks the subgraph not ready."""
        if not 0 <= index < len(self.sg.tensors):
            raise RuntimeError("tensor_index < context_.tensors_size && tensor_index >= 0 was not "
                               "true.")
        tensor = self.sg.tensors[index]
        dims = tuple(int(d) for d in dims)
        if strict:
            signature = tensor.shape_signature or tensor.shape
            if len(signature) != len(dims):
                raise RuntimeError(f"tensor->dims->size != dims.size() ({len(signature)} != "
                                   f"{len(dims)})")
            for d, (sig, new) in enumerate(zip(signature, dims)):
                if sig != -1 and sig != new:
                    raise RuntimeError(
                        f"Attempting to resize dimension {d} of tensor {index} with value {sig} "
                        f"to {new}. ResizeInputTensorStrict only allows mutating unknown "
                        "dimensions identified by -1.")
        if self.shapes[index] == dims and (self.ready or self.constants[index] is not None):
            return
        if self.constants[index] is not None:
            raise RuntimeError("Attempting to resize a fixed-size tensor.")
        if any(d < 0 for d in dims):
            raise RuntimeError("BytesRequired number of elements overflowed.\n")
        self.shapes[index] = dims
        self.ready = False

    def allocate(self):
        """Prepare the plan for the current input shapes and allocate inputs and variables.

        Like LiteRT, a subgraph that is ready and unchanged is left as it is.
        """
        if self.ready:
            return
        if self.busy:
            raise self._recursion()
        for i in range(len(self.sg.tensors)):
            if self.constants[i] is None:
                self.values[i] = None if i not in self.inputs else self.values[i]
        for i in self.inputs:
            self._allocate_storage(i)
        for t in self.sg.tensors:
            if t.is_variable and self.constants[t.index] is None:
                self._allocate_storage(t.index, reset=True)
        self.plan = self._execute = None
        self.ready = False
        self.busy = True
        try:
            self.plan = self._prepare()
            self._execute = compile_plan(self.plan, self.runtime, self._fail)
        finally:
            self.busy = False
        self.ready = True

    def _allocate_storage(self, i, reset=False):
        shape, dtype = self.shapes[i], self.dtypes[i]
        current = self.values[i]
        if reset or current is None or current.shape != shape or current.dtype != dtype:
            try:
                self.values[i] = empty_value(shape, dtype)
            except MemoryError:
                raise RuntimeError(f"Failed to allocate memory for tensor {i} of shape "
                                   f"{list(shape)} ({types.type_name(self.sg.tensors[i].type)})."
                                   ) from None

    def reset_variables(self):
        for t in self.sg.tensors:
            if t.is_variable and self.values[t.index] is not None:
                value = self.values[t.index]
                zero_point = 0
                q = t.quantization
                if t.type == types.INT8 and q is not None and q.zero_points.size:
                    zero_point = int(q.zero_points[0])
                value[...] = zero_point

    # ---- prepare ------------------------------------------------------------
    def spec(self, index, shape="current"):
        if index < 0:
            return None
        t = self.sg.tensors[index]
        value = self.values[index] if self._known(index) else None
        return TensorSpec(index=index, name=t.name, type=t.type, dtype=self.dtypes[index],
                          shape=self.shapes[index] if shape == "current" else shape,
                          value=value, quantization=t.quantization,
                          shape_signature=t.shape_signature)

    def _known(self, index):
        return index in self._folded or self.constants[index] is not None

    def _prepare(self):
        self._folded = set()
        plan = []
        codes = self.model.operator_codes
        for op in self.sg.operators:
            code = codes[op.opcode_index]
            kernel = registry.lookup(code, self.runtime.custom_kernels)
            if kernel is None:
                raise node_error(op.index, code.name, "prepare", self._unresolved(code))
            if -1 in op.outputs:
                raise node_error(op.index, code.name, "prepare", "Tensor at index "
                                 f"{op.outputs.index(-1)} was optional but was expected\n")
            if any(i >= 0 and self.shapes[i] is None for i in op.inputs):
                for o in op.outputs:
                    self.shapes[o] = None
                plan.append((_Deferred(self, op, kernel), op))
                continue
            run, shapes = self.prepare_node(op, kernel, [self.shapes[i] if i >= 0 else None
                                                         for i in op.inputs], "prepare")
            for o, shape in zip(op.outputs, shapes):
                self.shapes[o] = None if shape is None else tuple(int(d) for d in shape)
            if kernel.foldable and self._fold(op, run, kernel.shape_only):
                continue
            plan.append((run, op))
        return plan

    def _unresolved(self, code):
        if code.custom_code is None or code.builtin_code != 32:
            return (f"Didn't find op for builtin opcode '{code.name}' version '{code.version}'. "
                    "An older version of this builtin might be supported. Are you using an old "
                    "TFLite binary with a newer model?")
        return (f"Encountered unresolved custom op: {code.custom_code}.\nSee instructions: "
                "https://www.tensorflow.org/lite/guide/ops_custom ")

    def prepare_node(self, op, kernel, shapes, stage):
        """Run a kernel's prepare for ``op`` seeing input ``shapes``; returns (run, out shapes)."""
        code = self.model.operator_codes[op.opcode_index]
        node = Node(index=op.index, op_name=code.name, version=code.version,
                    inputs=tuple(self.spec(i, s) for i, s in zip(op.inputs, shapes)),
                    outputs=tuple(self.spec(o, self.sg.tensors[o].shape) for o in op.outputs),
                    options=op.options, custom_options=op.custom_options, runtime=self.runtime)
        try:
            run, out_shapes = kernel.prepare(node)
        except (KernelError, ValueError, TypeError, IndexError, KeyError) as e:
            raise node_error(op.index, code.name, stage, e) from None
        if len(out_shapes) != len(op.outputs):
            raise node_error(op.index, code.name, stage,
                             f"kernel gave {len(out_shapes)} output shapes for "
                             f"{len(op.outputs)} outputs")
        return run, out_shapes

    def _fold(self, op, run, shape_only):
        """Run a pure op now if all its inputs are known (only their shapes, for a
        ``shape_only`` kernel); keep its outputs as known values."""
        if shape_only:
            if any(i >= 0 and self.shapes[i] is None for i in op.inputs):
                return False
        elif not all(i < 0 or self._known(i) for i in op.inputs):
            return False
        try:
            with np.errstate(**_QUIET):
                result = run(*[self.values[i] if i >= 0 and self._known(i) else None
                               for i in op.inputs])
        except Exception:       # let invoke report data errors where LiteRT would
            return False
        results = (result,) if len(op.outputs) == 1 else result
        for o, value in zip(op.outputs, results):
            self.values[o] = value
            self.shapes[o] = value.shape
            self._folded.add(o)
        return True

    # ---- invoke -------------------------------------------------------------
    def invoke(self):
        if not self.ready:
            raise RuntimeError("Invoke called on model that is not ready.")
        with np.errstate(**_QUIET):
            self._run_plan()

    def _run_plan(self):
        """Run the plan (inside the caller's float-error state)."""
        if self.busy:
            raise self._recursion()
        self.busy = True
        try:
            self._execute(self.values)
        finally:
            self.busy = False

    def _fail(self, step, error):
        """Report ``error`` raised by plan step ``step`` with LiteRT's node line."""
        if isinstance(error, Cancelled):
            raise error
        op = self.plan[step][1]
        name = self.model.operator_codes[op.opcode_index].name
        raise node_error(op.index, name, "invoke", error) from None

    def call(self, arrays):
        """Run this subgraph as a function (for CALL/WHILE/IF/CALL_ONCE kernels).

        ``arrays`` (one per subgraph input, of the inputs' dtypes) are bound to
        the inputs without a copy; the subgraph re-prepares only when an input
        shape changed. Returns the output values: the subgraph's own arrays, which
        a later call replaces but never writes into. Calling a subgraph that is
        preparing or running (recursion) raises RuntimeError. The caller's invoke
        has set the float-error state.
        """
        if self.busy:
            raise self._recursion()
        values, shapes = self.values, self.shapes
        changed = not self.ready
        for index, array in zip(self.inputs, arrays):
            values[index] = array
            if array.shape != shapes[index]:
                changed = True
        if changed:
            for index, array in zip(self.inputs, arrays):
                if array.shape != shapes[index]:
                    self.resize_input(index, array.shape)
            self.allocate()
            for index, array in zip(self.inputs, arrays):
                values[index] = array
        self._run_plan()
        return [values[i] for i in self.outputs]

    def _recursion(self):
        return RuntimeError(f"subgraph {self.index} ({self.sg.name or 'unnamed'}) is called "
                            "while it is preparing or running: recursive calls are not "
                            "supported")

    def shape_of(self, index):
        """Current shape of a tensor (the value's shape once a dynamic tensor has one)."""
        value = self.values[index]
        if value is not None and (self.shapes[index] is None or self.ready):
            return value.shape
        shape = self.shapes[index]
        return self.sg.tensors[index].shape if shape is None else shape
