package org.tensorflow.lite;

import java.io.Closeable;

/**
 * Wrapper for a native TensorFlow Lite Delegate. numlite runs every model in its Python runtime
 * and cannot apply native delegates: an interpreter given one throws IllegalArgumentException.
 */
public interface Delegate extends Closeable {
  /** Returns a native handle to the TensorFlow Lite delegate implementation. */
  long getNativeHandle();

  /** Closes the delegate and releases any resources associated with it. */
  @Override
  default void close() {}
}
