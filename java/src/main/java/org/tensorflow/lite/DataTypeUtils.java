package org.tensorflow.lite;

/** Conversions of {@link DataType} to and from C codes and Java type names. */
final class DataTypeUtils {
  private DataTypeUtils() {}

  private static final DataType[] VALUES = DataType.values();

  static DataType fromC(int c) {
    for (DataType t : VALUES) {
      if (t.c() == c) {
        return t;
      }
    }
    throw new IllegalArgumentException(
        "DataType error: DataType " + c + " is not recognized in Java.");
  }

  /** The Java element type name; INT8 and UINT8 share "byte", so either accepts byte arrays. */
  static String toStringName(DataType t) {
    switch (t) {
      case FLOAT32:
        return "float";
      case INT32:
        return "int";
      case INT16:
        return "short";
      case INT8:
      case UINT8:
        return "byte";
      case INT64:
        return "long";
      case BOOL:
        return "bool";
      case STRING:
        return "string";
    }
    throw new IllegalArgumentException(
        "DataType error: DataType " + t + " is not supported yet");
  }
}
