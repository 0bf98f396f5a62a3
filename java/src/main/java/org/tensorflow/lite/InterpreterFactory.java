package org.tensorflow.lite;

import java.io.File;
import java.nio.ByteBuffer;

/**
 * Factory for constructing InterpreterApi instances.
 *
 * @deprecated Use {@link InterpreterApi#create} instead.
 */
@Deprecated
public class InterpreterFactory {
  public InterpreterFactory() {}

  public InterpreterApi create(File modelFile, InterpreterApi.Options options) {
    InterpreterApi.Options.TfLiteRuntime runtime =
        (options == null ? null : options.getRuntime());
    return TensorFlowLite.getFactory(runtime).create(modelFile, options);
  }

  public InterpreterApi create(ByteBuffer byteBuffer, InterpreterApi.Options options) {
    InterpreterApi.Options.TfLiteRuntime runtime =
        (options == null ? null : options.getRuntime());
    return TensorFlowLite.getFactory(runtime).create(byteBuffer, options);
  }
}
