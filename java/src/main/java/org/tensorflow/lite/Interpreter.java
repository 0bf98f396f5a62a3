package org.tensorflow.lite;

import java.io.File;
import java.nio.ByteBuffer;

/**
 * Driver class to drive model inference with TensorFlow Lite, backed by numlite's Python runtime.
 *
 * <pre>{@code
 * try (Interpreter interpreter = new Interpreter(file_of_a_tensorflowlite_model)) {
 *   interpreter.runSignature(inputs, outputs, "encode");
 * }
 * }</pre>
 *
 * <p>Unlike TensorFlow Lite's, a numlite Interpreter may be shared by threads: their calls are
 * serialised.
 */
public final class Interpreter extends InterpreterImpl implements InterpreterApi {

  /** An options class for controlling runtime interpreter behavior. */
  public static class Options extends InterpreterImpl.Options {
    public Options() {}

    public Options(InterpreterApi.Options options) {
      super(options);
    }

    Options(InterpreterImpl.Options options) {
      super(options);
    }

    @Override
    public Options setUseXNNPACK(boolean useXNNPACK) {
      super.setUseXNNPACK(useXNNPACK);
      return this;
    }

    @Override
    public Options setNumThreads(int numThreads) {
      super.setNumThreads(numThreads);
      return this;
    }

    @Override
    public Options setUseNNAPI(boolean useNNAPI) {
      super.setUseNNAPI(useNNAPI);
      return this;
    }

    /**
     * Sets whether to allow float16 precision for FP32 calculation when possible (ignored: numlite
     * computes float32 in float32).
     *
     * @deprecated Prefer using the NnApiDelegate or GpuDelegate options.
     */
    @Deprecated
    public Options setAllowFp16PrecisionForFp32(boolean allow) {
      this.allowFp16PrecisionForFp32 = allow;
      return this;
    }

    @Override
    public Options addDelegate(Delegate delegate) {
      super.addDelegate(delegate);
      return this;
    }

    @Override
    public Options addDelegateFactory(DelegateFactory delegateFactory) {
      super.addDelegateFactory(delegateFactory);
      return this;
    }

    /** Advanced: buffer handle outputs (numlite outputs are always in CPU memory). */
    public Options setAllowBufferHandleOutput(boolean allow) {
      this.allowBufferHandleOutput = allow;
      return this;
    }

    @Override
    public Options setCancellable(boolean allow) {
      super.setCancellable(allow);
      return this;
    }

    @Override
    public Options setRuntime(InterpreterApi.Options.TfLiteRuntime runtime) {
      super.setRuntime(runtime);
      return this;
    }

    /** Experimental: keep compressed zero points of quantized tensors. */
    public Options setCompressQuantizationZeroPoints(boolean compress) {
      this.compressQuantizationZeroPoints = compress;
      return this;
    }

    public boolean getCompressQuantizationZeroPoints() {
      return compressQuantizationZeroPoints != null && compressQuantizationZeroPoints;
    }
  }

  /** Initializes an {@code Interpreter} from a model file. */
  public Interpreter(File modelFile) {
    this(modelFile, null);
  }

  /** Initializes an {@code Interpreter} from a model file with options (null is allowed). */
  public Interpreter(File modelFile, Options options) {
    super(modelFile, options);
  }

  /**
   * Initializes an {@code Interpreter} from a direct native-order ByteBuffer or a
   * MappedByteBuffer holding a model.
   */
  public Interpreter(ByteBuffer byteBuffer) {
    this(byteBuffer, null);
  }

  public Interpreter(ByteBuffer byteBuffer, Options options) {
    super(byteBuffer, options);
  }

  /** Resets all variable tensors to their default values (zero, or the zero point). */
  public void resetVariableTensors() {
    checkNotClosed();
    wrapper.resetVariableTensors();
  }

  /**
   * Advisory flag to cancel an inference in flight (requires {@link
   * InterpreterApi.Options#setCancellable}); a cancelled run throws IllegalArgumentException.
   */
  public void setCancelled(boolean cancelled) {
    checkNotClosed();
    wrapper.setCancelled(cancelled);
  }
}
