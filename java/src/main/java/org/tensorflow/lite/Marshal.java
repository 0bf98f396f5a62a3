package org.tensorflow.lite;

import java.lang.reflect.Array;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Type resolution, shape inference and the conversions between Java values and flat
 * native-order tensor bytes (the layout numpy views without copying).
 */
final class Marshal {
  private Marshal() {}

  static final ByteOrder NATIVE = ByteOrder.nativeOrder();

  // ---- type resolution -------------------------------------------------------------------

  /** The DataType a Java object maps to; byte arrays map to STRING on string tensors. */
  static DataType dataTypeOf(Object o, DataType tensorType) {
    if (o != null) {
      Class<?> c = o.getClass();
      if (c.isArray()) {
        while (c.isArray()) {
          c = c.getComponentType();
        }
        if (float.class.equals(c)) {
          return DataType.FLOAT32;
        } else if (int.class.equals(c)) {
          return DataType.INT32;
        } else if (short.class.equals(c)) {
          return DataType.INT16;
        } else if (byte.class.equals(c)) {
          return tensorType == DataType.STRING ? DataType.STRING : DataType.UINT8;
        } else if (long.class.equals(c)) {
          return DataType.INT64;
        } else if (boolean.class.equals(c)) {
          return DataType.BOOL;
        } else if (String.class.equals(c)) {
          return DataType.STRING;
        }
      } else {
        if (o instanceof Float || o instanceof FloatBuffer) {
          return DataType.FLOAT32;
        } else if (o instanceof Integer || o instanceof IntBuffer) {
          return DataType.INT32;
        } else if (o instanceof Short || o instanceof ShortBuffer) {
          return DataType.INT16;
        } else if (o instanceof Byte) {
          return DataType.UINT8;
        } else if (o instanceof Long || o instanceof LongBuffer) {
          return DataType.INT64;
        } else if (o instanceof Boolean) {
          return DataType.BOOL;
        } else if (o instanceof String) {
          return DataType.STRING;
        }
      }
    }
    throw new IllegalArgumentException(
        "DataType error: cannot resolve DataType of " + (o == null ? "null" : o.getClass().getName()));
  }

  // ---- shapes ------------------------------------------------------------------------------

  static int computeNumDimensions(Object o) {
    if (o == null || !o.getClass().isArray()) {
      return 0;
    }
    if (Array.getLength(o) == 0) {
      throw new IllegalArgumentException("Array lengths cannot be 0.");
    }
    return 1 + computeNumDimensions(Array.get(o, 0));
  }

  static int[] computeShapeOf(Object o, DataType tensorType) {
    int size = computeNumDimensions(o);
    if (tensorType == DataType.STRING) {
      Class<?> c = o.getClass();
      if (c.isArray()) {
        while (c.isArray()) {
          c = c.getComponentType();
        }
        if (byte.class.equals(c)) {
          --size; // a byte[] is one string
        }
      }
    }
    int[] dimensions = new int[size];
    fillShape(o, 0, dimensions);
    return dimensions;
  }

  static void fillShape(Object o, int dim, int[] shape) {
    if (shape == null || dim == shape.length) {
      return;
    }
    final int len = Array.getLength(o);
    if (shape[dim] == 0) {
      shape[dim] = len;
    } else if (shape[dim] != len) {
      throw new IllegalArgumentException(
          String.format("Mismatched lengths (%d and %d) in dimension %d", shape[dim], len, dim));
    }
    final int nextDim = dim + 1;
    if (nextDim == shape.length) {
      return;
    }
    for (int i = 0; i < len; ++i) {
      fillShape(Array.get(o, i), nextDim, shape);
    }
  }

  static int numElements(int[] shape) {
    int n = 1;
    for (int d : shape) {
      n *= d;
    }
    return n;
  }

  /** Bytes per element in tensor memory (BOOL is one byte), -1 for STRING. */
  static int elementBytes(DataType t) {
    return t == DataType.BOOL ? 1 : t.byteSize();
  }

  static ByteBuffer allocate(int bytes) {
    return ByteBuffer.allocateDirect(bytes).order(NATIVE);
  }

  // ---- Java arrays -> tensor bytes --------------------------------------------------------

  /** Writes a rectangular primitive array into {@code dst} (native order, at position 0). */
  static void writeArray(Object src, DataType t, ByteBuffer dst) {
    switch (t) {
      case FLOAT32:
        putFloats(src, dst.asFloatBuffer());
        return;
      case INT32:
        putInts(src, dst.asIntBuffer());
        return;
      case INT64:
        putLongs(src, dst.asLongBuffer());
        return;
      case INT16:
        putShorts(src, dst.asShortBuffer());
        return;
      case UINT8:
      case INT8:
        putBytes(src, dst.duplicate());
        return;
      case BOOL:
        putBooleans(src, dst.duplicate());
        return;
      default:
        throw new IllegalArgumentException("DataType error: DataType " + t + " is not supported");
    }
  }

  private static void putFloats(Object a, FloatBuffer b) {
    if (a instanceof float[]) {
      b.put((float[]) a);
    } else {
      for (Object row : (Object[]) a) {
        putFloats(row, b);
      }
    }
  }

  private static void putInts(Object a, IntBuffer b) {
    if (a instanceof int[]) {
      b.put((int[]) a);
    } else {
      for (Object row : (Object[]) a) {
        putInts(row, b);
      }
    }
  }

  private static void putLongs(Object a, LongBuffer b) {
    if (a instanceof long[]) {
      b.put((long[]) a);
    } else {
      for (Object row : (Object[]) a) {
        putLongs(row, b);
      }
    }
  }

  private static void putShorts(Object a, ShortBuffer b) {
    if (a instanceof short[]) {
      b.put((short[]) a);
    } else {
      for (Object row : (Object[]) a) {
        putShorts(row, b);
      }
    }
  }

  private static void putBytes(Object a, ByteBuffer b) {
    if (a instanceof byte[]) {
      b.put((byte[]) a);
    } else {
      for (Object row : (Object[]) a) {
        putBytes(row, b);
      }
    }
  }

  private static void putBooleans(Object a, ByteBuffer b) {
    if (a instanceof boolean[]) {
      for (boolean v : (boolean[]) a) {
        b.put(v ? (byte) 1 : (byte) 0);
      }
    } else {
      for (Object row : (Object[]) a) {
        putBooleans(row, b);
      }
    }
  }

  /** Writes a boxed scalar as one element. */
  static void writeScalar(Object src, DataType t, ByteBuffer dst) {
    switch (t) {
      case FLOAT32:
        dst.putFloat(0, ((Number) src).floatValue());
        return;
      case INT32:
        dst.putInt(0, ((Number) src).intValue());
        return;
      case INT64:
        dst.putLong(0, ((Number) src).longValue());
        return;
      case INT16:
        dst.putShort(0, ((Number) src).shortValue());
        return;
      case UINT8:
      case INT8:
        dst.put(0, ((Number) src).byteValue());
        return;
      case BOOL:
        dst.put(0, ((Boolean) src) ? (byte) 1 : (byte) 0);
        return;
      default:
        throw new IllegalStateException("Invalid DataType(" + t.c() + ")");
    }
  }

  // ---- strings -------------------------------------------------------------------------------

  /** Collects the strings of a String/byte[] array (any depth) or of one String/byte[]. */
  static List<byte[]> collectStrings(Object src, List<byte[]> out) {
    if (src instanceof String) {
      out.add(modifiedUtf8((String) src, true));
    } else if (src instanceof byte[]) {
      out.add((byte[]) src);
    } else {
      for (Object row : (Object[]) src) {
        collectStrings(row, out);
      }
    }
    return out;
  }

  /** TFLite's string tensor layout: int32 count, count+1 int32 offsets, then the bytes. */
  static ByteBuffer encodeStrings(List<byte[]> strings) {
    int count = strings.size();
    int header = 4 * (count + 2);
    int total = header;
    for (byte[] s : strings) {
      total += s.length;
    }
    ByteBuffer b = allocate(total);
    b.putInt(count);
    int offset = header;
    b.putInt(offset);
    for (byte[] s : strings) {
      offset += s.length;
      b.putInt(offset);
    }
    for (byte[] s : strings) {
      b.put(s);
    }
    b.clear();
    return b;
  }

  static byte[][] decodeStrings(ByteBuffer data) {
    ByteBuffer b = data.duplicate().order(NATIVE);
    int count = b.getInt(0);
    byte[][] out = new byte[count][];
    for (int i = 0; i < count; i++) {
      int start = b.getInt(4 + 4 * i);
      int end = b.getInt(8 + 4 * i);
      byte[] s = new byte[end - start];
      b.position(start);
      b.get(s);
      out[i] = s;
    }
    return out;
  }

  /**
   * The bytes JNI's GetStringUTFChars gives (modified UTF-8: U+0000 as C0 80, supplementary
   * characters as two 3-byte surrogates), plus the terminating NUL TFLite's JNI code stores.
   */
  static byte[] modifiedUtf8(String s, boolean withNul) {
    int n = s.length();
    int len = 0;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      len += (c >= 1 && c <= 0x7f) ? 1 : (c <= 0x7ff ? 2 : 3);
    }
    byte[] out = new byte[len + (withNul ? 1 : 0)];
    int p = 0;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 1 && c <= 0x7f) {
        out[p++] = (byte) c;
      } else if (c <= 0x7ff) {
        out[p++] = (byte) (0xc0 | (c >> 6));
        out[p++] = (byte) (0x80 | (c & 0x3f));
      } else {
        out[p++] = (byte) (0xe0 | (c >> 12));
        out[p++] = (byte) (0x80 | ((c >> 6) & 0x3f));
        out[p++] = (byte) (0x80 | (c & 0x3f));
      }
    }
    return out;
  }

  /**
   * A Java String from tensor bytes as JNI's NewStringUTF makes it: up to the first NUL byte,
   * modified UTF-8 (standard 4-byte UTF-8 sequences are accepted too; malformed bytes become
   * U+FFFD).
   */
  static String javaString(byte[] b) {
    StringBuilder sb = new StringBuilder(b.length);
    int i = 0;
    int n = b.length;
    while (i < n) {
      int c = b[i] & 0xff;
      if (c == 0) {
        break;
      }
      if (c < 0x80) {
        sb.append((char) c);
        i += 1;
      } else if ((c & 0xe0) == 0xc0 && i + 1 < n && (b[i + 1] & 0xc0) == 0x80) {
        sb.append((char) (((c & 0x1f) << 6) | (b[i + 1] & 0x3f)));
        i += 2;
      } else if ((c & 0xf0) == 0xe0
          && i + 2 < n
          && (b[i + 1] & 0xc0) == 0x80
          && (b[i + 2] & 0xc0) == 0x80) {
        sb.append((char) (((c & 0x0f) << 12) | ((b[i + 1] & 0x3f) << 6) | (b[i + 2] & 0x3f)));
        i += 3;
      } else if ((c & 0xf8) == 0xf0
          && i + 3 < n
          && (b[i + 1] & 0xc0) == 0x80
          && (b[i + 2] & 0xc0) == 0x80
          && (b[i + 3] & 0xc0) == 0x80) {
        int cp =
            ((c & 0x07) << 18)
                | ((b[i + 1] & 0x3f) << 12)
                | ((b[i + 2] & 0x3f) << 6)
                | (b[i + 3] & 0x3f);
        sb.appendCodePoint(cp);
        i += 4;
      } else {
        sb.append('\ufffd');
        i += 1;
      }
    }
    return sb.toString();
  }

  // ---- tensor bytes -> Java arrays (in place) --------------------------------------------

  static void readArray(ByteBuffer data, DataType t, Object dst) {
    ByteBuffer b = data.duplicate().order(NATIVE);
    switch (t) {
      case FLOAT32:
        getFloats(b.asFloatBuffer(), dst);
        return;
      case INT32:
        getInts(b.asIntBuffer(), dst);
        return;
      case INT64:
        getLongs(b.asLongBuffer(), dst);
        return;
      case INT16:
        getShorts(b.asShortBuffer(), dst);
        return;
      case UINT8:
      case INT8:
        getBytes(b, dst);
        return;
      case BOOL:
        getBooleans(b, dst);
        return;
      default:
        throw new IllegalStateException("DataType error: invalid DataType(" + t.c() + ")");
    }
  }

  private static void getFloats(FloatBuffer b, Object a) {
    if (a instanceof float[]) {
      b.get((float[]) a);
    } else {
      for (Object row : (Object[]) a) {
        getFloats(b, row);
      }
    }
  }

  private static void getInts(IntBuffer b, Object a) {
    if (a instanceof int[]) {
      b.get((int[]) a);
    } else {
      for (Object row : (Object[]) a) {
        getInts(b, row);
      }
    }
  }

  private static void getLongs(LongBuffer b, Object a) {
    if (a instanceof long[]) {
      b.get((long[]) a);
    } else {
      for (Object row : (Object[]) a) {
        getLongs(b, row);
      }
    }
  }

  private static void getShorts(ShortBuffer b, Object a) {
    if (a instanceof short[]) {
      b.get((short[]) a);
    } else {
      for (Object row : (Object[]) a) {
        getShorts(b, row);
      }
    }
  }

  private static void getBytes(ByteBuffer b, Object a) {
    if (a instanceof byte[]) {
      b.get((byte[]) a);
    } else {
      for (Object row : (Object[]) a) {
        getBytes(b, row);
      }
    }
  }

  private static void getBooleans(ByteBuffer b, Object a) {
    if (a instanceof boolean[]) {
      boolean[] row = (boolean[]) a;
      for (int i = 0; i < row.length; i++) {
        row[i] = b.get() != 0;
      }
    } else {
      for (Object row : (Object[]) a) {
        getBooleans(b, row);
      }
    }
  }

  /**
   * Fills a String[]... array (new String objects) or a byte[][]... array (new byte[] rows, the
   * raw bytes) of rank {@code rank} from decoded strings.
   */
  static int readStrings(byte[][] strings, int start, Object dst, int rank) {
    Object[] arr = (Object[]) dst;
    int k = start;
    if (rank == 1) {
      boolean asBytes = arr instanceof byte[][];
      for (int i = 0; i < arr.length; i++) {
        byte[] s = strings[k++];
        arr[i] = asBytes ? s.clone() : javaString(s);
      }
    } else {
      for (Object row : arr) {
        k = readStrings(strings, k, row, rank - 1);
      }
    }
    return k;
  }

  static boolean isBuffer(Object o) {
    return o instanceof Buffer;
  }

  static List<byte[]> newList(int n) {
    return new ArrayList<>(n);
  }
}
