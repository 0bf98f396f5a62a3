package org.tensorflow.lite;

import java.io.File;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/** Implements {@link InterpreterApi} on numlite's Python runtime. */
class InterpreterImpl implements InterpreterApi {

  /** Interpreter options with the extra (experimental) settings of {@link Interpreter}. */
  static class Options extends InterpreterApi.Options {
    Boolean allowFp16PrecisionForFp32;
    Boolean allowBufferHandleOutput;
    Boolean compressQuantizationZeroPoints;

    public Options() {}

    public Options(InterpreterApi.Options options) {
      super(options);
    }

    public Options(Options other) {
      super(other);
      allowFp16PrecisionForFp32 = other.allowFp16PrecisionForFp32;
      allowBufferHandleOutput = other.allowBufferHandleOutput;
      compressQuantizationZeroPoints = other.compressQuantizationZeroPoints;
    }
  }

  InterpreterCore wrapper;
  String[] signatureKeyList;

  InterpreterImpl(File modelFile, Options options) {
    wrapper = new InterpreterCore(modelFile, options);
    signatureKeyList = getSignatureKeys();
  }

  InterpreterImpl(ByteBuffer byteBuffer, Options options) {
    wrapper = new InterpreterCore(byteBuffer, options);
    signatureKeyList = getSignatureKeys();
  }

  @Override
  public void run(Object input, Object output) {
    Object[] inputs = {input};
    Map<Integer, Object> outputs = new HashMap<>();
    outputs.put(0, output);
    runForMultipleInputsOutputs(inputs, outputs);
  }

  @Override
  public void runForMultipleInputsOutputs(Object[] inputs, Map<Integer, Object> outputs) {
    open().run(inputs, outputs);
  }

  @Override
  public void runSignature(
      Map<String, Object> inputs, Map<String, Object> outputs, String signatureKey) {
    checkNotClosed();
    if (signatureKey == null && signatureKeyList.length == 1) {
      signatureKey = signatureKeyList[0];
    }
    if (signatureKey == null) {
      throw new IllegalArgumentException(
          "Input error: SignatureDef signatureKey should not be null. null is only allowed if the"
              + " model has a single Signature. Available Signatures: "
              + Arrays.toString(signatureKeyList));
    }
    wrapper.runSignature(inputs, outputs, signatureKey);
  }

  @Override
  public void runSignature(Map<String, Object> inputs, Map<String, Object> outputs) {
    checkNotClosed();
    runSignature(inputs, outputs, null);
  }

  @Override
  public void allocateTensors() {
    open().allocateTensors();
  }

  @Override
  public void resizeInput(int idx, int[] dims) {
    open().resizeInput(idx, dims, false);
  }

  @Override
  public void resizeInput(int idx, int[] dims, boolean strict) {
    open().resizeInput(idx, dims, strict);
  }

  @Override
  public int getInputTensorCount() {
    return open().getInputTensorCount();
  }

  @Override
  public int getInputIndex(String opName) {
    return open().getInputIndex(opName);
  }

  @Override
  public Tensor getInputTensor(int inputIndex) {
    return open().getInputTensor(inputIndex);
  }

  @Override
  public int getOutputTensorCount() {
    return open().getOutputTensorCount();
  }

  @Override
  public int getOutputIndex(String opName) {
    return open().getOutputIndex(opName);
  }

  @Override
  public Tensor getOutputTensor(int outputIndex) {
    return open().getOutputTensor(outputIndex);
  }

  @Override
  public Tensor getInputTensorFromSignature(String inputName, String signatureKey) {
    checkNotClosed();
    if (signatureKey == null && signatureKeyList.length == 1) {
      signatureKey = signatureKeyList[0];
    }
    if (signatureKey == null) {
      throw new IllegalArgumentException(
          "Input error: SignatureDef signatureKey should not be null. null is only allowed if the"
              + " model has a single Signature. Available Signatures: "
              + Arrays.toString(signatureKeyList));
    }
    return wrapper.getInputTensor(inputName, signatureKey);
  }

  @Override
  public Tensor getOutputTensorFromSignature(String outputName, String signatureKey) {
    checkNotClosed();
    if (signatureKey == null && signatureKeyList.length == 1) {
      signatureKey = signatureKeyList[0];
    }
    if (signatureKey == null) {
      throw new IllegalArgumentException(
          "Input error: SignatureDef signatureKey should not be null. null is only allowed if the"
              + " model has a single Signature. Available Signatures: "
              + Arrays.toString(signatureKeyList));
    }
    return wrapper.getOutputTensor(outputName, signatureKey);
  }

  @Override
  public String[] getSignatureKeys() {
    return open().getSignatureKeys();
  }

  @Override
  public String[] getSignatureInputs(String signatureKey) {
    return open().getSignatureInputs(signatureKey);
  }

  @Override
  public String[] getSignatureOutputs(String signatureKey) {
    return open().getSignatureOutputs(signatureKey);
  }

  @Override
  public Long getLastNativeInferenceDurationNanoseconds() {
    return open().getLastNativeInferenceDurationNanoseconds();
  }

  /** Idempotent. */
  @Override
  public void close() {
    InterpreterCore w = wrapper;
    if (w != null) {
      w.close();
      wrapper = null;
    }
  }

  int getExecutionPlanLength() {
    return open().getExecutionPlanLength();
  }

  void checkNotClosed() {
    if (wrapper == null) {
      throw new IllegalStateException("Internal error: The Interpreter has already been closed.");
    }
  }

  /** The core, after checking the interpreter is open (every API call starts here). */
  InterpreterCore open() {
    checkNotClosed();
    return wrapper;
  }
}
