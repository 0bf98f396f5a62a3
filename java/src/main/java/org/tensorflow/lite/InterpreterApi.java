package org.tensorflow.lite;

import java.io.File;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.tensorflow.lite.acceleration.ValidatedAccelerationConfig;

/**
 * Interface to TensorFlow Lite model interpreter, excluding experimental methods.
 *
 * <p>numlite implements it with its Python runtime; instances are safe to share between threads
 * (calls on one interpreter are serialised) and must be {@link #close() closed}.
 */
public interface InterpreterApi extends AutoCloseable {

  /** An options class for controlling runtime interpreter behavior. */
  class Options {

    /** Enum to represent where to get the TensorFlow Lite runtime implementation from. */
    public enum TfLiteRuntime {
      FROM_APPLICATION_ONLY,
      FROM_SYSTEM_ONLY,
      PREFER_SYSTEM_OVER_APPLICATION,
    }

    TfLiteRuntime runtime = TfLiteRuntime.FROM_APPLICATION_ONLY;
    int numThreads = -1;
    Boolean useNNAPI;
    Boolean useXNNPACK;
    Boolean allowCancellation;
    ValidatedAccelerationConfig validatedAccelerationConfig;
    final List<Delegate> delegates;
    final List<DelegateFactory> delegateFactories;

    public Options() {
      this.delegates = new ArrayList<>();
      this.delegateFactories = new ArrayList<>();
    }

    public Options(Options other) {
      this.numThreads = other.numThreads;
      this.useNNAPI = other.useNNAPI;
      this.allowCancellation = other.allowCancellation;
      this.delegates = new ArrayList<>(other.delegates);
      this.delegateFactories = new ArrayList<>(other.delegateFactories);
      this.runtime = other.runtime;
      this.validatedAccelerationConfig = other.validatedAccelerationConfig;
      this.useXNNPACK = other.useXNNPACK;
    }

    /** Sets the number of threads (-1 lets the runtime choose; 0 and 1 mean one thread). */
    public Options setNumThreads(int numThreads) {
      this.numThreads = numThreads;
      return this;
    }

    public int getNumThreads() {
      return numThreads;
    }

    public Options setUseNNAPI(boolean useNNAPI) {
      this.useNNAPI = useNNAPI;
      return this;
    }

    public boolean getUseNNAPI() {
      return useNNAPI != null && useNNAPI;
    }

    /** Allows {@code Interpreter.setCancelled} to cancel inference. */
    public Options setCancellable(boolean allow) {
      this.allowCancellation = allow;
      return this;
    }

    public boolean isCancellable() {
      return allowCancellation != null && allowCancellation;
    }

    /** Adds a delegate. numlite cannot apply native delegates (IllegalArgumentException). */
    public Options addDelegate(Delegate delegate) {
      delegates.add(delegate);
      return this;
    }

    public List<Delegate> getDelegates() {
      return Collections.unmodifiableList(delegates);
    }

    public Options addDelegateFactory(DelegateFactory delegateFactory) {
      delegateFactories.add(delegateFactory);
      return this;
    }

    public List<DelegateFactory> getDelegateFactories() {
      return Collections.unmodifiableList(delegateFactories);
    }

    public Options setRuntime(TfLiteRuntime runtime) {
      this.runtime = runtime;
      return this;
    }

    public TfLiteRuntime getRuntime() {
      return runtime;
    }

    public Options setAccelerationConfig(ValidatedAccelerationConfig config) {
      this.validatedAccelerationConfig = config;
      return this;
    }

    public ValidatedAccelerationConfig getAccelerationConfig() {
      return validatedAccelerationConfig;
    }

    public Options setUseXNNPACK(boolean useXNNPACK) {
      this.useXNNPACK = useXNNPACK;
      return this;
    }

    public boolean getUseXNNPACK() {
      return useXNNPACK == null || useXNNPACK;
    }
  }

  /**
   * Constructs an {@link InterpreterApi} instance, using the specified model and options. The
   * model will be loaded from a file.
   *
   * @throws IllegalArgumentException if {@code modelFile} does not encode a valid model.
   */
  @SuppressWarnings("deprecation")
  static InterpreterApi create(File modelFile, InterpreterApi.Options options) {
    Options.TfLiteRuntime runtime = (options == null ? null : options.getRuntime());
    InterpreterFactoryApi factory = TensorFlowLite.getFactory(runtime);
    return factory.create(modelFile, options);
  }

  /**
   * Constructs an {@link InterpreterApi} instance from a direct native-order ByteBuffer or a
   * MappedByteBuffer holding the model.
   */
  @SuppressWarnings("deprecation")
  static InterpreterApi create(ByteBuffer byteBuffer, InterpreterApi.Options options) {
    Options.TfLiteRuntime runtime = (options == null ? null : options.getRuntime());
    InterpreterFactoryApi factory = TensorFlowLite.getFactory(runtime);
    return factory.create(byteBuffer, options);
  }

  /** Runs model inference if the model takes only one input and provides only one output. */
  void run(Object input, Object output);

  /** Runs model inference if the model takes multiple inputs, or returns multiple outputs. */
  void runForMultipleInputsOutputs(Object[] inputs, Map<Integer, Object> outputs);

  /** Explicitly updates allocations for all tensors, if necessary. */
  void allocateTensors();

  /** Resizes idx-th input of the native model to the given dims. */
  void resizeInput(int idx, int[] dims);

  /** Resizes idx-th input; with {@code strict} only unknown (-1) dimensions may change. */
  void resizeInput(int idx, int[] dims, boolean strict);

  int getInputTensorCount();

  int getInputIndex(String opName);

  Tensor getInputTensor(int inputIndex);

  int getOutputTensorCount();

  int getOutputIndex(String opName);

  Tensor getOutputTensor(int outputIndex);

  /** Runs model inference based on SignatureDef provided through {@code signatureKey}. */
  void runSignature(Map<String, Object> inputs, Map<String, Object> outputs, String signatureKey);

  /** Same as {@link #runSignature(Map, Map, String)} but with a null signature key. */
  void runSignature(Map<String, Object> inputs, Map<String, Object> outputs);

  Tensor getInputTensorFromSignature(String inputName, String signatureKey);

  String[] getSignatureKeys();

  String[] getSignatureInputs(String signatureKey);

  String[] getSignatureOutputs(String signatureKey);

  Tensor getOutputTensorFromSignature(String outputName, String signatureKey);

  /** Returns native inference timing, or null before any run and after a failed run. */
  Long getLastNativeInferenceDurationNanoseconds();

  /** Release resources associated with the {@code InterpreterApi} instance. */
  @Override
  void close();
}
