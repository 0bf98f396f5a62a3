package org.tensorflow.lite.acceleration;

import org.tensorflow.lite.InterpreterApi;

/** An acceleration configuration that applies itself to interpreter options. */
public interface ValidatedAccelerationConfig {
  void apply(InterpreterApi.Options options);
}
