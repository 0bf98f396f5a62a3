package org.tensorflow.lite;

/** Represents a TFLite runtime. */
public enum RuntimeFlavor {
  /** A TFLite runtime built directly into the application. */
  APPLICATION,
  /** A TFLite runtime provided by the system. */
  SYSTEM,
}
