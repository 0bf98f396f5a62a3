package org.numlite.jvm;

import java.nio.ByteBuffer;

/**
 * The runtime behind the Java API, implemented in Python (numlite.jvm.backend) through JPype.
 *
 * <p>Python hosts the JVM and registers one Backend with {@link Bridge#register} before any Java
 * code creates an interpreter.
 */
public interface Backend {
  /**
   * Loads a model from a file ({@code path != null}) or from the bytes of a direct buffer.
   * Throws {@link BackendException} of kind {@link BackendException#LOAD} or
   * {@link BackendException#ALLOCATE} (the first allocation happens here).
   */
  Session open(String path, ByteBuffer model, int numThreads, boolean cancellable);

  /** The numlite version. */
  String version();
}
