"""The Python side of the Java API: implements org.numlite.jvm.Backend/Session with JPype.

Java validates and marshals every value; tensor data arrives here as flat native-order direct
buffers (numpy views them without copying) and leaves as direct buffers over numpy memory.
Errors are raised as org.numlite.jvm.BackendException so Java can throw TFLite's exception
classes and texts. Import this module only after the JVM is started (see numlite.jvm.start_jvm).
"""

import os
import threading

import jpype
import numpy as np
from jpype import JArray, JClass, JImplements, JInt, JOverride, JString

from .. import __version__
from ..interpreter import Interpreter
from ..model.strings import decode_strings, encode_strings
from ..runtime.subgraph import Cancelled, empty_value
from .dtypes import C_TYPES

_BackendException = JClass("org.numlite.jvm.BackendException")
LOAD, RESIZE, ALLOCATE, INVOKE, CANCELLED, OTHER = 1, 2, 3, 4, 5, 6

_C_TYPES = C_TYPES

_to_direct = jpype.nio.convertToDirectBuffer
_IntArray = JArray(JInt)
_StringArray = JArray(JString)
_ByteBufferArray = JArray(JClass("java.nio.ByteBuffer"))


_DEBUG = bool(os.environ.get("NUMLITE_JVM_DEBUG"))


def _error(kind, exc):
    if _DEBUG:                  # the Python side of an error Java reports
        import traceback
        traceback.print_exception(type(exc), exc, exc.__traceback__)
    return _BackendException(kind, str(exc).rstrip("\n") if str(exc) else type(exc).__name__)


def _int_array(values):
    return _IntArray([int(v) for v in values])


class _Plan:
    """Runs of one subgraph with fixed input and output tensors, and the buffers Java reads.

    Outputs are copied into persistent numpy buffers Java holds direct ByteBuffers over: no
    per-run JNI objects, and no Python memory whose lifetime would hang on Java's garbage
    collector (handing Java a fresh buffer per run makes JPype trigger full Java GCs).
    ``meta`` (int32) holds per output: byte count, rank, dims.
    """

    MAX_RANK = 16

    def __init__(self, subgraph, inputs, outputs):
        self.subgraph = subgraph
        self.inputs = inputs
        self.outputs = outputs
        self.meta = np.zeros(max(1, len(outputs) * (2 + self.MAX_RANK)), np.int32)
        self.meta_buffer = _to_direct(self.meta)
        self.slots = [None] * len(outputs)          # uint8 arrays the Java buffers view
        self.buffers = _ByteBufferArray(len(outputs))

    def store(self, sub, value_of):
        meta = self.meta
        p = 0
        changed = False
        for k, tensor in enumerate(self.outputs):
            value = value_of(self.subgraph, tensor)
            if value is None:
                raise _BackendException(INVOKE, f"Output tensor {tensor} has no data.")
            if value.dtype == object:
                raw = np.frombuffer(encode_strings(value), np.uint8)
            else:
                raw = np.ascontiguousarray(value).reshape(-1).view(np.uint8)
            nbytes = raw.nbytes
            ndim = value.ndim
            if ndim > self.MAX_RANK:
                raise _BackendException(INVOKE, f"Output tensor {tensor} has rank {ndim} > "
                                                f"{self.MAX_RANK}.")
            meta[p] = nbytes
            meta[p + 1] = ndim
            meta[p + 2:p + 2 + ndim] = value.shape
            p += 2 + ndim
            slot = self.slots[k]
            if slot is None or slot.nbytes < nbytes:
                slot = self.slots[k] = np.empty(max(64, nbytes + (nbytes >> 2)), np.uint8)
                self.buffers[k] = _to_direct(slot)
                changed = True
            slot[:nbytes] = raw
        return self.buffers if changed else None


@JImplements("org.numlite.jvm.Backend")
class Backend:
    """Opens models for Java's Interpreter."""

    @JOverride
    def open(self, path, model, num_threads, cancellable):
        threads = int(num_threads) if int(num_threads) > 0 else None
        try:
            if path is not None:
                path = str(path)
                if not os.path.isfile(path):
                    raise _BackendException(LOAD, f"Could not open '{path}'.")
                interpreter = Interpreter(model_path=path, num_threads=threads)
            else:
                content = bytes(memoryview(model))
                interpreter = Interpreter(model_content=content, num_threads=threads)
        except jpype.JException:
            raise
        except Exception as e:  # noqa: BLE001 - every load failure is the model's fault
            raise _error(LOAD, e) from None
        try:
            interpreter.allocate_tensors()
        except Exception as e:  # noqa: BLE001
            raise _error(ALLOCATE, e) from None
        return Session(interpreter, bool(cancellable))

    @JOverride
    def version(self):
        return __version__


@JImplements("org.numlite.jvm.Session")
class Session:
    """One model: wraps a numlite Interpreter and reads its runtime's tensor storage."""

    def __init__(self, interpreter, cancellable):
        self._interpreter = interpreter
        self._runtime = interpreter._runtime
        self._model = interpreter._model
        self._signatures = {s.key: s for s in self._model.signature_defs}
        self._cancellable = cancellable
        self._plans = []
        self._lock = threading.RLock()

    # ---- model structure ------------------------------------------------------------------
    def _signature(self, key):
        sig = self._signatures.get(None if key is None else str(key))
        if sig is None:
            raise _BackendException(OTHER, f"Input error: Signature {key} not found.")
        return sig

    @JOverride
    def signatureKeys(self):
        return _StringArray(list(self._signatures))

    @JOverride
    def signatureSubgraph(self, key):
        sig = self._signatures.get(str(key))
        return -1 if sig is None else sig.subgraph_index

    @JOverride
    def signatureNames(self, key, outputs):
        sig = self._signature(key)
        return _StringArray(sorted(sig.outputs if outputs else sig.inputs))

    @JOverride
    def signatureTensors(self, key, outputs):
        sig = self._signature(key)
        names = sig.outputs if outputs else sig.inputs
        return _int_array(names[n] for n in sorted(names))

    @JOverride
    def subgraphTensors(self, subgraph, outputs):
        sg = self._model.subgraphs[subgraph]
        return _int_array(sg.outputs if outputs else sg.inputs)

    def _tensor(self, subgraph, tensor):
        return self._model.subgraphs[subgraph].tensors[tensor]

    @JOverride
    def tensorName(self, subgraph, tensor):
        return self._tensor(subgraph, tensor).name or ""

    @JOverride
    def tensorType(self, subgraph, tensor):
        return _C_TYPES.get(self._tensor(subgraph, tensor).type, 0)

    @JOverride
    def tensorShape(self, subgraph, tensor):
        with self._lock:
            return _int_array(self._runtime.subgraph(subgraph).shape_of(tensor))

    @JOverride
    def tensorShapeSignature(self, subgraph, tensor):
        t = self._tensor(subgraph, tensor)
        if t.shape_signature:
            return _int_array(t.shape_signature)
        with self._lock:
            return _int_array(self._runtime.subgraph(subgraph).shape_of(tensor))

    def _quantization(self, subgraph, tensor):
        q = self._tensor(subgraph, tensor).quantization
        if q is None or q.scales.size != 1:
            return 0.0, 0
        return float(q.scales[0]), int(q.zero_points[0]) if q.zero_points.size else 0

    @JOverride
    def tensorScale(self, subgraph, tensor):
        return self._quantization(subgraph, tensor)[0]

    @JOverride
    def tensorZeroPoint(self, subgraph, tensor):
        return self._quantization(subgraph, tensor)[1]

    def _value(self, subgraph, tensor):
        sub = self._runtime.subgraph(subgraph)
        value = sub.values[tensor]
        if value is None:
            if not sub.ready or sub.shapes[tensor] is None:
                return None
            value = empty_value(sub.shapes[tensor], sub.dtypes[tensor])
        return value

    @staticmethod
    def _bytes_of(value):
        if value.dtype == object:
            return encode_strings(value)
        return np.ascontiguousarray(value).tobytes()

    @JOverride
    def tensorNumBytes(self, subgraph, tensor):
        with self._lock:
            value = self._value(subgraph, tensor)
            if value is None:
                return -1
            return len(encode_strings(value)) if value.dtype == object else int(value.nbytes)

    @JOverride
    def tensorData(self, subgraph, tensor):
        with self._lock:
            value = self._value(subgraph, tensor)
            return None if value is None else self._bytes_of(value)

    # ---- resize, allocate, run --------------------------------------------------------------
    @JOverride
    def resize(self, subgraph, tensor, dims, strict):
        dims = tuple(int(d) for d in dims)
        with self._lock:
            sub = self._runtime.subgraph(subgraph)
            changed = sub.shapes[tensor] != dims or not sub.ready
            try:
                sub.resize_input(tensor, dims, bool(strict))
            except Exception as e:  # noqa: BLE001
                raise _error(RESIZE, e) from None
            return bool(changed and sub.shapes[tensor] == dims)

    @JOverride
    def isAllocated(self, subgraph):
        return bool(self._runtime.subgraph(subgraph).ready)

    @JOverride
    def allocate(self, subgraph):
        with self._lock:
            sub = self._runtime.subgraph(subgraph)
            if not sub.ready:
                try:
                    sub.allocate()
                except Exception as e:  # noqa: BLE001
                    raise _error(ALLOCATE, e) from None

    @staticmethod
    def _write(sub, tensor, buf):
        raw = np.frombuffer(memoryview(buf), dtype=np.uint8)
        shape = sub.shapes[tensor]
        dtype = sub.dtypes[tensor]
        if dtype == object:
            sub.values[tensor] = decode_strings(raw, shape)
            return
        value = raw.view(dtype).reshape(shape)
        target = sub.values[tensor]
        if target is None or target.shape != value.shape or not target.flags.writeable:
            sub.values[tensor] = value.copy()
        else:
            np.copyto(target, value)

    @JOverride
    def prepareRun(self, subgraph, inputs, outputs):
        plan = _Plan(int(subgraph), [int(t) for t in inputs], [int(t) for t in outputs])
        self._plans.append(plan)
        return len(self._plans) - 1

    @JOverride
    def planMeta(self, plan):
        return self._plans[plan].meta_buffer

    @JOverride
    def runPlan(self, plan_id, data):
        plan = self._plans[plan_id]
        with self._lock:
            sub = self._runtime.subgraph(plan.subgraph)
            if not sub.ready:
                try:
                    sub.allocate()
                except Exception as e:  # noqa: BLE001
                    raise _error(ALLOCATE, e) from None
            write = self._write
            try:
                for k, tensor in enumerate(plan.inputs):
                    write(sub, tensor, data[k])
            except Exception as e:  # noqa: BLE001
                raise _error(INVOKE, e) from None
            try:
                sub.invoke()
            except Cancelled:
                raise _BackendException(CANCELLED, "cancelled") from None
            except Exception as e:  # noqa: BLE001
                raise _error(INVOKE, e) from None
            return plan.store(sub, self._value)

    # ---- misc -------------------------------------------------------------------------------
    @JOverride
    def resetVariables(self):
        with self._lock:
            self._interpreter.reset_all_variables()

    @JOverride
    def setCancelled(self, cancelled):
        self._runtime.cancelled = bool(cancelled)

    @JOverride
    def executionPlanLength(self):
        return len(self._model.subgraphs[0].operators)

    @JOverride
    def close(self):
        with self._lock:
            self._plans = []
            self._interpreter = self._runtime = None
