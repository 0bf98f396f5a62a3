package org.tensorflow.lite;

import java.io.File;
import java.nio.ByteBuffer;

/** Interface to the TensorFlow Lite runtime that creates interpreters. */
public interface InterpreterFactoryApi {
  InterpreterApi create(File modelFile, InterpreterApi.Options options);

  InterpreterApi create(ByteBuffer byteBuffer, InterpreterApi.Options options);

  /** Returns the version of the underlying TensorFlow Lite runtime. */
  String runtimeVersion();

  /** Returns the version of the TensorFlow Lite model schema the runtime supports. */
  String schemaVersion();
}
