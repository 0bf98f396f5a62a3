package org.tensorflow.lite;

import java.nio.ByteBuffer;

/**
 * A typed multi-dimensional array used in TensorFlow Lite.
 *
 * <p>The native handle of a Tensor is owned by its interpreter; a Tensor must not be used after
 * the interpreter is closed.
 */
public interface Tensor {

  /** Quantization parameters of a tensor (per-tensor scale and zero point). */
  class QuantizationParams {
    private final float scale;
    private final int zeroPoint;

    public QuantizationParams(final float scale, final int zeroPoint) {
      this.scale = scale;
      this.zeroPoint = zeroPoint;
    }

    public float getScale() {
      return scale;
    }

    public int getZeroPoint() {
      return zeroPoint;
    }
  }

  /** Returns the {@link DataType} of elements stored in the Tensor. */
  DataType dataType();

  /** Returns the number of dimensions (the rank) of the Tensor; 0 for a scalar. */
  int numDimensions();

  /** Returns the size, in bytes, of the tensor data. */
  int numBytes();

  /** Returns the number of elements in the tensor (the product of its shape). */
  int numElements();

  /** Returns the shape of the Tensor. */
  int[] shape();

  /** Returns the original shape of the Tensor, with -1 for each unknown dimension. */
  int[] shapeSignature();

  /** Returns the tensor index of the tensor (-1 for tensors of a non-primary signature). */
  int index();

  /** Returns the name of the tensor ("" if it has none). */
  String name();

  /** Returns the quantization parameters of the tensor. */
  QuantizationParams quantizationParams();

  /** Returns a read-only, native-order buffer holding the tensor data. */
  ByteBuffer asReadOnlyBuffer();
}
