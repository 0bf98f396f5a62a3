package org.tensorflow.lite;

import java.io.File;
import java.nio.ByteBuffer;

/** numlite's runtime: interpreters backed by the Python runtime. Loaded by name. */
class InterpreterFactoryImpl implements InterpreterFactoryApi {
  public InterpreterFactoryImpl() {}

  @Override
  public InterpreterApi create(File modelFile, InterpreterApi.Options options) {
    return new InterpreterImpl(
        modelFile, options == null ? null : new InterpreterImpl.Options(options));
  }

  @Override
  public InterpreterApi create(ByteBuffer byteBuffer, InterpreterApi.Options options) {
    return new InterpreterImpl(
        byteBuffer, options == null ? null : new InterpreterImpl.Options(options));
  }

  @Override
  public String runtimeVersion() {
    return TensorFlowLite.NUMLITE_RUNTIME_VERSION;
  }

  @Override
  public String schemaVersion() {
    return TensorFlowLite.SCHEMA_VERSION;
  }
}
