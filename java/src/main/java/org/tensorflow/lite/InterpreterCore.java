package org.tensorflow.lite;

import java.io.File;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import java.nio.MappedByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.numlite.jvm.Backend;
import org.numlite.jvm.BackendException;
import org.numlite.jvm.Bridge;
import org.numlite.jvm.Session;

/**
 * The state of one interpreter: a Python runtime session plus cached tensors and signatures.
 *
 * <p>Every method that reaches the runtime is synchronized: one interpreter may be shared by
 * threads, their calls are serialised. Several interpreters run in parallel.
 */
final class InterpreterCore implements AutoCloseable {
  private static final String CANCELLED = "Client requested cancel during Invoke()";

  private Session session;
  private final boolean cancellable;
  private final int[] inputTensors;
  private final int[] outputTensors;
  private final TensorImpl[] inputs;
  private final TensorImpl[] outputs;
  private final Map<String, SignatureInfo> signatures = new HashMap<>();
  private final Map<Long, TensorImpl> otherTensors = new HashMap<>();
  private final boolean[] needsAllocation;
  private Map<String, Integer> inputNames;
  private Map<String, Integer> outputNames;
  /** Bumped by resize/allocate (all shapes may change) and by runs (non-input shapes). */
  private volatile long layoutStamp;
  private volatile long runStamp;
  private long inferenceDurationNanoseconds = -1;

  InterpreterCore(File modelFile, InterpreterApi.Options options) {
    this(modelFile.getAbsolutePath(), null, options);
  }

  InterpreterCore(ByteBuffer model, InterpreterApi.Options options) {
    this(null, checkModelBuffer(model), options);
  }

  private InterpreterCore(String path, ByteBuffer model, InterpreterApi.Options options) {
    if (options == null) {
      options = new InterpreterApi.Options();
    }
    if (options.getAccelerationConfig() != null) {
      options.getAccelerationConfig().apply(options);
    }
    checkDelegates(options);
    this.cancellable = options.isCancellable();
    Backend backend = Bridge.get();
    try {
      session = backend.open(path, model, options.getNumThreads(), cancellable);
    } catch (BackendException e) {
      throw loadError(e, path);
    }
    inputTensors = session.subgraphTensors(0, false);
    outputTensors = session.subgraphTensors(0, true);
    inputs = new TensorImpl[inputTensors.length];
    outputs = new TensorImpl[outputTensors.length];
    needsAllocation = new boolean[Math.max(1, countSubgraphs())];
    Arrays.fill(needsAllocation, true);
    needsAllocation[0] = false; // open() allocated subgraph 0, as TFLite's constructor does
  }

  private int countSubgraphs() {
    int n = 1;
    for (String key : session.signatureKeys()) {
      n = Math.max(n, session.signatureSubgraph(key) + 1);
    }
    return n;
  }

  private static ByteBuffer checkModelBuffer(ByteBuffer buffer) {
    if (buffer == null
        || !(buffer instanceof MappedByteBuffer
            || (buffer.isDirect() && buffer.order() == Marshal.NATIVE))) {
      throw new IllegalArgumentException(
          "Model ByteBuffer should be either a MappedByteBuffer of the model file, or a direct"
              + " ByteBuffer using ByteOrder.nativeOrder() which contains bytes of model"
              + " content.");
    }
    return buffer;
  }

  private static void checkDelegates(InterpreterApi.Options options) {
    for (Delegate d : options.getDelegates()) {
      throw new IllegalArgumentException(
          "Internal error: Failed to apply delegate: numlite runs models with its Python runtime"
              + " and cannot apply the native delegate "
              + (d == null ? "null" : d.getClass().getName()));
    }
    for (DelegateFactory f : options.getDelegateFactories()) {
      throw new IllegalArgumentException(
          "Internal error: Failed to apply delegate: numlite runs models with its Python runtime"
              + " and cannot apply a delegate from the factory "
              + (f == null ? "null" : f.getClass().getName()));
    }
    if (options.getUseNNAPI()) {
      throw new IllegalArgumentException(
          "Internal error: Failed to apply NNAPI delegate: NNAPI is not available to numlite's"
              + " Python runtime.");
    }
  }

  private static RuntimeException loadError(BackendException e, String path) {
    if (e.kind() == BackendException.ALLOCATE) {
      return new IllegalStateException(
          "Internal error: Unexpected failure when preparing tensor allocations: "
              + e.getMessage());
    }
    if (e.kind() == BackendException.LOAD) {
      if (path != null) {
        return new IllegalArgumentException(
            String.format(
                "Contents of %s does not encode a valid TensorFlow Lite model: %s",
                path, e.getMessage()));
      }
      return new IllegalArgumentException(
          "ByteBuffer is not a valid TensorFlow Lite model flatbuffer");
    }
    return new IllegalArgumentException("Internal error: " + e.getMessage(), e);
  }

  // ---- state --------------------------------------------------------------------------------

  Session session() {
    Session s = session;
    if (s == null) {
      throw new IllegalStateException("Internal error: The Interpreter has already been closed.");
    }
    return s;
  }

  long stamp(boolean input) {
    return input ? layoutStamp : layoutStamp * 1_000_003L + runStamp;
  }

  boolean isClosed() {
    return session == null;
  }

  @Override
  public synchronized void close() {
    Session s = session;
    session = null;
    if (s != null) {
      s.close();
    }
  }

  // ---- counts, indices, tensors --------------------------------------------------------------

  int getInputTensorCount() {
    return inputTensors.length;
  }

  int getOutputTensorCount() {
    return outputTensors.length;
  }

  synchronized int getInputIndex(String name) {
    if (inputNames == null) {
      inputNames = new HashMap<>();
      for (int i = 0; i < inputTensors.length; i++) {
        inputNames.put(session().tensorName(0, inputTensors[i]), i);
      }
    }
    Integer i = inputNames.get(name);
    if (i != null) {
      return i;
    }
    throw new IllegalArgumentException(
        String.format(
            "Input error: '%s' is not a valid name for any input. Names of inputs and their"
                + " indexes are %s",
            name, inputNames));
  }

  synchronized int getOutputIndex(String name) {
    if (outputNames == null) {
      outputNames = new HashMap<>();
      for (int i = 0; i < outputTensors.length; i++) {
        outputNames.put(session().tensorName(0, outputTensors[i]), i);
      }
    }
    Integer i = outputNames.get(name);
    if (i != null) {
      return i;
    }
    throw new IllegalArgumentException(
        String.format(
            "Input error: '%s' is not a valid name for any output. Names of outputs and their"
                + " indexes are %s",
            name, outputNames));
  }

  synchronized TensorImpl getInputTensor(int index) {
    if (index < 0 || index >= inputs.length) {
      throw new IllegalArgumentException("Invalid input Tensor index: " + index);
    }
    TensorImpl t = inputs[index];
    if (t == null) {
      t = inputs[index] = new TensorImpl(this, 0, inputTensors[index], true, true);
    }
    return t;
  }

  synchronized TensorImpl getOutputTensor(int index) {
    if (index < 0 || index >= outputs.length) {
      throw new IllegalArgumentException("Invalid output Tensor index: " + index);
    }
    TensorImpl t = outputs[index];
    if (t == null) {
      t = outputs[index] = new TensorImpl(this, 0, outputTensors[index], true, false);
    }
    return t;
  }

  private TensorImpl subgraphTensor(int subgraph, int tensor, boolean isInput) {
    long key = ((long) subgraph << 32) | (tensor & 0xffffffffL);
    TensorImpl t = otherTensors.get(key);
    if (t == null) {
      t = new TensorImpl(this, subgraph, tensor, false, isInput);
      otherTensors.put(key, t);
    }
    return t;
  }

  // ---- signatures ---------------------------------------------------------------------------

  /** What a signature maps to; built once per key. */
  static final class SignatureInfo {
    final String key;
    final int subgraph;
    final String[] inputNames;
    final String[] outputNames;
    final Map<String, Integer> inputPosition = new HashMap<>();
    final Map<String, Integer> outputPosition = new HashMap<>();
    final Map<String, Integer> inputTensor = new HashMap<>();
    final Map<String, Integer> outputTensor = new HashMap<>();

    SignatureInfo(String key, int subgraph, String[] inputNames, String[] outputNames) {
      this.key = key;
      this.subgraph = subgraph;
      this.inputNames = inputNames;
      this.outputNames = outputNames;
    }
  }

  synchronized String[] getSignatureKeys() {
    return session().signatureKeys();
  }

  synchronized SignatureInfo signature(String key) {
    SignatureInfo info = signatures.get(key);
    if (info != null) {
      return info;
    }
    Session s = session();
    int subgraph = key == null ? -1 : s.signatureSubgraph(key);
    if (subgraph < 0) {
      throw new IllegalArgumentException("Input error: Signature " + key + " not found.");
    }
    String[] in = s.signatureNames(key, false);
    String[] out = s.signatureNames(key, true);
    int[] inT = s.signatureTensors(key, false);
    int[] outT = s.signatureTensors(key, true);
    info = new SignatureInfo(key, subgraph, in, out);
    int[] sgIn = s.subgraphTensors(subgraph, false);
    int[] sgOut = s.subgraphTensors(subgraph, true);
    for (int i = 0; i < in.length; i++) {
      info.inputTensor.put(in[i], inT[i]);
      info.inputPosition.put(in[i], indexOf(sgIn, inT[i]));
    }
    for (int i = 0; i < out.length; i++) {
      info.outputTensor.put(out[i], outT[i]);
      info.outputPosition.put(out[i], indexOf(sgOut, outT[i]));
    }
    signatures.put(key, info);
    return info;
  }

  private static int indexOf(int[] a, int v) {
    for (int i = 0; i < a.length; i++) {
      if (a[i] == v) {
        return i;
      }
    }
    return -1;
  }

  String[] getSignatureInputs(String key) {
    return signature(key).inputNames.clone();
  }

  String[] getSignatureOutputs(String key) {
    return signature(key).outputNames.clone();
  }

  synchronized TensorImpl getInputTensor(String name, String key) {
    if (name == null) {
      throw new IllegalArgumentException("Invalid input tensor name provided (null)");
    }
    SignatureInfo info = signature(key);
    Integer tensor = info.inputTensor.get(name);
    if (tensor == null) {
      throw new IllegalArgumentException("Input error: input " + name + " not found.");
    }
    if (info.subgraph == 0) {
      int position = info.inputPosition.get(name);
      if (position >= 0) {
        return getInputTensor(position);
      }
    }
    return subgraphTensor(info.subgraph, tensor, true);
  }

  synchronized TensorImpl getOutputTensor(String name, String key) {
    if (name == null) {
      throw new IllegalArgumentException("Invalid output tensor name provided (null)");
    }
    SignatureInfo info = signature(key);
    Integer tensor = info.outputTensor.get(name);
    if (tensor == null) {
      throw new IllegalArgumentException("Input error: output " + name + " not found.");
    }
    if (info.subgraph == 0) {
      int position = info.outputPosition.get(name);
      if (position >= 0) {
        return getOutputTensor(position);
      }
    }
    return subgraphTensor(info.subgraph, tensor, false);
  }

  // ---- resize and allocation ---------------------------------------------------------------

  synchronized void resizeInput(int idx, int[] dims, boolean strict) {
    Session s = session();
    if (idx < 0 || idx >= inputTensors.length) {
      throw new IllegalArgumentException(
          String.format(
              "Input error: Can not resize %d-th input for a model having %d inputs.",
              idx, inputTensors.length));
    }
    boolean changed;
    try {
      changed = s.resize(0, inputTensors[idx], dims, strict);
    } catch (BackendException e) {
      throw new IllegalArgumentException(
          String.format("Internal error: Failed to resize %d-th input: %s", idx, e.getMessage()));
    }
    if (changed) {
      needsAllocation[0] = true;
      layoutStamp++;
    }
  }

  private void resizeSignatureInput(SignatureInfo info, String name, int tensor, int[] dims) {
    boolean changed;
    try {
      changed = session().resize(info.subgraph, tensor, dims, false);
    } catch (BackendException e) {
      IllegalArgumentException cause =
          new IllegalArgumentException(
              "Error: Failed to resize input " + name + ": " + e.getMessage());
      throw new IllegalArgumentException(
          String.format(
              "Tensor passed for input '%s' of signature '%s' has different shape than expected",
              name, info.key),
          cause);
    }
    if (changed) {
      needsAllocation[info.subgraph] = true;
      layoutStamp++;
    }
  }

  synchronized void allocateTensors() {
    allocate(0, true);
  }

  private void allocate(int subgraph, boolean explicit) {
    if (!explicit && !needsAllocation[subgraph]) {
      return;
    }
    try {
      session().allocate(subgraph);
    } catch (BackendException e) {
      throw new IllegalStateException(
          "Internal error: Unexpected failure when preparing tensor allocations: "
              + e.getMessage());
    }
    needsAllocation[subgraph] = false;
    layoutStamp++;
  }

  // ---- running ------------------------------------------------------------------------------

  Long getLastNativeInferenceDurationNanoseconds() {
    long d = inferenceDurationNanoseconds;
    return d < 0 ? null : d;
  }

  synchronized void run(Object[] inputValues, Map<Integer, Object> outputValues) {
    Session s = session();
    inferenceDurationNanoseconds = -1;
    if (inputValues == null || inputValues.length == 0) {
      throw new IllegalArgumentException("Input error: Inputs should not be null or empty.");
    }
    if (outputValues == null) {
      throw new IllegalArgumentException("Input error: Outputs should not be null.");
    }
    TensorImpl[] in = new TensorImpl[inputValues.length];
    for (int i = 0; i < inputValues.length; i++) {
      in[i] = getInputTensor(i);
      int[] newShape = in[i].getInputShapeIfDifferent(inputValues[i]);
      if (newShape != null) {
        resizeInput(i, newShape, false);
      }
    }
    allocate(0, false);
    int[] tensorIds = new int[in.length];
    Buffer[] data = new Buffer[in.length];
    for (int i = 0; i < in.length; i++) {
      tensorIds[i] = inputTensors[i];
      data[i] = in[i].prepareInput(inputValues[i]);
    }
    int requested = 0;
    int[] outIds = new int[outputValues.size()];
    TensorImpl[] outTensors = new TensorImpl[outputValues.size()];
    for (Map.Entry<Integer, Object> e : outputValues.entrySet()) {
      Integer k = e.getKey();
      if (e.getValue() != null && k != null && k >= 0 && k < outputTensors.length) {
        outTensors[requested] = getOutputTensor(k);
        outIds[requested++] = outputTensors[k];
      }
    }
    long start = System.nanoTime();
    ByteBuffer[] outData =
        invoke(s, 0, tensorIds, data, Arrays.copyOf(outIds, requested), outTensors, false);
    long elapsed = System.nanoTime() - start;
    int j = 0;
    for (Map.Entry<Integer, Object> e : outputValues.entrySet()) {
      Object value = e.getValue();
      if (value == null) {
        continue; // null output placeholders are allowed and ignored
      }
      TensorImpl t = getOutputTensor(e.getKey());
      t.copyTo(value, outData[j++]);
    }
    inferenceDurationNanoseconds = elapsed;
  }

  synchronized void runSignature(
      Map<String, Object> inputValues, Map<String, Object> outputValues, String key) {
    session();
    inferenceDurationNanoseconds = -1;
    if (inputValues == null || inputValues.isEmpty()) {
      throw new IllegalArgumentException("Input error: Inputs should not be null or empty.");
    }
    if (outputValues == null) {
      throw new IllegalArgumentException("Input error: Outputs should not be null.");
    }
    SignatureInfo info = signature(key);
    if (info.subgraph == 0) {
      Object[] inputsList = new Object[inputValues.size()];
      for (Map.Entry<String, Object> e : inputValues.entrySet()) {
        Integer position = info.inputPosition.get(e.getKey());
        if (position == null || position < 0) {
          throw new IllegalArgumentException("Input error: input " + e.getKey() + " not found.");
        }
        inputsList[position] = e.getValue(); // ArrayIndexOutOfBounds for a partial map, as TFLite
      }
      Map<Integer, Object> outputsByIndex = new TreeMap<>();
      for (Map.Entry<String, Object> e : outputValues.entrySet()) {
        Integer position = info.outputPosition.get(e.getKey());
        if (position == null || position < 0) {
          throw new IllegalArgumentException("Input error: output " + e.getKey() + " not found.");
        }
        outputsByIndex.put(position, e.getValue());
      }
      run(inputsList, outputsByIndex);
      return;
    }
    runOtherSubgraph(info, inputValues, outputValues);
  }

  private void runOtherSubgraph(
      SignatureInfo info, Map<String, Object> inputValues, Map<String, Object> outputValues) {
    Session s = session();
    int n = inputValues.size();
    TensorImpl[] in = new TensorImpl[n];
    Object[] values = new Object[n];
    int i = 0;
    for (Map.Entry<String, Object> e : inputValues.entrySet()) {
      String name = e.getKey();
      Integer tensor = info.inputTensor.get(name);
      if (tensor == null) {
        throw new IllegalArgumentException("Input error: input " + name + " not found.");
      }
      in[i] = subgraphTensor(info.subgraph, tensor, true);
      values[i] = e.getValue();
      int[] newShape = in[i].getInputShapeIfDifferent(values[i]);
      if (newShape != null) {
        resizeSignatureInput(info, name, tensor, newShape);
      }
      i++;
    }
    allocate(info.subgraph, false);
    int[] tensorIds = new int[n];
    Buffer[] data = new Buffer[n];
    for (i = 0; i < n; i++) {
      tensorIds[i] = in[i].tensorIndex();
      data[i] = in[i].prepareInput(values[i]);
    }
    List<TensorImpl> outTensors = new ArrayList<>();
    List<Object> outValues = new ArrayList<>();
    for (Map.Entry<String, Object> e : outputValues.entrySet()) {
      Integer tensor = info.outputTensor.get(e.getKey());
      if (tensor == null) {
        throw new IllegalArgumentException("Input error: output " + e.getKey() + " not found.");
      }
      if (e.getValue() != null) {
        outTensors.add(subgraphTensor(info.subgraph, tensor, false));
        outValues.add(e.getValue());
      }
    }
    int[] outIds = new int[outTensors.size()];
    for (i = 0; i < outIds.length; i++) {
      outIds[i] = outTensors.get(i).tensorIndex();
    }
    TensorImpl[] outArray = outTensors.toArray(new TensorImpl[0]);
    long start = System.nanoTime();
    ByteBuffer[] outData = invoke(s, info.subgraph, tensorIds, data, outIds, outArray, true);
    long elapsed = System.nanoTime() - start;
    for (i = 0; i < outArray.length; i++) {
      outArray[i].copyTo(outValues.get(i), outData[i]);
    }
    inferenceDurationNanoseconds = elapsed;
  }

  /** A prepared run: fixed input and output tensors of a subgraph (cached per combination). */
  private static final class Plan {
    final int id;
    final int subgraph;
    final int[] inputs;
    final int[] outputs;
    final IntBuffer meta;
    ByteBuffer[] buffers;

    Plan(int id, int subgraph, int[] inputs, int[] outputs, ByteBuffer meta) {
      this.id = id;
      this.subgraph = subgraph;
      this.inputs = inputs;
      this.outputs = outputs;
      this.meta = meta.order(Marshal.NATIVE).asIntBuffer();
    }
  }

  private final Map<String, Plan> plans = new HashMap<>();
  private Plan lastPlan;

  private Plan plan(Session s, int subgraph, int[] inputs, int[] outputs) {
    Plan p = lastPlan;
    if (p != null
        && p.subgraph == subgraph
        && Arrays.equals(p.inputs, inputs)
        && Arrays.equals(p.outputs, outputs)) {
      return p;
    }
    String key = subgraph + Arrays.toString(inputs) + Arrays.toString(outputs);
    p = plans.get(key);
    if (p == null) {
      int id = s.prepareRun(subgraph, inputs, outputs);
      p = new Plan(id, subgraph, inputs, outputs, s.planMeta(id));
      plans.put(key, p);
    }
    lastPlan = p;
    return p;
  }

  /** Runs and returns the outputs' bytes (native order); sets the outputs' shapes. */
  private ByteBuffer[] invoke(
      Session s,
      int subgraph,
      int[] ids,
      Buffer[] data,
      int[] outIds,
      TensorImpl[] outTensors,
      boolean stateError) {
    Plan plan = plan(s, subgraph, ids, outIds);
    try {
      ByteBuffer[] buffers = s.runPlan(plan.id, data);
      if (buffers != null) {
        plan.buffers = new ByteBuffer[buffers.length];
        for (int i = 0; i < buffers.length; i++) {
          plan.buffers[i] = buffers[i].order(Marshal.NATIVE);
        }
      }
    } catch (BackendException e) {
      if (e.kind() == BackendException.ALLOCATE) {
        needsAllocation[subgraph] = true;
        throw new IllegalStateException(
            "Internal error: Unexpected failure when preparing tensor allocations: "
                + e.getMessage());
      }
      String message =
          "Internal error: Failed to run on the given Interpreter: "
              + (e.kind() == BackendException.CANCELLED ? CANCELLED : e.getMessage());
      if (stateError) {
        throw new IllegalStateException(message);
      }
      throw new IllegalArgumentException(message);
    } finally {
      runStamp++;
    }
    IntBuffer meta = plan.meta;
    ByteBuffer[] out = new ByteBuffer[outIds.length];
    int p = 0;
    for (int i = 0; i < outIds.length; i++) {
      int nbytes = meta.get(p);
      int rank = meta.get(p + 1);
      int[] shape = new int[rank];
      for (int d = 0; d < rank; d++) {
        shape[d] = meta.get(p + 2 + d);
      }
      p += 2 + rank;
      outTensors[i].setShape(shape);
      ByteBuffer b = plan.buffers[i].duplicate().order(Marshal.NATIVE);
      b.limit(nbytes);
      out[i] = b;
    }
    return out;
  }

  // ---- misc -----------------------------------------------------------------------------------

  synchronized void resetVariableTensors() {
    session().resetVariables();
  }

  void setCancelled(boolean cancelled) {
    if (!cancellable) {
      throw new IllegalStateException(
          "Cannot cancel the inference. Have you called InterpreterApi.Options.setCancellable?");
    }
    Session s = session;
    if (s == null) {
      throw new IllegalStateException("Internal error: The Interpreter has already been closed.");
    }
    s.setCancelled(cancelled); // not synchronized: it must reach a running inference
  }

  synchronized int getExecutionPlanLength() {
    return session().executionPlanLength();
  }
}
