package org.tensorflow.lite;

/** Represents the type of elements in a TensorFlow Lite {@link Tensor} as an enum. */
public enum DataType {
  /** 32-bit single precision floating point. */
  FLOAT32(1),
  /** 32-bit signed integer. */
  INT32(2),
  /** 8-bit unsigned integer. */
  UINT8(3),
  /** 64-bit signed integer. */
  INT64(4),
  /** Strings. */
  STRING(5),
  /** Bool. */
  BOOL(6),
  /** 16-bit signed integer. */
  INT16(7),
  /** 8-bit signed integer. */
  INT8(9);

  private final int value;

  DataType(int value) {
    this.value = value;
  }

  /** Returns the size of an element of this type, in bytes, or -1 if element size is variable. */
  public int byteSize() {
    switch (this) {
      case FLOAT32:
      case INT32:
        return 4;
      case INT16:
        return 2;
      case INT8:
      case UINT8:
        return 1;
      case INT64:
        return 8;
      case BOOL:
      case STRING:
        return -1;
    }
    throw new IllegalArgumentException(
        "DataType error: DataType " + this + " is not supported yet");
  }

  /** Corresponding value of the TfLiteType enum in the TensorFlow Lite C API. */
  int c() {
    return value;
  }
}
