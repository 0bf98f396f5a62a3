package org.tensorflow.lite;

import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * A tensor of a numlite interpreter: validates and converts Java values (TFLite's rules and
 * messages) into flat native-order bytes for the Python runtime, and back.
 */
final class TensorImpl implements Tensor {
  private final InterpreterCore core;
  private final int subgraph;
  private final int tensor;
  private final int publicIndex;
  private final boolean isInput;
  private final DataType dtype;
  private final String name;
  private final int[] shapeSignatureCopy;
  private final QuantizationParams quantizationParams;
  private int[] shapeCopy;
  private long shapeStamp;
  /** Reused direct native-order buffer for converted inputs. */
  private ByteBuffer staging;

  TensorImpl(InterpreterCore core, int subgraph, int tensor, boolean primary, boolean isInput) {
    this.core = core;
    this.subgraph = subgraph;
    this.tensor = tensor;
    this.publicIndex = primary ? tensor : -1;
    this.isInput = isInput;
    org.numlite.jvm.Session s = core.session();
    this.dtype = DataTypeUtils.fromC(s.tensorType(subgraph, tensor));
    this.name = s.tensorName(subgraph, tensor);
    this.shapeCopy = s.tensorShape(subgraph, tensor);
    this.shapeStamp = core.stamp(isInput);
    this.shapeSignatureCopy = s.tensorShapeSignature(subgraph, tensor);
    this.quantizationParams =
        new QuantizationParams(s.tensorScale(subgraph, tensor), s.tensorZeroPoint(subgraph, tensor));
  }

  int tensorIndex() {
    return tensor;
  }

  // ---- Tensor --------------------------------------------------------------------------------

  @Override
  public DataType dataType() {
    return dtype;
  }

  @Override
  public int numDimensions() {
    return shape().length;
  }

  @Override
  public int numBytes() {
    if (dtype == DataType.STRING) {
      synchronized (core) {
        return Math.max(0, core.session().tensorNumBytes(subgraph, tensor));
      }
    }
    return numElements() * Marshal.elementBytes(dtype);
  }

  @Override
  public int numElements() {
    return Marshal.numElements(shape());
  }

  @Override
  public int[] shape() {
    return currentShape().clone();
  }

  @Override
  public int[] shapeSignature() {
    return shapeSignatureCopy.clone();
  }

  @Override
  public int index() {
    return publicIndex;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public QuantizationParams quantizationParams() {
    return quantizationParams;
  }

  @Override
  public ByteBuffer asReadOnlyBuffer() {
    byte[] data;
    synchronized (core) {
      data = core.session().tensorData(subgraph, tensor);
    }
    if (data == null) {
      throw new IllegalArgumentException("Internal error: Tensor hasn't been allocated.");
    }
    ByteBuffer b = Marshal.allocate(data.length);
    b.put(data);
    b.clear();
    return b.asReadOnlyBuffer().order(Marshal.NATIVE);
  }

  // ---- shapes --------------------------------------------------------------------------------

  /** The cached shape, refreshed from the runtime when a resize, allocation or run made it stale. */
  int[] currentShape() {
    long stamp = core.stamp(isInput);
    if (stamp != shapeStamp) {
      synchronized (core) {
        shapeCopy = core.session().tensorShape(subgraph, tensor);
        shapeStamp = core.stamp(isInput);
      }
    }
    return shapeCopy;
  }

  /** Sets the shape reported by a run (the caller holds the interpreter lock). */
  void setShape(int[] shape) {
    shapeCopy = shape;
    shapeStamp = core.stamp(isInput);
  }

  /** The shape an input implies when it differs from the current one, else null. */
  int[] getInputShapeIfDifferent(Object input) {
    if (input == null || input instanceof Buffer) {
      return null;
    }
    throwIfTypeIsIncompatible(input);
    int[] inputShape = Marshal.computeShapeOf(input, dtype);
    if (Arrays.equals(currentShape(), inputShape)) {
      return null;
    }
    return inputShape;
  }

  // ---- inputs -------------------------------------------------------------------------------

  /**
   * Validates {@code src} like TFLite's Tensor.setTo and returns the tensor bytes to hand to the
   * runtime: a direct native-order buffer whose capacity is exactly the tensor's size. A direct
   * native-order input buffer is handed over as it is (no copy in Java).
   */
  Buffer prepareInput(Object src) {
    if (src == null) {
      throw new IllegalArgumentException(
          "Null inputs are allowed only if the Tensor is bound to a buffer handle.");
    }
    throwIfTypeIsIncompatible(src);
    throwIfSrcShapeIsIncompatible(src);
    if (src instanceof Buffer) {
      return stageBuffer((Buffer) src);
    }
    int[] shape = currentShape();
    if (dtype == DataType.STRING) {
      if (shape.length == 0) {
        return Marshal.encodeStrings(Marshal.collectStrings(src, Marshal.newList(1)));
      }
      if (!src.getClass().isArray()) {
        throw new IllegalArgumentException("Internal error: Cannot copy empty/scalar Tensors.");
      }
      List<byte[]> strings = Marshal.collectStrings(src, Marshal.newList(Marshal.numElements(shape)));
      return Marshal.encodeStrings(strings);
    }
    if (src.getClass().isArray()) {
      if (shape.length == 0) {
        throw new IllegalArgumentException("Internal error: Cannot copy empty/scalar Tensors.");
      }
      ByteBuffer dst = staging(Marshal.numElements(shape) * Marshal.elementBytes(dtype));
      Marshal.writeArray(src, dtype, dst);
      return dst;
    }
    if (shape.length != 0 && shape[0] != 1) {
      throw new IllegalArgumentException(
          "Internal error: Cannot write Java scalar to non-scalar Tensor.");
    }
    int bytes = Marshal.numElements(shape) * Marshal.elementBytes(dtype);
    if (bytes != Marshal.elementBytes(dtype)) {
      throw new IllegalStateException(
          String.format(
              "Scalar (%d bytes) not compatible with allocated tensor (%d bytes)",
              Marshal.elementBytes(dtype), bytes));
    }
    ByteBuffer dst = staging(bytes);
    Marshal.writeScalar(src, dtype, dst);
    return dst;
  }

  private ByteBuffer staging(int bytes) {
    ByteBuffer s = staging;
    if (s == null || s.capacity() < bytes) {
      s = staging = Marshal.allocate(Math.max(bytes, 16));
    }
    if (s.capacity() == bytes) {
      s.clear();
      return s;
    }
    ByteBuffer d = s.duplicate();
    d.clear().limit(bytes);
    return d.slice().order(Marshal.NATIVE);
  }

  private Buffer stageBuffer(Buffer src) {
    boolean direct = src.isDirect();
    if (src instanceof ByteBuffer) {
      ByteBuffer b = (ByteBuffer) src;
      if (direct && b.order() == Marshal.NATIVE) {
        return b; // TFLite memcpy's tensor bytes from the buffer's address: no position rules
      }
      int bytes = numBytesForCopy();
      ByteBuffer dst = stagingWithCurrentData(bytes, b.remaining());
      dst.put(b); // raw bytes from position, advancing it; BufferOverflowException if too many
      dst.clear();
      return dst;
    }
    if (direct && nativeOrder(src)) {
      return src;
    }
    int bytes = numBytesForCopy();
    int elementBytes = Marshal.elementBytes(dtype);
    ByteBuffer dst = stagingWithCurrentData(bytes, src.remaining() * elementBytes);
    if (src instanceof FloatBuffer) {
      dst.asFloatBuffer().put((FloatBuffer) src);
    } else if (src instanceof IntBuffer) {
      dst.asIntBuffer().put((IntBuffer) src);
    } else if (src instanceof LongBuffer) {
      dst.asLongBuffer().put((LongBuffer) src);
    } else if (src instanceof ShortBuffer) {
      dst.asShortBuffer().put((ShortBuffer) src);
    } else {
      throw new IllegalArgumentException("Unexpected input buffer type: " + src);
    }
    dst.clear();
    return dst;
  }

  /** A staging buffer of {@code bytes}; the tail a short source leaves keeps the tensor data. */
  private ByteBuffer stagingWithCurrentData(int bytes, int sourceBytes) {
    ByteBuffer dst = staging(bytes);
    if (sourceBytes < bytes) {
      byte[] current = core.session().tensorData(subgraph, tensor);
      if (current != null) {
        dst.put(current, 0, Math.min(current.length, bytes));
      }
      dst.clear();
    }
    return dst;
  }

  private int numBytesForCopy() {
    if (dtype == DataType.STRING) {
      return Math.max(0, core.session().tensorNumBytes(subgraph, tensor));
    }
    return Marshal.numElements(currentShape()) * Marshal.elementBytes(dtype);
  }

  private static boolean nativeOrder(Buffer b) {
    if (b instanceof FloatBuffer) {
      return ((FloatBuffer) b).order() == Marshal.NATIVE;
    } else if (b instanceof IntBuffer) {
      return ((IntBuffer) b).order() == Marshal.NATIVE;
    } else if (b instanceof LongBuffer) {
      return ((LongBuffer) b).order() == Marshal.NATIVE;
    } else if (b instanceof ShortBuffer) {
      return ((ShortBuffer) b).order() == Marshal.NATIVE;
    }
    return false;
  }

  // ---- outputs ------------------------------------------------------------------------------

  /** Copies the tensor bytes {@code data} (from a run) into {@code dst}, as TFLite's copyTo. */
  void copyTo(Object dst, ByteBuffer data) {
    if (dst == null) {
      throw new IllegalArgumentException(
          "Null outputs are allowed only if the Tensor is bound to a buffer handle.");
    }
    throwIfTypeIsIncompatible(dst);
    int bytes = data.remaining();
    if (dst instanceof Buffer) {
      Buffer b = (Buffer) dst;
      int dstBytes = bufferBytes(b);
      if (bytes > dstBytes) {
        throw new IllegalArgumentException(
            String.format(
                "Cannot copy from a TensorFlowLite tensor (%s) with %d bytes to a Java Buffer"
                    + " with %d bytes.",
                name, bytes, dstBytes));
      }
      ByteBuffer src = data.duplicate().order(Marshal.NATIVE);
      if (dst instanceof ByteBuffer) {
        ((ByteBuffer) dst).put(src);
      } else if (dst instanceof FloatBuffer) {
        ((FloatBuffer) dst).put(src.asFloatBuffer());
      } else if (dst instanceof IntBuffer) {
        ((IntBuffer) dst).put(src.asIntBuffer());
      } else if (dst instanceof LongBuffer) {
        ((LongBuffer) dst).put(src.asLongBuffer());
      } else if (dst instanceof ShortBuffer) {
        ((ShortBuffer) dst).put(src.asShortBuffer());
      } else {
        throw new IllegalArgumentException("Unexpected output buffer type: " + dst);
      }
      return;
    }
    int[] shape = currentShape();
    int[] dstShape = Marshal.computeShapeOf(dst, dtype);
    if (!Arrays.equals(dstShape, shape)) {
      throw new IllegalArgumentException(
          String.format(
              "Cannot copy from a TensorFlowLite tensor (%s) with shape %s to a Java object with"
                  + " shape %s.",
              name, Arrays.toString(shape), Arrays.toString(dstShape)));
    }
    if (shape.length == 0) {
      throw new IllegalArgumentException("Internal error: Cannot copy empty/scalar Tensors.");
    }
    if (dtype == DataType.STRING) {
      Marshal.readStrings(Marshal.decodeStrings(data), 0, dst, shape.length);
    } else {
      Marshal.readArray(data, dtype, dst);
    }
  }

  // ---- checks ------------------------------------------------------------------------------

  private int bufferBytes(Buffer b) {
    if (b instanceof ByteBuffer) {
      return b.capacity();
    }
    return b.capacity() * dtype.byteSize();
  }

  private void throwIfSrcShapeIsIncompatible(Object src) {
    if (src instanceof Buffer) {
      Buffer b = (Buffer) src;
      int bytes = numBytesForCopy();
      int srcBytes = bufferBytes(b);
      if (bytes != srcBytes) {
        throw new IllegalArgumentException(
            String.format(
                "Cannot copy to a TensorFlowLite tensor (%s) with %d bytes from a Java Buffer with"
                    + " %d bytes.",
                name, bytes, srcBytes));
      }
      return;
    }
    int[] srcShape = Marshal.computeShapeOf(src, dtype);
    int[] shape = currentShape();
    if (!Arrays.equals(srcShape, shape)) {
      throw new IllegalArgumentException(
          String.format(
              "Cannot copy to a TensorFlowLite tensor (%s) with shape %s from a Java object with"
                  + " shape %s.",
              name, Arrays.toString(shape), Arrays.toString(srcShape)));
    }
  }

  private void throwIfTypeIsIncompatible(Object o) {
    if (o instanceof ByteBuffer) {
      return;
    }
    DataType oType = Marshal.dataTypeOf(o, dtype);
    if (oType != dtype) {
      if (DataTypeUtils.toStringName(oType).equals(DataTypeUtils.toStringName(dtype))) {
        return;
      }
      throw new IllegalArgumentException(
          String.format(
              "Cannot convert between a TensorFlowLite tensor with type %s and a Java object of"
                  + " type %s (which is compatible with the TensorFlowLite type %s).",
              dtype, o.getClass().getName(), oType));
    }
  }
}
