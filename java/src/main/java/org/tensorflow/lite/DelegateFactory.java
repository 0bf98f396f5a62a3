package org.tensorflow.lite;

/** Creates a {@link Delegate} for a given runtime flavor. */
public interface DelegateFactory {
  Delegate create(RuntimeFlavor runtimeFlavor);
}
